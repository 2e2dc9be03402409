/*
 * bitops.h (private): bit scans the size-class search is built on.
 * GCC and Clang lower the builtins to one instruction where the target has it
 * (bsr/bsf, clz, rbit+clz on Cortex-M3, nsau on Xtensa).
 *
 * Some cores have none: RISC-V without the Zbb extension (the ESP32-C3's
 * RV32IMC, the C6's RV32IMAC) and ARMv6-M (Cortex-M0/M0+, the RP2040). There
 * GCC calls libgcc's __clzsi2 and __ctzsi2: a call, two or three branches and
 * a 256-byte table, and the caller's registers kept across the call (on RV32,
 * a malloc made up to four such calls). capheap then finds a bit with a
 * multiply by a de Bruijn sequence instead (Leiserson, Prokop and Randall,
 * "Using de Bruijn sequences to index a 1 in a computer word", 1998), inline
 * and without a branch: a word with one bit set, times the sequence 0x077CB531,
 * has a distinct top five bits for each position of the bit. For the highest
 * bit of any word, the bits below it are set first ("smeared") and the
 * constant 0x07C4ACDD does the same for the 32 words 2^(k+1) - 1. The
 * multiply is one instruction; a core whose multiplier is slow (a Cortex-M0
 * built with the small, 32-cycle one) may spend fewer cycles in libgcc's
 * routines, and keeps them with CAPHEAP_SOFT_BITSCAN=0 (capheap/config.h).
 * make bench-target counts instructions, not cycles.
 */
#ifndef CAPHEAP_BITOPS_H
#define CAPHEAP_BITOPS_H

#include <stddef.h>
#include <stdint.h>

#include "capheap/config.h"
#include "internal.h"

#ifndef CAPHEAP_SOFT_BITSCAN
#if (defined(__riscv) && !defined(__riscv_zbb)) || (defined(__arm__) && !defined(__ARM_FEATURE_CLZ))
#define CAPHEAP_SOFT_BITSCAN 1
#else
#define CAPHEAP_SOFT_BITSCAN 0
#endif
#endif

#if CAPHEAP_SOFT_BITSCAN
/* Bit positions by the top five bits of the products (in src/tlsf.c, the
 * one file that scans). */
CAPHEAP_INTERNAL extern const uint8_t capheap_debruijn_lowest[32];
CAPHEAP_INTERNAL extern const uint8_t capheap_debruijn_highest[32];

/* Position of the only set bit of a power of two. */
static inline unsigned capheap_bit_index(uint32_t power_of_two) {
    return capheap_debruijn_lowest[(uint32_t)(power_of_two * 0x077CB531u) >> 27];
}

/* Position of the highest set bit of a nonzero word. */
static inline unsigned capheap_msb32(uint32_t x) {
    x |= x >> 1;
    x |= x >> 2;
    x |= x >> 4;
    x |= x >> 8;
    x |= x >> 16; /* now 2^(k+1) - 1, k the highest set bit */
    return capheap_debruijn_highest[(uint32_t)(x * 0x07C4ACDDu) >> 27];
}

static inline unsigned capheap_ctz32(uint32_t x) { return capheap_bit_index(x & (0u - x)); }

static inline unsigned capheap_msb_word(uint32_t x) { return capheap_msb32(x); }

static inline unsigned capheap_msb(size_t x) {
#if SIZE_MAX > 0xFFFFFFFFu
    uint32_t high = (uint32_t)((uint64_t)x >> 32);
    return high != 0 ? 32u + capheap_msb32(high) : capheap_msb32((uint32_t)x);
#else
    return capheap_msb32((uint32_t)x);
#endif
}

#else /* a bit-scan instruction */

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

#endif /* CAPHEAP_SOFT_BITSCAN */

#endif /* CAPHEAP_BITOPS_H */
