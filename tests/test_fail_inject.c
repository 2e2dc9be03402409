/*
 * test_fail_inject.c: failure injection (capheap_fail_allocations): the nth
 * counted call fails as when no heap has room, and nothing else changes; the
 * caps filter; every allocating function of the heap_caps and seed-era APIs;
 * sizes of 0 not counted; tracing and a plan at once; and the technique it is
 * for, each allocation of a function made to fail in turn.
 */
#define _POSIX_C_SOURCE 200809L
#include "caps_test.h"
#include "esp_heap_alloc_caps.h"
#include "esp_heap_trace.h"
#include "heap_regions.h"

static size_t hook_calls, hook_size;
static uint32_t hook_caps;

static void on_failed(size_t size, uint32_t caps, const char *function_name) {
    (void)function_name;
    hook_calls++;
    hook_size = size;
    hook_caps = caps;
}

static void plan(size_t nth, bool and_after, uint32_t caps) {
    capheap_fail_plan_t p = {nth, and_after, caps};
    capheap_fail_allocations(&p);
}

static int setup(void **state) {
    (void)state;
    hook_calls = 0;
    if (heap_caps_register_failed_alloc_callback(on_failed) != ESP_OK) {
        return -1;
    }
    return caps_setup_board("esp32");
}

static int teardown(void **state) {
    (void)state;
    capheap_deinit();
    caps_default_reports();
    return 0;
}

static void the_nth_call_fails_and_nothing_else(void **state) {
    (void)state;
    size_t free_before = heap_caps_get_free_size(MALLOC_CAP_8BIT);
    plan(2, false, 0);
    void *a = heap_caps_malloc(100, MALLOC_CAP_8BIT);
    void *b = heap_caps_malloc(200, MALLOC_CAP_DMA);
    void *c = heap_caps_malloc(300, MALLOC_CAP_8BIT);
    assert_non_null(a);
    assert_null(b);
    assert_non_null(c);
    assert_int_equal(hook_calls, 1); /* as a real failure: the hook, with the request */
    assert_int_equal(hook_size, 200);
    assert_int_equal(hook_caps, MALLOC_CAP_DMA);
    assert_int_equal(capheap_fail_counted(), 3);
    heap_caps_free(a);
    heap_caps_free(c);
    assert_int_equal(heap_caps_get_free_size(MALLOC_CAP_8BIT), free_before);
    capheap_fail_allocations(NULL);
    assert_non_null(a = heap_caps_malloc(100, MALLOC_CAP_8BIT)); /* stopped: the fast path again */
    assert_int_equal(capheap_fail_counted(), 0);
    heap_caps_free(a);
}

static void and_after_fails_every_later_call(void **state) {
    (void)state;
    plan(2, true, 0);
    void *a = heap_caps_malloc(100, MALLOC_CAP_8BIT);
    assert_non_null(a);
    for (int i = 0; i < 5; i++) {
        assert_null(heap_caps_malloc(16, MALLOC_CAP_8BIT));
    }
    assert_int_equal(capheap_fail_counted(), 6);
    heap_caps_free(a); /* frees are never failed */
    assert_true(heap_caps_check_integrity_all(true));
}

static void the_caps_filter_counts_only_matching_calls(void **state) {
    (void)state;
    plan(1, false, MALLOC_CAP_DMA);
    void *plain = heap_caps_malloc(100, MALLOC_CAP_8BIT);
    assert_non_null(plain); /* not counted */
    assert_null(heap_caps_malloc(100, MALLOC_CAP_DMA | MALLOC_CAP_8BIT));
    void *dma = heap_caps_malloc(100, MALLOC_CAP_DMA);
    assert_non_null(dma); /* the second DMA call */
    assert_int_equal(capheap_fail_counted(), 2);
    heap_caps_free(plain);
    heap_caps_free(dma);
}

