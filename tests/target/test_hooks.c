/*
 * test_hooks.c: ESP-IDF's allocation and free hooks on the target's own
 * instruction set (capheap built with CAPHEAP_HEAP_HOOKS and CAPHEAP_MALLOC).
 * The program runs a random pattern of the C library's malloc family and
 * heap_caps calls on the qemu-mps2-an385 board; the hooks keep their own
 * account of live blocks by address, which must agree with the program's:
 * every live block known with its size, no free of an unknown address, and
 * nothing left once the program has freed everything.
 */
#define _GNU_SOURCE 1 /* memalign */

#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "capheap.h"
#include "capheap/port.h"
#include "harness.h"

#define SLOTS 32u
#define OPS 4000u
#define TABLE 64u /* the slots, and room for the C library's own blocks */

typedef struct {
    void *ptr;
    size_t size;
} entry_t;

/* The hooks' account. They run outside capheap's critical sections, on the
 * caller's stack; this program has one thread and no interrupt allocates. */
static entry_t table[TABLE];
static unsigned table_count, unknown_frees, table_full;

static entry_t *find(const void *ptr) {
    for (unsigned i = 0; i < TABLE; i++) {
        if (table[i].ptr == ptr) {
            return &table[i];
        }
    }
    return NULL;
}

void esp_heap_trace_alloc_hook(void *ptr, size_t size, uint32_t caps) {
    (void)caps;
    entry_t *e = find(ptr); /* realloc in place: known, new size */
    if (e == NULL && (e = find(NULL)) == NULL) {
        table_full++;
        return;
    }
    table_count += e->ptr == NULL;
    *e = (entry_t){ptr, size};
}

void esp_heap_trace_free_hook(void *ptr) {
    entry_t *e = find(ptr);
    if (e == NULL) {
        unknown_frees++;
        return;
    }
    *e = (entry_t){NULL, 0};
    table_count--;
}

typedef struct {
    void *p;
    size_t size;
} slot_t;

static slot_t slots[SLOTS];

static void *allocate(t_rng_t *rng, size_t size) {
    switch (t_below(rng, 5)) {
    case 0: return malloc(size);
    case 1: return calloc(1, size);
    case 2: return memalign(64, size);
    case 3: return heap_caps_malloc(size, MALLOC_CAP_DMA);
    default: return heap_caps_malloc(size, MALLOC_CAP_32BIT);
    }
}

static void step(t_rng_t *rng, slot_t *s) {
    size_t size = 8 + t_below(rng, 1000);
    if (s->p == NULL) {
        s->p = allocate(rng, size);
        T_CHECK(s->p != NULL);
        s->size = size;
    } else if (t_below(rng, 3) == 0) {
        void *p = realloc(s->p, size);
        T_CHECK(p != NULL);
        *s = (slot_t){p, size};
    } else {
        free(s->p);
        *s = (slot_t){NULL, 0};
    }
}

static void check_account(unsigned before) {
    unsigned live = 0;
    for (unsigned i = 0; i < SLOTS; i++) {
        if (slots[i].p != NULL) {
            live++;
            entry_t *e = find(slots[i].p);
            T_CHECK(e != NULL);
            T_EQ(e->size, slots[i].size);
        }
    }
    T_EQ(table_count, before + live);
    T_EQ(unknown_frees, 0);
    T_EQ(table_full, 0);
}

static void pattern(void) {
    t_rng_t rng = {0x9E3779B97F4A7C15ull};
    unsigned before = table_count;
    for (unsigned op = 0; op < OPS; op++) {
        step(&rng, &slots[t_below(&rng, SLOTS)]);
        if (op % 500 == 0) {
            check_account(before);
        }
    }
    check_account(before);
    for (unsigned i = 0; i < SLOTS; i++) {
        free(slots[i].p);
        slots[i] = (slot_t){NULL, 0};
    }
    check_account(before);
    T_CHECK(before + OPS / 4 < OPS); /* the pattern ran */
}

static unsigned reports;

static void count_report(const void *addr, const char *what, void *user) {
    (void)addr, (void)what, (void)user;
    reports++;
}

/* A free the library refuses reaches the corruption report, not the hook.
 * (heap_caps calls: the compiler may drop a malloc whose block is unused.) */
static void refused_free(void) {
    unsigned before = table_count;
    char *p = heap_caps_malloc(40, MALLOC_CAP_8BIT);
    T_EQ(table_count, before + 1);
    heap_caps_free(p);
    T_EQ(table_count, before);
    capheap_set_corruption_handler(count_report, NULL);
    heap_caps_free(p);      /* twice */
    heap_caps_free(p + 4);  /* inside a block */
    capheap_set_corruption_handler(NULL, NULL);
    T_EQ(reports, 2);
    T_EQ(unknown_frees, 0);
    T_EQ(table_count, before);
}

int main(void) {
    T_EQ(capheap_init_board(t_move_board("qemu-mps2-an385", T_AN385_OFFSET)), ESP_OK);
    static const t_case_t cases[] = {
        {"pattern", pattern},
        {"refused_free", refused_free},
    };
    return t_run("test_hooks", cases, sizeof cases / sizeof cases[0]);
}
