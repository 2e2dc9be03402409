/*
 * esp_heap_task_info.h: which task holds how much of the heaps.
 *
 * Source-compatible with ESP-IDF's esp_heap_task_info.h: the block walk
 * heap_caps_get_per_task_info, and the newer heap_caps_get_all_task_stat
 * family, what each task holds of each heap now and at its peak (below). As
 * in ESP-IDF, everything here exists only in a build with task
 * tracking: capheap built with CAPHEAP_TASK_TRACKING (CMake option; a build
 * without CMake defines it to 1 in its config header), which also defines
 * CONFIG_HEAP_TASK_TRACKING here for code that tests it. Task tracking needs
 * heap poisoning (light or comprehensive): the task is kept in each
 * allocation's poisoning head, one word more per allocation.
 *
 * The task of a block is the one that allocated it, or reallocated it last:
 * what the port's capheap_port_current_task returned then (capheap/port.h).
 * That is the FreeRTOS task handle with ports/freertos (NULL before the
 * scheduler runs), one value per thread with ports/posix, and NULL on bare
 * metal unless the firmware defines the function. An allocation made in an
 * interrupt handler counts for the task it interrupted.
 */
#ifndef CAPHEAP_ESP_HEAP_TASK_INFO_H
#define CAPHEAP_ESP_HEAP_TASK_INFO_H

#include "capheap/config.h"

#if defined(CAPHEAP_TASK_TRACKING) && CAPHEAP_TASK_TRACKING

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "esp_err.h"

#ifndef CONFIG_HEAP_TASK_TRACKING
#define CONFIG_HEAP_TASK_TRACKING 1
#endif

/* TaskHandle_t: FreeRTOS's own where ESP-IDF's include layout has it, else
 * the type FreeRTOS (V10 and later) gives it, which a later include of the
 * kernel's task.h repeats identically. */
#if defined(__has_include)
#if __has_include("freertos/FreeRTOS.h") && __has_include("freertos/task.h")
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#define CAPHEAP_TASK_HANDLE_FROM_FREERTOS 1
#endif
#endif
#ifndef CAPHEAP_TASK_HANDLE_FROM_FREERTOS
typedef struct tskTaskControlBlock *TaskHandle_t;
#endif

