/*
 * test_board_common.h: what the per-chip board tests (test_board_<chip>.c)
 * share: the heaps a board built, and draining a caps mask to see every place
 * its requests may land. Addresses are the chip's: the host model may have
 * moved the board (capheap_host_offset), and these helpers take that away.
 */
#ifndef CAPHEAP_TEST_BOARD_COMMON_H
#define CAPHEAP_TEST_BOARD_COMMON_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "capheap.h"

#define KIB 1024u

#ifndef BOARD_NAME
#error "define BOARD_NAME (the board under test) before including test_board_common.h"
#endif

/* cmocka fixtures: the board's heaps for each test. */
static inline int board_setup(void **state) {
    (void)state;
    assert_int_equal(capheap_init(BOARD_NAME), ESP_OK);
    return 0;
}

/* The board's variant with memory protection off (the ESP32-S3's, the
 * RISC-V chips' and the P4's boards have one, named BOARD_NAME "-noprot"). */
static inline int noprot_setup(void **state) {
    (void)state;
    assert_int_equal(capheap_init(BOARD_NAME "-noprot"), ESP_OK);
    return 0;
}

/* The board's variant with PSRAM (the ESP32-S2, -S3, -C5, -C61 and -P4 boards
 * have one, named BOARD_NAME "-psram"). */
static inline int psram_setup(void **state) {
    (void)state;
    assert_int_equal(capheap_init(BOARD_NAME "-psram"), ESP_OK);
    return 0;
}

static inline int board_teardown(void **state) {
    (void)state;
    capheap_deinit();
    return 0;
}

/** A chip address range [start, end). */
typedef struct {
    uintptr_t start, end;
} chip_range_t;

static inline uintptr_t chip_addr(const void *p) { return (uintptr_t)p - (uintptr_t)capheap_host_offset(); }

static inline size_t range_size(chip_range_t r) { return (size_t)(r.end - r.start); }

static inline bool in_range(const void *p, chip_range_t r) { return chip_addr(p) - r.start < range_size(r); }

/* ---- the heaps built ---------------------------------------------------- */

#define MAX_HEAPS 16

typedef struct {
    chip_range_t heap[MAX_HEAPS];
    size_t n;
} heap_list_t;

static inline bool note_heap(walker_heap_into_t heap, walker_block_info_t block, void *user) {
    (void)block;
    heap_list_t *l = user;
    chip_range_t r = {(uintptr_t)heap.start - (uintptr_t)capheap_host_offset(),
                      (uintptr_t)heap.end - (uintptr_t)capheap_host_offset()};
    if (l->n == 0 || l->heap[l->n - 1].start != r.start) {
        assert_true(l->n < MAX_HEAPS);
        l->heap[l->n++] = r;
    }
    return false; /* one block tells the heap: on to the next heap */
}

/** Asserts that the heaps are exactly expected[0..n), in this order. */
static inline void assert_heaps(const chip_range_t *expected, size_t n) {
    heap_list_t l = {.n = 0};
    heap_caps_walk_all(note_heap, &l);
    assert_int_equal(l.n, n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(l.heap[i].start, expected[i].start);
        assert_int_equal(l.heap[i].end, expected[i].end);
    }
}

/* ---- draining a caps mask --------------------------------------------- */

#define MAX_BLOCKS 8192

typedef struct {
    void *p[MAX_BLOCKS];
    size_t n;
} drained_t;

/** Allocates size-byte blocks with caps until none is left (or the table is
 *  full), in order. */
static inline void drain(drained_t *d, size_t size, uint32_t caps) {
    d->n = 0;
    void *p;
    while (d->n < MAX_BLOCKS && (p = heap_caps_malloc(size, caps)) != NULL) {
        d->p[d->n++] = p;
    }
    assert_true(d->n > 0);
}

/** Number of drained blocks in r. */
static inline size_t count_in(const drained_t *d, chip_range_t r) {
    size_t k = 0;
    for (size_t i = 0; i < d->n; i++) {
        k += in_range(d->p[i], r);
    }
    return k;
}

/** Frees every drained block with heap_caps_free, whatever its heap. */
static inline void release(drained_t *d) {
    for (size_t i = 0; i < d->n; i++) {
        heap_caps_free(d->p[i]);
    }
    d->n = 0;
}

/** The index of the first drained block outside r: blocks [0, k) are in r. */
static inline size_t prefix_in(const drained_t *d, chip_range_t r) {
    size_t k = 0;
    while (k < d->n && in_range(d->p[k], r)) {
        k++;
    }
    return k;
}

/** No drained block lies in any of ranges[0..n). */
static inline void assert_none_in(const drained_t *d, const chip_range_t *ranges, size_t n) {
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(count_in(d, ranges[i]), 0);
    }
}

