/*
 * tlsf.c: the region allocator (see tlsf.h).
 *
 * Layout of a region (addresses grow to the right):
 *
 *   [extra][struct capheap_tlsf][bitmap words][heads][block][block]...[sentinel]
 *
 * The control data keeps the first payload address and the distance from it
 * to the sentinel: a freed pointer is inside the block area by one subtraction
 * and one comparison.
 *
 * A block is a header word (size | flags) and its payload (see tlsf.h for where
 * blocks start when the grain W exceeds the header size H). A free block keeps
 * its two free-list links at the start of its payload and a copy of its size in
 * its last word, so that the block after it can find it when it is freed: a used
 * block pays only its header.
 *
 * Size classes: a block size b maps to a class with up to 16 classes per power
 * of two, exact classes (one per grain) below that, like TLSF's first and
 * second level folded into one index. Each region merges neighbouring classes
 * by a factor chosen so that its list heads cost at most about 1/128 of it: an
 * 8 KiB heap does not pay for the class resolution a 4 MiB one needs. A two-level bitmap (one summary word over
 * up to 32 words of class bits) finds the first non-empty class at or above an
 * index in constant time.
 */
#include "tlsf.h"

#include <stddef.h>

#include "assertions.h"
#include "bitops.h"
#include "word_access.h"

#define W           CAPHEAP_TLSF_GRAIN
#define W_LOG2      (W == 16 ? 4u : W == 8 ? 3u : 2u)
#define H           CAPHEAP_TLSF_HEADER
#define MIN_BLOCK   CAPHEAP_TLSF_MIN_BLOCK

_Static_assert(W == (size_t)1 << W_LOG2, "W_LOG2 knows the grain (4, 8 or 16)");
_Static_assert(MIN_BLOCK % W == 0 && W % H == 0, "MIN_BLOCK is a block size; a header fits below the grain");

#define FLAG_FREE      ((size_t)1) /* this block is free */
#define FLAG_PREV_FREE ((size_t)2) /* the block just before this one is free */
#define FLAGS          (FLAG_FREE | FLAG_PREV_FREE)
_Static_assert(FLAG_FREE == 1, "capheap_tlsf_largest_free and capheap_tlsf_next_is_free (tlsf.h) take a free "
                               "block's header as its size + 1");

/* Heads of all classes cost at most region / CONTROL_SHARE bytes. */
#ifndef CAPHEAP_TLSF_CONTROL_SHARE
#define CAPHEAP_TLSF_CONTROL_SHARE 128
#endif
/* Bitmap words: one bit per class below class_end and room for two classes
 * more, so that a search may start at any class a request can map to
 * (class_of of at most the region size, plus one) without a bounds test. At
 * most 31 words, so that the summary search never shifts by 32. */
#define BITMAP_WORDS(class_end) (((class_end) + 2u + 31u) / 32u)

/* The block and the control data (struct capheap_tlsf) are laid out in
 * tlsf.h, with their invariants; only this file writes them. */
typedef capheap_tlsf_block_t block_t;
typedef capheap_tlsf_summary_t summary_t;

_Static_assert(offsetof(struct capheap_tlsf, user) == offsetof(capheap_tlsf_shared_t, user) &&
                   offsetof(struct capheap_tlsf, user_hint) == offsetof(capheap_tlsf_shared_t, user_hint) &&
                   offsetof(struct capheap_tlsf, n) == offsetof(capheap_tlsf_shared_t, n),
               "capheap_tlsf_shared_t is the start of struct capheap_tlsf");

/* ---- block helpers ----------------------------------------------------- */

static inline size_t block_size(const block_t *b) { return b->head & ~FLAGS; }
static inline bool block_is_free(const block_t *b) { return (b->head & FLAG_FREE) != 0; }
static inline bool block_prev_free(const block_t *b) { return (b->head & FLAG_PREV_FREE) != 0; }
static inline uint8_t *block_payload(const block_t *b) { return (uint8_t *)b + H; }
static inline block_t *block_of(const void *payload) { return (block_t *)((uint8_t *)payload - H); }
static inline block_t *block_at(const void *addr) { return (block_t *)(uintptr_t)addr; }
static inline block_t *block_next(const block_t *b) { return block_at((const uint8_t *)b + block_size(b)); }
static inline size_t *block_footer(const block_t *b) { return (size_t *)((uint8_t *)b + block_size(b)) - 1; }
static inline uint8_t *blocks_first(const capheap_tlsf_t *t) { return capheap_tlsf_blocks_begin(t); }
/* Header of the sentinel. */
static inline uint8_t *blocks_end(const capheap_tlsf_t *t) { return capheap_tlsf_blocks_end(t); }
/* One past the class of the largest block. */
static inline unsigned class_end_of(const capheap_tlsf_t *t) {
    return (unsigned)((size_t)(blocks_first(t) - (const uint8_t *)t->heads) / sizeof(block_t *));
}

/* The block before b, valid only when b has FLAG_PREV_FREE (B4 gives its size). */
static inline block_t *block_prev(const block_t *b) {
    size_t prev_size = ((const size_t *)b)[-1];
    return block_at((const uint8_t *)b - prev_size);
}

/* ---- size classes ------------------------------------------------------ */

