/*
 * esp32s2.c: the ESP32-S2 (one Xtensa LX7 core, 320 KiB of internal SRAM) as
 * a typical ESP-IDF application sees it after start-up, without PSRAM.
 *
 * Facts and their sources (ESP-IDF unless named):
 * - The internal SRAM is 22 blocks on both buses, in the same order: data
 *   bus 0x3FFB0000-0x40000000, instruction bus 0x40020000-0x40070000, so
 *   iram = dram + 0x70000 (soc.h's SOC_DRAM_LOW/HIGH and SOC_IRAM_LOW/HIGH;
 *   the esp32s2 heap layout lists every block with both addresses). Blocks
 *   0-3 (SRAM0) are 8 KiB, blocks 4-21 (SRAM1) 16 KiB. DMA reaches all of
 *   it (soc.h's SOC_DMA_LOW/HIGH).
 * - The caches take SRAM0's first blocks: 8 KiB of instruction cache and
 *   8 KiB of data cache are the defaults (esp_system's esp32s2
 *   Kconfig.cache), which leave blocks 2 and 3, from 0x3FFB4000, to the
 *   application (the heap layout's regions for those cache sizes).
 * - The heap layout (its 2023 form) has one type for all of it, "RAM",
 *   with DEFAULT, 32BIT, 8BIT, INTERNAL and DMA at its first priority, and
 *   EXEC too only when memory protection is off
 *   (CONFIG_ESP_SYSTEM_MEMPROT_FEATURE, on by default on the S2: esp_system's
 *   Kconfig and the S2's soc caps). This board is the default, protection
 *   on: nothing is executable. (With it off, the layout also makes RTC fast
 *   memory executable at its data-bus address; that variant is not modelled.)
 * - Block 21, 0x3FFFC000-0x40000000, holds the ROM's start-up stack and is
 *   the layout's one start-up-stack region; its last bytes, from
 *   0x3FFFFA10 (_dram0_rtos_reserved_start in esp_rom's esp32s2.rom.ld) to
 *   the end, are the ROM's data, never freed.
 * - RTC fast memory, 8 KiB at 0x3FF9E000 (soc.h's SOC_RTC_DRAM_LOW), is a
 *   heap of type RTCRAM, as CONFIG_ESP_SYSTEM_ALLOW_RTC_FAST_MEM_AS_HEAP is
 *   on by default (esp_system's Kconfig): RTCRAM first, the common caps with
 *   INTERNAL at its last priority, never DMA, listed without an
 *   instruction-bus address. Its top 24 bytes hold the RTC timer's data
 *   (ld.common's RTC_TIMER_RESERVE_RTC, the RTC segments' reserve, as on
 *   the esp32c3 board); the application's own RTC data would sit at its
 *   start (none in a typical one).
 * - The application's IRAM code starts right after the caches and its
 *   .data/.bss right after the code (on the data bus, the addresses of the
 *   same bytes): the heap layout reserves both.
 *
 * - PSRAM (board esp32s2-psram: 2 MiB, as the ESP32-S2-WROVER module has,
 *   docs/en/hw-reference/esp32s2/user-guide-saola-1-v1.2.rst): ESP-IDF adds
 *   it at start-up (components/esp_psram/esp_psram.c, its 2015-2026 form)
 *   with SPIRAM and DEFAULT first and 8BIT, 32BIT and SIMD last, for every
 *   chip (the S2 has no SIMD instructions, but its PSRAM answers a SIMD
 *   request, 16-aligned, as in ESP-IDF; its internal RAM has no SIMD in the
 *   heap layout), never DMA or EXEC. The S2 keeps
 *   flash .rodata on a bus of its own (DROM0, 0x3F000000), and the MMU hands
 *   PSRAM the first page of the 8-bit data-bus region that starts at
 *   0x3F800000 (components/soc/esp32s2/include/soc/ext_mem_defs.h,
 *   components/esp_mm/esp_mmu_map.c; the linker script's extern_ram_seg
 *   starts there too): 0x3F800000-0x3FA00000. (Older ESP-IDF mapped it at
 *   the top of the range instead.) malloc() and the internal reserve follow
 *   the common PSRAM Kconfig's defaults, as on esp32-psram and
 *   esp32s3-psram: below 16 KiB internal RAM first, larger requests PSRAM
 *   first, and 32 KiB of internal RAM kept back (here the end of the SRAM
 *   below block 21). DMA requests that name SPIRAM get PSRAM in whole data
 *   cache lines, 32 bytes by default (Kconfig.cache; esp_cache_get_alignment
 *   reads the external-memory line). Internal RAM has no cache in front.
 *   The S2's DMA reaches PSRAM (SOC_PSRAM_DMA_CAPABLE in its soc_caps.h):
 *   esp_ptr_dma_ext_capable says so of PSRAM addresses.
 *
 * The application's IRAM code and .data/.bss are those of a typical one:
 * 48 KiB of IRAM code and 12 KiB of .data/.bss, as the esp32c3 board.
 */
