/*
 * esp32c61.c: the ESP32-C61 (one RISC-V core, 320 KiB of SRAM, no LP SRAM
 * for the heap) as a typical ESP-IDF application sees it after start-up,
 * without PSRAM.
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
 * - Not modelled: PSRAM (SOC_SPIRAM_SUPPORTED; modules have 2 MiB), whose
 *   address ESP-IDF chooses at start-up after the flash mappings.
 *
 * The application's IRAM code and .data/.bss are those of a typical one, as
 * on the other RISC-V boards: 48 KiB of IRAM code at the start of SRAM and
 * 12 KiB of .data/.bss after it.
 */
#include "boards.h"

enum { RAM, TYPE_COUNT };

#define CAP(x) MALLOC_CAP_##x
#define COMMON_CAPS (CAP(DEFAULT) | CAP(INTERNAL) | CAP(32BIT) | CAP(8BIT) | CAP(DMA))

/* The PMP split on: no heap memory is executable. */
static const capheap_memory_type_t types[TYPE_COUNT] = {
    [RAM] = {"RAM", {COMMON_CAPS, 0, 0}},
};

/* Off: all of it is. */
static const capheap_memory_type_t noprot_types[TYPE_COUNT] = {
    [RAM] = {"RAM", {COMMON_CAPS | CAP(EXEC), 0, 0}},
};

#define NO_ALIAS    {CAPHEAP_ALIAS_NONE, 0}
#define STACK_START 0x4084C670u /* APP_USABLE_DRAM_END */

static const capheap_region_t regions[] = {
    {0x40800000, STACK_START - 0x40800000, RAM, 0, NO_ALIAS},
    {STACK_START, 0x40850000 - STACK_START, RAM, CAPHEAP_REGION_STARTUP_STACK, NO_ALIAS},
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

const capheap_board_t capheap_board_esp32c61_noprot = {
    .name = "esp32c61-noprot",
    CAPHEAP_BOARD_TABLES(noprot_types, regions, reserved),
    .extmem = {0},
};