/* Fine class of block size b: one class per grain below 16 grains,
 * then FINE_PER_OCTAVE classes per power of two. All shifts but one are
 * constants, which keeps this short on every instruction set. It reads the
 * size in bytes, not grains: the shift then counts W_LOG2 more octaves, which
 * the constant takes back (one instruction fewer than shifting to grains). */
#define FINE_LOG2       4u
#define FINE_PER_OCTAVE (1u << FINE_LOG2)

static inline unsigned fine_class(size_t b) {
    unsigned shift = capheap_msb(b | FINE_PER_OCTAVE << W_LOG2) - FINE_LOG2;
    return (shift << FINE_LOG2) + (unsigned)(b >> shift) - (W_LOG2 << FINE_LOG2);
}

/* The fine class of the largest size: its top five bits are set. Every region
 * therefore has at most 31 bitmap words and one summary bit per word, which
 * creation needs not test. */
#define MAX_FINE_CLASS ((sizeof(size_t) * 8u - W_LOG2 - 1u - FINE_LOG2) * FINE_PER_OCTAVE + 2u * FINE_PER_OCTAVE - 1u)
_Static_assert(BITMAP_WORDS(MAX_FINE_CLASS + 1u) <= 31u &&
                   BITMAP_WORDS(MAX_FINE_CLASS + 1u) <= sizeof(summary_t) * 8u,
               "the bitmap of any region fits the summary");

/* A heap's class: its fine class coarsened by the heap's own factor (small
 * regions merge fine classes so that their list heads stay few). Classes
 * below class_min have neither a list head nor storage. */
static inline unsigned class_of(const capheap_tlsf_t *t, size_t b) { return fine_class(b) >> t->coarsen; }

/* ---- bit scans on cores without an instruction for them (bitops.h) ---- */

#if CAPHEAP_SOFT_BITSCAN
/* Entry (2^k * 0x077CB531 mod 2^32) >> 27 holds k. */
const uint8_t capheap_debruijn_lowest[32] = {
    0,  1,  28, 2,  29, 14, 24, 3,  30, 22, 20, 15, 25, 17, 4,  8,
    31, 27, 13, 23, 21, 19, 16, 7,  26, 12, 18, 6,  11, 5,  10, 9,
};

/* Entry ((2^(k+1) - 1) * 0x07C4ACDD mod 2^32) >> 27 holds k. */
const uint8_t capheap_debruijn_highest[32] = {
    0,  9,  1,  10, 13, 21, 2,  29, 11, 14, 16, 18, 22, 25, 3,  30,
    8,  12, 20, 28, 15, 17, 24, 7,  19, 27, 23, 6,  26, 5,  4,  31,
};
#endif

/* ---- bitmap ------------------------------------------------------------ */

/* The summary bit changes only when its word was empty: the word is loaded
 * anyway, and most sets (lists hold a block or two) skip the summary. */
static inline void bitmap_set(capheap_tlsf_t *t, unsigned c) {
    uint32_t old = t->bitmap[c >> 5];
    t->bitmap[c >> 5] = old | 1u << (c & 31);
    if (old == 0) {
        t->summary |= 1u << (c >> 5);
    }
}

static inline void bitmap_clear(capheap_tlsf_t *t, unsigned c) {
    uint32_t w = t->bitmap[c >> 5] &= ~(1u << (c & 31));
    if (w == 0) {
        t->summary &= ~(1u << (c >> 5));
    }
}

/* First non-empty class at or above c, or -1; c is at most class_end + 1. */
static inline int bitmap_find_from(const capheap_tlsf_t *t, unsigned c) {
    CAPHEAP_ASSERT_AT(t, c <= class_end_of(t) + 1u);
    uint32_t bits = t->bitmap[c >> 5] >> (c & 31); /* bit 0 is c's */
    if (bits == 0) {
        uint32_t words = t->summary & (~0u << ((c >> 5) + 1));
        if (words == 0) {
            return -1;
        }
        unsigned w = capheap_ctz32(words);
        return (int)((w << 5) + capheap_ctz32(t->bitmap[w]));
    }
    return (int)(c + capheap_ctz32(bits));
}

/* ---- free lists -------------------------------------------------------- */

/* The anchor of class c is a pseudo block whose next_free field is heads[c]:
 * unlinking the first block of a list then needs no class lookup. Only that
 * field of an anchor is ever accessed (through set_next_free). Anchors lie in
 * the control data, below every real block. */
static inline block_t *anchor(const capheap_tlsf_t *t, unsigned c) {
    return (block_t *)(void *)((uint8_t *)&t->heads[c] - offsetof(block_t, next_free));
}

static inline bool is_anchor(const capheap_tlsf_t *t, const block_t *b) {
    return (const uint8_t *)b < blocks_first(t);
}

static inline unsigned anchor_class(const capheap_tlsf_t *t, const block_t *a) {
    const uint8_t *field = (const uint8_t *)a + offsetof(block_t, next_free);
    return (unsigned)((size_t)(field - (const uint8_t *)t->heads) / sizeof(block_t *));
}

static inline void set_next_free(block_t *b, block_t *next) {
    *(block_t **)(void *)((uint8_t *)b + offsetof(block_t, next_free)) = next;
}

