/*
 * registry.h (private): the registered heaps, layer 3 of DESIGN.md.
 *
 * Each heap has caps[3], its address range and, when its memory is also seen
 * on the instruction bus, that window. The registry answers two questions
 * without looking at every heap:
 *
 *  - which heaps may serve a caps mask, in the order of the matching rule:
 *    for every capability bit it keeps the set of heaps that cover the bit and,
 *    per priority, the heaps whose caps[p] has it. A mask ANDs the cover sets
 *    of its bits and ORs the priority sets, so the cost grows with the bits of
 *    the mask, not with the heaps (a heap set is one machine word per
 *    CAPHEAP_HEAPSET_BITS heaps). The result is kept as a list per mask
 *    (registry_lists.c): malloc's fast path loads one pointer and compares it;
 *  - which heap owns an address: a cache of the last two data ranges found,
 *    else a binary search over the ranges (data and windows) sorted by address.
 *
 * Concurrency: heaps are only ever added (until capheap_registry_clear), and a
 * heap's record never changes once published, except its multi_heap handle
 * going from NULL to set when a start-up-stack heap is enabled. Writers hold the
 * port's critical section. Readers take no lock: heap sets are atomic words
 * (a heap's priority bits are published before its cover bits, so a reader that
 * sees it eligible sees it in the right priority), and the sorted ranges are
 * read under a sequence count and read again when a writer interfered.
 */
#ifndef CAPHEAP_REGISTRY_H
#define CAPHEAP_REGISTRY_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "esp_err.h"
#include "internal.h"
#include "multi_heap.h"

/** Most heaps the registry holds; every heap set has one bit per heap. One
 *  machine word by default: 32 heaps on 32-bit targets, 64 on 64-bit hosts. */
#ifndef CAPHEAP_MAX_HEAPS
#if UINTPTR_MAX > 0xFFFFFFFFu
#define CAPHEAP_MAX_HEAPS 64
#else
#define CAPHEAP_MAX_HEAPS 32
#endif
#endif

#if UINTPTR_MAX > 0xFFFFFFFFu
#define CAPHEAP_HEAPSET_BITS 64
#else
#define CAPHEAP_HEAPSET_BITS 32
#endif
#define CAPHEAP_HEAPSET_WORDS ((CAPHEAP_MAX_HEAPS + CAPHEAP_HEAPSET_BITS - 1) / CAPHEAP_HEAPSET_BITS)

/** Capability bits the registry indexes: all 32 of a caps mask. */
#define CAPHEAP_CAP_BITS 32

typedef struct capheap_heap capheap_heap_t;

/** What malloc's fast path touches of a heap, kept in one array so that a
 *  heap's index finds it with one scaled address. */
typedef struct {
    _Atomic(multi_heap_handle_t) mh; /**< NULL until the heap is enabled */
} capheap_heap_hot_t;

/** An address range for owner lookup: a heap's data range (or a piece of
 *  it) or its instruction-bus window. Only its size ever changes once it is
 *  published: a data range shrinks when a heap is registered inside a live
 *  block of it, and a new piece takes what lies beyond that block (see
 *  capheap_registry_add). Readers load the size relaxed: one that found the
 *  range in the owner cache before the split sees the smaller size by the
 *  time it can hold a pointer of the new heap. */
typedef struct {
    uintptr_t start;
    _Atomic size_t size;     /**< 0: no such range */
    multi_heap_handle_t mh;  /**< the heap's (set before the range is published) */
    capheap_heap_hot_t *hot;
    capheap_heap_t *heap;
    bool alias;              /**< true for the instruction-bus window */
} capheap_range_t;

/** Heaps that may be registered inside a live block of another heap (as
 *  ESP-IDF lets heap_caps_add_region_with_caps make a heap of an allocated
 *  block), at most; each costs the registry one range record. */
#ifndef CAPHEAP_NESTED_HEAPS
#define CAPHEAP_NESTED_HEAPS 4
#endif

/** The start of the instruction-bus addresses through which the window of
 *  host shows its data words [lo, hi) (as many bytes): given by the caps
 *  layer, which alone knows the window arithmetic. */
typedef uintptr_t (*capheap_window_image_t)(const capheap_heap_t *host, uintptr_t lo, uintptr_t hi);

