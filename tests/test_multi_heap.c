/*
 * test_multi_heap.c: the multi_heap.h API, function by function, against what
 * include/multi_heap.h and API.md promise. Built at every poisoning level; where
 * the level changes a promise (usable size, realloc in place) the level's own
 * promise is asserted.
 *
 * Exact statistics are derived from the outside: the blocks tile the area that
 * the empty heap's single free block covers, each used block costs
 * multi_heap_get_full_block_size bytes, and every gap between used blocks is one
 * free block (free blocks are always coalesced) paying one header word.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capheap/port.h"
#include "multi_heap.h"
#include "multi_heap_internal.h" /* the largest-request queries of the caps layer */
#include "poison.h" /* capheap_poison_overhead/_payload: the canaries of this build */
#include "tlsf.h"   /* CAPHEAP_TLSF_MIN_BLOCK, the smallest block */

#define W         MULTI_HEAP_ALIGN
#define HDR       sizeof(size_t) /* a block header; W is a multiple of it */
#define MIN_BLOCK CAPHEAP_TLSF_MIN_BLOCK
#define POISONED  (CAPHEAP_POISONING_LEVEL >= 1)
#define MOVES_ON_REALLOC (CAPHEAP_POISONING_LEVEL >= 2) /* comprehensive keeps every free byte filled */

#define ARENA_SIZE (256 * 1024)
static _Alignas(4096) uint8_t arena[ARENA_SIZE];

/* ---- helpers ------------------------------------------------------------ */

/* The area the blocks tile, read from the empty heap's single free block. */
typedef struct {
    multi_heap_handle_t heap;
    uint8_t *begin;   /* header of the first block */
    uint8_t *end;     /* one past the last block */
    size_t free0;     /* free bytes of the empty heap */
} geo_t;

static bool first_block(void *ptr, size_t size, int used, void *user) {
    geo_t *g = user;
    assert_int_equal(used, 0);
    g->begin = (uint8_t *)ptr - HDR;
    g->end = (uint8_t *)ptr + size;
    return false;
}

/* Registers a heap over the first size bytes of the arena, which first holds
 * junk: nothing may depend on the memory being zero. */
static geo_t new_heap(size_t size) {
    geo_t g = {0};
    memset(arena, 0xA5, sizeof arena);
    g.heap = multi_heap_register(arena, size);
    assert_non_null(g.heap);
    multi_heap_walk(g.heap, first_block, &g);
    g.free0 = multi_heap_free_size(g.heap);
    assert_int_equal(g.free0, (size_t)(g.end - g.begin) - HDR);
    assert_true(g.begin >= arena && g.end + HDR <= arena + size);
    return g;
}

/* Header address of the used block whose user pointer is p. */
static uint8_t *block_start(const void *p) { return (uint8_t *)capheap_poison_payload(p) - HDR; }

static int by_address(const void *a, const void *b) {
    uintptr_t x = (uintptr_t)*(void *const *)a, y = (uintptr_t)*(void *const *)b;
    return x < y ? -1 : x > y;
}

static void assert_info_equal(const multi_heap_info_t *a, const multi_heap_info_t *b) {
    assert_int_equal(a->total_free_bytes, b->total_free_bytes);
    assert_int_equal(a->total_allocated_bytes, b->total_allocated_bytes);
    assert_int_equal(a->largest_free_block, b->largest_free_block);
    assert_int_equal(a->minimum_free_bytes, b->minimum_free_bytes);
    assert_int_equal(a->allocated_blocks, b->allocated_blocks);
    assert_int_equal(a->free_blocks, b->free_blocks);
    assert_int_equal(a->total_blocks, b->total_blocks);
}

/* largest_free_block is exact: a malloc of it succeeds, one byte more fails.
 * The probe is undone, watermark included. */
static void assert_largest_exact(multi_heap_handle_t heap) {
    multi_heap_info_t before, after;
    multi_heap_get_info(heap, &before);
    size_t largest = before.largest_free_block;
    assert_null(multi_heap_malloc(heap, largest + 1));
    if (largest > 0) {
        void *p = multi_heap_malloc(heap, largest);
        assert_non_null(p);
        multi_heap_free(heap, p);
    }
    multi_heap_restore_minimum_free_bytes(heap, before.minimum_free_bytes);
    multi_heap_get_info(heap, &after);
    assert_info_equal(&before, &after);
}

/* Checks every field of get_info against the used blocks ptrs[0..n) (n <= 512). */
static void assert_info_exact(const geo_t *g, void *const *ptrs, size_t n) {
    void *sorted[512];
    assert_true(n <= 512);
    for (size_t i = 0; i < n; i++) {
        sorted[i] = ptrs[i];
    }
    qsort(sorted, n, sizeof *sorted, by_address);
    size_t allocated = 0, free_bytes = 0, free_blocks = 0, widest = 0;
    uint8_t *cursor = g->begin;
    for (size_t i = 0; i <= n; i++) {
        uint8_t *start = i < n ? block_start(sorted[i]) : g->end;
        assert_true(start >= cursor); /* no overlap */
        size_t gap = (size_t)(start - cursor);
        if (gap > 0) {
            assert_true(gap >= MIN_BLOCK);
            free_blocks++;
            free_bytes += gap - HDR;
            widest = gap > widest ? gap : widest;
        }
        if (i < n) {
            size_t full = multi_heap_get_full_block_size(g->heap, sorted[i]);
            allocated += full - HDR;
            cursor = start + full;
        }
    }
    multi_heap_info_t info;
    multi_heap_get_info(g->heap, &info);
    assert_int_equal(info.allocated_blocks, n);
    assert_int_equal(info.free_blocks, free_blocks);
    assert_int_equal(info.total_blocks, n + free_blocks);
    assert_int_equal(info.total_allocated_bytes, allocated);
    assert_int_equal(info.total_free_bytes, free_bytes);
    assert_int_equal(multi_heap_free_size(g->heap), free_bytes);
    assert_int_equal(info.minimum_free_bytes, multi_heap_minimum_free_size(g->heap));
    assert_true(info.minimum_free_bytes <= free_bytes);
    assert_true(widest == 0 ? info.largest_free_block == 0 : info.largest_free_block <= widest - HDR);
    assert_true(multi_heap_check(g->heap, true));
    assert_largest_exact(g->heap);
}

static void fill(void *p, size_t n, uint8_t seed) {
    for (size_t i = 0; i < n; i++) {
        ((uint8_t *)p)[i] = (uint8_t)(seed + i * 7);
    }
}

static void assert_filled(const void *p, size_t n, uint8_t seed) {
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(((const uint8_t *)p)[i], (uint8_t)(seed + i * 7));
    }
}

static size_t expected_full(size_t n);

/* The usable size the level promises for a request of n bytes. */
static size_t expected_usable(size_t n) {
    if (POISONED) {
        return n;
    }
    return expected_full(n) - HDR;
}

