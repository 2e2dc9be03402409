/*
 * test_multi_heap.c: multi_heap on the target's own instruction set, under
 * QEMU (Cortex-M3/M4F on mps2, RV32 on virt), with the bare-metal port's
 * interrupt-masking lock.
 *
 * Every step is followed by a consistency check: multi_heap_check, and
 * multi_heap_get_info compared with what a walk of the blocks finds. The
 * random sequence keeps a shadow of every live block (size, fill pattern) and
 * asserts after every malloc that it succeeded exactly when the size was at
 * most largest_free_block.
 *
 * Built once per poisoning level (CAPHEAP_POISONING_LEVEL, as the library).
 */
#include <string.h>

#include "arch.h"
#include "capheap/port.h"
#include "harness.h"
#include "multi_heap.h"

#ifndef CAPHEAP_POISONING_LEVEL
#define CAPHEAP_POISONING_LEVEL 0
#endif

/** Operations of the random sequence (the interrupt phase runs a quarter). */
#ifndef RANDOM_OPS
#define RANDOM_OPS 200000u
#endif

#define REGION_SIZE (64u * 1024u)
#define SLOTS       128u
#define W           MULTI_HEAP_ALIGN
#define HDR         sizeof(size_t) /* a block header; W is a multiple of it */

static _Alignas(8) uint8_t region[REGION_SIZE];
static _Alignas(8) uint8_t other_region[4096];
static multi_heap_handle_t heap;
static size_t fresh_free; /* free bytes of the empty heap */

/* ---- Consistency of one heap ------------------------------------------- */

typedef struct {
    size_t free_bytes, used_bytes, free_blocks, used_blocks;
} walk_sum_t;

static bool sum_block(void *p, size_t size, int used, void *user) {
    walk_sum_t *s = user;
    T_CHECK((uint8_t *)p >= region && (uint8_t *)p + size <= region + REGION_SIZE);
    T_CHECK(((uintptr_t)p & (W - 1)) == 0);
    if (used) {
        s->used_bytes += size;
        s->used_blocks++;
    } else {
        s->free_bytes += size;
        s->free_blocks++;
    }
    return true;
}

/* multi_heap_check, and every multi_heap_get_info field against a walk. */
static void check_heap(void) {
    T_CHECK(multi_heap_check(heap, true));
    multi_heap_info_t info;
    multi_heap_get_info(heap, &info);
    walk_sum_t s = {0, 0, 0, 0};
    multi_heap_walk(heap, sum_block, &s);
    T_EQ(info.total_free_bytes, s.free_bytes);
    T_EQ(info.free_blocks, s.free_blocks);
    T_EQ(info.allocated_blocks, s.used_blocks);
    T_EQ(info.total_blocks, s.free_blocks + s.used_blocks);
    T_EQ(info.total_free_bytes, multi_heap_free_size(heap));
    T_EQ(info.minimum_free_bytes, multi_heap_minimum_free_size(heap));
    T_CHECK(info.minimum_free_bytes <= info.total_free_bytes);
    T_CHECK(info.largest_free_block <= info.total_free_bytes);
    /* Every byte of the block area is a header, free or allocated. */
    T_EQ(info.total_free_bytes + info.total_allocated_bytes + HDR * info.total_blocks, fresh_free + HDR);
#if CAPHEAP_POISONING_LEVEL == 0
    T_EQ(info.total_allocated_bytes, s.used_bytes);
#else
    /* The walk gives what the user asked; the heap counts the canaries too. */
    T_CHECK(info.total_allocated_bytes >= s.used_bytes + s.used_blocks * 12u);
#endif
}

/* largest_free_block is exact: an allocation of that size succeeds and one
 * byte more fails. The probe allocates, so the watermark is put back. */
