/*
 * portable.h (stub for CI): the heap API of FreeRTOS's portable.h (kernel
 * V10.2 and later), which a heap_N.c, or ports/freertos/heap_capheap.c,
 * defines. See FreeRTOS.h here.
 */
#ifndef CAPHEAP_FREERTOS_PORTABLE_STUB_H
#define CAPHEAP_FREERTOS_PORTABLE_STUB_H

#include <stddef.h>
#include <stdint.h>

/* heap_5.c's regions: an array ended by an entry of size 0. */
typedef struct HeapRegion {
    uint8_t *pucStartAddress;
    size_t xSizeInBytes;
} HeapRegion_t;

typedef struct xHeapStats {
    size_t xAvailableHeapSpaceInBytes;
    size_t xSizeOfLargestFreeBlockInBytes;
    size_t xSizeOfSmallestFreeBlockInBytes;
    size_t xNumberOfFreeBlocks;
    size_t xMinimumEverFreeBytesRemaining;
    size_t xNumberOfSuccessfulAllocations;
    size_t xNumberOfSuccessfulFrees;
} HeapStats_t;

void vPortDefineHeapRegions(const HeapRegion_t *const pxHeapRegions);
void vPortGetHeapStats(HeapStats_t *pxHeapStats);
void *pvPortMalloc(size_t xWantedSize);
void *pvPortCalloc(size_t xNum, size_t xSize);
void vPortFree(void *pv);
void vPortInitialiseBlocks(void);
size_t xPortGetFreeHeapSize(void);
size_t xPortGetMinimumEverFreeHeapSize(void);

#endif /* CAPHEAP_FREERTOS_PORTABLE_STUB_H */
