/*
 * test_boards.c: boards as data, and the native API that builds heaps from
 * them: the esp32 boards give BOARDS.md's heaps, a board of one's own is merged
 * and cut as documented, inconsistent boards are refused, the lifecycle
 * (init, deinit, init again) holds, capheap_ptr_caps answers for either bus,
 * and the host model maps the board at the chip's addresses or moves it.
 */
#define _GNU_SOURCE
#include "caps_test.h"
#include "child_process.h"
#include "multi_heap_internal.h" /* the fail floor */

#include <sys/mman.h>

#define KIB 1024u

static int teardown(void **state) {
    (void)state;
    capheap_deinit();
    caps_default_reports();
    return 0;
}

/* ---- esp32 --------------------------------------------------------------- */

typedef struct {
    uintptr_t start, end; /* chip addresses */
    const char *type;
} expected_heap_t;

/* BOARDS.md: DRAM 6,432 + 184,320; D/IRAM 15,072 + 113,840; IRAM 92,160. */
static const expected_heap_t esp32_heaps[] = {
    {0x3FFAE6E0, 0x3FFB0000, "DRAM"},   {0x3FFB3000, 0x3FFE0000, "DRAM"},
    {0x3FFE0440, 0x3FFE3F20, "D/IRAM"}, {0x3FFE4350, 0x40000000, "D/IRAM"},
    {0x40089800, 0x400A0000, "IRAM"},
};

/* A heap's own data (control structures) is small: under 1/64 of it + 256. */
static void assert_small_overhead(size_t size, size_t free_bytes) {
    assert_true(free_bytes <= size);
    assert_true(free_bytes >= size - (size / 64 + 256));
}

static void assert_heaps(const expected_heap_t *want, size_t n) {
    assert_int_equal(capheap_registry_count(), n);
    for (size_t i = 0; i < n; i++) {
        capheap_heap_t *h = capheap_registry_at(i);
        assert_int_equal(h->start, caps_host(want[i].start));
        assert_int_equal(h->end, caps_host(want[i].end));
        assert_string_equal(h->name, want[i].type);
        multi_heap_handle_t mh = capheap_heap_handle(h);
        assert_non_null(mh);
        assert_small_overhead(want[i].end - want[i].start, multi_heap_free_size(mh));
    }
}

static void esp32_gives_the_typical_application_heaps(void **state) {
    (void)state;
    assert_int_equal(capheap_init("esp32"), ESP_OK);
    assert_ptr_equal(capheap_current_board(), capheap_board_find("esp32"));
    assert_heaps(esp32_heaps, 5);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_8BIT), 6432 + 184320 + 15072 + 113840);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_EXEC), 15072 + 113840 + 92160);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_DMA), 6432 + 184320 + 15072 + 113840);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_SPIRAM), 0);
    /* caps[] of each type, as BOARDS.md's table gives them */
    const capheap_heap_t *dram = capheap_registry_at(0), *diram = capheap_registry_at(2);
    const capheap_heap_t *iram = capheap_registry_at(4);
    assert_int_equal(dram->caps[0], MALLOC_CAP_8BIT | MALLOC_CAP_DEFAULT);
    assert_int_equal(dram->caps[1], MALLOC_CAP_INTERNAL | MALLOC_CAP_DMA | MALLOC_CAP_32BIT);
    assert_int_equal(dram->caps[2], 0);
    assert_int_equal(diram->caps[0], 0);
    assert_int_equal(diram->caps[1], MALLOC_CAP_DMA | MALLOC_CAP_8BIT | MALLOC_CAP_INTERNAL | MALLOC_CAP_DEFAULT);
    assert_int_equal(diram->caps[2], MALLOC_CAP_32BIT | MALLOC_CAP_EXEC);
    assert_int_equal(iram->caps[0], MALLOC_CAP_INTERNAL | MALLOC_CAP_EXEC | MALLOC_CAP_32BIT);
    /* the D/IRAM heaps have their inverted windows on the instruction bus */
    assert_int_equal(capheap_registry_at(3)->alias.start, caps_host(0x400A0000));
    assert_int_equal(capheap_registry_at(3)->alias.size, 113840);
    assert_int_equal(capheap_registry_at(2)->alias.start, caps_host(0x400A0000 + (0x40000000 - 0x3FFE3F20)));
    assert_int_equal(capheap_registry_at(0)->alias.size, 0);
    assert_true(heap_caps_check_integrity_all(true));
}

static void esp32_psram_adds_external_ram_and_keeps_internal_back(void **state) {
    (void)state;
    static const expected_heap_t want[] = {
        {0x3F800000, 0x3FC00000, "SPIRAM"},           {0x3FFAE6E0, 0x3FFB0000, "DRAM"},
        {0x3FFB3000, 0x3FFD8000, "DRAM"},             {0x3FFD8000, 0x3FFE0000, "DRAM (kept back)"},
        {0x3FFE0440, 0x3FFE3F20, "D/IRAM"},           {0x3FFE4350, 0x40000000, "D/IRAM"},
        {0x40089800, 0x400A0000, "IRAM"},
    };
    assert_int_equal(capheap_init("esp32-psram"), ESP_OK);
    assert_heaps(want, 7);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_SPIRAM), 4 * KIB * KIB);
    /* internal RAM is the same as on esp32; 32 KiB of it has no DEFAULT */
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_INTERNAL | MALLOC_CAP_8BIT), 6432 + 184320 + 15072 + 113840);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_INTERNAL | MALLOC_CAP_DEFAULT),
                     6432 + 184320 - 32768 + 15072 + 113840);
}

static void board_names_and_lookup(void **state) {
    (void)state;
    assert_string_equal(capheap_board_name(0), "esp32");
    assert_string_equal(capheap_board_name(1), "esp32-psram");
    size_t n = 0;
    while (capheap_board_name(n) != NULL) {
        assert_non_null(capheap_board_find(capheap_board_name(n)));
        n++;
    }
    assert_true(n >= 2);
    assert_null(capheap_board_name(n));
    assert_null(capheap_board_name(n + 100));
    assert_null(capheap_board_find("esp8285"));
    assert_null(capheap_board_find(NULL));
    assert_int_equal(capheap_init("esp8285"), ESP_ERR_NOT_FOUND);
    assert_int_equal(capheap_init(NULL), ESP_ERR_NOT_FOUND);
    assert_null(capheap_current_board());
}

