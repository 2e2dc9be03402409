/*
 * tlsf.h (private): the region allocator, layer 1 of DESIGN.md.
 *
 * A two-level segregated fit allocator over one contiguous region, written from
 * the published algorithm (Masmano et al., "TLSF: a new dynamic memory allocator
 * for real-time systems", ECRTS 2004). No locks, no statistics beyond what the
 * structure needs, no output, no malloc.
 *
 * Sizes here are in bytes. A "block" is a header word followed by its payload;
 * the pointers that cross this interface are payload addresses. Every block
 * size and payload address is a multiple of CAPHEAP_TLSF_GRAIN; a block starts
 * CAPHEAP_TLSF_HEADER bytes before its payload.
 */
#ifndef CAPHEAP_TLSF_H
#define CAPHEAP_TLSF_H

#include "internal.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capheap/config.h"
#include "fault.h"

/** Granularity of block sizes and payload addresses (capheap/config.h). */
#define CAPHEAP_TLSF_GRAIN ((size_t)(CAPHEAP_GRAIN))

/** Size of a block header: one size_t, whatever the grain. */
#define CAPHEAP_TLSF_HEADER sizeof(size_t)

/** Smallest block: header, two free-list links and the size footer of a free
 *  block (a multiple of the grain, checked in tlsf.c). */
#define CAPHEAP_TLSF_MIN_BLOCK (4 * CAPHEAP_TLSF_HEADER)

/*
 * The grain is the header size (4 or 8 bytes), or a larger power of two up to
 * 16 (CAPHEAP_GRAIN=8 or 16 on a 32-bit build, 16 on a 64-bit one). Then a
 * block does not start on the grain: its header is the H bytes just below a
 * W-aligned payload, so every block starts at W*k + W - H and the region's
 * blocks are shifted by W - H as a whole (capheap_tlsf_create places the
 * first; sizes, multiples of W, keep the rest there). Chosen over a header
 * slot of W bytes, whose first words would lie unused: a used block still
 * pays one size_t of header, and the invariants below and the checker keep
 * their form (sizes are multiples of the grain, the footer is the last
 * size_t, the sentinel's header is the last word of the region); only the
 * header size and the grain are two constants, equal in the default builds.
 * The grain stays at most MIN_BLOCK (4 H), so a minimum block is a multiple
 * of it: 16 on 32-bit, where the smallest block is one grain.
 */
_Static_assert(CAPHEAP_TLSF_GRAIN == CAPHEAP_TLSF_HEADER ||
                   ((CAPHEAP_TLSF_GRAIN == 8 || CAPHEAP_TLSF_GRAIN == 16) && CAPHEAP_TLSF_GRAIN > CAPHEAP_TLSF_HEADER),
               "CAPHEAP_GRAIN must be sizeof(size_t), 8 on a 32-bit build, or 16");
_Static_assert(sizeof(void *) == sizeof(size_t), "a free-list link is one size_t word");

typedef struct capheap_tlsf capheap_tlsf_t;

/** Counters kept exact by every operation. */
typedef struct {
    size_t free_bytes;     /**< sum of usable bytes of free blocks */
    size_t min_free_bytes; /**< lowest free_bytes since create or the last reset */
    size_t used_blocks;    /**< (free blocks are counted on demand: capheap_tlsf_get_stats) */
} capheap_tlsf_counters_t;

/** The start of the control data, which the layer above reads and writes
 *  without a call. The control data starts at the address create returns. */
typedef struct {
    void *user;                /**< the caller's word, NULL after create; never read here
                                    (multi_heap keeps its lock in it) */
    size_t user_hint;          /**< a second word of the caller's, 0 after create; never
                                    read here (multi_heap's fail floor) */
    capheap_tlsf_counters_t n; /**< read only */
} capheap_tlsf_shared_t;

static inline capheap_tlsf_shared_t *capheap_tlsf_shared(capheap_tlsf_t *t) { return (capheap_tlsf_shared_t *)(void *)t; }

static inline const capheap_tlsf_counters_t *capheap_tlsf_counters(const capheap_tlsf_t *t) {
    return &((const capheap_tlsf_shared_t *)(const void *)t)->n;
}

static inline size_t capheap_tlsf_free_bytes(const capheap_tlsf_t *t) { return capheap_tlsf_counters(t)->free_bytes; }

