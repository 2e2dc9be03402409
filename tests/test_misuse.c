/*
 * test_misuse.c: the heap under misuse on purpose. A corruption handler
 * installed with capheap_set_corruption_handler records each report; every
 * misuse must be reported once, with the address at fault, and leave the heap
 * exactly as it was (same get_info, multi_heap_check passing) unless the test
 * broke memory itself, which it then restores. The default handler (none
 * installed) must stop the program: that case runs in a forked child.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "capheap/port.h"
#include "child_process.h"
#include "fault.h" /* capheap_report_fault: the text of each fault */
#include "multi_heap.h"
#include "poison.h" /* capheap_poison_payload: where this build's block payload starts */
#include "poison_layout.h"

#define W MULTI_HEAP_ALIGN
#define POISONING CAPHEAP_POISONING_LEVEL

static _Alignas(64) uint8_t region[32768];
static _Alignas(64) uint8_t other_region[4096];

/* ---- the recording handler ---------------------------------------------- */

typedef struct {
    int count;
    const void *addr;
    char what[200];
} report_log_t;

static report_log_t reports;

static void record(const void *addr, const char *what, void *user) {
    (void)user;
    reports.count++;
    reports.addr = addr;
    snprintf(reports.what, sizeof reports.what, "%s", what);
}

static int install(void **state) {
    (void)state;
    capheap_set_corruption_handler(record, NULL);
    memset(&reports, 0, sizeof reports);
    return 0;
}

static int uninstall(void **state) {
    (void)state;
    capheap_set_corruption_handler(NULL, NULL);
    return 0;
}

/* Exactly one report since the last call, about addr. */
static void expect_report(const void *addr) {
    if (reports.count != 1 || reports.addr != addr) {
        print_error("expected one report at %p, got %d, last at %p (%s)\n", addr, reports.count, reports.addr,
                    reports.what);
    }
    assert_int_equal(reports.count, 1);
    assert_ptr_equal(reports.addr, addr);
    reports.count = 0;
}

static void expect_no_report(void) { assert_int_equal(reports.count, 0); }

/* ---- helpers ------------------------------------------------------------ */

static multi_heap_handle_t new_heap(void) {
    memset(region, 0x5A, sizeof region);
    multi_heap_handle_t heap = multi_heap_register(region, sizeof region);
    assert_non_null(heap);
    return heap;
}

static void assert_same_info(multi_heap_handle_t heap, const multi_heap_info_t *before) {
    multi_heap_info_t now;
    multi_heap_get_info(heap, &now);
    assert_int_equal(now.total_free_bytes, before->total_free_bytes);
    assert_int_equal(now.total_allocated_bytes, before->total_allocated_bytes);
    assert_int_equal(now.largest_free_block, before->largest_free_block);
    assert_int_equal(now.minimum_free_bytes, before->minimum_free_bytes);
    assert_int_equal(now.allocated_blocks, before->allocated_blocks);
    assert_int_equal(now.free_blocks, before->free_blocks);
    assert_int_equal(now.total_blocks, before->total_blocks);
}

/* p is not a live block of heap: free, realloc and the size queries each
 * report it once, at p, fail as documented and change nothing. */
static void expect_rejected(multi_heap_handle_t heap, void *p) {
    multi_heap_info_t before;
    multi_heap_get_info(heap, &before);
    multi_heap_free(heap, p);
    expect_report(p);
    multi_heap_aligned_free(heap, p);
    expect_report(p);
    assert_null(multi_heap_realloc(heap, p, 64));
    expect_report(p);
    assert_int_equal(multi_heap_get_allocated_size(heap, p), 0);
    expect_report(p);
    assert_int_equal(multi_heap_get_full_block_size(heap, p), 0);
    expect_report(p);
    assert_same_info(heap, &before);
}

/* Like expect_rejected, with the heap sound afterwards. */
static void expect_rejected_and_sound(multi_heap_handle_t heap, void *p) {
    expect_rejected(heap, p);
    assert_true(multi_heap_check(heap, true));
    expect_no_report();
}

static void fill(void *p, size_t n, uint8_t v) { memset(p, v, n); }

/* ---- misuse at every level ---------------------------------------------- */