static void init_twice_deinit_and_init_again(void **state) {
    (void)state;
    assert_int_equal(capheap_init("esp32"), ESP_OK);
    void *p = heap_caps_malloc(100, MALLOC_CAP_8BIT);
    assert_non_null(p);
    assert_int_equal(capheap_init("esp32"), ESP_ERR_INVALID_STATE);
    assert_int_equal(capheap_init("esp32-psram"), ESP_ERR_INVALID_STATE);
    assert_int_equal(capheap_init_board(capheap_board_find("esp32")), ESP_ERR_INVALID_STATE);
    capheap_deinit();
    assert_null(capheap_current_board());
    assert_int_equal(capheap_registry_count(), 0);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_8BIT), 0);
    assert_null(heap_caps_malloc(100, MALLOC_CAP_8BIT));
    capheap_deinit(); /* twice is harmless */
    for (int round = 0; round < 3; round++) {
        assert_int_equal(capheap_init(round % 2 ? "esp32-psram" : "esp32"), ESP_OK);
        void *q = heap_caps_malloc(1000, MALLOC_CAP_8BIT);
        assert_non_null(q);
        memset(q, 0x5A, 1000);
        heap_caps_free(q);
        assert_true(heap_caps_check_integrity_all(true));
        capheap_deinit();
    }
}

/* ---- capheap_ptr_caps ---------------------------------------------------- */

static void ptr_caps_tells_the_memory_type(void **state) {
    (void)state;
    assert_int_equal(capheap_ptr_caps(caps_ptr(0x3FFB4000)), 0); /* before init: no board */
    assert_int_equal(capheap_init("esp32"), ESP_OK);
    const uint32_t dram =
        MALLOC_CAP_8BIT | MALLOC_CAP_DEFAULT | MALLOC_CAP_INTERNAL | MALLOC_CAP_DMA | MALLOC_CAP_32BIT;
    const uint32_t diram = dram | MALLOC_CAP_EXEC;
    const uint32_t iram = MALLOC_CAP_INTERNAL | MALLOC_CAP_EXEC | MALLOC_CAP_32BIT;
    void *d = heap_caps_malloc(64, MALLOC_CAP_8BIT);
    void *x = heap_caps_malloc(64, MALLOC_CAP_EXEC);
    assert_int_equal(capheap_ptr_caps(d), dram);
    assert_int_equal(capheap_ptr_caps(x), iram);
    assert_int_equal(capheap_ptr_caps(caps_ptr(0x3FFAE000)), dram);   /* ROM data: still DRAM */
    assert_int_equal(capheap_ptr_caps(caps_ptr(0x3FFB1000)), dram);   /* .bss: still DRAM */
    assert_int_equal(capheap_ptr_caps(caps_ptr(0x3FFFFFFF)), diram);
    assert_int_equal(capheap_ptr_caps(caps_ptr(0x400A0000)), diram);  /* D/IRAM's instruction bus */
    assert_int_equal(capheap_ptr_caps(caps_ptr(0x400BFFFC)), diram);
    assert_int_equal(capheap_ptr_caps(caps_ptr(0x40070000)), iram);   /* the cache: still IRAM */
    assert_int_equal(capheap_ptr_caps(caps_ptr(0x4009FFFF)), iram);
    assert_int_equal(capheap_ptr_caps(caps_ptr(0x400C0000)), 0);
    assert_int_equal(capheap_ptr_caps(caps_ptr(0x40000000)), 0);
    assert_int_equal(capheap_ptr_caps(caps_ptr(0x3FFADFFF)), 0);
    assert_int_equal(capheap_ptr_caps(caps_ptr(0x3F800000)), 0);      /* no PSRAM on this board */
    assert_int_equal(capheap_ptr_caps(NULL), 0);
    static int on_the_host;
    assert_int_equal(capheap_ptr_caps(&on_the_host), 0);
    heap_caps_free(d);
    heap_caps_free(x);
    capheap_deinit();
    assert_int_equal(capheap_init("esp32-psram"), ESP_OK);
    assert_int_equal(capheap_ptr_caps(caps_ptr(0x3F900000)),
                     MALLOC_CAP_SPIRAM | MALLOC_CAP_DEFAULT | MALLOC_CAP_8BIT | MALLOC_CAP_32BIT);
    assert_int_equal(capheap_ptr_caps(caps_ptr(0x3FFD9000)),
                     MALLOC_CAP_DMA | MALLOC_CAP_INTERNAL | MALLOC_CAP_8BIT | MALLOC_CAP_32BIT);
}

/* ---- a board of one's own ----------------------------------------------- */

enum { FAST, SLOW, CODE };

static const capheap_memory_type_t my_types[] = {
    [FAST] = {"FAST", {MALLOC_CAP_8BIT | MALLOC_CAP_DEFAULT, MALLOC_CAP_INTERNAL | MALLOC_CAP_DMA, 0}},
    [SLOW] = {"SLOW", {MALLOC_CAP_SPIRAM, 0, MALLOC_CAP_8BIT | MALLOC_CAP_DEFAULT}},
    [CODE] = {"CODE", {0, MALLOC_CAP_8BIT | MALLOC_CAP_INTERNAL, MALLOC_CAP_EXEC | MALLOC_CAP_32BIT}},
};

#define MY 0x20000000u

static const capheap_region_t my_regions[] = {
    {MY + 0x0000, 0x1000, FAST, 0, {CAPHEAP_ALIAS_NONE, 0}},
    {MY + 0x1000, 0x1000, FAST, 0, {CAPHEAP_ALIAS_NONE, 0}}, /* touches the one before: merged */
    {MY + 0x2000, 0x2000, SLOW, 0, {CAPHEAP_ALIAS_NONE, 0}}, /* touches, other type: not merged */
    {MY + 0x5000, 0x80, FAST, 0, {CAPHEAP_ALIAS_NONE, 0}},   /* too small for a heap: dropped */
    {MY + 0x6000, 0x1000, FAST, 0, {CAPHEAP_ALIAS_NONE, 0}}, /* reserved all but a sliver */
    {MY + 0x10000, 0x4000, CODE, 0, {CAPHEAP_ALIAS_LINEAR, MY + 0x1010000}},
};

static const capheap_reserved_t my_reserved[] = {
    {MY + 0x0800, MY + 0x0900, "splits the merged FAST region"},
    {MY + 0x2000, MY + 0x2F80, "the start of SLOW"},
    {MY + 0x6000, MY + 0x6F80, "most of the last FAST region"},
};

static const capheap_board_t my_board = {
    .name = "my-chip",
    .types = my_types,
    .type_count = 3,
    .regions = my_regions,
    .region_count = 6,
    .reserved = my_reserved,
    .reserved_count = 3,
};

