/*
 * memory_baremetal.c: a board's memory on the chip itself. It is there at the
 * chip's addresses from reset: nothing to map, nothing to release.
 */
#include "capheap/port.h"

bool capheap_port_memory_map(const capheap_port_range_t *ranges, size_t n, intptr_t *offset) {
    (void)ranges, (void)n;
    *offset = 0;
    return true;
}

void capheap_port_memory_unmap(const capheap_port_range_t *ranges, size_t n, intptr_t offset) {
    (void)ranges, (void)n, (void)offset;
}