static void check_largest(void) {
    multi_heap_info_t info;
    multi_heap_get_info(heap, &info);
    size_t largest = info.largest_free_block;
    size_t watermark = multi_heap_reset_minimum_free_bytes(heap);
    T_CHECK(multi_heap_malloc(heap, largest + 1) == NULL);
    if (largest > 0) {
        void *p = multi_heap_malloc(heap, largest);
        T_CHECK(p != NULL);
        T_CHECK(multi_heap_get_allocated_size(heap, p) >= largest);
        multi_heap_free(heap, p);
    }
    multi_heap_restore_minimum_free_bytes(heap, watermark);
    T_EQ(multi_heap_minimum_free_size(heap), watermark);
}

static void fresh_heap(void) {
    memset(region, 0x5A, sizeof region);
    heap = multi_heap_register(region, sizeof region);
    T_CHECK(heap != NULL);
    fresh_free = multi_heap_free_size(heap);
    check_heap();
}

static void check_empty(void) {
    multi_heap_info_t info;
    multi_heap_get_info(heap, &info);
    T_EQ(info.total_free_bytes, fresh_free);
    T_EQ(info.allocated_blocks, 0);
    T_EQ(info.free_blocks, 1);
    check_heap();
}

/* ---- Fill patterns: find overlapping blocks and lost contents ---------- */

static uint8_t pattern(uint8_t seed, size_t i) { return (uint8_t)(seed + i * 7u + (i >> 8)); }

static void fill(uint8_t *p, size_t n, uint8_t seed) {
    for (size_t i = 0; i < n; i++) {
        p[i] = pattern(seed, i);
    }
}

static void verify(const uint8_t *p, size_t n, uint8_t seed) {
    for (size_t i = 0; i < n; i++) {
        if (p[i] != pattern(seed, i)) {
            t_fail(__FILE__, __LINE__, "block %p byte %u is 0x%02x, not 0x%02x", (const void *)p, (unsigned)i,
                   p[i], pattern(seed, i));
        }
    }
}

/* ---- Deterministic cases ------------------------------------------------ */

static void case_register(void) {
    T_CHECK(multi_heap_register(NULL, 4096) == NULL);
    T_CHECK(multi_heap_register(region, 16) == NULL);
    fresh_heap();
    multi_heap_info_t info;
    multi_heap_get_info(heap, &info);
    T_EQ(info.free_blocks, 1);
    T_EQ(info.allocated_blocks, 0);
    T_EQ(info.minimum_free_bytes, fresh_free);
    T_CHECK(fresh_free > REGION_SIZE - 1024u); /* control data stays small */
    check_largest();
}

static void case_malloc_free(void) {
    fresh_heap();
    T_CHECK(multi_heap_malloc(heap, 0) == NULL);
    T_CHECK(multi_heap_malloc(heap, SIZE_MAX) == NULL);
    T_CHECK(multi_heap_malloc(heap, SIZE_MAX - W) == NULL);
    T_CHECK(multi_heap_malloc(heap, REGION_SIZE) == NULL);
    multi_heap_free(heap, NULL);
    static uint8_t *blocks[48];
    size_t lowest = fresh_free;
    for (unsigned i = 0; i < 48; i++) {
        size_t size = 1 + i * 37u;
        blocks[i] = multi_heap_malloc(heap, size);
        T_CHECK(blocks[i] != NULL);
        T_CHECK(((uintptr_t)blocks[i] & (W - 1)) == 0);
        T_CHECK(multi_heap_get_allocated_size(heap, blocks[i]) >= size);
        T_CHECK(multi_heap_get_full_block_size(heap, blocks[i]) > size);
        fill(blocks[i], size, (uint8_t)i);
        lowest = multi_heap_free_size(heap);
        T_EQ(multi_heap_minimum_free_size(heap), lowest);
        check_heap();
    }
    for (unsigned i = 0; i < 48; i += 2) { /* every other one: no coalescing */
        verify(blocks[i], 1 + i * 37u, (uint8_t)i);
        multi_heap_free(heap, blocks[i]);
        check_heap();
        check_largest();
    }
    T_EQ(multi_heap_minimum_free_size(heap), lowest); /* frees never raise it */
    for (unsigned i = 1; i < 48; i += 2) {
        verify(blocks[i], 1 + i * 37u, (uint8_t)i);
        multi_heap_free(heap, blocks[i]);
        check_heap();
    }
    check_empty();
    T_EQ(multi_heap_reset_minimum_free_bytes(heap), lowest);
    T_EQ(multi_heap_minimum_free_size(heap), fresh_free);
}

