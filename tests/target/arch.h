/*
 * arch.h: what the target tests need from the processor and the emulated
 * board, implemented once per architecture (cortex_m/, riscv/).
 */
#ifndef CAPHEAP_TARGET_ARCH_H
#define CAPHEAP_TARGET_ARCH_H

#include <stdbool.h>
#include <stdint.h>

/** Name of the core and board, for the log. */
extern const char arch_name[];

/** The running core's number: 0, or 1 for the second core of the two-core
 *  machines (mhartid on RV32; the SSE-200's CPU_IDENTITY register on
 *  mps2-an521, CAPHEAP_TEST_AN521; 0 on the one-core boards). */
uint32_t arch_core_id(void);

/** Installs the interrupt handlers and unmasks interrupts. */
void arch_init(void);

/** True when an interrupt that is pending now would be taken. */
bool arch_irq_enabled(void);

/** Makes the software interrupt pending (PendSV; CLINT msip on RISC-V). */
void arch_soft_irq_raise(void);

/** Gives a pending, unmasked interrupt the chance to be taken before the next
 *  statement (real cores take it within a few cycles; so does QEMU). */
void arch_settle(void);

/** Starts the periodic timer interrupt, period_us apart (board time). */
void arch_timer_start(uint32_t period_us);
void arch_timer_stop(void);

/* Defined by the test program; called in interrupt context. */
void test_on_soft_irq(void);
void test_on_timer_irq(void);

#endif /* CAPHEAP_TARGET_ARCH_H */