#ifdef __cplusplus
extern "C" {
#endif

/** How many sets of caps the totals of one task are split into. */
#define NUM_HEAP_TASK_CAPS 4

/** One task's allocations, split by the caps of the heaps they are in. */
typedef struct {
    TaskHandle_t task;                /**< the task these totals are of */
    size_t size[NUM_HEAP_TASK_CAPS];  /**< bytes of its blocks (as heap_task_block_t's size) in heaps of caps set i */
    size_t count[NUM_HEAP_TASK_CAPS]; /**< blocks allocated in heaps of caps set i */
} heap_task_totals_t;

/** One allocated block: the address the allocation returned and its size as
 *  heap_caps_get_allocated_size gives it (the size asked, rounded up to whole
 *  words for a 32BIT or EXEC request, as ESP-IDF does). An EXEC block served through an instruction-bus window (the
 *  ESP32's D/IRAM) is seen, as by heap_caps_walk, as the data-bus block
 *  under it: its address, and its size, which includes the few bytes the
 *  window's placement takes (a word and the alignment). */
typedef struct {
    TaskHandle_t task; /**< the task that allocated it */
    void *address;     /**< its address */
    uint32_t size;     /**< its size */
} heap_task_block_t;

/**
 * What heap_caps_get_per_task_info collects, and where.
 *
 * caps and mask: a heap belongs to the first set i for which its caps
 * (caps[0] | caps[1] | caps[2] of its memory type) ANDed with mask[i] equal
 * caps[i]; its blocks count in size[i] and count[i]. A heap of no set is left
 * out, of the totals and of the blocks. mask[0] = caps[0] = 0 puts every heap
 * in set 0.
 *
 * totals, num_totals, max_totals: the totals of each task, one entry per task,
 * at most max_totals. The first *num_totals entries are kept in their order
 * (a caller may pass the array of its last call, so that tasks keep their
 * places) and their figures are zeroed first; a task not among them gets the
 * next entry while there is room, else goes uncounted. *num_totals is the
 * number of entries on return. totals NULL (or num_totals NULL): no totals.
 *
 * tasks, num_tasks: the tasks whose blocks go into blocks; tasks NULL: every
 * task's. blocks, max_blocks: room for that many blocks; NULL or 0: none.
 */
typedef struct {
    int32_t caps[NUM_HEAP_TASK_CAPS]; /**< caps each set of heaps must have */
    int32_t mask[NUM_HEAP_TASK_CAPS]; /**< which caps bits are compared */
    TaskHandle_t *tasks;              /**< tasks whose blocks are listed; NULL for all */
    size_t num_tasks;                 /**< length of tasks */
    heap_task_totals_t *totals;       /**< per-task totals; NULL for none */
    size_t *num_totals;               /**< entries of totals in use, in and out */
    size_t max_totals;                /**< capacity of totals */
    heap_task_block_t *blocks;        /**< blocks listed; NULL for none */
    size_t max_blocks;                /**< capacity of blocks */
} heap_task_info_params_t;

/**
 * Collects per-task totals and lists blocks, as params asks, over every
 * registered heap. Each heap is walked under its lock, one after the other:
 * while other tasks allocate, a block freed in a heap already walked and
 * made again in one not yet walked is counted in both (no snapshot of all
 * heaps at once).
 * Returns the number of blocks written to params->blocks; 0 when params is
 * NULL.
 */
size_t heap_caps_get_per_task_info(heap_task_info_params_t *params);

/* ---- What each task holds of each heap, now and at its peak -------------
 *
 * Counted as allocations are made and freed (src/task_stats.c), so that a
 * task's peak is known: in each heap, and in all heaps together. A block
 * counts for the task that allocated (or reallocated) it, whichever task
 * frees it, in bytes as heap_task_block_t's size. The accounts are a fixed
 * table: CAPHEAP_TASK_STATS_TASKS tasks (16) of CAPHEAP_TASK_STATS_HEAPS
 * heaps each (8), no allocation; a block for which there is no room is in no
 * account (heap_caps_print_all_task_stat_overview says how many there are).
 * A deleted task's account stays, not alive (as ESP-IDF's
 * CONFIG_HEAP_TRACK_DELETED_TASKS), until it holds nothing and the room is
 * needed: the posix port sees a thread end; on FreeRTOS, call
 * capheap_task_stats_task_deleted from the kernel's traceTASK_DELETE.
 *
 * The arrays are the caller's: heap_stat_t entries and heap_task_block_t
 * entries are handed out in order, each task's heap_stat pointing into the
 * first array and each heap's alloc_stat into the second; what does not fit
 * is left out (counts are cut to what was written). alloc_stat lists a
 * task's blocks in one heap, found by a walk of that heap under its lock.
 * The print functions write to their stream through the port
 * (capheap_port_stream_write): on a PC (the posix port) to the stream, or
 * to the port's log when it is NULL; on the ports without stdio (bare
 * metal, FreeRTOS) to the port's log, whatever the stream.
 */

/** Bytes of a task's name kept, its NUL included. */
#ifdef configMAX_TASK_NAME_LEN
#define CAPHEAP_TASK_NAME_LEN configMAX_TASK_NAME_LEN
#else
#define CAPHEAP_TASK_NAME_LEN 16
#endif

/** A task's use of one heap. */
typedef struct {
    const char *name;              /**< the heap's memory type name */
    uint32_t caps;                 /**< the OR of its memory type's caps */
    size_t size;                   /**< the heap's size, as heap_caps_get_total_size counts it */
    size_t current_usage;          /**< bytes the task holds there now */
    size_t peak_usage;             /**< the most it held there at once */
    size_t alloc_count;            /**< its blocks there now; with alloc_stat, the entries written (room may cut them) */
    heap_task_block_t *alloc_stat; /**< its blocks there (in the caller's array), or NULL */
} heap_stat_t;

/** A task, its use of all heaps together and of each. */
typedef struct {
    char name[CAPHEAP_TASK_NAME_LEN]; /**< as the port named it at its first allocation */
    TaskHandle_t handle;              /**< the task */
    bool is_alive;                    /**< false once the task was deleted */
    size_t overall_peak_usage;        /**< the most it held at once, every heap together */
    size_t overall_current_usage;     /**< what it holds now, every heap together */
    size_t heap_count;                /**< heaps it has used; entries of heap_stat written */
    heap_stat_t *heap_stat;           /**< its heaps (in the caller's array), or NULL */
} task_stat_t;

/** One task's statistics, into the caller's arrays. */
typedef struct {
    task_stat_t stat;                    /**< out: the task */
    size_t heap_count;                   /**< in: entries of heap_stat_start */
    heap_stat_t *heap_stat_start;        /**< in: room for the task's heaps */
    size_t alloc_count;                  /**< in: entries of alloc_stat_start (0: no blocks) */
    heap_task_block_t *alloc_stat_start; /**< in: room for its blocks */
} heap_single_task_stat_t;

/** Every task's statistics, into the caller's arrays. */
typedef struct {
    size_t task_count;                   /**< in: entries of stat_arr; out: tasks written */
    task_stat_t *stat_arr;               /**< in: room for the tasks */
    size_t heap_count;                   /**< in: entries of heap_stat_start */
    heap_stat_t *heap_stat_start;        /**< in: room for every task's heaps */
    size_t alloc_count;                  /**< in: entries of alloc_stat_start (0: no blocks) */
    heap_task_block_t *alloc_stat_start; /**< in: room for the blocks */
} heap_all_tasks_stat_t;

/** Every task with an account, alive or not, in the table's order.
 *  ESP_ERR_INVALID_ARG for NULL, or an array NULL with a count not 0. */
esp_err_t heap_caps_get_all_task_stat(heap_all_tasks_stat_t *tasks_stat);

/** One task (NULL: the calling one). ESP_ERR_INVALID_ARG as above;
 *  ESP_ERR_NOT_FOUND when the task has no account. */
esp_err_t heap_caps_get_single_task_stat(heap_single_task_stat_t *task_stat, TaskHandle_t task_handle);

/** Each task's line (as the overview), its heaps and its blocks in each, to stream. */
void heap_caps_print_all_task_stat(FILE *stream);

/** One line per task: its name, whether it lives, what it holds now and at
 *  its peak, how many heaps; then the blocks in no account, if any. */
void heap_caps_print_all_task_stat_overview(FILE *stream);

/** heap_caps_print_all_task_stat for one task (NULL: the calling one). */
void heap_caps_print_single_task_stat(FILE *stream, TaskHandle_t task_handle);

/** heap_caps_print_all_task_stat_overview's line for one task. */
void heap_caps_print_single_task_stat_overview(FILE *stream, TaskHandle_t task_handle);

/** Allocates (heap_caps_calloc, MALLOC_CAP_DEFAULT) arrays large enough for
 *  the task's heaps and blocks now and fills their counts in task_stat.
 *  ESP_FAIL when they cannot be had; ESP_ERR_INVALID_ARG for NULL. */
esp_err_t heap_caps_alloc_single_task_stat_arrays(heap_single_task_stat_t *task_stat, TaskHandle_t task_handle);

/** Frees what heap_caps_alloc_single_task_stat_arrays allocated. */
void heap_caps_free_single_task_stat_arrays(heap_single_task_stat_t *task_stat);

/** The same for every task (tasks, heaps and blocks). */
esp_err_t heap_caps_alloc_all_task_stat_arrays(heap_all_tasks_stat_t *tasks_stat);

/** Frees what heap_caps_alloc_all_task_stat_arrays allocated. */
void heap_caps_free_all_task_stat_arrays(heap_all_tasks_stat_t *tasks_stat);

/** capheap's: the task is deleted, its account no longer alive (the posix
 *  port calls it when a thread that allocated ends; a FreeRTOS firmware from
 *  traceTASK_DELETE). */
void capheap_task_stats_task_deleted(TaskHandle_t task);

#ifdef __cplusplus
}
#endif

#endif /* CAPHEAP_TASK_TRACKING */

#endif /* CAPHEAP_ESP_HEAP_TASK_INFO_H */
