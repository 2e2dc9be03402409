/*
 * trace_reader.c: a trace file as a stream of events over allocation ids
 * (trace_input.h). Files are read through zlib, which passes plain text
 * through unchanged, so every format may be gzip-compressed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "name_map.h"
#include "trace_formats.h"
#include "tool_memory.h"

#define LINE_MAX_BYTES 4096 /* a line's text (newline not counted) and its NUL */
#define DETECT_LINES 200    /* lines detection reads, comments and log lines not counted */

_Static_assert(TRACE_NO_ID == UINT32_MAX, "name_map_take says UINT32_MAX for a name not live");

struct trace_reader {
    const char *path;
    gzFile file;
    double file_size;
    unsigned long line_no;
    char line[LINE_MAX_BYTES];
    char shown[LINE_MAX_BYTES]; /* the line as read, for error messages */
    char chunk[1 << 16];        /* read from the file, not yet split into lines */
    size_t chunk_at, chunk_len;
    trace_format_t format;      /* as asked: FORMAT_AUTO when detected */
    const trace_format_ops_t *ops;
    void *state;
    bool recognised; /* a line of the file is one its format recognises */
    bool log_lines;  /* detection passed over ESP-IDF log lines */
    bool at_end;
    raw_event_t *queue;
    size_t queue_len, queue_at, queue_cap;
    name_map_t names;
    uint32_t *free_ids;
    size_t free_count, free_cap;
    uint32_t id_limit;
    unsigned long unknown_frees, reused_names;
    trace_event_t pending; /* the event after an implicit free */
    bool has_pending;
};

/* ---- ids --------------------------------------------------------------- */

static uint32_t new_id(trace_reader_t *r) {
    if (r->free_count > 0) {
        return r->free_ids[--r->free_count];
    }
    return r->id_limit++;
}

static void release_id(trace_reader_t *r, uint32_t id) {
    if (r->free_count == r->free_cap) {
        r->free_cap = r->free_cap ? r->free_cap * 2 : 1024;
        r->free_ids = tool_grow(r->free_ids, r->free_cap, sizeof *r->free_ids, "the trace reader");
    }
    r->free_ids[r->free_count++] = id;
}

/* An id for a block just made. A name still alive means its free was not
 * recorded (or came in another order): the old block counts as freed then. */
static uint32_t bind_name(trace_reader_t *r, uint64_t name, bool failed, uint32_t *implicit_free) {
    uint32_t id = new_id(r);
    *implicit_free = TRACE_NO_ID;
    if (!failed && name != 0) {
        *implicit_free = name_map_take(&r->names, name);
        r->reused_names += *implicit_free != TRACE_NO_ID;
        name_map_put(&r->names, name, id);
    }
    return id;
}

/* ---- queue ------------------------------------------------------------- */

void reader_queue(trace_reader_t *r, const raw_event_t *e) {
    if (r->queue_len == r->queue_cap) {
        r->queue_cap = r->queue_cap ? r->queue_cap * 2 : 64;
        r->queue = tool_grow(r->queue, r->queue_cap, sizeof *r->queue, "the trace reader");
    }
    r->queue[r->queue_len] = *e;
    if (e->line == 0) {
        r->queue[r->queue_len].line = r->line_no;
    }
    r->queue_len++;
}

int reader_error(trace_reader_t *r, const char *expected) {
    fprintf(stderr, "capheap: %s:%lu: expected %s\n", r->path, r->line_no, expected);
    if (r->shown[0] != '\0') {
        fprintf(stderr, "  the line reads: %.120s\n", r->shown);
    }
    return -1;
}

unsigned long reader_line(const trace_reader_t *r) { return r->line_no; }

/* ---- lines ------------------------------------------------------------- */

/* Reads the file's next chunk: its length, 0 at the end, -1 on a read error
 * (said). A gzip stream cut short reads as data then an end, with zlib's
 * error set (Z_BUF_ERROR): a truncated trace, refused rather than replayed
 * as if it were whole. */
