/*
 * esp_system.h: the heap figures of ESP-IDF's esp_system.h, from capheap's
 * heaps, so that firmware which logs or checks them runs on a PC with real
 * values instead of a stub's constants. Only these three: the rest of
 * ESP-IDF's header (restart, reset reason, IDF version) is not capheap's.
 *
 * A project with an esp_system.h of its own (a mock of the others) keeps it
 * ahead of this one on its include path; when it declares these three and
 * leaves them undefined, capheap's definitions (src/esp_system_heap.c, an
 * object of their own in the static library) are linked; when it defines
 * all three, its own are.
 */
#ifndef CAPHEAP_ESP_SYSTEM_H
#define CAPHEAP_ESP_SYSTEM_H

#include <stdint.h>

#include "esp_err.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Free bytes of the heaps malloc() uses: heap_caps_get_free_size(MALLOC_CAP_DEFAULT). */
uint32_t esp_get_free_heap_size(void);

/** Free bytes of internal memory that takes bytes and DMA:
 *  heap_caps_get_free_size(MALLOC_CAP_8BIT | MALLOC_CAP_DMA | MALLOC_CAP_INTERNAL). */
uint32_t esp_get_free_internal_heap_size(void);

/** heap_caps_get_minimum_free_size(MALLOC_CAP_DEFAULT): the sum, over those
 *  heaps, of the fewest free bytes each has had (as in ESP-IDF, not the
 *  lowest the sum has been). */
uint32_t esp_get_minimum_free_heap_size(void);

#ifdef __cplusplus
}
#endif

#endif /* CAPHEAP_ESP_SYSTEM_H */
