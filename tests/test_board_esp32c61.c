/*
 * test_board_esp32c61.c: the esp32c61 board's placement rules on the host
 * model: the SRAM after the application in one RAM heap, the start-up
 * stack's block without the ROM's data in a second; every request with the
 * type's caps (DEFAULT, DMA, 8BIT, INTERNAL, 32BIT) takes them in address
 * order; no EXEC (the PMP's IRAM/DRAM split, on by default), no RTCRAM (the
 * C61 has no LP SRAM for the heap), no SIMD; one address on both buses, so
 * no alias. Without the split (esp32c61-noprot) EXEC is served in the same
 * order, at the address data is written through. esp32c61-psram adds 2 MiB
 * of PSRAM under ESP-IDF's default malloc policy, with 32 KiB of internal
 * RAM kept back (met last) and DMA that names SPIRAM in whole 32-byte lines.
 */
#define BOARD_NAME "esp32c61"
#include "test_board_common.h"

static const chip_range_t sram = {0x4080F000, 0x4084C670};  /* after code and data, up to the stack's block */
static const chip_range_t stack = {0x4084C670, 0x4084F5C8}; /* the stack's block below the ROM's data */
static const chip_range_t app_and_rom[] = {
    {0x40800000, 0x4080F000}, /* IRAM code, .data/.bss */
    {0x4084F5C8, 0x40850000}, /* ROM .bss/.data */
};

/* Free bytes a little under 246 KiB and 11.8 KiB: 487 and 23 blocks of 512
 * with a 4-byte header; the 16-byte grain and poisoning take a few. */
static const size_t most[2] = {440, 19};

static drained_t d;

static void heaps_follow_the_map(void **state) {
    (void)state;
    assert_one_ram_type_heaps(sram, stack);
    assert_no_simd_memory();
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_RETENTION), 0);
}

static void every_request_in_address_order(void **state) {
    (void)state;
    assert_one_ram_type_order(&d, sram, stack, most, app_and_rom, sizeof app_and_rom / sizeof app_and_rom[0]);
}

static void noprot_serves_exec_at_the_data_address(void **state) {
    (void)state;
    assert_one_ram_type_exec(&d, sram, stack, most);
}

/* ---- esp32c61-psram ----------------------------------------------------- */

static const chip_range_t psram = {0x42100000, 0x42300000};
static const chip_range_t sram_less_kept = {0x4080F000, 0x40844670};
static const chip_range_t kept_back = {0x40844670, 0x4084C670}; /* 32 KiB below the stack's block */

static void psram_heaps_follow_the_map(void **state) {
    (void)state;
    const chip_range_t expected[] = {sram_less_kept, kept_back, stack, psram};
    assert_heaps(expected, sizeof expected / sizeof expected[0]);
    size_t internal = range_size(sram) + range_size(stack);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_SPIRAM), 2 * KIB * KIB);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_DMA), internal);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_INTERNAL | MALLOC_CAP_DEFAULT), internal - 32 * KIB);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_EXEC), 0);
}

static void psram_malloc_policy(void **state) {
    (void)state;
    assert_psram_defaults(psram, sram_less_kept, 32);
}

static void psram_kept_back_last(void **state) {
    (void)state;
    assert_kept_back_met_last(&d, sram_less_kept, stack, kept_back, most[0] - 70, most[1]);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(heaps_follow_the_map, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(every_request_in_address_order, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(every_request_in_address_order, noprot_setup, board_teardown),
        cmocka_unit_test_setup_teardown(noprot_serves_exec_at_the_data_address, noprot_setup, board_teardown),
        cmocka_unit_test_setup_teardown(psram_heaps_follow_the_map, psram_setup, board_teardown),
        cmocka_unit_test_setup_teardown(psram_malloc_policy, psram_setup, board_teardown),
        cmocka_unit_test_setup_teardown(psram_kept_back_last, psram_setup, board_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
