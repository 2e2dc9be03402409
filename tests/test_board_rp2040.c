/*
 * test_board_rp2040.c: the rp2040 board's placement rules on the host model:
 * the heaps of the datasheet's map minus .data/.bss and the two core stacks,
 * malloc in the striped SRAM first and in the scratch banks last, SPM only in
 * the scratch banks, DMA and EXEC everywhere, the stacks never handed out.
 */
#define BOARD_NAME "rp2040"
#include "test_board_common.h"

static const chip_range_t striped = {0x20000000, 0x20040000};
static const chip_range_t scratch = {0x20040000, 0x20042000};
static const chip_range_t core1_stack = {0x20040800, 0x20041000};
static const chip_range_t core0_stack = {0x20041800, 0x20042000};

static drained_t d;

static void heaps_follow_the_map(void **state) {
    (void)state;
    static const chip_range_t expected[] = {
        {0x20004000, 0x20040000}, /* SRAM0-3 after .data/.bss */
        {0x20040000, 0x20040800}, /* SRAM4 below core 1's stack */
        {0x20041000, 0x20041800}, /* SRAM5 below core 0's stack */
    };
    assert_heaps(expected, sizeof expected / sizeof expected[0]);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_SPM), 4 * KIB);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_DMA), 0x3C000 + 4 * KIB);
}

static void malloc_takes_scratch_last(void **state) {
    (void)state;
    drain(&d, 128, MALLOC_CAP_DEFAULT | MALLOC_CAP_INTERNAL);
    size_t k = prefix_in(&d, striped);
    assert_true(k > 1400);
    assert_int_equal(count_in(&d, striped), k); /* striped first, then only scratch */
    assert_true(count_in(&d, scratch) > 20);
    assert_int_equal(count_in(&d, core0_stack) + count_in(&d, core1_stack), 0);
    release(&d);
}

static void spm_only_in_scratch(void **state) {
    (void)state;
    drain(&d, 64, MALLOC_CAP_SPM);
    assert_int_equal(count_in(&d, scratch), d.n);
    assert_int_equal(count_in(&d, core0_stack) + count_in(&d, core1_stack), 0);
    release(&d);
    void *p = heap_caps_malloc(64, MALLOC_CAP_SPM | MALLOC_CAP_DMA);
    assert_true(p != NULL && in_range(p, scratch));
    heap_caps_free(p);
}

static void dma_and_exec_everywhere(void **state) {
    (void)state;
    size_t free_before = heap_caps_get_free_size(MALLOC_CAP_8BIT);
    /* (poisoning adds bytes to each block: the counts leave room for it) */
    drain(&d, 256, MALLOC_CAP_DMA);
    assert_true(count_in(&d, striped) > 800 && count_in(&d, scratch) >= 4);
    release(&d);
    drain(&d, 256, MALLOC_CAP_EXEC);
    assert_true(prefix_in(&d, striped) > 800 && count_in(&d, scratch) >= 4);
    release(&d);
    assert_int_equal(heap_caps_get_free_size(MALLOC_CAP_8BIT), free_before);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(heaps_follow_the_map, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(malloc_takes_scratch_last, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(spm_only_in_scratch, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(dma_and_exec_everywhere, board_setup, board_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
