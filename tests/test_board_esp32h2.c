/*
 * test_board_esp32h2.c: the esp32h2 board's placement rules on the host
 * model: the SRAM after the application in one RAM heap, the start-up
 * stack's block without the ROM's data in a second; every request with the
 * type's caps (DEFAULT, DMA, 8BIT, INTERNAL, 32BIT) takes them in address
 * order; no EXEC (the PMP's IRAM/DRAM split, on by default), no RTCRAM (LP
 * memory is no heap on the H2); one address on both buses, so no alias.
 * Without the split (esp32h2-noprot) EXEC is served in the same order, at
 * the address data is written through.
 */
#define BOARD_NAME "esp32h2"
#include "test_board_common.h"

static const chip_range_t sram = {0x4080F000, 0x4084D380};  /* after code and data, up to the stack's block */
static const chip_range_t stack = {0x4084D380, 0x4084FEE0}; /* the stack's block below the ROM's data */
static const chip_range_t app_and_rom[] = {
    {0x40800000, 0x4080F000}, /* IRAM code, .data/.bss */
    {0x4084FEE0, 0x40850000}, /* ROM .bss/.data */
};

/* Free bytes a little under 248 KiB and 10.7 KiB: 492 and 21 blocks of 512
 * with a 4-byte header; the 16-byte grain and poisoning take a few. */
static const size_t most[2] = {440, 17};

static drained_t d;

static void heaps_follow_the_map(void **state) {
    (void)state;
    assert_one_ram_type_heaps(sram, stack);
}

static void every_request_in_address_order(void **state) {
    (void)state;
    assert_one_ram_type_order(&d, sram, stack, most, app_and_rom, sizeof app_and_rom / sizeof app_and_rom[0]);
}

static void noprot_serves_exec_at_the_data_address(void **state) {
    (void)state;
    assert_one_ram_type_exec(&d, sram, stack, most);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(heaps_follow_the_map, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(every_request_in_address_order, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(every_request_in_address_order, noprot_setup, board_teardown),
        cmocka_unit_test_setup_teardown(noprot_serves_exec_at_the_data_address, noprot_setup, board_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
