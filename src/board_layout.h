/*
 * board_layout.h (private): what a board's const data means for heaps and for
 * host memory. Pure functions over a capheap_board_t; nothing is registered or
 * mapped here.
 */
#ifndef CAPHEAP_BOARD_LAYOUT_H
#define CAPHEAP_BOARD_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capheap.h"
#include "capheap/port.h"
#include "internal.h"

/** Pieces smaller than this are not worth a heap (and a registry slot). */
#ifndef CAPHEAP_MIN_HEAP_SIZE
#define CAPHEAP_MIN_HEAP_SIZE 256
#endif

/** Granularity of host memory ranges (the port may round further). */
#define CAPHEAP_HOST_GRAIN ((uintptr_t)4096)

/** A future heap: part of a merged region, reserved ranges cut out. */
typedef struct {
    uintptr_t start, end;
    uint8_t type;
    uint8_t flags;
    capheap_bus_alias_t alias; /**< the window of [start, end) itself */
} capheap_piece_t;

typedef void (*capheap_piece_cb_t)(const capheap_piece_t *piece, void *user);

/** ESP_OK when the board is consistent, else ESP_ERR_INVALID_ARG (see
 *  capheap_init_board). */
CAPHEAP_INTERNAL esp_err_t capheap_board_check(const capheap_board_t *board);

/** Two of capheap_board_check's rules, which the board-file reader also
 *  applies, to name the line that breaks them. Whether a's instruction-bus
 *  window shares an address with b's memory (b may be a itself) or with b's
 *  window (b another region): a pointer there could not tell which memory it
 *  is in. */
CAPHEAP_INTERNAL bool capheap_board_window_clashes(const capheap_region_t *a, const capheap_region_t *b);

/** Whether a data cache line is one a board may have: 0 (not cached) or a
 *  power of two up to 128. */
CAPHEAP_INTERNAL bool capheap_board_line_valid(uint64_t line);

/** Calls cb, in address order, for every piece of at least CAPHEAP_MIN_HEAP_SIZE
 *  bytes: regions of one type, flags and compatible alias that touch are
 *  merged, then every reserved range is cut out. */
CAPHEAP_INTERNAL void capheap_board_pieces(const capheap_board_t *board, capheap_piece_cb_t cb, void *user);

/** The window of [start, end) inside region (start, end within it). */
CAPHEAP_INTERNAL capheap_bus_alias_t capheap_board_sub_alias(const capheap_region_t *region, uintptr_t start,
                                                             uintptr_t end);

/** Whether chip address a is in region's instruction-bus window. */
CAPHEAP_INTERNAL bool capheap_board_window_holds(const capheap_region_t *region, uintptr_t a);

/** The board region that holds chip address a, through either bus; NULL if none. */
CAPHEAP_INTERNAL const capheap_region_t *capheap_board_region_at(const capheap_board_t *board, uintptr_t a);

/** The host memory the board needs: regions rounded out to CAPHEAP_HOST_GRAIN,
 *  inverted windows as their own ranges, linear windows as mirrors; sorted and
 *  merged. Returns how many were written to out, or 0 when more than max are
 *  needed or a linear window cannot share pages with its region. */
CAPHEAP_INTERNAL size_t capheap_board_host_ranges(const capheap_board_t *board, capheap_port_range_t *out,
                                                  size_t max);

#endif /* CAPHEAP_BOARD_LAYOUT_H */
