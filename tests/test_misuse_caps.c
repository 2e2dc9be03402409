/*
 * test_misuse_caps.c: the misuse suite of test_misuse.c one level up, through
 * heap_caps on the esp32 board. A recording corruption handler is installed;
 * each misuse must give the documented result (NULL, 0, nothing done), be
 * reported exactly once at the address the caller passed, and leave every heap
 * as it was: heap_caps_get_info for 8BIT and for 32BIT (which between them
 * cover every heap of the board) equal to before, heap_caps_check_integrity_all
 * passing. Requests no heap can hold (sizes near SIZE_MAX, products that
 * overflow) fail without any report, whichever allocating function gets them.
 */
#define _POSIX_C_SOURCE 200809L
#include "caps_test.h"

#include "esp_heap_alloc_caps.h"
#include "heap_regions.h"
#include "poison.h" /* capheap_poison_payload: where this build's block payload starts */
#include "poison_layout.h"

#define W MULTI_HEAP_ALIGN
#define POISONING CAPHEAP_POISONING_LEVEL
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- reports ------------------------------------------------------------- */

/* Exactly one report since the last call, about addr. */
static void expect_report(const void *addr) {
    if (caps_reports.count != 1 || caps_reports.addr != addr) {
        print_error("expected one report at %p, got %d, last at %p (%s)\n", addr, caps_reports.count,
                    caps_reports.addr, caps_reports.what);
    }
    assert_int_equal(caps_reports.count, 1);
    assert_ptr_equal(caps_reports.addr, addr);
    caps_reports.count = 0;
}


static void expect_no_report(void) {
    if (caps_reports.count != 0) {
        print_error("unexpected report at %p (%s)\n", caps_reports.addr, caps_reports.what);
    }
    assert_int_equal(caps_reports.count, 0);
}

/* ---- the heaps before and after ------------------------------------------ */

typedef struct {
    multi_heap_info_t byte, word;
} snapshot_t;

static snapshot_t snapshot(void) {
    snapshot_t s;
    memset(&s, 0, sizeof s);
    heap_caps_get_info(&s.byte, MALLOC_CAP_8BIT);
    heap_caps_get_info(&s.word, MALLOC_CAP_32BIT);
    return s;
}

static void assert_same_info(const multi_heap_info_t *now, const multi_heap_info_t *before) {
    assert_int_equal(now->total_free_bytes, before->total_free_bytes);
    assert_int_equal(now->total_allocated_bytes, before->total_allocated_bytes);
    assert_int_equal(now->largest_free_block, before->largest_free_block);
    assert_int_equal(now->minimum_free_bytes, before->minimum_free_bytes);
    assert_int_equal(now->allocated_blocks, before->allocated_blocks);
    assert_int_equal(now->free_blocks, before->free_blocks);
    assert_int_equal(now->total_blocks, before->total_blocks);
}

static void assert_unchanged(const snapshot_t *before) {
    snapshot_t now = snapshot();
    assert_same_info(&now.byte, &before->byte);
    assert_same_info(&now.word, &before->word);
}

/* Unchanged and sound; integrity checks never report through the handler. */
static void assert_unchanged_and_sound(const snapshot_t *before) {
    assert_unchanged(before);
    assert_true(heap_caps_check_integrity_all(true));
    expect_no_report();
}

/* ---- helpers ------------------------------------------------------------- */

static void fill(void *p, size_t n, uint8_t v) { memset(p, v, n); }

static void assert_filled(const uint8_t *p, size_t n, uint8_t v) {
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(p[i], v);
    }
}

/*
 * p is no live allocation: every call that takes a block pointer reports it
 * once, at p, fails as documented (nothing freed, NULL, 0) and changes no heap.
 * heap_caps_get_containing_block_size is the exception: p may point anywhere
 * into a block, and 0 (no used block holds p) is an answer, not a misuse.
 */
