/*
 * capheap_port_lock.h (ports/baremetal): the bare-metal heap lock, taken and
 * given inline on the heap's fast paths (see CAPHEAP_PORT_LOCK_INLINE in
 * capheap/port.h): a few instructions that mask interrupts and remember the
 * state found, where a call would cost as much again.
 *
 * Built with CAPHEAP_BAREMETAL_SMP (CMake option of the same name) the lock is
 * for several cores sharing the heaps: it masks the calling core's interrupts
 * and then holds a spinlock word, so the other cores wait too. The word is
 * taken with C11 atomics (LDREX/STREX on ARMv7-M and ARMv8-M, LR/SC or AMO on
 * RISC-V with the A extension) or, with CAPHEAP_BAREMETAL_HW_SPINLOCK, for
 * cores that have no atomic instructions (ARMv6-M: RP2040), with a hardware
 * spinlock the firmware hands over through two hook functions (below;
 * spinlock_rp2040.c is the RP2040's).
 */
#ifndef CAPHEAP_BAREMETAL_PORT_LOCK_H
#define CAPHEAP_BAREMETAL_PORT_LOCK_H

#include <stdint.h>

#include "capheap/port.h"
#include "irq.h"

#ifdef CAPHEAP_BAREMETAL_SMP
#include <stdatomic.h>
#include <stdbool.h>
#endif

/** Stops the program: a lock taken again by the context that holds it (with
 *  interrupts masked nobody else on its core can), by recursion or from an
 *  NMI or fault handler. Going on would corrupt the heap (or, on several
 *  cores, wait for ever on itself). */
CAPHEAP_PORT_FN __attribute__((noreturn)) void capheap_baremetal_lock_taken_twice(void);

#ifndef CAPHEAP_BAREMETAL_SMP

typedef struct {
    capheap_irq_state_t section; /**< the interrupt state to put back; valid while held */
    uint8_t in_use;              /**< a lock of the port's pool */
    uint8_t held;
} capheap_baremetal_lock_t;

static inline __attribute__((always_inline)) void capheap_port_lock_take_inline(void *lock) {
    capheap_baremetal_lock_t *l = lock;
    capheap_irq_state_t s = capheap_irq_mask();
    if (l->held) {
        capheap_baremetal_lock_taken_twice();
    }
    l->held = 1;
    l->section = s;
}

static inline __attribute__((always_inline)) void capheap_port_lock_give_inline(void *lock) {
    capheap_baremetal_lock_t *l = lock;
    capheap_irq_state_t s = l->section;
    l->held = 0;
    capheap_irq_restore(s);
}

#else /* CAPHEAP_BAREMETAL_SMP */

#if defined(__riscv) && !defined(__riscv_atomic) && !defined(CAPHEAP_BAREMETAL_HW_SPINLOCK)
#error "CAPHEAP_BAREMETAL_SMP needs the A extension (-march=rv32ima...) or CAPHEAP_BAREMETAL_HW_SPINLOCK"
#endif
#if defined(__XTENSA__)
#error "CAPHEAP_BAREMETAL_SMP is not offered on Xtensa: the ESP32's two cores run capheap under ESP-IDF (ports/freertos/port_espidf.c)"
#endif
#if defined(__ARM_ARCH_6M__) && !defined(CAPHEAP_BAREMETAL_HW_SPINLOCK)
#error "ARMv6-M has no atomic read-modify-write: CAPHEAP_BAREMETAL_SMP needs CAPHEAP_BAREMETAL_HW_SPINLOCK there"
#endif

/** The id of the core running the caller, the same for as long as the
 *  program runs and different on each core (any values; they need not be
 *  consecutive, but not UINT32_MAX). Weak default: mhartid on RISC-V, 0 on
 *  Cortex-M, which has no architectural core id: a multi-core Cortex-M
 *  firmware supplies its chip's, e.g. RP2040's SIO CPUID register at
 *  0xD0000000 (0 on core 0, 1 on core 1; spinlock_rp2040.c defines it).
 *  With the default 0 on two Cortex-M cores, the second core to wait for a lock
 *  stops the program as "taken twice". */
CAPHEAP_PORT_FN uint32_t capheap_baremetal_core_id(void);

/* What the lock stores as its holder: the core's id plus one (0: free). On
 * RISC-V machine mode mhartid is always readable: the lock reads it itself,
 * one instruction, rather than calling capheap_baremetal_core_id. */
static inline __attribute__((always_inline)) uint32_t capheap_baremetal_holder_tag(void) {
#if defined(__riscv)
    unsigned long hart;
    __asm__ volatile(CAPHEAP_ZICSR("csrr %0, mhartid") : "=r"(hart));
    return (uint32_t)hart + 1u;
#else
    return capheap_baremetal_core_id() + 1u;
#endif
}

