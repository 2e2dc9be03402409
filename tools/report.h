/*
 * report.h: the text report of a replay.
 */
#ifndef CAPHEAP_TOOL_REPORT_H
#define CAPHEAP_TOOL_REPORT_H

#include <stdio.h>

#include "replay.h"

/** Per memory type, per caps mask, failures and what is left at the end. */
void report_print(FILE *out, const replay_t *r);

/** The blocks, bytes, use per memory type and top callers of a replay that
 *  stopped at the moment of highest use (replay_options_t.stop_after =
 *  peak_total_event of the whole replay). */
void report_print_at_peak(FILE *out, const replay_t *at_peak);

#endif /* CAPHEAP_TOOL_REPORT_H */
