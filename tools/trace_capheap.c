/*
 * trace_capheap.c: capheap's own trace format (docs/tool.md), one event per line:
 *
 *   alloc   <address> <size> <caps> [align=<n>] [caller=<address>] [thread=<n>]
 *   realloc <new> <old> <size> <caps> [caller=<address>] [thread=<n>]
 *   free    <address> [caller=<address>] [thread=<n>]
 *
 * '#' starts a comment line. An address 0x0 returned by alloc or realloc
 * records a failed allocation; realloc's old address 0x0 is a fresh block.
 * A realloc to 0 bytes of a block, "realloc 0x0 <old> 0" as the tracer
 * writes it (heap_caps_realloc(p, 0) frees p and returns NULL), is a free:
 * the program let go of the block and asked for nothing.
 * caps: a number or names joined by '|'. The tracer writes it
 * (capheap_trace_format_event); so does the workload generator.
 */
#include <string.h>

#include "trace_formats.h"

static bool recognises(const char *line) {
    line += strspn(line, " \t");
    if (strncmp(line, "# capheap trace", 15) == 0) {
        return true;
    }
    size_t n = strcspn(line, " \t");
    return (n == 5 && strncmp(line, "alloc", 5) == 0) || (n == 7 && strncmp(line, "realloc", 7) == 0) ||
           (n == 4 && strncmp(line, "free", 4) == 0);
}

static void *open_state(void) { return NULL; }

static void close_state(void *state) { (void)state; }

/* The optional key=value fields after the positional ones. */
static int parse_options(trace_reader_t *r, char **tokens, size_t n, raw_event_t *e, bool align_allowed) {
    for (size_t i = 0; i < n; i++) {
        char *eq = strchr(tokens[i], '=');
        uint64_t v;
        if (eq == NULL || !parse_u64(eq + 1, &v)) {
            return reader_error(r, "an option caller=<address>, thread=<n> or align=<n> (alloc only)");
        }
        *eq = '\0';
        if (strcmp(tokens[i], "caller") == 0) {
            e->caller = v;
        } else if (strcmp(tokens[i], "thread") == 0) {
            e->thread = (unsigned long)v;
        } else if (strcmp(tokens[i], "align") == 0 && align_allowed && v != 0 && (v & (v - 1)) == 0) {
            e->align = (size_t)v;
        } else {
            return reader_error(r, "an option caller=<address>, thread=<n> or align=<power of two> (alloc only)");
        }
    }
    return 0;
}

static int parse_sized(trace_reader_t *r, char **t, size_t n, raw_event_t *e, bool is_realloc) {
    size_t positional = is_realloc ? 5 : 4;
    const char *usage = is_realloc ? "'realloc <new address> <old address> <size> <caps> [caller=..] [thread=..]'"
                                   : "'alloc <address> <size> <caps> [align=..] [caller=..] [thread=..]'";
    uint64_t size;
    if (n < positional || !parse_hex(t[1], &e->name) || (is_realloc && !parse_hex(t[2], &e->old_name)) ||
        !parse_u64(t[positional - 2], &size) || !caps_parse(t[positional - 1], &e->caps)) {
        return reader_error(r, usage);
    }
    e->size = (size_t)size;
    e->failed = e->name == 0;
    return parse_options(r, t + positional, n - positional, e, !is_realloc);
}

static int parse_line(trace_reader_t *r, void *state, char *line) {
    (void)state;
    char *t[12];
    size_t n = split_tokens(line, t, 11);
    if (n == 0 || t[0][0] == '#') {
        return 0;
    }
    if (n > 11) {
        return reader_error(r, "at most 8 fields");
    }
    raw_event_t e = {0};
    int rc;
    if (strcmp(t[0], "alloc") == 0) {
        e.kind = EVENT_ALLOC;
        rc = parse_sized(r, t, n, &e, false);
    } else if (strcmp(t[0], "realloc") == 0) {
        e.kind = EVENT_REALLOC;
        rc = parse_sized(r, t, n, &e, true);
        if (rc == 0 && e.failed && e.size != 0) {
            e.kind = EVENT_ALLOC; /* the old block stays: replay it as an attempt */
            e.old_name = 0;
        } else if (rc == 0 && e.failed && e.old_name != 0) {
            e.kind = EVENT_FREE;  /* realloc to 0 bytes frees (see the top) */
            e.name = e.old_name;
        } /* realloc(NULL, 0) stays a request of 0 bytes, as malloc(0) */
    } else if (strcmp(t[0], "free") == 0) {
        e.kind = EVENT_FREE;
        rc = n >= 2 && parse_hex(t[1], &e.name) ? parse_options(r, t + 2, n - 2, &e, false)
                                                : reader_error(r, "'free <address> [caller=..] [thread=..]'");
        if (rc == 0 && e.name == 0) {
            return 0; /* free(NULL) */
        }
    } else {
        return reader_error(r, "'alloc', 'realloc', 'free' or a '#' comment");
    }
    if (rc == 0) {
        reader_queue(r, &e);
    }
    return rc;
}

const trace_format_ops_t trace_format_capheap = {
    "capheap", recognises, open_state, parse_line, NULL, close_state,
};
