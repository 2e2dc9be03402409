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
 *   stacks (PRO CPU 0x3FCE9710-0x3FCEB710, APP CPU 0x3FCEB710-0x3FCED710)
 *   and the ROM's .bss and .data, 0x3FCED710-0x3FCF0000, of which ESP-IDF
 *   keeps only 0x3FCEEE34-0x3FCF0000 from the heap: the ROM's dram0_rtos_
 *   reserved_start, which its heap set-up reads (ESP-IDF 4.4 and 5.5 debug
 *   boot logs, "memory_layout: Reserved memory range 0x3fceee34 -
 *   0x3fcf0000").
 *   ESP-IDF's current esp32s3 heap layout gives SRAM1 up to the stacks
 *   (APP_USABLE_DRAM_END, the ROM stack's start 0x3FCEB710 less its 8 KiB)
 *   the default type, and from there to SRAM1's end a type of its own for
 *   the start-up stacks, added to the heap once the application runs
 *   (heap_caps_enable_nonos_stack_heaps): STACK/DRAM, or with memory
 *   protection off STACK/DIRAM, whose first caps add RETENTION (memory the
 *   retention DMA reaches) and whose second add EXEC through the instruction
 *   bus; D/IRAM also offers RETENTION, at its lowest priority. (An older
 *   layout gave the whole last 64 KiB the stack type, plain DRAM caps.)
 * - SRAM2, 64 KiB, data bus only, 0x3FCF0000-0x3FD00000; the data cache takes
 *   its upper 32 KiB (ESP-IDF's default, CONFIG_ESP32S3_DATA_CACHE_32KB),
 *   which leaves 0x3FCF0000-0x3FCF8000 as DRAM.
 * - Types and their caps by priority are ESP-IDF's esp32s3 heap layout's:
 *   DRAM, D/IRAM (low-priority caps 32BIT, EXEC through the instruction bus,
 *   RETENTION) and the two start-up-stack types above. SRAM2's DRAM is
 *   reachable by DMA but not by the retention DMA (the layout's words).
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
 * - PSRAM (board esp32s3-psram: 8 MiB, as the common N8R8 and N16R8
 *   modules): ESP-IDF does not list it in the heap layout's regions but
 *   adds it at start-up (components/esp_psram/esp_psram.c,
 *   esp_psram_extram_add_to_heap_allocator, its 2015-2026 form) with
 *   SPIRAM and DEFAULT first and 8BIT, 32BIT and SIMD last (for every
 *   chip), never DMA or EXEC. Whether ESP-IDF's newest S3 heap layout gives
 *   internal RAM SIMD too could not be read (the layouts read predate the
 *   cap): here only PSRAM serves a SIMD request. It sits on the data bus at the
 *   first MMU page after the application's flash .text and .rodata
 *   (components/esp_mm/esp_mmu_map.c), which moves with the application:
 *   this board takes 1 MiB of them, so 0x3C100000. malloc() as ESP-IDF's
 *   default CONFIG_SPIRAM_USE_MALLOC makes it, with the defaults of
 *   components/esp_psram/Kconfig.spiram.common: requests below 16 KiB
 *   internal RAM first, larger ones PSRAM first
 *   (CONFIG_SPIRAM_MALLOC_ALWAYSINTERNAL), and 32 KiB of internal RAM kept
 *   back for requests that name INTERNAL or DMA
 *   (CONFIG_SPIRAM_MALLOC_RESERVE_INTERNAL), as on esp32-psram: ESP-IDF
 *   takes that pool with a malloc at start-up and makes it a heap without
 *   DEFAULT; here it is the end of SRAM1's DRAM below the stacks, where
 *   esp32-psram keeps its own. DMA requests that name SPIRAM get PSRAM in
 *   whole data cache lines, 32 bytes by default (Kconfig.cache), as
 *   esp_heap_adjust_alignment_to_hw does. The S3's DMA reaches PSRAM
 *   (SOC_PSRAM_DMA_CAPABLE in its soc_caps.h): esp_ptr_dma_ext_capable says
 *   so of PSRAM addresses.
 *
 * The application's IRAM code and .data/.bss are those of a typical one:
 * 64 KiB of IRAM code (16 KiB in SRAM0, 48 KiB at the start of SRAM1, which
 * the linker places first) and 12 KiB of .data/.bss after it.
 */
#include "boards.h"

enum { DRAM, STACK_DRAM, DIRAM, STACK_DIRAM, SPIRAM, DRAM_KEPT_BACK, TYPE_COUNT };

#define CAP(x) MALLOC_CAP_##x

static const capheap_memory_type_t types[TYPE_COUNT] = {
    [DRAM] = {"DRAM", {CAP(8BIT) | CAP(DEFAULT), CAP(INTERNAL) | CAP(DMA) | CAP(32BIT), 0}},
    [STACK_DRAM] = {"STACK/DRAM",
                    {CAP(8BIT) | CAP(DEFAULT) | CAP(RETENTION), CAP(INTERNAL) | CAP(DMA) | CAP(32BIT), 0}},
    [DIRAM] = {"D/IRAM",
               {0, CAP(DMA) | CAP(8BIT) | CAP(INTERNAL) | CAP(DEFAULT), CAP(32BIT) | CAP(EXEC) | CAP(RETENTION)}},
    [STACK_DIRAM] = {"STACK/DIRAM", {CAP(8BIT) | CAP(DEFAULT) | CAP(RETENTION),
                                     CAP(EXEC) | CAP(INTERNAL) | CAP(DMA) | CAP(32BIT), 0}},
    [SPIRAM] = {"SPIRAM", {CAP(SPIRAM) | CAP(DEFAULT), 0, CAP(8BIT) | CAP(32BIT) | CAP(SIMD)}},
    /* As esp32.c's: no DEFAULT, every INTERNAL, DMA or 8BIT request at its
     * last priority, after all other memory with those caps. */
    [DRAM_KEPT_BACK] = {"DRAM (kept back)", {0, 0, CAP(DMA) | CAP(INTERNAL) | CAP(8BIT) | CAP(32BIT)}},
};

/* SRAM1 on the instruction bus: iram = dram + 0x6F0000, for each piece. */
#define SRAM1_IBUS(dram) {CAPHEAP_ALIAS_LINEAR, (dram) + 0x6F0000u}
#define NO_ALIAS         {CAPHEAP_ALIAS_NONE, 0}
#define STACKS_START     0x3FCE9710u /* APP_USABLE_DRAM_END: the ROM stacks' start */
#define SRAM1_PIECES(heap_type, stack_type)                                                                \
    {0x3FC88000, STACKS_START - 0x3FC88000, heap_type, 0, SRAM1_IBUS(0x3FC88000)},                         \
        {STACKS_START, 0x3FCF0000 - STACKS_START, stack_type, CAPHEAP_REGION_STARTUP_STACK,                \
         SRAM1_IBUS(STACKS_START)},                                                                        \
        {0x3FCF0000, 0x8000, DRAM, 0, NO_ALIAS} /* SRAM2 below the data cache */

/* Memory protection on: SRAM1 up to the stacks is DRAM, never executable. */
static const capheap_region_t regions[] = {
    SRAM1_PIECES(DRAM, STACK_DRAM),
};

/* Memory protection off: SRAM1 up to the stacks is D/IRAM, the stacks' part STACK/DIRAM. */
static const capheap_region_t noprot_regions[] = {
    SRAM1_PIECES(DIRAM, STACK_DIRAM),
};

/* With 8 MiB of PSRAM, and 32 KiB of SRAM1's DRAM kept back below the stacks. */
#define KEPT_BACK_START (STACKS_START - 0x8000u)
static const capheap_region_t psram_regions[] = {
    {0x3C100000, 0x800000, SPIRAM, 0, NO_ALIAS},
    {0x3FC88000, KEPT_BACK_START - 0x3FC88000, DRAM, 0, SRAM1_IBUS(0x3FC88000)},
    {KEPT_BACK_START, 0x8000, DRAM_KEPT_BACK, 0, SRAM1_IBUS(KEPT_BACK_START)},
    {STACKS_START, 0x3FCF0000 - STACKS_START, STACK_DRAM, CAPHEAP_REGION_STARTUP_STACK, SRAM1_IBUS(STACKS_START)},
    {0x3FCF0000, 0x8000, DRAM, 0, NO_ALIAS},
};

static const capheap_reserved_t reserved[] = {
    {0x3FC88000, 0x3FC94000, "application IRAM code (its data-bus addresses)"},
    {0x3FC94000, 0x3FC97000, "application .data/.bss"},
    {0x3FCEEE34, 0x3FCF0000, "ROM .bss/.data (dram0_rtos_reserved_start on)"},
};

const capheap_board_t capheap_board_esp32s3 = {
    .name = "esp32s3",
    CAPHEAP_BOARD_TABLES(types, regions, reserved),
    .extmem = {0},
};

const capheap_board_t capheap_board_esp32s3_psram = {
    .name = "esp32s3-psram",
    CAPHEAP_BOARD_TABLES(types, psram_regions, reserved),
    .extmem = {.internal_below = 16384, .dma_capable = true},
    .cache = {.internal_line = 0, .external_line = 32},
};

const capheap_board_t capheap_board_esp32s3_noprot = {
    .name = "esp32s3-noprot",
    CAPHEAP_BOARD_TABLES(types, noprot_regions, reserved),
    .extmem = {0},
};
