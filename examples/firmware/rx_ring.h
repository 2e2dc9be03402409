/*
 * rx_ring.h: a piece of "firmware" for the example of unit-testing firmware on
 * a PC against the real heap rules (test_rx_ring.c): a ring of receive buffers
 * that a DMA engine fills, as a UART or SPI driver keeps.
 */
#ifndef RX_RING_H
#define RX_RING_H

#include <stddef.h>
#include <stdint.h>

#include "esp_err.h"

typedef struct rx_ring rx_ring_t;

/** A ring of count buffers of size bytes, each one the DMA engine can reach;
 *  the ring's own bookkeeping in ordinary memory. ESP_ERR_INVALID_ARG for a
 *  count or size of 0, ESP_ERR_NO_MEM when memory runs out (nothing is kept). */
esp_err_t rx_ring_create(size_t count, size_t size, rx_ring_t **out);

/** The next buffer to hand to the DMA engine (round robin). */
uint8_t *rx_ring_next(rx_ring_t *ring);

/** The bookkeeping array of buffer addresses (for the tests). */
uint8_t *const *rx_ring_slots(const rx_ring_t *ring);

void rx_ring_destroy(rx_ring_t *ring);

#endif /* RX_RING_H */
