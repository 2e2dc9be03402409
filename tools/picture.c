/*
 * picture.c: the SVG of picture.h. One scale for all rows (bytes per pixel of
 * the largest region), so regions compare by length. Blocks under 1.5 pixels
 * are pooled into one-pixel columns shaded by how much of them is used: a
 * heap of a million blocks stays a picture of a few thousand rectangles. A
 * heap over touching regions (one heap, two rows) is cut at each row's edges.
 */
#include "picture.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "heap_caps_internal.h" /* capheap_alias_block_quiet */
#include "registry.h"
#include "tool_memory.h"

#define BAR_WIDTH 1000.0
#define LEFT 20.0
#define ROW_HEIGHT 64.0
#define BAR_HEIGHT 26.0
#define TOP 56.0

static const char *const palette[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                      "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
#define PALETTE_SIZE (sizeof palette / sizeof palette[0])
#define FREE_COLOUR "#d9f0d3"
#define OVERHEAD_COLOUR "#555555"
#define RESERVED_COLOUR "#a0a0a0"
#define NOT_HEAP_COLOUR "#eeeeee"

typedef struct {
    void *ptr;
    size_t index;
} by_ptr_t;

typedef struct {
    FILE *f;
    const tool_board_t *b;
    const replay_t *r;
    by_ptr_t *live;
    size_t live_count;
    double px_per_byte;
    double y;
    uintptr_t region_start; /* chip address at x = LEFT */
    uintptr_t region_end;   /* and the end of that row's region: what is drawn is cut to it */
    /* the pending one-pixel column of small blocks */
    double bin_x;
    size_t bin_used, bin_free, bin_blocks;
} canvas_t;

/* The length of the UTF-8 sequence at s of a character XML 1.0 allows, 0
 * when it is none: a control code, a malformed, overlong or surrogate
 * sequence, or U+FFFE/U+FFFF. */
static size_t xml_char_length(const unsigned char *s) {
    unsigned char c = s[0];
    size_t len = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    if (len <= 1) {
        return len == 1 && (c >= 0x20 || c == '\t' || c == '\n' || c == '\r') ? 1 : 0;
    }
    uint32_t cp = len == 2 ? c & 0x1Fu : len == 3 ? c & 0x0Fu : c & 0x07u;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            return 0; /* also stops at the terminating NUL */
        }
        cp = cp << 6 | (s[i] & 0x3Fu);
    }
    static const uint32_t lowest[5] = {0, 0, 0x80, 0x800, 0x10000};
    bool ok = cp >= lowest[len] && cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF) && cp != 0xFFFE && cp != 0xFFFF;
    return ok ? len : 0;
}

/* Text from the user (names in a board file, file names) as XML character
 * data: markup escaped, and what XML cannot hold (a Latin-1 name, control
 * codes) shown as U+FFFD, so that the picture stays well-formed. */
static void put_escaped(FILE *f, const char *s) {
    while (*s != '\0') {
        size_t len = xml_char_length((const unsigned char *)s);
        if (len == 0) {
            fputs("\xEF\xBF\xBD", f);
            s++;
            continue;
        }
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fwrite(s, 1, len, f);
        }
        s += len;
    }
}

static int by_address(const void *a, const void *b) {
    const by_ptr_t *x = a, *y = b;
    return x->ptr < y->ptr ? -1 : x->ptr > y->ptr;
}

/* The registered heap behind the tool's heap h (the one whose multi_heap it
 * walks), or NULL. */
static capheap_heap_t *registry_heap(const tool_heap_t *h) {
    for (size_t i = 0; i < capheap_registry_count(); i++) {
        capheap_heap_t *rh = capheap_registry_at(i);
        if (capheap_heap_handle(rh) == h->mh) {
            return rh;
        }
    }
    return NULL;
}

/* Where the heap walk sees block blk: an EXEC request served through an
 * instruction-bus window (the ESP32's D/IRAM) returned an address on that
 * bus, which the replay keeps, while the walk gives the block's data-bus
 * address; the library translates one into the other. */
