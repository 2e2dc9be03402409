/*
 * esp32h2.c: the ESP32-H2 (one RISC-V core, RV32IMAC, 320 KiB of SRAM, 4 KiB
 * of LP memory) as a typical ESP-IDF application sees it after start-up.
 *
 * Facts and their sources (all in espressif/esp-idf):
 * - The SRAM, 0x40800000-0x40850000, is one range that the instruction and
 *   the data bus see at the same addresses (components/soc/esp32h2/include/
 *   soc/soc.h: SOC_DIRAM_IRAM_* equal SOC_DIRAM_DRAM_*, MAP_DRAM_TO_IRAM is
 *   the identity), so no region has an instruction-bus window. DMA reaches
 *   all of it (SOC_DMA_LOW/HIGH there). The application's RAM segment starts
 *   at 0x40800000 (components/esp_system/ld/esp32h2/memory.ld.in): no cache
 *   is carved out of it in ESP-IDF's sources.
 * - ESP-IDF's esp32h2 heap layout (components/heap/port/esp32h2/
 *   memory_layout.c) gives the SRAM the type RAM, with DEFAULT, INTERNAL,
 *   32BIT, 8BIT and DMA at its first priority, in pieces up to
 *   APP_USABLE_DRAM_END = SOC_ROM_STACK_START - SOC_ROM_STACK_SIZE =
 *   0x4084F380 - 0x2000 = 0x4084D380 (soc.h), and one more from there to the
 *   end, flagged as holding the ROM's start-up stack (a heap once the
 *   application runs). Given here merged: one region and the stack's.
 * - What the ROM keeps: the heap leaves out [dram0_rtos_reserved_start of the
 *   ROM's layout table, SOC_DIRAM_DRAM_HIGH) (components/heap/port/
 *   memory_layout_utils.c; ESP_ROM_HAS_LAYOUT_TABLE in components/esp_rom/
 *   esp32h2/esp_rom_caps.h), which the bootloader's memory map gives as
 *   0x4084FEE0 (components/bootloader/subproject/main/ld/esp32h2/
 *   bootloader.memory.ld.in). Below it, the ROM's start-up-only data is heap
 *   like the stack.
 * - EXEC: the heap layout drops it from the caps with
 *   CONFIG_ESP_SYSTEM_PMP_IDRAM_SPLIT, which is on by default (components/
 *   esp_system/Kconfig; the H2 sets SOC_CPU_IDRAM_SPLIT_USING_PMP): nothing
 *   is executable. Board esp32h2-noprot is the other: RAM offers EXEC too,
 *   at the address data is written through.
 * - LP memory, 4 KiB at 0x50000000, would be an RTCRAM heap with
 *   CONFIG_ESP_SYSTEM_ALLOW_RTC_FAST_MEM_AS_HEAP, which ESP-IDF does not
 *   offer on the H2 yet (its dependency check is off for this chip in
 *   components/esp_system/Kconfig): no region here.
 *
 * The application's IRAM code and .data/.bss are those of a typical one, as
 * on esp32c6: 48 KiB of IRAM code at the start of the SRAM and 12 KiB of
 * .data/.bss after it.
 */
#include "boards.h"

enum { RAM, TYPE_COUNT };

#define CAP(x) MALLOC_CAP_##x

#define RAM_CAPS (CAP(DEFAULT) | CAP(INTERNAL) | CAP(32BIT) | CAP(8BIT) | CAP(DMA))

static const capheap_memory_type_t types[TYPE_COUNT] = {
    [RAM] = {"RAM", {RAM_CAPS, 0, 0}},
};

/* Without the split. */
static const capheap_memory_type_t noprot_types[TYPE_COUNT] = {
    [RAM] = {"RAM", {RAM_CAPS | CAP(EXEC), 0, 0}},
};

#define NO_ALIAS    {CAPHEAP_ALIAS_NONE, 0}
#define STACK_START 0x4084D380u /* APP_USABLE_DRAM_END */

static const capheap_region_t regions[] = {
    {0x40800000, STACK_START - 0x40800000, RAM, 0, NO_ALIAS},
    {STACK_START, 0x40850000 - STACK_START, RAM, CAPHEAP_REGION_STARTUP_STACK, NO_ALIAS},
};

static const capheap_reserved_t reserved[] = {
    {0x40800000, 0x4080C000, "application IRAM code"},
    {0x4080C000, 0x4080F000, "application .data/.bss"},
    {0x4084FEE0, 0x40850000, "ROM .bss/.data"},
};

const capheap_board_t capheap_board_esp32h2 = {
    .name = "esp32h2",
    CAPHEAP_BOARD_TABLES(types, regions, reserved),
    .extmem = {0},
};

const capheap_board_t capheap_board_esp32h2_noprot = {
    .name = "esp32h2-noprot",
    CAPHEAP_BOARD_TABLES(noprot_types, regions, reserved),
    .extmem = {0},
};
