/*
 * esp_heap_task_info.h: which task holds how much of the heaps.
 *
 * Source-compatible with ESP-IDF's esp_heap_task_info.h (its
 * heap_caps_get_per_task_info; not the newer heap_caps_get_all_task_stat
 * family). As in ESP-IDF, everything here exists only in a build with task
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

#include <stddef.h>
#include <stdint.h>

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
 * registered heap. Each heap is walked under its lock, one after the other.
 * Returns the number of blocks written to params->blocks; 0 when params is
 * NULL.
 */
size_t heap_caps_get_per_task_info(heap_task_info_params_t *params);

#ifdef __cplusplus
}
#endif

#endif /* CAPHEAP_TASK_TRACKING */

#endif /* CAPHEAP_ESP_HEAP_TASK_INFO_H */
