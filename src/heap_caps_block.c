/*
 * heap_caps_block.c: what heap_caps does with a pointer it handed out: free,
 * realloc and the size of the block. The pointer's heap comes from the
 * registry's owner lookup; an instruction-bus address goes through the
 * window arithmetic of heap_caps_alias.c.
 */

#include "capheap/port.h"
#include "fail_inject.h"
#include "heap_caps_internal.h"
#include "heap_hooks.h"
#include "trace_hook.h"
#include "word_access.h"

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
        out->usable = multi_heap_get_allocated_size(capheap_hot_mh(r->hot), ptr);
    }
    return out->block != NULL && out->usable != 0;
}

bool capheap_caps_is_live(void *ptr) {
    const capheap_range_t *r = capheap_registry_owner(ptr);
    if (r == NULL) {
        return false;
    }
    if (r->alias) {
        size_t usable; /* not 0 when a block is found */
        return capheap_alias_block_quiet(r->heap, ptr, &usable) != NULL;
    }
    return capheap_multi_heap_is_live(capheap_hot_mh(r->hot), ptr);
}

/* ---- free -------------------------------------------------------------- */

/* The free of ptr, not NULL, whose range the caller found (NULL: none). */
static CAPHEAP_ALWAYS_INLINE void free_in(void *ptr, const capheap_range_t *r) {
    size_t usable;
    if (r == NULL) {
        report_stray(ptr);
        return;
    }
    void *block = r->alias ? capheap_alias_block(r->heap, ptr, &usable) : ptr;
    if (block != NULL) {
        multi_heap_free(capheap_hot_mh(r->hot), block);
    }
}

/* The owner cache missed: the search. */
static __attribute__((noinline)) void free_slow(void *ptr) {
    if (ptr != NULL) {
        free_in(ptr, capheap_registry_owner_search((uintptr_t)ptr));
    }
}

/* The free of ptr: by the owner cache and the heap's inlined lock, else the
 * statement slow. A macro, as the public functions read CAPHEAP_CALLER in
 * their own frame, and only on the slow path. The owner cache always holds
 * data ranges (dummy ones at first), and NULL is in none. */
#define FREE_CACHED_OR(ptr, slow)                                                                            \
    do {                                                                                                     \
        const capheap_range_t *r = capheap_registry_owner_cached(ptr);                                    \
        if (__builtin_expect(r == NULL, 0)) {                                                                \
            slow;                                                                                            \
        } else {                                                                                             \
            capheap_multi_heap_free_locked(r->mh, ptr);                                                      \
        }                                                                                                    \
    } while (0)

static CAPHEAP_ALWAYS_INLINE void free_untraced(void *ptr) { FREE_CACHED_OR(ptr, free_slow(ptr)); }

/*
 * heap_caps_free tests the tracing switch on its slow path only: while
 * tracing is on, owner lookups read an empty owner cache
 * (capheap_registry_owner_cache_hold), so that every free ends in
 * free_slow_traced, which records. The tracer (trace.c, in the critical
 * section) stores the switch, then the owner cache's switch with release; a
 * free that loads the empty cache (acquire) therefore reads the tracing
 * switch set, or a later value. A free that loaded the real cache before
 * tracing started is not recorded, as one that read the tracing switch
 * before it was set would not be. No window the other way: the cache that
 * searches fill while tracing is on is not the one the lookups read, so no
 * search running meanwhile can make a free after heap_trace_start skip the
 * record. (Removing the test saves 3 instructions per free; reading the
 * cache through its switch costs 1.)
 */
static __attribute__((noinline)) void free_slow_traced(void *ptr, void *caller) {
    if (ptr == NULL) {
        return;
    }
    if (CAPHEAP_TRACING()) {
        /* The cache was held, not missed: its entries still find most owners. */
        capheap_trace_free(ptr, caller);
        free_in(ptr, capheap_registry_owner(ptr));
    } else {
        free_in(ptr, capheap_registry_owner_search((uintptr_t)ptr));
    }
}

