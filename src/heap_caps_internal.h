/*
 * heap_caps_internal.h (private): what the files of the caps layer (layer 4)
 * share: the allocation core, instruction-bus aliases, the board in use.
 */
#ifndef CAPHEAP_HEAP_CAPS_INTERNAL_H
#define CAPHEAP_HEAP_CAPS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capheap.h"
#include "internal.h"
#include "multi_heap_internal.h"
#include "registry.h"

/* ---- one heap --------------------------------------------------------- */

static inline multi_heap_handle_t capheap_hot_mh(const capheap_heap_hot_t *hot) {
    /* Heaps are found through a list or range published after their handle:
     * the acquire there makes a relaxed load enough here. */
    return atomic_load_explicit(&hot->mh, memory_order_relaxed);
}

/* The fast paths call a registered heap's locked malloc and free directly
 * (multi_heap_internal.h: the lock inlined, two calls fewer than
 * multi_heap_malloc and multi_heap_free): a registered heap always has a
 * lock, as the registry enables none without. */

/* ---- the allocation core (heap_caps.c) -------------------------------- */

/** heap_caps_malloc (align 0) or heap_caps_aligned_alloc without the failure
 *  hook: the matching rule, EXEC and 32BIT rules, instruction-bus addresses. */
CAPHEAP_INTERNAL void *capheap_caps_alloc(size_t size, size_t align, uint32_t caps);

/** heap_caps_realloc without the failure hook (heap_caps_block.c). *bad_ptr
 *  is set when ptr is no live allocation (already reported); NULL then. */
CAPHEAP_INTERNAL void *capheap_caps_realloc(void *ptr, size_t size, uint32_t caps, bool *bad_ptr);

/** Calls the failed-allocation hook, if any (never for size 0). */
CAPHEAP_INTERNAL void capheap_caps_alloc_failed(size_t size, uint32_t caps, const char *function_name);

/** A live allocation: its heap, the data-bus block and the bytes usable
 *  through the address the caller has. */
typedef struct {
    capheap_heap_t *heap;
    void *block;
    size_t usable;
} capheap_caps_block_t;

/** Finds the allocation behind ptr (either bus); false, after reporting the
 *  corruption, when ptr is none (heap_caps_block.c). */
CAPHEAP_INTERNAL bool capheap_caps_find_block(void *ptr, capheap_caps_block_t *out);

/** Whether ptr is a live allocation (either bus), reporting nothing. */
CAPHEAP_INTERNAL bool capheap_caps_is_live(void *ptr);

/* ---- what the hardware asks (heap_caps_hw.c) --------------------------- */

/** The cache lines of the board in use (zero: none), for capheap_caps_for_hw. */
CAPHEAP_INTERNAL void capheap_caps_set_cache_lines(capheap_cache_lines_t lines);

/** The caps the matching rule gets for a request with caps, and in *align the
 *  alignment the hardware asks of its block (0: the grain's), as ESP-IDF's
 *  esp_heap_adjust_alignment_to_hw: CACHE_ALIGNED taken out, the DMA
 *  descriptor caps made DMA, DMA dropped with SPIRAM. */
CAPHEAP_INTERNAL uint32_t capheap_caps_for_hw(uint32_t caps, size_t *align);

/** The caps the matching rule applies for a request with caps in *rule
 *  (capheap_caps_for_hw's, and EXEC implies 32BIT) and the alignment the
 *  hardware asks in *align; false when no memory can match: INVALID, or EXEC
 *  with 8BIT or DMA (no memory is both executable and byte-accessible).
 *  heap_caps_malloc's lists and realloc's in-place attempt both ask it. */
static inline bool capheap_caps_for_rule(uint32_t caps, uint32_t *rule, size_t *align) {
    uint32_t c = capheap_caps_for_hw(caps, align);
    if ((c & MALLOC_CAP_INVALID) || ((c & MALLOC_CAP_EXEC) && (c & (MALLOC_CAP_8BIT | MALLOC_CAP_DMA)))) {
        return false;
    }
    *rule = (c & MALLOC_CAP_EXEC) != 0 ? c | MALLOC_CAP_32BIT : c;
    return true;
}

/** Whether an alignment asked of the aligned functions is one they take. */
static inline bool capheap_is_power_of_two(size_t x) { return x != 0 && (x & (x - 1)) == 0; }

/** Back to the state before any heap_caps_malloc_extmem_enable. */
CAPHEAP_INTERNAL void capheap_caps_policy_reset(void);

/** Ends any local-minimum monitoring (capheap_deinit). */
CAPHEAP_INTERNAL void capheap_caps_monitor_reset(void);

/* ---- instruction-bus windows (heap_caps_alias.c) ----------------------- */

/** The constant of the window arithmetic for a heap [start, end) whose window
 *  starts at window_start: the offset (linear) or window_start + end (inverted,
 *  where the block [a, b) appears at [k - b, k - a)). */
CAPHEAP_INTERNAL uintptr_t capheap_alias_constant(uint8_t kind, uintptr_t window_start, uintptr_t start,
                                                  uintptr_t end);

/** Allocates size bytes (aligned to align, 0: the heap's grain) through the
 *  heap's window; returns the instruction-bus address or NULL. */
CAPHEAP_INTERNAL void *capheap_alias_alloc(capheap_heap_t *h, size_t size, size_t align);

/** The largest size capheap_alias_alloc(h, size, align) now gets from the
 *  heap mh of h: what the window's placement leaves. O(1). */
CAPHEAP_INTERNAL size_t capheap_alias_largest_request(const capheap_heap_t *h, multi_heap_handle_t mh, size_t align);

/** The data-bus block behind window address p, and the bytes usable through
 *  p; NULL after reporting when p is not an allocation's window address. */
CAPHEAP_INTERNAL void *capheap_alias_block(capheap_heap_t *h, void *p, size_t *usable);

/** capheap_alias_block without the report. */
CAPHEAP_INTERNAL void *capheap_alias_block_quiet(capheap_heap_t *h, void *p, size_t *usable);

/** Where h's window shows its data words [lo, hi) (registry.h's
 *  capheap_window_image_t, for heaps made inside a windowed heap's block). */
CAPHEAP_INTERNAL uintptr_t capheap_alias_image(const capheap_heap_t *h, uintptr_t lo, uintptr_t hi);

/** The data-bus address of the byte at window address p. */
CAPHEAP_INTERNAL uintptr_t capheap_alias_to_data(const capheap_heap_t *h, uintptr_t p);

/* ---- the board in use (heap_caps_init.c) ------------------------------- */

/** The board whose types and regions describe memory now: the current one,
 *  else the build's default board (NULL if the build has none). */
CAPHEAP_INTERNAL const capheap_board_t *capheap_layout_board(void);

/** Fills spec for [start, end) (host addresses) with caps, taking the window
 *  and type from the layout board's region that holds the range. */
CAPHEAP_INTERNAL void capheap_caps_spec(capheap_heap_spec_t *spec, const uint32_t caps[3], uintptr_t start,
                                        uintptr_t end);

#endif /* CAPHEAP_HEAP_CAPS_INTERNAL_H */
