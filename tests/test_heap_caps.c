/*
 * test_heap_caps.c: the allocation functions of esp_heap_caps.h on the esp32
 * boards, one rule of API.md after the other: the matching rule, EXEC and
 * 32BIT, instruction-bus addresses, calloc, realloc, aligned, prefer, the
 * default (malloc) policy with external RAM, the failed-allocation hook and
 * what happens to pointers that are no allocation.
 */
#define _POSIX_C_SOURCE 200809L
#include "caps_test.h"
#include "multi_heap_internal.h" /* the fail floor */

#define POISONING CAPHEAP_POISONING_LEVEL

static const uint32_t DRAM_CAPS = MALLOC_CAP_8BIT | MALLOC_CAP_DEFAULT | MALLOC_CAP_INTERNAL | MALLOC_CAP_DMA |
                                  MALLOC_CAP_32BIT;

static const char *heap_name(const void *p) {
    const capheap_heap_t *h = caps_heap_of(p);
    if (h == NULL) {
        h = caps_heap_of_window(p);
    }
    return h != NULL ? h->name : "none";
}

static void assert_in_heap(const void *p, uintptr_t chip_start) {
    assert_non_null(p);
    assert_ptr_equal(caps_heap_of(p), caps_heap_at(caps_host(chip_start)));
}

/* ---- the matching rule -------------------------------------------------- */

static void caps_pick_the_heap_by_priority(void **state) {
    (void)state;
    void *p;
    /* 8BIT and DEFAULT: DRAM's priority 0, the small DRAM heap first */
    assert_in_heap(p = heap_caps_malloc(100, MALLOC_CAP_8BIT), 0x3FFAE6E0);
    heap_caps_free(p);
    assert_in_heap(p = heap_caps_malloc(100, MALLOC_CAP_DEFAULT), 0x3FFAE6E0);
    heap_caps_free(p);
    /* DMA: priority 1 of DRAM comes before priority 1 of D/IRAM (registry order) */
    assert_in_heap(p = heap_caps_malloc(100, MALLOC_CAP_DMA), 0x3FFAE6E0);
    heap_caps_free(p);
    /* 32BIT alone takes IRAM (its priority 0) before DRAM (priority 1) */
    assert_in_heap(p = heap_caps_malloc(100, MALLOC_CAP_32BIT), 0x40089800);
    heap_caps_free(p);
    /* INTERNAL alone: IRAM has it at priority 0 as well */
    assert_in_heap(p = heap_caps_malloc(100, MALLOC_CAP_INTERNAL), 0x40089800);
    heap_caps_free(p);
    /* INTERNAL | 8BIT: IRAM lacks 8BIT, so DRAM */
    assert_in_heap(p = heap_caps_malloc(100, MALLOC_CAP_INTERNAL | MALLOC_CAP_8BIT), 0x3FFAE6E0);
    heap_caps_free(p);
    assert_in_heap(p = heap_caps_malloc(100, MALLOC_CAP_EXEC), 0x40089800);
    heap_caps_free(p);
    /* a heap's priority 0 wins over registry order: DRAM_DMA|8BIT, D/IRAM has
     * both in priority 1 only */
    assert_in_heap(p = heap_caps_malloc(100, MALLOC_CAP_8BIT | MALLOC_CAP_DMA), 0x3FFAE6E0);
    heap_caps_free(p);
    assert_int_equal(caps_reports.count, 0);
}

static void requests_no_memory_can_serve_return_null(void **state) {
    (void)state;
    assert_null(heap_caps_malloc(100, 0));
    assert_null(heap_caps_malloc(100, MALLOC_CAP_INVALID));
    assert_null(heap_caps_malloc(100, MALLOC_CAP_INVALID | MALLOC_CAP_8BIT));
    assert_null(heap_caps_malloc(100, MALLOC_CAP_SPIRAM)); /* no PSRAM on esp32 */
    assert_null(heap_caps_malloc(100, MALLOC_CAP_PID2));
    assert_null(heap_caps_malloc(100, MALLOC_CAP_8BIT | MALLOC_CAP_RTCRAM));
    assert_null(heap_caps_malloc(100, MALLOC_CAP_EXEC | MALLOC_CAP_8BIT));
    assert_null(heap_caps_malloc(100, MALLOC_CAP_EXEC | MALLOC_CAP_DMA));
    assert_null(heap_caps_malloc(0, MALLOC_CAP_8BIT));
    assert_null(heap_caps_malloc(SIZE_MAX, MALLOC_CAP_8BIT));
    assert_null(heap_caps_malloc(SIZE_MAX - 1, MALLOC_CAP_32BIT));
    assert_null(heap_caps_malloc(400000, MALLOC_CAP_8BIT)); /* larger than any heap */
    assert_int_equal(caps_reports.count, 0);
}

static void falls_to_the_next_heap_when_one_is_full(void **state) {
    (void)state;
    /* fill the small DRAM heap: 8BIT requests go to the large one, and come
     * back to the small one as soon as it has room again */
    void *blocks[200];
    int n = 0;
    void *p;
    const capheap_heap_t *small = caps_heap_at(caps_host(0x3FFAE6E0));
    while ((p = heap_caps_malloc(64, MALLOC_CAP_8BIT)) != NULL && caps_heap_of(p) == small) {
        blocks[n++] = p;
        assert_true(n < 200);
    }
    assert_in_heap(p, 0x3FFB3000);
    heap_caps_free(p);
    assert_in_heap(p = heap_caps_malloc(64, MALLOC_CAP_8BIT), 0x3FFB3000);
    heap_caps_free(p);
    heap_caps_free(blocks[n / 2]);
    assert_in_heap(p = heap_caps_malloc(64, MALLOC_CAP_8BIT), 0x3FFAE6E0);
    blocks[n / 2] = p;
    for (int i = 0; i < n; i++) {
        heap_caps_free(blocks[i]);
    }
    assert_true(heap_caps_check_integrity_all(true));
}

/* Fills the heap mh (the esp32's small DRAM heap) through its own handle
 * until its largest free block is under 256 bytes, its fail floor untouched
 * (every malloc served); returns how many blocks fill[] holds. */
#define SMALL_FILL 8
static int fill_small_heap(multi_heap_handle_t mh, void *fill[SMALL_FILL]) {
    int n = 0;
    multi_heap_info_t info;
    for (multi_heap_get_info(mh, &info); info.largest_free_block >= 256; multi_heap_get_info(mh, &info)) {
        assert_true(n < SMALL_FILL);
        assert_non_null(fill[n++] = multi_heap_malloc(mh, info.largest_free_block));
    }
    return n;
}

static void free_small_heap(multi_heap_handle_t mh, void *fill[], int n) {
    while (n > 0) {
        multi_heap_free(mh, fill[--n]);
    }
}

