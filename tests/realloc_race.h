/*
 * realloc_race.h: the race between a realloc that moves a block and another
 * thread's allocation, for the tests of what records that move (test_trace:
 * the tracer; test_heap_hooks: the application's hooks). A realloc frees the
 * old block before it returns, and another thread may be given that address
 * at once: a record of the free made after that point comes too late.
 *
 * One round: a keeper thread allocates RACE_KEPT blocks of 20 bytes and keeps
 * them (race_kept) while the calling thread moves 24-byte blocks to 2,000
 * bytes with realloc, until the keeper is done. The interleaving is a race:
 * the tests repeat the round.
 */
#ifndef CAPHEAP_TEST_REALLOC_RACE_H
#define CAPHEAP_TEST_REALLOC_RACE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

#include "esp_heap_caps.h"

#define RACE_KEPT 2000
#define RACE_ROUNDS 20

static void *race_kept[RACE_KEPT];
static atomic_bool race_keeper_done;

static void *race_keeper(void *arg) {
    (void)arg;
    for (int i = 0; i < RACE_KEPT; i++) {
        race_kept[i] = heap_caps_malloc(20, MALLOC_CAP_8BIT);
        for (volatile int spin = 0; spin < 1000; spin++) {
        }
    }
    atomic_store(&race_keeper_done, true);
    return NULL;
}

/* Runs one round; returns how many of this thread's calls failed, or -1 when
 * the keeper could not start. The keeper has ended when it returns (it must
 * not outlive the heaps): the caller asserts, then frees race_kept. */
static long race_round(void) {
    atomic_store(&race_keeper_done, false);
    pthread_t t;
    if (pthread_create(&t, NULL, race_keeper, NULL) != 0) {
        return -1;
    }
    long failed = 0;
    while (!atomic_load(&race_keeper_done)) {
        void *a = heap_caps_malloc(24, MALLOC_CAP_8BIT);
        void *guard = heap_caps_malloc(8, MALLOC_CAP_8BIT); /* a cannot grow in place */
        void *b = heap_caps_realloc(a, 2000, MALLOC_CAP_8BIT);
        failed += a == NULL || guard == NULL || b == NULL;
        heap_caps_free(b != NULL ? b : a);
        heap_caps_free(guard);
    }
    pthread_join(t, NULL);
    return failed;
}

#endif /* CAPHEAP_TEST_REALLOC_RACE_H */
