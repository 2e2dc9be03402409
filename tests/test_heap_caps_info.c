/*
 * test_heap_caps_info.c: what esp_heap_caps.h tells about the heaps: the size
 * queries over the heaps that cover a caps mask, get_info, the printed summary,
 * dump, walk, the integrity checks and local-minimum monitoring.
 */
#define _POSIX_C_SOURCE 200809L
#include "caps_test.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

/* multi_heap_get_info of each heap that covers caps, added up by hand. */
static void sum_by_hand(uint32_t caps, multi_heap_info_t *sum, size_t *total_size) {
    memset(sum, 0, sizeof *sum);
    *total_size = 0;
    for (size_t i = 0; i < capheap_registry_count(); i++) {
        capheap_heap_t *h = capheap_registry_at(i);
        if ((h->all_caps & caps) != caps || capheap_heap_handle(h) == NULL) {
            continue;
        }
        multi_heap_info_t one;
        multi_heap_get_info(capheap_heap_handle(h), &one);
        sum->total_free_bytes += one.total_free_bytes;
        sum->total_allocated_bytes += one.total_allocated_bytes;
        sum->largest_free_block = one.largest_free_block > sum->largest_free_block ? one.largest_free_block
                                                                                   : sum->largest_free_block;
        sum->minimum_free_bytes += one.minimum_free_bytes;
        sum->allocated_blocks += one.allocated_blocks;
        sum->free_blocks += one.free_blocks;
        sum->total_blocks += one.total_blocks;
        *total_size += h->end - h->start;
    }
}

static void sizes_add_up_the_heaps_with_the_caps(void **state) {
    (void)state;
    void *keep[6] = {heap_caps_malloc(5000, MALLOC_CAP_8BIT), heap_caps_malloc(70000, MALLOC_CAP_DMA),
                     heap_caps_malloc(3000, MALLOC_CAP_EXEC), heap_caps_malloc(100, MALLOC_CAP_32BIT),
                     heap_caps_malloc(150000, MALLOC_CAP_8BIT), heap_caps_malloc(20, MALLOC_CAP_8BIT)};
    heap_caps_free(keep[5]);
    static const uint32_t masks[] = {MALLOC_CAP_8BIT, MALLOC_CAP_DMA, MALLOC_CAP_EXEC, MALLOC_CAP_32BIT,
                                     MALLOC_CAP_INTERNAL, MALLOC_CAP_DEFAULT | MALLOC_CAP_INTERNAL,
                                     MALLOC_CAP_EXEC | MALLOC_CAP_DMA, MALLOC_CAP_SPIRAM, 0};
    for (size_t m = 0; m < sizeof masks / sizeof masks[0]; m++) {
        multi_heap_info_t want, got;
        size_t total;
        sum_by_hand(masks[m], &want, &total);
        heap_caps_get_info(&got, masks[m]);
        assert_memory_equal(&got, &want, sizeof want);
        assert_int_equal(heap_caps_get_total_size(masks[m]), total);
        assert_int_equal(heap_caps_get_free_size(masks[m]), want.total_free_bytes);
        assert_int_equal(heap_caps_get_minimum_free_size(masks[m]), want.minimum_free_bytes);
        if (!(masks[m] & MALLOC_CAP_EXEC)) { /* EXEC: see the next test */
            assert_int_equal(heap_caps_get_largest_free_block(masks[m]), want.largest_free_block);
        }
    }
    /* EXEC | DMA: D/IRAM covers both, though no allocation can have both */
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_EXEC | MALLOC_CAP_DMA), 15072 + 113840);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_SPIRAM), 0);
    assert_int_equal(heap_caps_get_free_size(MALLOC_CAP_INVALID), 0);
    for (int i = 0; i < 5; i++) {
        heap_caps_free(keep[i]);
    }
}

static void largest_free_block_is_one_that_malloc_gets(void **state) {
    (void)state;
    static const uint32_t masks[] = {MALLOC_CAP_8BIT, MALLOC_CAP_DMA, MALLOC_CAP_32BIT, MALLOC_CAP_EXEC};
    for (size_t m = 0; m < 4; m++) {
        size_t largest = heap_caps_get_largest_free_block(masks[m]) & ~(size_t)3;
        void *p = heap_caps_malloc(largest, masks[m]);
        assert_non_null(p);
        heap_caps_free(p);
    }
    void *big = heap_caps_malloc(100000, MALLOC_CAP_8BIT);
    size_t largest = heap_caps_get_largest_free_block(MALLOC_CAP_8BIT);
    assert_null(heap_caps_malloc(largest + 1, MALLOC_CAP_8BIT)); /* no heap has more */
    void *p = heap_caps_malloc(largest, MALLOC_CAP_8BIT);
    assert_non_null(p);
    heap_caps_free(p);
    heap_caps_free(big);
}

