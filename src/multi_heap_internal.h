/*
 * multi_heap_internal.h (private): the heap header shared by multi_heap.c and
 * multi_heap_diag.c.
 */
#ifndef CAPHEAP_MULTI_HEAP_INTERNAL_H
#define CAPHEAP_MULTI_HEAP_INTERNAL_H

#include "capheap/port.h"
#include "multi_heap.h"
#include "tlsf.h"

/* Lives at the start of the region; the region allocator's control data
 * follows it directly (tlsf_of). */
struct multi_heap_info {
    void *lock; /* port lock or NULL */
};

static inline capheap_tlsf_t *tlsf_of(multi_heap_handle_t heap) { return (capheap_tlsf_t *)(heap + 1); }

static inline void heap_lock(multi_heap_handle_t heap) {
    if (heap->lock != NULL) {
        capheap_port_lock_take(heap->lock);
    }
}

static inline void heap_unlock(multi_heap_handle_t heap) {
    if (heap->lock != NULL) {
        capheap_port_lock_give(heap->lock);
    }
}

#endif /* CAPHEAP_MULTI_HEAP_INTERNAL_H */
