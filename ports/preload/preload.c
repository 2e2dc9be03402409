/*
 * preload.c: the C malloc family on capheap, for LD_PRELOAD (README.md).
 *
 * Alignment: glibc programs expect alignof(max_align_t) = 16 on x86-64, and
 * capheap's grain there is 8 (one header word per block, blocks a multiple of
 * 8). Asking for 16k + 8 bytes makes every block a multiple of 16, and the
 * heap starts so that its first payload is 16-aligned (preload_init.c), so
 * every payload is: malloc stays capheap's fast path. The result is still
 * checked; a block that is not aligned is given back and taken again with
 * heap_caps_aligned_alloc. When the start-up probe finds that padding cannot
 * work (poisoning changes the block layout), malloc asks for aligned blocks
 * from the start.
 *
 * Pointers capheap did not give (the dynamic loader's, from before the heap
 * existed) are left alone by free() and have size 0.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capheap/port.h"
#include "preload.h"

/* Only these leave the library (exports.map); they must not be hidden. */
#define PRELOAD_API __attribute__((visibility("default")))

PRELOAD_API void *malloc(size_t size);
PRELOAD_API void free(void *p);
PRELOAD_API void *calloc(size_t n, size_t size);
PRELOAD_API void *realloc(void *p, size_t size);
PRELOAD_API void *reallocarray(void *p, size_t n, size_t size);
PRELOAD_API int posix_memalign(void **out, size_t alignment, size_t size);
PRELOAD_API void *aligned_alloc(size_t alignment, size_t size);
PRELOAD_API void *memalign(size_t alignment, size_t size);
PRELOAD_API void *valloc(size_t size);
PRELOAD_API void *pvalloc(size_t size);
PRELOAD_API size_t malloc_usable_size(void *p);

#define GRAIN sizeof(size_t)

/* The request that makes the block a multiple of PRELOAD_ALIGN: the smallest
 * 16k + 8 >= size (header included, 16(k + 1)). malloc(0) gets a block of its
 * own, as with glibc. SIZE_MAX when size is too large for any heap. */
static inline size_t padded(size_t size) {
    if (size > SIZE_MAX - 2 * PRELOAD_ALIGN) {
        return SIZE_MAX;
    }
    size_t block = (size + GRAIN + PRELOAD_ALIGN - 1) & ~(PRELOAD_ALIGN - 1);
    return block - GRAIN;
}

static inline bool aligned(const void *p) { return ((uintptr_t)p & (PRELOAD_ALIGN - 1)) == 0; }

static void *out_of_memory(void) {
    preload_count(STAT_FAILED);
    errno = ENOMEM;
    return NULL;
}

/* A block that came back on the wrong grain: take an aligned one instead. */
static __attribute__((noinline)) void *realign(void *p, size_t size) {
    preload_count(STAT_REALIGNED);
    heap_caps_free(p);
    void *q = heap_caps_aligned_alloc(PRELOAD_ALIGN, size, PRELOAD_MALLOC_CAPS);
    return q != NULL ? q : out_of_memory();
}

/* Blocks that padding cannot align. */
static __attribute__((noinline)) void *alloc_aligned_only(size_t size) {
    void *p = heap_caps_aligned_alloc(PRELOAD_ALIGN, size != 0 ? size : 1, PRELOAD_MALLOC_CAPS);
    return p != NULL ? p : out_of_memory();
}

/* malloc without the count. */
static inline void *alloc16(size_t size) {
    if (__builtin_expect(capheap_preload_aligned_only, 0)) {
        return alloc_aligned_only(size);
    }
    size_t want = padded(size);
    void *p = want == SIZE_MAX ? NULL : heap_caps_malloc(want, PRELOAD_MALLOC_CAPS);
    if (__builtin_expect(p == NULL, 0)) {
        return out_of_memory();
    }
    return __builtin_expect(aligned(p), 1) ? p : realign(p, want);
}

void *malloc(size_t size) {
    preload_ready();
    preload_count(STAT_MALLOC);
    return alloc16(size);
}

void free(void *p) {
    if (__builtin_expect(preload_owns(p), 1)) {
        preload_count(STAT_FREE);
        heap_caps_free(p);
    } else if (p != NULL) {
        preload_count(STAT_FOREIGN);
    }
}

