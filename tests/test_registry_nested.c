/*
 * test_registry_nested.c: heaps registered inside a live allocation of
 * another heap, as ESP-IDF lets heap_caps_add_region_with_caps make a heap of
 * an allocated block: what is taken and what is refused, that frees find the
 * right heap on both sides of the allocation and inside it (also after the
 * owner cache held the host's range), that the allocation itself cannot be
 * freed, heaps inside heaps inside heaps, the limit, and ESP-IDF's own test
 * heap_caps_check_add_region_allowed.
 */
#define _POSIX_C_SOURCE 200809L
#include "caps_test.h"

#include <pthread.h>
#include <time.h>

#include "esp_heap_caps_init.h"

#define CAP_HOST MALLOC_CAP_PID2
#define CAP_INNER MALLOC_CAP_PID3
#define CAP_DEEP MALLOC_CAP_PID4

static _Alignas(64) uint8_t arena[64 * 1024];

static int setup(void **state) {
    (void)state;
    caps_record_reports();
    const uint32_t caps[3] = {CAP_HOST | MALLOC_CAP_8BIT, 0, 0};
    return heap_caps_add_region_with_caps(caps, (intptr_t)arena, (intptr_t)(arena + sizeof arena)) == ESP_OK ? 0
                                                                                                          : -1;
}

static esp_err_t add_inner(uint32_t cap, const void *start, const void *end) {
    const uint32_t caps[3] = {cap | MALLOC_CAP_8BIT, 0, 0};
    return heap_caps_add_region_with_caps(caps, (intptr_t)start, (intptr_t)end);
}

#if CAPHEAP_NESTED_HEAPS > 0
static bool inside(const void *p, const void *lo, size_t size) {
    return (uintptr_t)p - (uintptr_t)lo < size;
}

/* A block of the inner heap comes from the allocation and goes back to it. */
static void inner_serves(uint32_t cap, const uint8_t *lo, size_t size) {
    size_t before = heap_caps_get_free_size(cap);
    void *p = heap_caps_malloc(100, cap);
    assert_non_null(p);
    assert_true(inside(p, lo, size));
    assert_true(heap_caps_get_free_size(cap) < before);
    heap_caps_free(p);
    assert_int_equal(heap_caps_get_free_size(cap), before);
}

static void an_allocation_becomes_a_heap(void **state) {
    (void)state;
    void *before = heap_caps_malloc(256, CAP_HOST);
    uint8_t *host = heap_caps_malloc(8192, CAP_HOST);
    void *after = heap_caps_malloc(256, CAP_HOST);
    assert_non_null(before);
    assert_non_null(host);
    assert_non_null(after);
    heap_caps_free(before); /* the owner cache now holds the host heap's whole range */
    assert_int_equal(add_inner(CAP_INNER, host, host + 8192), ESP_OK);
    assert_int_equal(capheap_registry_count(), 2);
    inner_serves(CAP_INNER, host, 8192);
    assert_true(heap_caps_get_total_size(CAP_INNER) <= 8192);
    /* the host heap's blocks on both sides of the allocation still free */
    size_t host_free = heap_caps_get_free_size(CAP_HOST);
    heap_caps_free(after);
    before = heap_caps_malloc(256, CAP_HOST);
    assert_false(inside(before, host, 8192));
    heap_caps_free(before);
    assert_true(heap_caps_get_free_size(CAP_HOST) > host_free);
    assert_int_equal(caps_reports.count, 0);
    assert_true(heap_caps_check_integrity_all(true));
}

static void the_allocation_cannot_be_freed(void **state) {
    (void)state;
    uint8_t *host = heap_caps_malloc(4096, CAP_HOST);
    assert_non_null(host);
    /* a range from inside the allocation, not its pointer */
    assert_int_equal(add_inner(CAP_INNER, host + 64, host + 4096), ESP_OK);
    size_t host_free = heap_caps_get_free_size(CAP_HOST), inner_free = heap_caps_get_free_size(CAP_INNER);
    heap_caps_free(host);
    assert_int_equal(caps_reports.count, 1);
    assert_ptr_equal(caps_reports.addr, host);
    assert_null(heap_caps_realloc(host, 16, CAP_HOST));
    assert_int_equal(caps_reports.count, 2);
    assert_int_equal(heap_caps_get_free_size(CAP_HOST), host_free);
    assert_int_equal(heap_caps_get_free_size(CAP_INNER), inner_free);
    inner_serves(CAP_INNER, host + 64, 4096 - 64);
    assert_true(heap_caps_check_integrity_all(true));
}

