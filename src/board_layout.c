/*
 * board_layout.c: from a board's const data to heap pieces and host ranges.
 *
 * Boards list their memory the way the chip's documentation does, often in
 * small pieces (ESP-IDF lists ESP32 DRAM in 8-32 KiB blocks); heaps should be
 * as large as possible, so touching regions are merged before the reserved
 * ranges (ROM data, .bss, caches) are cut out of them.
 */
#include "board_layout.h"

static uintptr_t region_end(const capheap_region_t *r) { return r->start + r->size; }

/* An instruction-bus window, as the region itself, must end within the
 * address space (its arithmetic would wrap otherwise). */
static bool window_wraps(const capheap_region_t *r) {
    return r->alias.kind != CAPHEAP_ALIAS_NONE && r->alias.start + r->size < r->alias.start;
}

static bool spans_overlap(uintptr_t a, size_t a_size, uintptr_t b, size_t b_size) {
    return a < b ? b - a < a_size : a - b < b_size;
}

bool capheap_board_window_clashes(const capheap_region_t *a, const capheap_region_t *b) {
    return a->alias.kind != CAPHEAP_ALIAS_NONE &&
           (spans_overlap(a->alias.start, a->size, b->start, b->size) ||
            (a != b && b->alias.kind != CAPHEAP_ALIAS_NONE && spans_overlap(a->alias.start, a->size, b->alias.start, b->size)));
}

/* A window starts on a chip word: code is fetched through it by words, and
 * the window arithmetic keeps EXEC blocks on the word only from there. */
static bool window_off_a_word(const capheap_region_t *r) {
    return r->alias.kind != CAPHEAP_ALIAS_NONE && (r->alias.start & 3u) != 0;
}

/* Region i's window clashes with some region, its own memory included. */
static bool window_overlaps(const capheap_board_t *b, size_t i) {
    for (size_t j = 0; j < b->region_count; j++) {
        if (capheap_board_window_clashes(&b->regions[i], &b->regions[j])) {
            return true;
        }
    }
    return false;
}

/* The largest line any chip of ESP-IDF has, and what a list's rules byte can hold. */
bool capheap_board_line_valid(uint64_t line) { return line <= 128 && (line & (line - 1)) == 0; }

esp_err_t capheap_board_check(const capheap_board_t *b) {
    if (b == NULL || b->name == NULL || b->types == NULL || b->type_count == 0 || b->type_count > 255 ||
        (b->regions == NULL && b->region_count != 0) || (b->reserved == NULL && b->reserved_count != 0)) {
        return ESP_ERR_INVALID_ARG;
    }
    for (size_t i = 0; i < b->region_count; i++) {
        const capheap_region_t *r = &b->regions[i];
        if (r->size == 0 || r->type >= b->type_count || region_end(r) < r->start ||
            r->alias.kind > CAPHEAP_ALIAS_INVERTED || window_wraps(r) || window_off_a_word(r) || window_overlaps(b, i) ||
            (i > 0 && region_end(&b->regions[i - 1]) > r->start)) {
            return ESP_ERR_INVALID_ARG;
        }
    }
    for (size_t i = 0; i < b->reserved_count; i++) {
        if (b->reserved[i].end <= b->reserved[i].start) {
            return ESP_ERR_INVALID_ARG;
        }
    }
    return capheap_board_line_valid(b->cache.internal_line) && capheap_board_line_valid(b->cache.external_line)
               ? ESP_OK
               : ESP_ERR_INVALID_ARG;
}

/* ---- merging ----------------------------------------------------------- */

/* Whether b continues a (which ends where b starts) as one window. */
static bool aliases_join(const capheap_region_t *a, const capheap_region_t *b) {
    if (a->alias.kind != b->alias.kind) {
        return false;
    }
    switch (a->alias.kind) {
    case CAPHEAP_ALIAS_LINEAR:
        return b->alias.start == a->alias.start + a->size;
    case CAPHEAP_ALIAS_INVERTED:
        return a->alias.start == b->alias.start + b->size;
    default:
        return true;
    }
}

static bool regions_join(const capheap_region_t *a, const capheap_region_t *b) {
    return region_end(a) == b->start && a->type == b->type && a->flags == b->flags && aliases_join(a, b);
}

capheap_bus_alias_t capheap_board_sub_alias(const capheap_region_t *r, uintptr_t start, uintptr_t end) {
    capheap_bus_alias_t a = r->alias;
    if (a.kind == CAPHEAP_ALIAS_LINEAR) {
        a.start += start - r->start;
    } else if (a.kind == CAPHEAP_ALIAS_INVERTED) {
        a.start += region_end(r) - end; /* the high end of the data is the low end of the window */
    }
    return a;
}

/* ---- cutting ----------------------------------------------------------- */

/* The reserved range with the lowest start among those that end after from
 * and start before to; NULL if none. */
static const capheap_reserved_t *next_reserved(const capheap_board_t *b, uintptr_t from, uintptr_t to) {
    const capheap_reserved_t *best = NULL;
    for (size_t i = 0; i < b->reserved_count; i++) {
        const capheap_reserved_t *r = &b->reserved[i];
        if (r->end > from && r->start < to && (best == NULL || r->start < best->start)) {
            best = r;
        }
    }
    return best;
}

static void emit(const capheap_region_t *merged, uintptr_t start, uintptr_t end, capheap_piece_cb_t cb, void *user) {
    if (end - start < CAPHEAP_MIN_HEAP_SIZE) {
        return;
    }
    capheap_piece_t piece = {start, end, merged->type, merged->flags, capheap_board_sub_alias(merged, start, end)};
    cb(&piece, user);
}

