/*
 * corruption.c: where detected heap corruption goes. An installed handler
 * (tests, firmware that logs and goes on) or else the port's default, which
 * reports and stops.
 */
#include "capheap/port.h"

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