static inline void list_insert(capheap_tlsf_t *t, block_t *b, unsigned c) {
    CAPHEAP_ASSERT_AT(b, block_is_free(b) && !block_prev_free(b) && *block_footer(b) == block_size(b));
    CAPHEAP_ASSERT_AT(b, c == class_of(t, block_size(b)) && c >= t->class_min && c < class_end_of(t));
    block_t *h = t->heads[c];
    b->next_free = h;
    b->prev_free = anchor(t, c);
    if (h != NULL) {
        h->prev_free = b;
    } else {
        bitmap_set(t, c);
    }
    t->heads[c] = b;
}

/* Takes the first block b off the list of class c (no anchor test: the class
 * is known). */
static inline void list_pop(capheap_tlsf_t *t, block_t *b, unsigned c) {
    CAPHEAP_ASSERT_AT(b, t->heads[c] == b && b->prev_free == anchor(t, c) && block_is_free(b));
    block_t *next = b->next_free;
    t->heads[c] = next;
    if (next != NULL) {
        next->prev_free = b->prev_free; /* anchor(t, c), as b was first */
    } else {
        bitmap_clear(t, c);
    }
}

static inline void list_remove(capheap_tlsf_t *t, block_t *b) {
    block_t *next = b->next_free;
    block_t *prev = b->prev_free;
    CAPHEAP_ASSERT_AT(b, block_is_free(b) && (next == NULL || next->prev_free == b));
    CAPHEAP_ASSERT_AT(b, is_anchor(t, prev) ? t->heads[anchor_class(t, prev)] == b : prev->next_free == b);
    set_next_free(prev, next);
    if (next != NULL) {
        next->prev_free = prev;
    } else if (is_anchor(t, prev)) {
        bitmap_clear(t, anchor_class(t, prev)); /* the list is empty now */
    }
}

/* b, whose predecessor is used, becomes a free block of size bytes, filed
 * on its list (the caller counts its bytes). */
static inline void file_free(capheap_tlsf_t *t, block_t *b, size_t size) {
    b->head = size | FLAG_FREE;
    *block_footer(b) = size;
    list_insert(t, b, class_of(t, size));
}

/* ---- creation ---------------------------------------------------------- */

/* The class_end of a region with blocks up to max_block coarsened by k, and
 * its class_min (the class of MIN_BLOCK). */
static unsigned class_end_for(size_t max_block, unsigned k, unsigned *min) {
    *min = fine_class(MIN_BLOCK) >> k;
    return (fine_class(max_block) >> k) + 1;
}

/* What choose_coarsen counts a head as: its size, but W with the 8-byte
 * grain on 32-bit (heads of 4), where a region then merges classes as a
 * 64-bit one of its size does (an 8 KiB heap keeps 80 bytes of control data,
 * not 104 with twice the heads). With the 16-byte grain the classes below 256
 * bytes are already a quarter of the 4-byte grain's; counting heads as 16
 * bytes would merge them further, and fill dropped (bench_workloads fill,
 * -m32: 0.8811 counting 16, 0.9088 counting 8, 0.9174 counting 4). */
#define HEAD_COST (W == 8 ? W : sizeof(block_t *))

static unsigned choose_coarsen(size_t size) {
    unsigned k = 0, min;
    while (k < FINE_LOG2 &&
           (size_t)(class_end_for(size, k, &min) - min) * HEAD_COST > size / CAPHEAP_TLSF_CONTROL_SHARE) {
        k++;
    }
    return k;
}

/* The grain-aligned bounds [*lo, *hi) of the region's memory after its extra
 * bytes; false when that is empty. Each sum is checked before it is made: a
 * region at the top of the address space must not wrap around to address 0
 * (lo rounds up to at most hi, which is on the grain). */
static bool region_bounds(void *mem, size_t size, size_t extra, uintptr_t *lo, uintptr_t *hi) {
    uintptr_t base = (uintptr_t)mem;
    if (mem == NULL || size > UINTPTR_MAX - base || extra > size) {
        return false;
    }
    *hi = (base + size) & ~(uintptr_t)(W - 1);
    if (base + extra > *hi) {
        return false;
    }
    *lo = (base + extra + W - 1) & ~(uintptr_t)(W - 1);
    return *lo < *hi;
}

capheap_tlsf_t *capheap_tlsf_create(void *mem, size_t size, size_t extra, size_t least) {
    uintptr_t lo, hi;
    if (!region_bounds(mem, size, extra, &lo, &hi) || least > hi - lo) {
        return NULL;
    }
    size_t block = (least + H + W - 1) & ~(W - 1); /* least is below the region's size: no wrap */
    block = block < MIN_BLOCK ? MIN_BLOCK : block;
    unsigned min;
    unsigned k = choose_coarsen(hi - lo);
    unsigned end = class_end_for(hi - lo, k, &min);
    size_t nwords = BITMAP_WORDS(end);
    /* The control data's layout as offsets from lo (on the grain), measured
     * against the region before any address is formed from them. */
    size_t heads_at = (sizeof(capheap_tlsf_t) + nwords * sizeof(uint32_t) + W - 1) & ~(W - 1);
    size_t heads_size = (end - min) * sizeof(block_t *);
    if (H != W) {
        /* The heads end where the first block starts (which gives class_end),
         * H below a payload on the grain: the padding goes before them. */
        heads_at += (W - H - heads_size) & (W - 1);
    }
    size_t first_at = heads_at + heads_size;
    if (first_at >= hi - lo || hi - lo - first_at < block + H) {
        return NULL;
    }
    uintptr_t heads = lo + heads_at, first = lo + first_at;
    capheap_tlsf_t *t = (capheap_tlsf_t *)lo;
    capheap_block_fill(t, 0, first_at);
    t->heads = (block_t **)(heads - min * sizeof(block_t *));
    t->coarsen = (capheap_tlsf_small_t)k;
    t->class_min = (capheap_tlsf_small_t)min;
    t->payload0 = (uint8_t *)first + H;
    t->span = (size_t)(hi - H - first - H);
    block_at(blocks_end(t))->head = FLAG_PREV_FREE; /* the sentinel: size 0, used, after the free block */
    file_free(t, block_at((void *)first), (size_t)(hi - H - first));
    t->n.free_bytes = t->n.min_free_bytes = t->span;
    CAPHEAP_VERIFY_REGION(t);
    return t;
}

