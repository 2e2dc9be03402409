/*
 * test_task_stats.c: the heap_caps_get_all_task_stat family
 * (esp_heap_task_info.h), in a build with CAPHEAP_TASK_TRACKING
 * (tests/CMakeLists.txt builds this file only there). On the posix port a
 * task is a thread, named by pthread_setname_np, deleted when it ends.
 *
 * What it must do: count each task's bytes per heap and in all, now and at
 * the peak; charge a free to the task that allocated the block, whoever
 * frees it; give a reallocated block to its new task; keep a deleted task,
 * not alive; fill the caller's arrays in order, cutting what does not fit;
 * refuse bad arguments; print through the port's log; count the blocks of
 * tasks beyond the table as blocks of no account.
 */
#define _GNU_SOURCE /* pthread_setname_np */
#include <pthread.h>

#include "caps_test.h"
#include "esp_heap_task_info.h"
#include "task_stats.h" /* CAPHEAP_TASK_STATS_TASKS, capheap_task_stats_uncounted */

#define HEAPS  8
#define BLOCKS 16

static TaskHandle_t me(void) { return (TaskHandle_t)capheap_port_current_task(); }

static heap_single_task_stat_t single(heap_stat_t *heaps, size_t nheaps, heap_task_block_t *blocks, size_t nblocks) {
    heap_single_task_stat_t s = {0};
    s.heap_count = nheaps;
    s.heap_stat_start = heaps;
    s.alloc_count = nblocks;
    s.alloc_stat_start = blocks;
    return s;
}

/* The heap_stat_t of the task's heap named name, or NULL. */
static const heap_stat_t *heap_named(const task_stat_t *t, const char *name) {
    for (size_t i = 0; i < t->heap_count; i++) {
        if (strcmp(t->heap_stat[i].name, name) == 0) {
            return &t->heap_stat[i];
        }
    }
    return NULL;
}

/* Now and peak, per heap and in all; blocks listed per heap. On esp32, 8BIT
 * comes from DRAM and 32BIT|EXEC from IRAM. */
static void test_current_and_peak(void **state) {
    (void)state;
    void *a = heap_caps_malloc(1000, MALLOC_CAP_8BIT);
    void *x = heap_caps_malloc(400, MALLOC_CAP_EXEC | MALLOC_CAP_32BIT);
    assert_true(a != NULL && x != NULL);
    heap_caps_free(a);
    void *b = heap_caps_malloc(300, MALLOC_CAP_8BIT);
    assert_non_null(b);

    heap_stat_t heaps[HEAPS];
    heap_task_block_t blocks[BLOCKS];
    heap_single_task_stat_t s = single(heaps, HEAPS, blocks, BLOCKS);
    assert_int_equal(heap_caps_get_single_task_stat(&s, NULL), ESP_OK);
    assert_ptr_equal(s.stat.handle, me());
    assert_true(s.stat.is_alive);
    assert_int_equal(s.stat.overall_current_usage, 700);
    assert_int_equal(s.stat.overall_peak_usage, 1400);
    assert_int_equal(s.stat.heap_count, 2);
    const heap_stat_t *dram = heap_named(&s.stat, "DRAM");
    const heap_stat_t *iram = heap_named(&s.stat, "IRAM");
    assert_true(dram != NULL && iram != NULL);
    assert_int_equal(dram->current_usage, 300);
    assert_int_equal(dram->peak_usage, 1000);
    assert_int_equal(dram->alloc_count, 1);
    assert_ptr_equal(dram->alloc_stat[0].address, b);
    assert_int_equal(dram->alloc_stat[0].size, 300);
    assert_ptr_equal(dram->alloc_stat[0].task, me());
    assert_true((dram->caps & MALLOC_CAP_8BIT) && (iram->caps & MALLOC_CAP_EXEC));
    assert_true(dram->size > 0 && iram->size > 0);
    assert_int_equal(iram->current_usage, 400);
    assert_int_equal(iram->alloc_count, 1);

    /* The same by handle, and without room for blocks: counts stay, no list. */
    s = single(heaps, HEAPS, NULL, 0);
    assert_int_equal(heap_caps_get_single_task_stat(&s, me()), ESP_OK);
    dram = heap_named(&s.stat, "DRAM");
    assert_non_null(dram);
    assert_int_equal(dram->alloc_count, 1);
    assert_null(dram->alloc_stat);
    heap_caps_free(b);
    heap_caps_free(x);
}

