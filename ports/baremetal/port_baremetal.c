/*
 * port_baremetal.c: the capheap port for single-core firmware without an
 * operating system (Cortex-M, RISC-V in machine mode).
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
 * Not for several cores sharing a heap (RP2040 with both cores allocating):
 * masking interrupts on one core does not stop the other.
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

static inline section_t section_enter(void) { return capheap_irq_mask(); }

static inline void section_exit(section_t s) { capheap_irq_restore(s); }

#define SECTION_LOCK_POOL CAPHEAP_BAREMETAL_LOCKS
/* With interrupts masked, a held lock means recursion, or an NMI or fault
 * handler allocating while the code it interrupted is inside the heap. */
#define SECTION_TAKEN_TWICE "heap lock taken twice (recursion, or allocation from an NMI or fault handler)"
/* The locks are capheap_port_lock.h's, taken and given inline by the heap. */
#define SECTION_LOCK_INLINE
typedef capheap_baremetal_lock_t section_lock_t;
#include "../section_port.h"

void capheap_baremetal_lock_taken_twice(void) {
    capheap_port_abort(SECTION_TAKEN_TWICE);
    for (;;) {
        /* an abort of the firmware's own that returns: still never go on */
    }
}
