/*
 * test_threads.c: several threads on shared heaps (esp32-psram): allocations
 * with various caps, frees of blocks other threads allocated, reallocs and
 * size queries, while another thread adds heaps. Every block keeps what its
 * owner wrote; at the end every heap is consistent and back to its free size.
 * And failure injection counts every thread's calls once.
 * The "tsan" configuration of scripts/test-matrix.sh runs this under
 * ThreadSanitizer.
 */
#define _POSIX_C_SOURCE 200809L
#include "caps_test.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#define WORKERS 4
#define OPS 15000
#define LIVE 64
#define EXCHANGE 256
#define ADDED_HEAPS 8
#define ADDED_SIZE (16 * 1024)

static _Alignas(64) uint8_t added[ADDED_HEAPS][ADDED_SIZE];

/* Blocks handed from one thread to another: the taker checks and frees them. */
typedef struct {
    uint8_t *ptr;
    size_t size;
    uint8_t fill;
} block_t;

/* A slot's state: who may touch its block. */
enum { EMPTY, FILLING, FULL, TAKING };
static atomic_int exchange_state[EXCHANGE];
static block_t exchange[EXCHANGE];
static atomic_bool adding_done;
static atomic_int failures;

static uint64_t next(uint64_t *s) {
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * UINT64_C(0x2545F4914F6CDD1D);
}

static uint32_t below(uint64_t *s, uint32_t n) { return (uint32_t)(((next(s) >> 32) * n) >> 32); }

static void check(const block_t *b) {
    for (size_t k = 0; k < b->size; k++) {
        if (b->ptr[k] != b->fill) {
            atomic_fetch_add(&failures, 1);
            return;
        }
    }
}

static const uint32_t masks[] = {MALLOC_CAP_8BIT, MALLOC_CAP_DMA, MALLOC_CAP_32BIT, MALLOC_CAP_EXEC,
                                 MALLOC_CAP_DEFAULT, MALLOC_CAP_SPIRAM, MALLOC_CAP_INTERNAL | MALLOC_CAP_8BIT,
                                 MALLOC_CAP_RETENTION /* only in heaps added while running */};

static uint8_t *allocate(uint64_t *s, size_t size) {
    switch (below(s, 6)) {
    case 0:
        return heap_caps_malloc_default(size);
    case 1:
        return heap_caps_calloc(1, size, masks[below(s, 8)]);
    case 2:
        return heap_caps_aligned_alloc((size_t)16 << below(s, 4), size, masks[below(s, 8)]);
    default:
        return heap_caps_malloc(size, masks[below(s, 8)]);
    }
}

static void *worker(void *arg) {
    unsigned id = (unsigned)(uintptr_t)arg;
    uint64_t s = UINT64_C(0x9E3779B97F4A7C15) * (id + 1);
    block_t live[LIVE];
    size_t nlive = 0;
    /* at least OPS operations, and on until every heap is added */
    for (int op = 0; op < OPS || !atomic_load(&adding_done); op++) {
        uint32_t what = below(&s, 10);
        if (what < 3 && nlive < LIVE) {
            size_t size = 1 + below(&s, 2000);
            uint8_t *p = allocate(&s, size);
            if (p != NULL) {
                block_t b = {p, size, (uint8_t)(id * 16 + (unsigned)op)};
                memset(p, b.fill, size);
                live[nlive++] = b;
            }
        } else if (what < 5 && nlive > 0) {
            size_t i = below(&s, (uint32_t)nlive);
            check(&live[i]);
            heap_caps_free(live[i].ptr);
            live[i] = live[--nlive];
        } else if (what == 5 && nlive > 0) {
            size_t i = below(&s, (uint32_t)nlive);
            size_t size = 1 + below(&s, 3000);
            uint8_t *p = heap_caps_realloc(live[i].ptr, size, masks[below(&s, 7)]);
            if (p != NULL) {
                block_t b = {p, size < live[i].size ? size : live[i].size, live[i].fill};
                check(&b);
                memset(p, b.fill, size);
                live[i] = (block_t){p, size, b.fill};
            }
        } else if (what == 6 && nlive > 0) {
            /* hand a block over to whichever thread comes by */
            size_t i = below(&s, (uint32_t)nlive), slot = below(&s, EXCHANGE);
            int expected = EMPTY;
            if (atomic_compare_exchange_strong(&exchange_state[slot], &expected, FILLING)) {
                exchange[slot] = live[i];
                atomic_store(&exchange_state[slot], FULL);
                live[i] = live[--nlive];
            }
        } else if (what == 7) {
            /* take a block another thread handed over, check it, free it */
            size_t slot = below(&s, EXCHANGE);
            int expected = FULL;
            if (atomic_compare_exchange_strong(&exchange_state[slot], &expected, TAKING)) {
                block_t b = exchange[slot];
                atomic_store(&exchange_state[slot], EMPTY);
                check(&b);
                heap_caps_free(b.ptr);
            }
        } else if (what == 9 && op % 50 == 0) {
            if (heap_caps_check_integrity_all(true) == false) {
                atomic_fetch_add(&failures, 1);
            }
        } else if (what == 8) {
            multi_heap_info_t info;
            heap_caps_get_info(&info, masks[below(&s, 8)]);
            size_t sizes = heap_caps_get_largest_free_block(MALLOC_CAP_8BIT) + heap_caps_get_free_size(MALLOC_CAP_DMA);
            sizes += heap_caps_get_minimum_free_size(MALLOC_CAP_32BIT) + heap_caps_get_total_size(MALLOC_CAP_EXEC);
            if (sizes == 0) {
                atomic_fetch_add(&failures, 1);
            }
        }
    }
    /* exchange slots are drained by the main thread once everyone stopped */
    while (nlive > 0) {
        check(&live[--nlive]);
        heap_caps_free(live[nlive].ptr);
    }
    return NULL;
}

