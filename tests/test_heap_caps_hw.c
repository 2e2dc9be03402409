/*
 * test_heap_caps_hw.c: what the hardware asks of a request beyond its caps
 * (src/heap_caps_hw.c), as ESP-IDF's esp_heap_adjust_alignment_to_hw does:
 * MALLOC_CAP_CACHE_ALIGNED only asks for alignment, the DMA descriptor caps
 * ask for DMA, SPIRAM drops DMA, and DMA and CACHE_ALIGNED requests get
 * whole cache lines of the board (SIMD at least 16 bytes), on every
 * allocating call.
 */
#define _POSIX_C_SOURCE 200809L
#include "caps_test.h"

static bool aligned(const void *p, uintptr_t a) { return ((uintptr_t)p & (a - 1)) == 0; }

static bool type_is(const void *p, const char *name) {
    capheap_heap_t *h = caps_heap_of(p);
    return h != NULL && strcmp(h->name, name) == 0;
}

static size_t failed_calls;

static void count_failure(size_t size, uint32_t caps, const char *function_name) {
    (void)size, (void)caps, (void)function_name;
    failed_calls++;
}

/* ---- the caps on the ESP32, whose lines ask no alignment ------------------ */

static void cache_aligned_asks_for_no_memory_of_its_own(void **state) {
    (void)state;
    void *dma = heap_caps_malloc(100, MALLOC_CAP_DMA);
    void *p = heap_caps_malloc(100, MALLOC_CAP_DMA | MALLOC_CAP_CACHE_ALIGNED);
    assert_non_null(p);
    assert_true(capheap_ptr_caps(p) & MALLOC_CAP_DMA);
    assert_ptr_equal(caps_heap_of(p), caps_heap_of(dma)); /* served as DMA is */
    /* CACHE_ALIGNED alone leaves caps 0, which no heap serves (ESP-IDF's too). */
    assert_null(heap_caps_malloc(100, MALLOC_CAP_CACHE_ALIGNED));
    heap_caps_free(p);
    heap_caps_free(dma);
}

static void dma_descriptors_get_dma_memory(void **state) {
    (void)state;
    void *ahb = heap_caps_malloc(64, MALLOC_CAP_DMA_DESC_AHB);
    void *axi = heap_caps_calloc(4, 16, MALLOC_CAP_DMA_DESC_AXI | MALLOC_CAP_8BIT);
    assert_non_null(ahb);
    assert_non_null(axi);
    assert_true(capheap_ptr_caps(ahb) & MALLOC_CAP_DMA);
    assert_true(capheap_ptr_caps(axi) & MALLOC_CAP_DMA);
    /* DMA is never executable: neither is a descriptor */
    assert_null(heap_caps_malloc(64, MALLOC_CAP_DMA_DESC_AHB | MALLOC_CAP_EXEC));
    heap_caps_free(ahb);
    heap_caps_free(axi);
}

static void spiram_drops_dma(void **state) {
    (void)state;
    uint8_t *p = heap_caps_malloc(1000, MALLOC_CAP_SPIRAM | MALLOC_CAP_DMA);
    assert_non_null(p);
    assert_true(type_is(p, "SPIRAM"));
    assert_false(capheap_ptr_caps(p) & MALLOC_CAP_DMA); /* the caller's to know */
    p = heap_caps_realloc(p, 3000, MALLOC_CAP_SPIRAM | MALLOC_CAP_DMA);
    assert_true(type_is(p, "SPIRAM"));
    heap_caps_free(p);
}

static void simd_needs_memory_that_has_it(void **state) {
    (void)state;
    failed_calls = 0;
    assert_int_equal(heap_caps_register_failed_alloc_callback(count_failure), ESP_OK);
    assert_null(heap_caps_malloc(64, MALLOC_CAP_SIMD)); /* no type of the ESP32 has SIMD */
    assert_int_equal(failed_calls, 1);
}

/* ---- whole cache lines: the STM32H743's Cortex-M7 (32-byte lines) ------------ */