static void *walk_address(const canvas_t *c, const replay_block_t *blk) {
    if (blk->heap < 0) {
        return blk->ptr;
    }
    const tool_heap_t *h = &c->b->heaps[blk->heap];
    uintptr_t a = (uintptr_t)blk->ptr;
    capheap_heap_t *rh = a >= h->window_start && a < h->window_end ? registry_heap(h) : NULL;
    size_t usable;
    void *data = rh != NULL ? capheap_alias_block_quiet(rh, blk->ptr, &usable) : NULL;
    return data != NULL ? data : blk->ptr;
}

static void index_live_blocks(canvas_t *c) {
    c->live_count = 0;
    if (c->r == NULL) {
        return;
    }
    c->live = tool_alloc(c->r->block_cap, sizeof *c->live, "the picture's blocks");
    for (size_t i = 0; i < c->r->block_cap; i++) {
        if (c->r->blocks[i].ptr != NULL) {
            c->live[c->live_count++] = (by_ptr_t){walk_address(c, &c->r->blocks[i]), i};
        }
    }
    qsort(c->live, c->live_count, sizeof *c->live, by_address);
}

/* The replay's block that the walk sees at ptr, or NULL. */
static const replay_block_t *trace_block_at(const canvas_t *c, void *ptr) {
    by_ptr_t key = {ptr, 0};
    const by_ptr_t *hit = c->live_count ? bsearch(&key, c->live, c->live_count, sizeof key, by_address) : NULL;
    return hit != NULL ? &c->r->blocks[hit->index] : NULL;
}

/* The index of caps among the replay's masks, which the legend lists in that
 * order. A mask not among them was pooled into the last one (replay.c keeps
 * REPLAY_MAX_CAPS). */
static size_t caps_index(const canvas_t *c, uint32_t caps) {
    for (size_t i = 0; c->r != NULL && i < c->r->caps_count; i++) {
        if (c->r->caps[i].caps == caps) {
            return i;
        }
    }
    return c->r != NULL && c->r->caps_count > 0 ? c->r->caps_count - 1 : 0;
}

/* Colours generated after the palette's: 18 hues 20 degrees apart at each
 * of three lightnesses, enough for every mask a replay keeps apart. */
#define HUES 18
_Static_assert(REPLAY_MAX_CAPS <= PALETTE_SIZE + 3 * HUES, "a colour of its own for every caps mask");

/* The fill of the i-th caps mask: the palette's, then one of its own for each
 * further mask, so that no two masks share a colour. Masks in turn take the
 * three lightnesses, and each lightness its hues 7 slots (140 degrees) on from
 * the last, so that masks listed side by side differ most; never grey nor
 * as light as the free blocks' green. fill holds "#rrggbb". */
static const char *caps_fill(size_t i, char fill[8]) {
    if (i < PALETTE_SIZE) {
        return palette[i];
    }
    static const double lightness[3] = {0.45, 0.65, 0.35};
    size_t j = i - PALETTE_SIZE, shade = j % 3;
    double hue = (double)(j / 3 * 7 % HUES) * (360.0 / HUES) + (double)shade * (360.0 / HUES / 3);
    double l = lightness[shade], chroma = (1.0 - (l > 0.5 ? 2.0 * l - 1.0 : 1.0 - 2.0 * l)) * 0.7;
    double ramp = hue / 60.0 - 2.0 * (double)(int)(hue / 120.0) - 1.0; /* HSL: -1..1 across each third */
    const double parts[3] = {chroma, chroma * (1.0 - (ramp < 0 ? -ramp : ramp)), 0.0};
    double base = l - chroma / 2;
    static const unsigned char order[6][3] = {{0, 1, 2}, {1, 0, 2}, {2, 0, 1}, {2, 1, 0}, {1, 2, 0}, {0, 2, 1}};
    const unsigned char *o = order[(int)(hue / 60.0)]; /* which part is red, green and blue in this sixth */
    snprintf(fill, 8, "#%02x%02x%02x", (int)((parts[o[0]] + base) * 255 + 0.5), (int)((parts[o[1]] + base) * 255 + 0.5),
             (int)((parts[o[2]] + base) * 255 + 0.5));
    return fill;
}

static double x_of(const canvas_t *c, uintptr_t chip) { return LEFT + (double)(chip - c->region_start) * c->px_per_byte; }

/* Cuts [*lo, *hi) (chip addresses) to the region of the row being drawn, so
 * that nothing runs past the row's end: false when nothing of it is there. */