/* EXEC through D/IRAM's inverted window (IRAM taken first): the largest
 * request is what the window's placement leaves of the largest block, and
 * exact; no request has EXEC with 8BIT or DMA. */
static void largest_exec_request_is_exact(void **state) {
    (void)state;
    multi_heap_info_t iram;
    multi_heap_get_info(capheap_heap_handle(caps_heap_at(caps_host(0x40089800))), &iram);
    void *fill = heap_caps_malloc(iram.largest_free_block & ~(size_t)3, MALLOC_CAP_EXEC);
    assert_non_null(fill);
    multi_heap_info_t diram;
    heap_caps_get_info(&diram, MALLOC_CAP_EXEC);
    size_t largest = heap_caps_get_largest_free_block(MALLOC_CAP_EXEC);
    assert_true(largest > 0 && largest < diram.largest_free_block);
    assert_null(heap_caps_malloc(largest + 1, MALLOC_CAP_EXEC));
    void *code = heap_caps_malloc(largest, MALLOC_CAP_EXEC);
    assert_non_null(code);
    heap_caps_free(code);
    heap_caps_free(fill);
    assert_int_equal(heap_caps_get_largest_free_block(MALLOC_CAP_EXEC | MALLOC_CAP_DMA), 0);
    assert_int_equal(heap_caps_get_largest_free_block(MALLOC_CAP_EXEC | MALLOC_CAP_8BIT), 0);
}

/* ---- printing and dumping ----------------------------------------------- */

static void print_8bit(void *arg) {
    (void)arg;
    heap_caps_print_heap_info(MALLOC_CAP_8BIT);
}

static void print_heap_info_lists_each_heap_and_totals(void **state) {
    (void)state;
    void *p = heap_caps_malloc(1234, MALLOC_CAP_8BIT);
    char *out = caps_capture(print_8bit, NULL);
    assert_non_null(strstr(out, "Heap summary for capabilities 0x00000004:"));
    assert_int_equal(caps_count_lines(out, "  At "), 4); /* two DRAM, two D/IRAM heaps */
    assert_int_equal(caps_count_lines(out, "(DRAM)"), 2);
    assert_int_equal(caps_count_lines(out, "(D/IRAM)"), 2);
    assert_int_equal(caps_count_lines(out, "(IRAM)"), 0);
    assert_non_null(strstr(out, "len 6432 "));
    assert_non_null(strstr(out, "len 184320 "));
    assert_non_null(strstr(out, "alloc_blocks 1 "));
    char totals[100];
    snprintf(totals, sizeof totals, "free %zu allocated", heap_caps_get_free_size(MALLOC_CAP_8BIT));
    assert_non_null(strstr(strstr(out, "Totals:"), totals));
    free(out);
    heap_caps_free(p);
}

static void dump_8bit(void *arg) {
    (void)arg;
    heap_caps_dump(MALLOC_CAP_EXEC);
}

static void dump_all(void *arg) {
    (void)arg;
    heap_caps_dump_all();
}

static void dump_shows_the_blocks(void **state) {
    (void)state;
    void *p = heap_caps_malloc(100, MALLOC_CAP_EXEC);
    char *out = caps_capture(dump_8bit, NULL);
    assert_int_equal(caps_count_lines(out, "IRAM heap "), 3); /* IRAM and both D/IRAM heaps */
    assert_true(caps_count_lines(out, " used ") >= 1);
    free(out);
    out = caps_capture(dump_all, NULL);
    assert_int_equal(caps_count_lines(out, " heap 0x"), 5);
    assert_int_equal(caps_count_lines(out, "DRAM heap "), 2);
    free(out);
    heap_caps_free(p);
}

/* Each heap's line in the dump names it, its range and its caps by
 * priority, as registered (esp32's heaps have different caps at each
 * priority: a priority printed for another shows). */