/* ---- allocation -------------------------------------------------------- */

/* Block size for a request, or 0 when it can never fit (this also catches
 * every size whose rounding would overflow: a region is far below SIZE_MAX). */
static inline size_t block_for(const capheap_tlsf_t *t, size_t size) {
    if (size - 1 >= t->span) {
        return 0; /* size 0 wraps around to SIZE_MAX; span is the largest payload */
    }
    size_t b = (size + H + W - 1) & ~(W - 1);
    return b < MIN_BLOCK ? MIN_BLOCK : b;
}

/* Takes off its list a free block of at least need bytes and returns it, or
 * NULL. The first non-empty class at or above need's own (O(1) by the bitmap)
 * serves when its first block fits, which any block of a higher class does;
 * else, in need's own class, its second block when that fits (a fit there
 * rather than a split of a larger block: fill 0.9242 -> 0.9265, and the
 * surfaceflinger trace's smallest region 1.0322 -> 1.0146 of peak live);
 * else the first block of the next non-empty class above. No other block is
 * examined, so the largest request served is the larger of the first two
 * blocks of the highest class, which capheap_tlsf_largest_free reads in O(1).
 * (Up to 8 blocks scanned only when no class above had one changed neither
 * figure, and made that query a walk.) Unlinking here, where the list is
 * known, costs less than in the callers: churn 237.9 -> 236.3 per pair. */
static CAPHEAP_ALWAYS_INLINE block_t *take_fit(capheap_tlsf_t *t, size_t need) {
    unsigned c = class_of(t, need);
    int cls = bitmap_find_from(t, c);
    if (cls < 0) {
        return NULL;
    }
    block_t *b = t->heads[cls];
    /* b's header is its size plus FLAG_FREE (B3 clears FLAG_PREV_FREE): as
     * need is a multiple of the grain, the flag does not change the test.
     * Only class c can fail it: a higher class holds larger blocks. */
    if (b->head < need) {
        block_t *second = b->next_free;
        if (second != NULL && second->head >= need) {
            block_t *third = second->next_free;
            b->next_free = third;
            if (third != NULL) {
                third->prev_free = b;
            }
            return second;
        }
        cls = bitmap_find_from(t, c + 1);
        if (cls < 0) {
            return NULL;
        }
        b = t->heads[cls];
    }
    list_pop(t, b, (unsigned)cls);
    return b;
}

static inline void note_watermark(capheap_tlsf_t *t) {
    if (t->n.free_bytes < t->n.min_free_bytes) {
        t->n.min_free_bytes = t->n.free_bytes;
    }
}

/* The free block b, taken off its list (take_fit), becomes a used block of
 * need bytes; the rest, when large enough for a block, stays free and is
 * filed first on the list of its class. The caller notes the watermark
 * (memalign gives bytes back first). */
static CAPHEAP_ALWAYS_INLINE void use_front(capheap_tlsf_t *t, block_t *b, size_t need) {
    CAPHEAP_ASSERT_AT(b, block_is_free(b) && block_size(b) >= need && need >= MIN_BLOCK && need % W == 0);
    size_t size = block_size(b);
    size_t rest = size - need;
    t->n.used_blocks++;
    if (rest >= MIN_BLOCK) {
        t->n.free_bytes -= need;
        b->head = need;
        file_free(t, block_at((uint8_t *)b + need), rest);
    } else {
        t->n.free_bytes -= size - H;
        b->head = size;
        block_next(b)->head &= ~FLAG_PREV_FREE;
    }
}

/* When the used block b and its free successor, if any, have need bytes
 * together, they become one free block off the lists, which is used from
 * its front as malloc uses one (use_front): need bytes, and the rest back
 * as a free block when it is enough for one; else false and nothing
 * changes. Shrinks and grows in place for realloc. The block after them
 * is used (B3): nothing coalesces. */
static bool resize_in_place(capheap_tlsf_t *t, block_t *b, size_t need) {
    CAPHEAP_ASSERT_AT(b, !block_is_free(b) && !block_prev_free(block_next(b)));
    block_t *next = block_next(b);
    size_t next_size = block_is_free(next) ? block_size(next) : 0;
    size_t size = block_size(b) + next_size;
    if (need > size) {
        return false;
    }
    size_t prev_free = b->head & FLAG_PREV_FREE; /* use_front writes a header without it */
    t->n.free_bytes += block_size(b) - H;       /* b's bytes, and a header when they merge */
    if (next_size != 0) {
        list_remove(t, next);
        t->n.free_bytes += H;
    }
    t->n.used_blocks--;
    b->head = size | FLAG_FREE;
    block_next(b)->head |= FLAG_PREV_FREE;
    use_front(t, b, need);
    b->head |= prev_free;
    note_watermark(t);
    return true;
}