static void expect_rejected(void *p) {
    snapshot_t before = snapshot();
    heap_caps_free(p);
    expect_report(p);
    heap_caps_aligned_free(p);
    expect_report(p);
    vPortFreeTagged(p);
    expect_report(p);
    assert_null(heap_caps_realloc(p, 64, MALLOC_CAP_8BIT));
    expect_report(p);
    assert_null(heap_caps_realloc(p, 64, MALLOC_CAP_EXEC));
    expect_report(p);
    assert_null(heap_caps_realloc(p, 0, MALLOC_CAP_8BIT)); /* size 0 frees: p is not freed */
    expect_report(p);
    assert_null(heap_caps_realloc_prefer(p, 64, 2, MALLOC_CAP_DMA, MALLOC_CAP_8BIT));
    expect_report(p);
    assert_null(heap_caps_realloc_default(p, 64));
    expect_report(p);
    assert_int_equal(heap_caps_get_allocated_size(p), 0);
    expect_report(p);
    assert_unchanged(&before);
}

static void expect_rejected_and_sound(void *p) {
    snapshot_t before = snapshot();
    expect_rejected(p);
    assert_int_equal(heap_caps_get_containing_block_size(p), 0);
    expect_no_report();
    assert_unchanged_and_sound(&before);
}

/* ---- sizes no heap can hold ---------------------------------------------- */

static const size_t huge_sizes[] = {
    SIZE_MAX, SIZE_MAX - 1, SIZE_MAX - 2, SIZE_MAX - 3, SIZE_MAX - MULTI_HEAP_ALIGN, SIZE_MAX - 2 * MULTI_HEAP_ALIGN,
    SIZE_MAX / 2 + 1, SIZE_MAX / 2, SIZE_MAX / 2 - 3,
};

static const uint32_t some_caps[] = {
    MALLOC_CAP_8BIT,
    MALLOC_CAP_32BIT,
    MALLOC_CAP_EXEC,
    MALLOC_CAP_32BIT | MALLOC_CAP_EXEC,
    MALLOC_CAP_DEFAULT,
    MALLOC_CAP_DMA | MALLOC_CAP_INTERNAL,
    MALLOC_CAP_INTERNAL | MALLOC_CAP_32BIT,
};

static const size_t alignments[] = {4, 8, 16, 64, 4096};

/* n * size overflows size_t. */
typedef struct {
    size_t n, size;
} product_t;

#define HALF_BITS (sizeof(size_t) * 4)
static const product_t overflowing_products[] = {
    {SIZE_MAX, SIZE_MAX},
    {SIZE_MAX / 2 + 1, 2},
    {2, SIZE_MAX / 2 + 1},
    {(size_t)1 << HALF_BITS, (size_t)1 << HALF_BITS},
    {((size_t)1 << HALF_BITS) + 1, ((size_t)1 << HALF_BITS) + 1},
    {3, SIZE_MAX / 3 + 1},
    {SIZE_MAX / 4 + 1, 4},
    {SIZE_MAX, 2},
};

/* Every allocating function with size and caps: NULL and no report. */
static void expect_no_allocation(size_t size, uint32_t caps) {
    assert_null(heap_caps_malloc(size, caps));
    assert_null(heap_caps_calloc(1, size, caps));
    assert_null(heap_caps_calloc(size, 1, caps));
    assert_null(heap_caps_realloc(NULL, size, caps));
    for (size_t a = 0; a < COUNT(alignments); a++) {
        assert_null(heap_caps_aligned_alloc(alignments[a], size, caps));
        assert_null(heap_caps_aligned_calloc(alignments[a], 1, size, caps));
        assert_null(heap_caps_aligned_calloc(alignments[a], size, 1, caps));
    }
    assert_null(heap_caps_malloc_prefer(size, 1, caps));
    assert_null(heap_caps_malloc_prefer(size, 3, caps, MALLOC_CAP_8BIT, MALLOC_CAP_32BIT));
    assert_null(heap_caps_realloc_prefer(NULL, size, 2, caps, MALLOC_CAP_8BIT));
    assert_null(heap_caps_calloc_prefer(1, size, 2, caps, MALLOC_CAP_8BIT));
    assert_null(heap_caps_calloc_prefer(size, 1, 2, caps, MALLOC_CAP_8BIT));
    assert_null(pvPortMallocCaps(size, caps));
    expect_no_report();
}

