/*
 * growth.h: the second figure of `capheap headroom`: how much larger every
 * request of a trace that fits a board could be, the board as it is, with
 * every allocation still succeeding (what if each buffer grew by a tenth?).
 * Found by bisection to 1 %: each probe replays the whole trace with every
 * allocation and reallocation grown by the same percentage.
 */
#ifndef CAPHEAP_TOOL_GROWTH_H
#define CAPHEAP_TOOL_GROWTH_H

#include <stdio.h>

#include "board.h"
#include "trace_input.h"

/** The search stops at this many percent: a trace that still fits is said to
 *  fit at least that. */
#define GROWTH_LIMIT_PERCENT 10000u

/** Writes the growth of the trace at path on board (which the trace fits as
 *  it is) to out: of every request, then of each caller holding most at
 *  peak_event, the trace's highest use on board (replay_t.peak_total_event of
 *  the replay that found it fits). Returns 0, or the tool's exit status of a
 *  probe that went wrong (1: a trace error, 2: the board could not be built). */
int growth_print(FILE *out, const capheap_board_t *board, const char *path, trace_format_t format,
                 unsigned long peak_event);

#endif /* CAPHEAP_TOOL_GROWTH_H */