void *capheap_tlsf_malloc(capheap_tlsf_t *t, size_t size) {
    /* One test passes every request whose rounded size is a block and fits
     * (span is at least MIN_BLOCK - H); block_for sorts out the others (size
     * 0 and wrapped sizes round below MIN_BLOCK). With the 16-byte grain on
     * 32-bit (MIN_BLOCK == W) they round up to MIN_BLOCK instead, and would
     * pass it: there block_for's own test of the size decides. */
    size_t need = (size + H + W - 1) & ~(W - 1);
    if (MIN_BLOCK == W ? size - 1 >= t->span : need - MIN_BLOCK > t->span - (MIN_BLOCK - H)) {
        need = block_for(t, size);
        if (need == 0) {
            return NULL;
        }
    }
    block_t *b = take_fit(t, need);
    if (b == NULL) {
        return NULL;
    }
    use_front(t, b, need);
    note_watermark(t);
    CAPHEAP_ASSERT_AT(b, block_size(b) - H >= size && ((uintptr_t)block_payload(b) & (W - 1)) == 0);
    CAPHEAP_VERIFY_REGION(t);
    return block_payload(b);
}

/* The free block b, taken off its list, becomes a free block of its first
 * gap bytes (none when gap is 0), a used block of need bytes, and a free
 * block of the rest when that is enough for one (else the used block keeps
 * it); returns the used block. b's neighbours are used (B3): no piece
 * coalesces, and the pieces are written where the free fill of
 * comprehensive poisoning expects block headers, links and footers, as
 * malloc's split writes them: the used block and the rest are malloc's own
 * split (use_front), one body for both (Cortex-M4 -Os: 28 bytes less).
 * (Before: the whole block used, then its front and its tail freed, each
 * through free_block; bench_caps esp32p4-dma, whose 64-byte lines make
 * every DMA request aligned, -m32, per pair: small 583.8 -> 517.8, churn
 * 595.9 -> 530.0. With use_front: small 487.3 -> 482.8, churn 498.3 ->
 * 493.0, the bench's figures of today.) */
static block_t *carve_aligned(capheap_tlsf_t *t, block_t *b, size_t gap, size_t need) {
    CAPHEAP_ASSERT_AT(b, block_is_free(b) && !block_prev_free(b) && block_size(b) - gap >= need);
    CAPHEAP_ASSERT_AT(b, (gap == 0 || gap >= MIN_BLOCK) && gap % W == 0 && need >= MIN_BLOCK && need % W == 0);
    if (gap == 0) {
        use_front(t, b, need);
        return b;
    }
    /* The gap is filed as a free block and the rest, a free block off the
     * lists (one header more: its bytes less H), is used from its front as
     * malloc uses a block; then its header says the gap before it is free. */
    block_t *used = block_at((uint8_t *)b + gap);
    used->head = (block_size(b) - gap) | FLAG_FREE;
    file_free(t, b, gap);
    t->n.free_bytes -= H;
    use_front(t, used, need);
    used->head |= FLAG_PREV_FREE;
    return used;
}

/* The front gap of an aligned block carved from b: up to the first payload
 * at offset from a multiple of align that leaves room for a free block
 * before it. */
static size_t front_gap(const block_t *b, size_t align, size_t offset) {
    size_t gap = (size_t)(0 - ((uintptr_t)block_payload(b) + offset)) & (align - 1);
    while (gap != 0 && gap < MIN_BLOCK) {
        gap += align;
    }
    return gap;
}

/* When no block has room for the worst front gap, one of the largest may
 * still have room for its own: the first two blocks of the highest class,
 * the blocks malloc's largest request comes from (capheap_tlsf_largest_free).
 * The first with need bytes after its gap; else NULL. A block of a lower
 * class, smaller, is not looked at: O(1). */
static block_t *top_aligned(const capheap_tlsf_t *t, size_t need, size_t align, size_t offset, size_t *most) {
    *most = 0; /* the most bytes any of them has after its gap: for capheap_tlsf_largest_aligned */
    block_t *b = capheap_tlsf_top_block(t);
    for (unsigned i = 0; i < 2 && b != NULL; i++, b = b->next_free) {
        size_t size = block_size(b), gap = front_gap(b, align, offset);
        if (gap <= size && size - gap >= MIN_BLOCK) {
            if (size - gap >= need) {
                return b;
            }
            *most = size - gap > *most ? size - gap : *most;
        }
    }
    return NULL;
}

size_t capheap_tlsf_largest_free_call(const capheap_tlsf_t *t) { return capheap_tlsf_largest_free_inline(t); }

static block_t *take_aligned_largest(capheap_tlsf_t *t, size_t need, size_t align, size_t offset) {
    size_t most;
    block_t *b = top_aligned(t, need, align, offset, &most);
    if (b != NULL) {
        list_remove(t, b);
    }
    return b;
}

