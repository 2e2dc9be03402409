/*
 * test_heap_hooks.c: ESP-IDF's allocation and free hooks
 * (esp_heap_trace_alloc_hook, esp_heap_trace_free_hook; capheap built with
 * CAPHEAP_HEAP_HOOKS, which tests/CMakeLists.txt requires for this file).
 * This program defines both; every other test program of the same build
 * defines neither and runs as without the option.
 *
 * What a hook sees: each allocation that succeeded with the size and caps
 * asked for, each live block just before it is released (not NULL, not a
 * pointer capheap refuses), realloc's old and new blocks, from every thread,
 * outside every lock (a hook may query the heaps).
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdatomic.h>

#include "caps_test.h"
#include "esp_heap_alloc_caps.h"
#include "esp_heap_trace.h"
#include "heap_regions.h"
#include "realloc_race.h"

#ifndef CONFIG_HEAP_USE_HOOKS
#error "esp_heap_caps.h defines CONFIG_HEAP_USE_HOOKS in a build with CAPHEAP_HEAP_HOOKS"
#endif

#define MAX_EVENTS 16

typedef struct {
    char kind; /* 'a' alloc hook, 'f' free hook */
    void *ptr;
    size_t size;
    uint32_t caps;
    size_t live_size; /* 'f': heap_caps_get_allocated_size(ptr) inside the hook */
} hook_event_t;

static hook_event_t events[MAX_EVENTS];
static int nevents;
static _Atomic bool recording;      /* the main thread's events, one at a time */
static _Atomic long thread_allocs;  /* counted while threads run */
static _Atomic long thread_frees;
static _Atomic bool counting;

static void note(hook_event_t e) {
    if (nevents < MAX_EVENTS) {
        events[nevents] = e;
    }
    nevents++;
}

static void tracker_alloc(void *ptr);
static void tracker_free(void *ptr);
static _Atomic bool tracking; /* the hooks keep a tracker of live blocks (below) */

void esp_heap_trace_alloc_hook(void *ptr, size_t size, uint32_t caps) {
    if (atomic_load(&tracking)) {
        tracker_alloc(ptr);
    }
    if (atomic_load(&counting)) {
        atomic_fetch_add(&thread_allocs, 1);
    }
    if (atomic_load(&recording)) {
        /* A query takes each heap's lock: it would hang inside one. */
        assert_true(heap_caps_get_free_size(MALLOC_CAP_8BIT) > 0);
        note((hook_event_t){'a', ptr, size, caps, 0});
    }
}

void esp_heap_trace_free_hook(void *ptr) {
    if (atomic_load(&tracking)) {
        tracker_free(ptr);
    }
    if (atomic_load(&counting)) {
        atomic_fetch_add(&thread_frees, 1);
    }
    if (atomic_load(&recording)) {
        note((hook_event_t){'f', ptr, 0, 0, heap_caps_get_allocated_size(ptr)});
    }
}

static int setup(void **state) {
    nevents = 0;
    atomic_store(&recording, true);
    return caps_setup_esp32(state);
}

static int teardown(void **state) {
    atomic_store(&recording, false);
    return caps_teardown(state);
}

static void assert_alloc_event(int i, const void *ptr, size_t size, uint32_t caps) {
    assert_true(nevents > i);
    assert_int_equal(events[i].kind, 'a');
    assert_ptr_equal(events[i].ptr, ptr);
    assert_int_equal(events[i].size, size);
    assert_int_equal(events[i].caps, caps);
}

/* The block is still live when the free hook runs: its size is readable. */
static void assert_free_event(int i, const void *ptr) {
    assert_true(nevents > i);
    assert_int_equal(events[i].kind, 'f');
    assert_ptr_equal(events[i].ptr, ptr);
    assert_true(events[i].live_size > 0);
}

