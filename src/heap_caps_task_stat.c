/*
 * heap_caps_task_stat.c: the heap_caps_get_all_task_stat family
 * (esp_heap_task_info.h), in builds with task tracking only. It reads the
 * accounts task_stats.c keeps, one copy at a time, and for the blocks walks
 * each heap a task uses under that heap's lock (never under the accounts'
 * lock: heap, then accounts, is the only order the two are taken in).
 */
#include "capheap/config.h"

#if defined(CAPHEAP_TASK_TRACKING) && CAPHEAP_TASK_TRACKING

#include <string.h>

#include "esp_heap_task_info.h"
#include "heap_caps_internal.h"
#include "log.h"
#include "task_stats.h"

/* The caller's arrays, handed out in order. */
typedef struct {
    heap_stat_t *heaps;
    size_t heaps_left;
    heap_task_block_t *blocks;
    size_t blocks_left;
} room_t;

typedef struct {
    const void *id; /* the task word of the account's blocks */
    void *task;
    room_t *room;
    heap_stat_t *stat;
} block_walk_t;

/* multi_heap_walk's callback, under the heap's lock: the account's blocks. */
static bool list_block(void *p, size_t size, int used, void *user) {
    block_walk_t *w = user;
    if (used && capheap_multi_heap_owner_word(p) == w->id) {
        if (w->room->blocks_left == 0) {
            return false;
        }
        *w->room->blocks++ = (heap_task_block_t){(TaskHandle_t)w->task, p, (uint32_t)size};
        w->room->blocks_left--;
        w->stat->alloc_count++;
    }
    return true;
}

/* One heap of an account into the next heap_stat_t, its blocks after it. */
static void fill_heap(const capheap_task_heap_account_t *slot, const void *id, void *task, room_t *room) {
    heap_stat_t *stat = room->heaps++;
    room->heaps_left--;
    const capheap_heap_t *h = capheap_registry_heap_of(slot->heap);
    *stat = (heap_stat_t){h != NULL ? h->name : "(no heap)", h != NULL ? h->all_caps : 0,
                          h != NULL ? (size_t)(h->end - h->start) : 0, slot->current, slot->peak, 0, NULL};
    if (room->blocks == NULL || room->blocks_left == 0 || h == NULL) {
        stat->alloc_count = slot->count;
        return;
    }
    stat->alloc_stat = room->blocks;
    block_walk_t w = {id, task, room, stat};
    multi_heap_walk((multi_heap_handle_t)(uintptr_t)slot->heap, list_block, &w);
}

/* Account i (a its copy) into out, its heaps and blocks into room as far as
 * they fit. */
static void fill_task(const capheap_task_account_t *a, size_t i, task_stat_t *out, room_t *room) {
    memset(out, 0, sizeof *out);
    memcpy(out->name, a->name, sizeof out->name);
    out->handle = (TaskHandle_t)a->task;
    out->is_alive = a->alive;
    out->overall_peak_usage = a->peak;
    out->overall_current_usage = a->current;
    out->heap_stat = room->heaps_left != 0 ? room->heaps : NULL;
    for (size_t h = 0; h < CAPHEAP_TASK_STATS_HEAPS && room->heaps_left != 0; h++) {
        if (a->heaps[h].heap != NULL) {
            fill_heap(&a->heaps[h], capheap_task_stats_id(i), a->task, room);
            out->heap_count++;
        }
    }
}

static bool arrays_valid(size_t heaps, const void *heap_array, size_t allocs, const void *alloc_array) {
    return (heap_array != NULL || heaps == 0) && (alloc_array != NULL || allocs == 0);
}

esp_err_t heap_caps_get_all_task_stat(heap_all_tasks_stat_t *tasks_stat) {
    if (tasks_stat == NULL || (tasks_stat->stat_arr == NULL && tasks_stat->task_count != 0) ||
        !arrays_valid(tasks_stat->heap_count, tasks_stat->heap_stat_start, tasks_stat->alloc_count,
                      tasks_stat->alloc_stat_start)) {
        return ESP_ERR_INVALID_ARG;
    }
    room_t room = {tasks_stat->heap_stat_start, tasks_stat->heap_count, tasks_stat->alloc_stat_start,
                   tasks_stat->alloc_count};
    size_t written = 0;
    capheap_task_account_t a;
    for (size_t i = 0; i < CAPHEAP_TASK_STATS_TASKS && written < tasks_stat->task_count; i++) {
        if (capheap_task_stats_account(i, &a)) {
            fill_task(&a, i, &tasks_stat->stat_arr[written++], &room);
        }
    }
    tasks_stat->task_count = written;
    return ESP_OK;
}

