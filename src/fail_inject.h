/*
 * fail_inject.h (private): how the allocating functions of heap_caps*.c ask
 * whether a failure plan (capheap_fail_allocations) makes this call fail:
 *
 *   if (capheap_fail_injected(size, caps)) { ...fail as when no heap has room... }
 *
 * once per public call, before anything is allocated (sizes of 0 are not
 * counted). One relaxed load and a branch never taken while no plan runs;
 * heap_caps_malloc asks on its slow path only, which every call takes while a
 * plan runs (the registry's list slots are held empty then).
 */
#ifndef CAPHEAP_FAIL_INJECT_H
#define CAPHEAP_FAIL_INJECT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "internal.h"

CAPHEAP_INTERNAL extern _Atomic bool capheap_fail_plan_on;

/** Counts a call made with caps when the plan counts it; true when it is to fail. */
CAPHEAP_INTERNAL bool capheap_fail_this_call(uint32_t caps);

/** Whether a plan makes this allocating call of size bytes with caps fail. */
static inline bool capheap_fail_injected(size_t size, uint32_t caps) {
    return __builtin_expect(atomic_load_explicit(&capheap_fail_plan_on, memory_order_relaxed), 0) && size != 0 &&
           capheap_fail_this_call(caps);
}

/** Stops any plan (capheap_deinit). */
CAPHEAP_INTERNAL void capheap_fail_reset(void);

#endif /* CAPHEAP_FAIL_INJECT_H */
