/*
 * esp32s3.c: the ESP32-S3 (two Xtensa LX7 cores, 512 KiB of internal SRAM) as
 * a typical ESP-IDF application sees it after start-up, without PSRAM.
 *
 * Facts and their sources:
 * - SRAM0, 32 KiB, on the instruction bus only at 0x40370000-0x40378000;
 *   the instruction cache takes its first 16 KiB (ESP-IDF's default,
 *   CONFIG_ESP32S3_INSTRUCTION_CACHE_16KB) and the application's vectors and
 *   IRAM code start right after it. No heap there in a typical application,
 *   so it is no region here (a board of your own may add one, type IRAM).
 * - SRAM1, 416 KiB, on both buses: data bus 0x3FC88000-0x3FCF0000,
 *   instruction bus 0x40378000-0x403E0000 in the same byte order, so
 *   iram = dram + 0x6F0000 (BOARDS.md; ESP-IDF's esp32s3 heap layout lists
 *   it in 32 and 64 KiB pieces with these instruction-bus addresses, and its
 *   bootloader memory map names SRAM1's starts on both buses).
 * - SRAM1's last 64 KiB, 0x3FCE0000-0x3FCF0000, hold the ROM's start-up
 *   stacks (PRO CPU 0x3FCE9710-0x3FCEB710, APP CPU 0x3FCEB710-0x3FCED710):
 *   ESP-IDF gives it a type of its own, plain DRAM, and adds it to the heap
 *   once the application runs (heap_caps_enable_nonos_stack_heaps). The ROM's
 *   .bss and .data, 0x3FCED710-0x3FCF0000, are never freed.
 * - SRAM2, 64 KiB, data bus only, 0x3FCF0000-0x3FD00000; the data cache takes
 *   its upper 32 KiB (ESP-IDF's default, CONFIG_ESP32S3_DATA_CACHE_32KB),
 *   which leaves 0x3FCF0000-0x3FCF8000 as DRAM.
 * - Types and their caps by priority are ESP-IDF's esp32s3 heap layout's:
 *   DRAM, the start-up stack's DRAM, and D/IRAM, whose low-priority caps are
 *   32BIT and EXEC through the instruction bus.
 * - Memory protection: ESP-IDF turns it on by default on the ESP32-S3
 *   (CONFIG_ESP_SYSTEM_MEMPROT_FEATURE), and then a heap_caps_malloc with
 *   MALLOC_CAP_EXEC returns NULL; with it off, D/IRAM serves EXEC at its
 *   instruction-bus address (ESP-IDF's heap tests check both; MicroPython
 *   turns it off for native code). ESP-IDF's heap layouts of its RISC-V
 *   chips show how: with protection on, the D/IRAM blocks are listed as
 *   DRAM (esp32c3.c here). Board esp32s3 is the default, esp32s3-noprot
 *   the other.
 * - RTC fast memory (8 KiB at 0x600FE000) is a heap only when the
 *   application allows it: left out, as on the esp32 board.
 *
 * The application's IRAM code and .data/.bss are those of a typical one:
 * 64 KiB of IRAM code (16 KiB in SRAM0, 48 KiB at the start of SRAM1, which
 * the linker places first) and 12 KiB of .data/.bss after it.
 */
#include "boards.h"

enum { DRAM, STACK_DRAM, DIRAM, TYPE_COUNT };

#define CAP(x) MALLOC_CAP_##x
#define DRAM_CAPS {CAP(8BIT) | CAP(DEFAULT), CAP(INTERNAL) | CAP(DMA) | CAP(32BIT), 0}

static const capheap_memory_type_t types[TYPE_COUNT] = {
    [DRAM] = {"DRAM", DRAM_CAPS},
    [STACK_DRAM] = {"STACK/DRAM", DRAM_CAPS},
    [DIRAM] = {"D/IRAM", {0, CAP(DMA) | CAP(8BIT) | CAP(INTERNAL) | CAP(DEFAULT), CAP(32BIT) | CAP(EXEC)}},
};

#define SRAM1_IBUS {CAPHEAP_ALIAS_LINEAR, 0x40378000}
#define NO_ALIAS   {CAPHEAP_ALIAS_NONE, 0}
#define ESP32S3_TAIL                                                                                       \
    {0x3FCE0000, 0x10000, STACK_DRAM, CAPHEAP_REGION_STARTUP_STACK, NO_ALIAS},                             \
        {0x3FCF0000, 0x8000, DRAM, 0, NO_ALIAS} /* SRAM2 below the data cache */

/* Memory protection on: SRAM1 up to the stacks is DRAM, never executable. */
static const capheap_region_t regions[] = {
    {0x3FC88000, 0x58000, DRAM, 0, SRAM1_IBUS},
    ESP32S3_TAIL,
};

/* Memory protection off: SRAM1 up to the stacks is D/IRAM. */
static const capheap_region_t noprot_regions[] = {
    {0x3FC88000, 0x58000, DIRAM, 0, SRAM1_IBUS},
    ESP32S3_TAIL,
};

static const capheap_reserved_t reserved[] = {
    {0x3FC88000, 0x3FC94000, "application IRAM code (its data-bus addresses)"},
    {0x3FC94000, 0x3FC97000, "application .data/.bss"},
    {0x3FCED710, 0x3FCF0000, "ROM .bss/.data"},
};

const capheap_board_t capheap_board_esp32s3 = {
    .name = "esp32s3",
    CAPHEAP_BOARD_TABLES(types, regions, reserved),
    .extmem = {0},
};

const capheap_board_t capheap_board_esp32s3_noprot = {
    .name = "esp32s3-noprot",
    CAPHEAP_BOARD_TABLES(types, noprot_regions, reserved),
    .extmem = {0},
};