/* A heap whose fail floor is not kept (it never failed) passes the floor test
 * with any size, so a cached 8BIT list asks the small DRAM heap, filled here
 * through its own handle, and its malloc fails: the call goes on to the next
 * heap of the list, the large DRAM heap, not to one further down. Then again
 * with the small heap's floor kept (the inline path to the second heap). */
static void first_heap_that_never_failed_fails_to_the_second(void **state) {
    (void)state;
    const capheap_heap_t *small = caps_heap_at(caps_host(0x3FFAE6E0));
    multi_heap_handle_t mh = capheap_heap_handle(small);
    void *p = heap_caps_malloc(64, MALLOC_CAP_8BIT); /* the slow path caches the list */
    assert_in_heap(p, 0x3FFAE6E0);
    heap_caps_free(p);
    void *fill[SMALL_FILL];
    int n = fill_small_heap(mh, fill);
    assert_int_equal(capheap_multi_heap_fail_floor(mh), SIZE_MAX); /* every malloc of the heap served */
    for (int i = 0; i < 2; i++) {
        p = heap_caps_malloc(256, MALLOC_CAP_8BIT);
        assert_in_heap(p, 0x3FFB3000);
        heap_caps_free(p);
        assert_true(capheap_multi_heap_fail_floor(mh) <= 256); /* kept since the first call */
    }
    free_small_heap(mh, fill, n);
    assert_true(heap_caps_check_integrity_all(true));
    assert_int_equal(caps_reports.count, 0);
}

/* With the small DRAM heap full (its fail floor not kept yet), request()
 * fails there and is served by the next heap of the list, the large DRAM
 * heap; the failure keeps the small heap's floor. */
static void assert_failure_keeps_the_fail_floor(void *(*request)(void)) {
    multi_heap_handle_t mh = capheap_heap_handle(caps_heap_at(caps_host(0x3FFAE6E0)));
    void *fill[SMALL_FILL];
    int n = fill_small_heap(mh, fill);
    assert_int_equal(capheap_multi_heap_fail_floor(mh), SIZE_MAX);
    void *p = request();
    assert_in_heap(p, 0x3FFB3000);
    assert_true(capheap_multi_heap_fail_floor(mh) <= 256);
    heap_caps_free(p);
    free_small_heap(mh, fill, n);
    assert_true(heap_caps_check_integrity_all(true));
}

static void *malloc_256(void) { return heap_caps_malloc(256, MALLOC_CAP_8BIT); }
static void *calloc_4_by_64(void) { return heap_caps_calloc(4, 64, MALLOC_CAP_8BIT); }

/* The first call for a mask, on the slow path (its list not cached yet), is
 * a plain request too: the heap that cannot serve it keeps its fail floor,
 * as the fast path's failures do (asked with an alignment, it would not). */
static void slow_path_malloc_failing_in_a_heap_keeps_its_fail_floor(void **state) {
    (void)state;
    assert_failure_keeps_the_fail_floor(malloc_256); /* the first call for 8BIT */
}

/* A calloc is a plain request too (no alignment): a heap that cannot serve
 * it keeps its fail floor, as for a malloc, and later requests of that size
 * pass it over without its lock. Asked with an alignment, the heap would
 * try memalign, whose failure sets no floor. */
static void calloc_failing_in_a_heap_keeps_its_fail_floor(void **state) {
    (void)state;
    assert_failure_keeps_the_fail_floor(calloc_4_by_64);
}

#if CAPHEAP_POISONING_LEVEL >= 1 /* with poisoning 32BIT's list rounds sizes: the words path */
/* On the words path too, a heap after the first that cannot serve the
 * request keeps its fail floor: the 32BIT list asks IRAM, then the small
 * DRAM heap (both full here), then the large one, which serves. */
static void words_path_keeps_the_fail_floor_of_a_later_heap(void **state) {
    (void)state;
    multi_heap_handle_t iram = capheap_heap_handle(caps_heap_at(caps_host(0x40089800)));
    multi_heap_handle_t small = capheap_heap_handle(caps_heap_at(caps_host(0x3FFAE6E0)));
    void *p = heap_caps_malloc(64, MALLOC_CAP_32BIT); /* the slow path caches the list */
    assert_in_heap(p, 0x40089800);
    heap_caps_free(p);
    void *fill_iram[SMALL_FILL], *fill_small[SMALL_FILL];
    int n_iram = fill_small_heap(iram, fill_iram);
    int n_small = fill_small_heap(small, fill_small);
    assert_int_equal(capheap_multi_heap_fail_floor(small), SIZE_MAX);
    p = heap_caps_malloc(256, MALLOC_CAP_32BIT);
    assert_in_heap(p, 0x3FFB3000);
    assert_true(capheap_multi_heap_fail_floor(small) <= 256);
    heap_caps_free(p);
    free_small_heap(small, fill_small, n_small);
    free_small_heap(iram, fill_iram, n_iram);
    assert_true(heap_caps_check_integrity_all(true));
}
#endif

#if CAPHEAP_POISONING_LEVEL >= 2
/* freed and guard are blocks of one heap, guard keeping freed apart from the
 * rest. freed is written after its free: the next request of caps (256
 * bytes) makes that heap find it, report it and fail, and D/IRAM serves. */
static void written_after_free_is_reported_once(uint8_t *freed, void *guard, uint32_t caps) {
    heap_caps_free(freed);
    freed[100] ^= 0xFF;
    assert_int_equal(caps_reports.count, 0);
    void *p = heap_caps_malloc(256, caps);
    assert_int_equal(caps_reports.count, 1);
    assert_non_null(p);
    assert_string_equal(heap_name(p), "D/IRAM");
    heap_caps_free(p);
    freed[100] ^= 0xFF;
    heap_caps_free(guard);
}

/* With comprehensive poisoning a heap whose malloc finds its free memory
 * written reports it and fails: the call goes on to the heaps after it, and
 * that heap is not asked (and does not report) again. Here the second heap of
 * the 8BIT list, the large DRAM heap, fails so (the small one is full and its
 * floor kept), and D/IRAM, third, serves. */
static void a_heap_that_found_corruption_is_asked_once(void **state) {
    (void)state;
    multi_heap_handle_t small = capheap_heap_handle(caps_heap_at(caps_host(0x3FFAE6E0)));
    void *fill[SMALL_FILL];
    int n = fill_small_heap(small, fill);
    uint8_t *freed = heap_caps_malloc(1024, MALLOC_CAP_8BIT); /* the small heap fails: its floor is kept */
    assert_in_heap(freed, 0x3FFB3000);
    void *guard = heap_caps_malloc(64, MALLOC_CAP_8BIT);
    assert_in_heap(guard, 0x3FFB3000);
    written_after_free_is_reported_once(freed, guard, MALLOC_CAP_8BIT);
    free_small_heap(small, fill, n);
    assert_true(heap_caps_check_integrity_all(true));
    assert_int_equal(caps_reports.count, 1);
}

