/*
 * runtime.c: the integer helpers GCC calls on this core that Debian's
 * libgcc for xtensa-lx106-elf lacks (its lib1funcs part is missing: 32-bit
 * division, 64-bit multiplication and division), and the two process calls
 * picolibc's abort() makes (getpid, kill: exit as the signal would).
 *
 * Plain shift-and-subtract and schoolbook multiplication, written so that
 * they compile to no call of the helpers they define (no / or %, no 64-bit
 * *). Slow, and only the tests' and the log's arithmetic needs them.
 */
#include <stdint.h>

#include "semihost.h"

typedef struct {
    uint64_t quotient, remainder;
} udivmod64_t;

static udivmod64_t udivmod64(uint64_t n, uint64_t d) {
    udivmod64_t r = {0, 0};
    if (d == 0) {
        return r; /* division by zero is undefined in C: any result will do */
    }
    for (int bit = 63; bit >= 0; bit--) {
        r.remainder = r.remainder << 1 | (n >> bit & 1u);
        if (r.remainder >= d) {
            r.remainder -= d;
            r.quotient |= (uint64_t)1 << bit;
        }
    }
    return r;
}

static uint32_t udivmod32(uint32_t n, uint32_t d, uint32_t *remainder) {
    uint32_t q = 0, r = 0;
    if (d != 0) {
        for (int bit = 31; bit >= 0; bit--) {
            r = r << 1 | (n >> bit & 1u);
            if (r >= d) {
                r -= d;
                q |= 1u << bit;
            }
        }
    }
    *remainder = r;
    return q;
}

/* 32 x 32 -> 64 from 16-bit halves (each product fits 32 bits). */
static uint64_t umul32x32(uint32_t a, uint32_t b) {
    uint32_t a_lo = a & 0xFFFFu, a_hi = a >> 16, b_lo = b & 0xFFFFu, b_hi = b >> 16;
    uint64_t lo = (uint64_t)(a_lo * b_lo);
    uint64_t mid = (uint64_t)(a_lo * b_hi) + (uint64_t)(a_hi * b_lo);
    uint64_t hi = (uint64_t)(a_hi * b_hi);
    return lo + (mid << 16) + (hi << 32);
}

uint32_t __udivsi3(uint32_t n, uint32_t d);
uint32_t __umodsi3(uint32_t n, uint32_t d);
int32_t __divsi3(int32_t n, int32_t d);
uint64_t __umulsidi3(uint32_t a, uint32_t b);
uint64_t __muldi3(uint64_t a, uint64_t b);
uint64_t __udivdi3(uint64_t n, uint64_t d);
uint64_t __umoddi3(uint64_t n, uint64_t d);
int64_t __divdi3(int64_t n, int64_t d);

uint32_t __udivsi3(uint32_t n, uint32_t d) {
    uint32_t r;
    return udivmod32(n, d, &r);
}

uint32_t __umodsi3(uint32_t n, uint32_t d) {
    uint32_t r;
    udivmod32(n, d, &r);
    return r;
}

int32_t __divsi3(int32_t n, int32_t d) {
    uint32_t un = n < 0 ? 0u - (uint32_t)n : (uint32_t)n;
    uint32_t ud = d < 0 ? 0u - (uint32_t)d : (uint32_t)d;
    uint32_t r, q = udivmod32(un, ud, &r);
    return (int32_t)((n < 0) != (d < 0) ? 0u - q : q);
}

uint64_t __umulsidi3(uint32_t a, uint32_t b) { return umul32x32(a, b); }

/* Modulo 2^64: the high halves' cross products only reach the high word. */
uint64_t __muldi3(uint64_t a, uint64_t b) {
    uint32_t a_lo = (uint32_t)a, a_hi = (uint32_t)(a >> 32), b_lo = (uint32_t)b, b_hi = (uint32_t)(b >> 32);
    uint32_t cross = a_lo * b_hi + a_hi * b_lo;
    return umul32x32(a_lo, b_lo) + ((uint64_t)cross << 32);
}

uint64_t __udivdi3(uint64_t n, uint64_t d) { return udivmod64(n, d).quotient; }

uint64_t __umoddi3(uint64_t n, uint64_t d) { return udivmod64(n, d).remainder; }

int64_t __divdi3(int64_t n, int64_t d) {
    uint64_t un = n < 0 ? 0u - (uint64_t)n : (uint64_t)n;
    uint64_t ud = d < 0 ? 0u - (uint64_t)d : (uint64_t)d;
    uint64_t q = udivmod64(un, ud).quotient;
    return (int64_t)((n < 0) != (d < 0) ? 0u - q : q);
}

/* picolibc's abort() raises SIGABRT with kill(getpid(), ...): with no
 * process to signal, the program ends as the signal would end it. */
int getpid(void);
int kill(int pid, int sig);

int getpid(void) { return 1; }

int kill(int pid, int sig) {
    (void)pid;
    capheap_semihost_exit(128 + sig);
}
