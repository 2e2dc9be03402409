/*
 * heap_caps.c: the allocation front end of esp_heap_caps.h (layer 4):
 * malloc, calloc, realloc, free and the aligned variants.
 *
 * The fast path of heap_caps_malloc asks the registry for the heaps that may
 * serve the caps, by priority, and tries them in order. A heap that just failed
 * a request keeps that size as a hint (no_fit_from): until memory is freed in it
 * or it serves an allocation, requests at least that large skip it without a
 * call. Without that, a small heap that fills up early (ESP32's 6 KiB DRAM
 * piece) would cost a failed multi_heap_malloc on most allocations. The hint is
 * exact for a region allocator whose failure at size s implies failure at every
 * larger size until its state changes; a stale one (a free racing with the
 * failure on another thread) is caught by one more pass without hints before
 * NULL is returned.
 */
#include <string.h>

#include "capheap/port.h"
#include "heap_caps_internal.h"

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

/* ---- per-heap hint ----------------------------------------------------- */

static inline multi_heap_handle_t handle_of(const capheap_heap_t *h) {
    /* The heap was found through a heap set or range published after its
     * handle: the acquire there makes a relaxed load enough here. */
    return atomic_load_explicit(&h->mh, memory_order_relaxed);
}

static inline bool may_fit(const capheap_heap_t *h, size_t size) {
    return size < atomic_load_explicit(&h->no_fit_from, memory_order_relaxed);
}

static inline void note_no_fit(capheap_heap_t *h, size_t size) {
    if (size < atomic_load_explicit(&h->no_fit_from, memory_order_relaxed)) {
        atomic_store_explicit(&h->no_fit_from, size, memory_order_relaxed);
    }
}

/* The heap changed (a free, or an allocation that moved its free lists):
 * what failed before may fit now. */
static inline void note_change(capheap_heap_t *h) {
    if (atomic_load_explicit(&h->no_fit_from, memory_order_relaxed) != SIZE_MAX) {
        atomic_store_explicit(&h->no_fit_from, SIZE_MAX, memory_order_relaxed);
    }
}

/* ---- allocation -------------------------------------------------------- */

static inline capheap_heap_t *candidate(const capheap_candidate_list_t *l, unsigned i) {
    return capheap_registry_at(l->heap[i]);
}

/* Candidates in order, without hints: the slow pass. */
static void *alloc_without_hints(size_t size, const capheap_candidate_list_t *l) {
    for (unsigned i = 0; i < l->count; i++) {
        void *m = capheap_heap_alloc(candidate(l, i), size, 0, false);
        if (m != NULL) {
            return m;
        }
    }
    return NULL;
}

/* The fast path: size > 0, caps without EXEC, 32BIT or INVALID, no alignment. */
static CAPHEAP_ALWAYS_INLINE void *alloc_plain(size_t size, uint32_t caps) {
    capheap_candidate_list_t scratch;
    const capheap_candidate_list_t *l = capheap_registry_candidate_list(caps, &scratch);
    bool skipped = false;
    for (unsigned i = 0; i < l->count; i++) {
        capheap_heap_t *h = candidate(l, i);
        if (!may_fit(h, size)) {
            skipped = true;
            continue;
        }
        void *m = multi_heap_malloc(handle_of(h), size);
        if (m != NULL) {
            note_change(h);
            return m;
        }
        note_no_fit(h, size);
    }
    return skipped ? alloc_without_hints(size, l) : NULL;
}

void *capheap_heap_alloc(capheap_heap_t *h, size_t size, size_t align, bool exec) {
    multi_heap_handle_t mh = handle_of(h);
    void *m;
    if (exec && h->alias_kind != CAPHEAP_ALIAS_NONE) {
        m = capheap_alias_alloc(h, size, align);
    } else if (align != 0) {
        m = multi_heap_aligned_alloc(mh, size, align);
    } else {
        m = multi_heap_malloc(mh, size);
        if (m == NULL) {
            note_no_fit(h, size);
        }
    }
    if (m != NULL) {
        note_change(h);
    }
    return m;
}

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
    if (align == 0 && !exec) {
        return alloc_plain(size, caps);
    }
    capheap_candidate_list_t scratch;
    const capheap_candidate_list_t *l = capheap_registry_candidate_list(caps, &scratch);
    for (unsigned i = 0; i < l->count; i++) {
        void *m = capheap_heap_alloc(candidate(l, i), size, align, exec);
        if (m != NULL) {
            return m;
        }
    }
    return NULL;
}

void *heap_caps_malloc(size_t size, uint32_t caps) {
    void *p;
    if (size != 0 && (caps & (MALLOC_CAP_EXEC | MALLOC_CAP_32BIT | MALLOC_CAP_INVALID)) == 0) {
        p = alloc_plain(size, caps);
    } else {
        p = capheap_caps_alloc(size, 0, caps);
    }
    if (p == NULL) {
        capheap_caps_alloc_failed(size, caps, "heap_caps_malloc");
    }
    return p;
}