static void case_realloc(void) {
    fresh_heap();
    uint8_t *p = multi_heap_realloc(heap, NULL, 100); /* NULL: malloc */
    T_CHECK(p != NULL);
    fill(p, 100, 1);
    uint8_t *fence = multi_heap_malloc(heap, 64); /* no room to grow in place */
    T_CHECK(fence != NULL);
    check_heap();
    uint8_t *q = multi_heap_realloc(heap, p, 1000); /* moves */
    T_CHECK(q != NULL && q != p);
    verify(q, 100, 1);
    fill(q, 1000, 2);
    check_heap();
    uint8_t *r = multi_heap_realloc(heap, q, 3000); /* grows into the free tail */
    T_CHECK(r != NULL);
    verify(r, 1000, 2);
    fill(r, 3000, 3);
    check_heap();
    uint8_t *s = multi_heap_realloc(heap, r, 40); /* shrinks in place */
    T_CHECK(s != NULL);
#if CAPHEAP_POISONING_LEVEL < 2
    /* (Comprehensive poisoning always moves, to keep every free byte filled.) */
    T_CHECK(r == q);
    T_CHECK(s == r);
#endif
    verify(s, 40, 3);
    check_heap();
    size_t free_before = multi_heap_free_size(heap);
    T_CHECK(multi_heap_realloc(heap, s, REGION_SIZE) == NULL); /* no room: untouched */
    T_CHECK(multi_heap_realloc(heap, s, SIZE_MAX) == NULL);
    T_EQ(multi_heap_free_size(heap), free_before);
    verify(s, 40, 3);
    check_heap();
    T_CHECK(multi_heap_realloc(heap, s, 0) == NULL); /* size 0: free */
    multi_heap_free(heap, fence);
    check_empty();
}

static void case_aligned(void) {
    fresh_heap();
    T_CHECK(multi_heap_aligned_alloc(heap, 16, 0) == NULL);
    T_CHECK(multi_heap_aligned_alloc(heap, 16, 24) == NULL);
    T_CHECK(multi_heap_aligned_alloc(heap, 0, 16) == NULL);
    static uint8_t *blocks[64];
    unsigned n = 0;
    for (size_t align = 1; align <= 4096; align *= 2) {
        for (size_t size = 1; size <= 600; size += 199) {
            uint8_t *p = multi_heap_aligned_alloc(heap, size, align);
            T_CHECK(p != NULL);
            T_EQ((uintptr_t)p & (align - 1), 0);
            T_CHECK(multi_heap_get_allocated_size(heap, p) >= size);
            fill(p, size, (uint8_t)n);
            blocks[n++] = p;
            check_heap();
        }
    }
    for (size_t align = 8; align <= 256; align *= 2) { /* an offset on the grain */
        uint8_t *p = multi_heap_aligned_alloc_offs(heap, 48, align, W);
        T_CHECK(p != NULL);
        T_EQ(((uintptr_t)p + W) & (align - 1), 0);
        multi_heap_aligned_free(heap, p);
        check_heap();
    }
    for (unsigned i = 0; i < n; i++) {
        multi_heap_aligned_free(heap, blocks[i]);
        check_heap();
    }
    check_empty();
}

/* Allocates until the heap is full: every failure must be justified by
 * largest_free_block, and the last bytes must be reachable. */
