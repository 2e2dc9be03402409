/*
 * growth.c: how much larger every request can be (see growth.h). As with the
 * heaps' headroom, placement changes with the sizes: the bisection finds a
 * percentage that replays next to one 1 % larger that fails, and does not
 * promise that every smaller one replays (docs/tool.md).
 */
#include "growth.h"

#include "replay.h"

/* Replays the trace on board with every request grown by percent: 0 when
 * every allocation succeeded, 3 when one failed (f says which), 1 after a
 * trace error, 2 when the board could not be built. */
static int probe(const capheap_board_t *board, const char *path, trace_format_t format, unsigned percent,
                 replay_failure_t *f) {
    tool_board_t b;
    if (!board_start_board(board, board->name, &b)) {
        return 2;
    }
    int rc = replay_probe(&b, path, format, &(replay_options_t){0, true, percent}, f);
    board_stop(&b);
    return rc;
}

int growth_print(FILE *out, const capheap_board_t *board, const char *path, trace_format_t format) {
    fprintf(out, "\nHow much larger every request can be (each size grown by the same percentage, rounded\n"
                 "up), the board as it is, with every allocation still succeeding (to 1%%):\n");
    /* An upper end that fails: 100 %, then doubled up to the limit. */
    unsigned lo = 0, hi = 100;
    replay_failure_t f, at_hi;
    int rc;
    while ((rc = probe(board, path, format, hi, &f)) == 0 && hi < GROWTH_LIMIT_PERCENT) {
        lo = hi;
        hi = hi * 2 < GROWTH_LIMIT_PERCENT ? hi * 2 : GROWTH_LIMIT_PERCENT;
    }
    if (rc == 0) {
        fprintf(out, "  at least %u%% larger: the search stops there\n", GROWTH_LIMIT_PERCENT);
        return 0;
    }
    if (rc != 3) {
        return rc;
    }
    at_hi = f;
    while (hi - lo > 1) { /* lo replays, hi fails */
        unsigned mid = lo + (hi - lo) / 2;
        rc = probe(board, path, format, mid, &f);
        if (rc == 0) {
            lo = mid;
        } else if (rc == 3) {
            hi = mid;
            at_hi = f;
        } else {
            return rc;
        }
    }
    fprintf(out, "  every request %u%% larger\n  1%% more: ", lo);
    replay_print_failure(out, &at_hi);
    fprintf(out, "\n");
    return 0;
}
