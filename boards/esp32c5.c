/*
 * esp32c5.c: the ESP32-C5 (one RISC-V HP core, 384 KiB of HP SRAM, 16 KiB of
 * LP SRAM, optional quad PSRAM) as a typical ESP-IDF application sees it after
 * start-up, on the production chip (v1.x, "MP"; the beta3 samples, with 512
 * KiB of SRAM, are not modelled).
 *
 * Facts and their sources (all in espressif/esp-idf, commit read in brackets):
 * - HP SRAM, 0x40800000-0x40860000, one range that both buses see at the same
 *   addresses (components/soc/esp32c5/include/soc/soc.h [0abc7553]:
 *   SOC_DIRAM_IRAM_LOW/HIGH equal SOC_DIRAM_DRAM_LOW/HIGH; MAP_DRAM_TO_IRAM is
 *   the identity), all of it DMA-capable (SOC_DMA_LOW/HIGH). No cache is
 *   carved out of it: the application's SRAM segment starts at 0x40800000
 *   (components/esp_system/ld/esp32c5/memory.ld.in [019a0195]), and internal
 *   memory is not reached through the L1 cache (soc_caps.h [d01bd52c] lacks
 *   SOC_CACHE_INTERNAL_MEM_VIA_L1CACHE), so internal DMA needs no line.
 * - ESP-IDF's esp32c5 heap layout (components/heap/port/esp32c5/
 *   memory_layout.c [045dd779]) makes HP SRAM type RAM up to
 *   SOC_ROM_STACK_START - SOC_ROM_STACK_SIZE = 0x4085E5A0 - 0x2000 =
 *   0x4085C5A0 (soc.h), and one more RAM region from there to the end, the
 *   ROM's start-up stack, flagged as such (a heap once the application runs).
 * - What the ROM keeps: the heap leaves out [dram0_rtos_reserved_start of the
 *   ROM's layout table, SOC_DIRAM_DRAM_HIGH) (components/heap/port/
 *   memory_layout_utils.c; ESP_ROM_HAS_LAYOUT_TABLE in components/esp_rom/
 *   esp32c5/esp_rom_caps.h [0479494e]). The bootloader's memory map gives that
 *   start as 0x4085F4F8 (components/bootloader/subproject/main/ld/esp32c5/
 *   bootloader.memory.ld.in [4a0b4616], its table of the ROM's memory).
 * - LP SRAM, 0x50000000-0x50004000, one address on both buses (soc.h:
 *   SOC_RTC_IRAM_* equal SOC_RTC_DRAM_*), is a heap of type RTCRAM when
 *   CONFIG_ESP_SYSTEM_ALLOW_RTC_FAST_MEM_AS_HEAP is set, its default
 *   (components/esp_system/Kconfig [363bb453]). Its top RESERVE_RTC_MEM bytes
 *   are reserved: the RTC timer's 24 (components/esp_system/ld/ld.common
 *   [16abaf06]) and no bootloader reserve in a typical application.
 * - Types and caps by priority are the heap layout's: RAM has all its caps,
 *   DMA among them, at the highest priority; RTCRAM has RTCRAM first and the
 *   same caps without DMA at the middle one, so malloc takes LP SRAM last.
 *   Neither offers RETENTION or SIMD.
 * - EXEC: the C5 splits SRAM into code and data with the PMP
 *   (SOC_CPU_IDRAM_SPLIT_USING_PMP in soc_caps.h), on by default
 *   (CONFIG_ESP_SYSTEM_PMP_IDRAM_SPLIT, default y in components/esp_system/
 *   Kconfig [363bb453]; the newest components/esp_hw_support/port/esp32c5/
 *   cpu_region_protect.c names it CONFIG_ESP_SYSTEM_MEMPROT_PMP). The heap
 *   layout's caps then lack EXEC. Board esp32c5 is the default, esp32c5-noprot
 *   the split off, where RAM and RTCRAM serve EXEC at their own addresses.
 * - PSRAM (board esp32c5-psram): quad PSRAM, off by default (components/
 *   esp_psram/esp32c5/Kconfig.spiram [5dff1893]). ESP-IDF maps it into the
 *   32 MiB window 0x42000000-0x44000000 that flash shares (soc.h:
 *   SOC_EXTRAM_DATA_LOW/HIGH; components/soc/esp32c5/include/soc/
 *   ext_mem_defs.h: one MMU range for flash and PSRAM), in the largest free
 *   run of pages after the application's flash mappings, and adds it to the
 *   heap (components/esp_psram/system_layer/esp_psram.c [4a0b4616]) with
 *   SPIRAM and DEFAULT first and 8BIT, 32BIT and SIMD last. Here: 8 MiB, as
 *   the ESP32-C5HR8 has in its package (Espressif's datasheet as quoted by
 *   board makers; not in ESP-IDF), from 0x42100000, after a typical
 *   application's 1 MiB of flash mappings (the start is the application's,
 *   as on esp32s3-psram). The common PSRAM Kconfig's malloc defaults, as on
 *   the other PSRAM boards: below 16 KiB internal RAM first, larger requests
 *   PSRAM first, 32 KiB of internal RAM kept back. PSRAM is DMA-capable
 *   (SOC_PSRAM_DMA_CAPABLE): a DMA request naming SPIRAM gets whole cache
 *   lines, 32 bytes (CONFIG_CACHE_L1_CACHE_LINE_SIZE's default, components/
 *   esp_system/port/soc/esp32c5/Kconfig.cache [9397a610]; the running chip
 *   reads it from its ROM).
 *
 * The application's IRAM code and .data/.bss are those of a typical one, as
 * on esp32c6: 48 KiB of IRAM code at the start of HP SRAM and 12 KiB of
 * .data/.bss after it; nothing of its own in LP SRAM.
 */
