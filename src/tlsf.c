/*
 * tlsf.c: the region allocator (see tlsf.h).
 *
 * Layout of a region (addresses grow to the right):
 *
 *   [extra][struct capheap_tlsf][bitmap words][heads][block][block]...[sentinel]
 *
 * A block is a header word (size | flags) and its payload. A free block keeps
 * its two free-list links at the start of its payload and a copy of its size in
 * its last word, so that the block after it can find it when it is freed: a used
 * block pays only its header.
 *
 * Size classes: a block size b maps to a class with (1 << sl_log2) classes per
 * power of two, exact classes (one per grain) below that, like TLSF's first and
 * second level folded into one index. sl_log2 is chosen per region so that the
 * list heads cost at most about 1/128 of it: an 8 KiB heap does not pay for the
 * class resolution a 4 MiB one needs. A two-level bitmap (one summary word over
 * up to 32 words of class bits) finds the first non-empty class at or above an
 * index in constant time.
 */
#include "tlsf.h"

#include <string.h>

#include "bitops.h"

#define W           CAPHEAP_TLSF_GRAIN
#define W_LOG2      (W == 8 ? 3u : 2u)
#define MIN_BLOCK   CAPHEAP_TLSF_MIN_BLOCK
#define FIT_SCAN    CAPHEAP_TLSF_FIT_SCAN

#define FLAG_FREE      ((size_t)1) /* this block is free */
#define FLAG_PREV_FREE ((size_t)2) /* the block just before this one is free */
#define FLAGS          (FLAG_FREE | FLAG_PREV_FREE)

/* Heads of all classes cost at most region / CONTROL_SHARE bytes. */
#ifndef CAPHEAP_TLSF_CONTROL_SHARE
#define CAPHEAP_TLSF_CONTROL_SHARE 128
#endif
#define SL_LOG2_MAX 4u
#define MAX_CLASSES 1024u /* 32 bitmap words under one 32-bit summary */

/*
 * A block. Invariants (capheap_tlsf_check verifies each):
 *  B1 size is a multiple of W and at least MIN_BLOCK; only the sentinel has
 *     size 0, and it is used and ends the region exactly.
 *  B2 FLAG_PREV_FREE of a block equals FLAG_FREE of the block before it; the
 *     first block has it clear.
 *  B3 no two neighbours are both free (free blocks are always coalesced).
 *  B4 the last word of a free block holds its size.
 *  B5 a free block is on the list of class_of(size), exactly once; used blocks
 *     are on no list.
 */
typedef struct block {
    size_t head;              /* size | FLAG_* */
    struct block *next_free;  /* free blocks only: list links */
    struct block *prev_free;
} block_t;

/*
 * The control data. Invariants:
 *  C1 bit c of bitmap is set iff heads[c] != NULL; bit w of summary is set iff
 *     bitmap[w] != 0; no bit at or above nclasses is set.
 *  C2 free_bytes is the sum of (size - W) over free blocks; free_blocks and
 *     used_blocks count the blocks (the sentinel excluded).
 *  C3 the blocks tile [first, end) exactly; end holds the sentinel.
 */
struct capheap_tlsf {
    uint8_t *end;         /* header of the sentinel */
    block_t **heads;      /* nclasses list heads; the blocks start right after */
    size_t free_bytes;
    size_t free_blocks;
    size_t used_blocks;
    uint16_t nclasses;
    uint8_t sl_log2;      /* log2 of the classes per power of two */
    uint8_t bias;         /* raw class index of MIN_BLOCK (classes start there) */
    uint32_t summary;
    uint32_t bitmap[];    /* (nclasses + 31) / 32 words */
};

/* ---- block helpers ----------------------------------------------------- */

