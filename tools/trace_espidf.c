/*
 * trace_espidf.c: ESP-IDF's heap trace dump (heap_trace_dump), as printed by
 * ESP-IDF 4.x and 5.x and by capheap's heap_trace_dump:
 *
 *       32 bytes (@ 0x3ffb1000, Internal) allocated CPU 0 ccount 0x1b8c8a54 caller 0x400d2f4f:0x400d2fde
 *       freed by 0x400d2f72:0x400d2fde
 *
 * (", Internal" / ", PSRAM" only in 5.x; "freed by" only in HEAP_TRACE_ALL
 * mode). Headers, summaries, IDF monitor's decoded addresses and ESP log
 * lines (of any level, coloured or not) are skipped; any other line is an
 * error.
 *
 * A dump records when each block was allocated (in order) but not when freed
 * ones were freed. The ordering rule: a freed block is freed at the latest
 * moment the dump allows, just before the first later allocation whose memory
 * overlaps it (that allocation could not have happened otherwise), else after
 * the last allocation. So every freed block counts as live as long as nothing
 * contradicts it: peaks are never underestimated. A freed block whose memory
 * would run past the top of the address space ends there.
 *
 * A record of 0 bytes holds no memory (heap_caps_malloc(0) returns NULL, so
 * ESP-IDF's and capheap's dumps have none; another allocator's may): it
 * contradicts no block, and the block around or at its address stays live.
 * It is replayed as a request of 0 bytes (skipped and counted, as in every
 * format) under no address, which would free the block there as reused; its
 * "freed by" frees nothing.
 *
 * Caps are not in a dump: PSRAM blocks get MALLOC_CAP_SPIRAM, blocks on the
 * ESP32 instruction bus (0x40070000-0x400C0000) MALLOC_CAP_EXEC, the others
 * MALLOC_CAP_DEFAULT.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esp_heap_caps.h"
#include "next_overlap.h"
#include "trace_formats.h"
#include "tool_memory.h"

typedef struct {
    uint64_t address;
    size_t size;
    uint32_t caps;
    uint64_t caller, freed_by;
    bool freed;
    unsigned long line;
} dump_record_t;

typedef struct {
    dump_record_t *records;
    size_t count, cap;
} dump_t;

static void *open_state(void) { return tool_alloc(1, sizeof(dump_t), "the dump's records"); }

static void close_state(void *state) {
    dump_t *d = state;
    free(d->records);
    free(d);
}

/* Reads "0xA:0xB:..." and keeps the first frame. */
static bool parse_frames(const char *text, uint64_t *first) {
    char copy[512];
    snprintf(copy, sizeof copy, "%s", text);
    char *colon = strchr(copy, ':');
    if (colon != NULL) {
        *colon = '\0';
    }
    return parse_hex(copy, first);
}

static uint32_t caps_of(uint64_t address, const char *place) {
    if (strcmp(place, "PSRAM") == 0) {
        return MALLOC_CAP_SPIRAM;
    }
    return address >= 0x40070000u && address < 0x400C0000u ? MALLOC_CAP_EXEC : MALLOC_CAP_DEFAULT;
}

/* The words ESP-IDF 5.x and capheap write after the address. Any other is
 * refused, not read as internal memory: the line is not what it seems. */
static bool is_place(const char *place) { return strcmp(place, "Internal") == 0 || strcmp(place, "PSRAM") == 0; }

/* "<n> bytes (@ 0x..[, where]) allocated CPU <c> ccount 0x.. caller <frames>" */
static bool parse_record(char *line, dump_record_t *rec) {
    char *t[16];
    size_t n = split_tokens(line, t, 15);
    uint64_t size, v;
    size_t at = 3;
    if (n < 9 || n > 15 || !parse_u64(t[0], &size) || strcmp(t[1], "bytes") != 0 || strcmp(t[2], "(@") != 0) {
        return false;
    }
    char *addr = t[at++];
    const char *place = "";
    size_t len = strlen(addr);
    if (len > 0 && addr[len - 1] == ',') {
        addr[len - 1] = '\0';
        place = t[at++];
        len = strlen(place);
        if (len == 0 || place[len - 1] != ')') {
            return false;
        }
        t[at - 1][len - 1] = '\0';
        if (!is_place(place)) {
            return false;
        }
    } else if (len > 0 && addr[len - 1] == ')') {
        addr[len - 1] = '\0';
    } else {
        return false;
    }
    if (!parse_hex(addr, &rec->address) || n < at + 6 || strcmp(t[at], "allocated") != 0 ||
        strcmp(t[at + 1], "CPU") != 0 || !parse_u64(t[at + 2], &v) || strcmp(t[at + 3], "ccount") != 0 ||
        !parse_hex(t[at + 4], &v) || strcmp(t[at + 5], "caller") != 0) {
        return false;
    }
    rec->caller = 0;
    if (n > at + 6 && !parse_frames(t[at + 6], &rec->caller)) {
        return false;
    }
    rec->size = (size_t)size;
    rec->caps = caps_of(rec->address, place);
    return true;
}

static bool starts_with(const char *s, const char *prefix) { return strncmp(s, prefix, strlen(prefix)) == 0; }

/* Past the ANSI escape sequences at s ("\x1b[0;32m"), which colour ESP-IDF's
 * log lines when CONFIG_LOG_COLORS is on: ESC '[', parameters, a final letter. */
static const char *skip_colours(const char *s) {
    while (s[0] == '\x1b' && s[1] == '[') {
        const char *p = s + 2 + strspn(s + 2, "0123456789;");
        if (*p < '@' || *p > '~') {
            return s; /* not a whole sequence: the line is not a coloured log line */
        }
        s = p + 1;
    }
    return s;
}

