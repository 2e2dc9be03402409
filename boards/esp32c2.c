/*
 * esp32c2.c: the ESP32-C2, or ESP8684 (one RISC-V core, RV32IMC, 272 KiB of
 * SRAM of which 16 KiB is the instruction cache), as a typical ESP-IDF
 * application sees it after start-up.
 *
 * Facts and their sources (all in espressif/esp-idf):
 * - The instruction cache takes 16 KiB at 0x4037C000-0x40380000 on the
 *   instruction bus, always (components/esp_system/ld/esp32c2/memory.ld.in:
 *   its size is fixed, and the application's IRAM starts right after it): no
 *   region here.
 * - The rest, 256 KiB, is on both buses: data bus 0x3FCA0000-0x3FCE0000,
 *   instruction bus 0x40380000-0x403C0000 in the same byte order, so
 *   iram = dram + 0x6E0000 (components/soc/esp32c2/include/soc/soc.h:
 *   SOC_DIRAM_DRAM_* and SOC_DIRAM_IRAM_*, SOC_I_D_OFFSET). DMA reaches all
 *   of it (SOC_DMA_LOW/HIGH there).
 * - ESP-IDF's esp32c2 heap layout (components/heap/port/esp32c2/
 *   memory_layout.c) has one type, RAM, with DEFAULT, DMA, 8BIT, INTERNAL and
 *   32BIT at its first priority, and lists the SRAM in pieces up to
 *   APP_USABLE_DRAM_END = SOC_ROM_STACK_START - SOC_ROM_STACK_SIZE =
 *   0x3FCDEB70 - 0x2000 = 0x3FCDCB70 (soc.h), then one more from there to the
 *   end, flagged as holding the ROM's start-up stack (a heap once the
 *   application runs). Given here merged: one region and the stack's.
 * - What the ROM keeps: the heap leaves out [dram0_rtos_reserved_start of the
 *   ROM's layout table, SOC_DIRAM_DRAM_HIGH) (components/heap/port/
 *   memory_layout_utils.c; ESP_ROM_HAS_LAYOUT_TABLE in components/esp_rom/
 *   esp32c2/esp_rom_caps.h), which the bootloader's memory map gives as
 *   0x3FCDF4BC (components/bootloader/subproject/main/ld/esp32c2/
 *   bootloader.memory.ld.in). Below it, the ROM's start-up-only data is heap
 *   like the stack.
 * - EXEC: the heap layout adds it to RAM's caps only with memory protection
 *   off (its newest form: #ifdef CONFIG_ESP_SYSTEM_MEMPROT, in the #else
 *   branch of ESP32C2_MEM_COMMON_CAPS). ESP_SYSTEM_MEMPROT is on by default
 *   (components/esp_system/Kconfig at c82e16a: default y, depends on
 *   SOC_CPU_IDRAM_SPLIT_USING_PMP || SECURE_ENABLE_TEE ||
 *   SOC_MEMPROT_SUPPORTED; the C2's soc_caps.h sets the first, and the C2
 *   then splits IRAM from DRAM with the PMP), so nothing is executable.
 *   Older ESP-IDF called the split ESP_SYSTEM_PMP_IDRAM_SPLIT, also on by
 *   default, and its C2 layout offered EXEC unconditionally. Board
 *   esp32c2-noprot is memory protection off: RAM offers EXEC too, at the
 *   instruction-bus address of the block.
 * - The C2 has no RTC fast memory (no SOC_RTC_FAST_MEM_SUPPORTED in its soc
 *   caps): no RTCRAM heap.
 *
 * The application's IRAM code and .data/.bss are those of a typical one, as
 * on esp32c3: 48 KiB of IRAM code at the start of the SRAM (the linker places
 * it first) and 12 KiB of .data/.bss after it.
 */
#include "boards.h"

enum { RAM, TYPE_COUNT };

#define CAP(x) MALLOC_CAP_##x

#define RAM_CAPS (CAP(DEFAULT) | CAP(DMA) | CAP(8BIT) | CAP(INTERNAL) | CAP(32BIT))

static const capheap_memory_type_t types[TYPE_COUNT] = {
    [RAM] = {"RAM", {RAM_CAPS, 0, 0}},
};

/* Memory protection off. */
static const capheap_memory_type_t noprot_types[TYPE_COUNT] = {
    [RAM] = {"RAM", {RAM_CAPS | CAP(EXEC), 0, 0}},
};

/* The SRAM on the instruction bus: iram = dram + 0x6E0000, for each piece. */
#define SRAM_IBUS(dram) {CAPHEAP_ALIAS_LINEAR, (dram) + 0x6E0000u}
#define STACK_START     0x3FCDCB70u /* APP_USABLE_DRAM_END */

static const capheap_region_t regions[] = {
    {0x3FCA0000, STACK_START - 0x3FCA0000, RAM, 0, SRAM_IBUS(0x3FCA0000)},
    {STACK_START, 0x3FCE0000 - STACK_START, RAM, CAPHEAP_REGION_STARTUP_STACK, SRAM_IBUS(STACK_START)},
};

static const capheap_reserved_t reserved[] = {
    {0x3FCA0000, 0x3FCAC000, "application IRAM code (its data-bus addresses)"},
    {0x3FCAC000, 0x3FCAF000, "application .data/.bss"},
    {0x3FCDF4BC, 0x3FCE0000, "ROM .bss/.data"},
};

const capheap_board_t capheap_board_esp32c2 = {
    .name = "esp32c2",
    CAPHEAP_BOARD_TABLES(types, regions, reserved),
    .extmem = {0},
};

const capheap_board_t capheap_board_esp32c2_noprot = {
    .name = "esp32c2-noprot",
    CAPHEAP_BOARD_TABLES(noprot_types, regions, reserved),
    .extmem = {0},
};
