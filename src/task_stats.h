/*
 * task_stats.h (private): what each task holds of each heap, now and at its
 * peak, counted as allocations are made and freed (src/task_stats.c), in
 * builds with task tracking (CAPHEAP_TASK_TRACKING). esp_heap_task_info.h's
 * heap_caps_get_all_task_stat family reads it (src/heap_caps_task_stat.c).
 *
 * The poisoning layer (src/poison.c) calls in under the heap's lock: the
 * accounts have a lock of their own, taken inside any heap's and never
 * around one. The word a block's poisoning head keeps for its task holds
 * either the account it was counted in or, when the table had no room for
 * it, the task itself: capheap_task_stats_task_of tells the task either way.
 */
#ifndef CAPHEAP_TASK_STATS_H
#define CAPHEAP_TASK_STATS_H

#include <stdbool.h>
#include <stddef.h>

#include "internal.h"

#if defined(CAPHEAP_TASK_TRACKING) && CAPHEAP_TASK_TRACKING

#include "esp_heap_task_info.h" /* CAPHEAP_TASK_NAME_LEN */

/** Tasks with an account (a deleted task's is kept until it holds nothing
 *  and another task needs the room). */
#ifndef CAPHEAP_TASK_STATS_TASKS
#define CAPHEAP_TASK_STATS_TASKS 16
#endif

/** Heaps per task with an account of their own. */
#ifndef CAPHEAP_TASK_STATS_HEAPS
#define CAPHEAP_TASK_STATS_HEAPS 8
#endif

typedef struct {
    const void *heap; /**< the multi_heap handle; NULL: slot unused */
    size_t current;   /**< bytes the task holds there now */
    size_t peak;      /**< the most it held there at once */
    size_t count;     /**< its blocks there now */
} capheap_task_heap_account_t;

typedef struct {
    void *task;                                  /**< the task's handle */
    bool used;                                   /**< the slot holds an account */
    bool alive;                                  /**< false once the port said it was deleted */
    char name[CAPHEAP_TASK_NAME_LEN];            /**< as the port named it at its first allocation */
    size_t current;                              /**< bytes it holds in every heap now */
    size_t peak;                                 /**< the most it held at once, every heap together */
    capheap_task_heap_account_t heaps[CAPHEAP_TASK_STATS_HEAPS];
} capheap_task_account_t;

/** Makes the accounts' lock, if not made yet; before the first heap serves
 *  (the registry enabling a heap, in the critical section). False when the
 *  port has no lock to give: the registry then refuses the heap, whose blocks
 *  could not be counted. Allocations made before are not counted. */
CAPHEAP_INTERNAL bool capheap_task_stats_start(void);

/** The current task allocated size bytes in heap: returns the word for the
 *  block's head (its account, or the task when nothing has room). Under the
 *  heap's lock. */
CAPHEAP_INTERNAL void *capheap_task_stats_alloc(const void *heap, size_t size);

/** The block whose head word is owner, of size bytes in heap, is freed (or
 *  resized: freed, then allocated again). Under the heap's lock. */
CAPHEAP_INTERNAL void capheap_task_stats_free(void *owner, const void *heap, size_t size);

/** The task a head word names. */
CAPHEAP_INTERNAL void *capheap_task_stats_task_of(void *owner);

/** A copy of account i of the table (i < CAPHEAP_TASK_STATS_TASKS), taken
 *  under the accounts' lock; false when that slot holds none. */
CAPHEAP_INTERNAL bool capheap_task_stats_account(size_t i, capheap_task_account_t *out);

/** A copy of the account of task (NULL: the calling task), its live one
 *  when it has one (a deleted task's handle may be a new task's), and its
 *  index; false when it has none. */
CAPHEAP_INTERNAL bool capheap_task_stats_find(void *task, capheap_task_account_t *out, size_t *index);

/** The task word of the blocks counted in account i: what tells them from
 *  the blocks of another account of the same handle. */
CAPHEAP_INTERNAL const void *capheap_task_stats_id(size_t i);

/** The blocks in no account now (made while the table had no room). */
CAPHEAP_INTERNAL size_t capheap_task_stats_uncounted(void);


/** Forgets every account (capheap_deinit, in the critical section). */
CAPHEAP_INTERNAL void capheap_task_stats_reset(void);

/** Takes (hold) or gives back the accounts' lock, if there is one: for
 *  capheap_registry_hold_all, after every heap's lock. */
CAPHEAP_INTERNAL void capheap_task_stats_hold(bool hold);

#else

static inline bool capheap_task_stats_start(void) { return true; }
static inline void capheap_task_stats_reset(void) {}
static inline void capheap_task_stats_hold(bool hold) { (void)hold; }

#endif

#endif /* CAPHEAP_TASK_STATS_H */
