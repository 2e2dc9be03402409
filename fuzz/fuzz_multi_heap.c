/*
 * fuzz_multi_heap.c: libFuzzer target for multi_heap (layers 1 and 2).
 *
 * The input is decoded into a region and a sequence of operations (format in
 * fuzz/README.md; fuzz/make-corpus.py writes inputs of it). A shadow model
 * follows every live block, and after each operation:
 *  - multi_heap_check passes;
 *  - the live blocks lie in the block area and do not overlap; every gap
 *    between them is one free block, so block counts and byte counts are
 *    known exactly and get_info must report exactly them;
 *  - the walk visits exactly the shadow's blocks and gaps;
 *  - largest_free_block is exact (a malloc of it succeeds, one byte more fails);
 *  - the watermark is the lowest free size seen (see dip below);
 *  - blocks touched keep their per-block pattern; all blocks are compared
 *    every 16 operations and at the end.
 * Misuse operations (double free, misaligned or foreign pointer) must be
 * reported exactly once and leave the heap as it was.
 * Any mismatch aborts with the line of the check, which libFuzzer records as
 * a crash with the input that caused it.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capheap/port.h"
#include "multi_heap.h"
#include "poison.h" /* capheap_poison_payload: where this build's blocks start */
#include "tlsf.h"   /* CAPHEAP_TLSF_MIN_BLOCK */

#define FUZZ_TARGET_NAME "fuzz_multi_heap.c"
#include "fuzz_input.h"

#define W          MULTI_HEAP_ALIGN     /* the grain: sizes and payloads are multiples */
#define H          CAPHEAP_TLSF_HEADER  /* a block's header: W, or less with a larger grain */
#define MIN_BLOCK  CAPHEAP_TLSF_MIN_BLOCK
#define POISONED   (CAPHEAP_POISONING_LEVEL >= 1)
#define SLOTS      64
#define MIN_REGION (8u * 1024)
/* Comprehensive poisoning fills and reads every free byte on register, check,
 * malloc and free: a smaller ceiling keeps that level near 1000 runs/s. */
#if CAPHEAP_POISONING_LEVEL >= 2
#define MAX_REGION (128u * 1024)
#else
#define MAX_REGION (1024u * 1024)
#endif
#define KEYS       4096u

/* ---- the pattern ---------------------------------------------------------- */

/* A block with key k holds pattern[k + i] at offset i: random bytes, so data
 * moved to a wrong offset or block does not match. */
static uint8_t pattern[KEYS + MAX_REGION];

static void make_pattern(void) { fill_pattern(pattern, sizeof pattern, 0x6A09E667F3BCC909ULL); }

/* ---- the shadow ----------------------------------------------------------- */

typedef struct {
    uint8_t *user;  /* what the allocation returned; NULL: empty slot */
    uint8_t *start; /* its block's header */
    size_t full;    /* multi_heap_get_full_block_size */
    size_t usable;  /* multi_heap_get_allocated_size; all of it holds the pattern */
    size_t key;
} blk_t;

typedef struct {
    multi_heap_handle_t heap;
    uint8_t *region;       /* malloc'd exactly: ASan sees any write outside it */
    size_t region_size;
    uint8_t *begin, *end;  /* the block area: what the empty heap's free block covered */
    size_t free0;          /* free bytes of the empty heap */
    blk_t slot[SLOTS];
    size_t min_free;       /* the watermark the heap must report */
    size_t dip;            /* SIZE_MAX, or the free bytes while a moving realloc held both blocks */
    size_t next_key;
} fuzz_t;

static uint8_t *blk_end(const blk_t *b) { return b->start + b->full; }

static void write_pattern(const blk_t *b, size_t from) {
    memcpy(b->user + from, pattern + b->key + from, b->usable - from);
}

static void check_pattern(const blk_t *b, size_t len) {
    if (memcmp(b->user, pattern + b->key, len) != 0) {
        fail(__LINE__, "a block lost its contents");
    }
}

/* The shadow record of an allocation of asked bytes at p. */
static blk_t describe(fuzz_t *f, uint8_t *p, size_t asked) {
    blk_t b = {p, (uint8_t *)capheap_poison_payload(p) - H, multi_heap_get_full_block_size(f->heap, p),
               multi_heap_get_allocated_size(f->heap, p), f->next_key};
    f->next_key = (f->next_key + 977) % KEYS;
    CHECK((uintptr_t)p % W == 0);
    CHECK(POISONED ? b.usable == asked : b.usable >= asked);
    CHECK(b.start >= f->begin && blk_end(&b) <= f->end);
    CHECK(b.user >= b.start + H && b.user + b.usable <= blk_end(&b));
    return b;
}

