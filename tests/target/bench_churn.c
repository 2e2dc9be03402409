/*
 * bench_churn.c: instructions per multi_heap_malloc and per multi_heap_free on
 * the target's own instruction set, for the churn workload of WORKLOADS.md: a
 * 256 KiB region, 256 slots, sizes log-uniform 16..4096 bytes, 200,000
 * operations (a random slot: freed if it holds a block, else allocated into),
 * xorshift64* with a fixed seed. Cortex-M3 on QEMU mps2-an385 (and ARMv6-M
 * code for the Cortex-M0+ there, a subset of its instructions), Xtensa lx106
 * on QEMU's sim machine and RV32IMAC on QEMU virt, all under -icount shift=7.
 * A bump-pointer allocator measured the same way gives the floor of the
 * method. The capabilities layer runs the same operations:
 * heap_caps_malloc(n, MALLOC_CAP_8BIT) and heap_caps_free on the esp32 board
 * (moved into the target's RAM on Cortex-M and RV32, at its own addresses on
 * Xtensa), as the host benchmark bench_caps does, against multi_heap with the
 * port's lock (every registered heap has one) called the same way.
 *
 * Counting: under -icount shift=7 every instruction advances virtual time by
 * 128 ns. On Cortex-M3 the CMSDK TIMER0 ticks every 40 ns, so d ticks are
 * round(d * 40 / 128) instructions; on lx106 CCOUNT counts at 40 MHz (25 ns),
 * so d cycles are round(d * 25 / 128); on RV32 QEMU's minstret follows
 * virtual time in nanoseconds, so d counts are round(d / 128). Two
 * instructions of each span (the call and the second read) belong to the
 * harness: the figures below are the instructions the callee itself
 * executed. A one-instruction callee (a bare return) calibrates this and must
 * read 1.
 */
#include <stdint.h>
#include <stdio.h>

#include "bench_common.h" /* bench/: the host benchmarks' random requests */
#include "capheap.h"
#include "capheap/port.h"
#include "esp_heap_caps.h"
#include "harness.h"
#include "multi_heap.h"

#define REGION (256u * 1024u)
#define SLOTS  256u
#define OPS    200000u
#define MAX_COUNT 2048u /* histogram range; longer calls go in the last bucket */

#if defined(__XTENSA__)
#define CLOCK_NAME "Xtensa lx106 (QEMU sim, -icount shift=7, CCOUNT)"
static void clock_start(void) {} /* CCOUNT always runs */
static unsigned to_instructions(uint32_t cycles) { return (unsigned)(((uint64_t)cycles * 25u + 64u) >> 7) - 2u; }
#elif defined(__riscv)
#define CLOCK_NAME "RV32IMAC (QEMU virt, -icount shift=7, minstret)"
static void clock_start(void) {} /* minstret always counts in machine mode */
static unsigned to_instructions(uint32_t counts) { return (unsigned)((counts + 64u) >> 7) - 2u; }
#else
#if defined(__ARM_ARCH_6M__)
#define CLOCK_NAME "ARMv6-M (Cortex-M0+) code on QEMU mps2-an385's Cortex-M3 (-icount shift=7, CMSDK TIMER0)"
#else
#define CLOCK_NAME "Cortex-M3 (QEMU mps2-an385, -icount shift=7, CMSDK TIMER0)"
#endif
#define REG(addr)     (*(volatile uint32_t *)(addr))
#define TIMER0_CTRL   REG(0x40000000u)
#define TIMER0_VALUE  REG(0x40000004u)
#define TIMER0_RELOAD REG(0x40000008u)

static void clock_start(void) {
    TIMER0_CTRL = 0;
    TIMER0_RELOAD = 0xFFFFFFFFu;
    TIMER0_VALUE = 0xFFFFFFFFu;
    TIMER0_CTRL = 1;
}

static unsigned to_instructions(uint32_t ticks) { return (unsigned)(((uint64_t)ticks * 5u + 8u) >> 4) - 2u; }
#endif

uint32_t bench_timed_call(void *fn, void *a0, size_t a1, void **result);
void bench_empty(void);

static _Alignas(8) uint8_t region[REGION];

/* ---- Per-call counts: a histogram gives min, median and max ------------- */

typedef struct {
    uint32_t hist[MAX_COUNT + 1];
    uint32_t calls, min, max;
    uint32_t max_call; /* the first call that took max (0: the first call) */
    uint64_t sum;
} stats_t;

static void *timed(stats_t *st, void *fn, void *a0, size_t a1) {
    void *result;
    unsigned n = to_instructions(bench_timed_call(fn, a0, a1, &result));
    st->hist[n < MAX_COUNT ? n : MAX_COUNT]++;
    st->min = st->calls == 0 || n < st->min ? n : st->min;
    if (n > st->max) {
        st->max = n;
        st->max_call = st->calls;
    }
    st->sum += n;
    st->calls++;
    return result;
}