static inline size_t block_size(const block_t *b) { return b->head & ~FLAGS; }
static inline bool block_is_free(const block_t *b) { return (b->head & FLAG_FREE) != 0; }
static inline bool block_prev_free(const block_t *b) { return (b->head & FLAG_PREV_FREE) != 0; }
static inline uint8_t *block_payload(const block_t *b) { return (uint8_t *)b + W; }
static inline block_t *block_of(const void *payload) { return (block_t *)((uint8_t *)payload - W); }
static inline block_t *block_at(const void *addr) { return (block_t *)(uintptr_t)addr; }
static inline block_t *block_next(const block_t *b) { return block_at((const uint8_t *)b + block_size(b)); }
static inline size_t *block_footer(const block_t *b) { return (size_t *)((uint8_t *)b + block_size(b)) - 1; }
static inline uint8_t *blocks_first(const capheap_tlsf_t *t) { return (uint8_t *)(t->heads + t->nclasses); }

/* The block before b, valid only when b has FLAG_PREV_FREE (B4 gives its size). */
static inline block_t *block_prev(const block_t *b) {
    size_t prev_size = ((const size_t *)b)[-1];
    return block_at((const uint8_t *)b - prev_size);
}

/* ---- size classes ------------------------------------------------------ */

/* Raw class of block size b for sl_log2 s, and the bits of b below the class
 * step (nonzero when b is not the smallest size of its class). */
static inline unsigned raw_class(size_t b, unsigned s, size_t *below_step) {
    unsigned fl = capheap_msb(b);
    unsigned shift = fl > s + W_LOG2 ? fl - s : W_LOG2;
    *below_step = b & (((size_t)1 << shift) - 1);
    return ((shift - W_LOG2) << s) + (unsigned)(b >> shift);
}

static inline unsigned class_of(const capheap_tlsf_t *t, size_t b) {
    size_t below;
    return raw_class(b, t->sl_log2, &below) - t->bias;
}

/* ---- bitmap ------------------------------------------------------------ */

static inline void bitmap_set(capheap_tlsf_t *t, unsigned c) {
    t->bitmap[c >> 5] |= 1u << (c & 31);
    t->summary |= 1u << (c >> 5);
}

static inline void bitmap_clear(capheap_tlsf_t *t, unsigned c) {
    uint32_t w = t->bitmap[c >> 5] &= ~(1u << (c & 31));
    if (w == 0) {
        t->summary &= ~(1u << (c >> 5));
    }
}

/* First non-empty class at or above c, or -1. c may be nclasses. */
static inline int bitmap_find_from(const capheap_tlsf_t *t, unsigned c) {
    unsigned w = c >> 5;
    if (c < t->nclasses) {
        uint32_t bits = t->bitmap[w] & (~0u << (c & 31));
        if (bits != 0) {
            return (int)((w << 5) + capheap_ctz32(bits));
        }
    }
    uint32_t words = w >= 31 ? 0 : t->summary & (~0u << (w + 1));
    if (words == 0) {
        return -1;
    }
    w = capheap_ctz32(words);
    return (int)((w << 5) + capheap_ctz32(t->bitmap[w]));
}

/* ---- free lists -------------------------------------------------------- */

static inline void list_insert(capheap_tlsf_t *t, block_t *b, unsigned c) {
    block_t *h = t->heads[c];
    b->next_free = h;
    b->prev_free = NULL;
    if (h != NULL) {
        h->prev_free = b;
    } else {
        bitmap_set(t, c);
    }
    t->heads[c] = b;
}

static inline void list_remove(capheap_tlsf_t *t, block_t *b, unsigned c) {
    block_t *next = b->next_free;
    block_t *prev = b->prev_free;
    if (next != NULL) {
        next->prev_free = prev;
    }
    if (prev != NULL) {
        prev->next_free = next;
    } else {
        t->heads[c] = next;
        if (next == NULL) {
            bitmap_clear(t, c);
        }
    }
}

/* Marks b (size bytes, previous block used) free and files it. */
static inline void make_free(capheap_tlsf_t *t, block_t *b, size_t size) {
    b->head = size | FLAG_FREE;
    *block_footer(b) = size;
    block_next(b)->head |= FLAG_PREV_FREE;
    list_insert(t, b, class_of(t, size));
}