static void test_allocations_and_frees(void **state) {
    (void)state;
    void *a = heap_caps_malloc(100, MALLOC_CAP_8BIT);
    void *b = heap_caps_calloc(4, 25, MALLOC_CAP_DMA);
    void *c = heap_caps_aligned_alloc(64, 100, MALLOC_CAP_8BIT);
    void *d = heap_caps_malloc_default(50);
    assert_true(a != NULL && b != NULL && c != NULL && d != NULL);
    assert_int_equal(nevents, 4);
    assert_alloc_event(0, a, 100, MALLOC_CAP_8BIT);
    assert_alloc_event(1, b, 100, MALLOC_CAP_DMA);
    assert_alloc_event(2, c, 100, MALLOC_CAP_8BIT);
    assert_alloc_event(3, d, 50, MALLOC_CAP_DEFAULT);
    heap_caps_free(a);
    heap_caps_free(b);
    heap_caps_aligned_free(c);
    heap_caps_free(d);
    assert_int_equal(nevents, 8);
    assert_free_event(4, a);
    assert_free_event(5, b);
    assert_free_event(6, c);
    assert_free_event(7, d);
}

/* heap_caps_aligned_calloc calls the alloc hook too, with the product of
 * its arguments; refused for its alignment, it calls none. */
static void test_aligned_calloc_calls_the_alloc_hook(void **state) {
    (void)state;
    void *z = heap_caps_aligned_calloc(32, 4, 25, MALLOC_CAP_DMA);
    assert_non_null(z);
    assert_null(heap_caps_aligned_calloc(48, 4, 25, MALLOC_CAP_DMA));
    assert_int_equal(nevents, 1);
    assert_alloc_event(0, z, 100, MALLOC_CAP_DMA);
    heap_caps_free(z);
    assert_int_equal(nevents, 2);
    assert_free_event(1, z);
}

/* The same caps many times: the calls after the first find their list and
 * their owner in the caches (the fast paths), and still call each hook once. */
static void test_repeated_calls(void **state) {
    (void)state;
    for (int i = 0; i < 4; i++) {
        nevents = 0;
        void *p = heap_caps_malloc(40 + (size_t)i, MALLOC_CAP_DMA);
        assert_non_null(p);
        heap_caps_free(p);
        assert_int_equal(nevents, 2);
        assert_alloc_event(0, p, 40 + (size_t)i, MALLOC_CAP_DMA);
        assert_free_event(1, p);
    }
}

/* Heap tracing on (every call on the slow paths) and the hooks: each hook
 * once per call, and the trace records the same calls. */
static void test_with_tracing(void **state) {
    (void)state;
    static heap_trace_record_t records[8];
    assert_int_equal(heap_trace_init_standalone(records, 8), ESP_OK);
    assert_int_equal(heap_trace_start(HEAP_TRACE_ALL), ESP_OK);
    void *a = heap_caps_malloc(100, MALLOC_CAP_8BIT);
    void *b = heap_caps_realloc(a, 300, MALLOC_CAP_8BIT);
    heap_caps_free(b);
    assert_int_equal(heap_trace_stop(), ESP_OK);
    assert_non_null(b);
    heap_trace_summary_t summary;
    assert_int_equal(heap_trace_summary(&summary), ESP_OK);
    assert_int_equal(summary.total_allocations, 2);
    assert_int_equal(summary.total_frees, 2);
    assert_alloc_event(0, a, 100, MALLOC_CAP_8BIT);
    int i = 1;
    if (b != a) { /* moved: the old block's free hook first */
        assert_int_equal(events[i].kind, 'f');
        assert_ptr_equal(events[i++].ptr, a);
    }
    assert_alloc_event(i++, b, 300, MALLOC_CAP_8BIT);
    assert_free_event(i++, b);
    assert_int_equal(nevents, i);
}

/* Whether p is an address in a heap's instruction-bus window. */
static bool in_window(const void *p) {
    const capheap_range_t *r = capheap_registry_owner_search((uintptr_t)p);
    return r != NULL && r->alias;
}

/* An EXEC block of the D/IRAM heap is handed out, and freed, at its
 * instruction-bus address: the hooks see that address. IRAM serves EXEC
 * first, so it is filled (unrecorded) until a block comes from the window. */
