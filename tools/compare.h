/*
 * compare.h: `capheap compare`, one trace replayed on several boards, one
 * line each: does the pattern fit this chip, that one, a board file of a
 * chip that exists only on paper?
 */
#ifndef CAPHEAP_TOOL_COMPARE_H
#define CAPHEAP_TOOL_COMPARE_H

#include <stdio.h>

#include "replay.h"
#include "trace_input.h"

/** Replays the trace at path on each board of boards (specs as --board
 *  takes them, separated by commas; "all" stands for every built-in board,
 *  the test model qemu-mps2-an385 among them), each replay as opt says (quiet, the
 *  requests grown by its grow_percent and grow_caller), and writes one line
 *  per board to out. Returns the tool's exit status: 0
 *  when every board served every allocation, 3 when some failed on some
 *  board, 1 after a trace error, 2 for a board that cannot be had. */
int compare_run(FILE *out, const char *boards, const char *path, trace_format_t format, const replay_options_t *opt);

#endif /* CAPHEAP_TOOL_COMPARE_H */
