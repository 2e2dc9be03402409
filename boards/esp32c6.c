/*
 * esp32c6.c: the ESP32-C6 (one RISC-V HP core, 512 KiB of HP SRAM, 16 KiB of
 * LP SRAM) as a typical ESP-IDF application sees it after start-up.
 *
 * Facts and their sources (all in espressif/esp-idf):
 * - HP SRAM, 0x40800000-0x40880000, is one range that the instruction and the
 *   data bus see at the same addresses (components/soc/esp32c6/include/soc/
 *   soc.h: SOC_DIRAM_IRAM_LOW/HIGH equal SOC_DIRAM_DRAM_LOW/HIGH), so no
 *   region here has an instruction-bus window: an executable block is used at
 *   the address malloc returns. No cache is carved out of it: the
 *   application's RAM segment starts at 0x40800000 (components/esp_system/ld/
 *   esp32c6/memory.ld.in).
 * - ESP-IDF's esp32c6 heap layout (components/heap/port/esp32c6/
 *   memory_layout.c) gives HP SRAM the type RAM, in pieces up to
 *   SOC_ROM_STACK_START - SOC_ROM_STACK_SIZE = 0x4087E610 - 0x2000 =
 *   0x4087C610 (soc.h), and one more from there to the end that holds the
 *   ROM's start-up stack and is flagged as such (a heap once the application
 *   runs). Given here merged: one RAM region and the start-up-stack region.
 * - What the ROM keeps: the heap leaves out [dram0_rtos_reserved_start of the
 *   ROM's layout table, SOC_DIRAM_DRAM_HIGH) (components/heap/port/
 *   memory_layout_utils.c; the C6 ROM has the table: ESP_ROM_HAS_LAYOUT_TABLE
 *   in components/esp_rom/esp32c6/esp_rom_caps.h). The bootloader's memory
 *   map gives that start as 0x4087F564 (components/bootloader/subproject/main/
 *   ld/esp32c6/bootloader.memory.ld.in); its start-up-only ROM data below it,
 *   0x4087E610-0x4087F564, is heap like the stack.
 * - LP SRAM, 0x50000000-0x50004000, also one address on both buses (soc.h:
 *   SOC_RTC_IRAM_* equal SOC_RTC_DRAM_*). The heap layout makes it a heap of
 *   type RTCRAM when CONFIG_ESP_SYSTEM_ALLOW_RTC_FAST_MEM_AS_HEAP is set, and
 *   ESP-IDF adds it unless that option is disabled (docs/en/api-guides/
 *   memory-types.rst). Its top RESERVE_RTC_MEM bytes are a segment of their
 *   own, which the heap layout reserves: the RTC timer's 24 bytes
 *   (components/esp_system/ld/ld.common) plus a bootloader reserve, none in a
 *   typical application.
 * - Types and caps by priority are the heap layout's: RAM has all its caps,
 *   DMA among them, at the highest priority; RTCRAM has RTCRAM first and the
 *   same caps without DMA at the middle one, so malloc takes LP SRAM last.
 *   Neither offers RETENTION.
 * - EXEC: with CONFIG_ESP_SYSTEM_PMP_IDRAM_SPLIT the PMP makes SRAM above the
 *   application's IRAM code, and LP SRAM above its LP code, read/write only
 *   (components/esp_hw_support/port/esp32c6/cpu_region_protect.c), and the
 *   heap layout's caps lack EXEC: a heap_caps_malloc with MALLOC_CAP_EXEC
 *   returns NULL. Without it both types offer EXEC. ESP-IDF keeps memory
 *   protection on by default on chips that split SRAM with the PMP
 *   (docs/en/security/security.rst; SOC_CPU_IDRAM_SPLIT_USING_PMP in
 *   components/soc/esp32c6/include/soc/soc_caps.h); the option's own Kconfig
 *   entry was not in the sources read. Board esp32c6 is the default,
 *   esp32c6-noprot the other.
 *
 * The application's IRAM code and .data/.bss are those of a typical one, as
 * on esp32c3: 48 KiB of IRAM code at the start of HP SRAM (the linker places
 * .iram0.text first, components/esp_system/ld/esp32c6/sections.ld.in) and
 * 12 KiB of .data/.bss after it. A typical application keeps nothing of its
 * own in LP SRAM (RTC_DATA_ATTR variables or a wake stub would be reserved
 * from 0x50000000 up); what ESP-IDF's own components put there by default
 * was not in the sources read, and none is assumed.
 */
#include "boards.h"

enum { RAM, RTCRAM, TYPE_COUNT };

#define CAP(x) MALLOC_CAP_##x
#define COMMON_CAPS (CAP(DEFAULT) | CAP(INTERNAL) | CAP(32BIT) | CAP(8BIT))

/* CONFIG_ESP_SYSTEM_PMP_IDRAM_SPLIT on: no heap memory is executable. */
static const capheap_memory_type_t types[TYPE_COUNT] = {
    [RAM] = {"RAM", {COMMON_CAPS | CAP(DMA), 0, 0}},
    [RTCRAM] = {"RTCRAM", {CAP(RTCRAM), COMMON_CAPS, 0}},
};

/* Off: all of it is. */
static const capheap_memory_type_t noprot_types[TYPE_COUNT] = {
    [RAM] = {"RAM", {COMMON_CAPS | CAP(EXEC) | CAP(DMA), 0, 0}},
    [RTCRAM] = {"RTCRAM", {CAP(RTCRAM), COMMON_CAPS | CAP(EXEC), 0}},
};

#define NO_ALIAS {CAPHEAP_ALIAS_NONE, 0}

static const capheap_region_t regions[] = {
    {0x40800000, 0x7C610, RAM, 0, NO_ALIAS},
    {0x4087C610, 0x39F0, RAM, CAPHEAP_REGION_STARTUP_STACK, NO_ALIAS}, /* up to 0x40880000 */
    {0x50000000, 0x4000, RTCRAM, 0, NO_ALIAS},                         /* LP SRAM */
};

static const capheap_reserved_t reserved[] = {
    {0x40800000, 0x4080C000, "application IRAM code"},
    {0x4080C000, 0x4080F000, "application .data/.bss"},
    {0x4087F564, 0x40880000, "ROM .bss/.data"},
    {0x50003FE8, 0x50004000, "LP SRAM reserved segment (RTC timer data)"},
};

const capheap_board_t capheap_board_esp32c6 = {
    .name = "esp32c6",
    CAPHEAP_BOARD_TABLES(types, regions, reserved),
    .extmem = {0},
};

const capheap_board_t capheap_board_esp32c6_noprot = {
    .name = "esp32c6-noprot",
    CAPHEAP_BOARD_TABLES(noprot_types, regions, reserved),
    .extmem = {0},
};
