/*
 * test_task_tracking.c: heap_caps_get_per_task_info (esp_heap_task_info.h),
 * in a build with CAPHEAP_TASK_TRACKING (tests/CMakeLists.txt builds this
 * file only there). On the posix port a task is a thread.
 *
 * What it must do: count each task's live blocks by the caps set of their
 * heaps, with the sizes asked; keep the caller's entries in place; list the
 * blocks of every task or of some; give a block to the task that reallocated
 * it; leave out heaps of no set; write nothing it was not given room for.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdatomic.h>

#include "caps_test.h"
#include "esp_heap_task_info.h"

#ifndef CONFIG_HEAP_TASK_TRACKING
#error "esp_heap_task_info.h defines CONFIG_HEAP_TASK_TRACKING in a build with CAPHEAP_TASK_TRACKING"
#endif

#define THREADS 3

static TaskHandle_t me(void) { return (TaskHandle_t)capheap_port_current_task(); }

/* Params with set 0 = 8BIT heaps, set 1 = EXEC heaps (IRAM; D/IRAM has
 * 8BIT and goes to set 0, the first that matches). */
static heap_task_info_params_t by_8bit_exec(heap_task_totals_t *totals, size_t *num_totals, size_t max_totals) {
    heap_task_info_params_t p = {0};
    p.caps[0] = p.mask[0] = MALLOC_CAP_8BIT;
    p.caps[1] = p.mask[1] = MALLOC_CAP_EXEC;
    p.caps[2] = p.caps[3] = MALLOC_CAP_INVALID; /* sets no heap is in */
    p.mask[2] = p.mask[3] = MALLOC_CAP_INVALID;
    p.totals = totals;
    p.num_totals = num_totals;
    p.max_totals = max_totals;
    return p;
}

static void test_totals_split_by_caps(void **state) {
    (void)state;
    void *a = heap_caps_malloc(100, MALLOC_CAP_8BIT);
    void *b = heap_caps_malloc(200, MALLOC_CAP_DMA);
    void *c = heap_caps_calloc(3, 100, MALLOC_CAP_8BIT);
    void *x = heap_caps_malloc(64, MALLOC_CAP_EXEC | MALLOC_CAP_32BIT);
    assert_true(a != NULL && b != NULL && c != NULL && x != NULL);
    heap_task_totals_t totals[4];
    size_t n = 0;
    heap_task_info_params_t p = by_8bit_exec(totals, &n, 4);
    assert_int_equal(heap_caps_get_per_task_info(&p), 0); /* no block array */
    assert_int_equal(n, 1);
    assert_ptr_equal(totals[0].task, me());
    assert_int_equal(totals[0].size[0], 600);
    assert_int_equal(totals[0].count[0], 3);
    assert_int_equal(totals[0].size[1], 64);
    assert_int_equal(totals[0].count[1], 1);
    assert_int_equal(totals[0].size[2] + totals[0].count[2] + totals[0].size[3] + totals[0].count[3], 0);

    /* Freed blocks leave the totals; the entry keeps its place with zeros. */
    heap_caps_free(a);
    heap_caps_free(b);
    heap_caps_free(c);
    heap_caps_free(x);
    assert_int_equal(heap_caps_get_per_task_info(&p), 0);
    assert_int_equal(n, 1);
    assert_ptr_equal(totals[0].task, me());
    assert_int_equal(totals[0].size[0] + totals[0].count[0] + totals[0].size[1] + totals[0].count[1], 0);
}

/* ---- several tasks ------------------------------------------------------ */

typedef struct {
    size_t size; /* of each of its blocks */
    size_t count;
    void *blocks[8];
    TaskHandle_t task;
} worker_t;

static pthread_barrier_t all_alive;

/* Allocates its blocks, then waits until every worker has: the threads are
 * alive at once, so their values of capheap_port_current_task differ. */
static void *worker(void *arg) {
    worker_t *w = arg;
    w->task = me();
    for (size_t i = 0; i < w->count; i++) {
        w->blocks[i] = heap_caps_malloc(w->size, MALLOC_CAP_8BIT);
    }
    pthread_barrier_wait(&all_alive);
    return NULL;
}

