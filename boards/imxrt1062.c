/*
 * imxrt1062.c: the NXP i.MX RT1062 (Cortex-M7) with the fuses' default
 * FlexRAM split and 32 MiB of SDRAM on SEMC, as on NXP's MIMXRT1060-EVK.
 *
 * The reference manual is NXP's IMXRT1060RM (chapter 2, memory maps); its
 * text was not at hand when these facts were checked, so each one cites what
 * was seen instead:
 * - ITCM 0x00000000 and DTCM 0x20000000, 128 KiB each, and OCRAM
 *   0x20200000-0x202BFFFF as one 768 KiB range: NXP's MCUXpresso SDK linker
 *   script devices/MIMXRT1062/gcc/MIMXRT1062xxxxx_flexspi_nor.ld (m_qacode,
 *   m_data, m_data2), which is written for the fuse-default FlexRAM split.
 * - That range is OCRAM2 (512 KiB, 0x20200000, outside FlexRAM) followed by
 *   the FlexRAM OCRAM (256 KiB from 0x20280000): NXP's community article
 *   "Reallocating the FlexRAM" (RT106x: 512 KiB FlexRAM plus 512 KiB OCRAM
 *   that cannot be reallocated) and NXP support's answers in the community
 *   threads "Where is the OCRAM (FlexRAM) in the i.MX RT 1060?" and "RT1064
 *   code placement in OCRAM2". Reconfiguring FlexRAM is NXP application note
 *   AN12077 "Using the i.MX RT FlexRAM" (section 2.1 "FlexRAM
 *   configuration"); other splits need another board.
 * - SDRAM on SEMC 0x80000000-0x81FFFFFF (32 MiB, the EVK's part; a board
 *   parameter, SEMC decodes more): the SDK's MIMXRT1062xxxxx_sdram.ld
 *   (m_data and m_ncache end at 0x82000000).
 *
 * Caps:
 * - SPM: ITCM and DTCM, tightly coupled to the core and never cached (Arm
 *   Cortex-M7 TRM, DDI 0489F, 5.1 "About the memory system": accesses in an
 *   enabled TCM region go to the TCM, the rest to the L1 caches).
 * - DMA: DTCM, OCRAM and SDRAM. Other bus masters reach the Cortex-M7's TCMs
 *   through its AHB slave port (AHBS); NXP's own SDK relies on it for DTCM:
 *   MIMXRT1062xxxxx_flexspi_nor.ld puts the NonCacheable sections (eDMA and
 *   driver buffers) and the m_usb_dma_* sections in m_data, i.e. DTCM. DTCM
 *   needs no cache maintenance around a transfer; OCRAM and SDRAM are
 *   cacheable in the default memory map (Cortex-M7 Devices Generic User
 *   Guide, DUI 0646C, 2.2.3), so a driver cleans or invalidates around a
 *   transfer. ITCM is left without DMA: it is for code.
 * - EXEC: ITCM first, then OCRAM and SDRAM: the SRAM and external RAM regions
 *   are executable in the default memory map (DUI 0646C 2.2.3). The
 *   Cortex-M7 could fetch from DTCM too (DDI 0489F 5.1: the TCMs are
 *   "accessible to both the instruction and data sides"; the NXP community
 *   thread "mimxrt1024-EVK flash and boot" loads NXP's flashloader into DTCM
 *   at 0x20000000 and runs it there, on the RT1020): leaving EXEC off DTCM is
 *   this board's choice, so that code never takes the fastest data memory.
 * - SDRAM gets the ESP32 PSRAM's caps (SPIRAM, DEFAULT, external): malloc
 *   sends requests of 16 KiB and more there first (the extmem policy), and
 *   INTERNAL requests never land there.
 * - ITCM withholds 8BIT and DEFAULT so that byte requests and malloc's last
 *   resort (INTERNAL | 8BIT) never take instruction memory.
 * The boot ROM uses the start of OCRAM2 during boot only (NXP support in
 * "RT1064 code placement in OCRAM2": the ROM uses 0x20200000-0x20207FFF while
 * booting, keep 64 KiB free then; the RT1064 is the RT1062 with flash in the
 * package): free once the application runs, so not reserved.
 */
#include "boards.h"

enum { ITCM, DTCM, OCRAM, SDRAM, TYPE_COUNT };

#define CAP(x) MALLOC_CAP_##x

static const capheap_memory_type_t types[TYPE_COUNT] = {
    [ITCM] = {"ITCM", {CAP(SPM) | CAP(EXEC), CAP(INTERNAL) | CAP(32BIT), 0}},
    [DTCM] = {"DTCM", {CAP(SPM) | CAP(8BIT) | CAP(DEFAULT), CAP(INTERNAL) | CAP(DMA) | CAP(32BIT), 0}},
    [OCRAM] = {"OCRAM", {CAP(8BIT) | CAP(DEFAULT), CAP(INTERNAL) | CAP(DMA) | CAP(32BIT), CAP(EXEC)}},
    [SDRAM] = {"SDRAM (SEMC)", {CAP(SPIRAM) | CAP(DEFAULT), 0, CAP(8BIT) | CAP(32BIT) | CAP(DMA) | CAP(EXEC)}},
};

#define NO_ALIAS {CAPHEAP_ALIAS_NONE, 0}

/* The SDK linker scripts' map (see the top of the file); the FlexRAM parts at
 * the fuse default. OCRAM2 and the FlexRAM OCRAM touch: one heap. */
static const capheap_region_t regions[] = {
    {0x00000000, 0x20000, ITCM, 0, NO_ALIAS},    /* ITCM (FlexRAM), 128 KiB */
    {0x20000000, 0x20000, DTCM, 0, NO_ALIAS},    /* DTCM (FlexRAM), 128 KiB */
    {0x20200000, 0x80000, OCRAM, 0, NO_ALIAS},   /* OCRAM2, 512 KiB */
    {0x20280000, 0x40000, OCRAM, 0, NO_ALIAS},   /* OCRAM (FlexRAM), 256 KiB */
    {0x80000000, 0x2000000, SDRAM, 0, NO_ALIAS}, /* SDRAM on SEMC, 32 MiB (EVK) */
};

/* A typical application; sizes are board parameters. The ITCM piece also
 * keeps address 0 (NULL) out of every heap. */
static const capheap_reserved_t reserved[] = {
    {0x00000000, 0x00002000, "code placed in ITCM (typical 8 KiB)"},
    {0x20000000, 0x20008000, "application .data/.bss (typical 32 KiB)"},
    {0x2001E000, 0x20020000, "main stack (typical 8 KiB)"},
};

/* The Cortex-M7's data cache lines are 8 words, 32 bytes (Cortex-M7 Devices
 * Generic User Guide, DUI 0646C, 4.5.2 "Cache Type Register": the smallest
 * data cache line and the cache writeback granule), in front of OCRAM and
 * SDRAM: DMA requests get whole lines, so that cleaning or invalidating a
 * buffer never touches a neighbour's data (DTCM, not cached, gets them too:
 * a few bytes more, not a fault). */
const capheap_board_t capheap_board_imxrt1062 = {
    .name = "imxrt1062",
    CAPHEAP_BOARD_TABLES(types, regions, reserved),
    /* The eDMA reaches SDRAM through SEMC (the DMA cap above): the memory
     * queries say so (esp_ptr_dma_ext_capable). */
    .extmem = {.internal_below = 16384, .dma_capable = true},
    .cache = {.internal_line = 32, .external_line = 32},
};
