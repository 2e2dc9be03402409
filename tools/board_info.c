/*
 * board_info.c: `capheap info`: a board's memory map (types, regions,
 * reserved ranges) and the heaps built from it, with their free bytes.
 */
#include <stdio.h>
#include <string.h>

#include "board.h"
#include "trace_input.h"

const char *fmt_count(unsigned long long v, char *buf, size_t len) {
    char digits[32];
    int n = snprintf(digits, sizeof digits, "%llu", v);
    size_t at = 0;
    for (int i = 0; i < n && at + 2 < len; i++) {
        if (i > 0 && (n - i) % 3 == 0) {
            buf[at++] = ',';
        }
        buf[at++] = digits[i];
    }
    buf[at] = '\0';
    return buf;
}

const char *fmt_bytes(unsigned long long v, char *buf, size_t len) {
    if (v < 1024) {
        snprintf(buf, len, "%llu B", v);
    } else if (v < 1024 * 1024) {
        snprintf(buf, len, "%.1f KiB", (double)v / 1024);
    } else {
        snprintf(buf, len, "%.2f MiB", (double)v / (1024 * 1024));
    }
    return buf;
}

/* The width of priority p's column: its longest caps, and at least min. */
static int caps_column(const capheap_board_t *board, int p, int min) {
    int width = min;
    for (size_t t = 0; t < board->type_count; t++) {
        char c[160];
        int n = (int)strlen(caps_describe(board->types[t].caps[p], c, sizeof c));
        width = n > width ? n : width;
    }
    return width;
}

static void print_types(FILE *out, const capheap_board_t *board) {
    int w0 = caps_column(board, 0, 22), w1 = caps_column(board, 1, 28);
    fprintf(out, "Memory types (caps by priority: tried first at 0, then 1, then 2)\n");
    for (size_t t = 0; t < board->type_count; t++) {
        char c[3][160];
        for (int p = 0; p < 3; p++) {
            caps_describe(board->types[t].caps[p], c[p], sizeof c[p]);
        }
        fprintf(out, "  %-18s 0: %-*s 1: %-*s 2: %s\n", board->types[t].name, w0, c[0], w1, c[1], c[2]);
    }
}

/* A type without 8BIT in any priority: the board says its memory is not for
 * 8- or 16-bit data (MALLOC_CAP_8BIT's meaning). On the ESP32 and ESP8266
 * that is instruction RAM, which takes aligned 32-bit accesses only
 * (scripts/word-only.sh checks a program against it). */
static bool words_only(const capheap_memory_type_t *type) {
    return ((type->caps[0] | type->caps[1] | type->caps[2]) & MALLOC_CAP_8BIT) == 0;
}

static void print_regions(FILE *out, const capheap_board_t *board) {
    char b[32];
    fprintf(out, "\nRegions (chip addresses; \"32BIT only\": no 8BIT in its caps, and on the ESP32 and ESP8266 "
                 "memory that\ntakes aligned 32-bit accesses only)\n");
    for (size_t i = 0; i < board->region_count; i++) {
        const capheap_region_t *r = &board->regions[i];
        fprintf(out, "  0x%08lX-0x%08lX %10s  %-18s", (unsigned long)r->start, (unsigned long)(r->start + r->size),
                fmt_bytes(r->size, b, sizeof b), board->types[r->type].name);
        if (r->alias.kind != CAPHEAP_ALIAS_NONE) {
            fprintf(out, " instruction bus 0x%08lX (%s)", (unsigned long)r->alias.start,
                    r->alias.kind == CAPHEAP_ALIAS_INVERTED ? "word order inverted" : "linear");
        }
        fprintf(out, "%s%s\n", (r->flags & CAPHEAP_REGION_STARTUP_STACK) ? " start-up stack" : "",
                words_only(&board->types[r->type]) ? " 32BIT only" : "");
    }
    if (board->reserved_count != 0) {
        fprintf(out, "\nReserved (not heap)\n");
    }
    for (size_t i = 0; i < board->reserved_count; i++) {
        const capheap_reserved_t *r = &board->reserved[i];
        fprintf(out, "  0x%08lX-0x%08lX %10s  %s\n", (unsigned long)r->start, (unsigned long)r->end,
                fmt_bytes(r->end - r->start, b, sizeof b), r->name);
    }
}

/* What malloc() takes from external RAM, and the cache lines DMA requests get. */
static void print_policies(FILE *out, const capheap_board_t *board) {
    if (board->extmem.internal_below != 0) {
        char n[32];
        fprintf(out, "\nmalloc() tries external RAM first from %s bytes on\n",
                fmt_count(board->extmem.internal_below, n, sizeof n));
    }
    if (board->extmem.dma_capable) {
        fputs("\nThe chip's DMA reaches its external RAM (esp_ptr_dma_ext_capable)\n", out);
    }
    if (board->cache.internal_line != 0 || board->cache.external_line != 0) {
        fprintf(out, "\nData cache lines: %u bytes for internal memory, %u for external (0: not cached);\n"
                     "DMA and CACHE_ALIGNED requests get whole lines\n",
                (unsigned)board->cache.internal_line, (unsigned)board->cache.external_line);
    }
}

static void print_heaps(FILE *out, const tool_board_t *tb) {
    char s[32], f[32], l[32], c[3][160];
    size_t total = 0, free_total = 0;
    fprintf(out, "\nHeaps (in the order the matching rule meets them within a priority)\n");
    fprintf(out, "  %-2s %-18s %-21s %10s %10s %10s  %s\n", "#", "type", "range (chip)", "size", "free",
            "largest", "caps 0 / 1 / 2");
    for (size_t i = 0; i < tb->heap_count; i++) {
        const tool_heap_t *h = &tb->heaps[i];
        multi_heap_info_t info;
        multi_heap_get_info(h->mh, &info);
        for (int p = 0; p < 3; p++) {
            caps_describe(h->caps[p], c[p], sizeof c[p]);
        }
        fprintf(out, "  %-2zu %-18s 0x%08lX-0x%08lX %10s %10s %10s  %s / %s / %s\n", i, h->name,
                (unsigned long)(h->start - (uintptr_t)tb->offset), (unsigned long)(h->end - (uintptr_t)tb->offset),
                fmt_count(h->end - h->start, s, sizeof s), fmt_count(info.total_free_bytes, f, sizeof f),
                fmt_count(info.largest_free_block, l, sizeof l), c[0], c[1], c[2]);
        total += h->end - h->start;
        free_total += info.total_free_bytes;
    }
    fprintf(out, "  %zu heaps, %s bytes, %s free\n", tb->heap_count, fmt_count(total, s, sizeof s),
            fmt_count(free_total, f, sizeof f));
}

void board_print_info(FILE *out, const tool_board_t *tb) {
    fprintf(out, "Board %s", tb->board->name);
    if (tb->offset != 0) {
        fprintf(out, " (on this host its memory is %+ld bytes from the chip's addresses)", (long)tb->offset);
    }
    fprintf(out, "\n\n");
    print_types(out, tb->board);
    print_regions(out, tb->board);
    print_policies(out, tb->board);
    print_heaps(out, tb);
}
