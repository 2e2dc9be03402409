/*
 * fuzz_tool_inputs.c: libFuzzer target for what the capheap tool reads from
 * its users: board files and allocation traces in each format, plain or gzip
 * (format in fuzz/README.md). It runs the tool's own code (tools/, without
 * cli.c) the way its commands do, so a malformed input must end in an error
 * message, never in a crash, a hang, a leak or a damaged heap.
 *
 * The first byte selects what the rest is: a board file (then an optional
 * trace after a NUL byte, else a fixed one, is replayed on it), or a trace
 * replayed on esp32 and on host:64K. Each replay is followed by checks that
 * the tool's figures agree with the heaps: every block the replay holds is
 * live in the heap it says, the live counts and the used bytes per heap, per
 * memory type and in total match what the heaps report, and a second replay
 * stopped at the moment of highest use finds that use again (the tool's
 * `--at worst`). A board file that loads is also written back and must load
 * as the same board; the heap picture must be text an XML reader accepts
 * (UTF-8, no control characters).
 */
#define _GNU_SOURCE /* memfd_create */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include "board.h"
#include "board_file.h"
#include "picture.h"
#include "replay.h"
#include "report.h"

#define FUZZ_TARGET_NAME "fuzz_tool_inputs.c"
#include "fuzz_input.h"

/* Enough for any trace that fits the fuzzer's inputs (4 KiB: about 600
 * events), and a bound on a gzip stream that inflates to much more. */
#define MAX_EVENTS 5000
/* Longer inputs (a corpus file replayed by hand) are cut here. */
#define INPUT_LIMIT (64u * 1024)

enum { KIND_BOARD_FILE, KIND_AUTO, KIND_CAPHEAP, KIND_ESPIDF, KIND_ANDROID, KIND_COUNT };
#define SELECTOR_GZIP 0x80

/* Replayed on a board file that brings no trace of its own: a bit of every
 * kind of request, some of which a small board cannot serve. */
static const char fixed_trace[] =
    "# capheap trace: the fixed trace of fuzz_tool_inputs.c\n"
    "alloc 0x10 100 DEFAULT thread=1\n"
    "alloc 0x20 3000 8BIT|DMA\n"
    "alloc 0x30 200 EXEC caller=0x400d1000\n"
    "alloc 0x40 64 32BIT align=64\n"
    "alloc 0x50 5000 SPIRAM thread=2\n"
    "realloc 0x60 0x10 900 DEFAULT\n"
    "alloc 0x70 40000 INTERNAL|8BIT\n"
    "free 0x30\n"
    "realloc 0x80 0x20 100 DMA\n"
    "alloc 0x90 1000000 DEFAULT\n"
    "alloc 0xa0 300 EXEC|32BIT\n"
    "free 0x60\n"
    "alloc 0xb0 16 RTCRAM\n"
    "alloc 0xc0 24 0x0\n"
    "free 0xa0\n";

/* Files in memory, named by /proc/self/fd paths, as the tool takes paths. */
typedef struct {
    int fd;
    char path[32];
} mem_file_t;

static mem_file_t board_file, trace_file, fixed_trace_file, written_board, picture_file;
static FILE *devnull;
static bool tracing; /* FUZZ_TRACE: the tool's error messages are shown */

/* ---- set-up ---------------------------------------------------------------- */

static void mem_file_open(mem_file_t *f, const char *name) {
    f->fd = memfd_create(name, MFD_CLOEXEC);
    CHECK(f->fd >= 0);
    snprintf(f->path, sizeof f->path, "/proc/self/fd/%d", f->fd);
}

static void mem_file_put(const mem_file_t *f, const void *data, size_t n) {
    CHECK(ftruncate(f->fd, 0) == 0);
    CHECK(pwrite(f->fd, data, n, 0) == (ssize_t)n);
}

