/*
 * multi_heap_internal.h (private): the heap header shared by multi_heap.c and
 * multi_heap_diag.c.
 */
#ifndef CAPHEAP_MULTI_HEAP_INTERNAL_H
#define CAPHEAP_MULTI_HEAP_INTERNAL_H

#include "capheap/port.h"
#include "multi_heap.h"
#ifdef CAPHEAP_PORT_LOCK_INLINE
#include "capheap_port_lock.h"
#endif
#include "poison.h"
#include "tlsf.h"

/* A handle is the region allocator's control data itself (struct
 * multi_heap_info is never defined): a call goes down with the same
 * arguments, and the lock (a port lock or NULL) is the word the region
 * allocator keeps for its user. */
static inline capheap_tlsf_t *tlsf_of(multi_heap_handle_t heap) { return (capheap_tlsf_t *)(void *)heap; }

static inline void *heap_lock_of(multi_heap_handle_t heap) { return capheap_tlsf_shared(tlsf_of(heap))->user; }

/*
 * The fail floor of a heap with a lock: requests of this many bytes or more
 * fail (SIZE_MAX: not kept). Written under the heap's lock only: a failed
 * malloc sets it just above the largest request the heap serves (exact and
 * O(1): capheap_tlsf_largest_free), and from then on every allocation,
 * realloc and free sets it again; a heap that never failed pays nothing.
 * Read without the lock by the caps layer, which may then pass the heap over
 * for the next candidate. Atomic accesses only: the reader holds no lock.
 */
static inline size_t *fail_floor_of(multi_heap_handle_t heap) { return &capheap_tlsf_shared(tlsf_of(heap))->user_hint; }

static inline size_t capheap_multi_heap_fail_floor(multi_heap_handle_t heap) {
    return __atomic_load_n(fail_floor_of(heap), __ATOMIC_RELAXED);
}

static inline void fail_floor_set(multi_heap_handle_t heap, size_t value) {
    __atomic_store_n(fail_floor_of(heap), value, __ATOMIC_RELAXED);
}

/* The largest request malloc serves now (the region allocator's answer is
 * exact, and poisoning adds a fixed overhead). Under the lock. */
static inline size_t capheap_multi_heap_largest_request(multi_heap_handle_t heap) {
    size_t largest = capheap_tlsf_largest_free(tlsf_of(heap));
    size_t poison = capheap_poison_overhead();
    return largest > poison ? largest - poison : 0;
}

/* After a change to a heap under its lock: a heap that has a floor gets it
 * again (taking a block off a list can bring a larger one among its first
 * two, as can a free). A free could do without the search: the largest
 * request then grows at most to the block the free made, when the classes
 * of the heap span less than a factor 2 each; not in a coarsened heap, such
 * as the esp32's first DRAM heap of 6,432 bytes, whose floor is the one
 * renewed most (bench_caps esp32, -m32: churn 335.6 per pair with or
 * without it; 330.7 had the bound been taken in coarsened heaps too, where
 * it is wrong). */
static inline void capheap_multi_heap_floor_renew(multi_heap_handle_t heap) {
    if (capheap_multi_heap_fail_floor(heap) != SIZE_MAX) {
        fail_floor_set(heap, capheap_multi_heap_largest_request(heap) + 1);
    }
}

/* After an allocation p under the lock: a failure sets the floor. */
static inline void capheap_multi_heap_floor_after_alloc(multi_heap_handle_t heap, const void *p) {
    if (p == NULL) {
        fail_floor_set(heap, capheap_multi_heap_largest_request(heap) + 1);
    } else {
        capheap_multi_heap_floor_renew(heap);
    }
}

/* The port's lock operations, inline where the port offers them (capheap/port.h). */
static CAPHEAP_ALWAYS_INLINE void port_lock_take(void *lock) {
#ifdef CAPHEAP_PORT_LOCK_INLINE
    capheap_port_lock_take_inline(lock);
#else
    capheap_port_lock_take(lock);
#endif
}

static CAPHEAP_ALWAYS_INLINE void port_lock_give(void *lock) {
#ifdef CAPHEAP_PORT_LOCK_INLINE
    capheap_port_lock_give_inline(lock);
#else
    capheap_port_lock_give(lock);
#endif
}

