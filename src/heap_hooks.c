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
#include "multi_heap_internal.h"
#include "word_access.h"

/* A pointer the free will refuse (and report) is not the application's
 * block: its tracker would drop a record it may still need. */
void capheap_hooks_free_live(void *p) {
    if (capheap_caps_is_live(p)) {
        esp_heap_trace_free_hook(p);
    }
}

/* p's block resized in place under its heap's lock, or false. A block found
 * unsound there is left as it is, for the free that follows to report. */
static bool resize_locked(multi_heap_handle_t mh, void *p, size_t size) {
    heap_lock(mh);
    bool resized = capheap_poison_validate(tlsf_of(mh), p) == CAPHEAP_FAULT_NONE &&
                   capheap_poison_resize(tlsf_of(mh), p, size);
    if (resized) {
        capheap_multi_heap_floor_renew(mh);
    }
    heap_unlock(mh);
    return resized;
}

void *capheap_hooks_realloc_within(multi_heap_handle_t mh, void *ptr, size_t size, size_t usable) {
    if (esp_heap_trace_free_hook == NULL) {
        return multi_heap_realloc(mh, ptr, size);
    }
    if (resize_locked(mh, ptr, size)) {
        return ptr;
    }
    void *moved = multi_heap_malloc(mh, size);
    if (moved != NULL) {
        capheap_block_copy(moved, ptr, usable < size ? usable : size);
        esp_heap_trace_free_hook(ptr);
        multi_heap_free(mh, ptr);
    }
    return moved;
}

#endif /* CAPHEAP_HEAP_HOOKS */
