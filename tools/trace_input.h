/*
 * trace_input.h: reading allocation traces, whatever their format, as one
 * stream of events over numbered allocations.
 *
 * Every format names a block by an address (or, for Android, a pointer value
 * of another process). The reader turns names into allocation ids: an id is
 * given to each allocation when it is made and taken back when it is freed,
 * so ids stay below the trace's peak number of live blocks and the replay can
 * keep its blocks in a plain array indexed by id.
 */
#ifndef CAPHEAP_TOOL_TRACE_INPUT_H
#define CAPHEAP_TOOL_TRACE_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TRACE_NO_ID UINT32_MAX

typedef enum { EVENT_ALLOC, EVENT_REALLOC, EVENT_FREE } event_kind_t;

/** One event, with names already turned into ids. */
typedef struct {
    event_kind_t kind;
    uint32_t id;        /**< ALLOC, REALLOC: the new block; FREE: the freed one */
    uint32_t old_id;    /**< REALLOC: the block resized (TRACE_NO_ID: none) */
    size_t size;        /**< ALLOC, REALLOC */
    size_t align;       /**< ALLOC: 0 or a power of two */
    uint32_t caps;      /**< ALLOC, REALLOC */
    uint64_t caller;    /**< 0: not recorded */
    unsigned long thread; /**< 0: not recorded */
    unsigned long line; /**< where it is in the file */
    bool transient;     /**< ALLOC, REALLOC that failed where it was recorded: the
                             replay tries it, then frees what it got at once */
} trace_event_t;

typedef enum { FORMAT_AUTO, FORMAT_CAPHEAP, FORMAT_ESPIDF, FORMAT_ANDROID } trace_format_t;

typedef struct trace_reader trace_reader_t;

/** Opens path (plain or gzip) in format (AUTO: from the first meaningful
 *  line). NULL after printing why to stderr. */
trace_reader_t *trace_open(const char *path, trace_format_t format);

/** The next event: 1, 0 at the end, -1 after printing an error that names
 *  the file, the line and what was expected. */
int trace_next(trace_reader_t *r, trace_event_t *event);

/** The format being read, and its name for reports. */
trace_format_t trace_format(const trace_reader_t *r);
const char *trace_format_name(trace_format_t f);

/** How far the reader is through the file, 0..1 (for progress). */
double trace_progress(const trace_reader_t *r);

/** Events that named blocks not alive (frees of unknown blocks, skipped) and
 *  allocations that reused a live name (the old block counts as freed). */
unsigned long trace_unknown_frees(const trace_reader_t *r);
unsigned long trace_reused_names(const trace_reader_t *r);

/** Highest id handed out + 1. */
uint32_t trace_id_limit(const trace_reader_t *r);

void trace_close(trace_reader_t *r);

/** Parses a caps mask: hex/decimal number or names joined by '|' (DMA|8BIT,
 *  with or without MALLOC_CAP_). False when it is neither. */
bool caps_parse(const char *text, uint32_t *caps);

/** Writes caps as names joined by '|' ("0" for none) into buf; the bits no
 *  name says, as one hexadecimal number after them. */
const char *caps_describe(uint32_t caps, char *buf, size_t len);

#endif /* CAPHEAP_TOOL_TRACE_INPUT_H */
