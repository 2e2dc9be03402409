/*
 * multi_heap_demo: registers one region as a heap, allocates from it and prints
 * what multi_heap_get_info reports.
 */
#include <stdio.h>

#include "multi_heap.h"

static _Alignas(16) unsigned char region[64 * 1024];

static void print_info(const char *when, multi_heap_handle_t heap) {
    multi_heap_info_t info;
    multi_heap_get_info(heap, &info);
    printf("%-28s free %6zu  allocated %6zu  largest free %6zu  minimum free %6zu  blocks %zu used / %zu free\n",
           when, info.total_free_bytes, info.total_allocated_bytes, info.largest_free_block,
           info.minimum_free_bytes, info.allocated_blocks, info.free_blocks);
}

int main(void) {
    multi_heap_handle_t heap = multi_heap_register(region, sizeof region);
    if (heap == NULL) {
        fprintf(stderr, "multi_heap_register failed\n");
        return 1;
    }
    print_info("after register (64 KiB)", heap);

    void *blocks[64];
    for (int i = 0; i < 64; i++) {
        blocks[i] = multi_heap_malloc(heap, (size_t)(16 + 25 * i));
    }
    print_info("after 64 mallocs", heap);

    for (int i = 0; i < 64; i += 2) {
        multi_heap_free(heap, blocks[i]);
    }
    print_info("after freeing every other", heap);

    void *dma = multi_heap_aligned_alloc(heap, 1500, 64);
    printf("aligned_alloc(1500, 64) = %p (address %% 64 = %zu)\n", dma, (size_t)((uintptr_t)dma % 64));
    void *grown = multi_heap_realloc(heap, blocks[1], 3000);
    blocks[1] = grown != NULL ? grown : blocks[1];
    print_info("after aligned alloc, realloc", heap);

    printf("multi_heap_check: %s\n", multi_heap_check(heap, true) ? "heap is consistent" : "CORRUPT");
    multi_heap_free(heap, dma);
    for (int i = 1; i < 64; i += 2) {
        multi_heap_free(heap, blocks[i]);
    }
    print_info("after freeing all", heap);
    return 0;
}
