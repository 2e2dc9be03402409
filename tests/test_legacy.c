/*
 * test_legacy.c: the seed-era API (esp_heap_alloc_caps.h, heap_regions.h)
 * over the same registry as heap_caps: caps calls, tagged regions defined on
 * static buffers and on the board, tagged allocation and sizes, and memory
 * crossing between the two APIs.
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, MAP_FIXED_NOREPLACE */
#include "caps_test.h"
#include "heap_caps_internal.h"

#include <sys/mman.h>

#include "esp_heap_alloc_caps.h"
#include "esp_heap_trace.h"
#include "heap_regions.h"

/* The esp32 board's memory types, which are the seed era's tags. */
enum { TAG_DRAM, TAG_DIRAM, TAG_IRAM, TAG_SPIRAM };

static _Alignas(64) uint8_t buffers[4][8192];

static int teardown(void **state) {
    (void)state;
    capheap_deinit();
    caps_default_reports();
    return 0;
}

static int hook_calls;

static void on_failed(size_t size, uint32_t caps, const char *function_name) {
    (void)size, (void)caps, (void)function_name;
    hook_calls++;
}

static void caps_calls_are_heap_caps(void **state) {
    (void)state;
    heap_alloc_caps_init();
    size_t dram = xPortGetFreeHeapSizeCaps(MALLOC_CAP_8BIT);
    assert_int_equal(dram, heap_caps_get_free_size(MALLOC_CAP_8BIT));
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_8BIT), 6432 + 184320); /* start-up stacks out */
    heap_alloc_enable_nonos_stack_tag();
    assert_true(xPortGetFreeHeapSizeCaps(MALLOC_CAP_8BIT) > dram + 100000);
    void *p = pvPortMallocCaps(1000, MALLOC_CAP_DMA);
    assert_string_equal(caps_heap_of(p)->name, "DRAM");
    void *x = pvPortMallocCaps(1000, MALLOC_CAP_EXEC);
    assert_string_equal(caps_heap_of(x)->name, "IRAM");
    assert_true(xPortGetMinimumEverFreeHeapSizeCaps(MALLOC_CAP_8BIT) <= xPortGetFreeHeapSizeCaps(MALLOC_CAP_8BIT));
    assert_int_equal(xPortGetMinimumEverFreeHeapSizeCaps(MALLOC_CAP_DMA),
                     heap_caps_get_minimum_free_size(MALLOC_CAP_DMA));
    assert_int_equal(heap_caps_register_failed_alloc_callback(on_failed), ESP_OK);
    hook_calls = 0;
    assert_null(pvPortMallocCaps(100, MALLOC_CAP_SPIRAM));
    assert_null(pvPortMallocCaps(100, MALLOC_CAP_EXEC | MALLOC_CAP_8BIT));
    assert_int_equal(hook_calls, 0); /* the hook belongs to the heap_caps API */
    vPortFreeTagged(p);
    heap_caps_free(x);
    assert_true(heap_caps_check_integrity_all(true));
}

static void define_regions(void *regions) { vPortDefineHeapRegionsTagged(regions); }

static void tagged_regions_on_static_buffers(void **state) {
    (void)state;
    caps_record_reports();
    const HeapRegionTagged_t regions[] = {
        {buffers[0], sizeof buffers[0], TAG_DRAM, 0},
        {buffers[1], sizeof buffers[1], TAG_IRAM, 0},
        {buffers[2], sizeof buffers[2], TAG_DRAM, 0},
        {buffers[3], sizeof buffers[3], 99, 0},               /* unknown tag: skipped */
        {buffers[0] + 100, 1000, TAG_DRAM, 0},                /* overlaps: skipped */
        {buffers[3], sizeof buffers[3], TAG_IRAM, 0x40080002}, /* exec address off a word: skipped */
        {buffers[3], sizeof buffers[3], TAG_IRAM, 0x40080001}, /* the same */
        {buffers[3], sizeof buffers[3], TAG_IRAM, 0xFFFFF000}, /* its window would pass 2^32: skipped */
        {buffers[3], sizeof buffers[3], (BaseType_t)capheap_layout_board()->type_count, 0}, /* one past the
                                                                                           types: skipped */
        {NULL, 0, 0, 0},
    };
    char *log = caps_capture(define_regions, (void *)regions);
    assert_int_equal(caps_count_lines(log, "skipped"), 6); /* the six bad ones, said; the others not */
    free(log);
    assert_int_equal(capheap_registry_count(), 3);
    /* named for their tag's type, as heap_caps_print_heap_info shows them */
    assert_string_equal(capheap_registry_at(0)->name, "DRAM");
    assert_string_equal(capheap_registry_at(1)->name, "IRAM");
    size_t dram = xPortGetFreeHeapSizeTagged(TAG_DRAM);
    assert_true(dram > 2 * 8192 - 1024 && dram <= 2 * 8192);
    assert_true(xPortGetFreeHeapSizeTagged(TAG_IRAM) > 8192 - 512);
    assert_int_equal(xPortGetFreeHeapSizeTagged(TAG_DIRAM), 0);
    assert_int_equal(xPortGetFreeHeapSizeTagged(-1), 0);
    /* tagged allocation: the heaps of that type, in order */
    void *a = pvPortMallocTagged(5000, TAG_DRAM);
    void *b = pvPortMallocTagged(5000, TAG_DRAM);
    assert_ptr_equal(caps_heap_of(a), capheap_registry_at(0));
    assert_ptr_equal(caps_heap_of(b), capheap_registry_at(2));
    assert_null(pvPortMallocTagged(5000, TAG_DRAM));
    assert_null(pvPortMallocTagged(0, TAG_DRAM));
    void *one = pvPortMallocTagged(1, TAG_DRAM); /* the least size there is */
    assert_ptr_equal(caps_heap_of(one), capheap_registry_at(0)); /* where a left room */
    vPortFreeTagged(one);
    assert_null(pvPortMallocTagged(16, TAG_SPIRAM));
    assert_null(pvPortMallocTagged(16, 99));
    assert_null(pvPortMallocTagged(16, -3));
    assert_true(xPortGetMinimumEverFreeHeapSizeTagged(TAG_DRAM) <= dram - 10000);
    /* the tags carry the caps of their type: heap_caps sees the same heaps */
    void *i = heap_caps_malloc(100, MALLOC_CAP_EXEC);
    assert_ptr_equal(caps_heap_of(i), capheap_registry_at(1));
    void *d = heap_caps_malloc(100, MALLOC_CAP_DMA);
    assert_ptr_equal(caps_heap_of(d), capheap_registry_at(0));
    /* memory goes back through either API */
    heap_caps_free(a);
    vPortFreeTagged(b);
    vPortFreeTagged(i);
    heap_caps_free(d);
    assert_int_equal(xPortGetFreeHeapSizeTagged(TAG_DRAM), dram);
    assert_int_equal(caps_reports.count, 0);
    vPortDefineHeapRegionsTagged(NULL); /* nothing to define */
}

