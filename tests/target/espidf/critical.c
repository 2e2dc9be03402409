/*
 * critical.c: the model of ESP-IDF's critical sections (freertos/FreeRTOS.h
 * here) on the test cores: RV32 harts of QEMU virt, the Cortex-M33 of
 * mps2-an521. Each core keeps how deep it is in critical sections and the
 * interrupt state it found at the outermost, which the last exit puts back.
 *
 * Built with CAPHEAP_TEST_SMP_NO_SPIN, a spinlock is taken without waiting
 * for the other core: the negative control of test_smp
 * (scripts/target-smp-control.sh), which must then fail.
 */
#include "freertos/FreeRTOS.h"

#include "arch.h"
#include "irq.h" /* ports/baremetal: mask and restore this core's interrupts */

#define CORES 2u

static capheap_irq_state_t outer_state[CORES];
static uint32_t nesting[CORES];

void spinlock_initialize(portMUX_TYPE *mux) {
    atomic_store_explicit(&mux->owner, SPINLOCK_FREE, memory_order_relaxed);
    mux->count = 0;
}

void vPortEnterCriticalSafe(portMUX_TYPE *mux) {
    capheap_irq_state_t state = capheap_irq_mask();
    uint32_t core = arch_core_id();
    if (nesting[core]++ == 0) {
        outer_state[core] = state;
    }
    if (atomic_load_explicit(&mux->owner, memory_order_relaxed) == core) {
        mux->count++; /* only this core writes owner away from its own number */
        return;
    }
#ifdef CAPHEAP_TEST_SMP_NO_SPIN
    atomic_store_explicit(&mux->owner, core, memory_order_relaxed);
#else
    uint32_t expected = SPINLOCK_FREE;
    while (!atomic_compare_exchange_weak_explicit(&mux->owner, &expected, core, memory_order_acquire,
                                                  memory_order_relaxed)) {
        expected = SPINLOCK_FREE;
    }
#endif
    mux->count = 1;
}

void vPortExitCriticalSafe(portMUX_TYPE *mux) {
    uint32_t core = arch_core_id();
    if (--mux->count == 0) {
        atomic_store_explicit(&mux->owner, SPINLOCK_FREE, memory_order_release);
    }
    if (--nesting[core] == 0) {
        capheap_irq_restore(outer_state[core]);
    }
}
