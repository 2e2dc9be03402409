/*
 * bench_trace.c: a real trace (converted by bench_trace_convert, see
 * trace_events.h) replayed on ONE multi_heap region, in the order recorded
 * (the recording's threads become one sequence).
 *
 *   bench_trace EVENTS fixed PERMILLE   one replay in a region of PERMILLE/1000
 *                                       of the trace's peak live bytes, every
 *                                       allocator call through a wrapper that
 *                                       callgrind counts (--toggle-collect=bench_trace_*)
 *   bench_trace EVENTS smallest         the smallest region, found by bisection,
 *                                       in which the whole trace replays
 *                                       without a failed allocation
 *
 * "Peak live bytes" is the most payload the trace ever holds: the sum of the
 * sizes asked for by the live blocks, whatever the allocator. Output is
 * key=value on one line for scripts/bench-traces.sh.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_common.h"
#include "multi_heap.h"
#include "trace_events.h"

typedef struct {
    trace_event_record_t *ev;
    uint32_t events, id_limit;
    uint64_t peak_live;
} trace_t;

/* ---- the allocator and its wrappers ------------------------------------ */

static multi_heap_handle_t heap;

BENCH_WRAPPER void *bench_trace_malloc(size_t size) { return multi_heap_malloc(heap, size); }
BENCH_WRAPPER void *bench_trace_aligned(size_t size, size_t align) {
    return multi_heap_aligned_alloc(heap, size, align);
}
BENCH_WRAPPER void *bench_trace_realloc(void *p, size_t size) { return multi_heap_realloc(heap, p, size); }
BENCH_WRAPPER void bench_trace_free(void *p) { multi_heap_free(heap, p); }

/* ---- the trace ----------------------------------------------------------- */

static bool load(const char *path, trace_t *t) {
    FILE *f = fopen(path, "rb");
    trace_events_header_t h;
    if (f == NULL || fread(&h, sizeof h, 1, f) != 1 || h.magic != TRACE_EVENTS_MAGIC) {
        fprintf(stderr, "bench_trace: %s is not an event file of bench_trace_convert\n", path);
        if (f != NULL) {
            fclose(f);
        }
        return false;
    }
    t->events = h.events;
    t->id_limit = h.id_limit;
    t->ev = malloc((size_t)h.events * sizeof *t->ev);
    bool ok = t->ev != NULL && fread(t->ev, sizeof *t->ev, h.events, f) == h.events;
    fclose(f);
    if (!ok) {
        fprintf(stderr, "bench_trace: cannot read the %" PRIu32 " events of %s\n", h.events, path);
    }
    return ok;
}

/* The peak of the payload the trace holds: what any allocator must fit. */
static uint64_t peak_live_bytes(const trace_t *t, uint32_t *size_of) {
    uint64_t live = 0, peak = 0;
    memset(size_of, 0, t->id_limit * sizeof *size_of);
    for (uint32_t i = 0; i < t->events; i++) {
        const trace_event_record_t *e = &t->ev[i];
        uint32_t kind = e->kind & 0xFF;
        if (kind == TE_FREE) {
            live -= size_of[e->id];
            size_of[e->id] = 0;
            continue;
        }
        if (kind == TE_REALLOC && e->old_id != TRACE_EVENTS_NONE) {
            live -= size_of[e->old_id];
            size_of[e->old_id] = 0;
        }
        live += e->size;
        peak = live > peak ? live : peak;
        size_of[e->id] = e->size;
        if (e->kind & TE_TRANSIENT) {
            live -= e->size;
            size_of[e->id] = 0;
        }
    }
    return peak;
}

/* ---- the replay ------------------------------------------------------------ */

typedef struct {
    uint64_t calls, failed, high_water; /* high_water: highest end of a block, from the region's start */
    bool stop_at_failure;
} replay_stats_t;

static void **block;        /* by id: the live block, NULL for none */
static uint32_t *block_size; /* by id: its size asked for */

static void keep(replay_stats_t *s, const uint8_t *base, uint32_t id, void *p, uint32_t size) {
    block[id] = p;
    block_size[id] = size;
    uint64_t end = (uint64_t)((uint8_t *)p - base) + size;
    s->high_water = end > s->high_water ? end : s->high_water;
}

/* An allocation, or a realloc of a block that is live here; as in the capheap
 * tool's replay, a failed realloc leaves the old block under the new id. */
static void allocate(replay_stats_t *s, const uint8_t *base, const trace_event_record_t *e) {
    void *old = e->old_id != TRACE_EVENTS_NONE ? block[e->old_id] : NULL;
    void *p;
    if ((e->kind & 0xFF) == TE_REALLOC && old != NULL) {
        p = bench_trace_realloc(old, e->size);
        block[e->old_id] = NULL;
        if (p == NULL) {
            p = old;
            s->failed++;
        }
    } else {
        p = e->align != 0 ? bench_trace_aligned(e->size, e->align) : bench_trace_malloc(e->size);
        s->failed += p == NULL;
    }
    s->calls++;
    if (p == NULL) {
        block[e->id] = NULL;
        return;
    }
    keep(s, base, e->id, p, e->size);
    if (e->kind & TE_TRANSIENT) {
        bench_trace_free(p); /* it failed where recorded: the program had nothing to keep */
        block[e->id] = NULL;
        s->calls++;
    }
}

