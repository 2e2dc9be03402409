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

/* Never inlined, at any optimisation level: the call to the application's
 * handler stays here, where scripts/stack-usage.sh expects it. */
__attribute__((noinline)) void capheap_report_corruption(const void *addr, const char *what) {
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

/* The texts in the order of capheap_fault_t, each ended by its NUL, and then
 * the text for a code outside the enum: one string and no table of pointers. */
static const char fault_texts[] = "no fault\0"
                                  "pointer outside the heap\0"
                                  "misaligned pointer\0"
                                  "double free\0"
                                  "not a block\0"
                                  "double free (freed canary)\0"
                                  "bad head canary\0"
                                  "bad tail canary\0"
                                  "unknown fault";

const char *capheap_fault_text(capheap_fault_t f) {
    const char *s = fault_texts;
    for (unsigned i = (unsigned)f <= CAPHEAP_FAULT_TAIL_CANARY ? (unsigned)f : CAPHEAP_FAULT_TAIL_CANARY + 1u; i > 0;
         i--) {
        while (*s++ != '\0') {
        }
    }
    return s;
}