static int read_chunk(trace_reader_t *r) {
    int got = gzread(r->file, r->chunk, sizeof r->chunk), err;
    const char *why = gzerror(r->file, &err);
    if (got < 0 || err != Z_OK) {
        fprintf(stderr, "capheap: %s: cannot read after line %lu: %s\n", r->path, r->line_no, why);
        return -1;
    }
    r->chunk_at = 0;
    r->chunk_len = (size_t)got;
    return got;
}

/* Starts reading the file again from its first line. */
static void rewind_lines(trace_reader_t *r) {
    gzrewind(r->file);
    r->chunk_at = r->chunk_len = 0;
    r->line_no = 0;
}

/* The next line, without its newline (and CRs before it), in r->line: 1, 0
 * at the end, -1 on an error (said). Lines are split here rather than by
 * gzgets, which cannot tell a NUL byte inside a line from the line's end:
 * such a line is refused, not cut short. The last line needs no newline. */
static int read_line(trace_reader_t *r) {
    size_t n = 0;
    const char *newline = NULL;
    while (newline == NULL) {
        if (r->chunk_at == r->chunk_len) {
            int got = read_chunk(r);
            if (got <= 0) {
                if (got < 0 || n == 0) {
                    return got;
                }
                break; /* a last line without a newline */
            }
        }
        const char *from = r->chunk + r->chunk_at;
        size_t left = r->chunk_len - r->chunk_at;
        newline = memchr(from, '\n', left);
        size_t take = newline != NULL ? (size_t)(newline - from) : left;
        size_t text = take;
        while (newline != NULL && text > 0 && from[text - 1] == '\r') {
            text--; /* the CRs before the newline do not count */
        }
        if (text > sizeof r->line - 1 - n) {
            r->line_no++;
            r->shown[0] = '\0';
            return reader_error(r, "a line shorter than 4096 bytes");
        }
        memcpy(r->line + n, from, text);
        n += text;
        r->chunk_at += take + (newline != NULL);
    }
    r->line_no++;
    r->line[n] = '\0';
    while (n > 0 && r->line[n - 1] == '\r') {
        r->line[--n] = '\0';
    }
    memcpy(r->shown, r->line, n + 1);
    if (strlen(r->line) != n) {
        return reader_error(r, "a line of text (this one holds a NUL byte)");
    }
    return 1;
}

static const trace_format_ops_t *const formats[] = {
    &trace_format_capheap, &trace_format_espidf, &trace_format_android,
};

/* What a file read as each format needs, for messages. */
static const char *const expected[] = {
    [FORMAT_AUTO] = "a trace line: capheap's ('alloc 0x3ffb1000 64 DEFAULT'), ESP-IDF's heap trace dump ('32 bytes "
                    "(@ 0x3ffb1000, Internal) allocated ...') or Android memory_replay's ('123: malloc 0xb4827400 "
                    "1024')",
    [FORMAT_CAPHEAP] = "a line of capheap's trace format ('alloc 0x3ffb1000 64 DEFAULT', or its header '# capheap "
                       "trace')",
    [FORMAT_ESPIDF] = "a line of an ESP-IDF heap trace dump ('32 bytes (@ 0x3ffb1000, Internal) allocated ...', or "
                      "its header '====== Heap Trace')",
    [FORMAT_ANDROID] = "a line of an Android memory_replay trace ('123: malloc 0xb4827400 1024')",
};

/* A file in which no line is one its format recognises (an empty one, or
 * one of blanks, comments and lines a format passes over, as a dump's log
 * lines) is no trace, whether its format was detected or given: refused, so
 * that --format does not make a wrong file an empty replay that fits. A
 * trace with its header and no events (a program that allocated nothing) has
 * a line its format recognises. */
static void no_trace_line(const trace_reader_t *r) {
    const char *what = "blank lines, comments and lines the format passes over only";
    if (r->line_no == 0) {
        what = "the file is empty";
    } else if (r->format == FORMAT_AUTO) {
        what = r->log_lines ? "blank lines, comments and ESP-IDF log lines only" : "blank lines and comments only";
    }
    fprintf(stderr, "capheap: %s: no trace line in it (%s); expected %s\n", r->path, what, expected[r->format]);
}

