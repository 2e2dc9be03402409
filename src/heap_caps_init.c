/*
 * heap_caps_init.c: building heaps from a board (esp_heap_caps_init.h and the
 * native API of capheap.h): map the board's memory, make a heap of every piece
 * board_layout.c finds, and keep track of the board in use.
 */
#include <string.h>

#include "board_layout.h"
#include "boards.h"
#include "capheap/port.h"
#include "fail_inject.h"
#include "heap_caps_internal.h"
#include "log.h"

/** The board heap_caps_init() builds. */
#ifndef CAPHEAP_DEFAULT_BOARD
#define CAPHEAP_DEFAULT_BOARD "esp32"
#endif

/** Most host ranges one board may need (regions plus windows, after merging). */
#ifndef CAPHEAP_MAX_HOST_RANGES
#define CAPHEAP_MAX_HOST_RANGES 32
#endif

/* The board in use; changed only in the critical section. */
static struct {
    const capheap_board_t *board; /* NULL: none */
    intptr_t offset;              /* host address - chip address */
    capheap_port_range_t ranges[CAPHEAP_MAX_HOST_RANGES];
    size_t nranges;
    bool relocation_told; /* say it once per process */
} state;

/* ---- boards by name ---------------------------------------------------- */

const char *capheap_board_name(size_t i) {
    for (size_t k = 0; capheap_builtin_boards[k] != NULL; k++) {
        if (k == i) {
            return capheap_builtin_boards[k]->name;
        }
    }
    return NULL;
}

const capheap_board_t *capheap_board_find(const char *name) {
    for (size_t k = 0; name != NULL && capheap_builtin_boards[k] != NULL; k++) {
        if (strcmp(capheap_builtin_boards[k]->name, name) == 0) {
            return capheap_builtin_boards[k];
        }
    }
    return NULL;
}

const capheap_board_t *capheap_current_board(void) { return state.board; }

intptr_t capheap_host_offset(void) { return state.offset; }

const capheap_board_t *capheap_layout_board(void) {
    return state.board != NULL ? state.board : capheap_board_find(CAPHEAP_DEFAULT_BOARD);
}

/* ---- heap specs -------------------------------------------------------- */

/* Host address of chip address a of the layout board. */
static uintptr_t host(uintptr_t a) { return a + (uintptr_t)state.offset; }

static void spec_window(capheap_heap_spec_t *spec, capheap_bus_alias_t window) {
    spec->alias_kind = (uint8_t)window.kind;
    if (window.kind != CAPHEAP_ALIAS_NONE) {
        spec->alias_start = host(window.start);
        spec->alias_k = capheap_alias_constant(spec->alias_kind, spec->alias_start, spec->start, spec->end);
    }
}

void capheap_caps_spec(capheap_heap_spec_t *spec, const uint32_t caps[3], uintptr_t start, uintptr_t end) {
    memset(spec, 0, sizeof *spec);
    memcpy(spec->caps, caps, sizeof spec->caps);
    spec->start = start;
    spec->end = end;
    spec->type = -1;
    spec->name = "heap";
    spec->enabled = true;
    spec->window_image = capheap_alias_image;
    const capheap_board_t *b = capheap_layout_board();
    uintptr_t chip = start - (uintptr_t)state.offset;
    const capheap_region_t *r = b != NULL ? capheap_board_region_at(b, chip) : NULL;
    if (r == NULL || chip - r->start >= r->size || end - start > r->start + r->size - chip) {
        return; /* not wholly inside one region's data range */
    }
    if (memcmp(b->types[r->type].caps, caps, sizeof spec->caps) == 0) {
        spec->type = r->type;
        spec->name = b->types[r->type].name;
    }
    spec_window(spec, capheap_board_sub_alias(r, chip, chip + (end - start)));
}

/* ---- building ---------------------------------------------------------- */

typedef struct {
    const capheap_board_t *board;
    bool enable_stacks;
    size_t built;
} build_t;

static void build_piece(const capheap_piece_t *piece, void *user) {
    build_t *ctx = user;
    const capheap_memory_type_t *type = &ctx->board->types[piece->type];
    capheap_heap_spec_t spec;
    memset(&spec, 0, sizeof spec);
    memcpy(spec.caps, type->caps, sizeof spec.caps);
    spec.start = host(piece->start);
    spec.end = host(piece->end);
    spec.type = piece->type;
    spec.name = type->name;
    spec.enabled = ctx->enable_stacks || (piece->flags & CAPHEAP_REGION_STARTUP_STACK) == 0;
    spec_window(&spec, piece->alias);
    esp_err_t err = capheap_registry_add(&spec, NULL);
    if (err == ESP_OK) {
        ctx->built++;
    } else {
        capheap_logf("capheap: %s: no heap at %p..%p (%s, error 0x%x)\n", ctx->board->name, (void *)spec.start,
                     (void *)spec.end, type->name, (unsigned)err);
    }
}

