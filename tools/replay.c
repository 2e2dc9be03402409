/*
 * replay.c: every event of a trace through heap_caps_* on the board's heaps,
 * with the figures of the report measured after each one: per heap its free
 * bytes (O(1)), per memory type the peak and, at the peak, the largest free
 * block (fragmentation when memory is scarcest), per caps mask the requests,
 * failures and the first failure's reason.
 */
#include "replay.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

#include "tool_memory.h"

/* ---- bookkeeping ------------------------------------------------------- */

static replay_block_t *block_at(replay_t *r, uint32_t id) {
    if (id >= r->block_cap) {
        size_t cap = r->block_cap ? r->block_cap : 4096;
        while (cap <= id) {
            cap *= 2;
        }
        r->blocks = tool_grow(r->blocks, cap, sizeof *r->blocks, "the replay's blocks");
        memset(r->blocks + r->block_cap, 0, (cap - r->block_cap) * sizeof *r->blocks);
        r->block_cap = cap;
    }
    return &r->blocks[id];
}

static caps_stats_t *caps_entry(replay_t *r, uint32_t caps) {
    for (size_t i = 0; i < r->caps_count; i++) {
        if (r->caps[i].caps == caps) {
            return &r->caps[i];
        }
    }
    if (r->caps_count == REPLAY_MAX_CAPS) {
        return &r->caps[REPLAY_MAX_CAPS - 1]; /* more masks than any real trace: the last one pools them */
    }
    caps_stats_t *c = &r->caps[r->caps_count++];
    memset(c, 0, sizeof *c);
    c->caps = caps;
    return c;
}

static void measure_type_peak(replay_t *r, int type) {
    type_stats_t *t = &r->types[type];
    t->peak_used = t->used;
    t->peak_event = r->events;
    t->free_at_peak = t->total - t->used;
    t->largest_at_peak = 0;
    for (size_t i = 0; i < r->board->heap_count; i++) {
        if (r->board->heaps[i].type == type) {
            multi_heap_info_t info;
            multi_heap_get_info(r->board->heaps[i].mh, &info);
            t->largest_at_peak = info.largest_free_block > t->largest_at_peak ? info.largest_free_block
                                                                              : t->largest_at_peak;
        }
    }
}

/* Heap h may have changed: its free bytes, its type's use, the peaks. */
static void heap_changed(replay_t *r, int h) {
    if (h < 0) {
        return;
    }
    const tool_heap_t *heap = &r->board->heaps[h];
    size_t now = multi_heap_free_size(heap->mh);
    size_t before = r->heap_free[h];
    r->heap_free[h] = now;
    type_stats_t *t = &r->types[heap->type < REPLAY_MAX_TYPES ? heap->type : 0];
    t->used = t->used + before - now;
    r->used_total = r->used_total + before - now;
    if (t->used > t->peak_used) {
        measure_type_peak(r, heap->type < REPLAY_MAX_TYPES ? heap->type : 0);
    }
    if (r->used_total > r->peak_total) {
        r->peak_total = r->used_total;
        r->peak_total_event = r->events;
    }
}

/* The stats of the thread of the event being replayed; NULL when the trace
 * names none. */
static thread_stats_t *thread_entry(replay_t *r, uint32_t index) {
    return index != UINT32_MAX ? &r->thread_stats[index] : NULL;
}

/* A block of caps (and of the thread at index) comes (+1) or goes (-1). */
static void live_changed(replay_t *r, uint32_t caps, uint32_t thread, size_t size, int sign) {
    caps_stats_t *c = caps_entry(r, caps);
    c->live_blocks += sign;
    c->live_bytes += sign > 0 ? size : -(unsigned long long)size;
    if (c->live_bytes > c->peak_live_bytes) {
        c->peak_live_bytes = c->live_bytes;
    }
    thread_stats_t *t = thread_entry(r, thread);
    if (t != NULL) {
        t->live_blocks += sign;
        t->live_bytes += sign > 0 ? size : -(unsigned long long)size;
        if (t->live_bytes > t->peak_live_bytes) {
            t->peak_live_bytes = t->live_bytes;
        }
    }
}

/* ---- why an allocation failed ----------------------------------------- */