/* The functions without caps, and the tagged ones of each memory type. */
static void expect_no_default_allocation(size_t size) {
    assert_null(heap_caps_malloc_default(size));
    assert_null(heap_caps_realloc_default(NULL, size));
    const capheap_board_t *b = capheap_current_board();
    for (BaseType_t tag = -1; tag <= (BaseType_t)b->type_count; tag++) {
        assert_null(pvPortMallocTagged(size, tag));
    }
    expect_no_report();
}

static void huge_sizes_allocate_nothing(void **state) {
    (void)state;
    uint8_t *live = heap_caps_malloc(100, MALLOC_CAP_8BIT); /* the heaps are not empty */
    void *iram = caps_fill_iram(); /* EXEC requests reach D/IRAM's window allocation */
    snapshot_t before = snapshot();
    for (size_t s = 0; s < COUNT(huge_sizes); s++) {
        for (size_t c = 0; c < COUNT(some_caps); c++) {
            expect_no_allocation(huge_sizes[s], some_caps[c]);
        }
        expect_no_default_allocation(huge_sizes[s]);
        assert_unchanged(&before);
    }
    heap_caps_free(iram);
    before = snapshot();
    for (size_t s = 0; s < COUNT(huge_sizes); s++) { /* and with IRAM free */
        expect_no_allocation(huge_sizes[s], MALLOC_CAP_EXEC);
        expect_no_allocation(huge_sizes[s], MALLOC_CAP_32BIT | MALLOC_CAP_EXEC);
    }
    assert_unchanged_and_sound(&before);
    heap_caps_free(live);
    expect_no_report();
}

static void overflowing_products_allocate_nothing(void **state) {
    (void)state;
    snapshot_t before = snapshot();
    for (size_t i = 0; i < COUNT(overflowing_products); i++) {
        size_t n = overflowing_products[i].n, size = overflowing_products[i].size;
        for (size_t c = 0; c < COUNT(some_caps); c++) {
            uint32_t caps = some_caps[c];
            assert_null(heap_caps_calloc(n, size, caps));
            for (size_t a = 0; a < COUNT(alignments); a++) {
                assert_null(heap_caps_aligned_calloc(alignments[a], n, size, caps));
            }
            assert_null(heap_caps_calloc_prefer(n, size, 1, caps));
            assert_null(heap_caps_calloc_prefer(n, size, 2, caps, MALLOC_CAP_8BIT));
        }
    }
    expect_no_report();
    assert_unchanged_and_sound(&before);
}

/* Alignments whose rounding overflows: NULL, not a block somewhere. */
static void huge_alignments_allocate_nothing(void **state) {
    (void)state;
    snapshot_t before = snapshot();
    const size_t huge_alignments[] = {SIZE_MAX / 2 + 1, SIZE_MAX / 4 + 1, (size_t)1 << (sizeof(size_t) * 8 - 8)};
    for (size_t a = 0; a < COUNT(huge_alignments); a++) {
        for (size_t c = 0; c < COUNT(some_caps); c++) {
            assert_null(heap_caps_aligned_alloc(huge_alignments[a], 16, some_caps[c]));
            assert_null(heap_caps_aligned_calloc(huge_alignments[a], 4, 4, some_caps[c]));
        }
    }
    expect_no_report();
    assert_unchanged_and_sound(&before);
}

/* ---- realloc to a huge size keeps the block ------------------------------- */

