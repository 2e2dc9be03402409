/*
 * tx_dma.c: see tx_dma.h. Written as ESP32 firmware is: the engine reads
 * internal DMA-capable RAM in words; everything else is copied there first.
 */
#include "tx_dma.h"

#include <string.h>

#include "esp_heap_caps.h"
#include "esp_memory_utils.h"

const uint8_t *tx_dma_buffer(const uint8_t *data, size_t len, uint8_t **bounce) {
    *bounce = NULL;
    if (esp_ptr_dma_capable(data) && esp_ptr_word_aligned(data)) {
        return data;
    }
    *bounce = heap_caps_aligned_alloc(4, len, MALLOC_CAP_DMA | MALLOC_CAP_INTERNAL);
    if (*bounce != NULL) {
        memcpy(*bounce, data, len);
    }
    return *bounce;
}
