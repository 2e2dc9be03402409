/*
 * heap_caps_alias.c: allocations handed out through an instruction-bus window.
 *
 * Linear window (ESP32-S3): the block is at data address d and at d + k on the
 * instruction bus; nothing needs storing.
 *
 * Inverted window (ESP32 D/IRAM): the instruction bus sees the words of the
 * region in reverse order, so a block [d, d + u) appears as [k - d - u, k - d)
 * and its first instruction-bus word is its last data word. free() gets an
 * instruction-bus address and must find d again: like ESP-IDF, the word just
 * before the returned address holds d. The returned address r is placed so
 * that r - W and [r, r + size) lie inside the block's window; checks on the
 * way back (d a live block of this heap, r inside d's window) catch addresses
 * that were never returned.
 *
 * On a host the inverted window is memory of its own (see DESIGN.md): what is
 * written through r stays within the block's window, as on the chip.
 */

#include "capheap/port.h"
#include "heap_caps_internal.h"
#include "multi_heap_internal.h"

#define WORD sizeof(uintptr_t)
#define GRAIN ((size_t)MULTI_HEAP_ALIGN)
#define CHIP_WORD 4u /* the inverted window swaps 32-bit words */

/* Nothing below depends on the grain's value (4, 8 or 16): only on its being
 * a power of two that the stored word fits below, aligned. */
_Static_assert((GRAIN & (GRAIN - 1)) == 0 && GRAIN % WORD == 0 && GRAIN % CHIP_WORD == 0,
               "the grain is a power of two and a multiple of the stored word");

uintptr_t capheap_alias_constant(uint8_t kind, uintptr_t window_start, uintptr_t start, uintptr_t end) {
    return kind == CAPHEAP_ALIAS_INVERTED ? window_start + end : window_start - start;
}

/* [lo, lo + size) at w_lo: linear, lo + k; inverted, the words reversed, so
 * the image starts at the last word's address, k - hi. */
uintptr_t capheap_alias_image(const capheap_heap_t *h, uintptr_t lo, uintptr_t hi) {
    return h->alias_kind == CAPHEAP_ALIAS_INVERTED ? h->alias_k - hi : lo + h->alias_k;
}

static multi_heap_handle_t handle(const capheap_heap_t *h) {
    return atomic_load_explicit(&h->hot->mh, memory_order_relaxed);
}

/* (d + k) % align == 0 is what the caller needs: multi_heap places it. The
 * sums with k are taken on addresses, not pointers: a window below its data
 * makes k wrap around, which pointer arithmetic may not. */
static void *linear_alloc(capheap_heap_t *h, size_t size, size_t align) {
    uint8_t *d = multi_heap_aligned_alloc_offs(handle(h), size, align, (size_t)h->alias_k);
    return d == NULL ? NULL : (void *)((uintptr_t)d + h->alias_k);
}

/* Bytes an inverted-window block needs beyond its rounded size: the stored
 * word below r, and the placement of r (see inverted_alloc). */
static size_t inverted_extra(const capheap_heap_t *h, size_t align) {
    return WORD + (align - GRAIN) + (h->alias_k & (GRAIN - 1));
}

/* The data-bus block, kept in the word below the instruction-bus address r
 * (r is on the grain: the word is aligned). One aligned word access: the
 * ESP32's instruction bus takes no other, and a memcpy of it compiles to
 * byte accesses on Xtensa. */
typedef uintptr_t __attribute__((may_alias)) stored_word_t; /* the block's memory has no other type */
static void stored_set(uintptr_t r, uintptr_t d) { *(stored_word_t *)(r - WORD) = d; }
static uintptr_t stored_get(uintptr_t r) { return *(const stored_word_t *)(r - WORD); }

