/*
 * malloc_family.c: the C library's allocator on a target, served by capheap
 * (CMake option CAPHEAP_MALLOC): malloc, calloc, realloc, free, memalign,
 * posix_memalign, aligned_alloc, malloc_usable_size, and newlib's reentrant
 * _malloc_r, _calloc_r, _realloc_r, _free_r, _memalign_r,
 * _malloc_usable_size_r, through which newlib's own stdio and string code
 * allocates. picolibc has no reentrant variants: the plain names are all.
 *
 * malloc and realloc follow heap_caps_malloc_default / _realloc_default (the
 * board's external-RAM policy included); free is heap_caps_free, so it takes
 * memory from any heap_caps or seed-era allocation, and heap_caps_free takes
 * malloc's.
 *
 * Defined here so that one object file holds every name: once the linker
 * pulls it for any of them, no allocator member of the C library comes in
 * too (a libc malloc paired with this free would corrupt both). A program
 * that asks the C library for something only its own allocator has
 * (mallinfo, malloc_stats, malloc_trim) fails to link with duplicate
 * definitions instead of mixing the two. Link with -Wl,--undefined=malloc so
 * the C library's internal calls (stdio buffers) find these definitions even
 * when the program itself never calls malloc.
 *
 * Before any heap exists (capheap_init, heap_caps_init or a heap_caps_add_
 * region call) every allocation fails cleanly: NULL with errno ENOMEM, and
 * free(NULL) does nothing. Neither newlib's start-up (rdimon, nosys) nor
 * picolibc's allocates, but constructors and early stdio may: newlib's
 * stdio then falls back to an unbuffered stream. Freeing a pointer that no
 * heap holds is reported as corruption (capheap_report_corruption).
 *
 * Where it differs from the C libraries' own allocators, on purpose:
 * - Blocks are aligned to MULTI_HEAP_ALIGN, the grain. By default that is 4
 *   bytes on 32-bit targets, as ESP-IDF's malloc, not _Alignof(max_align_t)
 *   (8 on Arm EABI, 16 on RV32), which C asks for. Built with
 *   CAPHEAP_GRAIN=8 every block is 8-aligned: on Arm EABI malloc then meets
 *   C's guarantee. Built with CAPHEAP_GRAIN=16 every block is 16-aligned: on
 *   RV32 (max_align_t 16, for its 16-byte long double) malloc then meets it,
 *   at a cost in memory (README.md beside this file). Cortex-M LDRD/STRD/VLDR
 *   need word alignment only; code that needs more asks memalign or
 *   aligned_alloc.
 * - malloc(0) and the aligned calls with size 0 return a unique minimum
 *   block (as newlib and picolibc do), not NULL; realloc(p, 0) frees p and
 *   returns NULL.
 * - memalign, posix_memalign and aligned_alloc are
 *   heap_caps_aligned_alloc_default, as in ESP-IDF: malloc's memory in
 *   malloc's order for the size (the external-RAM threshold included), one
 *   failure callback when all of it failed. An alignment that is not a power
 *   of two (0 included) gets NULL with EINVAL, as from ESP-IDF's, where the
 *   dlmalloc-derived memalign of newlib rounds it up to one.
 *
 * For the host's preload library this file is not the right base: there
 * capheap must initialise itself on the first call from an unknown process,
 * stay out of dlsym's recursion and survive fork. So it lives with the
 * bare-metal port; it uses only the public API and works with any target
 * port (FreeRTOS too).
 */
#define _GNU_SOURCE 1 /* memalign, posix_memalign, aligned_alloc: visible in strict C11 */

#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>

#include "esp_heap_caps.h"
#include "word_access.h" /* src/: zeroing in whole words where memory takes no other access */

/* Sizes malloc never sees as 0 (see above). */
static size_t at_least_one(size_t size) { return size != 0 ? size : 1; }

static bool is_power_of_two(size_t x) { return x != 0 && (x & (x - 1)) == 0; }

/* ---- the allocations, returning an errno value instead of setting it ---- */

/* A block and the errno value its call leaves (0: none). One value, so that
 * no caller reads the error in an argument list beside the call that sets
 * it (C leaves the order of their evaluation open: host GCC at -O2 read the
 * error first). */
