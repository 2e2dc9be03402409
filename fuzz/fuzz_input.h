/*
 * fuzz_input.h: what the fuzz targets share: failing a check (which libFuzzer
 * records as a crash with its input), reading operands from the input, and
 * the pseudo-random pattern blocks are filled with and compared against.
 * Each target defines FUZZ_TARGET_NAME before including it. The helpers are
 * inline so that a target that decodes no operands (fuzz_tool_inputs) can
 * include the header without unused-function warnings.
 */
#ifndef CAPHEAP_FUZZ_INPUT_H
#define CAPHEAP_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#ifndef FUZZ_TARGET_NAME
#error "define FUZZ_TARGET_NAME before including fuzz_input.h"
#endif

/* The operation being run, for the failure message. */
static size_t op_index;

static void fail(int line, const char *what) {
    fprintf(stderr, FUZZ_TARGET_NAME ":%d: check failed at operation %zu: %s\n", line, op_index, what);
    abort();
}

#define CHECK(c) ((c) ? (void)0 : fail(__LINE__, #c))

typedef struct {
    const uint8_t *p;
    size_t n;
} input_t;

/* Past the end of the input every read gives 0: short inputs stay valid. */
static inline uint8_t take8(input_t *in) {
    if (in->n == 0) {
        return 0;
    }
    in->n--;
    return *in->p++;
}

/* Little-endian; each byte read in its own statement, as operands of one
 * expression are read in no set order. */
static inline uint16_t take16(input_t *in) {
    uint16_t lo = take8(in);
    return (uint16_t)(lo | take8(in) << 8);
}

static inline uint32_t take32(input_t *in) {
    uint32_t lo = take16(in);
    return lo | (uint32_t)take16(in) << 16;
}

/* A request size: mostly small (1..64, 1..1024, 1..medium), else up to large,
 * and selector 0xFF picks an edge: 0, near SIZE_MAX, exactly the largest free
 * block (largest_free(ctx)), or just above it. */
static inline size_t take_size_of(input_t *in, size_t medium, size_t large, size_t (*largest_free)(void *), void *ctx) {
    uint8_t sel = take8(in);
    switch (sel >> 6) {
    case 0:
        return 1 + (sel & 63u);
    case 1:
        return 1 + (((sel & 63u) << 8 | take8(in)) % 1024);
    case 2:
        return 1 + take16(in) % medium;
    default:
        break;
    }
    if (sel != 0xFF) {
        return take32(in) % large;
    }
    uint8_t k = take8(in);
    size_t largest = largest_free(ctx);
    switch (k & 3u) {
    case 0:
        return 0;
    case 1:
        return SIZE_MAX - (k >> 2);
    case 2:
        return largest;
    default:
        return largest + 1 + (k >> 2);
    }
}

/* Fills p[0, n) with bytes of a 64-bit LCG from seed: a block with key k holds
 * pattern[k + i] at offset i, so data moved to a wrong offset or block does
 * not match. */
static inline void fill_pattern(uint8_t *p, size_t n, uint64_t seed) {
    for (size_t i = 0; i < n; i++) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        p[i] = (uint8_t)(seed >> 56);
    }
}

#endif /* CAPHEAP_FUZZ_INPUT_H */
