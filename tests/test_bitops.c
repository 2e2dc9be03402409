/*
 * test_bitops.c: the bit scans of src/bitops.h for cores without a bit-scan
 * instruction (CAPHEAP_SOFT_BITSCAN: de Bruijn multiplies, used on RISC-V
 * without Zbb and on ARMv6-M) give what the compiler's builtins give, and the
 * region allocator built on them stays sound and exact. This file compiles
 * src/tlsf.c itself with them, as test_tlsf.c does, so the host runs the very
 * code the RV32 target tests run on their own instruction set.
 */
#undef CAPHEAP_SOFT_BITSCAN
#define CAPHEAP_SOFT_BITSCAN 1
/* Before cmocka.h, whose fail() macro would rewrite tlsf.c's own fail(). */
#undef CAPHEAP_ASSERTIONS
#define CAPHEAP_ASSERTIONS 0
#include "tlsf.c"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

_Static_assert(CAPHEAP_SOFT_BITSCAN, "this test is of the scans without an instruction");

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static uint64_t rng(void) { /* xorshift64* */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Du;
}

/* Words on which a scan differs from the builtins (counted, not asserted one
 * by one: millions of words are tried). */
static unsigned long wrong;

static void try_word(uint32_t x) {
    unsigned msb = 31u - (unsigned)__builtin_clz(x);
    wrong += capheap_msb32(x) != msb;
    wrong += capheap_msb_word(x) != msb;
    wrong += capheap_msb((size_t)x) != msb;
    wrong += capheap_ctz32(x) != (unsigned)__builtin_ctz(x);
}

/* Each table entry is reached by a word with one bit set (ctz isolates the
 * lowest bit first) and by 2^(k+1) - 1 (msb sets every bit below the highest
 * first); two bits anywhere check both reductions. */
static void every_bit_position(void **state) {
    (void)state;
    wrong = 0;
    for (unsigned k = 0; k < 32; k++) {
        try_word(1u << k);
        try_word(UINT32_MAX >> k);
        try_word(UINT32_MAX << k);
        for (unsigned j = 0; j < k; j++) {
            try_word(1u << k | 1u << j);
        }
    }
    assert_int_equal(wrong, 0);
}

/* Every word below 2^22 (every block size of a 4 MiB region) and as many
 * random words. */
static void small_and_random_words(void **state) {
    (void)state;
    wrong = 0;
    for (uint32_t x = 1; x < (1u << 22); x++) {
        try_word(x);
    }
    for (unsigned i = 0; i < (1u << 22); i++) {
        uint32_t x = (uint32_t)(rng() >> 32);
        try_word(x != 0 ? x : 1);
    }
    assert_int_equal(wrong, 0);
}

/* capheap_msb of a size_t wider than 32 bits takes the high word first. */
static void wide_sizes(void **state) {
    (void)state;
#if SIZE_MAX > 0xFFFFFFFFu
    wrong = 0;
    for (unsigned k = 0; k < 64; k++) {
        size_t bit = (size_t)1 << k;
        wrong += capheap_msb(bit) != k;
        wrong += capheap_msb(bit | 1u) != k;
        wrong += capheap_msb(SIZE_MAX >> (63u - k)) != k;
    }
    for (unsigned i = 0; i < 100000; i++) {
        size_t x = (size_t)rng() | 1u;
        wrong += capheap_msb(x) != 63u - (unsigned)__builtin_clzll((unsigned long long)x);
    }
    assert_int_equal(wrong, 0);
#else
    skip(); /* a 32-bit size_t is a word: the tests above covered it */
#endif
}

/* Random mallocs and frees on a region built on the scans: every 97 changes
 * the structure is sound, and the largest request it reports is served while
 * one byte more is not (the bitmap searches and the largest-class scan both
 * run on the scans). */
#define REGION (256 * 1024)
#define SLOTS 200
static _Alignas(64) uint8_t region[REGION];

static void region_allocator_on_the_scans(void **state) {
    (void)state;
    capheap_tlsf_t *t = capheap_tlsf_create(region, sizeof region, 0, 0);
    assert_non_null(t);
    void *slot[SLOTS] = {0};
    for (unsigned op = 0; op < 20000; op++) {
        unsigned s = (unsigned)(rng() % SLOTS);
        if (slot[s] != NULL) {
            capheap_tlsf_free(t, slot[s]);
            slot[s] = NULL;
        } else {
            size_t size = (size_t)1 << (rng() % 13); /* 1 B to 4 KiB, then spread */
            slot[s] = capheap_tlsf_malloc(t, size + (size_t)(rng() % size));
        }
        if (op % 97 == 0) {
            assert_true(capheap_tlsf_check(t, NULL, NULL));
            size_t largest = capheap_tlsf_largest_free(t);
            assert_null(capheap_tlsf_malloc(t, largest + 1));
            if (largest != 0) {
                void *p = capheap_tlsf_malloc(t, largest);
                assert_non_null(p);
                capheap_tlsf_free(t, p);
            }
        }
    }
    assert_true(capheap_tlsf_check(t, NULL, NULL));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_bit_position),
        cmocka_unit_test(small_and_random_words),
        cmocka_unit_test(wide_sizes),
        cmocka_unit_test(region_allocator_on_the_scans),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
