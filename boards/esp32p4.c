/*
 * esp32p4.c: the ESP32-P4 (two RISC-V HP cores, 768 KiB of L2 memory, 8 KiB
 * of TCM, 32 KiB of LP SRAM, PSRAM in the package) as a typical ESP-IDF
 * application sees it after start-up.
 *
 * Facts and their sources (all in espressif/esp-idf unless named; the
 * commit of each file read is given once):
 * - L2 memory (L2MEM, the HP SRAM) is 0x4FF00000-0x4FFC0000, one address on
 *   both buses, all of it reachable by DMA (components/soc/esp32p4/include/
 *   soc/soc.h at 01942e4: SOC_IRAM_*, SOC_DRAM_*, SOC_DIRAM_* and SOC_DMA_*
 *   all span it; MAP_DRAM_TO_IRAM is the identity): no instruction-bus
 *   window.
 * - Chip revision: ESP-IDF builds for v3.x chips unless
 *   CONFIG_ESP32P4_SELECTS_REV_LESS_V3 is set, which is off by default, and
 *   the minimum revision defaults to v3.1 (components/esp_hw_support/port/
 *   esp32p4/Kconfig.hw_support at 96a022a). Boards esp32p4 and esp32p4-psram
 *   are v3.x; esp32p4-rev1 is a v1.x chip (the option set).
 * - The L2 cache takes 128 KiB of L2MEM by default (components/esp_system/
 *   port/soc/esp32p4/Kconfig.cache: CACHE_L2_CACHE_128KB): on v3.x its
 *   bottom (memory.ld.in: SRAM_START = 0x4FF00000 + the cache size), on v1.x
 *   its top (sram_high ends the cache size below 0x4FFC0000).
 * - The heap layout (components/heap/port/esp32p4/memory_layout.c at
 *   01942e4) lists L2MEM from the end of the cache up to APP_USABLE_DIRAM_END
 *   (the ROM start-up stack's start less SOC_ROM_STACK_SIZE, 8 KiB) as type
 *   RETENT_RAM, and from there to the cache, or to the end, as type RAM,
 *   flagged as holding the ROM's start-up stack (a heap once the
 *   application runs). The stack starts at SOC_ROM_STACK_START_REV2,
 *   0x4FFBCFC0, on v3.x and SOC_ROM_STACK_START, 0x4FF3CFC0, on v1.x
 *   (soc.h), so APP_USABLE_DIRAM_END is 0x4FFBAFC0 or 0x4FF3AFC0.
 * - Caps by priority, the layout's: RAM has DEFAULT, 32BIT, 8BIT, INTERNAL,
 *   DMA and SIMD at the first priority; RETENT_RAM the same and RETENTION.
 *   EXEC is added only without CONFIG_ESP_SYSTEM_PMP_IDRAM_SPLIT, which is
 *   on by default (it depends on SOC_CPU_IDRAM_SPLIT_USING_PMP, which the
 *   P4 sets: components/soc/esp32p4/include/soc/soc_caps.h at 00a6f82):
 *   no heap memory is executable here. Board esp32p4-noprot is the split
 *   off: both L2 memory types, and LP SRAM's last priority, add EXEC (the
 *   layout's L2MEM and RTCRAM base caps); one address on both buses, so
 *   code runs where malloc put it.
 * - What the ROM keeps: its .bss and .data at the top of the start-up
 *   region, from dram0_rtos_reserved_start of the ROM's layout table
 *   (ESP_ROM_HAS_LAYOUT_TABLE): 0x4FF3FBA4 on v1.x and 0x4FFBFBB0 on v3.x
 *   (the ROM layout in components/bootloader/subproject/main/ld/esp32p4/
 *   bootloader.memory.ld.in, at c82e16a, whose two columns are ECO4 and
 *   earlier / later; that these are v1.x / v3.x is read from their stack
 *   addresses, which are the two revisions' above). On v1.x
 *   components/heap/port/memory_layout_utils.c leaves out [that start,
 *   SOC_DIRAM_ROM_RESERVE_HIGH = 0x4FF40000). On v3.x that constant is
 *   below the start, and how the newest sources cut the ROM's data out was
 *   not in what could be read: this board leaves out [0x4FFBFBB0,
 *   0x4FFC0000), the same rule up to the end of L2MEM.
 * - The TCM (SPM), 8 KiB at 0x30100000 (soc.h: SOC_SCP_LOW/HIGH), is a heap
 *   of type SCP: ESP-IDF's MALLOC_CAP_SCP (bit 16, earlier named
 *   MALLOC_CAP_TCM, capheap's MALLOC_CAP_SPM) first, the common caps and
 *   INTERNAL at the middle priority: malloc takes it after L2MEM. The
 *   application's TCM code and data would be reserved at its start (none in
 *   a typical one).
 * - LP SRAM, 32 KiB at 0x50108000 (soc.h: SOC_LP_RAM_LOW/HIGH), is a heap of
 *   type RTCRAM (CONFIG_ESP_SYSTEM_ALLOW_RTC_FAST_MEM_AS_HEAP, on by
 *   default): RTCRAM first, the common caps and INTERNAL last, never DMA;
 *   all 32 KiB while the ULP is off (the layout's APP_USABLE_LP_RAM_SIZE).
 *   Its reserved segment is at its start (components/esp_system/ld/esp32p4/
 *   memory.ld.in at 96a022a: lp_reserved_seg, "as the end of LP RAM is
 *   occupied by LP ROM stack/data"), RESERVE_RTC_MEM bytes: the RTC timer's
 *   24 (components/esp_system/ld/ld.common) and no bootloader reserve in a
 *   typical application. The v3.x MSPI power-up workaround's segment
 *   (CONFIG_P4_REV3_MSPI_CRASH_AFTER_POWER_UP_WORKAROUND) would come first;
 *   its default was not in the sources read, and it is taken as off.
 * - Data cache lines: internal memory goes through the L1 cache
 *   (SOC_CACHE_INTERNAL_MEM_VIA_L1CACHE), whose line is 64 bytes
 *   (components/hal/esp32p4/include/hal/cache_ll.h), and PSRAM through the
 *   L2 cache, whose line is 64 bytes with the default 128 KiB cache
 *   (Kconfig.cache). ESP-IDF aligns DMA requests to those lines
 *   (esp_heap_adjust_alignment_to_hw), so does this board: every DMA buffer
 *   is whole 64-byte lines; SIMD requests are 16-aligned.
 * - PSRAM (board esp32p4-psram): 32 MiB, as the ESP32-P4NRW32 has in its
 *   package (Espressif's ESP32-P4 product page: 16 or 32 MB). ESP-IDF maps
 *   it into its own virtual range, from 0x48000000 (soc.h: SOC_EXTRAM_LOW;
 *   memory.ld.in's extern_ram_seg; the P4's MMU has a range per target,
 *   SOC_MMU_PER_EXT_MEM_TARGET, so flash does not take its first pages) and
 *   adds it to the heap (components/esp_psram/esp_psram.c, 2015-2026 form)
 *   with SPIRAM and DEFAULT first and 8BIT, 32BIT and SIMD last: never DMA
 *   by caps, never EXEC. malloc() follows the common PSRAM Kconfig's
 *   defaults, as on the other PSRAM boards: below 16 KiB internal RAM first,
 *   larger requests PSRAM first, and 32 KiB of internal RAM kept back (here
 *   the end of RETENT_RAM). The P4's DMA reaches PSRAM
 *   (SOC_PSRAM_DMA_CAPABLE in its soc_caps.h): esp_ptr_dma_ext_capable says
 *   so of PSRAM addresses.
 *
 * The application's IRAM code and .data/.bss are those of a typical one, as
 * on the other boards: 48 KiB of IRAM code at the start of the SRAM the
 * linker gives it (after the cache on v3.x, sram_low on v1.x) and 12 KiB of
 * .data/.bss after it.
 */
