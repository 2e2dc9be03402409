/*
 * word_access.h (private): filling (zeroing, poisoning), copying and the
 * 4-byte stores and loads capheap makes inside blocks, in aligned 32-bit words only when the build
 * has memory that takes no other access (CAPHEAP_WORD_ONLY_MEMORY, tlsf.h:
 * the ESP32's and ESP8266's instruction RAM). A partial word at an end is
 * read, merged and written back whole; the rest of that word belongs to the
 * same block (blocks are whole words of the grain). Without such memory they
 * are memset and memcpy.
 *
 * The words are may_alias: the block's memory holds whatever the
 * application stored there, of any type; and volatile where a loop could
 * otherwise become a call of memset or memcpy, whose accesses are the C
 * library's choice.
 */
#ifndef CAPHEAP_WORD_ACCESS_H
#define CAPHEAP_WORD_ACCESS_H

#include <stdint.h>
#include <string.h>

#include "tlsf.h" /* CAPHEAP_WORD_ONLY_MEMORY */

typedef uint32_t __attribute__((may_alias)) capheap_word_t;

#define CAPHEAP_WORD 4u

/* A word of four bytes of value byte. */
#define CAPHEAP_FILL_WORD(byte) ((uint32_t)(byte) * UINT32_C(0x01010101))

#if CAPHEAP_WORD_ONLY_MEMORY

/* The bytes [lo, hi) of the word at w (0 <= lo < hi <= 4, in address order)
 * as a mask of that word. */
static inline uint32_t capheap_word_bytes(unsigned lo, unsigned hi) {
    uint32_t below_hi = hi == 4 ? ~UINT32_C(0) : (UINT32_C(1) << (8 * hi)) - 1;
    uint32_t mask = below_hi & ~((UINT32_C(1) << (8 * lo)) - 1);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    mask = __builtin_bswap32(mask);
#endif
    return mask;
}

/* Writes the bytes of value that mask selects into the aligned word at w. */
static inline void capheap_word_merge(uint8_t *w, uint32_t value, uint32_t mask) {
    volatile capheap_word_t *word = (volatile capheap_word_t *)(void *)w;
    *word = (*word & ~mask) | (value & mask);
}

/* memset(p, byte, n). */
static inline void capheap_block_fill(void *p, uint8_t byte, size_t n) {
    uint8_t *b = p;
    if ((uintptr_t)b % CAPHEAP_WORD != 0) {
        memset(b, byte, n); /* not memory that takes words only: its blocks are aligned */
        return;
    }
    for (; n >= CAPHEAP_WORD; b += CAPHEAP_WORD, n -= CAPHEAP_WORD) {
        *(volatile capheap_word_t *)(void *)b = CAPHEAP_FILL_WORD(byte);
    }
    if (n != 0) {
        capheap_word_merge(b, CAPHEAP_FILL_WORD(byte), capheap_word_bytes(0, (unsigned)n));
    }
}

static inline void capheap_block_copy(void *dst, const void *src, size_t n) {
    uint8_t *d = dst;
    const uint8_t *s = src;
    if (((uintptr_t)d | (uintptr_t)s) % CAPHEAP_WORD != 0) {
        memcpy(d, s, n);
        return;
    }
    for (; n >= CAPHEAP_WORD; d += CAPHEAP_WORD, s += CAPHEAP_WORD, n -= CAPHEAP_WORD) {
        *(volatile capheap_word_t *)(void *)d = *(const volatile capheap_word_t *)(const void *)s;
    }
    if (n != 0) { /* the source's last word is its block's too */
        capheap_word_merge(d, *(const volatile capheap_word_t *)(const void *)s, capheap_word_bytes(0, (unsigned)n));
    }
}

/* A 4-byte value at any address inside a block: one word, or the two it
 * straddles. */
static inline void capheap_block_store32(uint8_t *at, uint32_t value) {
    unsigned off = (unsigned)((uintptr_t)at % CAPHEAP_WORD);
    uint8_t *w = at - off;
    if (off == 0) {
        *(volatile capheap_word_t *)(void *)w = value;
        return;
    }
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    capheap_word_merge(w, value >> (8 * off), capheap_word_bytes(off, 4));
    capheap_word_merge(w + CAPHEAP_WORD, value << (32 - 8 * off), capheap_word_bytes(0, off));
#else
    capheap_word_merge(w, value << (8 * off), capheap_word_bytes(off, 4));
    capheap_word_merge(w + CAPHEAP_WORD, value >> (32 - 8 * off), capheap_word_bytes(0, off));
#endif
}

static inline uint32_t capheap_block_load32(const uint8_t *at) {
    unsigned off = (unsigned)((uintptr_t)at % CAPHEAP_WORD);
    const uint8_t *w = at - off;
    uint32_t lo = *(const volatile capheap_word_t *)(const void *)w;
    if (off == 0) {
        return lo;
    }
    uint32_t hi = *(const volatile capheap_word_t *)(const void *)(w + CAPHEAP_WORD);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return lo << (8 * off) | hi >> (32 - 8 * off);
#else
    return lo >> (8 * off) | hi << (32 - 8 * off);
#endif
}

#else

static inline void capheap_block_fill(void *p, uint8_t byte, size_t n) { memset(p, byte, n); }
static inline void capheap_block_copy(void *dst, const void *src, size_t n) { memcpy(dst, src, n); }
static inline void capheap_block_store32(uint8_t *at, uint32_t value) { memcpy(at, &value, sizeof value); }
static inline uint32_t capheap_block_load32(const uint8_t *at) {
    uint32_t value;
    memcpy(&value, at, sizeof value);
    return value;
}

#endif

#endif /* CAPHEAP_WORD_ACCESS_H */
