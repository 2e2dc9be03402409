/*
 * bench_threads.c: do two heaps scale over two threads? Each thread runs the
 * churn workload of WORKLOADS.md (256 KiB region, 256 slots, log-uniform
 * 16..4096 B) on its own multi_heap, with the port's lock as every registered
 * heap has. Throughput (operations per second, wall clock) with one thread and
 * with two, each run REPS times alternately; prints the median and the best
 * of each and their ratios.
 *
 *   bench_threads [REPS]        (default 9)
 *
 * It then does it again with the two heaps' locks made LOCK_SPACING locks
 * apart in the posix port's pool. Neighbouring locks once shared a cache
 * line, which the cores passed to and fro on every call (1.31x against 1.73x
 * spaced); the port now gives each lock a line of its own, and the two
 * figures should agree (a check of the port, not the target figure).
 *
 * Wall-clock figures depend on the machine and on whatever else it runs: on
 * a shared two-core machine the best of several runs says more than any one.
 * Each thread also measures its own CPU time: the CPU share (CPU time over
 * threads x wall time) tells a run in which the threads had their cores to
 * themselves (near 1; waiting on a shared cache line still counts as CPU)
 * from one in which other processes took turns on them.
 * The requests are drawn once, before any timing, and every thread replays
 * the same ones, so the threads do equal work and the drawing is not timed.
 * Thread t runs on CPU t (as firmware pins its tasks to the cores of a
 * dual-core chip): the scheduler does not move them or put both on one CPU
 * for a while. Where that cannot be had, they run unpinned and the output
 * says so (pinned=0).
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_common.h"
#include "capheap/port.h"
#include "multi_heap.h"

#define OPS 1000000u
#define PASSES 4u
#define SLOTS 256u
#define REGION (256 * KIB)
#define MAX_THREADS 2u
#define MAX_REPS 31u
#define LOCK_SPACING 16u /* locks apart in the posix port's pool (one cache line each) */

typedef struct {
    uint16_t slot, size;
} request_t;

static request_t requests[OPS];

/* What one thread owns, each on its own cache lines. */
typedef struct {
    _Alignas(64) uint8_t region[REGION];
    void *slot[SLOTS];
    multi_heap_handle_t heap;
    void *lock;
    pthread_barrier_t *start;
    unsigned index;
    double cpu; /* seconds of CPU time the thread used in the timed loop */
} worker_t;

static atomic_bool all_pinned = true; /* two threads may clear it at once */

/* Runs the calling thread on CPU cpu only; false where that cannot be had. */
static bool pin_to(unsigned cpu) {
#ifdef __linux__
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0;
#else
    (void)cpu;
    return false;
#endif
}

static worker_t workers[MAX_THREADS];

static void draw_requests(void) {
    rng_seed();
    root2_init();
    for (uint32_t i = 0; i < OPS; i++) {
        requests[i].slot = (uint16_t)rng_below(SLOTS);
        requests[i].size = (uint16_t)size_log_uniform(16, 8);
    }
}

static double clock_seconds(clockid_t clock) {
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void *work(void *arg) {
    worker_t *w = arg;
    if (!pin_to(w->index)) {
        atomic_store(&all_pinned, false); /* read after the join */
    }
    pthread_barrier_wait(w->start);
    double cpu0 = clock_seconds(CLOCK_THREAD_CPUTIME_ID);
    for (unsigned pass = 0; pass < PASSES; pass++) {
        for (uint32_t i = 0; i < OPS; i++) {
            void **s = &w->slot[requests[i].slot];
            if (*s != NULL) {
                multi_heap_free(w->heap, *s);
                *s = NULL;
            } else {
                *s = multi_heap_malloc(w->heap, requests[i].size);
            }
        }
    }
    w->cpu = clock_seconds(CLOCK_THREAD_CPUTIME_ID) - cpu0;
    return NULL;
}

/* The two heaps' locks, made once for all runs of a comparison: one after
 * the other, or with LOCK_SPACING - 1 locks taken between them (all given
 * back at the end). */
static void make_locks(bool spaced) {
    void *between[LOCK_SPACING];
    workers[0].lock = capheap_port_lock_create();
    for (unsigned i = 1; spaced && i < LOCK_SPACING; i++) {
        between[i] = capheap_port_lock_create();
    }
    workers[1].lock = capheap_port_lock_create();
    for (unsigned i = 1; spaced && i < LOCK_SPACING; i++) {
        capheap_port_lock_delete(between[i]);
    }
}

typedef struct {
    double ops_per_second, cpu_share;
} result_t;

/* One timed run with n threads: operations per second over all of them. */
static result_t run(unsigned n) {
    pthread_t tid[MAX_THREADS];
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, n + 1);
    for (unsigned t = 0; t < n; t++) {
        worker_t *w = &workers[t];
        memset(w->slot, 0, sizeof w->slot);
        w->heap = multi_heap_register(w->region, REGION);
        multi_heap_set_lock(w->heap, w->lock);
        w->start = &start;
        w->index = t;
        pthread_create(&tid[t], NULL, work, w);
    }
    pthread_barrier_wait(&start);
    double t0 = clock_seconds(CLOCK_MONOTONIC), cpu = 0;
    for (unsigned t = 0; t < n; t++) {
        pthread_join(tid[t], NULL);
        cpu += workers[t].cpu;
    }
    double elapsed = clock_seconds(CLOCK_MONOTONIC) - t0;
    pthread_barrier_destroy(&start);
    return (result_t){(double)n * PASSES * OPS / elapsed, cpu / (n * elapsed)};
}

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* REPS runs of one thread and of two, alternately (so that a busy spell of
 * the machine hits both); prints the median and best throughput, their
 * ratios and the median CPU share of the two-thread runs. */
static void compare(const char *name, unsigned reps, bool spaced) {
    double one[MAX_REPS] = {0}, two[MAX_REPS] = {0}, share[MAX_REPS] = {0};
    make_locks(spaced);
    for (unsigned r = 0; r < reps; r++) {
        one[r] = run(1).ops_per_second;
        result_t both = run(2);
        two[r] = both.ops_per_second;
        share[r] = both.cpu_share;
    }
    capheap_port_lock_delete(workers[0].lock);
    capheap_port_lock_delete(workers[1].lock);
    qsort(one, reps, sizeof one[0], by_value);
    qsort(two, reps, sizeof two[0], by_value);
    qsort(share, reps, sizeof share[0], by_value);
    double m1 = one[reps / 2], m2 = two[reps / 2], b1 = one[reps - 1], b2 = two[reps - 1];
    printf("locks=%s ptr_bits=%u reps=%u ops_per_thread=%u one_median=%.0f one_best=%.0f two_median=%.0f"
           " two_best=%.0f ratio_median=%.3f ratio_best=%.3f two_cpu_share=%.2f pinned=%d\n",
           name, (unsigned)(8 * sizeof(void *)), reps, PASSES * OPS, m1, b1, m2, b2, m2 / m1, b2 / b1,
           share[reps / 2], (int)atomic_load(&all_pinned));
}

int main(int argc, char **argv) {
    unsigned reps = argc > 1 ? (unsigned)atoi(argv[1]) : 9;
    if (reps < 1 || reps > MAX_REPS) {
        fprintf(stderr, "usage: bench_threads [REPS 1..%u]\n", MAX_REPS);
        return 2;
    }
    draw_requests();
    compare("as-created", reps, false);
    compare("spaced", reps, true);
    return 0;
}
