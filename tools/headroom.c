/*
 * headroom.c: `capheap headroom` (see headroom.h).
 *
 * A probe builds the board given plus one reserved range [start, start + cut)
 * at the start of one heap (and, for heaps cut together, the cuts already
 * fixed in other heaps), and replays the whole trace on it. How a trace
 * places its blocks changes with the size of a heap, and a smaller heap can
 * now and then serve a trace that a slightly larger one does not: the
 * bisection finds a cut that replays next to one HEADROOM_STEP larger that
 * fails, and does not promise that every smaller cut replays. docs/tool.md
 * says so too.
 */
#include "headroom.h"

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bisect.h"
#include "board.h"
#include "growth.h"
#include "replay.h"
#include "tool_memory.h"

/* The first failed allocation of a probe. */
typedef struct {
    replay_failure_t at;
    bool no_heap; /* nothing was left for any heap: the board could not be built */
} failure_t;

typedef struct {
    capheap_board_t board;        /* the board given, with the fixed cuts and one range more */
    capheap_reserved_t *reserved; /* its reserved ranges: the board's, the fixed cuts, the probe's */
    size_t own;                   /* the board's own ranges */
    size_t fixed;                 /* ranges before the probe's: the board's and the fixed cuts */
    const char *path;
    trace_format_t format;
} probe_t;

/* What a heap can lose at its start. */
typedef struct {
    size_t can_lose;
    bool all;          /* the trace replays without the heap */
    failure_t failure; /* at can_lose + HEADROOM_STEP, or the whole heap */
} heap_headroom_t;

/* The heaps cut together, by their numbers in the table, in that order. */
typedef struct {
    size_t heap[TOOL_MAX_HEAPS];
    size_t count;
} heap_selection_t;

/* Reads --together's list: all (every heap, in the table's order; also when
 * text is NULL) or heap numbers separated by commas, each once. false, said,
 * when it is neither. */
static bool parse_selection(const char *text, size_t heaps, heap_selection_t *sel) {
    bool seen[TOOL_MAX_HEAPS] = {false};
    sel->count = 0;
    if (text == NULL || strcmp(text, "all") == 0) {
        for (size_t i = 0; i < heaps; i++) {
            sel->heap[sel->count++] = i;
        }
        return true;
    }
    for (const char *c = text;; c++) {
        char *end = (char *)(uintptr_t)c;
        unsigned long n = isdigit((unsigned char)*c) ? strtoul(c, &end, 10) : ULONG_MAX;
        if (n >= heaps || seen[n] || (*end != ',' && *end != '\0')) {
            fprintf(stderr, "capheap headroom: --together %s: expected all, or numbers of heaps in the table "
                            "(0 to %zu) separated by commas, each once\n", text, heaps - 1);
            return false;
        }
        seen[n] = true;
        sel->heap[sel->count++] = n;
        if (*end == '\0') {
            if (sel->count < 2) {
                fprintf(stderr, "capheap headroom: --together %s: name two heaps or more\n", text);
                return false;
            }
            return true;
        }
        c = end;
    }
}

/* The heaps of --together, checked against the heaps of the board before
 * the first replay (a long one for a large trace), so that a wrong list fails
 * at once: 0, or 2 after saying why. */
static int select_heaps(const capheap_board_t *given, const char *together, heap_selection_t *sel) {
    tool_board_t b;
    if (!board_start_board(given, given->name, &b)) {
        return 2;
    }
    bool ok = parse_selection(together, b.heap_count, sel);
    board_stop(&b);
    return ok ? 0 : 2;
}

/* Replays the trace with [start, start + cut) of chip memory reserved too:
 * 0 when every allocation succeeded, 3 when one failed (f says which), 1
 * after a trace error. */