/* A second free of p is reported as one (the text of CAPHEAP_FAULT_DOUBLE_FREE
 * or, with poisoning, of CAPHEAP_FAULT_FREED_CANARY or _FREE_MEMORY: each
 * starts "double free"), then p is rejected as any pointer that is no live
 * block. */
static void expect_double_free(multi_heap_handle_t heap, void *p) {
    multi_heap_free(heap, p);
    if (reports.count == 1 && strncmp(reports.what, "double free", strlen("double free")) != 0) {
        print_error("the second free of %p was reported as \"%s\"\n", p, reports.what);
    }
    assert_int_equal(strncmp(reports.what, "double free", strlen("double free")), 0);
    expect_report(p);
    expect_rejected_and_sound(heap, p);
}

/* A second free is reported as one whether the first free left the block
 * alone, merged it into the free block after it, or into the free block
 * before (where, with comprehensive poisoning, its header is free fill). */
static void double_free(void **state) {
    (void)state;
    multi_heap_handle_t heap = new_heap();
    uint8_t *a = multi_heap_malloc(heap, 100), *b = multi_heap_malloc(heap, 100), *c = multi_heap_malloc(heap, 100);
    uint8_t *d = multi_heap_malloc(heap, 100), *e = multi_heap_malloc(heap, 100);
    fill(a, 100, 1);
    multi_heap_free(heap, b); /* alone: a and c are used */
    expect_double_free(heap, b);
    multi_heap_free(heap, a); /* merges with b after it */
    expect_double_free(heap, a);
    expect_double_free(heap, b);
    multi_heap_free(heap, d); /* d alone, then e merges into it and the tail */
    multi_heap_free(heap, e);
    expect_double_free(heap, d);
    expect_double_free(heap, e);
    multi_heap_free(heap, c); /* c joins both neighbours */
    expect_double_free(heap, c);
    expect_no_report();
}

/* Addresses that are not in the heap's block area at all. */
static void pointer_outside_the_heap(void **state) {
    (void)state;
    multi_heap_handle_t heap = new_heap();
    uint8_t *p = multi_heap_malloc(heap, 100);
    multi_heap_handle_t other = multi_heap_register(other_region, sizeof other_region);
    uint8_t *foreign = multi_heap_malloc(other, 100);
    static uint8_t global[64];
    uint8_t local[64];
    uint8_t *candidates[] = {local + 16, global + 16, foreign, (uint8_t *)heap, (uint8_t *)heap + 4 * W,
                             region + sizeof region, region + sizeof region - W,
                             (uint8_t *)((uintptr_t)region + sizeof region + 4096),
                             (uint8_t *)(uintptr_t)16, (uint8_t *)(uintptr_t)(UINTPTR_MAX - 15)};
    for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++) {
        expect_rejected_and_sound(heap, candidates[i]);
    }
    assert_true(multi_heap_check(other, true));
    multi_heap_free(heap, p);
    multi_heap_free(other, foreign);
    expect_no_report();
}

/* NULL is no misuse: free does nothing, the size queries give 0, and none
 * of them reports. */
static void null_is_not_reported(void **state) {
    (void)state;
    multi_heap_handle_t heap = new_heap();
    multi_heap_info_t before;
    multi_heap_get_info(heap, &before);
    multi_heap_free(heap, NULL);
    multi_heap_aligned_free(heap, NULL);
    assert_int_equal(multi_heap_get_allocated_size(heap, NULL), 0);
    assert_int_equal(multi_heap_get_full_block_size(heap, NULL), 0);
    assert_same_info(heap, &before);
    expect_no_report();
}

/* Where each block visited ends, NULL for a used one: for a free block
 * multi_heap_walk gives the payload and its whole size. */
static bool note_end(void *block, size_t size, int used, void *user) {
    *(uint8_t **)user = used ? NULL : (uint8_t *)block + size;
    return true;
}

/* The address just past the last block, where the end sentinel's header
 * lies, is outside the heap, and the report says so: not the fault of
 * whatever lies below it (with poisoning, where its head would be). */
static void pointer_at_the_end_of_the_blocks(void **state) {
    (void)state;
    multi_heap_handle_t heap = new_heap();
    uint8_t *p = multi_heap_malloc(heap, 100), *end = NULL;
    multi_heap_walk(heap, note_end, &end);
    assert_non_null(end); /* the last block is free */
    expect_rejected_and_sound(heap, end);
    assert_string_equal(reports.what, "pointer outside the heap");
    multi_heap_free(heap, p);
    expect_no_report();
}

