/*
 * test_board_esp32s3.c: the esp32s3 boards' placement rules on the host
 * model: the heaps of SRAM1 (up to the ROM's start-up stacks), the stacks'
 * block and SRAM2, minus the application and the ROM's data; with memory
 * protection on (esp32s3) SRAM1 is DRAM, so malloc and 32BIT take the heaps
 * in address order, and EXEC is refused; with it off (esp32s3-noprot) SRAM1
 * is D/IRAM, taken after the DRAM types, and EXEC is served on the
 * instruction bus, the stacks' block first: the same bytes on both buses,
 * one free for either address. RETENTION: the stacks' block first. With
 * PSRAM (esp32s3-psram): 8 MiB more, malloc() below 16 KiB internal first
 * and above it PSRAM first, 32 KiB of internal RAM kept back and met last,
 * DMA never in PSRAM unless the request names SPIRAM, and then in whole
 * 32-byte cache lines.
 */
#define BOARD_NAME "esp32s3"
#include "test_board_common.h"

#include "capheap/port.h" /* capheap_set_corruption_handler */
#include "registry.h"     /* CAPHEAP_NESTED_HEAPS */

static const chip_range_t sram1 = {0x3FC97000, 0x3FCE9710};      /* after code and data, up to the stacks */
static const chip_range_t stack_dram = {0x3FCE9710, 0x3FCEEE34}; /* ROM stacks and freed ROM data */
static const chip_range_t dram = {0x3FCF0000, 0x3FCF8000};       /* SRAM2 below the data cache */
static const chip_range_t sram1_ibus = {0x3FC97000 + 0x6F0000, 0x3FCE9710 + 0x6F0000};
static const chip_range_t stack_ibus = {0x3FCE9710 + 0x6F0000, 0x3FCEEE34 + 0x6F0000};
static const chip_range_t app_and_rom[] = {
    {0x3FC88000, 0x3FC97000}, /* IRAM code (data-bus view), .data/.bss */
    {0x3FCEEE34, 0x3FCF0000}, /* ROM .bss/.data */
};

static drained_t d;

/* No drained block lies in the application's or the ROM's memory. */
static void assert_nothing_reserved(void) { assert_none_in(&d, app_and_rom, sizeof app_and_rom / sizeof app_and_rom[0]); }

static void heaps_follow_the_map(void **state) {
    (void)state;
    const chip_range_t expected[] = {sram1, stack_dram, dram};
    assert_heaps(expected, sizeof expected / sizeof expected[0]);
    size_t all = range_size(sram1) + range_size(stack_dram) + range_size(dram);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_8BIT), all);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_DMA), all);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_EXEC), 0);
}

/* Free bytes 336,016, 16,216 and 32,520 without poisoning: 651, 31 and 63
 * blocks of 512; poisoning and task tracking take a few. */
static const size_t most[3] = {590, 27, 55};

/* Protection on: all three are DRAM types, met in address order. */
static void malloc_in_address_order(void **state) {
    (void)state;
    const chip_range_t order[3] = {sram1, stack_dram, dram};
    assert_drain_order(&d, 512, MALLOC_CAP_DEFAULT, order, most, 3);
    assert_drain_order(&d, 512, MALLOC_CAP_32BIT, order, most, 3);
}

/* Protection off: D/IRAM offers 8BIT and DEFAULT at priority 1, 32BIT at 2. */
static void dram_types_before_diram(void **state) {
    (void)state;
    const chip_range_t order[3] = {stack_dram, dram, sram1};
    const size_t min[3] = {most[1], most[2], most[0]};
    assert_drain_order(&d, 512, MALLOC_CAP_DEFAULT, order, min, 3);
    assert_drain_order(&d, 512, MALLOC_CAP_32BIT, order, min, 3);
}

static void exec_refused_with_memory_protection(void **state) {
    (void)state;
    assert_null(heap_caps_malloc(64, MALLOC_CAP_EXEC));
    assert_null(heap_caps_malloc(64, MALLOC_CAP_EXEC | MALLOC_CAP_32BIT));
    assert_null(heap_caps_aligned_alloc(64, 64, MALLOC_CAP_EXEC));
}

/* STACK/DIRAM offers EXEC at priority 1, D/IRAM at 2: the stacks' block first. */
static void exec_on_the_instruction_bus_without_protection(void **state) {
    (void)state;
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_EXEC),
                     range_size(sram1) + range_size(stack_dram));
    size_t free_before = heap_caps_get_free_size(MALLOC_CAP_EXEC);
    drain(&d, 1024, MALLOC_CAP_EXEC);
    size_t in_stacks = count_in(&d, stack_ibus);
    assert_int_equal(in_stacks + count_in(&d, sram1_ibus), d.n);
    assert_true(in_stacks > 10 && d.n > 300);
    for (size_t i = 0; i < in_stacks; i++) {
        assert_true(chip_addr(d.p[i]) >= stack_ibus.start && chip_addr(d.p[i]) < stack_ibus.end);
    }
    for (size_t i = 0; i < d.n; i++) {
        assert_int_equal((uintptr_t)d.p[i] % 4, 0);
    }
    /* The same bytes on the data bus, 0x6F0000 lower, in the same order. */
    uint32_t *code = d.p[0];
    const uint8_t *data = (const uint8_t *)(chip_addr(code) - 0x6F0000 + (uintptr_t)capheap_host_offset());
    code[0] = 0x04030201u;
    code[1] = 0x08070605u;
    for (unsigned i = 0; i < 8; i++) {
        uint8_t want = (uint8_t)(i + 1);
        uint8_t got;
        memcpy(&got, data + i, 1);
        assert_int_equal(got, want);
    }
    assert_true(heap_caps_get_allocated_size(code) >= 1024);
    release(&d); /* heap_caps_free of instruction-bus addresses */
    assert_int_equal(heap_caps_get_free_size(MALLOC_CAP_EXEC), free_before);
    assert_true(heap_caps_check_integrity_all(true));
}