void *capheap_tlsf_memalign(capheap_tlsf_t *t, size_t size, size_t align, size_t offset) {
    if (align == 0 || (align & (align - 1)) != 0) {
        return NULL;
    }
    offset &= align - 1;
    if (align <= W && offset == 0) {
        return capheap_tlsf_malloc(t, size);
    }
    if ((offset & (W - 1)) != 0) {
        return NULL; /* a block cannot start off the grain */
    }
    size_t need = block_for(t, size);
    /* Room for the worst front gap: less than align, plus a minimum block
     * when the gap would be too small to stand as a free block. No block is
     * larger than span + H, so a request whose worst gap cannot fit skips
     * the class search (whose bitmap covers only the classes of the region)
     * and is tried on the largest blocks with their own gaps. */
    size_t slack = align + MIN_BLOCK;
    block_t *b = NULL;
    if (need == 0) {
        return NULL;
    }
    if (slack <= t->span + H - need) {
        b = take_fit(t, need + slack);
    }
    if (b == NULL && (b = take_aligned_largest(t, need, align, offset)) == NULL) {
        return NULL;
    }
    b = carve_aligned(t, b, front_gap(b, align, offset), need);
    note_watermark(t);
    CAPHEAP_ASSERT_AT(b, (((uintptr_t)block_payload(b) + offset) & (align - 1)) == 0);
    CAPHEAP_VERIFY_REGION(t);
    return block_payload(b);
}

/* memalign's request of need bytes fits a block b of the highest class's
 * first two when need <= size - gap (take_aligned_largest). A request that
 * take_fit serves with the worst gap fits them too: the block it finds has
 * need + slack bytes, and is one of those two or smaller than the first. */
size_t capheap_tlsf_largest_aligned(const capheap_tlsf_t *t, size_t align, size_t offset) {
    if (align == 0 || (align & (align - 1)) != 0) {
        return 0;
    }
    offset &= align - 1;
    if ((offset & (W - 1)) != 0) {
        return 0; /* a block cannot start off the grain (at align <= W every gap is 0) */
    }
    size_t most;
    (void)top_aligned(t, SIZE_MAX, align, offset, &most); /* no block has SIZE_MAX bytes */
    return most != 0 ? most - H : 0;
}

/* ---- free and realloc -------------------------------------------------- */

/* Frees the live block b, coalescing with free neighbours (B3); returns the
 * free block it became part of. */
static CAPHEAP_ALWAYS_INLINE block_t *free_block(capheap_tlsf_t *t, block_t *b) {
    size_t head = b->head;
    size_t size = head & ~FLAGS;
    block_t *next = block_at((uint8_t *)b + size);
    size_t next_head = next->head;
    CAPHEAP_ASSERT_AT(b, !(head & FLAG_FREE) && size >= MIN_BLOCK && size % W == 0);
    CAPHEAP_ASSERT_AT(b, !(head & FLAG_PREV_FREE) || (block_is_free(block_prev(b)) && block_next(block_prev(b)) == b));
    t->n.free_bytes += size - H; /* free bytes won: b's, and a header per merge */
    if (head & FLAG_PREV_FREE) {
        b->head = head | FLAG_FREE; /* stays visible inside prev: a second free is caught */
        b = block_prev(b);
        list_remove(t, b);
        size += block_size(b);
        t->n.free_bytes += H;
    }
    if (next_head & FLAG_FREE) {
        list_remove(t, next);
        size += next_head & ~FLAGS;
        t->n.free_bytes += H;
    } else {
        next->head = next_head | FLAG_PREV_FREE;
    }
    b->head = size | FLAG_FREE;
    *block_footer(b) = size;
    list_insert(t, b, class_of(t, size));
    t->n.used_blocks--;
    CAPHEAP_ASSERT_AT(b, !block_is_free(block_next(b)) && (block_next(b)->head & FLAG_PREV_FREE));
    return b;
}

capheap_tlsf_span_t capheap_tlsf_free(capheap_tlsf_t *t, void *p) {
    block_t *b = free_block(t, block_of(p));
    CAPHEAP_VERIFY_REGION(t);
    return (capheap_tlsf_span_t){(uint8_t *)b, block_size(b)};
}

bool capheap_tlsf_resize(capheap_tlsf_t *t, void *p, size_t size) {
    size_t need = block_for(t, size);
    if (need == 0 || !resize_in_place(t, block_of(p), need)) {
        return false;
    }
    CAPHEAP_ASSERT_AT(p, block_size(block_of(p)) - H >= size);
    CAPHEAP_VERIFY_REGION(t);
    return true;
}

/* A size no block can hold fails the resize, then the malloc. */
void *capheap_tlsf_realloc(capheap_tlsf_t *t, void *p, size_t size) {
    if (capheap_tlsf_resize(t, p, size)) {
        return p;
    }
    block_t *b = block_of(p);
    void *moved = capheap_tlsf_malloc(t, size);
    if (moved != NULL) {
        capheap_block_copy(moved, p, block_size(b) - H);
        free_block(t, b);
        CAPHEAP_VERIFY_REGION(t);
    }
    return moved;
}

/* ---- queries ----------------------------------------------------------- */

/* Whether the neighbours of the used block b (at bytes above the first
 * block, size bytes long, inside the region) are what a free of b takes
 * them for: the block after b does not say it follows a free block and,
 * when free, has its size in its footer; the block before b, when b's
 * header says it is free, has the footer's size and a free header of that
 * size (B4). A header overwritten by an overrun of the block before it
 * (one byte changes the flags and the low bits of the size) is then
 * reported before the free merges with bytes that are no block and unlinks
 * what no list holds (a crash, or a corrupt heap). A wrong size that lands
 * on bytes reading as a used header is not seen here. The cost: churn
 * 236.3 -> 248.1 and small 204.7 -> 211.1 instructions per pair
 * (bench_workloads, -m32); on Cortex-M3, churn's free 78 -> 89 (median)
 * and 139 -> 160 (most) instructions (bench_churn, make bench-target). */