static void set_up(void) {
    tracing = getenv("FUZZ_TRACE") != NULL;
    devnull = fopen("/dev/null", "w");
    CHECK(devnull != NULL);
    mem_file_open(&board_file, "board");
    mem_file_open(&trace_file, "trace");
    mem_file_open(&fixed_trace_file, "fixed.trace");
    mem_file_open(&written_board, "written.board");
    mem_file_open(&picture_file, "picture");
    mem_file_put(&fixed_trace_file, fixed_trace, sizeof fixed_trace - 1);
}

/* The tool reports bad input on stderr; millions of such lines would only
 * slow the fuzzer and fill its log. Swapping the stream while the tool runs
 * (glibc lets stderr be assigned) silences them alone: the sanitizers write
 * to the descriptor, libFuzzer to the stream it kept at start-up, and this
 * harness's checks run with the stream put back. */
static FILE *real_stderr;

static void quiet_begin(void) {
    if (!tracing) {
        real_stderr = stderr;
        stderr = devnull;
    }
}

static void quiet_end(void) {
    if (!tracing) {
        stderr = real_stderr;
    }
}

/* ---- gzip ------------------------------------------------------------------ */

/* data as a gzip file into f. */
static void put_gzip(const mem_file_t *f, const uint8_t *data, size_t n) {
    z_stream z;
    memset(&z, 0, sizeof z);
    CHECK(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
    size_t cap = deflateBound(&z, (uLong)n);
    uint8_t *out = malloc(cap);
    CHECK(out != NULL);
    z.next_in = (Bytef *)data;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    CHECK(deflate(&z, Z_FINISH) == Z_STREAM_END);
    mem_file_put(f, out, z.total_out);
    deflateEnd(&z);
    free(out);
}

static void put_trace(const uint8_t *data, size_t n, bool gzip) {
    if (gzip) {
        put_gzip(&trace_file, data, n);
    } else {
        mem_file_put(&trace_file, data, n);
    }
}

/* ---- the replay agrees with the heaps ---------------------------------------- */

static size_t heap_used(const tool_heap_t *h) { return h->end - h->start - multi_heap_free_size(h->mh); }

static int type_slot(int type) { return type < REPLAY_MAX_TYPES ? type : 0; } /* as replay.c pools them */

/* Every block the replay holds is live in the heap it names. Returns how many. */
static size_t check_blocks(const replay_t *r, const tool_board_t *b) {
    size_t live = 0;
    unsigned long long bytes = 0;
    for (size_t i = 0; i < r->block_cap; i++) {
        const replay_block_t *blk = &r->blocks[i];
        if (blk->ptr != NULL) {
            CHECK(blk->heap == board_heap_of(b, blk->ptr));
            CHECK(heap_caps_get_allocated_size(blk->ptr) >= blk->size);
            live++;
            bytes += blk->size;
        }
    }
    unsigned long counted = 0;
    unsigned long long counted_bytes = 0;
    for (size_t i = 0; i < r->caps_count; i++) {
        counted += r->caps[i].live_blocks;
        counted_bytes += r->caps[i].live_bytes;
    }
    CHECK(counted == live && counted_bytes == bytes);
    return live;
}

/* The used bytes the replay followed, per heap, per type and in all, are the
 * heaps' own (when the tool sees every heap: at most TOOL_MAX_HEAPS). */
static void check_use(const replay_t *r, const tool_board_t *b) {
    size_t total = 0, used = 0, type_used[REPLAY_MAX_TYPES] = {0};
    for (size_t i = 0; i < b->heap_count; i++) {
        const tool_heap_t *h = &b->heaps[i];
        CHECK(r->heap_free[i] == multi_heap_free_size(h->mh));
        total += h->end - h->start;
        used += heap_used(h);
        type_used[type_slot(h->type)] += heap_used(h);
    }
    if (total != heap_caps_get_total_size(0)) {
        return;
    }
    CHECK(r->used_total == used && r->peak_total >= used);
    for (int t = 0; t < REPLAY_MAX_TYPES; t++) {
        CHECK(r->types[t].used == type_used[t] && r->types[t].peak_used >= type_used[t]);
    }
}

static void check_replay(const replay_t *r, const tool_board_t *b, size_t blocks_before) {
    CHECK(heap_caps_check_integrity_all(true));
    size_t live = check_blocks(r, b);
    multi_heap_info_t info;
    heap_caps_get_info(&info, 0);
    CHECK(info.allocated_blocks == blocks_before + live);
    CHECK(r->threads <= r->events); /* each thread counted made an event of this trace */
    check_use(r, b);
}

/* ---- the picture ---------------------------------------------------------------- */

/* The length of the UTF-8 character at p (n bytes left) that XML 1.0
 * allows, 0 when it is none (control codes but tab and newlines; malformed,
 * overlong or surrogate sequences; U+FFFE, U+FFFF; above U+10FFFF). */
static size_t xml_char_length(const uint8_t *p, size_t n) {
    size_t len = p[0] < 0x80 ? 1 : p[0] < 0xC0 ? 0 : p[0] < 0xE0 ? 2 : p[0] < 0xF0 ? 3 : p[0] < 0xF8 ? 4 : 0;
    if (len == 0 || len > n) {
        return 0;
    }
    static const uint8_t lead_bits[5] = {0, 0x7F, 0x1F, 0x0F, 0x07};
    uint32_t cp = p[0] & lead_bits[len];
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80) {
            return 0;
        }
        cp = cp << 6 | (p[i] & 0x3Fu);
    }
    static const uint32_t lowest[5] = {0, 0, 0x80, 0x800, 0x10000};
    bool control = cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r';
    bool ok = cp >= lowest[len] && cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF) && cp != 0xFFFE && cp != 0xFFFF;
    return ok && !control ? len : 0;
}

