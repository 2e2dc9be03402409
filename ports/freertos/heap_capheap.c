/*
 * heap_capheap.c: FreeRTOS's heap API served by capheap, in place of the
 * kernel's heap_1.c ... heap_5.c (build exactly one of them). The kernel
 * allocates task stacks, TCBs, queues and timers with pvPortMalloc; with this
 * file they come from the capheap heaps, so one heap_caps_free() or free()
 * (ports/baremetal/malloc_family.c) releases memory from pvPortMalloc,
 * heap_caps_malloc or malloc alike, and the firmware has one heap, not two.
 *
 * What the kernel's objects get: memory with CAPHEAP_FREERTOS_CAPS, by
 * default MALLOC_CAP_INTERNAL | MALLOC_CAP_8BIT, as ESP-IDF's own FreeRTOS
 * heap asks (stacks and TCBs stay out of external RAM, which a cache or a
 * bus fault can take away), aligned to portBYTE_ALIGNMENT.
 *
 * Where the heaps come from: the board (capheap_init at start-up, before the
 * scheduler), or, as with heap_5.c, vPortDefineHeapRegions, which makes each
 * region a heap of CAPHEAP_FREERTOS_REGION_CAPS. Both may be used together.
 *
 * It differs from the kernel's heaps, on purpose (ports/freertos/README.md):
 * - free sizes are usable bytes (block headers excluded), as
 *   heap_caps_get_free_size reports them; the kernel's heaps count headers;
 * - vPortFree of a pointer that is no allocation is reported as corruption
 *   with its address (the port's hook), and the heaps are left unchanged;
 * - vPortGetHeapStats reads each heap under its own lock, one after the
 *   other, not under vTaskSuspendAll: every figure is exact for its heap, the
 *   sum is not one instant's when other tasks allocate meanwhile.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "FreeRTOS.h"
#include "capheap/port.h"
#include "esp_heap_caps.h"
#include "esp_heap_caps_init.h"

#ifndef CAPHEAP_FREERTOS_CAPS
#define CAPHEAP_FREERTOS_CAPS (MALLOC_CAP_INTERNAL | MALLOC_CAP_8BIT)
#endif

/* The caps of a region vPortDefineHeapRegions adds, by priority: plain
 * internal RAM that malloc may use (DMA is not claimed: not every RAM of
 * every chip reaches the DMA engines). */
#ifndef CAPHEAP_FREERTOS_REGION_CAPS
#define CAPHEAP_FREERTOS_REGION_CAPS {MALLOC_CAP_8BIT | MALLOC_CAP_DEFAULT, MALLOC_CAP_INTERNAL | MALLOC_CAP_32BIT, 0}
#endif

/* configUSE_MALLOC_FAILED_HOOK, configASSERT, traceMALLOC and traceFREE
 * have their defaults in FreeRTOS.h when FreeRTOSConfig.h leaves them out. */
#if configUSE_MALLOC_FAILED_HOOK == 1
extern void vApplicationMallocFailedHook(void);
#endif

/* Calls of pvPortMalloc that returned memory, and of vPortFree with a
 * pointer, for vPortGetHeapStats. */
static size_t successful_allocations, successful_frees;

/* capheap's grain is the header size by default (4 bytes on 32-bit), the
 * kernel's portBYTE_ALIGNMENT often 8: then every request asks for it. A
 * build with CAPHEAP_GRAIN=8 makes it plain malloc (a constant test). */
static void *allocate(size_t size) {
    if (portBYTE_ALIGNMENT > MULTI_HEAP_ALIGN) {
        return heap_caps_aligned_alloc(portBYTE_ALIGNMENT, size, CAPHEAP_FREERTOS_CAPS);
    }
    return heap_caps_malloc(size, CAPHEAP_FREERTOS_CAPS);
}

static void malloc_failed(void) {
#if configUSE_MALLOC_FAILED_HOOK == 1
    vApplicationMallocFailedHook();
#endif
}

/* Size 0 gives NULL, as in the kernel's heaps. Every NULL (size 0 too, as
 * in heap_4.c) calls the application's hook when
 * configUSE_MALLOC_FAILED_HOOK is 1. */
void *pvPortMalloc(size_t xWantedSize) {
    void *p = xWantedSize != 0 ? allocate(xWantedSize) : NULL;
    traceMALLOC(p, xWantedSize);
    if (p == NULL) {
        malloc_failed();
        return NULL;
    }
    capheap_port_count_one(&successful_allocations);
    return p;
}