/* A fresh block of the comprehensive level comes filled with 0xCE. */
static void check_fresh_fill(const blk_t *b) {
    if (CAPHEAP_POISONING_LEVEL >= 2) {
        for (size_t i = 0; i < b->usable; i++) {
            CHECK(b->user[i] == 0xCE);
        }
    }
}

/* ---- verification ----------------------------------------------------------- */

/* The live blocks sorted by address, and what follows from them. */
typedef struct {
    blk_t b[SLOTS];
    size_t n;
    size_t gaps;     /* nonzero gaps between blocks: the free blocks */
    size_t sum_full; /* full sizes of the live blocks */
} layout_t;

static int by_start(const void *x, const void *y) {
    const blk_t *a = x, *b = y;
    return a->start < b->start ? -1 : a->start > b->start;
}

/* Sorts the live blocks; none overlaps the next, and each gap is empty or
 * large enough to be a free block. */
static void make_layout(const fuzz_t *f, layout_t *l) {
    l->n = l->gaps = l->sum_full = 0;
    for (size_t s = 0; s < SLOTS; s++) {
        if (f->slot[s].user != NULL) {
            l->b[l->n++] = f->slot[s];
        }
    }
    qsort(l->b, l->n, sizeof l->b[0], by_start);
    uint8_t *pos = f->begin;
    for (size_t i = 0; i <= l->n; i++) {
        uint8_t *next = i < l->n ? l->b[i].start : f->end;
        CHECK(next >= pos); /* no overlap, nothing past the end */
        size_t gap = (size_t)(next - pos);
        CHECK(gap == 0 || gap >= MIN_BLOCK);
        l->gaps += gap != 0;
        if (i < l->n) {
            l->sum_full += l->b[i].full;
            pos = blk_end(&l->b[i]);
        }
    }
}

static size_t layout_free(const fuzz_t *f, const layout_t *l) {
    return (size_t)(f->end - f->begin) - l->sum_full - l->gaps * H;
}

/* Every get_info field is what the layout implies. The watermark is the
 * lowest free size seen; after a moving realloc it may also be the moment
 * both blocks were live (dip). */
static void verify_info(fuzz_t *f, const layout_t *l) {
    multi_heap_info_t info;
    multi_heap_get_info(f->heap, &info);
    size_t free_bytes = layout_free(f, l);
    CHECK(info.allocated_blocks == l->n);
    CHECK(info.free_blocks == l->gaps);
    CHECK(info.total_blocks == l->n + l->gaps);
    CHECK(info.total_allocated_bytes == l->sum_full - l->n * H);
    CHECK(info.total_free_bytes == free_bytes);
    CHECK(multi_heap_free_size(f->heap) == free_bytes);
    CHECK(info.largest_free_block <= free_bytes);
    size_t low = f->min_free < free_bytes ? f->min_free : free_bytes;
    if (f->dip != SIZE_MAX && info.minimum_free_bytes != low) {
        CHECK(info.minimum_free_bytes == (f->dip < low ? f->dip : low));
    } else {
        CHECK(info.minimum_free_bytes == low);
    }
    CHECK(multi_heap_minimum_free_size(f->heap) == info.minimum_free_bytes);
    f->min_free = info.minimum_free_bytes;
    f->dip = SIZE_MAX;
}

typedef struct {
    const fuzz_t *f;
    const layout_t *l;
    size_t next;  /* index of the next used block expected */
    uint8_t *pos; /* where the next block must start */
} walk_t;

/* A used block is the next of the layout; a free one fills its gap exactly. */
static bool walk_one(void *ptr, size_t size, int used, void *user) {
    walk_t *w = user;
    if (used) {
        CHECK(w->next < w->l->n);
        const blk_t *b = &w->l->b[w->next++];
        CHECK(ptr == b->user && size == b->usable && b->start == w->pos);
        w->pos = blk_end(b);
    } else {
        uint8_t *gap_end = w->next < w->l->n ? w->l->b[w->next].start : w->f->end;
        CHECK((uint8_t *)ptr - H == w->pos && (uint8_t *)ptr + size == gap_end);
        w->pos = gap_end;
    }
    return true;
}

