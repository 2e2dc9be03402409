/*
 * test_tx_dma.c: the example driver's transmit side (tx_dma.c) on a PC,
 * against the esp32-psram board's memory map: which buffers the DMA engine
 * reads where they are, which it gets a copy of.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "capheap.h"
#include "esp_memory_utils.h"
#include "tx_dma.h"

static int on_esp32_psram(void **state) {
    (void)state;
    return capheap_init("esp32-psram") == ESP_OK ? 0 : -1;
}

static int done(void **state) {
    (void)state;
    capheap_deinit();
    return 0;
}

/* Sends data and checks what the engine would read: the same bytes, from
 * DMA-capable memory; returns whether a copy was made. */
static bool send(const uint8_t *data, size_t len) {
    uint8_t *bounce;
    const uint8_t *dma = tx_dma_buffer(data, len, &bounce);
    assert_non_null(dma);
    assert_true(esp_ptr_dma_capable(dma) && esp_ptr_word_aligned(dma));
    assert_memory_equal(dma, data, len);
    assert_true(bounce == NULL ? dma == data : dma == bounce);
    heap_caps_free(bounce);
    return bounce != NULL;
}

static void fill(uint8_t *p, size_t len) {
    for (size_t i = 0; i < len; i++) {
        p[i] = (uint8_t)(i * 7 + 1);
    }
}

static void dma_memory_is_sent_as_it_is(void **state) {
    (void)state;
    uint8_t *frame = heap_caps_malloc(256, MALLOC_CAP_DMA);
    fill(frame, 256);
    size_t dma_free = heap_caps_get_free_size(MALLOC_CAP_DMA);
    assert_false(send(frame, 256));
    assert_false(send(frame + 4, 100));
    assert_true(send(frame + 1, 100)); /* not word-aligned */
    assert_int_equal(heap_caps_get_free_size(MALLOC_CAP_DMA), dma_free);
    heap_caps_free(frame);
}

/* A frame built in SPI RAM (where a large malloc lands on this board) is out
 * of the engine's reach on the ESP32: it goes by a copy. */
static void psram_is_copied(void **state) {
    (void)state;
    uint8_t *frame = heap_caps_malloc_default(32 * 1024);
    assert_true(esp_ptr_external_ram(frame));
    fill(frame, 1500);
    assert_true(send(frame, 1500));
    heap_caps_free(frame);
}

/* The test's own stack is no memory of the board: a copy (on the chip it
 * would be internal DRAM, sent as it is). Keep buffers that must go as they
 * are in heap_caps memory. */
static void the_pc_stack_is_copied(void **state) {
    (void)state;
    uint8_t frame[64];
    fill(frame, sizeof frame);
    assert_true(send(frame, sizeof frame));
}

/* No DMA memory left: NULL, and nothing kept. */
static void no_dma_memory_left(void **state) {
    (void)state;
    uint8_t *frame = heap_caps_malloc(8192, MALLOC_CAP_SPIRAM);
    fill(frame, 8192);
    void *hog[64];
    int hogs = 0;
    size_t largest;
    while (hogs < 64 && (largest = heap_caps_get_largest_free_block(MALLOC_CAP_DMA)) >= 64) {
        hog[hogs++] = heap_caps_malloc(largest, MALLOC_CAP_DMA);
    }
    assert_true(heap_caps_get_largest_free_block(MALLOC_CAP_DMA) < 8192);
    uint8_t *bounce = frame;
    assert_null(tx_dma_buffer(frame, 8192, &bounce));
    assert_null(bounce);
    while (hogs > 0) {
        heap_caps_free(hog[--hogs]);
    }
    heap_caps_free(frame);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(dma_memory_is_sent_as_it_is, on_esp32_psram, done),
        cmocka_unit_test_setup_teardown(psram_is_copied, on_esp32_psram, done),
        cmocka_unit_test_setup_teardown(the_pc_stack_is_copied, on_esp32_psram, done),
        cmocka_unit_test_setup_teardown(no_dma_memory_left, on_esp32_psram, done),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