/* The size queries through the linear window: the largest EXEC request is
 * served and one byte more is not; the block around an address on the
 * instruction bus is the one around its data-bus twin. */
static void exec_queries_through_the_window(void **state) {
    (void)state;
    size_t largest = heap_caps_get_largest_free_block(MALLOC_CAP_EXEC);
    assert_true(largest > range_size(stack_dram) && largest < range_size(sram1));
    assert_null(heap_caps_malloc(largest + 1, MALLOC_CAP_EXEC));
    uint8_t *code = heap_caps_malloc(largest, MALLOC_CAP_EXEC);
    assert_true(in_range(code, sram1_ibus));
    uint8_t *data = code - 0x6F0000;
    size_t block = heap_caps_get_containing_block_size(code + 100);
    assert_true(block >= largest);
    assert_int_equal(heap_caps_get_containing_block_size(data + 100), block);
    assert_true(heap_caps_get_largest_free_block(MALLOC_CAP_EXEC) < range_size(stack_dram)); /* the other heap's */
    heap_caps_free(code);
    assert_int_equal(heap_caps_get_largest_free_block(MALLOC_CAP_EXEC), largest);
}

#if CAPHEAP_NESTED_HEAPS > 0 /* registry.h; else no such heap (test_registry_nested.c) */
static int reports;

static void count_report(const void *addr, const char *what, void *user) {
    (void)addr, (void)what, (void)user;
    reports++;
}

/* A heap made of an SRAM1 block (as ESP-IDF allows) sees it through the
 * same linear window: its EXEC blocks are the block's own bytes 0x6F0000
 * higher, and the block, at either address, is the new heap's. */
static void a_heap_made_of_a_block_keeps_the_window(void **state) {
    (void)state;
    capheap_set_corruption_handler(count_report, NULL);
    uint8_t *pool = heap_caps_malloc(100000, MALLOC_CAP_8BIT); /* too big for the DRAM types */
    assert_true(pool != NULL && in_range(pool, sram1));
    const uint32_t caps[3] = {MALLOC_CAP_PID2 | MALLOC_CAP_EXEC | MALLOC_CAP_32BIT, 0, 0};
    assert_int_equal(heap_caps_add_region_with_caps(caps, (intptr_t)pool, (intptr_t)(pool + 100000)), ESP_OK);
    uint32_t *code = heap_caps_malloc(256, MALLOC_CAP_PID2 | MALLOC_CAP_EXEC);
    assert_non_null(code);
    uintptr_t data = chip_addr(code) - 0x6F0000 + (uintptr_t)capheap_host_offset();
    assert_true(data - (uintptr_t)pool < 100000);
    code[0] = 0x04030201u;
    assert_int_equal(memcmp((const void *)data, "\x01\x02\x03\x04", 4), 0);
    heap_caps_free(pool);
    heap_caps_free(pool + 0x6F0000);
    assert_int_equal(reports, 2);
    heap_caps_free(code);
    assert_int_equal(reports, 2);
    assert_true(heap_caps_check_integrity_all(true));
    capheap_set_corruption_handler(NULL, NULL);
}
#endif

/* A heap of one's own on SRAM1's instruction-bus addresses of the
 * application's .data/.bss (not a board region: no window of its own), then
 * heap_caps_add_region of that .data/.bss itself: its linear window is the
 * first heap's memory, so it is refused (one owner for every address), and
 * the first heap still owns its blocks. */
static void a_region_whose_linear_window_holds_a_heap_is_refused(void **state) {
    (void)state;
    const uintptr_t bss = 0x3FC94000, bss_end = 0x3FC97000; /* reserved: no heap */
    uintptr_t host = (uintptr_t)capheap_host_offset();
    const uint32_t caps[3] = {MALLOC_CAP_PID2 | MALLOC_CAP_8BIT, 0, 0};
    assert_int_equal(heap_caps_add_region_with_caps(caps, (intptr_t)(bss + 0x6F0000 + host),
                                                    (intptr_t)(bss_end + 0x6F0000 + host)),
                     ESP_OK);
    size_t heaps = capheap_registry_count();
    assert_int_equal(heap_caps_add_region((intptr_t)(bss + host), (intptr_t)(bss_end + host)), ESP_FAIL);
    assert_int_equal(capheap_registry_count(), heaps);
    void *p = heap_caps_malloc(100, MALLOC_CAP_PID2);
    assert_true(chip_addr(p) - (bss + 0x6F0000) < bss_end - bss);
    heap_caps_free(p);
    assert_true(heap_caps_check_integrity_all(true));
}