static void *inverted_alloc(capheap_heap_t *h, size_t size, size_t align) {
    size_t slack = inverted_extra(h, align) - WORD;
    if (size > SIZE_MAX - WORD - slack - GRAIN) {
        return NULL;
    }
    size_t rounded = (size + GRAIN - 1) & ~(GRAIN - 1);
    uint8_t *d = multi_heap_malloc(handle(h), rounded + WORD + slack);
    if (d == NULL) {
        return NULL;
    }
    /* The window of the block ends at k - d; r is the highest aligned address
     * that leaves rounded bytes above it, and the stored word below it stays
     * inside the window because the block has WORD + slack bytes to spare. */
    uintptr_t window_end = h->alias_k - (uintptr_t)d;
    uintptr_t r = (window_end - rounded) & ~(uintptr_t)(align - 1);
    stored_set(r, (uintptr_t)d);
    return (void *)r;
}

void *capheap_alias_alloc(capheap_heap_t *h, size_t size, size_t align) {
    if (align < GRAIN) {
        align = GRAIN;
    }
    return h->alias_kind == CAPHEAP_ALIAS_LINEAR ? linear_alloc(h, size, align) : inverted_alloc(h, size, align);
}

/* Linear: an aligned request at the window's offset; inverted: a plain
 * request of the rounded size and the extra bytes. */
size_t capheap_alias_largest_request(const capheap_heap_t *h, multi_heap_handle_t mh, size_t align) {
    if (align < GRAIN) {
        align = GRAIN;
    }
    if (h->alias_kind == CAPHEAP_ALIAS_LINEAR) {
        return capheap_multi_heap_largest_aligned(mh, align, (size_t)h->alias_k);
    }
    size_t largest = capheap_multi_heap_largest_free(mh), extra = inverted_extra(h, align);
    return largest > extra ? (largest - extra) & ~(GRAIN - 1) : 0;
}

static CAPHEAP_ALWAYS_INLINE void *inverted_block(capheap_heap_t *h, void *p, size_t *usable) {
    uintptr_t r = (uintptr_t)p;
    if (r % GRAIN != 0 || r - WORD < h->alias.start) {
        return NULL;
    }
    uintptr_t d = stored_get(r);
    if (d - h->start >= h->end - h->start || d % GRAIN != 0) {
        return NULL;
    }
    /* Read quietly: a dead block is reported under p, the address the
     * caller passed (capheap_alias_block). */
    size_t u = capheap_multi_heap_allocated_size_quiet(handle(h), (void *)d);
    uintptr_t window_end = h->alias_k - d;
    if (u == 0 || r >= window_end || r - WORD < window_end - u) {
        return NULL;
    }
    *usable = window_end - r;
    return (void *)d;
}

/* Inlined into both public forms: free's, which reports, is not slowed by a
 * call (bench_caps churn esp32-exec: 398.5 instructions per pair inlined,
 * 399.3 with inverted_block called). */
static CAPHEAP_ALWAYS_INLINE void *alias_block(capheap_heap_t *h, void *p, size_t *usable) {
    if (h->alias_kind == CAPHEAP_ALIAS_INVERTED) {
        return inverted_block(h, p, usable);
    }
    void *d = (void *)((uintptr_t)p - h->alias_k);
    *usable = capheap_multi_heap_allocated_size_quiet(handle(h), d);
    return *usable != 0 ? d : NULL;
}

void *capheap_alias_block_quiet(capheap_heap_t *h, void *p, size_t *usable) { return alias_block(h, p, usable); }

void *capheap_alias_block(capheap_heap_t *h, void *p, size_t *usable) {
    void *d = alias_block(h, p, usable);
    if (d == NULL) {
        capheap_report_corruption(p, "not an address an EXEC allocation returned (instruction-bus window)");
    }
    return d;
}

uintptr_t capheap_alias_to_data(const capheap_heap_t *h, uintptr_t p) {
    if (h->alias_kind != CAPHEAP_ALIAS_INVERTED) {
        return p - h->alias_k;
    }
    uintptr_t word = p & ~(uintptr_t)(CHIP_WORD - 1);
    return (h->alias_k - word - CHIP_WORD) + (p - word);
}
