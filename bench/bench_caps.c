/*
 * bench_caps.c: the cost of the capabilities layer, on WORKLOADS.md's small
 * and churn workloads.
 *
 *   bench_caps <small|churn> esp32         heap_caps_malloc(n, MALLOC_CAP_8BIT) and
 *                                          heap_caps_free on capheap_init("esp32")
 *   bench_caps <small|churn> esp32-dma     the same with MALLOC_CAP_DMA (DRAM)
 *   bench_caps <small|churn> esp32-exec    the same with MALLOC_CAP_32BIT | MALLOC_CAP_EXEC
 *                                          (IRAM first, then D/IRAM through its alias)
 *   bench_caps <small|churn> esp32-32bit   the same with MALLOC_CAP_32BIT (IRAM first, no window)
 *   bench_caps <small|churn> esp32p4-dma   MALLOC_CAP_DMA on capheap_init("esp32p4"), whose
 *                                          64-byte cache lines make every request aligned
 *   bench_caps <small|churn> multi [KiB]   multi_heap on one region of the workload's size,
 *                                          or of KiB (up to 16 MiB: is the cost flat?)
 *   bench_caps <small|churn> multi-lock [KiB]  the same with the port's lock (what every
 *                                          registered heap has)
 *   bench_caps <small|churn> heaps <N>     heap_caps on N registered heaps: N - 1 others
 *                                          registered first, the workload's region last
 *
 * bench_caps_hooks is this program built with BENCH_CAPS_HOOKS against capheap
 * built with CAPHEAP_HEAP_HOOKS: it defines ESP-IDF's allocation and free
 * hooks (empty), so every call takes the path that calls them.
 *
 * With N heaps the others alternate between caps that do not cover 8BIT
 * (IRAM-like) and caps that cover it only at priority 2: a front end that loops
 * over heaps pays for each of them on every call; capheap should not.
 *
 * Every allocation and free goes through a wrapper that is never inlined, so
 * that callgrind counts it apart from the workload (scripts/bench-caps.sh runs
 * this under callgrind with --toggle-collect=bench_*; each caps mask has its
 * own malloc wrapper, so that none pays for reading the mask from a variable).
 * This program counts the calls, and on a board which heap served each block
 * (served=, by the heaps' chip addresses and sizes); callgrind counts the
 * instructions.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_common.h"
#include "capheap.h"
#include "capheap/port.h"

#define OPS 1000000u
#define MAX_SLOTS 1024u
#define OTHER_HEAP (4 * KIB)
#define MAX_HEAPS 32u
#define MAX_REGION (16 * 1024 * KIB)

/* Pages of it that no block reaches are never touched, so its size is free. */
static _Alignas(64) uint8_t arena[MAX_HEAPS * OTHER_HEAP + MAX_REGION];

/* ---- random requests: bench_common.h ----------------------------------- */

/* small: uniform 8..128; churn: log-uniform 16..4096 */
static size_t draw_small(void) { return size_uniform(8, 128); }
static size_t draw_churn(void) { return size_log_uniform(16, 8); }

/* ---- the allocators under test ------------------------------------------ */

#ifdef BENCH_CAPS_HOOKS
/* Empty: what is measured is the library's path to them. */
void esp_heap_trace_alloc_hook(void *ptr, size_t size, uint32_t caps) { (void)ptr, (void)size, (void)caps; }
void esp_heap_trace_free_hook(void *ptr) { (void)ptr; }
#endif

static multi_heap_handle_t one_heap;

BENCH_WRAPPER void *bench_caps_malloc(size_t size) { return heap_caps_malloc(size, MALLOC_CAP_8BIT); }
BENCH_WRAPPER void *bench_caps_malloc_dma(size_t size) { return heap_caps_malloc(size, MALLOC_CAP_DMA); }
BENCH_WRAPPER void *bench_caps_malloc_exec(size_t size) {
    return heap_caps_malloc(size, MALLOC_CAP_32BIT | MALLOC_CAP_EXEC);
}
BENCH_WRAPPER void *bench_caps_malloc_32bit(size_t size) { return heap_caps_malloc(size, MALLOC_CAP_32BIT); }
BENCH_WRAPPER void bench_caps_free(void *p) { heap_caps_free(p); }
BENCH_WRAPPER void *bench_multi_malloc(size_t size) { return multi_heap_malloc(one_heap, size); }
BENCH_WRAPPER void bench_multi_free(void *p) { multi_heap_free(one_heap, p); }

