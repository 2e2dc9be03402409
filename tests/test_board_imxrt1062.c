/*
 * test_board_imxrt1062.c: the imxrt1062 board's placement rules on the host
 * model: the heaps of NXP's map (default FlexRAM split, the EVK's SDRAM),
 * malloc in DTCM first for small sizes and in SDRAM first from 16 KiB,
 * INTERNAL requests never in SDRAM, EXEC in ITCM first and never in DTCM (the
 * board's choice: the core could fetch from DTCM), DMA never in ITCM and in
 * SDRAM last, where the memory queries call it DMA-capable external memory,
 * byte requests never in ITCM.
 */
#define BOARD_NAME "imxrt1062"
#include "test_board_common.h"

#include "esp_memory_utils.h"

static const chip_range_t itcm = {0x00000000, 0x00020000};
static const chip_range_t dtcm = {0x20000000, 0x20020000};
static const chip_range_t ocram = {0x20200000, 0x202C0000};
static const chip_range_t sdram = {0x80000000, 0x82000000};

static drained_t d;

static void heaps_follow_the_map(void **state) {
    (void)state;
    static const chip_range_t expected[] = {
        {0x00002000, 0x00020000}, /* ITCM after the code placed there */
        {0x20008000, 0x2001E000}, /* DTCM between .data/.bss and the stack */
        {0x20200000, 0x202C0000}, /* OCRAM2 and the FlexRAM OCRAM, merged */
        {0x80000000, 0x82000000}, /* SDRAM */
    };
    assert_heaps(expected, sizeof expected / sizeof expected[0]);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_SPIRAM), 32u * 1024 * KIB);
}

static void malloc_policy_small_internal_large_external(void **state) {
    (void)state;
    void *small = heap_caps_malloc_default(100);
    void *large = heap_caps_malloc_default(64 * KIB);
    assert_true(small != NULL && in_range(small, dtcm));
    assert_true(large != NULL && in_range(large, sdram));
    assert_true(capheap_ptr_caps(large) & MALLOC_CAP_SPIRAM);
    heap_caps_free(small);
    heap_caps_free(large);
}

static void internal_never_in_sdram(void **state) {
    (void)state;
    drain(&d, 4 * KIB, MALLOC_CAP_INTERNAL | MALLOC_CAP_DMA);
    assert_int_equal(count_in(&d, sdram) + count_in(&d, itcm), 0);
    assert_true(count_in(&d, dtcm) > 10 && count_in(&d, ocram) > 150);
    release(&d);
}

static void exec_in_itcm_first_never_dtcm(void **state) {
    (void)state;
    drain(&d, 16 * KIB, MALLOC_CAP_EXEC);
    assert_true(prefix_in(&d, itcm) >= 6);
    assert_int_equal(count_in(&d, dtcm), 0);
    assert_true(count_in(&d, ocram) > 40 && count_in(&d, sdram) > 1000);
    release(&d);
}

static void bytes_and_dma_never_in_itcm(void **state) {
    (void)state;
    size_t free_before = heap_caps_get_free_size(MALLOC_CAP_32BIT);
    drain(&d, 16 * KIB, MALLOC_CAP_8BIT);
    assert_int_equal(count_in(&d, itcm), 0);
    release(&d);
    drain(&d, 16 * KIB, MALLOC_CAP_DMA);
    assert_int_equal(count_in(&d, itcm), 0);
    assert_true(count_in(&d, dtcm) > 0 && count_in(&d, sdram) > 1000);
    /* A DMA block in SDRAM is memory the DMA reaches, as the queries say:
     * external (not esp_ptr_dma_capable, internal memory's) but DMA-capable. */
    for (size_t i = 0; i < d.n; i++) {
        if (in_range(d.p[i], sdram)) {
            assert_true(esp_ptr_dma_ext_capable(d.p[i]) && !esp_ptr_dma_capable(d.p[i]));
        }
    }
    release(&d);
    assert_int_equal(heap_caps_get_free_size(MALLOC_CAP_32BIT), free_before);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(heaps_follow_the_map, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(malloc_policy_small_internal_large_external, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(internal_never_in_sdram, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(exec_in_itcm_first_never_dtcm, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(bytes_and_dma_never_in_itcm, board_setup, board_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
