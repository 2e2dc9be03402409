/*
 * internal.h (private): marks for functions that are the library's own.
 *
 * CAPHEAP_INTERNAL gives a function hidden visibility: callers inside the
 * library reach it by a direct call, with no PLT or GOT set-up (on i386 that
 * set-up costs more than a whole free-list operation), and it does not leak
 * into a shared library's symbol table.
 */
#ifndef CAPHEAP_INTERNAL_H
#define CAPHEAP_INTERNAL_H

#if defined(__GNUC__) && !defined(_WIN32)
#define CAPHEAP_INTERNAL __attribute__((visibility("hidden")))
#else
#define CAPHEAP_INTERNAL
#endif

/* For the few helpers of malloc's and free's fast paths that have other
 * callers too: inlined where it pays, called elsewhere (the others reach them
 * through an out-of-line wrapper). */
#if defined(__OPTIMIZE_SIZE__)
/* A size build (-Os) leaves the choice to the compiler, which keeps one copy
 * of a body that has several callers. */
#define CAPHEAP_ALWAYS_INLINE inline
#else
#define CAPHEAP_ALWAYS_INLINE inline __attribute__((always_inline))
#endif

#endif /* CAPHEAP_INTERNAL_H */
