/*
 * esp_system_heap.c: esp_system.h's heap figures (see there), in an object of
 * their own so that a program defining them keeps its definitions.
 */
#include "esp_heap_caps.h"
#include "esp_system.h"

uint32_t esp_get_free_heap_size(void) { return (uint32_t)heap_caps_get_free_size(MALLOC_CAP_DEFAULT); }

uint32_t esp_get_free_internal_heap_size(void) {
    return (uint32_t)heap_caps_get_free_size(MALLOC_CAP_8BIT | MALLOC_CAP_DMA | MALLOC_CAP_INTERNAL);
}

uint32_t esp_get_minimum_free_heap_size(void) {
    return (uint32_t)heap_caps_get_minimum_free_size(MALLOC_CAP_DEFAULT);
}