/* The same on EXEC's words path: IRAM, first of the list, finds its free
 * memory written and fails; the heaps after it serve (D/IRAM's window), and
 * IRAM is not asked again. */
static void an_exec_heap_that_found_corruption_is_asked_once(void **state) {
    (void)state;
    uint8_t *freed = heap_caps_malloc(1024, MALLOC_CAP_EXEC);
    assert_string_equal(heap_name(freed), "IRAM");
    void *guard = heap_caps_malloc(64, MALLOC_CAP_EXEC);
    assert_string_equal(heap_name(guard), "IRAM");
    written_after_free_is_reported_once(freed, guard, MALLOC_CAP_EXEC);
    assert_true(heap_caps_check_integrity_all(true));
    assert_int_equal(caps_reports.count, 1);
}
#endif

static void rule_32bit_rounds_the_size_up(void **state) {
    (void)state;
    void *p = heap_caps_malloc(5, MALLOC_CAP_32BIT);
    assert_non_null(p);
    assert_int_equal((uintptr_t)p % 4, 0);
    if (POISONING) {
        assert_int_equal(heap_caps_get_allocated_size(p), 8); /* the size asked for, rounded */
    } else {
        assert_true(heap_caps_get_allocated_size(p) >= 8);
    }
    heap_caps_free(p);
    p = heap_caps_malloc(6, MALLOC_CAP_EXEC); /* EXEC implies 32BIT */
    assert_non_null(p);
    if (POISONING) {
        assert_int_equal(heap_caps_get_allocated_size(p), 8);
    }
    heap_caps_free(p);
}

/* Only 32BIT (or EXEC) rounds the size: an 8BIT request keeps the size asked,
 * on the first call and on those that find its list. With poisoning that is
 * the size its canaries guard, which heap_caps_get_allocated_size tells. */
static void requests_without_32bit_keep_the_size_asked(void **state) {
    (void)state;
    for (int i = 0; i < 2; i++) {
        void *p = heap_caps_malloc(5, MALLOC_CAP_8BIT);
        assert_non_null(p);
        if (POISONING) {
            assert_int_equal(heap_caps_get_allocated_size(p), 5);
        } else {
            assert_true(heap_caps_get_allocated_size(p) >= 5);
        }
        heap_caps_free(p);
    }
    assert_int_equal(caps_reports.count, 0);
}

/* A size already a whole number of words is not rounded further: the same
 * block on the first call for EXEC (slow path, the list worked out) and on
 * the calls after it (the list cached: its words path asks IRAM inline). */
static void rule_32bit_keeps_a_whole_word_size_on_every_path(void **state) {
    (void)state;
    size_t first = 0; /* the slow path's block: grains above 4 round it up themselves */
    for (int i = 0; i < 3; i++) {
        void *p = heap_caps_malloc(64, MALLOC_CAP_EXEC);
        assert_in_heap(p, 0x40089800);
        size_t size = heap_caps_get_allocated_size(p);
        first = i == 0 ? size : first;
        assert_int_equal(size, first);
        assert_true(POISONING ? size == 64 : size >= 64); /* poisoning keeps the size asked */
        heap_caps_free(p);
    }
}

/* ---- EXEC through the instruction bus ---------------------------------- */

/* Size 0 fails with EXEC too, on the first call (slow path) and on the calls
 * that find the list cached (its 32BIT rule): no heap is asked for 0 bytes,
 * which D/IRAM's window would serve with a block of its extra bytes. */
static void exec_malloc_of_size_0_returns_null(void **state) {
    (void)state;
    for (int i = 0; i < 3; i++) {
        assert_null(heap_caps_malloc(0, MALLOC_CAP_EXEC));
    }
    assert_true(heap_caps_check_integrity_all(true));
}

static void exec_from_diram_returns_its_instruction_bus_address(void **state) {
    (void)state;
    void *fill = caps_fill_iram();
    uint8_t *x[8];
    for (int i = 0; i < 8; i++) {
        x[i] = heap_caps_malloc(100 + 24 * (size_t)i, MALLOC_CAP_EXEC);
        assert_non_null(x[i]);
        capheap_heap_t *h = caps_heap_of_window(x[i]);
        assert_non_null(h);
        assert_string_equal(h->name, "D/IRAM");
        assert_true((uintptr_t)x[i] >= caps_host(0x400A0000) && (uintptr_t)x[i] < caps_host(0x400C0000));
        assert_int_equal((uintptr_t)x[i] % 4, 0);
        assert_int_equal(capheap_ptr_caps(x[i]), DRAM_CAPS | MALLOC_CAP_EXEC);
        assert_true(heap_caps_get_allocated_size(x[i]) >= 100 + 24 * (size_t)i);
        memset(x[i], 0xC0 + i, 100 + 24 * (size_t)i);
    }
    /* each block's window holds what was written: no block wrote into another */
    for (int i = 0; i < 8; i++) {
        for (size_t k = 0; k < 100 + 24 * (size_t)i; k++) {
            assert_int_equal(x[i][k], 0xC0 + i);
        }
        assert_true(heap_caps_get_containing_block_size(x[i]) >= heap_caps_get_allocated_size(x[i]));
        assert_true(heap_caps_get_containing_block_size(x[i] + 50) >= heap_caps_get_allocated_size(x[i]));
        assert_true(heap_caps_check_integrity_addr((intptr_t)x[i], true));
    }
    size_t free_before = heap_caps_get_free_size(MALLOC_CAP_EXEC);
    for (int i = 0; i < 8; i++) {
        heap_caps_free(x[i]);
    }
    assert_true(heap_caps_get_free_size(MALLOC_CAP_EXEC) > free_before);
    heap_caps_free(fill);
    assert_int_equal(caps_reports.count, 0);
    assert_true(heap_caps_check_integrity_all(true));
}

static void exec_window_addresses_that_were_never_returned_are_reported(void **state) {
    (void)state;
    void *fill = caps_fill_iram();
    uint8_t *x = heap_caps_malloc(200, MALLOC_CAP_EXEC);
    assert_non_null(caps_heap_of_window(x));
    heap_caps_free(x + 4); /* inside the block, not its start */
    assert_int_equal(caps_reports.count, 1);
    assert_null(heap_caps_realloc(x + 8, 300, MALLOC_CAP_EXEC));
    assert_int_equal(caps_reports.count, 2);
    assert_int_equal(heap_caps_get_allocated_size(x + 12), 0);
    assert_int_equal(caps_reports.count, 3);
    heap_caps_free(x);
    heap_caps_free(x); /* double free through the window */
    assert_true(caps_reports.count >= 4);
    heap_caps_free(fill);
    assert_true(heap_caps_check_integrity_all(true));
}