/*
 * The layout of a block and of the control data is here so that the largest
 * request can be read inline (capheap_tlsf_largest_free, below); only tlsf.c
 * writes them. Below, W is the grain, H the header size (CAPHEAP_TLSF_HEADER,
 * sizeof(size_t): W in the default builds, less with a larger grain) and
 * MIN_BLOCK CAPHEAP_TLSF_MIN_BLOCK.
 *
 * A block. Invariants (capheap_tlsf_check verifies each):
 *  B1 size is a multiple of W and at least MIN_BLOCK; only the sentinel has
 *     size 0, and it is used and ends the region exactly (the blocks start
 *     at payload0 - H, payload0 a multiple of W: every payload is on W).
 *  B2 FLAG_PREV_FREE of a block equals FLAG_FREE of the block before it; the
 *     first block has it clear.
 *  B3 no two neighbours are both free (free blocks are always coalesced).
 *  B4 the last word of a free block holds its size.
 *  B5 a free block is on the list of class_of(size), exactly once; used blocks
 *     are on no list.
 */
typedef struct capheap_tlsf_block {
    size_t head;                          /* size | FLAG_* (tlsf.c) */
    struct capheap_tlsf_block *next_free; /* free blocks only: list links */
    struct capheap_tlsf_block *prev_free;
} capheap_tlsf_block_t;

/*
 * The control data. Invariants:
 *  C1 for class_min <= c < class_end, bit c of bitmap is set iff heads[c] !=
 *     NULL; bit w of summary is set iff bitmap[w] != 0; no other bit is set.
 *  C2 n.free_bytes is the sum of (size - H) over free blocks; n.used_blocks
 *     counts the used blocks (the sentinel excluded; free blocks are not
 *     counted as they change, get_stats counts the lists);
 *     n.min_free_bytes <= n.free_bytes.
 *  C4 the first block of list c has prev_free == anchor(c); the others link
 *     back to their predecessor; the last has next_free == NULL.
 *  C3 the blocks tile [first, end) exactly; end holds the sentinel.
 */

/* Some memories take aligned 32-bit accesses only: the ESP32's and the
 * ESP8266's instruction RAM, where their heaps serve MALLOC_CAP_32BIT and
 * EXEC; a byte or half-word load or store there is an exception (on the chip:
 * QEMU lets it pass, tests/target/qemu_plugins/word_only.c catches it). The
 * control data lives at the start of the heap's own memory, so where such
 * memory exists (Xtensa, by default) its small fields are whole words: 8
 * bytes more per heap. Elsewhere they stay narrow, and the control data small
 * (the overhead rows of make bench count it). The blocks themselves hold
 * words only. */
#ifndef CAPHEAP_WORD_ONLY_MEMORY
#if defined(__XTENSA__)
#define CAPHEAP_WORD_ONLY_MEMORY 1
#else
#define CAPHEAP_WORD_ONLY_MEMORY 0
#endif
#endif

#if CAPHEAP_WORD_ONLY_MEMORY
typedef uint32_t capheap_tlsf_summary_t;
typedef uint32_t capheap_tlsf_small_t;
#elif SIZE_MAX > UINT32_MAX
typedef uint32_t capheap_tlsf_summary_t;
typedef uint8_t capheap_tlsf_small_t;
#else
typedef uint16_t capheap_tlsf_summary_t; /* a 32-bit region has at most 14 bitmap words */
typedef uint8_t capheap_tlsf_small_t;
#endif

struct capheap_tlsf {
    void *user;                /* as in capheap_tlsf_shared_t, which the layer above reads */
    size_t user_hint;
    capheap_tlsf_counters_t n;
    uint8_t *payload0;         /* payload of the first block: the blocks start H before it */
    size_t span;               /* from payload0 to the header of the sentinel */
    capheap_tlsf_block_t **heads; /* heads[c] for class_min <= c < class_end (the pointer
                                     is biased by class_min: a class indexes it as it is);
                                     the blocks start right after heads[class_end - 1],
                                     which gives class_end */
    capheap_tlsf_summary_t summary;
    capheap_tlsf_small_t coarsen;   /* log2 of the fine classes merged into one */
    capheap_tlsf_small_t class_min; /* the class of MIN_BLOCK */
    uint32_t bitmap[];         /* BITMAP_WORDS(class_end) words */
};


#include "bitops.h"

/** The first block of the highest non-empty class, or NULL when no block is
 *  free: with the one after it, the blocks the largest requests come from. */
