/*
 * trace_records.h (private): how the dump (trace_dump.c) walks the standalone
 * tracer's records (trace.c) while the program runs on.
 */
#ifndef CAPHEAP_TRACE_RECORDS_H
#define CAPHEAP_TRACE_RECORDS_H

#include <stdbool.h>

#include "esp_heap_trace.h"
#include "internal.h"

/** The oldest record newer than prev (the first record when prev is NULL),
 *  copied to out in one critical section; false when there is none. Records
 *  are kept in the order of their events, and each has its event's number
 *  (ccount): a walk by number, unlike one by index, neither skips a record
 *  nor repeats one when records are removed meanwhile (a free in LEAKS mode,
 *  the oldest dropped when the buffer is full). prev and out may be the same. */
CAPHEAP_INTERNAL bool capheap_trace_next(const heap_trace_record_t *prev, heap_trace_record_t *out);

/** Sets the count of traced events, whose next number the next record gets:
 *  for tests of the renumbering before the count reaches 2^31. */
CAPHEAP_INTERNAL void capheap_trace_set_event_count(uint32_t count);

#endif /* CAPHEAP_TRACE_RECORDS_H */
