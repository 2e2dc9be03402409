/*
 * test_board_stm32f407.c: the stm32f407 board's placement rules on the host
 * model: the heaps RM0090's memory map and the typical reservations give,
 * DMA requests never in the CCM RAM (SRAM2 first, then SRAM1, never the
 * backup SRAM), plain malloc in SRAM1 first and in the CCM RAM last, EXEC
 * only in SRAM1 and SRAM2, SPM only in the CCM RAM, RETENTION only in the
 * backup SRAM, and every block released by heap_caps_free whatever its heap.
 */
#define BOARD_NAME "stm32f407"
#include "test_board_common.h"

static const chip_range_t ccm = {0x10000000, 0x10010000};
static const chip_range_t sram1 = {0x20000000, 0x2001C000};
static const chip_range_t sram2 = {0x2001C000, 0x20020000};
static const chip_range_t backup = {0x40024000, 0x40025000};

static drained_t d;

static void heaps_follow_the_map(void **state) {
    (void)state;
    static const chip_range_t expected[] = {
        {0x10000000, 0x10010000}, /* CCM data RAM, unused by the application */
        {0x20004000, 0x2001C000}, /* SRAM1 after .data/.bss */
        {0x2001C000, 0x2001F000}, /* SRAM2 below the main stack */
        {0x40024000, 0x40025000}, /* backup SRAM */
    };
    assert_heaps(expected, sizeof expected / sizeof expected[0]);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_DMA), (0x1C000 - 0x4000) + (0x1F000 - 0x1C000));
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_SPM), 64 * KIB);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_RETENTION), 4 * KIB);
}

static void dma_never_in_ccm(void **state) {
    (void)state;
    size_t free_before = heap_caps_get_free_size(MALLOC_CAP_8BIT);
    drain(&d, 1 * KIB, MALLOC_CAP_DMA);
    assert_true(prefix_in(&d, sram2) >= 10); /* SRAM2, its own bus-matrix slave, first */
    assert_true(count_in(&d, sram1) > 80);
    assert_int_equal(count_in(&d, ccm) + count_in(&d, backup), 0);
    for (size_t i = 0; i < d.n; i++) {
        assert_true(capheap_ptr_caps(d.p[i]) & MALLOC_CAP_DMA);
    }
    /* With every DMA-capable byte taken, the CCM RAM is still there for the core. */
    void *p = heap_caps_malloc(1 * KIB, MALLOC_CAP_8BIT);
    assert_true(p != NULL && in_range(p, ccm));
    assert_false(capheap_ptr_caps(p) & MALLOC_CAP_DMA);
    heap_caps_free(p);
    release(&d);
    assert_int_equal(heap_caps_get_free_size(MALLOC_CAP_8BIT), free_before);
}

/* Plain malloc: SRAM1, then SRAM2, then the CCM RAM; never the backup SRAM. */
static void malloc_in_sram_first_ccm_last(void **state) {
    (void)state;
    void *p = heap_caps_malloc_default(100);
    assert_true(p != NULL && in_range(p, sram1));
    assert_true(capheap_ptr_caps(p) & MALLOC_CAP_DMA); /* a malloc'd buffer works with a DMA */
    heap_caps_free(p);
    /* 96 KiB of SRAM1 heap, 12 of SRAM2, 64 of CCM, in 1 KiB blocks, then for
     * requests without DEFAULT the 4 of backup SRAM; nothing after: for
     * malloc()'s own mask (DEFAULT|INTERNAL) and the others a general request
     * names, whose priorities once put the CCM RAM, lower in the address map,
     * before SRAM2. */
    static const chip_range_t order[] = {{0x20004000, 0x2001C000},
                                         {0x2001C000, 0x2001F000},
                                         {0x10000000, 0x10010000},
                                         {0x40024000, 0x40025000}};
    static const size_t min[] = {90, 10, 60, 2};
    static const uint32_t masks[] = {MALLOC_CAP_DEFAULT, MALLOC_CAP_DEFAULT | MALLOC_CAP_INTERNAL, MALLOC_CAP_8BIT,
                                     MALLOC_CAP_8BIT | MALLOC_CAP_INTERNAL, MALLOC_CAP_32BIT};
    for (size_t i = 0; i < sizeof masks / sizeof masks[0]; i++) {
        size_t heaps = masks[i] & MALLOC_CAP_DEFAULT ? 3 : 4;
        assert_drain_order(&d, 1 * KIB, masks[i], order, min, heaps);
    }
}

/* heap_caps_malloc_extmem_enable on a board without external RAM: malloc()
 * still fills SRAM1, SRAM2 and the CCM RAM, and never takes the backup
 * SRAM, which has no DEFAULT cap (nor DMA: it is no pool kept back for
 * DMA requests, which malloc() takes last on the ESP32 boards). */
static void malloc_never_in_backup_sram_with_extmem_enabled(void **state) {
    (void)state;
    heap_caps_malloc_extmem_enable(16 * KIB);
    d.n = 0;
    void *p;
    while (d.n < MAX_BLOCKS && (p = heap_caps_malloc_default(256)) != NULL) {
        d.p[d.n++] = p;
    }
    assert_true(count_in(&d, sram1) > 250 && count_in(&d, ccm) > 150); /* whatever the poisoning */
    assert_int_equal(count_in(&d, backup), 0);
    release(&d);
}

static void exec_only_in_sram(void **state) {
    (void)state;
    drain(&d, 2 * KIB, MALLOC_CAP_EXEC);
    assert_true(d.n > 40);
    assert_int_equal(count_in(&d, ccm) + count_in(&d, backup), 0);
    release(&d);
    assert_null(heap_caps_malloc(16, MALLOC_CAP_EXEC | MALLOC_CAP_SPM));
}

static void special_memory_by_caps(void **state) {
    (void)state;
    void *s = heap_caps_malloc(64, MALLOC_CAP_SPM);
    assert_true(s != NULL && in_range(s, ccm));
    void *r = heap_caps_malloc(64, MALLOC_CAP_RETENTION);
    assert_true(r != NULL && in_range(r, backup));
    assert_null(heap_caps_malloc(64, MALLOC_CAP_SPM | MALLOC_CAP_DMA));
    assert_null(heap_caps_malloc(64, MALLOC_CAP_RETENTION | MALLOC_CAP_DMA));
    assert_null(heap_caps_malloc(64, MALLOC_CAP_SPIRAM));
    /* No data cache: a DMA request asks no cache line, nothing beyond the grain. */
    void *c = heap_caps_malloc(3, MALLOC_CAP_DMA | MALLOC_CAP_CACHE_ALIGNED);
    assert_true(c != NULL && in_range(c, sram2));
    heap_caps_free(c);
    heap_caps_free(r);
    heap_caps_free(s);
    assert_int_equal(capheap_ptr_caps((void *)(0x10010000u + (uintptr_t)capheap_host_offset())), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(heaps_follow_the_map, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(dma_never_in_ccm, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(malloc_in_sram_first_ccm_last, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(malloc_never_in_backup_sram_with_extmem_enabled, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(exec_only_in_sram, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(special_memory_by_caps, board_setup, board_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