void heap_caps_free(void *ptr) {
    capheap_hooks_free(ptr);
    FREE_CACHED_OR(ptr, free_slow_traced(ptr, CAPHEAP_CALLER()));
}

void heap_caps_aligned_free(void *ptr) {
    capheap_hooks_free(ptr);
    FREE_CACHED_OR(ptr, free_slow_traced(ptr, CAPHEAP_CALLER()));
}

size_t heap_caps_get_allocated_size(void *ptr) {
    capheap_caps_block_t b;
    return ptr != NULL && capheap_caps_find_block(ptr, &b) ? b.usable : 0;
}

/* ---- realloc ----------------------------------------------------------- */

/* Whether the block may stay in its heap for a request with caps. */
static bool may_stay(const capheap_caps_block_t *b, const void *ptr, uint32_t caps) {
    bool through_window = b->block != ptr;
    bool wants_window = (caps & MALLOC_CAP_EXEC) != 0 && b->heap->alias_kind != CAPHEAP_ALIAS_NONE;
    return !through_window && !wants_window && capheap_heap_covers(b->heap, caps);
}

/* The caps and size rules of heap_caps_malloc, for the in-place attempt:
 * *caps and *size as the rule sees them, or false when no block can serve
 * the request. A request the hardware asks to align (heap_caps_hw.c) is not
 * resized in place, as in ESP-IDF: the caller allocates it anew. */
static bool rules_allow(size_t *size, uint32_t *caps, bool *in_place) {
    size_t align;
    if (!capheap_caps_for_rule(*caps, caps, &align)) {
        return false;
    }
    *in_place = align == 0;
    if (*caps & MALLOC_CAP_32BIT) { /* EXEC brings it */
        if (*size > SIZE_MAX - 3) {
            return false;
        }
        *size = (*size + 3) & ~(size_t)3;
    }
    return true;
}

void *capheap_caps_realloc(void *ptr, size_t size, uint32_t caps, bool *bad_ptr) {
    *bad_ptr = false;
    if (ptr == NULL) {
        return capheap_caps_alloc(size, 0, caps);
    }
    if (size == 0) {
        /* The free reports a bad pointer; while tracing, or with hooks, it
         * must also make no event, as for the other sizes. */
        *bad_ptr = (CAPHEAP_TRACING() || capheap_hooks_defined()) && !capheap_caps_is_live(ptr);
        if (!*bad_ptr) {
            capheap_hooks_realloc_frees(ptr);
        }
        free_untraced(ptr);
        return NULL;
    }
    capheap_caps_block_t b;
    if (!capheap_caps_find_block(ptr, &b)) {
        *bad_ptr = true;
        return NULL;
    }
    size_t want = size;
    uint32_t want_caps = caps;
    bool in_place;
    if (!rules_allow(&want, &want_caps, &in_place)) {
        return NULL;
    }
    if (in_place && may_stay(&b, ptr, want_caps)) {
        void *p = capheap_hooks_realloc_within(capheap_hot_mh(b.heap->hot), ptr, want, b.usable);
        if (p != NULL) {
            return p;
        }
    }
    void *moved = capheap_caps_alloc(size, 0, caps);
    if (moved != NULL) {
        capheap_block_copy(moved, ptr, b.usable < size ? b.usable : size);
        capheap_hooks_realloc_frees(ptr);
        free_untraced(ptr);
    }
    return moved;
}

void *heap_caps_realloc(void *ptr, size_t size, uint32_t caps) {
    bool bad_ptr = false;
    bool traced = capheap_trace_realloc_begin(); /* the record before ptr's address can be anyone's */
    void *p = capheap_fail_injected(size, caps) ? NULL : capheap_caps_realloc(ptr, size, caps, &bad_ptr);
    if (traced) {
        capheap_trace_realloc_end(p, ptr, size, caps, bad_ptr, CAPHEAP_CALLER());
    }
    if (p == NULL && !bad_ptr) {
        capheap_caps_alloc_failed(size, caps, "heap_caps_realloc");
    }
    capheap_hooks_alloc(p, size, caps); /* the free hook came before the free (above) */
    return p;
}
