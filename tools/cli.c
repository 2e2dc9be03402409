/*
 * cli.c: the `capheap` command: boards, info, board-file, replay, map, headroom
 * (docs/tool.md).
 * Exit status: 0 fine, 1 a trace or output error, 2 wrong usage or board, or
 * the tool's own memory ran out (tool_memory.h), 3 the replay had failed
 * allocations (the pattern does not fit the board).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "board.h"
#include "capheap.h"
#include "board_file.h"
#include "compare.h"
#include "headroom.h"
#include "picture.h"
#include "replay.h"
#include "report.h"

#define MAX_OUTPUTS 4

typedef struct {
    const char *command;
    const char *board;
    const char *trace;
    trace_format_t format;
    const char *outputs[MAX_OUTPUTS];
    size_t output_count;
    bool at_worst;
    bool quiet;
    unsigned grow_percent;
    uint64_t grow_caller;
    const char *together;
} options_t;

static void usage(FILE *out) {
    fputs("usage: capheap boards\n"
          "       capheap info --board BOARD\n"
          "       capheap board-file --board BOARD      (BOARD as a board file, to edit into your own)\n"
          "       capheap replay --board BOARD [--format F] [--quiet] [--grow PCT [--caller ADDR]]\n"
          "                      [-o heap.svg|heap.html]... [--at end|worst] TRACE\n"
          "       capheap map --board BOARD [--format F] [--grow PCT [--caller ADDR]] [--at end|worst]\n"
          "                   -o heap.svg|heap.html [TRACE]\n"
          "       capheap compare --board BOARD,BOARD... [--format F] [--grow PCT [--caller ADDR]] TRACE\n"
          "                                             (one line per board: does TRACE fit it?\n"
          "                                             all: every built-in board)\n"
          "       capheap headroom --board BOARD [--format F] [--quiet] [--together all|N,N...] TRACE\n"
          "                                             (bytes each heap can lose, alone and with the\n"
          "                                             heaps N... (default all) cut at once, in that\n"
          "                                             order, and how much larger every request, and\n"
          "                                             each top caller's, can be, with TRACE still\n"
          "                                             fitting)\n"
          "BOARD: a built-in board (capheap boards), host:SIZE, one region of plain RAM (host:16M),\n"
          "       or a board file: a path with a '/' or ending in .board (docs/tool.md).\n"
          "PCT: every allocation and reallocation of TRACE grown by that many percent (what if\n"
          "       each buffer were that much larger?); with --caller, only those the caller at\n"
          "       ADDR made (as the report lists them: what if its buffers grew?).\n"
          "TRACE: capheap's trace format, an ESP-IDF heap trace dump or an Android memory_replay\n"
          "       trace, plain or gzip; F: auto (default), capheap, esp-idf, android.\n"
          "Exit status 3: some allocations failed in the replay (headroom: on the board as it is).\n", out);
}

static bool parse_format(const char *text, trace_format_t *f) {
    static const char *const names[] = {"auto", "capheap", "esp-idf", "android"};
    for (int i = 0; i < 4; i++) {
        if (strcmp(text, names[i]) == 0) {
            *f = (trace_format_t)i;
            return true;
        }
    }
    fprintf(stderr, "capheap: --format %s: expected auto, capheap, esp-idf or android\n", text);
    return false;
}

/* One option with its value; returns how many arguments it used, 0 on error. */
static int parse_option(options_t *o, int argc, char **argv, int i) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
        o->quiet = true;
        return 1;
    }
    if (v == NULL) {
        fprintf(stderr, "capheap: %s needs a value\n", a);
        return 0;
    }
    if (strcmp(a, "--board") == 0 || strcmp(a, "-b") == 0) {
        o->board = v;
    } else if (strcmp(a, "--format") == 0) {
        return parse_format(v, &o->format) ? 2 : 0;
    } else if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
        if (o->output_count == MAX_OUTPUTS) {
            fprintf(stderr, "capheap: at most %d outputs\n", MAX_OUTPUTS);
            return 0;
        }
        if (picture_format_of(v) == PICTURE_NONE) { /* refused before a replay, not written as SVG */
            fprintf(stderr, "capheap: %s %s: expected a name ending in .svg, .html or .htm\n", a, v);
            return 0;
        }
        o->outputs[o->output_count++] = v;
    } else if (strcmp(a, "--at") == 0) {
        if (strcmp(v, "end") != 0 && strcmp(v, "worst") != 0) {
            fprintf(stderr, "capheap: --at %s: expected end or worst\n", v);
            return 0;
        }
        o->at_worst = strcmp(v, "worst") == 0;
    } else if (strcmp(a, "--grow") == 0) {
        char *end;
        unsigned long pct = strtoul(v, &end, 10);
        if (!isdigit((unsigned char)v[0]) || *end != '\0' || pct > 100000) { /* no sign, no blank */
            fprintf(stderr, "capheap: --grow %s: expected a percentage from 0 to 100000\n", v);
            return 0;
        }
        o->grow_percent = (unsigned)pct;
    } else if (strcmp(a, "--together") == 0) {
        o->together = v; /* checked against the board's heaps by headroom_run */
    } else if (strcmp(a, "--caller") == 0) {
        char *end;
        errno = 0;
        unsigned long long caller = strtoull(v, &end, 0);
        if (!isdigit((unsigned char)v[0]) || *end != '\0' || caller == 0 || errno == ERANGE) {
            fprintf(stderr, "capheap: --caller %s: expected a caller's address, as 0x400d005a\n", v);
            return 0;
        }
        o->grow_caller = caller;
    } else {
        fprintf(stderr, "capheap: unknown option %s\n", a);
        return 0;
    }
    return 2;
}