static void verify_walk(const fuzz_t *f, const layout_t *l) {
    walk_t w = {f, l, 0, f->begin};
    multi_heap_walk(f->heap, walk_one, &w);
    CHECK(w.next == l->n && w.pos == f->end);
}

/* largest_free_block is exact: a malloc of it succeeds, of one byte more
 * fails. The probe is undone, watermark included. */
static void probe_largest(fuzz_t *f) {
    multi_heap_info_t info;
    multi_heap_get_info(f->heap, &info);
    CHECK(multi_heap_malloc(f->heap, info.largest_free_block + 1) == NULL);
    if (info.largest_free_block > 0) {
        void *p = multi_heap_malloc(f->heap, info.largest_free_block);
        CHECK(p != NULL);
        multi_heap_free(f->heap, p);
    }
    multi_heap_restore_minimum_free_bytes(f->heap, info.minimum_free_bytes);
}

static void verify_contents(const fuzz_t *f) {
    for (size_t s = 0; s < SLOTS; s++) {
        if (f->slot[s].user != NULL) {
            check_pattern(&f->slot[s], f->slot[s].usable);
        }
    }
}

/* Everything above, after each operation. A comprehensive check reads every
 * free byte, so that level probes less often to keep the fuzzer fast. */
static void verify(fuzz_t *f) {
    if (!multi_heap_check(f->heap, false)) {
        multi_heap_check(f->heap, true);
        fail(__LINE__, "multi_heap_check");
    }
    layout_t l;
    make_layout(f, &l);
    verify_info(f, &l);
    verify_walk(f, &l);
    if (CAPHEAP_POISONING_LEVEL < 2 || op_index % 8 == 0) {
        probe_largest(f);
    }
    if (op_index % 16 == 0) {
        verify_contents(f);
    }
}

/* ---- corruption reports ---------------------------------------------------- */

/* Valid operations must never be reported; misuse must be, once, at the
 * address passed. */
static struct {
    int count;
    const void *addr;
} reports;

static void record(const void *addr, const char *what, void *user) {
    (void)what, (void)user;
    reports.count++;
    reports.addr = addr;
}

static void expect_reports(int count, const void *addr) {
    CHECK(reports.count == count);
    CHECK(count == 0 || reports.addr == addr);
    reports.count = 0;
}

/* ---- sizes ------------------------------------------------------------------- */

static size_t largest_free(fuzz_t *f) {
    multi_heap_info_t info;
    multi_heap_get_info(f->heap, &info);
    return info.largest_free_block;
}

static size_t largest_free_of(void *f) { return largest_free(f); }

/* Mostly small sizes, up to the region's size; edges around the heap's
 * largest free block (fuzz_input.h). */
static size_t take_size(fuzz_t *f, input_t *in) {
    return take_size_of(in, 8192, f->region_size + 1, largest_free_of, f);
}

/* ---- operations ---------------------------------------------------------------- */

/* Frees what slot s holds, its contents checked first. */
static void release(fuzz_t *f, size_t s, bool by_realloc) {
    blk_t *b = &f->slot[s];
    if (b->user == NULL) {
        return;
    }
    check_pattern(b, b->usable);
    if (by_realloc) {
        CHECK(multi_heap_realloc(f->heap, b->user, 0) == NULL);
    } else {
        multi_heap_free(f->heap, b->user);
    }
    b->user = NULL;
}

/* An allocation op on a busy slot frees it first, as its own step. */
static void vacate(fuzz_t *f, size_t s) {
    if (f->slot[s].user != NULL) {
        release(f, s, false);
        verify(f);
    }
}

/* Slot s takes the new block p; zeroed: as calloc hands it out, then in use. */
static void adopt(fuzz_t *f, size_t s, uint8_t *p, size_t asked, bool zeroed) {
    f->slot[s] = describe(f, p, asked);
    check_fresh_fill(&f->slot[s]);
    if (zeroed) {
        memset(p, 0, asked);
        CHECK(p[0] == 0 && p[asked - 1] == 0);
    }
    write_pattern(&f->slot[s], 0);
}

/* malloc, or realloc(NULL, n): succeeds iff size is nonzero and at most
 * largest_free_block. */
static void op_malloc(fuzz_t *f, input_t *in, size_t s, bool via_realloc) {
    vacate(f, s);
    size_t size = take_size(f, in);
    size_t largest = largest_free(f);
    uint8_t *p = via_realloc ? multi_heap_realloc(f->heap, NULL, size) : multi_heap_malloc(f->heap, size);
    CHECK((p != NULL) == (size != 0 && size <= largest));
    if (p != NULL) {
        adopt(f, s, p, size, false);
    }
}

