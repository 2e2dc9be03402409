/*
 * registry_hold.c: every lock of capheap's code held at once, for a fork
 * (registry.h: capheap_registry_hold_all). Built with the posix port, the
 * one whose programs fork; firmware has no use for it.
 *
 * The heap count cannot change meanwhile: heaps are added in the critical
 * section. A heap added disabled has no lock yet.
 */
#include "capheap/port.h"
#include "registry.h"
#include "task_stats.h"

void capheap_registry_hold_all(void) {
    capheap_port_critical_enter();
    size_t n = capheap_registry_count();
    for (size_t i = 0; i < n; i++) {
        void *lock = capheap_registry_at(i)->lock;
        if (lock != NULL) {
            capheap_port_lock_take(lock);
        }
    }
    capheap_task_stats_hold(true);
}

void capheap_registry_give_all(void) {
    capheap_task_stats_hold(false);
    for (size_t i = capheap_registry_count(); i-- > 0;) {
        void *lock = capheap_registry_at(i)->lock;
        if (lock != NULL) {
            capheap_port_lock_give(lock);
        }
    }
    capheap_port_critical_exit();
}
