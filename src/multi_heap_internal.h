/*
 * multi_heap_internal.h (private): the heap header shared by multi_heap.c and
 * multi_heap_diag.c.
 */
#ifndef CAPHEAP_MULTI_HEAP_INTERNAL_H
#define CAPHEAP_MULTI_HEAP_INTERNAL_H

#include "capheap/port.h"
#include "multi_heap.h"
#include "tlsf.h"

/* A handle is the region allocator's control data itself (struct
 * multi_heap_info is never defined): a call goes down with the same
 * arguments, and the lock (a port lock or NULL) is the word the region
 * allocator keeps for its user. */
static inline capheap_tlsf_t *tlsf_of(multi_heap_handle_t heap) { return (capheap_tlsf_t *)(void *)heap; }

static inline void *heap_lock_of(multi_heap_handle_t heap) { return capheap_tlsf_shared(tlsf_of(heap))->user; }

static inline void heap_lock(multi_heap_handle_t heap) {
    if (heap_lock_of(heap) != NULL) {
        capheap_port_lock_take(heap_lock_of(heap));
    }
}

static inline void heap_unlock(multi_heap_handle_t heap) {
    if (heap_lock_of(heap) != NULL) {
        capheap_port_lock_give(heap_lock_of(heap));
    }
}

/** multi_heap_get_allocated_size without the report: 0 when p is not a live
 *  allocation. For callers that report under the address their own caller
 *  passed (an instruction-bus alias of p). */
CAPHEAP_INTERNAL size_t capheap_multi_heap_allocated_size_quiet(multi_heap_handle_t heap, const void *p);

#endif /* CAPHEAP_MULTI_HEAP_INTERNAL_H */
