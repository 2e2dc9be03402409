/*
 * board.c: choosing a board for the tool, and `capheap boards` / `capheap info`.
 * The heaps are read from the registry (a private header of the library: the
 * tool is built with it, like the tests).
 */
#include "board.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "board_file.h"
#include "registry.h"

/* ---- the synthetic host board ----------------------------------------- */

/* One region of plain RAM, with what malloc() and DMA want: real traces from
 * processes (Android) replay on it meaningfully. */
static const capheap_memory_type_t host_types[] = {
    {"RAM", {MALLOC_CAP_DEFAULT | MALLOC_CAP_8BIT | MALLOC_CAP_32BIT | MALLOC_CAP_INTERNAL | MALLOC_CAP_DMA, 0, 0}},
};
static capheap_region_t host_region;
static capheap_board_t host_board;
static char host_name[48];

#define HOST_BOARD_START ((uintptr_t)0x20000000u)

/* host:SIZE takes a size as board files write one (board_parse_number). */
static bool parse_size(const char *text, size_t *size) {
    uint64_t v;
    if (!board_parse_number(text, true, &v) || v < 4096 || v > (SIZE_MAX >> 2)) {
        return false;
    }
    *size = (size_t)v;
    return true;
}

static const capheap_board_t *host_board_for(const char *size_text) {
    size_t size;
    if (!parse_size(size_text, &size)) {
        fprintf(stderr, "capheap: host board size '%s': expected bytes with an optional K, M or G (decimal or 0x), "
                        "at least 4096 (e.g. host:16M)\n", size_text);
        return NULL;
    }
    /* SIZE bytes exactly, as a board file's region of that size: the host maps
     * the pages around it. Rounded up to a page, the heap was larger than asked,
     * and a trace could fit it that a heap of SIZE bytes does not hold. */
    host_region = (capheap_region_t){HOST_BOARD_START, size, 0, 0, {CAPHEAP_ALIAS_NONE, 0}};
    snprintf(host_name, sizeof host_name, "host:%s", size_text);
    host_board = (capheap_board_t){host_name, host_types, 1, &host_region, 1, NULL, 0, {0}, {0, 0}};
    return &host_board;
}

/* ---- start and stop ---------------------------------------------------- */

void board_list(FILE *out, const char *indent) {
    for (size_t i = 0; capheap_board_name(i) != NULL; i++) {
        fprintf(out, "%s%s\n", indent, capheap_board_name(i));
    }
    fprintf(out, "%shost:SIZE (one region of SIZE bytes of plain RAM, e.g. host:16M)\n", indent);
    fprintf(out, "%sa board file: a path with a '/' or ending in .board (capheap board-file)\n", indent);
}

static void collect_heaps(tool_board_t *b) {
    b->heap_count = 0;
    for (size_t i = 0; i < capheap_registry_count() && b->heap_count < TOOL_MAX_HEAPS; i++) {
        const capheap_heap_t *h = capheap_registry_at(i);
        multi_heap_handle_t mh = capheap_heap_handle(h);
        if (mh == NULL) {
            continue;
        }
        tool_heap_t *t = &b->heaps[b->heap_count++];
        *t = (tool_heap_t){mh, h->start, h->end, 0, 0, {h->caps[0], h->caps[1], h->caps[2]}, h->type, h->name};
        if (h->alias.size != 0) {
            t->window_start = h->alias.start;
            t->window_end = h->alias.start + h->alias.size;
        }
    }
}

const capheap_board_t *board_lookup(const char *spec) {
    bool host = strncmp(spec, "host:", 5) == 0, file = !host && board_file_named(spec);
    const capheap_board_t *board = host ? host_board_for(spec + 5) : file ? board_file_load(spec) : capheap_board_find(spec);
    if (board == NULL && !host && !file) {
        fprintf(stderr, "capheap: unknown board '%s'; the known boards are:\n", spec);
        board_list(stderr, "  ");
    }
    return board;
}

esp_err_t board_build(const capheap_board_t *board, tool_board_t *out) {
    memset(out, 0, sizeof *out);
    esp_err_t err = capheap_init_board(board);
    if (err == ESP_OK) {
        out->board = capheap_current_board();
        out->offset = capheap_host_offset();
        collect_heaps(out);
    }
    return err;
}

bool board_start_board(const capheap_board_t *board, const char *label, tool_board_t *out) {
    esp_err_t err = board_build(board, out);
    if (err != ESP_OK) {
        fprintf(stderr, "capheap: cannot build the heaps of board %s (error 0x%x)\n", label, (unsigned)err);
        return false;
    }
    return true;
}

bool board_start(const char *spec, tool_board_t *out) {
    memset(out, 0, sizeof *out);
    const capheap_board_t *board = board_lookup(spec);
    return board != NULL && board_start_board(board, spec, out);
}

void board_stop(tool_board_t *b) {
    capheap_deinit();
    b->heap_count = 0;
}

int board_heap_of(const tool_board_t *b, const void *p) {
    uintptr_t a = (uintptr_t)p;
    for (size_t i = 0; i < b->heap_count; i++) {
        const tool_heap_t *h = &b->heaps[i];
        if ((a >= h->start && a < h->end) || (a >= h->window_start && a < h->window_end)) {
            return (int)i;
        }
    }
    return -1;
}
