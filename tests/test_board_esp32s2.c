/*
 * test_board_esp32s2.c: the esp32s2 board's placement rules on the host
 * model: the heaps of the SRAM after the caches and the application, the
 * start-up stack's block without the ROM's data, and RTC fast memory without
 * the RTC timer's; every request that plain malloc, 8BIT, 32BIT, INTERNAL or
 * DMA makes lands in the SRAM first, in address order, and only 8BIT,
 * 32BIT, INTERNAL and DEFAULT reach RTC fast memory, last; RTCRAM asks for
 * it first; DMA never; no EXEC (memory protection on); either bus address
 * of a block has its caps. With PSRAM (esp32s2-psram): 2 MiB more at
 * 0x3F800000, malloc() below 16 KiB internal first and above it PSRAM
 * first, 32 KiB of the SRAM kept back and met last by DMA, and DMA requests
 * that name SPIRAM in whole 32-byte lines of PSRAM.
 */
#define BOARD_NAME "esp32s2"
#include "test_board_common.h"

static const chip_range_t rtc = {0x3FF9E000, 0x3FF9FFE8};   /* less the RTC timer's 24 bytes */
static const chip_range_t sram = {0x3FFC3000, 0x3FFFC000};  /* after code and data, up to block 21 */
static const chip_range_t stack = {0x3FFFC000, 0x3FFFFA10}; /* block 21 up to the ROM's data */
static const chip_range_t app_and_rom[] = {
    {0x3FFB0000, 0x3FFB4000}, /* the caches */
    {0x3FFB4000, 0x3FFC3000}, /* IRAM code (data-bus view), .data/.bss */
    {0x3FFFFA10, 0x40000000}, /* ROM data */
};

static drained_t d;

static void assert_nothing_reserved(void) { assert_none_in(&d, app_and_rom, sizeof app_and_rom / sizeof app_and_rom[0]); }


static void heaps_follow_the_map(void **state) {
    (void)state;
    const chip_range_t expected[] = {rtc, sram, stack};
    assert_heaps(expected, sizeof expected / sizeof expected[0]);
    size_t all = range_size(rtc) + range_size(sram) + range_size(stack);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_8BIT), all);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_32BIT), all);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_INTERNAL), all);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_DMA), range_size(sram) + range_size(stack));
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_RTCRAM), range_size(rtc));
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_EXEC), 0);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_SPIRAM), 0);
}

/* Free bytes a little under 229 KiB, 14.5 KiB and 8 KiB: 452, 28 and 15
 * blocks of 512 with a 4-byte header; the 16-byte grain and poisoning's
 * canaries take a few. */
static const size_t most[3] = {400, 24, 12};

/* The SRAM's type offers them all at its first priority, RTC fast memory the
 * common ones at its last: the SRAM in address order, then RTC. */
static void sram_first_rtc_last(void **state) {
    (void)state;
    const chip_range_t order[3] = {sram, stack, rtc};
    assert_drain_order(&d, 512, MALLOC_CAP_DEFAULT, order, most, 3);
    assert_drain_order(&d, 512, MALLOC_CAP_8BIT, order, most, 3);
    assert_drain_order(&d, 512, MALLOC_CAP_32BIT, order, most, 3);
    assert_drain_order(&d, 512, MALLOC_CAP_INTERNAL, order, most, 3);
    drain(&d, 512, MALLOC_CAP_DEFAULT);
    assert_nothing_reserved();
    release(&d);
}

static void dma_never_in_rtc_memory(void **state) {
    (void)state;
    const chip_range_t order[2] = {sram, stack};
    assert_drain_order(&d, 512, MALLOC_CAP_DMA, order, most, 2);
    void *p = heap_caps_malloc(100, MALLOC_CAP_DMA | MALLOC_CAP_8BIT);
    assert_true(p != NULL && in_range(p, sram));
    heap_caps_free(p);
}

