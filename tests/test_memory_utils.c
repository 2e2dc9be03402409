/*
 * test_memory_utils.c: esp_memory_utils.h, what the board's map says an
 * address can do, on the esp32, esp32-psram and esp32s3-psram boards: heap
 * blocks of each memory type, the D/IRAM block through each bus, PSRAM a
 * DMA engine reaches or not, memory on no region, and no board at all.
 */
#define _POSIX_C_SOURCE 200809L
#include "caps_test.h"
#include "esp_memory_utils.h"

typedef struct {
    bool dma, exec, byte, internal, external, dma_ext;
} kind_t;

static void assert_kind(const void *p, kind_t k) {
    assert_int_equal(esp_ptr_dma_capable(p), k.dma);
    assert_int_equal(esp_ptr_executable(p), k.exec);
    assert_int_equal(esp_ptr_byte_accessible(p), k.byte);
    assert_int_equal(esp_ptr_internal(p), k.internal);
    assert_int_equal(esp_ptr_external_ram(p), k.external);
    assert_int_equal(esp_ptr_dma_ext_capable(p), k.dma_ext);
}

static const kind_t dram = {.dma = true, .byte = true, .internal = true};
static const kind_t iram = {.exec = true, .internal = true};
static const kind_t psram = {.byte = true, .external = true};
static const kind_t psram_dma = {.byte = true, .external = true, .dma_ext = true};
static const kind_t nothing = {0};

static void test_heap_blocks(void **state) {
    (void)state;
    void *d = heap_caps_malloc(64, MALLOC_CAP_DMA);
    void *x = heap_caps_malloc(64, MALLOC_CAP_EXEC | MALLOC_CAP_32BIT);
    assert_true(d != NULL && x != NULL);
    assert_kind(d, dram);
    assert_kind(x, iram);
    heap_caps_free(d);
    heap_caps_free(x);
}

/* D/IRAM (0x3FFE0000-0x40000000) is also at 0x400A0000-0x400C0000 on the
 * instruction bus: DMA and bytes through the first, code through the second. */
static void test_diram_through_each_bus(void **state) {
    (void)state;
    assert_kind(caps_ptr(0x3FFE8000), dram);
    assert_kind(caps_ptr(0x3FFFFFFC), dram);
    assert_kind(caps_ptr(0x400A8000), iram);
    assert_kind(caps_ptr(0x400BFFFC), iram);
    assert_kind(caps_ptr(0x40000000), nothing); /* between the two */
    /* Reserved parts are the chip's memory all the same: ROM data, the
     * application's IRAM code. */
    assert_kind(caps_ptr(0x3FFAE000), dram);
    assert_kind(caps_ptr(0x40080000), iram);
}

/* The program's own memory is on no region of the board. */
static void test_memory_off_the_board(void **state) {
    (void)state;
    int on_stack = 0;
    static int in_data;
    assert_kind(&on_stack, nothing);
    assert_kind(&in_data, nothing);
    assert_kind(NULL, nothing);
    assert_true(esp_ptr_word_aligned(&on_stack));
    assert_false(esp_ptr_word_aligned((char *)&on_stack + 1));
    assert_false(esp_ptr_word_aligned((char *)&on_stack + 2));
}

static void test_psram(void **state) {
    (void)state;
    void *e = heap_caps_malloc(64, MALLOC_CAP_SPIRAM);
    void *d = heap_caps_malloc(64, MALLOC_CAP_DMA);
    assert_true(e != NULL && d != NULL);
    assert_kind(e, psram);
    assert_kind(d, dram);
    heap_caps_free(e);
    heap_caps_free(d);
}

/* The ESP32-S3's DMA reaches its PSRAM (the ESP32's does not, above);
 * heap_caps still gives no block that is both DMA and SPIRAM. */
static void test_psram_dma(void **state) {
    (void)state;
    void *e = heap_caps_malloc(64, MALLOC_CAP_SPIRAM);
    void *d = heap_caps_malloc(64, MALLOC_CAP_DMA | MALLOC_CAP_INTERNAL);
    assert_true(e != NULL && d != NULL);
    assert_kind(e, psram_dma);
    assert_kind(d, dram);
    heap_caps_free(e);
    heap_caps_free(d);
}

/* Before a board is built, or after capheap_deinit, nothing is known. */
static void test_no_board(void **state) {
    (void)state;
    assert_int_equal(capheap_init_board(capheap_board_find("esp32")), ESP_OK);
    void *chip_address = caps_ptr(0x3FFE8000);
    assert_true(esp_ptr_dma_capable(chip_address));
    capheap_deinit();
    assert_kind(chip_address, nothing);
}

static int setup_esp32s3_psram(void **state) {
    (void)state;
    return caps_setup_board("esp32s3-psram");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_heap_blocks, caps_setup_esp32, caps_teardown),
        cmocka_unit_test_setup_teardown(test_diram_through_each_bus, caps_setup_esp32, caps_teardown),
        cmocka_unit_test_setup_teardown(test_memory_off_the_board, caps_setup_esp32, caps_teardown),
        cmocka_unit_test_setup_teardown(test_psram, caps_setup_esp32_psram, caps_teardown),
        cmocka_unit_test_setup_teardown(test_psram_dma, setup_esp32s3_psram, caps_teardown),
        cmocka_unit_test(test_no_board),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
