/*
 * port_report.h (private to the embedded ports): the lines a port writes when
 * it stops the program, built by hand rather than with the library's
 * formatter, so that firmware which never dumps or checks a heap links no
 * printf-like code at all (about 600 bytes of Thumb-2).
 */
#ifndef CAPHEAP_PORT_REPORT_H
#define CAPHEAP_PORT_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "capheap/port.h"

static inline void capheap_port_write_text(const char *text) {
    size_t n = 0;
    while (text[n] != '\0') {
        n++;
    }
    capheap_port_log_write(text, n);
}

/* 0x and every hex digit of the address: fixed width, no formatter. */
static inline void capheap_port_write_address(const void *addr) {
    char hex[2 + 2 * sizeof(uintptr_t)];
    uintptr_t v = (uintptr_t)addr;
    hex[0] = '0';
    hex[1] = 'x';
    for (size_t i = sizeof hex - 1; i >= 2; i--, v >>= 4) {
        hex[i] = "0123456789abcdef"[v & 0xFu];
    }
    capheap_port_log_write(hex, sizeof hex);
}

/* "CORRUPT HEAP: <what> at <addr>", the posix port's wording. */
static inline void capheap_port_write_corruption(const void *addr, const char *what) {
    capheap_port_write_text("CORRUPT HEAP: ");
    capheap_port_write_text(what);
    capheap_port_write_text(" at ");
    capheap_port_write_address(addr);
    capheap_port_write_text("\n");
}

/* "capheap: <why>" */
static inline void capheap_port_write_abort(const char *why) {
    capheap_port_write_text("capheap: ");
    capheap_port_write_text(why);
    capheap_port_write_text("\n");
}

#endif /* CAPHEAP_PORT_REPORT_H */