static void test_instruction_bus_address(void **state) {
    (void)state;
    static void *fill[256];
    int n = 0;
    void *x = NULL;
    atomic_store(&recording, false);
    for (size_t size = 4096; size >= 64; size /= 4) {
        while (n < 256 && (x = heap_caps_malloc(size, MALLOC_CAP_EXEC)) != NULL && !in_window(x)) {
            fill[n++] = x;
        }
        assert_true(x != NULL && in_window(x));
        heap_caps_free(x);
    }
    atomic_store(&recording, true);
    x = heap_caps_malloc(64, MALLOC_CAP_EXEC);
    assert_true(in_window(x));
    heap_caps_free(x);
    assert_int_equal(nevents, 2);
    assert_alloc_event(0, x, 64, MALLOC_CAP_EXEC);
    assert_free_event(1, x);
    atomic_store(&recording, false);
    while (n > 0) {
        heap_caps_free(fill[--n]);
    }
}

static void test_failures_call_no_hook(void **state) {
    (void)state;
    assert_null(heap_caps_malloc(64u << 20, MALLOC_CAP_8BIT));
    assert_null(heap_caps_malloc(0, MALLOC_CAP_8BIT));
    assert_null(heap_caps_malloc(16, MALLOC_CAP_EXEC | MALLOC_CAP_8BIT));
    heap_caps_free(NULL);
    assert_int_equal(nevents, 0);

    /* Refused pointers are reported, and the free hook does not see them. */
    char *p = heap_caps_malloc(40, MALLOC_CAP_8BIT);
    heap_caps_free(p);
    assert_int_equal(nevents, 2);
    int reports = caps_reports.count;
    heap_caps_free(p);                          /* twice */
    heap_caps_free(&reports);                   /* in no heap */
    assert_null(heap_caps_realloc(p, 0, MALLOC_CAP_8BIT));
    assert_null(heap_caps_realloc(p, 80, MALLOC_CAP_8BIT));
    assert_int_equal(caps_reports.count, reports + 4);
    assert_int_equal(nevents, 2);

    /* A realloc that fails leaves the block, and calls no hook. */
    void *q = heap_caps_malloc(40, MALLOC_CAP_8BIT);
    assert_null(heap_caps_realloc(q, 64u << 20, MALLOC_CAP_8BIT));
    assert_int_equal(nevents, 3);
    heap_caps_free(q);
    assert_int_equal(nevents, 4);
    assert_free_event(3, q);
}

static void test_realloc_hooks(void **state) {
    (void)state;
    char *p = heap_caps_realloc(NULL, 200, MALLOC_CAP_8BIT);
    assert_non_null(p);
    assert_alloc_event(0, p, 200, MALLOC_CAP_8BIT);

    /* In place: the alloc hook alone, with the new size. Comprehensive
     * poisoning moves every realloc (within the heap): the old block's free,
     * while it is still live, then the new one. */
    int n = 1;
    char *shrunk = heap_caps_realloc(p, 120, MALLOC_CAP_8BIT);
    if (CAPHEAP_POISONING_LEVEL >= 2) {
        assert_ptr_not_equal(shrunk, p);
        assert_free_event(n++, p);
    } else {
        assert_ptr_equal(shrunk, p);
    }
    assert_alloc_event(n++, shrunk, 120, MALLOC_CAP_8BIT);
    assert_int_equal(nevents, n);

    /* Moved to IRAM by its caps: the old block's free, then the new one. */
    void *moved = heap_caps_realloc(shrunk, 120, MALLOC_CAP_32BIT | MALLOC_CAP_EXEC);
    assert_non_null(moved);
    assert_ptr_not_equal(moved, shrunk);
    assert_free_event(n++, shrunk);
    assert_alloc_event(n++, moved, 120, MALLOC_CAP_32BIT | MALLOC_CAP_EXEC);
    assert_int_equal(nevents, n);

    /* Size 0 frees. */
    assert_null(heap_caps_realloc(moved, 0, MALLOC_CAP_8BIT));
    assert_free_event(n++, moved);
    assert_int_equal(nevents, n);
}

