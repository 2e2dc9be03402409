/*
 * test_concurrency.c: 2, 4 and 8 threads hammering the heaps of the esp32
 * board through the whole public API (malloc, calloc, realloc across caps,
 * aligned, prefer, EXEC through the instruction bus, size queries), handing
 * blocks to each other, while one thread reads statistics and checks heaps,
 * and while heaps are added with heap_caps_add_region_with_caps (also inside
 * live allocations of the heaps the threads use). Accounting
 * is exact at the end: every heap's free size is back where it started, no
 * block is left, every heap passes its check. Meant to run clean under
 * ThreadSanitizer (the "tsan" configuration of scripts/test-matrix.sh).
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capheap.h"
#include "registry.h"

#define MAX_THREADS 8
#define OPS 12000
#define LIVE 48
#define EXCHANGE 64

/* ---- blocks and their contents ------------------------------------------ */

typedef struct {
    uint8_t *ptr;
    size_t size;
    uint8_t fill;
} block_t;

static uint32_t next(uint32_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

static void fill(block_t *b, uint8_t value) {
    b->fill = value;
    memset(b->ptr, value, b->size);
}

/* Whether the block still holds what its owner wrote (first and last bytes
 * and a few between: a full scan would dominate the run under TSan). */
static bool intact(const block_t *b) {
    for (size_t i = 0; i < b->size; i += 1 + b->size / 8) {
        if (b->ptr[i] != b->fill) {
            return false;
        }
    }
    return b->size == 0 || b->ptr[b->size - 1] == b->fill;
}

/* Blocks on their way from one thread to another: the taker checks and frees
 * them. A slot holds a record from the C library's malloc (the test's own
 * memory, not a heap under test), owned by whoever took it out of the slot. */
static _Atomic(block_t *) exchange[EXCHANGE];

/* Caps a firmware asks for on the ESP32: the first ones come from DRAM, the
 * 32BIT ones may come from IRAM, EXEC through D/IRAM's instruction bus. */
static const uint32_t caps_mix[] = {
    MALLOC_CAP_DEFAULT, MALLOC_CAP_8BIT,  MALLOC_CAP_DMA,
    MALLOC_CAP_INTERNAL, MALLOC_CAP_8BIT | MALLOC_CAP_INTERNAL, MALLOC_CAP_32BIT,
    MALLOC_CAP_32BIT | MALLOC_CAP_INTERNAL, MALLOC_CAP_EXEC,
};
#define CAPS_COUNT (sizeof caps_mix / sizeof caps_mix[0])

/* ---- one worker ----------------------------------------------------------- */

/* Allocations with a worker's extra caps served, by any worker. */
static atomic_size_t extra_seen;

typedef struct {
    unsigned id;
    uint32_t seed;
    uint32_t extra_caps; /* caps only the added heaps have, 0: none */
    block_t live[LIVE];
    size_t bad;          /* blocks found changed */
    size_t served;       /* allocations that succeeded */
    size_t extra_served; /* of them, with extra_caps */
} worker_t;

static void *allocate(worker_t *w, size_t size, uint32_t caps) {
    switch (next(&w->seed) % 5) {
    case 0: {
        uint8_t *p = heap_caps_calloc(1, size, caps);
        for (size_t i = 0; p != NULL && i < size; i += 1 + size / 4) {
            w->bad += p[i] != 0;
        }
        return p;
    }
    case 1:
        return heap_caps_aligned_alloc((size_t)4 << (next(&w->seed) % 6), size, caps);
    case 2:
        return heap_caps_malloc_prefer(size, 2, caps | MALLOC_CAP_DMA, caps);
    default:
        return heap_caps_malloc(size, caps);
    }
}

static uint32_t pick_caps(worker_t *w) {
    if (w->extra_caps != 0 && next(&w->seed) % 4 == 0) {
        return w->extra_caps;
    }
    return caps_mix[next(&w->seed) % CAPS_COUNT];
}

static void release(worker_t *w, block_t *b) {
    w->bad += !intact(b);
    w->bad += heap_caps_get_allocated_size(b->ptr) < b->size;
    heap_caps_free(b->ptr);
    b->ptr = NULL;
}

/* Frees what another thread left in a random slot and leaves this block there. */
static void swap_through_exchange(worker_t *w, block_t *b) {
    block_t *mine = malloc(sizeof *mine);
    assert_non_null(mine);
    *mine = *b;
    b->ptr = NULL;
    block_t *theirs = atomic_exchange(&exchange[next(&w->seed) % EXCHANGE], mine);
    if (theirs != NULL) {
        release(w, theirs);
        free(theirs);
    }
}

static void resize(worker_t *w, block_t *b, size_t size, uint32_t caps) {
    w->bad += !intact(b);
    uint8_t *p = heap_caps_realloc(b->ptr, size, caps);
    if (p == NULL) {
        return; /* the block stays as it was */
    }
    size_t kept = b->size < size ? b->size : size;
    b->ptr = p;
    b->size = kept;
    w->bad += !intact(b);
    b->size = size;
    fill(b, b->fill);
}

static void step(worker_t *w, unsigned i) {
    block_t *b = &w->live[next(&w->seed) % LIVE];
    size_t size = 1 + next(&w->seed) % (next(&w->seed) % 16 == 0 ? 6000 : 300);
    uint32_t caps = pick_caps(w);
    if (b->ptr != NULL) {
        unsigned what = next(&w->seed) % 4;
        if (what == 0) {
            resize(w, b, size, caps);
            return;
        }
        if (what == 1) {
            swap_through_exchange(w, b);
        } else {
            release(w, b);
        }
    }
    b->ptr = allocate(w, size, caps);
    if (b->ptr != NULL) {
        b->size = size;
        fill(b, (uint8_t)(w->id * 31 + i));
        w->served++;
        if (caps == w->extra_caps) {
            w->extra_served++;
            atomic_fetch_add_explicit(&extra_seen, 1, memory_order_relaxed);
        }
    }
}

/* Set while heaps are being added: the workers go on until it is clear. */
static atomic_bool adding;

/* Once the heaps are added, the workers go on until one of them has been
 * served by one (at most 10 s): the scheduler may have left them no time
 * while the heaps were being added (a 2-core machine runs 4 workers). */
static void keep_adding_until_an_extra_is_served(void) {
    const struct timespec pause = {0, 1000000};
    for (unsigned ms = 0; ms < 10000 && atomic_load(&extra_seen) == 0; ms++) {
        nanosleep(&pause, NULL);
    }
    atomic_store(&adding, false);
}

static void *work(void *arg) {
    worker_t *w = arg;
    for (unsigned i = 0; i < OPS || atomic_load_explicit(&adding, memory_order_relaxed); i++) {
        step(w, i);
    }
    for (unsigned k = 0; k < LIVE; k++) {
        if (w->live[k].ptr != NULL) {
            release(w, &w->live[k]);
        }
    }
    return NULL;
}

/* Frees what is left in the exchange once every worker stopped. */
static size_t drain_exchange(void) {
    size_t bad = 0;
    for (unsigned k = 0; k < EXCHANGE; k++) {
        block_t *b = atomic_exchange(&exchange[k], NULL);
        if (b != NULL) {
            bad += !intact(b);
            heap_caps_free(b->ptr);
            free(b);
        }
    }
    return bad;
}

/* ---- a thread that only looks ---------------------------------------------- */

/* Every query a monitoring task would make while others allocate; under
 * ThreadSanitizer this shows that each reads a heap only under its lock. */

static atomic_bool stop_observer;

static void *observe(void *arg) {
    size_t *failed_checks = arg;
    unsigned round = 0;
    while (!atomic_load(&stop_observer)) {
        multi_heap_info_t info;
        heap_caps_get_info(&info, MALLOC_CAP_8BIT);
        heap_caps_get_info(&info, MALLOC_CAP_32BIT);
        (void)heap_caps_get_largest_free_block(MALLOC_CAP_DMA);
        (void)heap_caps_get_free_size(MALLOC_CAP_32BIT);
        (void)heap_caps_get_minimum_free_size(MALLOC_CAP_8BIT);
        if (round++ % 8 == 0) {
            *failed_checks += !heap_caps_check_integrity_all(true);
        }
    }
    return NULL;
}

/* ---- accounting ------------------------------------------------------------ */

typedef struct {
    size_t count;
    size_t free[CAPHEAP_MAX_HEAPS];
} snapshot_t;

static void take_snapshot(snapshot_t *s) {
    s->count = capheap_registry_count();
    for (size_t i = 0; i < s->count; i++) {
        multi_heap_handle_t mh = capheap_heap_handle(capheap_registry_at(i));
        s->free[i] = mh != NULL ? multi_heap_free_size(mh) : 0;
    }
}

/* Every heap of before back to its free size, every heap without a used
 * block, every heap consistent. */
static void assert_all_returned(const snapshot_t *before) {
    size_t n = capheap_registry_count();
    for (size_t i = 0; i < n; i++) {
        multi_heap_handle_t mh = capheap_heap_handle(capheap_registry_at(i));
        if (mh == NULL) {
            continue;
        }
        multi_heap_info_t info;
        multi_heap_get_info(mh, &info);
        assert_int_equal(info.allocated_blocks, 0);
        assert_int_equal(info.free_blocks, 1);
        if (i < before->count) {
            assert_int_equal(multi_heap_free_size(mh), before->free[i]);
        }
    }
    assert_true(heap_caps_check_integrity_all(true));
}

/* ---- runs ------------------------------------------------------------------ */

static worker_t workers[MAX_THREADS];

static void start_workers(pthread_t *t, unsigned n, uint32_t extra_caps) {
    memset(workers, 0, sizeof workers);
    atomic_store(&extra_seen, 0);
    for (unsigned i = 0; i < n; i++) {
        workers[i].id = i;
        workers[i].seed = 0x9E3779B9u * (i + 1) ^ n;
        workers[i].extra_caps = extra_caps;
        assert_int_equal(pthread_create(&t[i], NULL, work, &workers[i]), 0);
    }
}

static void join_workers(pthread_t *t, unsigned n, size_t *served) {
    for (unsigned i = 0; i < n; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
    }
    assert_int_equal(drain_exchange(), 0);
    for (unsigned i = 0; i < n; i++) {
        assert_int_equal(workers[i].bad, 0);
        *served += workers[i].served;
    }
}

static void hammer(unsigned n) {
    assert_int_equal(capheap_init("esp32"), ESP_OK);
    snapshot_t before;
    take_snapshot(&before);
    pthread_t t[MAX_THREADS], observer;
    size_t failed_checks = 0, served = 0;
    atomic_store(&stop_observer, false);
    assert_int_equal(pthread_create(&observer, NULL, observe, &failed_checks), 0);
    start_workers(t, n, 0);
    join_workers(t, n, &served);
    atomic_store(&stop_observer, true);
    assert_int_equal(pthread_join(observer, NULL), 0);
    assert_int_equal(failed_checks, 0);
    assert_true(served > (size_t)n * OPS / 4); /* the heaps really served the threads */
    assert_all_returned(&before);
    capheap_deinit();
}

static void test_two_threads(void **state) {
    (void)state;
    hammer(2);
}

static void test_four_threads(void **state) {
    (void)state;
    hammer(4);
}

static void test_eight_threads(void **state) {
    (void)state;
    hammer(8);
}

/* ---- heaps added while threads allocate ------------------------------------ */

#define ADDED 6
#define ADDED_SIZE (24 * 1024)

static _Alignas(64) uint8_t added_memory[ADDED][ADDED_SIZE];
static _Alignas(64) uint8_t scratch[ADDED_SIZE];

/* SPM: no heap of the esp32 board has it, so these requests fail until a heap
 * is added and then succeed at once, in the threads that race with the add. */
static const uint32_t added_caps[3] = {MALLOC_CAP_SPM | MALLOC_CAP_8BIT, MALLOC_CAP_32BIT | MALLOC_CAP_DEFAULT, 0};

static void test_add_region_while_allocating(void **state) {
    (void)state;
    assert_int_equal(capheap_init("esp32"), ESP_OK);
    snapshot_t before;
    take_snapshot(&before);
    pthread_t t[MAX_THREADS];
    atomic_store(&adding, true);
    start_workers(t, 4, MALLOC_CAP_SPM);
    for (unsigned k = 0; k < ADDED; k++) {
        intptr_t lo = (intptr_t)added_memory[k], hi = lo + ADDED_SIZE;
        assert_int_equal(heap_caps_add_region_with_caps(added_caps, lo, hi), ESP_OK);
        assert_int_equal(heap_caps_add_region_with_caps(added_caps, lo, hi), ESP_FAIL); /* a duplicate */
        for (volatile unsigned spin = 0; spin < 20000; spin++) {
        }
    }
    keep_adding_until_an_extra_is_served();
    size_t served = 0;
    join_workers(t, 4, &served);
    size_t extra = 0;
    for (unsigned i = 0; i < 4; i++) {
        extra += workers[i].extra_served;
    }
    assert_true(extra > 0);
    assert_int_equal(capheap_registry_count(), before.count + ADDED);
    assert_all_returned(&before);
    /* The added heaps are back to the free size of a new heap of their size. */
    multi_heap_handle_t fresh = multi_heap_register(scratch, ADDED_SIZE);
    assert_non_null(fresh);
    assert_int_equal(heap_caps_get_free_size(MALLOC_CAP_SPM), ADDED * multi_heap_free_size(fresh));
    capheap_deinit();
}

/* ---- heaps made of allocations while threads allocate --------------------- */

#if CAPHEAP_NESTED_HEAPS > 0 /* else no such heap (test_registry_nested.c) */

/* Heaps registered inside live allocations of host_caps while the threads
 * allocate and free in the host heap (whose owner ranges then shrink under
 * them) and, with extra, in the new heaps (caps) as soon as they appear.
 * Before the hosts, a block of the largest free size of the first take
 * caps, so that the hosts come from the memory after it. */
static void nest_while_allocating(uint32_t first_take, uint32_t host_caps, bool windowed, const uint32_t caps[3],
                                  uint32_t extra) {
    assert_int_equal(capheap_init("esp32"), ESP_OK);
    void *taken = first_take != 0 ? heap_caps_malloc(heap_caps_get_largest_free_block(first_take), first_take) : NULL;
    void *host[CAPHEAP_NESTED_HEAPS];
    for (unsigned k = 0; k < CAPHEAP_NESTED_HEAPS; k++) {
        host[k] = heap_caps_malloc(8192, host_caps);
        assert_non_null(host[k]);
        const capheap_range_t *r = capheap_registry_owner_search((uintptr_t)host[k]);
        assert_true(r != NULL && (r->heap->alias_kind != CAPHEAP_ALIAS_NONE) == windowed);
    }
    snapshot_t before;
    take_snapshot(&before);
    pthread_t t[MAX_THREADS];
    atomic_store(&adding, true);
    start_workers(t, 4, extra);
    for (unsigned k = 0; k < CAPHEAP_NESTED_HEAPS; k++) {
        intptr_t lo = (intptr_t)host[k];
        assert_int_equal(heap_caps_add_region_with_caps(caps, lo, lo + 8192), ESP_OK);
        for (volatile unsigned spin = 0; spin < 20000; spin++) {
        }
    }
    keep_adding_until_an_extra_is_served();
    size_t served = 0, extra_served = 0;
    join_workers(t, 4, &served);
    for (unsigned i = 0; i < 4; i++) {
        extra_served += workers[i].extra_served;
    }
    assert_true(extra_served > 0);
    /* The board's heaps as before (the hosts still allocated), the new ones empty. */
    assert_int_equal(capheap_registry_count(), before.count + CAPHEAP_NESTED_HEAPS);
    for (size_t i = 0; i < capheap_registry_count(); i++) {
        multi_heap_handle_t mh = capheap_heap_handle(capheap_registry_at(i));
        if (i < before.count) {
            assert_int_equal(mh != NULL ? multi_heap_free_size(mh) : 0, before.free[i]);
        } else {
            multi_heap_info_t info;
            multi_heap_get_info(mh, &info);
            assert_int_equal(info.allocated_blocks, 0);
        }
    }
    heap_caps_free(taken);
    assert_true(heap_caps_check_integrity_all(true));
    capheap_deinit();
}

/* In DRAM: the new heaps serve SPM requests. */
static void test_add_nested_while_allocating(void **state) {
    (void)state;
    nest_while_allocating(0, MALLOC_CAP_8BIT | MALLOC_CAP_INTERNAL, false, added_caps, MALLOC_CAP_SPM);
}

/* In D/IRAM (DRAM's largest block taken first): the host's window is cut
 * too while the threads' EXEC blocks come through it, and the new heaps
 * serve EXEC requests through the same window. */
static void test_add_nested_in_diram_while_allocating(void **state) {
    (void)state;
    static const uint32_t exec_caps[3] = {MALLOC_CAP_SPM | MALLOC_CAP_EXEC | MALLOC_CAP_32BIT, 0, 0};
    nest_while_allocating(MALLOC_CAP_8BIT, MALLOC_CAP_8BIT | MALLOC_CAP_INTERNAL, true, exec_caps,
                          MALLOC_CAP_SPM | MALLOC_CAP_EXEC);
}
#endif

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_threads),
        cmocka_unit_test(test_four_threads),
        cmocka_unit_test(test_eight_threads),
        cmocka_unit_test(test_add_region_while_allocating),
#if CAPHEAP_NESTED_HEAPS > 0
        cmocka_unit_test(test_add_nested_while_allocating),
        cmocka_unit_test(test_add_nested_in_diram_while_allocating),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