static void what_is_refused(void **state) {
    (void)state;
    uint8_t *a = heap_caps_malloc(4096, CAP_HOST);
    uint8_t *b = heap_caps_malloc(4096, CAP_HOST);
    assert_non_null(a);
    assert_non_null(b);
    assert_true(b > a); /* a fresh heap serves in address order */
    assert_int_equal(add_inner(CAP_INNER, a + 4000, a + 4200), ESP_FAIL);   /* over the allocation's end */
    assert_int_equal(add_inner(CAP_INNER, a - 64, a + 1024), ESP_FAIL);     /* over its start */
    assert_int_equal(add_inner(CAP_INNER, a, b + 1024), ESP_FAIL);          /* over two allocations */
    uint8_t *free_memory = arena + sizeof arena - 8192;                      /* never handed out */
    assert_int_equal(add_inner(CAP_INNER, free_memory, free_memory + 4096), ESP_FAIL);
    heap_caps_free(b);
    assert_int_equal(add_inner(CAP_INNER, b, b + 4096), ESP_FAIL); /* freed again */
    assert_int_equal(add_inner(CAP_INNER, a, a + 4096), ESP_OK);
    assert_int_equal(add_inner(CAP_INNER, a, a + 4096), ESP_FAIL); /* the same */
    assert_int_equal(add_inner(CAP_DEEP, a + 8, a + 2048), ESP_FAIL); /* the inner heap's own control data */
    assert_int_equal(capheap_registry_count(), 2);
    assert_int_equal(caps_reports.count, 0);
    assert_true(heap_caps_check_integrity_all(true));
}

static void heaps_inside_heaps(void **state) {
    (void)state;
    uint8_t *outer = heap_caps_malloc(16384, CAP_HOST);
    assert_non_null(outer);
    assert_int_equal(add_inner(CAP_INNER, outer, outer + 16384), ESP_OK);
    uint8_t *mid = heap_caps_malloc(4096, CAP_INNER);
    assert_non_null(mid);
    assert_true(inside(mid, outer, 16384));
    assert_int_equal(add_inner(CAP_DEEP, mid, mid + 4096), ESP_OK);
    inner_serves(CAP_DEEP, mid, 4096);
    inner_serves(CAP_INNER, outer, 16384);
    heap_caps_free(mid);
    assert_int_equal(caps_reports.count, 1); /* the deep heap's allocation, in the inner heap */
    assert_true(heap_caps_check_integrity_all(true));
}

/* Heaps made at the same time in two allocations of the same host, the
 * lower one (CAP_INNER) by one thread, the higher (CAP_DEEP) by another.
 * Each finds its allocation in the host's data range before it enters the
 * critical section, which the test holds meanwhile. When the lower heap is
 * made first, that range ends at the lower allocation by the time the other
 * enters, and the higher one lies in the piece beyond it: that heap must
 * look again and split the piece, not the range it found (which would grow
 * back over the lower heap). Either way both heaps are made, each serves
 * from its own allocation, and the host's blocks around them still free.
 * Rounds on a fresh host (nested heaps are limited), as the order in which
 * the two enter is the scheduler's. */
#define RACE_ROUNDS 40

static uint8_t *race_block[2];

static void *race_add(void *arg) {
    size_t i = (size_t)(uintptr_t)arg;
    return (void *)(intptr_t)add_inner(i == 0 ? CAP_INNER : CAP_DEEP, race_block[i], race_block[i] + 2048);
}

