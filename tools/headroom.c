/*
 * headroom.c: `capheap headroom` (see headroom.h).
 *
 * A probe builds the board given plus one reserved range [start, start + cut)
 * at the start of one heap, and replays the whole trace on it. How a trace
 * places its blocks changes with the size of a heap, and a smaller heap can
 * now and then serve a trace that a slightly larger one does not: the
 * bisection finds a cut that replays next to one HEADROOM_STEP larger that
 * fails, and does not promise that every smaller cut replays. docs/tool.md
 * says so too.
 */
#include "headroom.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bisect.h"
#include "board.h"
#include "growth.h"
#include "replay.h"

/* The first failed allocation of a probe. */
typedef struct {
    replay_failure_t at;
    bool no_heap; /* nothing was left for any heap: the board could not be built */
} failure_t;

typedef struct {
    capheap_board_t board;        /* the board given, with one reserved range more */
    capheap_reserved_t *reserved; /* its reserved ranges: the board's, then the probe's */
    const char *path;
    trace_format_t format;
} probe_t;

/* What a heap can lose at its start. */
typedef struct {
    size_t can_lose;
    bool all;          /* the trace replays without the heap */
    failure_t failure; /* at can_lose + HEADROOM_STEP, or the whole heap */
} heap_headroom_t;

/* Replays the trace with [start, start + cut) of chip memory reserved too:
 * 0 when every allocation succeeded, 3 when one failed (f says which), 1
 * after a trace error. */
static int probe(probe_t *p, uintptr_t start, size_t cut, failure_t *f) {
    p->reserved[p->board.reserved_count - 1] = (capheap_reserved_t){start, start + cut, "headroom probe"};
    tool_board_t b;
    if (board_build(&p->board, &b) != ESP_OK) {
        memset(f, 0, sizeof *f); /* ESP_ERR_NO_MEM: the cut left no heap on the board */
        f->no_heap = true;
        return 3;
    }
    f->no_heap = false;
    int rc = replay_probe(&b, p->path, p->format, &(replay_options_t){.quiet = true}, &f->at);
    board_stop(&b);
    return rc;
}

/* A cut being bisected: the probe, where the heap starts, and what failed
 * at the last cut that failed. */
typedef struct {
    probe_t *p;
    uintptr_t start;
    failure_t *failure;
} cut_t;

static int probe_cut(void *ctx, size_t cut) {
    cut_t *c = ctx;
    failure_t f;
    int rc = probe(c->p, c->start, cut, &f);
    if (rc == 3) {
        *c->failure = f;
    }
    return rc;
}

/* Bisects the bytes heap h (at chip address start, size bytes) can lose:
 * none is known to replay (the board as given did), the whole heap is tried
 * first. 0, or the status of a probe that went wrong. */
static int bisect(probe_t *p, uintptr_t start, size_t size, heap_headroom_t *out) {
    memset(out, 0, sizeof *out);
    int rc = probe(p, start, size, &out->failure);
    if (rc != 3) {
        out->all = rc == 0;
        out->can_lose = size;
        return rc;
    }
    cut_t c = {p, start, &out->failure};
    return bisect_last_fit(probe_cut, &c, 0, size, HEADROOM_STEP, &out->can_lose);
}

/* The reserved range that ends where chip address start begins, if any:
 * what grows into the heap that starts there. */
static const char *reserved_before(const probe_t *p, uintptr_t start) {
    for (size_t i = 0; i + 1 < p->board.reserved_count; i++) {
        if (p->reserved[i].end == start) {
            return p->reserved[i].name;
        }
    }
    return NULL;
}

static void print_heap(FILE *out, const probe_t *p, size_t index, const tool_heap_t *h, uintptr_t start,
                       const heap_headroom_t *room) {
    char num[2][32];
    const char *before = reserved_before(p, start);
    fprintf(out, "  %-2zu %-18s 0x%08llX-0x%08llX %11s %11s", index, p->board.types[h->type].name,
            (unsigned long long)start, (unsigned long long)(start + (h->end - h->start)),
            fmt_count(h->end - h->start, num[0], sizeof num[0]), fmt_count(room->can_lose, num[1], sizeof num[1]));
    if (before != NULL) {
        fprintf(out, "  after \"%s\"", before);
    }
    fputc('\n', out);
    const failure_t *f = &room->failure;
    if (room->all) {
        fprintf(out, "       all of it: the trace does not need this heap\n");
    } else if (f->no_heap) {
        fprintf(out, "       %u bytes more: no heap would be left on the board\n", HEADROOM_STEP);
    } else {
        fprintf(out, "       %u bytes more: ", HEADROOM_STEP);
        replay_print_failure(out, &f->at);
        fputc('\n', out);
    }
}