static void dma_requests_get_whole_lines(void **state) {
    (void)state;
    uint8_t *a = heap_caps_malloc(1, MALLOC_CAP_DMA);
    uint8_t *b = heap_caps_malloc(33, MALLOC_CAP_DMA);
    assert_true(aligned(a, 32) && aligned(b, 32));
    assert_true(heap_caps_get_allocated_size(a) >= 32);
    assert_true(heap_caps_get_allocated_size(b) >= 64);
    /* no line holds two of them */
    assert_true(b >= a + 32 || a >= b + 64);
    uint8_t *c = heap_caps_calloc(3, 7, MALLOC_CAP_DMA | MALLOC_CAP_8BIT);
    assert_true(aligned(c, 32));
    for (size_t i = 0; i < 21; i++) {
        assert_int_equal(c[i], 0);
    }
    void *d = heap_caps_aligned_alloc(8, 10, MALLOC_CAP_DMA);  /* the line wins over less */
    void *e = heap_caps_aligned_alloc(128, 10, MALLOC_CAP_DMA); /* and more wins over the line */
    assert_true(aligned(d, 32) && aligned(e, 128));
    void *f = heap_caps_malloc_prefer(50, 2, MALLOC_CAP_DMA | MALLOC_CAP_SPM, MALLOC_CAP_DMA);
    assert_true(aligned(f, 32));
    void *g = heap_caps_malloc(10, MALLOC_CAP_CACHE_ALIGNED | MALLOC_CAP_8BIT);
    assert_true(aligned(g, 32));
    void *all[] = {a, b, c, d, e, f, g};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        heap_caps_free(all[i]);
    }
    assert_true(heap_caps_check_integrity_all(true));
}

static void sizes_that_would_wrap_are_refused(void **state) {
    (void)state;
    assert_null(heap_caps_malloc(SIZE_MAX - 10, MALLOC_CAP_DMA)); /* rounding to the line would wrap */
    assert_null(heap_caps_calloc(1, SIZE_MAX - 10, MALLOC_CAP_CACHE_ALIGNED | MALLOC_CAP_8BIT));
    assert_null(heap_caps_aligned_alloc(64, SIZE_MAX - 40, MALLOC_CAP_DMA));
    assert_true(heap_caps_check_integrity_all(true));
}

/* A DMA list asks a line (its own path once cached): each failure calls the
 * failed-allocation hook, on the first call and the cached ones alike, and
 * a request it serves calls none. */
static void dma_failures_call_the_hook_and_successes_do_not(void **state) {
    (void)state;
    failed_calls = 0;
    assert_int_equal(heap_caps_register_failed_alloc_callback(count_failure), ESP_OK);
    for (size_t i = 1; i <= 3; i++) {
        assert_null(heap_caps_malloc(64u << 20, MALLOC_CAP_DMA)); /* more than the board has */
        assert_int_equal(failed_calls, i);
    }
    void *p = heap_caps_malloc(100, MALLOC_CAP_DMA);
    assert_true(p != NULL && aligned(p, 32));
    assert_int_equal(failed_calls, 3);
    heap_caps_free(p);
}

static void plain_requests_stay_on_the_grain(void **state) {
    (void)state;
    void *p = heap_caps_malloc(1, MALLOC_CAP_8BIT);
    assert_true(heap_caps_get_allocated_size(p) < 32); /* no line for a request without DMA */
    heap_caps_free(p);
}

static void realloc_into_dma_moves_to_a_line(void **state) {
    (void)state;
    uint8_t *p = heap_caps_malloc(40, MALLOC_CAP_DMA);
    memset(p, 0x5A, 40);
    /* an aligned request is never resized in place (as ESP-IDF): a new block */
    uint8_t *q = heap_caps_realloc(p, 100, MALLOC_CAP_DMA);
    assert_non_null(q);
    assert_true(aligned(q, 32));
    assert_true(heap_caps_get_allocated_size(q) >= 128);
    for (size_t i = 0; i < 40; i++) {
        assert_int_equal(q[i], 0x5A);
    }
    heap_caps_free(q);
    assert_true(heap_caps_check_integrity_all(true));
}

/* ---- a chip of the test's own: external lines, SIMD memory ----------------- */

enum { RAM, PSRAM, TYPE_COUNT };
#define OWN_BASE ((uintptr_t)0x60000000u)