static void dump_names_each_heap_with_its_caps(void **state) {
    (void)state;
    char *out = caps_capture(dump_all, NULL);
    for (size_t i = 0; i < capheap_registry_count(); i++) {
        const capheap_heap_t *h = capheap_registry_at(i);
        char line[200];
        snprintf(line, sizeof line, "%s heap %p..%p caps 0x%08x 0x%08x 0x%08x:\n", h->name, (void *)h->start,
                 (void *)h->end, (unsigned)h->caps[0], (unsigned)h->caps[1], (unsigned)h->caps[2]);
        assert_non_null(strstr(out, line));
    }
    free(out);
}

/* ---- walking ------------------------------------------------------------ */

typedef struct {
    size_t blocks, used, used_bytes, heaps, stop_after;
    intptr_t last_start;
} walk_t;

static bool count_blocks(walker_heap_into_t heap, walker_block_info_t block, void *user) {
    walk_t *w = user;
    if (heap.start != w->last_start) {
        w->heaps++;
        w->last_start = heap.start;
    }
    assert_true((intptr_t)block.ptr >= heap.start && (intptr_t)block.ptr < heap.end);
    w->blocks++;
    if (block.used) {
        w->used++;
        w->used_bytes += block.size;
    }
    return w->stop_after == 0 || w->blocks % w->stop_after != 0;
}

static void walk_visits_every_block_heap_by_heap(void **state) {
    (void)state;
    void *p[5] = {heap_caps_malloc(100, MALLOC_CAP_8BIT), heap_caps_malloc(200, MALLOC_CAP_8BIT),
                  heap_caps_malloc(300, MALLOC_CAP_EXEC), heap_caps_malloc(400, MALLOC_CAP_DMA),
                  heap_caps_malloc(500, MALLOC_CAP_32BIT)};
    walk_t all = {0};
    heap_caps_walk_all(count_blocks, &all);
    multi_heap_info_t info;
    heap_caps_get_info(&info, 0);
    assert_int_equal(all.heaps, 5);
    assert_int_equal(all.blocks, info.total_blocks);
    assert_int_equal(all.used, 5);
    /* the sizes asked for (with poisoning), or the usable sizes */
    assert_true(all.used_bytes >= 1500 && all.used_bytes <= info.total_allocated_bytes);
    walk_t invalid = {0};
    heap_caps_walk(MALLOC_CAP_INVALID, count_blocks, &invalid);
    assert_int_equal(invalid.blocks, all.blocks);
    walk_t exec = {0};
    heap_caps_walk(MALLOC_CAP_EXEC, count_blocks, &exec);
    assert_int_equal(exec.heaps, 3);
    /* returning false stops the walk of the current heap only */
    walk_t first = {.stop_after = 1};
    heap_caps_walk_all(count_blocks, &first);
    assert_int_equal(first.blocks, 5);
    heap_caps_walk_all(NULL, NULL);
    for (int i = 0; i < 5; i++) {
        heap_caps_free(p[i]);
    }
}

/* ---- integrity ---------------------------------------------------------- */

static void check_dram(void *arg) { *(bool *)arg = heap_caps_check_integrity(MALLOC_CAP_8BIT, true); }

static void integrity_checks_find_broken_heaps(void **state) {
    (void)state;
    assert_true(heap_caps_check_integrity_all(false));
    assert_true(heap_caps_check_integrity(MALLOC_CAP_DMA, false));
    assert_true(heap_caps_check_integrity(MALLOC_CAP_INVALID, false));
    uint8_t *p = heap_caps_malloc(64, MALLOC_CAP_8BIT);
    uint8_t *x = heap_caps_malloc(64, MALLOC_CAP_EXEC);
    assert_true(heap_caps_check_integrity_addr((intptr_t)p, false));
    assert_true(heap_caps_check_integrity_addr((intptr_t)x, false));
    assert_true(heap_caps_check_integrity_addr((intptr_t)caps_host(0x400A0000), false)); /* a window */
    assert_false(heap_caps_check_integrity_addr((intptr_t)caps_host(0x40000000), false));
    assert_false(heap_caps_check_integrity_addr(0, false));
    /* break the header of the block after p's (the word before it) */
    uint8_t *q = heap_caps_malloc(64, MALLOC_CAP_8BIT);
    size_t saved;
    memcpy(&saved, q - sizeof saved, sizeof saved);
    memset(q - sizeof saved, 0xA5, sizeof saved);
    bool ok = true;
    char *out = caps_capture(check_dram, &ok);
    assert_false(ok);
    assert_non_null(strstr(out, "CORRUPT HEAP"));
    free(out);
    assert_false(heap_caps_check_integrity_all(false));
    assert_false(heap_caps_check_integrity_addr((intptr_t)q, false));
    assert_true(heap_caps_check_integrity(MALLOC_CAP_EXEC, false)); /* IRAM is fine */
    memcpy(q - sizeof saved, &saved, sizeof saved);
    assert_true(heap_caps_check_integrity_all(true));
    heap_caps_free(p);
    heap_caps_free(q);
    heap_caps_free(x);
}