/* RETENTION: the start-up stacks' block first (priority 0), then on
 * esp32s3-noprot D/IRAM (priority 2); SRAM2's DRAM never. */
static void retention_in_the_stacks_block(void **state) {
    (void)state;
    void *p = heap_caps_malloc(100, MALLOC_CAP_RETENTION | MALLOC_CAP_DMA);
    assert_true(chip_addr(p) >= stack_dram.start && chip_addr(p) < stack_dram.end);
    heap_caps_free(p);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_RETENTION), range_size(stack_dram));
}

static void data_requests_alike_on_both_boards(void **state) {
    (void)state;
    drain(&d, 2048, MALLOC_CAP_8BIT);
    assert_int_equal(count_in(&d, sram1_ibus), 0); /* data requests get data-bus addresses */
    assert_nothing_reserved();
    size_t n = d.n;
    release(&d);
    capheap_deinit();
    assert_int_equal(capheap_init("esp32s3"), ESP_OK);
    drain(&d, 2048, MALLOC_CAP_8BIT);
    assert_int_equal(d.n, n);
    release(&d);
}

/* ---- esp32s3-psram -------------------------------------------------------- */

static const chip_range_t psram = {0x3C100000, 0x3C900000};
static const chip_range_t sram1_less_kept = {0x3FC97000, 0x3FCE1710};
static const chip_range_t kept_back = {0x3FCE1710, 0x3FCE9710}; /* 32 KiB below the stacks */

static void psram_heaps_follow_the_map(void **state) {
    (void)state;
    const chip_range_t expected[] = {psram, sram1_less_kept, kept_back, stack_dram, dram};
    assert_heaps(expected, sizeof expected / sizeof expected[0]);
    size_t internal = range_size(sram1) + range_size(stack_dram) + range_size(dram);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_SPIRAM), 8 * KIB * KIB);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_INTERNAL), internal);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_INTERNAL | MALLOC_CAP_DEFAULT), internal - 32 * KIB);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_DMA), internal);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_EXEC), 0);
}

/* malloc(): internal first below 16 KiB, PSRAM first from there. */
static void psram_takes_large_mallocs(void **state) {
    (void)state;
    assert_psram_malloc_policy(psram, sram1_less_kept);
}

/* DMA: the DRAM types at priority 1 in address order, the kept-back RAM at
 * 2; never PSRAM. */
static void psram_dma_internal_kept_back_last(void **state) {
    (void)state;
    const chip_range_t order[] = {sram1_less_kept, stack_dram, dram, kept_back};
    const size_t min[] = {530, most[1], most[2], 55};
    assert_drain_order(&d, 512, MALLOC_CAP_DMA, order, min, 4);
}

/* DMA with SPIRAM: PSRAM (no heap is both), in whole 32-byte lines. */
static void psram_dma_buffers_in_whole_cache_lines(void **state) {
    (void)state;
    assert_psram_dma_in_lines(psram, 32);
}

static void no_simd_without_psram(void **state) {
    (void)state;
    assert_no_simd_memory();
}

static void psram_serves_simd(void **state) {
    (void)state;
    assert_simd_only_in_psram(psram, 32);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(heaps_follow_the_map, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(malloc_in_address_order, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(dram_types_before_diram, noprot_setup, board_teardown),
        cmocka_unit_test_setup_teardown(exec_refused_with_memory_protection, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(exec_on_the_instruction_bus_without_protection, noprot_setup,
                                        board_teardown),
        cmocka_unit_test_setup_teardown(data_requests_alike_on_both_boards, noprot_setup, board_teardown),
        cmocka_unit_test_setup_teardown(exec_queries_through_the_window, noprot_setup, board_teardown),
#if CAPHEAP_NESTED_HEAPS > 0
        cmocka_unit_test_setup_teardown(a_heap_made_of_a_block_keeps_the_window, noprot_setup, board_teardown),
#endif
        cmocka_unit_test_setup_teardown(a_region_whose_linear_window_holds_a_heap_is_refused, board_setup,
                                        board_teardown),
        cmocka_unit_test_setup_teardown(retention_in_the_stacks_block, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(psram_heaps_follow_the_map, psram_setup, board_teardown),
        cmocka_unit_test_setup_teardown(psram_takes_large_mallocs, psram_setup, board_teardown),
        cmocka_unit_test_setup_teardown(psram_dma_internal_kept_back_last, psram_setup, board_teardown),
        cmocka_unit_test_setup_teardown(psram_dma_buffers_in_whole_cache_lines, psram_setup, board_teardown),
        cmocka_unit_test_setup_teardown(no_simd_without_psram, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(psram_serves_simd, psram_setup, board_teardown),
        cmocka_unit_test_setup_teardown(exec_refused_with_memory_protection, psram_setup, board_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
