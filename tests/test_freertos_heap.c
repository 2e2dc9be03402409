/*
 * test_freertos_heap.c: FreeRTOS's heap API served by capheap
 * (ports/freertos/heap_capheap.c), built against the kernel stub of
 * ports/freertos/test with the configuration in tests/freertos: what the
 * kernel's objects get, memory crossing between pvPortMalloc and heap_caps,
 * the failure hook and trace macros, the figures, and heap_5.c's regions.
 */
#define _POSIX_C_SOURCE 200809L
#include "caps_test.h"

#include "FreeRTOS.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define KERNEL_CAPS (MALLOC_CAP_INTERNAL | MALLOC_CAP_8BIT)

/* ---- what heap_capheap.c calls out to (tests/freertos/FreeRTOSConfig.h) -- */

static struct {
    int failed_hooks, asserts;
    int mallocs_traced, frees_traced;
    void *malloc_address, *free_address;
    size_t malloc_size, free_size;
} seen;

void vApplicationMallocFailedHook(void) { seen.failed_hooks++; }

void test_trace_malloc(void *address, size_t size) {
    seen.mallocs_traced++;
    seen.malloc_address = address;
    seen.malloc_size = size;
}

void test_trace_free(void *address, size_t size) {
    seen.frees_traced++;
    seen.free_address = address;
    seen.free_size = size;
}

void test_assert_failed(const char *file, int line) {
    (void)file, (void)line;
    seen.asserts++;
}

static int setup_esp32(void **state) {
    memset(&seen, 0, sizeof seen);
    return caps_setup_esp32(state);
}

static int setup_no_board(void **state) {
    (void)state;
    memset(&seen, 0, sizeof seen);
    caps_record_reports();
    return 0;
}

/* ---- allocation ---------------------------------------------------------- */

/* Internal byte-accessible RAM, aligned as the kernel's heaps align. */
static void kernel_objects_get_internal_memory(void **state) {
    (void)state;
    for (size_t size = 1; size <= 4096; size = size * 3 + 1) {
        uint8_t *p = pvPortMalloc(size);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % portBYTE_ALIGNMENT, 0);
        assert_true((capheap_ptr_caps(p) & KERNEL_CAPS) == KERNEL_CAPS);
        assert_true(heap_caps_get_allocated_size(p) >= size);
        memset(p, 0xA5, size);
        assert_ptr_equal(seen.malloc_address, p);
        assert_int_equal(seen.malloc_size, size);
        vPortFree(p);
        assert_ptr_equal(seen.free_address, p);
    }
    assert_int_equal(seen.failed_hooks, 0);
    assert_int_equal(caps_reports.count, 0);
}

/* One heap: pvPortMalloc's memory goes back by heap_caps_free, and
 * heap_caps_malloc's by vPortFree, and the free size is what it was. */
static void memory_crosses_between_the_apis(void **state) {
    (void)state;
    size_t before = xPortGetFreeHeapSize();
    void *kernel = pvPortMalloc(600);
    void *caps = heap_caps_malloc(700, MALLOC_CAP_8BIT);
    assert_non_null(kernel);
    assert_non_null(caps);
    assert_true(xPortGetFreeHeapSize() <= before - 1300);
    heap_caps_free(kernel);
    vPortFree(caps);
    assert_int_equal(xPortGetFreeHeapSize(), before);
    assert_int_equal(caps_reports.count, 0);
}

/* Size 0 and a size no heap has give NULL, and each NULL calls the hook
 * (as heap_4.c does) and is traced; vPortFree(NULL) does nothing. */
static void failures_call_the_hook(void **state) {
    (void)state;
    assert_null(pvPortMalloc(0));
    assert_int_equal(seen.failed_hooks, 1);
    assert_null(pvPortMalloc(8u << 20));
    assert_int_equal(seen.failed_hooks, 2);
    assert_null(seen.malloc_address);
    assert_int_equal(seen.malloc_size, 8u << 20);
    assert_null(pvPortMalloc(SIZE_MAX));
    assert_int_equal(seen.failed_hooks, 3);
    vPortFree(NULL);
    assert_int_equal(seen.frees_traced, 0);
    assert_int_equal(caps_reports.count, 0);
}