/* ---- local minimum ------------------------------------------------------ */

/* Each heap's minimum free size, in registration order. */
static void minima(size_t *out) {
    for (size_t i = 0; i < capheap_registry_count(); i++) {
        out[i] = multi_heap_minimum_free_size(capheap_heap_handle(capheap_registry_at(i)));
    }
}

/* Takes mh below its free size: a block of a third of it, freed. */
static void dip(multi_heap_handle_t mh) {
    void *p = multi_heap_malloc(mh, multi_heap_free_size(mh) / 3);
    assert_non_null(p);
    multi_heap_free(mh, p);
}

static void monitoring_a_local_minimum(void **state) {
    (void)state;
    size_t n = capheap_registry_count(), lifetime[8], local[8], after[8];
    assert_int_equal(heap_caps_monitor_local_minimum_free_size_stop(), ESP_FAIL); /* not started */
    void *big = heap_caps_malloc(100000, MALLOC_CAP_8BIT);
    heap_caps_free(big);
    minima(lifetime);
    assert_true(heap_caps_get_minimum_free_size(MALLOC_CAP_8BIT) < heap_caps_get_free_size(MALLOC_CAP_8BIT));
    assert_int_equal(heap_caps_monitor_local_minimum_free_size_start(), ESP_OK);
    /* every heap's minimum is its free size now */
    assert_int_equal(heap_caps_get_minimum_free_size(MALLOC_CAP_8BIT), heap_caps_get_free_size(MALLOC_CAP_8BIT));
    void *small = heap_caps_malloc(1000, MALLOC_CAP_8BIT);
    heap_caps_free(small);
    void *deep = heap_caps_malloc(150000, MALLOC_CAP_8BIT); /* below the lifetime minimum of its heap */
    heap_caps_free(deep);
    minima(local);
    assert_true(heap_caps_get_minimum_free_size(MALLOC_CAP_8BIT) < heap_caps_get_free_size(MALLOC_CAP_8BIT));
    /* nested: only the outermost stop restores */
    assert_int_equal(heap_caps_monitor_local_minimum_free_size_start(), ESP_OK);
    assert_int_equal(heap_caps_monitor_local_minimum_free_size_stop(), ESP_OK);
    minima(after);
    assert_memory_equal(after, local, n * sizeof local[0]);
    assert_int_equal(heap_caps_monitor_local_minimum_free_size_stop(), ESP_OK);
    /* back to the lifetime minimum, lowered where the local one went deeper */
    minima(after);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(after[i], local[i] < lifetime[i] ? local[i] : lifetime[i]);
    }
    assert_true(after[1] < lifetime[1]); /* the large DRAM heap went deeper */
    assert_int_equal(heap_caps_monitor_local_minimum_free_size_stop(), ESP_FAIL);
}

/* Every heap went below its free size before monitoring (a block of a
 * third of it, freed), so each lifetime minimum is below what monitoring
 * sees: the start resets every heap's minimum, the first heap's too; an
 * inner stop keeps the local minima; the outer stop brings back each
 * heap's lifetime minimum, the lower one. */
static void monitoring_hides_each_lifetime_minimum_until_the_outer_stop(void **state) {
    (void)state;
    size_t n = capheap_registry_count(), lifetime[8], local[8], now[8];
    assert_true(n <= 8);
    for (size_t i = 0; i < n; i++) {
        dip(capheap_heap_handle(capheap_registry_at(i)));
    }
    minima(lifetime);
    assert_int_equal(heap_caps_monitor_local_minimum_free_size_start(), ESP_OK);
    minima(local);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(local[i], multi_heap_free_size(capheap_heap_handle(capheap_registry_at(i))));
        assert_true(lifetime[i] < local[i]);
    }
    assert_int_equal(heap_caps_monitor_local_minimum_free_size_start(), ESP_OK);
    assert_int_equal(heap_caps_monitor_local_minimum_free_size_stop(), ESP_OK);
    minima(now);
    assert_memory_equal(now, local, n * sizeof now[0]);
    assert_int_equal(heap_caps_monitor_local_minimum_free_size_stop(), ESP_OK);
    minima(now);
    assert_memory_equal(now, lifetime, n * sizeof now[0]);
}

