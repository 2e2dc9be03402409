/*
 * fail_inject.c: failure injection for tests of error paths
 * (capheap_fail_allocations in capheap.h, the hook in fail_inject.h).
 *
 * The plan is written in the port's critical section and read without it:
 * plans are set between tests, not while other threads allocate. The count
 * is one word counted by capheap_port_count_one (capheap/port.h), so that
 * calls from several threads are each counted once.
 */
#include "fail_inject.h"

#include "capheap.h"
#include "capheap/port.h"
#include "registry.h"

_Atomic bool capheap_fail_plan_on;

static capheap_fail_plan_t plan;
static size_t counted; /* calls counted since the plan; atomic accesses only */

bool capheap_fail_this_call(uint32_t caps) {
    if ((caps & plan.caps) != plan.caps) {
        return false;
    }
    size_t n = capheap_port_count_one(&counted);
    return plan.nth != 0 && (n == plan.nth || (plan.and_after && n > plan.nth));
}

void capheap_fail_allocations(const capheap_fail_plan_t *new_plan) {
    capheap_port_critical_enter();
    if (new_plan != NULL) {
        plan = *new_plan;
    }
    __atomic_store_n(&counted, 0, __ATOMIC_RELAXED);
    atomic_store_explicit(&capheap_fail_plan_on, new_plan != NULL, memory_order_relaxed);
    capheap_registry_lists_hold(CAPHEAP_HOLD_FAIL, new_plan != NULL);
    capheap_port_critical_exit();
}

size_t capheap_fail_counted(void) { return __atomic_load_n(&counted, __ATOMIC_RELAXED); }

void capheap_fail_reset(void) { capheap_fail_allocations(NULL); }
