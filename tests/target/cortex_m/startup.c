/*
 * startup.c: reset and fault handling for the Cortex-M target tests.
 * newlib's rdimon start-up (_start) does the rest: .bss, the semihosting
 * handles, argv from QEMU's -append, main and exit.
 */
#include <stdint.h>

#include "harness.h"
#include "semihost.h"

/* Exit status of a fault: FAULT_STATUS + exception number (HardFault: 67). */
#define FAULT_STATUS 64

#define REG(addr) (*(volatile uint32_t *)(addr))
#define SCB_CPACR REG(0xE000ED88u)
#define SCB_CFSR  REG(0xE000ED28u)
#define SCB_HFSR  REG(0xE000ED2Cu)
#define SCB_MMFAR REG(0xE000ED34u)
#define SCB_BFAR  REG(0xE000ED38u)

void _start(void) __attribute__((noreturn));
void Reset_Handler(void) __attribute__((noreturn));
void cortex_m_fault_report(const uint32_t *frame, uint32_t ipsr) __attribute__((noreturn));

void Reset_Handler(void) {
#if defined(__ARM_FP)
    /* Code built for a hard-float ABI may touch the FPU anywhere: give CP10 and
     * CP11 full access before any of it runs. */
    SCB_CPACR |= 0xFu << 20;
    __asm__ volatile("dsb\n\tisb" : : : "memory");
#endif
    _start();
}

/* frame: r0 r1 r2 r3 r12 lr pc xpsr as the core stacked them. */
void cortex_m_fault_report(const uint32_t *frame, uint32_t ipsr) {
    unsigned exception = ipsr & 0x1FFu;
    t_printf("FAULT: exception %u at pc 0x%08lx lr 0x%08lx; CFSR 0x%08lx HFSR 0x%08lx MMFAR 0x%08lx BFAR 0x%08lx\n",
             exception, (unsigned long)frame[6], (unsigned long)frame[5], (unsigned long)SCB_CFSR,
             (unsigned long)SCB_HFSR, (unsigned long)SCB_MMFAR, (unsigned long)SCB_BFAR);
    capheap_semihost_exit(FAULT_STATUS + (int)exception);
}