/* The full block size for a request of n bytes. */
static size_t expected_full(size_t n) {
    size_t b = (n + capheap_poison_overhead() + HDR + W - 1) / W * W;
    return b < MIN_BLOCK ? MIN_BLOCK : b;
}

/* Blocks carved in a row from a fresh heap lie side by side. */
static void assert_adjacent(multi_heap_handle_t heap, void *p, const void *next) {
    assert_ptr_equal(block_start(next), block_start(p) + multi_heap_get_full_block_size(heap, p));
}

static uint64_t rng_state;
static uint64_t rng(void) { /* xorshift64* */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1DULL;
}

/* ---- register ----------------------------------------------------------- */

static void register_rejects_null_start(void **state) {
    (void)state;
    assert_null(multi_heap_register(NULL, 0));
    assert_null(multi_heap_register(NULL, 4096));
    assert_null(multi_heap_register(NULL, ARENA_SIZE));
}

/* Below some size a region cannot hold the control data and one block that
 * serves malloc(1): NULL. From that size on it registers, and the smallest
 * heap holds one block, of the minimum size without poisoning (with it, one
 * with room for the canaries), which malloc(1) takes. */
static void register_rejects_too_small_regions(void **state) {
    (void)state;
    size_t min = 0;
    for (size_t s = 0; s < 4096 && min == 0; s++) {
        if (multi_heap_register(arena, s) != NULL) {
            min = s;
        }
    }
    assert_true(min > 0);
    for (size_t s = min; s < min + 1024; s++) {
        geo_t g = new_heap(s);
        multi_heap_info_t info;
        multi_heap_get_info(g.heap, &info);
        assert_int_equal(info.free_blocks, 1);
        assert_int_equal(info.allocated_blocks, 0);
        assert_int_equal(info.total_allocated_bytes, 0);
        assert_true(info.total_free_bytes >= MIN_BLOCK - HDR);
        assert_true(multi_heap_check(g.heap, true));
        assert_largest_exact(g.heap);
        if (s == min && !POISONED) {
            assert_int_equal(info.total_free_bytes, MIN_BLOCK - HDR);
        }
    }
    geo_t g = new_heap(min);
    assert_non_null(multi_heap_malloc(g.heap, 1));
    assert_int_equal(multi_heap_free_size(g.heap), 0); /* all of it: no smaller heap would serve */
}

/* Any start address works; the heap and its blocks stay inside the region. */
static void register_unaligned_start_stays_inside(void **state) {
    (void)state;
    for (size_t off = 1; off <= 2 * W + 1; off++) {
        size_t size = 4096 + off % 3;
        memset(arena, 0x3C, 8192);
        multi_heap_handle_t heap = multi_heap_register(arena + off, size);
        assert_non_null(heap);
        assert_true((uint8_t *)heap >= arena + off && (uint8_t *)heap < arena + off + size);
        void *p;
        while ((p = multi_heap_malloc(heap, 24)) != NULL) {
            assert_int_equal((uintptr_t)p % W, 0);
            memset(p, 0x11, multi_heap_get_allocated_size(heap, p));
        }
        assert_true(multi_heap_check(heap, true));
        for (size_t i = 0; i < 8192; i++) {
            if (i < off || i >= off + size) {
                assert_int_equal(arena[i], 0x3C);
            }
        }
    }
}

/* ---- malloc ------------------------------------------------------------- */

/* Size 0, sizes larger than the heap, and every size whose rounding would
 * overflow give NULL, never a small block, and leave the heap as it was. */
static void malloc_rejects_zero_and_overflowing_sizes(void **state) {
    (void)state;
    geo_t g = new_heap(16384);
    void *keep = multi_heap_malloc(g.heap, 40);
    fill(keep, 40, 9);
    multi_heap_info_t before, after;
    multi_heap_get_info(g.heap, &before);
    const size_t bad[] = {0, SIZE_MAX, SIZE_MAX - 1, SIZE_MAX - 3, SIZE_MAX - W, SIZE_MAX / 2, SIZE_MAX / 2 + 1,
                          SIZE_MAX / 2 - 1, SIZE_MAX >> 4, 16384, g.free0, g.free0 + 1};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_null(multi_heap_malloc(g.heap, bad[i]));
        assert_null(multi_heap_aligned_alloc(g.heap, bad[i], 64));
        assert_null(multi_heap_aligned_alloc_offs(g.heap, bad[i], 64, W));
        if (bad[i] > g.free0) { /* keep can grow over the whole heap: free0 itself fits */
            assert_null(multi_heap_realloc(g.heap, keep, bad[i]));
        }
    }
    for (size_t k = 0; k < 8192; k++) {
        assert_null(multi_heap_malloc(g.heap, SIZE_MAX - k));
        assert_null(multi_heap_aligned_alloc(g.heap, SIZE_MAX - k, 2 * W));
        assert_null(multi_heap_realloc(g.heap, keep, SIZE_MAX - k));
    }
    for (unsigned b = 15; b < sizeof(size_t) * 8; b++) {
        assert_null(multi_heap_malloc(g.heap, (size_t)1 << b));
        assert_null(multi_heap_malloc(g.heap, ((size_t)1 << b) + 1));
    }
    multi_heap_get_info(g.heap, &after);
    assert_info_equal(&before, &after);
    assert_filled(keep, 40, 9);
    assert_true(multi_heap_check(g.heap, true));
}

/* Each request gets an aligned block of the promised usable and full size,
 * inside the heap, all of whose usable bytes can be written. */
static void malloc_usable_and_full_block_sizes(void **state) {
    (void)state;
    geo_t g = new_heap(65536);
    for (size_t n = 1; n <= 3000; n++) {
        uint8_t *p = multi_heap_malloc(g.heap, n);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % W, 0);
        size_t usable = multi_heap_get_allocated_size(g.heap, p);
        size_t full = multi_heap_get_full_block_size(g.heap, p);
        assert_int_equal(usable, expected_usable(n));
        assert_int_equal(full, expected_full(n));
        assert_true(block_start(p) >= g.begin && block_start(p) + full <= g.end);
        fill(p, usable, (uint8_t)n);
        assert_true(multi_heap_check(g.heap, false));
        multi_heap_free(g.heap, p);
        assert_int_equal(multi_heap_free_size(g.heap), g.free0);
    }
}

/* multi_heap.h: a used block costs one header word, 4 bytes on 32-bit targets
 * and the pointer size elsewhere (with the 8- and 16-byte grains on 32-bit
 * too: sizes that fill whole grains with it cost nothing more). Blocks carved
 * one after another from the free area lie exactly one block size apart. */
