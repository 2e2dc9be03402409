/*
 * esp32c61.c: the ESP32-C61 (one RISC-V core, 320 KiB of SRAM, no LP SRAM
 * for the heap, optional quad PSRAM) as a typical ESP-IDF application sees
 * it after start-up.
 *
 * Facts and their sources (all in espressif/esp-idf, commit read in brackets):
 * - SRAM, 0x40800000-0x40850000, one range that both buses see at the same
 *   addresses (components/soc/esp32c61/include/soc/soc.h [4a0b4616]:
 *   SOC_DIRAM_IRAM_LOW/HIGH equal SOC_DIRAM_DRAM_LOW/HIGH), all of it
 *   DMA-capable (SOC_DMA_LOW/HIGH), none of it behind a cache. The
 *   application's SRAM segment starts at 0x40800000 (components/esp_system/
 *   ld/esp32c61/memory.ld.in [96a022af], without the TEE).
 * - ESP-IDF's esp32c61 heap layout (components/heap/port/esp32c61/
 *   memory_layout.c [6f1f41ff]) has one memory type, RAM, with all its caps
 *   (DMA among them) at the highest priority, up to SOC_ROM_STACK_START -
 *   SOC_ROM_STACK_SIZE, and one more RAM region from there to the end: the
 *   ROM's start-up stack, flagged as such (a heap once the application runs).
 *   No RTCRAM, RETENTION, SIMD or SPIRAM type: the C61 has no LP SRAM the
 *   heap could use (soc.h defines none; early linker scripts, esptool and
 *   other HALs that show one at 0x50000000 copied the C6's).
 * - Where the ROM's stack starts moved between ESP-IDF versions: 0x4084EA70
 *   in soc.h [16abaf06] (ESP-IDF v5.5's layout: the v5.5.1 boot log loads the
 *   bootloader at 0x4083EA70), 0x4084E670 in the newest soc.h read [4a0b4616],
 *   which the newest bootloader memory map agrees with (components/
 *   bootloader/subproject/main/ld/esp32c61/bootloader.memory.ld.in
 *   [1929b27c]). The newer one is modelled: the stack's block starts at
 *   0x4084E670 - 0x2000 = 0x4084C670. Why it moved was not in the sources
 *   read (the ROM of revision v1.1, ECO4, has data of its own higher up).
 * - What the ROM keeps: the heap leaves out [dram0_rtos_reserved_start of the
 *   ROM's layout table, SOC_DIRAM_DRAM_HIGH) (components/heap/port/
 *   memory_layout_utils.c); the newest bootloader memory map gives that start
 *   as 0x4084F5C8 (0x4084F5D0 in v5.5's).
 * - EXEC: the C61 splits SRAM into code and data with the PMP
 *   (SOC_CPU_IDRAM_SPLIT_USING_PMP in soc_caps.h), on by default
 *   (CONFIG_ESP_SYSTEM_MEMPROT, default y, in the newest components/
 *   esp_system/Kconfig read; CONFIG_ESP_SYSTEM_PMP_IDRAM_SPLIT, default y,
 *   before it). The heap layout's caps then lack EXEC. Board esp32c61 is the
 *   default, esp32c61-noprot the split off, where RAM serves EXEC at the
 *   address data is written through.
 * - PSRAM (board esp32c61-psram): quad PSRAM (SOC_SPIRAM_SUPPORTED,
 *   components/esp_psram/esp32c61/Kconfig.spiram [b676f608]), 2 MiB as on
 *   the ESP32-C61-WROOM-1 N8R2 module of the DevKitC-1 (Espressif's
 *   esp-dev-kits documentation: "PSRAM up to 2 MB"). As on esp32c5-psram:
 *   ESP-IDF maps it into the 32 MiB window 0x42000000-0x44000000 that flash
 *   shares (soc.h: SOC_EXTRAM_DATA_LOW/HIGH), in the largest free run of pages
 *   after the application's flash mappings (here from 0x42100000, after a
 *   typical application's 1 MiB: the start is the application's), and adds
 *   it with SPIRAM and DEFAULT first and 8BIT, 32BIT and SIMD last
 *   (components/esp_psram/system_layer/esp_psram.c [4a0b4616]); the common
 *   PSRAM Kconfig's malloc defaults (below 16 KiB internal RAM first, 32 KiB
 *   of internal RAM kept back). It is DMA-capable (SOC_PSRAM_DMA_CAPABLE in
 *   the newest soc_caps.h): a DMA request naming SPIRAM gets whole cache
 *   lines, taken as 32 bytes. The C61's line size was not in the sources read
 *   (the running chip reads it from its ROM; the ROM's cache header's minimum
 *   is 32 and the C5's Kconfig default is 32).
 *
 * The application's IRAM code and .data/.bss are those of a typical one, as
 * on the other RISC-V boards: 48 KiB of IRAM code at the start of SRAM and
 * 12 KiB of .data/.bss after it.
 */