/* An ESP-IDF log line: blanks, colours, a level letter, a space and the
 * time in parentheses, "I (1234) tag: ...". Shared with trace_reader.c, whose
 * format detection does not count these lines (trace_formats.h). */
bool espidf_log_line(const char *line) {
    const char *s = skip_colours(line + strspn(line, " \t"));
    if (s[0] == '\0' || strchr("EWIDV", s[0]) == NULL || s[1] != ' ' || s[2] != '(') {
        return false;
    }
    size_t digits = strspn(s + 3, "0123456789");
    return digits > 0 && s[3 + digits] == ')';
}

/* Lines around the records: headers, summaries, decoded addresses, logs. */
static bool is_decoration(const char *s) {
    /* "hashmap:": the summary's line with CONFIG_HEAP_TRACE_HASH_MAP, "hashmap:
     * 250 capacity (1000 hits, 3 misses)" (ESP-IDF 5.1 on). */
    static const char *const prefixes[] = {"======", "Mode:", "records:", "total allocations", "total frees",
                                           "(NB:", "Heap trace", "Heap Trace", "--- ", "Tracing ", "hashmap:"};
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
        if (starts_with(s, prefixes[i])) {
            return true;
        }
    }
    if (s[0] == '0' && s[1] == 'x' && strstr(s, ": ") != NULL) {
        return true; /* "0x400d27c1: blink_task at .../blink.c:52" */
    }
    if (espidf_log_line(s)) {
        return true; /* "I (1234) tag: ...", coloured or not */
    }
    return strstr(s, " bytes alive in trace") != NULL || strstr(s, " bytes 'leaked' in trace") != NULL ||
           strstr(s, " allocations trace (") != NULL;
}

static bool recognises(const char *line) {
    line += strspn(line, " \t");
    char copy[512];
    snprintf(copy, sizeof copy, "%s", line);
    dump_record_t rec;
    return starts_with(line, "====== Heap Trace") || strstr(line, " allocations trace (") != NULL ||
           parse_record(copy, &rec);
}

static int parse_line(trace_reader_t *r, void *state, char *line) {
    dump_t *d = state;
    line += strspn(line, " \t");
    if (*line == '\0' || is_decoration(line)) {
        return 0;
    }
    if (starts_with(line, "freed by")) {
        dump_record_t *last = d->count > 0 ? &d->records[d->count - 1] : NULL;
        if (last == NULL || last->freed || !parse_frames(line + 8 + strspn(line + 8, " "), &last->freed_by)) {
            return reader_error(r, "'freed by <address>[:<address>...]' right after its allocation's line");
        }
        last->freed = true;
        return 0;
    }
    dump_record_t rec = {0};
    if (!parse_record(line, &rec)) {
        return reader_error(r, "'<n> bytes (@ <address>[, Internal|PSRAM]) allocated CPU <n> ccount <hex> caller "
                               "<address>[:<address>...]' or 'freed by ...'");
    }
    rec.line = reader_line(r);
    if (d->count == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 256;
        d->records = tool_grow(d->records, d->cap, sizeof *d->records, "the dump's records");
    }
    d->records[d->count++] = rec;
    return 0;
}

static void queue_free(trace_reader_t *r, const dump_record_t *rec, unsigned long line) {
    raw_event_t e = {.kind = EVENT_FREE, .name = rec->address, .caller = rec->freed_by, .line = line};
    reader_queue(r, &e);
}

/* The ordering rule (see the top): each freed record is freed just before
 * the first later record whose memory overlaps it (next_overlap), else at
 * the end; frees due at the same moment go in the order of their records. */
static int finish(trace_reader_t *r, void *state) {
    dump_t *d = state;
    const char *what = "the dump's records";
    address_range_t *ranges = tool_alloc(d->count, sizeof *ranges, what);
    size_t *due = tool_alloc(d->count, sizeof *due, what);       /* record i is freed before record due[i] */
    size_t *first = tool_alloc(d->count + 1, sizeof *first, what); /* of the frees before record j (d->count: the end) */
    size_t *then = tool_alloc(d->count, sizeof *then, what);     /* the free after record i's, before the same record */
    for (size_t i = 0; i < d->count; i++) {
        ranges[i] = (address_range_t){d->records[i].address, d->records[i].size};
    }
    next_overlap(ranges, d->count, due);
    for (size_t j = 0; j <= d->count; j++) {
        first[j] = NO_OVERLAP;
    }
    for (size_t i = d->count; i-- > 0;) { /* backwards: each list in increasing order */
        if (d->records[i].freed && d->records[i].size != 0) {
            size_t j = due[i] == NO_OVERLAP ? d->count : due[i];
            then[i] = first[j];
            first[j] = i;
        }
    }
    for (size_t j = 0; j <= d->count; j++) {
        for (size_t i = first[j]; i != NO_OVERLAP; i = then[i]) {
            queue_free(r, &d->records[i], j < d->count ? d->records[j].line : d->records[i].line);
        }
        if (j < d->count) {
            const dump_record_t *rec = &d->records[j];
            uint64_t name = rec->size != 0 ? rec->address : 0; /* 0 bytes: no block (see the top) */
            raw_event_t e = {.kind = EVENT_ALLOC, .name = name, .size = rec->size, .caps = rec->caps,
                             .caller = rec->caller, .line = rec->line};
            reader_queue(r, &e);
        }
    }
    free(ranges);
    free(due);
    free(first);
    free(then);
    return 0;
}

const trace_format_ops_t trace_format_espidf = {
    "esp-idf", recognises, open_state, parse_line, finish, close_state,
};