static void test_prefer_and_seed_era(void **state) {
    (void)state;
    void *a = heap_caps_malloc_prefer(64, 2, MALLOC_CAP_SPIRAM, MALLOC_CAP_8BIT);
    void *b = pvPortMallocCaps(48, MALLOC_CAP_DMA);
    assert_true(a != NULL && b != NULL);
    assert_int_equal(nevents, 2);
    assert_alloc_event(0, a, 64, MALLOC_CAP_8BIT);
    assert_alloc_event(1, b, 48, MALLOC_CAP_DMA);
    heap_caps_free(a);
    vPortFreeTagged(b);
    assert_int_equal(nevents, 4);
    assert_free_event(2, a);
    assert_free_event(3, b);
}

/* Every list of masks calls the alloc hook once, with the mask that served
 * (the prefer calls) or DEFAULT (malloc()'s policy): calloc_prefer, and
 * realloc_prefer and realloc_default of NULL, which allocate. */
static void test_calloc_and_realloc_of_mask_lists(void **state) {
    (void)state;
    void *c = heap_caps_calloc_prefer(4, 16, 2, MALLOC_CAP_SPIRAM, MALLOC_CAP_8BIT);
    void *r = heap_caps_realloc_prefer(NULL, 32, 2, MALLOC_CAP_SPIRAM, MALLOC_CAP_8BIT);
    void *d = heap_caps_realloc_default(NULL, 24);
    assert_true(c != NULL && r != NULL && d != NULL);
    assert_int_equal(nevents, 3);
    assert_alloc_event(0, c, 64, MALLOC_CAP_8BIT);
    assert_alloc_event(1, r, 32, MALLOC_CAP_8BIT);
    assert_alloc_event(2, d, 24, MALLOC_CAP_DEFAULT);
    heap_caps_free(c);
    heap_caps_free(r);
    heap_caps_free(d);
}

/* multi_heap is below the hooks, as in ESP-IDF: a heap of its own calls none. */
static void test_multi_heap_calls_none(void **state) {
    (void)state;
    static _Alignas(16) uint8_t region[4096];
    multi_heap_handle_t heap = multi_heap_register(region, sizeof region);
    multi_heap_free(heap, multi_heap_malloc(heap, 100));
    assert_int_equal(nevents, 0);
}

#define THREADS 4
#define OPS 20000

static void *churn(void *arg) {
    uintptr_t seed = (uintptr_t)arg;
    void *held[8] = {0};
    for (int i = 0; i < OPS; i++) {
        seed = seed * 1103515245u + 12345u;
        unsigned slot = (unsigned)(seed >> 16) % 8;
        if (held[slot] != NULL) {
            heap_caps_free(held[slot]);
            held[slot] = NULL;
        } else {
            held[slot] = heap_caps_malloc(16 + (seed >> 8) % 300, (seed & 1) ? MALLOC_CAP_8BIT : MALLOC_CAP_DMA);
        }
    }
    for (unsigned slot = 0; slot < 8; slot++) {
        heap_caps_free(held[slot]);
    }
    return NULL;
}

