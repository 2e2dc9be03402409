/*
 * fail_inject.c: failure injection for tests of error paths
 * (capheap_fail_allocations in capheap.h, the hook in fail_inject.h).
 *
 * The plan is written in the port's critical section and read without it:
 * plans are set between tests, not while other threads allocate. The count
 * is one atomic word, so that calls from several threads are each counted
 * once; where there are no read-modify-write atomics (ARMv6-M) it is taken
 * in the critical section.
 */
#include "fail_inject.h"

#include "capheap.h"
#include "capheap/port.h"
#include "registry.h"

_Atomic bool capheap_fail_plan_on;

static capheap_fail_plan_t plan;
static _Atomic size_t counted;

/* The number of this call, from 1: an atomic add where the core has one
 * (else GCC would call a library routine no C library of ARMv6-M provides). */
static size_t count_call(void) {
#if (__SIZEOF_SIZE_T__ == 4 && defined(__GCC_HAVE_SYNC_COMPARE_AND_SWAP_4)) || \
    (__SIZEOF_SIZE_T__ == 8 && defined(__GCC_HAVE_SYNC_COMPARE_AND_SWAP_8))
    return atomic_fetch_add_explicit(&counted, 1, memory_order_relaxed) + 1;
#else
    capheap_port_critical_enter();
    size_t n = atomic_load_explicit(&counted, memory_order_relaxed) + 1;
    atomic_store_explicit(&counted, n, memory_order_relaxed);
    capheap_port_critical_exit();
    return n;
#endif
}

bool capheap_fail_this_call(uint32_t caps) {
    if ((caps & plan.caps) != plan.caps) {
        return false;
    }
    size_t n = count_call();
    return plan.nth != 0 && (n == plan.nth || (plan.and_after && n > plan.nth));
}

void capheap_fail_allocations(const capheap_fail_plan_t *new_plan) {
    capheap_port_critical_enter();
    if (new_plan != NULL) {
        plan = *new_plan;
    }
    atomic_store_explicit(&counted, 0, memory_order_relaxed);
    atomic_store_explicit(&capheap_fail_plan_on, new_plan != NULL, memory_order_relaxed);
    capheap_registry_lists_hold(CAPHEAP_HOLD_FAIL, new_plan != NULL);
    capheap_port_critical_exit();
}

size_t capheap_fail_counted(void) { return atomic_load_explicit(&counted, memory_order_relaxed); }

void capheap_fail_reset(void) { capheap_fail_allocations(NULL); }