#include "boards.h"

enum { RAM, RTCRAM, SPIRAM, RAM_KEPT_BACK, TYPE_COUNT };

#define CAP(x) MALLOC_CAP_##x
#define COMMON_CAPS (CAP(DEFAULT) | CAP(INTERNAL) | CAP(32BIT) | CAP(8BIT))
#define SPIRAM_TYPE {"SPIRAM", {CAP(SPIRAM) | CAP(DEFAULT), 0, CAP(8BIT) | CAP(32BIT) | CAP(SIMD)}}
/* As esp32.c's: no DEFAULT, every INTERNAL, DMA or 8BIT request at its last
 * priority, after all other memory with those caps. */
#define KEPT_BACK_TYPE {"RAM (kept back)", {0, 0, CAP(DMA) | CAP(INTERNAL) | CAP(8BIT) | CAP(32BIT)}}

/* The PMP split on: no heap memory is executable. */
static const capheap_memory_type_t types[TYPE_COUNT] = {
    [RAM] = {"RAM", {COMMON_CAPS | CAP(DMA), 0, 0}},
    [RTCRAM] = {"RTCRAM", {CAP(RTCRAM), COMMON_CAPS, 0}},
    [SPIRAM] = SPIRAM_TYPE,
    [RAM_KEPT_BACK] = KEPT_BACK_TYPE,
};

/* Off: internal memory is. */
static const capheap_memory_type_t noprot_types[TYPE_COUNT] = {
    [RAM] = {"RAM", {COMMON_CAPS | CAP(EXEC) | CAP(DMA), 0, 0}},
    [RTCRAM] = {"RTCRAM", {CAP(RTCRAM), COMMON_CAPS | CAP(EXEC), 0}},
    [SPIRAM] = SPIRAM_TYPE,
    [RAM_KEPT_BACK] = KEPT_BACK_TYPE,
};

#define NO_ALIAS        {CAPHEAP_ALIAS_NONE, 0}
#define STACK_START     0x4085C5A0u /* APP_USABLE_DRAM_END */
#define SRAM_END        0x40860000u
#define KEPT_BACK_START (STACK_START - 0x8000u)
#define STACK_REGION    {STACK_START, SRAM_END - STACK_START, RAM, CAPHEAP_REGION_STARTUP_STACK, NO_ALIAS}
#define LP_REGION       {0x50000000, 0x4000, RTCRAM, 0, NO_ALIAS}

static const capheap_region_t regions[] = {
    {0x40800000, STACK_START - 0x40800000, RAM, 0, NO_ALIAS},
    STACK_REGION,
    LP_REGION,
};

static const capheap_region_t psram_regions[] = {
    {0x40800000, KEPT_BACK_START - 0x40800000, RAM, 0, NO_ALIAS},
    {KEPT_BACK_START, 0x8000, RAM_KEPT_BACK, 0, NO_ALIAS},
    STACK_REGION,
    {0x42100000, 0x800000, SPIRAM, 0, NO_ALIAS},
    LP_REGION,
};

static const capheap_reserved_t reserved[] = {
    {0x40800000, 0x4080C000, "application IRAM code"},
    {0x4080C000, 0x4080F000, "application .data/.bss"},
    {0x4085F4F8, 0x40860000, "ROM .bss/.data"},
    {0x50003FE8, 0x50004000, "LP SRAM reserved segment (RTC timer data)"},
};

const capheap_board_t capheap_board_esp32c5 = {
    .name = "esp32c5",
    CAPHEAP_BOARD_TABLES(types, regions, reserved),
    .extmem = {0},
};

const capheap_board_t capheap_board_esp32c5_psram = {
    .name = "esp32c5-psram",
    CAPHEAP_BOARD_TABLES(types, psram_regions, reserved),
    .extmem = {.internal_below = 16384, .dma_capable = true},
    .cache = {.internal_line = 0, .external_line = 32},
};

const capheap_board_t capheap_board_esp32c5_noprot = {
    .name = "esp32c5-noprot",
    CAPHEAP_BOARD_TABLES(noprot_types, regions, reserved),
    .extmem = {0},
};
