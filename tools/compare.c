/*
 * compare.c: `capheap compare` (see compare.h). Each board is built, the
 * whole trace replayed on it, and the board stopped before the next: the
 * host model maps a board's memory at its chip addresses, one board at a
 * time.
 */
#include "compare.h"

#include <string.h>

#include "board.h"
#include "replay.h"

/* The longest board spec in the list that is taken as one. */
#define SPEC_MAX 256

/* The heap bytes of a started board (control data and headers included). */
static size_t heap_bytes(const tool_board_t *b) {
    size_t total = 0;
    for (size_t i = 0; i < b->heap_count; i++) {
        total += b->heaps[i].end - b->heaps[i].start;
    }
    return total;
}

/* One board's line; 0, 3 (some allocation failed), or the status of what
 * went wrong. */
static int compare_one(FILE *out, const char *spec, const char *path, trace_format_t format,
                       const replay_options_t *opt) {
    tool_board_t b;
    if (!board_start(spec, &b)) {
        return 2;
    }
    replay_t r;
    int rc = replay_run(&r, &b, path, format, opt);
    if (rc == 0) {
        char num[3][32];
        size_t total = heap_bytes(&b);
        fprintf(out, "  %-16s %11s %11s %5.0f%% %9s", spec, fmt_count(total, num[0], sizeof num[0]),
                fmt_count(r.peak_total, num[1], sizeof num[1]), total ? 100.0 * (double)r.peak_total / (double)total : 0.0,
                fmt_count(r.failures, num[2], sizeof num[2]));
        if (r.failures != 0) {
            replay_failure_t f;
            replay_first_failure(&r, &f);
            fputs("   first: ", out);
            replay_print_failure(out, &f);
            rc = 3;
        }
        fputc('\n', out);
    }
    replay_free(&r);
    board_stop(&b);
    return rc;
}

/* compare_one on every built-in board, in capheap_board_name's order; the
 * worst status. */
static int compare_builtin(FILE *out, const char *path, trace_format_t format, const replay_options_t *opt) {
    int worst = 0;
    for (size_t i = 0; capheap_board_name(i) != NULL; i++) {
        int rc = compare_one(out, capheap_board_name(i), path, format, opt);
        if (rc == 1 || rc == 2) {
            return rc;
        }
        worst = rc > worst ? rc : worst;
    }
    return worst;
}

/* The next name of the comma-separated list at *s into spec, *s moved past
 * it; 0 at the end of the list, -1 after saying on stderr what is wrong. */
static int next_spec(const char **s, char spec[SPEC_MAX]) {
    if (*s == NULL) {
        return 0;
    }
    size_t len = strcspn(*s, ",");
    if (len == 0) { /* also an empty list, and one that ends in a comma */
        fprintf(stderr, "capheap compare: an empty name in --board: expected board names separated by commas\n");
        return -1;
    }
    if (len >= SPEC_MAX) {
        fprintf(stderr, "capheap compare: a board name in --board is longer than %d characters\n", SPEC_MAX - 1);
        return -1;
    }
    memcpy(spec, *s, len);
    spec[len] = '\0';
    *s = (*s)[len] == '\0' ? NULL : *s + len + 1;
    return 1;
}

/* Every name of the list is a board: checked before the table starts, so
 * that a bad name gives status 2 and no half table. */
static bool specs_valid(const char *boards) {
    char spec[SPEC_MAX];
    int got;
    while ((got = next_spec(&boards, spec)) > 0) {
        if (strcmp(spec, "all") != 0 && board_lookup(spec) == NULL) {
            return false; /* said */
        }
    }
    return got == 0;
}

int compare_run(FILE *out, const char *boards, const char *path, trace_format_t format, const replay_options_t *opt) {
    if (!specs_valid(boards)) {
        return 2;
    }
    fprintf(out, "capheap compare: %s on each board as it is", path);
    if (opt->grow_percent != 0) {
        char grown[120];
        fprintf(out, ", %s", replay_growth_text(opt, grown, sizeof grown));
    }
    fprintf(out, "\n  %s\n  board                  heaps    peak use  share    failed\n", replay_word_size_text());
    int worst = 0;
    char spec[SPEC_MAX];
    for (const char *s = boards; next_spec(&s, spec) > 0;) {
        int rc = strcmp(spec, "all") == 0 ? compare_builtin(out, path, format, opt) : compare_one(out, spec, path, format, opt);
        if (rc == 1 || rc == 2) {
            return rc;
        }
        worst = rc > worst ? rc : worst;
    }
    fprintf(out, "  (heaps: their bytes on the board; peak use: the most they held at once, control data and\n"
                 "  block headers included; share: of the heaps)\n");
    return worst;
}