/** Drains caps in size-byte blocks into d: they fill the heaps order[0..n)
 *  one after the other, at least min[i] blocks in each, and nowhere else.
 *  Frees them again. */
static inline void assert_drain_order(drained_t *d, size_t size, uint32_t caps, const chip_range_t *order,
                                      const size_t *min, size_t n) {
    drain(d, size, caps);
    size_t k = 0;
    for (size_t h = 0; h < n; h++) {
        size_t first = k;
        while (k < d->n && in_range(d->p[k], order[h])) {
            k++;
        }
        assert_true(k - first >= min[h]);
    }
    assert_int_equal(k, d->n);
    release(d);
}

/* ---- boards with PSRAM, under ESP-IDF's default malloc policy ------------ */

/** malloc() takes internal RAM first below 16 KiB (first_internal: where),
 *  PSRAM first from 16 KiB, and a PSRAM block is not DMA memory. */
static inline void assert_psram_malloc_policy(chip_range_t psram, chip_range_t first_internal) {
    void *small = heap_caps_malloc_default(16 * KIB - 1);
    void *large = heap_caps_malloc_default(16 * KIB);
    assert_true(small != NULL && in_range(small, first_internal));
    assert_true(large != NULL && in_range(large, psram));
    assert_false(capheap_ptr_caps(large) & MALLOC_CAP_DMA);
    heap_caps_free(small);
    heap_caps_free(large);
}

/** A DMA request that names SPIRAM gets PSRAM (no heap is both) in whole
 *  cache lines of line bytes; a DMA request without it, internal RAM. */
static inline void assert_psram_dma_in_lines(chip_range_t psram, size_t line) {
    for (size_t size = 1; size <= 200; size += 33) {
        uint8_t *p = heap_caps_malloc(size, MALLOC_CAP_DMA | MALLOC_CAP_SPIRAM);
        assert_true(p != NULL && in_range(p, psram));
        assert_int_equal(chip_addr(p) % line, 0);
        assert_true(heap_caps_get_allocated_size(p) >= ((size + line - 1) & ~(line - 1)));
        heap_caps_free(p);
    }
    void *internal = heap_caps_malloc(100, MALLOC_CAP_DMA);
    assert_true(internal != NULL && !in_range(internal, psram));
    heap_caps_free(internal);
    assert_true(heap_caps_check_integrity_all(true));
}

/** No memory has SIMD: a SIMD request fails (the boards without PSRAM). */
static inline void assert_no_simd_memory(void) {
    assert_null(heap_caps_malloc(100, MALLOC_CAP_SIMD));
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_SIMD), 0);
}

/** Only PSRAM has SIMD (at its last priority, as ESP-IDF's esp_psram adds
 *  it on every chip): a SIMD request gets PSRAM, 16-aligned (internal
 *  memory's line, none here, or SIMD's 16), and one that also names SPIRAM
 *  is aligned to PSRAM's cache line, line bytes. */
static inline void assert_simd_only_in_psram(chip_range_t psram, size_t line) {
    uint8_t *p = heap_caps_malloc(100, MALLOC_CAP_SIMD);
    assert_true(p != NULL && in_range(p, psram) && chip_addr(p) % 16 == 0);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_SIMD), range_size(psram));
    uint8_t *q = heap_caps_malloc(100, MALLOC_CAP_SIMD | MALLOC_CAP_SPIRAM);
    assert_true(q != NULL && in_range(q, psram) && chip_addr(q) % line == 0);
    heap_caps_free(p);
    heap_caps_free(q);
}

/** ESP-IDF's PSRAM defaults on a chip whose internal memory has neither a
 *  cache line nor SIMD (the ESP32-C5's and C61's): malloc's policy
 *  (first_internal: where small requests land), DMA naming SPIRAM in whole
 *  lines of line bytes, SIMD only from PSRAM. */
static inline void assert_psram_defaults(chip_range_t psram, chip_range_t first_internal, size_t line) {
    assert_psram_malloc_policy(psram, first_internal);
    assert_psram_dma_in_lines(psram, line);
    assert_simd_only_in_psram(psram, line);
}

/** Internal DMA takes the RAM with DEFAULT (main, then the start-up stack's
 *  block: at least most_main and most_stack blocks of 512) before the 32 KiB
 *  kept back for it (at least 55), which malloc never reaches. */
static inline void assert_kept_back_met_last(drained_t *d, chip_range_t main, chip_range_t stack,
                                             chip_range_t kept_back, size_t most_main, size_t most_stack) {
    const chip_range_t order[] = {main, stack, kept_back};
    const size_t min[] = {most_main, most_stack, 55};
    assert_drain_order(d, 512, MALLOC_CAP_DMA, order, min, 3);
}

