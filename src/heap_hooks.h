/*
 * heap_hooks.h (private): the application's allocation and free hooks
 * (esp_heap_trace_alloc_hook, esp_heap_trace_free_hook in esp_heap_caps.h),
 * called by the tracer's entry points (trace.c) when capheap is built with
 * CAPHEAP_HEAP_HOOKS (src/heap_hooks.c). Without it these are empty and the
 * compiler drops them.
 */
#ifndef CAPHEAP_HEAP_HOOKS_H
#define CAPHEAP_HEAP_HOOKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "internal.h"

#if defined(CAPHEAP_HEAP_HOOKS) && CAPHEAP_HEAP_HOOKS

/** Whether the application defines either hook. */
CAPHEAP_INTERNAL bool capheap_hooks_defined(void);

/** An allocation returned p (NULL: it failed, and no hook is called). */
CAPHEAP_INTERNAL void capheap_hooks_alloc(void *p, size_t size, uint32_t caps);

/** p is about to be freed: the free hook sees it when it is a live block. */
CAPHEAP_INTERNAL void capheap_hooks_free(void *p);

/** realloc(old, size, caps) returned p, with trace_hook.h's meaning. */
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
