/*
 * heap_caps_hw.c: what the hardware asks of a request beyond its caps, worked
 * out before the matching rule as ESP-IDF's esp_heap_adjust_alignment_to_hw
 * does (heap_align_hw.c), for requests with MALLOC_CAP_DMA, _DMA_DESC_AHB,
 * _DMA_DESC_AXI, _CACHE_ALIGNED or _SIMD:
 *  - the block is aligned to the board's data cache line (external memory's
 *    when the caps hold SPIRAM, internal memory's otherwise), and for SIMD
 *    to at least 16 bytes (what SIMD instructions want on the chips that
 *    have them); the size is rounded up to the alignment (heap_caps.c);
 *  - CACHE_ALIGNED is no memory's cap: it asks for the alignment only, and
 *    leaves the caps;
 *  - DMA_DESC_AHB and DMA_DESC_AXI ask for DMA-capable memory, the only kind
 *    of DMA memory heaps know;
 *  - with SPIRAM, DMA is dropped: no heap is both, and whether the chip's
 *    DMA reaches its external RAM is the caller's to know (ESP-IDF's words;
 *    esp_ptr_dma_ext_capable tells it from the board);
 *  - SIMD stays: only memory whose type has that cap serves it.
 * ESP-IDF also aligns DMA requests for flash encryption on some chips; that
 * is not modelled. The lines come from the board (capheap_board_t.cache), and
 * are 0 without one.
 */
#include "heap_caps_internal.h"

#define SIMD_ALIGN 16u
#define DMA_DESCRIPTOR_CAPS (MALLOC_CAP_DMA_DESC_AHB | MALLOC_CAP_DMA_DESC_AXI)
#define ALIGNING_CAPS (MALLOC_CAP_DMA | DMA_DESCRIPTOR_CAPS | MALLOC_CAP_CACHE_ALIGNED | MALLOC_CAP_SIMD)

/* The board's lines: written when heaps are built or removed (port critical
 * section), before any list that reads them is made. */
static capheap_cache_lines_t lines;

void capheap_caps_set_cache_lines(capheap_cache_lines_t board_lines) { lines = board_lines; }

uint32_t capheap_caps_for_hw(uint32_t caps, size_t *align) {
    *align = 0;
    if ((caps & ALIGNING_CAPS) == 0) {
        return caps;
    }
    size_t a = (caps & MALLOC_CAP_SPIRAM) != 0 ? lines.external_line : lines.internal_line;
    if ((caps & MALLOC_CAP_SIMD) && a < SIMD_ALIGN) {
        a = SIMD_ALIGN;
    }
    if (caps & DMA_DESCRIPTOR_CAPS) {
        caps = (caps & ~DMA_DESCRIPTOR_CAPS) | MALLOC_CAP_DMA;
    }
    if (caps & MALLOC_CAP_SPIRAM) {
        caps &= ~MALLOC_CAP_DMA;
    }
    *align = a > MULTI_HEAP_ALIGN ? a : 0; /* every block is on the grain already */
    return caps & ~MALLOC_CAP_CACHE_ALIGNED;
}