static void run_workers(worker_t *w) {
    pthread_t t[THREADS];
    assert_int_equal(pthread_barrier_init(&all_alive, NULL, THREADS), 0);
    for (size_t i = 0; i < THREADS; i++) {
        w[i].size = 40 * (i + 1);
        w[i].count = i + 2;
        assert_int_equal(pthread_create(&t[i], NULL, worker, &w[i]), 0);
    }
    for (size_t i = 0; i < THREADS; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        for (size_t j = 0; j < w[i].count; j++) {
            assert_non_null(w[i].blocks[j]);
        }
    }
    pthread_barrier_destroy(&all_alive);
}

static void free_workers(worker_t *w) {
    for (size_t i = 0; i < THREADS; i++) {
        for (size_t j = 0; j < w[i].count; j++) {
            heap_caps_free(w[i].blocks[j]);
        }
    }
}

static const heap_task_totals_t *entry_of(const heap_task_totals_t *totals, size_t n, TaskHandle_t task) {
    for (size_t i = 0; i < n; i++) {
        if (totals[i].task == task) {
            return &totals[i];
        }
    }
    return NULL;
}

static void test_each_thread_its_own(void **state) {
    (void)state;
    worker_t w[THREADS] = {0};
    run_workers(w);
    heap_task_totals_t totals[8];
    size_t n = 0;
    heap_task_info_params_t p = by_8bit_exec(totals, &n, 8);
    (void)heap_caps_get_per_task_info(&p);
    assert_int_equal(n, THREADS);
    for (size_t i = 0; i < THREADS; i++) {
        const heap_task_totals_t *e = entry_of(totals, n, w[i].task);
        assert_non_null(e);
        assert_int_equal(e->size[0], w[i].size * w[i].count);
        assert_int_equal(e->count[0], w[i].count);
        assert_int_equal(e->count[1], 0);
    }

    /* Freed by another thread: still counted for its owner until then. */
    heap_caps_free(w[0].blocks[0]);
    w[0].blocks[0] = heap_caps_malloc(1, MALLOC_CAP_8BIT);
    (void)heap_caps_get_per_task_info(&p);
    assert_int_equal(n, THREADS + 1);
    assert_int_equal(entry_of(totals, n, w[0].task)->count[0], w[0].count - 1);
    assert_int_equal(entry_of(totals, n, me())->size[0], 1);
    free_workers(w);
}

/* Entries passed in keep their places and are zeroed first; a task beyond
 * max_totals goes uncounted. */
static void test_entries_kept_in_place(void **state) {
    (void)state;
    worker_t w[THREADS] = {0};
    run_workers(w);
    heap_task_totals_t totals[2] = {{(TaskHandle_t)(uintptr_t)0x1234, {7, 7, 7, 7}, {9, 9, 9, 9}},
                                    {w[2].task, {5, 5, 5, 5}, {1, 1, 1, 1}}};
    size_t n = 2;
    heap_task_info_params_t p = by_8bit_exec(totals, &n, 2);
    (void)heap_caps_get_per_task_info(&p);
    assert_int_equal(n, 2);
    assert_ptr_equal(totals[0].task, (TaskHandle_t)(uintptr_t)0x1234);
    for (size_t i = 0; i < NUM_HEAP_TASK_CAPS; i++) {
        assert_int_equal(totals[0].size[i] + totals[0].count[i], 0);
    }
    assert_ptr_equal(totals[1].task, w[2].task);
    assert_int_equal(totals[1].size[0], w[2].size * w[2].count);
    assert_int_equal(totals[1].count[0], w[2].count);
    assert_int_equal(totals[1].size[1] + totals[1].size[2] + totals[1].size[3], 0);

    /* More entries in use than room: only max_totals are read and written. */
    n = 5;
    p.max_totals = 1;
    (void)heap_caps_get_per_task_info(&p);
    assert_int_equal(n, 1);
    assert_ptr_equal(totals[1].task, w[2].task); /* left alone */
    free_workers(w);
}

