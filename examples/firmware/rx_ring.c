/*
 * rx_ring.c: see rx_ring.h. Written as firmware for an ESP32 is: heap_caps for
 * what must be DMA-capable, plain DEFAULT memory for the rest, every failure
 * path giving back what it took.
 */
#include "rx_ring.h"

#include "esp_heap_caps.h"

struct rx_ring {
    uint8_t **slot; /* count buffer addresses: bookkeeping, any memory */
    size_t count;
    size_t next;
};

/* DMA descriptors on the ESP32 want word-aligned buffers in internal RAM. */
#define RX_BUFFER_CAPS (MALLOC_CAP_DMA | MALLOC_CAP_INTERNAL)

void rx_ring_destroy(rx_ring_t *ring) {
    if (ring == NULL) {
        return;
    }
    for (size_t i = 0; ring->slot != NULL && i < ring->count; i++) {
        heap_caps_free(ring->slot[i]);
    }
    heap_caps_free(ring->slot);
    heap_caps_free(ring);
}

esp_err_t rx_ring_create(size_t count, size_t size, rx_ring_t **out) {
    *out = NULL;
    if (count == 0 || size == 0) {
        return ESP_ERR_INVALID_ARG;
    }
    rx_ring_t *ring = heap_caps_calloc(1, sizeof *ring, MALLOC_CAP_DEFAULT);
    if (ring == NULL) {
        return ESP_ERR_NO_MEM;
    }
    ring->count = count;
    ring->slot = heap_caps_calloc(count, sizeof ring->slot[0], MALLOC_CAP_DEFAULT);
    if (ring->slot == NULL) {
        rx_ring_destroy(ring);
        return ESP_ERR_NO_MEM;
    }
    for (size_t i = 0; i < count; i++) {
        ring->slot[i] = heap_caps_aligned_alloc(4, size, RX_BUFFER_CAPS);
        if (ring->slot[i] == NULL) {
            rx_ring_destroy(ring); /* the slots not reached yet are NULL (calloc) */
            return ESP_ERR_NO_MEM;
        }
    }
    *out = ring;
    return ESP_OK;
}

uint8_t *rx_ring_next(rx_ring_t *ring) {
    uint8_t *buffer = ring->slot[ring->next];
    ring->next = (ring->next + 1) % ring->count;
    return buffer;
}

uint8_t *const *rx_ring_slots(const rx_ring_t *ring) { return ring->slot; }