/* Each allocating function, made the first counted call: NULL, no memory taken. */
static void every_allocating_function_can_fail(void **state) {
    (void)state;
    uint8_t *kept = heap_caps_malloc(64, MALLOC_CAP_8BIT);
    memset(kept, 0x3C, 64);
    size_t free_before = heap_caps_get_free_size(MALLOC_CAP_8BIT);
    for (int which = 0; which < 12; which++) {
        plan(1, false, 0);
        void *p;
        switch (which) {
        case 0: p = heap_caps_malloc(100, MALLOC_CAP_8BIT); break;
        case 1: p = heap_caps_calloc(10, 10, MALLOC_CAP_8BIT); break;
        case 2: p = heap_caps_realloc(NULL, 100, MALLOC_CAP_8BIT); break;
        case 3: p = heap_caps_realloc(kept, 4000, MALLOC_CAP_8BIT); break;
        case 4: p = heap_caps_aligned_alloc(64, 100, MALLOC_CAP_8BIT); break;
        case 5: p = heap_caps_aligned_calloc(64, 10, 10, MALLOC_CAP_8BIT); break;
        case 6: p = heap_caps_malloc_prefer(100, 2, MALLOC_CAP_DMA, MALLOC_CAP_8BIT); break;
        case 7: p = heap_caps_calloc_prefer(10, 10, 2, MALLOC_CAP_DMA, MALLOC_CAP_8BIT); break;
        case 8: p = heap_caps_realloc_prefer(kept, 4000, 2, MALLOC_CAP_DMA, MALLOC_CAP_8BIT); break;
        case 9: p = heap_caps_malloc_default(100); break;
        case 10: p = heap_caps_realloc_default(kept, 4000); break;
        default: p = pvPortMallocCaps(100, MALLOC_CAP_8BIT); break;
        }
        assert_null(p);
        assert_int_equal(capheap_fail_counted(), 1);
        assert_int_equal(heap_caps_get_free_size(MALLOC_CAP_8BIT), free_before);
    }
    for (size_t i = 0; i < 64; i++) {
        assert_int_equal(kept[i], 0x3C); /* a failed realloc leaves the block as it was */
    }
    assert_int_equal(hook_calls, 11); /* the seed-era call has no hook, failing or not */
    capheap_fail_allocations(NULL);
    heap_caps_free(kept);
}

/* Size 0 is no request, but size 1 is: a one-byte allocation through
 * malloc()'s policy that fails is told to the hook like any other. */
static void one_byte_failures_call_the_hook(void **state) {
    (void)state;
    plan(1, true, 0);
    assert_null(heap_caps_malloc_default(1));
    assert_int_equal(hook_calls, 1);
    assert_null(heap_caps_realloc_default(NULL, 1));
    assert_int_equal(hook_calls, 2);
    assert_int_equal(hook_size, 1);
    capheap_fail_allocations(NULL);
}

/* A tagged call asks for no caps (it names a memory type): a plan with a
 * caps filter never counts it, one without does. */
static void tagged_calls_have_no_caps_to_filter(void **state) {
    (void)state;
    plan(1, false, MALLOC_CAP_EXEC);
    void *p = pvPortMallocTagged(64, 0); /* the esp32's DRAM */
    assert_non_null(p);
    assert_int_equal(capheap_fail_counted(), 0);
    plan(1, false, 0);
    assert_null(pvPortMallocTagged(64, 0));
    assert_int_equal(capheap_fail_counted(), 1);
    capheap_fail_allocations(NULL);
    vPortFreeTagged(p);
}

static void sizes_of_zero_are_not_counted(void **state) {
    (void)state;
    plan(1, false, 0);
    assert_null(heap_caps_malloc(0, MALLOC_CAP_8BIT));
    void *p = heap_caps_malloc(10, MALLOC_CAP_8BIT);
    assert_null(p); /* this one is the first counted */
    plan(0, false, 0); /* counting only */
    p = heap_caps_malloc(10, MALLOC_CAP_8BIT);
    assert_null(heap_caps_realloc(p, 0, MALLOC_CAP_8BIT)); /* a free, not counted */
    assert_int_equal(capheap_fail_counted(), 1);
}

/* Tracing and a plan both hold the candidate lists empty: either may stop
 * without the other's calls losing their slow path. */