/* Pointers off the heap's grain, inside used and free blocks. */
static void misaligned_pointer(void **state) {
    (void)state;
    multi_heap_handle_t heap = new_heap();
    uint8_t *p = multi_heap_malloc(heap, 100), *q = multi_heap_malloc(heap, 100);
    multi_heap_free(heap, q);
    for (size_t k = 1; k < W; k++) {
        expect_rejected_and_sound(heap, p + k);
        expect_rejected_and_sound(heap, q + k);
        expect_rejected_and_sound(heap, p + 3 * W + k);
    }
    multi_heap_free(heap, p);
    expect_no_report();
}

/* A header whose size is off the grain is never a block's: free must not
 * follow it (with a grain of 8 or 16 a size can be 4 mod 8; with the 32-bit
 * default grain of 4, the flag width, every size is on it). */
static void header_with_a_size_off_the_grain(void **state) {
    (void)state;
    multi_heap_handle_t heap = new_heap();
    uint8_t *p = multi_heap_malloc(heap, 256);
    fill(p, 256, 0);
    uint8_t *forged = p + 8 * W;
    uint8_t *header = (uint8_t *)capheap_poison_payload(forged) - sizeof(size_t);
    size_t size = W >= 8 ? 5 * W + 4 : 5 * W;
    memcpy(header, &size, sizeof size);
    if (W >= 8 || POISONING >= 1) {
        expect_rejected_and_sound(heap, forged);
    }
    multi_heap_free(heap, p);
    expect_no_report();
}

/* An overrun of the block before changes a header's flags or the low bits of
 * its size: a header that says the block before is free (it is not), and
 * one shrunk to a minimum block (then too small for the canaries of
 * poisoning, whose size would wrap), are reported, and the heap is sound
 * once the header is restored. */
static void header_overwritten_by_an_overrun(void **state) {
    (void)state;
    multi_heap_handle_t heap = new_heap();
    uint8_t *p = multi_heap_malloc(heap, 64), *q = multi_heap_malloc(heap, 64), *r = multi_heap_malloc(heap, 64);
    fill(p, 64, 0x5A);
    fill(q, 64, 0x5A);
    size_t *header = (size_t *)(void *)((uint8_t *)capheap_poison_payload(q) - sizeof(size_t));
    const size_t saved = *header, forged[] = {saved | 2, CAPHEAP_TLSF_MIN_BLOCK};
    for (size_t i = 0; i < sizeof forged / sizeof forged[0]; i++) {
        *header = forged[i];
        expect_rejected(heap, q);
        *header = saved;
        assert_true(multi_heap_check(heap, true));
        expect_no_report();
    }
    multi_heap_free(heap, p);
    multi_heap_free(heap, q);
    multi_heap_free(heap, r);
    expect_no_report();
}

/* The reports leave no trace: after all of them, allocation works as before. */
static void heap_works_after_reports(void **state) {
    (void)state;
    multi_heap_handle_t heap = new_heap();
    uint8_t *p = multi_heap_malloc(heap, 100);
    multi_heap_free(heap, p);
    multi_heap_free(heap, p);
    expect_report(p);
    uint8_t *q = multi_heap_malloc(heap, 100);
    assert_ptr_equal(q, p); /* the same best fit */
    multi_heap_free(heap, q);
    multi_heap_info_t info;
    multi_heap_get_info(heap, &info);
    assert_int_equal(info.allocated_blocks, 0);
    assert_int_equal(info.free_blocks, 1);
    expect_no_report();
}

/* ---- misuse that poisoning finds ---------------------------------------- */

#if POISONING >= 1

/* A pointer into the middle of a live allocation is no block start. */
static void interior_pointer(void **state) {
    (void)state;
    multi_heap_handle_t heap = new_heap();
    uint8_t *p = multi_heap_malloc(heap, 200), *guard = multi_heap_malloc(heap, 8);
    const uint8_t patterns[] = {0x00, 0x5A, 0xFF, 0x01};
    for (size_t i = 0; i < sizeof patterns; i++) {
        fill(p, 200, patterns[i]);
        for (size_t off = W; off + W <= 200; off += W) {
            expect_rejected_and_sound(heap, p + off);
        }
    }
    multi_heap_free(heap, p);
    multi_heap_free(heap, guard);
    expect_no_report();
}