static void heaps_made_at_once_in_two_allocations_of_a_host(void **state) {
    (void)state;
    for (int round = 0; round < RACE_ROUNDS; round++) {
        race_block[0] = heap_caps_malloc(2048, CAP_HOST);
        void *between = heap_caps_malloc(64, CAP_HOST);
        race_block[1] = heap_caps_malloc(2048, CAP_HOST);
        void *after = heap_caps_malloc(64, CAP_HOST);
        assert_non_null(race_block[0]);
        assert_non_null(between);
        assert_non_null(race_block[1]);
        assert_non_null(after);
        assert_true(race_block[1] > race_block[0]); /* a fresh heap serves in address order */
        pthread_t t[2];
        capheap_port_critical_enter();
        for (size_t i = 0; i < 2; i++) {
            assert_int_equal(pthread_create(&t[i], NULL, race_add, (void *)(uintptr_t)i), 0);
            struct timespec pause = {0, 1000000}; /* time to find the allocation and wait */
            nanosleep(&pause, NULL);
        }
        capheap_port_critical_exit();
        for (size_t i = 0; i < 2; i++) {
            void *err;
            assert_int_equal(pthread_join(t[i], &err), 0);
            assert_int_equal((esp_err_t)(intptr_t)err, ESP_OK);
        }
        assert_int_equal(capheap_registry_count(), 3);
        inner_serves(CAP_INNER, race_block[0], 2048);
        inner_serves(CAP_DEEP, race_block[1], 2048);
        size_t host_free = heap_caps_get_free_size(CAP_HOST);
        heap_caps_free(between);
        heap_caps_free(after);
        assert_true(heap_caps_get_free_size(CAP_HOST) > host_free);
        assert_int_equal(caps_reports.count, 0);
        assert_true(heap_caps_check_integrity_all(true));
        capheap_deinit();
        assert_int_equal(setup(NULL), 0);
    }
}

#endif /* CAPHEAP_NESTED_HEAPS > 0 */

/* CAPHEAP_NESTED_HEAPS of them, then ESP_ERR_NO_MEM (at once when it is 0). */
static void as_many_as_configured(void **state) {
    (void)state;
    const unsigned limit = CAPHEAP_NESTED_HEAPS;
    for (unsigned i = 0; i <= limit; i++) {
        uint8_t *p = heap_caps_malloc(1024, CAP_HOST);
        assert_non_null(p);
        esp_err_t want = i < limit ? ESP_OK : ESP_ERR_NO_MEM;
        assert_int_equal(add_inner(CAP_INNER, p, p + 1024), want);
    }
    assert_int_equal(capheap_registry_count(), 1 + limit);
    /* each inner heap serves its own allocation's pointers */
    void *q[2 * CAPHEAP_NESTED_HEAPS + 1];
    size_t n = 0;
    while (n < 2 * limit && (q[n] = heap_caps_malloc(300, CAP_INNER)) != NULL) {
        n++;
    }
    assert_true(n >= limit);
    while (n > 0) {
        heap_caps_free(q[--n]);
    }
    assert_int_equal(caps_reports.count, 0);
    assert_true(heap_caps_check_integrity_all(true));
}

static void espidf_region_test(void **state) {
    (void)state;
    /* a heap at [1000, 2000) */
    assert_true(heap_caps_check_add_region_allowed(1000, 2000, 100, 999));   /* before */
    assert_true(heap_caps_check_add_region_allowed(1000, 2000, 100, 1000));  /* up to its start */
    assert_false(heap_caps_check_add_region_allowed(1000, 2000, 100, 1001)); /* over its start */
    assert_true(heap_caps_check_add_region_allowed(1000, 2000, 1000, 1500)); /* inside, from its start */
    assert_true(heap_caps_check_add_region_allowed(1000, 2000, 1500, 2000)); /* inside, to its end */
    assert_false(heap_caps_check_add_region_allowed(1000, 2000, 1000, 2000)); /* the same */
    assert_false(heap_caps_check_add_region_allowed(1000, 2000, 1500, 2500)); /* over its end */
    assert_false(heap_caps_check_add_region_allowed(1000, 2000, 500, 2500));  /* around it */
    assert_true(heap_caps_check_add_region_allowed(1000, 2000, 2000, 2500));  /* from its end */
}

int main(void) {
#define T(t) cmocka_unit_test_setup_teardown(t, setup, caps_teardown)
    /* A build with CAPHEAP_NESTED_HEAPS 0 makes no such heap: only the limit
     * and ESP-IDF's comparison apply to it. */
    const struct CMUnitTest tests[] = {
#if CAPHEAP_NESTED_HEAPS > 0
        T(an_allocation_becomes_a_heap), T(the_allocation_cannot_be_freed), T(what_is_refused),
        T(heaps_inside_heaps),           T(heaps_made_at_once_in_two_allocations_of_a_host),
#endif
        T(as_many_as_configured),        T(espidf_region_test),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