static void tracing_and_a_plan_at_once(void **state) {
    (void)state;
    static heap_trace_record_t records[16];
    assert_int_equal(heap_trace_init_standalone(records, 16), ESP_OK);
    assert_int_equal(heap_trace_start(HEAP_TRACE_ALL), ESP_OK);
    plan(1, false, 0);
    assert_null(heap_caps_malloc(100, MALLOC_CAP_8BIT));
    capheap_fail_allocations(NULL);
    void *p = heap_caps_malloc(100, MALLOC_CAP_8BIT); /* still traced */
    assert_non_null(p);
    assert_int_equal(heap_trace_get_count(), 1);
    plan(0, false, 0);
    assert_int_equal(heap_trace_stop(), ESP_OK);
    void *q = heap_caps_malloc(100, MALLOC_CAP_8BIT); /* still counted */
    assert_int_equal(capheap_fail_counted(), 1);
    heap_caps_free(p);
    heap_caps_free(q);
}

static void deinit_stops_a_plan(void **state) {
    (void)state;
    plan(1, true, 0);
    capheap_deinit();
    assert_int_equal(capheap_init("esp32"), ESP_OK);
    void *p = heap_caps_malloc(100, MALLOC_CAP_8BIT);
    assert_non_null(p);
    heap_caps_free(p);
}

/* ---- the technique: each allocation of a function fails in turn ---------- */

typedef struct {
    void *frame, *descriptors, *name;
} channel_t;

/* Three allocations; on any failure, what it took so far is given back. */
static esp_err_t channel_open(channel_t *c) {
    c->frame = heap_caps_malloc(1536, MALLOC_CAP_DMA);
    c->descriptors = c->frame != NULL ? heap_caps_calloc(8, 12, MALLOC_CAP_DMA) : NULL;
    c->name = c->descriptors != NULL ? heap_caps_malloc(32, MALLOC_CAP_8BIT) : NULL;
    if (c->name == NULL) {
        heap_caps_free(c->descriptors);
        heap_caps_free(c->frame);
        return ESP_ERR_NO_MEM;
    }
    return ESP_OK;
}

static void channel_close(channel_t *c) {
    heap_caps_free(c->name);
    heap_caps_free(c->descriptors);
    heap_caps_free(c->frame);
}

static void each_allocation_fails_in_turn(void **state) {
    (void)state;
    size_t free_before = heap_caps_get_free_size(MALLOC_CAP_8BIT);
    channel_t c;
    plan(0, false, 0); /* count only */
    assert_int_equal(channel_open(&c), ESP_OK);
    size_t calls = capheap_fail_counted();
    channel_close(&c);
    assert_int_equal(calls, 3);
    for (size_t nth = 1; nth <= calls; nth++) {
        plan(nth, false, 0);
        assert_int_equal(channel_open(&c), ESP_ERR_NO_MEM);
        assert_int_equal(heap_caps_get_free_size(MALLOC_CAP_8BIT), free_before); /* nothing leaked */
    }
    capheap_fail_allocations(NULL);
    assert_int_equal(hook_calls, calls);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(the_nth_call_fails_and_nothing_else, setup, teardown),
        cmocka_unit_test_setup_teardown(and_after_fails_every_later_call, setup, teardown),
        cmocka_unit_test_setup_teardown(the_caps_filter_counts_only_matching_calls, setup, teardown),
        cmocka_unit_test_setup_teardown(every_allocating_function_can_fail, setup, teardown),
        cmocka_unit_test_setup_teardown(one_byte_failures_call_the_hook, setup, teardown),
        cmocka_unit_test_setup_teardown(tagged_calls_have_no_caps_to_filter, setup, teardown),
        cmocka_unit_test_setup_teardown(sizes_of_zero_are_not_counted, setup, teardown),
        cmocka_unit_test_setup_teardown(tracing_and_a_plan_at_once, setup, teardown),
        cmocka_unit_test_setup_teardown(deinit_stops_a_plan, setup, teardown),
        cmocka_unit_test_setup_teardown(each_allocation_fails_in_turn, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
