/*
 * heap_caps.c: allocation by capabilities (esp_heap_caps.h): malloc, calloc,
 * the aligned variants and the failed-allocation hook. Blocks behind pointers
 * (free, realloc, sizes) are in heap_caps_block.c.
 *
 * heap_caps_malloc's fast path: the registry's cached candidate list for the
 * caps mask, then the first candidate whose no-fit bound allows the size
 * (heap_caps_internal.h). Everything else (a list not cached yet, caps with
 * rules of their own, size 0, a heap with a bound to measure again, failures
 * and the hook) is out of line.
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

void capheap_hot_measure(capheap_heap_hot_t *hot, size_t failed) {
    multi_heap_info_t info;
    multi_heap_get_info(capheap_hot_mh(hot), &info);
    size_t largest = info.largest_free_block;
    bool roomy = largest >= CAPHEAP_ROOMY_BLOCK && largest >= failed;
    atomic_store_explicit(&hot->no_fit_from, roomy ? CAPHEAP_HINT_NONE : largest + 1, memory_order_relaxed);
}

/* A plain malloc in one heap: a failure gives it a bound, a success in a
 * heap with one measures it again. */
static void *plain_alloc(capheap_heap_hot_t *hot, size_t size) {
    bool bounded = capheap_hot_hint(hot) != CAPHEAP_HINT_NONE;
    void *m = multi_heap_malloc(capheap_hot_mh(hot), size);
    if (m == NULL || bounded) {
        capheap_hot_measure(hot, m == NULL ? size : 0);
    }
    return m;
}

void *capheap_heap_alloc(capheap_heap_t *h, size_t size, size_t align, bool exec) {
    void *m;
    if (exec && h->alias_kind != CAPHEAP_ALIAS_NONE) {
        m = capheap_alias_alloc(h, size, align);
    } else if (align != 0) {
        m = multi_heap_aligned_alloc(capheap_hot_mh(h->hot), size, align);
    } else {
        return plain_alloc(h->hot, size);
    }
    if (m != NULL) {
        capheap_hot_changed(h->hot);
    }
    return m;
}

/* ---- candidates in order ----------------------------------------------- */

static void *alloc_without_bounds(size_t size, const capheap_candidate_list_t *l) {
    for (const uint8_t *i = l->heap; *i != CAPHEAP_LIST_END; i++) {
        void *m = plain_alloc(capheap_registry_hot(*i), size);
        if (m != NULL) {
            return m;
        }
    }
    return NULL;
}

/* Plain requests; a heap its bound ruled out earns the pass without bounds
 * before NULL. */
static void *alloc_plain(size_t size, const capheap_candidate_list_t *l) {
    bool skipped = false;
    for (const uint8_t *i = l->heap; *i != CAPHEAP_LIST_END; i++) {
        capheap_heap_hot_t *hot = capheap_registry_hot(*i);
        if (size >= capheap_hot_hint(hot)) {
            skipped = true;
            continue;
        }
        void *m = plain_alloc(hot, size);
        if (m != NULL) {
            return m;
        }
    }
    return skipped ? alloc_without_bounds(size, l) : NULL;
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
    if (align == 0 && !exec) {
        return alloc_plain(size, l);
    }
    for (const uint8_t *i = l->heap; *i != CAPHEAP_LIST_END; i++) {
        void *m = capheap_heap_alloc(capheap_registry_at(*i), size, align, exec);
        if (m != NULL) {
            return m;
        }
    }
    return NULL;
}

/* ---- heap_caps_malloc -------------------------------------------------- */

/* Cache misses, caps with rules, every heap ruled out; the hook on failure. */
static __attribute__((noinline)) void *malloc_slow(size_t size, uint32_t caps) {
    void *p = capheap_caps_alloc(size, 0, caps);
    if (p == NULL) {
        capheap_caps_alloc_failed(size, caps, "heap_caps_malloc");
    }
    return p;
}

/* The fast path met a heap with a bound that allows size: it is measured
 * again after the allocation, whatever the outcome. */
static __attribute__((noinline)) void *malloc_bounded(capheap_heap_hot_t *hot, size_t size, uint32_t caps) {
    void *p = multi_heap_malloc(capheap_hot_mh(hot), size);
    capheap_hot_measure(hot, p == NULL ? size : 0);
    return p != NULL ? p : malloc_slow(size, caps);
}

/* The fast path's heap failed. It was the first that its bound allowed: it
 * gets its bound (so it is not asked again), then the others are tried. */
static __attribute__((noinline)) void *malloc_after_failure(size_t size, uint32_t caps) {
    const capheap_candidate_list_t *l = capheap_registry_cached_list(caps, 0);
    for (const uint8_t *i = l->heap; l->caps == caps && *i != CAPHEAP_LIST_END; i++) {
        capheap_heap_hot_t *hot = capheap_registry_hot(*i);
        if (size < capheap_hot_hint(hot)) {
            capheap_hot_measure(hot, size);
            break;
        }
    }
    return malloc_slow(size, caps);
}

static CAPHEAP_ALWAYS_INLINE void *caps_malloc(size_t size, uint32_t caps) {
    /* Table 0 holds lists of caps without rules only (and the empty list of
     * caps 0): a match means nothing else to check. Size 0 just fails below. */
    const capheap_candidate_list_t *l = capheap_registry_cached_list(caps, 0);
    if (l->caps == caps) {
        for (const uint8_t *i = l->heap; *i != CAPHEAP_LIST_END; i++) {
            capheap_heap_hot_t *hot = capheap_registry_hot(*i);
            size_t hint = capheap_hot_hint(hot);
            if (size < hint) {
                if (hint != CAPHEAP_HINT_NONE) {
                    return malloc_bounded(hot, size, caps);
                }
                void *p = multi_heap_malloc(capheap_hot_mh(hot), size);
                return p != NULL ? p : malloc_after_failure(size, caps);
            }
        }
    }
    return malloc_slow(size, caps);
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