static void own_board_merges_cuts_and_drops(void **state) {
    (void)state;
    static const expected_heap_t want[] = {
        {MY + 0x0000, MY + 0x0800, "FAST"},
        {MY + 0x0900, MY + 0x2000, "FAST"},
        {MY + 0x2F80, MY + 0x4000, "SLOW"},
        {MY + 0x10000, MY + 0x14000, "CODE"},
    };
    assert_int_equal(capheap_init_board(&my_board), ESP_OK);
    assert_ptr_equal(capheap_current_board(), &my_board);
    assert_heaps(want, 4);
    /* an 8-bit request: FAST first (priority 0), then CODE (1), then SLOW (2) */
    void *p = heap_caps_malloc(64, MALLOC_CAP_8BIT);
    assert_ptr_equal(caps_heap_of(p), capheap_registry_at(0));
    assert_int_equal(capheap_ptr_caps(p), MALLOC_CAP_8BIT | MALLOC_CAP_DEFAULT | MALLOC_CAP_INTERNAL | MALLOC_CAP_DMA);
    heap_caps_free(p);
}

static void own_board_linear_window_shares_memory(void **state) {
    (void)state;
    assert_int_equal(capheap_init_board(&my_board), ESP_OK);
    capheap_heap_t *code = capheap_registry_at(3);
    assert_int_equal(code->alias.start, caps_host(MY + 0x1010000));
    uint8_t *x = heap_caps_malloc(100, MALLOC_CAP_EXEC);
    assert_non_null(x);
    assert_ptr_equal(caps_heap_of_window(x), code);
    assert_int_equal((uintptr_t)x % 4, 0);
    uint8_t *data = x - (caps_host(MY + 0x1010000) - caps_host(MY + 0x10000));
    assert_ptr_equal(caps_heap_of(data), code);
    memset(x, 0x3C, 100);
    for (int i = 0; i < 100; i++) {
        assert_int_equal(data[i], 0x3C); /* the same memory through both buses */
    }
    assert_true(heap_caps_get_allocated_size(x) >= 100);
    assert_int_equal(capheap_ptr_caps(x), capheap_ptr_caps(data));
    uint8_t *y = heap_caps_aligned_alloc(256, 300, MALLOC_CAP_EXEC);
    assert_non_null(y);
    assert_int_equal((uintptr_t)y % 256, 0);
    assert_ptr_equal(caps_heap_of_window(y), code);
    heap_caps_free(x);
    heap_caps_free(y);
    assert_int_equal(code->hot->mh != NULL, 1);
    assert_true(heap_caps_check_integrity_all(true));
}

/* A block allocated at its data address is also at its linear window's
 * address, whatever its size (1 byte here: poisoning counts it so): the
 * window address has the same allocated size and frees the block. */
static void linear_window_address_of_a_one_byte_block(void **state) {
    (void)state;
    assert_int_equal(capheap_init_board(&my_board), ESP_OK);
    capheap_heap_t *code = capheap_registry_at(3);
    caps_record_reports();
    uint8_t *data = multi_heap_malloc(capheap_heap_handle(code), 1);
    assert_non_null(data);
    uint8_t *x = data + (caps_host(MY + 0x1010000) - caps_host(MY + 0x10000));
    assert_int_equal(heap_caps_get_allocated_size(x), heap_caps_get_allocated_size(data));
    size_t free_before = heap_caps_get_free_size(MALLOC_CAP_EXEC);
    heap_caps_free(x);
    assert_true(heap_caps_get_free_size(MALLOC_CAP_EXEC) > free_before);
    assert_int_equal(caps_reports.count, 0);
}

/* Regions of one type that touch are one heap when their windows touch too,
 * in the window's own direction: a linear window goes on above, an inverted
 * one below (it runs backwards); a window elsewhere, or none beside one,
 * keeps them apart. */
static void own_board_merges_touching_windows(void **state) {
    (void)state;
    static const capheap_region_t windows[] = {
        {MY + 0x10000, 0x4000, CODE, 0, {CAPHEAP_ALIAS_LINEAR, MY + 0x1010000}},
        {MY + 0x14000, 0x2000, CODE, 0, {CAPHEAP_ALIAS_LINEAR, MY + 0x1014000}}, /* goes on: merged */
        {MY + 0x16000, 0x2000, CODE, 0, {CAPHEAP_ALIAS_LINEAR, MY + 0x1030000}}, /* elsewhere: apart */
        {MY + 0x20000, 0x1000, CODE, 0, {CAPHEAP_ALIAS_INVERTED, MY + 0x1041000}},
        {MY + 0x21000, 0x1000, CODE, 0, {CAPHEAP_ALIAS_INVERTED, MY + 0x1040000}}, /* below: merged */
        {MY + 0x22000, 0x1000, CODE, 0, {CAPHEAP_ALIAS_NONE, 0}},                /* no window: apart */
    };
    static const expected_heap_t want[] = {
        {MY + 0x10000, MY + 0x16000, "CODE"},
        {MY + 0x16000, MY + 0x18000, "CODE"},
        {MY + 0x20000, MY + 0x22000, "CODE"},
        {MY + 0x22000, MY + 0x23000, "CODE"},
    };
    capheap_board_t b = my_board;
    b.regions = windows;
    b.region_count = sizeof windows / sizeof windows[0];
    b.reserved_count = 0;
    assert_int_equal(capheap_init_board(&b), ESP_OK);
    assert_heaps(want, 4);
    assert_int_equal(capheap_registry_at(0)->alias.start, caps_host(MY + 0x1010000));
    assert_int_equal(atomic_load(&capheap_registry_at(0)->alias.size), 0x6000);
    assert_int_equal(capheap_registry_at(1)->alias.start, caps_host(MY + 0x1030000));
    assert_int_equal(capheap_registry_at(2)->alias.start, caps_host(MY + 0x1040000));
    assert_int_equal(atomic_load(&capheap_registry_at(2)->alias.size), 0x2000);
    assert_int_equal(atomic_load(&capheap_registry_at(3)->alias.size), 0);
}

/* my_board with one region of CODE, its only EXEC memory, seen through an
 * inverted window at window; corruption reports recorded. */
static void init_inverted_window_board(uintptr_t window) {
    static capheap_region_t region;
    region = (capheap_region_t){MY + 0x20000, 0x2000, CODE, 0, {CAPHEAP_ALIAS_INVERTED, window}};
    static capheap_board_t b;
    b = my_board;
    b.regions = &region;
    b.region_count = 1;
    b.reserved_count = 0;
    caps_record_reports();
    assert_int_equal(capheap_init_board(&b), ESP_OK);
}

