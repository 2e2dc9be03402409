/*
 * heap_hooks.c: ESP-IDF's allocation and free hooks (CONFIG_HEAP_USE_HOOKS):
 * esp_heap_trace_alloc_hook and esp_heap_trace_free_hook, functions the
 * application may define (esp_heap_caps.h). Compiled only with
 * CAPHEAP_HEAP_HOOKS; the tests of the hooks' addresses are inline
 * (heap_hooks.h), what they do beyond a call is here.
 */
#include "capheap/config.h"

#if defined(CAPHEAP_HEAP_HOOKS) && CAPHEAP_HEAP_HOOKS

#include "esp_heap_caps.h"
#include "heap_caps_internal.h"
#include "heap_hooks.h"

/* A pointer the free will refuse (and report) is not the application's
 * block: its tracker would drop a record it may still need. */
void capheap_hooks_free_live(void *p) {
    if (capheap_caps_is_live(p)) {
        esp_heap_trace_free_hook(p);
    }
}

/* realloc has moved or freed old by now (it was a live block: a bad pointer
 * makes no realloc event), then p is the new block: in place, the alloc hook
 * alone tells the new size, as in ESP-IDF. */
void capheap_hooks_realloc(void *p, void *old, size_t size, uint32_t caps) {
    if (p == NULL && size != 0) {
        return; /* failed: old is untouched */
    }
    if (old != NULL && p != old && esp_heap_trace_free_hook != NULL) {
        esp_heap_trace_free_hook(old);
    }
    capheap_hooks_alloc(p, size, caps);
}

#endif /* CAPHEAP_HEAP_HOOKS */