static void cut_reserved(const capheap_board_t *b, const capheap_region_t *merged, capheap_piece_cb_t cb,
                         void *user) {
    uintptr_t cur = merged->start, end = region_end(merged);
    while (cur < end) {
        const capheap_reserved_t *r = next_reserved(b, cur, end);
        if (r == NULL) {
            emit(merged, cur, end, cb, user);
            return;
        }
        if (r->start > cur) {
            emit(merged, cur, r->start, cb, user);
        }
        cur = r->end;
    }
}

void capheap_board_pieces(const capheap_board_t *b, capheap_piece_cb_t cb, void *user) {
    size_t i = 0;
    while (i < b->region_count) {
        capheap_region_t merged = b->regions[i++];
        while (i < b->region_count && regions_join(&merged, &b->regions[i])) {
            if (merged.alias.kind == CAPHEAP_ALIAS_INVERTED) {
                merged.alias.start = b->regions[i].alias.start;
            }
            merged.size += b->regions[i++].size;
        }
        cut_reserved(b, &merged, cb, user);
    }
}

/* ---- lookups ----------------------------------------------------------- */

bool capheap_board_window_holds(const capheap_region_t *r, uintptr_t a) {
    return r->alias.kind != CAPHEAP_ALIAS_NONE && a - r->alias.start < r->size;
}

const capheap_region_t *capheap_board_region_at(const capheap_board_t *b, uintptr_t a) {
    for (size_t i = 0; i < b->region_count; i++) {
        const capheap_region_t *r = &b->regions[i];
        if (a - r->start < r->size || capheap_board_window_holds(r, a)) {
            return r;
        }
    }
    return NULL;
}

/* ---- host ranges ------------------------------------------------------- */

static capheap_port_range_t rounded(uintptr_t start, size_t size) {
    uintptr_t lo = start & ~(CAPHEAP_HOST_GRAIN - 1);
    uintptr_t hi = (start + size + CAPHEAP_HOST_GRAIN - 1) & ~(CAPHEAP_HOST_GRAIN - 1);
    return (capheap_port_range_t){lo, hi - lo, 0};
}

static uintptr_t range_top(const capheap_port_range_t *r) { return r->start + r->size; }

static size_t insert_at(capheap_port_range_t *out, size_t n, size_t max, size_t i, capheap_port_range_t r) {
    if (n == max) {
        return 0;
    }
    for (size_t j = n; j > i; j--) {
        out[j] = out[j - 1];
    }
    out[i] = r;
    return n + 1;
}

/* Two ranges may become one: both plain, or both mirrored at the same
 * distance (one linear window that the board lists in pieces, as ESP-IDF's
 * esp32s3 layout lists SRAM1, split where a start-up-stack type begins). */
static bool mergeable(const capheap_port_range_t *a, const capheap_port_range_t *b) {
    if (a->mirror == 0 || b->mirror == 0) {
        return a->mirror == 0 && b->mirror == 0;
    }
    return a->mirror - a->start == b->mirror - b->start;
}

/* Adds r to the sorted list out[0, n), merging it with unmirrored ranges it
 * touches or overlaps. Returns the new count, 0 when it does not fit or when
 * a mirrored range would share pages with another. A merge takes the range
 * out of the list and adds the union again (a loop, not a call: the
 * library recurses nowhere, scripts/stack_depth.py checks). */
static size_t add_range(capheap_port_range_t *out, size_t n, size_t max, capheap_port_range_t r) {
    for (;;) {
        size_t i = 0;
        while (i < n &&
               (range_top(&out[i]) < r.start || (range_top(&out[i]) == r.start && !mergeable(&out[i], &r)))) {
            i++;
        }
        if (i == n || out[i].start > range_top(&r)) {
            return insert_at(out, n, max, i, r);
        }
        if (!mergeable(&out[i], &r)) {
            return out[i].start == range_top(&r) ? insert_at(out, n, max, i, r) : 0;
        }
        uintptr_t lo = out[i].start < r.start ? out[i].start : r.start;
        uintptr_t hi = range_top(&out[i]) > range_top(&r) ? range_top(&out[i]) : range_top(&r);
        uintptr_t mirror = r.mirror != 0 ? lo + (r.mirror - r.start) : 0; /* the same distance for both */
        n--;
        for (size_t j = i; j < n; j++) {
            out[j] = out[j + 1];
        }
        r = (capheap_port_range_t){lo, hi - lo, mirror};
    }
}

size_t capheap_board_host_ranges(const capheap_board_t *b, capheap_port_range_t *out, size_t max) {
    size_t n = 0;
    for (size_t i = 0; i < b->region_count; i++) {
        const capheap_region_t *reg = &b->regions[i];
        capheap_port_range_t r = rounded(reg->start, reg->size);
        if (reg->alias.kind == CAPHEAP_ALIAS_LINEAR) {
            if ((reg->alias.start - reg->start) % CAPHEAP_HOST_GRAIN != 0) {
                return 0;
            }
            r.mirror = reg->alias.start - (reg->start - r.start);
        }
        n = add_range(out, n, max, r);
        if (n != 0 && reg->alias.kind == CAPHEAP_ALIAS_INVERTED) {
            n = add_range(out, n, max, rounded(reg->alias.start, reg->size));
        }
        if (n == 0) {
            return 0;
        }
    }
    return n;
}