/* An inverted window that starts a chip word off the grain (as an exec
 * address may): each EXEC block through it keeps the word that finds its
 * data block inside its own window, and goes back without a report; a
 * block as large as the largest free one says fits. */
static void own_board_inverted_window_off_the_grain(void **state) {
    (void)state;
    init_inverted_window_board(MY + 0x1040004);
    uint8_t *x[8];
    for (size_t i = 0; i < 8; i++) {
        x[i] = heap_caps_malloc(100 + 8 * i, MALLOC_CAP_EXEC);
        assert_non_null(x[i]);
        assert_int_equal((uintptr_t)x[i] % 4, 0);
        assert_true((uintptr_t)x[i] - caps_host(MY + 0x1040004) < 0x2000); /* in the window */
        memset(x[i], 0x5A, 100 + 8 * i);
    }
    for (size_t i = 0; i < 8; i++) {
        heap_caps_free(x[i]);
    }
    size_t largest = heap_caps_get_largest_free_block(MALLOC_CAP_EXEC);
    void *all = heap_caps_malloc(largest, MALLOC_CAP_EXEC);
    assert_non_null(all);
    heap_caps_free(all);
    assert_int_equal(caps_reports.count, 0);
    assert_true(heap_caps_check_integrity_all(true));
}

/* Through an inverted window, every address of an EXEC block is in that
 * block, its first and last byte and the word below it (where it keeps its
 * data-bus address) alike; neighbours are blocks of other sizes. */
static void inverted_window_addresses_are_in_their_block(void **state) {
    (void)state;
    init_inverted_window_board(MY + 0x1040000);
    uint8_t *x[6];
    for (size_t i = 0; i < 6; i++) {
        x[i] = heap_caps_malloc(40 + 24 * i, MALLOC_CAP_EXEC);
        assert_non_null(x[i]);
    }
    for (size_t i = 0; i < 6; i++) {
        size_t full = heap_caps_get_containing_block_size(x[i]);
        assert_true(full >= 40 + 24 * i);
        for (uint8_t *p = x[i] - 4; p < x[i] + 40 + 24 * i; p++) {
            assert_int_equal(heap_caps_get_containing_block_size(p), full);
        }
    }
    for (size_t i = 0; i < 6; i++) {
        heap_caps_free(x[i]);
    }
    assert_int_equal(caps_reports.count, 0);
}

/* Filled through its inverted window down to the last byte it gives, the
 * heap has no EXEC block left to offer: the largest is 0. Every block goes
 * back without a report, the ones at either end of the window included. */
static void inverted_window_filled_offers_nothing(void **state) {
    (void)state;
    init_inverted_window_board(MY + 0x1040000);
    void *blocks[1024];
    size_t n = 0;
    for (size_t size = 1024; size > 0; size /= 2) {
        void *p;
        while ((p = heap_caps_malloc(size, MALLOC_CAP_EXEC)) != NULL) {
            assert_true(n < 1024);
            blocks[n++] = p;
        }
    }
    assert_int_equal(heap_caps_get_largest_free_block(MALLOC_CAP_EXEC), 0);
    while (n > 0) {
        heap_caps_free(blocks[--n]);
    }
    assert_int_equal(caps_reports.count, 0);
    assert_true(heap_caps_check_integrity_all(true));
}

/* The EXEC block x's stored word (its data-bus address, in the word below
 * x) copied into the word below forged, inside x's window: forged looks
 * like an address an allocation returned. */
static uint8_t *forge_stored_word(uint8_t *x, uint8_t *forged) {
    uintptr_t stored;
    memcpy(&stored, x - sizeof stored, sizeof stored);
    memcpy(forged - sizeof stored, &stored, sizeof stored);
    return forged;
}

/* A free of an address no EXEC block returned is refused, even one that is
 * off the grain inside a block whose bytes below it copy the block's stored
 * word: the block stays allocated. */
static void inverted_window_refuses_a_forged_address(void **state) {
    (void)state;
    init_inverted_window_board(MY + 0x1040000);
    uint8_t *x = heap_caps_malloc(64, MALLOC_CAP_EXEC);
    assert_non_null(x);
    uint8_t *forged = forge_stored_word(x, x + 1 + sizeof(uintptr_t));
    heap_caps_free(forged);
    assert_int_equal(caps_reports.count, 1);
    assert_ptr_equal(caps_reports.addr, forged);
    assert_true(heap_caps_get_allocated_size(x) >= 64);
    heap_caps_free(x);
    assert_int_equal(caps_reports.count, 1);
}

/* The address just past an EXEC block's window (its end, on the grain) is no
 * address of that block, even when the block's last word copies its stored
 * word: the free is refused and the block stays allocated. (The block below
 * keeps that end inside the window.) */
static void inverted_window_refuses_the_end_of_a_block(void **state) {
    (void)state;
    init_inverted_window_board(MY + 0x1040000);
    uint8_t *top = heap_caps_malloc(64, MALLOC_CAP_EXEC); /* the window's last bytes */
    uint8_t *x = heap_caps_malloc(64, MALLOC_CAP_EXEC);
    assert_non_null(top);
    assert_non_null(x);
    size_t usable = heap_caps_get_allocated_size(x); /* to the end of its window */
    uint8_t *end = forge_stored_word(x, x + usable);
    heap_caps_free(end);
    assert_int_equal(caps_reports.count, 1);
    assert_ptr_equal(caps_reports.addr, end);
    assert_int_equal(heap_caps_get_allocated_size(x), usable);
    heap_caps_free(x);
    heap_caps_free(top);
    assert_int_equal(caps_reports.count, 1);
    assert_true(heap_caps_check_integrity_all(true));
}

/* The start of an EXEC block's window (rounded down to the grain) is no
 * address of that block either: the word below it lies outside the block's
 * window, so a free there is refused even when that word copies the block's
 * stored word, and the block stays allocated. The window's start is its end
 * less the usable size of the block's data-bus address. */
