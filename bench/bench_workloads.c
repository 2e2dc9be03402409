/*
 * bench_workloads.c: the four benchmark workloads of WORKLOADS.md, driven
 * through the multi_heap API (capheap), a bump pointer (the floor) and the
 * process's own malloc ("system": glibc's, or the allocator that LD_PRELOAD
 * puts in front of it: jemalloc, tcmalloc, mimalloc; scripts/bench-workloads.sh).
 *
 *   bench_workloads <churn|small|fill|overhead> [capheap|bump|system]
 *
 * The allocator defaults to capheap. Output is key=value lines on stdout, one
 * per measurement, for scripts/bench.sh to read.
 *
 * Every allocation and free goes through one of the wrappers below, which are
 * never inlined, cloned or merged, so that callgrind can count them apart from
 * the workload (--toggle-collect=bench_malloc_<allocator> ...). This program
 * counts calls; callgrind counts instructions; the script divides.
 *
 * The random sequence depends only on the fixed seed and on integer
 * arithmetic, so -m32 and 64-bit builds see the same requests, run after run.
 */
#include <dlfcn.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_common.h"
#include "multi_heap.h"

#define MAX_SLOTS 4096u
#define ARENA_SIZE (1024 * KIB)

/* The memory every region-bound allocator works in; regions start at its base. */
static _Alignas(64) uint8_t arena[ARENA_SIZE];


/* ---- the allocators and their wrappers --------------------------------- */

/* capheap: one multi_heap over [arena, arena + region), no lock. */
static multi_heap_handle_t capheap_heap;

BENCH_WRAPPER void *bench_malloc_capheap(size_t size) { return multi_heap_malloc(capheap_heap, size); }
BENCH_WRAPPER void bench_free_capheap(void *p) { multi_heap_free(capheap_heap, p); }

static bool capheap_init(size_t region) {
    capheap_heap = multi_heap_register(arena, region);
    return capheap_heap != NULL;
}

static bool capheap_check(void) { return multi_heap_check(capheap_heap, true); }

/* Bump pointer: never frees. Over a bound region it fails when the region is
 * used up. In churn and small it would need hundreds of megabytes, so there it
 * starts again at the base of the arena instead (the workloads never touch
 * block contents, so blocks that overlap do no harm); that branch is taken
 * about once per thousand calls. */
static uint8_t *bump_next, *bump_end;
static bool bump_restarts;

BENCH_WRAPPER void *bench_malloc_bump(size_t size) {
    /* Every region size is a multiple of the alignment, so is what is left,
     * and a size that fits still fits once rounded up. */
    if (size - 1 >= (size_t)(bump_end - bump_next)) {
        if (!bump_restarts || size == 0 || size > ARENA_SIZE) {
            return NULL; /* size 0 or no room */
        }
        bump_next = arena;
    }
    void *p = bump_next;
    bump_next += (size + MULTI_HEAP_ALIGN - 1) & ~(size_t)(MULTI_HEAP_ALIGN - 1);
    return p;
}

BENCH_WRAPPER void bench_free_bump(void *p) { (void)p; }

static bool bump_init_region(size_t region) {
    bump_next = arena;
    bump_end = arena + region;
    bump_restarts = false;
    return true;
}

static bool bump_init_unbound(size_t region) {
    (void)region;
    bump_next = arena;
    bump_end = arena + ARENA_SIZE;
    bump_restarts = true;
    return true;
}

/* system: the process heap, not bound to a region. The wrappers call malloc
 * and free through the PLT, so LD_PRELOAD decides whose they are. */
BENCH_WRAPPER void *bench_malloc_system(size_t size) { return malloc(size); }
BENCH_WRAPPER void bench_free_system(void *p) { free(p); }

/* The file of the object that defines fn, or "?". */
static const char *object_of(uintptr_t fn) {
    Dl_info info;
    return dladdr((const void *)fn, &info) != 0 && info.dli_fname != NULL ? info.dli_fname : "?";
}

/* The first malloc of jemalloc, tcmalloc or mimalloc sets the allocator up
 * (hundreds of thousands of instructions): done here, outside the wrappers,
 * so that the figures are of the steady state, as capheap's exclude
 * multi_heap_register. And whose malloc and free the wrappers call: the
 * script checks that LD_PRELOAD's library serves where no callgrind listing
 * says it. */