typedef struct {
    capheap_irq_state_t section; /**< the interrupt state to put back; valid while held */
    uint8_t in_use;              /**< a lock of the port's pool */
    uint8_t index;               /**< its place in the pool (the hardware spinlock's number) */
    /** 0 when free, else the holder's tag (capheap_baremetal_holder_tag). With
     *  C11 atomics this word is the spinlock; with a hardware spinlock it only
     *  says who holds it (for the taken-twice check). */
    _Atomic uint32_t held;
} capheap_baremetal_lock_t;

#ifdef CAPHEAP_BAREMETAL_HW_SPINLOCK
/* Hardware spinlock hooks, supplied by the firmware (or spinlock_rp2040.c).
 * n is 0 .. CAPHEAP_BAREMETAL_LOCKS: one per lock of the pool, and the last
 * for capheap's critical section. try claims spinlock n if it is free and
 * says whether it did; it orders like an acquire (the heap's accesses stay
 * after it). release frees spinlock n and orders like a release. Called with
 * the core's interrupts masked. */
CAPHEAP_PORT_FN bool capheap_baremetal_hw_spin_try(unsigned n);
CAPHEAP_PORT_FN void capheap_baremetal_hw_spin_release(unsigned n);
#endif

/** The contended path of a take, out of line: waits until the word is free
 *  and takes it for tag (or, with a hardware spinlock, until spinlock n is
 *  claimed). Returns 0 once taken, or tag when the word already held tag:
 *  the caller's own core holds it. */
CAPHEAP_PORT_FN uint32_t capheap_baremetal_spin_wait(_Atomic uint32_t *word, uint32_t tag, unsigned n);

/* The order: interrupts masked first, then the spin. Masked first, an
 * interrupt handler of this core that allocates cannot arrive while the core
 * holds the word, so it can never wait for its own core (which would wait for
 * ever). The spin itself keeps interrupts masked: a heap holds its lock for
 * O(1) work (malloc, free, realloc; check, dump and walk longer), so the wait
 * is at most one such operation of another core, and a plain masked spin needs
 * no second masking, no re-check after a handler ran and no thought about a
 * handler that takes another lock while this core waits. The price: this core's
 * interrupt latency grows by the other core's hold time while it waits. */
/* Takes spin word word (hardware spinlock n) for tag, with interrupts
 * masked: 0 once taken, or tag when the caller's own core holds it already.
 * A heap lock and the port's section share it. */
static inline __attribute__((always_inline)) uint32_t capheap_baremetal_spin_take(_Atomic uint32_t *word, uint32_t tag,
                                                                                 unsigned n) {
#ifdef CAPHEAP_BAREMETAL_HW_SPINLOCK
    if (!capheap_baremetal_hw_spin_try(n)) {
        uint32_t own = capheap_baremetal_spin_wait(word, tag, n);
        if (own != 0) {
            return own;
        }
    }
    atomic_store_explicit(word, tag, memory_order_relaxed);
    return 0;
#else
    /* Strong: it fails only when the word is held, and then found says by
     * whom (testing found rather than the result spares an instruction or two). */
    (void)n;
    uint32_t found = 0;
    (void)atomic_compare_exchange_strong_explicit(word, &found, tag, memory_order_acquire, memory_order_relaxed);
    if (found != 0) {
        return capheap_baremetal_spin_wait(word, tag, 0);
    }
    return 0;
#endif
}

static inline __attribute__((always_inline)) void capheap_port_lock_take_inline(void *lock) {
    capheap_baremetal_lock_t *l = lock;
    capheap_irq_state_t s = capheap_irq_mask();
    if (capheap_baremetal_spin_take(&l->held, capheap_baremetal_holder_tag(), l->index) != 0) {
        capheap_baremetal_lock_taken_twice();
    }
    l->section = s;
}

static inline __attribute__((always_inline)) void capheap_port_lock_give_inline(void *lock) {
    capheap_baremetal_lock_t *l = lock;
    capheap_irq_state_t s = l->section; /* before the release: then another core may take it */
#ifdef CAPHEAP_BAREMETAL_HW_SPINLOCK
    atomic_store_explicit(&l->held, 0, memory_order_relaxed);
    capheap_baremetal_hw_spin_release(l->index);
#else
    atomic_store_explicit(&l->held, 0, memory_order_release);
#endif
    capheap_irq_restore(s);
}

#endif /* CAPHEAP_BAREMETAL_SMP */

#endif /* CAPHEAP_BAREMETAL_PORT_LOCK_H */