typedef struct {
    void *(*malloc)(size_t);
    void (*free)(void *);
} allocator_t;

static const allocator_t caps = {bench_caps_malloc, bench_caps_free};
static const allocator_t caps_dma = {bench_caps_malloc_dma, bench_caps_free};
static const allocator_t caps_exec = {bench_caps_malloc_exec, bench_caps_free};
static const allocator_t caps_32bit = {bench_caps_malloc_32bit, bench_caps_free};
static const allocator_t multi = {bench_multi_malloc, bench_multi_free};

static bool setup_multi(size_t region, bool locked) {
    one_heap = multi_heap_register(arena, region);
    if (one_heap != NULL && locked) {
        multi_heap_set_lock(one_heap, capheap_port_lock_create());
    }
    return one_heap != NULL;
}

/* N - 1 other heaps, then the workload's region with DRAM's caps. */
static bool setup_heaps(size_t region, unsigned n) {
    static const uint32_t elsewhere[3] = {MALLOC_CAP_INTERNAL | MALLOC_CAP_EXEC | MALLOC_CAP_32BIT, 0, 0};
    static const uint32_t last_resort[3] = {0, 0, MALLOC_CAP_8BIT | MALLOC_CAP_32BIT};
    static const uint32_t dram[3] = {MALLOC_CAP_8BIT | MALLOC_CAP_DEFAULT,
                                     MALLOC_CAP_INTERNAL | MALLOC_CAP_DMA | MALLOC_CAP_32BIT, 0};
    uint8_t *at = arena;
    for (unsigned i = 0; i + 1 < n; i++, at += OTHER_HEAP) {
        const uint32_t *c = i % 2 == 0 ? elsewhere : last_resort;
        if (heap_caps_add_region_with_caps(c, (intptr_t)at, (intptr_t)(at + OTHER_HEAP)) != ESP_OK) {
            return false;
        }
    }
    return heap_caps_add_region_with_caps(dram, (intptr_t)at, (intptr_t)(at + region)) == ESP_OK;
}

/* ---- which heaps served ---------------------------------------------------- */

/* The registered heaps (none in the multi modes) and how many of the
 * workload's blocks each served: the layer's cost depends on it, as a heap
 * that has failed once keeps a fail floor, renewed after each of its
 * changes, and a request its floor refuses goes on to the next heap.
 * Counted outside the wrappers, so not in the instruction counts. */
#define MAX_SEEN_HEAPS 64u

typedef struct {
    intptr_t start, end;
    uint64_t served;
} seen_heap_t;

static seen_heap_t seen[MAX_SEEN_HEAPS];
static size_t nseen;
static uint64_t served_elsewhere; /* through an instruction-bus alias (EXEC) */

/* heap_caps_walk_all's callback: notes each heap at its first block, then
 * ends that heap's walk. */
static bool note_heap(walker_heap_into_t heap, walker_block_info_t block, void *user) {
    (void)block, (void)user;
    if (nseen < MAX_SEEN_HEAPS) {
        seen[nseen++] = (seen_heap_t){heap.start, heap.end, 0};
    }
    return false;
}

static void count_served(const void *p) {
    if (p == NULL || nseen == 0) {
        return;
    }
    for (size_t i = 0; i < nseen; i++) {
        if ((intptr_t)p >= seen[i].start && (intptr_t)p < seen[i].end) {
            seen[i].served++;
            return;
        }
    }
    served_elsewhere++;
}

/* served=START/SIZE:COUNT,... for the heaps that served a block, START at
 * the chip's address, then alias:COUNT for blocks given at an alias address;
 * nothing in the multi modes. */