static bool parse_args(options_t *o, int argc, char **argv) {
    memset(o, 0, sizeof *o);
    if (argc < 2) {
        return false;
    }
    o->command = argv[1];
    for (int i = 2; i < argc;) {
        if (argv[i][0] == '-' && argv[i][1] != '\0') {
            int used = parse_option(o, argc, argv, i);
            if (used == 0) {
                return false;
            }
            i += used;
        } else if (o->trace == NULL) {
            o->trace = argv[i++];
        } else {
            fprintf(stderr, "capheap: one trace at a time (%s and %s)\n", o->trace, argv[i]);
            return false;
        }
    }
    return true;
}

/* ---- commands ---------------------------------------------------------- */

static int cmd_boards(void) {
    for (size_t i = 0; capheap_board_name(i) != NULL; i++) {
        tool_board_t b;
        if (!board_start(capheap_board_name(i), &b)) {
            return 1;
        }
        size_t total = 0, free_bytes = 0;
        for (size_t h = 0; h < b.heap_count; h++) {
            total += b.heaps[h].end - b.heaps[h].start;
            free_bytes += multi_heap_free_size(b.heaps[h].mh);
        }
        char t[32], f[32];
        printf("%-16s %zu regions, %zu heaps, %s of heap, %s free\n", b.board->name, b.board->region_count,
               b.heap_count, fmt_bytes(total, t, sizeof t), fmt_bytes(free_bytes, f, sizeof f));
        board_stop(&b);
    }
    printf("%-16s one region of SIZE bytes of plain RAM (e.g. host:16M), for traces of big processes\n",
           "host:SIZE");
    return 0;
}

/* The board as a board file on stdout. Its heaps are not built (that would
 * map the chip's memory, and may log a relocation to stdout): `capheap info`
 * does, and shows them. */
static int cmd_board_file(const options_t *o) {
    const capheap_board_t *board = board_lookup(o->board);
    if (board == NULL) {
        return 2;
    }
    board_file_write(stdout, board);
    return 0;
}

static int cmd_info(const options_t *o) {
    tool_board_t b;
    if (!board_start(o->board, &b)) {
        return 2;
    }
    board_print_info(stdout, &b);
    board_stop(&b);
    return 0;
}

/* The pictures, at the end of r or (at_worst) after a second replay that
 * stops at r's moment of highest use. */
/* How o replays a trace: to stop_after (0: the end), grown as it asks. */
static replay_options_t replay_opts(const options_t *o, unsigned long stop_after, bool quiet) {
    return (replay_options_t){.stop_after = stop_after, .quiet = quiet, .grow_percent = o->grow_percent,
                              .grow_caller = o->grow_caller};
}

static int write_pictures(const options_t *o, tool_board_t *b, replay_t *r) {
    char moment[300], grown[140] = "";
    if (o->grow_percent != 0) {
        replay_options_t opt = replay_opts(o, 0, true);
        char text[120];
        snprintf(grown, sizeof grown, " (%s)", replay_growth_text(&opt, text, sizeof text));
    }
    int rc = 0;
    replay_t again;
    replay_t *shown = r;
    if (o->at_worst && r != NULL) {
        board_stop(b);
        replay_options_t opt = replay_opts(o, r->peak_total_event, true);
        if (!board_start(o->board, b) || replay_run(&again, b, o->trace, o->format, &opt)) {
            return 1;
        }
        shown = &again;
        snprintf(moment, sizeof moment, "trace %s%s at its worst moment (event %lu, highest use)", o->trace, grown,
                 r->peak_total_event);
    } else if (r != NULL) {
        snprintf(moment, sizeof moment, "trace %s%s at its end (event %lu)", o->trace, grown, r->events);
    } else {
        snprintf(moment, sizeof moment, "empty heaps");
    }
    for (size_t i = 0; i < o->output_count && rc == 0; i++) {
        rc = picture_write(o->outputs[i], b, shown, moment);
        if (rc == 0 && !o->quiet) {
            fprintf(stderr, "capheap: wrote %s\n", o->outputs[i]);
        }
    }
    if (shown != r) {
        replay_free(shown);
    }
    return rc;
}

/* What is allocated at r's moment of highest use, from a replay stopped
 * there on the board built again (b is stopped: the heaps live at the chip's
 * addresses, one board at a time). Nothing when the trace ends there. */