static void overhead_is_one_header_word(void **state) {
    (void)state;
    geo_t g = new_heap(ARENA_SIZE);
    uint8_t *prev = NULL;
    size_t prev_full = 0;
    for (size_t n = 4 * W - HDR; n <= 1024; n += W) {
        uint8_t *p = multi_heap_malloc(g.heap, n);
        assert_non_null(p);
        size_t full = multi_heap_get_full_block_size(g.heap, p);
        if (!POISONED) {
            assert_int_equal(full, n + HDR);
            assert_int_equal(multi_heap_get_allocated_size(g.heap, p), n);
        } else {
            assert_int_equal(full, expected_full(n));
        }
        if (prev != NULL) {
            assert_int_equal((size_t)(p - prev), prev_full);
        }
        prev = p;
        prev_full = full;
    }
    if (!POISONED && sizeof(void *) == 4) { /* 100 and a 4-byte header, on the grain */
        void *p = multi_heap_malloc(g.heap, 100);
        assert_int_equal(multi_heap_get_full_block_size(g.heap, p), W == 16 ? 112 : 104);
    }
}

/* The control data grows slowly: an 8 KiB heap keeps all but 20 words for
 * its blocks, so on 32-bit it holds exactly 78 blocks of 100 bytes (104
 * each); with the 16-byte grain 72 of 112 bytes, as many as fit (73 would
 * leave 16 bytes for the control data and the sentinel). */
static void control_data_of_small_heaps(void **state) {
    (void)state;
    geo_t g = new_heap(8192);
    size_t full = expected_full(100), n = 0;
    while (multi_heap_malloc(g.heap, 100) != NULL) {
        n++;
    }
    if (!POISONED) {
        assert_true(n >= (8192 - 20 * W) / full);
        if (sizeof(void *) == 4) {
            assert_int_equal(n, W == 16 ? 72 : 78);
        }
    }
    multi_heap_info_t info;
    multi_heap_get_info(g.heap, &info);
    assert_int_equal(info.allocated_blocks, n);
    assert_true(info.largest_free_block < 100);
    assert_true(multi_heap_check(g.heap, true));
}

/* ---- aligned_alloc ------------------------------------------------------ */

static bool is_pow2(size_t a) { return a != 0 && (a & (a - 1)) == 0; }

/* The fields an allocation followed by its free leaves as they were (the
 * watermark is the one that moves). */
static void assert_same_blocks(const multi_heap_info_t *a, const multi_heap_info_t *b) {
    assert_int_equal(a->total_free_bytes, b->total_free_bytes);
    assert_int_equal(a->total_allocated_bytes, b->total_allocated_bytes);
    assert_int_equal(a->largest_free_block, b->largest_free_block);
    assert_int_equal(a->allocated_blocks, b->allocated_blocks);
    assert_int_equal(a->free_blocks, b->free_blocks);
}

/* Every alignment from 0 to 4096: powers of two give an aligned block, the
 * others NULL with the heap unchanged. */
static void aligned_alloc_every_alignment(void **state) {
    (void)state;
    geo_t g = new_heap(65536);
    void *keep = multi_heap_malloc(g.heap, 24); /* the free area no longer starts at a round address */
    const size_t sizes[] = {1, 100, 1000};
    for (size_t a = 0; a <= 4096; a++) {
        for (size_t i = 0; i < 3; i++) {
            multi_heap_info_t before, after;
            multi_heap_get_info(g.heap, &before);
            uint8_t *p = multi_heap_aligned_alloc(g.heap, sizes[i], a);
            if (!is_pow2(a)) {
                assert_null(p);
                multi_heap_get_info(g.heap, &after);
                assert_info_equal(&before, &after);
                continue;
            }
            assert_non_null(p);
            assert_int_equal((uintptr_t)p % a, 0);
            assert_int_equal((uintptr_t)p % W, 0);
            size_t usable = multi_heap_get_allocated_size(g.heap, p);
            assert_true(POISONED ? usable == sizes[i] : usable >= sizes[i]);
            fill(p, sizes[i], (uint8_t)a);
            assert_ptr_equal(multi_heap_find_containing_block(g.heap, p + sizes[i] - 1), p);
            assert_true(multi_heap_check(g.heap, false));
            multi_heap_aligned_free(g.heap, p);
            multi_heap_get_info(g.heap, &after);
            assert_same_blocks(&before, &after);
        }
    }
    multi_heap_free(g.heap, keep);
    assert_int_equal(multi_heap_free_size(g.heap), g.free0);
}

/* (address + offset) is a multiple of the alignment. Addresses are multiples
 * of MULTI_HEAP_ALIGN, so an offset is satisfiable iff it is a multiple of
 * min(alignment, MULTI_HEAP_ALIGN); the others can only give NULL. */
static void aligned_alloc_offs_every_alignment(void **state) {
    (void)state;
    geo_t g = new_heap(65536);
    void *keep = multi_heap_malloc(g.heap, 40);
    for (size_t a = 1; a <= 4096; a *= 2) {
        const size_t offs[] = {0, 1, 2, W / 2, W, 2 * W, 3 * W, a / 2, a - 1, a, a + W,
                               12345 * W, SIZE_MAX - W + 1, SIZE_MAX};
        for (size_t i = 0; i < sizeof offs / sizeof offs[0]; i++) {
            size_t off = offs[i], grain = a < W ? a : W;
            multi_heap_info_t before, after;
            multi_heap_get_info(g.heap, &before);
            uint8_t *p = multi_heap_aligned_alloc_offs(g.heap, 200, a, off);
            if (off % grain != 0) {
                assert_null(p);
                multi_heap_get_info(g.heap, &after);
                assert_info_equal(&before, &after);
                continue;
            }
            assert_non_null(p);
            assert_int_equal(((uintptr_t)p + off) % a, 0);
            assert_true(multi_heap_get_allocated_size(g.heap, p) >= 200);
            fill(p, 200, (uint8_t)i);
            assert_true(multi_heap_check(g.heap, false));
            multi_heap_free(g.heap, p);
            multi_heap_get_info(g.heap, &after);
            assert_same_blocks(&before, &after);
        }
    }
    multi_heap_free(g.heap, keep);
}

/* Large alignments in a crowded heap: each block aligned, all live together,
 * statistics exact. */
static void aligned_alloc_many_live_blocks(void **state) {
    (void)state;
    geo_t g = new_heap(ARENA_SIZE);
    void *ptrs[200];
    size_t n = 0;
    rng_state = 0x5EED;
    for (size_t i = 0; i < 200; i++) {
        size_t a = (size_t)1 << (rng() % 13), size = 1 + rng() % 700;
        uint8_t *p = multi_heap_aligned_alloc(g.heap, size, a);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % a, 0);
        fill(p, size, (uint8_t)i);
        ptrs[n++] = p;
        if (i % 3 == 2) {
            size_t victim = rng() % n;
            multi_heap_free(g.heap, ptrs[victim]);
            ptrs[victim] = ptrs[--n];
        }
        assert_info_exact(&g, ptrs, n);
    }
}

