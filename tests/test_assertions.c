/*
 * test_assertions.c: the internal assertions (src/assertions.h) catch a heap
 * broken under them, report it with its address through the corruption hook
 * and stop the program, even when an installed handler returns. Each case
 * breaks the heap in a forked child and reads what the child wrote on stderr.
 * Built only when CAPHEAP_ASSERTIONS is 1 or 2 (tests/CMakeLists.txt).
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "capheap/port.h"
#include "child_process.h"
#include "multi_heap.h"
#include "poison.h" /* capheap_poison_payload: where this build's block payload starts */

#if !defined(CAPHEAP_ASSERTIONS) || CAPHEAP_ASSERTIONS < 1
#error "test_assertions is for builds with CAPHEAP_ASSERTIONS 1 or 2"
#endif

static _Alignas(64) uint8_t region[8192];

/* The header of the block whose payload (in this build's terms) p is in. */
static void *block_of(void *p) { return (uint8_t *)capheap_poison_payload(p) - sizeof(size_t); }

/* A handler that writes what it got and returns, as firmware that logs a
 * bad free and goes on would. */
static void returning_handler(const void *addr, const char *what, void *user) {
    (void)user;
    fprintf(stderr, "handler saw: %s at %p\n", what, addr);
    fflush(stderr);
}

typedef struct {
    void (*breach)(multi_heap_handle_t heap);
    multi_heap_handle_t heap;
    bool keep_going_handler;
} breach_t;

static void run_breach(void *arg) {
    const breach_t *b = arg;
    capheap_set_corruption_handler(b->keep_going_handler ? returning_handler : NULL, NULL);
    b->breach(b->heap); /* does not return when an assertion stops the program */
}

/* Runs breach(heap) in a child (with, when keep_going_handler, a handler
 * that returns); the child must die by SIGABRT after a report that contains
 * want and the address at. */
static void expect_abort(void (*breach)(multi_heap_handle_t heap), multi_heap_handle_t heap, bool keep_going_handler,
                         const char *want, const void *at) {
    char out[1024], addr[32];
    int status = run_in_child(run_breach, &(breach_t){breach, heap, keep_going_handler}, out, sizeof out);
    expect_child_aborted(status, out);
    snprintf(addr, sizeof addr, "%p", at);
    if (strstr(out, want) == NULL || strstr(out, addr) == NULL) {
        print_error("expected \"%s\" at %s in:\n%s\n", want, addr, out);
    }
    assert_non_null(strstr(out, want));
    assert_non_null(strstr(out, addr));
    if (keep_going_handler) {
        /* The handler saw the report and returned; the port's abort then
         * said why the program stopped. */
        assert_non_null(strstr(out, "handler saw: "));
        assert_non_null(strstr(out, "a heap assertion failed"));
    } else {
        assert_non_null(strstr(out, "CORRUPT HEAP: "));
    }
}

/* ---- a write into freed memory, caught by the next malloc --------------- */

static uint8_t *freed;

/* A freed block keeps its list links in its first payload words: a write
 * there after free (the classic use after free) breaks the back link. The
 * next malloc of that size takes the block off its list, whose
 * precondition sees that its back link is not the list's anchor. Without
 * assertions (and without comprehensive poisoning) that malloc would copy
 * the stray value into the next block's back link and go on. */
static void write_after_free_then_malloc(multi_heap_handle_t heap) {
    ((uintptr_t *)capheap_poison_payload(freed))[1] = (uintptr_t)0x5A5A5A50u;
    (void)multi_heap_malloc(heap, 64);
}

static multi_heap_handle_t heap_with_a_freed_block(void) {
    multi_heap_handle_t heap = multi_heap_register(region, sizeof region);
    assert_non_null(heap);
    freed = multi_heap_malloc(heap, 64);
    assert_non_null(multi_heap_malloc(heap, 64)); /* keeps the freed block apart from the rest */
    multi_heap_free(heap, freed);
    return heap;
}

static void write_after_free_stops_the_next_malloc(void **state) {
    (void)state;
    multi_heap_handle_t heap = heap_with_a_freed_block();
    expect_abort(write_after_free_then_malloc, heap, false, "assertion failed: ", block_of(freed));
}

static void an_installed_handler_does_not_keep_it_going(void **state) {
    (void)state;
    multi_heap_handle_t heap = heap_with_a_freed_block();
    expect_abort(write_after_free_then_malloc, heap, true, "handler saw: assertion failed: ", block_of(freed));
}

#if CAPHEAP_ASSERTIONS >= 2

/* ---- level 2: a stray write anywhere, caught by any later call ----------- */

static uint8_t *victim;

/* An overflow from the block before victim into victim's header, then a
 * malloc that does not touch either: the whole region is checked after it. */
static void overflow_then_unrelated_malloc(multi_heap_handle_t heap) {
    *(size_t *)block_of(victim) = 7; /* off the grain: no block's size */
    (void)multi_heap_malloc(heap, 8);
}

static void stray_write_stops_the_next_call(void **state) {
    (void)state;
    multi_heap_handle_t heap = multi_heap_register(region, sizeof region);
    assert_non_null(heap);
    assert_non_null(multi_heap_malloc(heap, 32));
    victim = multi_heap_malloc(heap, 32);
    assert_non_null(multi_heap_malloc(heap, 32));
    expect_abort(overflow_then_unrelated_malloc, heap, false, "block size (B1)", block_of(victim));
}

#endif

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(write_after_free_stops_the_next_malloc),
        cmocka_unit_test(an_installed_handler_does_not_keep_it_going),
#if CAPHEAP_ASSERTIONS >= 2
        cmocka_unit_test(stray_write_stops_the_next_call),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
