/*
 * next_overlap.c: the first later overlapping range of each range (see
 * next_overlap.h).
 *
 * The ranges are taken from the last to the first, over a segment tree on
 * their ends (sorted, duplicates removed): the tree holds the ranges after the
 * current one. Each node keeps the smallest index of a range that covers all
 * of it and the smallest of any that touches it. As indices only fall, a new
 * range's index is the smallest so far: storing it needs no comparison and
 * no push-down, and a query takes, on its way down, the covering indices of
 * the nodes it only partly overlaps.
 */
#include "next_overlap.h"

#include <stdlib.h>

#include "tool_memory.h"

typedef struct {
    size_t *covers;  /* smallest index of a range covering the whole node */
    size_t *touches; /* smallest index of a range covering any part of it */
} tree_t;

static size_t min_index(size_t a, size_t b) { return a < b ? a : b; }

/* Smallest index stored over segments [lo, hi) within node [nl, nr). */
static size_t query(const tree_t *t, size_t node, size_t nl, size_t nr, size_t lo, size_t hi) {
    if (hi <= nl || nr <= lo) {
        return NO_OVERLAP;
    }
    if (lo <= nl && nr <= hi) {
        return t->touches[node];
    }
    size_t mid = nl + (nr - nl) / 2;
    size_t below = min_index(query(t, 2 * node, nl, mid, lo, hi), query(t, 2 * node + 1, mid, nr, lo, hi));
    return min_index(t->covers[node], below);
}

/* Stores index over segments [lo, hi); index is smaller than any stored. */
static void store(tree_t *t, size_t node, size_t nl, size_t nr, size_t lo, size_t hi, size_t index) {
    if (hi <= nl || nr <= lo) {
        return;
    }
    t->touches[node] = index;
    if (lo <= nl && nr <= hi) {
        t->covers[node] = index;
        return;
    }
    size_t mid = nl + (nr - nl) / 2;
    store(t, 2 * node, nl, mid, lo, hi, index);
    store(t, 2 * node + 1, mid, nr, lo, hi, index);
}

static uint64_t range_end(const address_range_t *r) {
    return r->start > UINT64_MAX - r->size ? UINT64_MAX : r->start + r->size;
}

static int compare_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Position of v in the sorted coords (v is one of them). */
static size_t position(const uint64_t *coords, size_t m, uint64_t v) {
    size_t lo = 0, hi = m;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (coords[mid] < v) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

/* The ends of every range, sorted, each once; their count in *m. */
static uint64_t *sorted_ends(const address_range_t *ranges, size_t n, size_t *m) {
    uint64_t *coords = tool_alloc(2 * n + 1, sizeof *coords, "the dump's address ranges");
    for (size_t i = 0; i < n; i++) {
        coords[2 * i] = ranges[i].start;
        coords[2 * i + 1] = range_end(&ranges[i]);
    }
    qsort(coords, 2 * n, sizeof *coords, compare_u64);
    size_t kept = 0;
    for (size_t i = 0; i < 2 * n; i++) {
        if (kept == 0 || coords[kept - 1] != coords[i]) {
            coords[kept++] = coords[i];
        }
    }
    *m = kept;
    return coords;
}

void next_overlap(const address_range_t *ranges, size_t n, size_t *next) {
    size_t m = 0;
    uint64_t *coords = sorted_ends(ranges, n, &m);
    size_t segments = m > 1 ? m - 1 : 1, nodes = 4 * segments;
    tree_t t = {tool_alloc(nodes, sizeof(size_t), "the dump's address ranges"),
                tool_alloc(nodes, sizeof(size_t), "the dump's address ranges")};
    for (size_t k = 0; k < nodes; k++) {
        t.covers[k] = t.touches[k] = NO_OVERLAP;
    }
    for (size_t i = n; i-- > 0;) {
        if (ranges[i].size == 0) {
            /* Empty: the tree's query would take the covering index of a
             * node it lies inside, as if it held a byte there. */
            next[i] = NO_OVERLAP;
            continue;
        }
        /* A range at the very top of the address space is empty: lo == hi. */
        size_t lo = position(coords, m, ranges[i].start), hi = position(coords, m, range_end(&ranges[i]));
        next[i] = query(&t, 1, 0, segments, lo, hi);
        store(&t, 1, 0, segments, lo, hi, i);
    }
    free(coords);
    free(t.covers);
    free(t.touches);
}
