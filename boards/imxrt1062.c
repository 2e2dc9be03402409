/*
 * imxrt1062.c: the NXP i.MX RT1062 (Cortex-M7) with the fuses' default
 * FlexRAM split and 32 MiB of SDRAM on SEMC, as on NXP's MIMXRT1060-EVK.
 *
 * Addresses are facts from NXP's "i.MX RT1060 Processor Reference Manual"
 * (IMXRT1060RM), chapter 2 "Memory Maps" (the Cortex-M7 system memory map
 * table): ITCM from 0x00000000, DTCM from 0x20000000, OCRAM2 0x20200000-
 * 0x2027FFFF (512 KiB, outside FlexRAM), the FlexRAM OCRAM from 0x20280000,
 * SEMC (SDRAM) from 0x80000000. The sizes of ITCM, DTCM and FlexRAM OCRAM
 * depend on the FlexRAM bank configuration (IMXRT1060RM chapter "FlexRAM";
 * NXP application note AN12077 "Using the i.MX RT FlexRAM", section 2.1):
 * the fuse default is 128 KiB ITCM, 128 KiB DTCM and 256 KiB OCRAM. The
 * SDRAM size is the EVK's (a board parameter: SEMC decodes far more).
 *
 * Caps:
 * - SPM: ITCM and DTCM, tightly coupled to the core and never cached.
 * - DMA: DTCM, OCRAM and SDRAM. Other bus masters (eDMA, ENET, USB) reach the
 *   TCMs through the Cortex-M7's AHB slave port (AN12077 section 2.2), and
 *   DTCM needs no cache maintenance around a transfer; OCRAM and SDRAM are
 *   behind the L1 data cache, so a driver cleans or invalidates around a
 *   transfer. ITCM is left without DMA: it is for code.
 * - EXEC: ITCM first, then OCRAM and SDRAM (the core fetches from any of
 *   them); never DTCM (the Cortex-M7 cannot fetch from its data TCM).
 * - SDRAM gets the ESP32 PSRAM's caps (SPIRAM, DEFAULT, external): malloc
 *   sends requests of 16 KiB and more there first (the extmem policy), and
 *   INTERNAL requests never land there.
 * - ITCM withholds 8BIT and DEFAULT so that byte requests and malloc's last
 *   resort (INTERNAL | 8BIT) never take instruction memory.
 * The boot ROM uses the start of OCRAM2 during boot only (AN12077 figure on
 * the ROM's memory use): free once the application runs, so not reserved.
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

/* IMXRT1060RM chapter 2 (memory map); sizes of the FlexRAM parts: the fuse
 * default (AN12077 section 2.1). OCRAM2 and the FlexRAM OCRAM touch: one heap. */
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

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const capheap_board_t capheap_board_imxrt1062 = {
    .name = "imxrt1062",
    .types = types,
    .type_count = TYPE_COUNT,
    .regions = regions,
    .region_count = COUNT(regions),
    .reserved = reserved,
    .reserved_count = COUNT(reserved),
    .extmem = {.internal_below = 16384},
};