/* The table: each heap of the board as given (heaps, at offset), bisected
 * in turn. Progress on a terminal unless quiet. */
static int print_headroom(FILE *out, probe_t *p, const tool_heap_t *heaps, size_t count, intptr_t offset,
                          bool quiet) {
    bool progress = !quiet && isatty(STDERR_FILENO);
    fprintf(out, "\nBytes each heap can lose at its start, the others as they are, with every allocation still\n"
                 "succeeding (to %u bytes), and what fails first with %u bytes more:\n",
            HEADROOM_STEP, HEADROOM_STEP);
    fprintf(out, "  #  type               heap (chip)                     size    can lose\n");
    for (size_t i = 0; i < count; i++) {
        if (progress) {
            fprintf(stderr, "\rcapheap headroom: heap %zu of %zu", i + 1, count);
        }
        const tool_heap_t *h = &heaps[i];
        uintptr_t start = h->start - (uintptr_t)offset;
        heap_headroom_t room;
        int rc = bisect(p, start, h->end - h->start, &room);
        if (rc != 0) {
            return rc;
        }
        print_heap(out, p, i, h, start, &room);
    }
    if (progress) {
        fprintf(stderr, "\n");
    }
    fprintf(out, "  (bisection finds a cut that replays next to one %u bytes larger that fails; each heap is\n"
                 "  cut alone, so the figures do not add up)\n",
            HEADROOM_STEP);
    return 0;
}

/* Replays the trace on the board as given: 0 when it fits (heaps, offset
 * and the event of highest use filled, *format the trace's), else the exit
 * status, said. */
static int replay_given(FILE *out, const capheap_board_t *given, const char *path, trace_format_t *format,
                        bool quiet, tool_heap_t *heaps, size_t *count, intptr_t *offset, unsigned long *peak_event) {
    tool_board_t b;
    if (!board_start_board(given, given->name, &b)) {
        return 2;
    }
    replay_t r;
    int rc = replay_run(&r, &b, path, *format, &(replay_options_t){.quiet = quiet});
    if (rc == 0) {
        char num[2][32];
        fprintf(out, "capheap headroom: %s (%s) on board %s\n", path, trace_format_name(r.format), given->name);
        if (r.failures != 0) {
            fprintf(out, "  the trace does not fit: %s allocation%s, the first at event %s (capheap replay says "
                         "where and why); there is no headroom to measure\n",
                    fmt_count(r.failures, num[0], sizeof num[0]), r.failures == 1 ? " fails" : "s fail",
                    fmt_count(r.first_failure_event, num[1], sizeof num[1]));
            rc = 3;
        } else {
            fprintf(out, "  %s events, every allocation succeeded\n", fmt_count(r.events, num[0], sizeof num[0]));
        }
        *format = r.format;
        memcpy(heaps, b.heaps, b.heap_count * sizeof *heaps);
        *count = b.heap_count;
        *offset = b.offset;
        *peak_event = r.peak_total_event;
    }
    replay_free(&r);
    board_stop(&b);
    return rc;
}

int headroom_run(FILE *out, const char *board_spec, const char *path, trace_format_t format, bool quiet) {
    const capheap_board_t *given = board_lookup(board_spec);
    if (given == NULL) {
        return 2;
    }
    tool_heap_t heaps[TOOL_MAX_HEAPS];
    size_t count = 0;
    intptr_t offset = 0;
    unsigned long peak_event = 0;
    int rc = replay_given(out, given, path, &format, quiet, heaps, &count, &offset, &peak_event);
    if (rc != 0) {
        return rc;
    }
    probe_t p = {*given, malloc((given->reserved_count + 1) * sizeof *p.reserved), path, format};
    if (p.reserved == NULL) {
        fprintf(stderr, "capheap: out of memory\n");
        return 2;
    }
    if (given->reserved_count != 0) {
        memcpy(p.reserved, given->reserved, given->reserved_count * sizeof *p.reserved);
    }
    p.board.reserved = p.reserved;
    p.board.reserved_count = given->reserved_count + 1;
    rc = print_headroom(out, &p, heaps, count, offset, quiet);
    free(p.reserved);
    return rc != 0 ? rc : growth_print(out, given, path, format, peak_event);
}