#include "boards.h"

enum { RAM, RETENT_RAM, SPIRAM, SCP, RTCRAM, RAM_KEPT_BACK, TYPE_COUNT };

#define CAP(x) MALLOC_CAP_##x
#define COMMON_CAPS (CAP(DEFAULT) | CAP(32BIT) | CAP(8BIT))
#define L2MEM_CAPS  (COMMON_CAPS | CAP(INTERNAL) | CAP(DMA))

static const capheap_memory_type_t types[TYPE_COUNT] = {
    [RAM] = {"RAM", {L2MEM_CAPS | CAP(SIMD), 0, 0}},
    [RETENT_RAM] = {"RETENT_RAM", {L2MEM_CAPS | CAP(RETENTION) | CAP(SIMD), 0, 0}},
    [SPIRAM] = {"SPIRAM", {CAP(SPIRAM) | CAP(DEFAULT), 0, CAP(8BIT) | CAP(32BIT) | CAP(SIMD)}},
    [SCP] = {"SCP", {CAP(SPM), COMMON_CAPS | CAP(INTERNAL), 0}},
    [RTCRAM] = {"RTCRAM", {CAP(RTCRAM), 0, COMMON_CAPS | CAP(INTERNAL)}},
    /* As esp32.c's: no DEFAULT, every INTERNAL, DMA or 8BIT request at its
     * last priority, after all other memory with those caps. */
    [RAM_KEPT_BACK] = {"RAM (kept back)", {0, 0, CAP(DMA) | CAP(INTERNAL) | CAP(8BIT) | CAP(32BIT)}},
};

/* CONFIG_ESP_SYSTEM_PMP_IDRAM_SPLIT off. */
static const capheap_memory_type_t noprot_types[TYPE_COUNT] = {
    [RAM] = {"RAM", {L2MEM_CAPS | CAP(EXEC) | CAP(SIMD), 0, 0}},
    [RETENT_RAM] = {"RETENT_RAM", {L2MEM_CAPS | CAP(EXEC) | CAP(RETENTION) | CAP(SIMD), 0, 0}},
    [SPIRAM] = {"SPIRAM", {CAP(SPIRAM) | CAP(DEFAULT), 0, CAP(8BIT) | CAP(32BIT) | CAP(SIMD)}},
    [SCP] = {"SCP", {CAP(SPM), COMMON_CAPS | CAP(INTERNAL), 0}},
    [RTCRAM] = {"RTCRAM", {CAP(RTCRAM), 0, COMMON_CAPS | CAP(INTERNAL) | CAP(EXEC)}},
    [RAM_KEPT_BACK] = {"RAM (kept back)", {0, 0, CAP(DMA) | CAP(INTERNAL) | CAP(8BIT) | CAP(32BIT)}},
};

