/*
 * esp_heap_caps_init.h: building the heaps, source-compatible with ESP-IDF's.
 *
 * capheap's native entry points (capheap.h: capheap_init, capheap_init_board,
 * capheap_deinit) do the same for a board chosen at run time.
 */
#ifndef CAPHEAP_ESP_HEAP_CAPS_INIT_H
#define CAPHEAP_ESP_HEAP_CAPS_INIT_H

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
 * nothing when heaps already exist; stops the program (capheap_port_abort)
 * when the board's memory cannot be had.
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
 * the same range, or inside it); ESP_ERR_NO_MEM when the range is too small
 * for a heap or the registry is full (CAPHEAP_MAX_HEAPS); else ESP_OK. Safe
 * while other threads allocate. A range inside a board region that has an
 * instruction-bus alias gets that alias for EXEC allocations.
 */
esp_err_t heap_caps_add_region_with_caps(const uint32_t caps[], intptr_t start, intptr_t end);

#ifdef __cplusplus
}
#endif

#endif /* CAPHEAP_ESP_HEAP_CAPS_INIT_H */