/* A heap added while monitoring runs had no lifetime minimum to keep aside:
 * the stop leaves it its own minimum, the lowest free size it has had. */
static void monitoring_leaves_a_heap_added_meanwhile_its_own_minimum(void **state) {
    (void)state;
    static _Alignas(64) uint8_t pool[4096];
    const uint32_t caps[3] = {MALLOC_CAP_8BIT, 0, 0};
    assert_int_equal(heap_caps_monitor_local_minimum_free_size_start(), ESP_OK);
    assert_int_equal(heap_caps_add_region_with_caps(caps, (intptr_t)pool, (intptr_t)pool + sizeof pool), ESP_OK);
    capheap_heap_t *h = caps_heap_of(pool);
    assert_non_null(h);
    multi_heap_handle_t mh = capheap_heap_handle(h);
    dip(mh);
    size_t lowest = multi_heap_minimum_free_size(mh);
    assert_true(lowest < multi_heap_free_size(mh));
    assert_int_equal(heap_caps_monitor_local_minimum_free_size_stop(), ESP_OK);
    assert_int_equal(multi_heap_minimum_free_size(mh), lowest);
}

/* capheap_deinit removes every heap, the monitoring of them with them: on the
 * heaps made next a stop finds nothing started, and a start resets every
 * minimum to the free size. */
static void monitoring_ends_with_the_heaps(void **state) {
    (void)state;
    assert_int_equal(heap_caps_monitor_local_minimum_free_size_start(), ESP_OK);
    capheap_deinit();
    assert_int_equal(capheap_init("esp32"), ESP_OK);
    assert_int_equal(heap_caps_monitor_local_minimum_free_size_stop(), ESP_FAIL);
    heap_caps_free(heap_caps_malloc(100000, MALLOC_CAP_8BIT));
    assert_true(heap_caps_get_minimum_free_size(MALLOC_CAP_8BIT) < heap_caps_get_free_size(MALLOC_CAP_8BIT));
    assert_int_equal(heap_caps_monitor_local_minimum_free_size_start(), ESP_OK);
    assert_int_equal(heap_caps_get_minimum_free_size(MALLOC_CAP_8BIT), heap_caps_get_free_size(MALLOC_CAP_8BIT));
    assert_int_equal(heap_caps_monitor_local_minimum_free_size_stop(), ESP_OK);
}

static void *monitor_once(void *arg) {
    (void)heap_caps_monitor_local_minimum_free_size_start();
    (void)heap_caps_monitor_local_minimum_free_size_stop();
    atomic_store((atomic_bool *)arg, true);
    return NULL;
}

/* Start and stop leave the port's critical section as they found it:
 * another thread can then start and stop monitoring too (within 5 s; one
 * still held would block it for good). */
static void monitoring_leaves_the_critical_section(void **state) {
    (void)state;
    assert_int_equal(heap_caps_monitor_local_minimum_free_size_start(), ESP_OK);
    assert_int_equal(heap_caps_monitor_local_minimum_free_size_stop(), ESP_OK);
    static atomic_bool done;
    atomic_store(&done, false);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, monitor_once, &done), 0);
    for (int ms = 0; ms < 5000 && !atomic_load(&done); ms++) {
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    }
    if (!atomic_load(&done)) {
        pthread_detach(t);
        fail_msg("another thread could not enter the critical section");
    }
    pthread_join(t, NULL);
}

int main(void) {
#define T(t) cmocka_unit_test_setup_teardown(t, caps_setup_esp32, caps_teardown)
    const struct CMUnitTest tests[] = {
        T(sizes_add_up_the_heaps_with_the_caps),
        T(largest_free_block_is_one_that_malloc_gets),
        T(largest_exec_request_is_exact),
        T(print_heap_info_lists_each_heap_and_totals),
        T(dump_shows_the_blocks),
        T(dump_names_each_heap_with_its_caps),
        T(walk_visits_every_block_heap_by_heap),
        T(integrity_checks_find_broken_heaps),
        T(monitoring_a_local_minimum),
        T(monitoring_hides_each_lifetime_minimum_until_the_outer_stop),
        T(monitoring_leaves_the_critical_section),
        T(monitoring_leaves_a_heap_added_meanwhile_its_own_minimum),
        T(monitoring_ends_with_the_heaps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
