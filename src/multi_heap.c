/*
 * multi_heap.c: the multi_heap.h API, layer 2 of DESIGN.md.
 *
 * Adds to the region allocator what a shared heap needs: the lock and the
 * checking of user pointers with corruption reports (the region allocator
 * keeps the counters and the watermark, which its own operations change).
 * Poisoning sits between this file and the allocator (poison.h). A heap with
 * no lock goes straight to the layer below, as a tail call.
 */
#include "multi_heap.h"

#include "multi_heap_internal.h"
#include "poison.h"

/* The handle is the control data, which the region allocator places at
 * start rounded up to the grain, MULTI_HEAP_ALIGN; it refuses a NULL start
 * and a region too small, as this function documents: one whose block
 * cannot serve malloc(1), poisoning's canaries included. */
_Static_assert(MULTI_HEAP_ALIGN == CAPHEAP_TLSF_GRAIN, "a handle is the region allocator's control data");
multi_heap_handle_t multi_heap_register(void *start, size_t size) {
    multi_heap_handle_t heap =
        (multi_heap_handle_t)(void *)capheap_tlsf_create(start, size, 0, capheap_poison_overhead() + 1);
    if (heap != NULL) {
        capheap_poison_new_heap(tlsf_of(heap));
        fail_floor_set(heap, SIZE_MAX); /* kept by the locked paths only */
    }
    return heap;
}

/* The fail floor is kept by the locked paths only: a new lock starts without one. */
void multi_heap_set_lock(multi_heap_handle_t heap, void *lock) {
    capheap_tlsf_shared(tlsf_of(heap))->user = lock;
    fail_floor_set(heap, SIZE_MAX);
}

/* The locked paths of malloc and free, out of line so that the unlocked
 * ones stay a test and a jump. */
__attribute__((noinline)) static void *locked_malloc(multi_heap_handle_t heap, size_t size) {
    return capheap_multi_heap_malloc_locked(heap, size);
}

__attribute__((noinline)) static void locked_free(multi_heap_handle_t heap, void *p) {
    if (p != NULL) {
        capheap_multi_heap_free_locked(heap, p);
    }
}

void *multi_heap_malloc(multi_heap_handle_t heap, size_t size) {
    if (heap_lock_of(heap) == NULL) {
        return capheap_poison_malloc(tlsf_of(heap), size);
    }
    return locked_malloc(heap, size);
}

void *multi_heap_aligned_alloc_offs(multi_heap_handle_t heap, size_t size, size_t alignment, size_t offset) {
    heap_lock(heap);
    void *p = capheap_poison_memalign(tlsf_of(heap), size, alignment, offset);
    capheap_multi_heap_floor_renew(heap); /* a failure sets none: it says nothing of plain requests */
    heap_unlock(heap);
    return p;
}

void *multi_heap_aligned_alloc(multi_heap_handle_t heap, size_t size, size_t alignment) {
    return multi_heap_aligned_alloc_offs(heap, size, alignment, 0);
}

/* NULL does nothing: the layer below tests for it on its fault path only. */
void multi_heap_free(multi_heap_handle_t heap, void *p) {
    if (heap_lock_of(heap) == NULL) {
        capheap_poison_free(tlsf_of(heap), p);
        return;
    }
    locked_free(heap, p);
}

void multi_heap_aligned_free(multi_heap_handle_t heap, void *p) { multi_heap_free(heap, p); }

void *multi_heap_realloc(multi_heap_handle_t heap, void *p, size_t size) {
    if (p == NULL) {
        return multi_heap_malloc(heap, size);
    }
    if (size == 0) {
        multi_heap_free(heap, p);
        return NULL;
    }
    heap_lock(heap);
    void *moved = NULL;
    capheap_fault_t fault = capheap_poison_validate(tlsf_of(heap), p);
    if (fault == CAPHEAP_FAULT_NONE) {
        moved = capheap_poison_realloc(tlsf_of(heap), p, size);
        capheap_multi_heap_floor_renew(heap); /* it may have shrunk or moved the block */
    } else {
        capheap_report_fault(p, fault);
    }
    heap_unlock(heap);
    return moved;
}

/* The small queries, each a few loads or a call under the lock: one locked
 * body for all of them, which each API function enters with its query (one
 * lock and unlock sequence in the code instead of one per function). */
