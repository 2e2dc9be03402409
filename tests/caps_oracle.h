/*
 * caps_oracle.h: the caps the matching rule sees for a request, and the
 * alignment the board's cache lines and SIMD ask of it, as the
 * property test (tests/test_heap_caps_property.c) and the fuzz target
 * (fuzz/fuzz_heap_caps.c) restate them for their oracles: written from
 * ESP-IDF's esp_heap_adjust_alignment_to_hw, not taken from the library,
 * which both check against it. A header for test programs.
 */
#ifndef CAPHEAP_CAPS_ORACLE_H
#define CAPHEAP_CAPS_ORACLE_H

#include <stddef.h>
#include <stdint.h>

#include "capheap.h"
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

/* The alignment beyond the grain that a request for caps gets: the board's
 * data cache line (external memory's with SPIRAM, internal memory's without)
 * for DMA, the DMA descriptor caps and CACHE_ALIGNED, at least 16 bytes for
 * SIMD; 0 when that is no more than the grain. */
static inline size_t oracle_hw_align(uint32_t caps, capheap_cache_lines_t lines, size_t grain) {
    const uint32_t aligning = MALLOC_CAP_DMA | MALLOC_CAP_DMA_DESC_AHB | MALLOC_CAP_DMA_DESC_AXI |
                              MALLOC_CAP_CACHE_ALIGNED | MALLOC_CAP_SIMD;
    if ((caps & aligning) == 0) {
        return 0;
    }
    size_t a = caps & MALLOC_CAP_SPIRAM ? lines.external_line : lines.internal_line;
    a = (caps & MALLOC_CAP_SIMD) && a < 16 ? 16 : a;
    return a > grain ? a : 0;
}

#endif /* CAPHEAP_CAPS_ORACLE_H */