static void inverted_window_refuses_the_start_of_a_block(void **state) {
    (void)state;
    init_inverted_window_board(MY + 0x1040000);
    uint8_t *x = heap_caps_malloc(64, MALLOC_CAP_EXEC); /* the window's last bytes */
    assert_non_null(x);
    size_t usable = heap_caps_get_allocated_size(x); /* to the end of its window */
    uintptr_t data;
    memcpy(&data, x - sizeof data, sizeof data);
    size_t block = heap_caps_get_allocated_size((void *)data);
    assert_true(block >= usable + sizeof data);
    uintptr_t window_start = (uintptr_t)x + usable - block;
    uint8_t *start = forge_stored_word(x, (uint8_t *)(window_start & ~(uintptr_t)(MULTI_HEAP_ALIGN - 1)));
    heap_caps_free(start);
    assert_int_equal(caps_reports.count, 1);
    assert_ptr_equal(caps_reports.addr, start);
    assert_int_equal(heap_caps_get_allocated_size(x), usable);
    heap_caps_free(x);
    assert_int_equal(caps_reports.count, 1);
    assert_true(heap_caps_check_integrity_all(true));
}

/* The first address of an inverted window is no EXEC block's: its stored
 * word would lie below the window, which is not read (on the host, nothing
 * is mapped there). Free and size refuse it with a report. */
static void inverted_window_refuses_its_first_address(void **state) {
    (void)state;
    init_inverted_window_board(MY + 0x1040000);
    void *first = caps_ptr(MY + 0x1040000);
    heap_caps_free(first);
    assert_int_equal(caps_reports.count, 1);
    assert_ptr_equal(caps_reports.addr, first);
    assert_int_equal(heap_caps_get_allocated_size(first), 0);
    assert_int_equal(caps_reports.count, 2);
}

/* my_board with three regions of CODE: the first seen through an inverted
 * window, the two after it with none (the middle one small). */
static void init_window_then_plain_board(void) {
    static const capheap_region_t code[] = {
        {MY + 0x20000, 0x2000, CODE, 0, {CAPHEAP_ALIAS_INVERTED, MY + 0x1040000}},
        {MY + 0x24000, 0x1000, CODE, 0, {CAPHEAP_ALIAS_NONE, 0}},
        {MY + 0x28000, 0x4000, CODE, 0, {CAPHEAP_ALIAS_NONE, 0}},
    };
    static capheap_board_t b;
    b = my_board;
    b.regions = code;
    b.region_count = 3;
    b.reserved_count = 0;
    assert_int_equal(capheap_init_board(&b), ESP_OK);
}

/* An EXEC list whose first heap is asked through its (inverted) window goes
 * down the list by the rules' loop; a heap after it asked at its own address
 * gets a plain request there, as on the fast path: when it cannot serve, it
 * keeps its fail floor (asked with an alignment, even 1, it would keep none),
 * and the next heap serves. */
static void exec_heap_after_a_window_heap_keeps_its_fail_floor(void **state) {
    (void)state;
    init_window_then_plain_board();
    multi_heap_handle_t small = capheap_heap_handle(capheap_registry_at(1));
    void *p = heap_caps_malloc(64, MALLOC_CAP_EXEC); /* the slow path caches the list */
    assert_ptr_equal(caps_heap_of_window(p), capheap_registry_at(0));
    heap_caps_free(p);
    assert_int_equal(capheap_multi_heap_fail_floor(small), SIZE_MAX);
    p = heap_caps_malloc(0x2000, MALLOC_CAP_EXEC); /* more than the first two have */
    assert_ptr_equal(caps_heap_of(p), capheap_registry_at(2));
    assert_true(capheap_multi_heap_fail_floor(small) <= 0x2000);
    heap_caps_free(p);
    assert_true(heap_caps_check_integrity_all(true));
}

/* Whatever the heaps after it, an EXEC list whose first heap has a window
 * asks that heap through its window on every call, the ones that find the
 * list cached too: an EXEC block is never at its data address. */
static void exec_list_asks_its_first_heap_through_its_window_on_every_call(void **state) {
    (void)state;
    init_window_then_plain_board();
    for (int i = 0; i < 3; i++) { /* the slow path caches the list; the others find it */
        void *p = heap_caps_malloc(64, MALLOC_CAP_EXEC);
        assert_ptr_equal(caps_heap_of_window(p), capheap_registry_at(0));
        heap_caps_free(p);
    }
    assert_true(heap_caps_check_integrity_all(true));
}

/* A window below its data: the alias constant wraps around, which pointer
 * sums may not (clang's UBSan: fuzz_tool_inputs's regress-linear-window-below-data). */
static void own_board_linear_window_below_its_data(void **state) {
    (void)state;
    static const capheap_region_t below[] = {{MY + 0x10000, 0x4000, CODE, 0, {CAPHEAP_ALIAS_LINEAR, MY - 0x1000000}}};
    capheap_board_t b = my_board;
    b.regions = below;
    b.region_count = 1;
    b.reserved_count = 0;
    assert_int_equal(capheap_init_board(&b), ESP_OK);
    uint8_t *x = heap_caps_malloc(100, MALLOC_CAP_EXEC);
    assert_non_null(x);
    assert_true((uintptr_t)x - caps_host(MY - 0x1000000) < 0x4000); /* in the window */
    uint8_t *data = (uint8_t *)((uintptr_t)x + (caps_host(MY + 0x10000) - caps_host(MY - 0x1000000)));
    memset(x, 0x5A, 100);
    assert_int_equal(data[99], 0x5A); /* the same memory through both buses */
    assert_true(heap_caps_get_allocated_size(x) >= 100);
    heap_caps_free(x);
    assert_true(heap_caps_check_integrity_all(true));
}

/* One linear window listed in two pieces of different types, split off a
 * page boundary (as the esp32s3 board's SRAM1 at the start-up stacks): the
 * host maps it as one mirrored range. Pieces whose windows lie at different
 * distances cannot share a page of host memory: refused. */
static void own_board_window_in_two_pieces(void **state) {
    (void)state;
    static const capheap_region_t pieces[] = {
        {MY + 0x10000, 0x2710, CODE, 0, {CAPHEAP_ALIAS_LINEAR, MY + 0x1010000}},
        {MY + 0x12710, 0x18F0, FAST, 0, {CAPHEAP_ALIAS_LINEAR, MY + 0x1012710}},
    };
    capheap_board_t b = my_board;
    b.regions = pieces;
    b.region_count = 2;
    b.reserved_count = 0;
    assert_int_equal(capheap_init_board(&b), ESP_OK);
    uint8_t *data = heap_caps_malloc(100, MALLOC_CAP_8BIT); /* FAST: the second piece */
    assert_true((uintptr_t)data - caps_host(MY + 0x12710) < 0x18F0);
    uint8_t *window = data + (caps_host(MY + 0x1010000) - caps_host(MY + 0x10000));
    memset(data, 0x6B, 100);
    assert_int_equal(window[99], 0x6B); /* the same memory through its window */
    heap_caps_free(data);
    capheap_deinit();
    static const capheap_region_t apart[] = {
        {MY + 0x10000, 0x2710, CODE, 0, {CAPHEAP_ALIAS_LINEAR, MY + 0x1010000}},
        {MY + 0x12710, 0x18F0, FAST, 0, {CAPHEAP_ALIAS_LINEAR, MY + 0x2012710}},
    };
    b.regions = apart;
    assert_int_equal(capheap_init_board(&b), ESP_ERR_NO_MEM);
}

