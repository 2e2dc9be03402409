/*
 * arch.c: arch.h for RV32 on QEMU virt, machine mode: the CLINT's software
 * interrupt (msip) and timer (mtime/mtimecmp, 10 MHz on virt).
 */
#include "arch.h"

#include "harness.h"
#include "semihost.h"

#define REG(addr)        (*(volatile uint32_t *)(addr))
#define CLINT_MSIP       REG(0x02000000u)
#define CLINT_MTIMECMP_L REG(0x02004000u)
#define CLINT_MTIMECMP_H REG(0x02004004u)
#define CLINT_MTIME_L    REG(0x0200BFF8u)
#define CLINT_MTIME_H    REG(0x0200BFFCu)
#define TICKS_PER_US     10u

#define MSTATUS_MIE    0x8u
#define MIE_MSIE       (1u << 3)
#define MIE_MTIE       (1u << 7)
#define MCAUSE_IRQ     0x80000000u
#define IRQ_M_SOFT     3u
#define IRQ_M_TIMER    7u
#define FAULT_STATUS   64 /* exit status of an exception: 64 + mcause */

#define CSR_WRAP(insn) ".option push\n\t.option arch, +zicsr\n\t" insn "\n\t.option pop"

const char arch_name[] = "RV32IMAC (QEMU virt)";

void riscv_trap_entry(void);
void riscv_trap(uint32_t mcause, uint32_t mepc, uint32_t mtval);

static uint32_t timer_period;

static uint64_t mtime_now(void) {
    uint32_t hi, lo;
    do { /* the high word must not tick over between the two reads */
        hi = CLINT_MTIME_H;
        lo = CLINT_MTIME_L;
    } while (hi != CLINT_MTIME_H);
    return ((uint64_t)hi << 32) | lo;
}

/* Writes the 64-bit compare value without a moment where it is lower than
 * both the old and the new value (that would fire a spurious interrupt). */
static void mtimecmp_set(uint64_t when) {
    CLINT_MTIMECMP_H = 0xFFFFFFFFu;
    CLINT_MTIMECMP_L = (uint32_t)when;
    CLINT_MTIMECMP_H = (uint32_t)(when >> 32);
}

/* Before main: a fault anywhere in a test program is reported by
 * riscv_trap, with a status of its own, not by the C library's handler. */
__attribute__((constructor)) static void install_trap_entry(void) {
    __asm__ volatile(CSR_WRAP("csrw mtvec, %0") : : "r"(riscv_trap_entry) : "memory");
}

uint32_t arch_core_id(void) {
    unsigned long hart;
    __asm__ volatile(CSR_WRAP("csrr %0, mhartid") : "=r"(hart));
    return (uint32_t)hart;
}

void arch_init(void) {
    mtimecmp_set(UINT64_MAX);
    __asm__ volatile(CSR_WRAP("csrs mie, %0") : : "r"(MIE_MSIE) : "memory");
    __asm__ volatile(CSR_WRAP("csrs mstatus, %0") : : "r"(MSTATUS_MIE) : "memory");
}

bool arch_irq_enabled(void) {
    uint32_t mstatus;
    __asm__ volatile(CSR_WRAP("csrr %0, mstatus") : "=r"(mstatus));
    return (mstatus & MSTATUS_MIE) != 0;
}

void arch_soft_irq_raise(void) { CLINT_MSIP = 1; }

void arch_settle(void) {
    /* A few instructions for the core to notice the pending interrupt. */
    for (volatile int i = 0; i < 4; i++) {
    }
}

void arch_timer_start(uint32_t period_us) {
    timer_period = period_us * TICKS_PER_US;
    mtimecmp_set(mtime_now() + timer_period);
    __asm__ volatile(CSR_WRAP("csrs mie, %0") : : "r"(MIE_MTIE) : "memory");
}

void arch_timer_stop(void) {
    __asm__ volatile(CSR_WRAP("csrc mie, %0") : : "r"(MIE_MTIE) : "memory");
    mtimecmp_set(UINT64_MAX);
}

void riscv_trap(uint32_t mcause, uint32_t mepc, uint32_t mtval) {
    if (mcause == (MCAUSE_IRQ | IRQ_M_SOFT)) {
        CLINT_MSIP = 0;
        test_on_soft_irq();
    } else if (mcause == (MCAUSE_IRQ | IRQ_M_TIMER)) {
        /* From now, not from the last deadline: a slow handler must not
         * leave a backlog that fires back to back. */
        mtimecmp_set(mtime_now() + timer_period);
        test_on_timer_irq();
    } else {
        t_printf("FAULT: mcause 0x%08lx at pc 0x%08lx, mtval 0x%08lx\n", (unsigned long)mcause,
                 (unsigned long)mepc, (unsigned long)mtval);
        capheap_semihost_exit(FAULT_STATUS + (int)(mcause & 0x3Fu));
    }
}
