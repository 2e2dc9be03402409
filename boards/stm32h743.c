/*
 * stm32h743.c: the STM32H743/753 (Cortex-M7) as a typical application sees it.
 *
 * The reference manual is ST's RM0433; its text was not at hand when these
 * facts were checked, so each one cites what was seen instead:
 * - Addresses and sizes: ST's CMSIS device header stm32h743xx.h
 *   (STMicroelectronics/cmsis_device_h7), "Peripheral_memory_map":
 *   D1_ITCMRAM_BASE 0x00000000 "64KB", D1_DTCMRAM_BASE 0x20000000 "128KB",
 *   D1_AXISRAM_BASE 0x24000000 "up to 512KB", D2_AHBSRAM_BASE 0x30000000
 *   "up to 288KB", D3_SRAM_BASE 0x38000000 "64 KB", D3_BKPSRAM_BASE
 *   0x38800000 "4 KB". The header gives D2 as one 288 KiB block; its split
 *   into SRAM1 128 KiB at 0x30000000, SRAM2 128 KiB at 0x30020000 and SRAM3
 *   32 KiB at 0x30040000 is from Zephyr's dts/arm/st/h7/stm32h743.dtsi
 *   (sram1, sram2, sram3 nodes), which adds up to the header's 288 KiB.
 * - Which bus master reaches which memory: ST's knowledge-base article "FAQ:
 *   DMA is not working on STM32H7 devices" (ST community): DMA1/DMA2 (D2)
 *   "can access almost all memories with exception of ITCM and DTCM"; D1 and
 *   D2 can both access D3; BDMA (D3) "can access only SRAM4 and backup SRAM";
 *   MDMA (D1) can access all memories, including ITCM/DTCM. RM0433's own
 *   bus-master-to-bus-slave table was not seen.
 *
 * How those facts become caps:
 * - DMA: reachable by the general-purpose DMA1/DMA2 (what a peripheral driver
 *   uses). Never the TCMs: a DMA buffer in DTCM is the classic H7 bug this
 *   board's caps rule out. Backup SRAM is in D3 and so reachable (the FAQ
 *   above); it has DMA in its last priority, after SRAM4, so DMA requests
 *   take its 4 KiB only when nothing else is left.
 * - SPM: tightly coupled to the core (ITCM, DTCM): no cache lookup (Arm
 *   Cortex-M7 TRM, DDI 0489F, 5.1 "About the memory system": accesses in an
 *   enabled TCM region go to the TCM, the rest to the L1 caches).
 * - EXEC: code may run there. The SRAM region 0x20000000-0x3FFFFFFF is
 *   executable in the default memory map (Cortex-M7 Devices Generic User
 *   Guide, DUI 0646C, 2.2.3 "Behavior of memory accesses"), and ITCM is the
 *   core's instruction TCM. The Cortex-M7 could fetch from DTCM too (DDI 0489F
 *   5.1: the TCMs are "accessible to both the instruction and data sides"):
 *   leaving EXEC off DTCM, SRAM4 and backup SRAM is this board's choice, so
 *   that code never takes the fastest data memory or the D3 memory, not a
 *   limit of the chip. EXEC sits in the last priority of the SRAMs so code
 *   goes to ITCM first.
 * - RETENTION: the 4 KiB backup SRAM. It keeps its contents in Standby and on
 *   VBAT only with the backup regulator on (PWR_CR2.BREN, after backup-domain
 *   write access PWR_CR1.DBP); it also needs its clock (BKPRAMEN) before use.
 *   Seen in the ST community thread "STM32H743: Backup RAM not saved" (DBP,
 *   BREN and the BKPRAM clock) and in ST's wording for the backup regulator
 *   bit as other STM32 families' manuals and LL headers give it ("used to
 *   maintain backup SRAM content in Standby and VBAT modes ... If BRE is
 *   reset ... its content will be lost"); RM0433's own text was not seen.
 * - ITCM withholds 8BIT (the core could byte-access it) and DEFAULT, so malloc
 *   and byte requests never take instruction memory.
 * BDMA buffers must be in SRAM4 or backup SRAM: no cap names "reachable by
 * BDMA", so ask for them with heap_caps_add_region or a section of the linker
 * script (or RETENTION | DMA for backup SRAM).
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
    /* Reached by DMA1/DMA2 too, but DMA requests take it last. */
    [BACKUP_SRAM] = {"backup SRAM", {CAP(RETENTION), CAP(8BIT) | CAP(INTERNAL) | CAP(32BIT), CAP(DMA)}},
};

#define NO_ALIAS {CAPHEAP_ALIAS_NONE, 0}

/* stm32h743xx.h (Peripheral_memory_map) and Zephyr's stm32h743.dtsi for the
 * SRAM1-3 split; see the top of the file. */
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

/* The Cortex-M7's data cache lines are 8 words, 32 bytes (Cortex-M7 Devices
 * Generic User Guide, DUI 0646C, 4.5.2 "Cache Type Register": the smallest
 * data cache line and the cache writeback granule), in front of the AXI
 * SRAM and the D2/D3 SRAMs: DMA requests get whole lines, so that cleaning
 * or invalidating a buffer never touches a neighbour's data, the other
 * classic H7 DMA bug. */
const capheap_board_t capheap_board_stm32h743 = {
    .name = "stm32h743",
    CAPHEAP_BOARD_TABLES(types, regions, reserved),
    .extmem = {0},
    .cache = {.internal_line = 32, .external_line = 0},
};
