/*
 * qemu_mps2_an385.c: the board the target tests run on: QEMU's mps2-an385
 * (Cortex-M3; the same memory map on mps2-an386, Cortex-M4).
 *
 * THE CAPS ARE A TEST MODEL, NOT A FACT OF THE SILICON. QEMU emulates plain
 * RAM at 0x21000000-0x21FFFFFF (16 MiB; see the QEMU notes, the 4 MiB at
 * 0x20000000 are followed by an alias and a hole and are avoided). Nothing in
 * it is tightly coupled, external or out of a DMA's reach. This board carves
 * it into three memory types that behave like a chip's, so that caps
 * selection, priorities, malloc's external-RAM policy and free from any heap
 * run on the target's own instruction set:
 *
 *   0x21000000-0x213FFFFF  "SRAM (DMA)"    internal, DMA-capable, malloc's first
 *   0x21400000-0x214FFFFF  "TCM"           SPM and EXEC, malloc's second choice
 *   0x21800000-0x21BFFFFF  "external-like" ESP32 PSRAM's caps (SPIRAM, DEFAULT)
 *
 * The first 1 MiB of the SRAM holds the test program's .data/.bss (the
 * linker script puts them at 0x21000000; the tests check they fit). The top
 * 4 MiB, where the stack grows down from 0x22000000, belong to no heap.
 * malloc() sends requests of 16 KiB and more to the external-like RAM first,
 * as esp32-psram does.
 */
#include "boards.h"

enum { SRAM, TCM, EXTERNAL, TYPE_COUNT };

#define CAP(x) MALLOC_CAP_##x

static const capheap_memory_type_t types[TYPE_COUNT] = {
    [SRAM] = {"SRAM (DMA)", {CAP(8BIT) | CAP(DEFAULT), CAP(INTERNAL) | CAP(DMA) | CAP(32BIT), 0}},
    /* DEFAULT in the last priority: plain malloc gets here once SRAM is full. */
    [TCM] = {"TCM", {CAP(SPM) | CAP(EXEC), CAP(INTERNAL) | CAP(8BIT) | CAP(32BIT), CAP(DEFAULT)}},
    [EXTERNAL] = {"external-like", {CAP(SPIRAM) | CAP(DEFAULT), 0, CAP(8BIT) | CAP(32BIT)}},
};

#define NO_ALIAS {CAPHEAP_ALIAS_NONE, 0}

static const capheap_region_t regions[] = {
    {0x21000000, 0x400000, SRAM, 0, NO_ALIAS},
    {0x21400000, 0x100000, TCM, 0, NO_ALIAS},
    {0x21800000, 0x400000, EXTERNAL, 0, NO_ALIAS},
};

static const capheap_reserved_t reserved[] = {
    {0x21000000, 0x21100000, "test program .data/.bss (1 MiB)"},
};

const capheap_board_t capheap_board_qemu_mps2_an385 = {
    .name = "qemu-mps2-an385",
    CAPHEAP_BOARD_TABLES(types, regions, reserved),
    .extmem = {.internal_below = 16384},
};