static void explain(char *why, size_t len, size_t size, size_t align, uint32_t caps) {
    char b[3][32], names[160];
    caps_describe(caps, names, sizeof names);
    if (caps & MALLOC_CAP_INVALID) {
        snprintf(why, len, "MALLOC_CAP_INVALID is never satisfiable");
        return;
    }
    if (caps == 0) { /* every heap covers it, yet no priority shares a bit with it */
        snprintf(why, len, "no caps: heap_caps_malloc serves none, as in ESP-IDF");
        return;
    }
    if ((caps & MALLOC_CAP_EXEC) && (caps & (MALLOC_CAP_8BIT | MALLOC_CAP_DMA))) {
        snprintf(why, len, "no memory is both EXEC and 8BIT/DMA");
        return;
    }
    size_t total = heap_caps_get_total_size(caps);
    if (total == 0) {
        snprintf(why, len, "no heap of this board has all of %s", names);
        return;
    }
    size_t free_bytes = heap_caps_get_free_size(caps), largest = heap_caps_get_largest_free_block(caps);
    if (size > free_bytes) {
        snprintf(why, len, "out of memory: %s bytes free in the heaps with these caps (of %s)",
                 fmt_count(free_bytes, b[0], 32), fmt_count(total, b[1], 32));
    } else if (align != 0 && size <= largest) {
        /* capheap_tlsf_memalign takes a block with room for the worst front gap. */
        snprintf(why, len, "alignment: the largest free block with these caps is %s bytes, but a block aligned to %s "
                 "needs room for a front gap too (up to the alignment plus a minimum block)",
                 fmt_count(largest, b[2], 32), fmt_count(align, b[0], 32));
    } else {
        snprintf(why, len, "fragmentation: %s bytes free with these caps, but the largest free block is %s",
                 fmt_count(free_bytes, b[0], 32), fmt_count(largest, b[2], 32));
    }
}

static void note_failure(replay_t *r, const trace_event_t *e, const char *kind) {
    caps_stats_t *c = caps_entry(r, e->caps);
    thread_stats_t *t = thread_entry(r, r->current_thread);
    r->failures++;
    if (t != NULL) {
        t->failures++;
    }
    if (c->failures++ == 0) {
        c->first_fail_line = e->line;
        c->first_fail_event = r->events;
        c->first_fail_size = e->size;
        snprintf(c->first_fail_kind, sizeof c->first_fail_kind, "%s", kind);
        explain(c->why, sizeof c->why, e->size, e->align, e->caps);
    }
    if (r->first_failure_event == 0) {
        r->first_failure_event = r->events;
    }
    for (size_t i = 0; i < r->board->heap_count; i++) {
        const tool_heap_t *h = &r->board->heaps[i];
        if ((h->caps[0] | h->caps[1] | h->caps[2]) == ((h->caps[0] | h->caps[1] | h->caps[2]) | e->caps)) {
            r->types[h->type < REPLAY_MAX_TYPES ? h->type : 0].failures++;
            break; /* counted once, under the first type that could have served it */
        }
    }
}

/* ---- events ------------------------------------------------------------ */

static void keep_block(replay_t *r, const trace_event_t *e, void *p) {
    replay_block_t *b = block_at(r, e->id);
    *b = (replay_block_t){p, e->size, e->caps, board_heap_of(r->board, p), e->line, e->caller, r->current_thread};
    live_changed(r, e->caps, b->thread, e->size, +1);
    heap_changed(r, b->heap);
}

static void release_block(replay_t *r, replay_block_t *b) {
    heap_caps_free(b->ptr);
    live_changed(r, b->caps, b->thread, b->size, -1);
    b->ptr = NULL;
    heap_changed(r, b->heap);
}

/* A request of caps by the current thread. */
static void count_request(replay_t *r, uint32_t caps) {
    caps_entry(r, caps)->allocs++;
    thread_stats_t *t = thread_entry(r, r->current_thread);
    if (t != NULL) {
        t->allocs++;
    }
}

static void apply_alloc(replay_t *r, const trace_event_t *e) {
    r->allocs++;
    count_request(r, e->caps);
    if (e->size == 0) {
        r->zero_size++;
        block_at(r, e->id)->ptr = NULL;
        return;
    }
    void *p = e->align ? heap_caps_aligned_alloc(e->align, e->size, e->caps) : heap_caps_malloc(e->size, e->caps);
    if (p == NULL) {
        /* One that failed where it was recorded too is what the program met
         * and went on from (a fallback to a smaller request, say): no sign
         * that the trace does not fit. */
        if (e->transient) {
            r->failed_as_recorded++;
        } else {
            note_failure(r, e, "alloc");
        }
        block_at(r, e->id)->ptr = NULL;
        return;
    }
    if (e->transient) {
        /* The program got NULL where it was recorded and never held this
         * block: it is freed before anything is measured, so that the peaks
         * are states between events, which --at worst can draw. */
        int heap = board_heap_of(r->board, p);
        block_at(r, e->id)->ptr = NULL;
        heap_caps_free(p);
        heap_changed(r, heap);
        return;
    }
    keep_block(r, e, p);
}

