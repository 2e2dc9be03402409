/*
 * bitops.h (private): bit scans the size-class search is built on.
 * GCC and Clang lower these to one instruction where the target has it
 * (bsr/bsf, clz, rbit+clz on Cortex-M3), else to a libgcc routine.
 */
#ifndef CAPHEAP_BITOPS_H
#define CAPHEAP_BITOPS_H

#include <stddef.h>
#include <stdint.h>

/* Index of the highest set bit of x; x must be nonzero. */
static inline unsigned capheap_msb(size_t x) {
#if SIZE_MAX > 0xFFFFFFFFu
    return 63u - (unsigned)__builtin_clzll((unsigned long long)x);
#else
    return 31u - (unsigned)__builtin_clz((unsigned)x);
#endif
}

/* Index of the lowest set bit of x; x must be nonzero. */
static inline unsigned capheap_ctz32(uint32_t x) { return (unsigned)__builtin_ctz(x); }

#endif /* CAPHEAP_BITOPS_H */
