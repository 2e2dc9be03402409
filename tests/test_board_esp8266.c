/*
 * test_board_esp8266.c: the esp8266 board's placement rules on the host
 * model, as ESP8266_RTOS_SDK v3 places memory: the heaps its linker script
 * and the typical reservations give; malloc and 32BIT requests in IRAM
 * first, then DRAM (the SDK's malloc asks MALLOC_CAP_32BIT and its regions
 * are tried in order); 8BIT and DMA requests only in DRAM; no EXEC memory,
 * as the SDK's regions have none; INTERNAL everywhere, DRAM first; every
 * block released by heap_caps_free whatever its heap.
 */
#define BOARD_NAME "esp8266"
#include "test_board_common.h"

static const chip_range_t dram = {0x3FFF0000, 0x40000000};
static const chip_range_t iram = {0x40107000, 0x4010C000};

static drained_t d;

static void heaps_follow_the_map(void **state) {
    (void)state;
    static const chip_range_t expected[] = {
        {0x3FFF0000, 0x40000000}, /* DRAM after .data/.bss, up to the SDK's heap end */
        {0x40107000, 0x4010C000}, /* IRAM after the code, up to the cache */
    };
    assert_heaps(expected, sizeof expected / sizeof expected[0]);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_8BIT), 64 * KIB);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_DMA), 64 * KIB);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_32BIT), 64 * KIB + 20 * KIB);
}

/* Plain malloc, as the SDK's: IRAM, then DRAM. */
static void malloc_in_iram_first(void **state) {
    (void)state;
    void *p = heap_caps_malloc_default(100);
    assert_true(p != NULL && in_range(p, iram));
    assert_false(capheap_ptr_caps(p) & MALLOC_CAP_8BIT); /* 32-bit accesses only there */
    heap_caps_free(p);
    static const chip_range_t order[] = {{0x40107000, 0x4010C000}, {0x3FFF0000, 0x40000000}};
    static const size_t min[] = {18, 60};
    assert_drain_order(&d, 1 * KIB, MALLOC_CAP_DEFAULT, order, min, sizeof order / sizeof order[0]);
    assert_drain_order(&d, 1 * KIB, MALLOC_CAP_32BIT, order, min, sizeof order / sizeof order[0]);
}

static void bytes_and_dma_only_in_dram(void **state) {
    (void)state;
    size_t iram_free = heap_caps_get_free_size(MALLOC_CAP_32BIT) - heap_caps_get_free_size(MALLOC_CAP_8BIT);
    drain(&d, 1 * KIB, MALLOC_CAP_8BIT);
    assert_true(d.n > 60);
    assert_int_equal(count_in(&d, dram), d.n);
    assert_null(heap_caps_malloc(1 * KIB, MALLOC_CAP_DMA)); /* DRAM is full: DMA has nowhere else */
    /* IRAM untouched, and still there for malloc. */
    assert_int_equal(heap_caps_get_free_size(MALLOC_CAP_32BIT) - heap_caps_get_free_size(MALLOC_CAP_8BIT), iram_free);
    void *p = heap_caps_malloc_default(1 * KIB);
    assert_true(p != NULL && in_range(p, iram));
    heap_caps_free(p);
    release(&d);
    drain(&d, 1 * KIB, MALLOC_CAP_DMA);
    assert_int_equal(count_in(&d, dram), d.n);
    release(&d);
}

static void internal_but_no_exec(void **state) {
    (void)state;
    assert_null(heap_caps_malloc(16, MALLOC_CAP_EXEC));
    assert_null(heap_caps_malloc(16, MALLOC_CAP_SPIRAM));
    assert_null(heap_caps_malloc(16, MALLOC_CAP_8BIT | MALLOC_CAP_EXEC));
    /* Both memories are internal; INTERNAL alone meets them at its last
     * priority, in address order: DRAM first. */
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_INTERNAL), 64 * KIB + 20 * KIB);
    void *i = heap_caps_malloc(16, MALLOC_CAP_INTERNAL);
    assert_true(i != NULL && in_range(i, dram));
    heap_caps_free(i);
    /* A 32BIT size is rounded to whole words. */
    void *w = heap_caps_malloc(5, MALLOC_CAP_32BIT);
    assert_true(w != NULL && in_range(w, iram));
    assert_true(heap_caps_get_allocated_size(w) >= 8);
    heap_caps_free(w);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(heaps_follow_the_map, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(malloc_in_iram_first, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(bytes_and_dma_only_in_dram, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(internal_but_no_exec, board_setup, board_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
