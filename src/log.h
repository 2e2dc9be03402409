/*
 * log.h (private): formatted output through the port's log hook, without stdio
 * and without allocating (the library must not call printf or malloc).
 */
#ifndef CAPHEAP_LOG_H
#define CAPHEAP_LOG_H

#include "internal.h"

/** printf-like, for the library's own formats only: %s %d %u %x %p %zu %zx
 *  %%, numbers with an optional width (%08x pads with zeros, %8zu with
 *  spaces). Output longer than 256 bytes per call is cut. */
CAPHEAP_INTERNAL void capheap_logf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** The same, to an application's stream (a FILE *) through the port
 *  (capheap_port_stream_write): where there is no stdio, the port's log. */
CAPHEAP_INTERNAL void capheap_streamf(void *stream, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif /* CAPHEAP_LOG_H */