static inline bool neighbours_hold(const capheap_tlsf_t *t, const block_t *b, size_t at, size_t size) {
    const block_t *next = block_at((const uint8_t *)b + size);
    if (block_prev_free(next)) {
        return false;
    }
    if (block_is_free(next)) {
        size_t next_size = block_size(next);
        if (next_size < MIN_BLOCK || next_size > t->span + H - at - size || *block_footer(next) != next_size) {
            return false;
        }
    }
    if (block_prev_free(b)) {
        size_t prev_size = ((const size_t *)b)[-1];
        if (prev_size < MIN_BLOCK || (prev_size & (W - 1)) != 0 || prev_size > at ||
            block_at((const uint8_t *)b - prev_size)->head != (prev_size | FLAG_FREE)) {
            return false;
        }
    }
    return true;
}

static inline capheap_fault_t fault_of(const capheap_tlsf_t *t, const void *p) {
    uintptr_t a = (uintptr_t)p;
    size_t at = (size_t)(a - (uintptr_t)t->payload0); /* wraps below the first payload */
    if (at >= t->span) {
        return CAPHEAP_FAULT_OUTSIDE;
    }
    if ((a & (W - 1)) != 0) {
        return CAPHEAP_FAULT_MISALIGNED;
    }
    const block_t *b = block_of(p);
    if (block_is_free(b)) {
        return CAPHEAP_FAULT_DOUBLE_FREE;
    }
    size_t size = block_size(b);
    /* Off the grain (B1), the size is no block's, and following it would read
     * a misaligned header. */
    if (size < MIN_BLOCK || (size & (W - 1)) != 0 || size > t->span - at + H || !neighbours_hold(t, b, at, size)) {
        return CAPHEAP_FAULT_NOT_A_BLOCK;
    }
    return CAPHEAP_FAULT_NONE;
}

capheap_fault_t capheap_tlsf_validate(const capheap_tlsf_t *t, const void *p) { return fault_of(t, p); }

/* True when p is a live block; else reports what is wrong with it. */
static CAPHEAP_ALWAYS_INLINE bool free_allowed(const capheap_tlsf_t *t, void *p) {
    capheap_fault_t fault = fault_of(t, p);
    if (fault != CAPHEAP_FAULT_NONE) {
        if (p != NULL) { /* NULL is outside: tested only on this slow path */
            capheap_report_fault(p, fault);
        }
        return false;
    }
    return true;
}

void capheap_tlsf_free_checked(capheap_tlsf_t *t, void *p) {
    if (free_allowed(t, p)) {
        free_block(t, block_of(p));
        CAPHEAP_VERIFY_REGION(t);
    }
}

size_t capheap_tlsf_set_min_free(capheap_tlsf_t *t, size_t value) {
    size_t old = t->n.min_free_bytes;
    t->n.min_free_bytes = value < t->n.free_bytes ? value : t->n.free_bytes;
    return old;
}

size_t capheap_tlsf_usable_size(const void *p) { return block_size(block_of(p)) - H; }

/* Free blocks, counted on the lists: keeping a counter would cost every
 * malloc and free an update and the control data a word. Every head is
 * read, not only those the bitmap marks: 24 bytes less on Cortex-M4, and a
 * region has few heads (at most 1/CONTROL_SHARE of it: a few hundred in
 * the largest), which only get_info, a diagnostic, pays for. */
static size_t count_free_blocks(const capheap_tlsf_t *t) {
    size_t count = 0;
    for (unsigned c = t->class_min; c < class_end_of(t); c++) {
        for (const block_t *b = t->heads[c]; b != NULL; b = b->next_free) {
            count++;
        }
    }
    return count;
}

void capheap_tlsf_get_stats(const capheap_tlsf_t *t, capheap_tlsf_stats_t *out) {
    size_t free_blocks = count_free_blocks(t);
    size_t blocks = free_blocks + t->n.used_blocks;
    out->free_bytes = t->n.free_bytes;
    out->used_bytes = (size_t)(blocks_end(t) - blocks_first(t)) - blocks * H - t->n.free_bytes;
    out->free_blocks = free_blocks;
    out->used_blocks = t->n.used_blocks;
}


void capheap_tlsf_walk(const capheap_tlsf_t *t, capheap_tlsf_walker_t cb, void *user) {
    const block_t *b = block_at(blocks_first(t));
    const uint8_t *end = blocks_end(t); /* read once: the walker's calls make the compiler read t again */
    while ((const uint8_t *)b < end && block_size(b) != 0) {
        const block_t *next = block_next(b);
        if (!cb(block_payload(b), block_size(b) - H, !block_is_free(b), user)) {
            return;
        }
        b = next;
    }
}

/* ---- the invariant check ----------------------------------------------- */

typedef struct {
    capheap_tlsf_fault_t fault;
    void *user;
    bool ok;
} check_t;

/* What the check reports: the texts in the order of the enum, each ended by
 * its NUL (a call site passes a small number, not an address). */