static bool system_init(size_t region) {
    (void)region;
    free(malloc(1));
    printf("malloc_object=%s free_object=%s\n", object_of((uintptr_t)malloc), object_of((uintptr_t)free));
    return true;
}

static bool nothing_to_check(void) { return true; }

typedef struct {
    const char *name;
    bool (*init_region)(size_t region);  /* NULL: cannot be bound to a region */
    bool (*init_unbound)(size_t region); /* for churn and small */
    bool frees;
    void *(*malloc)(size_t size);
    void (*free)(void *p);
    bool (*check)(void); /* the structure is intact (outside the counted calls) */
} bench_allocator_t;

/* A benchmark of a broken heap means nothing: stop. */
static int check_or_fail(const bench_allocator_t *a, const char *workload) {
    if (!a->check()) {
        fprintf(stderr, "bench: %s: the %s heap is corrupt\n", workload, a->name);
        return 1;
    }
    return 0;
}

static const bench_allocator_t allocators[] = {
    {"capheap", capheap_init, capheap_init, true, bench_malloc_capheap, bench_free_capheap, capheap_check},
    {"bump", bump_init_region, bump_init_unbound, false, bench_malloc_bump, bench_free_bump, nothing_to_check},
    {"system", NULL, system_init, true, bench_malloc_system, bench_free_system, nothing_to_check},
};

/* ---- workloads --------------------------------------------------------- */

static void *slot_ptr[MAX_SLOTS];
static size_t slot_size[MAX_SLOTS];

typedef size_t (*size_draw_t)(void);

static size_t draw_churn(void) { return size_log_uniform(16, 8); } /* 16..4096 */
static size_t draw_small(void) { return size_uniform(8, 128); }
static size_t draw_fill(void) { return size_log_uniform(8, 8); }   /* 8..2048 */

/* churn and small: each op picks a slot; a full one is freed, an empty one
 * allocates. Failed allocations count as malloc calls and leave the slot empty. */
static int run_slots(const bench_allocator_t *a, const char *workload, size_t region, unsigned slots,
                     size_draw_t draw, uint32_t ops) {
    if (!a->init_unbound(region)) {
        fprintf(stderr, "bench: cannot make a %zu-byte heap\n", region);
        return 1;
    }
    uint64_t malloc_calls = 0, free_calls = 0, failed = 0, live = 0, peak_live = 0;
    for (uint32_t op = 0; op < ops; op++) {
        unsigned i = rng_below(slots);
        if (slot_ptr[i] != NULL) {
            a->free(slot_ptr[i]);
            slot_ptr[i] = NULL;
            live -= slot_size[i];
            free_calls++;
        } else {
            size_t size = draw();
            void *p = a->malloc(size);
            malloc_calls++;
            if (p == NULL) {
                failed++;
                continue;
            }
            slot_ptr[i] = p;
            slot_size[i] = size;
            live += size;
            peak_live = live > peak_live ? live : peak_live;
        }
    }
    if (check_or_fail(a, workload) != 0) {
        return 1;
    }
    printf("workload=%s allocator=%s ptr_bits=%u region=%zu slots=%u ops=%" PRIu32 " malloc_calls=%" PRIu64
           " free_calls=%" PRIu64 " failed=%" PRIu64 " peak_live=%" PRIu64 "\n",
           workload, a->name, (unsigned)(8 * sizeof(void *)), region, slots, ops, malloc_calls, free_calls,
           failed, peak_live);
    return 0;
}

/* fill: per round, allocate into random empty slots until the first failure
 * and note the live payload; then free each live block with probability 1/2.
 * Prints the mean of live payload / region at the failures. */
