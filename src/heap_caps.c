/*
 * heap_caps.c: allocation by capabilities (esp_heap_caps.h): malloc, calloc,
 * the aligned variants and the failed-allocation hook. Blocks behind pointers
 * (free, realloc, sizes) are in heap_caps_block.c.
 *
 * heap_caps_malloc's fast path: the registry's cached candidate list for the
 * caps mask, then multi_heap_malloc in each candidate until one succeeds (the
 * matching rule itself). A list not cached yet, caps with rules of their own
 * and the hook are out of line.
 */
#include <string.h>

#include "capheap/port.h"
#include "heap_caps_internal.h"
#include "trace_hook.h"

#define EXEC_FORBIDS (MALLOC_CAP_8BIT | MALLOC_CAP_DMA)

/* ---- the failure hook -------------------------------------------------- */

static _Atomic(esp_alloc_failed_hook_t) failed_hook;

esp_err_t heap_caps_register_failed_alloc_callback(esp_alloc_failed_hook_t callback) {
    if (callback == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    atomic_store_explicit(&failed_hook, callback, memory_order_release);
    return ESP_OK;
}

void capheap_caps_alloc_failed(size_t size, uint32_t caps, const char *function_name) {
    esp_alloc_failed_hook_t hook = atomic_load_explicit(&failed_hook, memory_order_acquire);
    if (hook != NULL && size != 0) {
        hook(size, caps, function_name);
    }
}

/* ---- one heap ---------------------------------------------------------- */

void *capheap_heap_alloc(capheap_heap_t *h, size_t size, size_t align, bool exec) {
    if (exec && h->alias_kind != CAPHEAP_ALIAS_NONE) {
        return capheap_alias_alloc(h, size, align);
    }
    if (align != 0) {
        return multi_heap_aligned_alloc(capheap_hot_mh(h->hot), size, align);
    }
    return multi_heap_malloc(capheap_hot_mh(h->hot), size);
}

#define HAS_RULES (MALLOC_CAP_EXEC | MALLOC_CAP_32BIT | MALLOC_CAP_INVALID)

/* Lists of caps masks without rules go to table 0, the one the fast path
 * reads: a list found there needs no further check. */
static unsigned table_of(uint32_t caps) { return (caps & HAS_RULES) != 0; }

/* The rules of the caps themselves; false when no memory can ever match. */
static bool adjust_request(size_t *size, uint32_t *caps) {
    if (*size == 0 || (*caps & MALLOC_CAP_INVALID) != 0) {
        return false;
    }
    if (*caps & MALLOC_CAP_EXEC) {
        if (*caps & EXEC_FORBIDS) {
            return false; /* no memory is both executable and byte-accessible */
        }
        *caps |= MALLOC_CAP_32BIT;
    }
    if (*caps & MALLOC_CAP_32BIT) {
        if (*size > SIZE_MAX - 3) {
            return false;
        }
        *size = (*size + 3) & ~(size_t)3;
    }
    return true;
}

void *capheap_caps_alloc(size_t size, size_t align, uint32_t caps) {
    if (!adjust_request(&size, &caps)) {
        return NULL;
    }
    bool exec = (caps & MALLOC_CAP_EXEC) != 0;
    capheap_candidate_list_t scratch;
    const capheap_candidate_list_t *l = capheap_registry_candidate_list(caps, table_of(caps), &scratch);
    for (const uint8_t *i = l->heap; *i != CAPHEAP_LIST_END; i++) {
        void *m = capheap_heap_alloc(capheap_registry_at(*i), size, align, exec);
        if (m != NULL) {
            return m;
        }
    }
    return NULL;
}

/* ---- heap_caps_malloc -------------------------------------------------- */

/* Cache misses and caps with rules; the hook on failure. */
static __attribute__((noinline)) void *malloc_slow(size_t size, uint32_t caps) {
    void *p = capheap_caps_alloc(size, 0, caps);
    if (p == NULL) {
        capheap_caps_alloc_failed(size, caps, "heap_caps_malloc");
    }
    return p;
}

/* No candidate had room. */
static __attribute__((noinline)) void *malloc_failed(size_t size, uint32_t caps) {
    capheap_caps_alloc_failed(size, caps, "heap_caps_malloc");
    return NULL;
}

static CAPHEAP_ALWAYS_INLINE void *caps_malloc(size_t size, uint32_t caps) {
    /* Table 0 holds lists of caps without rules only (and the empty list of
     * caps 0): a match means nothing else to check. The heaps are asked in
     * the rule's order and the first that has room serves. A heap whose fail
     * floor says the request cannot fit is passed over without its lock
     * (multi_heap_internal.h); the last candidate is always asked, since it
     * decides between a block and NULL. Size 0 fails in every heap. */
    const capheap_candidate_list_t *l = capheap_registry_cached_list(caps, 0);
    if (l->caps != caps) {
        return malloc_slow(size, caps);
    }
    const uint8_t *i = l->heap;
    if (*i == CAPHEAP_LIST_END) {
        return malloc_failed(size, caps);
    }
    for (; i[1] != CAPHEAP_LIST_END; i++) {
        multi_heap_handle_t mh = capheap_hot_mh(capheap_registry_hot(*i));
        if (size < capheap_multi_heap_fail_floor(mh)) {
            void *p = capheap_fast_malloc(mh, size);
            if (p != NULL) {
                return p;
            }
        }
    }
    void *p = capheap_fast_malloc(capheap_hot_mh(capheap_registry_hot(*i)), size);
    return p != NULL ? p : malloc_failed(size, caps);
}

static __attribute__((noinline)) void *malloc_traced(size_t size, uint32_t caps, void *caller) {
    void *p = caps_malloc(size, caps);
    capheap_trace_alloc(p, size, 0, caps, caller);
    return p;
}

void *heap_caps_malloc(size_t size, uint32_t caps) {
    if (CAPHEAP_TRACING()) {
        return malloc_traced(size, caps, CAPHEAP_CALLER());
    }
    return caps_malloc(size, caps);
}

/* ---- calloc and aligned ------------------------------------------------ */

static bool is_power_of_two(size_t x) { return x != 0 && (x & (x - 1)) == 0; }

void *heap_caps_aligned_alloc(size_t alignment, size_t size, uint32_t caps) {
    void *p = is_power_of_two(alignment) ? capheap_caps_alloc(size, alignment, caps) : NULL;
    if (p == NULL) {
        capheap_caps_alloc_failed(size, caps, "heap_caps_aligned_alloc");
    }
    if (CAPHEAP_TRACING()) {
        capheap_trace_alloc(p, size, alignment, caps, CAPHEAP_CALLER());
    }
    return p;
}

/* n * size, or SIZE_MAX (which no heap can serve) when it overflows. */
static size_t array_size(size_t n, size_t size) {
    size_t total;
    return __builtin_mul_overflow(n, size, &total) ? SIZE_MAX : total;
}

static void *zeroed_alloc(size_t total, size_t align, uint32_t caps, const char *function_name) {
    void *p = total == SIZE_MAX ? NULL : capheap_caps_alloc(total, align, caps);
    if (p != NULL) {
        memset(p, 0, total);
    } else {
        capheap_caps_alloc_failed(total, caps, function_name);
    }
    return p;
}

void *heap_caps_calloc(size_t n, size_t size, uint32_t caps) {
    void *p = zeroed_alloc(array_size(n, size), 0, caps, "heap_caps_calloc");
    if (CAPHEAP_TRACING()) {
        capheap_trace_alloc(p, array_size(n, size), 0, caps, CAPHEAP_CALLER());
    }
    return p;
}

void *heap_caps_aligned_calloc(size_t alignment, size_t n, size_t size, uint32_t caps) {
    if (!is_power_of_two(alignment)) {
        capheap_caps_alloc_failed(array_size(n, size), caps, "heap_caps_aligned_calloc");
        return NULL;
    }
    void *p = zeroed_alloc(array_size(n, size), alignment, caps, "heap_caps_aligned_calloc");
    if (CAPHEAP_TRACING()) {
        capheap_trace_alloc(p, array_size(n, size), alignment, caps, CAPHEAP_CALLER());
    }
    return p;
}
