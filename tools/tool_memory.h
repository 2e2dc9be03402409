/*
 * tool_memory.h: the tool's own memory (its tables of blocks, threads and
 * names; not the board's heaps, which the replays run on). A report made
 * without some of it would be wrong, not shorter: running out ends the
 * command with "capheap: out of memory for WHAT" and exit status 2.
 */
#ifndef CAPHEAP_TOOL_MEMORY_H
#define CAPHEAP_TOOL_MEMORY_H

#include <stddef.h>

/** count * each bytes, zeroed (count may be 0: then a valid, empty block). */
void *tool_alloc(size_t count, size_t each, const char *what);

/** p (NULL or from tool_alloc or tool_grow) resized to count * each bytes; the
 *  bytes beyond the old size are not set. */
void *tool_grow(void *p, size_t count, size_t each, const char *what);

#endif /* CAPHEAP_TOOL_MEMORY_H */
