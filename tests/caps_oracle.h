/*
 * caps_oracle.h: the caps the matching rule sees for a request, as the
 * property test (tests/test_heap_caps_property.c) and the fuzz target
 * (fuzz/fuzz_heap_caps.c) restate them for their oracles: written from
 * ESP-IDF's esp_heap_adjust_alignment_to_hw, not taken from the library,
 * which both check against it. A header for test programs.
 */
#ifndef CAPHEAP_CAPS_ORACLE_H
#define CAPHEAP_CAPS_ORACLE_H

#include <stdint.h>

#include "esp_heap_caps.h"

/* A request with a cap that asks for alignment: CACHE_ALIGNED asks for
 * nothing else, the DMA descriptor caps ask for DMA, and SPIRAM drops DMA. */
static inline uint32_t oracle_rule_caps(uint32_t caps) {
    const uint32_t descriptors = MALLOC_CAP_DMA_DESC_AHB | MALLOC_CAP_DMA_DESC_AXI;
    if ((caps & (MALLOC_CAP_DMA | descriptors | MALLOC_CAP_CACHE_ALIGNED | MALLOC_CAP_SIMD)) == 0) {
        return caps;
    }
    caps = caps & descriptors ? (caps & ~descriptors) | MALLOC_CAP_DMA : caps;
    caps = caps & MALLOC_CAP_SPIRAM ? caps & ~MALLOC_CAP_DMA : caps;
    return caps & ~MALLOC_CAP_CACHE_ALIGNED;
}

#endif /* CAPHEAP_CAPS_ORACLE_H */