/* A write just past the end breaks the tail canary: free reports it and keeps
 * the block, multi_heap_check fails until the byte is restored. */
static void write_past_the_end(void **state) {
    (void)state;
    multi_heap_handle_t heap = new_heap();
    for (size_t size = 1; size <= 40; size++) {
        uint8_t *p = multi_heap_malloc(heap, size), *guard = multi_heap_malloc(heap, 8);
        for (size_t k = 0; k < 4; k++) { /* each byte of the 4-byte tail canary */
            uint8_t saved = p[size + k];
            p[size + k] ^= 0x40;
            assert_false(multi_heap_check(heap, false));
            expect_rejected(heap, p);
            assert_false(multi_heap_check(heap, false));
            p[size + k] = saved;
            assert_true(multi_heap_check(heap, true));
        }
        multi_heap_free(heap, p);
        multi_heap_free(heap, guard);
        expect_no_report();
    }
}

/* A write just before the start breaks the head canary (the magic word and the
 * size kept with it). */
static void broken_head_canary(void **state) {
    (void)state;
    multi_heap_handle_t heap = new_heap();
    uint8_t *p = multi_heap_malloc(heap, 100);
    uint8_t *head = capheap_poison_payload(p);
    for (uint8_t *b = head; b < p; b++) {
        if (!poison_head_byte_is_canary(b, p)) {
            continue; /* the task word: test_task_tracking.c */
        }
        uint8_t saved = *b;
        *b ^= 0x80;
        assert_false(multi_heap_check(heap, false));
        expect_rejected(heap, p);
        *b = saved;
        assert_true(multi_heap_check(heap, true));
    }
    multi_heap_free(heap, p);
    expect_no_report();
}

/* The size word of the head (just below the user's bytes) says more than
 * the block holds, by one byte: a head fault, found before the tail canary
 * is looked for at an address the wrong size gives (which would read the
 * next block's header and report the wrong fault, or find a canary there). */
static void head_size_beyond_the_block(void **state) {
    (void)state;
    multi_heap_handle_t heap = new_heap();
    uint8_t *p = multi_heap_malloc(heap, 100), *guard = multi_heap_malloc(heap, 8);
    size_t *size_word = (size_t *)(void *)p - 1;
    const size_t saved = *size_word;
    size_t usable = multi_heap_get_full_block_size(heap, p) - CAPHEAP_TLSF_HEADER; /* the block's payload */
    *size_word = usable - capheap_poison_overhead() + 1;
    assert_false(multi_heap_check(heap, false));
    multi_heap_free(heap, p);
    expect_report(p);
    assert_string_equal(reports.what, "bad head canary");
    *size_word = saved;
    assert_true(multi_heap_check(heap, true));
    multi_heap_free(heap, p);
    multi_heap_free(heap, guard);
    expect_no_report();
}

#endif

#if POISONING >= 2

/* Byte b of free memory written: multi_heap_check fails, and the malloc of
 * 100 bytes that would hand b out reports it and fails with the heap
 * unchanged and b as written (visible to a debugger); with the fill put back,
 * the check passes again. */
static void expect_write_found(multi_heap_handle_t heap, uint8_t *b) {
    *b = 0x11;
    assert_false(multi_heap_check(heap, false));
    multi_heap_info_t before;
    multi_heap_get_info(heap, &before);
    assert_null(multi_heap_malloc(heap, 100));
    expect_report(b);
    assert_same_info(heap, &before);
    assert_int_equal(*b, 0x11);
    assert_false(multi_heap_check(heap, false));
    *b = 0xFE; /* the free fill */
    assert_true(multi_heap_check(heap, true));
}

/* A heap whose 100-byte block p is freed before an 8-byte guard, which keeps
 * it a free block of its own (the frame of the two tests below). */
static multi_heap_handle_t heap_with_a_freed_block(uint8_t **p, uint8_t **guard) {
    multi_heap_handle_t heap = new_heap();
    *p = multi_heap_malloc(heap, 100);
    *guard = multi_heap_malloc(heap, 8);
    multi_heap_free(heap, *p);
    assert_true(multi_heap_check(heap, true));
    return heap;
}