typedef struct {
    void *blocks[3];
    void *moved; /* reallocated by the worker: its now */
} work_t;

static void *worker(void *arg) {
    work_t *w = arg;
    pthread_setname_np(pthread_self(), "worker");
    for (int i = 0; i < 3; i++) {
        w->blocks[i] = heap_caps_malloc(64, MALLOC_CAP_8BIT);
    }
    w->moved = heap_caps_realloc(w->moved, 500, MALLOC_CAP_8BIT);
    return NULL;
}

/* The account of the task named name in all, or NULL. */
static const task_stat_t *task_named(const heap_all_tasks_stat_t *all, const char *name) {
    for (size_t i = 0; i < all->task_count; i++) {
        if (strcmp(all->stat_arr[i].name, name) == 0) {
            return &all->stat_arr[i];
        }
    }
    return NULL;
}

/* A worker thread's blocks stay its own when the main thread frees one; a
 * block the worker reallocated is the worker's; the worker ends: deleted. */
static void test_tasks_frees_and_deletion(void **state) {
    (void)state;
    work_t w = {{NULL}, heap_caps_malloc(100, MALLOC_CAP_8BIT)};
    assert_non_null(w.moved);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, worker, &w), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_true(w.blocks[0] != NULL && w.blocks[1] != NULL && w.blocks[2] != NULL && w.moved != NULL);
    heap_caps_free(w.blocks[0]); /* by the main thread: still the worker's block */

    task_stat_t tasks[4];
    heap_stat_t heaps[HEAPS];
    heap_all_tasks_stat_t all = {4, tasks, HEAPS, heaps, 0, NULL};
    assert_int_equal(heap_caps_get_all_task_stat(&all), ESP_OK);
    const task_stat_t *wk = task_named(&all, "worker");
    assert_non_null(wk);
    assert_false(wk->is_alive); /* the thread has ended */
    assert_int_equal(wk->overall_current_usage, 64 + 64 + 500);
    assert_int_equal(wk->overall_peak_usage, 3 * 64 + 500);
    const heap_stat_t *dram = heap_named(wk, "DRAM");
    assert_non_null(dram);
    assert_int_equal(dram->alloc_count, 3);

    /* The main thread's 100 bytes went to the worker with the realloc. */
    size_t mine = 0;
    for (size_t i = 0; i < all.task_count; i++) {
        if (tasks[i].handle == me() && tasks[i].is_alive) {
            mine = tasks[i].overall_current_usage;
        }
    }
    assert_int_equal(mine, 0);
    heap_caps_free(w.blocks[1]);
    heap_caps_free(w.blocks[2]);
    heap_caps_free(w.moved);
    all = (heap_all_tasks_stat_t){4, tasks, HEAPS, heaps, 0, NULL};
    assert_int_equal(heap_caps_get_all_task_stat(&all), ESP_OK);
    wk = task_named(&all, "worker");
    assert_true(wk == NULL || wk->overall_current_usage == 0);
}

/* A deleted task's handle used again by a new task (FreeRTOS may hand a new
 * task the control block of a deleted one): two accounts, each with its own
 * blocks, the new one alive; a free still lands in the old one. */
