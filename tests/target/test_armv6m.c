/*
 * test_armv6m.c: the Cortex-M0+ build on an ARMv6-M core. The other target
 * tests run that build on mps2-an385's Cortex-M3, which would execute an
 * ARMv7-M instruction slipped into it (a clz, an ldrex, a 32-bit Thumb-2
 * data instruction) as if nothing were wrong; QEMU's microbit has a Cortex-M0,
 * which takes none of them (the program then faults and fails; built with
 * ARMV6M_CONTROL, it runs one on purpose and must fault). Its 16 KiB
 * of RAM is too little for the other programs: this one builds a board of
 * two 2 KiB heaps of different caps at its start and runs a random
 * pattern of the malloc family and heap_caps calls over them, checking
 * placement, contents and the heaps' integrity as it goes.
 */
#define _GNU_SOURCE 1 /* memalign */

#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "capheap.h"
#include "esp_memory_utils.h"
#include "harness.h"

#define SLOTS 16u
#define OPS 6000u
#define KIB 1024u

/* The board: what microbit.ld keeps for it at 0x20000000. */
enum { SRAM_DMA, SRAM_CODE };
static const capheap_memory_type_t types[] = {
    [SRAM_DMA] = {"SRAM (DMA)", {MALLOC_CAP_8BIT | MALLOC_CAP_DEFAULT, MALLOC_CAP_INTERNAL | MALLOC_CAP_DMA | MALLOC_CAP_32BIT, 0}},
    [SRAM_CODE] = {"SRAM (code)", {MALLOC_CAP_EXEC, MALLOC_CAP_INTERNAL | MALLOC_CAP_8BIT | MALLOC_CAP_32BIT, 0}},
};
static const capheap_region_t regions[] = {
    {0x20000000u, 2 * KIB, SRAM_DMA, 0, {CAPHEAP_ALIAS_NONE, 0}},
    {0x20000800u, 2 * KIB, SRAM_CODE, 0, {CAPHEAP_ALIAS_NONE, 0}},
};
static const capheap_board_t board = {
    .name = "microbit-test", .types = types, .type_count = 2, .regions = regions, .region_count = 2};

typedef struct {
    uint8_t *p;
    size_t size;
    uint8_t fill;
    uint32_t caps; /* 0: the malloc family's */
} slot_t;

static slot_t slots[SLOTS];

static bool in_region(const void *p, size_t i) { return (uintptr_t)p - regions[i].start < regions[i].size; }

static void *allocate(t_rng_t *rng, size_t size, uint32_t *caps) {
    static const uint32_t asked[] = {0, 0, MALLOC_CAP_DMA, MALLOC_CAP_EXEC, MALLOC_CAP_32BIT};
    *caps = asked[t_below(rng, 5)];
    if (*caps != 0) {
        return heap_caps_malloc(size, *caps);
    }
    return t_below(rng, 2) ? malloc(size) : memalign(16, size);
}

/* A live block: where its caps say, and its bytes as written. */
static void check_slot(const slot_t *s) {
    if (s->caps == MALLOC_CAP_DMA) {
        T_CHECK(in_region(s->p, SRAM_DMA) && esp_ptr_dma_capable(s->p));
    } else if (s->caps == MALLOC_CAP_EXEC) {
        T_CHECK(in_region(s->p, SRAM_CODE) && esp_ptr_executable(s->p));
    } else {
        T_CHECK(in_region(s->p, SRAM_DMA) || in_region(s->p, SRAM_CODE));
    }
    for (size_t i = 0; i < s->size; i++) {
        T_EQ(s->p[i], (uint8_t)(s->fill + i));
    }
}

static void step(t_rng_t *rng, slot_t *s) {
    size_t size = 1 + t_below(rng, 300);
    if (s->p == NULL) {
        uint32_t caps;
        uint8_t *p = allocate(rng, size, &caps);
        if (p != NULL) { /* 4 KiB in all: some requests find no room */
            *s = (slot_t){p, size, (uint8_t)t_below(rng, 256), caps};
            for (size_t i = 0; i < size; i++) {
                p[i] = (uint8_t)(s->fill + i);
            }
        }
    } else if (t_below(rng, 4) == 0 && s->caps == 0) {
        uint8_t *p = realloc(s->p, size);
        if (p != NULL) {
            s->p = p;
            s->size = size < s->size ? size : s->size;
        }
    } else {
        check_slot(s);
        free(s->p);
        *s = (slot_t){NULL, 0, 0, 0};
    }
}

static void pattern(void) {
    t_rng_t rng = {0x2545F4914F6CDD1Dull};
    size_t free_before = heap_caps_get_free_size(MALLOC_CAP_8BIT);
    unsigned live_max = 0;
    for (unsigned op = 0; op < OPS; op++) {
        step(&rng, &slots[t_below(&rng, SLOTS)]);
        unsigned live = 0;
        for (unsigned i = 0; i < SLOTS; i++) {
            live += slots[i].p != NULL;
        }
        live_max = live > live_max ? live : live_max;
        if (op % 500 == 0) {
            T_CHECK(heap_caps_check_integrity_all(true));
        }
    }
    for (unsigned i = 0; i < SLOTS; i++) {
        if (slots[i].p != NULL) {
            check_slot(&slots[i]);
            free(slots[i].p);
        }
    }
    T_CHECK(live_max >= 6);
    T_CHECK(heap_caps_check_integrity_all(true));
    T_EQ(heap_caps_get_free_size(MALLOC_CAP_8BIT), free_before); /* everything came back */
}

int main(void) {
#if defined(ARMV6M_CONTROL)
    /* The negative control: clz r0, r0, an ARMv7-M instruction, encoded by
     * hand (the assembler refuses it for the M0+). This core must fault. */
    unsigned r = 1;
    __asm__ volatile(".inst.w 0xfab0f080" : "+l"(r));
    t_printf("an ARMv7-M instruction ran (%u): this is no ARMv6-M core\n", r);
#endif
    T_EQ(capheap_init_board(&board), ESP_OK);
    static const t_case_t cases[] = {
        {"pattern", pattern},
    };
    return t_run("test_armv6m", cases, sizeof cases / sizeof cases[0]);
}
