/*
 * board_file.h: a board as a text file, so that a memory map that exists only
 * on paper can be tried with the tool (docs/tool.md, "Board files").
 */
#ifndef CAPHEAP_TOOL_BOARD_FILE_H
#define CAPHEAP_TOOL_BOARD_FILE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "capheap.h"

/** True when the tool's --board value names a file rather than a built-in
 *  board: it contains a '/' or ends in ".board". */
bool board_file_named(const char *spec);

/** Reads the board file at path into storage of its own (one board at a
 *  time: the next load replaces it). NULL after printing "path:line: what"
 *  to stderr. The board's consistency (order, overlaps) is checked here too,
 *  with the line of the offending entry. */
const capheap_board_t *board_file_load(const char *path);

/** A number as board files and host:SIZE write it: decimal or 0x; with
 *  suffixes, a trailing K, M or G (either case) multiplies it by 2^10, 2^20
 *  or 2^30. False when text is anything else or the value exceeds 64 bits. */
bool board_parse_number(const char *text, bool suffixes, uint64_t *out);

/** Writes board in the format board_file_load reads: loading the text gives
 *  back the same board. */
void board_file_write(FILE *out, const capheap_board_t *board);

#endif /* CAPHEAP_TOOL_BOARD_FILE_H */
