/*
 * api.c: the malloc family's contract, run on the system allocator and on
 * libcapheap-preload.so (run.sh compares the two outputs). Every function the
 * library serves, their error cases, 16-byte alignment, and threads that
 * allocate while one of them forks.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int failures;

static void expect(int ok, const char *what) {
    printf("%s %s\n", ok ? "ok" : "FAILED", what);
    failures += !ok;
}

/* Sizes the compiler cannot see through: it rejects impossible ones it can. */
static size_t opaque(size_t x) {
    volatile size_t v = x;
    return v;
}

/* Called through a pointer, so that the compiler lets the test use a block
 * after a realloc that failed (and left it in place). */
static void *(*volatile realloc_fn)(void *, size_t) = realloc;

static int aligned_to(const void *p, size_t a) { return p != NULL && (uintptr_t)p % a == 0; }

static uint32_t next(uint32_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

static void sizes_and_alignment(void) {
    int ok = 1;
    uint32_t seed = 7;
    for (size_t size = 0; size < 5000; size++) {
        size_t n = size < 600 ? size : next(&seed) % (1u << 20);
        char *p = malloc(n);
        ok &= aligned_to(p, alignof(max_align_t)) && malloc_usable_size(p) >= n;
        memset(p, 0x5A, n);
        free(p);
    }
    expect(ok, "malloc: every size 16-aligned, usable size at least the request");
    char *z = malloc(0);
    expect(z != NULL && aligned_to(z, 16), "malloc(0) gives a block of its own");
    free(z);
    expect(malloc_usable_size(NULL) == 0, "malloc_usable_size(NULL) is 0");
    free(NULL);
    errno = 0;
    expect(malloc(opaque(SIZE_MAX / 2)) == NULL && errno == ENOMEM, "malloc too large: NULL and ENOMEM");
}

static void calloc_and_realloc(void) {
    unsigned char *dirty = malloc(1000);
    memset(dirty, 0xAA, 1000);
    free(dirty);
    unsigned char *c = calloc(10, 100);
    int zero = c != NULL;
    for (size_t i = 0; zero && i < 1000; i++) {
        zero = c[i] == 0;
    }
    expect(zero, "calloc zeroes reused memory");
    free(c);
    errno = 0;
    expect(calloc(opaque(SIZE_MAX / 8), 16) == NULL && errno == ENOMEM, "calloc overflow: NULL and ENOMEM");

    char *p = realloc(NULL, 10);
    strcpy(p, "capheap!");
    p = realloc(p, 100000);
    int kept = p != NULL && strcmp(p, "capheap!") == 0 && aligned_to(p, 16);
    p = realloc(p, 5);
    kept &= p != NULL && memcmp(p, "caphe", 5) == 0 && aligned_to(p, 16);
    expect(kept, "realloc grows and shrinks, keeping the contents");
    errno = 0;
    expect(realloc_fn(p, opaque(SIZE_MAX - 8)) == NULL && errno == ENOMEM && p[0] == 'c', "realloc too large leaves the block");
    expect(realloc_fn(p, 0) == NULL, "realloc(p, 0) frees");
    errno = 0;
    expect(reallocarray(NULL, opaque(SIZE_MAX / 4), 8) == NULL && errno == ENOMEM, "reallocarray overflow: NULL, ENOMEM");
    int *a = reallocarray(NULL, 100, sizeof(int));
    a[99] = 1;
    free(a);
}

static void aligned_family(void) {
    int ok = 1;
    for (size_t a = sizeof(void *); a <= ((size_t)1 << 20); a <<= 1) {
        void *p = NULL;
        ok &= posix_memalign(&p, a, 3 * a + 1) == 0 && aligned_to(p, a);
        free(p);
    }
    expect(ok, "posix_memalign: every power of two up to 1 MiB");
    void *p = NULL;
    expect(posix_memalign(&p, 24, 10) == EINVAL && posix_memalign(&p, 2, 10) == EINVAL,
           "posix_memalign rejects 24 and 2");
    void *q = aligned_alloc(64, 100);
    expect(aligned_to(q, 64), "aligned_alloc(64)");
    free(q);
    volatile size_t not_a_power = 48; /* a constant would be refused at compile time (clang) */
    q = memalign(not_a_power, 100);
    expect(aligned_to(q, 64), "memalign(48) aligns to 64");
    free(q);
    long page = sysconf(_SC_PAGESIZE);
    q = valloc(10);
    expect(aligned_to(q, (size_t)page), "valloc is page-aligned");
    free(q);
    q = pvalloc(10);
    expect(aligned_to(q, (size_t)page) && malloc_usable_size(q) >= (size_t)page, "pvalloc rounds up to a page");
    free(q);
}

/* ---- threads and fork ---------------------------------------------------- */

#define SLOTS 256

static void *churn(void *arg) {
    uint32_t seed = (uint32_t)(uintptr_t)arg;
    unsigned char *slot[SLOTS] = {0};
    size_t len[SLOTS] = {0};
    intptr_t bad = 0;
    for (int i = 0; i < 100000; i++) {
        unsigned k = next(&seed) % SLOTS;
        if (slot[k] != NULL) {
            bad += slot[k][0] != (unsigned char)k || slot[k][len[k] - 1] != (unsigned char)k;
            free(slot[k]);
        }
        len[k] = 1 + next(&seed) % 3000;
        slot[k] = (i & 1) ? malloc(len[k]) : realloc(NULL, len[k]);
        memset(slot[k], (int)k, len[k]);
    }
    for (unsigned k = 0; k < SLOTS; k++) {
        free(slot[k]);
    }
    return (void *)bad;
}

static void threads_and_fork(void) {
    pthread_t t[4];
    for (uintptr_t i = 0; i < 4; i++) {
        pthread_create(&t[i], NULL, churn, (void *)(i + 1));
    }
    pid_t child = fork();
    if (child == 0) {
        /* Another thread may have held the heap lock at the fork. */
        void *p = malloc(1000);
        free(p);
        _exit(p != NULL ? 0 : 1);
    }
    int status = -1;
    waitpid(child, &status, 0);
    intptr_t bad = 0;
    for (int i = 0; i < 4; i++) {
        void *r;
        pthread_join(t[i], &r);
        bad += (intptr_t)r;
    }
    expect(bad == 0, "4 threads: every block kept its contents");
    expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "fork while threads allocate: the child can malloc");
}

int main(void) {
    sizes_and_alignment();
    calloc_and_realloc();
    aligned_family();
    threads_and_fork();
    printf("%d failed\n", failures);
    return failures != 0;
}
