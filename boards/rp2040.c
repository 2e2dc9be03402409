/*
 * rp2040.c: the Raspberry Pi RP2040 (two Cortex-M0+) as a typical pico-sdk
 * application sees it.
 *
 * Addresses and sizes are facts from the RP2040 Datasheet (Raspberry Pi Ltd),
 * section 2.2 "Address Map" and section 2.6.2 "SRAM" (2.5.2 in the first
 * releases): 264 KiB in six banks; SRAM0-3 (4 x 64 KiB) word-striped at
 * 0x20000000-0x2003FFFF; SRAM4 at 0x20040000 and SRAM5 at 0x20041000, 4 KiB
 * each, mapped directly to one bank. The pico-sdk's generated
 * hardware/regs/addressmap.h (src/rp2040/hardware_regs) has the same numbers:
 * SRAM_STRIPED_BASE 0x20000000, SRAM_STRIPED_END 0x20040000, SRAM4_BASE
 * 0x20040000, SRAM5_BASE 0x20041000, SRAM_END 0x20042000. The non-striped
 * mirror of SRAM0-3 at 0x21000000 (SRAM0_BASE) is the same memory: it is no
 * region here (a heap there would hand out the striped heap's bytes twice).
 *
 * Caps:
 * - DMA and EXEC everywhere: the datasheet's section 2.6.2 sets no
 *   restriction on what each bank holds ("processor code, data buffers, or a
 *   mixture"), and the DMA's read and write ports are masters on the same
 *   AHB-Lite crossbar as both cores, with a port for each of SRAM0-5
 *   (section 2.1 "Bus Fabric").
 * - SPM for SRAM4/SRAM5, the pico-sdk's SCRATCH_X and SCRATCH_Y: section
 *   2.6.2 suggests them for per-core use (stack, frequently executed code) so
 *   that a core never stalls on them, provided nothing else uses the bank.
 *   Plain malloc reaches them last.
 * - The pico-sdk's default linker script (src/rp2_common/pico_standard_link/
 *   memmap_default.ld) puts core 0's stack at the top of SRAM5 (SCRATCH_Y)
 *   and core 1's at the top of SRAM4 (SCRATCH_X), PICO_STACK_SIZE each,
 *   0x800 = 2 KiB by default: reserved below. .data/.bss size is a board
 *   parameter.
 *
 * Both cores sharing these heaps need a lock that is one of the chip's
 * hardware spinlocks: ports/baremetal built with CAPHEAP_BAREMETAL_SMP and
 * CAPHEAP_BAREMETAL_HW_SPINLOCK=rp2040 (its README).
 */
#include "boards.h"

enum { SRAM, SCRATCH, TYPE_COUNT };

#define CAP(x) MALLOC_CAP_##x

static const capheap_memory_type_t types[TYPE_COUNT] = {
    [SRAM] = {"SRAM0-3 (striped)", {CAP(8BIT) | CAP(DEFAULT), CAP(INTERNAL) | CAP(DMA) | CAP(32BIT), CAP(EXEC)}},
    [SCRATCH] = {"SRAM4/5 (scratch)",
                 {CAP(SPM), CAP(INTERNAL) | CAP(DMA) | CAP(8BIT) | CAP(32BIT), CAP(DEFAULT) | CAP(EXEC)}},
};

#define NO_ALIAS {CAPHEAP_ALIAS_NONE, 0}

/* RP2040 Datasheet, sections 2.2 and 2.6.2; addressmap.h. SRAM4 and SRAM5
 * touch and share a type: they merge, and the stacks cut them apart again. */
static const capheap_region_t regions[] = {
    {0x20000000, 0x40000, SRAM, 0, NO_ALIAS},  /* SRAM0-3, striped, 256 KiB */
    {0x20040000, 0x1000, SCRATCH, 0, NO_ALIAS}, /* SRAM4 (SCRATCH_X), 4 KiB */
    {0x20041000, 0x1000, SCRATCH, 0, NO_ALIAS}, /* SRAM5 (SCRATCH_Y), 4 KiB */
};

static const capheap_reserved_t reserved[] = {
    {0x20000000, 0x20004000, "application .data/.bss (typical 16 KiB)"},
    {0x20040800, 0x20041000, "core 1 stack (pico-sdk default, 2 KiB)"},
    {0x20041800, 0x20042000, "core 0 stack (pico-sdk default, 2 KiB)"},
};

const capheap_board_t capheap_board_rp2040 = {
    .name = "rp2040",
    CAPHEAP_BOARD_TABLES(types, regions, reserved),
    .extmem = {0},
};
