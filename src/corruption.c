/*
 * corruption.c: where detected heap corruption goes. An installed handler
 * (tests, firmware that logs and goes on) or else the port's default, which
 * reports and stops.
 */
#include "capheap/port.h"
#include "fault.h"

static capheap_corruption_handler_t installed;
static void *installed_user;

capheap_corruption_handler_t capheap_set_corruption_handler(capheap_corruption_handler_t handler, void *user) {
    capheap_port_critical_enter();
    capheap_corruption_handler_t old = installed;
    installed = handler;
    installed_user = user;
    capheap_port_critical_exit();
    return old;
}

void capheap_report_corruption(const void *addr, const char *what) {
    capheap_corruption_handler_t handler = installed;
    if (handler != NULL) {
        handler(addr, what, installed_user);
    } else {
        capheap_port_corruption(addr, what);
    }
}

void capheap_report_fault(const void *p, capheap_fault_t fault) {
    capheap_report_corruption(p, capheap_fault_text(fault));
}

const char *capheap_fault_text(capheap_fault_t f) {
    switch (f) {
    case CAPHEAP_FAULT_NONE:
        return "no fault";
    case CAPHEAP_FAULT_OUTSIDE:
        return "pointer outside the heap";
    case CAPHEAP_FAULT_MISALIGNED:
        return "misaligned pointer";
    case CAPHEAP_FAULT_DOUBLE_FREE:
        return "double free (block already free)";
    case CAPHEAP_FAULT_NOT_A_BLOCK:
        return "not a block (bad header)";
    case CAPHEAP_FAULT_FREED_CANARY:
        return "double free (freed canary)";
    case CAPHEAP_FAULT_HEAD_CANARY:
        return "bad head canary (not a block start, or written before the block)";
    case CAPHEAP_FAULT_TAIL_CANARY:
        return "bad tail canary (written past the end of the block)";
    }
    return "unknown fault";
}