/* ---- realloc ------------------------------------------------------------ */

static void realloc_null_is_malloc_and_zero_is_free(void **state) {
    (void)state;
    geo_t g = new_heap(16384);
    multi_heap_info_t before, after;
    multi_heap_get_info(g.heap, &before);
    assert_null(multi_heap_realloc(g.heap, NULL, 0));
    multi_heap_get_info(g.heap, &after);
    assert_info_equal(&before, &after);
    uint8_t *p = multi_heap_realloc(g.heap, NULL, 100);
    assert_non_null(p);
    assert_int_equal(multi_heap_get_allocated_size(g.heap, p), expected_usable(100));
    assert_info_exact(&g, (void *[]){p}, 1);
    assert_null(multi_heap_realloc(g.heap, p, 0));
    assert_info_exact(&g, NULL, 0);
    assert_int_equal(multi_heap_free_size(g.heap), g.free0);
}

/* Growing into a free successor keeps the pointer (not at comprehensive
 * poisoning, which always moves so that free memory keeps its fill). */
static void realloc_grows_in_place_when_the_neighbour_is_free(void **state) {
    (void)state;
    geo_t g = new_heap(16384);
    uint8_t *p = multi_heap_malloc(g.heap, 100);
    fill(p, 100, 1);
    uint8_t *q = multi_heap_realloc(g.heap, p, 1000);
    assert_non_null(q);
    assert_true(MOVES_ON_REALLOC ? q != p : q == p);
    assert_filled(q, 100, 1);
    assert_int_equal(multi_heap_get_allocated_size(g.heap, q), expected_usable(1000));
    assert_info_exact(&g, (void *[]){q}, 1);

    /* A free neighbour just large enough: still in place. */
    g = new_heap(16384);
    uint8_t *a = multi_heap_malloc(g.heap, 96), *b = multi_heap_malloc(g.heap, 200), *c = multi_heap_malloc(g.heap, 8);
    assert_adjacent(g.heap, a, b);
    assert_adjacent(g.heap, b, c);
    fill(a, 96, 2);
    multi_heap_free(g.heap, b);
    size_t room = multi_heap_get_full_block_size(g.heap, a) + expected_full(200) - HDR - capheap_poison_overhead();
    uint8_t *a2 = multi_heap_realloc(g.heap, a, room);
    assert_true(MOVES_ON_REALLOC ? a2 != a : a2 == a);
    assert_filled(a2, 96, 2);
    assert_info_exact(&g, (void *[]){a2, c}, 2);
}

/* Growing past a used neighbour, or a free one too small, moves the block and
 * keeps its contents; the old block becomes free. */
static void realloc_moves_when_the_neighbour_cannot_help(void **state) {
    (void)state;
    geo_t g = new_heap(16384);
    uint8_t *a = multi_heap_malloc(g.heap, 100), *b = multi_heap_malloc(g.heap, 100);
    assert_adjacent(g.heap, a, b);
    fill(a, 100, 3);
    fill(b, 100, 4);
    uint8_t *a2 = multi_heap_realloc(g.heap, a, 1000);
    assert_non_null(a2);
    assert_true(a2 != a);
    assert_filled(a2, 100, 3);
    assert_filled(b, 100, 4);
    assert_info_exact(&g, (void *[]){a2, b}, 2);

    g = new_heap(16384);
    uint8_t *c = multi_heap_malloc(g.heap, 64), *d = multi_heap_malloc(g.heap, 64), *e = multi_heap_malloc(g.heap, 8);
    assert_adjacent(g.heap, c, d);
    assert_adjacent(g.heap, d, e);
    fill(c, 64, 5);
    multi_heap_free(g.heap, d);
    /* More than c and the free d together can give. */
    uint8_t *c2 = multi_heap_realloc(g.heap, c, multi_heap_get_full_block_size(g.heap, c) + expected_full(64));
    assert_non_null(c2);
    assert_true(c2 != c);
    assert_filled(c2, 64, 5);
    assert_info_exact(&g, (void *[]){c2, e}, 2);
}

/* Shrinking keeps the pointer at none and light; the freed tail becomes a free
 * block when it is large enough to be one. */
static void realloc_shrinks_in_place(void **state) {
    (void)state;
    geo_t g = new_heap(16384);
    uint8_t *p = multi_heap_malloc(g.heap, 1000), *guard = multi_heap_malloc(g.heap, 16);
    assert_adjacent(g.heap, p, guard);
    fill(p, 1000, 6);
    uint8_t *q = multi_heap_realloc(g.heap, p, 100);
    assert_true(MOVES_ON_REALLOC ? q != p : q == p);
    assert_filled(q, 100, 6);
    assert_int_equal(multi_heap_get_full_block_size(g.heap, q), expected_full(100));
    assert_info_exact(&g, (void *[]){q, guard}, 2);
}

/* A tail smaller than a block stays with the block when the neighbour is used.
 * With the 16-byte grain on 32-bit one grain is a minimum block: no tail is
 * smaller, and this one becomes a free block. */
static void realloc_shrink_keeps_a_small_tail(void **state) {
    (void)state;
    geo_t g = new_heap(16384);
    uint8_t *r = multi_heap_malloc(g.heap, 100), *guard = multi_heap_malloc(g.heap, 16);
    assert_adjacent(g.heap, r, guard);
    fill(r, 100, 6);
    uint8_t *r2 = multi_heap_realloc(g.heap, r, 100 - W);
    assert_true(MOVES_ON_REALLOC ? r2 != r : r2 == r);
    assert_filled(r2, 100 - W, 6);
    bool tail_is_a_block = MIN_BLOCK == W;
    assert_int_equal(multi_heap_get_full_block_size(g.heap, r2),
                     expected_full(MOVES_ON_REALLOC || tail_is_a_block ? 100 - W : 100));
    assert_info_exact(&g, (void *[]){r2, guard}, 2);
}

/* With a free neighbour even a tail of one word joins it. */
static void realloc_shrink_gives_the_tail_to_a_free_neighbour(void **state) {
    (void)state;
    geo_t g = new_heap(16384);
    uint8_t *x = multi_heap_malloc(g.heap, 500), *y = multi_heap_malloc(g.heap, 300), *z = multi_heap_malloc(g.heap, 8);
    assert_adjacent(g.heap, x, y);
    assert_adjacent(g.heap, y, z);
    fill(x, 500, 7);
    multi_heap_free(g.heap, y);
    uint8_t *x2 = multi_heap_realloc(g.heap, x, 500 - W);
    assert_true(MOVES_ON_REALLOC ? x2 != x : x2 == x);
    assert_filled(x2, 500 - W, 7);
    assert_int_equal(multi_heap_get_full_block_size(g.heap, x2), expected_full(500 - W));
    assert_info_exact(&g, (void *[]){x2, z}, 2);
}

/* A realloc that cannot be served returns NULL; the old block keeps its place,
 * size and contents, and the heap is unchanged. */