static int probe(probe_t *p, uintptr_t start, size_t cut, failure_t *f) {
    p->reserved[p->fixed] = (capheap_reserved_t){start, start + cut, "headroom probe"};
    p->board.reserved_count = p->fixed + 1;
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

/* Keeps [start, start + cut) reserved in every later probe: the heaps cut
 * together. */
static void fix_cut(probe_t *p, uintptr_t start, size_t cut) {
    if (cut != 0) {
        p->reserved[p->fixed++] = (capheap_reserved_t){start, start + cut, "headroom cut"};
    }
}

/* Finds the bytes the heap at chip address start, size bytes, can lose. A
 * cut of 0 is known to replay (the board as the probe has it did). hint,
 * when not 0, is a cut likely near the answer (the heap's own, when it is
 * cut together with others): it and one step more are tried first, and when
 * the first replays and the second fails, that is the answer in two probes.
 * Otherwise the whole heap is tried, then the bisection runs between the
 * largest cut known to replay and the smallest known to fail. 0, or the
 * status of a probe that went wrong. */
static int bisect(probe_t *p, uintptr_t start, size_t size, size_t hint, heap_headroom_t *out) {
    memset(out, 0, sizeof *out);
    size_t fits = 0, fails = size; /* fails == size: no smaller cut is known to fail */
    size_t tries[2] = {hint, hint + HEADROOM_STEP};
    for (size_t i = 0; i < 2 && tries[i] != 0 && tries[i] < size; i++) {
        failure_t f;
        int rc = probe(p, start, tries[i], &f);
        if (rc == 3) {
            fails = tries[i];
            out->failure = f;
            break;
        }
        if (rc != 0) {
            return rc;
        }
        fits = tries[i];
    }
    if (fails == size) {
        int rc = probe(p, start, size, &out->failure);
        if (rc != 3) {
            out->all = rc == 0;
            out->can_lose = size;
            return rc;
        }
    }
    cut_t c = {p, start, &out->failure};
    return bisect_last_fit(probe_cut, &c, fits, fails, HEADROOM_STEP, &out->can_lose);
}

/* The reserved range that ends where chip address start begins, if any:
 * what grows into the heap that starts there. */
static const char *reserved_before(const probe_t *p, uintptr_t start) {
    for (size_t i = 0; i < p->own; i++) {
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

/* The first table: each heap of the board as given (heaps, at offset),
 * bisected in turn, the others uncut; their figures go to alone. */
static int print_alone(FILE *out, probe_t *p, const tool_heap_t *heaps, size_t count, intptr_t offset,
                       bool progress, heap_headroom_t *alone) {
    fprintf(out, "\nBytes each heap can lose at its start, the others as they are, with every allocation still\n"
                 "succeeding (to %u bytes), and what fails first with %u bytes more:\n",
            HEADROOM_STEP, HEADROOM_STEP);
    fprintf(out, "  #  type               heap (chip)                     size    can lose\n");
    for (size_t i = 0; i < count; i++) {
        if (progress) {
            fprintf(stderr, "\rcapheap headroom: heap %zu of %zu", i + 1, count);
        }
        uintptr_t start = heaps[i].start - (uintptr_t)offset;
        int rc = bisect(p, start, heaps[i].end - heaps[i].start, 0, &alone[i]);
        if (rc != 0) {
            return rc;
        }
        print_heap(out, p, i, &heaps[i], start, &alone[i]);
    }
    fprintf(out, "  (bisection finds a cut that replays next to one %u bytes larger that fails; each heap is\n"
                 "  cut alone, so the figures do not add up)\n",
            HEADROOM_STEP);
    return 0;
}

/* The second table: the heaps of the selection cut together, in its order,
 * each by as much as it can lose with the cuts before it fixed (its own cut
 * alone is the first guess). Each figure was found by a replay with all the
 * cuts before it, so the last one that replayed had every cut in place; the
 * first heap's, with no cut before it, is its figure alone, taken without a
 * probe (the replays would be the same). note ends the total's line. The
 * cuts stay fixed in p. */
static int print_together(FILE *out, probe_t *p, const tool_heap_t *heaps, intptr_t offset,
                          const heap_headroom_t *alone, const heap_selection_t *sel, bool progress,
                          const char *note) {
    fprintf(out, "  #  type               heap (chip)                     size    together\n");
    size_t total = 0;
    for (size_t k = 0; k < sel->count; k++) {
        size_t i = sel->heap[k];
        if (progress) {
            fprintf(stderr, "\rcapheap headroom: together, heap %zu of %zu", k + 1, sel->count);
        }
        uintptr_t start = heaps[i].start - (uintptr_t)offset;
        heap_headroom_t room = alone[i];
        int rc = k == 0 ? 0 : bisect(p, start, heaps[i].end - heaps[i].start, alone[i].can_lose, &room);
        if (rc != 0) {
            return rc;
        }
        print_heap(out, p, i, &heaps[i], start, &room);
        fix_cut(p, start, room.can_lose);
        total += room.can_lose;
    }
    char num[32];
    fprintf(out, "  together: %s bytes (%s)\n", fmt_count(total, num, sizeof num), note);
    return 0;
}

/* The selection in turn from its k-th heap: k, k + 1, ..., then 0 to k - 1. */
static heap_selection_t turn_from(const heap_selection_t *sel, size_t k) {
    heap_selection_t turn = {.count = sel->count};
    for (size_t j = 0; j < sel->count; j++) {
        turn.heap[j] = sel->heap[(k + j) % sel->count];
    }
    return turn;
}

/* The heaps of the selection cut together in its order, then in the orders
 * that start at each other heap (its order turned), each from the board as
 * given again. The first heap of an order loses as much as it can alone, so
 * every heap is seen at its most beside what the others can then lose; for
 * two heaps the two orders are the two ends of what the pair can lose
 * together. Of n heaps, three or more, these are n of the n! orders: the
 * others share the bytes out otherwise. */
static int print_orders(FILE *out, probe_t *p, const tool_heap_t *heaps, intptr_t offset,
                        const heap_headroom_t *alone, const heap_selection_t *sel, bool progress) {
    bool two = sel->count == 2;
    const char *note = two ? "the first heap's most, and what is left to the second"
                           : "the first heap's most, and what is then left to the others in turn";
    fprintf(out, "\nBytes the heaps can lose all at once: each cut in turn, in this order, by as much as it can\n"
                 "lose with the cuts above it in place, and what fails first with %u bytes more:\n",
            HEADROOM_STEP);
    int rc = print_together(out, p, heaps, offset, alone, sel, progress, note);
    for (size_t k = 1; rc == 0 && k < sel->count; k++) {
        p->fixed = p->own; /* the cuts of the order before off again */
        heap_selection_t turn = turn_from(sel, k);
        if (two) {
            fprintf(out, "The other order:\n");
        } else {
            fprintf(out, "Heap %zu first, then the others in the order above from it:\n", sel->heap[k]);
        }
        rc = print_together(out, p, heaps, offset, alone, &turn, progress, note);
    }
    if (rc == 0 && two) {
        fprintf(out, "  (the two orders are the ends of what the pair can lose; a share between them can be\n"
                     "  checked with a board file cut by both)\n");
    } else if (rc == 0) {
        fprintf(out, "  (each heap first once, at its most; the heaps' other orders share the bytes out\n"
                     "  otherwise: a board file cut by each shows whether a share fits)\n");
    }
    return rc;
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
        fprintf(out, "  %s\n", replay_word_size_text());
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

int headroom_run(FILE *out, const char *board_spec, const char *path, trace_format_t format, bool quiet,
                 const char *together) {
    const capheap_board_t *given = board_lookup(board_spec);
    if (given == NULL) {
        return 2;
    }
    heap_selection_t sel;
    int rc = select_heaps(given, together, &sel);
    if (rc != 0) {
        return rc;
    }
    tool_heap_t heaps[TOOL_MAX_HEAPS];
    size_t count = 0;
    intptr_t offset = 0;
    unsigned long peak_event = 0;
    rc = replay_given(out, given, path, &format, quiet, heaps, &count, &offset, &peak_event);
    if (rc != 0) {
        return rc;
    }
    /* Room for the board's ranges, a fixed cut per heap and the probe's. */
    size_t ranges = given->reserved_count + count + 1;
    probe_t p = {*given, tool_alloc(ranges, sizeof *p.reserved, "a board's reserved ranges"),
                 given->reserved_count, given->reserved_count, path, format};
    heap_headroom_t *alone = tool_alloc(count, sizeof *alone, "the headroom table");
    if (given->reserved_count != 0) {
        memcpy(p.reserved, given->reserved, given->reserved_count * sizeof *p.reserved);
    }
    p.board.reserved = p.reserved;
    bool progress = !quiet && isatty(STDERR_FILENO);
    rc = print_alone(out, &p, heaps, count, offset, progress, alone);
    if (rc == 0 && sel.count > 1) {
        rc = print_orders(out, &p, heaps, offset, alone, &sel, progress);
    }
    if (progress) {
        fprintf(stderr, "\n");
    }
    free(p.reserved);
    free(alone);
    return rc != 0 ? rc : growth_print(out, given, path, format, peak_event);
}