static void exec_window_realloc_and_alignment(void **state) {
    (void)state;
    void *fill = caps_fill_iram();
    uint8_t *x = heap_caps_malloc(64, MALLOC_CAP_EXEC);
    for (int i = 0; i < 64; i++) {
        x[i] = (uint8_t)i;
    }
    uint8_t *y = heap_caps_realloc(x, 4000, MALLOC_CAP_EXEC);
    assert_non_null(caps_heap_of_window(y));
    for (int i = 0; i < 64; i++) {
        assert_int_equal(y[i], i);
    }
    /* back to byte-accessible memory: the block leaves the window */
    uint8_t *z = heap_caps_realloc(y, 32, MALLOC_CAP_8BIT);
    assert_non_null(caps_heap_of(z));
    for (int i = 0; i < 32; i++) {
        assert_int_equal(z[i], i);
    }
    heap_caps_free(z);
    for (size_t align = 4; align <= 4096; align *= 2) {
        void *a = heap_caps_aligned_alloc(align, 300, MALLOC_CAP_EXEC);
        assert_non_null(a);
        assert_non_null(caps_heap_of_window(a));
        assert_int_equal((uintptr_t)a % align, 0);
        assert_true(heap_caps_get_allocated_size(a) >= 300);
        memset(a, 0x77, 300);
        heap_caps_aligned_free(a);
    }
    heap_caps_free(fill);
    assert_int_equal(caps_reports.count, 0);
    assert_true(heap_caps_check_integrity_all(true));
}

/* ---- calloc, realloc ---------------------------------------------------- */

static void calloc_zeroes_and_catches_overflow(void **state) {
    (void)state;
    uint8_t *dirty = heap_caps_malloc(1000, MALLOC_CAP_8BIT);
    memset(dirty, 0xFF, 1000);
    heap_caps_free(dirty);
    uint8_t *p = heap_caps_calloc(10, 100, MALLOC_CAP_8BIT);
    assert_non_null(p);
    for (int i = 0; i < 1000; i++) {
        assert_int_equal(p[i], 0);
    }
    heap_caps_free(p);
    assert_null(heap_caps_calloc(SIZE_MAX / 2, 3, MALLOC_CAP_8BIT));
    size_t half = (size_t)1 << (sizeof(size_t) * 4); /* half * half overflows */
    assert_null(heap_caps_calloc(half, half, MALLOC_CAP_8BIT));
    assert_null(heap_caps_calloc(0, 10, MALLOC_CAP_8BIT));
    assert_null(heap_caps_calloc(10, 10, MALLOC_CAP_EXEC | MALLOC_CAP_8BIT));
}

static void realloc_null_zero_grow_shrink(void **state) {
    (void)state;
    size_t free0 = heap_caps_get_free_size(MALLOC_CAP_8BIT);
    uint8_t *p = heap_caps_realloc(NULL, 100, MALLOC_CAP_8BIT);
    assert_in_heap(p, 0x3FFAE6E0);
    for (int i = 0; i < 100; i++) {
        p[i] = (uint8_t)(i * 3);
    }
    p = heap_caps_realloc(p, 3000, MALLOC_CAP_8BIT);
    assert_non_null(p);
    for (int i = 0; i < 100; i++) {
        assert_int_equal(p[i], (uint8_t)(i * 3));
    }
    p = heap_caps_realloc(p, 10, MALLOC_CAP_8BIT);
    for (int i = 0; i < 10; i++) {
        assert_int_equal(p[i], (uint8_t)(i * 3));
    }
    assert_null(heap_caps_realloc(p, 0, MALLOC_CAP_8BIT)); /* frees */
    assert_int_equal(heap_caps_get_free_size(MALLOC_CAP_8BIT), free0);
    assert_null(heap_caps_realloc(NULL, 0, MALLOC_CAP_8BIT));
    assert_int_equal(caps_reports.count, 0);
}

static void realloc_moves_to_a_heap_with_the_caps(void **state) {
    (void)state;
    uint8_t *p = heap_caps_malloc(200, MALLOC_CAP_8BIT);
    memset(p, 0x42, 200);
    uint8_t *q = heap_caps_realloc(p, 200, MALLOC_CAP_EXEC); /* DRAM cannot hold code */
    assert_in_heap(q, 0x40089800);
    for (int i = 0; i < 200; i++) {
        assert_int_equal(q[i], 0x42);
    }
    uint8_t *r = heap_caps_realloc(q, 400, MALLOC_CAP_DMA); /* IRAM cannot do DMA */
    assert_string_equal(heap_name(r), "DRAM");
    for (int i = 0; i < 200; i++) {
        assert_int_equal(r[i], 0x42);
    }
    /* in its heap (in place, unless poisoning moves it) when the heap has the caps */
    uint8_t *s = heap_caps_realloc(r, 100, MALLOC_CAP_8BIT);
    assert_ptr_equal(caps_heap_of(s), caps_heap_of(r));
    for (int i = 0; i < 100; i++) {
        assert_int_equal(s[i], 0x42);
    }
    heap_caps_free(s);
    assert_true(heap_caps_check_integrity_all(true));
}

/* A D/IRAM block at its data-bus address: 8BIT keeps it in D/IRAM, EXEC moves
 * it (to IRAM, EXEC's first heap), as code must run from an instruction-bus
 * address; an IRAM block stays in IRAM for EXEC. The size rules are the
 * caps': 8BIT keeps the size asked, 32BIT rounds it to words (poisoning keeps
 * the size, so the rounding shows there). */
static void realloc_in_its_heap_by_the_caps_asked(void **state) {
    (void)state;
    const capheap_heap_t *diram = caps_heap_at(caps_host(0x3FFE0440));
    assert_non_null(diram);
    assert_string_equal(diram->name, "D/IRAM");
    uint8_t *p = multi_heap_malloc(capheap_heap_handle(diram), 100);
    assert_non_null(p);
    memset(p, 0x5A, 100);
    p = heap_caps_realloc(p, 50, MALLOC_CAP_8BIT);
    assert_string_equal(heap_name(p), "D/IRAM");
    assert_ptr_equal(caps_heap_of(p), diram); /* the data-bus address */
    assert_true(POISONING ? heap_caps_get_allocated_size(p) == 50 : heap_caps_get_allocated_size(p) >= 50);
    p = heap_caps_realloc(p, 50, MALLOC_CAP_32BIT);
    assert_ptr_equal(caps_heap_of(p), diram);
    assert_true(POISONING ? heap_caps_get_allocated_size(p) == 52 : heap_caps_get_allocated_size(p) >= 52);
    p = heap_caps_realloc(p, 60, MALLOC_CAP_EXEC);
    assert_in_heap(p, 0x40089800);
    for (int i = 0; i < 50; i++) {
        assert_int_equal(p[i], 0x5A);
    }
    p = heap_caps_realloc(p, 40, MALLOC_CAP_EXEC);
    assert_in_heap(p, 0x40089800);
    heap_caps_free(p);
    assert_true(heap_caps_check_integrity_all(true));
    assert_int_equal(caps_reports.count, 0);
}

static int hook_calls;
static size_t hook_size;
static uint32_t hook_caps;
static char hook_function[64];

