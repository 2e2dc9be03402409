/*
 * test_board_esp32c3.c: the esp32c3 boards' placement rules on the host
 * model: SRAM1 minus the application and the ROM's data, in two heaps (up to
 * the ROM's start-up stack, and the stack's block); with memory protection
 * on (esp32c3) both are DRAM types, met in address order, and EXEC is
 * refused; with it off (esp32c3-noprot) the first is D/IRAM, taken after the
 * stack's block, and both serve EXEC on the instruction bus 0x700000 above
 * their data-bus addresses, the stack's block first. RETENTION only in the
 * stack's block, at any protection. RTC fast memory is a heap too (ESP-IDF's
 * default on the C3), without DMA, which malloc takes last.
 */
#define BOARD_NAME "esp32c3"
#include "test_board_common.h"

static const chip_range_t sram1 = {0x3FC8F000, 0x3FCDC710};      /* after code and data, up to the stack */
static const chip_range_t stack_dram = {0x3FCDC710, 0x3FCDF060}; /* ROM stack and freed ROM data */
static const chip_range_t sram1_ibus = {0x3FC8F000 + 0x700000, 0x3FCDC710 + 0x700000};
static const chip_range_t stack_ibus = {0x3FCDC710 + 0x700000, 0x3FCDF060 + 0x700000};
static const chip_range_t rtc_fast = {0x50000000, 0x50001FE8};   /* below the RTC timer's data */

/* Free bytes 315,544, 8,032 and 8,016 without poisoning: 611, 15 and 15
 * blocks of 512; poisoning and task tracking take a few. */
static const size_t most_sram1 = 560, most_stack = 14, most_rtc = 14;

static drained_t d;

static void heaps_follow_the_map(void **state) {
    (void)state;
    const chip_range_t expected[] = {sram1, stack_dram, rtc_fast};
    assert_heaps(expected, 3);
    size_t sram = range_size(sram1) + range_size(stack_dram);
    size_t rtc = range_size(rtc_fast);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_8BIT), sram + rtc);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_DMA), sram);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_RTCRAM), rtc);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_RETENTION), range_size(stack_dram));
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_EXEC), 0);
    assert_null(heap_caps_malloc(64, MALLOC_CAP_EXEC));
}

static void malloc_in_address_order(void **state) {
    (void)state;
    const chip_range_t order[] = {sram1, stack_dram, rtc_fast};
    const size_t min[] = {most_sram1, most_stack, most_rtc};
    assert_drain_order(&d, 512, MALLOC_CAP_DEFAULT, order, min, 3);
    assert_drain_order(&d, 512, MALLOC_CAP_32BIT, order, min, 3);
    assert_drain_order(&d, 512, MALLOC_CAP_INTERNAL, order, min, 3);
    assert_drain_order(&d, 512, MALLOC_CAP_DMA, order, min, 2); /* never RTC fast memory */
}

static void rtcram_only_in_rtc_fast_memory(void **state) {
    (void)state;
    const chip_range_t order[] = {rtc_fast};
    const size_t min[] = {most_rtc};
    assert_drain_order(&d, 512, MALLOC_CAP_RTCRAM, order, min, 1);
    assert_drain_order(&d, 512, MALLOC_CAP_RTCRAM | MALLOC_CAP_8BIT, order, min, 1);
    assert_null(heap_caps_malloc(64, MALLOC_CAP_RTCRAM | MALLOC_CAP_DMA));
    void *p = heap_caps_malloc(64, MALLOC_CAP_RTCRAM);
    assert_true(p != NULL && (capheap_ptr_caps(p) & MALLOC_CAP_DMA) == 0);
    heap_caps_free(p);
}

static void retention_only_in_the_stack_block(void **state) {
    (void)state;
    const chip_range_t order[] = {stack_dram};
    const size_t min[] = {most_stack};
    assert_drain_order(&d, 512, MALLOC_CAP_RETENTION, order, min, 1);
    assert_drain_order(&d, 512, MALLOC_CAP_RETENTION | MALLOC_CAP_DMA, order, min, 1);
}

static void noprot_takes_diram_last_and_serves_exec(void **state) {
    (void)state;
    const chip_range_t order[] = {stack_dram, sram1, rtc_fast};
    const size_t min[] = {most_stack, most_sram1, most_rtc};
    assert_drain_order(&d, 512, MALLOC_CAP_DEFAULT, order, min, 3);
    assert_drain_order(&d, 512, MALLOC_CAP_32BIT, order, min, 3);
    const chip_range_t exec[] = {stack_ibus, sram1_ibus}; /* STACK/DIRAM: EXEC at priority 1 */
    const size_t min_exec[] = {most_stack, most_sram1};
    assert_drain_order(&d, 512, MALLOC_CAP_EXEC, exec, min_exec, 2);

    uint32_t *code = heap_caps_malloc(64, MALLOC_CAP_EXEC);
    assert_true(code != NULL && in_range(code, stack_ibus));
    code[0] = 0x00000013u; /* RV32 "nop", as a loader would write it */
    const uint8_t *data = (const uint8_t *)(chip_addr(code) - 0x700000 + (uintptr_t)capheap_host_offset());
    uint32_t seen;
    memcpy(&seen, data, sizeof seen);
    assert_int_equal(seen, 0x00000013u); /* the same bytes on the data bus */
    heap_caps_free(code);
    assert_true(heap_caps_check_integrity_all(true));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(heaps_follow_the_map, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(malloc_in_address_order, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(retention_only_in_the_stack_block, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(rtcram_only_in_rtc_fast_memory, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(rtcram_only_in_rtc_fast_memory, noprot_setup, board_teardown),
        cmocka_unit_test_setup_teardown(retention_only_in_the_stack_block, noprot_setup, board_teardown),
        cmocka_unit_test_setup_teardown(noprot_takes_diram_last_and_serves_exec, noprot_setup, board_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
