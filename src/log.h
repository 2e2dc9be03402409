/*
 * log.h (private): formatted output through the port's log hook, without stdio
 * and without allocating (the library must not call printf or malloc).
 */
#ifndef CAPHEAP_LOG_H
#define CAPHEAP_LOG_H

#include "internal.h"

/** printf-like: %s %c %d %u %x %p %zu %zx %lu %ld %%, with an optional field
 *  width (%8zu, %-12s, %08x). Output longer than 256 bytes per call is cut. */
CAPHEAP_INTERNAL void capheap_logf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* CAPHEAP_LOG_H */
