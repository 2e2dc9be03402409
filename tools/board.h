/*
 * board.h: the board a command works on (built-in, a synthetic host:SIZE
 * board of one region, or a board file) and the heaps capheap built from it.
 */
#ifndef CAPHEAP_TOOL_BOARD_H
#define CAPHEAP_TOOL_BOARD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "capheap.h"

#define TOOL_MAX_HEAPS 64

/** A heap as the tool sees it. Addresses are the host's; chip = host - offset. */
typedef struct {
    multi_heap_handle_t mh;
    uintptr_t start, end;
    uintptr_t window_start, window_end; /**< instruction-bus window, 0/0 when none */
    uint32_t caps[3];
    int type;                           /**< index into the board's types */
    const char *name;
} tool_heap_t;

typedef struct {
    const capheap_board_t *board;
    intptr_t offset;
    tool_heap_t heaps[TOOL_MAX_HEAPS];
    size_t heap_count;
} tool_board_t;

/** The board spec names ("esp32", "host:16M", a board file), without building
 *  its heaps; NULL after printing why to stderr. Valid until the next call. */
const capheap_board_t *board_lookup(const char *spec);

/** Builds the heaps of spec ("esp32", "host:16M", ...). False after printing
 *  why to stderr (an unknown board lists the known ones). */
bool board_start(const char *spec, tool_board_t *out);

/** Builds the heaps of board (which must stay valid while they are used),
 *  silently: ESP_OK, or capheap_init_board's error. */
esp_err_t board_build(const capheap_board_t *board, tool_board_t *out);

/** board_build, saying why on stderr when it fails (label names the board). */
bool board_start_board(const capheap_board_t *board, const char *label, tool_board_t *out);

/** Removes the heaps. */
void board_stop(tool_board_t *b);

/** The heap holding host address p (data range or window), or -1. */
int board_heap_of(const tool_board_t *b, const void *p);

/** Lists the board names, one per line, with the host board's syntax. */
void board_list(FILE *out, const char *indent);

/** `capheap info`: the memory map and the heaps. */
void board_print_info(FILE *out, const tool_board_t *b);

/** "12,345" into buf. */
const char *fmt_count(unsigned long long v, char *buf, size_t len);

/** "180.0 KiB" into buf. */
const char *fmt_bytes(unsigned long long v, char *buf, size_t len);

#endif /* CAPHEAP_TOOL_BOARD_H */