static void test_handle_used_again(void **state) {
    (void)state;
    void *old = heap_caps_malloc(111, MALLOC_CAP_8BIT);
    assert_non_null(old);
    capheap_task_stats_task_deleted(me());
    void *new = heap_caps_malloc(222, MALLOC_CAP_8BIT);
    assert_non_null(new);

    task_stat_t tasks[4];
    heap_stat_t heaps[HEAPS];
    heap_task_block_t blocks[BLOCKS];
    heap_all_tasks_stat_t all = {4, tasks, HEAPS, heaps, BLOCKS, blocks};
    assert_int_equal(heap_caps_get_all_task_stat(&all), ESP_OK);
    int seen = 0;
    for (size_t i = 0; i < all.task_count; i++) {
        const task_stat_t *t = &tasks[i];
        const heap_stat_t *dram = heap_named(t, "DRAM");
        if (t->handle != me() || dram == NULL || dram->alloc_count == 0) {
            continue;
        }
        assert_int_equal(dram->alloc_count, 1);
        assert_ptr_equal(dram->alloc_stat[0].address, t->is_alive ? new : old);
        assert_int_equal(t->overall_current_usage, t->is_alive ? 222 : 111);
        seen |= t->is_alive ? 1 : 2;
    }
    assert_int_equal(seen, 3);
    heap_caps_free(old);
    heap_single_task_stat_t one = single(heaps, HEAPS, NULL, 0);
    assert_int_equal(heap_caps_get_single_task_stat(&one, NULL), ESP_OK); /* the live one */
    assert_true(one.stat.is_alive);
    assert_int_equal(one.stat.overall_current_usage, 222);
    heap_caps_free(new);
}

/* What does not fit the caller's arrays is left out; counts say what was written. */
static void test_arrays_cut(void **state) {
    (void)state;
    void *p[3];
    for (int i = 0; i < 3; i++) {
        p[i] = heap_caps_malloc(32, MALLOC_CAP_8BIT);
        assert_non_null(p[i]);
    }
    void *x = heap_caps_malloc(40, MALLOC_CAP_EXEC | MALLOC_CAP_32BIT);
    assert_non_null(x);
    heap_stat_t heaps[1];
    heap_task_block_t blocks[2];
    heap_single_task_stat_t s = single(heaps, 1, blocks, 2);
    assert_int_equal(heap_caps_get_single_task_stat(&s, NULL), ESP_OK);
    assert_int_equal(s.stat.heap_count, 1); /* two heaps used, room for one */
    assert_int_equal(s.stat.overall_current_usage, 3 * 32 + 40);
    assert_true(heaps[0].alloc_count <= 2);

    task_stat_t one;
    heap_all_tasks_stat_t all = {1, &one, 0, NULL, 0, NULL};
    assert_int_equal(heap_caps_get_all_task_stat(&all), ESP_OK);
    assert_int_equal(all.task_count, 1);
    assert_int_equal(one.heap_count, 0);
    assert_null(one.heap_stat);
    for (int i = 0; i < 3; i++) {
        heap_caps_free(p[i]);
    }
    heap_caps_free(x);
}

/* A heap is never run uncounted: with one lock left, the accounts take it
 * and no heap is made (capheap_init says out of memory); with a lock for a
 * heap too, the heap's blocks are counted. */
static void test_no_heap_without_the_accounts_lock(void **state) {
    (void)state;
    capheap_deinit(); /* the fixture's board, and the accounts' lock */
    caps_locks_t locks;
    caps_take_every_lock(&locks);
    caps_give_locks(&locks, locks.n - 1);
    assert_int_equal(capheap_init("esp32"), ESP_ERR_NO_MEM);
    assert_int_equal(capheap_registry_count(), 0);
    caps_give_locks(&locks, locks.n - 1);
    assert_int_equal(capheap_init("esp32"), ESP_OK);
    assert_int_equal(capheap_registry_count(), 1);
    void *p = heap_caps_malloc(100, MALLOC_CAP_8BIT);
    assert_non_null(p);
    heap_single_task_stat_t s = single(NULL, 0, NULL, 0);
    assert_int_equal(heap_caps_get_single_task_stat(&s, NULL), ESP_OK);
    assert_int_equal(s.stat.overall_current_usage, 100);
    heap_caps_free(p);
    caps_give_locks(&locks, 0);
}

