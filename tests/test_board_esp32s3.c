/*
 * test_board_esp32s3.c: the esp32s3 boards' placement rules on the host
 * model: the heaps of SRAM1 and SRAM2 minus the application and the ROM's
 * data, malloc in the DRAM types before D/IRAM, 32BIT the same way, EXEC
 * refused while memory protection is on (esp32s3) and served on the
 * instruction bus when it is off (esp32s3-noprot), the same bytes seen on
 * both buses, and one free for either address.
 */
#define BOARD_NAME "esp32s3"
#include "test_board_common.h"

static const chip_range_t diram = {0x3FC97000, 0x3FCE0000};      /* SRAM1 after code and data */
static const chip_range_t stack_dram = {0x3FCE0000, 0x3FCED710}; /* SRAM1's last 64 KiB, ROM data off */
static const chip_range_t dram = {0x3FCF0000, 0x3FCF8000};       /* SRAM2 below the data cache */
static const chip_range_t diram_ibus = {0x3FC97000 + 0x6F0000, 0x3FCE0000 + 0x6F0000};
static const chip_range_t app_and_rom[] = {
    {0x3FC88000, 0x3FC97000}, /* IRAM code (data-bus view), .data/.bss */
    {0x3FCED710, 0x3FCF0000}, /* ROM .bss/.data */
};

static drained_t d;

static int noprot_setup(void **state) {
    (void)state;
    assert_int_equal(capheap_init("esp32s3-noprot"), ESP_OK);
    return 0;
}

/* No drained block lies in the application's or the ROM's memory. */
static void assert_nothing_reserved(void) {
    for (size_t i = 0; i < sizeof app_and_rom / sizeof app_and_rom[0]; i++) {
        assert_int_equal(count_in(&d, app_and_rom[i]), 0);
    }
}

static void heaps_follow_the_map(void **state) {
    (void)state;
    const chip_range_t expected[] = {diram, stack_dram, dram};
    assert_heaps(expected, sizeof expected / sizeof expected[0]);
    size_t all = (diram.end - diram.start) + (stack_dram.end - stack_dram.start) + (dram.end - dram.start);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_8BIT), all);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_DMA), all);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_EXEC), 0);
}

/* DEFAULT and 32BIT: the DRAM types (the start-up stack's first, as the
 * heaps come), then D/IRAM, whose caps for either are of a later priority. */
static void dram_types_before_diram(void **state) {
    (void)state;
    static const uint32_t masks[] = {MALLOC_CAP_DEFAULT, MALLOC_CAP_32BIT};
    for (size_t m = 0; m < 2; m++) {
        drain(&d, 512, masks[m]);
        size_t k = prefix_in(&d, stack_dram);
        assert_true(k > 90); /* 54,656 bytes free: 105 blocks of 512 without poisoning */
        size_t k2 = k;
        while (k2 < d.n && in_range(d.p[k2], dram)) {
            k2++;
        }
        assert_true(k2 - k > 55); /* 32,520 free: 63 */
        assert_int_equal(count_in(&d, diram), d.n - k2); /* and the rest all in D/IRAM */
        assert_true(d.n - k2 > 500);
        assert_nothing_reserved();
        release(&d);
    }
}

static void exec_refused_with_memory_protection(void **state) {
    (void)state;
    assert_null(heap_caps_malloc(64, MALLOC_CAP_EXEC));
    assert_null(heap_caps_malloc(64, MALLOC_CAP_EXEC | MALLOC_CAP_32BIT));
    assert_null(heap_caps_aligned_alloc(64, 64, MALLOC_CAP_EXEC));
}

static void exec_on_the_instruction_bus_without_protection(void **state) {
    (void)state;
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_EXEC), diram.end - diram.start);
    size_t free_before = heap_caps_get_free_size(MALLOC_CAP_EXEC);
    drain(&d, 1024, MALLOC_CAP_EXEC);
    assert_int_equal(count_in(&d, diram_ibus), d.n);
    assert_true(d.n > 250);
    for (size_t i = 0; i < d.n; i++) {
        assert_int_equal((uintptr_t)d.p[i] % 4, 0);
    }
    /* The same bytes on the data bus, 0x6F0000 lower, in the same order. */
    uint32_t *code = d.p[0];
    const uint8_t *data = (const uint8_t *)(chip_addr(code) - 0x6F0000 + (uintptr_t)capheap_host_offset());
    code[0] = 0x04030201u;
    code[1] = 0x08070605u;
    for (unsigned i = 0; i < 8; i++) {
        uint8_t want = (uint8_t)(i + 1);
        uint8_t got;
        memcpy(&got, data + i, 1);
        assert_int_equal(got, want);
    }
    assert_true(heap_caps_get_allocated_size(code) >= 1024);
    release(&d); /* heap_caps_free of instruction-bus addresses */
    assert_int_equal(heap_caps_get_free_size(MALLOC_CAP_EXEC), free_before);
    assert_true(heap_caps_check_integrity_all(true));
}

static void data_requests_alike_on_both_boards(void **state) {
    (void)state;
    drain(&d, 2048, MALLOC_CAP_8BIT);
    assert_int_equal(count_in(&d, diram_ibus), 0); /* data requests get data-bus addresses */
    assert_nothing_reserved();
    size_t n = d.n;
    release(&d);
    capheap_deinit();
    assert_int_equal(capheap_init("esp32s3"), ESP_OK);
    drain(&d, 2048, MALLOC_CAP_8BIT);
    assert_int_equal(d.n, n);
    release(&d);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(heaps_follow_the_map, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(dram_types_before_diram, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(exec_refused_with_memory_protection, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(exec_on_the_instruction_bus_without_protection, noprot_setup,
                                        board_teardown),
        cmocka_unit_test_setup_teardown(data_requests_alike_on_both_boards, noprot_setup, board_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
