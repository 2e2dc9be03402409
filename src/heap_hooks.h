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

/** realloc(old, size, caps) returned p, with trace_hook.h's meaning; old was
 *  a live block (a refused pointer makes no event). */
CAPHEAP_INTERNAL void capheap_hooks_realloc(void *p, void *old, size_t size, uint32_t caps);

#else

static inline bool capheap_hooks_defined(void) { return false; }
static inline void capheap_hooks_alloc(void *p, size_t size, uint32_t caps) { (void)p, (void)size, (void)caps; }
static inline void capheap_hooks_free(void *p) { (void)p; }
static inline void capheap_hooks_realloc(void *p, void *old, size_t size, uint32_t caps) {
    (void)p, (void)old, (void)size, (void)caps;
}

#endif

#endif /* CAPHEAP_HEAP_HOOKS_H */