static bool clip_to_row(const canvas_t *c, uintptr_t *lo, uintptr_t *hi) {
    *lo = *lo > c->region_start ? *lo : c->region_start;
    *hi = *hi < c->region_end ? *hi : c->region_end;
    return *lo < *hi;
}

static void rect_open(canvas_t *c, double x, double w, const char *fill) {
    fprintf(c->f, "<rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\" fill=\"%s\"><title>", x, c->y + 20,
            w < 0.3 ? 0.3 : w, BAR_HEIGHT, fill);
}

static void rect_close(canvas_t *c) { fputs("</title></rect>\n", c->f); }

/* ---- blocks ------------------------------------------------------------ */

static void flush_bin(canvas_t *c) {
    if (c->bin_blocks == 0) {
        return;
    }
    double used = (double)c->bin_used / (double)(c->bin_used + c->bin_free + 1);
    char fill[16];
    snprintf(fill, sizeof fill, "#%02x%02x%02x", (int)(217 - used * 139), (int)(240 - used * 119),
             (int)(211 - used * 44)); /* from the free colour towards the first used colour */
    rect_open(c, c->bin_x, 1.0, fill);
    fprintf(c->f, "%zu small blocks: %zu bytes used, %zu free", c->bin_blocks, c->bin_used, c->bin_free);
    rect_close(c);
    c->bin_blocks = c->bin_used = c->bin_free = 0;
}

static void add_to_bin(canvas_t *c, double x, size_t size, bool used) {
    if (c->bin_blocks != 0 && x >= c->bin_x + 1.0) {
        flush_bin(c);
    }
    if (c->bin_blocks == 0) {
        c->bin_x = (double)(long)x;
    }
    c->bin_blocks++;
    *(used ? &c->bin_used : &c->bin_free) += size;
}

/* The rest of a used block's tooltip: what the trace asked for (t, the
 * replay's block), and the instruction-bus address the request got when it
 * is not the data-bus address ptr the walk gave. */
static void describe_request(canvas_t *c, const replay_block_t *t, const void *ptr) {
    char names[160];
    fprintf(c->f, "\nrequested %zu bytes with %s\ntrace line %lu", t->size, caps_describe(t->caps, names, sizeof names),
            t->line);
    if (t->caller != 0) {
        fprintf(c->f, ", caller 0x%08llx", (unsigned long long)t->caller);
    }
    if (t->ptr != ptr) {
        fprintf(c->f, "\nserved through the instruction bus at 0x%08lx",
                (unsigned long)((uintptr_t)t->ptr - (uintptr_t)c->b->offset));
    }
}

static void draw_block(canvas_t *c, void *ptr, size_t size, bool used) {
    uintptr_t chip = (uintptr_t)ptr - (uintptr_t)c->b->offset, lo = chip, hi = chip + size;
    if (!clip_to_row(c, &lo, &hi)) {
        return; /* in the row of another region of the heap */
    }
    double x = x_of(c, lo), w = (double)(hi - lo) * c->px_per_byte;
    if (w < 1.5) {
        add_to_bin(c, x, hi - lo, used);
        return;
    }
    flush_bin(c);
    const replay_block_t *t = used ? trace_block_at(c, ptr) : NULL;
    char fill[8];
    rect_open(c, x, w, !used ? FREE_COLOUR : caps_fill(t != NULL ? caps_index(c, t->caps) : 0, fill));
    fprintf(c->f, "%s block at 0x%08lx, %zu bytes", used ? "used" : "free", (unsigned long)chip, size);
    if (hi - lo != size) {
        fprintf(c->f, " (%zu of them in this region)", (size_t)(hi - lo));
    }
    if (t != NULL) {
        describe_request(c, t, ptr);
    }
    rect_close(c);
}

static bool walk_block(void *ptr, size_t size, int used, void *user) {
    draw_block(user, ptr, size, used != 0);
    return true;
}

/* ---- rows -------------------------------------------------------------- */

static void draw_heap(canvas_t *c, const tool_heap_t *h) {
    uintptr_t start = h->start - (uintptr_t)c->b->offset, end = h->end - (uintptr_t)c->b->offset;
    uintptr_t lo = start, hi = end;
    if (!clip_to_row(c, &lo, &hi)) {
        return; /* not in this row's region */
    }
    multi_heap_info_t info;
    multi_heap_get_info(h->mh, &info);
    rect_open(c, x_of(c, lo), (double)(hi - lo) * c->px_per_byte, OVERHEAD_COLOUR);
    fputs("heap ", c->f);
    put_escaped(c->f, h->name);
    fprintf(c->f, " 0x%08lx-0x%08lx: %zu bytes free, largest free block %zu (dark: control data and block headers)",
            (unsigned long)start, (unsigned long)end, info.total_free_bytes, info.largest_free_block);
    rect_close(c);
    multi_heap_walk(h->mh, walk_block, c);
    flush_bin(c);
}