/* A range added across two regions (here reserved memory of both) takes the
 * caps of the region that holds its start, as heap_caps_add_region says, but
 * neither region's type nor its window: it is memory of no one type, and a
 * window of CODE's stretched past CODE's end would show FAST's memory. */
static void added_range_across_two_regions_takes_no_type_or_window(void **state) {
    (void)state;
    static const capheap_region_t two[] = {
        {MY + 0x10000, 0x2000, CODE, 0, {CAPHEAP_ALIAS_LINEAR, MY + 0x1010000}},
        {MY + 0x12000, 0x2000, FAST, 0, {CAPHEAP_ALIAS_NONE, 0}}, /* touches CODE */
    };
    static const capheap_reserved_t across[] = {{MY + 0x11000, MY + 0x13000, "the end of CODE, the start of FAST"}};
    capheap_board_t b = my_board;
    b.regions = two;
    b.region_count = 2;
    b.reserved = across;
    b.reserved_count = 1;
    assert_int_equal(capheap_init_board(&b), ESP_OK);
    assert_int_equal(heap_caps_add_region((intptr_t)caps_host(MY + 0x11000), (intptr_t)caps_host(MY + 0x13000)),
                     ESP_OK);
    capheap_heap_t *h = caps_heap_at(caps_host(MY + 0x11000));
    assert_non_null(h);
    assert_memory_equal(h->caps, my_types[CODE].caps, sizeof h->caps);
    assert_string_equal(h->name, "heap");
    assert_int_equal(h->type, -1);
    assert_int_equal(h->alias_kind, CAPHEAP_ALIAS_NONE);
}

/* malloc()'s policy comes with the board: my_board sets none (extmem {0}),
 * so malloc() takes internal DEFAULT memory only (FAST), never SLOW's
 * external RAM nor CODE's memory, which has no DEFAULT, even once FAST is
 * full; and the policy of the board before it (esp32-psram: small blocks
 * internal, then external) went with that board. */
static void malloc_policy_is_the_boards(void **state) {
    (void)state;
    assert_int_equal(capheap_init("esp32-psram"), ESP_OK);
    capheap_deinit();
    assert_int_equal(capheap_init_board(&my_board), ESP_OK);
    void *blocks[64];
    size_t n = 0;
    void *p;
    while ((p = heap_caps_malloc_default(256)) != NULL) {
        assert_string_equal(caps_heap_of(p)->name, "FAST");
        assert_true(n < 64);
        blocks[n++] = p;
    }
    assert_true(n > 10);
    void *slow = heap_caps_malloc(256, MALLOC_CAP_SPIRAM);
    void *code = heap_caps_malloc(256, MALLOC_CAP_INTERNAL | MALLOC_CAP_8BIT);
    assert_non_null(slow); /* room was there */
    assert_string_equal(caps_heap_of(code)->name, "CODE");
    heap_caps_free(slow);
    heap_caps_free(code);
    while (n > 0) {
        heap_caps_free(blocks[--n]);
    }
}

static void inconsistent_boards_are_refused(void **state) {
    (void)state;
    assert_int_equal(capheap_init_board(NULL), ESP_ERR_INVALID_ARG);
    capheap_board_t b = my_board;
    b.name = NULL;
    assert_int_equal(capheap_init_board(&b), ESP_ERR_INVALID_ARG);
    b = my_board;
    b.type_count = 0;
    assert_int_equal(capheap_init_board(&b), ESP_ERR_INVALID_ARG);
    b = my_board;
    b.type_count = 2; /* CODE unknown now */
    assert_int_equal(capheap_init_board(&b), ESP_ERR_INVALID_ARG);
    static const capheap_region_t unsorted[] = {
        {MY + 0x2000, 0x1000, FAST, 0, {CAPHEAP_ALIAS_NONE, 0}},
        {MY + 0x0000, 0x1000, FAST, 0, {CAPHEAP_ALIAS_NONE, 0}},
    };
    b = my_board;
    b.regions = unsorted;
    b.region_count = 2;
    assert_int_equal(capheap_init_board(&b), ESP_ERR_INVALID_ARG);
    static const capheap_region_t overlapping[] = {
        {MY + 0x0000, 0x1800, FAST, 0, {CAPHEAP_ALIAS_NONE, 0}},
        {MY + 0x1000, 0x1000, SLOW, 0, {CAPHEAP_ALIAS_NONE, 0}},
    };
    b.regions = overlapping;
    assert_int_equal(capheap_init_board(&b), ESP_ERR_INVALID_ARG);
    static const capheap_region_t window_past_the_top[] = {
        {MY, 0x1000, FAST, 0, {CAPHEAP_ALIAS_LINEAR, UINTPTR_MAX - 0x7FF}},
    };
    b.regions = window_past_the_top;
    b.region_count = 1;
    assert_int_equal(capheap_init_board(&b), ESP_ERR_INVALID_ARG);
    /* A window over memory (its own region's or another's) or over another
     * window: a pointer there would belong to two heaps. */
    static const capheap_region_t window_over_itself[] = {
        {MY, 0x4000, CODE, 0, {CAPHEAP_ALIAS_LINEAR, MY + 0x2000}},
    };
    b.regions = window_over_itself;
    assert_int_equal(capheap_init_board(&b), ESP_ERR_INVALID_ARG);
    static const capheap_region_t window_over_another[] = {
        {MY, 0x1000, CODE, 0, {CAPHEAP_ALIAS_INVERTED, MY + 0x2800}},
        {MY + 0x2000, 0x1000, FAST, 0, {CAPHEAP_ALIAS_NONE, 0}},
    };
    b.regions = window_over_another;
    b.region_count = 2;
    assert_int_equal(capheap_init_board(&b), ESP_ERR_INVALID_ARG);
    static const capheap_region_t windows_over_each_other[] = {
        {MY, 0x1000, CODE, 0, {CAPHEAP_ALIAS_LINEAR, MY + 0x10000}},
        {MY + 0x2000, 0x1000, CODE, 0, {CAPHEAP_ALIAS_LINEAR, MY + 0x10800}},
    };
    b.regions = windows_over_each_other;
    assert_int_equal(capheap_init_board(&b), ESP_ERR_INVALID_ARG);
    /* A window off a chip word, either kind: code is fetched by words. */
    static const capheap_region_t windows_off_a_word[] = {
        {MY, 0x1000, CODE, 0, {CAPHEAP_ALIAS_LINEAR, MY + 0x10002}},
        {MY, 0x1000, CODE, 0, {CAPHEAP_ALIAS_INVERTED, MY + 0x10001}},
    };
    for (size_t i = 0; i < 2; i++) {
        b.regions = &windows_off_a_word[i];
        b.region_count = 1;
        assert_int_equal(capheap_init_board(&b), ESP_ERR_INVALID_ARG);
    }
    assert_int_equal(capheap_registry_count(), 0);
    static const capheap_reserved_t backwards[] = {{MY + 0x100, MY + 0x100, "empty"}};
    b = my_board;
    b.reserved = backwards;
    b.reserved_count = 1;
    assert_int_equal(capheap_init_board(&b), ESP_ERR_INVALID_ARG);
    b = my_board;
    b.reserved_count = 0;
    b.region_count = 0; /* no region: no heap */
    assert_int_equal(capheap_init_board(&b), ESP_ERR_NO_MEM);
    assert_null(capheap_current_board());
    assert_int_equal(capheap_registry_count(), 0);
}