/* Markup at p: one of the picture's tags or entities, so names in it were
 * escaped. */
static bool known_markup(const uint8_t *p, size_t n) {
    static const char *const known[] = {"<?xml ", "<svg ", "</svg>", "<rect ", "</rect>", "<title>", "</title>",
                                        "<text ", "</text>", "&lt;", "&gt;", "&amp;", "&quot;"};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        size_t len = strlen(known[i]);
        if (len <= n && memcmp(p, known[i], len) == 0) {
            return true;
        }
    }
    return false;
}

/* The SVG is text an XML reader takes: UTF-8 of allowed characters, and
 * every '<' and '&' starts the markup the picture writes. */
static void check_xml_text(const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n;) {
        size_t len = xml_char_length(p + i, n - i);
        CHECK(len != 0);
        CHECK((p[i] != '<' && p[i] != '&') || known_markup(p + i, n - i));
        i += len;
    }
}

static void check_picture(const tool_board_t *b, const replay_t *r) {
    quiet_begin();
    int rc = picture_write(picture_file.path, b, r, "the fuzzed moment");
    quiet_end();
    CHECK(rc == 0);
    off_t n = lseek(picture_file.fd, 0, SEEK_END);
    CHECK(n > 0);
    uint8_t *text = mmap(NULL, (size_t)n, PROT_READ, MAP_PRIVATE, picture_file.fd, 0);
    CHECK(text != MAP_FAILED);
    check_xml_text(text, (size_t)n);
    munmap(text, (size_t)n);
}

/* ---- replays ---------------------------------------------------------------------- */

static bool start(const char *spec, tool_board_t *b) {
    quiet_begin();
    bool ok = board_start(spec, b);
    quiet_end();
    return ok;
}

static size_t allocated_blocks(void) {
    multi_heap_info_t info;
    heap_caps_get_info(&info, 0);
    return info.allocated_blocks;
}

/* Replays trace on the started board b into r and checks it; with report,
 * also what `capheap replay` prints and draws from it. */
