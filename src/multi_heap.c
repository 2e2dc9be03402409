/*
 * multi_heap.c: the multi_heap.h API, layer 2 of DESIGN.md.
 *
 * Adds to the region allocator what a shared heap needs: the lock, the
 * free-bytes watermark, checking of user pointers with corruption reports,
 * walk and dump. Poisoning sits between this file and the allocator (poison.h).
 */
#include "multi_heap.h"

#include "capheap/port.h"
#include "log.h"
#include "poison.h"

#include "multi_heap_internal.h"

static inline void note_watermark(multi_heap_handle_t heap) {
    size_t free_now = capheap_tlsf_free_bytes(tlsf_of(heap));
    if (free_now < heap->min_free) {
        heap->min_free = free_now;
    }
}

multi_heap_handle_t multi_heap_register(void *start, size_t size) {
    uintptr_t a = ((uintptr_t)start + MULTI_HEAP_ALIGN - 1) & ~(uintptr_t)(MULTI_HEAP_ALIGN - 1);
    size_t skip = (size_t)(a - (uintptr_t)start);
    if (start == NULL || size <= skip) {
        return NULL;
    }
    multi_heap_handle_t heap = (multi_heap_handle_t)a;
    if (capheap_tlsf_create(heap, size - skip, sizeof(*heap)) != tlsf_of(heap)) {
        return NULL;
    }
    heap->lock = NULL;
    heap->min_free = capheap_tlsf_free_bytes(tlsf_of(heap));
    return heap;
}

void multi_heap_set_lock(multi_heap_handle_t heap, void *lock) { heap->lock = lock; }

void *multi_heap_malloc(multi_heap_handle_t heap, size_t size) {
    heap_lock(heap);
    void *p = capheap_poison_malloc(tlsf_of(heap), size);
    note_watermark(heap);
    heap_unlock(heap);
    return p;
}

void *multi_heap_aligned_alloc_offs(multi_heap_handle_t heap, size_t size, size_t alignment, size_t offset) {
    heap_lock(heap);
    void *p = capheap_poison_memalign(tlsf_of(heap), size, alignment, offset);
    note_watermark(heap);
    heap_unlock(heap);
    return p;
}

void *multi_heap_aligned_alloc(multi_heap_handle_t heap, size_t size, size_t alignment) {
    return multi_heap_aligned_alloc_offs(heap, size, alignment, 0);
}

void multi_heap_free(multi_heap_handle_t heap, void *p) {
    if (p == NULL) {
        return;
    }
    heap_lock(heap);
    const char *why = capheap_poison_validate(tlsf_of(heap), p);
    if (why == NULL) {
        capheap_poison_free(tlsf_of(heap), p);
    }
    heap_unlock(heap);
    if (why != NULL) {
        capheap_report_corruption(p, why);
    }
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
    const char *why = capheap_poison_validate(tlsf_of(heap), p);
    if (why == NULL) {
        moved = capheap_poison_realloc(tlsf_of(heap), p, size);
        note_watermark(heap);
    }
    heap_unlock(heap);
    if (why != NULL) {
        capheap_report_corruption(p, why);
    }
    return moved;
}

/* Usable size of p (full: including header and poisoning), 0 when p is bad. */
static size_t live_size(multi_heap_handle_t heap, void *p, bool full) {
    heap_lock(heap);
    const char *why = capheap_poison_validate(tlsf_of(heap), p);
    size_t size = 0;
    if (why == NULL) {
        size = full ? capheap_tlsf_usable_size(capheap_poison_payload(p)) + CAPHEAP_TLSF_GRAIN
                    : capheap_poison_usable_size(p);
    }
    heap_unlock(heap);
    if (why != NULL) {
        capheap_report_corruption(p, why);
    }
    return size;
}

size_t multi_heap_get_allocated_size(multi_heap_handle_t heap, void *p) { return live_size(heap, p, false); }

size_t multi_heap_get_full_block_size(multi_heap_handle_t heap, void *p) { return live_size(heap, p, true); }

size_t multi_heap_free_size(multi_heap_handle_t heap) { return capheap_tlsf_free_bytes(tlsf_of(heap)); }

size_t multi_heap_minimum_free_size(multi_heap_handle_t heap) { return heap->min_free; }

size_t multi_heap_reset_minimum_free_bytes(multi_heap_handle_t heap) {
    heap_lock(heap);
    size_t old = heap->min_free;
    heap->min_free = capheap_tlsf_free_bytes(tlsf_of(heap));
    heap_unlock(heap);
    return old;
}

void multi_heap_restore_minimum_free_bytes(multi_heap_handle_t heap, size_t value) {
    heap_lock(heap);
    size_t free_now = capheap_tlsf_free_bytes(tlsf_of(heap));
    heap->min_free = value < free_now ? value : free_now;
    heap_unlock(heap);
}

void multi_heap_get_info(multi_heap_handle_t heap, multi_heap_info_t *info) {
    capheap_tlsf_stats_t stats;
    heap_lock(heap);
    capheap_tlsf_get_stats(tlsf_of(heap), &stats);
    size_t largest = capheap_tlsf_largest_free(tlsf_of(heap));
    info->minimum_free_bytes = heap->min_free;
    heap_unlock(heap);
    size_t poison = capheap_poison_overhead();
    info->total_free_bytes = stats.free_bytes;
    info->total_allocated_bytes = stats.used_bytes;
    info->largest_free_block = largest > poison ? largest - poison : 0;
    info->allocated_blocks = stats.used_blocks;
    info->free_blocks = stats.free_blocks;
    info->total_blocks = stats.used_blocks + stats.free_blocks;
}
