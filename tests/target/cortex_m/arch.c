/*
 * arch.c: arch.h for Cortex-M on QEMU mps2 (SysTick and PendSV; both are in
 * every Cortex-M core, so nothing here depends on the board's peripherals).
 */
#include "arch.h"

#define REG(addr)          (*(volatile uint32_t *)(addr))
#define SCB_ICSR           REG(0xE000ED04u)
#define ICSR_PENDSVSET     (1u << 28)
#define ICSR_PENDSTCLR     (1u << 25)
#define SYST_CSR           REG(0xE000E010u)
#define SYST_RVR           REG(0xE000E014u)
#define SYST_CVR           REG(0xE000E018u)
#define SYST_ENABLE_IRQ    7u /* enable, interrupt, processor clock */
#define CPU_HZ_PER_MHZ     25u /* QEMU's mps2 processor clock: 25 MHz */

#define SSE200_CPUID       REG(0x4001F000u) /* CPU_IDENTITY: the reading core's number */

#if defined(CAPHEAP_TEST_AN521)
const char arch_name[] = "Cortex-M33 (QEMU mps2-an521, two cores)";
#elif defined(__ARM_ARCH_8M_MAIN__)
const char arch_name[] = "Cortex-M33 (QEMU mps2-an505)";
#elif defined(__ARM_FP)
const char arch_name[] = "Cortex-M4F (QEMU mps2-an386)";
#else
const char arch_name[] = "Cortex-M (QEMU mps2-an385)";
#endif

void PendSV_Handler(void);
void SysTick_Handler(void);

uint32_t arch_core_id(void) {
#if defined(CAPHEAP_TEST_AN521)
    return SSE200_CPUID;
#else
    return 0; /* Cortex-M has no architectural core id; these boards have one core */
#endif
}

void arch_init(void) { __asm__ volatile("cpsie i" : : : "memory"); }

bool arch_irq_enabled(void) {
    uint32_t primask;
    __asm__ volatile("mrs %0, primask" : "=r"(primask));
    return (primask & 1u) == 0;
}

void arch_soft_irq_raise(void) { SCB_ICSR = ICSR_PENDSVSET; }

void arch_settle(void) { __asm__ volatile("dsb\n\tisb" : : : "memory"); }

void arch_timer_start(uint32_t period_us) {
    SYST_CSR = 0;
    SYST_RVR = period_us * CPU_HZ_PER_MHZ - 1u;
    SYST_CVR = 0;
    SYST_CSR = SYST_ENABLE_IRQ;
}

void arch_timer_stop(void) {
    SYST_CSR = 0;
    SCB_ICSR = ICSR_PENDSTCLR;
}

void PendSV_Handler(void) { test_on_soft_irq(); }

void SysTick_Handler(void) { test_on_timer_irq(); }