/* calloc as the heap_caps layer builds it: n * size bytes, zeroed, unless
 * the product overflows. */
static void op_calloc(fuzz_t *f, input_t *in, size_t s) {
    vacate(f, s);
    size_t n = 1 + take8(in) % 32;
    size_t size = take_size(f, in);
    if (size > SIZE_MAX / n) {
        return;
    }
    size_t largest = largest_free(f);
    uint8_t *p = multi_heap_malloc(f->heap, n * size);
    CHECK((p != NULL) == (n * size != 0 && n * size <= largest));
    if (p != NULL) {
        adopt(f, s, p, n * size, true);
    }
}

/* Alignment: mostly powers of two up to 4 KiB, sometimes a bad one (NULL). */
static size_t take_align(input_t *in) {
    uint8_t a = take8(in);
    return a < 0xF0 ? (size_t)1 << (a % 13) : (size_t)(a & 0x0F) * 3;
}

static bool power_of_two(size_t a) { return a != 0 && (a & (a - 1)) == 0; }

/* A request that must succeed: within MULTI_HEAP_ALIGN it is a plain malloc;
 * beyond it the worst front gap (align plus a minimum block) and the
 * rounding (at most two words, poisoning's odd tail included) must fit. */
static bool aligned_must_fit(size_t size, size_t align, size_t offset, size_t largest) {
    if (size == 0 || size > largest) {
        return false;
    }
    if (align <= W) {
        return offset % align == 0;
    }
    return offset % W == 0 && ((size + W - 1) & ~(W - 1)) + 2 * W + align + MIN_BLOCK <= largest;
}

static void op_aligned(fuzz_t *f, input_t *in, size_t s, bool with_offset) {
    vacate(f, s);
    size_t size = take_size(f, in);
    size_t align = take_align(in);
    uint8_t o = with_offset ? take8(in) : 0;
    size_t offset = o & 0x80 ? (size_t)(o & 0x7F) : (size_t)(o & 0x0F) * W;
    size_t largest = largest_free(f);
    uint8_t *p = with_offset ? multi_heap_aligned_alloc_offs(f->heap, size, align, offset)
                             : multi_heap_aligned_alloc(f->heap, size, align);
    if (!power_of_two(align)) {
        CHECK(p == NULL);
        return;
    }
    if (p == NULL) {
        CHECK(!aligned_must_fit(size, align, offset, largest));
        return;
    }
    CHECK(((uintptr_t)p + offset) % align == 0);
    adopt(f, s, p, size, false);
}

/* The free bytes while a moving realloc held the new block b and the old
 * one: b came from a free block of the state before the call, so they are
 * free_before less b's full size, or less its usable size when b took that
 * free block whole (its header was never free bytes). */
static size_t dip_of_move(const fuzz_t *f, const blk_t *b, size_t free_before) {
    uint8_t *lo = f->begin, *hi = f->end;
    for (size_t s = 0; s < SLOTS; s++) {
        const blk_t *o = &f->slot[s];
        if (o->user == NULL) {
            continue;
        }
        if (blk_end(o) <= b->start && blk_end(o) > lo) {
            lo = blk_end(o);
        }
        if (o->start >= blk_end(b) && o->start < hi) {
            hi = o->start;
        }
    }
    CHECK(lo <= b->start && blk_end(b) <= hi);
    return free_before - b->full + ((size_t)(hi - lo) == b->full ? H : 0);
}

/* Resizes slot s to size. Contents up to the smaller usable size survive; a
 * failure leaves the block as it was and happens only when a fresh malloc of
 * that size would fail too. */
static void resize(fuzz_t *f, size_t s, size_t size) {
    blk_t old = f->slot[s];
    size_t largest = largest_free(f);
    size_t free_before = multi_heap_free_size(f->heap);
    uint8_t *q = multi_heap_realloc(f->heap, old.user, size);
    if (q == NULL) {
        CHECK(size > largest);
        check_pattern(&old, old.usable);
        return;
    }
    blk_t b = describe(f, q, size);
    b.key = old.key;
    if (q != old.user) {
        f->dip = dip_of_move(f, &b, free_before);
    }
    size_t kept = old.usable < b.usable ? old.usable : b.usable;
    check_pattern(&b, kept);
    write_pattern(&b, kept);
    f->slot[s] = b;
}

