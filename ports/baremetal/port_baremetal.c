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
 * Output and failure (log, corruption, abort) are weak: firmware replaces
 * them with its own (a UART, a reset). The default log output is a no-op,
 * because semihosting, the one channel every board has, faults when no
 * debugger is attached; ports/baremetal/semihost.c is a log output over
 * semihosting to link in when one is (the target tests do).
 *
 * Not for several cores sharing a heap (RP2040 with both cores allocating):
 * masking interrupts on one core does not stop the other.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "capheap/port.h"
#include "irq.h"
#include "../port_report.h"

/** How many locks (heaps with a lock) can exist at once. A lock is a few
 *  bytes of .bss; a pool spares capheap_port_lock_create from needing a heap. */
#ifndef CAPHEAP_BAREMETAL_LOCKS
#define CAPHEAP_BAREMETAL_LOCKS 16
#endif

#define WEAK __attribute__((weak))

typedef struct {
    capheap_irq_state_t saved; /* interrupt state before the take; valid while held */
    uint8_t in_use;
    uint8_t held;
} bm_lock_t;

static bm_lock_t lock_pool[CAPHEAP_BAREMETAL_LOCKS];

/* The critical section nests: only the outermost enter saves the state and
 * only the outermost exit restores it. Both counters change with interrupts
 * masked, so a handler cannot see them half-updated. */
static capheap_irq_state_t critical_saved;
static unsigned critical_depth;

/* ---- Locks ------------------------------------------------------------ */

void *capheap_port_lock_create(void) {
    bm_lock_t *found = NULL;
    capheap_irq_state_t state = capheap_irq_mask();
    for (size_t i = 0; i < CAPHEAP_BAREMETAL_LOCKS && found == NULL; i++) {
        if (!lock_pool[i].in_use) {
            found = &lock_pool[i];
            found->in_use = 1;
            found->held = 0;
        }
    }
    capheap_irq_restore(state);
    return found;
}

void capheap_port_lock_delete(void *lock) {
    if (lock != NULL) {
        ((bm_lock_t *)lock)->in_use = 0;
    }
}

void capheap_port_lock_take(void *lock) {
    bm_lock_t *l = lock;
    capheap_irq_state_t state = capheap_irq_mask();
    /* With interrupts masked nobody else can hold it: a held lock here means
     * the same context takes it twice, or an NMI or fault handler allocates
     * while the code it interrupted is inside the heap. Going on would corrupt
     * the heap; stopping says where. */
    if (l->held) {
        capheap_port_abort("heap lock taken twice (recursion, or allocation from an NMI or fault handler)");
    }
    l->held = 1;
    l->saved = state;
}

void capheap_port_lock_give(void *lock) {
    bm_lock_t *l = lock;
    capheap_irq_state_t state = l->saved;
    l->held = 0;
    capheap_irq_restore(state);
}

/* ---- Critical section ------------------------------------------------- */

void capheap_port_critical_enter(void) {
    capheap_irq_state_t state = capheap_irq_mask();
    if (critical_depth++ == 0) {
        critical_saved = state;
    }
}

void capheap_port_critical_exit(void) {
    if (--critical_depth == 0) {
        capheap_irq_restore(critical_saved);
    }
}

/* ---- Output and failure ------------------------------------------------ */

WEAK void capheap_port_log_write(const char *text, size_t len) {
    (void)text;
    (void)len;
}

WEAK void capheap_port_corruption(const void *addr, const char *what) {
    capheap_port_write_corruption(addr, what);
    abort();
}

WEAK void capheap_port_abort(const char *why) {
    capheap_port_write_abort(why);
    abort();
}