/* With every write restored, p's allocation succeeds at the same place; then
 * it and the guard (NULL: none) are freed. */
static void allocate_it_again(multi_heap_handle_t heap, uint8_t *p, uint8_t *guard) {
    uint8_t *q = multi_heap_malloc(heap, 100);
    assert_ptr_equal(q, p);
    expect_no_report();
    multi_heap_free(heap, q);
    multi_heap_free(heap, guard);
}

/* A write into freed memory breaks its fill: the allocation that would hand
 * the memory out again reports the first written byte and fails. Once the
 * byte is restored, the same allocation succeeds at the same place. */
static void write_after_free(void **state) {
    (void)state;
    uint8_t *p, *guard;
    multi_heap_handle_t heap = heap_with_a_freed_block(&p, &guard);
    for (size_t off = 2 * W; off < 100 - W; off += 5) {
        expect_write_found(heap, p + off);
    }
    allocate_it_again(heap, p, guard);
}

/* The same just after the free block's two links, where the freed
 * allocation's head was: with task tracking, or a grain of 16 on 32-bit, the
 * head is longer than the links, and the allocation that finds the write
 * must give the block back with the written byte still there (it once put
 * the fill back over the head's place, and the write vanished). */
static void write_after_free_where_the_head_was(void **state) {
    (void)state;
    uint8_t *p, *guard;
    multi_heap_handle_t heap = heap_with_a_freed_block(&p, &guard);
    uint8_t *links_end = (uint8_t *)capheap_poison_payload(p) + 2 * sizeof(void *);
    for (uint8_t *b = links_end; b < p + W; b++) {
        expect_write_found(heap, b);
    }
    allocate_it_again(heap, p, guard);
}

/* A block split off a larger free block: its last word lay inside that
 * block, under the fill (a block taken whole has its old footer there), so
 * the allocation finds a write there too. The block's end is where the block
 * allocated after it starts, a header below that one's payload. */
static void write_after_free_at_the_end_of_a_split_block(void **state) {
    (void)state;
    multi_heap_handle_t heap = new_heap();
    uint8_t *p = multi_heap_malloc(heap, 100), *next = multi_heap_malloc(heap, 8);
    uint8_t *end = (uint8_t *)capheap_poison_payload(next) - sizeof(size_t);
    multi_heap_free(heap, next);
    multi_heap_free(heap, p); /* one free block again, the heap's whole */
    assert_true(multi_heap_check(heap, true));
    for (uint8_t *b = end - sizeof(size_t); b < end; b++) {
        expect_write_found(heap, b);
    }
    allocate_it_again(heap, p, NULL);
}

/* Memory freed long ago, merged into a large free block, is still watched. */
static void write_after_free_in_a_merged_block(void **state) {
    (void)state;
    multi_heap_handle_t heap = new_heap();
    uint8_t *a = multi_heap_malloc(heap, 300), *b = multi_heap_malloc(heap, 300);
    multi_heap_free(heap, a);
    multi_heap_free(heap, b); /* a, b and the tail are one free block now */
    b[150] = 0x00;
    assert_false(multi_heap_check(heap, false));
    b[150] = 0xFE;
    assert_true(multi_heap_check(heap, true));
    expect_no_report();
}

/* Fresh allocations are filled with 0xCE, free memory with 0xFE. */
static void fills_of_comprehensive_poisoning(void **state) {
    (void)state;
    multi_heap_handle_t heap = new_heap();
    uint8_t *p = multi_heap_malloc(heap, 100), *guard = multi_heap_malloc(heap, 8);
    for (size_t i = 0; i < 100; i++) {
        assert_int_equal(p[i], 0xCE);
    }
    multi_heap_free(heap, p);
    for (size_t i = 2 * W; i < 100 - W; i++) {
        assert_int_equal(p[i], 0xFE);
    }
    multi_heap_free(heap, guard);
}

#endif

#if POISONING == 1

/* Light poisoning fills nothing: a free marks the head and leaves the user's
 * bytes beyond the free block's links as they were (the fill, and the time a
 * free spends writing it, are comprehensive's). */
