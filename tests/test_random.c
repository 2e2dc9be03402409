/*
 * test_random.c: random operation sequences (malloc, calloc-like malloc+memset,
 * aligned_alloc, realloc growing and shrinking, free) over several seeds and
 * region sizes, each operation followed by multi_heap_check and a comparison
 * with a shadow model:
 *  - the live blocks, sorted by address, never overlap nor leave the block
 *    area that the empty heap's single free block covered;
 *  - every gap between them is exactly one free block (coalescing), so the
 *    free-block count and the free bytes follow from the full block sizes;
 *  - each block holds a per-block pattern that survives every other operation
 *    and realloc;
 *  - every get_info field is exact; a malloc succeeds iff its size is nonzero
 *    and at most largest_free_block (checked on every malloc), and now and then
 *    a probe allocates exactly largest_free_block and one byte more.
 *
 * Operation count: 1,050,000 in every build (about 2 s plain, 5 s under ASan,
 * 26 s with comprehensive poisoning, whose multi_heap_check reads every free
 * byte). The environment variable CAPHEAP_RANDOM_SCALE (a positive number)
 * multiplies it, for a longer soak or a quicker run.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "multi_heap.h"
#include "poison.h" /* capheap_poison_payload: where this build's blocks start */
#include "tlsf.h"   /* CAPHEAP_TLSF_MIN_BLOCK */

#define W         MULTI_HEAP_ALIGN
#define HDR       sizeof(size_t) /* a block header; W is a multiple of it */
#define MIN_BLOCK CAPHEAP_TLSF_MIN_BLOCK
#define POISONED  (CAPHEAP_POISONING_LEVEL >= 1)

#define MAX_REGION (1024 * 1024)
#define KEY_RANGE  65536

/* ---- PRNG and the pattern ----------------------------------------------- */

static uint64_t xorshift64s(uint64_t *s) {
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1DULL;
}

/* A block with key k holds pattern[k + i] at offset i. The pattern is random,
 * so a block's bytes copied or written to a wrong offset do not match. */
static uint8_t pattern[KEY_RANGE + MAX_REGION];

static void make_pattern(void) {
    uint64_t s = 0x9E3779B97F4A7C15ULL;
    for (size_t i = 0; i < sizeof pattern; i += 8) {
        uint64_t r = xorshift64s(&s);
        memcpy(pattern + i, &r, 8);
    }
}

/* ---- the shadow model --------------------------------------------------- */

typedef struct {
    uint8_t *user;  /* what the allocation returned */
    uint8_t *start; /* header of its block */
    size_t full;    /* multi_heap_get_full_block_size */
    size_t usable;  /* multi_heap_get_allocated_size: all of it is written */
    size_t key;
} block_t;

typedef struct {
    multi_heap_handle_t heap;
    uint8_t *begin, *end;  /* the block area */
    block_t *blocks;       /* live blocks sorted by start */
    size_t n, cap;
    size_t sum_full;       /* sum of full sizes of live blocks */
    size_t gaps;           /* nonzero gaps between them: the free blocks */
    size_t min_free;       /* the watermark the heap must report */
    size_t dip;            /* SIZE_MAX, or the free bytes while a moving realloc held both blocks */
    size_t target;         /* live blocks the run drifts towards */
    uint64_t rng;
    size_t region_size;
} model_t;

typedef struct {
    uint64_t ops, mallocs, failed_mallocs, aligned, reallocs, moved, in_place, frees, probes, most_live;
} tally_t;

static tally_t tally;

static uint64_t rnd(model_t *m) { return xorshift64s(&m->rng); }

static uint8_t *block_end(const block_t *b) { return b->start + b->full; }

/* Start of the gap before blocks[i] (i may be n: the gap at the end). */
static uint8_t *gap_lo(const model_t *m, size_t i) { return i == 0 ? m->begin : block_end(&m->blocks[i - 1]); }
static uint8_t *gap_hi(const model_t *m, size_t i) { return i == m->n ? m->end : m->blocks[i].start; }

/* Index of the first block starting at or after addr. */
static size_t lower_bound(const model_t *m, const uint8_t *addr) {
    size_t lo = 0, hi = m->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->blocks[mid].start < addr) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

/* A gap is empty or large enough to be a free block. */
static size_t count_gap(uint8_t *lo, uint8_t *hi) {
    assert_true(lo <= hi);
    size_t gap = (size_t)(hi - lo);
    assert_true(gap == 0 || gap >= MIN_BLOCK);
    return gap != 0;
}