static inline void heap_lock(multi_heap_handle_t heap) {
    if (heap_lock_of(heap) != NULL) {
        port_lock_take(heap_lock_of(heap));
    }
}

static inline void heap_unlock(multi_heap_handle_t heap) {
    if (heap_lock_of(heap) != NULL) {
        port_lock_give(heap_lock_of(heap));
    }
}

/* malloc and free of a heap with a lock, with its fail floor: multi_heap's
 * locked paths, and the caps layer's fast paths, which call them directly
 * (the heap has a lock). The lock is read again after each call rather than
 * kept: one load is cheaper than the register it would hold. */
static CAPHEAP_ALWAYS_INLINE void *capheap_multi_heap_malloc_locked(multi_heap_handle_t heap, size_t size) {
    port_lock_take(heap_lock_of(heap));
    void *p = capheap_poison_malloc(tlsf_of(heap), size);
    capheap_multi_heap_floor_after_alloc(heap, p);
    port_lock_give(heap_lock_of(heap));
    return p;
}

/* An aligned allocation of a heap with a lock (multi_heap_aligned_alloc_offs,
 * inline for the caps layer, whose DMA requests are all aligned on a board
 * with cache lines). A failure sets no floor: it says nothing of plain
 * requests. */
static CAPHEAP_ALWAYS_INLINE void *capheap_multi_heap_memalign_locked(multi_heap_handle_t heap, size_t size,
                                                                      size_t align, size_t offset) {
    port_lock_take(heap_lock_of(heap));
    void *p = capheap_poison_memalign(tlsf_of(heap), size, align, offset);
    capheap_multi_heap_floor_renew(heap);
    port_lock_give(heap_lock_of(heap));
    return p;
}

static CAPHEAP_ALWAYS_INLINE void capheap_multi_heap_free_locked(multi_heap_handle_t heap, void *p) {
    port_lock_take(heap_lock_of(heap));
    capheap_poison_free(tlsf_of(heap), p);
    capheap_multi_heap_floor_renew(heap);
    port_lock_give(heap_lock_of(heap));
}

/* Whether p is a live allocation of the heap (poisoning's checks included),
 * read under its lock; nothing reported. The free hook's question (it hears
 * of live blocks only): the check alone, without the generic query's
 * dispatch and the size multi_heap_get_allocated_size works out. */
static inline bool capheap_multi_heap_is_live(multi_heap_handle_t heap, const void *p) {
    heap_lock(heap);
    bool live = capheap_poison_validate(tlsf_of(heap), p) == CAPHEAP_FAULT_NONE;
    heap_unlock(heap);
    return live;
}

/** The largest request the heap serves now, read under its lock; O(1)
 *  (multi_heap_get_info also counts the free blocks). */
CAPHEAP_INTERNAL size_t capheap_multi_heap_largest_free(multi_heap_handle_t heap);

/** The largest request multi_heap_aligned_alloc_offs(heap, size, align,
 *  offset) serves now, read under its lock; O(1). */
CAPHEAP_INTERNAL size_t capheap_multi_heap_largest_aligned(multi_heap_handle_t heap, size_t align, size_t offset);

/** multi_heap_get_allocated_size without the report: 0 when p is not a live
 *  allocation. For callers that report under the address their own caller
 *  passed (an instruction-bus alias of p). */
CAPHEAP_INTERNAL size_t capheap_multi_heap_allocated_size_quiet(multi_heap_handle_t heap, const void *p);

#if CAPHEAP_TASK_TRACKING
/** The task that allocated p, a used block met by multi_heap_walk (whose
 *  callback runs under the heap's lock, so the block stays as it is). */
static inline void *capheap_multi_heap_owner(const void *p) { return capheap_poison_owner(p); }
/** The same block's task word: the account it was counted in (task_stats.h). */
static inline void *capheap_multi_heap_owner_word(const void *p) { return capheap_poison_owner_word(p); }
#endif

#endif /* CAPHEAP_MULTI_HEAP_INTERNAL_H */