static int print_at_peak(const options_t *o, tool_board_t *b, const replay_t *r) {
    if (r->peak_total_event == 0 || r->peak_total_event >= r->events) {
        return 0;
    }
    board_stop(b);
    if (!board_start(o->board, b)) {
        return 2;
    }
    replay_t at_peak;
    replay_options_t opt = replay_opts(o, r->peak_total_event, true);
    int rc = replay_run(&at_peak, b, o->trace, o->format, &opt);
    if (rc == 0) {
        report_print_at_peak(stdout, &at_peak);
    }
    replay_free(&at_peak);
    return rc;
}

static int cmd_replay(const options_t *o, bool print_report) {
    tool_board_t b;
    if (!board_start(o->board, &b)) {
        return 2;
    }
    replay_t r;
    int rc = 0;
    if (o->trace != NULL) {
        replay_options_t opt = replay_opts(o, 0, o->quiet);
        rc = replay_run(&r, &b, o->trace, o->format, &opt);
        if (rc == 0 && print_report) {
            report_print(stdout, &r);
        }
    }
    if (rc == 0 && o->output_count > 0) {
        rc = write_pictures(o, &b, o->trace != NULL ? &r : NULL);
    }
    if (rc == 0 && print_report && o->trace != NULL) {
        rc = print_at_peak(o, &b, &r);
    }
    if (rc == 0 && o->trace != NULL && r.failures != 0) {
        rc = 3;
    }
    if (o->trace != NULL) {
        replay_free(&r);
    }
    board_stop(&b);
    return rc;
}

static int run_command(int argc, char **argv) {
    options_t o;
    if (!parse_args(&o, argc, argv)) {
        usage(stderr);
        return 2;
    }
    bool help = strcmp(o.command, "help") == 0 || strcmp(o.command, "--help") == 0;
    if (help) {
        usage(stdout);
        return 0;
    }
    if (o.together != NULL && strcmp(o.command, "headroom") != 0) {
        fprintf(stderr, "capheap %s: --together is for headroom (the heaps it cuts at once)\n", o.command);
        return 2;
    }
    if (o.grow_caller != 0 && o.grow_percent == 0) {
        fprintf(stderr, "capheap: --caller says whose requests --grow grows: give --grow PCT too\n");
        return 2;
    }
    bool needs_board = strcmp(o.command, "boards") != 0;
    if (needs_board && o.board == NULL) {
        fprintf(stderr, "capheap %s: --board BOARD is required; the known boards are:\n", o.command);
        board_list(stderr, "  ");
        return 2;
    }
    if (strcmp(o.command, "boards") == 0) {
        return cmd_boards();
    }
    if (strcmp(o.command, "info") == 0) {
        return cmd_info(&o);
    }
    if (strcmp(o.command, "board-file") == 0) {
        return cmd_board_file(&o);
    }
    if (strcmp(o.command, "replay") == 0 && o.trace != NULL) {
        return cmd_replay(&o, true);
    }
    if (strcmp(o.command, "map") == 0 && o.output_count > 0) {
        return cmd_replay(&o, false);
    }
    if (strcmp(o.command, "compare") == 0 && o.trace != NULL) {
        replay_options_t opt = replay_opts(&o, 0, true);
        return compare_run(stdout, o.board, o.trace, o.format, &opt);
    }
    if (strcmp(o.command, "headroom") == 0 && o.trace != NULL) {
        if (o.grow_percent != 0) {
            fprintf(stderr, "capheap headroom: --grow is for replay and map; headroom finds how much the trace "
                            "can grow itself\n");
            return 2;
        }
        return headroom_run(stdout, o.board, o.trace, o.format, o.quiet, o.together);
    }
    fprintf(stderr, "capheap: %s: %s\n", o.command,
            strcmp(o.command, "replay") == 0 || strcmp(o.command, "headroom") == 0 ||
                    strcmp(o.command, "compare") == 0
                ? "a TRACE is required"
                :
            strcmp(o.command, "map") == 0 ? "-o heap.svg or -o heap.html is required" : "unknown command");
    usage(stderr);
    return 2;
}

/* The report is the command's answer: one not written whole (a full disk) is
 * an output error, status 1; a status that already says the trace does not
 * fit (3) or the command could not run (2) is kept, as it answers alone. */
static int output_checked(int rc) {
    int flushed = fflush(stdout);
    if (flushed != 0 || ferror(stdout)) {
        fprintf(stderr, "capheap: the standard output could not be written whole%s%s\n", flushed != 0 ? ": " : "",
                flushed != 0 ? strerror(errno) : "");
        return rc != 0 ? rc : 1;
    }
    return rc;
}

int main(int argc, char **argv) {
    /* The standard output is the report: the library's own lines (a board
     * mapped elsewhere on this host, say) go beside it, to stderr. */
    (void)capheap_set_log_fd(STDERR_FILENO);
    return output_checked(run_command(argc, argv));
}
