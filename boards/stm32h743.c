/*
 * stm32h743.c: the STM32H743/753 (Cortex-M7) as a typical application sees it.
 *
 * Addresses and sizes are facts from ST's reference manual RM0433
 * ("STM32H742, STM32H743/753 and STM32H750 Value line advanced Arm-based
 * 32-bit MCUs"): section 2.3 "Memory organization" (the memory map figure of
 * 2.3.2 and the register boundary table) and section 2.4 "Embedded SRAM".
 * Which bus master reaches which memory is from section 2.1 "System
 * architecture" (the bus matrix figure and the bus-master-to-bus-slave
 * interconnect table): the Cortex-M7 reaches everything; MDMA (D1) reaches the
 * TCMs through the core's AHBS port; DMA1/DMA2 (D2) reach AXI SRAM, SRAM1-3
 * and SRAM4 but not the TCMs; BDMA (D3) reaches only D3 memory (SRAM4).
 *
 * How those facts become caps:
 * - DMA: reachable by the general-purpose DMA1/DMA2 (what a peripheral driver
 *   uses). Never the TCMs: a DMA buffer in DTCM is the classic H7 bug this
 *   board's caps rule out.
 * - SPM: tightly coupled to the core (ITCM, DTCM): zero wait states, no cache.
 * - EXEC: code may run there. The Cortex-M7 fetches from ITCM and, through
 *   AXIM, from the SRAM region; it cannot fetch from DTCM (Cortex-M7 TRM,
 *   "Tightly Coupled Memory"). EXEC sits in the last priority of the SRAMs so
 *   code goes to ITCM first.
 * - RETENTION: the 4 KiB backup SRAM keeps its contents in Standby and on
 *   VBAT (RM0433 section 2.4, backup SRAM; it needs its clock and the backup
 *   domain write access, PWR_CR1.DBP, before use).
 * - ITCM withholds 8BIT (the core could byte-access it) and DEFAULT, so malloc
 *   and byte requests never take instruction memory.
 * BDMA buffers must be in SRAM4: no cap names "reachable by BDMA", so ask for
 * them with heap_caps_add_region or a section of the linker script.
 */
#include "boards.h"

enum { ITCM, DTCM, AXI_SRAM, D2_SRAM, D3_SRAM4, BACKUP_SRAM, TYPE_COUNT };

#define CAP(x) MALLOC_CAP_##x

static const capheap_memory_type_t types[TYPE_COUNT] = {
    [ITCM] = {"ITCM", {CAP(SPM) | CAP(EXEC), CAP(INTERNAL) | CAP(32BIT), 0}},
    /* Fastest data memory: plain malloc takes it first. */
    [DTCM] = {"DTCM", {CAP(SPM) | CAP(8BIT) | CAP(DEFAULT), CAP(INTERNAL) | CAP(32BIT), 0}},
    [AXI_SRAM] = {"AXI SRAM", {CAP(8BIT) | CAP(DEFAULT), CAP(INTERNAL) | CAP(DMA) | CAP(32BIT), CAP(EXEC)}},
    /* In the DMA1/DMA2 domain: DMA requests take it first. */
    [D2_SRAM] = {"SRAM1-3 (D2)", {CAP(DMA), CAP(8BIT) | CAP(INTERNAL) | CAP(32BIT) | CAP(DEFAULT), CAP(EXEC)}},
    /* Kept for BDMA and the D3 domain: everything else reaches it last. */
    [D3_SRAM4] = {"SRAM4 (D3)", {0, 0, CAP(DMA) | CAP(8BIT) | CAP(INTERNAL) | CAP(32BIT) | CAP(DEFAULT)}},
    [BACKUP_SRAM] = {"backup SRAM", {CAP(RETENTION), CAP(8BIT) | CAP(INTERNAL) | CAP(32BIT), 0}},
};

#define NO_ALIAS {CAPHEAP_ALIAS_NONE, 0}

/* RM0433 section 2.3.2 (memory map) and 2.4 (embedded SRAM). */
static const capheap_region_t regions[] = {
    {0x00000000, 0x10000, ITCM, 0, NO_ALIAS},      /* ITCM-RAM, 64 KiB */
    {0x20000000, 0x20000, DTCM, 0, NO_ALIAS},      /* DTCM-RAM, 128 KiB */
    {0x24000000, 0x80000, AXI_SRAM, 0, NO_ALIAS},  /* AXI SRAM (D1), 512 KiB */
    {0x30000000, 0x20000, D2_SRAM, 0, NO_ALIAS},   /* SRAM1 (D2), 128 KiB */
    {0x30020000, 0x20000, D2_SRAM, 0, NO_ALIAS},   /* SRAM2 (D2), 128 KiB */
    {0x30040000, 0x8000, D2_SRAM, 0, NO_ALIAS},    /* SRAM3 (D2), 32 KiB */
    {0x38000000, 0x10000, D3_SRAM4, 0, NO_ALIAS},  /* SRAM4 (D3), 64 KiB */
    {0x38800000, 0x1000, BACKUP_SRAM, 0, NO_ALIAS}, /* backup SRAM, 4 KiB */
};

/* A typical application (ST's project templates put .data, .bss and the stack
 * in DTCM); the sizes are board parameters, not facts of the chip. The ITCM
 * piece also keeps address 0 (NULL) out of every heap. */
static const capheap_reserved_t reserved[] = {
    {0x00000000, 0x00004000, "code placed in ITCM (typical 16 KiB)"},
    {0x20000000, 0x20004000, "application .data/.bss (typical 16 KiB)"},
    {0x2001E000, 0x20020000, "main stack (typical 8 KiB)"},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const capheap_board_t capheap_board_stm32h743 = {
    .name = "stm32h743",
    .types = types,
    .type_count = TYPE_COUNT,
    .regions = regions,
    .region_count = COUNT(regions),
    .reserved = reserved,
    .reserved_count = COUNT(reserved),
    .extmem = {0},
};
