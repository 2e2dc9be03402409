/*
 * heap_caps_task_info.c: heap_caps_get_per_task_info (esp_heap_task_info.h),
 * in builds with task tracking (CAPHEAP_TASK_TRACKING) only. It walks the
 * used blocks of every heap, each heap under its own lock (multi_heap_walk),
 * and tallies them by the task their poisoning head names (src/poison.c).
 *
 * The totals of a task are found by a linear search of the entries so far, as
 * the caller's array is the only memory there is to use: a walk costs blocks
 * times tasks, under the lock of the heap being walked. It is a diagnostic,
 * called now and then; allocations in other heaps go on meanwhile.
 */
#include "capheap/config.h"

#if defined(CAPHEAP_TASK_TRACKING) && CAPHEAP_TASK_TRACKING

#include <string.h>

#include "esp_heap_task_info.h"
#include "heap_caps_internal.h"

typedef struct {
    heap_task_info_params_t *params;
    size_t set;        /* the caps set of the heap being walked */
    size_t num_totals; /* entries of params->totals in use */
    size_t num_blocks; /* entries of params->blocks written */
    bool counting;     /* the caller asked for totals */
} tally_t;

/* The first caps set of params that the heap belongs to;
 * NUM_HEAP_TASK_CAPS when none. */
static size_t caps_set_of(const capheap_heap_t *h, const heap_task_info_params_t *params) {
    size_t i = 0;
    while (i < NUM_HEAP_TASK_CAPS && (h->all_caps & (uint32_t)params->mask[i]) != (uint32_t)params->caps[i]) {
        i++;
    }
    return i;
}

/* The totals entry of task: its own, else a new zeroed one while there is
 * room, else NULL (the task goes uncounted, as documented). */
static heap_task_totals_t *totals_of(tally_t *t, TaskHandle_t task) {
    heap_task_totals_t *totals = t->params->totals;
    for (size_t i = 0; i < t->num_totals; i++) {
        if (totals[i].task == task) {
            return &totals[i];
        }
    }
    if (t->num_totals == t->params->max_totals) {
        return NULL;
    }
    heap_task_totals_t *fresh = &totals[t->num_totals++];
    memset(fresh, 0, sizeof *fresh);
    fresh->task = task;
    return fresh;
}

static bool listed(const heap_task_info_params_t *params, TaskHandle_t task) {
    if (params->tasks == NULL) {
        return true;
    }
    for (size_t i = 0; i < params->num_tasks; i++) {
        if (params->tasks[i] == task) {
            return true;
        }
    }
    return false;
}

static bool blocks_room(const tally_t *t) {
    return t->params->blocks != NULL && t->num_blocks < t->params->max_blocks;
}

/* multi_heap_walk's callback, under the heap's lock. Stops the walk once
 * nothing more would be written. */
static bool tally_block(void *p, size_t size, int used, void *user) {
    tally_t *t = user;
    if (!used) {
        return true;
    }
    TaskHandle_t task = (TaskHandle_t)capheap_multi_heap_owner(p);
    if (t->counting) {
        heap_task_totals_t *entry = totals_of(t, task);
        if (entry != NULL) {
            entry->size[t->set] += size;
            entry->count[t->set]++;
        }
    }
    if (blocks_room(t) && listed(t->params, task)) {
        t->params->blocks[t->num_blocks++] = (heap_task_block_t){task, p, (uint32_t)size};
    }
    return t->counting || blocks_room(t);
}

/* Sets up the tally: the caller's entries kept in place, figures zeroed. */
static tally_t tally_start(heap_task_info_params_t *params) {
    tally_t t = {params, 0, 0, 0, params->totals != NULL && params->num_totals != NULL};
    if (t.counting) {
        t.num_totals = *params->num_totals < params->max_totals ? *params->num_totals : params->max_totals;
        for (size_t i = 0; i < t.num_totals; i++) {
            memset(params->totals[i].size, 0, sizeof params->totals[i].size);
            memset(params->totals[i].count, 0, sizeof params->totals[i].count);
        }
    }
    return t;
}

size_t heap_caps_get_per_task_info(heap_task_info_params_t *params) {
    if (params == NULL) {
        return 0;
    }
    tally_t t = tally_start(params);
    size_t n = capheap_registry_count();
    for (size_t i = 0; i < n && (t.counting || blocks_room(&t)); i++) {
        const capheap_heap_t *h = capheap_registry_at(i);
        multi_heap_handle_t heap = capheap_heap_handle(h);
        t.set = caps_set_of(h, params);
        if (heap != NULL && t.set < NUM_HEAP_TASK_CAPS) {
            multi_heap_walk(heap, tally_block, &t);
        }
    }
    if (t.counting) {
        *params->num_totals = t.num_totals;
    }
    return t.num_blocks;
}

#endif /* CAPHEAP_TASK_TRACKING */