/* ROM APP CPU data of D/IRAM, defined as a tagged region with its
 * instruction-bus address, the way the seed era described D/IRAM: the heap
 * has the board's inverted window there, wherever the board is mapped. */
static void define_diram_with_its_exec_address(void) {
    uintptr_t start = 0x3FFE3F20, end = 0x3FFE4350;
    const HeapRegionTagged_t regions[] = {
        {caps_ptr(start), end - start, TAG_DIRAM, (uint32_t)(0x400A0000 + (0x40000000 - end))},
        {NULL, 0, 0, 0},
    };
    vPortDefineHeapRegionsTagged(regions);
    capheap_heap_t *h = caps_heap_at(caps_host(start));
    assert_non_null(h);
    assert_int_equal(h->type, TAG_DIRAM);
    assert_int_equal(h->alias.start, caps_host(0x400A0000 + (0x40000000 - end)));
    assert_int_equal(h->alias_kind, CAPHEAP_ALIAS_INVERTED); /* as the board's D/IRAM */
    void *t = pvPortMallocTagged(64, TAG_DIRAM);
    assert_string_equal(caps_heap_of(t)->name, "D/IRAM");
    vPortFreeTagged(t);
}

static void tagged_region_with_an_exec_address(void **state) {
    (void)state;
    assert_int_equal(capheap_init("esp32"), ESP_OK);
    define_diram_with_its_exec_address();
}

/* Without an exec address the seed era gave no window, even to memory the
 * board sees through one: the same D/IRAM range, no window addresses. */
static void tagged_region_without_an_exec_address_has_no_window(void **state) {
    (void)state;
    assert_int_equal(capheap_init("esp32"), ESP_OK);
    const HeapRegionTagged_t regions[] = {{caps_ptr(0x3FFE3F20), 0x3FFE4350 - 0x3FFE3F20, TAG_DIRAM, 0}, {NULL, 0, 0, 0}};
    vPortDefineHeapRegionsTagged(regions);
    capheap_heap_t *h = caps_heap_at(caps_host(0x3FFE3F20));
    assert_non_null(h);
    assert_int_equal(h->alias_kind, CAPHEAP_ALIAS_NONE);
    assert_null(caps_heap_of_window(caps_ptr(0x400A0000 + (0x40000000 - 0x3FFE4350))));
}

/* The same on a board moved off the chip's addresses (a page of them taken,
 * as another mapping of the program might): the region's start and its exec
 * address are both chip addresses, moved by the same offset. */