static bool is_power_of_two(size_t x) { return x != 0 && (x & (x - 1)) == 0; }

void *heap_caps_aligned_alloc(size_t alignment, size_t size, uint32_t caps) {
    void *p = is_power_of_two(alignment) ? capheap_caps_alloc(size, alignment, caps) : NULL;
    if (p == NULL) {
        capheap_caps_alloc_failed(size, caps, "heap_caps_aligned_alloc");
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
    return zeroed_alloc(array_size(n, size), 0, caps, "heap_caps_calloc");
}

void *heap_caps_aligned_calloc(size_t alignment, size_t n, size_t size, uint32_t caps) {
    if (!is_power_of_two(alignment)) {
        capheap_caps_alloc_failed(array_size(n, size), caps, "heap_caps_aligned_calloc");
        return NULL;
    }
    return zeroed_alloc(array_size(n, size), alignment, caps, "heap_caps_aligned_calloc");
}

/* ---- blocks behind pointers -------------------------------------------- */

static void report_stray(void *ptr) { capheap_report_corruption(ptr, "pointer is in no heap"); }

bool capheap_caps_find_block(void *ptr, capheap_caps_block_t *out) {
    const capheap_range_t *r = capheap_registry_owner(ptr);
    if (r == NULL) {
        report_stray(ptr);
        return false;
    }
    out->heap = r->heap;
    if (r->alias) {
        out->block = capheap_alias_block(r->heap, ptr, &out->usable);
    } else {
        out->block = ptr;
        out->usable = multi_heap_get_allocated_size(handle_of(r->heap), ptr);
    }
    return out->block != NULL && out->usable != 0;
}

static void free_through_window(const capheap_range_t *r, void *ptr) {
    size_t usable;
    void *block = capheap_alias_block(r->heap, ptr, &usable);
    if (block != NULL) {
        multi_heap_free(handle_of(r->heap), block);
        note_change(r->heap);
    }
}

static void free_slow(void *ptr) {
    if (ptr == NULL) {
        return;
    }
    const capheap_range_t *r = capheap_registry_owner_search((uintptr_t)ptr);
    if (r == NULL) {
        report_stray(ptr);
    } else if (r->alias) {
        free_through_window(r, ptr);
    } else {
        note_change(r->heap);
        multi_heap_free(handle_of(r->heap), ptr);
    }
}

void heap_caps_free(void *ptr) {
    /* The owner cache holds data ranges only; NULL is in none. The hint is
     * cleared before the free so that the free is the last call (a failure
     * noted in between on another thread is what the slow pass is for). */
    const capheap_range_t *r = atomic_load_explicit(&capheap_registry.last_owner, memory_order_acquire);
    if (r != NULL && (uintptr_t)ptr - r->start < r->size) {
        note_change(r->heap);
        multi_heap_free(handle_of(r->heap), ptr);
        return;
    }
    free_slow(ptr);
}

void heap_caps_aligned_free(void *ptr) { heap_caps_free(ptr); }

size_t heap_caps_get_allocated_size(void *ptr) {
    capheap_caps_block_t b;
    return ptr != NULL && capheap_caps_find_block(ptr, &b) ? b.usable : 0;
}

/* ---- realloc ----------------------------------------------------------- */

/* Whether the block may stay in its heap for a request with caps. */
static bool may_stay(const capheap_caps_block_t *b, void *ptr, uint32_t caps) {
    bool through_window = b->block != ptr;
    bool wants_window = (caps & MALLOC_CAP_EXEC) != 0 && b->heap->alias_kind != CAPHEAP_ALIAS_NONE;
    return !through_window && !wants_window && capheap_heap_covers(b->heap, caps);
}

void *capheap_caps_realloc(void *ptr, size_t size, uint32_t caps, bool *bad_ptr) {
    *bad_ptr = false;
    if (ptr == NULL) {
        return capheap_caps_alloc(size, 0, caps);
    }
    if (size == 0) {
        heap_caps_free(ptr);
        return NULL;
    }
    capheap_caps_block_t b;
    if (!capheap_caps_find_block(ptr, &b)) {
        *bad_ptr = true;
        return NULL;
    }
    size_t want = size;
    uint32_t want_caps = caps;
    if (!adjust_request(&want, &want_caps)) {
        return NULL;
    }
    if (may_stay(&b, ptr, want_caps)) {
        void *p = multi_heap_realloc(handle_of(b.heap), ptr, want);
        if (p != NULL) {
            note_change(b.heap);
            return p;
        }
    }
    void *moved = capheap_caps_alloc(size, 0, caps);
    if (moved != NULL) {
        memcpy(moved, ptr, b.usable < size ? b.usable : size);
        heap_caps_free(ptr);
    }
    return moved;
}

void *heap_caps_realloc(void *ptr, size_t size, uint32_t caps) {
    bool bad_ptr;
    void *p = capheap_caps_realloc(ptr, size, caps, &bad_ptr);
    if (p == NULL && !bad_ptr) {
        capheap_caps_alloc_failed(size, caps, "heap_caps_realloc");
    }
    return p;
}
