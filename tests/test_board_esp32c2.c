/*
 * test_board_esp32c2.c: the esp32c2 board's placement rules on the host
 * model: the SRAM after the instruction cache and the application in one RAM
 * heap, the start-up stack's block without the ROM's data in a second; every
 * request with the type's caps (DEFAULT, DMA, 8BIT, INTERNAL, 32BIT) takes
 * them in address order; no EXEC (memory protection on), no RTCRAM (the C2
 * has no RTC memory); a block's instruction-bus address has its caps. With
 * memory protection off (esp32c2-noprot) EXEC is served in the same order,
 * at the instruction-bus address: the same bytes on both buses.
 */
#define BOARD_NAME "esp32c2"
#include "test_board_common.h"

static const chip_range_t sram = {0x3FCAF000, 0x3FCDCB70};  /* after code and data, up to the stack's block */
static const chip_range_t stack = {0x3FCDCB70, 0x3FCDF4BC}; /* the stack's block below the ROM's data */
static const chip_range_t app_and_rom[] = {
    {0x3FCA0000, 0x3FCAF000}, /* IRAM code (data-bus view), .data/.bss */
    {0x3FCDF4BC, 0x3FCE0000}, /* ROM .bss/.data */
};

/* Free bytes a little under 183 KiB and 10.2 KiB: 362 and 20 blocks of 512
 * with a 4-byte header; the 16-byte grain and poisoning take a few. */
static const size_t most[2] = {320, 16};

static drained_t d;

static void heaps_follow_the_map(void **state) {
    (void)state;
    assert_one_ram_type_heaps(sram, stack);
}

static void every_request_in_address_order(void **state) {
    (void)state;
    assert_one_ram_type_order(&d, sram, stack, most, app_and_rom, sizeof app_and_rom / sizeof app_and_rom[0]);
}

/* The SRAM is on the instruction bus 0x6E0000 higher. */
static void caps_on_both_buses(void **state) {
    (void)state;
    uint8_t *p = heap_caps_malloc(100, MALLOC_CAP_DMA);
    assert_true(p != NULL && in_range(p, sram));
    uint32_t caps = capheap_ptr_caps(p);
    assert_true((caps & MALLOC_CAP_DMA) && !(caps & MALLOC_CAP_EXEC));
    assert_int_equal(capheap_ptr_caps(p + 0x6E0000), caps);
    heap_caps_free(p);
    assert_true(heap_caps_check_integrity_all(true));
}

static void noprot_serves_exec_on_the_instruction_bus(void **state) {
    (void)state;
    const chip_range_t sram_ibus = {sram.start + 0x6E0000, sram.end + 0x6E0000};
    const chip_range_t stack_ibus = {stack.start + 0x6E0000, stack.end + 0x6E0000};
    const chip_range_t order[] = {sram_ibus, stack_ibus};
    assert_drain_order(&d, 512, MALLOC_CAP_EXEC, order, most, 2);
    assert_drain_order(&d, 512, MALLOC_CAP_DEFAULT, (const chip_range_t[]){sram, stack}, most, 2);
    uint32_t *code = heap_caps_malloc(64, MALLOC_CAP_EXEC);
    assert_true(code != NULL && in_range(code, sram_ibus));
    code[0] = 0x00000013u; /* RV32 "nop", as a loader would write it */
    const uint8_t *data = (const uint8_t *)(chip_addr(code) - 0x6E0000 + (uintptr_t)capheap_host_offset());
    uint32_t seen;
    memcpy(&seen, data, sizeof seen);
    assert_int_equal(seen, 0x00000013u);
    heap_caps_free(code);
    assert_true(heap_caps_check_integrity_all(true));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(heaps_follow_the_map, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(every_request_in_address_order, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(caps_on_both_buses, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(every_request_in_address_order, noprot_setup, board_teardown),
        cmocka_unit_test_setup_teardown(noprot_serves_exec_on_the_instruction_bus, noprot_setup, board_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
