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

/* capheap_msb of a 32-bit word, as 31 ^ clz (equal for 0 <= clz <= 31): GCC
 * makes a single bsr of it on x86, where 31 - clz costs three instructions
 * more when the result is scaled and added to (capheap_tlsf_largest_free).
 * Not for capheap_msb itself: the size-class arithmetic of tlsf.c, which
 * subtracts a constant from it, is shorter with 31 - clz. */
static inline unsigned capheap_msb_word(uint32_t x) { return 31u ^ (unsigned)__builtin_clz(x); }

/* Index of the lowest set bit of x; x must be nonzero. */
static inline unsigned capheap_ctz32(uint32_t x) { return (unsigned)__builtin_ctz(x); }

#endif /* CAPHEAP_BITOPS_H */