static inline capheap_tlsf_block_t *capheap_tlsf_top_block(const capheap_tlsf_t *t) {
    if (__builtin_expect(t->summary == 0, 0)) {
        return NULL;
    }
    unsigned w = capheap_msb_word(t->summary);
    return t->heads[(w << 5) + capheap_msb_word(t->bitmap[w])];
}

/** Usable bytes of the largest request capheap_tlsf_malloc now satisfies
 *  (an allocation of one byte more fails); 0 when none. O(1): requests of a
 *  lower class find the highest non-empty class by the bitmap; requests of
 *  that class take its first block when it fits, else its second when that
 *  fits (take_fit in tlsf.c), which makes the larger of the two the exact
 *  limit. Inline: the caps layer asks it after every change to a heap that
 *  has a fail floor; but a size build (-Os) calls one copy, in tlsf.c, as
 *  CAPHEAP_ALWAYS_INLINE (internal.h) leaves such a choice there (Cortex-M4
 *  -Os: 10 bytes less for the core, 114 for the whole library, whose caps
 *  layer keeps a copy too; see capheap_tlsf_largest_free below). */
static inline size_t capheap_tlsf_largest_free_inline(const capheap_tlsf_t *t) {
    const capheap_tlsf_block_t *first = capheap_tlsf_top_block(t);
    if (first == NULL) {
        return 0;
    }
    const capheap_tlsf_block_t *second = first->next_free;
    size_t largest = first->head;
    if (second != NULL && second->head > largest) {
        largest = second->head;
    }
    /* The header of a free block is its size plus FLAG_FREE (1) alone: its
     * predecessor is used (B3), so FLAG_PREV_FREE is clear, and the size is
     * a multiple of the grain. Taking 1 off is the mask, an instruction
     * shorter on x86 (the renewal then subtracts one constant). */
    return largest - 1 - CAPHEAP_TLSF_HEADER;
}

/** capheap_tlsf_largest_free_inline, out of line (every build has it). */
CAPHEAP_INTERNAL size_t capheap_tlsf_largest_free_call(const capheap_tlsf_t *t);

static inline size_t capheap_tlsf_largest_free(const capheap_tlsf_t *t) {
#if defined(__OPTIMIZE_SIZE__)
    return capheap_tlsf_largest_free_call(t);
#else
    return capheap_tlsf_largest_free_inline(t);
#endif
}

/** Sets the watermark to value, but never above the current free bytes;
 *  returns the old watermark. */
CAPHEAP_INTERNAL size_t capheap_tlsf_set_min_free(capheap_tlsf_t *t, size_t value);

/** Builds an empty allocator whose control data starts at mem (grain-aligned)
 *  and whose blocks fill the rest of [mem, mem + size). extra bytes at the very
 *  start are left to the caller. NULL iff the region cannot hold the control
 *  data and one block with a payload of least bytes (0: a minimum block);
 *  nothing is written then. */
CAPHEAP_INTERNAL capheap_tlsf_t *capheap_tlsf_create(void *mem, size_t size, size_t extra, size_t least);

/** Payload of at least size bytes, or NULL (size 0, too large, no room). */
CAPHEAP_INTERNAL void *capheap_tlsf_malloc(capheap_tlsf_t *t, size_t size);

/** Payload of at least size bytes with (payload + offset) % align == 0; align a
 *  power of two. NULL also when offset is not a multiple of the grain while
 *  align exceeds it (a block must start on the grain). */
CAPHEAP_INTERNAL void *capheap_tlsf_memalign(capheap_tlsf_t *t, size_t size, size_t align, size_t offset);

/** Usable bytes of the largest request capheap_tlsf_memalign(t, size, align,
 *  offset) now satisfies (one byte more fails); 0 when none, or when align or
 *  offset are refused. O(1): the first two blocks of the highest class, each
 *  with its own front gap (an aligned request that fits a block of a lower
 *  class, or with the worst gap, also fits one of those). */
CAPHEAP_INTERNAL size_t capheap_tlsf_largest_aligned(const capheap_tlsf_t *t, size_t align, size_t offset);

/** The free block a capheap_tlsf_free formed, after coalescing (for poisoning). */
typedef struct {
    uint8_t *start; /**< header address of the free block */
    size_t size;    /**< its size including the header */
} capheap_tlsf_span_t;

