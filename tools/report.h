/*
 * report.h: the text report of a replay.
 */
#ifndef CAPHEAP_TOOL_REPORT_H
#define CAPHEAP_TOOL_REPORT_H

#include <stdio.h>

#include "replay.h"

/** Per memory type, per caps mask, failures and what is left at the end. */
void report_print(FILE *out, const replay_t *r);

#endif /* CAPHEAP_TOOL_REPORT_H */
