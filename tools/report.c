/*
 * report.c: what a replay found, as text: the trace, then per memory type
 * (peak use, low watermark, fragmentation at the peak, failures), per caps
 * mask (requests, peak live bytes, failures with the first one and why), per
 * thread of the trace (the same, for the threads with the highest peaks), and
 * what is still allocated at the end (with the callers holding most); and,
 * from a second replay stopped there, what is allocated at the moment of
 * highest use.
 */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "tool_memory.h"

#define C(v, i) fmt_count((v), num[i], sizeof num[i])

static void print_header(FILE *out, const replay_t *r) {
    char num[6][32];
    fprintf(out, "capheap replay: %s (%s) on board %s\n", r->path, trace_format_name(r->format),
            r->board->board->name);
    fprintf(out, "  %s\n", replay_word_size_text());
    if (r->opt.grow_percent != 0) {
        char grown[120];
        fprintf(out, "  %s (--grow), sizes rounded up: %s requests\n", replay_growth_text(&r->opt, grown, sizeof grown),
                C(r->grown_requests, 0));
    }
    fprintf(out, "  %s events: %s allocations, %s reallocations, %s frees", C(r->events, 0), C(r->allocs, 1),
            C(r->reallocs, 2), C(r->frees, 3));
    if (r->threads > 0) {
        fprintf(out, "; %lu threads", r->threads);
    }
    fprintf(out, "\n");
    if (r->zero_size || r->unknown_frees || r->reused_names) {
        fprintf(out, "  skipped: %s zero-size requests, %s frees of blocks the trace never allocated; "
                     "%s addresses reused before their free was recorded (freed then)\n",
                C(r->zero_size, 0), C(r->unknown_frees, 1), C(r->reused_names, 2));
    }
    if (r->failed_as_recorded != 0) {
        fprintf(out, "  %s allocation%s that failed where the trace was recorded failed here too (not counted as failures)\n",
                C(r->failed_as_recorded, 0), r->failed_as_recorded == 1 ? "" : "s");
    }
    if (r->failures == 0) {
        fprintf(out, "  every %sallocation succeeded\n", r->failed_as_recorded != 0 ? "other " : "");
    } else {
        fprintf(out, "  %s allocation%s FAILED (the first at event %s); %s frees of blocks that failed were skipped\n",
                C(r->failures, 0), r->failures == 1 ? "" : "s", C(r->first_failure_event, 1),
                C(r->frees_of_failed, 2));
    }
}

static void print_types(FILE *out, const replay_t *r) {
    char num[8][32];
    fprintf(out, "\nPer memory type                 size    peak use  (event)  low watermark"
                 "   fragmentation at the peak          failed\n");
    const capheap_board_t *board = r->board->board;
    for (size_t t = 0; t < board->type_count && t < REPLAY_MAX_TYPES; t++) {
        const type_stats_t *s = &r->types[t];
        if (s->total == 0) {
            continue;
        }
        double frag = s->free_at_peak ? 1.0 - (double)s->largest_at_peak / (double)s->free_at_peak : 0.0;
        fprintf(out, "  %-22s %12s %11s %9s %14s   largest %9s of %9s free (%2.0f%%) %6s\n", board->types[t].name,
                C(s->total, 0), C(s->peak_used, 1), C(s->peak_event, 2), C(s->total - s->peak_used, 3),
                C(s->largest_at_peak, 4), C(s->free_at_peak, 5), 100.0 * frag, C(s->failures, 6));
    }
    fprintf(out, "  (sizes include each heap's control data and block headers; fragmentation = 1 - largest free "
                 "block / free bytes)\n");
}

static void print_caps(FILE *out, const replay_t *r) {
    char num[6][32], names[160];
    fprintf(out, "\nPer caps mask requested            requests   peak live B   live at end B  failed\n");
    for (size_t i = 0; i < r->caps_count; i++) {
        const caps_stats_t *c = &r->caps[i];
        fprintf(out, "  %-32s %10s %13s %15s %7s\n", caps_describe(c->caps, names, sizeof names), C(c->allocs, 0),
                C(c->peak_live_bytes, 1), C(c->live_bytes, 2), C(c->failures, 3));
    }
    for (size_t i = 0; i < r->caps_count; i++) {
        const caps_stats_t *c = &r->caps[i];
        if (c->failures != 0) {
            fprintf(out, "  first failure of %s: event %s (%s line %s), %s of %s bytes: %s\n",
                    caps_describe(c->caps, names, sizeof names), C(c->first_fail_event, 0), r->path,
                    C(c->first_fail_line, 1), c->first_fail_kind, C(c->first_fail_size, 2), c->why);
        }
    }
}

