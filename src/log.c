/*
 * log.c: a small printf for the library's own messages (see log.h). It writes
 * into a buffer on the stack and hands it to capheap_port_log_write, or to
 * capheap_port_stream_write for an application's stream.
 *
 * Only what the library's own format strings use is understood: one loop,
 * one number routine, no floating point and no 64-bit division on 32-bit
 * targets (numbers are at most unsigned long, which holds a size_t and a
 * pointer on every ILP32 and LP64 target).
 */
#include "log.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capheap/config.h"
#include "capheap/port.h"

#define LOG_LINE 256

_Static_assert(sizeof(unsigned long) >= sizeof(size_t) && sizeof(unsigned long) >= sizeof(void *),
               "a number of the log fits an unsigned long");

/* fmt and its arguments, formatted into buf[0, LOG_LINE); returns the length. */
static size_t format(char buf[LOG_LINE], const char *fmt, va_list ap) {
    size_t len = 0;
    /* Each step outputs one string s: an argument, a number written
     * backwards into num, or the one character c of the format. Every
     * step writes below num's last byte, which stays the NUL that ends s. */
    char num[3 * sizeof(unsigned long) + 4];
    num[sizeof num - 1] = '\0';
    for (const char *f = fmt; *f != '\0'; f++) {
        char *s = &num[sizeof num - 1];
        unsigned char c = (unsigned char)*f;
        if (c == '%') {
            char pad = *++f == '0' ? '0' : ' ';
            unsigned width = 0;
            for (; *f >= '0' && *f <= '9'; f++) {
                width = width * 10 + (unsigned)(*f - '0');
            }
            bool size_t_arg = *f == 'z';
            f += size_t_arg;
            c = *f;
            if (c == '\0') {
                break; /* a lone '%' ends the format */
            }
            if (c == 's') {
                s = va_arg(ap, char *);
                s = s != NULL ? s : "(null)";
                c = '\0';
            } else if (c == 'd' || c == 'u' || c == 'x' || c == 'p') {
                unsigned long v;
                int d = 0;
                if (c == 'd') {
                    d = va_arg(ap, int);
                    v = d < 0 ? 0u - (unsigned)d : (unsigned)d;
                } else if (c == 'p') {
                    v = (uintptr_t)va_arg(ap, void *);
                } else {
                    v = size_t_arg ? va_arg(ap, size_t) : va_arg(ap, unsigned);
                }
                unsigned base = c == 'd' || c == 'u' ? 10 : 16;
                do {
                    unsigned digit = (unsigned)(v % base);
                    *--s = (char)(digit < 10 ? '0' + digit : 'a' - 10 + digit);
                    v /= base;
                } while (v != 0);
                while (s > num + 3 && (unsigned)(&num[sizeof num - 1] - s) < width) {
                    *--s = pad;
                }
                if (d < 0) {
                    *--s = '-';
                }
                if (c == 'p') {
                    *--s = 'x';
                    *--s = '0';
                }
                c = '\0';
            } /* else "%%", and what is not understood, stands for itself */
        }
        if (c != '\0') {
            *--s = (char)c;
        }
        while (*s != '\0' && len < LOG_LINE) {
            buf[len++] = *s++;
        }
    }
    return len;
}

void capheap_logf(const char *fmt, ...) {
    char buf[LOG_LINE];
    va_list ap;
    va_start(ap, fmt);
    size_t len = format(buf, fmt, ap);
    va_end(ap);
    capheap_port_log_write(buf, len);
}

/* Only the task statistics print to a stream: other builds need not carry it. */
#if defined(CAPHEAP_TASK_TRACKING) && CAPHEAP_TASK_TRACKING
void capheap_streamf(void *stream, const char *fmt, ...) {
    char buf[LOG_LINE];
    va_list ap;
    va_start(ap, fmt);
    size_t len = format(buf, fmt, ap);
    va_end(ap);
    capheap_port_stream_write(stream, buf, len);
}
#endif
