/*
 * test_esp_system.c: esp_system.h's heap figures over the esp32 board's
 * heaps: the free bytes malloc can use, those of internal DMA-capable
 * memory, and the low watermark.
 */
#define _POSIX_C_SOURCE 200809L
#include "caps_test.h"
#include "esp_system.h"

static void test_figures_follow_the_heaps(void **state) {
    (void)state;
    uint32_t all = esp_get_free_heap_size();
    uint32_t internal = esp_get_free_internal_heap_size();
    assert_int_equal(all, heap_caps_get_free_size(MALLOC_CAP_DEFAULT));
    assert_int_equal(internal, heap_caps_get_free_size(MALLOC_CAP_8BIT | MALLOC_CAP_DMA | MALLOC_CAP_INTERNAL));
    assert_int_equal(esp_get_minimum_free_heap_size(), all);
    /* IRAM is in neither figure; DRAM in both. */
    void *x = heap_caps_malloc(4096, MALLOC_CAP_EXEC | MALLOC_CAP_32BIT);
    assert_non_null(x);
    assert_int_equal(esp_get_free_heap_size(), all);
    void *d = heap_caps_malloc(4096, MALLOC_CAP_DMA);
    assert_non_null(d);
    assert_true(esp_get_free_heap_size() <= all - 4096);
    assert_true(esp_get_free_internal_heap_size() <= internal - 4096);
    uint32_t low = esp_get_minimum_free_heap_size();
    assert_int_equal(low, esp_get_free_heap_size());
    heap_caps_free(d);
    heap_caps_free(x);
    assert_int_equal(esp_get_free_heap_size(), all);
    assert_int_equal(esp_get_free_internal_heap_size(), internal);
    assert_int_equal(esp_get_minimum_free_heap_size(), low); /* the watermark stays */
}

/* With PSRAM, malloc's heaps include it; the internal figure does not. */
static void test_psram_counts_for_malloc_only(void **state) {
    (void)state;
    uint32_t all = esp_get_free_heap_size(), internal = esp_get_free_internal_heap_size();
    assert_true(all > internal + 4u * 1024 * 1024 - 65536);
    void *e = heap_caps_malloc(65536, MALLOC_CAP_SPIRAM);
    assert_non_null(e);
    assert_true(esp_get_free_heap_size() <= all - 65536);
    assert_int_equal(esp_get_free_internal_heap_size(), internal);
    heap_caps_free(e);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_figures_follow_the_heaps, caps_setup_esp32, caps_teardown),
        cmocka_unit_test_setup_teardown(test_psram_counts_for_malloc_only, caps_setup_esp32_psram, caps_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