/** What a new heap is: filled by the caps layer, copied by the registry. */
typedef struct {
    uint32_t caps[3];
    uintptr_t start, end;      /**< the heap's region */
    uintptr_t alias_start;     /**< instruction-bus window of the region (size end - start) */
    uint8_t alias_kind;        /**< capheap_alias_kind_t; NONE: no window */
    uintptr_t alias_k;         /**< the caps layer's constant for alias arithmetic */
    capheap_window_image_t window_image; /**< for a heap inside a live block of a
                                              windowed one (NULL: none such) */
    int type;                  /**< the board's memory type, or -1 */
    const char *name;          /**< for logs */
    bool enabled;              /**< false: start-up stack, made a heap later */
} capheap_heap_spec_t;

/** A registered heap. Readers may use every field once they found the heap in
 *  a heap set, a candidate list or a range. */
struct capheap_heap {
    capheap_heap_hot_t *hot;   /**< its entry in capheap_registry.hot */
    uint32_t caps[3];
    uint32_t all_caps;         /**< caps[0] | caps[1] | caps[2] */
    uintptr_t start, end;
    capheap_range_t data;      /**< [start, end) */
    capheap_range_t alias;     /**< instruction-bus window, size 0 when none */
    uint8_t alias_kind;
    uintptr_t alias_k;
    int type;
    const char *name;
    void *lock;
    unsigned index;            /**< registration order, its bit in heap sets */
    size_t min_free_kept;      /**< lifetime minimum kept aside while monitoring */
    bool min_free_monitored;
};

/** The heap sets of one capability bit. */
typedef struct {
    _Atomic uintptr_t cover[CAPHEAP_HEAPSET_WORDS];   /**< heaps whose all_caps has the bit */
    _Atomic uintptr_t prio[3][CAPHEAP_HEAPSET_WORDS]; /**< heaps whose caps[p] has the bit */
} capheap_capbit_sets_t;

/** Heaps in the order the matching rule tries them: order[p] holds the heaps
 *  first tried at priority p (a heap is in one set at most). */
typedef struct {
    uintptr_t order[3][CAPHEAP_HEAPSET_WORDS];
} capheap_candidates_t;

/** Slots of the candidate-list cache, found by a hash of the caps mask. */
#define CAPHEAP_CANDIDATE_SLOT_BITS 5
#define CAPHEAP_CANDIDATE_SLOTS (1u << CAPHEAP_CANDIDATE_SLOT_BITS)

/** Candidate lists kept per capheap_init (or registry clear). A list, once
 *  published, never changes, so readers need no lock; lists of an older
 *  registry generation are not reused. When all are taken, requests whose
 *  list is not kept compute it on every call: slower, still exact. */
#ifndef CAPHEAP_CANDIDATE_LISTS
#define CAPHEAP_CANDIDATE_LISTS 32
#endif

/** Ends a candidate list. */
#define CAPHEAP_LIST_END 0xFFu

/** Marks an entry whose heap is asked through its instruction-bus window
 *  (the list was made for window allocations); the index is the rest. */
#define CAPHEAP_LIST_WINDOW 0x80u
_Static_assert(CAPHEAP_MAX_HEAPS <= 0x7F, "heap indices leave the window bit and LIST_END free");

/** Set in a list's rules by the registry when the list has no heap: a caller
 *  that asks every heap of a list with rules 0 by plain malloc then meets no
 *  empty list there. The caller's own flags are the other bits; it may set
 *  this one too, for lists of its own that its fast path leaves alone
 *  (heap_caps.c: those with an alignment), and tells them apart by heap[0]. */
#define CAPHEAP_LIST_NO_HEAP 0x80u

/** Heaps at the head of a list that it also holds as multi_heap handles
 *  (capheap_candidate_list_t.fast): malloc's fast path, which asks the first
 *  two inline, then loads one word per heap. Each costs every kept list a
 *  pointer (CAPHEAP_CANDIDATE_LISTS of them, 32 by default: with the
 *  terminator, 384 bytes on 32-bit targets for 2). */
#ifndef CAPHEAP_LIST_FAST
#define CAPHEAP_LIST_FAST 2
#endif
_Static_assert(CAPHEAP_LIST_FAST >= 2, "heap_caps_malloc reads the first two handles without a loop");

/** The heaps that may serve one caps mask (the key), as indices in the order
 *  of the matching rule for the mask the caller worked out from it (each heap
 *  once, at its first priority), then LIST_END. */