static void *adder(void *arg) {
    (void)arg;
    const uint32_t caps[3] = {MALLOC_CAP_RETENTION, 0, MALLOC_CAP_8BIT | MALLOC_CAP_32BIT};
    for (int i = 0; i < ADDED_HEAPS; i++) {
        esp_err_t err = heap_caps_add_region_with_caps(caps, (intptr_t)added[i], (intptr_t)(added[i] + ADDED_SIZE));
        if (err != ESP_OK) {
            atomic_fetch_add(&failures, 1);
        }
        struct timespec pause = {0, 2000000};
        nanosleep(&pause, NULL);
    }
    atomic_store(&adding_done, true);
    return NULL;
}

static void threads_share_heaps_while_heaps_are_added(void **state) {
    (void)state;
    assert_int_equal(capheap_init("esp32-psram"), ESP_OK);
    caps_record_reports();
    size_t board_heaps = capheap_registry_count();
    size_t free0[CAPHEAP_MAX_HEAPS];
    for (size_t i = 0; i < board_heaps; i++) {
        free0[i] = multi_heap_free_size(capheap_heap_handle(capheap_registry_at(i)));
    }
    pthread_t threads[WORKERS + 1];
    assert_int_equal(pthread_create(&threads[WORKERS], NULL, adder, NULL), 0);
    for (unsigned i = 0; i < WORKERS; i++) {
        assert_int_equal(pthread_create(&threads[i], NULL, worker, (void *)(uintptr_t)i), 0);
    }
    for (unsigned i = 0; i <= WORKERS; i++) {
        assert_int_equal(pthread_join(threads[i], NULL), 0);
    }
    assert_true(atomic_load(&adding_done));
    for (size_t slot = 0; slot < EXCHANGE; slot++) {
        if (atomic_load(&exchange_state[slot]) == FULL) {
            check(&exchange[slot]);
            heap_caps_free(exchange[slot].ptr);
        }
    }
    assert_int_equal(atomic_load(&failures), 0);
    assert_int_equal(caps_reports.count, 0);
    assert_int_equal(capheap_registry_count(), board_heaps + ADDED_HEAPS);
    assert_true(heap_caps_check_integrity_all(true));
    for (size_t i = 0; i < board_heaps; i++) {
        assert_int_equal(multi_heap_free_size(capheap_heap_handle(capheap_registry_at(i))), free0[i]);
    }
    multi_heap_info_t info;
    heap_caps_get_info(&info, 0);
    assert_int_equal(info.allocated_blocks, 0);
    /* the added heaps were used */
    void *r = heap_caps_malloc(100, MALLOC_CAP_RETENTION);
    assert_non_null(r);
    heap_caps_free(r);
    capheap_deinit();
    caps_default_reports();
}

/* Failure injection counts each call of every thread once (an atomic add):
 * with a plan that only counts, the count is the calls made. */
#define COUNTED_CALLS 2000

static void *allocate_and_free(void *arg) {
    (void)arg;
    for (int i = 0; i < COUNTED_CALLS; i++) {
        heap_caps_free(heap_caps_malloc(64, MALLOC_CAP_8BIT));
    }
    return NULL;
}