static void calloc_zeroes_and_refuses_overflow(void **state) {
    (void)state;
    uint8_t *dirty = pvPortMalloc(256);
    assert_non_null(dirty);
    memset(dirty, 0xFF, 256);
    vPortFree(dirty);
    uint8_t *p = pvPortCalloc(16, 16);
    assert_non_null(p);
    for (size_t i = 0; i < 256; i++) {
        assert_int_equal(p[i], 0);
    }
    vPortFree(p);
    int hooks = seen.failed_hooks;
    assert_null(pvPortCalloc(SIZE_MAX / 2, 3));
    assert_int_equal(seen.failed_hooks, hooks); /* as heap_4.c: no heap was asked */
    assert_null(pvPortCalloc(0, 16));
    assert_int_equal(seen.failed_hooks, hooks + 1); /* pvPortMalloc(0) */
}

/* traceFREE is told the block's size, worked out only for it. */
static void free_is_traced_with_the_block_size(void **state) {
    (void)state;
    void *p = pvPortMalloc(100);
    assert_non_null(p);
    size_t usable = heap_caps_get_allocated_size(p);
    vPortFree(p);
    assert_int_equal(seen.frees_traced, 1);
    assert_ptr_equal(seen.free_address, p);
    assert_int_equal(seen.free_size, usable);
}

/* A second vPortFree of a block is reported with its address, through the
 * port's corruption hook, and the heaps stay whole. */
static void double_free_is_reported(void **state) {
    (void)state;
    void *p = pvPortMalloc(64);
    assert_non_null(p);
    vPortFree(p);
    assert_int_equal(caps_reports.count, 0);
    vPortFree(p);
    assert_int_equal(caps_reports.count, 1);
    assert_true(heap_caps_check_integrity_all(false));
}

/* ---- figures ------------------------------------------------------------- */

static void sizes_are_heap_caps_figures(void **state) {
    (void)state;
    assert_int_equal(xPortGetFreeHeapSize(), heap_caps_get_free_size(KERNEL_CAPS));
    size_t low = xPortGetMinimumEverFreeHeapSize();
    assert_true(low <= xPortGetFreeHeapSize());
    void *p = pvPortMalloc(20000);
    assert_non_null(p);
    size_t during = xPortGetFreeHeapSize();
    vPortFree(p);
    size_t lowest = xPortGetMinimumEverFreeHeapSize();
    assert_true(lowest <= during);
    assert_true(lowest <= low);
    assert_int_equal(lowest, heap_caps_get_minimum_free_size(KERNEL_CAPS));
}

static void heap_stats_agree_with_the_heaps(void **state) {
    (void)state;
    HeapStats_t before, after;
    vPortGetHeapStats(&before);
    void *blocks[8];
    for (size_t i = 0; i < COUNT(blocks); i++) {
        blocks[i] = pvPortMalloc(100 + 50 * i);
        assert_non_null(blocks[i]);
    }
    for (size_t i = 0; i < COUNT(blocks); i += 2) {
        vPortFree(blocks[i]); /* holes between used blocks: several free blocks */
    }
    assert_null(pvPortMalloc(0)); /* a failure counts nowhere */
    vPortFree(NULL);              /* nor does freeing nothing */
    vPortGetHeapStats(&after);
    multi_heap_info_t info;
    heap_caps_get_info(&info, KERNEL_CAPS);
    assert_int_equal(after.xAvailableHeapSpaceInBytes, xPortGetFreeHeapSize());
    assert_int_equal(after.xSizeOfLargestFreeBlockInBytes, info.largest_free_block);
    assert_int_equal(after.xNumberOfFreeBlocks, info.free_blocks);
    assert_int_equal(after.xMinimumEverFreeBytesRemaining, xPortGetMinimumEverFreeHeapSize());
    assert_true(after.xNumberOfFreeBlocks >= 4);
    assert_true(after.xSizeOfSmallestFreeBlockInBytes > 0);
    assert_true(after.xSizeOfSmallestFreeBlockInBytes <= 100 + 50 * 6); /* a hole at most */
    assert_int_equal(after.xNumberOfSuccessfulAllocations - before.xNumberOfSuccessfulAllocations, COUNT(blocks));
    assert_int_equal(after.xNumberOfSuccessfulFrees - before.xNumberOfSuccessfulFrees, COUNT(blocks) / 2);
    for (size_t i = 1; i < COUNT(blocks); i += 2) {
        vPortFree(blocks[i]);
    }
}