typedef struct {
    uint32_t caps;       /**< the key */
    unsigned gen;        /**< registry generation it was made for */
    _Atomic bool ready;  /**< complete: may be found in the pool */
    uint8_t count;
    uint8_t rules;       /**< the caller's flags for the key, kept with it; CAPHEAP_LIST_NO_HEAP */
    uint8_t heap[CAPHEAP_MAX_HEAPS + 1];
    /** The handles of heap[0, min(count, CAPHEAP_LIST_FAST)), window bit
     *  aside, then NULL (after heap[]: no padding on 32-bit targets). A
     *  handle never changes once its heap is enabled (until
     *  capheap_registry_clear, which no reader overlaps), and a list holds
     *  enabled heaps only, made again when one is enabled (a new
     *  generation): the handles stay right for as long as the list is found. */
    multi_heap_handle_t fast[CAPHEAP_LIST_FAST + 1];
} capheap_candidate_list_t;

/** How to make a list on a cache miss: the key, the caps whose rule orders
 *  the heaps (0: no heap), whether heaps with an instruction-bus window get
 *  CAPHEAP_LIST_WINDOW, and the caller's flags. */
typedef struct {
    uint32_t key;
    uint32_t caps;
    bool window;
    uint8_t rules;
} capheap_list_request_t;

/* The caches the fast paths read: never NULL, so they start pointing at
 * placeholders. Kept apart from struct capheap_registry so that only these few
 * pointers have initial values (.data) and the registry itself is .bss. */
/** One entry of an owner cache. */
typedef const capheap_range_t *_Atomic capheap_owner_slot_t;

struct capheap_registry_caches {
    /** Owner cache: the last two data ranges found (never windows, never NULL). */
    capheap_owner_slot_t last_owner[2];
    /** The owner cache heap_caps_free's fast path reads: last_owner, or while
     *  it is held (capheap_registry_owner_cache_hold) one whose entries hold nothing. */
    capheap_owner_slot_t *_Atomic owner_cache;
    /** Never NULL: an empty list (caps 0) until a list is kept. */
    const capheap_candidate_list_t *_Atomic candidate_slot[CAPHEAP_CANDIDATE_SLOTS];
};

CAPHEAP_INTERNAL extern struct capheap_registry_caches capheap_registry_caches;

struct capheap_registry {
    capheap_heap_hot_t hot[CAPHEAP_MAX_HEAPS];
    _Atomic unsigned gen;                      /**< changes whenever the heap sets do */
    _Atomic unsigned lists_used;
    _Atomic uint8_t lists_held;                /**< CAPHEAP_HOLD_*: who holds the slots empty */
    capheap_candidate_list_t lists[CAPHEAP_CANDIDATE_LISTS];
    capheap_capbit_sets_t bits[CAPHEAP_CAP_BITS];
    _Atomic size_t count;                      /**< heaps[0, count) are registered */
    _Atomic unsigned seq;                      /**< odd while sorted[] changes */
    _Atomic size_t nsorted;
    /* Data ranges and windows by address: two per heap, and up to two more
     * per nested heap (the pieces of its host's data range and window beyond
     * its block). */
    const capheap_range_t *_Atomic sorted[2 * CAPHEAP_MAX_HEAPS + 2 * CAPHEAP_NESTED_HEAPS];
    capheap_heap_t heaps[CAPHEAP_MAX_HEAPS];
    /** The pieces of hosts' ranges (one, unused, when CAPHEAP_NESTED_HEAPS is 0:
     *  C has no empty arrays). */
    capheap_range_t pieces[CAPHEAP_NESTED_HEAPS > 0 ? 2 * CAPHEAP_NESTED_HEAPS : 1];
    size_t npieces;                               /**< pieces[0, npieces) are used */
    size_t nested;                                /**< heaps made inside another's block */
};

CAPHEAP_INTERNAL extern struct capheap_registry capheap_registry;

/** The list every cache slot holds until a real one is kept. */
CAPHEAP_INTERNAL extern const capheap_candidate_list_t capheap_empty_list;

/* ---- Writers (each takes the port's critical section) ----------------- */

/**
 * Registers a heap. Enabled: a multi_heap is built over [start, end) with its
 * own port lock, and the heap serves allocations at once. A range inside a
 * registered heap's is taken when it lies within one live allocation of that
 * heap (which it then owns: every address of that allocation is looked up as
 * the new heap's, so that a free of the allocation's pointer is reported, not
 * done), both heaps see it through the same instruction-bus window or neither
 * has one (the window addresses of the allocation are then the new heap's
 * too), and fewer than CAPHEAP_NESTED_HEAPS heaps were taken so. Returns ESP_FAIL when the range or
 * window overlaps a registered heap's otherwise, ESP_ERR_NO_MEM when the
 * registry is full, the range too small or no lock can be had, else ESP_OK
 * (*out, if given, receives the heap).
 */
CAPHEAP_INTERNAL esp_err_t capheap_registry_add(const capheap_heap_spec_t *spec, capheap_heap_t **out);