static void on_failed(size_t size, uint32_t caps, const char *function_name) {
    hook_calls++;
    hook_size = size;
    hook_caps = caps;
    snprintf(hook_function, sizeof hook_function, "%s", function_name);
}

/* A realloc that succeeds (in place, moved, or to size 0) calls no failure hook. */
static void realloc_success_calls_no_failure_hook(void **state) {
    (void)state;
    assert_int_equal(heap_caps_register_failed_alloc_callback(on_failed), ESP_OK);
    hook_calls = 0;
    void *p = heap_caps_realloc(NULL, 100, MALLOC_CAP_8BIT);
    assert_non_null(p = heap_caps_realloc(p, 50, MALLOC_CAP_8BIT));
    assert_non_null(p = heap_caps_realloc(p, 3000, MALLOC_CAP_8BIT));
    assert_non_null(p = heap_caps_realloc(p, 200, MALLOC_CAP_EXEC));
    assert_null(heap_caps_realloc(p, 0, MALLOC_CAP_8BIT));
    assert_int_equal(hook_calls, 0);
}

static void realloc_failure_leaves_the_block_untouched(void **state) {
    (void)state;
    assert_int_equal(heap_caps_register_failed_alloc_callback(on_failed), ESP_OK);
    hook_calls = 0;
    uint8_t *p = heap_caps_malloc(300, MALLOC_CAP_8BIT);
    memset(p, 0x99, 300);
    size_t free_before = heap_caps_get_free_size(MALLOC_CAP_8BIT);
    assert_null(heap_caps_realloc(p, 1000000, MALLOC_CAP_8BIT));
    assert_int_equal(hook_calls, 1);
    assert_string_equal(hook_function, "heap_caps_realloc");
    assert_null(heap_caps_realloc(p, 100, MALLOC_CAP_SPIRAM)); /* no such memory here */
    assert_null(heap_caps_realloc(p, 100, MALLOC_CAP_EXEC | MALLOC_CAP_8BIT));
    assert_int_equal(heap_caps_get_free_size(MALLOC_CAP_8BIT), free_before);
    for (int i = 0; i < 300; i++) {
        assert_int_equal(p[i], 0x99);
    }
    heap_caps_free(p);
    assert_int_equal(caps_reports.count, 0);
}

/* ---- aligned ------------------------------------------------------------ */

static void aligned_alloc_and_calloc(void **state) {
    (void)state;
    for (size_t align = 1; align <= 8192; align *= 2) {
        uint8_t *p = heap_caps_aligned_alloc(align, 100, MALLOC_CAP_8BIT);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % align, 0);
        uint8_t *z = heap_caps_aligned_calloc(align, 5, 20, MALLOC_CAP_DMA);
        assert_non_null(z);
        assert_int_equal((uintptr_t)z % align, 0);
        for (int i = 0; i < 100; i++) {
            assert_int_equal(z[i], 0);
        }
        heap_caps_aligned_free(p);
        heap_caps_free(z);
    }
    assert_null(heap_caps_aligned_alloc(0, 100, MALLOC_CAP_8BIT));
    assert_null(heap_caps_aligned_alloc(24, 100, MALLOC_CAP_8BIT));
    assert_null(heap_caps_aligned_calloc(24, 1, 100, MALLOC_CAP_8BIT));
    assert_null(heap_caps_aligned_calloc(16, SIZE_MAX, 2, MALLOC_CAP_8BIT));
    heap_caps_aligned_free(NULL);
    assert_true(heap_caps_check_integrity_all(true));
}

/* ---- prefer ------------------------------------------------------------- */

static void prefer_tries_masks_in_order(void **state) {
    (void)state;
    assert_int_equal(heap_caps_register_failed_alloc_callback(on_failed), ESP_OK);
    hook_calls = 0;
    void *p = heap_caps_malloc_prefer(100, 2, MALLOC_CAP_SPIRAM, MALLOC_CAP_8BIT);
    assert_string_equal(heap_name(p), "DRAM");
    void *q = heap_caps_malloc_prefer(100, 2, MALLOC_CAP_EXEC, MALLOC_CAP_8BIT);
    assert_string_equal(heap_name(q), "IRAM");
    assert_null(heap_caps_malloc_prefer(100, 2, MALLOC_CAP_SPIRAM, MALLOC_CAP_RTCRAM));
    assert_int_equal(hook_calls, 1);
    assert_int_equal(hook_caps, MALLOC_CAP_RTCRAM);
    assert_string_equal(hook_function, "heap_caps_malloc_prefer");
    assert_null(heap_caps_malloc_prefer(100, 0));
    uint8_t *r = heap_caps_realloc_prefer(p, 1000, 2, MALLOC_CAP_SPIRAM, MALLOC_CAP_32BIT);
    assert_string_equal(heap_name(r), "DRAM"); /* the block's heap has 32BIT: it stays */
    uint8_t *z = heap_caps_calloc_prefer(10, 10, 2, MALLOC_CAP_SPIRAM, MALLOC_CAP_DMA);
    assert_non_null(z);
    for (int i = 0; i < 100; i++) {
        assert_int_equal(z[i], 0);
    }
    assert_null(heap_caps_calloc_prefer(SIZE_MAX, 2, 2, MALLOC_CAP_DMA, MALLOC_CAP_8BIT));
    assert_string_equal(hook_function, "heap_caps_calloc_prefer");
    assert_int_equal(hook_caps, MALLOC_CAP_8BIT); /* the last mask asked, overflow or not */
    assert_null(heap_caps_realloc_prefer(r, 0, 1, MALLOC_CAP_8BIT)); /* frees */
    heap_caps_free(q);
    heap_caps_free(z);
    assert_true(heap_caps_check_integrity_all(true));
    assert_int_equal(caps_reports.count, 0);
}

/* The num masks are all that is tried: arguments after them are not masks
 * (here one that would succeed), and a failed realloc leaves the block. */
static void prefer_tries_only_num_masks(void **state) {
    (void)state;
    assert_null(heap_caps_malloc_prefer(100, 1, MALLOC_CAP_SPIRAM, MALLOC_CAP_8BIT));
    assert_null(heap_caps_calloc_prefer(10, 10, 1, MALLOC_CAP_SPIRAM, MALLOC_CAP_8BIT));
    uint8_t *p = heap_caps_malloc(100, MALLOC_CAP_8BIT);
    assert_non_null(p);
    assert_null(heap_caps_realloc_prefer(p, 1000, 1, MALLOC_CAP_SPIRAM, MALLOC_CAP_8BIT));
    assert_true(heap_caps_get_allocated_size(p) >= 100); /* still p's */
    heap_caps_free(p);
    assert_true(heap_caps_check_integrity_all(true));
    assert_int_equal(caps_reports.count, 0);
}

/* ---- malloc()'s policy -------------------------------------------------- */

