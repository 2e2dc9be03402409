/*
 * preload_init.c: the heap behind the preload library's malloc.
 *
 * The heap is built on the first call into the malloc family, which may come
 * long before the library's constructor (the dynamic loader and libc allocate
 * while starting up). Building it calls nothing that allocates: getenv,
 * mmap, capheap_init_board (whose posix port maps memory and takes its locks
 * from a fixed pool). A thread that calls malloc while another one builds the
 * heap waits; the builder itself calling malloc would be a bug in the port,
 * and stops the program with a message instead of hanging.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "capheap.h"
#include "capheap/port.h"
#include "preload.h"

_Atomic int capheap_preload_state;
_Atomic uintptr_t capheap_preload_lo;
_Atomic size_t capheap_preload_size;
bool capheap_preload_aligned_only;

static _Atomic(pthread_t) builder;

/* The board: one region of host RAM. Filled in once, before capheap_init_board
 * (which keeps a pointer to it). */
static const capheap_memory_type_t host_type[1] = {{"host RAM", {PRELOAD_TYPE_CAPS, 0, 0}}};
static capheap_region_t host_region;
static capheap_reserved_t host_skip;
static capheap_board_t host_board = {
    .name = "host-preload",
    .types = host_type,
    .type_count = 1,
    .regions = &host_region,
    .region_count = 1,
};

/* ---- CAPHEAP_PRELOAD_SIZE ---------------------------------------------- */

/* Multiplier of a size suffix; 0 for an unknown one. */
static size_t suffix_scale(const char *s) {
    if (s[0] == '\0') {
        return 1;
    }
    if (s[1] != '\0') {
        return 0;
    }
    switch (s[0]) {
    case 'k': case 'K': return (size_t)1 << 10;
    case 'm': case 'M': return (size_t)1 << 20;
    case 'g': case 'G': return (size_t)1 << 30;
    default: return 0;
    }
}

/* "256M", "1G", "65536": bytes, or 0 when the text is not such a size. */
static size_t parse_size(const char *s) {
    size_t n = 0;
    const char *p = s;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (__builtin_mul_overflow(n, 10, &n) || __builtin_add_overflow(n, (size_t)(*p - '0'), &n)) {
            return 0;
        }
    }
    size_t scale = suffix_scale(p);
    size_t bytes;
    if (p == s || scale == 0 || __builtin_mul_overflow(n, scale, &bytes)) {
        return 0;
    }
    return bytes;
}

static size_t heap_size(void) {
    const char *text = getenv("CAPHEAP_PRELOAD_SIZE");
    if (text == NULL || text[0] == '\0') {
        return PRELOAD_DEFAULT_SIZE;
    }
    size_t size = parse_size(text);
    if (size < PRELOAD_MIN_SIZE || size > SIZE_MAX / 2) {
        capheap_port_abort("preload: CAPHEAP_PRELOAD_SIZE must be a size such as 64M or 2G, at least 1M");
    }
    return (size + 4095) & ~(size_t)4095;
}

/* ---- building the heap ------------------------------------------------- */

#define HOLE_ALIGN ((uintptr_t)2 << 20)

/* An address where size bytes are free now: the board is placed there, so
 * that capheap maps it in place and has no relocation to announce (on stdout,
 * which the program owns). */
static uintptr_t free_address(size_t size) {
    void *hole = mmap(NULL, size + HOLE_ALIGN, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (hole == MAP_FAILED) {
        return 0;
    }
    munmap(hole, size + HOLE_ALIGN);
    return ((uintptr_t)hole + HOLE_ALIGN - 1) & ~(HOLE_ALIGN - 1);
}

/* Whether mallocs of sizes just under a multiple of 16 (see preload.c) come
 * back 16-aligned, several in a row: where the first block starts depends on
 * the size of the heap's control data, and poisoning adds canaries to every
 * block. The probe answers without knowing either. */
static bool blocks_fit_grain(void) {
    static const size_t probe[] = {1, 3, 7, 60};
    void *p[sizeof probe / sizeof probe[0]];
    bool aligned = true;
    for (size_t i = 0; i < sizeof probe / sizeof probe[0]; i++) {
        p[i] = heap_caps_malloc(probe[i] * PRELOAD_ALIGN + sizeof(size_t), PRELOAD_MALLOC_CAPS);
        aligned &= p[i] != NULL && (uintptr_t)p[i] % PRELOAD_ALIGN == 0;
    }
    for (size_t i = 0; i < sizeof probe / sizeof probe[0]; i++) {
        heap_caps_free(p[i]);
    }
    return aligned;
}

static void build_heap(void) {
    size_t size = heap_size();
    uintptr_t at = free_address(size + sizeof(size_t)); /* room for the shift below */
    host_region = (capheap_region_t){.start = at, .size = size, .type = 0};
    if (at == 0 || capheap_init_board(&host_board) != ESP_OK) {
        capheap_port_abort("preload: no memory for the heap (try a smaller CAPHEAP_PRELOAD_SIZE)");
    }
    if (!blocks_fit_grain() && sizeof(size_t) < PRELOAD_ALIGN) {
        /* Start the heap one grain later, which puts every block on the
         * grain. The region grows by as much: a heap smaller by a grain can
         * have coarser classes and control data shorter by a grain too (at
         * 256 MiB it did), which would undo the shift. */
        capheap_deinit();
        host_skip = (capheap_reserved_t){at, at + sizeof(size_t), "grain shift"};
        host_board.reserved = &host_skip;
        host_board.reserved_count = 1;
        host_region.size = size + sizeof(size_t);
        if (capheap_init_board(&host_board) != ESP_OK) {
            capheap_port_abort("preload: no memory for the heap (try a smaller CAPHEAP_PRELOAD_SIZE)");
        }
        capheap_preload_aligned_only = !blocks_fit_grain();
    }
    /* Where the board is (elsewhere when the address was taken meanwhile),
     * then its size, which readers load first (preload_owns): one that sees
     * the size sees the address. */
    atomic_store_explicit(&capheap_preload_lo, at + (uintptr_t)capheap_host_offset(), memory_order_relaxed);
    atomic_store_explicit(&capheap_preload_size, host_region.size, memory_order_release);
    capheap_preload_stats_begin();
}

void capheap_preload_start(void) {
    int s = atomic_load_explicit(&capheap_preload_state, memory_order_acquire);
    while (s != PRELOAD_READY) {
        int none = PRELOAD_NONE;
        if (s == PRELOAD_NONE && atomic_compare_exchange_strong(&capheap_preload_state, &none, PRELOAD_BUSY)) {
            atomic_store(&builder, pthread_self());
            build_heap();
            atomic_store_explicit(&capheap_preload_state, PRELOAD_READY, memory_order_release);
            return;
        }
        if (s == PRELOAD_BUSY && pthread_equal(atomic_load(&builder), pthread_self())) {
            capheap_port_abort("preload: malloc called while its heap is being built");
        }
        sched_yield();
        s = atomic_load_explicit(&capheap_preload_state, memory_order_acquire);
    }
}

/* ---- fork -------------------------------------------------------------- */

/* A child of a threaded program inherits every lock as it was at the fork:
 * one that another thread held (a heap's, the critical section) would stay
 * held for ever. capheap_register_fork_handlers has the forking thread hold
 * them all across it. Registered in a constructor, not on the first malloc:
 * pthread_atfork may allocate. Should it fail (no memory), the program runs
 * on, as it would under a malloc without such handlers. */
__attribute__((constructor)) static void preload_constructor(void) {
    capheap_preload_start();
    (void)capheap_register_fork_handlers();
}