typedef enum {
    Q_ALLOCATED_SIZE,      /* usable size of the live allocation arg, reported when bad */
    Q_FULL_BLOCK_SIZE,     /* the same with its header and poisoning */
    Q_ALLOCATED_QUIET,     /* Q_ALLOCATED_SIZE without the report */
    Q_FREE_SIZE,
    Q_MINIMUM_FREE,
    Q_LARGEST_FREE,
    Q_RESET_MINIMUM,       /* returns the old watermark */
    Q_RESTORE_MINIMUM,     /* to arg */
} query_t;

/* The counters change under the lock: they are read under it too, so that
 * another thread's malloc or free is never seen half done (and sanitizers
 * agree). A bad pointer gives size 0. */
__attribute__((noinline)) static size_t locked_query(multi_heap_handle_t heap, query_t q, uintptr_t arg) {
    capheap_tlsf_t *t = tlsf_of(heap);
    const void *p = (const void *)arg;
    size_t r = 0;
    heap_lock(heap);
    if (q <= Q_ALLOCATED_QUIET) {
        capheap_fault_t fault = capheap_poison_validate(t, p);
        if (fault != CAPHEAP_FAULT_NONE) {
            if (q != Q_ALLOCATED_QUIET && p != NULL) { /* NULL: 0, as its free does nothing */
                capheap_report_fault(p, fault);
            }
        } else if (q == Q_FULL_BLOCK_SIZE) {
            r = capheap_tlsf_usable_size(capheap_poison_payload(p)) + CAPHEAP_TLSF_HEADER;
        } else {
            r = capheap_poison_usable_size(p);
        }
    } else if (q == Q_FREE_SIZE) {
        r = capheap_tlsf_free_bytes(t);
    } else if (q == Q_MINIMUM_FREE) {
        r = capheap_tlsf_counters(t)->min_free_bytes;
    } else if (q == Q_LARGEST_FREE) {
        r = capheap_multi_heap_largest_request(heap);
    } else {
        r = capheap_tlsf_set_min_free(t, q == Q_RESET_MINIMUM ? SIZE_MAX : arg);
    }
    heap_unlock(heap);
    return r;
}

size_t multi_heap_get_allocated_size(multi_heap_handle_t heap, void *p) {
    return locked_query(heap, Q_ALLOCATED_SIZE, (uintptr_t)p);
}

size_t multi_heap_get_full_block_size(multi_heap_handle_t heap, void *p) {
    return locked_query(heap, Q_FULL_BLOCK_SIZE, (uintptr_t)p);
}

size_t capheap_multi_heap_allocated_size_quiet(multi_heap_handle_t heap, const void *p) {
    return locked_query(heap, Q_ALLOCATED_QUIET, (uintptr_t)p);
}

size_t multi_heap_free_size(multi_heap_handle_t heap) { return locked_query(heap, Q_FREE_SIZE, 0); }

size_t multi_heap_minimum_free_size(multi_heap_handle_t heap) { return locked_query(heap, Q_MINIMUM_FREE, 0); }

size_t multi_heap_reset_minimum_free_bytes(multi_heap_handle_t heap) { return locked_query(heap, Q_RESET_MINIMUM, 0); }

void multi_heap_restore_minimum_free_bytes(multi_heap_handle_t heap, size_t value) {
    (void)locked_query(heap, Q_RESTORE_MINIMUM, value);
}

size_t capheap_multi_heap_largest_free(multi_heap_handle_t heap) { return locked_query(heap, Q_LARGEST_FREE, 0); }

size_t capheap_multi_heap_largest_aligned(multi_heap_handle_t heap, size_t align, size_t offset) {
    heap_lock(heap);
    size_t r = capheap_poison_largest_aligned(tlsf_of(heap), align, offset);
    heap_unlock(heap);
    return r;
}

void multi_heap_get_info(multi_heap_handle_t heap, multi_heap_info_t *info) {
    capheap_tlsf_stats_t stats;
    heap_lock(heap);
    capheap_tlsf_get_stats(tlsf_of(heap), &stats);
    info->largest_free_block = capheap_multi_heap_largest_request(heap);
    info->minimum_free_bytes = capheap_tlsf_counters(tlsf_of(heap))->min_free_bytes;
    heap_unlock(heap);
    info->total_free_bytes = stats.free_bytes;
    info->total_allocated_bytes = stats.used_bytes;
    info->allocated_blocks = stats.used_blocks;
    info->free_blocks = stats.free_blocks;
    info->total_blocks = stats.used_blocks + stats.free_blocks;
}
