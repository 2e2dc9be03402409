/*
 * trace_convert.c: bench_trace_convert TRACE OUT writes the events of TRACE
 * (any format the capheap tool reads, gzip or not) as the compact records of
 * trace_events.h, for bench_trace to replay in an -m32 build that cannot link
 * zlib. The parsing is the tool's own (tools/trace_reader.c and the format
 * files are compiled into this program), so there is one trace parser.
 */
#include <stdio.h>
#include <stdlib.h>

#include "trace_events.h"
#include "trace_input.h"

static uint32_t record_kind(const trace_event_t *e) {
    uint32_t kind = e->kind == EVENT_FREE ? TE_FREE : e->kind == EVENT_REALLOC ? TE_REALLOC : TE_ALLOC;
    return kind | (e->transient ? TE_TRANSIENT : 0);
}

/* Copies every event of in to out; returns the number, or -1 on an error
 * (already printed). */
static long copy_events(trace_reader_t *in, FILE *out, const char *out_path) {
    long count = 0;
    trace_event_t e;
    int got;
    while ((got = trace_next(in, &e)) == 1) {
        if (e.size > UINT32_MAX) {
            fprintf(stderr, "bench_trace_convert: line %lu: a size above 4 GiB\n", e.line);
            return -1;
        }
        trace_event_record_t rec = {record_kind(&e), e.id, e.old_id == TRACE_NO_ID ? TRACE_EVENTS_NONE : e.old_id,
                                    (uint32_t)e.size, (uint32_t)e.align};
        if (fwrite(&rec, sizeof rec, 1, out) != 1) {
            perror(out_path);
            return -1;
        }
        count++;
    }
    return got == 0 ? count : -1;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: bench_trace_convert TRACE OUT\n");
        return 2;
    }
    trace_reader_t *in = trace_open(argv[1], FORMAT_AUTO);
    FILE *out = in != NULL ? fopen(argv[2], "wb") : NULL;
    if (out == NULL) {
        if (in != NULL) {
            perror(argv[2]);
            trace_close(in);
        }
        return 1;
    }
    trace_events_header_t h = {TRACE_EVENTS_MAGIC, 0, 0, 0};
    long n = fwrite(&h, sizeof h, 1, out) == 1 ? copy_events(in, out, argv[2]) : -1;
    if (n >= 0) {
        /* The counts are known only at the end: rewrite the header. */
        h.events = (uint32_t)n;
        h.id_limit = trace_id_limit(in);
        n = fseek(out, 0, SEEK_SET) == 0 && fwrite(&h, sizeof h, 1, out) == 1 ? n : -1;
    }
    unsigned long unknown_frees = trace_unknown_frees(in);
    trace_close(in);
    if (fclose(out) != 0 || n < 0) {
        fprintf(stderr, "bench_trace_convert: could not write %s\n", argv[2]);
        return 1;
    }
    printf("events=%ld id_limit=%u unknown_frees_skipped=%lu\n", n, h.id_limit, unknown_frees);
    return 0;
}
