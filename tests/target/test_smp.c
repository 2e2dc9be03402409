/*
 * test_smp.c: two cores in the same heaps at once (RV32 on QEMU virt with
 * -smp 2, or the two Cortex-M33 of mps2-an521; one host thread per core,
 * scripts/target-run.sh --smp 2), with the bare-metal port's SMP lock
 * (CAPHEAP_BAREMETAL_SMP).
 *
 * Both harts run the same random sequence (each its own seed) over their own
 * slots: malloc, realloc and free on two multi_heaps shared by both, and
 * heap_caps_malloc and heap_caps_free on two heap_caps heaps. Every block gets
 * a pattern of its core, slot and generation, checked before each realloc and
 * free and, for realloc, on the part kept. Two cores handed the same block, or
 * a list broken by two updates at once, show as a wrong pattern, a corruption
 * report, a fault, a hang (the runner's timeout) or a failed check at the end:
 * multi_heap_check on every heap and every free size back where it started.
 *
 * Built with CAPHEAP_TEST_SMP_NO_SPIN (the port's CAPHEAP_BAREMETAL_SMP_TEST_NO_SPIN:
 * the lock does not wait), the same program is the negative control
 * (scripts/target-smp-control.sh): it should fail.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "capheap/port.h"
#include "esp_heap_caps.h"
#include "esp_heap_caps_init.h"
#include "arch.h"
#include "harness.h"
#include "multi_heap.h"
#include "smp.h"

#ifndef SMP_OPS
#define SMP_OPS 1000000u /* per core */
#endif
#define SLOTS     48u
#define MAX_SIZE  256u
#define HEAP_SIZE (16u * 1024u)
#define CAPS_SIZE (16u * 1024u)
#define CHECK_EVERY 8192u

/* kinds of block: from multi_heap 0 or 1, or from heap_caps */
enum { KIND_MULTI0, KIND_MULTI1, KIND_CAPS, KINDS };

typedef struct {
    uint32_t *p;
    uint32_t words;
    uint32_t tag; /* the pattern's seed: core, slot, generation */
    uint8_t kind;
} slot_t;

static _Alignas(8) uint8_t region[2][HEAP_SIZE];
static _Alignas(8) uint8_t caps_region[2][CAPS_SIZE];
static multi_heap_handle_t heaps[2];
static size_t multi_free_at_start[2];
static size_t caps_free_at_start;

static _Atomic unsigned ready;    /* cores at the starting line */
static _Atomic unsigned finished; /* cores done */
static _Atomic unsigned long corruption_reports;
static unsigned long failed_allocs[2], reallocs_done[2];
/* Each core's progress, read by the other: how much the two overlapped. */
static _Atomic unsigned long ops_done[2];
static unsigned long other_at_finish[2];

static void on_corruption(const void *addr, const char *what, void *user) {
    (void)user;
    atomic_fetch_add(&corruption_reports, 1);
    t_fail(__FILE__, __LINE__, "core %lu: corruption reported: %s at %p", (unsigned long)arch_core_id(), what, addr);
}

static uint32_t pattern(uint32_t tag, uint32_t i) { return (tag ^ (i * 0x9E3779B1u)) + i; }

static void fill(slot_t *s) {
    for (uint32_t i = 0; i < s->words; i++) {
        s->p[i] = pattern(s->tag, i);
    }
}

static void check(const slot_t *s, uint32_t words) {
    for (uint32_t i = 0; i < words; i++) {
        if (s->p[i] != pattern(s->tag, i)) {
            t_fail(__FILE__, __LINE__, "core %lu: block %p (kind %u, %lu words) word %lu is 0x%08lx, not 0x%08lx",
                   (unsigned long)arch_core_id(), (void *)s->p, s->kind, (unsigned long)s->words, (unsigned long)i,
                   (unsigned long)s->p[i], (unsigned long)pattern(s->tag, i));
        }
    }
}

static void release(slot_t *s) {
    check(s, s->words);
    if (s->kind == KIND_CAPS) {
        heap_caps_free(s->p);
    } else {
        multi_heap_free(heaps[s->kind], s->p);
    }
    s->p = NULL;
}