/* ---- creation ---------------------------------------------------------- */

static unsigned classes_for(size_t max_block, unsigned s, unsigned *bias) {
    size_t below;
    *bias = raw_class(MIN_BLOCK, s, &below);
    return raw_class(max_block, s, &below) + 1 - *bias;
}

static unsigned choose_sl_log2(size_t size) {
    unsigned s = SL_LOG2_MAX, bias;
    while (s > 0 && (size_t)classes_for(size, s, &bias) * W > size / CAPHEAP_TLSF_CONTROL_SHARE) {
        s--;
    }
    return s;
}

capheap_tlsf_t *capheap_tlsf_create(void *mem, size_t size, size_t extra) {
    uintptr_t lo = ((uintptr_t)mem + extra + W - 1) & ~(uintptr_t)(W - 1);
    uintptr_t hi = ((uintptr_t)mem + size) & ~(uintptr_t)(W - 1);
    if (mem == NULL || (uintptr_t)mem + size < (uintptr_t)mem || hi <= lo) {
        return NULL;
    }
    unsigned bias;
    unsigned s = choose_sl_log2(hi - lo);
    unsigned nclasses = classes_for(hi - lo, s, &bias);
    size_t nwords = (nclasses + 31) / 32;
    uintptr_t heads = lo + sizeof(capheap_tlsf_t) + nwords * sizeof(uint32_t);
    heads = (heads + W - 1) & ~(uintptr_t)(W - 1);
    uintptr_t first = heads + nclasses * sizeof(block_t *);
    if (nclasses > MAX_CLASSES || first >= hi || hi - first < MIN_BLOCK + W) {
        return NULL;
    }
    capheap_tlsf_t *t = (capheap_tlsf_t *)lo;
    memset(t, 0, first - lo);
    t->heads = (block_t **)heads;
    t->nclasses = (uint16_t)nclasses;
    t->sl_log2 = (uint8_t)s;
    t->bias = (uint8_t)bias;
    t->end = (uint8_t *)(hi - W);
    block_at(t->end)->head = 0; /* the sentinel: size 0, used */
    size_t block = (size_t)(hi - W - first);
    make_free(t, block_at((void *)first), block);
    t->free_bytes = block - W;
    t->free_blocks = 1;
    return t;
}

/* ---- allocation -------------------------------------------------------- */

/* Block size for a request, or 0 when it can never fit (this also catches
 * every size whose rounding would overflow). */
static inline size_t block_for(const capheap_tlsf_t *t, size_t size) {
    if (size == 0 || size > (size_t)(t->end - blocks_first(t))) {
        return 0;
    }
    size_t b = (size + W + W - 1) & ~(W - 1);
    return b < MIN_BLOCK ? MIN_BLOCK : b;
}

/* The good-fit search failed: look at the first FIT_SCAN blocks of the
 * request's own class for one that is large enough anyway. */
static block_t *scan_own_class(const capheap_tlsf_t *t, unsigned c, size_t need) {
    if (c >= t->nclasses) {
        return NULL;
    }
    block_t *b = t->heads[c];
    for (unsigned i = 0; b != NULL && i < FIT_SCAN; i++, b = b->next_free) {
        if (block_size(b) >= need) {
            return b;
        }
    }
    return NULL;
}

/* Finds a free block of at least need bytes and takes it off its list. */
static block_t *take_fit(capheap_tlsf_t *t, size_t need) {
    size_t below;
    unsigned c = raw_class(need, t->sl_log2, &below) - t->bias;
    int found = bitmap_find_from(t, c + (below != 0));
    block_t *b;
    if (found >= 0) {
        b = t->heads[found];
        c = (unsigned)found;
    } else {
        b = below != 0 ? scan_own_class(t, c, need) : NULL;
        if (b == NULL) {
            return NULL;
        }
    }
    list_remove(t, b, c);
    t->free_blocks--;
    t->free_bytes -= block_size(b) - W;
    return b;
}