/* ---- heap_caps_init and the start-up stacks ----------------------------- */

static void heap_caps_init_leaves_startup_stacks_out(void **state) {
    (void)state;
    heap_caps_init();
    assert_ptr_equal(capheap_current_board(), capheap_board_find("esp32"));
    size_t dram = 6432 + 184320;
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_8BIT), dram);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_EXEC), 92160);
    /* an 8-bit block larger than any DRAM heap could only come from D/IRAM */
    assert_null(heap_caps_malloc(190000, MALLOC_CAP_8BIT));
    uint8_t *exec = heap_caps_malloc(95000, MALLOC_CAP_EXEC);
    assert_null(exec); /* IRAM is too small; D/IRAM is not a heap yet */
    heap_caps_init(); /* again: nothing changes */
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_8BIT), dram);
    heap_caps_enable_nonos_stack_heaps();
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_8BIT), dram + 15072 + 113840);
    void *fill = heap_caps_malloc(180000, MALLOC_CAP_8BIT); /* DRAM's large heap */
    void *big = heap_caps_malloc(100000, MALLOC_CAP_8BIT);
    assert_non_null(fill);
    assert_non_null(big);
    assert_string_equal(caps_heap_of(fill)->name, "DRAM");
    assert_string_equal(caps_heap_of(big)->name, "D/IRAM");
    heap_caps_free(fill);
    heap_caps_enable_nonos_stack_heaps(); /* again: nothing changes */
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_8BIT), dram + 15072 + 113840);
    heap_caps_free(big);
}

/* In the child: heaps of the program's memory fill the registry, then
 * heap_caps_init. */
static void heap_caps_init_with_a_full_registry(void *arg) {
    (void)arg;
    static _Alignas(64) uint8_t pool[CAPHEAP_MAX_HEAPS + 1][2048];
    const uint32_t caps[3] = {MALLOC_CAP_8BIT, 0, 0};
    size_t i = 0;
    while (i <= CAPHEAP_MAX_HEAPS &&
           heap_caps_add_region_with_caps(caps, (intptr_t)pool[i], (intptr_t)pool[i] + sizeof pool[i]) == ESP_OK) {
        i++;
    }
    assert_int_equal(i, CAPHEAP_MAX_HEAPS);
    heap_caps_init();
}

/* heap_caps_init returns nothing: when the default board gives no heap at
 * all, the program cannot go on, and it stops (the port's abort). Run in a
 * child process. */
static void heap_caps_init_aborts_when_no_heap_can_be_made(void **state) {
    (void)state;
    char out[2048];
    int status = run_in_child(heap_caps_init_with_a_full_registry, NULL, out, sizeof out);
    expect_child_aborted(status, out);
    assert_null(capheap_current_board()); /* the parent's state is untouched */
}

static void log_capture_init(void *arg) { *(esp_err_t *)arg = capheap_init("esp32"); }

/* ---- the port without locks ---------------------------------------------- */

#if defined(CAPHEAP_TASK_TRACKING) && CAPHEAP_TASK_TRACKING
#define ACCOUNT_LOCKS 1 /* the task accounts' lock, made with the first heap */
#else
#define ACCOUNT_LOCKS 0
#endif

/* No lock left in the port: capheap_init makes no heap, says which ranges it
 * left out, and leaves nothing mapped or registered; with a lock for one
 * heap, that heap (the board's first) is made, and the rest said. */
static void init_without_locks(void **state) {
    (void)state;
    caps_locks_t locks;
    caps_take_every_lock(&locks);
    esp_err_t err = ESP_OK;
    char *log = caps_capture(log_capture_init, &err);
    assert_int_equal(err, ESP_ERR_NO_MEM);
    assert_non_null(strstr(log, "esp32: no heap at"));
    free(log);
    assert_null(capheap_current_board());
    assert_int_equal(capheap_registry_count(), 0);
    caps_give_locks(&locks, locks.n - 1 - ACCOUNT_LOCKS);
    log = caps_capture(log_capture_init, &err);
    assert_int_equal(err, ESP_OK);
    assert_non_null(strstr(log, "esp32: no heap at"));
    free(log);
    assert_int_equal(capheap_registry_count(), 1);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_8BIT), 6432);
    void *p = heap_caps_malloc(100, MALLOC_CAP_8BIT);
    assert_non_null(p);
    heap_caps_free(p);
    capheap_deinit();
    caps_give_locks(&locks, 0);
    assert_int_equal(capheap_init("esp32"), ESP_OK);
    assert_int_equal(capheap_registry_count(), 5);
}

/* A start-up stack's heap that finds no lock stays disabled, and is enabled
 * by a later call that finds one. */
static void startup_stack_heaps_wait_for_a_lock(void **state) {
    (void)state;
    heap_caps_init();
    size_t dram = 6432 + 184320;
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_8BIT), dram);
    caps_locks_t locks;
    caps_take_every_lock(&locks);
    heap_caps_enable_nonos_stack_heaps();
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_8BIT), dram);
    caps_give_locks(&locks, 0);
    heap_caps_enable_nonos_stack_heaps();
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_8BIT), dram + 15072 + 113840);
}