#define NO_ALIAS {CAPHEAP_ALIAS_NONE, 0}

/* v3.x: the cache below, the ROM's stacks and data at the top. */
#define V3_SRAM_START  0x4FF20000u /* 0x4FF00000 + the 128 KiB cache */
#define V3_STACK_START 0x4FFBAFC0u /* APP_USABLE_DIRAM_END */
#define V3_SRAM_END    0x4FFC0000u
#define KEPT_BACK_START (V3_STACK_START - 0x8000u)

#define TCM_REGION {0x30100000, 0x2000, SCP, 0, NO_ALIAS}
#define LP_REGION  {0x50108000, 0x8000, RTCRAM, 0, NO_ALIAS}

static const capheap_region_t regions[] = {
    TCM_REGION,
    {V3_SRAM_START, V3_STACK_START - V3_SRAM_START, RETENT_RAM, 0, NO_ALIAS},
    {V3_STACK_START, V3_SRAM_END - V3_STACK_START, RAM, CAPHEAP_REGION_STARTUP_STACK, NO_ALIAS},
    LP_REGION,
};

static const capheap_region_t psram_regions[] = {
    TCM_REGION,
    {0x48000000, 0x2000000, SPIRAM, 0, NO_ALIAS},
    {V3_SRAM_START, KEPT_BACK_START - V3_SRAM_START, RETENT_RAM, 0, NO_ALIAS},
    {KEPT_BACK_START, 0x8000, RAM_KEPT_BACK, 0, NO_ALIAS},
    {V3_STACK_START, V3_SRAM_END - V3_STACK_START, RAM, CAPHEAP_REGION_STARTUP_STACK, NO_ALIAS},
    LP_REGION,
};

#define LP_RESERVED {0x50108000, 0x50108018, "LP SRAM reserved segment (RTC timer data)"}

static const capheap_reserved_t reserved[] = {
    {V3_SRAM_START, V3_SRAM_START + 0xC000, "application IRAM code"},
    {V3_SRAM_START + 0xC000, V3_SRAM_START + 0xF000, "application .data/.bss"},
    {0x4FFBFBB0, V3_SRAM_END, "ROM .bss/.data"},
    LP_RESERVED,
};

/* v1.x: SRAM from 0x4FF00000, the ROM's stacks and data below 0x4FF40000,
 * the cache at the top. */
#define V1_SRAM_START  0x4FF00000u
#define V1_STACK_START 0x4FF3AFC0u /* APP_USABLE_DIRAM_END */
#define V1_SRAM_END    0x4FFA0000u /* 0x4FFC0000 less the 128 KiB cache */

static const capheap_region_t rev1_regions[] = {
    TCM_REGION,
    {V1_SRAM_START, V1_STACK_START - V1_SRAM_START, RETENT_RAM, 0, NO_ALIAS},
    {V1_STACK_START, V1_SRAM_END - V1_STACK_START, RAM, CAPHEAP_REGION_STARTUP_STACK, NO_ALIAS},
    LP_REGION,
};

static const capheap_reserved_t rev1_reserved[] = {
    {V1_SRAM_START, V1_SRAM_START + 0xC000, "application IRAM code"},
    {V1_SRAM_START + 0xC000, V1_SRAM_START + 0xF000, "application .data/.bss"},
    {0x4FF3FBA4, 0x4FF40000, "ROM .bss/.data"},
    LP_RESERVED,
};

#define P4_CACHE_LINES {.internal_line = 64, .external_line = 64}

const capheap_board_t capheap_board_esp32p4 = {
    .name = "esp32p4",
    CAPHEAP_BOARD_TABLES(types, regions, reserved),
    .extmem = {0},
    .cache = P4_CACHE_LINES,
};

const capheap_board_t capheap_board_esp32p4_psram = {
    .name = "esp32p4-psram",
    CAPHEAP_BOARD_TABLES(types, psram_regions, reserved),
    .extmem = {.internal_below = 16384, .dma_capable = true},
    .cache = P4_CACHE_LINES,
};

const capheap_board_t capheap_board_esp32p4_noprot = {
    .name = "esp32p4-noprot",
    CAPHEAP_BOARD_TABLES(noprot_types, regions, reserved),
    .extmem = {0},
    .cache = P4_CACHE_LINES,
};

const capheap_board_t capheap_board_esp32p4_rev1 = {
    .name = "esp32p4-rev1",
    CAPHEAP_BOARD_TABLES(types, rev1_regions, rev1_reserved),
    .extmem = {0},
    .cache = P4_CACHE_LINES,
};