/* b is taken (off its list, counted as used by the caller); gives back what is
 * beyond need as a free block when it is large enough to be one. */
static inline void trim_tail(capheap_tlsf_t *t, block_t *b, size_t need) {
    size_t size = block_size(b);
    if (size - need >= MIN_BLOCK) {
        block_t *rest = block_at((uint8_t *)b + need);
        b->head = need | (b->head & FLAG_PREV_FREE);
        make_free(t, rest, size - need);
        t->free_blocks++;
        t->free_bytes += size - need - W;
    } else {
        block_next(b)->head &= ~FLAG_PREV_FREE;
    }
}

void *capheap_tlsf_malloc(capheap_tlsf_t *t, size_t size) {
    size_t need = block_for(t, size);
    if (need == 0) {
        return NULL;
    }
    block_t *b = take_fit(t, need);
    if (b == NULL) {
        return NULL;
    }
    b->head &= ~FLAG_FREE;
    trim_tail(t, b, need);
    t->used_blocks++;
    return block_payload(b);
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
     * when the gap would be too small to stand as a free block. */
    size_t slack = align + MIN_BLOCK;
    if (need == 0 || need > SIZE_MAX - slack) {
        return NULL;
    }
    block_t *b = take_fit(t, need + slack);
    if (b == NULL) {
        return NULL;
    }
    uintptr_t payload = (uintptr_t)block_payload(b);
    uintptr_t aligned = ((payload + offset + align - 1) & ~(uintptr_t)(align - 1)) - offset;
    while (aligned != payload && aligned - payload < MIN_BLOCK) {
        aligned += align;
    }
    if (aligned != payload) {
        /* The front gap becomes a free block of its own. */
        size_t gap = aligned - payload;
        block_t *front = b;
        b = block_at((uint8_t *)b + gap);
        b->head = (block_size(front) - gap) | FLAG_PREV_FREE;
        make_free(t, front, gap);
        t->free_blocks++;
        t->free_bytes += gap - W;
    } else {
        b->head &= ~FLAG_FREE;
    }
    trim_tail(t, b, need);
    t->used_blocks++;
    return block_payload(b);
}

/* ---- free and realloc -------------------------------------------------- */

capheap_tlsf_span_t capheap_tlsf_free(capheap_tlsf_t *t, void *p) {
    block_t *b = block_of(p);
    size_t size = block_size(b);
    block_t *next = block_next(b);
    t->used_blocks--;
    t->free_blocks++;
    t->free_bytes += size - W;
    b->head |= FLAG_FREE; /* stays visible if b is absorbed: a second free is caught */
    if (block_is_free(next)) {
        size_t next_size = block_size(next);
        list_remove(t, next, class_of(t, next_size));
        size += next_size;
        t->free_blocks--;
        t->free_bytes += W;
    }
    if (block_prev_free(b)) {
        block_t *prev = block_prev(b);
        size_t prev_size = block_size(prev);
        list_remove(t, prev, class_of(t, prev_size));
        size += prev_size;
        b = prev;
        t->free_blocks--;
        t->free_bytes += W;
    }
    make_free(t, b, size);
    return (capheap_tlsf_span_t){(uint8_t *)b, size};
}

/* Grows b in place into its free successor when that gives need bytes. */
static bool grow_in_place(capheap_tlsf_t *t, block_t *b, size_t need) {
    size_t size = block_size(b);
    block_t *next = block_next(b);
    if (!block_is_free(next) || size + block_size(next) < need) {
        return false;
    }
    size_t next_size = block_size(next);
    list_remove(t, next, class_of(t, next_size));
    t->free_blocks--;
    t->free_bytes -= next_size - W;
    b->head += next_size;
    trim_tail(t, b, need);
    return true;
}

