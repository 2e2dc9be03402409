/*
 * headroom.h: `capheap headroom`, how much room a trace that fits a board
 * leaves in each of its heaps.
 *
 * For each heap, alone, the bytes it can lose at its start (as when the
 * application's .data/.bss or IRAM code before it grows) with the trace still
 * replaying without a failed allocation, found by bisection: every probe
 * replays the whole trace on the board with one more reserved range. Then
 * the same for heaps cut together, each with the cuts found before it in
 * place (the figures alone do not add up: what one heap loses, another may
 * have to hold). Then how much larger every request could be (growth.h).
 */
#ifndef CAPHEAP_TOOL_HEADROOM_H
#define CAPHEAP_TOOL_HEADROOM_H

#include <stdbool.h>
#include <stdio.h>

#include "trace_input.h"

/** Bisection stops when the bytes a heap can lose are known to this many. */
#define HEADROOM_STEP 16u

/** Writes the headroom of the trace at path on board_spec to out: each heap
 *  cut alone, then the heaps of together (all, NULL for the same, or heap
 *  numbers of the table separated by commas) cut at once, in that order
 *  (two heaps: also in the other).
 *  Returns the tool's exit status: 0, 1 (a trace error), 2 (a board error or
 *  a list that names no two heaps of the board) or 3 (the trace does not fit
 *  the board as it is: there is no headroom to measure). */
int headroom_run(FILE *out, const char *board_spec, const char *path, trace_format_t format, bool quiet,
                 const char *together);

#endif /* CAPHEAP_TOOL_HEADROOM_H */
