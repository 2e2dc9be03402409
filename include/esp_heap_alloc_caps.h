/*
 * esp_heap_alloc_caps.h: the seed era's capabilities allocator (ESP-IDF 2.x),
 * served by heap_caps over the same registry. The MALLOC_CAP_* bits and the
 * matching rule are those of esp_heap_caps.h.
 */
#ifndef CAPHEAP_ESP_HEAP_ALLOC_CAPS_H
#define CAPHEAP_ESP_HEAP_ALLOC_CAPS_H

#include <stddef.h>
#include <stdint.h>

#include "esp_heap_caps.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Same as heap_caps_init(): the default board, start-up stacks left out. */
void heap_alloc_caps_init(void);

/** Same as heap_caps_enable_nonos_stack_heaps(). */
void heap_alloc_enable_nonos_stack_tag(void);

/** heap_caps_malloc(size, caps), without the failed-allocation hook (which
 *  belongs to the heap_caps API). */
void *pvPortMallocCaps(size_t size, uint32_t caps);

/** heap_caps_get_free_size(caps). */
size_t xPortGetFreeHeapSizeCaps(uint32_t caps);

/** heap_caps_get_minimum_free_size(caps). */
size_t xPortGetMinimumEverFreeHeapSizeCaps(uint32_t caps);

#ifdef __cplusplus
}
#endif

#endif /* CAPHEAP_ESP_HEAP_ALLOC_CAPS_H */