static void realloc_failure_leaves_the_block_untouched(void **state) {
    (void)state;
    geo_t g = new_heap(16384);
    uint8_t *p = multi_heap_malloc(g.heap, 200), *other = multi_heap_malloc(g.heap, 300);
    fill(p, 200, 8);
    fill(other, 300, 9);
    size_t usable = multi_heap_get_allocated_size(g.heap, p);
    multi_heap_info_t before, after;
    multi_heap_get_info(g.heap, &before);
    const size_t bad[] = {SIZE_MAX, SIZE_MAX - 3, SIZE_MAX / 2, g.free0, g.free0 + 1, before.largest_free_block + 1};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_null(multi_heap_realloc(g.heap, p, bad[i]));
        multi_heap_get_info(g.heap, &after);
        assert_info_equal(&before, &after);
        assert_int_equal(multi_heap_get_allocated_size(g.heap, p), usable);
        assert_filled(p, 200, 8);
        assert_filled(other, 300, 9);
        assert_true(multi_heap_check(g.heap, true));
    }
}

/* ---- queries ------------------------------------------------------------ */

/* Every byte of a used block's usable area leads back to its start; free
 * memory, headers and addresses outside the heap lead nowhere. */
static void find_containing_block_maps_every_byte(void **state) {
    (void)state;
    geo_t g = new_heap(16384);
    uint8_t *a = multi_heap_malloc(g.heap, 100), *b = multi_heap_malloc(g.heap, 37);
    uint8_t *c = multi_heap_malloc(g.heap, 500);
    multi_heap_free(g.heap, b);
    uint8_t *used[] = {a, c};
    for (size_t i = 0; i < 2; i++) {
        size_t usable = multi_heap_get_allocated_size(g.heap, used[i]);
        for (size_t off = 0; off < usable; off++) {
            assert_ptr_equal(multi_heap_find_containing_block(g.heap, used[i] + off), used[i]);
        }
        if (!POISONED) {
            assert_null(multi_heap_find_containing_block(g.heap, used[i] - 1)); /* the header */
        }
    }
    for (uint8_t *f = b; f < block_start(c); f++) {
        assert_null(multi_heap_find_containing_block(g.heap, f));
    }
    uint8_t *after = block_start(c) + multi_heap_get_full_block_size(g.heap, c);
    for (uint8_t *f = after; f < g.end; f += 7) {
        assert_null(multi_heap_find_containing_block(g.heap, f));
    }
    int local;
    assert_null(multi_heap_find_containing_block(g.heap, &local));
    assert_null(multi_heap_find_containing_block(g.heap, g.heap));
    assert_null(multi_heap_find_containing_block(g.heap, g.end));
    assert_null(multi_heap_find_containing_block(g.heap, NULL));
}

/* The watermark follows the lowest free size; reset and restore move it as
 * documented, never above the current free size. */
static void free_size_and_watermark(void **state) {
    (void)state;
    geo_t g = new_heap(16384);
    assert_int_equal(multi_heap_minimum_free_size(g.heap), g.free0);
    void *p = multi_heap_malloc(g.heap, 1000);
    size_t f1 = multi_heap_free_size(g.heap);
    assert_int_equal(f1, g.free0 - multi_heap_get_full_block_size(g.heap, p));
    assert_int_equal(multi_heap_minimum_free_size(g.heap), f1);
    void *q = multi_heap_malloc(g.heap, 2000);
    size_t f2 = multi_heap_free_size(g.heap);
    assert_int_equal(multi_heap_minimum_free_size(g.heap), f2);
    multi_heap_free(g.heap, q);
    assert_int_equal(multi_heap_free_size(g.heap), f1);
    assert_int_equal(multi_heap_minimum_free_size(g.heap), f2);
    assert_null(multi_heap_malloc(g.heap, g.free0)); /* a failure does not move it */
    assert_int_equal(multi_heap_minimum_free_size(g.heap), f2);

    assert_int_equal(multi_heap_reset_minimum_free_bytes(g.heap), f2);
    assert_int_equal(multi_heap_minimum_free_size(g.heap), f1);
    multi_heap_restore_minimum_free_bytes(g.heap, f2);
    assert_int_equal(multi_heap_minimum_free_size(g.heap), f2);
    multi_heap_restore_minimum_free_bytes(g.heap, SIZE_MAX);
    assert_int_equal(multi_heap_minimum_free_size(g.heap), f1);
    multi_heap_restore_minimum_free_bytes(g.heap, 0);
    assert_int_equal(multi_heap_minimum_free_size(g.heap), 0);
    assert_true(multi_heap_check(g.heap, true));
    assert_int_equal(multi_heap_reset_minimum_free_bytes(g.heap), 0);
    assert_int_equal(multi_heap_minimum_free_size(g.heap), f1);

    /* Growing lowers it too: to the free size after the call when the block
     * grows in place; a move may also count the moment both blocks live. */
    size_t before = multi_heap_free_size(g.heap);
    void *r = multi_heap_realloc(g.heap, p, 3000);
    size_t after = multi_heap_free_size(g.heap), low = multi_heap_minimum_free_size(g.heap);
    if (MOVES_ON_REALLOC) {
        assert_true(low == after || low == before - multi_heap_get_full_block_size(g.heap, r));
    } else {
        assert_ptr_equal(r, p);
        assert_int_equal(low, after);
    }
    multi_heap_free(g.heap, r);
    assert_int_equal(multi_heap_free_size(g.heap), g.free0);
    assert_true(multi_heap_minimum_free_size(g.heap) < g.free0);
}

/* get_info is exact in many heap states (random but reproducible). */
static void get_info_exact_in_many_states(void **state) {
    (void)state;
    geo_t g = new_heap(32768);
    void *ptrs[512];
    size_t n = 0;
    rng_state = 0xC0FFEE;
    for (int step = 0; step < 1500; step++) {
        uint64_t r = rng();
        size_t size = r % 8 == 0 ? 1 + rng() % 4000 : 1 + rng() % 200;
        if (n > 0 && (r >> 8) % 3 == 0) {
            size_t i = rng() % n;
            multi_heap_free(g.heap, ptrs[i]);
            ptrs[i] = ptrs[--n];
        } else if (n > 0 && (r >> 8) % 7 == 1) {
            size_t i = rng() % n;
            void *q = multi_heap_realloc(g.heap, ptrs[i], size);
            ptrs[i] = q != NULL ? q : ptrs[i];
        } else if (n < 512) {
            void *p = (r >> 16) % 4 == 0 ? multi_heap_aligned_alloc(g.heap, size, (size_t)1 << (rng() % 10))
                                         : multi_heap_malloc(g.heap, size);
            if (p != NULL) {
                ptrs[n++] = p;
            }
        }
        assert_info_exact(&g, ptrs, n);
    }
}

