/*
 * tx_dma.h: the other half of the example driver (rx_ring.h): handing a
 * caller's bytes to a DMA engine that reads them. Drivers such as ESP-IDF's
 * SPI master take any buffer and copy it into DMA-capable memory when the
 * engine cannot reach it (esp_ptr_dma_capable); test_tx_dma.c tests that
 * choice on a PC against the chip's memory map.
 */
#ifndef TX_DMA_H
#define TX_DMA_H

#include <stddef.h>
#include <stdint.h>

/** The buffer to give the DMA engine for len bytes of data: data itself when
 *  it is word-aligned in DMA-capable memory, else a copy in such memory, which
 *  *bounce is also set to (the caller frees it with heap_caps_free once the
 *  transfer is done; NULL when data was used as it is). NULL when a copy was
 *  needed and no DMA-capable memory was left. */
const uint8_t *tx_dma_buffer(const uint8_t *data, size_t len, uint8_t **bounce);

#endif /* TX_DMA_H */