/* The highest count below the maximum that some call took, or the maximum
 * when more than one call took it. */
static unsigned next_highest(const stats_t *st) {
    unsigned top = st->max < MAX_COUNT ? st->max : MAX_COUNT;
    if (st->hist[top] > 1) {
        return st->max;
    }
    for (unsigned i = top; i-- > 0;) {
        if (st->hist[i] != 0) {
            return i;
        }
    }
    return st->max;
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

/* ---- The allocators under test ------------------------------------------- */

/* ctx NULL: the functions take only the size (malloc) or the pointer (free),
 * like the wrappers the host benchmark counts under callgrind. */
typedef struct {
    const char *name;
    void *malloc_fn;
    void *free_fn;
    void *ctx;
    stats_t on_malloc, on_free;
    unsigned failed;
} allocator_t;

static void *call_malloc(allocator_t *a, size_t size) {
    return a->ctx != NULL ? timed(&a->on_malloc, a->malloc_fn, a->ctx, size)
                          : timed(&a->on_malloc, a->malloc_fn, (void *)size, 0);
}

static void call_free(allocator_t *a, void *p) {
    if (a->ctx != NULL) {
        timed(&a->on_free, a->free_fn, a->ctx, (size_t)p);
    } else {
        timed(&a->on_free, a->free_fn, p, 0);
    }
}

static multi_heap_handle_t wrapped_heap;

__attribute__((noipa)) static void *wrapped_malloc(size_t size) { return multi_heap_malloc(wrapped_heap, size); }
__attribute__((noipa)) static void wrapped_free(void *p) { multi_heap_free(wrapped_heap, p); }

__attribute__((noipa)) static void *wrapped_caps_malloc(size_t size) {
    return heap_caps_malloc(size, MALLOC_CAP_8BIT);
}
__attribute__((noipa)) static void wrapped_caps_free(void *p) { heap_caps_free(p); }

/* The floor: a bump pointer that starts over at the end of the region (the
 * workload never touches the memory, so reuse does no harm). */
typedef struct {
    uintptr_t top, begin, end;
} bump_t;

__attribute__((noipa)) static void *bump_malloc(void *ctx, size_t size) {
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

__attribute__((noipa)) static void bump_free(void *ctx, void *p) {
    (void)ctx;
    (void)p;
}

static bump_t wrapped_bump;

__attribute__((noipa)) static void *wrapped_bump_malloc(size_t size) { return bump_malloc(&wrapped_bump, size); }
__attribute__((noipa)) static void wrapped_bump_free(void *p) { bump_free(&wrapped_bump, p); }

/* ---- The workload -------------------------------------------------------- */

/* The requests of the host's churn (bench/bench_common.h, integer only):
 * the same sizes in the same order, the first OPS operations of its run. */
static void run_churn(allocator_t *a) {
    static void *slots[SLOTS];
    rng_seed();
    for (unsigned i = 0; i < SLOTS; i++) {
        slots[i] = NULL;
    }
    for (uint32_t op = 0; op < OPS; op++) {
        unsigned slot = rng_below(SLOTS);
        if (slots[slot] != NULL) {
            call_free(a, slots[slot]);
            slots[slot] = NULL;
        } else {
            slots[slot] = call_malloc(a, size_log_uniform(16, 8)); /* 16..4096 */
            a->failed += slots[slot] == NULL;
        }
    }
}

/* Mean instructions per malloc plus per free, in tenths. */
static unsigned pair_tenths(const allocator_t *a) {
    const stats_t *m = &a->on_malloc, *f = &a->on_free;
    return (unsigned)((m->sum * 10u + m->calls / 2u) / m->calls + (f->sum * 10u + f->calls / 2u) / f->calls);
}

static void report(const allocator_t *a) {
    const stats_t *m = &a->on_malloc, *f = &a->on_free;
    unsigned pair = pair_tenths(a);
    printf("%-40s %4lu / %4u / %4lu    %4lu / %4u / %4lu   %4u.%u   %u\n", a->name, (unsigned long)m->min, median(m),
           (unsigned long)m->max, (unsigned long)f->min, median(f), (unsigned long)f->max, pair / 10u, pair % 10u,
           a->failed);
}

static multi_heap_handle_t fresh_heap(void) {
    multi_heap_handle_t heap = multi_heap_register(region, sizeof region);
    T_CHECK(heap != NULL);
    return heap;
}

static allocator_t plain = {.name = "multi_heap", .malloc_fn = (void *)multi_heap_malloc,
                            .free_fn = (void *)multi_heap_free};
static allocator_t locked = {.name = "multi_heap + bare-metal port lock", .malloc_fn = (void *)multi_heap_malloc,
                             .free_fn = (void *)multi_heap_free};
static allocator_t wrapped = {.name = "multi_heap through a C wrapper (*)", .malloc_fn = (void *)wrapped_malloc,
                              .free_fn = (void *)wrapped_free};
static allocator_t locked_wrapped = {.name = "multi_heap + port lock, C wrapper (*)",
                                     .malloc_fn = (void *)wrapped_malloc, .free_fn = (void *)wrapped_free};
static allocator_t caps_wrapped = {.name = "heap_caps 8BIT on esp32, C wrapper (*)",
                                   .malloc_fn = (void *)wrapped_caps_malloc, .free_fn = (void *)wrapped_caps_free};
static allocator_t bump = {.name = "bump pointer (floor)", .malloc_fn = (void *)bump_malloc,
                           .free_fn = (void *)bump_free};
static allocator_t bump_wrapped = {.name = "bump pointer through a C wrapper (*)",
                                   .malloc_fn = (void *)wrapped_bump_malloc, .free_fn = (void *)wrapped_bump_free};
static stats_t calibration;

int main(void) {
    root2_init();
    clock_start();
    for (int i = 0; i < 1000; i++) {
        timed(&calibration, (void *)bench_empty, NULL, 0);
    }
    T_EQ(calibration.min, 1);
    T_EQ(calibration.max, 1);

    plain.ctx = fresh_heap();
    run_churn(&plain);
    T_CHECK(multi_heap_check(plain.ctx, true));

    locked.ctx = fresh_heap();
    void *lock = capheap_port_lock_create();
    T_CHECK(lock != NULL);
    multi_heap_set_lock(locked.ctx, lock);
    run_churn(&locked);
    T_CHECK(multi_heap_check(locked.ctx, true));

    wrapped_heap = fresh_heap();
    run_churn(&wrapped);
    T_CHECK(multi_heap_check(wrapped_heap, true));

    wrapped_heap = fresh_heap();
    void *wrapped_lock = capheap_port_lock_create();
    T_CHECK(wrapped_lock != NULL);
    multi_heap_set_lock(wrapped_heap, wrapped_lock);
    run_churn(&locked_wrapped);
    T_CHECK(multi_heap_check(wrapped_heap, true));

    /* The first call with a caps mask builds the mask's candidate list (the
     * registry keeps it): timed apart, the rows are the steady state. */
    T_EQ(capheap_init_board(t_move_board("esp32", T_ESP32_OFFSET)), ESP_OK);
    static stats_t caps_first;
    heap_caps_free(timed(&caps_first, (void *)wrapped_caps_malloc, (void *)(size_t)16, 0));
    run_churn(&caps_wrapped);
    T_CHECK(heap_caps_check_integrity_all(true));

    bump_t region_bump = {(uintptr_t)region, (uintptr_t)region, (uintptr_t)region + sizeof region};
    bump.ctx = &region_bump;
    run_churn(&bump);
    wrapped_bump = region_bump;
    run_churn(&bump_wrapped);

    printf("churn on %s: 256 KiB region, 256 slots,\n"
           "log-uniform 16..4096 B, %u ops (%lu mallocs, %lu frees), xorshift64* seed 0x%llx\n",
           CLOCK_NAME, OPS, (unsigned long)plain.on_malloc.calls, (unsigned long)plain.on_free.calls,
           (unsigned long long)BENCH_SEED);
    printf("instructions per call, executed by the callee (the call and the timer reads excluded;\n"
           "calibration: a one-instruction function reads %lu)\n\n", (unsigned long)calibration.min);
    printf("%-40s %-20s   %-20s   %-6s   failed\n", "", "malloc min/med/max", "free min/med/max", "pair");
    report(&plain);
    report(&locked);
    report(&wrapped);
    report(&locked_wrapped);
    report(&caps_wrapped);
    report(&bump);
    report(&bump_wrapped);
    unsigned caps = pair_tenths(&caps_wrapped), base = pair_tenths(&locked_wrapped);
    unsigned ratio = (caps * 1000u + base / 2u) / base;
    printf("\npair: mean instructions per malloc + per free. heap_caps 8BIT / multi_heap + port lock\n"
           "(both through a C wrapper): %u.%03u. The first heap_caps_malloc with MALLOC_CAP_8BIT, before\n"
           "the row, built the mask's candidate list: %lu instructions.\n",
           ratio / 1000u, ratio % 1000u, (unsigned long)caps_first.max);
    const stats_t *m = &caps_wrapped.on_malloc, *f = &caps_wrapped.on_free;
    printf("Where the row's maximums are: malloc %lu at call %lu of %lu (next highest %u), free %lu at\n"
           "call %lu of %lu (next highest %u).\n",
           (unsigned long)m->max, (unsigned long)m->max_call + 1u, (unsigned long)m->calls, next_highest(m),
           (unsigned long)f->max, (unsigned long)f->max_call + 1u, (unsigned long)f->calls, next_highest(f));
    printf("\n(*) called with the size or pointer only, the heap in a global: the shape of the host\n"
           "    benchmark's callgrind wrappers. WORKLOADS.md's Cortex-M3 table says its figures include\n"
           "    a wrapper of about 5 instructions: compare it with these rows.\n");
    return 0;
}