static void case_fill_up(void) {
    fresh_heap();
    static uint8_t *blocks[1024];
    unsigned n = 0;
    t_rng_t rng = {0x243F6A8885A308D3ull};
    while (n < 1024) {
        multi_heap_info_t info;
        multi_heap_get_info(heap, &info);
        size_t size = 1 + t_below(&rng, 700);
        uint8_t *p = multi_heap_malloc(heap, size);
        T_EQ(p != NULL, size <= info.largest_free_block);
        if (p == NULL) {
            if (info.largest_free_block == 0) {
                break;
            }
            p = multi_heap_malloc(heap, info.largest_free_block);
            T_CHECK(p != NULL);
        }
        blocks[n++] = p;
    }
    check_heap();
    multi_heap_info_t info;
    multi_heap_get_info(heap, &info);
    T_EQ(info.largest_free_block, 0);
    T_CHECK(multi_heap_malloc(heap, 1) == NULL);
    T_EQ(multi_heap_minimum_free_size(heap), info.total_free_bytes);
    for (unsigned i = 0; i < n; i += 2) { /* every other one first: no coalescing */
        multi_heap_free(heap, blocks[i]);
    }
    check_heap();
    for (unsigned i = 1; i < n; i += 2) {
        multi_heap_free(heap, blocks[i]);
    }
    check_empty();
}

/* ---- Misuse: reported through the installed handler, heap unchanged ------ */

typedef struct {
    unsigned count;
    const void *addr;
    const char *what;
} reports_t;

static reports_t reports;

static void record(const void *addr, const char *what, void *user) {
    reports_t *r = user;
    r->count++;
    r->addr = addr;
    r->what = what;
}

static void same_info(const multi_heap_info_t *a, const multi_heap_info_t *b) {
    T_EQ(a->total_free_bytes, b->total_free_bytes);
    T_EQ(a->total_allocated_bytes, b->total_allocated_bytes);
    T_EQ(a->largest_free_block, b->largest_free_block);
    T_EQ(a->minimum_free_bytes, b->minimum_free_bytes);
    T_EQ(a->allocated_blocks, b->allocated_blocks);
    T_EQ(a->free_blocks, b->free_blocks);
}

/* Runs a bad call and expects exactly one report, at addr, heap unchanged. */
#define EXPECT_REPORT(call, at)                          \
    do {                                                 \
        multi_heap_info_t before_, after_;               \
        multi_heap_get_info(heap, &before_);             \
        unsigned count_ = reports.count;                 \
        call;                                            \
        T_EQ(reports.count, count_ + 1);                 \
        T_CHECK(reports.addr == (const void *)(at));     \
        multi_heap_get_info(heap, &after_);              \
        same_info(&before_, &after_);                    \
        check_heap();                                    \
    } while (0)