#include "boards.h"

enum { RAM, RTCRAM, SPIRAM, RAM_KEPT_BACK, TYPE_COUNT };

#define CAP(x) MALLOC_CAP_##x
#define COMMON_CAPS (CAP(DEFAULT) | CAP(32BIT) | CAP(8BIT))

static const capheap_memory_type_t types[TYPE_COUNT] = {
    [RAM] = {"RAM", {COMMON_CAPS | CAP(INTERNAL) | CAP(DMA), 0, 0}},
    [RTCRAM] = {"RTCRAM", {CAP(RTCRAM), 0, COMMON_CAPS | CAP(INTERNAL)}},
    [SPIRAM] = {"SPIRAM", {CAP(SPIRAM) | CAP(DEFAULT), 0, CAP(8BIT) | CAP(32BIT) | CAP(SIMD)}},
    /* As esp32.c's: no DEFAULT, every INTERNAL, DMA or 8BIT request at its
     * last priority, after all other memory with those caps. */
    [RAM_KEPT_BACK] = {"RAM (kept back)", {0, 0, CAP(DMA) | CAP(INTERNAL) | CAP(8BIT) | CAP(32BIT)}},
};

/* The SRAM on the instruction bus: iram = dram + 0x70000, for each piece. */
#define SRAM_IBUS(dram) {CAPHEAP_ALIAS_LINEAR, (dram) + 0x70000u}
#define NO_ALIAS        {CAPHEAP_ALIAS_NONE, 0}

static const capheap_region_t regions[] = {
    {0x3FF9E000, 0x2000, RTCRAM, 0, NO_ALIAS},
    {0x3FFB4000, 0x3FFFC000 - 0x3FFB4000, RAM, 0, SRAM_IBUS(0x3FFB4000)}, /* blocks 2-20 */
    {0x3FFFC000, 0x4000, RAM, CAPHEAP_REGION_STARTUP_STACK, SRAM_IBUS(0x3FFFC000)}, /* block 21 */
};

/* With 2 MiB of PSRAM, and 32 KiB of the SRAM kept back below block 21. */
static const capheap_region_t psram_regions[] = {
    {0x3F800000, 0x200000, SPIRAM, 0, NO_ALIAS},
    {0x3FF9E000, 0x2000, RTCRAM, 0, NO_ALIAS},
    {0x3FFB4000, 0x3FFF4000 - 0x3FFB4000, RAM, 0, SRAM_IBUS(0x3FFB4000)},
    {0x3FFF4000, 0x8000, RAM_KEPT_BACK, 0, SRAM_IBUS(0x3FFF4000)},
    {0x3FFFC000, 0x4000, RAM, CAPHEAP_REGION_STARTUP_STACK, SRAM_IBUS(0x3FFFC000)},
};

static const capheap_reserved_t reserved[] = {
    {0x3FF9FFE8, 0x3FFA0000, "RTC reserved segment (RTC timer data)"},
    {0x3FFB4000, 0x3FFC0000, "application IRAM code (its data-bus addresses)"},
    {0x3FFC0000, 0x3FFC3000, "application .data/.bss"},
    {0x3FFFFA10, 0x40000000, "ROM data"},
};

const capheap_board_t capheap_board_esp32s2 = {
    .name = "esp32s2",
    CAPHEAP_BOARD_TABLES(types, regions, reserved),
    .extmem = {0},
};

const capheap_board_t capheap_board_esp32s2_psram = {
    .name = "esp32s2-psram",
    CAPHEAP_BOARD_TABLES(types, psram_regions, reserved),
    .extmem = {.internal_below = 16384, .dma_capable = true},
    .cache = {.internal_line = 0, .external_line = 32},
};
