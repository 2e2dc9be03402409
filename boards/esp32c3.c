/*
 * esp32c3.c: the ESP32-C3 (one RISC-V core, RV32IMC, 400 KiB of internal
 * SRAM) as a typical ESP-IDF application sees it after start-up.
 *
 * Facts and their sources:
 * - SRAM0, 16 KiB at 0x4037C000 on the instruction bus, is the instruction
 *   cache, always (ESP-IDF's bootloader memory map: "ICache size is fixed to
 *   16KB on ESP32-C3"): no region here.
 * - SRAM1, 384 KiB, on both buses: data bus 0x3FC80000-0x3FCE0000,
 *   instruction bus 0x40380000-0x403E0000 in the same byte order, so
 *   iram = dram + 0x700000 (the same map; ESP-IDF's esp32c3 heap layout
 *   lists it as three 128 KiB blocks with these instruction-bus addresses).
 * - The last block, 0x3FCC0000-0x3FCE0000, ends with the ROM's start-up
 *   stack (0x3FCDC710-0x3FCDE710, reclaimed once the application runs) and
 *   the ROM's .bss and .data (0x3FCDE710-0x3FCE0000), of which ESP-IDF keeps
 *   only 0x3FCDF060-0x3FCE0000 from the heap: the ROM's dram0_rtos_reserved_
 *   start, which its heap set-up reads (ESP-IDF debug boot logs of an
 *   ESP32-C3 rev v0.3, "memory_layout: Reserved memory range 0x3fcdf060 -
 *   0x3fce0000"; rev v0.0's ROM says 0x3FCDF260, which keeps less). ESP-IDF's
 *   current esp32c3 heap layout gives SRAM1 up to the stack
 *   (APP_USABLE_DRAM_END, the ROM stack's start less its 8 KiB) the default
 *   type, and the rest a start-up-stack type (an older layout gave the whole
 *   block the stack type).
 * - Types, their caps by priority, and memory protection: the heap layout
 *   lists DRAM, STACK/DRAM (RETENTION, memory the retention DMA reaches, at
 *   its lowest priority), D/IRAM (32BIT and EXEC at its lowest priority,
 *   through the instruction bus), STACK/DIRAM (RETENTION first, EXEC at its
 *   second priority) and RTCRAM. With memory protection on
 *   (CONFIG_ESP_SYSTEM_MEMPROT_FEATURE, ESP-IDF's default: a heap_caps_malloc
 *   with MALLOC_CAP_EXEC then returns NULL) SRAM1 is DRAM and the stack's
 *   part STACK/DRAM; with it off, D/IRAM and STACK/DIRAM. Board esp32c3 is
 *   the default, esp32c3-noprot the other. (IRAM has no region on this
 *   chip.)
 * - RTC fast memory, 8 KiB at 0x50000000, is a heap of type RTCRAM when
 *   CONFIG_ESP_SYSTEM_ALLOW_RTC_FAST_MEM_AS_HEAP is set, which ESP-IDF's
 *   esp_system Kconfig sets by default on the C3 (not on the dual-core esp32,
 *   whose board leaves it out). RTCRAM offers RTCRAM first, then 8BIT and
 *   DEFAULT, then INTERNAL and 32BIT, never DMA (the esp32c3 heap layout of
 *   ESP-IDF 5): malloc takes it last. Its top 24 bytes hold the RTC timer's
 *   data (components/esp_system/ld/ld.common, RTC_TIMER_RESERVE_RTC; the
 *   bootloader reserves nothing more by default), and the heap layout also
 *   keeps out the application's own RTC data from 0x50000000 up: none in a
 *   typical application.
 *
 * The application's IRAM code and .data/.bss are those of a typical one:
 * 48 KiB of IRAM code at the start of SRAM1 (the linker places it first) and
 * 12 KiB of .data/.bss after it.
 */
#include "boards.h"

enum { DRAM, STACK_DRAM, DIRAM, STACK_DIRAM, RTCRAM, TYPE_COUNT };

#define CAP(x) MALLOC_CAP_##x

static const capheap_memory_type_t types[TYPE_COUNT] = {
    [DRAM] = {"DRAM", {CAP(8BIT) | CAP(DEFAULT), CAP(INTERNAL) | CAP(DMA) | CAP(32BIT), 0}},
    [STACK_DRAM] = {"STACK/DRAM", {CAP(8BIT) | CAP(DEFAULT), CAP(INTERNAL) | CAP(DMA) | CAP(32BIT), CAP(RETENTION)}},
    [DIRAM] = {"D/IRAM", {0, CAP(DMA) | CAP(8BIT) | CAP(INTERNAL) | CAP(DEFAULT), CAP(32BIT) | CAP(EXEC)}},
    [STACK_DIRAM] = {"STACK/DIRAM", {CAP(8BIT) | CAP(DEFAULT) | CAP(RETENTION),
                                     CAP(EXEC) | CAP(INTERNAL) | CAP(DMA) | CAP(32BIT), 0}},
    [RTCRAM] = {"RTCRAM", {CAP(RTCRAM), CAP(8BIT) | CAP(DEFAULT), CAP(INTERNAL) | CAP(32BIT)}},
};

/* SRAM1 on the instruction bus: iram = dram + 0x700000, for each piece. */
#define SRAM1_IBUS(dram) {CAPHEAP_ALIAS_LINEAR, (dram) + 0x700000u}
#define STACK_START      0x3FCDC710u /* APP_USABLE_DRAM_END: the ROM stack's start */
#define SRAM1_PIECES(heap_type, stack_type)                                                                \
    {0x3FC80000, STACK_START - 0x3FC80000, heap_type, 0, SRAM1_IBUS(0x3FC80000)},                          \
        {STACK_START, 0x3FCE0000 - STACK_START, stack_type, CAPHEAP_REGION_STARTUP_STACK,                  \
         SRAM1_IBUS(STACK_START)},                                                                         \
        {0x50000000, 0x2000, RTCRAM, 0, {CAPHEAP_ALIAS_NONE, 0}} /* RTC fast memory */

/* Memory protection on: SRAM1 is DRAM, never executable. */
static const capheap_region_t regions[] = {
    SRAM1_PIECES(DRAM, STACK_DRAM),
};

/* Memory protection off: D/IRAM, the stack's part STACK/DIRAM. */
static const capheap_region_t noprot_regions[] = {
    SRAM1_PIECES(DIRAM, STACK_DIRAM),
};

static const capheap_reserved_t reserved[] = {
    {0x3FC80000, 0x3FC8C000, "application IRAM code (its data-bus addresses)"},
    {0x3FC8C000, 0x3FC8F000, "application .data/.bss"},
    {0x3FCDF060, 0x3FCE0000, "ROM .bss/.data (dram0_rtos_reserved_start on)"},
    {0x50001FE8, 0x50002000, "RTC timer data"},
};

const capheap_board_t capheap_board_esp32c3 = {
    .name = "esp32c3",
    CAPHEAP_BOARD_TABLES(types, regions, reserved),
    .extmem = {0},
};

const capheap_board_t capheap_board_esp32c3_noprot = {
    .name = "esp32c3-noprot",
    CAPHEAP_BOARD_TABLES(types, noprot_regions, reserved),
    .extmem = {0},
};