static int by_peak(const void *a, const void *b) {
    const thread_stats_t *x = *(const thread_stats_t *const *)a, *y = *(const thread_stats_t *const *)b;
    return x->peak_live_bytes < y->peak_live_bytes ? 1 : x->peak_live_bytes > y->peak_live_bytes ? -1 : 0;
}

static int by_live(const void *a, const void *b) {
    const thread_stats_t *x = *(const thread_stats_t *const *)a, *y = *(const thread_stats_t *const *)b;
    return x->live_bytes < y->live_bytes ? 1 : x->live_bytes > y->live_bytes ? -1 : 0;
}

/* r's threads in the order of compare, in an array the caller frees. */
static const thread_stats_t **threads_sorted(const replay_t *r, int (*compare)(const void *, const void *)) {
    const thread_stats_t **order = tool_alloc(r->threads, sizeof *order, "the report's threads");
    for (size_t i = 0; i < r->threads; i++) {
        order[i] = &r->thread_stats[i];
    }
    qsort(order, r->threads, sizeof *order, compare);
    return order;
}

#define THREADS_SHOWN 8

/* The threads (tasks) of the trace with the highest peaks of what they
 * allocated: the memory each holds, wherever it is freed from. */
static void print_threads(FILE *out, const replay_t *r) {
    char num[4][32];
    if (r->threads == 0) {
        return; /* a trace that names no threads (an ESP-IDF dump) */
    }
    const thread_stats_t **order = threads_sorted(r, by_peak);
    fprintf(out, "\nPer thread of the trace             requests   peak live B   live at end B  failed\n");
    for (size_t i = 0; i < r->threads && i < THREADS_SHOWN; i++) {
        const thread_stats_t *t = order[i];
        char name[40];
        snprintf(name, sizeof name, "thread %llu", (unsigned long long)t->thread);
        fprintf(out, "  %-32s %10s %13s %15s %7s\n", name, C(t->allocs, 0), C(t->peak_live_bytes, 1),
                C(t->live_bytes, 2), C(t->failures, 3));
    }
    if (r->threads > THREADS_SHOWN) {
        fprintf(out, "  ... and %lu more threads, with lower peaks\n", r->threads - THREADS_SHOWN);
    }
    fprintf(out, "  (a thread's bytes are the blocks it allocated, whichever thread frees them)\n");
    free(order);
}

/* What r holds where it stopped: blocks and bytes, the use of each memory
 * type, the five callers and the three threads holding most, under heading. */
static void print_held(FILE *out, const replay_t *r, const char *heading) {
    char num[4][32];
    unsigned long long bytes = 0;
    unsigned long blocks = 0;
    for (size_t i = 0; i < r->caps_count; i++) {
        bytes += r->caps[i].live_bytes;
        blocks += r->caps[i].live_blocks;
    }
    fprintf(out, "\n%s: %s block%s, %s bytes requested\n", heading, C(blocks, 0), blocks == 1 ? "" : "s",
            C(bytes, 1));
    const capheap_board_t *board = r->board->board;
    for (size_t t = 0; t < board->type_count && t < REPLAY_MAX_TYPES; t++) {
        if (r->types[t].total != 0) {
            fprintf(out, "  %-22s %12s bytes in use (headers included)\n", board->types[t].name,
                    C(r->types[t].used, 0));
        }
    }
    replay_holder_t *h;
    size_t groups = replay_holders(r, &h);
    for (size_t i = 0; i < groups && i < 5 && blocks > 0; i++) {
        if (h[i].caller != 0) {
            fprintf(out, "  caller 0x%08llx holds %s bytes in %s block%s\n", (unsigned long long)h[i].caller,
                    C(h[i].bytes, 0), C(h[i].blocks, 1), h[i].blocks == 1 ? "" : "s");
        }
    }
    free(h);
    const thread_stats_t **t = threads_sorted(r, by_live);
    for (size_t i = 0; i < r->threads && i < 3 && t[i]->live_bytes > 0; i++) {
        fprintf(out, "  thread %llu holds %s bytes in %s block%s\n", (unsigned long long)t[i]->thread,
                C(t[i]->live_bytes, 0), C(t[i]->live_blocks, 1), t[i]->live_blocks == 1 ? "" : "s");
    }
    free(t);
}

void report_print(FILE *out, const replay_t *r) {
    print_header(out, r);
    print_types(out, r);
    print_caps(out, r);
    print_threads(out, r);
    print_held(out, r, "Still allocated at the end");
}

void report_print_at_peak(FILE *out, const replay_t *at_peak) {
    char heading[96], num[1][32];
    snprintf(heading, sizeof heading, "Allocated at the highest use (event %s, all heaps together)",
             C(at_peak->events, 0));
    print_held(out, at_peak, heading);
}