static void expect_realloc_keeps(uint8_t *p, size_t size, uint8_t v, uint32_t caps) {
    snapshot_t before = snapshot();
    size_t usable = heap_caps_get_allocated_size(p);
    for (size_t s = 0; s < COUNT(huge_sizes); s++) {
        assert_null(heap_caps_realloc(p, huge_sizes[s], caps));
        assert_null(heap_caps_realloc_prefer(p, huge_sizes[s], 1, caps));
        assert_null(heap_caps_realloc_prefer(p, huge_sizes[s], 3, caps, MALLOC_CAP_8BIT, MALLOC_CAP_32BIT));
        assert_null(heap_caps_realloc_default(p, huge_sizes[s]));
        expect_no_report();
        assert_int_equal(heap_caps_get_allocated_size(p), usable);
        assert_filled(p, size, v);
    }
    assert_unchanged_and_sound(&before);
}

static void realloc_to_a_huge_size_keeps_the_block(void **state) {
    (void)state;
    uint8_t *p = heap_caps_malloc(100, MALLOC_CAP_8BIT);
    uint8_t *guard = heap_caps_malloc(8, MALLOC_CAP_8BIT);
    uint8_t *q = heap_caps_malloc(200, MALLOC_CAP_32BIT); /* IRAM */
    void *iram = caps_fill_iram();
    uint8_t *x = caps_exec_in_window(300);
    assert_non_null(p);
    assert_non_null(q);
    fill(p, 100, 0xA1);
    fill(q, 200, 0xB2);
    fill(x, 300, 0xC3);
    for (size_t c = 0; c < COUNT(some_caps); c++) {
        expect_realloc_keeps(p, 100, 0xA1, some_caps[c]);
        expect_realloc_keeps(q, 200, 0xB2, some_caps[c]);
        expect_realloc_keeps(x, 300, 0xC3, some_caps[c]);
    }
    /* the blocks still work: a small realloc and free */
    uint8_t *p2 = heap_caps_realloc(p, 150, MALLOC_CAP_8BIT);
    assert_non_null(p2);
    assert_filled(p2, 100, 0xA1);
    heap_caps_free(p2);
    heap_caps_free(q);
    heap_caps_free(x);
    heap_caps_free(guard);
    heap_caps_free(iram);
    expect_no_report();
    assert_true(heap_caps_check_integrity_all(true));
}

/* ---- pointers that are no live block -------------------------------------- */

/* A second free is reported whether the first left the block alone or merged
 * it with a free neighbour before or after it. */
static void double_free(void **state) {
    (void)state;
    uint8_t *a = heap_caps_malloc(100, MALLOC_CAP_8BIT), *b = heap_caps_malloc(100, MALLOC_CAP_8BIT);
    uint8_t *c = heap_caps_malloc(100, MALLOC_CAP_8BIT), *d = heap_caps_malloc(100, MALLOC_CAP_8BIT);
    uint8_t *e = heap_caps_malloc(100, MALLOC_CAP_8BIT);
    uint8_t *w = heap_caps_malloc(100, MALLOC_CAP_32BIT); /* IRAM */
    assert_non_null(e);
    assert_non_null(w);
    heap_caps_free(b); /* alone: a and c are used */
    expect_rejected_and_sound(b);
    heap_caps_free(a); /* merges with b */
    expect_rejected_and_sound(a);
    expect_rejected_and_sound(b);
    heap_caps_free(d);
    heap_caps_free(e); /* e merges into d and the rest */
    expect_rejected_and_sound(d);
    expect_rejected_and_sound(e);
    heap_caps_free(c); /* c joins both neighbours */
    expect_rejected_and_sound(c);
    heap_caps_aligned_free(w);
    expect_rejected_and_sound(w);
    expect_no_report();
}

/* An EXEC block freed at its instruction-bus address, then freed again there. */
static void double_free_through_the_window(void **state) {
    (void)state;
    void *iram = caps_fill_iram();
    uint8_t *x = caps_exec_in_window(200), *y = caps_exec_in_window(100);
    heap_caps_free(x);
    expect_rejected_and_sound(x);
    heap_caps_free(y);
    expect_rejected_and_sound(y);
    expect_rejected_and_sound(x);
    heap_caps_free(iram);
    expect_no_report();
}

