/*
 * capheap_port_lock.h (ports/posix): the posix port's heap lock, and the
 * halves of take and give that run when nobody waits, inline for the heap's
 * fast paths (see CAPHEAP_PORT_LOCK_INLINE in capheap/port.h).
 *
 * A heap lock is taken on every malloc and free: a pthread mutex costs about
 * 50 instructions per lock and per unlock on i386 glibc, more than the region
 * allocator's whole malloc. This one is a compare-and-swap to take and an
 * exchange to give when nobody waits; waiters sleep in the kernel (futex).
 */
#ifndef CAPHEAP_POSIX_PORT_LOCK_H
#define CAPHEAP_POSIX_PORT_LOCK_H

#include <stdatomic.h>

#include "capheap/port.h"

/** States of a lock: free, taken, taken and perhaps waited for. */
enum { CAPHEAP_LOCK_FREE, CAPHEAP_LOCK_TAKEN, CAPHEAP_LOCK_WAITED };

/* One cache line each: two heaps used by two threads must not share one
 * through their locks (measured: 2 threads on 2 heaps ran 1.3x one thread
 * with neighbouring locks, 1.7x with 128 bytes between them). */
typedef struct {
    _Alignas(64) _Atomic int state;
    int in_use; /**< a lock of the port's pool (never touched by take and give) */
} capheap_posix_lock_t;

/** Waits until the lock is free and takes it (another thread holds it). */
CAPHEAP_PORT_FN void capheap_posix_lock_wait(capheap_posix_lock_t *lock);

/** Wakes one waiter of a lock just given back. */
CAPHEAP_PORT_FN void capheap_posix_lock_wake(capheap_posix_lock_t *lock);

static inline __attribute__((always_inline)) void capheap_port_lock_take_inline(void *lock) {
    capheap_posix_lock_t *l = lock;
    int expected = CAPHEAP_LOCK_FREE;
    if (!atomic_compare_exchange_strong_explicit(&l->state, &expected, CAPHEAP_LOCK_TAKEN, memory_order_acquire,
                                                 memory_order_relaxed)) {
        capheap_posix_lock_wait(l);
    }
}

static inline __attribute__((always_inline)) void capheap_port_lock_give_inline(void *lock) {
    capheap_posix_lock_t *l = lock;
    if (atomic_exchange_explicit(&l->state, CAPHEAP_LOCK_FREE, memory_order_release) == CAPHEAP_LOCK_WAITED) {
        capheap_posix_lock_wake(l);
    }
}

#endif /* CAPHEAP_POSIX_PORT_LOCK_H */
