/*
 * next_overlap.h: for a sequence of address ranges, the first later range
 * that overlaps each one, for all of them in O(n log n).
 *
 * An ESP-IDF heap trace dump lists allocations in order but not when the
 * freed ones were freed; the dump reader frees each just before the first
 * later allocation whose memory overlaps it (trace_espidf.c). Asking every
 * pending block at each allocation made that quadratic: 100,000 freed blocks
 * that never overlap took about 5 seconds.
 */
#ifndef CAPHEAP_TOOL_NEXT_OVERLAP_H
#define CAPHEAP_TOOL_NEXT_OVERLAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NO_OVERLAP SIZE_MAX

/** The range [start, start + size) of addresses; size 0 is empty (it overlaps
 *  nothing), and a range that would pass the top of the address space ends
 *  there. */
typedef struct {
    uint64_t start, size;
} address_range_t;

/** Fills next[i], for each i < n, with the smallest j > i whose range overlaps
 *  range i's, or NO_OVERLAP. Out of memory ends the command (tool_memory.h). */
void next_overlap(const address_range_t *ranges, size_t n, size_t *next);

#endif /* CAPHEAP_TOOL_NEXT_OVERLAP_H */