/** Makes a registered heap that was added disabled serve allocations (builds
 *  its multi_heap). ESP_OK when it already does; ESP_ERR_NO_MEM when no lock
 *  or too little memory (the heap stays disabled); ESP_ERR_INVALID_STATE
 *  for a record past the registry's count (an add that failed). */
CAPHEAP_INTERNAL esp_err_t capheap_registry_enable(capheap_heap_t *heap);

/** Forgets every heap and deletes their locks. No reader may run meanwhile. */
CAPHEAP_INTERNAL void capheap_registry_clear(void);

/** Takes every lock of capheap's code, in the one order in which the library
 *  ever holds two of them: the critical section, then each heap's lock in
 *  registration order, then task tracking's. No other thread is inside the
 *  library meanwhile, nor half-way through a change of it. For a fork, as
 *  pthread_atfork's prepare handler (ports/preload): a child inherits every
 *  lock as it was, and one that another thread held would stay held.
 *  capheap_registry_give_all gives them back, in the parent and in the
 *  child (whose one thread is the one that took them). In
 *  src/registry_hold.c, built with the posix port only. */
CAPHEAP_INTERNAL void capheap_registry_hold_all(void);
CAPHEAP_INTERNAL void capheap_registry_give_all(void);

/** Empties the candidate-list slots after a change of the heap sets
 *  (registry_lists.c; writers only). */
CAPHEAP_INTERNAL void capheap_registry_lists_invalidate(void);

/** Also forgets every kept list (capheap_registry_clear). */
CAPHEAP_INTERNAL void capheap_registry_lists_reset(void);

/** Who may hold the candidate-list slots empty: heap tracing while it is on
 *  (trace.c), failure injection while a plan runs (fail_inject.c). */
#define CAPHEAP_HOLD_TRACE 1u
#define CAPHEAP_HOLD_FAIL  2u

/** While any holder holds them, the candidate-list slots stay empty (lists
 *  are still kept, not put in slots): every lookup misses, and the caller's
 *  slow path runs. In the critical section, as the slots are filled in it
 *  too (and the holders' bits change there without atomic read-modify-write,
 *  which ARMv6-M lacks). */
CAPHEAP_INTERNAL void capheap_registry_lists_hold(unsigned holder, bool hold);

/* ---- Readers ----------------------------------------------------------- */

/** Registered heaps (enabled or not), in registration order. */
static inline size_t capheap_registry_count(void) {
    return atomic_load_explicit(&capheap_registry.count, memory_order_acquire);
}

static inline capheap_heap_t *capheap_registry_at(size_t i) { return &capheap_registry.heaps[i]; }

static inline capheap_heap_hot_t *capheap_registry_hot(size_t i) { return &capheap_registry.hot[i]; }

/** The heap's multi_heap, NULL while it is not enabled. */
static inline multi_heap_handle_t capheap_heap_handle(const capheap_heap_t *h) {
    return atomic_load_explicit(&h->hot->mh, memory_order_acquire);
}

/** The registered heap whose multi_heap is mh, or NULL. A scan: for
 *  diagnostics (the task statistics), not for the allocation paths. */
static inline const capheap_heap_t *capheap_registry_heap_of(const void *mh) {
    size_t n = capheap_registry_count();
    for (size_t i = 0; i < n; i++) {
        const capheap_heap_t *h = capheap_registry_at(i);
        if ((const void *)capheap_heap_handle(h) == mh) {
            return h;
        }
    }
    return NULL;
}

/** True when every bit of caps is in one of the heap's three masks. */
static inline bool capheap_heap_covers(const capheap_heap_t *h, uint32_t caps) {
    return (h->all_caps & caps) == caps;
}

/** The enabled heaps that may serve caps, by priority (see capheap_candidates_t). */
static CAPHEAP_ALWAYS_INLINE void capheap_registry_candidates(uint32_t caps, capheap_candidates_t *c) {
    uintptr_t eligible[CAPHEAP_HEAPSET_WORDS], any[3][CAPHEAP_HEAPSET_WORDS];
    for (unsigned w = 0; w < CAPHEAP_HEAPSET_WORDS; w++) {
        eligible[w] = ~(uintptr_t)0;
        any[0][w] = any[1][w] = any[2][w] = 0;
    }
    for (uint32_t rest = caps; rest != 0; rest &= rest - 1) {
        const capheap_capbit_sets_t *s = &capheap_registry.bits[__builtin_ctz(rest)];
        for (unsigned w = 0; w < CAPHEAP_HEAPSET_WORDS; w++) {
            /* cover first, with acquire: the heap's other bits and record are then visible */
            eligible[w] &= atomic_load_explicit(&s->cover[w], memory_order_acquire);
            for (unsigned p = 0; p < 3; p++) {
                any[p][w] |= atomic_load_explicit(&s->prio[p][w], memory_order_relaxed);
            }
        }
    }
    for (unsigned w = 0; w < CAPHEAP_HEAPSET_WORDS; w++) {
        c->order[0][w] = any[0][w] & eligible[w];
        c->order[1][w] = any[1][w] & eligible[w] & ~c->order[0][w];
        c->order[2][w] = any[2][w] & eligible[w] & ~(c->order[0][w] | c->order[1][w]);
    }
}