static void case_misuse(void) {
    fresh_heap();
    capheap_corruption_handler_t old = capheap_set_corruption_handler(record, &reports);
    static int outside;
    uint8_t *live = multi_heap_malloc(heap, 64);
    uint8_t *p = multi_heap_malloc(heap, 40);
    T_CHECK(live != NULL && p != NULL);
    fill(live, 64, 9);
    multi_heap_free(heap, p);
    EXPECT_REPORT(multi_heap_free(heap, p), p);                              /* double free */
    EXPECT_REPORT(multi_heap_free(heap, &outside), &outside);                /* foreign */
    EXPECT_REPORT(multi_heap_free(heap, live + 1), live + 1);                /* misaligned */
    EXPECT_REPORT(T_CHECK(multi_heap_realloc(heap, p, 100) == NULL), p);     /* realloc after free */
    EXPECT_REPORT(T_EQ(multi_heap_get_allocated_size(heap, &outside), 0), &outside);
    EXPECT_REPORT(T_EQ(multi_heap_get_full_block_size(heap, p), 0), p);

    /* A block of another heap is foreign too. */
    multi_heap_handle_t other = multi_heap_register(other_region, sizeof other_region);
    T_CHECK(other != NULL);
    void *theirs = multi_heap_malloc(other, 32);
    T_CHECK(theirs != NULL);
    EXPECT_REPORT(multi_heap_free(heap, theirs), theirs);
    multi_heap_free(other, theirs);
    T_CHECK(multi_heap_check(other, true));

#if CAPHEAP_POISONING_LEVEL >= 1
    /* One byte written past the end breaks the tail canary; mending it makes
     * the block freeable again. */
    multi_heap_info_t before, after;
    multi_heap_get_info(heap, &before);
    live[64] ^= 0xFF;
    unsigned broken = reports.count;
    multi_heap_free(heap, live);
    T_EQ(reports.count, broken + 1);
    T_CHECK(reports.addr == live);
    T_CHECK(!multi_heap_check(heap, false)); /* the check finds it too */
    live[64] ^= 0xFF;
    multi_heap_get_info(heap, &after);
    same_info(&before, &after);
    check_heap();
#endif
    verify(live, 64, 9);
    unsigned count = reports.count;
    multi_heap_free(heap, live);
    T_EQ(reports.count, count);
#if CAPHEAP_POISONING_LEVEL >= 2
    /* A write into freed memory is found by the check. */
    p[16] ^= 0xFF;
    T_CHECK(!multi_heap_check(heap, false));
    p[16] ^= 0xFF;
    T_CHECK(multi_heap_check(heap, true));
#endif
    T_CHECK(capheap_set_corruption_handler(old, NULL) == record);
    check_empty();
}

/* ---- The random sequence with a shadow model ---------------------------- */

typedef struct {
    uint8_t *p;
    size_t size;
    uint8_t seed;
} slot_t;

static slot_t slots[SLOTS];

/* Log-uniform 1..2048: small blocks are common, large ones occur. */
static size_t random_size(t_rng_t *rng) {
    unsigned octave = t_below(rng, 11);
    size_t base = (size_t)1 << octave;
    return base + t_below(rng, (uint32_t)base);
}

/* The interrupt phase guards an observation and the action it predicts with
 * the critical section, so that no handler allocates in between. */
static bool guard_observations;

static void guard_enter(void) {
    if (guard_observations) {
        capheap_port_critical_enter();
    }
}

static void guard_exit(void) {
    if (guard_observations) {
        capheap_port_critical_exit();
    }
}

static void slot_malloc(slot_t *s, t_rng_t *rng, uint32_t n) {
    size_t size = random_size(rng);
    uint8_t *p;
    if (n % 5 == 0) {
        size_t align = (size_t)1 << (2 + t_below(rng, 8));
        p = multi_heap_aligned_alloc(heap, size, align);
        T_CHECK(p == NULL || ((uintptr_t)p & (align - 1)) == 0);
    } else {
        guard_enter();
        multi_heap_info_t info;
        multi_heap_get_info(heap, &info);
        p = multi_heap_malloc(heap, size);
        T_EQ(p != NULL, size <= info.largest_free_block);
        guard_exit();
    }
    if (p != NULL) {
        T_CHECK(p >= region && p + size <= region + REGION_SIZE);
        T_CHECK(multi_heap_get_allocated_size(heap, p) >= size);
        s->p = p;
        s->size = size;
        s->seed = (uint8_t)n;
        fill(p, size, s->seed);
    }
}

static void slot_realloc(slot_t *s, t_rng_t *rng, uint32_t n) {
    size_t size = t_below(rng, 16) == 0 ? 0 : random_size(rng);
    uint8_t *p = multi_heap_realloc(heap, s->p, size);
    if (size == 0) {
        T_CHECK(p == NULL);
        s->p = NULL;
        return;
    }
    if (p == NULL) {
        verify(s->p, s->size, s->seed); /* failed: the old block is intact */
        return;
    }
    verify(p, size < s->size ? size : s->size, s->seed);
    s->p = p;
    s->size = size;
    s->seed = (uint8_t)n;
    fill(p, size, s->seed);
}

