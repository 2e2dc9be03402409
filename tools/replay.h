/*
 * replay.h: a trace replayed through the real allocator on a board's heaps,
 * and what was measured on the way.
 */
#ifndef CAPHEAP_TOOL_REPLAY_H
#define CAPHEAP_TOOL_REPLAY_H

#include <stdio.h>

#include "board.h"
#include "name_map.h"
#include "trace_input.h"

/** A block of the trace as the replay has it. ptr NULL: none (its
 *  allocation failed here, or it is freed). */
typedef struct {
    void *ptr;
    size_t size;
    uint32_t caps;
    int heap;
    unsigned long line;
    uint64_t caller;
    uint32_t thread; /**< index in replay_t.thread_stats; UINT32_MAX: not recorded */
} replay_block_t;

/** Requests of one caps mask. */
typedef struct {
    uint32_t caps;
    unsigned long allocs, failures, live_blocks;
    unsigned long long live_bytes, peak_live_bytes;
    unsigned long first_fail_line, first_fail_event;
    size_t first_fail_size;
    char first_fail_kind[12];
    char why[200];
} caps_stats_t;

/** The blocks one thread of the trace allocated (its frees, from any thread,
 *  count against the thread that allocated: who holds the memory). */
typedef struct {
    uint64_t thread;
    unsigned long allocs, failures, live_blocks;
    unsigned long long live_bytes, peak_live_bytes;
} thread_stats_t;

/** One memory type of the board, over all its heaps. */
typedef struct {
    size_t total;       /**< heap bytes (control data included) */
    size_t used;        /**< total minus free, now */
    size_t peak_used;   /**< highest used: total - peak_used is the low watermark */
    unsigned long peak_event;
    size_t free_at_peak, largest_at_peak; /**< at the peak: fragmentation */
    unsigned long failures;
} type_stats_t;

/** How a trace is replayed. */
typedef struct {
    unsigned long stop_after; /**< 0: the whole trace; else stop after this event */
    bool quiet;               /**< no progress on stderr */
    unsigned grow_percent;    /**< the size of every allocation and reallocation grown by
                                   this much, rounded up (SIZE_MAX when that overflows):
                                   what if every buffer were that much larger? 0: as traced */
    uint64_t grow_caller;     /**< grow only the requests of this caller; 0: every request */
} replay_options_t;

#define REPLAY_MAX_CAPS 64
/* Memory types a report keeps apart: as many as a board file may declare
 * (board_file.c checks it), more than any built-in board has. */
#define REPLAY_MAX_TYPES 32

typedef struct {
    tool_board_t *board;
    const char *path;
    trace_format_t format;
    replay_options_t opt;     /**< as replay_run was given them */
    replay_block_t *blocks;
    size_t block_cap;
    size_t heap_free[TOOL_MAX_HEAPS];
    type_stats_t types[REPLAY_MAX_TYPES];
    caps_stats_t caps[REPLAY_MAX_CAPS];
    size_t caps_count;
    unsigned long events, allocs, reallocs, frees, failures, zero_size, frees_of_failed, threads;
    unsigned long unknown_frees, reused_names;
    unsigned long failed_as_recorded; /**< transient requests that failed here too: no failure */
    unsigned long grown_requests;     /**< requests --grow made larger */
    size_t used_total, peak_total;
    unsigned long peak_total_event;
    unsigned long first_failure_event;
    name_map_t threads_seen;  /**< thread id -> its index in thread_stats */
    thread_stats_t *thread_stats; /**< threads of them, in the order they appeared */
    uint32_t current_thread;  /**< the index of the event's thread; UINT32_MAX: none */
} replay_t;

/** What opt grows, for a report: "every allocation and reallocation grown by
 *  P%", or "the allocations and reallocations of caller 0x... grown by P%";
 *  "" when nothing is grown. */
const char *replay_growth_text(const replay_options_t *opt, char *buf, size_t size);

/** One line for the reports on what this build's word size does to their
 *  figures: the boards are 32-bit chips, and a 64-bit build's block headers
 *  and grain are twice theirs. */
const char *replay_word_size_text(void);

/** Replays the trace at path on the started board b. Returns 0, or 1 after
 *  printing a trace error. r is filled either way (free with replay_free). */
int replay_run(replay_t *r, tool_board_t *b, const char *path, trace_format_t format, const replay_options_t *opt);

/** The first failed allocation of a replay. */
typedef struct {
    unsigned long event, line;
    size_t size;
    uint32_t caps;
    char kind[12];
    char why[200];
} replay_failure_t;

/** r's first failed allocation; all zero when none failed. */
void replay_first_failure(const replay_t *r, replay_failure_t *f);

/** Replays the trace on the started board b only to learn whether it fits:
 *  0 when every allocation succeeded, 3 when one failed (*f then says which),
 *  1 after a trace error. What headroom's and growth's probes ask. */
int replay_probe(tool_board_t *b, const char *path, trace_format_t format, const replay_options_t *opt,
                 replay_failure_t *f);

/** Writes "event E (line L), KIND of N bytes, CAPS, fails: WHY" to out. */
void replay_print_failure(FILE *out, const replay_failure_t *f);

/** The live blocks of a replay grouped by caller. */
typedef struct {
    uint64_t caller; /**< 0: not recorded */
    unsigned long long bytes;
    unsigned long blocks;
} replay_holder_t;

/** The callers holding r's live blocks, most bytes first, in an array the
 *  caller frees (*out; NULL when out of memory). Returns their number. */
size_t replay_holders(const replay_t *r, replay_holder_t **out);

/** Frees what the replay still holds (the blocks stay allocated in the heaps
 *  until board_stop). */
void replay_free(replay_t *r);

#endif /* CAPHEAP_TOOL_REPLAY_H */