static void print_served(void) {
    const char *sep = " served=";
    for (size_t i = 0; i < nseen; i++) {
        if (seen[i].served != 0) {
            printf("%s0x%08llx/%zu:%" PRIu64, sep, (unsigned long long)(seen[i].start - capheap_host_offset()),
                   (size_t)(seen[i].end - seen[i].start), seen[i].served);
            sep = ",";
        }
    }
    if (served_elsewhere != 0) {
        printf("%salias:%" PRIu64, sep, served_elsewhere);
    }
}

/* ---- the workload --------------------------------------------------------- */

static void *slot[MAX_SLOTS];

static void run(const allocator_t *a, const char *workload, const char *mode, unsigned slots,
                size_t (*draw)(void)) {
    uint64_t mallocs = 0, frees = 0, failed = 0;
    for (uint32_t op = 0; op < OPS; op++) {
        unsigned i = rng_below(slots);
        if (slot[i] != NULL) {
            a->free(slot[i]);
            slot[i] = NULL;
            frees++;
        } else {
            slot[i] = a->malloc(draw());
            mallocs++;
            failed += slot[i] == NULL;
            count_served(slot[i]);
        }
    }
    printf("workload=%s mode=%s ptr_bits=%u malloc_calls=%" PRIu64 " free_calls=%" PRIu64 " failed=%" PRIu64,
           workload, mode, (unsigned)(8 * sizeof(void *)), mallocs, frees, failed);
    print_served();
    printf("\n");
}

static int usage(void) {
    fprintf(stderr, "usage: bench_caps <small|churn> <esp32|esp32-dma|esp32-exec|esp32-32bit|multi [KiB]|"
                    "multi-lock [KiB]|heaps N>\n");
    return 2;
}

/* Sets up the mode of argv[2] (its number, if any, in argv[3]) over region
 * bytes, and points *a at its wrappers. -1: a usage error. */
static int setup(int argc, char **argv, size_t region, const allocator_t **a) {
    const char *mode = argv[2];
    long number = argc == 4 ? atol(argv[3]) : -1;
    *a = &caps;
    if (strcmp(mode, "esp32p4-dma") == 0 && argc == 3) {
        *a = &caps_dma;
        return capheap_init("esp32p4") == ESP_OK;
    }
    if (strncmp(mode, "esp32", 5) == 0 && argc == 3) {
        bool dma = strcmp(mode, "esp32-dma") == 0, exec = strcmp(mode, "esp32-exec") == 0;
        bool words = strcmp(mode, "esp32-32bit") == 0;
        if (!dma && !exec && !words && strcmp(mode, "esp32") != 0) {
            return -1;
        }
        *a = dma ? &caps_dma : exec ? &caps_exec : words ? &caps_32bit : &caps;
        return capheap_init("esp32") == ESP_OK;
    }
    if (strcmp(mode, "multi") == 0 || strcmp(mode, "multi-lock") == 0) {
        if (argc == 4 && (number < 1 || (size_t)number * KIB > MAX_REGION)) {
            return -1;
        }
        *a = &multi;
        return setup_multi(argc == 4 ? (size_t)number * KIB : region, strcmp(mode, "multi-lock") == 0);
    }
    if (strcmp(mode, "heaps") == 0 && argc == 4) {
        return number >= 1 && number <= (long)MAX_HEAPS && setup_heaps(region, (unsigned)number);
    }
    return -1;
}

int main(int argc, char **argv) {
    if (argc < 3 || argc > 4) {
        return usage();
    }
    bool small = strcmp(argv[1], "small") == 0;
    if (!small && strcmp(argv[1], "churn") != 0) {
        return usage();
    }
    size_t region = small ? 64 * KIB : 256 * KIB;
    unsigned slots = small ? 1024 : 256;
    size_t (*draw)(void) = small ? draw_small : draw_churn;
    const allocator_t *a;
    int ok = setup(argc, argv, region, &a);
    if (ok < 0) {
        return usage();
    }
    if (!ok) {
        fprintf(stderr, "bench_caps: cannot set up %s\n", argv[2]);
        return 1;
    }
    heap_caps_walk_all(note_heap, NULL);
    rng_seed();
    root2_init();
    run(a, argv[1], argv[2], slots, draw);
    return 0;
}