static void slot_free(slot_t *s) {
    verify(s->p, s->size, s->seed);
    multi_heap_free(heap, s->p);
    s->p = NULL;
}

static void random_op(t_rng_t *rng, uint32_t n) {
    slot_t *s = &slots[t_below(rng, SLOTS)];
    if (s->p == NULL) {
        slot_malloc(s, rng, n);
    } else if (t_below(rng, 3) == 0) {
        slot_realloc(s, rng, n);
    } else {
        slot_free(s);
    }
}

/* Checks the heap against the shadow: every live block intact. */
static void check_shadow(void) {
    guard_enter();
    check_heap();
    guard_exit();
    for (unsigned i = 0; i < SLOTS; i++) {
        if (slots[i].p != NULL) {
            verify(slots[i].p, slots[i].size, slots[i].seed);
        }
    }
}

static void free_all_slots(void) {
    for (unsigned i = 0; i < SLOTS; i++) {
        if (slots[i].p != NULL) {
            slot_free(&slots[i]);
        }
    }
}

static void run_random(uint32_t ops, uint64_t seed) {
    t_rng_t rng = {seed};
    size_t lowest_seen = multi_heap_free_size(heap);
    for (uint32_t n = 0; n < ops; n++) {
        random_op(&rng, n);
        size_t free_now = multi_heap_free_size(heap);
        lowest_seen = free_now < lowest_seen ? free_now : lowest_seen;
        /* The heap after every step (every 16th in the interrupt phase, which
         * leaves the handler room to interleave, and with comprehensive
         * poisoning, whose check reads all free memory); the contents of every
         * live block, a longer walk, every 64th. */
        if (n % (guard_observations || CAPHEAP_POISONING_LEVEL >= 2 ? 16u : 1u) == 0) {
            guard_enter();
            check_heap();
            guard_exit();
        }
        if (n % 64 == 0) {
            check_shadow();
        }
        if (!guard_observations && n % 4096 == 0) {
            check_largest();
        }
    }
    if (!guard_observations) {
        T_CHECK(multi_heap_minimum_free_size(heap) <= lowest_seen);
    }
}

static void case_random(void) {
    fresh_heap();
    run_random(RANDOM_OPS, 0x9E3779B97F4A7C15ull);
    check_shadow();
    free_all_slots();
    check_empty();
}

/* ---- The lock: interrupt masking, nesting, allocation from a handler ---- */

static void *heap_lock;
static volatile unsigned soft_irqs;

void test_on_soft_irq(void) {
    /* Inside a handler the lock must hand back the handler's own state
     * (RISC-V: masked by the trap; Cortex-M: open to higher priorities). */
    bool before = arch_irq_enabled();
    void *p = multi_heap_malloc(heap, 24);
    T_CHECK(p != NULL);
    T_EQ(arch_irq_enabled(), before);
    multi_heap_free(heap, p);
    T_EQ(arch_irq_enabled(), before);
    soft_irqs++;
}

static void expect_soft_irqs(unsigned n) {
    arch_settle();
    T_EQ(soft_irqs, n);
}

static void case_lock_masks_interrupts(void) {
    fresh_heap();
    heap_lock = capheap_port_lock_create();
    T_CHECK(heap_lock != NULL);
    multi_heap_set_lock(heap, heap_lock);
    arch_init();
    T_CHECK(arch_irq_enabled());
    arch_soft_irq_raise(); /* the handler runs at once */
    expect_soft_irqs(1);

    capheap_port_lock_take(heap_lock); /* held: the handler waits */
    T_CHECK(!arch_irq_enabled());
    arch_soft_irq_raise();
    expect_soft_irqs(1);
    capheap_port_lock_give(heap_lock);
    expect_soft_irqs(2);
    T_CHECK(arch_irq_enabled());

    /* Nested in the critical section, an allocation's take and give must
     * leave interrupts masked. */
    capheap_port_critical_enter();
    capheap_port_critical_enter();
    arch_soft_irq_raise();
    void *p = multi_heap_malloc(heap, 100);
    T_CHECK(p != NULL);
    multi_heap_free(heap, p);
    expect_soft_irqs(2);
    capheap_port_critical_exit();
    expect_soft_irqs(2);
    T_CHECK(!arch_irq_enabled());
    capheap_port_critical_exit();
    expect_soft_irqs(3);

    /* Two locks held at once give back in reverse order. */
    void *second = capheap_port_lock_create();
    T_CHECK(second != NULL && second != heap_lock);
    capheap_port_lock_take(second);
    capheap_port_lock_take(heap_lock);
    arch_soft_irq_raise();
    capheap_port_lock_give(heap_lock);
    expect_soft_irqs(3);
    capheap_port_lock_give(second);
    expect_soft_irqs(4);
    capheap_port_lock_delete(second);
    check_heap();
}