/* Shrinks b to need bytes; the tail joins a free successor. */
static void shrink_in_place(capheap_tlsf_t *t, block_t *b, size_t need) {
    size_t size = block_size(b);
    block_t *next = block_next(b);
    size_t tail = size - need;
    if (block_is_free(next)) {
        size_t next_size = block_size(next);
        list_remove(t, next, class_of(t, next_size));
        t->free_bytes += tail;
        b->head -= tail;
        make_free(t, block_at((uint8_t *)b + need), tail + next_size);
    } else if (tail >= MIN_BLOCK) {
        b->head -= tail;
        make_free(t, block_at((uint8_t *)b + need), tail);
        t->free_blocks++;
        t->free_bytes += tail - W;
    }
}

void *capheap_tlsf_realloc(capheap_tlsf_t *t, void *p, size_t size) {
    size_t need = block_for(t, size);
    if (need == 0) {
        return NULL;
    }
    block_t *b = block_of(p);
    size_t have = block_size(b);
    if (need <= have) {
        shrink_in_place(t, b, need);
        return p;
    }
    if (grow_in_place(t, b, need)) {
        return p;
    }
    void *moved = capheap_tlsf_malloc(t, size);
    if (moved != NULL) {
        memcpy(moved, p, have - W);
        capheap_tlsf_free(t, p);
    }
    return moved;
}

/* ---- queries ----------------------------------------------------------- */

const char *capheap_tlsf_validate(const capheap_tlsf_t *t, const void *p) {
    uintptr_t a = (uintptr_t)p;
    if (a < (uintptr_t)blocks_first(t) + W || a >= (uintptr_t)t->end) {
        return "pointer outside the heap";
    }
    if ((a & (W - 1)) != 0) {
        return "misaligned pointer";
    }
    const block_t *b = block_of(p);
    if (block_is_free(b)) {
        return "double free (block already free)";
    }
    size_t size = block_size(b);
    if (size < MIN_BLOCK || size > (size_t)(t->end - (const uint8_t *)b)) {
        return "not a block (bad header)";
    }
    if (block_prev_free(block_next(b))) {
        return "not a block (neighbour disagrees)";
    }
    return NULL;
}

size_t capheap_tlsf_usable_size(const void *p) { return block_size(block_of(p)) - W; }

size_t capheap_tlsf_largest_free(const capheap_tlsf_t *t) {
    if (t->summary == 0) {
        return 0;
    }
    unsigned w = capheap_msb(t->summary);
    unsigned c = (w << 5) + capheap_msb(t->bitmap[w]);
    /* Requests of a lower class find this one by the bitmap; requests of this
     * class see the first FIT_SCAN blocks of its list, the largest of which is
     * therefore the exact limit. */
    size_t best = 0;
    const block_t *b = t->heads[c];
    for (unsigned i = 0; b != NULL && i < FIT_SCAN; i++, b = b->next_free) {
        if (block_size(b) > best) {
            best = block_size(b);
        }
    }
    return best - W;
}

void capheap_tlsf_get_stats(const capheap_tlsf_t *t, capheap_tlsf_stats_t *out) {
    size_t blocks = t->free_blocks + t->used_blocks;
    out->free_bytes = t->free_bytes;
    out->used_bytes = (size_t)(t->end - blocks_first(t)) - blocks * W - t->free_bytes;
    out->free_blocks = t->free_blocks;
    out->used_blocks = t->used_blocks;
}

size_t capheap_tlsf_free_bytes(const capheap_tlsf_t *t) { return t->free_bytes; }
uint8_t *capheap_tlsf_blocks_begin(const capheap_tlsf_t *t) { return blocks_first(t); }
uint8_t *capheap_tlsf_blocks_end(const capheap_tlsf_t *t) { return t->end; }
size_t capheap_tlsf_overhead(const capheap_tlsf_t *t) {
    return (size_t)(blocks_first(t) - (const uint8_t *)t) + W;
}

