/*
 * bench_churn.c: instructions per multi_heap_malloc and per multi_heap_free on
 * Cortex-M3 (QEMU mps2-an385 under -icount shift=7), for the churn workload of
 * WORKLOADS.md: a 256 KiB region, 256 slots, sizes log-uniform 16..4096 bytes,
 * 200,000 operations (a random slot: freed if it holds a block, else
 * allocated into), xorshift64* with a fixed seed. A bump-pointer allocator
 * measured the same way gives the floor of the method.
 *
 * Counting: under -icount shift=7 every instruction advances virtual time by
 * 128 ns and TIMER0 ticks every 40 ns, so d ticks are round(d * 40 / 128)
 * instructions, of which two (the call and the timer load after it) belong
 * to the harness: the figures below are the instructions the callee itself
 * executed. A one-instruction callee (bx lr) calibrates this and must read 1.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include "harness.h"
#include "multi_heap.h"

#define REGION (256u * 1024u)
#define SLOTS  256u
#define OPS    200000u
#define SEED   0x9E3779B97F4A7C15ull
#define MAX_COUNT 2048u /* histogram range; longer calls go in the last bucket */

#define REG(addr)     (*(volatile uint32_t *)(addr))
#define TIMER0_CTRL   REG(0x40000000u)
#define TIMER0_VALUE  REG(0x40000004u)
#define TIMER0_RELOAD REG(0x40000008u)

typedef void *(*call2_t)(void *, size_t);
uint32_t bench_timed_call(void *fn, void *a0, size_t a1, void **result);
void bench_empty(void);

static _Alignas(8) uint8_t region[REGION];

/* ---- Per-call counts: a histogram gives min, median and max ------------- */

typedef struct {
    const char *name;
    uint32_t hist[MAX_COUNT + 1];
    uint32_t calls, min, max;
} stats_t;

static unsigned to_instructions(uint32_t ticks) {
    return (unsigned)(((uint64_t)ticks * 5u + 8u) >> 4) - 2u;
}

static void *timed(stats_t *st, void *fn, void *a0, size_t a1) {
    void *result;
    unsigned n = to_instructions(bench_timed_call(fn, a0, a1, &result));
    st->hist[n < MAX_COUNT ? n : MAX_COUNT]++;
    st->min = st->calls == 0 || n < st->min ? n : st->min;
    st->max = n > st->max ? n : st->max;
    st->calls++;
    return result;
}

static unsigned median(const stats_t *st) {
    uint32_t seen = 0;
    for (unsigned i = 0; i <= MAX_COUNT; i++) {
        seen += st->hist[i];
        if (2 * seen >= st->calls) {
            return i;
        }
    }
    return MAX_COUNT;
}

static void report(const stats_t *st) {
    printf("%-26s %8lu %6lu %7u %6lu\n", st->name, (unsigned long)st->calls, (unsigned long)st->min, median(st),
           (unsigned long)st->max);
}

/* ---- The workload -------------------------------------------------------- */

/* Log-uniform in [16, 4096]: 16 * 256^u with u uniform in [0, 1). */
static size_t churn_size(t_rng_t *rng) {
    double u = (double)t_rand(rng) / 4294967296.0;
    return (size_t)(16.0 * exp2(8.0 * u));
}

typedef struct {
    void *(*alloc)(void *ctx, size_t size);
    void (*release)(void *ctx, void *p);
    void *ctx;
} allocator_t;

static unsigned run_churn(const allocator_t *a, stats_t *st_malloc, stats_t *st_free) {
    static void *slots[SLOTS];
    t_rng_t rng = {SEED};
    unsigned failed = 0;
    for (unsigned i = 0; i < SLOTS; i++) {
        slots[i] = NULL;
    }
    for (uint32_t op = 0; op < OPS; op++) {
        unsigned slot = t_below(&rng, SLOTS);
        if (slots[slot] != NULL) {
            timed(st_free, (void *)a->release, a->ctx, (size_t)slots[slot]);
            slots[slot] = NULL;
        } else {
            size_t size = churn_size(&rng);
            slots[slot] = timed(st_malloc, (void *)a->alloc, a->ctx, size);
            failed += slots[slot] == NULL;
        }
    }
    return failed;
}

/* The floor: a bump pointer that starts over at the end of the region (the
 * workload never touches the memory, so reuse does no harm). */
typedef struct {
    uintptr_t top, begin, end;
} bump_t;

__attribute__((noinline)) static void *bump_malloc(void *ctx, size_t size) {
    bump_t *b = ctx;
    uintptr_t p = b->top;
    uintptr_t next = p + ((size + 7u) & ~(uintptr_t)7u);
    if (next > b->end) {
        p = b->begin;
        next = p + ((size + 7u) & ~(uintptr_t)7u);
    }
    b->top = next;
    return (void *)p;
}

__attribute__((noinline)) static void bump_free(void *ctx, void *p) {
    (void)ctx;
    (void)p;
}

static stats_t heap_malloc = {.name = "multi_heap_malloc"}, heap_free = {.name = "multi_heap_free"};
static stats_t floor_malloc = {.name = "bump pointer malloc"}, floor_free = {.name = "bump pointer free"};
static stats_t calibration = {.name = "calibration (bx lr)"};

int main(void) {
    TIMER0_CTRL = 0;
    TIMER0_RELOAD = 0xFFFFFFFFu;
    TIMER0_VALUE = 0xFFFFFFFFu;
    TIMER0_CTRL = 1;
    for (int i = 0; i < 1000; i++) {
        timed(&calibration, (void *)bench_empty, NULL, 0);
    }

    multi_heap_handle_t heap = multi_heap_register(region, sizeof region);
    T_CHECK(heap != NULL);
    allocator_t mh = {(void *(*)(void *, size_t))multi_heap_malloc, (void (*)(void *, void *))multi_heap_free, heap};
    unsigned failed = run_churn(&mh, &heap_malloc, &heap_free);
    T_CHECK(multi_heap_check(heap, true));

    bump_t bump = {(uintptr_t)region, (uintptr_t)region, (uintptr_t)region + sizeof region};
    allocator_t floor = {bump_malloc, bump_free, &bump};
    run_churn(&floor, &floor_malloc, &floor_free);

    printf("churn on Cortex-M3 (QEMU mps2-an385, -icount shift=7, CMSDK TIMER0): 256 KiB, 256 slots,\n"
           "log-uniform 16..4096 B, %u ops, xorshift64* seed 0x%llx; %u mallocs failed\n",
           OPS, (unsigned long long)SEED, failed);
    printf("instructions executed per call by the callee (call and timer read excluded):\n");
    printf("%-26s %8s %6s %7s %6s\n", "function", "calls", "min", "median", "max");
    report(&heap_malloc);
    report(&heap_free);
    report(&floor_malloc);
    report(&floor_free);
    report(&calibration);
    T_EQ(calibration.min, 1);
    T_EQ(calibration.max, 1);
    return 0;
}