static void failure_injection_counts_every_thread(void **state) {
    (void)state;
    assert_int_equal(capheap_init("esp32"), ESP_OK);
    capheap_fail_plan_t count_only = {0, false, 0};
    capheap_fail_allocations(&count_only);
    pthread_t threads[WORKERS];
    for (unsigned i = 0; i < WORKERS; i++) {
        assert_int_equal(pthread_create(&threads[i], NULL, allocate_and_free, NULL), 0);
    }
    for (unsigned i = 0; i < WORKERS; i++) {
        assert_int_equal(pthread_join(threads[i], NULL), 0);
    }
    assert_int_equal(capheap_fail_counted(), WORKERS * COUNTED_CALLS);
    capheap_fail_allocations(NULL);
    capheap_deinit();
}

/* ---- errno under contention ---------------------------------------------- */

/* malloc and free that succeed leave errno alone, also when a thread waited
 * for a heap's lock (the wait's system call fails as a matter of course). */
#define ERRNO_ROUNDS 20000
#define ERRNO_MARK 4242

static atomic_long errno_changes;

static void *allocate_and_free_keeping_errno(void *arg) {
    (void)arg;
    for (int i = 0; i < ERRNO_ROUNDS; i++) {
        errno = ERRNO_MARK;
        void *p = heap_caps_malloc(64, MALLOC_CAP_8BIT);
        bool changed = p == NULL || errno != ERRNO_MARK;
        heap_caps_free(p);
        if (changed || errno != ERRNO_MARK) {
            atomic_fetch_add(&errno_changes, 1);
        }
    }
    return NULL;
}

static void errno_stays_while_threads_wait_for_a_heap(void **state) {
    (void)state;
    assert_int_equal(capheap_init("esp32"), ESP_OK);
    pthread_t threads[WORKERS];
    for (unsigned i = 0; i < WORKERS; i++) {
        assert_int_equal(pthread_create(&threads[i], NULL, allocate_and_free_keeping_errno, NULL), 0);
    }
    for (unsigned i = 0; i < WORKERS; i++) {
        assert_int_equal(pthread_join(threads[i], NULL), 0);
    }
    assert_int_equal(atomic_load(&errno_changes), 0);
    capheap_deinit();
}

/* ---- the owner search while heaps are inserted below ----------------------- */

/* A heap inserted below others moves each range above it up one place in
 * the sorted ranges; until the count grows the topmost is in none of the
 * places a search looks at. The search must then search again (registry.h:
 * the sorted ranges are read under a sequence count), never answer that an
 * address of a registered heap is in no heap. */
#define SLICES (CAPHEAP_MAX_HEAPS < 48 ? CAPHEAP_MAX_HEAPS : 48)
#define SLICE 2048
#define SEARCH_ROUNDS 500

static _Alignas(64) uint8_t slices[SLICES][SLICE];
static atomic_bool inserting;
static atomic_long search_misses;

static void *search_top(void *arg) {
    uintptr_t p = (uintptr_t)arg;
    while (atomic_load(&inserting)) {
        if (capheap_registry_owner_search(p) == NULL) {
            atomic_fetch_add(&search_misses, 1);
        }
    }
    return NULL;
}

static void owner_search_never_misses_while_heaps_are_inserted_below(void **state) {
    (void)state;
    const uint32_t caps[3] = {MALLOC_CAP_8BIT, 0, 0};
    for (int round = 0; round < SEARCH_ROUNDS; round++) {
        uint8_t *top = slices[SLICES - 1];
        assert_int_equal(heap_caps_add_region_with_caps(caps, (intptr_t)top, (intptr_t)(top + SLICE)), ESP_OK);
        void *p = heap_caps_malloc(64, MALLOC_CAP_8BIT);
        assert_non_null(p);
        atomic_store(&inserting, true);
        pthread_t searcher;
        assert_int_equal(pthread_create(&searcher, NULL, search_top, p), 0);
        /* downwards: each new heap lies below every other, every range moves */
        for (int i = SLICES - 2; i >= 0; i--) {
            assert_int_equal(
                heap_caps_add_region_with_caps(caps, (intptr_t)slices[i], (intptr_t)(slices[i] + SLICE)), ESP_OK);
        }
        atomic_store(&inserting, false);
        assert_int_equal(pthread_join(searcher, NULL), 0);
        heap_caps_free(p);
        capheap_deinit();
    }
    assert_int_equal(atomic_load(&search_misses), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(threads_share_heaps_while_heaps_are_added),
        cmocka_unit_test(failure_injection_counts_every_thread),
        cmocka_unit_test(errno_stays_while_threads_wait_for_a_heap),
        cmocka_unit_test(owner_search_never_misses_while_heaps_are_inserted_below),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