void capheap_tlsf_walk(const capheap_tlsf_t *t, capheap_tlsf_walker_t cb, void *user) {
    const block_t *b = block_at(blocks_first(t));
    while ((const uint8_t *)b < t->end && block_size(b) != 0) {
        const block_t *next = block_next(b);
        if (!cb(block_payload(b), block_size(b) - W, !block_is_free(b), user)) {
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

static void fail(check_t *ck, const void *addr, const char *what) {
    ck->ok = false;
    if (ck->fault != NULL) {
        ck->fault(addr, what, ck->user);
    }
}

static bool in_blocks(const capheap_tlsf_t *t, const void *p) {
    return (const uint8_t *)p >= blocks_first(t) && (const uint8_t *)p < t->end;
}

/* B1-B4 and C2-C3 by one walk in address order; returns the free-block count
 * (0 when the tiling is broken, which makes the list check moot). */
static size_t check_blocks(const capheap_tlsf_t *t, check_t *ck) {
    size_t free_blocks = 0, used_blocks = 0, free_bytes = 0;
    bool prev_free = false;
    const block_t *b = block_at(blocks_first(t));
    while ((const uint8_t *)b < t->end) {
        size_t size = block_size(b);
        if (size < MIN_BLOCK || (size & (W - 1)) != 0 || size > (size_t)(t->end - (const uint8_t *)b)) {
            fail(ck, b, "block size out of range (B1)");
            return 0;
        }
        if (block_prev_free(b) != prev_free) {
            fail(ck, b, "previous-free flag disagrees with the previous block (B2)");
        }
        if (block_is_free(b)) {
            if (prev_free) {
                fail(ck, b, "two free neighbours (B3)");
            }
            if (*block_footer(b) != size) {
                fail(ck, b, "free block footer differs from its size (B4)");
            }
            free_blocks++;
            free_bytes += size - W;
        } else {
            used_blocks++;
        }
        prev_free = block_is_free(b);
        b = block_next(b);
    }
    if ((const uint8_t *)b != t->end || block_size(b) != 0 || block_is_free(b) || block_prev_free(b) != prev_free) {
        fail(ck, b, "blocks do not end at the sentinel (C3)");
    }
    if (free_blocks != t->free_blocks || used_blocks != t->used_blocks || free_bytes != t->free_bytes) {
        fail(ck, t, "counters differ from the blocks (C2)");
    }
    return free_blocks;
}

/* B5 and C1: every list holds free blocks of its class, doubly linked, without
 * cycles; the lists together hold as many blocks as the walk found free, so
 * each free block is on exactly one list. */
static void check_lists(const capheap_tlsf_t *t, check_t *ck, size_t free_blocks) {
    size_t listed = 0;
    for (unsigned c = 0; c < t->nclasses; c++) {
        bool bit = (t->bitmap[c >> 5] >> (c & 31)) & 1u;
        if (bit != (t->heads[c] != NULL)) {
            fail(ck, &t->heads[c], "bitmap bit disagrees with its list (C1)");
        }
        const block_t *prev = NULL;
        for (const block_t *b = t->heads[c]; b != NULL; prev = b, b = b->next_free) {
            if (!in_blocks(t, b) || listed++ > free_blocks) {
                fail(ck, b, "free list leaves the heap or loops (B5)");
                return;
            }
            if (!block_is_free(b) || class_of(t, block_size(b)) != c || b->prev_free != prev) {
                fail(ck, b, "listed block is not free, of another class, or badly linked (B5)");
            }
        }
    }
    if (listed != free_blocks) {
        fail(ck, t, "free lists do not hold every free block once (B5)");
    }
    unsigned nwords = (t->nclasses + 31u) / 32u;
    for (unsigned w = 0; w < 32; w++) {
        bool word_set = w < nwords && t->bitmap[w] != 0;
        if (((t->summary >> w) & 1u) != word_set) {
            fail(ck, &t->summary, "summary bit disagrees with its bitmap word (C1)");
        }
    }
    if ((t->nclasses & 31u) != 0 && (t->bitmap[nwords - 1] >> (t->nclasses & 31u)) != 0) {
        fail(ck, &t->bitmap[nwords - 1], "bitmap bit set beyond the last class (C1)");
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
