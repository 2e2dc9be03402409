/*
 * irq.h (private to ports/baremetal): masking the interrupts of the one core
 * this port runs on, and giving back exactly the state found.
 *
 * Saving the previous state, instead of unmasking unconditionally on the way
 * out, is what makes the lock usable from an interrupt handler and inside an
 * outer masked section: the inner give puts back "masked" and nothing wakes up
 * early.
 */
#ifndef CAPHEAP_BAREMETAL_IRQ_H
#define CAPHEAP_BAREMETAL_IRQ_H

#include <stdint.h>

#include "capheap/config.h"

#if defined(__ARM_ARCH_PROFILE) && __ARM_ARCH_PROFILE == 'M'

/* Cortex-M (ARMv6-M, v7-M, v8-M): PRIMASK masks every exception with a
 * configurable priority. NMI and HardFault still run: they must not allocate. */
typedef uint32_t capheap_irq_state_t;

static inline __attribute__((always_inline)) capheap_irq_state_t capheap_irq_mask(void) {
    uint32_t primask;
    __asm__ volatile("mrs %0, primask\n\tcpsid i" : "=r"(primask) : : "memory");
    return primask;
}

static inline __attribute__((always_inline)) void capheap_irq_restore(capheap_irq_state_t state) {
    __asm__ volatile("msr primask, %0" : : "r"(state) : "memory");
}

#elif defined(__riscv)

/* RISC-V in machine mode: mstatus.MIE gates every machine interrupt. The
 * csrrc reads and clears it in one instruction, so no interrupt slips in
 * between the read and the clear. */
#define CAPHEAP_MSTATUS_MIE 0x8ul

/* Binutils 2.38 and later want the Zicsr extension named for CSR access, which
 * -march=rv32imac does not; saying it inside the asm keeps any -march working. */
#define CAPHEAP_ZICSR(insn) ".option push\n\t.option arch, +zicsr\n\t" insn "\n\t.option pop"

typedef unsigned long capheap_irq_state_t;

static inline __attribute__((always_inline)) capheap_irq_state_t capheap_irq_mask(void) {
    unsigned long mstatus;
    __asm__ volatile(CAPHEAP_ZICSR("csrrc %0, mstatus, %1") : "=r"(mstatus) : "i"(CAPHEAP_MSTATUS_MIE) : "memory");
    return mstatus & CAPHEAP_MSTATUS_MIE;
}

static inline __attribute__((always_inline)) void capheap_irq_restore(capheap_irq_state_t state) {
    /* Sets MIE only if it was set before; never clears anything. */
    __asm__ volatile(CAPHEAP_ZICSR("csrs mstatus, %0") : : "r"(state) : "memory");
}

#elif defined(__XTENSA__)

/* Xtensa with the interrupt option (XEA2: the ESP32's LX6, the ESP8266's
 * lx106): PS.INTLEVEL masks every interrupt of that level and below. rsil
 * raises it and returns the whole previous PS in one instruction; the give
 * writes that PS back (rsync: in effect before the next instruction), so the
 * other PS fields an interrupt handler runs with (EXCM) come back too. The
 * level is CAPHEAP_BAREMETAL_XTENSA_IRQ_LEVEL (capheap/config.h): all of them
 * by default; a lower level leaves the interrupts above it running, and their
 * handlers must then not allocate. NMI is never masked: its handler neither. */
#ifndef CAPHEAP_BAREMETAL_XTENSA_IRQ_LEVEL
#define CAPHEAP_BAREMETAL_XTENSA_IRQ_LEVEL 15
#endif

typedef uint32_t capheap_irq_state_t;

static inline __attribute__((always_inline)) capheap_irq_state_t capheap_irq_mask(void) {
    uint32_t ps;
    __asm__ volatile("rsil %0, %1" : "=a"(ps) : "i"(CAPHEAP_BAREMETAL_XTENSA_IRQ_LEVEL) : "memory");
    return ps;
}

static inline __attribute__((always_inline)) void capheap_irq_restore(capheap_irq_state_t state) {
    __asm__ volatile("wsr %0, ps\n\trsync" : : "a"(state) : "memory");
}

#else
#error "ports/baremetal knows Cortex-M, RISC-V (machine mode) and Xtensa; use another port or CAPHEAP_PORT=none"
#endif

#endif /* CAPHEAP_BAREMETAL_IRQ_H */