/* The free bytes of a heap in the row's region, and its largest free block there. */
typedef struct {
    const canvas_t *c;
    size_t free_bytes, largest;
} row_free_t;

static bool add_free_block(void *ptr, size_t size, int used, void *user) {
    row_free_t *t = user;
    uintptr_t lo = (uintptr_t)ptr - (uintptr_t)t->c->b->offset, hi = lo + size;
    if (!used && clip_to_row(t->c, &lo, &hi)) {
        t->free_bytes += hi - lo;
        t->largest = hi - lo > t->largest ? hi - lo : t->largest;
    }
    return true;
}

/* Adds heap h's free bytes in the row's region to *t: the heap's own figures
 * when it lies in the region, else those of its free blocks cut to the region
 * (a heap over touching regions; a free block across their edge counts in
 * each row by its part there). */
static void add_heap_free(row_free_t *t, const tool_heap_t *h) {
    uintptr_t start = h->start - (uintptr_t)t->c->b->offset, end = h->end - (uintptr_t)t->c->b->offset;
    if (start >= t->c->region_start && end <= t->c->region_end) {
        multi_heap_info_t info;
        multi_heap_get_info(h->mh, &info);
        t->free_bytes += info.total_free_bytes;
        t->largest = info.largest_free_block > t->largest ? info.largest_free_block : t->largest;
    } else if (start < t->c->region_end && end > t->c->region_start) {
        multi_heap_walk(h->mh, add_free_block, t);
    }
}

static void draw_label(canvas_t *c, const capheap_region_t *reg) {
    char sz[32], fr[32], lg[32];
    row_free_t t = {c, 0, 0};
    for (size_t i = 0; i < c->b->heap_count; i++) {
        add_heap_free(&t, &c->b->heaps[i]);
    }
    fprintf(c->f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"13\">", LEFT, c->y + 15);
    put_escaped(c->f, c->b->board->types[reg->type].name);
    fprintf(c->f, "  0x%08lX-0x%08lX  %s: %s free, largest free block %s</text>\n", (unsigned long)reg->start,
            (unsigned long)(reg->start + reg->size), fmt_bytes(reg->size, sz, sizeof sz),
            fmt_bytes(t.free_bytes, fr, sizeof fr), fmt_bytes(t.largest, lg, sizeof lg));
}

static void draw_region(canvas_t *c, const capheap_region_t *reg) {
    c->region_start = reg->start;
    c->region_end = reg->start + reg->size;
    draw_label(c, reg);
    rect_open(c, LEFT, (double)reg->size * c->px_per_byte, NOT_HEAP_COLOUR);
    fputs("not a heap here", c->f);
    rect_close(c);
    const capheap_board_t *board = c->b->board;
    for (size_t i = 0; i < board->reserved_count; i++) {
        const capheap_reserved_t *res = &board->reserved[i];
        uintptr_t lo = res->start, hi = res->end;
        if (clip_to_row(c, &lo, &hi)) {
            rect_open(c, x_of(c, lo), (double)(hi - lo) * c->px_per_byte, RESERVED_COLOUR);
            fprintf(c->f, "reserved 0x%08lx-0x%08lx: ", (unsigned long)res->start, (unsigned long)res->end);
            put_escaped(c->f, res->name);
            rect_close(c);
        }
    }
    for (size_t i = 0; i < c->b->heap_count; i++) {
        draw_heap(c, &c->b->heaps[i]);
    }
    c->y += ROW_HEIGHT;
}

/* One item of the legend at (*x, c->y), on the next line when it would run
 * past the bar; draw false only moves *x and c->y (to measure the legend). */