void *calloc(size_t n, size_t size) {
    preload_ready();
    preload_count(STAT_CALLOC);
    size_t total;
    if (__builtin_mul_overflow(n, size, &total)) {
        return out_of_memory();
    }
    void *p = alloc16(total);
    if (p != NULL) {
        memset(p, 0, total);
    }
    return p;
}

size_t malloc_usable_size(void *p) { return preload_owns(p) ? heap_caps_get_allocated_size(p) : 0; }

/* ---- realloc ----------------------------------------------------------- */

/* heap_caps_realloc moved the block onto the wrong grain: move it again. If
 * no aligned block can be had, the moved one (8-aligned) is better than NULL,
 * which would claim that the old block is still there. */
static __attribute__((noinline)) void *realign_moved(void *q, size_t want) {
    preload_count(STAT_REALIGNED);
    void *r = heap_caps_aligned_alloc(PRELOAD_ALIGN, want, PRELOAD_MALLOC_CAPS);
    if (r == NULL) {
        return q;
    }
    size_t usable = heap_caps_get_allocated_size(q);
    memcpy(r, q, usable < want ? usable : want);
    heap_caps_free(q);
    return r;
}

void *realloc(void *p, size_t size) {
    if (p == NULL) {
        return malloc(size);
    }
    preload_count(STAT_REALLOC);
    if (size == 0) {
        free(p);
        return NULL;
    }
    if (!preload_owns(p)) {
        /* Its size is unknown, so it cannot be moved. glibc takes care never
         * to do this with the loader's early blocks. */
        capheap_port_abort("preload: realloc of a block that capheap did not allocate");
    }
    size_t want = padded(size);
    void *q = want == SIZE_MAX ? NULL : heap_caps_realloc(p, want, PRELOAD_MALLOC_CAPS);
    if (q == NULL) {
        return out_of_memory();
    }
    return aligned(q) ? q : realign_moved(q, want);
}

void *reallocarray(void *p, size_t n, size_t size) {
    size_t total;
    if (__builtin_mul_overflow(n, size, &total)) {
        preload_count(STAT_REALLOC);
        return out_of_memory();
    }
    return realloc(p, total);
}

/* ---- aligned ----------------------------------------------------------- */

static bool power_of_two(size_t x) { return x != 0 && (x & (x - 1)) == 0; }

/* alignment: a power of two. */
static void *alloc_aligned(size_t alignment, size_t size) {
    preload_ready();
    preload_count(STAT_ALIGNED);
    if (alignment <= PRELOAD_ALIGN) {
        return alloc16(size);
    }
    void *p = heap_caps_aligned_alloc(alignment, size != 0 ? size : 1, PRELOAD_MALLOC_CAPS);
    return p != NULL ? p : out_of_memory();
}

int posix_memalign(void **out, size_t alignment, size_t size) {
    if (!power_of_two(alignment) || alignment % sizeof(void *) != 0) {
        return EINVAL;
    }
    int saved = errno; /* posix_memalign reports through its result, not errno */
    void *p = alloc_aligned(alignment, size);
    errno = saved;
    if (p == NULL) {
        return ENOMEM;
    }
    *out = p;
    return 0;
}

void *aligned_alloc(size_t alignment, size_t size) {
    if (!power_of_two(alignment)) {
        errno = EINVAL;
        return NULL;
    }
    return alloc_aligned(alignment, size);
}

/* memalign takes any alignment, as glibc's does: the next power of two. */
void *memalign(size_t alignment, size_t size) {
    if (alignment > SIZE_MAX / 2 + 1) {
        errno = EINVAL;
        return NULL;
    }
    size_t a = 1;
    while (a < alignment) {
        a <<= 1;
    }
    return alloc_aligned(a, size);
}

static size_t page_size(void) { return (size_t)sysconf(_SC_PAGESIZE); }

void *valloc(size_t size) { return alloc_aligned(page_size(), size); }

void *pvalloc(size_t size) {
    size_t page = page_size();
    if (size > SIZE_MAX - page) {
        errno = ENOMEM;
        return NULL;
    }
    size_t rounded = size == 0 ? page : (size + page - 1) & ~(page - 1);
    return alloc_aligned(page, rounded);
}