static void default_without_external_ram_is_internal(void **state) {
    (void)state;
    void *p = heap_caps_malloc_default(100);
    assert_string_equal(heap_name(p), "DRAM");
    assert_int_equal(capheap_ptr_caps(p) & MALLOC_CAP_INTERNAL, MALLOC_CAP_INTERNAL);
    void *big = heap_caps_malloc_default(100000);
    assert_string_equal(heap_name(big), "DRAM");
    p = heap_caps_realloc_default(p, 50000);
    assert_non_null(p);
    assert_null(heap_caps_malloc_default(300000));
    heap_caps_free(p);
    heap_caps_free(big);
}

static void default_with_psram_splits_at_the_limit(void **state) {
    (void)state;
    void *small = heap_caps_malloc_default(16383);
    void *large = heap_caps_malloc_default(16384);
    assert_string_equal(heap_name(small), "DRAM");
    assert_string_equal(heap_name(large), "SPIRAM");
    /* realloc follows the same policy */
    small = heap_caps_realloc_default(small, 20000);
    assert_string_equal(heap_name(small), "SPIRAM");
    heap_caps_free(small);
    heap_caps_free(large);
    heap_caps_malloc_extmem_enable(100);
    void *p = heap_caps_malloc_default(200);
    assert_string_equal(heap_name(p), "SPIRAM");
    heap_caps_free(p);
}

static void default_uses_the_other_kind_when_one_is_full(void **state) {
    (void)state;
    /* external full: large requests come from internal RAM */
    void *ext = heap_caps_malloc(heap_caps_get_largest_free_block(MALLOC_CAP_SPIRAM), MALLOC_CAP_SPIRAM);
    assert_non_null(ext);
    void *large = heap_caps_malloc_default(20000);
    assert_string_equal(heap_name(large), "DRAM");
    heap_caps_free(large);
    heap_caps_free(ext);
}

/* memalign()'s allocation (heap_caps_aligned_alloc_default) follows
 * malloc()'s order for the size; with external RAM full, a large request
 * comes from internal RAM with no failure callback (one mask failing is no
 * failure); with both full, and for an alignment that is not a power of
 * two, the callback hears of it once, with MALLOC_CAP_DEFAULT. */
static void aligned_default_follows_the_malloc_policy(void **state) {
    (void)state;
    assert_int_equal(heap_caps_register_failed_alloc_callback(on_failed), ESP_OK);
    hook_calls = 0;
    void *small = heap_caps_aligned_alloc_default(64, 1000), *large = heap_caps_aligned_alloc_default(64, 20000);
    assert_string_equal(heap_name(small), "DRAM");
    assert_string_equal(heap_name(large), "SPIRAM");
    assert_true((uintptr_t)small % 64 == 0 && (uintptr_t)large % 64 == 0);
    heap_caps_free(large);
    void *ext = heap_caps_malloc(heap_caps_get_largest_free_block(MALLOC_CAP_SPIRAM), MALLOC_CAP_SPIRAM);
    assert_non_null(ext);
    large = heap_caps_aligned_alloc_default(64, 20000);
    assert_string_equal(heap_name(large), "DRAM");
    assert_int_equal(hook_calls, 0);
    assert_null(heap_caps_aligned_alloc_default(64, 4 * 1024 * 1024));
    assert_int_equal(hook_calls, 1);
    assert_int_equal(hook_caps, MALLOC_CAP_DEFAULT);
    assert_string_equal(hook_function, "heap_caps_aligned_alloc_default");
    assert_null(heap_caps_aligned_alloc_default(48, 100));
    assert_int_equal(hook_calls, 2);
    heap_caps_free(large);
    heap_caps_free(ext);
    heap_caps_free(small);
    assert_int_equal(caps_reports.count, 0);
}

/* realloc() goes down the same list as malloc(): external RAM full, a
 * large block moves to internal RAM, the second mask. To size 0 the block is
 * freed once, on the first mask, and that is no failure. */
static void realloc_default_goes_down_the_list_and_frees_once(void **state) {
    (void)state;
    void *ext = heap_caps_malloc(heap_caps_get_largest_free_block(MALLOC_CAP_SPIRAM), MALLOC_CAP_SPIRAM);
    void *p = heap_caps_malloc_default(100);
    assert_true(ext != NULL && p != NULL);
    p = heap_caps_realloc_default(p, 20000);
    assert_string_equal(heap_name(p), "DRAM");
    heap_caps_free(ext);
    assert_int_equal(heap_caps_register_failed_alloc_callback(on_failed), ESP_OK);
    hook_calls = 0;
    assert_null(heap_caps_realloc_default(p, 0));
    assert_int_equal(hook_calls, 0);
    assert_int_equal(caps_reports.count, 0);
    assert_true(heap_caps_check_integrity_all(true));
}

static void kept_back_internal_ram_comes_last(void **state) {
    (void)state;
    capheap_heap_t *kept = caps_heap_at(caps_host(0x3FFD8000));
    assert_non_null(kept);
    size_t kept_free = multi_heap_free_size(capheap_heap_handle(kept));
    /* DMA requests take the kept-back heap after all other DMA memory */
    void *blocks[4096];
    int n = 0;
    void *p;
    while ((p = heap_caps_malloc(1024, MALLOC_CAP_DMA)) != NULL && caps_heap_of(p) != kept) {
        blocks[n++] = p;
        assert_true(n < 4096);
    }
    assert_non_null(p);
    heap_caps_free(p);
    for (int i = 0; i < n; i++) {
        heap_caps_free(blocks[i]);
    }
    /* malloc() fills internal and external RAM before the kept-back heap */
    n = 0;
    size_t chunk = 64 * 1024;
    while ((p = heap_caps_malloc_default(chunk)) != NULL && caps_heap_of(p) != kept) {
        blocks[n++] = p;
        assert_true(n < 4096);
        if (chunk > 256 && heap_caps_get_largest_free_block(MALLOC_CAP_DEFAULT) < chunk) {
            chunk /= 2;
        }
    }
    assert_true(heap_caps_get_largest_free_block(MALLOC_CAP_DEFAULT) < chunk);
    assert_non_null(p);
    assert_ptr_equal(caps_heap_of(p), kept);
    assert_true(multi_heap_free_size(capheap_heap_handle(kept)) < kept_free);
    heap_caps_free(p);
    for (int i = 0; i < n; i++) {
        heap_caps_free(blocks[i]);
    }
    assert_true(heap_caps_check_integrity_all(true));
}

/* ---- the hook ------------------------------------------------------------ */