static int run_fill(const bench_allocator_t *a) {
    const size_t region = 64 * KIB;
    const unsigned slots = 4096, rounds = 2000;
    static unsigned empty[MAX_SLOTS];
    if (a->init_region == NULL || !a->frees) {
        fprintf(stderr, "bench: fill needs an allocator that is bound to a region and frees\n");
        return 2;
    }
    if (!a->init_region(region)) {
        fprintf(stderr, "bench: cannot make a %zu-byte heap\n", region);
        return 1;
    }
    unsigned nempty = slots;
    for (unsigned i = 0; i < slots; i++) {
        empty[i] = i;
    }
    uint64_t live = 0, live_sum = 0, live_min = UINT64_MAX, live_max = 0, blocks_sum = 0, full_rounds = 0;
    for (unsigned r = 0; r < rounds; r++) {
        while (nempty > 0) {
            unsigned k = rng_below(nempty);
            unsigned i = empty[k];
            size_t size = draw_fill();
            void *p = a->malloc(size);
            if (p == NULL) {
                break;
            }
            slot_ptr[i] = p;
            slot_size[i] = size;
            live += size;
            empty[k] = empty[--nempty];
        }
        full_rounds += nempty == 0; /* every slot taken: no failure seen (should not happen) */
        live_sum += live;
        live_min = live < live_min ? live : live_min;
        live_max = live > live_max ? live : live_max;
        blocks_sum += slots - nempty;
        if (check_or_fail(a, "fill") != 0) {
            return 1;
        }
        for (unsigned i = 0; i < slots; i++) {
            if (slot_ptr[i] != NULL && rng_below(2) != 0) {
                a->free(slot_ptr[i]);
                slot_ptr[i] = NULL;
                live -= slot_size[i];
                empty[nempty++] = i;
            }
        }
    }
    printf("workload=fill allocator=%s ptr_bits=%u region=%zu slots=%u rounds=%u fill=%.4f min=%.4f max=%.4f"
           " mean_blocks=%.1f rounds_without_failure=%" PRIu64 "\n",
           a->name, (unsigned)(8 * sizeof(void *)), region, slots, rounds,
           (double)live_sum / ((double)rounds * (double)region), (double)live_min / (double)region,
           (double)live_max / (double)region, (double)blocks_sum / rounds, full_rounds);
    return 0;
}

/* overhead: fixed-size allocations into an empty region until the first
 * failure; payload bytes / region, for each region and size. */
static int run_overhead(const bench_allocator_t *a) {
    static const size_t regions[] = {8 * KIB, 64 * KIB, 1024 * KIB};
    static const size_t sizes[] = {16, 100};
    if (a->init_region == NULL) {
        fprintf(stderr, "bench: overhead needs an allocator that is bound to a region\n");
        return 2;
    }
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        for (size_t r = 0; r < sizeof regions / sizeof regions[0]; r++) {
            if (!a->init_region(regions[r])) {
                fprintf(stderr, "bench: cannot make a %zu-byte heap\n", regions[r]);
                return 1;
            }
            uint64_t count = 0;
            while (a->malloc(sizes[s]) != NULL) {
                count++;
            }
            if (check_or_fail(a, "overhead") != 0) {
                return 1;
            }
            printf("workload=overhead allocator=%s ptr_bits=%u region=%zu size=%zu blocks=%" PRIu64
                   " ratio=%.4f\n",
                   a->name, (unsigned)(8 * sizeof(void *)), regions[r], sizes[s], count,
                   (double)(count * sizes[s]) / (double)regions[r]);
        }
    }
    return 0;
}

static int usage(void) {
    fprintf(stderr, "usage: bench_workloads <churn|small|fill|overhead> [capheap|bump|system]\n");
    return 2;
}

int main(int argc, char **argv) {
    if (argc < 2 || argc > 3) {
        return usage();
    }
    const bench_allocator_t *a = NULL;
    const char *want = argc == 3 ? argv[2] : "capheap";
    for (size_t i = 0; i < sizeof allocators / sizeof allocators[0]; i++) {
        if (strcmp(want, allocators[i].name) == 0) {
            a = &allocators[i];
        }
    }
    if (a == NULL) {
        return usage();
    }
    rng_seed();
    root2_init();
    const char *w = argv[1];
    if (strcmp(w, "churn") == 0) {
        return run_slots(a, w, 256 * KIB, 256, draw_churn, 1000000);
    }
    if (strcmp(w, "small") == 0) {
        return run_slots(a, w, 64 * KIB, 1024, draw_small, 1000000);
    }
    if (strcmp(w, "fill") == 0) {
        return run_fill(a);
    }
    if (strcmp(w, "overhead") == 0) {
        return run_overhead(a);
    }
    return usage();
}
