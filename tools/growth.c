/*
 * growth.c: how much larger every request can be, and each of the callers
 * holding most at the highest use alone (see growth.h). As with the heaps'
 * headroom, placement changes with the sizes: the bisection finds a
 * percentage that replays next to one 1 % larger that fails, and does not
 * promise that every smaller one replays (docs/tool.md).
 */
#include "growth.h"

#include <stdlib.h>

#include "bisect.h"
#include "replay.h"

#define TOP_CALLERS 5

/* Replays the trace on board with the requests of caller (0: every request)
 * grown by percent: 0 when every allocation succeeded, 3 when one failed (f
 * says which), 1 after a trace error, 2 when the board could not be built. */
static int probe(const capheap_board_t *board, const char *path, trace_format_t format, uint64_t caller,
                 unsigned percent, replay_failure_t *f) {
    tool_board_t b;
    if (!board_start_board(board, board->name, &b)) {
        return 2;
    }
    replay_options_t opt = {.quiet = true, .grow_percent = percent, .grow_caller = caller};
    int rc = replay_probe(&b, path, format, &opt, f);
    board_stop(&b);
    return rc;
}

typedef struct {
    unsigned percent;      /* the requests can be this much larger */
    bool at_limit;         /* the search stopped at GROWTH_LIMIT_PERCENT, still fitting */
    replay_failure_t next; /* what fails at percent + 1 (unless at_limit) */
} growth_t;

/* A search for the requests of caller (0: every request), and what failed
 * at the last percentage that failed. */
typedef struct {
    const capheap_board_t *board;
    const char *path;
    trace_format_t format;
    uint64_t caller;
    replay_failure_t *failure;
} grown_t;

static int probe_grown(void *ctx, size_t percent) {
    grown_t *g = ctx;
    replay_failure_t f;
    int rc = probe(g->board, g->path, g->format, g->caller, (unsigned)percent, &f);
    if (rc == 3) {
        *g->failure = f;
    }
    return rc;
}

/* The bisection, to 1 %, for the requests of caller (0: every request). An
 * upper end that fails: 100 %, then doubled up to the limit. Returns 0, or a
 * probe's status other than fits or fails. */
static int search(const capheap_board_t *board, const char *path, trace_format_t format, uint64_t caller,
                  growth_t *g) {
    size_t lo = 0, hi = 100;
    grown_t ctx = {board, path, format, caller, &g->next};
    int rc;
    while ((rc = probe_grown(&ctx, hi)) == 0 && hi < GROWTH_LIMIT_PERCENT) {
        lo = hi;
        hi = hi * 2 < GROWTH_LIMIT_PERCENT ? hi * 2 : GROWTH_LIMIT_PERCENT;
    }
    g->percent = (unsigned)hi;
    g->at_limit = rc == 0;
    if (rc != 3) {
        return rc;
    }
    rc = bisect_last_fit(probe_grown, &ctx, lo, hi, 1, &hi);
    g->percent = (unsigned)hi;
    return rc;
}

static void print_growth(FILE *out, const char *what, const growth_t *g) {
    if (g->at_limit) {
        fprintf(out, "  %s at least %u%% larger: the search stops there\n", what, GROWTH_LIMIT_PERCENT);
        return;
    }
    fprintf(out, "  %s %u%% larger\n    1%% more: ", what, g->percent);
    replay_print_failure(out, &g->next);
    fprintf(out, "\n");
}

/* The callers holding most at event peak, the trace's highest use (a replay
 * stopped there), at most TOP_CALLERS, into top; returns how many (callers
 * the trace did not record are left out), or -1 after a failed replay. */
static int top_callers(const capheap_board_t *board, const char *path, trace_format_t format, unsigned long peak,
                       replay_holder_t top[TOP_CALLERS]) {
    tool_board_t b;
    if (peak == 0) {
        return 0;
    }
    if (!board_start_board(board, board->name, &b)) {
        return -1;
    }
    replay_t r;
    int n = 0;
    int rc = replay_run(&r, &b, path, format, &(replay_options_t){.stop_after = peak, .quiet = true});
    if (rc == 0) {
        replay_holder_t *h;
        size_t groups = replay_holders(&r, &h);
        for (size_t i = 0; i < groups && n < TOP_CALLERS; i++) {
            if (h[i].caller != 0) {
                top[n++] = h[i];
            }
        }
        free(h);
    }
    replay_free(&r);
    board_stop(&b);
    return rc != 0 ? -1 : n;
}

int growth_print(FILE *out, const capheap_board_t *board, const char *path, trace_format_t format,
                 unsigned long peak_event) {
    fprintf(out, "\nHow much larger every request can be (each size grown by the same percentage, rounded\n"
                 "up), the board as it is, with every allocation still succeeding (to 1%%):\n");
    growth_t g;
    int rc = search(board, path, format, 0, &g);
    if (rc != 0) {
        return rc;
    }
    print_growth(out, "every request", &g);
    replay_holder_t top[TOP_CALLERS];
    int n = top_callers(board, path, format, peak_event, top);
    if (n < 0) {
        return 1;
    }
    if (n > 0) {
        fprintf(out, "and the requests of each caller holding most at the highest use, grown alone:\n");
    }
    for (int i = 0; i < n; i++) {
        if ((rc = search(board, path, format, top[i].caller, &g)) != 0) {
            return rc;
        }
        char what[80], bytes[32];
        snprintf(what, sizeof what, "caller 0x%08llx (%s bytes then):", (unsigned long long)top[i].caller,
                 fmt_count(top[i].bytes, bytes, sizeof bytes));
        print_growth(out, what, &g);
    }
    return 0;
}