/* Adds b, checking that it lies inside the block area and overlaps nothing. */
static void shadow_insert(model_t *m, block_t b) {
    assert_true(b.start >= m->begin && block_end(&b) <= m->end);
    assert_true(b.user >= b.start + HDR && b.user + b.usable <= block_end(&b));
    size_t i = lower_bound(m, b.start);
    uint8_t *lo = gap_lo(m, i), *hi = gap_hi(m, i);
    assert_true(lo <= b.start && block_end(&b) <= hi); /* no overlap */
    m->gaps -= count_gap(lo, hi);
    m->gaps += count_gap(lo, b.start) + count_gap(block_end(&b), hi);
    if (m->n == m->cap) {
        m->cap = m->cap * 2 + 64;
        m->blocks = realloc(m->blocks, m->cap * sizeof *m->blocks);
        assert_non_null(m->blocks);
    }
    memmove(&m->blocks[i + 1], &m->blocks[i], (m->n - i) * sizeof *m->blocks);
    m->blocks[i] = b;
    m->n++;
    m->sum_full += b.full;
    tally.most_live = m->n > tally.most_live ? m->n : tally.most_live;
}

static block_t shadow_remove(model_t *m, size_t i) {
    block_t b = m->blocks[i];
    uint8_t *lo = gap_lo(m, i), *hi = gap_hi(m, i + 1);
    m->gaps -= count_gap(lo, b.start) + count_gap(block_end(&b), hi);
    m->gaps += count_gap(lo, hi);
    memmove(&m->blocks[i], &m->blocks[i + 1], (m->n - i - 1) * sizeof *m->blocks);
    m->n--;
    m->sum_full -= b.full;
    return b;
}

static size_t shadow_free_bytes(const model_t *m) {
    return (size_t)(m->end - m->begin) - m->sum_full - m->gaps * HDR;
}

/* ---- blocks and their contents ------------------------------------------ */

/* The shadow record of an allocation of requested bytes at p. */
static block_t describe(model_t *m, uint8_t *p, size_t requested, size_t key) {
    block_t b = {p, (uint8_t *)capheap_poison_payload(p) - HDR, multi_heap_get_full_block_size(m->heap, p),
                 multi_heap_get_allocated_size(m->heap, p), key};
    assert_int_equal((uintptr_t)p % W, 0);
    assert_true(POISONED ? b.usable == requested : b.usable >= requested);
    return b;
}

static void write_pattern(const block_t *b, size_t from) {
    memcpy(b->user + from, pattern + b->key + from, b->usable - from);
}

static void assert_pattern(const block_t *b, size_t len) {
    if (memcmp(b->user, pattern + b->key, len) != 0) {
        fail_msg("block %p (%zu usable bytes) lost its contents", (void *)b->user, b->usable);
    }
}

static size_t new_key(model_t *m) { return (size_t)(rnd(m) % KEY_RANGE); }

/* Request sizes: mostly small, some medium, a few large, rarely the whole heap. */
static size_t random_size(model_t *m) {
    uint64_t r = rnd(m) % 1000;
    if (r < 600) {
        return 1 + rnd(m) % 64;
    }
    if (r < 850) {
        return 65 + rnd(m) % 448;
    }
    if (r < 950) {
        return 513 + rnd(m) % 3584;
    }
    if (r < 995) {
        return 4097 + rnd(m) % (m->region_size / 8);
    }
    return 1 + rnd(m) % m->region_size;
}

/* ---- operations ---------------------------------------------------------- */

/* malloc, realloc(NULL, n), or calloc-like malloc + memset; it must succeed
 * iff the size is nonzero and at most largest_free_block. */
static void op_malloc(model_t *m) {
    multi_heap_info_t info;
    multi_heap_get_info(m->heap, &info);
    uint64_t kind = rnd(m) % 20;
    size_t size = random_size(m);
    if (rnd(m) % 200 == 0) {
        size = rnd(m) % 2 ? 0 : SIZE_MAX - rnd(m) % 64;
    }
    uint8_t *p = kind == 0 ? multi_heap_realloc(m->heap, NULL, size) : multi_heap_malloc(m->heap, size);
    bool fits = size != 0 && size <= info.largest_free_block;
    if (fits != (p != NULL)) {
        fail_msg("malloc(%zu) gave %p with largest_free_block %zu", size, (void *)p, info.largest_free_block);
    }
    tally.mallocs++;
    if (p == NULL) {
        tally.failed_mallocs++;
        return;
    }
    block_t b = describe(m, p, size, new_key(m));
    if (kind == 1) { /* calloc-like: the requested bytes zeroed, then in use */
        memset(p, 0, size);
        for (size_t i = 0; i < size; i += 61) {
            assert_int_equal(p[i], 0);
        }
    }
    write_pattern(&b, 0);
    shadow_insert(m, b);
}

