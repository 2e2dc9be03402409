/*
 * esp_heap_caps_init.h: building the heaps, source-compatible with ESP-IDF's.
 *
 * capheap's native entry points (capheap.h: capheap_init, capheap_init_board,
 * capheap_deinit) do the same for a board chosen at run time.
 */
#ifndef CAPHEAP_ESP_HEAP_CAPS_INIT_H
#define CAPHEAP_ESP_HEAP_CAPS_INIT_H

#include <stdbool.h>
#include <stdint.h>

#include "esp_err.h"
#include "esp_heap_caps.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Builds the heaps of the build's default board (CMake CAPHEAP_DEFAULT_BOARD,
 * esp32 unless configured), as ESP-IDF does at start-up: regions flagged as
 * start-up stack stay out until heap_caps_enable_nonos_stack_heaps(). Does
 * nothing when a board's heaps were built already (an earlier call, or
 * capheap_init). Heaps added before it (heap_caps_add_region_with_caps) stay
 * and are counted in the registry's CAPHEAP_MAX_HEAPS; a board region that
 * overlaps one of them, or finds the registry full, is left out with a line
 * in the log. Stops the program (capheap_port_abort) when no heap of the
 * board can be made.
 */
void heap_caps_init(void);

/** Makes the start-up-stack regions usable heaps (once the start-up stacks are
 *  no longer in use). Idempotent. */
void heap_caps_enable_nonos_stack_heaps(void);

/**
 * Registers [start, end) as a heap with the caps of the board's memory type
 * whose region contains start. ESP_ERR_NOT_FOUND when no region of the board
 * does; otherwise as heap_caps_add_region_with_caps.
 */
esp_err_t heap_caps_add_region(intptr_t start, intptr_t end);

/**
 * Registers [start, end) as a heap with caps (three masks, priority order).
 * Returns ESP_ERR_INVALID_ARG when caps is NULL, start or end is 0 or
 * end <= start; ESP_FAIL when the range overlaps a registered heap (its edge,
 * the same range, or inside it) other than as below; ESP_ERR_NO_MEM when the
 * range is too small for a heap, the registry is full (CAPHEAP_MAX_HEAPS) or
 * the heaps inside others are (CAPHEAP_NESTED_HEAPS, 4 by default), or the
 * port has no lock left for it (capheap_port_lock_create; with task tracking,
 * also none for the accounts); else ESP_OK: no heap is ever run unlocked or
 * uncounted. Safe while other threads allocate. A range inside a board region
 * that has an instruction-bus alias gets that alias for EXEC allocations.
 *
 * Inside a registered heap, as ESP-IDF allows it (an allocation made into a
 * heap of other caps): the range must lie within one live allocation of that
 * heap. The allocation then belongs to the new heap for good: a free or
 * realloc of its pointer (or of any address in it, through either bus) is
 * reported through the corruption hook and changes nothing, and its bytes
 * count in both heaps' sizes, as in ESP-IDF. In memory with an
 * instruction-bus alias (the ESP32's D/IRAM) the new heap serves EXEC
 * requests through the same alias. A range over free memory of a heap, or
 * over a block's edge, is refused: it would corrupt that heap; so is one
 * whose alias differs from its host heap's (a seed-era heap defined without
 * one, in memory that has one).
 */
esp_err_t heap_caps_add_region_with_caps(const uint32_t caps[], intptr_t start, intptr_t end);

/**
 * ESP-IDF's test of a new range against one registered heap's: false when
 * [start, end) straddles the heap's start or its end, or is the same range;
 * true otherwise (wholly before it, wholly after it, or inside it).
 * A pure comparison: heap_caps_add_region_with_caps makes its own, stricter
 * test against every heap (see above).
 */
bool heap_caps_check_add_region_allowed(intptr_t heap_start, intptr_t heap_end, intptr_t start, intptr_t end);

#ifdef __cplusplus
}
#endif

#endif /* CAPHEAP_ESP_HEAP_CAPS_INIT_H */