/* Addresses on no heap: the stack, static data, the board's reserved memory,
 * memory between regions, and the ends of the address space. NULL is no
 * misuse: free does nothing, the size queries answer 0, nothing is reported. */
static void foreign_pointers(void **state) {
    (void)state;
    uint8_t *p = heap_caps_malloc(100, MALLOC_CAP_8BIT);
    static uint8_t global[64];
    volatile uint8_t local[64];
    uint8_t *candidates[] = {
        (uint8_t *)local + 16,
        global + 16,
        caps_ptr(0x3FFB0100), /* application .data/.bss */
        caps_ptr(0x3FFAE100), /* ROM data */
        caps_ptr(0x3FFE0100), /* ROM PRO CPU data, in D/IRAM */
        caps_ptr(0x40070100), /* instruction cache */
        caps_ptr(0x40080100), /* application IRAM code */
        caps_ptr(0x3FF00000), /* no region */
        (uint8_t *)(uintptr_t)16,
        (uint8_t *)(uintptr_t)(UINTPTR_MAX - 15),
    };
    for (size_t i = 0; i < COUNT(candidates); i++) {
        expect_rejected_and_sound(candidates[i]);
    }
    snapshot_t before = snapshot();
    heap_caps_free(NULL);
    heap_caps_aligned_free(NULL);
    vPortFreeTagged(NULL);
    assert_int_equal(heap_caps_get_allocated_size(NULL), 0);
    assert_int_equal(heap_caps_get_containing_block_size(NULL), 0);
    expect_no_report();
    assert_unchanged_and_sound(&before);
    heap_caps_free(p);
    expect_no_report();
}

/* Window addresses that no EXEC allocation returned. */
static void window_pointers_never_returned(void **state) {
    (void)state;
    void *iram = caps_fill_iram();
    uint8_t *x = caps_exec_in_window(200);
    uint8_t *candidates[] = {
        caps_ptr(0x400A0100), caps_ptr(0x400BF000), caps_ptr(0x400A0000),
        x + W, x + 2 * W, x + 100, /* inside the block */
    };
    for (size_t i = 0; i < COUNT(candidates); i++) {
        snapshot_t before = snapshot();
        expect_rejected(candidates[i]);
        assert_unchanged_and_sound(&before);
    }
    heap_caps_free(x);
    heap_caps_free(iram);
    expect_no_report();
}

/* Pointers off the grain, inside used and free blocks and in the window. */
static void misaligned_pointers(void **state) {
    (void)state;
    uint8_t *p = heap_caps_malloc(100, MALLOC_CAP_8BIT), *q = heap_caps_malloc(100, MALLOC_CAP_8BIT);
    uint8_t *guard = heap_caps_malloc(8, MALLOC_CAP_8BIT);
    void *iram = caps_fill_iram();
    uint8_t *x = caps_exec_in_window(200);
    heap_caps_free(q);
    for (size_t k = 1; k < W; k++) {
        snapshot_t before = snapshot();
        expect_rejected(p + k);
        expect_rejected(q + k);
        expect_rejected(p + 3 * W + k);
        expect_rejected(x + k);
        assert_unchanged_and_sound(&before);
    }
    heap_caps_free(p);
    heap_caps_free(guard);
    heap_caps_free(x);
    heap_caps_free(iram);
    expect_no_report();
}

/* The reports leave no trace: the next allocation gets the same block. */
static void heaps_work_after_reports(void **state) {
    (void)state;
    uint8_t *p = heap_caps_malloc(100, MALLOC_CAP_8BIT);
    heap_caps_free(p);
    heap_caps_free(p);
    expect_report(p);
    uint8_t *q = heap_caps_malloc(100, MALLOC_CAP_8BIT);
    assert_ptr_equal(q, p);
    heap_caps_free(q);
    expect_no_report();
    assert_true(heap_caps_check_integrity_all(true));
}

/* ---- misuse that poisoning finds ------------------------------------------ */

#if POISONING >= 1

/* A pointer into a live block is no block start (the containing-block size
 * answers for it: that is what that query is for). */