static void test_blocks_listed(void **state) {
    (void)state;
    worker_t w[THREADS] = {0};
    run_workers(w);
    heap_task_block_t blocks[16];
    heap_task_info_params_t p = by_8bit_exec(NULL, NULL, 0);
    p.blocks = blocks;
    p.max_blocks = 16;
    size_t all = 0;
    for (size_t i = 0; i < THREADS; i++) {
        all += w[i].count;
    }
    assert_int_equal(heap_caps_get_per_task_info(&p), all);

    /* One task's: exactly its blocks, at the addresses malloc gave. */
    TaskHandle_t one = w[1].task;
    p.tasks = &one;
    p.num_tasks = 1;
    assert_int_equal(heap_caps_get_per_task_info(&p), w[1].count);
    for (size_t j = 0; j < w[1].count; j++) {
        bool found = false;
        for (size_t k = 0; k < w[1].count; k++) {
            found |= blocks[k].address == w[1].blocks[j];
        }
        assert_true(found);
        assert_ptr_equal(blocks[j].task, one);
        assert_int_equal(blocks[j].size, w[1].size);
    }

    /* No more than max_blocks; the entry after them untouched. */
    p.tasks = NULL;
    p.max_blocks = 2;
    blocks[2].address = &p;
    assert_int_equal(heap_caps_get_per_task_info(&p), 2);
    assert_ptr_equal(blocks[2].address, &p);
    free_workers(w);
}

static void test_realloc_gives_the_block_to_its_caller(void **state) {
    (void)state;
    worker_t w[THREADS] = {0};
    run_workers(w);
    void *grown = heap_caps_realloc(w[0].blocks[0], 1000, MALLOC_CAP_8BIT);
    void *same = heap_caps_realloc(w[0].blocks[1], w[0].size - 8, MALLOC_CAP_8BIT);
    assert_true(grown != NULL && same != NULL);
    w[0].blocks[0] = grown;
    w[0].blocks[1] = same;
    heap_task_block_t blocks[16];
    heap_task_info_params_t p = by_8bit_exec(NULL, NULL, 0);
    TaskHandle_t self = me();
    p.tasks = &self;
    p.num_tasks = 1;
    p.blocks = blocks;
    p.max_blocks = 16;
    assert_int_equal(heap_caps_get_per_task_info(&p), 2);
    for (size_t k = 0; k < 2; k++) {
        assert_true((blocks[k].address == grown && blocks[k].size == 1000) ||
                    (blocks[k].address == same && blocks[k].size == w[0].size - 8));
    }
    free_workers(w);
}

/* Heaps of no set are left out; caps and mask 0 put every heap in set 0. */
static void test_caps_sets(void **state) {
    (void)state;
    void *d = heap_caps_malloc(100, MALLOC_CAP_DMA);
    void *x = heap_caps_malloc(64, MALLOC_CAP_EXEC | MALLOC_CAP_32BIT);
    heap_task_totals_t totals[2];
    heap_task_block_t blocks[4];
    size_t n = 0;
    heap_task_info_params_t p = by_8bit_exec(totals, &n, 2);
    p.caps[0] = p.mask[0] = MALLOC_CAP_SPIRAM; /* no SPIRAM on this board */
    p.blocks = blocks;
    p.max_blocks = 4;
    assert_int_equal(heap_caps_get_per_task_info(&p), 1); /* x, in IRAM: set 1 */
    assert_ptr_equal(blocks[0].address, x);
    assert_int_equal(n, 1);
    assert_int_equal(totals[0].count[0], 0);
    assert_int_equal(totals[0].size[1], 64);

    n = 0;
    memset(&p.caps, 0, sizeof p.caps);
    memset(&p.mask, 0, sizeof p.mask);
    assert_int_equal(heap_caps_get_per_task_info(&p), 2);
    assert_int_equal(totals[0].size[0], 164);
    assert_int_equal(totals[0].count[0], 2);
    assert_int_equal(totals[0].count[1], 0);
    heap_caps_free(d);
    heap_caps_free(x);
}

static void test_nothing_asked(void **state) {
    (void)state;
    void *a = heap_caps_malloc(100, MALLOC_CAP_8BIT);
    assert_int_equal(heap_caps_get_per_task_info(NULL), 0);
    heap_task_totals_t totals[1] = {{NULL, {3}, {3}}};
    heap_task_info_params_t p = by_8bit_exec(totals, NULL, 1); /* no num_totals: no totals */
    assert_int_equal(heap_caps_get_per_task_info(&p), 0);
    assert_int_equal(totals[0].size[0], 3);
    size_t n = 0;
    p = by_8bit_exec(totals, &n, 0); /* no room */
    assert_int_equal(heap_caps_get_per_task_info(&p), 0);
    assert_int_equal(n, 0);
    assert_int_equal(totals[0].size[0], 3);
    heap_caps_free(a);
}

