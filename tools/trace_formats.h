/*
 * trace_formats.h: what trace_reader.c and the format parsers share. A parser
 * reads one line at a time and queues zero or more raw events, which still
 * name blocks by address; the reader turns the names into ids.
 */
#ifndef CAPHEAP_TOOL_TRACE_FORMATS_H
#define CAPHEAP_TOOL_TRACE_FORMATS_H

#include "trace_input.h"

typedef struct {
    event_kind_t kind;
    uint64_t name;      /**< ALLOC, REALLOC: the block returned; FREE: the block freed */
    uint64_t old_name;  /**< REALLOC: the block resized, 0 for none */
    bool failed;        /**< ALLOC: it returned NULL where it was recorded */
    size_t size, align;
    uint32_t caps;
    uint64_t caller;
    unsigned long thread;
    unsigned long line;
} raw_event_t;

/** Queues an event of the current line. */
void reader_queue(trace_reader_t *r, const raw_event_t *e);

/** Prints "capheap: FILE:LINE: expected WHAT" (and the line) to stderr; returns -1. */
int reader_error(trace_reader_t *r, const char *expected);

/** The current line number. */
unsigned long reader_line(const trace_reader_t *r);

/** A format: parse_line gets each line without its newline (it may modify
 *  it) and returns 0, or -1 after reader_error; finish runs at the end of the
 *  file (may queue more; NULL when there is nothing to do). state is the
 *  format's own, made by open and freed by close. */
typedef struct {
    const char *name;
    bool (*recognises)(const char *line);
    void *(*open)(void);
    int (*parse_line)(trace_reader_t *r, void *state, char *line);
    int (*finish)(trace_reader_t *r, void *state);
    void (*close)(void *state);
} trace_format_ops_t;

extern const trace_format_ops_t trace_format_capheap;
extern const trace_format_ops_t trace_format_espidf;
extern const trace_format_ops_t trace_format_android;

/** An ESP-IDF log line, "I (1234) tag: ...", coloured or not: the ESP-IDF
 *  format passes over them in a dump, and format detection does not count
 *  them (trace_espidf.c). */
bool espidf_log_line(const char *line);

/* Number parsing shared by the parsers: strict, whole token. */
bool parse_u64(const char *token, uint64_t *value); /* decimal or 0x hex */
bool parse_hex(const char *token, uint64_t *value); /* with or without 0x */

/** Splits line at spaces/tabs into at most max tokens; returns how many
 *  (max + 1 when there were more). */
size_t split_tokens(char *line, char **tokens, size_t max);

#endif /* CAPHEAP_TOOL_TRACE_FORMATS_H */
