/*
 * caps_test.h: what the capabilities-layer tests share (a header, not a test
 * program): a recording corruption handler, capture of the port's log output,
 * and questions about registered heaps through the registry's private header.
 */
#ifndef CAPHEAP_CAPS_TEST_H
#define CAPHEAP_CAPS_TEST_H

#if !defined(_POSIX_C_SOURCE) && !defined(_GNU_SOURCE)
#error "define _POSIX_C_SOURCE 200809L before any include (mkstemp, dup, pread)"
#endif

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capheap.h"
#include "capheap/port.h"
#include "registry.h"

/* ---- corruption reports ------------------------------------------------- */

typedef struct {
    int count;
    const void *addr;
    char what[200];
} caps_reports_t;

static caps_reports_t caps_reports;

static inline void caps_record_report(const void *addr, const char *what, void *user) {
    (void)user;
    caps_reports.count++;
    caps_reports.addr = addr;
    snprintf(caps_reports.what, sizeof caps_reports.what, "%s", what);
}

static inline void caps_record_reports(void) {
    memset(&caps_reports, 0, sizeof caps_reports);
    capheap_set_corruption_handler(caps_record_report, NULL);
}

static inline void caps_default_reports(void) { capheap_set_corruption_handler(NULL, NULL); }

/* cmocka fixtures: a board's heaps with reports recorded, and back to none. */
static inline int caps_setup_board(const char *board) {
    caps_record_reports();
    return capheap_init(board) == ESP_OK ? 0 : -1;
}

static inline int caps_setup_esp32(void **state) {
    (void)state;
    return caps_setup_board("esp32");
}

static inline int caps_setup_esp32_psram(void **state) {
    (void)state;
    return caps_setup_board("esp32-psram");
}

static inline int caps_teardown(void **state) {
    (void)state;
    capheap_deinit();
    caps_default_reports();
    return 0;
}

/* ---- the port's locks --------------------------------------------------- */

/* Room for more locks than the posix port's pool holds. */
#define CAPS_MAX_LOCKS 1024

typedef struct {
    void *lock[CAPS_MAX_LOCKS];
    size_t n;
} caps_locks_t;

/* Takes every lock the port has left: a heap made then gets none. */
static inline void caps_take_every_lock(caps_locks_t *l) {
    l->n = 0;
    while (l->n < CAPS_MAX_LOCKS && (l->lock[l->n] = capheap_port_lock_create()) != NULL) {
        l->n++;
    }
    assert_true(l->n < CAPS_MAX_LOCKS); /* the pool ran out, not the room here */
}

/* Gives back all but keep of them (the last taken first). */
static inline void caps_give_locks(caps_locks_t *l, size_t keep) {
    while (l->n > keep) {
        capheap_port_lock_delete(l->lock[--l->n]);
    }
}

/* ---- the port's log output ---------------------------------------------- */

/* Runs fn(arg) with stdout (where the posix port logs) going to a file, and
 * returns what was written, NUL-terminated, in a malloc'd buffer. */
static inline char *caps_capture(void (*fn)(void *), void *arg) {
    char path[] = "/tmp/capheap-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    unlink(path);
    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    assert_true(saved >= 0);
    assert_true(dup2(fd, STDOUT_FILENO) >= 0);
    fn(arg);
    fflush(stdout);
    assert_true(dup2(saved, STDOUT_FILENO) >= 0);
    close(saved);
    off_t size = lseek(fd, 0, SEEK_END);
    char *text = calloc(1, (size_t)size + 1);
    assert_non_null(text);
    assert_int_equal(pread(fd, text, (size_t)size, 0), size);
    close(fd);
    return text;
}

static inline size_t caps_count_lines(const char *text, const char *needle) {
    size_t n = 0;
    for (const char *p = text; (p = strstr(p, needle)) != NULL; p += strlen(needle)) {
        n++;
    }
    return n;
}

/* ---- registered heaps ---------------------------------------------------- */

/* The registered heap whose data range holds p, or NULL. */
static inline capheap_heap_t *caps_heap_of(const void *p) {
    size_t n = capheap_registry_count();
    for (size_t i = 0; i < n; i++) {
        capheap_heap_t *h = capheap_registry_at(i);
        if ((uintptr_t)p - h->start < h->end - h->start) {
            return h;
        }
    }
    return NULL;
}

/* The registered heap whose instruction-bus window holds p, or NULL. */
static inline capheap_heap_t *caps_heap_of_window(const void *p) {
    size_t n = capheap_registry_count();
    for (size_t i = 0; i < n; i++) {
        capheap_heap_t *h = capheap_registry_at(i);
        if (h->alias.size != 0 && (uintptr_t)p - h->alias.start < h->alias.size) {
            return h;
        }
    }
    return NULL;
}

/* The i-th registered heap with this start address, or NULL. */
static inline capheap_heap_t *caps_heap_at(uintptr_t start) {
    size_t n = capheap_registry_count();
    for (size_t i = 0; i < n; i++) {
        if (capheap_registry_at(i)->start == start) {
            return capheap_registry_at(i);
        }
    }
    return NULL;
}

/* Chip address a of the current board, as the host sees it. */
static inline uintptr_t caps_host(uintptr_t a) { return a + (uintptr_t)capheap_host_offset(); }

static inline void *caps_ptr(uintptr_t a) { return (void *)caps_host(a); }

/* ---- EXEC through the esp32's instruction bus --------------------------- */

/* Takes all of the esp32's IRAM that one block can: EXEC requests then go to
 * D/IRAM and come back at their instruction-bus address. */
static inline void *caps_fill_iram(void) {
    capheap_heap_t *iram = caps_heap_at(caps_host(0x40089800));
    assert_non_null(iram);
    multi_heap_info_t info;
    multi_heap_get_info(capheap_heap_handle(iram), &info);
    void *fill = heap_caps_malloc(info.largest_free_block & ~(size_t)3, MALLOC_CAP_EXEC);
    assert_non_null(fill);
    assert_ptr_equal(caps_heap_of(fill), iram);
    return fill;
}

/* An EXEC block of size bytes from D/IRAM, at its instruction-bus address
 * (after caps_fill_iram). */
static inline uint8_t *caps_exec_in_window(size_t size) {
    uint8_t *x = heap_caps_malloc(size, MALLOC_CAP_EXEC);
    assert_non_null(x);
    capheap_heap_t *h = caps_heap_of_window(x);
    assert_non_null(h);
    assert_string_equal(h->name, "D/IRAM");
    return x;
}

#endif /* CAPHEAP_CAPS_TEST_H */