static esp_err_t map_board(const capheap_board_t *b) {
    size_t n = capheap_board_host_ranges(b, state.ranges, CAPHEAP_MAX_HOST_RANGES);
    intptr_t offset = 0;
    if (n == 0) {
        capheap_logf("capheap: %s: the board needs more than %d ranges of host memory (CAPHEAP_MAX_HOST_RANGES), "
                     "or a linear window shares no pages with its region\n",
                     b->name, CAPHEAP_MAX_HOST_RANGES);
        return ESP_ERR_NO_MEM;
    }
    if (!capheap_port_memory_map(state.ranges, n, &offset)) {
        return ESP_ERR_NO_MEM;
    }
    state.nranges = n;
    state.offset = offset;
    if (offset != 0 && !state.relocation_told) {
        state.relocation_told = true;
        uintptr_t distance = offset < 0 ? -(uintptr_t)offset : (uintptr_t)offset;
        capheap_logf("capheap: the chip's addresses are taken on this host: board %s is mapped 0x%zx bytes %s\n",
                     b->name, (size_t)distance, offset < 0 ? "lower" : "higher");
    }
    return ESP_OK;
}

static void unmap_board(void) {
    if (state.nranges != 0) {
        capheap_port_memory_unmap(state.ranges, state.nranges, state.offset);
    }
    state.board = NULL;
    state.nranges = 0;
    state.offset = 0;
}

static esp_err_t build_locked(const capheap_board_t *b, bool enable_stacks) {
    if (state.board != NULL) {
        return ESP_ERR_INVALID_STATE;
    }
    esp_err_t err = map_board(b);
    if (err != ESP_OK) {
        return err;
    }
    state.board = b;
    capheap_caps_set_cache_lines(b->cache); /* before any list of caps is made */
    build_t ctx = {b, enable_stacks, 0};
    capheap_board_pieces(b, build_piece, &ctx);
    if (ctx.built == 0) {
        capheap_caps_set_cache_lines((capheap_cache_lines_t){0, 0});
        unmap_board();
        return ESP_ERR_NO_MEM;
    }
    if (b->extmem.internal_below != 0) {
        heap_caps_malloc_extmem_enable(b->extmem.internal_below);
    }
    return ESP_OK;
}

static esp_err_t build(const capheap_board_t *b, bool enable_stacks) {
    esp_err_t err = capheap_board_check(b);
    if (err != ESP_OK) {
        return err;
    }
    capheap_port_critical_enter();
    err = build_locked(b, enable_stacks);
    capheap_port_critical_exit();
    return err;
}

esp_err_t capheap_init_board(const capheap_board_t *board) { return build(board, true); }

esp_err_t capheap_init(const char *name) {
    const capheap_board_t *b = capheap_board_find(name);
    return b != NULL ? build(b, true) : ESP_ERR_NOT_FOUND;
}

void capheap_deinit(void) {
    capheap_port_critical_enter();
    capheap_registry_clear();
    capheap_caps_policy_reset();
    capheap_caps_monitor_reset();
    capheap_caps_set_cache_lines((capheap_cache_lines_t){0, 0});
    unmap_board();
    capheap_port_critical_exit();
    capheap_fail_reset(); /* takes the critical section itself */
}

/* ---- esp_heap_caps_init.h ---------------------------------------------- */

void heap_caps_init(void) {
    const capheap_board_t *b = capheap_board_find(CAPHEAP_DEFAULT_BOARD);
    esp_err_t err = b != NULL ? build(b, false) : ESP_ERR_NOT_FOUND;
    if (err != ESP_OK && err != ESP_ERR_INVALID_STATE) {
        capheap_port_abort("heap_caps_init: the default board's memory cannot be had");
    }
}

void heap_caps_enable_nonos_stack_heaps(void) {
    size_t n = capheap_registry_count();
    for (size_t i = 0; i < n; i++) {
        capheap_heap_t *h = capheap_registry_at(i);
        if (capheap_heap_handle(h) == NULL) {
            (void)capheap_registry_enable(h);
        }
    }
}

esp_err_t heap_caps_add_region_with_caps(const uint32_t caps[], intptr_t start, intptr_t end) {
    /* Addresses compare as unsigned: on 32-bit chips RAM may lie above 2 GiB. */
    uintptr_t lo = (uintptr_t)start, hi = (uintptr_t)end;
    if (caps == NULL || lo == 0 || hi == 0 || hi <= lo) {
        return ESP_ERR_INVALID_ARG;
    }
    capheap_heap_spec_t spec;
    capheap_caps_spec(&spec, caps, lo, hi);
    return capheap_registry_add(&spec, NULL);
}

bool heap_caps_check_add_region_allowed(intptr_t heap_start, intptr_t heap_end, intptr_t start, intptr_t end) {
    /* As ESP-IDF compares them: signed. */
    bool over_start = start < heap_start && end > heap_start;
    bool over_end = start < heap_end && end > heap_end;
    bool same = start == heap_start && end == heap_end;
    return !(over_start || over_end || same);
}

esp_err_t heap_caps_add_region(intptr_t start, intptr_t end) {
    if (start == 0) {
        return ESP_ERR_INVALID_ARG;
    }
    const capheap_board_t *b = capheap_layout_board();
    uintptr_t chip = (uintptr_t)start - (uintptr_t)state.offset;
    const capheap_region_t *r = b != NULL ? capheap_board_region_at(b, chip) : NULL;
    if (r == NULL || chip - r->start >= r->size) {
        return ESP_ERR_NOT_FOUND; /* (a window address is not a region's start) */
    }
    return heap_caps_add_region_with_caps(b->types[r->type].caps, start, end);
}