static void apply_realloc(replay_t *r, const trace_event_t *e) {
    replay_block_t *old = e->old_id != TRACE_NO_ID ? block_at(r, e->old_id) : NULL;
    if (old == NULL || old->ptr == NULL) {
        apply_alloc(r, e); /* a fresh block, or one whose allocation failed here */
        return;
    }
    if (e->size == 0) {
        /* heap_caps_realloc(p, 0) frees p and returns NULL, which is no
         * failure: the old block is gone, the new name holds nothing, as
         * after a request of 0 bytes. */
        release_block(r, old);
        apply_alloc(r, e);
        return;
    }
    r->reallocs++;
    count_request(r, e->caps);
    replay_block_t was = *old;
    void *p = heap_caps_realloc(was.ptr, e->size, e->caps);
    old->ptr = NULL;
    if (p == NULL) {
        note_failure(r, e, "realloc");
        *block_at(r, e->id) = was; /* the program keeps the old block under the new name */
        return;
    }
    live_changed(r, was.caps, was.thread, was.size, -1);
    heap_changed(r, was.heap);
    keep_block(r, e, p);
}

static void apply_free(replay_t *r, const trace_event_t *e) {
    r->frees++;
    replay_block_t *b = block_at(r, e->id);
    if (b->ptr == NULL) {
        r->frees_of_failed++;
        return;
    }
    release_block(r, b);
}

/* The event's thread becomes the current one (UINT32_MAX: none named),
 * entered in thread_stats the first time it appears. */
static void enter_thread(replay_t *r, unsigned long thread) {
    if (thread == 0) {
        r->current_thread = UINT32_MAX;
        return;
    }
    if (r->current_thread != UINT32_MAX && r->thread_stats[r->current_thread].thread == thread) {
        return; /* most events follow one of the same thread */
    }
    uint32_t index = name_map_get(&r->threads_seen, thread);
    if (index == UINT32_MAX) {
        if ((r->threads & (r->threads - 1)) == 0) { /* 0, 1, 2, 4...: full */
            size_t cap = r->threads != 0 ? 2 * r->threads : 1;
            r->thread_stats = tool_grow(r->thread_stats, cap, sizeof *r->thread_stats, "the replay's threads");
        }
        index = (uint32_t)r->threads++;
        r->thread_stats[index] = (thread_stats_t){.thread = thread};
        name_map_put(&r->threads_seen, thread, index);
    }
    r->current_thread = index;
}

/* ---- the run ----------------------------------------------------------- */

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A line rewritten in place: for a terminal only (in a log file it would
 * be one long line of carriage returns). */
static void show_progress(const replay_t *r, const trace_reader_t *in, double started, bool *shown) {
    if (r->opt.quiet || now_seconds() - started < 1.0 || !isatty(STDERR_FILENO)) {
        return;
    }
    char n[32];
    fprintf(stderr, "\rcapheap: replaying %s: %3.0f%% (%s events)", r->path, 100.0 * trace_progress(in),
            fmt_count(r->events, n, sizeof n));
    *shown = true;
}

static void start_stats(replay_t *r, tool_board_t *b) {
    for (size_t i = 0; i < b->heap_count; i++) {
        r->heap_free[i] = multi_heap_free_size(b->heaps[i].mh);
        int type = b->heaps[i].type < REPLAY_MAX_TYPES ? b->heaps[i].type : 0;
        r->types[type].total += b->heaps[i].end - b->heaps[i].start;
        r->types[type].used += b->heaps[i].end - b->heaps[i].start - r->heap_free[i];
        r->used_total += b->heaps[i].end - b->heaps[i].start - r->heap_free[i];
    }
    for (int t = 0; t < REPLAY_MAX_TYPES; t++) {
        measure_type_peak(r, t);
    }
    r->peak_total = r->used_total;
}

/* size grown by percent, rounded up; SIZE_MAX when that does not fit. */
static size_t grown(size_t size, unsigned percent) {
    unsigned long long more = ((unsigned long long)size * percent + 99u) / 100u;
    if (size > ULLONG_MAX / 100u / (percent + 1u) || more > SIZE_MAX - size) {
        return SIZE_MAX;
    }
    return size + (size_t)more;
}