typedef struct {
    void *p;
    int err;
} outcome_t;

static outcome_t outcome(void *p, int err_if_null) { return (outcome_t){p, p != NULL ? 0 : err_if_null}; }

static outcome_t failure(int err) { return (outcome_t){NULL, err}; }

static outcome_t do_malloc(size_t size) { return outcome(heap_caps_malloc_default(at_least_one(size)), ENOMEM); }

static outcome_t do_calloc(size_t n, size_t size) {
    size_t total;
    if (__builtin_mul_overflow(n, size, &total)) {
        return failure(ENOMEM); /* C: the request cannot be met */
    }
    outcome_t o = do_malloc(total);
    if (o.p != NULL) {
        capheap_block_fill(o.p, 0, total); /* malloc's memory may be the ESP8266's IRAM */
    }
    return o;
}

static outcome_t do_realloc(void *ptr, size_t size) {
    if (ptr == NULL) {
        return do_malloc(size);
    }
    /* NULL for size 0 is the free, no failure; else ptr is untouched */
    return outcome(heap_caps_realloc_default(ptr, size), size != 0 ? ENOMEM : 0);
}

/* alignment: a power of two (checked by the callers). */
static outcome_t do_aligned(size_t alignment, size_t size) {
    if (alignment <= MULTI_HEAP_ALIGN) {
        return do_malloc(size);
    }
    return outcome(heap_caps_aligned_alloc_default(alignment, at_least_one(size)), ENOMEM);
}

static outcome_t do_memalign(size_t alignment, size_t size) {
    return is_power_of_two(alignment) ? do_aligned(alignment, size) : failure(EINVAL);
}

/* Sets errno only on failure: C lets a successful call leave it alone. */
static void *set_errno(outcome_t o) {
    if (o.err != 0) {
        errno = o.err;
    }
    return o.p;
}

/* ---- the C and POSIX names -------------------------------------------- */

void *malloc(size_t size) { return set_errno(do_malloc(size)); }

void *calloc(size_t n, size_t size) { return set_errno(do_calloc(n, size)); }

void *realloc(void *ptr, size_t size) { return set_errno(do_realloc(ptr, size)); }

void free(void *ptr) { heap_caps_free(ptr); }

void *memalign(size_t alignment, size_t size) { return set_errno(do_memalign(alignment, size)); }

void *aligned_alloc(size_t alignment, size_t size) { return set_errno(do_memalign(alignment, size)); }

/* POSIX: the error is the return value; errno and *out stay as they were. */
int posix_memalign(void **out, size_t alignment, size_t size) {
    if (!is_power_of_two(alignment) || alignment % sizeof(void *) != 0) {
        return EINVAL;
    }
    outcome_t o = do_aligned(alignment, size);
    if (o.p != NULL) {
        *out = o.p;
    }
    return o.err;
}

size_t malloc_usable_size(void *ptr) { return ptr != NULL ? heap_caps_get_allocated_size(ptr) : 0; }

/* ---- newlib's reentrant names: errno goes to the caller's context ----- */

#if !defined(__PICOLIBC__)
#include <reent.h>

static void *set_errno_r(struct _reent *r, outcome_t o) {
    if (o.err != 0) {
        __errno_r(r) = o.err;
    }
    return o.p;
}

void *_malloc_r(struct _reent *r, size_t size) { return set_errno_r(r, do_malloc(size)); }

void *_calloc_r(struct _reent *r, size_t n, size_t size) { return set_errno_r(r, do_calloc(n, size)); }

void *_realloc_r(struct _reent *r, void *ptr, size_t size) { return set_errno_r(r, do_realloc(ptr, size)); }

void _free_r(struct _reent *r, void *ptr) {
    (void)r;
    heap_caps_free(ptr);
}

void *_memalign_r(struct _reent *r, size_t alignment, size_t size) {
    return set_errno_r(r, do_memalign(alignment, size));
}

size_t _malloc_usable_size_r(struct _reent *r, void *ptr) {
    (void)r;
    return malloc_usable_size(ptr);
}
#endif
