/*
 * corruption.c: where detected heap corruption goes. An installed handler
 * (tests, firmware that logs and goes on) or else the port's default, which
 * reports and stops.
 */
#include "capheap/port.h"
#include "fault.h"
#include "poison.h" /* CAPHEAP_POISONING_LEVEL and its default */

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

/* The texts from CAPHEAP_FAULT_OUTSIDE on, in the order of capheap_fault_t,
 * each ended by its NUL, and then the text for a code outside them (none is
 * ever reported): one string and no table of pointers. The canary faults
 * come from poisoning only: a build without it carries none of their texts. */
static const char fault_texts[] = "pointer outside the heap\0"
                                  "misaligned pointer\0"
                                  "double free\0"
                                  "not a block\0"
#if CAPHEAP_POISONING_LEVEL > 0
                                  "double free (freed canary)\0"
                                  "bad head canary\0"
                                  "bad tail canary\0"
                                  "double free, or a pointer into free memory\0"
#define LAST_FAULT CAPHEAP_FAULT_FREE_MEMORY
#else
#define LAST_FAULT CAPHEAP_FAULT_NOT_A_BLOCK
#endif
                                  "unknown fault";

/* Walks to the text of fault: the one caller of the texts, so no function of
 * its own. CAPHEAP_FAULT_NONE wraps around to the unknown fault. */
void capheap_report_fault(const void *p, capheap_fault_t fault) {
    const char *s = fault_texts;
    unsigned skip = (unsigned)fault - 1u;
    for (skip = skip < LAST_FAULT ? skip : LAST_FAULT; skip > 0; skip--) {
        while (*s++ != '\0') {
        }
    }
    capheap_report_corruption(p, s);
}
