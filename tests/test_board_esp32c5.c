/*
 * test_board_esp32c5.c: the esp32c5 boards' placement rules on the host
 * model: HP SRAM minus the application and the ROM's data in two RAM heaps
 * (the second the start-up stack's block), and LP SRAM as an RTCRAM heap,
 * malloc's last choice, never DMA; no RETENTION, no SIMD in internal memory.
 * The PMP split (esp32c5) refuses EXEC; without it (esp32c5-noprot) EXEC is
 * served in the same order, at the address data is written through.
 * esp32c5-psram adds 8 MiB of PSRAM under ESP-IDF's default malloc policy,
 * with 32 KiB of internal RAM kept back and DMA that names SPIRAM in whole
 * 32-byte lines; internal DMA is not aligned (no cache in front of SRAM).
 */
#define BOARD_NAME "esp32c5"
#include "test_board_common.h"

static const chip_range_t sram = {0x4080F000, 0x4085C5A0};  /* after code and data, up to the stack's block */
static const chip_range_t stack = {0x4085C5A0, 0x4085F4F8}; /* the stack's block below the ROM's data */
static const chip_range_t lp = {0x50000000, 0x50003FE8};    /* LP SRAM below its reserved segment */
static const chip_range_t app_and_rom[] = {
    {0x40800000, 0x4080F000}, /* IRAM code, .data/.bss */
    {0x4085F4F8, 0x40860000}, /* ROM .bss/.data */
    {0x50003FE8, 0x50004000}, /* RTC timer data */
};

#define COMMON_CAPS   (MALLOC_CAP_DEFAULT | MALLOC_CAP_INTERNAL | MALLOC_CAP_32BIT | MALLOC_CAP_8BIT)

/* Free bytes 316,832, 12,120 and 16,360 less the control data: 613, 23 and
 * 31 blocks of 512 with their headers; poisoning and wider grains take a few. */
static const size_t most_sram = 560, most_stack = 19, most_lp = 25;

static drained_t d;

static void heaps_follow_the_map(void **state) {
    (void)state;
    const chip_range_t expected[] = {sram, stack, lp};
    assert_heaps(expected, 3);
    size_t hp = range_size(sram) + range_size(stack);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_INTERNAL | MALLOC_CAP_8BIT), hp + range_size(lp));
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_DMA), hp);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_RTCRAM), range_size(lp));
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_RETENTION), 0);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_EXEC), 0);
    assert_null(heap_caps_malloc(64, MALLOC_CAP_EXEC));
    assert_no_simd_memory();
}

/* RAM has all its caps at priority 0, RTCRAM its common caps at 1; DMA
 * never reaches LP SRAM, and nothing lands in the application or the ROM's data. */
static void hp_sram_first_lp_sram_last(void **state) {
    (void)state;
    const chip_range_t order[] = {sram, stack, lp};
    const size_t min[] = {most_sram, most_stack, most_lp};
    assert_drain_order(&d, 512, MALLOC_CAP_DEFAULT, order, min, 3);
    assert_drain_order(&d, 512, MALLOC_CAP_INTERNAL | MALLOC_CAP_32BIT, order, min, 3);
    assert_drain_order(&d, 512, MALLOC_CAP_DMA, order, min, 2);
    assert_null(heap_caps_malloc(64, MALLOC_CAP_DMA | MALLOC_CAP_RTCRAM));
    drain(&d, 512, MALLOC_CAP_8BIT);
    assert_none_in(&d, app_and_rom, sizeof app_and_rom / sizeof app_and_rom[0]);
    release(&d);
}

static void lp_sram_caps(void **state) {
    (void)state;
    assert_lp_sram_caps(&d, lp, most_lp, 0);
}

/* Without the split EXEC is served in malloc's order, at the one address
 * both buses see: code is written and run where it was put. */
