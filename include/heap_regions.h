/*
 * heap_regions.h: the seed era's tagged regions (ESP-IDF 2.x, 2016-2017),
 * served by capheap's registry.
 *
 * A tag is the index of a memory type of the current board (the default board
 * before any init): a region defined with tag t gets that type's caps. The caps
 * layer (pvPortMallocCaps) picks tags; users of the caps API do not.
 */
#ifndef CAPHEAP_HEAP_REGIONS_H
#define CAPHEAP_HEAP_REGIONS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* FreeRTOS's own definition wins when its headers come first. */
#if !defined(INC_FREERTOS_H) && !defined(CAPHEAP_HAVE_BASETYPE)
#define CAPHEAP_HAVE_BASETYPE
typedef int BaseType_t;
#endif

/** One region; an array of them ends with an entry whose xSizeInBytes is 0. */
typedef struct HeapRegionTagged {
    uint8_t *pucStartAddress;
    size_t xSizeInBytes;
    BaseType_t xTag;    /**< index of a memory type of the board */
    uint32_t xExecAddr; /**< nonzero: the region's lowest instruction-bus address */
} HeapRegionTagged_t;

/** Registers each region of the array as a heap of its tag's type. Regions
 *  that overlap a heap, are too small, have an unknown tag, an exec address
 *  off a 4-byte word or an instruction-bus window that would pass 2^32 are
 *  skipped (and logged). */
void vPortDefineHeapRegionsTagged(const HeapRegionTagged_t *pxHeapRegions);

/** Allocates from the heaps of memory type tag, in registration order; NULL
 *  for size 0, an unknown tag, or no room. */
void *pvPortMallocTagged(size_t xWantedSize, BaseType_t tag);

/** Frees memory of any heap (same as heap_caps_free). */
void vPortFreeTagged(void *pv);

/** Free bytes in the heaps of type tag. */
size_t xPortGetFreeHeapSizeTagged(BaseType_t tag);

/** Sum of the lowest free bytes ever of the heaps of type tag. */
size_t xPortGetMinimumEverFreeHeapSizeTagged(BaseType_t tag);

#ifdef __cplusplus
}
#endif

#endif /* CAPHEAP_HEAP_REGIONS_H */