enum { BAD_SIZE, BAD_PREV_FLAG, FREE_NEIGHBOURS, BAD_FOOTER, BAD_SENTINEL, BAD_COUNTERS, BAD_BITMAP, LIST_ESCAPES,
       BAD_LIST_ENTRY, NOT_LISTED };
static const char check_texts[] = "block size (B1)\0"
                                  "previous-free flag (B2)\0"
                                  "free neighbours (B3)\0"
                                  "footer (B4)\0"
                                  "sentinel (C3)\0"
                                  "counters (C2)\0"
                                  "bitmap (C1)\0"
                                  "list leaves the heap or loops (B5)\0"
                                  "list entry (B5, C4)\0"
                                  "free blocks on lists (B5)";

static void fail(check_t *ck, const void *addr, unsigned what) {
    const char *text = check_texts;
    for (; what > 0; what--) {
        while (*text++ != '\0') {
        }
    }
    ck->ok = false;
    if (ck->fault != NULL) {
        ck->fault(addr, text, ck->user);
    }
}

/* One comparison: the distance wraps for an address below the first block. */
/* Whether a list's link p may be a free block: on the grain and with room
 * for a minimum block before the sentinel, so that its fields can be read
 * (a misaligned read faults on cores such as the Cortex-M0+). */
static bool in_blocks(const capheap_tlsf_t *t, const void *p) {
    size_t at = (size_t)((uintptr_t)p - (uintptr_t)blocks_first(t));
    return at <= t->span + H - MIN_BLOCK && (at & (W - 1)) == 0;
}

/* B1-B4, C2 and C3 by one walk in address order; returns the free-block
 * count (0 when the tiling is broken, which makes the list check moot). */
static size_t check_blocks(const capheap_tlsf_t *t, check_t *ck) {
    size_t free_blocks = 0, used_blocks = 0, free_bytes = 0;
    size_t prev_free = 0; /* FLAG_PREV_FREE when the block before is free */
    const uint8_t *end = blocks_end(t);
    const block_t *b = block_at(blocks_first(t));
    for (; (const uint8_t *)b != end; b = block_next(b)) {
        size_t head = b->head, size = head & ~FLAGS;
        if (size < MIN_BLOCK || (size & (W - 1)) != 0 || size > (size_t)(end - (const uint8_t *)b)) {
            fail(ck, b, BAD_SIZE);
            return 0; /* the next block cannot be found */
        }
        if ((head & FLAG_PREV_FREE) != prev_free) {
            fail(ck, b, BAD_PREV_FLAG);
        }
        if (head & FLAG_FREE) {
            if (prev_free) {
                fail(ck, b, FREE_NEIGHBOURS);
            }
            if (*block_footer(b) != size) {
                fail(ck, b, BAD_FOOTER);
            }
            free_blocks++;
            free_bytes += size - H;
        } else {
            used_blocks++;
        }
        prev_free = (head & FLAG_FREE) * FLAG_PREV_FREE;
    }
    if (b->head != prev_free) { /* size 0, used, and B2 */
        fail(ck, b, BAD_SENTINEL);
    }
    if (used_blocks != t->n.used_blocks || free_bytes != t->n.free_bytes ||
        t->n.min_free_bytes > free_bytes) {
        fail(ck, t, BAD_COUNTERS);
    }
    return free_blocks;
}

/* B5, C1 and C4, over every bit of the bitmap words: a bit is set only for a
 * class with a non-empty list; each list holds free blocks of its class,
 * linked back, without cycles; the lists together hold as many blocks as the
 * walk found free, so each free block is on exactly one list. */
static void check_lists(const capheap_tlsf_t *t, check_t *ck, size_t free_blocks) {
    size_t listed = 0;
    unsigned class_end = class_end_of(t);
    uint32_t summary = 0;
    for (unsigned c = 0; c < BITMAP_WORDS(class_end) * 32u; c++) {
        bool bit = (t->bitmap[c >> 5] >> (c & 31u)) & 1u;
        summary |= (uint32_t)bit << (c >> 5);
        if (c < t->class_min || c >= class_end) {
            if (bit) {
                fail(ck, &t->bitmap[c >> 5], BAD_BITMAP);
            }
            continue;
        }
        const block_t *b = t->heads[c];
        if (bit != (b != NULL)) {
            fail(ck, &t->heads[c], BAD_BITMAP);
        }
        for (const block_t *prev = anchor(t, c); b != NULL; prev = b, b = b->next_free) {
            if (!in_blocks(t, b) || listed++ > free_blocks) {
                fail(ck, b, LIST_ESCAPES);
                return;
            }
            if (!block_is_free(b) || class_of(t, block_size(b)) != c || b->prev_free != prev) {
                fail(ck, b, BAD_LIST_ENTRY);
            }
        }
    }
    if (listed != free_blocks) {
        fail(ck, t, NOT_LISTED);
    }
    if (summary != t->summary) {
        fail(ck, &t->summary, BAD_BITMAP);
    }
}

bool capheap_tlsf_check(const capheap_tlsf_t *t, capheap_tlsf_fault_t fault, void *user) {
    check_t ck = {fault, user, true};
    size_t free_blocks = check_blocks(t, &ck);
    if (ck.ok) {
        check_lists(t, &ck, free_blocks);
    }
    return ck.ok;
}