/** Frees a payload that capheap_tlsf_validate accepted. */
CAPHEAP_INTERNAL capheap_tlsf_span_t capheap_tlsf_free(capheap_tlsf_t *t, void *p);

/** Validates p (as capheap_tlsf_validate) and frees it when it is a live block;
 *  otherwise reports the fault through capheap_report_fault and leaves the
 *  heap unchanged. NULL does nothing. The fast path of free. */
CAPHEAP_INTERNAL void capheap_tlsf_free_checked(capheap_tlsf_t *t, void *p);

/** Resizes in place when the block or its free successor allows, else moves.
 *  NULL on failure with p untouched. p must be valid, size nonzero. */
CAPHEAP_INTERNAL void *capheap_tlsf_realloc(capheap_tlsf_t *t, void *p, size_t size);

/** capheap_tlsf_realloc's in-place half: true when the live block p now holds
 *  size bytes where it is (grown into its free successor, or its tail given
 *  back); false, nothing changed, when it cannot without moving. */
CAPHEAP_INTERNAL bool capheap_tlsf_resize(capheap_tlsf_t *t, void *p, size_t size);

/** CAPHEAP_FAULT_NONE when p is the payload of a live block of t, else what is
 *  wrong with it (outside the region, misaligned, already free, no block). O(1). */
CAPHEAP_INTERNAL capheap_fault_t capheap_tlsf_validate(const capheap_tlsf_t *t, const void *p);

/** Usable bytes of the live block whose payload is p. */
CAPHEAP_INTERNAL size_t capheap_tlsf_usable_size(const void *p);


/** The counters and the usable bytes of used blocks. */
typedef struct {
    size_t free_bytes;  /**< sum of usable bytes of free blocks */
    size_t used_bytes;  /**< sum of usable bytes of used blocks */
    size_t free_blocks;
    size_t used_blocks;
} capheap_tlsf_stats_t;

CAPHEAP_INTERNAL void capheap_tlsf_get_stats(const capheap_tlsf_t *t, capheap_tlsf_stats_t *out);

/** Whether the block after the block with this payload and usable size
 *  (capheap_tlsf_usable_size, which the caller has at hand) is free. Right after
 *  a malloc or memalign, exactly when the block was split off a larger free
 *  block (no free block has a free neighbour, B3): its last word then lay
 *  inside that free block, not on its footer. A free block's header is its
 *  size plus FLAG_FREE (1), as capheap_tlsf_largest_free reads it. */
static inline bool capheap_tlsf_next_is_free(const void *payload, size_t usable) {
    const capheap_tlsf_block_t *next = (const capheap_tlsf_block_t *)(const void *)((const uint8_t *)payload + usable);
    /* The header loaded whole (volatile): for one bit a compiler may load one
     * byte (x86's testb), which memory that takes words only refuses. */
    size_t head = *(const volatile size_t *)&next->head;
    return (head & 1u) != 0;
}

/** First byte of the block area and one past the last (the end sentinel).
 *  Inline: a load and an add, shorter than the call. */
static inline uint8_t *capheap_tlsf_blocks_begin(const capheap_tlsf_t *t) { return t->payload0 - CAPHEAP_TLSF_HEADER; }
static inline uint8_t *capheap_tlsf_blocks_end(const capheap_tlsf_t *t) { return t->payload0 + t->span; }

/** Visits blocks in address order: payload, usable size, used. Stops when cb
 *  returns false. */
typedef bool (*capheap_tlsf_walker_t)(void *payload, size_t usable, bool used, void *user);
CAPHEAP_INTERNAL void capheap_tlsf_walk(const capheap_tlsf_t *t, capheap_tlsf_walker_t cb, void *user);

/** Called by capheap_tlsf_check for each broken invariant. */
typedef void (*capheap_tlsf_fault_t)(const void *addr, const char *what, void *user);

/** Checks every invariant listed beside struct capheap_tlsf; true when all hold. */
CAPHEAP_INTERNAL bool capheap_tlsf_check(const capheap_tlsf_t *t, capheap_tlsf_fault_t fault, void *user);

/** Bytes of control data that a region of size bytes pays (for docs and
 *  tests): up to the first block, and the sentinel's header. */
static inline size_t capheap_tlsf_overhead(const capheap_tlsf_t *t) {
    return (size_t)(capheap_tlsf_blocks_begin(t) - (const uint8_t *)t) + CAPHEAP_TLSF_HEADER;
}

#endif /* CAPHEAP_TLSF_H */