static void replay_checked(tool_board_t *b, const char *trace, trace_format_t format, unsigned long stop_after,
                           bool report, replay_t *r) {
    size_t blocks_before = allocated_blocks();
    quiet_begin();
    int rc = replay_run(r, b, trace, format, &(replay_options_t){.stop_after = stop_after, .quiet = true});
    quiet_end();
    CHECK(rc == 0 || rc == 1);
    check_replay(r, b, blocks_before);
    if (report && rc == 0) {
        report_print(devnull, r);
        check_picture(b, r);
    }
}

/* What a replay finds in the trace alone, whatever the board. */
typedef struct {
    unsigned long events, threads, unknown_frees, reused_names;
} trace_figures_t;

/* As `capheap replay` and then `--at worst` do: the whole trace (up to
 * MAX_EVENTS), then again on fresh heaps up to the moment of highest use,
 * which must be that high again. must_start: a built-in board, which builds.
 * Returns the trace's figures (zero when the board did not build). */
static trace_figures_t replay_on(const char *spec, bool must_start, const char *trace, trace_format_t format) {
    tool_board_t b;
    replay_t r;
    trace_figures_t figures = {0, 0, 0, 0};
    bool started = start(spec, &b);
    CHECK(started || !must_start);
    if (!started) {
        return figures;
    }
    replay_checked(&b, trace, format, MAX_EVENTS, true, &r);
    figures = (trace_figures_t){r.events, r.threads, r.unknown_frees, r.reused_names};
    unsigned long peak_event = r.peak_total_event;
    size_t peak = r.peak_total;
    replay_free(&r);
    board_stop(&b);
    if (peak_event != 0) {
        CHECK(start(spec, &b));
        replay_checked(&b, trace, format, peak_event, false, &r);
        CHECK(r.events == peak_event && r.used_total == peak);
        replay_free(&r);
        board_stop(&b);
    }
    return figures;
}

/* ---- board files ------------------------------------------------------------------- */

/* A board_file_load result copied out of the loader's storage (the next load
 * replaces it). */
#define COPY_MAX 64
typedef struct {
    capheap_board_t board;
    capheap_memory_type_t types[COPY_MAX];
    capheap_region_t regions[COPY_MAX];
    capheap_reserved_t reserved[COPY_MAX];
} board_copy_t;

static void copy_board(board_copy_t *c, const capheap_board_t *b) {
    CHECK(b->type_count <= COPY_MAX && b->region_count <= COPY_MAX && b->reserved_count <= COPY_MAX);
    c->board = *b;
    memcpy(c->types, b->types, b->type_count * sizeof *b->types);
    memcpy(c->regions, b->regions, b->region_count * sizeof *b->regions);
    memcpy(c->reserved, b->reserved, b->reserved_count * sizeof *b->reserved);
    /* The names point into the loader's storage too. */
    c->board.name = strdup(b->name);
    for (size_t i = 0; i < b->type_count; i++) {
        c->types[i].name = strdup(b->types[i].name);
    }
    for (size_t i = 0; i < b->reserved_count; i++) {
        c->reserved[i].name = strdup(b->reserved[i].name);
    }
}

static void free_copy(board_copy_t *c) {
    free((char *)c->board.name);
    for (size_t i = 0; i < c->board.type_count; i++) {
        free((char *)c->types[i].name);
    }
    for (size_t i = 0; i < c->board.reserved_count; i++) {
        free((char *)c->reserved[i].name);
    }
}

static bool same_region(const capheap_region_t *a, const capheap_region_t *b) {
    return a->start == b->start && a->size == b->size && a->type == b->type && a->flags == b->flags &&
           a->alias.kind == b->alias.kind && (a->alias.kind == CAPHEAP_ALIAS_NONE || a->alias.start == b->alias.start);
}

