/*
 * esp_memory_utils.h: what kind of memory an address is, from the current
 * board's memory map.
 *
 * Source-compatible with the part of ESP-IDF's esp_memory_utils.h that asks
 * what memory can do: whether a DMA engine reaches it, whether code runs from
 * it, whether it takes byte accesses, whether it is inside the chip or
 * external. ESP-IDF answers from the chip's fixed address ranges; capheap
 * answers from the board capheap_init_board built (capheap.h), at the chip's
 * own addresses, so firmware code that picks a bounce buffer with
 * esp_ptr_dma_capable runs on a PC against the same rules:
 *
 *   esp_ptr_dma_capable      memory whose type has MALLOC_CAP_DMA and not
 *                            MALLOC_CAP_SPIRAM, through its data bus (as
 *                            ESP-IDF's: internal DMA-capable RAM)
 *   esp_ptr_dma_ext_capable  memory whose type has MALLOC_CAP_SPIRAM, through
 *                            its data bus, on a board whose chip's DMA reaches
 *                            external RAM (capheap_extmem_policy_t.dma_capable:
 *                            esp32s2/s3/c5/c61/p4-psram, as ESP-IDF's
 *                            SOC_PSRAM_DMA_CAPABLE; not esp32-psram)
 *   esp_ptr_executable       memory whose type has MALLOC_CAP_EXEC, through
 *                            its instruction-bus window when it has one (the
 *                            ESP32's D/IRAM: not at its data address)
 *   esp_ptr_byte_accessible  memory whose type has MALLOC_CAP_8BIT, not
 *                            through an instruction-bus window (which takes
 *                            words only)
 *   esp_ptr_internal         memory whose type has MALLOC_CAP_INTERNAL,
 *                            through either bus
 *   esp_ptr_external_ram     memory whose type has MALLOC_CAP_SPIRAM
 *   esp_ptr_word_aligned     a multiple of 4
 *
 * Memory the board does not describe is none of these: on a PC, that is the
 * program's own stack, statics and malloc, which on the chip would be
 * internal DRAM. Code under test that must see a buffer as DMA-capable gets
 * it from heap_caps_malloc(size, MALLOC_CAP_DMA). Before any board is built,
 * every answer is false (but word alignment).
 *
 * Not here: ESP-IDF's range tests of named areas (esp_ptr_in_iram, esp_ptr_in_dram,
 * esp_ptr_in_diram_*, esp_ptr_in_rtc_*, esp_ptr_in_drom, esp_ptr_in_rom),
 * their D/IRAM address conversions and the stack checks: capheap's boards
 * describe the RAM heaps are made of, not flash, ROM or every named range.
 */
#ifndef CAPHEAP_ESP_MEMORY_UTILS_H
#define CAPHEAP_ESP_MEMORY_UTILS_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

bool esp_ptr_dma_capable(const void *p);
bool esp_ptr_dma_ext_capable(const void *p);
bool esp_ptr_executable(const void *p);
bool esp_ptr_byte_accessible(const void *p);
bool esp_ptr_internal(const void *p);
bool esp_ptr_external_ram(const void *p);

static inline bool esp_ptr_word_aligned(const void *p) { return (uintptr_t)p % 4 == 0; }

#ifdef __cplusplus
}
#endif

#endif /* CAPHEAP_ESP_MEMORY_UTILS_H */
