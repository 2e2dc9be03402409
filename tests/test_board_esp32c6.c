/*
 * test_board_esp32c6.c: the esp32c6 boards' placement rules on the host
 * model: HP SRAM minus the application and the ROM's data in two RAM heaps
 * (the second the start-up stack's block), and LP SRAM as an RTCRAM heap.
 * malloc takes HP SRAM in address order and LP SRAM last; DMA never reaches
 * LP SRAM, RTCRAM only it, RETENTION nothing. With the PMP's IRAM/DRAM split
 * (esp32c6) EXEC is refused; without it (esp32c6-noprot) EXEC is served in
 * the same order, and, the C6 having one address for both buses, at the
 * address data is written through: no window, no second address to free.
 */
#define BOARD_NAME "esp32c6"
#include "test_board_common.h"

static const chip_range_t sram = {0x4080F000, 0x4087C610};  /* after code and data, up to the stack's block */
static const chip_range_t stack = {0x4087C610, 0x4087F564}; /* the stack's block below the ROM's data */
static const chip_range_t lp = {0x50000000, 0x50003FE8};    /* LP SRAM below its reserved segment */
static const chip_range_t app_and_rom[] = {
    {0x40800000, 0x4080F000}, /* IRAM code, .data/.bss */
    {0x4087F564, 0x40880000}, /* ROM .bss/.data */
    {0x50003FE8, 0x50004000}, /* RTC timer data */
};

#define RANGE_SIZE(r) ((size_t)((r).end - (r).start))
#define COMMON_CAPS (MALLOC_CAP_DEFAULT | MALLOC_CAP_INTERNAL | MALLOC_CAP_32BIT | MALLOC_CAP_8BIT)

/* Free bytes 446,296, 11,952 and 16,200 without poisoning: 858, 23 and 31
 * blocks of 512 with their headers; poisoning and wider grains take a few. */
static const size_t most_sram = 780, most_stack = 18, most_lp = 25;

static drained_t d;

static void assert_nothing_reserved(void) {
    assert_none_in(&d, app_and_rom, sizeof app_and_rom / sizeof app_and_rom[0]);
}

static void heaps_follow_the_map(void **state) {
    (void)state;
    const chip_range_t expected[] = {sram, stack, lp};
    assert_heaps(expected, 3);
    size_t hp = RANGE_SIZE(sram) + RANGE_SIZE(stack);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_8BIT), hp + RANGE_SIZE(lp));
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_INTERNAL), hp + RANGE_SIZE(lp));
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_DMA), hp);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_RTCRAM), RANGE_SIZE(lp));
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_RETENTION), 0);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_EXEC), 0);
    assert_null(heap_caps_malloc(64, MALLOC_CAP_EXEC));
    assert_null(heap_caps_malloc(64, MALLOC_CAP_RETENTION));
}

/* RAM has all its caps at priority 0, RTCRAM its common caps at 1. */
static void hp_sram_first_lp_sram_last(void **state) {
    (void)state;
    const chip_range_t order[] = {sram, stack, lp};
    const size_t min[] = {most_sram, most_stack, most_lp};
    assert_drain_order(&d, 512, MALLOC_CAP_DEFAULT, order, min, 3);
    assert_drain_order(&d, 512, MALLOC_CAP_32BIT, order, min, 3);
    assert_drain_order(&d, 512, MALLOC_CAP_INTERNAL | MALLOC_CAP_8BIT, order, min, 3);
    drain(&d, 512, MALLOC_CAP_DEFAULT);
    assert_nothing_reserved();
    release(&d);
}

static void dma_only_in_hp_sram(void **state) {
    (void)state;
    const chip_range_t order[] = {sram, stack};
    const size_t min[] = {most_sram, most_stack};
    assert_drain_order(&d, 512, MALLOC_CAP_DMA, order, min, 2);
    assert_null(heap_caps_malloc(64, MALLOC_CAP_DMA | MALLOC_CAP_RTCRAM));
}

static void lp_sram_caps(void **state) {
    (void)state;
    assert_lp_sram_caps(&d, lp, most_lp, 0);
}

static void noprot_lp_sram_caps(void **state) {
    (void)state;
    assert_lp_sram_caps(&d, lp, most_lp, MALLOC_CAP_EXEC);
}

/* Without the split only EXEC changes: malloc's order is the same. */
static void noprot_serves_exec_in_the_same_order(void **state) {
    (void)state;
    const chip_range_t order[] = {sram, stack, lp};
    const size_t min[] = {most_sram, most_stack, most_lp};
    assert_drain_order(&d, 512, MALLOC_CAP_DEFAULT, order, min, 3);
    assert_drain_order(&d, 512, MALLOC_CAP_EXEC, order, min, 3);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_EXEC), RANGE_SIZE(sram) + RANGE_SIZE(stack) + RANGE_SIZE(lp));
    assert_null(heap_caps_malloc(64, MALLOC_CAP_EXEC | MALLOC_CAP_DMA)); /* never both, as in ESP-IDF */
    assert_null(heap_caps_malloc(64, MALLOC_CAP_EXEC | MALLOC_CAP_8BIT));
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_RETENTION), 0);
}

/* One address on both buses: code is written and run where it was put. */
static void noprot_exec_at_the_data_address(void **state) {
    (void)state;
    size_t exec_free = heap_caps_get_free_size(MALLOC_CAP_EXEC);
    uint32_t *code = heap_caps_malloc(64, MALLOC_CAP_EXEC);
    uint8_t *data = heap_caps_malloc(64, MALLOC_CAP_8BIT);
    assert_true(code != NULL && in_range(code, sram) && (uintptr_t)code % 4 == 0);
    assert_true(data != NULL && in_range(data, sram)); /* the same heap */
    assert_int_equal(capheap_ptr_caps(code), COMMON_CAPS | MALLOC_CAP_DMA | MALLOC_CAP_EXEC);
    code[0] = 0x00000013u; /* RV32 "nop", as a loader would write it */
    const uint8_t *bytes = (const uint8_t *)code;
    assert_int_equal(bytes[0], 0x13);
    assert_true(heap_caps_get_allocated_size(code) >= 64);
    heap_caps_free(code);
    heap_caps_free(data);
    assert_int_equal(heap_caps_get_free_size(MALLOC_CAP_EXEC), exec_free);
    assert_true(heap_caps_check_integrity_all(true));
}

/* heap_caps_free of each block gives every byte back, whatever heap (HP or
 * LP SRAM) it came from. */
static void every_block_freed(void **state) {
    (void)state;
    size_t before = heap_caps_get_free_size(MALLOC_CAP_8BIT);
    drain(&d, 200, MALLOC_CAP_DEFAULT);
    assert_true(count_in(&d, sram) > 0 && count_in(&d, stack) > 0 && count_in(&d, lp) > 0);
    assert_true(heap_caps_get_largest_free_block(MALLOC_CAP_8BIT) < 200);
    release(&d);
    assert_int_equal(heap_caps_get_free_size(MALLOC_CAP_8BIT), before);
    assert_true(heap_caps_check_integrity_all(true));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(heaps_follow_the_map, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(hp_sram_first_lp_sram_last, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(dma_only_in_hp_sram, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(lp_sram_caps, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(every_block_freed, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(noprot_lp_sram_caps, noprot_setup, board_teardown),
        cmocka_unit_test_setup_teardown(noprot_serves_exec_in_the_same_order, noprot_setup, board_teardown),
        cmocka_unit_test_setup_teardown(noprot_exec_at_the_data_address, noprot_setup, board_teardown),
        cmocka_unit_test_setup_teardown(every_block_freed, noprot_setup, board_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
