/*
 * heap_hooks.h (private): the application's allocation and free hooks
 * (esp_heap_trace_alloc_hook, esp_heap_trace_free_hook in esp_heap_caps.h),
 * called by each public allocating or freeing function of heap_caps*.c and
 * of the seed-era API (legacy.c) when capheap is built with
 * CAPHEAP_HEAP_HOOKS (src/heap_hooks.c), beside the tracer's events
 * (trace_hook.h): allocations after the fact, frees before. Without the
 * option these are empty and the compiler drops them.
 *
 * The hooks are weak references: an application that defines neither has
 * them at address 0, and each call costs a test of that address. The fast
 * paths stay the fast paths: heap_caps_malloc and heap_caps_free call the
 * hooks around them, not through the tracer's slow paths.
 */
#ifndef CAPHEAP_HEAP_HOOKS_H
#define CAPHEAP_HEAP_HOOKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "internal.h"
#include "multi_heap.h"

#if defined(CAPHEAP_HEAP_HOOKS) && CAPHEAP_HEAP_HOOKS

__attribute__((weak)) void esp_heap_trace_alloc_hook(void *ptr, size_t size, uint32_t caps);
__attribute__((weak)) void esp_heap_trace_free_hook(void *ptr);

/** Whether the application defines either hook. */
static inline bool capheap_hooks_defined(void) {
    return esp_heap_trace_alloc_hook != NULL || esp_heap_trace_free_hook != NULL;
}

/** An allocation returned p (NULL: it failed, and no hook is called). */
static inline void capheap_hooks_alloc(void *p, size_t size, uint32_t caps) {
    if (esp_heap_trace_alloc_hook != NULL && p != NULL) {
        esp_heap_trace_alloc_hook(p, size, caps);
    }
}

/** The free hook for p when it is a live block (heap_hooks.c). */
CAPHEAP_INTERNAL void capheap_hooks_free_live(void *p);

/** p is about to be freed: the free hook sees it when it is a live block. */
static inline void capheap_hooks_free(void *p) {
    if (esp_heap_trace_free_hook != NULL && p != NULL) {
        capheap_hooks_free_live(p);
    }
}

/** A realloc is about to free old, a live block (it moves it, or size 0
 *  frees it): the free hook hears of it now, while no other thread can be
 *  given its address; the alloc hook hears of the new block after the call
 *  (capheap_hooks_alloc). In place, the alloc hook alone tells the new size,
 *  as in ESP-IDF. */
static inline void capheap_hooks_realloc_frees(void *old) {
    if (esp_heap_trace_free_hook != NULL) {
        esp_heap_trace_free_hook(old);
    }
}

/** ptr's block, usable bytes long, resized or moved within its heap mh, as
 *  multi_heap_realloc does it. With a free hook defined the move is made
 *  here (in place, else a new block of mh, the copy, the free hook, the
 *  free): multi_heap_realloc frees the old block under the heap's lock,
 *  where no hook may run, and another thread may be given its address
 *  before a hook called after it. */
CAPHEAP_INTERNAL void *capheap_hooks_realloc_within(multi_heap_handle_t mh, void *ptr, size_t size, size_t usable);

#else

static inline bool capheap_hooks_defined(void) { return false; }
static inline void capheap_hooks_alloc(void *p, size_t size, uint32_t caps) { (void)p, (void)size, (void)caps; }
static inline void capheap_hooks_free(void *p) { (void)p; }
static inline void capheap_hooks_realloc_frees(void *old) { (void)old; }
static inline void *capheap_hooks_realloc_within(multi_heap_handle_t mh, void *ptr, size_t size, size_t usable) {
    (void)usable;
    return multi_heap_realloc(mh, ptr, size);
}

#endif

#endif /* CAPHEAP_HEAP_HOOKS_H */