#include "boards.h"

enum { RAM, SPIRAM, RAM_KEPT_BACK, TYPE_COUNT };

#define CAP(x) MALLOC_CAP_##x
#define COMMON_CAPS (CAP(DEFAULT) | CAP(INTERNAL) | CAP(32BIT) | CAP(8BIT) | CAP(DMA))
#define SPIRAM_TYPE {"SPIRAM", {CAP(SPIRAM) | CAP(DEFAULT), 0, CAP(8BIT) | CAP(32BIT) | CAP(SIMD)}}
/* As esp32.c's: no DEFAULT, every INTERNAL, DMA or 8BIT request at its last
 * priority, after all other memory with those caps. */
#define KEPT_BACK_TYPE {"RAM (kept back)", {0, 0, CAP(DMA) | CAP(INTERNAL) | CAP(8BIT) | CAP(32BIT)}}

/* The PMP split on: no heap memory is executable. */
static const capheap_memory_type_t types[TYPE_COUNT] = {
    [RAM] = {"RAM", {COMMON_CAPS, 0, 0}},
    [SPIRAM] = SPIRAM_TYPE,
    [RAM_KEPT_BACK] = KEPT_BACK_TYPE,
};

/* Off: all of it is. */
static const capheap_memory_type_t noprot_types[TYPE_COUNT] = {
    [RAM] = {"RAM", {COMMON_CAPS | CAP(EXEC), 0, 0}},
    [SPIRAM] = SPIRAM_TYPE,
    [RAM_KEPT_BACK] = KEPT_BACK_TYPE,
};

#define NO_ALIAS    {CAPHEAP_ALIAS_NONE, 0}
#define STACK_START     0x4084C670u /* APP_USABLE_DRAM_END */
#define KEPT_BACK_START (STACK_START - 0x8000u)
#define STACK_REGION    {STACK_START, 0x40850000 - STACK_START, RAM, CAPHEAP_REGION_STARTUP_STACK, NO_ALIAS}

static const capheap_region_t regions[] = {
    {0x40800000, STACK_START - 0x40800000, RAM, 0, NO_ALIAS},
    STACK_REGION,
};

static const capheap_region_t psram_regions[] = {
    {0x40800000, KEPT_BACK_START - 0x40800000, RAM, 0, NO_ALIAS},
    {KEPT_BACK_START, 0x8000, RAM_KEPT_BACK, 0, NO_ALIAS},
    STACK_REGION,
    {0x42100000, 0x200000, SPIRAM, 0, NO_ALIAS},
};

static const capheap_reserved_t reserved[] = {
    {0x40800000, 0x4080C000, "application IRAM code"},
    {0x4080C000, 0x4080F000, "application .data/.bss"},
    {0x4084F5C8, 0x40850000, "ROM .bss/.data"},
};

const capheap_board_t capheap_board_esp32c61 = {
    .name = "esp32c61",
    CAPHEAP_BOARD_TABLES(types, regions, reserved),
    .extmem = {0},
};

const capheap_board_t capheap_board_esp32c61_psram = {
    .name = "esp32c61-psram",
    CAPHEAP_BOARD_TABLES(types, psram_regions, reserved),
    .extmem = {.internal_below = 16384, .dma_capable = true},
    .cache = {.internal_line = 0, .external_line = 32},
};

const capheap_board_t capheap_board_esp32c61_noprot = {
    .name = "esp32c61-noprot",
    CAPHEAP_BOARD_TABLES(noprot_types, regions, reserved),
    .extmem = {0},
};