static void noprot_serves_exec(void **state) {
    (void)state;
    assert_lp_sram_caps(&d, lp, most_lp, MALLOC_CAP_EXEC);
    const chip_range_t order[] = {sram, stack, lp};
    const size_t min[] = {most_sram, most_stack, most_lp};
    assert_drain_order(&d, 512, MALLOC_CAP_EXEC, order, min, 3);
    assert_null(heap_caps_malloc(64, MALLOC_CAP_EXEC | MALLOC_CAP_DMA)); /* never both, as in ESP-IDF */
    uint32_t *code = heap_caps_malloc(64, MALLOC_CAP_EXEC);
    assert_true(code != NULL && in_range(code, sram));
    assert_int_equal(capheap_ptr_caps(code), COMMON_CAPS | MALLOC_CAP_DMA | MALLOC_CAP_EXEC);
    code[0] = 0x00000013u; /* RV32 "nop" */
    assert_int_equal(((const uint8_t *)code)[0], 0x13);
    heap_caps_free(code);
    assert_true(heap_caps_check_integrity_all(true));
}

/* Internal memory has no cache in front of it: DMA blocks are not rounded
 * to lines (a 4-byte request keeps a small block). */
static void internal_dma_needs_no_line(void **state) {
    (void)state;
    void *p = heap_caps_malloc(4, MALLOC_CAP_DMA);
    assert_true(p != NULL && in_range(p, sram));
    assert_true(heap_caps_get_allocated_size(p) < 32);
    heap_caps_free(p);
}

/* heap_caps_free of each block gives every byte back, whatever heap it came from. */
static void every_block_freed(void **state) {
    (void)state;
    size_t before = heap_caps_get_free_size(MALLOC_CAP_8BIT);
    drain(&d, 200, MALLOC_CAP_INTERNAL | MALLOC_CAP_8BIT);
    assert_true(count_in(&d, sram) > 0 && count_in(&d, stack) > 0 && count_in(&d, lp) > 0);
    release(&d);
    assert_int_equal(heap_caps_get_free_size(MALLOC_CAP_8BIT), before);
    assert_true(heap_caps_check_integrity_all(true));
}

/* ---- esp32c5-psram ------------------------------------------------------ */

static const chip_range_t psram = {0x42100000, 0x42900000};
static const chip_range_t sram_less_kept = {0x4080F000, 0x408545A0};
static const chip_range_t kept_back = {0x408545A0, 0x4085C5A0}; /* 32 KiB below the stack's block */

static void psram_heaps_follow_the_map(void **state) {
    (void)state;
    const chip_range_t expected[] = {sram_less_kept, kept_back, stack, psram, lp};
    assert_heaps(expected, sizeof expected / sizeof expected[0]);
    size_t hp = range_size(sram) + range_size(stack);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_SPIRAM), 8 * KIB * KIB);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_DMA), hp);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_INTERNAL | MALLOC_CAP_DEFAULT), hp - 32 * KIB + range_size(lp));
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_EXEC), 0);
}

static void psram_malloc_policy(void **state) {
    (void)state;
    assert_psram_defaults(psram, sram_less_kept, 32);
}

static void psram_kept_back_last(void **state) {
    (void)state;
    assert_kept_back_met_last(&d, sram_less_kept, stack, kept_back, most_sram - 70, most_stack);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(heaps_follow_the_map, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(hp_sram_first_lp_sram_last, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(lp_sram_caps, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(internal_dma_needs_no_line, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(every_block_freed, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(noprot_serves_exec, noprot_setup, board_teardown),
        cmocka_unit_test_setup_teardown(every_block_freed, noprot_setup, board_teardown),
        cmocka_unit_test_setup_teardown(psram_heaps_follow_the_map, psram_setup, board_teardown),
        cmocka_unit_test_setup_teardown(psram_malloc_policy, psram_setup, board_teardown),
        cmocka_unit_test_setup_teardown(psram_kept_back_last, psram_setup, board_teardown),
        cmocka_unit_test_setup_teardown(every_block_freed, psram_setup, board_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
