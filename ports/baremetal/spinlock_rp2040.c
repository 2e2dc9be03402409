/*
 * spinlock_rp2040.c: the hardware spinlock hooks and the core id of
 * ports/baremetal's SMP lock (CAPHEAP_BAREMETAL_SMP with
 * CAPHEAP_BAREMETAL_HW_SPINLOCK) on the RP2040, whose two Cortex-M0+ cores
 * have no atomic read-modify-write instructions (ARMv6-M).
 *
 * Facts used, from the RP2040 datasheet, section 2.3.1 (SIO): the SIO's
 * registers are at 0xD0000000..0xD000017C and only the processors (and the
 * debugger) reach them. 2.3.1.1: CPUID, the first register (offset 0x000),
 * reads 0 on core 0 and 1 on core 1. The hardware spinlocks, SPINLOCK0..31 at
 * offsets 0x100 + 4 * n (the SPINLOCKn tables of the SIO register list): a
 * read returns 0 when the lock is already claimed, otherwise a nonzero value
 * (1 << n) and claims it in the same access; a write of any value releases
 * it; when both cores try to claim one at once, core 0 gets it.
 *
 * Compiled for cortex-m0plus by scripts/target-test.sh (cm0plus-O2-smp), never
 * run: QEMU has no RP2040.
 */
#include <stdbool.h>
#include <stdint.h>

#include "capheap_port_lock.h"

#ifndef CAPHEAP_BAREMETAL_LOCKS
#define CAPHEAP_BAREMETAL_LOCKS 16
#endif

/** The first of the CAPHEAP_BAREMETAL_LOCKS + 1 consecutive spinlocks capheap
 *  uses (one per heap lock of the pool, then one for its critical section).
 *  Choose a range that nothing else in the firmware claims: the default, 0 to
 *  16, suits firmware without the Pico SDK, which keeps the low spinlocks for
 *  its own fixed uses and leaves the top ones (24 to 31) to be claimed; with
 *  it, build with CAPHEAP_RP2040_SPINLOCK_FIRST=24 and CAPHEAP_BAREMETAL_LOCKS=7. */
#ifndef CAPHEAP_RP2040_SPINLOCK_FIRST
#define CAPHEAP_RP2040_SPINLOCK_FIRST 0
#endif

_Static_assert(CAPHEAP_RP2040_SPINLOCK_FIRST + CAPHEAP_BAREMETAL_LOCKS + 1 <= 32,
               "the RP2040 has 32 hardware spinlocks: lower CAPHEAP_BAREMETAL_LOCKS or the first one");

#define RP2040_SIO_BASE     0xD0000000u
#define RP2040_SIO_CPUID    (*(volatile uint32_t *)(RP2040_SIO_BASE + 0x000u))
#define RP2040_SIO_SPINLOCK(n) (*(volatile uint32_t *)(RP2040_SIO_BASE + 0x100u + 4u * (n)))

uint32_t capheap_baremetal_core_id(void) { return RP2040_SIO_CPUID; }

bool capheap_baremetal_hw_spin_try(unsigned n) {
    if (RP2040_SIO_SPINLOCK(CAPHEAP_RP2040_SPINLOCK_FIRST + n) == 0) {
        return false;
    }
    /* The heap's memory accesses after the claim (SIO is device memory, the
     * heap normal memory: the barrier orders the two kinds). */
    __asm__ volatile("dmb" : : : "memory");
    return true;
}

void capheap_baremetal_hw_spin_release(unsigned n) {
    __asm__ volatile("dmb" : : : "memory"); /* the heap's accesses before the release */
    RP2040_SIO_SPINLOCK(CAPHEAP_RP2040_SPINLOCK_FIRST + n) = 0;
}