/* ---- heap_5.c's regions -------------------------------------------------- */

static _Alignas(64) uint8_t region_a[16384], region_b[8192];

static bool inside(const void *p, const uint8_t *region, size_t size) {
    return (const uint8_t *)p >= region && (const uint8_t *)p < region + size;
}

/* Without a board, the regions are the heaps: the kernel's objects come from
 * them, in either, and the figures cover both. */
static void defined_regions_serve_the_kernel(void **state) {
    (void)state;
    assert_null(pvPortMalloc(16));
    const HeapRegion_t regions[] = {{region_a, sizeof region_a}, {region_b, sizeof region_b}, {NULL, 0}};
    vPortDefineHeapRegions(regions);
    assert_int_equal(seen.asserts, 0);
    size_t total = xPortGetFreeHeapSize();
    assert_true(total > sizeof region_a + sizeof region_b - 1024);
    assert_true(total < sizeof region_a + sizeof region_b);
    void *big = pvPortMalloc(12000);
    void *other = pvPortMalloc(6000);
    assert_non_null(big);
    assert_non_null(other);
    assert_true(inside(big, region_a, sizeof region_a));
    assert_true(inside(other, region_b, sizeof region_b));
    assert_null(pvPortMalloc(12000)); /* neither has room now */
    vPortFree(big);
    vPortFree(other);
    assert_int_equal(xPortGetFreeHeapSize(), total);
    assert_int_equal(caps_reports.count, 0);
}

/* A region capheap refuses (overlapping a heap, ending past the top of the
 * address space) trips configASSERT and is left out; the others are added. */
static void refused_regions_trip_the_assert(void **state) {
    (void)state;
    const HeapRegion_t regions[] = {{region_a, sizeof region_a},
                                    {region_a + 4096, 4096},
                                    {(uint8_t *)(UINTPTR_MAX - 4095), 8192},
                                    {region_b, sizeof region_b},
                                    {NULL, 0}};
    vPortDefineHeapRegions(regions);
    assert_int_equal(seen.asserts, 2);
    void *p = pvPortMalloc(6000);
    void *q = pvPortMalloc(6000);
    assert_non_null(p);
    assert_non_null(q);
    assert_true(inside(p, region_a, sizeof region_a) || inside(p, region_b, sizeof region_b));
    assert_true(inside(q, region_a, sizeof region_a) || inside(q, region_b, sizeof region_b));
    vPortFree(p);
    vPortFree(q);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(kernel_objects_get_internal_memory, setup_esp32, caps_teardown),
        cmocka_unit_test_setup_teardown(memory_crosses_between_the_apis, setup_esp32, caps_teardown),
        cmocka_unit_test_setup_teardown(failures_call_the_hook, setup_esp32, caps_teardown),
        cmocka_unit_test_setup_teardown(calloc_zeroes_and_refuses_overflow, setup_esp32, caps_teardown),
        cmocka_unit_test_setup_teardown(free_is_traced_with_the_block_size, setup_esp32, caps_teardown),
        cmocka_unit_test_setup_teardown(double_free_is_reported, setup_esp32, caps_teardown),
        cmocka_unit_test_setup_teardown(sizes_are_heap_caps_figures, setup_esp32, caps_teardown),
        cmocka_unit_test_setup_teardown(heap_stats_agree_with_the_heaps, setup_esp32, caps_teardown),
        cmocka_unit_test_setup_teardown(defined_regions_serve_the_kernel, setup_no_board, caps_teardown),
        cmocka_unit_test_setup_teardown(refused_regions_trip_the_assert, setup_no_board, caps_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
