/*
 * smp.h: a second core for the target tests: RV32 on QEMU virt with -smp 2
 * (riscv/smp_start.S and riscv/smp.c: every hart enters the program at the
 * same address, hart 0 runs the C start-up and main, hart 1 waits, parked,
 * until main hands it a function), or the two Cortex-M33 of mps2-an521
 * (cortex_m/smp.c: core 1 is held in reset until main starts it).
 */
#ifndef CAPHEAP_TARGET_SMP_H
#define CAPHEAP_TARGET_SMP_H

#include <stdint.h>

/** Starts fn on core 1 with its own stack (and on RV32 its own picolibc
 *  thread state: errno; on Cortex-M core 1 shares newlib's, see
 *  cortex_m/smp.c); returns at once. fn must not return. Once only. The
 *  running core's number is arch_core_id() (arch.h). */
void smp_start_second(void (*fn)(void));

#endif /* CAPHEAP_TARGET_SMP_H */