/* The format of a file: that of the first non-blank line one recognises,
 * among its first DETECT_LINES lines of text that are neither comments ('#')
 * nor ESP-IDF log lines: a dump may follow a boot log of any length, while a
 * file of something else is still refused after DETECT_LINES lines. The first
 * line counted is the one an error quotes. */
static const trace_format_ops_t *detect(trace_reader_t *r) {
    char first[LINE_MAX_BYTES] = "";
    unsigned long number = 0, looked = 0;
    int got;
    while ((got = read_line(r)) > 0) {
        char lead = r->line[strspn(r->line, " \t")]; /* '\0' on a blank line, '#' on a comment */
        for (size_t i = 0; lead != '\0' && i < sizeof formats / sizeof formats[0]; i++) {
            if (formats[i]->recognises(r->line)) {
                r->recognised = true;
                rewind_lines(r);
                return formats[i];
            }
        }
        if (lead == '\0' || lead == '#') {
            continue;
        }
        if (espidf_log_line(r->line)) {
            r->log_lines = true;
            continue;
        }
        if (number == 0) {
            memcpy(first, r->shown, sizeof first);
            number = r->line_no;
        }
        if (++looked >= DETECT_LINES) {
            break;
        }
    }
    if (got < 0) {
        return NULL; /* said */
    }
    if (number == 0) { /* nothing but blanks, comments and log lines: no line to name */
        no_trace_line(r);
        return NULL;
    }
    r->line_no = number;
    memcpy(r->shown, first, sizeof first);
    reader_error(r, expected[FORMAT_AUTO]);
    return NULL;
}

trace_reader_t *trace_open(const char *path, trace_format_t format) {
    trace_reader_t *r = tool_alloc(1, sizeof *r, "the trace reader");
    r->path = path;
    struct stat st;
    r->file = stat(path, &st) == 0 ? gzopen(path, "rb") : NULL;
    if (r->file == NULL) {
        fprintf(stderr, "capheap: %s: cannot open: %s\n", path, strerror(errno ? errno : ENOENT));
        free(r);
        return NULL;
    }
    gzbuffer(r->file, 1 << 17);
    r->file_size = (double)st.st_size;
    r->format = format;
    r->ops = format == FORMAT_CAPHEAP ? &trace_format_capheap
             : format == FORMAT_ESPIDF ? &trace_format_espidf
             : format == FORMAT_ANDROID ? &trace_format_android
                                        : detect(r);
    if (r->ops == NULL) {
        trace_close(r);
        return NULL;
    }
    r->state = r->ops->open();
    return r;
}

trace_format_t trace_format(const trace_reader_t *r) {
    return r->ops == &trace_format_capheap ? FORMAT_CAPHEAP
           : r->ops == &trace_format_espidf ? FORMAT_ESPIDF
                                            : FORMAT_ANDROID;
}

const char *trace_format_name(trace_format_t f) {
    static const char *const names[] = {"auto", "capheap", "esp-idf heap trace dump", "android memory_replay"};
    return names[f];
}

double trace_progress(const trace_reader_t *r) {
    double at = (double)gzoffset(r->file);
    return r->file_size > 0 && at < r->file_size ? at / r->file_size : 1.0;
}

unsigned long trace_unknown_frees(const trace_reader_t *r) { return r->unknown_frees; }

unsigned long trace_reused_names(const trace_reader_t *r) { return r->reused_names; }

uint32_t trace_id_limit(const trace_reader_t *r) { return r->id_limit; }

/* ---- events ------------------------------------------------------------ */

/* Fills the queue from the file; 1 when it has events, 0 at the end, -1 on error. */
static int refill(trace_reader_t *r) {
    r->queue_len = r->queue_at = 0;
    while (r->queue_len == 0 && !r->at_end) {
        int got = read_line(r);
        if (got < 0) {
            return -1;
        }
        if (got == 0) {
            r->at_end = true;
            r->shown[0] = '\0';
            if (!r->recognised) {
                no_trace_line(r);
                return -1;
            }
            if (r->ops->finish != NULL && r->ops->finish(r, r->state) < 0) {
                return -1;
            }
            continue;
        }
        /* Asked before parse_line, which may cut the line into words; once
         * the answer is yes it is not asked again. */
        r->recognised = r->recognised || r->ops->recognises(r->line);
        if (r->ops->parse_line(r, r->state, r->line) < 0) {
            return -1;
        }
    }
    return r->queue_len > 0;
}

