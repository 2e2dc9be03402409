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
 * The application's IRAM code and .data/.bss are those of a typical one:
 * 48 KiB of IRAM code and 12 KiB of .data/.bss, as the esp32c3 board.
 */
#include "boards.h"

enum { RAM, RTCRAM, TYPE_COUNT };

#define CAP(x) MALLOC_CAP_##x
#define COMMON_CAPS (CAP(DEFAULT) | CAP(32BIT) | CAP(8BIT))

static const capheap_memory_type_t types[TYPE_COUNT] = {
    [RAM] = {"RAM", {COMMON_CAPS | CAP(INTERNAL) | CAP(DMA), 0, 0}},
    [RTCRAM] = {"RTCRAM", {CAP(RTCRAM), 0, COMMON_CAPS | CAP(INTERNAL)}},
};

/* The SRAM on the instruction bus: iram = dram + 0x70000, for each piece. */
#define SRAM_IBUS(dram) {CAPHEAP_ALIAS_LINEAR, (dram) + 0x70000u}
#define NO_ALIAS        {CAPHEAP_ALIAS_NONE, 0}

static const capheap_region_t regions[] = {
    {0x3FF9E000, 0x2000, RTCRAM, 0, NO_ALIAS},
    {0x3FFB4000, 0x3FFFC000 - 0x3FFB4000, RAM, 0, SRAM_IBUS(0x3FFB4000)}, /* blocks 2-20 */
    {0x3FFFC000, 0x4000, RAM, CAPHEAP_REGION_STARTUP_STACK, SRAM_IBUS(0x3FFFC000)}, /* block 21 */
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