/* Many free blocks of one size class, the largest freed first so that it sits
 * deep in its list: largest_free_block still names exactly what malloc can do. */
static void largest_free_block_with_long_class_lists(void **state) {
    (void)state;
    for (int order = 0; order < 2; order++) {
        geo_t g = new_heap(65536);
        void *ptrs[512], *big[16];
        size_t n = 0;
        for (size_t i = 0; i < 16; i++) {
            big[i] = multi_heap_malloc(g.heap, 2048 + 8 * i);
            ptrs[n++] = multi_heap_malloc(g.heap, 16);
        }
        for (size_t size = 256; size >= 8; size /= 2) {
            void *p;
            while (n < 512 - 16 && (p = multi_heap_malloc(g.heap, size)) != NULL) {
                ptrs[n++] = p;
            }
        }
        for (size_t i = 0; i < 16; i++) {
            ptrs[n++] = big[order == 0 ? i : 15 - i];
        }
        assert_info_exact(&g, ptrs, n);
        for (size_t i = 0; i < 16; i++) {
            multi_heap_free(g.heap, ptrs[--n]); /* order 0: the largest first */
            assert_info_exact(&g, ptrs, n);
        }
    }
}

/* The largest aligned request the caps layer asks a heap for
 * (capheap_multi_heap_largest_aligned) is exact, for alignments above the
 * grain, with and without an offset: an aligned allocation of it succeeds,
 * one byte more fails. With poisoning the user's bytes start a head after
 * the block's payload, which the query must count in the offset. Heaps with
 * one free block, then a few, each a few steps of allocation apart. */
static void largest_aligned_is_exact(void **state) {
    (void)state;
    geo_t g = new_heap(8192);
    void *keep[8];
    for (size_t step = 0; step < 8; step++) {
        for (size_t align = 2 * W; align <= 256; align *= 2) {
            for (size_t offset = 0; offset < align; offset += align / 2) {
                size_t largest = capheap_multi_heap_largest_aligned(g.heap, align, offset);
                assert_true(largest > 0);
                assert_null(multi_heap_aligned_alloc_offs(g.heap, largest + 1, align, offset));
                uint8_t *p = multi_heap_aligned_alloc_offs(g.heap, largest, align, offset);
                assert_non_null(p);
                assert_int_equal(((uintptr_t)p + offset) % align, 0);
                multi_heap_free(g.heap, p);
            }
        }
        keep[step] = multi_heap_malloc(g.heap, 100 + 100 * step);
        assert_non_null(keep[step]);
        if (step % 2 == 1) {
            multi_heap_free(g.heap, keep[step - 1]); /* a free block before the heap's tail */
            keep[step - 1] = NULL;
        }
    }
    for (size_t step = 0; step < 8; step++) {
        multi_heap_free(g.heap, keep[step]);
    }
    assert_info_exact(&g, NULL, 0);
}

/* A full heap: largest_free_block is 0 or too small for anything more, and
 * so is the largest aligned request the caps layer asks for (with poisoning
 * it is what the region allocator has less the canaries, which must not
 * come out as a byte or two when nothing is left). */
static void largest_free_block_of_a_full_heap(void **state) {
    (void)state;
    geo_t g = new_heap(8192);
    void *ptrs[512];
    size_t n = 0;
    for (size_t size = 64; size >= 1; size /= 2) {
        void *p;
        while ((p = multi_heap_malloc(g.heap, size)) != NULL) {
            ptrs[n++] = p;
        }
    }
    multi_heap_info_t info;
    multi_heap_get_info(g.heap, &info);
    assert_int_equal(info.largest_free_block, 0);
    assert_int_equal(capheap_multi_heap_largest_free(g.heap), 0);
    for (size_t align = W; align <= 256; align *= 4) {
        assert_int_equal(capheap_multi_heap_largest_aligned(g.heap, align, 0), 0);
        assert_null(multi_heap_aligned_alloc(g.heap, 1, align));
    }
    assert_info_exact(&g, ptrs, n);
}

/* ---- check, dump, walk -------------------------------------------------- */

/* Runs fn with stdout, where the posix port's log output goes, sent to a
 * file; returns the text written, NUL-terminated in buf. */
static size_t capture_log(void (*fn)(void *), void *arg, char *buf, size_t cap) {
    fflush(stdout);
    FILE *tmp = tmpfile();
    assert_non_null(tmp);
    int saved = dup(STDOUT_FILENO);
    assert_true(saved >= 0);
    assert_true(dup2(fileno(tmp), STDOUT_FILENO) >= 0);
    fn(arg);
    fflush(stdout);
    assert_true(dup2(saved, STDOUT_FILENO) >= 0);
    close(saved);
    rewind(tmp);
    size_t len = fread(buf, 1, cap - 1, tmp);
    buf[len] = '\0';
    fclose(tmp);
    return len;
}

static bool check_result;
static void check_printing(void *heap) { check_result = multi_heap_check(heap, true); }
static void check_silent(void *heap) { check_result = multi_heap_check(heap, false); }
static void dump(void *heap) { multi_heap_dump(heap); }

/* check passes on a sound heap, fails on a broken header (logging it only when
 * asked to), and passes again once the header is restored. */
static void check_finds_a_broken_header(void **state) {
    (void)state;
    static char out[4096];
    geo_t g = new_heap(16384);
    uint8_t *a = multi_heap_malloc(g.heap, 100), *b = multi_heap_malloc(g.heap, 100);
    uint8_t *c = multi_heap_malloc(g.heap, 100);
    multi_heap_free(g.heap, b);
    assert_int_equal(capture_log(check_printing, g.heap, out, sizeof out), 0);
    assert_true(check_result);
    uint8_t *headers[] = {block_start(a), block_start(b), block_start(c)};
    for (size_t i = 0; i < 3; i++) {
        size_t saved;
        memcpy(&saved, headers[i], sizeof saved);
        size_t broken = saved ^ 1; /* a used block looks free, a free one used */
        memcpy(headers[i], &broken, sizeof broken);
        assert_int_equal(capture_log(check_silent, g.heap, out, sizeof out), 0);
        assert_false(check_result);
        assert_true(capture_log(check_printing, g.heap, out, sizeof out) > 0);
        assert_false(check_result);
        assert_non_null(strstr(out, "CORRUPT HEAP"));
        memcpy(headers[i], &saved, sizeof saved);
        assert_true(multi_heap_check(g.heap, true));
    }
}

typedef struct {
    size_t calls, stop_after, used, free, used_bytes;
    uint8_t *last;
    void *seen[64];
    size_t sizes[64];
} walk_log_t;

static bool record_block(void *ptr, size_t size, int used, void *user) {
    walk_log_t *log = user;
    assert_true(log->last == NULL || (uint8_t *)ptr > log->last); /* address order */
    log->last = ptr;
    if (log->calls < 64) {
        log->seen[log->calls] = ptr;
        log->sizes[log->calls] = size;
    }
    log->used += used != 0;
    log->free += used == 0;
    log->used_bytes += used ? size : 0;
    return ++log->calls != log->stop_after;
}

