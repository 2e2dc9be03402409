/*
 * assertions.c: where a failed assertion goes (assertions.h). CMake compiles
 * it only when CAPHEAP_ASSERTIONS is above 0; a build that compiles every
 * file gets nothing from it then.
 */
#include "assertions.h"

#include "capheap/port.h"
#include "tlsf.h"

#if CAPHEAP_ASSERTIONS > 0

void capheap_assertion_failed(const void *addr, const char *what) {
    capheap_report_corruption(addr, what);
    /* An installed handler may return (tests, firmware that logs and goes
     * on after a bad free): after a broken assertion nothing may go on. */
    capheap_port_abort("a heap assertion failed (CAPHEAP_ASSERTIONS)");
    for (;;) {
    }
}

#if CAPHEAP_ASSERTIONS > 1
static void region_fault(const void *addr, const char *what, void *user) {
    (void)user;
    capheap_assertion_failed(addr, what);
}

void capheap_verify_region(const struct capheap_tlsf *t) { (void)capheap_tlsf_check(t, region_fault, NULL); }
#endif

#endif /* CAPHEAP_ASSERTIONS > 0 */