/* Replays t on a new heap over region bytes at base; false when the heap
 * cannot be made or is corrupt at the end. */
static bool replay(const trace_t *t, uint8_t *base, size_t region, replay_stats_t *s) {
    heap = multi_heap_register(base, region);
    if (heap == NULL) {
        return false;
    }
    memset(block, 0, t->id_limit * sizeof *block);
    for (uint32_t i = 0; i < t->events; i++) {
        const trace_event_record_t *e = &t->ev[i];
        if ((e->kind & 0xFF) != TE_FREE) {
            allocate(s, base, e);
            if (s->failed != 0 && s->stop_at_failure) {
                break;
            }
        } else if (block[e->id] != NULL) { /* else its allocation failed here */
            bench_trace_free(block[e->id]);
            block[e->id] = NULL;
            s->calls++;
        }
    }
    return multi_heap_check(heap, true);
}

/* ---- the two measurements --------------------------------------------------- */

static int run_fixed(const trace_t *t, uint8_t *arena, size_t region) {
    replay_stats_t s = {0};
    if (!replay(t, arena, region, &s)) {
        fprintf(stderr, "bench_trace: the heap could not be made or is corrupt\n");
        return 1;
    }
    size_t min_free = multi_heap_minimum_free_size(heap);
    printf("mode=fixed ptr_bits=%u events=%" PRIu32 " peak_live=%" PRIu64 " region=%zu calls=%" PRIu64
           " failed=%" PRIu64 " high_water=%" PRIu64 " high_water_ratio=%.4f min_free=%zu used_peak_ratio=%.4f\n",
           (unsigned)(8 * sizeof(void *)), t->events, t->peak_live, region, s.calls, s.failed, s.high_water,
           (double)s.high_water / (double)t->peak_live, min_free,
           (double)(region - min_free) / (double)t->peak_live);
    return 0;
}

static bool fits(const trace_t *t, uint8_t *arena, size_t region) {
    replay_stats_t s = {.stop_at_failure = true};
    return replay(t, arena, region, &s) && s.failed == 0;
}

/* Bisection between the peak live bytes (nothing smaller can fit) and the
 * arena's size, to 1/1000 of the peak: assumes that a region that fits the
 * trace is not followed by a larger one that does not, which is true of a
 * good-fit allocator to this precision but not proven. */
static int run_smallest(const trace_t *t, uint8_t *arena, size_t arena_size) {
    size_t lo = (size_t)t->peak_live, hi = arena_size, step = (size_t)(t->peak_live / 1000) + 1;
    if (!fits(t, arena, hi)) {
        fprintf(stderr, "bench_trace: the trace does not fit in %zu bytes\n", hi);
        return 1;
    }
    unsigned probes = 1;
    while (hi - lo > step) {
        size_t mid = (lo + (hi - lo) / 2) & ~(size_t)7;
        if (fits(t, arena, mid)) {
            hi = mid;
        } else {
            lo = mid;
        }
        probes++;
    }
    printf("mode=smallest ptr_bits=%u events=%" PRIu32 " peak_live=%" PRIu64 " smallest=%zu ratio=%.4f probes=%u\n",
           (unsigned)(8 * sizeof(void *)), t->events, t->peak_live, hi, (double)hi / (double)t->peak_live, probes);
    return 0;
}

int main(int argc, char **argv) {
    trace_t t;
    if (argc < 3 || !load(argv[1], &t)) {
        fprintf(stderr, "usage: bench_trace EVENTS <fixed PERMILLE | smallest>\n");
        return 2;
    }
    block = calloc(t.id_limit + 1u, sizeof *block);
    block_size = calloc(t.id_limit + 1u, sizeof *block_size);
    if (block == NULL || block_size == NULL) {
        return 1;
    }
    t.peak_live = peak_live_bytes(&t, block_size);
    bool fixed = strcmp(argv[2], "fixed") == 0 && argc == 4;
    size_t region = fixed ? (size_t)(t.peak_live * strtoul(argv[3], NULL, 10) / 1000) & ~(size_t)7
                          : (size_t)t.peak_live * 2;
    uint8_t *arena = aligned_alloc(64, (region + 63) & ~(size_t)63);
    if (arena == NULL) {
        return 1;
    }
    if (fixed) {
        return run_fixed(&t, arena, region);
    }
    return strcmp(argv[2], "smallest") == 0 ? run_smallest(&t, arena, region) : 2;
}
