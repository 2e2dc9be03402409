/*
 * stm32f407.c: the STM32F405/407 (Cortex-M4F) as a typical application sees
 * it. The chip's RAM is four memories with different reach, the classic
 * trap being the CCM RAM, which no DMA can reach.
 *
 * Facts, from ST's reference manual RM0090 (STM32F405/415, F407/417,
 * F427/437, F429/439), section 2 "Memory and bus architecture", as quoted
 * in a reading of it seen here:
 * - 2.1 "System architecture": the bus matrix connects the masters (the
 *   Cortex-M4's I-, D- and S-bus, the DMA1 and DMA2 memory buses, the DMA2
 *   peripheral bus, the Ethernet and USB OTG HS DMAs) to the slaves, among
 *   them "Main internal SRAM1 (112 KB)" and "Auxiliary internal SRAM2
 *   (16 KB)"; "The 64-Kbyte CCM (core coupled memory) data RAM is not part of
 *   the bus matrix and can be accessed only through the CPU", on its D-bus.
 * - 2.3 "Memory map": SRAM1 at 0x2000 0000-0x2001 BFFF, SRAM2 right after it
 *   at 0x2001 C000-0x2001 FFFF (one address range, two memories), CCM data
 *   RAM at 0x1000 0000-0x1000 FFFF, backup SRAM (BKPSRAM) 4 KB at
 *   0x4002 4000-0x4002 4FFF among the AHB1 peripherals.
 * - Section 5 "Power controller (PWR)", battery backup domain, and the
 *   STM32F405xx/407xx datasheet (DS8626, "Backup SRAM"): the 4 KB backup
 *   SRAM is disabled by default and keeps its contents in Standby and VBAT
 *   modes when the backup regulator is on (PWR_CSR.BRE); it needs its clock
 *   (RCC_AHB1ENR.BKPSRAMEN) and backup-domain write access (PWR_CR.DBP)
 *   first. Seen quoted in ST community threads on the backup SRAM (HAL's
 *   HAL_PWREx_EnableBkUpReg setting BRE); the manual's own pages were not.
 *
 * How those facts become caps:
 * - DMA: SRAM1 and SRAM2, the bus-matrix memories. Never the CCM RAM: a DMA
 *   transfer to or from it ends in a transfer error, the bug this board's
 *   caps rule out. DMA requests take SRAM2 first: a slave of the bus matrix
 *   of its own, so that DMA traffic there leaves SRAM1 to the CPU. Backup
 *   SRAM is left out of DMA (a choice: it is for what must survive a reset).
 * - EXEC: SRAM1 and SRAM2, in the Cortex-M4's executable SRAM region
 *   (0x2000 0000-0x3FFF FFFF; Cortex-M4 Devices Generic User Guide, DUI 0553,
 *   2.2.3 "Behavior of memory accesses"), last in priority. Not the CCM RAM,
 *   on the D-bus only (no instruction fetch); not the backup SRAM, in the
 *   peripheral region, which is execute-never.
 * - SPM: the CCM RAM, the core's own memory (single-cycle, no bus-matrix
 *   contention). Every other cap in its last priority: plain malloc (and any
 *   8BIT or 32BIT request) takes SRAM1 and SRAM2 first, so that a buffer from
 *   malloc handed to a DMA works while SRAM has room, and the CCM RAM once
 *   SRAM is full; then, for requests without DEFAULT, the backup SRAM.
 * - RETENTION: the 4 KiB backup SRAM. capheap_init writes the heap's control
 *   data into it: the firmware enables its clock and write access first.
 * No data cache: the Cortex-M4 has none (the ART accelerator caches flash
 * only), so no cache line is asked of DMA requests.
 */
#include "boards.h"

enum { SRAM1, SRAM2, CCM, BACKUP_SRAM, TYPE_COUNT };

#define CAP(x) MALLOC_CAP_##x

static const capheap_memory_type_t types[TYPE_COUNT] = {
    [SRAM1] = {"SRAM1", {CAP(8BIT) | CAP(DEFAULT), CAP(INTERNAL) | CAP(DMA) | CAP(32BIT), CAP(EXEC)}},
    /* Its own bus-matrix slave: DMA requests take it first. */
    [SRAM2] = {"SRAM2", {CAP(DMA), CAP(8BIT) | CAP(INTERNAL) | CAP(32BIT) | CAP(DEFAULT), CAP(EXEC)}},
    /* CPU only: no DMA, no code. Every cap of a general request at the last
     * priority: at priority 1 beside SRAM2's, the CCM RAM, lower in the
     * address map, came first (malloc filled it before SRAM2). */
    [CCM] = {"CCM data RAM", {CAP(SPM), 0, CAP(8BIT) | CAP(INTERNAL) | CAP(32BIT) | CAP(DEFAULT)}},
    /* Last of all, after the CCM RAM, for requests that name no DEFAULT. */
    [BACKUP_SRAM] = {"backup SRAM", {CAP(RETENTION), 0, CAP(8BIT) | CAP(INTERNAL) | CAP(32BIT)}},
};

#define NO_ALIAS {CAPHEAP_ALIAS_NONE, 0}

/* RM0090, 2.3 "Memory map"; see the top of the file. */
static const capheap_region_t regions[] = {
    {0x10000000, 0x10000, CCM, 0, NO_ALIAS},        /* CCM data RAM, 64 KiB */
    {0x20000000, 0x1C000, SRAM1, 0, NO_ALIAS},      /* SRAM1, 112 KiB */
    {0x2001C000, 0x4000, SRAM2, 0, NO_ALIAS},       /* SRAM2, 16 KiB */
    {0x40024000, 0x1000, BACKUP_SRAM, 0, NO_ALIAS}, /* backup SRAM, 4 KiB */
};

/* A typical application (ST's project templates: .data and .bss at the
 * start of SRAM1, the main stack at the end of SRAM2, CCM RAM unused); the
 * sizes are board parameters, not facts of the chip. */
static const capheap_reserved_t reserved[] = {
    {0x20000000, 0x20004000, "application .data/.bss (typical 16 KiB)"},
    {0x2001F000, 0x20020000, "main stack (typical 4 KiB)"},
};

const capheap_board_t capheap_board_stm32f407 = {
    .name = "stm32f407",
    CAPHEAP_BOARD_TABLES(types, regions, reserved),
    .extmem = {0},
    .cache = {.internal_line = 0, .external_line = 0},
};