esp_err_t heap_caps_get_single_task_stat(heap_single_task_stat_t *task_stat, TaskHandle_t task_handle) {
    if (task_stat == NULL || !arrays_valid(task_stat->heap_count, task_stat->heap_stat_start,
                                           task_stat->alloc_count, task_stat->alloc_stat_start)) {
        return ESP_ERR_INVALID_ARG;
    }
    capheap_task_account_t a;
    size_t i;
    if (!capheap_task_stats_find(task_handle, &a, &i)) {
        return ESP_ERR_NOT_FOUND;
    }
    room_t room = {task_stat->heap_stat_start, task_stat->heap_count, task_stat->alloc_stat_start,
                   task_stat->alloc_count};
    fill_task(&a, i, &task_stat->stat, &room);
    return ESP_OK;
}

/* ---- arrays on the heap ------------------------------------------------ */

/* Room for a few more than the accounts hold now: the arrays' own blocks,
 * and the heap the calling task may first use for them. */
#define ROOM_TASKS  1u
#define ROOM_HEAPS  1u
#define ROOM_BLOCKS 3u

typedef struct {
    size_t tasks, heaps, blocks;
} sizes_t;

static void add_sizes(const capheap_task_account_t *a, sizes_t *n) {
    n->tasks++;
    for (size_t i = 0; i < CAPHEAP_TASK_STATS_HEAPS; i++) {
        if (a->heaps[i].heap != NULL) {
            n->heaps++;
            n->blocks += a->heaps[i].count;
        }
    }
}

/* An array of n entries of size bytes, or NULL (n == 0 too). */
static void *array_of(size_t n, size_t size) { return n != 0 ? heap_caps_calloc(n, size, MALLOC_CAP_DEFAULT) : NULL; }

static void arrays_freed(heap_stat_t **heaps, heap_task_block_t **blocks) {
    heap_caps_free(*heaps);
    heap_caps_free(*blocks);
    *heaps = NULL;
    *blocks = NULL;
}

static bool arrays_made(heap_stat_t **heaps, size_t nheaps, heap_task_block_t **blocks, size_t nblocks) {
    *heaps = array_of(nheaps, sizeof **heaps);
    *blocks = array_of(nblocks, sizeof **blocks);
    if ((*heaps == NULL && nheaps != 0) || (*blocks == NULL && nblocks != 0)) {
        arrays_freed(heaps, blocks);
        return false;
    }
    return true;
}

esp_err_t heap_caps_alloc_single_task_stat_arrays(heap_single_task_stat_t *task_stat, TaskHandle_t task_handle) {
    if (task_stat == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    sizes_t n = {0, ROOM_HEAPS, ROOM_BLOCKS};
    capheap_task_account_t a;
    size_t i;
    if (capheap_task_stats_find(task_handle, &a, &i)) {
        add_sizes(&a, &n);
    }
    if (!arrays_made(&task_stat->heap_stat_start, n.heaps, &task_stat->alloc_stat_start, n.blocks)) {
        return ESP_FAIL;
    }
    task_stat->heap_count = n.heaps;
    task_stat->alloc_count = n.blocks;
    return ESP_OK;
}

void heap_caps_free_single_task_stat_arrays(heap_single_task_stat_t *task_stat) {
    if (task_stat != NULL) {
        arrays_freed(&task_stat->heap_stat_start, &task_stat->alloc_stat_start);
        task_stat->heap_count = task_stat->alloc_count = 0;
    }
}

esp_err_t heap_caps_alloc_all_task_stat_arrays(heap_all_tasks_stat_t *tasks_stat) {
    if (tasks_stat == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    sizes_t n = {ROOM_TASKS, ROOM_HEAPS, ROOM_BLOCKS};
    capheap_task_account_t a;
    for (size_t i = 0; i < CAPHEAP_TASK_STATS_TASKS; i++) {
        if (capheap_task_stats_account(i, &a)) {
            add_sizes(&a, &n);
        }
    }
    task_stat_t *tasks = array_of(n.tasks, sizeof *tasks);
    if (tasks == NULL ||
        !arrays_made(&tasks_stat->heap_stat_start, n.heaps, &tasks_stat->alloc_stat_start, n.blocks)) {
        heap_caps_free(tasks);
        return ESP_FAIL;
    }
    tasks_stat->stat_arr = tasks;
    tasks_stat->task_count = n.tasks;
    tasks_stat->heap_count = n.heaps;
    tasks_stat->alloc_count = n.blocks;
    return ESP_OK;
}

void heap_caps_free_all_task_stat_arrays(heap_all_tasks_stat_t *tasks_stat) {
    if (tasks_stat != NULL) {
        heap_caps_free(tasks_stat->stat_arr);
        tasks_stat->stat_arr = NULL;
        arrays_freed(&tasks_stat->heap_stat_start, &tasks_stat->alloc_stat_start);
        tasks_stat->task_count = tasks_stat->heap_count = tasks_stat->alloc_count = 0;
    }
}

#endif /* CAPHEAP_TASK_TRACKING */