static void op_aligned(model_t *m) {
    unsigned max_log2 = m->region_size >= 65536 ? 12 : 9;
    size_t align = (size_t)1 << (rnd(m) % (max_log2 + 1));
    size_t size = 1 + rnd(m) % (rnd(m) % 8 == 0 ? 4096 : 256);
    size_t offset = rnd(m) % 4 == 0 ? (size_t)(rnd(m) % 8) * W : 0;
    uint8_t *p = offset != 0 ? multi_heap_aligned_alloc_offs(m->heap, size, align, offset)
                             : multi_heap_aligned_alloc(m->heap, size, align);
    tally.aligned++;
    if (p != NULL) {
        assert_int_equal(((uintptr_t)p + offset) % align, 0);
        block_t b = describe(m, p, size, new_key(m));
        write_pattern(&b, 0);
        shadow_insert(m, b);
    }
}

/* A moving realloc holds the new block b and the old one at once, b taken
 * from a free block of the state before the call: the free bytes then are
 * free_before less b's full size, or less its usable size when b took its
 * free block whole (that block's header was never free bytes). */
static size_t dip_of_move(const model_t *m, const block_t *b, size_t free_before) {
    size_t j = lower_bound(m, b->start);
    uint8_t *lo = gap_lo(m, j), *hi = gap_hi(m, j);
    assert_true(lo <= b->start && block_end(b) <= hi);
    return free_before - b->full + ((size_t)(hi - lo) == b->full ? HDR : 0);
}

/* Grows or shrinks a random block. Contents up to the smaller usable size
 * survive; a failure leaves the block as it was and can only happen when a
 * fresh malloc of that size would fail too. */
static void op_realloc(model_t *m) {
    size_t i = (size_t)(rnd(m) % m->n);
    block_t old = m->blocks[i];
    uint64_t r = rnd(m) % 10;
    size_t size = r < 5   ? old.usable + 1 + rnd(m) % (3 * old.usable + 64) /* grow */
                  : r < 9 ? 1 + rnd(m) % old.usable                         /* shrink */
                          : old.usable;
    multi_heap_info_t info;
    multi_heap_get_info(m->heap, &info);
    size_t free_before = multi_heap_free_size(m->heap);
    uint8_t *q = multi_heap_realloc(m->heap, old.user, size);
    tally.reallocs++;
    if (q == NULL) {
        assert_true(size > info.largest_free_block);
        assert_pattern(&old, old.usable);
        return;
    }
    block_t b = describe(m, q, size, old.key);
    if (q != old.user) {
        tally.moved++;
        m->dip = dip_of_move(m, &b, free_before);
    } else {
        tally.in_place++;
    }
    shadow_remove(m, i);
    size_t kept = old.usable < b.usable ? old.usable : b.usable;
    assert_pattern(&b, kept);
    write_pattern(&b, kept);
    shadow_insert(m, b);
}

/* free, or realloc(p, 0), of a random block whose contents must be intact. */
static void op_free(model_t *m) {
    block_t b = shadow_remove(m, (size_t)(rnd(m) % m->n));
    assert_pattern(&b, b.usable);
    if (rnd(m) % 20 == 0) {
        assert_null(multi_heap_realloc(m->heap, b.user, 0));
    } else {
        multi_heap_free(m->heap, b.user);
    }
    tally.frees++;
}

/* ---- verification -------------------------------------------------------- */

/* multi_heap_check passes and every get_info field matches the shadow. The
 * watermark is exact; after a moving realloc it may also count the moment
 * both blocks were live (the allocator notes it inside the call). */
