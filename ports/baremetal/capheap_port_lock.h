/*
 * capheap_port_lock.h (ports/baremetal): the bare-metal heap lock, taken and
 * given inline on the heap's fast paths (see CAPHEAP_PORT_LOCK_INLINE in
 * capheap/port.h): a few instructions that mask interrupts and remember the
 * state found, where a call would cost as much again.
 */
#ifndef CAPHEAP_BAREMETAL_PORT_LOCK_H
#define CAPHEAP_BAREMETAL_PORT_LOCK_H

#include <stdint.h>

#include "capheap/port.h"
#include "irq.h"

typedef struct {
    capheap_irq_state_t section; /**< the interrupt state to put back; valid while held */
    uint8_t in_use;              /**< a lock of the port's pool */
    uint8_t held;
} capheap_baremetal_lock_t;

/** Stops the program: a lock taken again by the context that holds it (with
 *  interrupts masked nobody else can), by recursion or from an NMI or fault
 *  handler. Going on would corrupt the heap. */
CAPHEAP_PORT_FN __attribute__((noreturn)) void capheap_baremetal_lock_taken_twice(void);

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

#endif /* CAPHEAP_BAREMETAL_PORT_LOCK_H */
