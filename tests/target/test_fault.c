/*
 * test_fault.c: a fault on the target ends the run with a report and a
 * status the runner can tell apart (64 + exception number on Cortex-M,
 * 64 + mcause on RISC-V), instead of hanging QEMU. Reads memory that does
 * not exist.
 */
#include <stdint.h>

#include "harness.h"

#ifndef MISSING_ADDRESS
#error "MISSING_ADDRESS: an address with no memory behind it on the board"
#endif

int main(void) {
    t_printf("reading 0x%08lx\n", (unsigned long)MISSING_ADDRESS);
    volatile uint32_t *missing = (volatile uint32_t *)(uintptr_t)MISSING_ADDRESS;
    t_printf("read 0x%08lx: no fault\n", (unsigned long)*missing);
    return 0;
}