static void tagged_region_with_an_exec_address_on_a_moved_board(void **state) {
    (void)state;
    void *blocker = mmap((void *)0x3FFAE000, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    assert_int_equal(capheap_init("esp32"), ESP_OK);
    if (blocker == (void *)0x3FFAE000) {
        assert_true(capheap_host_offset() != 0);
    }
    define_diram_with_its_exec_address();
    capheap_deinit();
    if (blocker != MAP_FAILED) {
        munmap(blocker, 4096);
    }
}

/* A tagged region of the program's own memory (no region of the board)
 * with an exec address: its EXEC blocks come through a linear window there,
 * each at its data block's offset in the region. */
static void tagged_region_off_the_board_with_an_exec_address(void **state) {
    (void)state;
    caps_record_reports();
    const uint32_t exec = 0x40080000;
    const HeapRegionTagged_t regions[] = {{buffers[1], sizeof buffers[1], TAG_IRAM, exec}, {NULL, 0, 0, 0}};
    vPortDefineHeapRegionsTagged(regions);
    assert_int_equal(capheap_registry_count(), 1);
    uint8_t *x = heap_caps_malloc(100, MALLOC_CAP_EXEC);
    assert_non_null(x);
    assert_true((uintptr_t)x - exec < sizeof buffers[1]); /* in the window */
    assert_true(heap_caps_get_allocated_size(x) >= 100);
    heap_caps_free(x);
    assert_int_equal(caps_reports.count, 0);
    assert_int_equal(xPortGetFreeHeapSizeTagged(TAG_IRAM), heap_caps_get_free_size(MALLOC_CAP_EXEC));
}

/* A heap added at run time has the tag of the board's memory type it is
 * made of: the application's .bss range in DRAM counts in DRAM's tagged
 * sizes. The program's own memory is no type of the board, even with DRAM's
 * caps exactly: it counts in no tag. */
static void heaps_added_at_run_time_have_their_types_tag(void **state) {
    (void)state;
    heap_alloc_caps_init();
    size_t dram = xPortGetFreeHeapSizeTagged(TAG_DRAM);
    assert_int_equal(heap_caps_add_region((intptr_t)caps_host(0x3FFB0000), (intptr_t)caps_host(0x3FFB3000)), ESP_OK);
    size_t added = xPortGetFreeHeapSizeTagged(TAG_DRAM) - dram;
    assert_true(added > 0x3000 - 512 && added <= 0x3000);
    const uint32_t dram_caps[3] = {MALLOC_CAP_8BIT | MALLOC_CAP_DEFAULT,
                                   MALLOC_CAP_INTERNAL | MALLOC_CAP_DMA | MALLOC_CAP_32BIT, 0};
    assert_int_equal(heap_caps_add_region_with_caps(dram_caps, (intptr_t)buffers[0], (intptr_t)buffers[1]), ESP_OK);
    assert_int_equal(xPortGetFreeHeapSizeTagged(TAG_DRAM), dram + added);
}

static capheap_trace_event_t traced[4];
static int ntraced;

static void keep_event(const capheap_trace_event_t *e, void *user) {
    (void)user;
    if (ntraced < 4) {
        traced[ntraced] = *e;
    }
    ntraced++;
}

/* A trace replays the seed-era calls as heap_caps requests: the caps asked
 * for, or those of the heap a tagged call took. */
static void seed_era_allocations_are_traced(void **state) {
    (void)state;
    const HeapRegionTagged_t regions[] = {{buffers[0], sizeof buffers[0], TAG_DRAM, 0}, {NULL, 0, 0, 0}};
    vPortDefineHeapRegionsTagged(regions);
    ntraced = 0;
    assert_int_equal(capheap_trace_set_sink(keep_event, NULL), ESP_OK);
    void *a = pvPortMallocCaps(48, MALLOC_CAP_DMA);
    void *b = pvPortMallocTagged(32, TAG_DRAM);
    assert_null(pvPortMallocTagged(16, TAG_IRAM));
    assert_null(pvPortMallocTagged(0, TAG_DRAM)); /* no heap asked: no caps either */
    assert_int_equal(capheap_trace_set_sink(NULL, NULL), ESP_OK);
    assert_true(a != NULL && b != NULL);
    assert_int_equal(ntraced, 4);
    assert_true(traced[0].kind == 'a' && traced[0].address == a && traced[0].size == 48);
    assert_int_equal(traced[0].caps, MALLOC_CAP_DMA);
    assert_int_equal(traced[0].align, 0); /* none asked: a replay asks none either */
    assert_true(traced[1].kind == 'a' && traced[1].address == b && traced[1].size == 32);
    assert_int_equal(traced[1].align, 0);
    assert_int_equal(traced[1].caps, capheap_registry_at(0)->all_caps);
    assert_true(traced[2].kind == 'a' && traced[2].address == NULL && traced[2].caps == 0);
    assert_true(traced[3].kind == 'a' && traced[3].address == NULL && traced[3].size == 0);
    assert_int_equal(traced[3].caps, 0);
    vPortFreeTagged(a);
    vPortFreeTagged(b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(caps_calls_are_heap_caps, teardown),
        cmocka_unit_test_teardown(tagged_regions_on_static_buffers, teardown),
        cmocka_unit_test_teardown(tagged_region_with_an_exec_address, teardown),
        cmocka_unit_test_teardown(tagged_region_with_an_exec_address_on_a_moved_board, teardown),
        cmocka_unit_test_teardown(tagged_region_without_an_exec_address_has_no_window, teardown),
        cmocka_unit_test_teardown(tagged_region_off_the_board_with_an_exec_address, teardown),
        cmocka_unit_test_teardown(heaps_added_at_run_time_have_their_types_tag, teardown),
        cmocka_unit_test_teardown(seed_era_allocations_are_traced, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