static void check_same_board(const board_copy_t *c, const capheap_board_t *b) {
    CHECK(strcmp(c->board.name, b->name) == 0);
    CHECK(c->board.type_count == b->type_count && c->board.region_count == b->region_count &&
          c->board.reserved_count == b->reserved_count);
    for (size_t i = 0; i < b->type_count; i++) {
        CHECK(strcmp(c->types[i].name, b->types[i].name) == 0);
        CHECK(memcmp(c->types[i].caps, b->types[i].caps, sizeof b->types[i].caps) == 0);
    }
    for (size_t i = 0; i < b->region_count; i++) {
        CHECK(same_region(&c->regions[i], &b->regions[i]));
    }
    for (size_t i = 0; i < b->reserved_count; i++) {
        CHECK(c->reserved[i].start == b->reserved[i].start && c->reserved[i].end == b->reserved[i].end);
        CHECK(strcmp(c->reserved[i].name, b->reserved[i].name) == 0);
    }
    CHECK(c->board.extmem.internal_below == b->extmem.internal_below);
}

/* board_file_write's promise: loading what it wrote gives the same board. */
static void check_round_trip(const capheap_board_t *loaded) {
    board_copy_t copy;
    copy_board(&copy, loaded);
    FILE *out = fopen(written_board.path, "w");
    CHECK(out != NULL);
    board_file_write(out, loaded);
    CHECK(fclose(out) == 0);
    quiet_begin();
    const capheap_board_t *again = board_file_load(written_board.path);
    quiet_end();
    CHECK(again != NULL);
    check_same_board(&copy, again);
    free_copy(&copy);
}

/* A board file, up to the first NUL; after it, the trace to replay on it. */
static void fuzz_board_file(const uint8_t *data, size_t n, bool gzip) {
    const uint8_t *nul = memchr(data, 0, n);
    size_t board_len = nul != NULL ? (size_t)(nul - data) : n;
    mem_file_put(&board_file, data, board_len);
    quiet_begin();
    const capheap_board_t *loaded = board_file_load(board_file.path);
    quiet_end();
    if (loaded == NULL) {
        return;
    }
    check_round_trip(loaded);
    tool_board_t b;
    if (start(board_file.path, &b)) {
        board_print_info(devnull, &b); /* `capheap info` */
        board_stop(&b);
    }
    const char *trace = fixed_trace_file.path;
    if (nul != NULL) {
        put_trace(nul + 1, n - board_len - 1, gzip);
        trace = trace_file.path;
    }
    replay_on(board_file.path, false, trace, FORMAT_AUTO);
}

/* The trace on two boards: what it says of itself must not change. */
static void fuzz_trace(const uint8_t *data, size_t n, trace_format_t format, bool gzip) {
    put_trace(data, n, gzip);
    trace_figures_t esp32 = replay_on("esp32", true, trace_file.path, format);
    trace_figures_t host = replay_on("host:64K", true, trace_file.path, format);
    CHECK(esp32.events == host.events && esp32.threads == host.threads);
    CHECK(esp32.unknown_frees == host.unknown_frees && esp32.reused_names == host.reused_names);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static bool ready;
    if (!ready) {
        set_up();
        ready = true;
    }
    if (size == 0) {
        return 0;
    }
    size_t n = size - 1 < INPUT_LIMIT ? size - 1 : INPUT_LIMIT;
    bool gzip = (data[0] & SELECTOR_GZIP) != 0;
    static const trace_format_t formats[] = {FORMAT_AUTO, FORMAT_CAPHEAP, FORMAT_ESPIDF, FORMAT_ANDROID};
    int kind = (data[0] & ~SELECTOR_GZIP) % KIND_COUNT;
    if (tracing) {
        fprintf(stderr, "input: kind %d%s, %zu bytes\n", kind, gzip ? ", gzip" : "", n);
    }
    if (kind == KIND_BOARD_FILE) {
        fuzz_board_file(data + 1, n, gzip);
    } else {
        fuzz_trace(data + 1, n, formats[kind - KIND_AUTO], gzip);
    }
    return 0;
}