/* realloc to any size; on an empty slot, realloc(NULL, n). */
static void op_realloc(fuzz_t *f, input_t *in, size_t s) {
    if (f->slot[s].user == NULL) {
        op_malloc(f, in, s, true);
        return;
    }
    size_t size = take_size(f, in);
    if (size == 0) {
        release(f, s, true);
        return;
    }
    resize(f, s, size);
}

/* realloc near the current size: the in-place paths (shrink, grow into the
 * neighbour, same size). */
static void op_nudge(fuzz_t *f, input_t *in, size_t s) {
    int delta = (int8_t)take8(in);
    if (f->slot[s].user == NULL) {
        return;
    }
    size_t usable = f->slot[s].usable;
    size_t step = (size_t)(delta < 0 ? -delta : delta) * W;
    size_t size = delta >= 0 ? usable + step : step < usable ? usable - step : 1;
    resize(f, s, size);
}

static void op_free(fuzz_t *f, input_t *in, size_t s) {
    uint8_t how = take8(in) % 3;
    if (f->slot[s].user == NULL) {
        multi_heap_free(f->heap, NULL); /* a no-op */
        return;
    }
    if (how == 2) {
        multi_heap_aligned_free(f->heap, f->slot[s].user);
        f->slot[s].user = NULL;
        return;
    }
    release(f, s, how == 1);
}

/* A byte in a free gap, or NULL when the block after s's has none. */
static uint8_t *gap_byte(const fuzz_t *f, const blk_t *b, uint8_t k) {
    uint8_t *hi = f->end;
    for (size_t s = 0; s < SLOTS; s++) {
        if (f->slot[s].user != NULL && f->slot[s].start >= blk_end(b) && f->slot[s].start < hi) {
            hi = f->slot[s].start;
        }
    }
    return hi > blk_end(b) ? blk_end(b) + k % (size_t)(hi - blk_end(b)) : NULL;
}

/* The size queries and find_containing_block agree with the shadow. */
static void op_query(fuzz_t *f, input_t *in, size_t s) {
    const blk_t *b = &f->slot[s];
    uint16_t k = take16(in);
    if (b->user == NULL) {
        CHECK(multi_heap_find_containing_block(f->heap, f->begin) == NULL);
        return;
    }
    CHECK(multi_heap_get_allocated_size(f->heap, b->user) == b->usable);
    CHECK(multi_heap_get_full_block_size(f->heap, b->user) == b->full);
    CHECK(multi_heap_find_containing_block(f->heap, b->user + k % b->usable) == b->user);
    uint8_t *gap = gap_byte(f, b, (uint8_t)k);
    if (gap != NULL) {
        CHECK(multi_heap_find_containing_block(f->heap, gap) == NULL);
    }
}

static void op_watermark(fuzz_t *f, input_t *in) {
    size_t now = multi_heap_free_size(f->heap);
    if (take8(in) & 1) {
        CHECK(multi_heap_reset_minimum_free_bytes(f->heap) == f->min_free);
        f->min_free = now;
    } else {
        size_t value = take32(in) % (f->free0 + 1);
        multi_heap_restore_minimum_free_bytes(f->heap, value);
        f->min_free = value < now ? value : now;
    }
}

static void op_drain(fuzz_t *f) {
    for (size_t s = 0; s < SLOTS; s++) {
        release(f, s, false);
    }
    CHECK(multi_heap_free_size(f->heap) == f->free0);
}

/* ---- misuse ------------------------------------------------------------------- */

static uint8_t not_in_any_heap[64];

/* A pointer no call may accept, or NULL when slot s gives none. Interior
 * pointers are caught only with poisoning (without it the bytes before one
 * are user data that may look like a header). */
static uint8_t *bad_pointer(fuzz_t *f, size_t s, uint8_t kind, uint8_t k) {
    blk_t *b = &f->slot[s];
    switch (kind % 4) {
    case 0: { /* double free: freed just now, nothing allocated since */
        uint8_t *p = b->user;
        if (p != NULL) {
            release(f, s, false);
            verify(f);
        }
        return p;
    }
    case 1:
        return b->user != NULL ? b->user + 1 + k % (W - 1) : NULL;
    case 2:
        return k & 1 ? (uint8_t *)f->heap : not_in_any_heap + (k & ~(size_t)(W - 1)) % sizeof not_in_any_heap;
    default:
        if (!POISONED || b->user == NULL || b->usable <= W) {
            return NULL;
        }
        return b->user + W * (1 + k % ((b->usable - 1) / W)); /* < user + usable */
    }
}