static void test_bad_arguments(void **state) {
    (void)state;
    assert_int_equal(heap_caps_get_all_task_stat(NULL), ESP_ERR_INVALID_ARG);
    heap_all_tasks_stat_t all = {2, NULL, 0, NULL, 0, NULL};
    assert_int_equal(heap_caps_get_all_task_stat(&all), ESP_ERR_INVALID_ARG);
    task_stat_t t[2];
    all = (heap_all_tasks_stat_t){2, t, 3, NULL, 0, NULL};
    assert_int_equal(heap_caps_get_all_task_stat(&all), ESP_ERR_INVALID_ARG);
    assert_int_equal(heap_caps_get_single_task_stat(NULL, NULL), ESP_ERR_INVALID_ARG);
    heap_single_task_stat_t s = single(NULL, 0, NULL, 4);
    assert_int_equal(heap_caps_get_single_task_stat(&s, NULL), ESP_ERR_INVALID_ARG);
    static char not_a_task;
    s = single(NULL, 0, NULL, 0);
    assert_int_equal(heap_caps_get_single_task_stat(&s, (TaskHandle_t)(void *)&not_a_task), ESP_ERR_NOT_FOUND);
    assert_int_equal(heap_caps_alloc_all_task_stat_arrays(NULL), ESP_ERR_INVALID_ARG);
    assert_int_equal(heap_caps_alloc_single_task_stat_arrays(NULL, NULL), ESP_ERR_INVALID_ARG);
}

/* The arrays from the heap hold every task's heaps and blocks. */
static void test_allocated_arrays(void **state) {
    (void)state;
    void *p = heap_caps_malloc(48, MALLOC_CAP_8BIT);
    void *q = heap_caps_malloc(48, MALLOC_CAP_DMA);
    assert_true(p != NULL && q != NULL);
    heap_all_tasks_stat_t all = {0};
    assert_int_equal(heap_caps_alloc_all_task_stat_arrays(&all), ESP_OK);
    assert_true(all.task_count >= 1 && all.heap_count >= 1 && all.alloc_count >= 2);
    assert_int_equal(heap_caps_get_all_task_stat(&all), ESP_OK);
    size_t listed = 0;
    for (size_t i = 0; i < all.task_count; i++) {
        for (size_t h = 0; all.stat_arr[i].handle == me() && h < all.stat_arr[i].heap_count; h++) {
            const heap_stat_t *hs = &all.stat_arr[i].heap_stat[h];
            for (size_t b = 0; b < hs->alloc_count; b++) {
                listed += hs->alloc_stat[b].address == p || hs->alloc_stat[b].address == q;
            }
        }
    }
    assert_int_equal(listed, 2);
    heap_caps_free_all_task_stat_arrays(&all);
    assert_null(all.stat_arr);
    assert_int_equal(all.task_count + all.heap_count + all.alloc_count, 0);

    heap_single_task_stat_t s = {0};
    assert_int_equal(heap_caps_alloc_single_task_stat_arrays(&s, NULL), ESP_OK);
    assert_int_equal(heap_caps_get_single_task_stat(&s, NULL), ESP_OK);
    assert_true(s.stat.overall_current_usage >= 96);
    heap_caps_free_single_task_stat_arrays(&s);
    assert_null(s.heap_stat_start);
    heap_caps_free(p);
    heap_caps_free(q);
}

#define THREADS 4
#define OPS     3000

typedef struct {
    void *held[8];
    size_t held_bytes;
    char name[16];
} churn_t;

/* Random allocations and frees of its own; ends holding some blocks. */
static void *churn(void *arg) {
    churn_t *c = arg;
    pthread_setname_np(pthread_self(), c->name);
    uint32_t seed = (uint32_t)(uintptr_t)c;
    size_t sizes[8] = {0};
    for (int i = 0; i < OPS; i++) {
        seed = seed * 1103515245u + 12345u;
        unsigned slot = (seed >> 16) % 8;
        if (c->held[slot] != NULL) {
            heap_caps_free(c->held[slot]);
            c->held[slot] = NULL;
        } else {
            sizes[slot] = 16 + (seed >> 8) % 200;
            c->held[slot] = heap_caps_malloc(sizes[slot], (seed & 1) ? MALLOC_CAP_8BIT : MALLOC_CAP_DMA);
        }
    }
    for (unsigned slot = 0; slot < 8; slot++) {
        c->held_bytes += c->held[slot] != NULL ? sizes[slot] : 0;
    }
    return NULL;
}