static void interior_pointers(void **state) {
    (void)state;
    uint8_t *p = heap_caps_malloc(200, MALLOC_CAP_8BIT), *guard = heap_caps_malloc(8, MALLOC_CAP_8BIT);
    uint8_t *w = heap_caps_malloc(200, MALLOC_CAP_32BIT);
    size_t full = heap_caps_get_containing_block_size(p), full_w = heap_caps_get_containing_block_size(w);
    assert_true(full > 200);
    const uint8_t patterns[] = {0x00, 0x5A, 0xFF};
    for (size_t i = 0; i < sizeof patterns; i++) {
        fill(p, 200, patterns[i]);
        fill(w, 200, patterns[i]);
        for (size_t off = W; off + W <= 200; off += W) {
            snapshot_t before = snapshot();
            expect_rejected(p + off);
            expect_rejected(w + off);
            assert_int_equal(heap_caps_get_containing_block_size(p + off), full);
            assert_int_equal(heap_caps_get_containing_block_size(w + off), full_w);
            assert_unchanged_and_sound(&before);
        }
    }
    heap_caps_free(p);
    heap_caps_free(w);
    heap_caps_free(guard);
    expect_no_report();
}

/* A write just past the end breaks the tail canary: free reports it and
 * keeps the block; the integrity check fails until the byte is restored. */
static void write_past_the_end(void **state) {
    (void)state;
    const uint32_t caps[] = {MALLOC_CAP_8BIT, MALLOC_CAP_32BIT};
    for (size_t c = 0; c < COUNT(caps); c++) {
        for (size_t size = 1; size <= 24; size++) {
            uint8_t *p = heap_caps_malloc(size, caps[c]), *guard = heap_caps_malloc(8, caps[c]);
            assert_non_null(p);
            size_t at = caps[c] == MALLOC_CAP_32BIT ? (size + 3) & ~(size_t)3 : size; /* 32BIT rounds up */
            for (size_t k = 0; k < 4; k++) {
                uint8_t saved = p[at + k];
                p[at + k] ^= 0x40;
                assert_false(heap_caps_check_integrity_all(false));
                assert_false(heap_caps_check_integrity_addr((intptr_t)p, false));
                expect_rejected(p);
                assert_false(heap_caps_check_integrity_all(false));
                p[at + k] = saved;
                assert_true(heap_caps_check_integrity_all(true));
            }
            heap_caps_free(p);
            heap_caps_free(guard);
            expect_no_report();
        }
    }
}

/* A write just before the start breaks the head canary. */
static void broken_head_canary(void **state) {
    (void)state;
    uint8_t *p = heap_caps_malloc(100, MALLOC_CAP_8BIT);
    uint8_t *head = capheap_poison_payload(p);
    assert_true(head < p);
    for (uint8_t *b = head; b < p; b++) {
        if (!poison_head_byte_is_canary(b, p)) {
            continue; /* the task word: test_task_tracking.c */
        }
        uint8_t saved = *b;
        *b ^= 0x80;
        assert_false(heap_caps_check_integrity_all(false));
        expect_rejected(p);
        *b = saved;
        assert_true(heap_caps_check_integrity_all(true));
    }
    heap_caps_free(p);
    expect_no_report();
}

#endif

#if POISONING >= 2

/* A write into freed memory breaks its fill: the integrity check fails, and
 * the allocation that would hand the memory out again reports the written
 * byte. That heap's malloc fails with the heap unchanged (port.h); the request
 * then goes on to the next heap with the caps, as heap_caps_malloc returns
 * NULL only when no heap has room. Once the byte is restored, the same
 * allocation gets the same block. */