/* Zeroed memory for xNum objects of xSize bytes. A product that overflows
 * gives NULL without asking any heap (nor the hook, as in heap_4.c). */
void *pvPortCalloc(size_t xNum, size_t xSize) {
    size_t total;
    if (__builtin_mul_overflow(xNum, xSize, &total)) {
        return NULL;
    }
    void *p = pvPortMalloc(total);
    if (p != NULL) {
        memset(p, 0, total);
    }
    return p;
}

/* Whether the application's traceFREE does anything: its expansion, as
 * text, is empty in every build that does not trace (FreeRTOS.h's default).
 * (A traceFREE whose expansion has a comma outside parentheses does not
 * compile here: wrap it in do { } while (0) or a call.) */
#define CAPHEAP_TEXT(x) #x
#define CAPHEAP_EXPANDED_TEXT(x) CAPHEAP_TEXT(x)
#define FREES_TRACED (sizeof CAPHEAP_EXPANDED_TEXT(traceFREE(pv, 0)) > 1)

/* A pointer that is no live allocation is reported once, with its address,
 * and nothing is freed. When frees are traced, the size traceFREE is told
 * is looked up first (that lookup reports a bad pointer, and the free is
 * then left out); otherwise heap_caps_free alone checks it. Every call with
 * a pointer counts as a free in vPortGetHeapStats: telling a bad one would
 * cost every call that lookup. */
void vPortFree(void *pv) {
    if (pv == NULL) {
        return;
    }
    capheap_port_count_one(&successful_frees);
    if (FREES_TRACED) {
        size_t size = heap_caps_get_allocated_size(pv);
        if (size == 0) {
            return;
        }
        traceFREE(pv, size);
    }
    heap_caps_free(pv);
}

size_t xPortGetFreeHeapSize(void) { return heap_caps_get_free_size(CAPHEAP_FREERTOS_CAPS); }

size_t xPortGetMinimumEverFreeHeapSize(void) { return heap_caps_get_minimum_free_size(CAPHEAP_FREERTOS_CAPS); }

/* heap_1.c and heap_2.c's start-up call: capheap's heaps need none. */
void vPortInitialiseBlocks(void) {}

/* heap_5.c's: each region (up to the one of size 0) becomes a heap. A region
 * capheap refuses (it overlaps a heap, or is too small for one) trips
 * configASSERT and is left out; the others are added. */
void vPortDefineHeapRegions(const HeapRegion_t *const pxHeapRegions) {
    static const uint32_t caps[3] = CAPHEAP_FREERTOS_REGION_CAPS;
    for (const HeapRegion_t *r = pxHeapRegions; r->xSizeInBytes != 0; r++) {
        /* Unsigned: a region that wraps past the top of the address space
         * then ends below its start, which capheap refuses. */
        uintptr_t start = (uintptr_t)r->pucStartAddress;
        esp_err_t err = heap_caps_add_region_with_caps(caps, (intptr_t)start, (intptr_t)(start + r->xSizeInBytes));
        configASSERT(err == ESP_OK);
        (void)err;
    }
}

/* ---- vPortGetHeapStats --------------------------------------------------- */

typedef struct {
    size_t smallest;
    bool any;
} smallest_t;

static bool note_free_block(walker_heap_into_t heap, walker_block_info_t block, void *user) {
    smallest_t *s = user;
    (void)heap;
    if (!block.used && (!s->any || block.size < s->smallest)) {
        s->smallest = block.size;
        s->any = true;
    }
    return true;
}

void vPortGetHeapStats(HeapStats_t *pxHeapStats) {
    multi_heap_info_t info;
    heap_caps_get_info(&info, CAPHEAP_FREERTOS_CAPS);
    smallest_t s = {0, false};
    heap_caps_walk(CAPHEAP_FREERTOS_CAPS, note_free_block, &s);
    pxHeapStats->xAvailableHeapSpaceInBytes = info.total_free_bytes;
    pxHeapStats->xSizeOfLargestFreeBlockInBytes = info.largest_free_block;
    pxHeapStats->xSizeOfSmallestFreeBlockInBytes = s.smallest;
    pxHeapStats->xNumberOfFreeBlocks = info.free_blocks;
    pxHeapStats->xMinimumEverFreeBytesRemaining = info.minimum_free_bytes;
    pxHeapStats->xNumberOfSuccessfulAllocations = __atomic_load_n(&successful_allocations, __ATOMIC_RELAXED);
    pxHeapStats->xNumberOfSuccessfulFrees = __atomic_load_n(&successful_frees, __ATOMIC_RELAXED);
}