/* Threads at once on shared heaps: each account holds what its thread kept. */
static void test_threads_balance(void **state) {
    (void)state;
    churn_t c[THREADS] = {0};
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++) {
        snprintf(c[i].name, sizeof c[i].name, "churn%d", i);
        assert_int_equal(pthread_create(&t[i], NULL, churn, &c[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
    }
    task_stat_t tasks[THREADS + 4];
    heap_stat_t heaps[(THREADS + 4) * HEAPS];
    heap_all_tasks_stat_t all = {THREADS + 4, tasks, (THREADS + 4) * HEAPS, heaps, 0, NULL};
    assert_int_equal(heap_caps_get_all_task_stat(&all), ESP_OK);
    for (int i = 0; i < THREADS; i++) {
        const task_stat_t *tk = task_named(&all, c[i].name);
        assert_non_null(tk);
        assert_int_equal(tk->overall_current_usage, c[i].held_bytes);
        for (unsigned slot = 0; slot < 8; slot++) {
            heap_caps_free(c[i].held[slot]);
        }
    }
    assert_int_equal(caps_reports.count, 0);
}

/* Each allocation the array functions make fails in turn: ESP_FAIL, and
 * every byte back. */
static void test_arrays_out_of_memory(void **state) {
    (void)state;
    void *p = heap_caps_malloc(48, MALLOC_CAP_8BIT);
    assert_non_null(p);
    size_t free_before = heap_caps_get_free_size(MALLOC_CAP_8BIT);
    capheap_fail_allocations(&(capheap_fail_plan_t){0, false, 0});
    heap_all_tasks_stat_t all = {0};
    assert_int_equal(heap_caps_alloc_all_task_stat_arrays(&all), ESP_OK);
    heap_caps_free_all_task_stat_arrays(&all);
    size_t calls = capheap_fail_counted();
    assert_int_equal(calls, 3); /* tasks, heaps, blocks */
    for (size_t nth = 1; nth <= calls; nth++) {
        capheap_fail_allocations(&(capheap_fail_plan_t){nth, false, 0});
        assert_int_equal(heap_caps_alloc_all_task_stat_arrays(&all), ESP_FAIL);
        assert_int_equal(heap_caps_get_free_size(MALLOC_CAP_8BIT), free_before);
    }
    capheap_fail_allocations(NULL);
    heap_caps_free(p);
}

static void print_all(void *arg) {
    (void)arg;
    heap_caps_print_all_task_stat_overview(NULL);
    heap_caps_print_all_task_stat(stdout);
    heap_caps_print_single_task_stat_overview(NULL, NULL);
    heap_caps_print_single_task_stat(NULL, NULL);
}

static void test_print(void **state) {
    (void)state;
    void *p = heap_caps_malloc(123, MALLOC_CAP_8BIT);
    assert_non_null(p);
    char *log = caps_capture(print_all, NULL);
    assert_int_equal(caps_count_lines(log, "current B"), 4); /* one header each */
    char block[64];
    snprintf(block, sizeof block, "block %p, 123 bytes", p);
    assert_int_equal(caps_count_lines(log, block), 2); /* all, and single */
    assert_non_null(strstr(log, "heap DRAM"));
    free(log);
    heap_caps_free(p);
}

/* The print functions write to the stream they are given (a memory stream
 * here, as a unit test on a PC would), nothing to the log; a task's blocks,
 * more than one walk collects at a time, each once and in address order. */
static void print_to_memstream(void *arg) {
    char **text = arg;
    size_t len;
    FILE *f = open_memstream(text, &len);
    assert_non_null(f);
    heap_caps_print_all_task_stat(f);
    heap_caps_print_single_task_stat_overview(f, NULL);
    assert_int_equal(fclose(f), 0);
}

static void test_print_to_a_stream(void **state) {
    (void)state;
    void *p[21]; /* PRINT_BATCH (8) blocks a walk, and 5 more */
    const size_t n = sizeof p / sizeof p[0];
    for (size_t i = 0; i < n; i++) {
        p[i] = heap_caps_malloc(40 + i, MALLOC_CAP_8BIT);
        assert_non_null(p[i]);
    }
    char *text = NULL;
    char *log = caps_capture(print_to_memstream, &text);
    assert_string_equal(log, "");
    assert_non_null(text);
    assert_int_equal(caps_count_lines(text, "current B"), 2);
    const char *last = text;
    for (size_t i = 0; i < n; i++) {
        char block[64];
        snprintf(block, sizeof block, "block %p, %zu bytes", p[i], 40 + i);
        assert_int_equal(caps_count_lines(text, block), 1);
        const char *at = strstr(text, block);
        if (i > 0 && (uintptr_t)p[i] > (uintptr_t)p[i - 1]) {
            assert_true(at > last);
        }
        last = at;
    }
    free(text);
    free(log);
    for (size_t i = 0; i < n; i++) {
        heap_caps_free(p[i]);
    }
}

/* More tasks than the table holds: the blocks of a task without an account
 * are counted as such, printed as such, and given back when freed. */
static void *alloc_one(void *arg) {
    (void)arg;
    return heap_caps_malloc(64, MALLOC_CAP_8BIT);
}

static void print_overview(void *arg) {
    (void)arg;
    heap_caps_print_all_task_stat_overview(NULL);
}

static void test_more_tasks_than_the_table(void **state) {
    (void)state;
    void *p[CAPHEAP_TASK_STATS_TASKS + 2];
    for (size_t i = 0; i < sizeof p / sizeof p[0]; i++) {
        pthread_t t;
        assert_int_equal(pthread_create(&t, NULL, alloc_one, NULL), 0);
        assert_int_equal(pthread_join(t, &p[i]), 0);
        assert_non_null(p[i]);
    }
    size_t uncounted = capheap_task_stats_uncounted();
    assert_true(uncounted >= 2); /* at least the threads after the table filled */
    char *log = caps_capture(print_overview, NULL);
    char line[32];
    snprintf(line, sizeof line, "%zu blocks in no task's", uncounted);
    assert_int_equal(caps_count_lines(log, line), 1);
    free(log);
    for (size_t i = 0; i < sizeof p / sizeof p[0]; i++) {
        heap_caps_free(p[i]);
    }
    assert_int_equal(capheap_task_stats_uncounted(), 0);
    log = caps_capture(print_overview, NULL);
    assert_null(strstr(log, "no task's account"));
    free(log);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_current_and_peak, caps_setup_esp32, caps_teardown),
        cmocka_unit_test_setup_teardown(test_tasks_frees_and_deletion, caps_setup_esp32, caps_teardown),
        cmocka_unit_test_setup_teardown(test_handle_used_again, caps_setup_esp32, caps_teardown),
        cmocka_unit_test_setup_teardown(test_arrays_cut, caps_setup_esp32, caps_teardown),
        cmocka_unit_test_setup_teardown(test_no_heap_without_the_accounts_lock, caps_setup_esp32, caps_teardown),
        cmocka_unit_test_setup_teardown(test_bad_arguments, caps_setup_esp32, caps_teardown),
        cmocka_unit_test_setup_teardown(test_allocated_arrays, caps_setup_esp32, caps_teardown),
        cmocka_unit_test_setup_teardown(test_arrays_out_of_memory, caps_setup_esp32, caps_teardown),
        cmocka_unit_test_setup_teardown(test_threads_balance, caps_setup_esp32, caps_teardown),
        cmocka_unit_test_setup_teardown(test_print, caps_setup_esp32, caps_teardown),
        cmocka_unit_test_setup_teardown(test_print_to_a_stream, caps_setup_esp32, caps_teardown),
        cmocka_unit_test_setup_teardown(test_more_tasks_than_the_table, caps_setup_esp32, caps_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