static void write_after_free(void **state) {
    (void)state;
    uint8_t *p = heap_caps_malloc(100, MALLOC_CAP_8BIT), *guard = heap_caps_malloc(8, MALLOC_CAP_8BIT);
    capheap_heap_t *h = caps_heap_of(p);
    assert_non_null(h);
    multi_heap_handle_t mh = capheap_heap_handle(h);
    heap_caps_free(p);
    assert_true(heap_caps_check_integrity_all(true));
    for (size_t off = 2 * W; off < 100 - W; off += 7) {
        p[off] = 0x11;
        assert_false(heap_caps_check_integrity_all(false));
        assert_false(heap_caps_check_integrity_addr((intptr_t)p, false));
        multi_heap_info_t before, now;
        multi_heap_get_info(mh, &before);
        uint8_t *elsewhere = heap_caps_malloc(100, MALLOC_CAP_8BIT);
        expect_report(p + off); /* one report: each heap is asked once per call */
        multi_heap_get_info(mh, &now);
        assert_same_info(&now, &before);
        assert_non_null(elsewhere);
        assert_true(caps_heap_of(elsewhere) != h);
        heap_caps_free(elsewhere);
        expect_no_report();
        assert_false(heap_caps_check_integrity_all(false));
        p[off] = 0xFE; /* the free fill */
        assert_true(heap_caps_check_integrity_all(true));
    }
    uint8_t *q = heap_caps_malloc(100, MALLOC_CAP_8BIT);
    assert_ptr_equal(q, p);
    expect_no_report();
    heap_caps_free(q);
    heap_caps_free(guard);
    assert_true(heap_caps_check_integrity_all(true));
}

/* The same when the heap that finds the write is the list's second, asked
 * after the first was passed over by its fail floor (filled with 100-byte
 * blocks): the heaps after the second serve the request, and the second too
 * is asked, and reports, once. */
static void write_after_free_in_the_second_heap(void **state) {
    (void)state;
    void *first[128];
    size_t n = 0;
    uint8_t *p = heap_caps_malloc(100, MALLOC_CAP_8BIT);
    capheap_heap_t *h0 = caps_heap_of(p);
    while (p != NULL && caps_heap_of(p) == h0 && n < COUNT(first)) {
        first[n++] = p;
        p = heap_caps_malloc(100, MALLOC_CAP_8BIT);
    }
    assert_true(p != NULL && caps_heap_of(p) != h0);
    capheap_heap_t *h1 = caps_heap_of(p);
    uint8_t *guard = heap_caps_malloc(8, MALLOC_CAP_8BIT);
    heap_caps_free(p);
    p[50] = 0x11;
    uint8_t *elsewhere = heap_caps_malloc(100, MALLOC_CAP_8BIT);
    expect_report(p + 50);
    assert_true(elsewhere != NULL && caps_heap_of(elsewhere) != h1 && caps_heap_of(elsewhere) != h0);
    heap_caps_free(elsewhere);
    p[50] = 0xFE; /* the free fill */
    assert_true(heap_caps_check_integrity_all(true));
    uint8_t *q = heap_caps_malloc(100, MALLOC_CAP_8BIT);
    assert_ptr_equal(q, p);
    heap_caps_free(q);
    heap_caps_free(guard);
    while (n > 0) {
        heap_caps_free(first[--n]);
    }
    expect_no_report();
    assert_true(heap_caps_check_integrity_all(true));
}

#endif

int main(void) {
#define ESP32(t) cmocka_unit_test_setup_teardown(t, caps_setup_esp32, caps_teardown)
    const struct CMUnitTest tests[] = {
        ESP32(huge_sizes_allocate_nothing),
        ESP32(overflowing_products_allocate_nothing),
        ESP32(huge_alignments_allocate_nothing),
        ESP32(realloc_to_a_huge_size_keeps_the_block),
        ESP32(double_free),
        ESP32(double_free_through_the_window),
        ESP32(foreign_pointers),
        ESP32(window_pointers_never_returned),
        ESP32(misaligned_pointers),
        ESP32(heaps_work_after_reports),
#if POISONING >= 1
        ESP32(interior_pointers),
        ESP32(write_past_the_end),
        ESP32(broken_head_canary),
#endif
#if POISONING >= 2
        ESP32(write_after_free),
        ESP32(write_after_free_in_the_second_heap),
#endif
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    return failed;
}