/* An EXEC block served through D/IRAM's instruction-bus window is listed as
 * the data-bus block under it, in set 0 (D/IRAM has 8BIT). IRAM serves EXEC
 * first, so it is filled until a block comes from the window. */
static void test_window_block_at_data_address(void **state) {
    (void)state;
    static void *fill[256];
    int n = 0;
    void *x = NULL;
    for (size_t size = 4096; size >= 64; size /= 4) {
        while (n < 256 && (x = heap_caps_malloc(size, MALLOC_CAP_EXEC)) != NULL && caps_heap_of_window(x) == NULL) {
            fill[n++] = x;
        }
        assert_true(x != NULL && caps_heap_of_window(x) != NULL);
        heap_caps_free(x);
    }
    x = heap_caps_malloc(64, MALLOC_CAP_EXEC);
    capheap_heap_t *diram = caps_heap_of_window(x);
    assert_non_null(diram);
    heap_task_totals_t totals[1];
    static heap_task_block_t blocks[258];
    size_t nt = 0;
    heap_task_info_params_t p = by_8bit_exec(totals, &nt, 1);
    p.blocks = blocks;
    p.max_blocks = 258;
    assert_int_equal(heap_caps_get_per_task_info(&p), n + 1);
    assert_int_equal(totals[0].count[0], 1);
    assert_int_equal(totals[0].count[1], (size_t)n);
    int in_diram = 0;
    for (int k = 0; k <= n; k++) {
        assert_ptr_not_equal(blocks[k].address, x);
        if (caps_heap_of(blocks[k].address) == diram) {
            /* The data-bus block: 64 bytes and what the window's placement takes. */
            size_t size = multi_heap_get_allocated_size(capheap_heap_handle(diram), blocks[k].address);
            assert_int_equal(blocks[k].size, size);
            assert_int_equal(totals[0].size[0], size);
            assert_true(size >= 64 + sizeof(uintptr_t) && size <= 64 + 4 * MULTI_HEAP_ALIGN);
            in_diram++;
        }
    }
    assert_int_equal(in_diram, 1);
    heap_caps_free(x);
    while (n > 0) {
        heap_caps_free(fill[--n]);
    }
}

/* ---- while other threads allocate --------------------------------------- */

#define CHURN_SLOTS 16
#define CHURN_OPS 20000

typedef struct {
    TaskHandle_t task;
    void *slots[CHURN_SLOTS];
} churner_t;

static pthread_barrier_t churn_started;
static _Atomic int churners_done;

/* Allocates and frees at random, then holds one 24-byte block per slot. */
static void *churner(void *arg) {
    churner_t *c = arg;
    c->task = me();
    uint32_t x = (uint32_t)(uintptr_t)c | 1u;
    pthread_barrier_wait(&churn_started);
    for (int op = 0; op < CHURN_OPS; op++) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        void **s = &c->slots[x % CHURN_SLOTS];
        if (*s == NULL) {
            *s = heap_caps_malloc(8 + (x >> 20) % 200, (x & 0x100) ? MALLOC_CAP_8BIT : MALLOC_CAP_EXEC);
        } else {
            heap_caps_free(*s);
            *s = NULL;
        }
    }
    for (int i = 0; i < CHURN_SLOTS; i++) {
        heap_caps_free(c->slots[i]);
        c->slots[i] = heap_caps_malloc(24, MALLOC_CAP_8BIT);
    }
    atomic_fetch_add(&churners_done, 1);
    return NULL;
}

#define WALK_BLOCKS 512 /* more than the threads can hold in all heaps */

/* One walk's block list, taken while the threads go on. The heaps are walked
 * one after the other, each under its lock: a block freed in a heap already
 * walked and made again in one not yet walked is seen in both, so a task may
 * show more blocks in all than it holds at any one moment. What a walk does
 * promise: no address twice; in each heap, no task with more blocks than it
 * has slots; and the totals of the same walk count exactly its blocks. */