/** The list kept for a key when it is not in its cache slot, put back in its
 *  slot unless the slots are held; NULL when none is kept for this
 *  generation. Asked first, as working out a request costs more than this. */
CAPHEAP_INTERNAL const capheap_candidate_list_t *capheap_registry_kept_list(uint32_t key);

/** The candidate list of a request that has no kept list: a new one kept, or
 *  (when no more can be kept) scratch filled for this call. */
CAPHEAP_INTERNAL const capheap_candidate_list_t *capheap_registry_candidates_miss(const capheap_list_request_t *req,
                                                                                 capheap_candidate_list_t *scratch);

/** The cache slot of a key (a multiplicative hash: caps masks differ in few bits). */
static inline const capheap_candidate_list_t *_Atomic *capheap_registry_slot(uint32_t key) {
    unsigned slot = (unsigned)((key * UINT32_C(0x9E3779B1)) >> (32 - CAPHEAP_CANDIDATE_SLOT_BITS));
    return &capheap_registry_caches.candidate_slot[slot];
}

/** The list in a key's cache slot: the key's if its caps match. */
static inline const capheap_candidate_list_t *capheap_registry_cached_list(uint32_t key) {
    return atomic_load_explicit(capheap_registry_slot(key), memory_order_acquire);
}

/** Index of the lowest heap in a nonzero heap-set word. */
static inline unsigned capheap_heapset_first(uintptr_t word) { return (unsigned)__builtin_ctzl((unsigned long)word); }

/** The range (data or instruction-bus window) of an enabled heap that holds p,
 *  NULL when none does. Out of line: the search behind the cache. */
CAPHEAP_INTERNAL const capheap_range_t *capheap_registry_owner_search(uintptr_t p);

/** The range of an owner cache (two entries) that holds p, or NULL. */
static CAPHEAP_ALWAYS_INLINE const capheap_range_t *capheap_registry_owner_in(capheap_owner_slot_t *cache,
                                                                             const void *p) {
    for (unsigned i = 0; i < 2; i++) {
        const capheap_range_t *r = atomic_load_explicit(&cache[i], memory_order_acquire);
        if ((uintptr_t)p - r->start < atomic_load_explicit(&r->size, memory_order_relaxed)) {
            return r;
        }
    }
    return NULL;
}

/** The cached data range that holds p, or NULL (always NULL while the cache
 *  is held): heap_caps_free's fast path. */
static CAPHEAP_ALWAYS_INLINE const capheap_range_t *capheap_registry_owner_cached(const void *p) {
    return capheap_registry_owner_in(
        atomic_load_explicit(&capheap_registry_caches.owner_cache, memory_order_acquire), p);
}

/** The range that holds p, for every other lookup: the owner cache's own
 *  entries, read even while it is held (the hold only sends
 *  heap_caps_free to its slow path, where tracing and the hooks then find
 *  the owner as fast as without them), then the search. */
static CAPHEAP_ALWAYS_INLINE const capheap_range_t *capheap_registry_owner(const void *p) {
    const capheap_range_t *r = capheap_registry_owner_in(capheap_registry_caches.last_owner, p);
    return r != NULL ? r : capheap_registry_owner_search((uintptr_t)p);
}

/** While held, capheap_registry_owner_cached reads an owner cache that
 *  holds nothing (the cache itself is still filled, and read by
 *  capheap_registry_owner): it returns NULL and the caller's slow path runs. Heap tracing holds it while
 *  it is on, so that heap_caps_free need not test the switch (heap_caps_block.c).
 *  Writers only (the critical section). */
CAPHEAP_INTERNAL void capheap_registry_owner_cache_hold(bool hold);

/** Any heap (enabled or not) whose range or window overlaps [start, end).
 *  Writers only (the critical section). */
CAPHEAP_INTERNAL bool capheap_registry_overlaps(uintptr_t start, uintptr_t end);

#endif /* CAPHEAP_REGISTRY_H */