/* Every allocation's hook and every free's, from threads on shared heaps. */
static void test_threads(void **state) {
    (void)state;
    atomic_store(&recording, false);
    atomic_store(&thread_allocs, 0);
    atomic_store(&thread_frees, 0);
    atomic_store(&counting, true);
    pthread_t t[THREADS];
    for (uintptr_t i = 0; i < THREADS; i++) {
        assert_int_equal(pthread_create(&t[i], NULL, churn, (void *)(i + 1)), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
    }
    atomic_store(&counting, false);
    assert_true(atomic_load(&thread_allocs) > THREADS * OPS / 4);
    assert_int_equal(atomic_load(&thread_allocs), atomic_load(&thread_frees));
    assert_int_equal(caps_reports.count, 0);
}

/* ---- a realloc's free hook, before its address can be reused ------------ */

/* What a leak checker built on the hooks keeps: the live blocks, by address
 * (open addressing, TOMB for a removed entry), under its own mutex. An
 * allocation of an address it holds live is a realloc in place (the alloc
 * hook alone tells it, as in ESP-IDF); a free of an address it does not hold
 * is a clash: the hooks told it of two events out of order. */
#define TRACKER_SLOTS 8192u
#define TOMB ((void *)1)

static pthread_mutex_t tracker_lock = PTHREAD_MUTEX_INITIALIZER;
static void *tracker[TRACKER_SLOTS];
static long tracker_clashes;

/* The slot holding ptr, or the NULL slot that ends its probe. */
static size_t tracker_find(const void *ptr) {
    size_t i = ((uintptr_t)ptr >> 3) % TRACKER_SLOTS;
    while (tracker[i] != NULL && tracker[i] != ptr) {
        i = (i + 1) % TRACKER_SLOTS;
    }
    return i;
}

static void tracker_alloc(void *ptr) {
    pthread_mutex_lock(&tracker_lock);
    if (tracker[tracker_find(ptr)] != ptr) {
        size_t j = ((uintptr_t)ptr >> 3) % TRACKER_SLOTS; /* the first tomb or NULL of the probe */
        while (tracker[j] != NULL && tracker[j] != TOMB) {
            j = (j + 1) % TRACKER_SLOTS;
        }
        tracker[j] = ptr;
    }
    pthread_mutex_unlock(&tracker_lock);
}

static void tracker_free(void *ptr) {
    pthread_mutex_lock(&tracker_lock);
    size_t i = tracker_find(ptr);
    if (tracker[i] == ptr) {
        tracker[i] = TOMB;
    } else {
        tracker_clashes++;
    }
    pthread_mutex_unlock(&tracker_lock);
}

static size_t tracker_live(void) {
    size_t live = 0;
    for (size_t i = 0; i < TRACKER_SLOTS; i++) {
        live += tracker[i] != NULL && tracker[i] != TOMB;
    }
    return live;
}

/* The free hook of a realloc that moves a block must run before another
 * thread can be given the old address (realloc_race.h), else the tracker
 * takes the other thread's allocation for a realloc in place of the old
 * block, then drops it at the late free. After each round the keeper's
 * blocks, and only they, must be live in the tracker (on the code that called
 * the free hook after the free, 6 of 6 runs failed, losing 1 to 5 of the
 * keeper's blocks). */
static void test_realloc_free_hook_comes_before_the_address_is_reused(void **state) {
    (void)state;
    atomic_store(&recording, false);
    for (int round = 0; round < RACE_ROUNDS; round++) {
        memset(tracker, 0, sizeof tracker);
        tracker_clashes = 0;
        atomic_store(&tracking, true);
        long failed = race_round();
        atomic_store(&tracking, false);
        assert_int_equal(failed, 0);
        assert_int_equal(tracker_clashes, 0);
        assert_int_equal(tracker_live(), RACE_KEPT);
        for (int i = 0; i < RACE_KEPT; i++) {
            assert_non_null(race_kept[i]);
            assert_int_equal(tracker[tracker_find(race_kept[i])] == race_kept[i], true);
            heap_caps_free(race_kept[i]);
        }
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_allocations_and_frees, setup, teardown),
        cmocka_unit_test_setup_teardown(test_aligned_calloc_calls_the_alloc_hook, setup, teardown),
        cmocka_unit_test_setup_teardown(test_repeated_calls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_with_tracing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_instruction_bus_address, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failures_call_no_hook, setup, teardown),
        cmocka_unit_test_setup_teardown(test_realloc_hooks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prefer_and_seed_era, setup, teardown),
        cmocka_unit_test_setup_teardown(test_calloc_and_realloc_of_mask_lists, setup, teardown),
        cmocka_unit_test_setup_teardown(test_multi_heap_calls_none, setup, teardown),
        cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_realloc_free_hook_comes_before_the_address_is_reused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