static const capheap_memory_type_t own_types[TYPE_COUNT] = {
    [RAM] = {"RAM", {MALLOC_CAP_8BIT | MALLOC_CAP_DEFAULT | MALLOC_CAP_SIMD,
                     MALLOC_CAP_INTERNAL | MALLOC_CAP_DMA | MALLOC_CAP_32BIT, 0}},
    [PSRAM] = {"PSRAM", {MALLOC_CAP_SPIRAM | MALLOC_CAP_DEFAULT, 0, MALLOC_CAP_8BIT | MALLOC_CAP_32BIT}},
};

static const capheap_region_t own_regions[] = {
    {OWN_BASE, 0x10000, RAM, 0, {CAPHEAP_ALIAS_NONE, 0}},
    {OWN_BASE + 0x100000, 0x20000, PSRAM, 0, {CAPHEAP_ALIAS_NONE, 0}},
};

static capheap_board_t own_board = {
    .name = "cached-chip",
    .types = own_types,
    .type_count = TYPE_COUNT,
    .regions = own_regions,
    .region_count = 2,
    .cache = {.internal_line = 0, .external_line = 128},
};

static void external_lines_and_simd(void **state) {
    (void)state;
    assert_int_equal(capheap_init_board(&own_board), ESP_OK);
    void *simd = heap_caps_malloc(3, MALLOC_CAP_SIMD);
    assert_true(type_is(simd, "RAM") && aligned(simd, 16));
    void *dma = heap_caps_malloc(3, MALLOC_CAP_DMA); /* internal memory is not cached here: no line */
    assert_true(type_is(dma, "RAM"));
    void *ext = heap_caps_malloc(3, MALLOC_CAP_SPIRAM | MALLOC_CAP_CACHE_ALIGNED);
    assert_true(type_is(ext, "PSRAM") && aligned(ext, 128));
    assert_true(heap_caps_get_allocated_size(ext) >= 128);
    void *ext_dma = heap_caps_malloc(3, MALLOC_CAP_SPIRAM | MALLOC_CAP_DMA);
    assert_true(type_is(ext_dma, "PSRAM") && aligned(ext_dma, 128));
    heap_caps_free(simd);
    heap_caps_free(dma);
    heap_caps_free(ext);
    heap_caps_free(ext_dma);
    capheap_deinit();
}

static void lines_must_be_powers_of_two_up_to_128(void **state) {
    (void)state;
    capheap_board_t bad = own_board;
    bad.cache.internal_line = 48;
    assert_int_equal(capheap_init_board(&bad), ESP_ERR_INVALID_ARG);
    bad.cache.internal_line = 0;
    bad.cache.external_line = 256;
    assert_int_equal(capheap_init_board(&bad), ESP_ERR_INVALID_ARG);
    bad.cache.external_line = 1;
    assert_int_equal(capheap_init_board(&bad), ESP_OK); /* 1 byte: asks nothing */
    capheap_deinit();
}

static int setup_esp32_psram(void **state) {
    (void)state;
    return caps_setup_board("esp32-psram");
}

static int setup_stm32h743(void **state) {
    (void)state;
    return caps_setup_board("stm32h743");
}

static int teardown(void **state) {
    (void)state;
    capheap_deinit();
    caps_default_reports();
    return 0;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(cache_aligned_asks_for_no_memory_of_its_own, setup_esp32_psram, teardown),
        cmocka_unit_test_setup_teardown(dma_descriptors_get_dma_memory, setup_esp32_psram, teardown),
        cmocka_unit_test_setup_teardown(spiram_drops_dma, setup_esp32_psram, teardown),
        cmocka_unit_test_setup_teardown(simd_needs_memory_that_has_it, setup_esp32_psram, teardown),
        cmocka_unit_test_setup_teardown(dma_requests_get_whole_lines, setup_stm32h743, teardown),
        cmocka_unit_test_setup_teardown(sizes_that_would_wrap_are_refused, setup_stm32h743, teardown),
        cmocka_unit_test_setup_teardown(dma_failures_call_the_hook_and_successes_do_not, setup_stm32h743, teardown),
        cmocka_unit_test_setup_teardown(plain_requests_stay_on_the_grain, setup_stm32h743, teardown),
        cmocka_unit_test_setup_teardown(realloc_into_dma_moves_to_a_line, setup_stm32h743, teardown),
        cmocka_unit_test_teardown(external_lines_and_simd, teardown),
        cmocka_unit_test_teardown(lines_must_be_powers_of_two_up_to_128, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