/* ---- the host model ----------------------------------------------------- */

static void taken_addresses_move_the_board(void **state) {
    (void)state;
    /* Take a page the board needs, as another mapping of the program might. */
    void *blocker = mmap((void *)0x3FFAE000, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    bool blocked = blocker == (void *)0x3FFAE000;
    if (!blocked && blocker != MAP_FAILED) {
        munmap(blocker, 4096);
    }
    esp_err_t err = ESP_FAIL;
    char *log = caps_capture(log_capture_init, &err);
    assert_int_equal(err, ESP_OK);
    intptr_t offset = capheap_host_offset();
    if (blocked) {
        assert_true(offset != 0);
    }
    if (offset != 0) {
        assert_non_null(strstr(log, "mapped"));
        assert_int_equal((uintptr_t)offset % (1u << 16), 0); /* the low address bits are the chip's */
    }
    free(log);
    assert_heaps(esp32_heaps, 5);
    /* everything works where the board now is, windows included */
    void *d = heap_caps_malloc(1000, MALLOC_CAP_8BIT);
    assert_ptr_equal(caps_heap_of(d), capheap_registry_at(0));
    void *i = heap_caps_malloc(90000, MALLOC_CAP_EXEC);
    void *w = heap_caps_malloc(90000, MALLOC_CAP_EXEC);
    assert_non_null(i);
    assert_non_null(w);
    assert_ptr_equal(caps_heap_of_window(w), capheap_registry_at(3));
    memset(w, 0x11, 90000);
    assert_int_equal(capheap_ptr_caps(w), capheap_ptr_caps(caps_ptr(0x3FFF0000)));
    /* a region added at run time is found on the board where it now is */
    assert_int_equal(heap_caps_add_region((intptr_t)caps_host(0x3FFB0000), (intptr_t)caps_host(0x3FFB3000)), ESP_OK);
    assert_string_equal(caps_heap_at(caps_host(0x3FFB0000))->name, "DRAM");
    heap_caps_free(d);
    heap_caps_free(i);
    heap_caps_free(w);
    assert_true(heap_caps_check_integrity_all(true));
    capheap_deinit();
    assert_int_equal(capheap_host_offset(), 0); /* no board: the chip's addresses are taken as they are */
    /* a second move is not told again: once per process */
    log = caps_capture(log_capture_init, &err);
    assert_int_equal(err, ESP_OK);
    assert_null(strstr(log, "mapped"));
    free(log);
    capheap_deinit();
    if (blocked) {
        munmap(blocker, 4096);
    }
    /* the chip's addresses are released again: a new init may use them */
    assert_int_equal(capheap_init("esp32"), ESP_OK);
}

/* capheap_deinit releases the board's memory once: called again (as a
 * teardown may), it leaves alone what the program mapped since at the
 * board's addresses (here the first page of the esp32's lowest region,
 * where the board was mapped: the chip's address, or moved by the offset
 * when that was taken). That the program can map it at all says the first
 * deinit released it. */
static void deinit_again_leaves_the_programs_memory_alone(void **state) {
    (void)state;
    assert_int_equal(capheap_init("esp32"), ESP_OK);
    void *at = (void *)(0x3FFAE000 + capheap_host_offset());
    capheap_deinit();
    void *mine = mmap(at, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    assert_ptr_equal(mine, at);
    capheap_deinit();
    assert_int_equal(msync(mine, 4096, MS_ASYNC), 0); /* still mapped */
    munmap(mine, 4096);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        /* first: the move is told once per process, and where the chip's addresses
         * are taken from the start (QEMU's user-mode emulator) the first init tells it */
        cmocka_unit_test_teardown(taken_addresses_move_the_board, teardown),
        cmocka_unit_test_teardown(esp32_gives_the_typical_application_heaps, teardown),
        cmocka_unit_test_teardown(esp32_psram_adds_external_ram_and_keeps_internal_back, teardown),
        cmocka_unit_test_teardown(board_names_and_lookup, teardown),
        cmocka_unit_test_teardown(init_twice_deinit_and_init_again, teardown),
        cmocka_unit_test_teardown(ptr_caps_tells_the_memory_type, teardown),
        cmocka_unit_test_teardown(own_board_merges_cuts_and_drops, teardown),
        cmocka_unit_test_teardown(own_board_merges_touching_windows, teardown),
        cmocka_unit_test_teardown(own_board_linear_window_shares_memory, teardown),
        cmocka_unit_test_teardown(linear_window_address_of_a_one_byte_block, teardown),
        cmocka_unit_test_teardown(exec_heap_after_a_window_heap_keeps_its_fail_floor, teardown),
        cmocka_unit_test_teardown(exec_list_asks_its_first_heap_through_its_window_on_every_call, teardown),
        cmocka_unit_test_teardown(own_board_linear_window_below_its_data, teardown),
        cmocka_unit_test_teardown(own_board_inverted_window_off_the_grain, teardown),
        cmocka_unit_test_teardown(inverted_window_addresses_are_in_their_block, teardown),
        cmocka_unit_test_teardown(inverted_window_filled_offers_nothing, teardown),
        cmocka_unit_test_teardown(inverted_window_refuses_a_forged_address, teardown),
        cmocka_unit_test_teardown(inverted_window_refuses_the_end_of_a_block, teardown),
        cmocka_unit_test_teardown(inverted_window_refuses_the_start_of_a_block, teardown),
        cmocka_unit_test_teardown(inverted_window_refuses_its_first_address, teardown),
        cmocka_unit_test_teardown(own_board_window_in_two_pieces, teardown),
        cmocka_unit_test_teardown(added_range_across_two_regions_takes_no_type_or_window, teardown),
        cmocka_unit_test_teardown(malloc_policy_is_the_boards, teardown),
        cmocka_unit_test_teardown(inconsistent_boards_are_refused, teardown),
        cmocka_unit_test_teardown(heap_caps_init_leaves_startup_stacks_out, teardown),
        cmocka_unit_test_teardown(heap_caps_init_aborts_when_no_heap_can_be_made, teardown),
        cmocka_unit_test_teardown(init_without_locks, teardown),
        cmocka_unit_test_teardown(startup_stack_heaps_wait_for_a_lock, teardown),
        cmocka_unit_test_teardown(deinit_again_leaves_the_programs_memory_alone, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
