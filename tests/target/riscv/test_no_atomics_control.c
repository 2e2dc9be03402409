/*
 * test_no_atomics_control.c: the negative control of the rv32imc
 * configuration, which runs on a QEMU CPU without the A extension (machine
 * virt-noa of scripts/target-run.sh) so that an atomic instruction in the
 * library would fault: one atomic add, which must end in an
 * illegal-instruction fault (mcause 2), never in a clean exit. Without it the
 * configuration would pass as well on a CPU that has the extension.
 */
#include <stdint.h>

#include "harness.h"

static volatile uint32_t word;

int main(void) {
    uint32_t old;
    t_printf("an atomic add at %p\n", (void *)&word);
    __asm__ volatile(".option push\n\t.option arch, +a\n\t"
                     "amoadd.w %0, %2, (%1)\n\t"
                     ".option pop"
                     : "=r"(old)
                     : "r"(&word), "r"(1u)
                     : "memory");
    t_printf("no fault: the CPU has the A extension (old value %u)\n", (unsigned)old);
    return 0;
}
