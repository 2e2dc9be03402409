/*
 * esp8266.c: the ESP8266 (Xtensa lx106, one core) as ESP8266_RTOS_SDK v3
 * gives its heap: two memories, and plain malloc asking for 32-bit memory.
 *
 * Facts, from the SDK's sources (espressif/ESP8266_RTOS_SDK):
 * - components/esp8266/ld/esp8266.ld, MEMORY: dram0_0_seg at 0x3FFE8000,
 *   0x18000 bytes ("All .data/.bss/heap are in this segment"); iram1_0_seg at
 *   0x40100000, 0x8000 bytes.
 * - components/heap/port/esp8266/esp_heap_init.c, heap_caps_init: region 0
 *   from the end of the IRAM code and literals (_lit4_end) to 0x4010C000
 *   with caps MALLOC_CAP_32BIT, unless CONFIG_SOC_FULL_ICACHE (the whole
 *   32 KiB instruction cache, 0x4010C000 down to 0x40108000 taken too);
 *   region 1 from _heap_start to 0x40000000 with MALLOC_CAP_8BIT |
 *   MALLOC_CAP_32BIT | MALLOC_CAP_DMA.
 * - components/heap/src/esp_heap_caps.c, _heap_caps_malloc: the regions in
 *   their order, the first whose caps hold every requested bit and that has
 *   room serving: IRAM before DRAM.
 * - components/newlib/newlib/port/esp_malloc.c: malloc, calloc, realloc
 *   and zalloc ask for MALLOC_CAP_32BIT, so plain malloc takes IRAM first.
 *   The IRAM instruction bus takes 32-bit accesses only; whether the SDK's
 *   exception handler emulates narrower ones there was not seen.
 *
 * How those facts become caps (capheap's rule: priority 0 of every type
 * first, then priority 1):
 * - IRAM: 32BIT and DEFAULT at priority 0, so that a 32BIT request and
 *   malloc (DEFAULT here, MALLOC_CAP_32BIT in the SDK) take it first, as the
 *   SDK's region order does; never 8BIT or DMA.
 * - DRAM: 8BIT and DMA at priority 0, 32BIT and DEFAULT at priority 1: after
 *   IRAM for those, and the only memory for 8BIT and DMA requests.
 * - INTERNAL, last in both: all of the chip's RAM is internal, and
 *   capheap's malloc asks DEFAULT | INTERNAL, as ESP-IDF's does (the SDK's
 *   regions carry no INTERNAL: an INTERNAL request fails there, and takes
 *   DRAM here).
 * - No EXEC, which the SDK's regions do not give either.
 * The SDK's CONFIG_HEAP_DISABLE_IRAM (IRAM not a heap) is a board file
 * without the IRAM region (capheap board-file --board esp8266, edited).
 * The chip has no data cache.
 */
#include "boards.h"

enum { DRAM, IRAM, TYPE_COUNT };

#define CAP(x) MALLOC_CAP_##x

static const capheap_memory_type_t types[TYPE_COUNT] = {
    [DRAM] = {"DRAM", {CAP(8BIT) | CAP(DMA), CAP(32BIT) | CAP(DEFAULT), CAP(INTERNAL)}},
    [IRAM] = {"IRAM", {CAP(32BIT) | CAP(DEFAULT), 0, CAP(INTERNAL)}},
};

#define NO_ALIAS {CAPHEAP_ALIAS_NONE, 0}

/* esp8266.ld's segments, IRAM to the heap's end (see the top of the file). */
static const capheap_region_t regions[] = {
    {0x3FFE8000, 0x18000, DRAM, 0, NO_ALIAS}, /* dram0_0_seg, 96 KiB */
    {0x40100000, 0xC000, IRAM, 0, NO_ALIAS},  /* iram1_0_seg and 16 KiB the cache leaves */
};

/* What the application's own sections take before the heaps begin
 * (_heap_start, _lit4_end): board parameters of a typical Wi-Fi
 * application, not facts of the chip. */
static const capheap_reserved_t reserved[] = {
    {0x3FFE8000, 0x3FFF0000, "application .data/.bss (typical 32 KiB)"},
    {0x40100000, 0x40107000, "application IRAM code (typical 28 KiB)"},
};

const capheap_board_t capheap_board_esp8266 = {
    .name = "esp8266",
    CAPHEAP_BOARD_TABLES(types, regions, reserved),
    .extmem = {0},
    .cache = {.internal_line = 0, .external_line = 0},
};
