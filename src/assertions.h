/*
 * assertions.h (private): the conditions capheap's helpers rely on and leave,
 * checked when the build asks for it.
 *
 * CAPHEAP_ASSERTIONS (CMake option of the same name; capheap/config.h):
 *   0  none compiled in (the default, and every figure of the README);
 *   1  CAPHEAP_ASSERT_AT: each helper's pre- and postconditions, no walk (the
 *      region allocator's helpers; the registry's candidate lists and owner
 *      ranges): about half again the instructions of a malloc+free pair, and
 *      the conditions' text in flash (make bench, make size give both);
 *   2  also CAPHEAP_VERIFY_REGION: the whole region (capheap_tlsf_check) after
 *      every call that changes it, O(blocks) per call: for tests, and for
 *      catching a stray write at the first heap call after it.
 * A failed assertion is a bug in capheap or memory the application overwrote.
 * Either way the heap cannot be trusted any more: it is reported with the
 * address concerned through the corruption hook (capheap/port.h), and then
 * the port aborts, even when an installed handler returned.
 *
 * A build may give its own CAPHEAP_ASSERT_AT (for instance a breakpoint
 * instruction) in its config header (capheap/config.h); it must not return.
 */
#ifndef CAPHEAP_ASSERTIONS_H
#define CAPHEAP_ASSERTIONS_H

#include "capheap/config.h"
#include "internal.h"

#ifndef CAPHEAP_ASSERTIONS
#define CAPHEAP_ASSERTIONS 0
#endif

#define CAPHEAP_ASSERT_STR2(x) #x
#define CAPHEAP_ASSERT_STR(x) CAPHEAP_ASSERT_STR2(x)
/* The file's name without the build machine's path, where the compiler
 * knows it (GCC 12, clang 9): the text is in the firmware's flash. */
#ifdef __FILE_NAME__
#define CAPHEAP_ASSERT_FILE __FILE_NAME__
#else
#define CAPHEAP_ASSERT_FILE __FILE__
#endif

struct capheap_tlsf;

#if CAPHEAP_ASSERTIONS > 0

/** Reports what at addr through the corruption hook, then aborts through
 *  the port. */
CAPHEAP_INTERNAL __attribute__((noreturn, cold)) void capheap_assertion_failed(const void *addr, const char *what);

#ifndef CAPHEAP_ASSERT_AT
/** cond holds; when not, the report names addr, the block or heap concerned. */
#define CAPHEAP_ASSERT_AT(addr, cond)                                                                              \
    ((cond) ? (void)0                                                                                              \
            : capheap_assertion_failed((addr), "assertion failed: " CAPHEAP_ASSERT_FILE ":" CAPHEAP_ASSERT_STR(__LINE__) ": " #cond))
#endif

#else

/* Not evaluated, but compiled: a condition that stops compiling, or a name
 * used only in one, is seen in every build. */
#define CAPHEAP_ASSERT_AT(addr, cond) ((void)sizeof(addr), (void)sizeof(cond))

#endif

#if CAPHEAP_ASSERTIONS > 1
/** Checks every invariant of the region (capheap_tlsf_check); the first one
 *  broken is a failed assertion at the address the check names. */
CAPHEAP_INTERNAL void capheap_verify_region(const struct capheap_tlsf *t);
#define CAPHEAP_VERIFY_REGION(t) capheap_verify_region(t)
#else
#define CAPHEAP_VERIFY_REGION(t) ((void)sizeof(t))
#endif

#endif /* CAPHEAP_ASSERTIONS_H */