static void hammer(uint32_t core) {
    static slot_t slots[2][SLOTS];
    slot_t *mine = slots[core];
    t_rng_t rng = {0x9e3779b97f4a7c15ull + core * 0x2545F4914F6CDD1Dull};
    uint32_t generation = 0;

    /* Both at once: each waits for the other at the starting line. */
    atomic_fetch_add(&ready, 1);
    while (atomic_load(&ready) < 2) {
    }
    for (uint32_t op = 0; op < SMP_OPS; op++) {
        atomic_store_explicit(&ops_done[core], op + 1, memory_order_relaxed);
        slot_t *s = &mine[t_below(&rng, SLOTS)];
        uint32_t words = 1 + t_below(&rng, MAX_SIZE / 4);
        if (s->p == NULL) {
            s->kind = (uint8_t)t_below(&rng, KINDS);
            s->p = s->kind == KIND_CAPS ? heap_caps_malloc(words * 4, MALLOC_CAP_8BIT)
                                        : multi_heap_malloc(heaps[s->kind], words * 4);
            if (s->p == NULL) {
                failed_allocs[core]++;
                continue;
            }
            s->words = words;
            s->tag = (core << 30) ^ ((uint32_t)(s - mine) << 24) ^ generation++;
            fill(s);
        } else if (s->kind != KIND_CAPS && t_below(&rng, 4) == 0) {
            check(s, s->words);
            uint32_t *p = multi_heap_realloc(heaps[s->kind], s->p, words * 4);
            if (p == NULL) {
                failed_allocs[core]++; /* the old block stays */
                continue;
            }
            s->p = p;
            check(s, words < s->words ? words : s->words); /* the part kept */
            s->words = words;
            s->tag ^= 0x00800000u;
            fill(s);
            reallocs_done[core]++;
        } else {
            release(s);
        }
        if (core == 0 && op % CHECK_EVERY == 0) {
            /* While the other core keeps going (each check takes the lock). */
            T_CHECK(multi_heap_check(heaps[0], false));
            T_CHECK(multi_heap_check(heaps[1], false));
        }
    }
    other_at_finish[core] = atomic_load_explicit(&ops_done[1 - core], memory_order_relaxed);
    for (uint32_t i = 0; i < SLOTS; i++) {
        if (mine[i].p != NULL) {
            release(&mine[i]);
        }
    }
    atomic_fetch_add(&finished, 1);
}

static void second_core(void) {
    T_EQ(arch_core_id(), 1);
    hammer(1);
    for (;;) {
        __asm__ volatile("wfi"); /* main reports and exits */
    }
}

static void case_setup(void) {
    T_EQ(arch_core_id(), 0);
    capheap_set_corruption_handler(on_corruption, NULL);
    for (int i = 0; i < 2; i++) {
        heaps[i] = multi_heap_register(region[i], sizeof region[i]);
        T_CHECK(heaps[i] != NULL);
        void *lock = capheap_port_lock_create();
        T_CHECK(lock != NULL);
        multi_heap_set_lock(heaps[i], lock);
        multi_free_at_start[i] = multi_heap_free_size(heaps[i]);
    }
    static const uint32_t caps[3] = {MALLOC_CAP_8BIT | MALLOC_CAP_32BIT | MALLOC_CAP_DEFAULT | MALLOC_CAP_INTERNAL, 0, 0};
    for (int i = 0; i < 2; i++) {
        T_EQ(heap_caps_add_region_with_caps(caps, (intptr_t)caps_region[i], (intptr_t)(caps_region[i] + CAPS_SIZE)),
             ESP_OK);
    }
    caps_free_at_start = heap_caps_get_free_size(MALLOC_CAP_8BIT);
    T_CHECK(caps_free_at_start > CAPS_SIZE);
}

static void case_two_cores(void) {
    smp_start_second(second_core);
    hammer(0);
    while (atomic_load(&finished) < 2) {
    }
    for (uint32_t c = 0; c < 2; c++) {
        t_printf("core %lu: %lu ops (%lu reallocs, %lu failed allocations); the other core had done %lu when it "
                 "finished\n", (unsigned long)c, atomic_load(&ops_done[c]), reallocs_done[c], failed_allocs[c],
                 other_at_finish[c]);
        T_EQ(atomic_load(&ops_done[c]), SMP_OPS);
    }
    /* The two ran side by side: the first to finish saw the other well on its
     * way. A tenth is asked, not the 85 % to 98 % seen here: QEMU's two vCPU
     * threads share the host with whatever else runs (make test runs two
     * guests at once on two cores), and a hundred thousand operations side by
     * side are contention enough (the negative control fails with them). */
    unsigned long overlap = other_at_finish[0] < other_at_finish[1] ? other_at_finish[0] : other_at_finish[1];
    t_printf("overlap: at least %lu of %lu operations of each core ran while the other was running\n", overlap,
             (unsigned long)SMP_OPS);
    T_CHECK(overlap >= SMP_OPS / 10);
}

static void case_heaps_intact(void) {
    T_EQ(atomic_load(&corruption_reports), 0);
    for (int i = 0; i < 2; i++) {
        T_CHECK(multi_heap_check(heaps[i], true));
        T_EQ(multi_heap_free_size(heaps[i]), multi_free_at_start[i]);
    }
    T_CHECK(heap_caps_check_integrity_all(true));
    T_EQ(heap_caps_get_free_size(MALLOC_CAP_8BIT), caps_free_at_start);
}

int main(void) {
    static const t_case_t cases[] = {
        {"setup: two multi_heaps with SMP locks, two heap_caps heaps", case_setup},
        {"two cores malloc, realloc and free in them at once", case_two_cores},
        {"every heap intact, every byte back", case_heaps_intact},
    };
    return t_run("test_smp", cases, sizeof cases / sizeof cases[0]);
}