static void case_lock_pool(void) {
    static void *locks[64];
    unsigned n = 0;
    while (n < 64 && (locks[n] = capheap_port_lock_create()) != NULL) {
        n++;
    }
    T_CHECK(n > 0 && n < 64); /* a fixed pool, and it runs out */
    capheap_port_lock_delete(locks[n - 1]);
    locks[n - 1] = capheap_port_lock_create();
    T_CHECK(locks[n - 1] != NULL); /* a deleted lock is reused */
    for (unsigned i = 0; i < n; i++) {
        capheap_port_lock_delete(locks[i]);
    }
    capheap_port_lock_delete(NULL);
}

/* The timer handler allocates and frees while the main loop runs the random
 * sequence: the lock keeps each of them out of the other's operation. */
#define ISR_RING 8
static slot_t isr_ring[ISR_RING];
static volatile unsigned timer_irqs, isr_nomem;
static t_rng_t isr_rng = {0xD1B54A32D192ED03ull};

void test_on_timer_irq(void) {
    slot_t *s = &isr_ring[timer_irqs % ISR_RING];
    if (s->p != NULL) {
        slot_free(s);
    }
    size_t size = 1 + t_below(&isr_rng, 300);
    uint8_t *p = multi_heap_malloc(heap, size);
    if (p == NULL) {
        isr_nomem++;
    } else {
        s->p = p;
        s->size = size;
        s->seed = (uint8_t)(0x80u + timer_irqs);
        fill(p, size, s->seed);
    }
    timer_irqs++;
}

static void case_allocate_from_interrupt(void) {
    T_CHECK(heap_lock != NULL); /* case_lock_masks_interrupts set it up */
    guard_observations = true;
    arch_timer_start(500);
    run_random(RANDOM_OPS / 4, 0xC2B2AE3D27D4EB4Full);
    arch_timer_stop();
    guard_observations = false;
    t_printf("         %u timer interrupts allocated from the heap (%u found it full)\n", timer_irqs, isr_nomem);
    T_CHECK(timer_irqs >= 20);
    check_shadow();
    free_all_slots();
    for (unsigned i = 0; i < ISR_RING; i++) {
        if (isr_ring[i].p != NULL) {
            slot_free(&isr_ring[i]);
        }
    }
    check_empty();
    multi_heap_set_lock(heap, NULL);
    capheap_port_lock_delete(heap_lock);
}

int main(void) {
    static const t_case_t cases[] = {
        {"register", case_register},
        {"malloc_free", case_malloc_free},
        {"realloc", case_realloc},
        {"aligned", case_aligned},
        {"fill_up", case_fill_up},
        {"misuse", case_misuse},
        {"random", case_random},
        {"lock_pool", case_lock_pool},
        {"lock_masks_interrupts", case_lock_masks_interrupts},
        {"allocate_from_interrupt", case_allocate_from_interrupt},
    };
    t_printf("multi_heap on %s, poisoning level %d\n", arch_name, CAPHEAP_POISONING_LEVEL);
    return t_run("test_multi_heap", cases, sizeof cases / sizeof cases[0]);
}