static void verify(model_t *m) {
    if (!multi_heap_check(m->heap, false)) {
        multi_heap_check(m->heap, true);
        fail_msg("multi_heap_check failed after operation %llu", (unsigned long long)tally.ops);
    }
    multi_heap_info_t info;
    multi_heap_get_info(m->heap, &info);
    size_t free_bytes = shadow_free_bytes(m);
    assert_int_equal(info.allocated_blocks, m->n);
    assert_int_equal(info.free_blocks, m->gaps);
    assert_int_equal(info.total_blocks, m->n + m->gaps);
    assert_int_equal(info.total_allocated_bytes, m->sum_full - m->n * HDR);
    assert_int_equal(info.total_free_bytes, free_bytes);
    assert_int_equal(multi_heap_free_size(m->heap), free_bytes);
    assert_true(info.largest_free_block <= free_bytes);
    size_t low = m->min_free < free_bytes ? m->min_free : free_bytes;
    if (m->dip != SIZE_MAX && info.minimum_free_bytes != low) {
        assert_int_equal(info.minimum_free_bytes, m->dip < low ? m->dip : low);
    } else {
        assert_int_equal(info.minimum_free_bytes, low);
    }
    assert_int_equal(multi_heap_minimum_free_size(m->heap), info.minimum_free_bytes);
    m->min_free = info.minimum_free_bytes;
    m->dip = SIZE_MAX;
}

static void verify_all_contents(const model_t *m) {
    for (size_t i = 0; i < m->n; i++) {
        assert_pattern(&m->blocks[i], m->blocks[i].usable);
    }
}

typedef struct {
    const model_t *m;
    size_t next;   /* index of the next used block expected */
    uint8_t *pos;  /* where the next block must start */
} walk_ctx_t;

/* Each used block is the next shadow block; each free one fills the gap
 * before it exactly. */
static bool walk_one(void *ptr, size_t size, int used, void *user) {
    walk_ctx_t *w = user;
    if (used) {
        assert_true(w->next < w->m->n);
        const block_t *b = &w->m->blocks[w->next++];
        assert_ptr_equal(ptr, b->user);
        assert_int_equal(size, b->usable);
        assert_ptr_equal(b->start, w->pos);
        w->pos = block_end(b);
    } else {
        assert_ptr_equal((uint8_t *)ptr - HDR, w->pos);
        w->pos = (uint8_t *)ptr + size;
        assert_ptr_equal(w->pos, gap_hi(w->m, w->next));
    }
    return true;
}

static void verify_walk(const model_t *m) {
    walk_ctx_t w = {m, 0, m->begin};
    multi_heap_walk(m->heap, walk_one, &w);
    assert_int_equal(w.next, m->n);
    assert_ptr_equal(w.pos, m->end);
}

/* largest_free_block is exact: malloc of it succeeds, of one byte more fails.
 * The probe is undone, watermark included. */
static void probe_largest(model_t *m) {
    multi_heap_info_t info;
    multi_heap_get_info(m->heap, &info);
    assert_null(multi_heap_malloc(m->heap, info.largest_free_block + 1));
    if (info.largest_free_block > 0) {
        void *p = multi_heap_malloc(m->heap, info.largest_free_block);
        assert_non_null(p);
        multi_heap_free(m->heap, p);
    }
    multi_heap_restore_minimum_free_bytes(m->heap, info.minimum_free_bytes);
    tally.probes++;
}

/* Any byte of a used block's usable area leads back to it; a free byte does not. */
static void probe_containing(model_t *m) {
    if (m->n == 0) {
        return;
    }
    size_t i = (size_t)(rnd(m) % m->n);
    const block_t *b = &m->blocks[i];
    assert_ptr_equal(multi_heap_find_containing_block(m->heap, b->user + rnd(m) % b->usable), b->user);
    uint8_t *lo = gap_lo(m, i), *hi = gap_hi(m, i);
    if (hi > lo) {
        assert_null(multi_heap_find_containing_block(m->heap, lo + rnd(m) % (size_t)(hi - lo)));
    }
}

/* ---- runs ---------------------------------------------------------------- */

static bool first_block(void *ptr, size_t size, int used, void *user) {
    model_t *m = user;
    assert_int_equal(used, 0);
    m->begin = (uint8_t *)ptr - HDR;
    m->end = (uint8_t *)ptr + size;
    return false;
}

static void step(model_t *m) {
    if (tally.ops % 1000 == 0) {
        size_t most = m->region_size / 256 < 16 ? 16 : m->region_size / 256 > 600 ? 600 : m->region_size / 256;
        m->target = 1 + (size_t)(rnd(m) % most);
    }
    uint64_t r = rnd(m) % 100;
    bool grow = m->n < m->target;
    if (m->n == 0 || r < (grow ? 45u : 20u)) {
        op_malloc(m);
    } else if (r < (grow ? 60u : 30u)) {
        op_aligned(m);
    } else if (r < (grow ? 80u : 50u)) {
        op_realloc(m);
    } else {
        op_free(m);
    }
}

