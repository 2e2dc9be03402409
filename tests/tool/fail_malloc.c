/*
 * fail_malloc.c: an LD_PRELOAD library for tests/tool/run.sh's "oom" group.
 * It puts itself in front of glibc's malloc, calloc and realloc (which it
 * calls through their __libc_ names) and makes call number FAIL_AT (from 1)
 * return NULL with ENOMEM; with FAIL_AFTER=1, every call from that one on.
 * With COUNT_FD set, it writes how many calls were made to that descriptor at
 * exit. Calls made inside glibc count too (stdio buffers, zlib's through it).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *p, size_t size);

static unsigned long calls, fail_at;
static int fail_after, configured;

static int fails_now(void) {
    if (!configured) {
        const char *at = getenv("FAIL_AT"), *after = getenv("FAIL_AFTER");
        fail_at = at != NULL ? strtoul(at, NULL, 10) : 0;
        fail_after = after != NULL && after[0] == '1';
        configured = 1;
    }
    calls++;
    if (fail_at != 0 && (calls == fail_at || (fail_after && calls > fail_at))) {
        errno = ENOMEM;
        return 1;
    }
    return 0;
}

void *malloc(size_t size) { return fails_now() ? NULL : __libc_malloc(size); }

void *calloc(size_t count, size_t size) { return fails_now() ? NULL : __libc_calloc(count, size); }

void *realloc(void *p, size_t size) { return fails_now() ? NULL : __libc_realloc(p, size); }

__attribute__((destructor)) static void write_count(void) {
    const char *fd = getenv("COUNT_FD");
    if (fd != NULL) {
        char text[32];
        int n = snprintf(text, sizeof text, "%lu\n", calls);
        if (n > 0) {
            ssize_t written = write(atoi(fd), text, (size_t)n);
            (void)written;
        }
    }
}
