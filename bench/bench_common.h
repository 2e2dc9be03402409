/*
 * bench_common.h: what the benchmark programs share: the wrapper attribute
 * that keeps each counted call apart for callgrind, and the workloads' random
 * requests of WORKLOADS.md (xorshift64* from a fixed seed, integer arithmetic
 * only, so that -m32 and 64-bit builds and every program draw the same
 * sizes). Included by one .c file per program; the functions are static
 * inline so that a program may use only some of them.
 */
#ifndef CAPHEAP_BENCH_COMMON_H
#define CAPHEAP_BENCH_COMMON_H

#include <stddef.h>
#include <stdint.h>

#if defined(__clang__)
#define BENCH_WRAPPER __attribute__((noinline, used))
#else
#define BENCH_WRAPPER __attribute__((noipa, used))
#endif

#define KIB ((size_t)1024)
#define BENCH_SEED UINT64_C(0x9E3779B97F4A7C15)

/* ---- random numbers: xorshift64*, integer only ------------------------- */

static uint64_t rng_state = BENCH_SEED;

static inline void rng_seed(void) { rng_state = BENCH_SEED; }

static inline uint64_t rng_next(void) {
    uint64_t x = rng_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng_state = x;
    return x * UINT64_C(0x2545F4914F6CDD1D);
}

/* Uniform in [0, n), from the high 32 bits (the best ones of xorshift64*). */
static inline uint32_t rng_below(uint32_t n) { return (uint32_t)(((rng_next() >> 32) * n) >> 32); }

/* Uniform in [lo, hi]. */
static inline size_t size_uniform(size_t lo, size_t hi) { return lo + rng_below((uint32_t)(hi - lo + 1)); }

/* Floor of the square root of v, digit by digit (no floating point). */
static inline uint64_t isqrt64(uint64_t v) {
    uint64_t root = 0, bit = UINT64_C(1) << 62;
    while (bit > v) {
        bit >>= 2;
    }
    while (bit != 0) {
        if (v >= root + bit) {
            v -= root + bit;
            root = (root >> 1) + bit;
        } else {
            root >>= 1;
        }
        bit >>= 2;
    }
    return root;
}

/* root2[k] = 2^(2^-(k+1)) in Q30: 2^(1/2), 2^(1/4), ... 2^(1/65536). */
#define Q 30
static uint64_t root2[16];

static inline void root2_init(void) {
    uint64_t v = UINT64_C(2) << Q;
    for (unsigned k = 0; k < 16; k++) {
        v = isqrt64(v << Q);
        root2[k] = v;
    }
}

/* 2^(f / 65536) in Q30 for f in [0, 65536). */
static inline uint64_t pow2_frac(uint32_t f) {
    uint64_t m = UINT64_C(1) << Q;
    for (unsigned k = 0; k < 16; k++) {
        if (f & (UINT32_C(0x8000) >> k)) {
            m = (m * root2[k]) >> Q;
        }
    }
    return m;
}

/* Log-uniform in [lo, hi) rounded down: lo * 2^(octaves * u), u uniform in
 * [0, 1) with 32 bits; hi / lo must be 2^octaves. */
static inline size_t size_log_uniform(size_t lo, unsigned octaves) {
    uint64_t v = (rng_next() >> 32) * octaves; /* octaves . 32 fraction bits */
    unsigned octave = (unsigned)(v >> 32);
    uint32_t frac = (uint32_t)(v >> 16) & 0xFFFFu;
    return (size_t)((((uint64_t)lo << octave) * pow2_frac(frac)) >> Q);
}

#endif /* CAPHEAP_BENCH_COMMON_H */
