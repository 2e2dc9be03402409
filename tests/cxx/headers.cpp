// headers.cpp: every public header of capheap included by a C++ program
// (C++11, -Wall -Wextra -Werror -pedantic), the library called through them.
// Firmware is often C++: the headers must declare C linkage and compile clean.
#include "capheap.h"
#include "capheap/config.h"
#include "capheap/port.h"
#include "esp_err.h"
#include "esp_heap_alloc_caps.h"
#include "esp_heap_caps.h"
#include "esp_heap_caps_init.h"
#include "esp_heap_task_info.h"
#include "esp_heap_trace.h"
#include "esp_memory_utils.h"
#include "esp_system.h"
#include "heap_regions.h"
#include "multi_heap.h"

#include <cstdint>
#include <cstdio>

alignas(64) static unsigned char region[8192];
alignas(64) static unsigned char dma_buffer[4096];

int main() {
    int failures = 0;
    multi_heap_handle_t heap = multi_heap_register(region, sizeof region);
    void *p = heap != nullptr ? multi_heap_malloc(heap, 100) : nullptr;
    failures += p == nullptr;
    multi_heap_free(heap, p);

    const uint32_t caps[3] = {MALLOC_CAP_DMA | MALLOC_CAP_8BIT, 0, 0};
    failures += heap_caps_add_region_with_caps(caps, reinterpret_cast<intptr_t>(dma_buffer),
                                               reinterpret_cast<intptr_t>(dma_buffer) + sizeof dma_buffer) != ESP_OK;
    void *d = heap_caps_malloc(64, MALLOC_CAP_DMA);
    failures += d == nullptr || (reinterpret_cast<uintptr_t>(d) - reinterpret_cast<uintptr_t>(dma_buffer)) >= sizeof dma_buffer;
    failures += !esp_ptr_word_aligned(d) || esp_ptr_dma_capable(d); // a region added by hand, on no board
    failures += esp_get_free_internal_heap_size() + 64 > sizeof dma_buffer;
#ifdef CONFIG_HEAP_TASK_TRACKING
    heap_task_block_t block = {};
    heap_task_info_params_t params = {};
    params.blocks = &block;
    params.max_blocks = 1;
    failures += heap_caps_get_per_task_info(&params) != 1 || block.address != d;
#endif
    heap_caps_free(d);
    std::printf("C++: %s\n", failures == 0 ? "every header compiled, the calls worked" : "FAILED");
    return failures == 0 ? 0 : 1;
}