/* ops operations on a heap of about region bytes at an odd place. */
static void run(size_t region, uint64_t ops, uint64_t seed) {
    model_t m = {.rng = seed, .dip = SIZE_MAX};
    size_t offset = (size_t)(rnd(&m) % 16);
    m.region_size = region - (size_t)(rnd(&m) % 64);
    uint8_t *buf = malloc(region + 16);
    assert_non_null(buf);
    memset(buf, 0xA5, region + 16);
    m.heap = multi_heap_register(buf + offset, m.region_size);
    assert_non_null(m.heap);
    multi_heap_walk(m.heap, first_block, &m);
    size_t free0 = multi_heap_free_size(m.heap);
    m.min_free = free0;
    m.gaps = 1; /* the whole area is one free block */
    for (uint64_t i = 0; i < ops; i++, tally.ops++) {
        step(&m);
        verify(&m);
        if (i % 4 == 0) {
            verify_walk(&m);
        }
        if (i % 16 == 0) {
            probe_largest(&m);
        }
        if (i % 64 == 0) {
            verify_all_contents(&m);
            probe_containing(&m);
        }
    }
    while (m.n > 0) {
        op_free(&m);
        verify(&m);
    }
    assert_int_equal(multi_heap_free_size(m.heap), free0);
    free(m.blocks);
    free(buf);
}

/* Operations per seed (SEEDS of them) and region: 1,050,000 in all, in every build. */
static const struct {
    size_t region;
    uint64_t ops;
} budget[] = {
    {8 * 1024, 150000}, {16 * 1024, 125000}, {64 * 1024, 125000}, {256 * 1024, 75000}, {1024 * 1024, 50000},
};

#define SEEDS 2

static double scale = 1.0;

static uint64_t scaled(uint64_t ops) {
    double n = (double)ops * scale;
    return n < 1 ? 1 : (uint64_t)n;
}

static void random_region(size_t which) {
    for (uint64_t s = 0; s < SEEDS; s++) {
        uint64_t seed = 0x243F6A8885A308D3ULL ^ (budget[which].region * 0x9E3779B1u + s * 0x7F4A7C15u);
        run(budget[which].region, scaled(budget[which].ops), seed);
    }
}

static void random_8k(void **state) { (void)state, random_region(0); }
static void random_16k(void **state) { (void)state, random_region(1); }
static void random_64k(void **state) { (void)state, random_region(2); }
static void random_256k(void **state) { (void)state, random_region(3); }
static void random_1m(void **state) { (void)state, random_region(4); }

/* The run did what this file promises: at least 1,000,000 operations unless
 * scaled down on purpose, and each kind of operation happened, failures
 * included. */
static void totals(void **state) {
    (void)state;
    printf("random: %llu operations (%llu mallocs, %llu failed; %llu aligned; %llu reallocs, %llu moved, "
           "%llu in place; %llu frees; %llu largest-block probes; up to %llu live blocks)\n",
           (unsigned long long)tally.ops, (unsigned long long)tally.mallocs, (unsigned long long)tally.failed_mallocs,
           (unsigned long long)tally.aligned, (unsigned long long)tally.reallocs, (unsigned long long)tally.moved,
           (unsigned long long)tally.in_place, (unsigned long long)tally.frees, (unsigned long long)tally.probes,
           (unsigned long long)tally.most_live);
    if (scale >= 1.0) {
        assert_true(tally.ops >= 1000000u);
    }
    assert_true(tally.failed_mallocs > 0 && tally.failed_mallocs < tally.mallocs / 2);
    assert_true(tally.moved > 0 && (CAPHEAP_POISONING_LEVEL >= 2 ? tally.in_place == 0 : tally.in_place > 0));
    assert_true(tally.aligned > 0 && tally.frees > 0 && tally.probes > 0);
}

int main(void) {
    const char *env = getenv("CAPHEAP_RANDOM_SCALE");
    if (env != NULL) {
        char *end;
        scale = strtod(env, &end);
        if (end == env || !(scale > 0)) {
            fprintf(stderr, "CAPHEAP_RANDOM_SCALE must be a positive number, not '%s'\n", env);
            return 2;
        }
    }
    make_pattern();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(random_8k),   cmocka_unit_test(random_16k), cmocka_unit_test(random_64k),
        cmocka_unit_test(random_256k), cmocka_unit_test(random_1m),  cmocka_unit_test(totals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