/* walk visits every block once in address order with the user's view of used
 * blocks, and stops as soon as the callback says so. */
static void walk_visits_every_block_and_stops(void **state) {
    (void)state;
    geo_t g = new_heap(16384);
    void *ptrs[10];
    size_t sum = 0;
    for (size_t i = 0; i < 10; i++) {
        ptrs[i] = multi_heap_malloc(g.heap, 30 + 50 * i);
    }
    for (size_t i = 0; i < 10; i += 3) {
        multi_heap_free(g.heap, ptrs[i]);
        ptrs[i] = NULL;
    }
    walk_log_t log = {0};
    multi_heap_walk(g.heap, record_block, &log);
    multi_heap_info_t info;
    multi_heap_get_info(g.heap, &info);
    assert_int_equal(log.calls, info.total_blocks);
    assert_int_equal(log.used, info.allocated_blocks);
    assert_int_equal(log.free, info.free_blocks);
    for (size_t i = 0, k = 0; i < 10; i++) {
        if (ptrs[i] != NULL) {
            while (log.seen[k] != ptrs[i]) {
                k++;
                assert_true(k < log.calls);
            }
            assert_int_equal(log.sizes[k], multi_heap_get_allocated_size(g.heap, ptrs[i]));
            sum += log.sizes[k];
        }
    }
    assert_int_equal(log.used_bytes, sum);
    for (size_t stop = 1; stop <= info.total_blocks; stop++) {
        walk_log_t partial = {.stop_after = stop};
        multi_heap_walk(g.heap, record_block, &partial);
        assert_int_equal(partial.calls, stop);
    }
}

static bool line_has(const char *text, const char *what, const char *size_text, const char *state) {
    const char *at = strstr(text, what);
    if (at == NULL) {
        return false;
    }
    const char *eol = strchr(at, '\n');
    const char *s = strstr(at, size_text), *u = strstr(at, state);
    return eol != NULL && s != NULL && s < eol && u != NULL && u < eol;
}

/* dump writes a line per block, with its address, size and state, through the
 * port's log output. */
static void dump_lists_every_block(void **state) {
    (void)state;
    static char out[16384];
    geo_t g = new_heap(16384);
    uint8_t *p[6];
    for (size_t i = 0; i < 6; i++) {
        p[i] = multi_heap_malloc(g.heap, 40 + 24 * i);
    }
    multi_heap_free(g.heap, p[1]);
    multi_heap_free(g.heap, p[4]);
    size_t len = capture_log(dump, g.heap, out, sizeof out);
    assert_true(len > 0 && len < sizeof out - 1);
    multi_heap_info_t info;
    multi_heap_get_info(g.heap, &info);
    size_t lines = 0;
    for (const char *c = out; *c != '\0'; c++) {
        lines += *c == '\n';
    }
    assert_int_equal(lines, 1 + info.total_blocks);
    for (size_t i = 0; i < 6; i++) {
        if (i == 1 || i == 4) {
            continue;
        }
        char addr[32], size[32];
        snprintf(addr, sizeof addr, "%p", capheap_poison_payload(p[i]));
        snprintf(size, sizeof size, " %zu ", multi_heap_get_full_block_size(g.heap, p[i]) - HDR);
        assert_true(line_has(out, addr, size, "used"));
    }
    char addr[32];
    /* p[0] is used, so p[1]'s block starts the free one. */
    snprintf(addr, sizeof addr, "%p", capheap_poison_payload(p[1]));
    assert_true(line_has(out, addr, " ", "free"));
}

/* ---- lock, free(NULL) --------------------------------------------------- */

typedef struct {
    multi_heap_handle_t heap;
    uint64_t seed;
    int errors;
} worker_t;

/* Allocates, fills, checks and frees; cmocka's asserts do not work off the
 * main thread, so mismatches are counted. */
static void *worker(void *arg) {
    worker_t *w = arg;
    uint8_t *live[32] = {0};
    size_t sizes[32] = {0};
    uint64_t s = w->seed;
    for (int i = 0; i < 20000; i++) {
        s ^= s >> 12, s ^= s << 25, s ^= s >> 27;
        size_t slot = (s >> 8) % 32;
        if (live[slot] != NULL) {
            for (size_t k = 0; k < sizes[slot]; k++) {
                w->errors += live[slot][k] != (uint8_t)(slot + w->seed);
            }
            multi_heap_free(w->heap, live[slot]);
            live[slot] = NULL;
        } else if ((live[slot] = multi_heap_malloc(w->heap, sizes[slot] = 1 + (s >> 20) % 300)) != NULL) {
            memset(live[slot], (uint8_t)(slot + w->seed), sizes[slot]);
        }
    }
    for (size_t slot = 0; slot < 32; slot++) {
        multi_heap_free(w->heap, live[slot]);
    }
    return NULL;
}