static void failed_allocation_hook(void **state) {
    (void)state;
    assert_int_equal(heap_caps_register_failed_alloc_callback(NULL), ESP_ERR_INVALID_ARG);
    assert_int_equal(heap_caps_register_failed_alloc_callback(on_failed), ESP_OK);
    hook_calls = 0;
    assert_null(heap_caps_malloc(1000000, MALLOC_CAP_8BIT));
    assert_int_equal(hook_calls, 1);
    assert_int_equal(hook_size, 1000000);
    assert_int_equal(hook_caps, MALLOC_CAP_8BIT);
    assert_string_equal(hook_function, "heap_caps_malloc");
    assert_null(heap_caps_malloc(0, MALLOC_CAP_8BIT)); /* not for size 0 */
    assert_null(heap_caps_realloc(NULL, 0, MALLOC_CAP_8BIT));
    assert_int_equal(hook_calls, 1);
    assert_null(heap_caps_malloc(10, MALLOC_CAP_SPIRAM));
    assert_int_equal(hook_calls, 2);
    assert_int_equal(hook_caps, MALLOC_CAP_SPIRAM);
    /* The size asked, not the one 32BIT's rounding made of it (as ESP-IDF). */
    assert_null(heap_caps_malloc(1000001, MALLOC_CAP_32BIT));
    assert_int_equal(hook_size, 1000001);
    assert_null(heap_caps_malloc(1000001, MALLOC_CAP_EXEC));
    assert_int_equal(hook_size, 1000001);
    assert_null(heap_caps_calloc(1000, 1000, MALLOC_CAP_8BIT));
    assert_string_equal(hook_function, "heap_caps_calloc");
    assert_int_equal(hook_size, 1000000);
    assert_null(heap_caps_calloc(SIZE_MAX, 2, MALLOC_CAP_8BIT));
    assert_int_equal(hook_size, SIZE_MAX); /* the product overflowed */
    assert_null(heap_caps_aligned_alloc(16, 1000000, MALLOC_CAP_8BIT));
    assert_string_equal(hook_function, "heap_caps_aligned_alloc");
    assert_null(heap_caps_aligned_calloc(16, 1000, 1000, MALLOC_CAP_8BIT));
    assert_string_equal(hook_function, "heap_caps_aligned_calloc");
    /* refused for its alignment (not a power of two): a failure all the same */
    assert_null(heap_caps_aligned_alloc(48, 10, MALLOC_CAP_DMA));
    assert_string_equal(hook_function, "heap_caps_aligned_alloc");
    assert_null(heap_caps_aligned_calloc(48, 3, 5, MALLOC_CAP_DMA));
    assert_string_equal(hook_function, "heap_caps_aligned_calloc");
    assert_int_equal(hook_size, 15);
    assert_int_equal(hook_caps, MALLOC_CAP_DMA);
    assert_null(heap_caps_malloc_default(1000000));
    assert_string_equal(hook_function, "heap_caps_malloc_default");
    assert_int_equal(hook_caps, MALLOC_CAP_DEFAULT);
    int before = hook_calls;
    void *p = heap_caps_malloc(10, MALLOC_CAP_8BIT);
    heap_caps_free(p);
    assert_int_equal(hook_calls, before); /* successes: no call */
}

/* The first call for a mask finds no list in its slot and fails on the slow
 * path; the calls after it find the list and fail on the fast path's own
 * exits (no heap for the caps; the only heap full), which call the hook
 * themselves. */
static void failed_allocation_hook_on_a_cached_list_without_a_heap(void **state) {
    (void)state;
    assert_int_equal(heap_caps_register_failed_alloc_callback(on_failed), ESP_OK);
    hook_calls = 0;
    for (int i = 1; i <= 3; i++) {
        assert_null(heap_caps_malloc(10, MALLOC_CAP_SPIRAM)); /* no PSRAM on esp32 */
        assert_int_equal(hook_calls, i);
        assert_int_equal(hook_size, 10);
        assert_int_equal(hook_caps, MALLOC_CAP_SPIRAM);
        assert_string_equal(hook_function, "heap_caps_malloc");
    }
}

/* 8BIT has several heaps: past the first two, malloc_after fails the call. */
static void failed_allocation_hook_on_a_cached_list_whose_heaps_are_all_full(void **state) {
    (void)state;
    assert_int_equal(heap_caps_register_failed_alloc_callback(on_failed), ESP_OK);
    hook_calls = 0;
    for (int i = 1; i <= 3; i++) {
        assert_null(heap_caps_malloc(1000000, MALLOC_CAP_8BIT));
        assert_int_equal(hook_calls, i);
        assert_int_equal(hook_size, 1000000);
        assert_int_equal(hook_caps, MALLOC_CAP_8BIT);
    }
}

static void failed_allocation_hook_on_a_cached_list_of_one_full_heap(void **state) {
    (void)state;
    assert_int_equal(heap_caps_register_failed_alloc_callback(on_failed), ESP_OK);
    hook_calls = 0;
    size_t too_large = 64u << 20; /* more than the board's PSRAM */
    for (int i = 1; i <= 3; i++) {
        assert_null(heap_caps_malloc(too_large, MALLOC_CAP_SPIRAM));
        assert_int_equal(hook_calls, i);
        assert_int_equal(hook_size, too_large);
    }
    void *p = heap_caps_malloc(100, MALLOC_CAP_SPIRAM); /* the list has one heap */
    assert_non_null(p);
    heap_caps_free(p);
    assert_int_equal(hook_calls, 3);
}

/* EXEC's list (its 32BIT rule, IRAM first at its own address) takes the
 * words path: there too each failure calls the hook once with the size
 * asked, the first call (slow path) and those that find the list alike, and
 * a request that a heap after IRAM serves (more than IRAM has: D/IRAM's
 * window) calls none. */
static void failed_allocation_hook_on_a_cached_exec_list(void **state) {
    (void)state;
    assert_int_equal(heap_caps_register_failed_alloc_callback(on_failed), ESP_OK);
    hook_calls = 0;
    for (int i = 1; i <= 3; i++) {
        assert_null(heap_caps_malloc(1000001, MALLOC_CAP_EXEC));
        assert_int_equal(hook_calls, i);
        assert_int_equal(hook_size, 1000001);
        assert_int_equal(hook_caps, MALLOC_CAP_EXEC);
        assert_string_equal(hook_function, "heap_caps_malloc");
    }
    void *p = heap_caps_malloc(100001, MALLOC_CAP_EXEC);
    assert_non_null(p);
    assert_string_equal(heap_name(p), "D/IRAM");
    heap_caps_free(p);
    assert_int_equal(hook_calls, 3);
}

/* ---- pointers that are no allocation ------------------------------------ */