/* ---- chips whose memory is one RAM type -------------------------------- */

/* The caps of that type (the ESP32-C2's and H2's), all at its first priority. */
#define ONE_RAM_TYPE_CAPS (MALLOC_CAP_DEFAULT | MALLOC_CAP_DMA | MALLOC_CAP_8BIT | MALLOC_CAP_INTERNAL | MALLOC_CAP_32BIT)

/** The heaps are main and stack, in this order, with the type's caps, and
 *  neither EXEC nor RTCRAM anywhere. */
static inline void assert_one_ram_type_heaps(chip_range_t main, chip_range_t stack) {
    const chip_range_t expected[] = {main, stack};
    assert_heaps(expected, 2);
    size_t all = range_size(main) + range_size(stack);
    assert_int_equal(heap_caps_get_total_size(ONE_RAM_TYPE_CAPS), all);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_8BIT), all);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_EXEC), 0);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_RTCRAM), 0);
    assert_null(heap_caps_malloc(64, MALLOC_CAP_EXEC));
    assert_null(heap_caps_malloc(64, MALLOC_CAP_RTCRAM));
}

/** Every request with some of the type's caps fills main, then stack (at
 *  least most[0] and most[1] blocks of 512 bytes), and none lands in
 *  reserved[0..n). */
static inline void assert_one_ram_type_order(drained_t *d, chip_range_t main, chip_range_t stack, const size_t most[2],
                                             const chip_range_t *reserved, size_t n) {
    const chip_range_t order[] = {main, stack};
    assert_drain_order(d, 512, MALLOC_CAP_DEFAULT, order, most, 2);
    assert_drain_order(d, 512, MALLOC_CAP_DMA, order, most, 2);
    assert_drain_order(d, 512, MALLOC_CAP_32BIT | MALLOC_CAP_INTERNAL, order, most, 2);
    drain(d, 512, MALLOC_CAP_8BIT);
    assert_none_in(d, reserved, n);
    release(d);
}

/** Without the PMP split: EXEC fills main, then stack, in malloc's order,
 *  never together with DMA (as in ESP-IDF), at the one address both buses
 *  see: code written there reads back where it was put. */
static inline void assert_one_ram_type_exec(drained_t *d, chip_range_t main, chip_range_t stack, const size_t most[2]) {
    const chip_range_t order[] = {main, stack};
    assert_drain_order(d, 512, MALLOC_CAP_EXEC, order, most, 2);
    assert_null(heap_caps_malloc(64, MALLOC_CAP_EXEC | MALLOC_CAP_DMA));
    uint32_t *code = heap_caps_malloc(64, MALLOC_CAP_EXEC);
    assert_true(code != NULL && in_range(code, main));
    assert_int_equal(capheap_ptr_caps(code), ONE_RAM_TYPE_CAPS | MALLOC_CAP_EXEC);
    code[0] = 0x00000013u; /* RV32 "nop", as a loader would write it */
    assert_int_equal(((const uint8_t *)code)[0], 0x13);
    heap_caps_free(code);
    assert_true(heap_caps_check_integrity_all(true));
}

/* ---- LP SRAM as a heap of type RTCRAM (the ESP32-C5's and C6's) --------- */

/** LP SRAM (at least most blocks of 512): RTCRAM first, the common caps
 *  (DEFAULT, INTERNAL, 32BIT, 8BIT) at the next priority, never DMA, and
 *  EXEC as the board says (exec: MALLOC_CAP_EXEC or 0). */
static inline void assert_lp_sram_caps(drained_t *d, chip_range_t lp, size_t most, uint32_t exec) {
    const chip_range_t order[] = {lp};
    const size_t min[] = {most};
    assert_drain_order(d, 512, MALLOC_CAP_RTCRAM, order, min, 1);
    assert_drain_order(d, 512, MALLOC_CAP_RTCRAM | MALLOC_CAP_8BIT | MALLOC_CAP_INTERNAL, order, min, 1);
    void *p = heap_caps_malloc(100, MALLOC_CAP_RTCRAM);
    assert_true(p != NULL && in_range(p, lp));
    assert_int_equal(capheap_ptr_caps(p), MALLOC_CAP_RTCRAM | MALLOC_CAP_DEFAULT | MALLOC_CAP_INTERNAL |
                                              MALLOC_CAP_32BIT | MALLOC_CAP_8BIT | exec);
    assert_null(heap_caps_malloc(64, MALLOC_CAP_RTCRAM | MALLOC_CAP_DMA));
    heap_caps_free(p);
}

#endif /* CAPHEAP_TEST_BOARD_COMMON_H */
