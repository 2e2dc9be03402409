/*
 * memory_utils.c: capheap_ptr_caps and esp_memory_utils.h, what the current
 * board's memory map says an address can do. Each answer is a lookup of the
 * board region that holds the address (a few regions, scanned) and of the
 * bus it is seen through; nothing here touches the heaps.
 */
#include "board_layout.h"
#include "capheap.h"
#include "esp_memory_utils.h"

/* Where an address is: the caps of its region's memory type, whether the
 * region has an instruction-bus window, and whether the address is in it. */
typedef struct {
    uint32_t caps; /* 0 for an address on no region */
    bool has_window;
    bool in_window;
} place_t;

static place_t place_of(const void *p) {
    place_t place = {0, false, false};
    const capheap_board_t *b = capheap_current_board();
    if (b != NULL) {
        uintptr_t chip = (uintptr_t)p - (uintptr_t)capheap_host_offset();
        const capheap_region_t *r = capheap_board_region_at(b, chip);
        if (r != NULL) {
            const uint32_t *caps = b->types[r->type].caps;
            place.caps = caps[0] | caps[1] | caps[2];
            place.has_window = r->alias.kind != CAPHEAP_ALIAS_NONE;
            place.in_window = capheap_board_window_holds(r, chip);
        }
    }
    return place;
}

uint32_t capheap_ptr_caps(const void *p) { return place_of(p).caps; }

/* Whether p is on the data bus of memory whose type has every bit of all and
 * none of none. */
static bool data_bus_with(const void *p, uint32_t all, uint32_t none) {
    place_t place = place_of(p);
    return !place.in_window && (place.caps & all) == all && (place.caps & none) == 0;
}

bool esp_ptr_dma_capable(const void *p) { return data_bus_with(p, MALLOC_CAP_DMA, MALLOC_CAP_SPIRAM); }

/* External RAM, when the board says the chip's DMA reaches it. */
bool esp_ptr_dma_ext_capable(const void *p) {
    const capheap_board_t *b = capheap_current_board();
    return b != NULL && b->extmem.dma_capable && data_bus_with(p, MALLOC_CAP_SPIRAM, 0);
}

/* The instruction bus takes whole words only. */
bool esp_ptr_byte_accessible(const void *p) { return data_bus_with(p, MALLOC_CAP_8BIT, 0); }

bool esp_ptr_internal(const void *p) { return (place_of(p).caps & MALLOC_CAP_INTERNAL) != 0; }

bool esp_ptr_external_ram(const void *p) { return (place_of(p).caps & MALLOC_CAP_SPIRAM) != 0; }

/* Code runs from the instruction bus: memory with a window runs there only. */
bool esp_ptr_executable(const void *p) {
    place_t place = place_of(p);
    return (place.caps & MALLOC_CAP_EXEC) != 0 && (place.in_window || !place.has_window);
}