/* A bad pointer passed to free, realloc or a size query is reported once, at
 * that address; the call fails and the heap stays as the shadow says. */
static void op_misuse(fuzz_t *f, input_t *in, size_t s) {
    uint8_t kind = take8(in), k = take8(in), call = take8(in) % 5;
    uint8_t *p = bad_pointer(f, s, kind, k);
    if (p == NULL) {
        return;
    }
    switch (call) {
    case 0:
        multi_heap_free(f->heap, p);
        break;
    case 1:
        multi_heap_aligned_free(f->heap, p);
        break;
    case 2:
        CHECK(multi_heap_realloc(f->heap, p, 1 + k) == NULL);
        break;
    case 3:
        CHECK(multi_heap_get_allocated_size(f->heap, p) == 0);
        break;
    default:
        CHECK(multi_heap_get_full_block_size(f->heap, p) == 0);
        break;
    }
    expect_reports(1, p);
}

/* ---- the run ------------------------------------------------------------------- */

enum { OP_MALLOC, OP_CALLOC, OP_REALLOC, OP_NUDGE, OP_ALIGNED, OP_ALIGNED_OFFS, OP_FREE,
       OP_QUERY, OP_WATERMARK, OP_MISUSE, OP_DRAIN, OP_COUNT };

/* FUZZ_TRACE=1 in the environment prints each operation (to read a crash). */
static bool tracing;

static void step(fuzz_t *f, input_t *in) {
    uint8_t op = take8(in) % OP_COUNT;
    size_t s = take8(in) % SLOTS;
    if (tracing) {
        fprintf(stderr, "op %zu: %u on slot %zu (%p), %zu bytes of input left\n", op_index, op, s,
                (void *)f->slot[s].user, in->n);
    }
    switch (op) {
    case OP_MALLOC: op_malloc(f, in, s, false); break;
    case OP_CALLOC: op_calloc(f, in, s); break;
    case OP_REALLOC: op_realloc(f, in, s); break;
    case OP_NUDGE: op_nudge(f, in, s); break;
    case OP_ALIGNED: op_aligned(f, in, s, false); break;
    case OP_ALIGNED_OFFS: op_aligned(f, in, s, true); break;
    case OP_FREE: op_free(f, in, s); break;
    case OP_QUERY: op_query(f, in, s); break;
    case OP_WATERMARK: op_watermark(f, in); break;
    case OP_MISUSE: op_misuse(f, in, s); break;
    default: op_drain(f); break;
    }
    expect_reports(0, NULL);
}

static bool first_block(void *ptr, size_t size, int used, void *user) {
    fuzz_t *f = user;
    CHECK(!used);
    f->begin = (uint8_t *)ptr - H;
    f->end = (uint8_t *)ptr + size;
    return false;
}

/* Header: 2 bytes of region size (MIN_REGION .. MAX_REGION), 1 byte of misalignment. */
static void open_heap(fuzz_t *f, input_t *in) {
    uint32_t r = take16(in);
    f->region_size = MIN_REGION + (size_t)r * (MAX_REGION - MIN_REGION) / 65535;
    size_t skew = take8(in) % 16;
    f->region = malloc(f->region_size + skew);
    CHECK(f->region != NULL);
    memset(f->region, 0xA5, f->region_size + skew);
    f->heap = multi_heap_register(f->region + skew, f->region_size);
    CHECK(f->heap != NULL);
    multi_heap_walk(f->heap, first_block, f);
    f->free0 = multi_heap_free_size(f->heap);
    f->min_free = f->free0;
    f->dip = SIZE_MAX;
    CHECK(f->free0 == (size_t)(f->end - f->begin) - H);
}

static void close_heap(fuzz_t *f) {
    verify_contents(f);
    op_drain(f);
    verify(f);
    multi_heap_info_t info;
    multi_heap_get_info(f->heap, &info);
    CHECK(info.free_blocks == 1 && info.allocated_blocks == 0);
    free(f->region);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static bool ready;
    if (!ready) {
        make_pattern();
        capheap_set_corruption_handler(record, NULL);
        tracing = getenv("FUZZ_TRACE") != NULL;
        ready = true;
    }
    static fuzz_t f;
    memset(&f, 0, sizeof f);
    input_t in = {data, size};
    op_index = 0;
    open_heap(&f, &in);
    verify(&f);
    while (in.n > 0) {
        op_index++;
        step(&f, &in);
        verify(&f);
    }
    close_heap(&f);
    return 0;
}
