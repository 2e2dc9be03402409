/*
 * test_board_stm32h743.c: the stm32h743 board's placement rules on the host
 * model: the heaps ST's memory map and the typical reservations give, DMA
 * requests never in the TCMs (D2 SRAM first, backup SRAM last: DMA1/DMA2 reach
 * it), EXEC in ITCM first and never in DTCM (the board's choice: the core
 * could fetch from DTCM), malloc in DTCM first, RETENTION only in backup SRAM,
 * and every block released by heap_caps_free whatever its heap.
 */
#define BOARD_NAME "stm32h743"
#include "test_board_common.h"

static const chip_range_t itcm = {0x00000000, 0x00010000};
static const chip_range_t dtcm = {0x20000000, 0x20020000};
static const chip_range_t axi = {0x24000000, 0x24080000};
static const chip_range_t d2 = {0x30000000, 0x30048000};
static const chip_range_t sram4 = {0x38000000, 0x38010000};
static const chip_range_t backup = {0x38800000, 0x38801000};

static drained_t d;

static void heaps_follow_the_map(void **state) {
    (void)state;
    static const chip_range_t expected[] = {
        {0x00004000, 0x00010000}, /* ITCM after the code placed there */
        {0x20004000, 0x2001E000}, /* DTCM between .data/.bss and the stack */
        {0x24000000, 0x24080000}, /* AXI SRAM */
        {0x30000000, 0x30048000}, /* SRAM1-3 merged */
        {0x38000000, 0x38010000}, /* SRAM4 */
        {0x38800000, 0x38801000}, /* backup SRAM */
    };
    assert_heaps(expected, sizeof expected / sizeof expected[0]);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_RETENTION), 4 * KIB);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_SPM), (0x10000 - 0x4000) + (0x1E000 - 0x4000));
}

static void dma_never_in_tcm(void **state) {
    (void)state;
    size_t free_before = heap_caps_get_free_size(MALLOC_CAP_8BIT);
    drain(&d, 1 * KIB, MALLOC_CAP_DMA);
    assert_true(prefix_in(&d, d2) > 200); /* D2, the DMAs' own domain, first */
    assert_int_equal(count_in(&d, dtcm) + count_in(&d, itcm), 0);
    assert_true(count_in(&d, axi) > 400 && count_in(&d, sram4) > 50);
    /* Backup SRAM is DMA-reachable but comes last: its blocks end the list. */
    size_t in_backup = count_in(&d, backup);
    assert_true(in_backup >= 2);
    for (size_t i = d.n - in_backup; i < d.n; i++) {
        assert_true(in_range(d.p[i], backup));
    }
    for (size_t i = 0; i < d.n; i++) {
        assert_true(capheap_ptr_caps(d.p[i]) & MALLOC_CAP_DMA);
    }
    /* With every DMA-capable byte taken, DTCM is still there for the core. */
    void *p = heap_caps_malloc(1 * KIB, MALLOC_CAP_8BIT);
    assert_true(p != NULL && in_range(p, dtcm));
    heap_caps_free(p);
    release(&d);
    assert_int_equal(heap_caps_get_free_size(MALLOC_CAP_8BIT), free_before);
}

static void exec_in_itcm_first_never_dtcm(void **state) {
    (void)state;
    drain(&d, 4 * KIB, MALLOC_CAP_EXEC);
    assert_true(prefix_in(&d, itcm) >= 10); /* 48 KiB of ITCM heap */
    assert_int_equal(count_in(&d, dtcm) + count_in(&d, backup) + count_in(&d, sram4), 0);
    assert_true(count_in(&d, axi) > 100 && count_in(&d, d2) > 50);
    release(&d);
    assert_null(heap_caps_malloc(16, MALLOC_CAP_EXEC | MALLOC_CAP_8BIT));
}

static void malloc_prefers_dtcm_and_spares_itcm(void **state) {
    (void)state;
    void *p = heap_caps_malloc_default(100);
    assert_true(p != NULL && in_range(p, dtcm));
    heap_caps_free(p);
    drain(&d, 2 * KIB, MALLOC_CAP_DEFAULT | MALLOC_CAP_INTERNAL);
    assert_true(prefix_in(&d, dtcm) > 40);
    assert_int_equal(count_in(&d, itcm) + count_in(&d, backup), 0);
    release(&d);
    drain(&d, 256, MALLOC_CAP_8BIT);
    assert_int_equal(count_in(&d, itcm), 0);
    release(&d);
}

static void special_memory_by_caps(void **state) {
    (void)state;
    void *r = heap_caps_malloc(64, MALLOC_CAP_RETENTION);
    assert_true(r != NULL && in_range(r, backup));
    assert_true(capheap_ptr_caps(r) & MALLOC_CAP_RETENTION);
    void *s = heap_caps_malloc(64, MALLOC_CAP_SPM | MALLOC_CAP_8BIT);
    assert_true(s != NULL && in_range(s, dtcm));
    void *x = heap_caps_malloc(64, MALLOC_CAP_SPM | MALLOC_CAP_EXEC);
    assert_true(x != NULL && in_range(x, itcm));
    assert_null(heap_caps_malloc(64, MALLOC_CAP_SPM | MALLOC_CAP_DMA));
    void *rd = heap_caps_malloc(64, MALLOC_CAP_RETENTION | MALLOC_CAP_DMA);
    assert_true(rd != NULL && in_range(rd, backup));
    heap_caps_free(rd);
    assert_null(heap_caps_malloc(64, MALLOC_CAP_RETENTION | MALLOC_CAP_DEFAULT));
    assert_null(heap_caps_malloc(64, MALLOC_CAP_SPIRAM));
    heap_caps_free(r);
    heap_caps_free(s);
    heap_caps_free(x);
    assert_int_equal(capheap_ptr_caps((void *)(0x38810000u + (uintptr_t)capheap_host_offset())), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(heaps_follow_the_map, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(dma_never_in_tcm, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(exec_in_itcm_first_never_dtcm, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(malloc_prefers_dtcm_and_spares_itcm, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(special_memory_by_caps, board_setup, board_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
