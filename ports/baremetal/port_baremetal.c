/*
 * port_baremetal.c: the capheap port for firmware without an operating system
 * (Cortex-M, RISC-V in machine mode, Xtensa), on one core or, with
 * CAPHEAP_BAREMETAL_SMP, several (not on Xtensa).
 *
 * A lock masks interrupts and remembers the state it found; giving it back
 * restores that state. On one core this is all the exclusion a heap needs: the
 * only code that can run between two instructions of an allocation is an
 * interrupt handler, and while the lock is held none runs. The same lock works
 * inside a handler and inside an outer masked section (irq.h says why).
 *
 * The locks, the critical section and the weak output and failure functions
 * are ../section_port.h over this port's section: interrupts masked. Output
 * and failure (log, corruption, abort) are weak: firmware replaces them with
 * its own (a UART, a reset). The default log output is a no-op,
 * because semihosting, the one channel every board has, faults when no
 * debugger is attached; ports/baremetal/semihost.c is a log output over
 * semihosting to link in when one is (the target tests do).
 *
 * Built with CAPHEAP_BAREMETAL_SMP, for several cores sharing the heaps: the
 * section (and so capheap's critical section and the lock pool) also holds a
 * spinlock word, taken again by its own core without waiting (it nests), and
 * each heap lock holds a spinlock of its own (capheap_port_lock.h). Without
 * it, masking interrupts on one core does not stop the other.
 *
 * Lock order on several cores: a heap lock may be taken inside the critical
 * section (heap_caps_monitor_*), never the critical section inside a heap
 * lock (multi_heap takes no critical section), so two cores cannot wait for
 * each other.
 */
#include <stdint.h>

#include "capheap_port_lock.h"
#include "irq.h"

/** How many locks (heaps with a lock) can exist at once. A lock is a few
 *  bytes of .bss; a pool spares capheap_port_lock_create from needing a heap. */
#ifndef CAPHEAP_BAREMETAL_LOCKS
#define CAPHEAP_BAREMETAL_LOCKS 16
#endif

/* The section: interrupts masked; leaving it restores the state it found, so
 * it nests and works inside a handler (irq.h). */
typedef capheap_irq_state_t section_t;

#ifndef CAPHEAP_BAREMETAL_SMP
static inline section_t section_enter(void) { return capheap_irq_mask(); }

static inline void section_exit(section_t s) { capheap_irq_restore(s); }
#else
/* On several cores the section is also a spinlock shared by all of them:
 * section_word holds the tag of the core inside (0: none), section_nested how
 * many more times that core entered it (written by that core only). The
 * hardware spinlock of the section is the one after the pool's. */
#define SECTION_SPINLOCK CAPHEAP_BAREMETAL_LOCKS
static _Atomic uint32_t section_word;
static unsigned section_nested;

static inline section_t section_enter(void) {
    capheap_irq_state_t s = capheap_irq_mask();
    if (capheap_baremetal_spin_take(&section_word, capheap_baremetal_holder_tag(), SECTION_SPINLOCK) != 0) {
        section_nested++; /* this core is inside already */
    }
    return s;
}

static inline void section_exit(section_t s) {
    if (section_nested > 0) {
        section_nested--;
    } else {
#ifdef CAPHEAP_BAREMETAL_HW_SPINLOCK
        atomic_store_explicit(&section_word, 0, memory_order_relaxed);
        capheap_baremetal_hw_spin_release(SECTION_SPINLOCK);
#else
        atomic_store_explicit(&section_word, 0, memory_order_release);
#endif
    }
    capheap_irq_restore(s);
}

/* Each lock of the pool knows its place: its hardware spinlock's number. */
#define SECTION_LOCK_CREATED(lock, i) ((lock)->index = (uint8_t)(i))
#endif

#define SECTION_LOCK_POOL CAPHEAP_BAREMETAL_LOCKS
/* With interrupts masked, a held lock means recursion, or an NMI or fault
 * handler allocating while the code it interrupted is inside the heap. */
#define SECTION_TAKEN_TWICE "heap lock taken twice (recursion, or allocation from an NMI or fault handler)"
/* The locks are capheap_port_lock.h's, taken and given inline by the heap. */
#define SECTION_LOCK_INLINE
typedef capheap_baremetal_lock_t section_lock_t;
#include "../section_port.h"

/* No tasks here: every allocation is the same "task" to task tracking.
 * Firmware with a scheduler of its own returns its current task instead. */
WEAK void *capheap_port_current_task(void) { return NULL; }

WEAK void capheap_port_current_task_name(char *name, size_t len) {
    if (len != 0) {
        name[0] = '\0';
    }
}

void capheap_baremetal_lock_taken_twice(void) {
    capheap_port_abort(SECTION_TAKEN_TWICE);
    for (;;) {
        /* an abort of the firmware's own that returns: still never go on */
    }
}

#ifdef CAPHEAP_BAREMETAL_SMP
#ifdef CAPHEAP_BAREMETAL_HW_SPINLOCK
_Static_assert(CAPHEAP_BAREMETAL_LOCKS < 255, "a lock's index is a uint8_t");
#endif

WEAK uint32_t capheap_baremetal_core_id(void) {
#if defined(__riscv)
    unsigned long hart;
    __asm__ volatile(CAPHEAP_ZICSR("csrr %0, mhartid") : "=r"(hart));
    return (uint32_t)hart;
#else
    return 0; /* Cortex-M has no architectural core id: the firmware supplies its chip's */
#endif
}

uint32_t capheap_baremetal_spin_wait(_Atomic uint32_t *word, uint32_t tag, unsigned n) {
#ifdef CAPHEAP_BAREMETAL_SMP_TEST_NO_SPIN
    /* Test only (tests/target test_smp's negative control): no waiting at all,
     * so the lock excludes nothing between cores. */
    (void)n;
    if (atomic_load_explicit(word, memory_order_relaxed) == tag) {
        return tag;
    }
    atomic_store_explicit(word, tag, memory_order_relaxed);
    return 0;
#elif defined(CAPHEAP_BAREMETAL_HW_SPINLOCK)
    /* The word says who holds spinlock n; only its holder writes the word, so
     * reading this core's own tag means this core holds it. */
    while (!capheap_baremetal_hw_spin_try(n)) {
        if (atomic_load_explicit(word, memory_order_relaxed) == tag) {
            return tag;
        }
    }
    return 0;
#else
    (void)n;
    for (;;) {
        /* Read until free, then try to take it: waiting with plain loads keeps
         * the word out of exclusive (or LR/SC) traffic while another core
         * holds it. */
        uint32_t found = atomic_load_explicit(word, memory_order_relaxed);
        if (found == tag) {
            return tag; /* only this core writes its own tag: it holds the word */
        }
        if (found == 0 && atomic_compare_exchange_weak_explicit(word, &found, tag, memory_order_acquire,
                                                                memory_order_relaxed)) {
            return 0;
        }
    }
#endif
}
#endif /* CAPHEAP_BAREMETAL_SMP */