static void light_poisoning_leaves_freed_bytes(void **state) {
    (void)state;
    multi_heap_handle_t heap = new_heap();
    uint8_t *p = multi_heap_malloc(heap, 100), *guard = multi_heap_malloc(heap, 8);
    fill(p, 100, 0x3C);
    multi_heap_free(heap, p);
    for (size_t i = 2 * W; i < 100 - W; i++) {
        assert_int_equal(p[i], 0x3C);
    }
    assert_true(multi_heap_check(heap, true));
    multi_heap_free(heap, guard);
    expect_no_report();
}

#endif

/* ---- the text of each report -------------------------------------------- */

/* The handler gets one text per fault, so that a log says which misuse it
 * was; the texts are one string walked NUL by NUL (corruption.c), and a code
 * off either end (NONE, which nobody reports, or past the last fault this
 * build knows) must give "unknown fault", not a neighbour's text or bytes
 * past the string. The canary texts exist only with poisoning. */
static void each_fault_is_reported_with_its_own_text(void **state) {
    (void)state;
    static const struct {
        capheap_fault_t fault;
        const char *text;
    } cases[] = {
        {CAPHEAP_FAULT_NONE, "unknown fault"},
        {CAPHEAP_FAULT_OUTSIDE, "pointer outside the heap"},
        {CAPHEAP_FAULT_MISALIGNED, "misaligned pointer"},
        {CAPHEAP_FAULT_DOUBLE_FREE, "double free"},
        {CAPHEAP_FAULT_NOT_A_BLOCK, "not a block"},
#if POISONING >= 1
        {CAPHEAP_FAULT_FREED_CANARY, "double free (freed canary)"},
        {CAPHEAP_FAULT_HEAD_CANARY, "bad head canary"},
        {CAPHEAP_FAULT_TAIL_CANARY, "bad tail canary"},
        {CAPHEAP_FAULT_FREE_MEMORY, "double free, or a pointer into free memory"},
#else
        {CAPHEAP_FAULT_FREED_CANARY, "unknown fault"},
#endif
        {(capheap_fault_t)(CAPHEAP_FAULT_FREE_MEMORY + 1), "unknown fault"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        capheap_report_fault(&cases[i], cases[i].fault);
        expect_report(&cases[i]);
        assert_string_equal(reports.what, cases[i].text);
    }
}

/* ---- the default handler ------------------------------------------------ */

typedef struct {
    multi_heap_handle_t heap;
    void *p;
} free_call_t;

/* In the child: no handler installed, then the second free. */
static void free_without_handler(void *arg) {
    const free_call_t *call = arg;
    capheap_set_corruption_handler(NULL, NULL);
    multi_heap_free(call->heap, call->p);
}

/* With no handler installed, a double free stops the program with SIGABRT
 * after printing the address on stderr. Run in a child process. */
static void default_handler_aborts(void **state) {
    (void)state;
    multi_heap_handle_t heap = new_heap();
    uint8_t *p = multi_heap_malloc(heap, 100);
    multi_heap_free(heap, p);
    char out[512], addr[32];
    int status = run_in_child(free_without_handler, &(free_call_t){heap, p}, out, sizeof out);
    expect_child_aborted(status, out);
    snprintf(addr, sizeof addr, "%p", (void *)p);
    assert_non_null(strstr(out, "CORRUPT HEAP"));
    assert_non_null(strstr(out, addr));
    expect_no_report(); /* the parent's handler saw nothing */
}

#define T(f) cmocka_unit_test_setup_teardown(f, install, uninstall)

int main(void) {
    const struct CMUnitTest tests[] = {
        T(double_free),
        T(pointer_outside_the_heap),
        T(null_is_not_reported),
        T(pointer_at_the_end_of_the_blocks),
        T(misaligned_pointer),
        T(header_with_a_size_off_the_grain),
        T(header_overwritten_by_an_overrun),
        T(heap_works_after_reports),
#if POISONING >= 1
        T(interior_pointer),
        T(write_past_the_end),
        T(broken_head_canary),
        T(head_size_beyond_the_block),
#endif
#if POISONING == 1
        T(light_poisoning_leaves_freed_bytes),
#endif
#if POISONING >= 2
        T(write_after_free),
        T(write_after_free_where_the_head_was),
        T(write_after_free_at_the_end_of_a_split_block),
        T(write_after_free_in_a_merged_block),
        T(fills_of_comprehensive_poisoning),
#endif
        T(each_fault_is_reported_with_its_own_text),
        T(default_handler_aborts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