/* RTCRAM asks for RTC fast memory at its first priority; nothing else has it. */
static void rtcram_asks_rtc_memory(void **state) {
    (void)state;
    void *p = heap_caps_malloc(100, MALLOC_CAP_RTCRAM);
    assert_true(p != NULL && in_range(p, rtc));
    assert_false(capheap_ptr_caps(p) & MALLOC_CAP_DMA);
    heap_caps_free(p);
    assert_null(heap_caps_malloc(100, MALLOC_CAP_RTCRAM | MALLOC_CAP_DMA));
    drain(&d, 512, MALLOC_CAP_RTCRAM);
    assert_int_equal(count_in(&d, rtc), d.n);
    assert_true(d.n >= most[2]);
    release(&d);
}

static void exec_refused_with_memory_protection(void **state) {
    (void)state;
    assert_null(heap_caps_malloc(64, MALLOC_CAP_EXEC));
    assert_null(heap_caps_malloc(64, MALLOC_CAP_EXEC | MALLOC_CAP_32BIT));
    assert_null(heap_caps_aligned_alloc(64, 64, MALLOC_CAP_EXEC));
}

/* The SRAM is on the instruction bus 0x70000 higher: a block's address
 * there has the caps of its data-bus address; RTC fast memory is listed on
 * the data bus only. */
static void caps_on_both_buses(void **state) {
    (void)state;
    void *p = heap_caps_malloc(100, MALLOC_CAP_DMA);
    assert_true(p != NULL && in_range(p, sram));
    uint32_t caps = capheap_ptr_caps(p);
    assert_true((caps & MALLOC_CAP_DMA) && (caps & MALLOC_CAP_8BIT));
    assert_int_equal(capheap_ptr_caps((uint8_t *)p + 0x70000), caps);
    heap_caps_free(p);
    uint8_t *r = heap_caps_malloc(100, MALLOC_CAP_RTCRAM);
    assert_non_null(r);
    assert_true(capheap_ptr_caps(r) & MALLOC_CAP_RTCRAM);
    assert_int_equal(capheap_ptr_caps(r + 0x70000), 0);
    heap_caps_free(r);
    assert_true(heap_caps_check_integrity_all(true));
}

/* ---- esp32s2-psram -------------------------------------------------------- */

static const chip_range_t psram = {0x3F800000, 0x3FA00000};
static const chip_range_t sram_less_kept = {0x3FFC3000, 0x3FFF4000};
static const chip_range_t kept_back = {0x3FFF4000, 0x3FFFC000}; /* 32 KiB below block 21 */

static void psram_heaps_follow_the_map(void **state) {
    (void)state;
    const chip_range_t expected[] = {psram, rtc, sram_less_kept, kept_back, stack};
    assert_heaps(expected, sizeof expected / sizeof expected[0]);
    size_t internal = range_size(rtc) + range_size(sram) + range_size(stack);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_SPIRAM), 2 * KIB * KIB);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_INTERNAL), internal);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_INTERNAL | MALLOC_CAP_DEFAULT), internal - 32 * KIB);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_DMA), range_size(sram) + range_size(stack));
}

static void psram_takes_large_mallocs(void **state) {
    (void)state;
    assert_psram_malloc_policy(psram, sram_less_kept);
}

/* DMA: the SRAM in address order, the kept-back part last; never PSRAM. */
static void psram_dma_internal_kept_back_last(void **state) {
    (void)state;
    const chip_range_t order[] = {sram_less_kept, stack, kept_back};
    const size_t min[] = {350, most[1], 55};
    assert_drain_order(&d, 512, MALLOC_CAP_DMA, order, min, 3);
}

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
        cmocka_unit_test_setup_teardown(sram_first_rtc_last, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(dma_never_in_rtc_memory, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(rtcram_asks_rtc_memory, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(exec_refused_with_memory_protection, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(caps_on_both_buses, board_setup, board_teardown),
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