static void check_walk(const heap_task_totals_t *totals, size_t n, const heap_task_block_t *blocks,
                       size_t nblocks) {
    static const capheap_heap_t *heap_of[WALK_BLOCKS];
    assert_true(nblocks < WALK_BLOCKS);
    for (size_t i = 0; i < nblocks; i++) {
        const capheap_range_t *r = capheap_registry_owner_search((uintptr_t)blocks[i].address);
        assert_non_null(r);
        heap_of[i] = r->heap;
    }
    for (size_t i = 0; i < nblocks; i++) {
        size_t same_task_and_heap = 0;
        for (size_t j = 0; j < nblocks; j++) {
            assert_true(j == i || blocks[j].address != blocks[i].address);
            same_task_and_heap += blocks[j].task == blocks[i].task && heap_of[j] == heap_of[i];
        }
        assert_true(same_task_and_heap <= CHURN_SLOTS);
    }
    for (size_t t = 0; t < n; t++) {
        size_t listed = 0;
        for (size_t i = 0; i < nblocks; i++) {
            listed += blocks[i].task == totals[t].task;
        }
        assert_int_equal(totals[t].count[0] + totals[t].count[1], listed);
    }
}

/* Each heap is walked under its lock while the threads allocate and free in
 * it (check_walk), and once they stop, the totals are exact. */
static void test_while_threads_allocate(void **state) {
    (void)state;
    churner_t c[THREADS] = {0};
    pthread_t t[THREADS];
    atomic_store(&churners_done, 0);
    assert_int_equal(pthread_barrier_init(&churn_started, NULL, THREADS + 1), 0);
    for (int i = 0; i < THREADS; i++) {
        assert_int_equal(pthread_create(&t[i], NULL, churner, &c[i]), 0);
    }
    pthread_barrier_wait(&churn_started);
    heap_task_totals_t totals[THREADS + 1];
    static heap_task_block_t blocks[WALK_BLOCKS];
    size_t n = 0, calls = 0;
    heap_task_info_params_t p = by_8bit_exec(totals, &n, THREADS + 1);
    p.blocks = blocks;
    p.max_blocks = WALK_BLOCKS;
    for (; atomic_load(&churners_done) < THREADS || calls < 20; calls++) {
        size_t nblocks = heap_caps_get_per_task_info(&p);
        assert_true(n <= THREADS);
        check_walk(totals, n, blocks, nblocks);
    }
    for (int i = 0; i < THREADS; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
    }
    pthread_barrier_destroy(&churn_started);
    (void)heap_caps_get_per_task_info(&p);
    assert_int_equal(n, THREADS);
    for (int i = 0; i < THREADS; i++) {
        const heap_task_totals_t *e = entry_of(totals, n, c[i].task);
        assert_non_null(e);
        assert_int_equal(e->count[0], CHURN_SLOTS);
        assert_int_equal(e->size[0], 24 * CHURN_SLOTS);
        assert_int_equal(e->count[1], 0);
        for (int k = 0; k < CHURN_SLOTS; k++) {
            heap_caps_free(c[i].slots[k]);
        }
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_totals_split_by_caps, caps_setup_esp32, caps_teardown),
        cmocka_unit_test_setup_teardown(test_each_thread_its_own, caps_setup_esp32, caps_teardown),
        cmocka_unit_test_setup_teardown(test_entries_kept_in_place, caps_setup_esp32, caps_teardown),
        cmocka_unit_test_setup_teardown(test_blocks_listed, caps_setup_esp32, caps_teardown),
        cmocka_unit_test_setup_teardown(test_realloc_gives_the_block_to_its_caller, caps_setup_esp32, caps_teardown),
        cmocka_unit_test_setup_teardown(test_caps_sets, caps_setup_esp32, caps_teardown),
        cmocka_unit_test_setup_teardown(test_nothing_asked, caps_setup_esp32, caps_teardown),
        cmocka_unit_test_setup_teardown(test_window_block_at_data_address, caps_setup_esp32, caps_teardown),
        cmocka_unit_test_setup_teardown(test_while_threads_allocate, caps_setup_esp32, caps_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