/* Names to ids. Returns false when the event is to be skipped (a free of a
 * block that is not alive). */
static bool resolve(trace_reader_t *r, const raw_event_t *raw, trace_event_t *e, uint32_t *implicit_free) {
    *e = (trace_event_t){raw->kind, TRACE_NO_ID, TRACE_NO_ID, raw->size, raw->align, raw->caps,
                         raw->caller, raw->thread, raw->line, false};
    *implicit_free = TRACE_NO_ID;
    if (raw->kind == EVENT_FREE) {
        if (raw->name == 0) {
            return false; /* free(NULL) */
        }
        e->id = name_map_take(&r->names, raw->name);
        r->unknown_frees += e->id == TRACE_NO_ID;
        if (e->id != TRACE_NO_ID) {
            release_id(r, e->id);
        }
        return e->id != TRACE_NO_ID;
    }
    if (raw->kind == EVENT_REALLOC && raw->old_name != 0) {
        e->old_id = name_map_take(&r->names, raw->old_name);
        r->unknown_frees += e->old_id == TRACE_NO_ID;
        if (e->old_id != TRACE_NO_ID) {
            release_id(r, e->old_id);
        }
    }
    e->id = bind_name(r, raw->name, raw->failed, implicit_free);
    if (raw->failed || raw->name == 0) {
        e->transient = true; /* nothing will free it: the replay frees it at once */
        release_id(r, e->id);
    }
    return true;
}

int trace_next(trace_reader_t *r, trace_event_t *event) {
    if (r->has_pending) {
        *event = r->pending;
        r->has_pending = false;
        return 1;
    }
    for (;;) {
        if (r->queue_at == r->queue_len) {
            int got = refill(r);
            if (got <= 0) {
                return got;
            }
        }
        uint32_t implicit_free;
        if (resolve(r, &r->queue[r->queue_at++], event, &implicit_free)) {
            if (implicit_free != TRACE_NO_ID) {
                /* The reused name's old block is freed first, then this event. */
                r->pending = *event;
                r->has_pending = true;
                *event = (trace_event_t){EVENT_FREE, implicit_free, TRACE_NO_ID, 0, 0, 0, 0, 0, event->line, false};
                release_id(r, implicit_free);
            }
            return 1;
        }
    }
}

void trace_close(trace_reader_t *r) {
    if (r == NULL) {
        return;
    }
    if (r->state != NULL) {
        r->ops->close(r->state);
    }
    gzclose(r->file);
    free(r->queue);
    name_map_free(&r->names);
    free(r->free_ids);
    free(r);
}

/* ---- tokens ------------------------------------------------------------ */

size_t split_tokens(char *line, char **tokens, size_t max) {
    size_t n = 0;
    for (char *p = line;;) {
        p += strspn(p, " \t");
        if (*p == '\0') {
            return n;
        }
        if (n == max) {
            return max + 1;
        }
        tokens[n++] = p;
        p += strcspn(p, " \t");
        if (*p != '\0') {
            *p++ = '\0';
        }
    }
}

bool parse_hex(const char *token, uint64_t *value) {
    if (token[0] == '0' && (token[1] == 'x' || token[1] == 'X')) {
        token += 2;
    }
    if (*token == '\0' || strlen(token) > 16) {
        return false;
    }
    char *end;
    errno = 0;
    unsigned long long v = strtoull(token, &end, 16);
    if (*end != '\0' || errno != 0 || *token == '-' || *token == '+') {
        return false;
    }
    *value = v;
    return true;
}

bool parse_u64(const char *token, uint64_t *value) {
    if (token[0] == '0' && (token[1] == 'x' || token[1] == 'X')) {
        return parse_hex(token, value);
    }
    if (*token < '0' || *token > '9') {
        return false;
    }
    char *end;
    errno = 0;
    unsigned long long v = strtoull(token, &end, 10);
    if (*end != '\0' || errno != 0) {
        return false;
    }
    *value = v;
    return true;
}