/* With a port lock set, threads share one heap safely. */
static void set_lock_serialises_threads(void **state) {
    (void)state;
    geo_t g = new_heap(65536);
    void *lock = capheap_port_lock_create();
    assert_non_null(lock);
    multi_heap_set_lock(g.heap, lock);
    worker_t workers[4];
    pthread_t threads[4];
    for (int i = 0; i < 4; i++) {
        workers[i] = (worker_t){g.heap, 0x1234567ULL * (uint64_t)(i + 1), 0};
        assert_int_equal(pthread_create(&threads[i], NULL, worker, &workers[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(threads[i], NULL), 0);
        assert_int_equal(workers[i].errors, 0);
    }
    assert_true(multi_heap_check(g.heap, true));
    assert_info_exact(&g, NULL, 0);
    assert_int_equal(multi_heap_free_size(g.heap), g.free0);
    multi_heap_set_lock(g.heap, NULL);
    capheap_port_lock_delete(lock);
    assert_non_null(multi_heap_malloc(g.heap, 10)); /* works unlocked again */
}

/* Each entry point that reads or changes a heap with a lock, as one call
 * from another thread (lock_waiter): p is a live block it may look at, q
 * the block it frees, reallocates or allocates (freed by the test after). */
enum {
    OP_MALLOC, OP_FREE, OP_REALLOC, OP_ALIGNED_ALLOC, OP_ALLOCATED_SIZE, OP_FULL_BLOCK_SIZE, OP_FREE_SIZE,
    OP_MINIMUM_FREE, OP_RESET_MINIMUM, OP_RESTORE_MINIMUM, OP_LARGEST_FREE, OP_LARGEST_ALIGNED, OP_GET_INFO,
    OP_CHECK, OP_WALK, OP_FIND, OP_COUNT
};

typedef struct {
    multi_heap_handle_t heap;
    int op;
    void *p, *q;
    atomic_int done;
} lock_call_t;

static bool walk_all(void *ptr, size_t size, int used, void *user) {
    (void)ptr, (void)size, (void)used, (void)user;
    return true;
}

static void *lock_waiter(void *arg) {
    lock_call_t *c = arg;
    multi_heap_info_t info;
    switch (c->op) {
    case OP_MALLOC: c->q = multi_heap_malloc(c->heap, 40); break;
    case OP_FREE: multi_heap_free(c->heap, c->q), c->q = NULL; break;
    case OP_REALLOC: c->q = multi_heap_realloc(c->heap, c->q, 200); break;
    case OP_ALIGNED_ALLOC: c->q = multi_heap_aligned_alloc(c->heap, 40, 64); break;
    case OP_ALLOCATED_SIZE: (void)multi_heap_get_allocated_size(c->heap, c->p); break;
    case OP_FULL_BLOCK_SIZE: (void)multi_heap_get_full_block_size(c->heap, c->p); break;
    case OP_FREE_SIZE: (void)multi_heap_free_size(c->heap); break;
    case OP_MINIMUM_FREE: (void)multi_heap_minimum_free_size(c->heap); break;
    case OP_RESET_MINIMUM: (void)multi_heap_reset_minimum_free_bytes(c->heap); break;
    case OP_RESTORE_MINIMUM: multi_heap_restore_minimum_free_bytes(c->heap, 0); break;
    case OP_LARGEST_FREE: (void)capheap_multi_heap_largest_free(c->heap); break;
    case OP_LARGEST_ALIGNED: (void)capheap_multi_heap_largest_aligned(c->heap, 256, 0); break;
    case OP_GET_INFO: multi_heap_get_info(c->heap, &info); break;
    case OP_CHECK: (void)multi_heap_check(c->heap, false); break;
    case OP_WALK: multi_heap_walk(c->heap, walk_all, NULL); break;
    case OP_FIND: (void)multi_heap_find_containing_block(c->heap, c->p); break;
    }
    atomic_store(&c->done, 1);
    return NULL;
}

/* Every entry point takes the heap's lock: while the test holds it, a call
 * from another thread has not returned 20 ms later, and it returns once the
 * lock is given back. (set_lock_serialises_threads stresses malloc and free
 * only; a call that skipped the lock would race with them unseen.) A call
 * that wrongly skips the lock is seen unless its thread takes more than
 * 20 ms to start; a correct one never fails the test. */
static void every_entry_point_waits_for_the_heap_lock(void **state) {
    (void)state;
    geo_t g = new_heap(16384);
    void *lock = capheap_port_lock_create();
    assert_non_null(lock);
    multi_heap_set_lock(g.heap, lock);
    void *p = multi_heap_malloc(g.heap, 100);
    assert_non_null(p);
    for (int op = 0; op < OP_COUNT; op++) {
        lock_call_t c = {.heap = g.heap, .op = op, .p = p};
        if (op == OP_FREE || op == OP_REALLOC) {
            c.q = multi_heap_malloc(g.heap, 40);
        }
        pthread_t thread;
        capheap_port_lock_take(lock);
        assert_int_equal(pthread_create(&thread, NULL, lock_waiter, &c), 0);
        nanosleep(&(struct timespec){.tv_nsec = 20 * 1000 * 1000}, NULL);
        int returned_while_locked = atomic_load(&c.done);
        capheap_port_lock_give(lock);
        assert_int_equal(pthread_join(thread, NULL), 0);
        if (returned_while_locked) {
            print_error("operation %d returned while the heap's lock was held\n", op);
        }
        assert_false(returned_while_locked);
        assert_true(atomic_load(&c.done));
        multi_heap_free(g.heap, c.q);
    }
    multi_heap_free(g.heap, p);
    assert_true(multi_heap_check(g.heap, true));
    assert_info_exact(&g, NULL, 0);
    multi_heap_set_lock(g.heap, NULL);
    capheap_port_lock_delete(lock);
}

static int reports;
static void count_report(const void *addr, const char *what, void *user) {
    (void)addr, (void)what, (void)user;
    reports++;
}

/* free(NULL) and aligned_free(NULL) do nothing and report nothing. */
static void free_null_is_a_no_op(void **state) {
    (void)state;
    geo_t g = new_heap(8192);
    void *p = multi_heap_malloc(g.heap, 10);
    multi_heap_info_t before, after;
    multi_heap_get_info(g.heap, &before);
    capheap_corruption_handler_t old = capheap_set_corruption_handler(count_report, NULL);
    reports = 0;
    multi_heap_free(g.heap, NULL);
    multi_heap_aligned_free(g.heap, NULL);
    capheap_set_corruption_handler(old, NULL);
    assert_int_equal(reports, 0);
    multi_heap_get_info(g.heap, &after);
    assert_info_equal(&before, &after);
    assert_info_exact(&g, &p, 1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(register_rejects_null_start),
        cmocka_unit_test(register_rejects_too_small_regions),
        cmocka_unit_test(register_unaligned_start_stays_inside),
        cmocka_unit_test(malloc_rejects_zero_and_overflowing_sizes),
        cmocka_unit_test(malloc_usable_and_full_block_sizes),
        cmocka_unit_test(overhead_is_one_header_word),
        cmocka_unit_test(control_data_of_small_heaps),
        cmocka_unit_test(aligned_alloc_every_alignment),
        cmocka_unit_test(aligned_alloc_offs_every_alignment),
        cmocka_unit_test(aligned_alloc_many_live_blocks),
        cmocka_unit_test(realloc_null_is_malloc_and_zero_is_free),
        cmocka_unit_test(realloc_grows_in_place_when_the_neighbour_is_free),
        cmocka_unit_test(realloc_moves_when_the_neighbour_cannot_help),
        cmocka_unit_test(realloc_shrinks_in_place),
        cmocka_unit_test(realloc_shrink_keeps_a_small_tail),
        cmocka_unit_test(realloc_shrink_gives_the_tail_to_a_free_neighbour),
        cmocka_unit_test(realloc_failure_leaves_the_block_untouched),
        cmocka_unit_test(find_containing_block_maps_every_byte),
        cmocka_unit_test(free_size_and_watermark),
        cmocka_unit_test(get_info_exact_in_many_states),
        cmocka_unit_test(largest_free_block_with_long_class_lists),
        cmocka_unit_test(largest_free_block_of_a_full_heap),
        cmocka_unit_test(largest_aligned_is_exact),
        cmocka_unit_test(check_finds_a_broken_header),
        cmocka_unit_test(walk_visits_every_block_and_stops),
        cmocka_unit_test(dump_lists_every_block),
        cmocka_unit_test(set_lock_serialises_threads),
        cmocka_unit_test(every_entry_point_waits_for_the_heap_lock),
        cmocka_unit_test(free_null_is_a_no_op),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
