/*
 * log.c: a small printf for the library's own messages (see log.h). It writes
 * into a buffer on the stack and hands it to capheap_port_log_write.
 */
#include "log.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capheap/port.h"

#define LOG_LINE 256

typedef struct {
    char buf[LOG_LINE];
    size_t len;
} out_t;

typedef struct {
    unsigned width;
    bool left;
    bool zero;
} spec_t;

static void put(out_t *o, char c) {
    if (o->len < LOG_LINE) {
        o->buf[o->len++] = c;
    }
}

static void put_padded(out_t *o, const char *s, size_t n, spec_t sp) {
    char pad = sp.zero && !sp.left ? '0' : ' ';
    for (size_t i = n; !sp.left && i < sp.width; i++) {
        put(o, pad);
    }
    for (size_t i = 0; i < n; i++) {
        put(o, s[i]);
    }
    for (size_t i = n; sp.left && i < sp.width; i++) {
        put(o, ' ');
    }
}

static void put_number(out_t *o, uintmax_t v, unsigned base, bool negative, spec_t sp) {
    char digits[24];
    size_t n = 0;
    do {
        digits[sizeof digits - 1 - n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v != 0);
    if (negative) {
        digits[sizeof digits - 1 - n++] = '-';
    }
    put_padded(o, digits + sizeof digits - n, n, sp);
}

/* Reads one conversion after '%'; returns the position after it. */
static const char *convert(out_t *o, const char *f, va_list *ap) {
    spec_t sp = {0, false, false};
    for (; *f == '-' || *f == '0'; f++) {
        sp.left |= *f == '-';
        sp.zero |= *f == '0';
    }
    for (; *f >= '0' && *f <= '9'; f++) {
        sp.width = sp.width * 10 + (unsigned)(*f - '0');
    }
    char size = (*f == 'z' || *f == 'l') ? *f++ : 0;
    switch (*f) {
    case 's': {
        const char *s = va_arg(*ap, const char *);
        size_t n = 0;
        s = s != NULL ? s : "(null)";
        while (s[n] != '\0') {
            n++;
        }
        put_padded(o, s, n, sp);
        break;
    }
    case 'c':
        put(o, (char)va_arg(*ap, int));
        break;
    case 'd': {
        long v = size == 'l' ? va_arg(*ap, long) : size == 'z' ? (long)va_arg(*ap, size_t) : va_arg(*ap, int);
        put_number(o, v < 0 ? (uintmax_t)0 - (uintmax_t)v : (uintmax_t)v, 10, v < 0, sp);
        break;
    }
    case 'u':
    case 'x': {
        uintmax_t v = size == 'l' ? va_arg(*ap, unsigned long) : size == 'z' ? va_arg(*ap, size_t) : va_arg(*ap, unsigned);
        put_number(o, v, *f == 'x' ? 16 : 10, false, sp);
        break;
    }
    case 'p':
        put(o, '0');
        put(o, 'x');
        put_number(o, (uintptr_t)va_arg(*ap, void *), 16, false, sp);
        break;
    default:
        put(o, '%');
        if (*f == '\0') {
            return f;
        }
        put(o, *f);
    }
    return f + 1;
}

void capheap_logf(const char *fmt, ...) {
    out_t o;
    o.len = 0;
    va_list ap;
    va_start(ap, fmt);
    for (const char *f = fmt; *f != '\0';) {
        if (*f == '%') {
            f = convert(&o, f + 1, &ap);
        } else {
            put(&o, *f++);
        }
    }
    va_end(ap);
    capheap_port_log_write(o.buf, o.len);
}
