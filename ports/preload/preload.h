/*
 * preload.h (private): what the files of the preload library share.
 *
 * The library serves the C malloc family from one capheap heap that lives in a
 * host "board" of a single region (preload_init.c). Its state is a handful of
 * globals: the heap's address range, to tell capheap's pointers from the ones
 * the dynamic loader allocated before the library took over, and counters for
 * the statistics printed at exit (preload_stats.c).
 */
#ifndef CAPHEAP_PRELOAD_H
#define CAPHEAP_PRELOAD_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "esp_heap_caps.h"
#include "internal.h"

/** The caps malloc asks for: the heap's memory type has them all in caps[0]. */
#define PRELOAD_MALLOC_CAPS MALLOC_CAP_DEFAULT

/** The caps of the board's one memory type: an ordinary PC's RAM can do all of it. */
#define PRELOAD_TYPE_CAPS                                                                                  \
    (MALLOC_CAP_DEFAULT | MALLOC_CAP_8BIT | MALLOC_CAP_32BIT | MALLOC_CAP_INTERNAL | MALLOC_CAP_DMA)

/** What glibc's malloc guarantees and programs rely on (SSE moves, long double). */
#define PRELOAD_ALIGN alignof(max_align_t)

/** Heap size without CAPHEAP_PRELOAD_SIZE. */
#define PRELOAD_DEFAULT_SIZE ((size_t)256 << 20)

/** Smallest heap CAPHEAP_PRELOAD_SIZE may ask for. */
#define PRELOAD_MIN_SIZE ((size_t)1 << 20)

enum { PRELOAD_NONE, PRELOAD_BUSY, PRELOAD_READY };

/** PRELOAD_READY once the heap serves allocations. */
CAPHEAP_INTERNAL extern _Atomic int capheap_preload_state;

/** The heap's address range, set before the state becomes READY. */
CAPHEAP_INTERNAL extern _Atomic uintptr_t capheap_preload_lo;
CAPHEAP_INTERNAL extern _Atomic size_t capheap_preload_size;

/** True when padding cannot put blocks on PRELOAD_ALIGN (poisoning changes the
 *  block layout): malloc then asks for aligned blocks straight away. Set
 *  before the state becomes READY. */
CAPHEAP_INTERNAL extern bool capheap_preload_aligned_only;

/** Builds the heap if nobody has yet (waits while another thread does); aborts
 *  with a message when the memory cannot be had. Safe before main and from
 *  any thread; never allocates. */
CAPHEAP_INTERNAL void capheap_preload_start(void);

static inline void preload_ready(void) {
    if (__builtin_expect(atomic_load_explicit(&capheap_preload_state, memory_order_acquire) != PRELOAD_READY, 0)) {
        capheap_preload_start();
    }
}

/** Whether p lies in the heap (false for NULL and before the heap exists). */
static inline bool preload_owns(const void *p) {
    /* The size first, by an acquire load (the builder stores it last, by a
     * release store): a free of a foreign pointer while the heap is being
     * built sees a size of 0, or the address with it. */
    size_t size = atomic_load_explicit(&capheap_preload_size, memory_order_acquire);
    return (uintptr_t)p - atomic_load_explicit(&capheap_preload_lo, memory_order_relaxed) < size;
}

/* ---- statistics (preload_stats.c) -------------------------------------- */

typedef enum {
    STAT_MALLOC,
    STAT_CALLOC,
    STAT_REALLOC,
    STAT_ALIGNED,   /* posix_memalign, aligned_alloc, memalign, valloc, pvalloc */
    STAT_FREE,
    STAT_FOREIGN,   /* free() of a pointer capheap never gave: ignored */
    STAT_REALIGNED, /* a block came back 8-aligned and was moved (see preload.c) */
    STAT_FAILED,    /* an allocation that returned NULL for want of memory */
    STAT_COUNT
} preload_stat_t;

/** True when CAPHEAP_PRELOAD_STATS asked for statistics (read once, at start). */
CAPHEAP_INTERNAL extern _Atomic bool capheap_preload_stats_on;
CAPHEAP_INTERNAL extern _Atomic size_t capheap_preload_stats[STAT_COUNT];

/* Counting costs a shared atomic per call: only when asked for. */
static inline void preload_count(preload_stat_t s) {
    if (atomic_load_explicit(&capheap_preload_stats_on, memory_order_relaxed)) {
        atomic_fetch_add_explicit(&capheap_preload_stats[s], 1, memory_order_relaxed);
    }
}

/** Remembers the heap's free bytes when it is new (preload_init.c calls it). */
CAPHEAP_INTERNAL void capheap_preload_stats_begin(void);

/** Writes one line to stderr without stdio (usable in any state). */
CAPHEAP_INTERNAL void capheap_preload_say(const char *text);

#endif /* CAPHEAP_PRELOAD_H */
