/*
 * test_rx_ring.c: unit-testing a piece of firmware (rx_ring.c) on a PC, with
 * cmocka, against the heap rules of the chip it is written for. capheap_init
 * builds the ESP32's heaps at the chip's addresses, so the test can ask what a
 * plain malloc-backed test never could: is every DMA buffer really in memory
 * the DMA engine reaches, on the board with external RAM too? Does running
 * out of DMA memory half way leak anything, whichever allocation fails?
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "capheap.h"
#include "esp_heap_caps.h"
#include "rx_ring.h"

#define BUFFERS 8
#define BUFFER_SIZE 1536 /* an Ethernet frame */

static int on_esp32(void **state) {
    (void)state;
    return capheap_init("esp32") == ESP_OK ? 0 : -1;
}

static int on_esp32_psram(void **state) {
    (void)state;
    return capheap_init("esp32-psram") == ESP_OK ? 0 : -1;
}

static int done(void **state) {
    (void)state;
    capheap_deinit();
    return 0;
}

static void assert_dma_buffer(const uint8_t *buffer) {
    uint32_t caps = capheap_ptr_caps(buffer);
    assert_true(caps & MALLOC_CAP_DMA);
    assert_true(caps & MALLOC_CAP_INTERNAL);
    assert_false(caps & MALLOC_CAP_SPIRAM);
    assert_int_equal((uintptr_t)buffer % 4, 0);
}

static void every_buffer_is_dma_capable(void **state) {
    (void)state;
    size_t dma_before = heap_caps_get_free_size(MALLOC_CAP_DMA);
    rx_ring_t *ring;
    assert_int_equal(rx_ring_create(BUFFERS, BUFFER_SIZE, &ring), ESP_OK);
    for (int i = 0; i < BUFFERS; i++) {
        assert_dma_buffer(rx_ring_slots(ring)[i]);
    }
    /* Round robin over the same buffers. */
    uint8_t *first = rx_ring_next(ring);
    for (int i = 1; i < BUFFERS; i++) {
        assert_ptr_not_equal(rx_ring_next(ring), first);
    }
    assert_ptr_equal(rx_ring_next(ring), first);
    rx_ring_destroy(ring);
    assert_int_equal(heap_caps_get_free_size(MALLOC_CAP_DMA), dma_before);
}

/* With 4 MiB of SPI RAM, large DEFAULT memory may be external: the ring's
 * bookkeeping can go there, its buffers never. And the mistake the test is
 * there to catch: a receive buffer taken with plain malloc() of 32 KiB lands
 * in SPI RAM (the board's malloc policy), where DMA cannot reach. */
static void buffers_stay_internal_with_psram(void **state) {
    (void)state;
    rx_ring_t *ring;
    assert_int_equal(rx_ring_create(BUFFERS, 32 * 1024 / BUFFERS, &ring), ESP_OK);
    for (int i = 0; i < BUFFERS; i++) {
        assert_dma_buffer(rx_ring_slots(ring)[i]);
    }
    rx_ring_destroy(ring);

    void *by_malloc = heap_caps_malloc_default(32 * 1024);
    assert_non_null(by_malloc);
    assert_true(capheap_ptr_caps(by_malloc) & MALLOC_CAP_SPIRAM);
    assert_false(capheap_ptr_caps(by_malloc) & MALLOC_CAP_DMA);
    heap_caps_free(by_malloc);
}

/* DMA memory runs out at the fifth buffer: the ring is refused and every
 * byte it had taken comes back. */
static void running_out_half_way_keeps_nothing(void **state) {
    (void)state;
    void *hog[64];
    size_t hogs = 0;
    /* Leave DMA-capable memory for about four buffers and a half. */
    while (hogs < 64 && heap_caps_get_free_size(MALLOC_CAP_DMA) > 4 * BUFFER_SIZE + BUFFER_SIZE / 2 + 1024) {
        size_t take = heap_caps_get_largest_free_block(MALLOC_CAP_DMA);
        size_t keep = 4 * BUFFER_SIZE + BUFFER_SIZE / 2;
        take = take > heap_caps_get_free_size(MALLOC_CAP_DMA) - keep ? heap_caps_get_free_size(MALLOC_CAP_DMA) - keep
                                                                     : take;
        hog[hogs] = heap_caps_malloc(take, MALLOC_CAP_DMA);
        assert_non_null(hog[hogs]);
        hogs++;
    }
    size_t dma_before = heap_caps_get_free_size(MALLOC_CAP_DMA);
    size_t default_before = heap_caps_get_free_size(MALLOC_CAP_DEFAULT);
    /* Some buffers fit, not all: the failure comes half way. */
    assert_true(heap_caps_get_largest_free_block(MALLOC_CAP_DMA) >= 2 * BUFFER_SIZE);
    assert_true(dma_before < BUFFERS * BUFFER_SIZE);
    rx_ring_t *ring = (rx_ring_t *)&ring; /* not NULL: create must clear it */
    assert_int_equal(rx_ring_create(BUFFERS, BUFFER_SIZE, &ring), ESP_ERR_NO_MEM);
    assert_null(ring);
    assert_int_equal(heap_caps_get_free_size(MALLOC_CAP_DMA), dma_before);
    assert_int_equal(heap_caps_get_free_size(MALLOC_CAP_DEFAULT), default_before);
    assert_true(heap_caps_check_integrity_all(true));
    while (hogs > 0) {
        heap_caps_free(hog[--hogs]);
    }
}

/* The same, at every allocation the create makes: count them once, then make
 * each one fail in turn (capheap_fail_allocations); each failure must give
 * ESP_ERR_NO_MEM and every byte back. */
static void each_allocation_failing_keeps_nothing(void **state) {
    (void)state;
    size_t free_before = heap_caps_get_free_size(MALLOC_CAP_8BIT);
    capheap_fail_plan_t count_only = {0, false, 0};
    capheap_fail_allocations(&count_only);
    rx_ring_t *ring;
    assert_int_equal(rx_ring_create(BUFFERS, BUFFER_SIZE, &ring), ESP_OK);
    size_t calls = capheap_fail_counted();
    rx_ring_destroy(ring);
    assert_true(calls >= BUFFERS);
    for (size_t nth = 1; nth <= calls; nth++) {
        capheap_fail_plan_t fail_nth = {nth, false, 0};
        capheap_fail_allocations(&fail_nth);
        assert_int_equal(rx_ring_create(BUFFERS, BUFFER_SIZE, &ring), ESP_ERR_NO_MEM);
        assert_null(ring);
        assert_int_equal(heap_caps_get_free_size(MALLOC_CAP_8BIT), free_before);
    }
    capheap_fail_allocations(NULL);
    assert_true(heap_caps_check_integrity_all(true));
}

static void bad_arguments(void **state) {
    (void)state;
    rx_ring_t *ring;
    assert_int_equal(rx_ring_create(0, BUFFER_SIZE, &ring), ESP_ERR_INVALID_ARG);
    assert_null(ring);
    assert_int_equal(rx_ring_create(BUFFERS, 0, &ring), ESP_ERR_INVALID_ARG);
    rx_ring_destroy(NULL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(every_buffer_is_dma_capable, on_esp32, done),
        cmocka_unit_test_setup_teardown(buffers_stay_internal_with_psram, on_esp32_psram, done),
        cmocka_unit_test_setup_teardown(running_out_half_way_keeps_nothing, on_esp32, done),
        cmocka_unit_test_setup_teardown(each_allocation_failing_keeps_nothing, on_esp32, done),
        cmocka_unit_test_setup_teardown(bad_arguments, on_esp32, done),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