int replay_run(replay_t *r, tool_board_t *b, const char *path, trace_format_t format, const replay_options_t *opt) {
    memset(r, 0, sizeof *r);
    r->current_thread = UINT32_MAX;
    r->opt = *opt;
    unsigned long stop_after = opt->stop_after;
    r->board = b;
    r->path = path;
    start_stats(r, b);
    trace_reader_t *in = trace_open(path, format);
    if (in == NULL) {
        return 1;
    }
    r->format = trace_format(in);
    double started = now_seconds();
    bool shown = false;
    trace_event_t e;
    int got = 0;
    while ((stop_after == 0 || r->events < stop_after) && (got = trace_next(in, &e)) > 0) {
        r->events++;
        enter_thread(r, e.thread);
        if (opt->grow_percent != 0 && e.kind != EVENT_FREE && (opt->grow_caller == 0 || e.caller == opt->grow_caller)) {
            r->grown_requests += e.size != 0; /* 0 bytes stay 0 */
            e.size = grown(e.size, opt->grow_percent);
        }
        if (e.kind == EVENT_ALLOC) {
            apply_alloc(r, &e);
        } else if (e.kind == EVENT_REALLOC) {
            apply_realloc(r, &e);
        } else {
            apply_free(r, &e);
        }
        if ((r->events & 0xFFFF) == 0) {
            show_progress(r, in, started, &shown);
        }
    }
    if (shown) {
        fprintf(stderr, "\n");
    }
    r->unknown_frees = trace_unknown_frees(in);
    r->reused_names = trace_reused_names(in);
    trace_close(in);
    return (stop_after == 0 || r->events < stop_after) && got < 0 ? 1 : 0;
}

const char *replay_growth_text(const replay_options_t *opt, char *buf, size_t size) {
    if (opt->grow_percent == 0) {
        snprintf(buf, size, "%s", "");
    } else if (opt->grow_caller == 0) {
        snprintf(buf, size, "every allocation and reallocation grown by %u%%", opt->grow_percent);
    } else {
        snprintf(buf, size, "the allocations and reallocations of caller 0x%08llx grown by %u%%",
                 (unsigned long long)opt->grow_caller, opt->grow_percent);
    }
    return buf;
}

const char *replay_word_size_text(void) {
    return sizeof(void *) == 4 ? "32-bit build: block headers and sizes as on the chip"
                               : "64-bit build: block headers of 8 bytes where the chip has 4, and sizes rounded to 8: "
                                 "more use than on the chip (an -m32 build, as make run's, has the chip's)";
}

void replay_first_failure(const replay_t *r, replay_failure_t *f) {
    memset(f, 0, sizeof *f);
    f->event = r->first_failure_event;
    for (size_t i = 0; i < r->caps_count; i++) {
        const caps_stats_t *c = &r->caps[i];
        if (c->failures != 0 && c->first_fail_event == r->first_failure_event) {
            f->line = c->first_fail_line;
            f->size = c->first_fail_size;
            f->caps = c->caps;
            snprintf(f->kind, sizeof f->kind, "%s", c->first_fail_kind);
            snprintf(f->why, sizeof f->why, "%s", c->why);
        }
    }
}

int replay_probe(tool_board_t *b, const char *path, trace_format_t format, const replay_options_t *opt,
                 replay_failure_t *f) {
    replay_t r;
    int rc = replay_run(&r, b, path, format, opt);
    if (rc == 0 && r.failures != 0) {
        replay_first_failure(&r, f);
        rc = 3;
    }
    replay_free(&r);
    return rc;
}

void replay_print_failure(FILE *out, const replay_failure_t *f) {
    char num[3][32], names[160];
    fprintf(out, "event %s (line %s), %s of %s bytes, %s, fails: %s", fmt_count(f->event, num[0], sizeof num[0]),
            fmt_count(f->line, num[1], sizeof num[1]), f->kind, fmt_count(f->size, num[2], sizeof num[2]),
            caps_describe(f->caps, names, sizeof names), f->why);
}

static int by_bytes(const void *a, const void *b) {
    const replay_holder_t *x = a, *y = b;
    return x->bytes < y->bytes ? 1 : x->bytes > y->bytes ? -1 : 0;
}

static int by_caller(const void *a, const void *b) {
    const replay_holder_t *x = a, *y = b;
    return x->caller < y->caller ? -1 : x->caller > y->caller;
}

size_t replay_holders(const replay_t *r, replay_holder_t **out) {
    replay_holder_t *h = tool_alloc(r->block_cap, sizeof *h, "the report's callers");
    size_t n = 0;
    for (size_t i = 0; i < r->block_cap; i++) {
        if (r->blocks[i].ptr != NULL) {
            h[n++] = (replay_holder_t){r->blocks[i].caller, r->blocks[i].size, 1};
        }
    }
    qsort(h, n, sizeof *h, by_caller);
    size_t groups = 0;
    for (size_t i = 0; i < n; i++) {
        if (groups > 0 && h[groups - 1].caller == h[i].caller) {
            h[groups - 1].bytes += h[i].bytes;
            h[groups - 1].blocks++;
        } else {
            h[groups++] = h[i];
        }
    }
    if (h != NULL) {
        qsort(h, groups, sizeof *h, by_bytes);
    }
    *out = h;
    return groups;
}

void replay_free(replay_t *r) {
    free(r->blocks);
    r->blocks = NULL;
    free(r->thread_stats);
    r->thread_stats = NULL;
    name_map_free(&r->threads_seen);
}
