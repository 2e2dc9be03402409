/*
 * smp.c: smp.h for the two Cortex-M33 cores of QEMU mps2-an521 (Arm's AN521
 * FPGA image: the CoreLink SSE-200 subsystem, secure state).
 *
 * Core 0 boots as on an505, through newlib's start-up; core 1 is held in
 * reset by the SSE-200's system control element until its CPUWAIT bit is
 * cleared, and then boots from the vector table INITSVTOR1 names: its own,
 * with its own stack. Which core runs is in the CPU_IDENTITY block, which
 * each core sees with its own number (arch_core_id). (Register offsets:
 * SSE-200 Technical Reference Manual, system control registers and
 * CPU_IDENTITY.)
 *
 * Core 1 shares core 0's newlib state (there is one _impure_ptr): it calls
 * nothing of the C library on its success path, only the harness's report
 * on a failure, which ends the program anyway.
 */
#include "smp.h"

#include <stdatomic.h>
#include <stdint.h>

#include "arch.h"
#include "capheap_port_lock.h"

#define REG(addr) (*(volatile uint32_t *)(addr))
#define SSE200_INITSVTOR1 REG(0x50021114u) /* secure VTOR core 1 boots with */
#define SSE200_CPUWAIT    REG(0x50021118u) /* bit n set: core n held at reset */
#define SCB_CPACR         REG(0xE000ED88u)

#define SECOND_STACK 8192u

/* Core 1 reports its faults as core 0 does (vectors.S). */
void cortex_m_fault_entry(void);
void smp_second_reset(void) __attribute__((noreturn));

static _Alignas(8) uint8_t second_stack[SECOND_STACK];
static void (*_Atomic second_fn)(void);

/* Core 1's vector table: the stack, the reset handler, the faults. No device
 * interrupt is enabled on core 1; VTOR ignores the low 7 bits of the address. */
static const struct {
    void *stack;
    void (*handler[15])(void);
} second_vectors __attribute__((aligned(512))) = {
    second_stack + SECOND_STACK,
    {smp_second_reset, cortex_m_fault_entry, cortex_m_fault_entry, cortex_m_fault_entry, cortex_m_fault_entry,
     cortex_m_fault_entry, cortex_m_fault_entry, 0, 0, 0, cortex_m_fault_entry, cortex_m_fault_entry, 0,
     cortex_m_fault_entry, cortex_m_fault_entry},
};

/* The SMP lock's holder tag (ports/baremetal): Cortex-M has no architectural
 * core id, so the firmware supplies its chip's. */
uint32_t capheap_baremetal_core_id(void) { return arch_core_id(); }

void smp_start_second(void (*fn)(void)) {
    atomic_store_explicit(&second_fn, fn, memory_order_relaxed);
    SSE200_INITSVTOR1 = (uint32_t)(uintptr_t)&second_vectors;
    /* The stores above before the core starts: it reads them at once. */
    __asm__ volatile("dsb" : : : "memory");
    SSE200_CPUWAIT &= ~2u;
}

void smp_second_reset(void) {
#if defined(__ARM_FP)
    /* Each core has its own CPACR: core 1's hard-float code needs it too. */
    SCB_CPACR |= 0xFu << 20;
    __asm__ volatile("dsb\n\tisb" : : : "memory");
#endif
    atomic_thread_fence(memory_order_acquire);
    atomic_load_explicit(&second_fn, memory_order_relaxed)();
    for (;;) {
        __asm__ volatile("wfi");
    }
}