static void legend_item(canvas_t *c, double *x, const char *fill, const char *text, bool draw) {
    double width = 30 + 7.0 * (double)strlen(text);
    if (*x > LEFT && *x + width > LEFT + BAR_WIDTH) {
        *x = LEFT;
        c->y += 18;
    }
    if (draw) {
        fprintf(c->f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"12\" fill=\"%s\"/>", *x, c->y, fill);
        fprintf(c->f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\">", *x + 16, c->y + 11);
        put_escaped(c->f, text);
        fputs("</text>\n", c->f);
    }
    *x += width;
}

/* The legend from c->y on: every caps mask of the replay, then the other
 * fills. Returns how far down its last line starts (0: one line). */
static double draw_legend(canvas_t *c, bool draw) {
    double x = LEFT, top = c->y;
    char names[160], text[200], fill[8];
    for (size_t i = 0; c->r != NULL && i < c->r->caps_count; i++) {
        snprintf(text, sizeof text, "used: %s", caps_describe(c->r->caps[i].caps, names, sizeof names));
        legend_item(c, &x, caps_fill(i, fill), text, draw);
    }
    legend_item(c, &x, FREE_COLOUR, "free", draw);
    legend_item(c, &x, OVERHEAD_COLOUR, "heap control data, headers", draw);
    legend_item(c, &x, RESERVED_COLOUR, "reserved", draw);
    legend_item(c, &x, NOT_HEAP_COLOUR, "not a heap", draw);
    double below = c->y - top;
    c->y += 24;
    return below;
}

/* ---- the document ------------------------------------------------------ */

static void draw_svg(canvas_t *c, const char *moment) {
    const capheap_board_t *board = c->b->board;
    size_t largest = 1;
    for (size_t i = 0; i < board->region_count; i++) {
        largest = board->regions[i].size > largest ? board->regions[i].size : largest;
    }
    c->px_per_byte = BAR_WIDTH / (double)largest;
    c->y = 0;
    double legend_below = draw_legend(c, false); /* the lines a legend of many masks wraps into */
    double height = TOP + (double)board->region_count * ROW_HEIGHT + 90 + legend_below;
    fprintf(c->f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
                  "font-family=\"sans-serif\">\n", BAR_WIDTH + 2 * LEFT, height);
    fprintf(c->f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
    fprintf(c->f, "<text x=\"%.1f\" y=\"24\" font-size=\"16\" font-weight=\"bold\">capheap: board ", LEFT);
    put_escaped(c->f, board->name);
    fputs(", ", c->f);
    put_escaped(c->f, moment);
    fprintf(c->f, "</text>\n<text x=\"%.1f\" y=\"42\" font-size=\"12\">one row per region, all to one scale "
                  "(%.0f bytes per pixel); hover a block for its details</text>\n", LEFT, 1.0 / c->px_per_byte);
    c->y = TOP;
    for (size_t i = 0; i < board->region_count; i++) {
        draw_region(c, &board->regions[i]);
    }
    c->y += 4;
    draw_legend(c, true);
    fputs("</svg>\n", c->f);
}

static bool ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

picture_format_t picture_format_of(const char *path) {
    return ends_with(path, ".svg")                               ? PICTURE_SVG
           : ends_with(path, ".html") || ends_with(path, ".htm") ? PICTURE_HTML
                                                                 : PICTURE_NONE;
}

static int cannot_write(const char *path) {
    fprintf(stderr, "capheap: %s: cannot write: %s\n", path, strerror(errno));
    return 1;
}

int picture_write(const char *path, const tool_board_t *b, const replay_t *r, const char *moment) {
    canvas_t c = {0};
    c.f = fopen(path, "w");
    if (c.f == NULL) {
        return cannot_write(path);
    }
    c.b = b;
    c.r = r;
    index_live_blocks(&c);
    bool html = picture_format_of(path) == PICTURE_HTML;
    if (html) {
        fputs("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\">\n<head>\n<meta charset=\"utf-8\"/>\n"
              "<title>capheap heap picture</title>\n<style>body{font-family:sans-serif}"
              " rect:hover{stroke:black;stroke-width:1}</style>\n</head>\n<body>\n", c.f);
    } else {
        fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", c.f);
    }
    draw_svg(&c, moment);
    if (html) {
        fputs("</body>\n</html>\n", c.f);
    }
    free(c.live);
    bool failed = ferror(c.f) != 0; /* a write that failed before the last one */
    if (fclose(c.f) != 0 || failed) {
        return cannot_write(path);
    }
    return 0;
}