static void free_and_sizes_of_stray_pointers(void **state) {
    (void)state;
    heap_caps_free(NULL);
    assert_int_equal(heap_caps_get_allocated_size(NULL), 0);
    assert_int_equal(caps_reports.count, 0);
    static int not_on_a_heap;
    heap_caps_free(&not_on_a_heap);
    assert_int_equal(caps_reports.count, 1);
    assert_ptr_equal(caps_reports.addr, &not_on_a_heap);
    assert_int_equal(heap_caps_get_allocated_size(&not_on_a_heap), 0);
    assert_int_equal(caps_reports.count, 2);
    assert_null(heap_caps_realloc(&not_on_a_heap, 10, MALLOC_CAP_8BIT));
    assert_int_equal(caps_reports.count, 3);
    assert_int_equal(heap_caps_get_containing_block_size(&not_on_a_heap), 0);
    uint8_t *p = heap_caps_malloc(100, MALLOC_CAP_8BIT);
    heap_caps_free(p);
    heap_caps_free(p); /* double free: the heap reports it */
    assert_int_equal(caps_reports.count, 4);
    assert_ptr_equal(caps_reports.addr, p);
    assert_true(heap_caps_check_integrity_all(true));
}

static void allocated_and_containing_block_sizes(void **state) {
    (void)state;
    uint8_t *p = heap_caps_malloc(100, MALLOC_CAP_8BIT);
    size_t usable = heap_caps_get_allocated_size(p);
    assert_true(usable >= 100);
    size_t full = heap_caps_get_containing_block_size(p);
    assert_true(full > usable);
    assert_int_equal(heap_caps_get_containing_block_size(p + 99), full);
    assert_int_equal(heap_caps_get_containing_block_size(p + 50), full);
    heap_caps_free(p);
    assert_int_equal(heap_caps_get_containing_block_size(p + 50), 0); /* in a free block */
}

/* What the target malloc family hands out (heap_caps_malloc_default and the
 * aligned calls) is on the grain: 8 bytes with CAPHEAP_GRAIN=8 on 32-bit (C's
 * alignof(max_align_t) on Arm EABI; tests/target/test_heap_caps.c checks
 * malloc itself), 16 with CAPHEAP_GRAIN=16 (alignof(max_align_t) on RV32, on
 * x86-64 and on i386, where the m32-grain16 configuration runs this), else
 * sizeof(size_t). Sizes of every residue, the blocks of each call
 * interleaved, then grown and shrunk. */
static void results_are_on_the_grain(void **state) {
    (void)state;
    assert_int_equal(MULTI_HEAP_ALIGN, CAPHEAP_GRAIN);
    assert_true(MULTI_HEAP_ALIGN == sizeof(size_t) || (MULTI_HEAP_ALIGN == 8 && sizeof(size_t) == 4) ||
                MULTI_HEAP_ALIGN == 16);
    if (MULTI_HEAP_ALIGN == 16) { /* every check on the grain below is one on max_align_t */
        assert_int_equal(MULTI_HEAP_ALIGN % _Alignof(max_align_t), 0);
    }
    void *kept[40];
    for (size_t i = 0; i < 40; i++) {
        size_t n = 1 + i * 7 % 61;
        void *p = i % 4 == 0   ? heap_caps_calloc(1, n, MALLOC_CAP_DEFAULT)
                  : i % 4 == 1 ? heap_caps_aligned_alloc(4, n, MALLOC_CAP_DEFAULT)
                  : i % 4 == 2 ? heap_caps_malloc(n, MALLOC_CAP_8BIT)
                               : heap_caps_malloc_default(n);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % MULTI_HEAP_ALIGN, 0);
        kept[i] = heap_caps_realloc_default(p, n + 5 + i % 13);
        assert_non_null(kept[i]);
        assert_int_equal((uintptr_t)kept[i] % MULTI_HEAP_ALIGN, 0);
    }
    for (size_t i = 0; i < 40; i += 2) {
        kept[i] = heap_caps_realloc(kept[i], 3 + i % 5, MALLOC_CAP_DEFAULT);
        assert_int_equal((uintptr_t)kept[i] % MULTI_HEAP_ALIGN, 0);
    }
    for (size_t i = 0; i < 40; i++) {
        heap_caps_free(kept[i]);
    }
    assert_true(heap_caps_check_integrity_all(true));
}

int main(void) {
#define ESP32(t) cmocka_unit_test_setup_teardown(t, caps_setup_esp32, caps_teardown)
#define PSRAM(t) cmocka_unit_test_setup_teardown(t, caps_setup_esp32_psram, caps_teardown)
    const struct CMUnitTest tests[] = {
        ESP32(caps_pick_the_heap_by_priority),
        ESP32(requests_no_memory_can_serve_return_null),
        ESP32(falls_to_the_next_heap_when_one_is_full),
        ESP32(first_heap_that_never_failed_fails_to_the_second),
        ESP32(slow_path_malloc_failing_in_a_heap_keeps_its_fail_floor),
        ESP32(calloc_failing_in_a_heap_keeps_its_fail_floor),
#if CAPHEAP_POISONING_LEVEL >= 1
        ESP32(words_path_keeps_the_fail_floor_of_a_later_heap),
#endif
#if CAPHEAP_POISONING_LEVEL >= 2 /* only comprehensive poisoning checks free memory on malloc */
        ESP32(a_heap_that_found_corruption_is_asked_once),
        ESP32(an_exec_heap_that_found_corruption_is_asked_once),
#endif
        ESP32(rule_32bit_rounds_the_size_up),
        ESP32(requests_without_32bit_keep_the_size_asked),
        ESP32(rule_32bit_keeps_a_whole_word_size_on_every_path),
        ESP32(exec_malloc_of_size_0_returns_null),
        ESP32(exec_from_diram_returns_its_instruction_bus_address),
        ESP32(exec_window_addresses_that_were_never_returned_are_reported),
        ESP32(exec_window_realloc_and_alignment),
        ESP32(calloc_zeroes_and_catches_overflow),
        ESP32(realloc_null_zero_grow_shrink),
        ESP32(realloc_moves_to_a_heap_with_the_caps),
        ESP32(realloc_in_its_heap_by_the_caps_asked),
        ESP32(realloc_failure_leaves_the_block_untouched),
        ESP32(realloc_success_calls_no_failure_hook),
        ESP32(aligned_alloc_and_calloc),
        ESP32(prefer_tries_masks_in_order),
        ESP32(prefer_tries_only_num_masks),
        ESP32(default_without_external_ram_is_internal),
        PSRAM(default_with_psram_splits_at_the_limit),
        PSRAM(default_uses_the_other_kind_when_one_is_full),
        PSRAM(aligned_default_follows_the_malloc_policy),
        PSRAM(realloc_default_goes_down_the_list_and_frees_once),
        PSRAM(kept_back_internal_ram_comes_last),
        ESP32(failed_allocation_hook),
        ESP32(failed_allocation_hook_on_a_cached_list_without_a_heap),
        ESP32(failed_allocation_hook_on_a_cached_list_whose_heaps_are_all_full),
        ESP32(failed_allocation_hook_on_a_cached_exec_list),
        PSRAM(failed_allocation_hook_on_a_cached_list_of_one_full_heap),
        ESP32(free_and_sizes_of_stray_pointers),
        ESP32(allocated_and_containing_block_sizes),
        ESP32(results_are_on_the_grain),
        PSRAM(results_are_on_the_grain),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
