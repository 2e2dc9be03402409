/*
 * picture.c: the SVG of picture.h. One scale for all rows (bytes per pixel of
 * the largest region), so regions compare by length. Blocks under 1.5 pixels
 * are pooled into one-pixel columns shaded by how much of them is used: a
 * heap of a million blocks stays a picture of a few thousand rectangles.
 */
#include "picture.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

static void index_live_blocks(canvas_t *c) {
    c->live_count = 0;
    if (c->r == NULL) {
        return;
    }
    c->live = tool_alloc(c->r->block_cap, sizeof *c->live, "the picture's blocks");
    for (size_t i = 0; i < c->r->block_cap; i++) {
        if (c->r->blocks[i].ptr != NULL) {
            c->live[c->live_count++] = (by_ptr_t){c->r->blocks[i].ptr, i};
        }
    }
    qsort(c->live, c->live_count, sizeof *c->live, by_address);
}

static const replay_block_t *trace_block_at(const canvas_t *c, void *ptr) {
    by_ptr_t key = {ptr, 0};
    const by_ptr_t *hit = c->live_count ? bsearch(&key, c->live, c->live_count, sizeof key, by_address) : NULL;
    return hit != NULL ? &c->r->blocks[hit->index] : NULL;
}

static size_t caps_colour(const canvas_t *c, uint32_t caps) {
    for (size_t i = 0; c->r != NULL && i < c->r->caps_count; i++) {
        if (c->r->caps[i].caps == caps) {
            return i % PALETTE_SIZE;
        }
    }
    return 0;
}

static double x_of(const canvas_t *c, uintptr_t chip) { return LEFT + (double)(chip - c->region_start) * c->px_per_byte; }

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

static void draw_block(canvas_t *c, void *ptr, size_t size, bool used) {
    uintptr_t chip = (uintptr_t)ptr - (uintptr_t)c->b->offset;
    double x = x_of(c, chip), w = (double)size * c->px_per_byte;
    if (w < 1.5) {
        add_to_bin(c, x, size, used);
        return;
    }
    flush_bin(c);
    const replay_block_t *t = used ? trace_block_at(c, ptr) : NULL;
    rect_open(c, x, w, !used ? FREE_COLOUR : palette[t != NULL ? caps_colour(c, t->caps) : 0]);
    fprintf(c->f, "%s block at 0x%08lx, %zu bytes", used ? "used" : "free", (unsigned long)chip, size);
    if (t != NULL) {
        char names[160];
        fprintf(c->f, "\nrequested %zu bytes with %s\ntrace line %lu", t->size,
                caps_describe(t->caps, names, sizeof names), t->line);
        if (t->caller != 0) {
            fprintf(c->f, ", caller 0x%08llx", (unsigned long long)t->caller);
        }
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
    multi_heap_info_t info;
    multi_heap_get_info(h->mh, &info);
    rect_open(c, x_of(c, start), (double)(end - start) * c->px_per_byte, OVERHEAD_COLOUR);
    fputs("heap ", c->f);
    put_escaped(c->f, h->name);
    fprintf(c->f, " 0x%08lx-0x%08lx: %zu bytes free, largest free block %zu (dark: control data and block headers)",
            (unsigned long)start, (unsigned long)end, info.total_free_bytes, info.largest_free_block);
    rect_close(c);
    multi_heap_walk(h->mh, walk_block, c);
    flush_bin(c);
}

static void draw_label(canvas_t *c, const capheap_region_t *reg) {
    char sz[32], fr[32], lg[32];
    size_t free_bytes = 0, largest = 0;
    for (size_t i = 0; i < c->b->heap_count; i++) {
        uintptr_t chip = c->b->heaps[i].start - (uintptr_t)c->b->offset;
        if (chip >= reg->start && chip < reg->start + reg->size) {
            multi_heap_info_t info;
            multi_heap_get_info(c->b->heaps[i].mh, &info);
            free_bytes += info.total_free_bytes;
            largest = info.largest_free_block > largest ? info.largest_free_block : largest;
        }
    }
    fprintf(c->f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"13\">", LEFT, c->y + 15);
    put_escaped(c->f, c->b->board->types[reg->type].name);
    fprintf(c->f, "  0x%08lX-0x%08lX  %s: %s free, largest free block %s</text>\n", (unsigned long)reg->start,
            (unsigned long)(reg->start + reg->size), fmt_bytes(reg->size, sz, sizeof sz),
            fmt_bytes(free_bytes, fr, sizeof fr), fmt_bytes(largest, lg, sizeof lg));
}

static void draw_region(canvas_t *c, const capheap_region_t *reg) {
    c->region_start = reg->start;
    draw_label(c, reg);
    rect_open(c, LEFT, (double)reg->size * c->px_per_byte, NOT_HEAP_COLOUR);
    fputs("not a heap here", c->f);
    rect_close(c);
    const capheap_board_t *board = c->b->board;
    for (size_t i = 0; i < board->reserved_count; i++) {
        const capheap_reserved_t *res = &board->reserved[i];
        if (res->start >= reg->start && res->end <= reg->start + reg->size) {
            rect_open(c, x_of(c, res->start), (double)(res->end - res->start) * c->px_per_byte, RESERVED_COLOUR);
            fprintf(c->f, "reserved 0x%08lx-0x%08lx: ", (unsigned long)res->start, (unsigned long)res->end);
            put_escaped(c->f, res->name);
            rect_close(c);
        }
    }
    for (size_t i = 0; i < c->b->heap_count; i++) {
        uintptr_t chip = c->b->heaps[i].start - (uintptr_t)c->b->offset;
        if (chip >= reg->start && chip < reg->start + reg->size) {
            draw_heap(c, &c->b->heaps[i]);
        }
    }
    c->y += ROW_HEIGHT;
}

static void legend_item(canvas_t *c, double *x, const char *fill, const char *text) {
    fprintf(c->f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"12\" fill=\"%s\"/>", *x, c->y, fill);
    fprintf(c->f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\">", *x + 16, c->y + 11);
    put_escaped(c->f, text);
    fputs("</text>\n", c->f);
    *x += 30 + 7.0 * (double)strlen(text);
    if (*x > BAR_WIDTH - 100) {
        *x = LEFT;
        c->y += 18;
    }
}

static void draw_legend(canvas_t *c) {
    double x = LEFT;
    char names[160], text[200];
    for (size_t i = 0; c->r != NULL && i < c->r->caps_count && i < PALETTE_SIZE; i++) {
        snprintf(text, sizeof text, "used: %s", caps_describe(c->r->caps[i].caps, names, sizeof names));
        legend_item(c, &x, palette[i], text);
    }
    legend_item(c, &x, FREE_COLOUR, "free");
    legend_item(c, &x, OVERHEAD_COLOUR, "heap control data, headers");
    legend_item(c, &x, RESERVED_COLOUR, "reserved");
    legend_item(c, &x, NOT_HEAP_COLOUR, "not a heap");
    c->y += 24;
}

/* ---- the document ------------------------------------------------------ */

static void draw_svg(canvas_t *c, const char *moment) {
    const capheap_board_t *board = c->b->board;
    size_t largest = 1;
    for (size_t i = 0; i < board->region_count; i++) {
        largest = board->regions[i].size > largest ? board->regions[i].size : largest;
    }
    c->px_per_byte = BAR_WIDTH / (double)largest;
    double height = TOP + (double)board->region_count * ROW_HEIGHT + 90;
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
    draw_legend(c);
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
