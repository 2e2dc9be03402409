/*
 * heap_caps_task_stat_print.c: the print functions of the
 * heap_caps_get_all_task_stat family (esp_heap_task_info.h), in builds with
 * task tracking only. Output goes to the stream through the port
 * (capheap_streamf): the posix port writes to it, the ports without stdio to
 * their log. A task's blocks are found by walks of each heap it uses, under
 * that heap's lock, and printed outside it (print_blocks).
 */
#include "capheap/config.h"

#if defined(CAPHEAP_TASK_TRACKING) && CAPHEAP_TASK_TRACKING

#include "esp_heap_task_info.h"
#include "heap_caps_internal.h"
#include "log.h"
#include "task_stats.h"

static void print_header(void *out) {
    capheap_streamf(out, "   current B       peak B  heaps  alive  task\n");
}

static void print_overview(void *out, const capheap_task_account_t *a) {
    size_t heaps = 0;
    for (size_t i = 0; i < CAPHEAP_TASK_STATS_HEAPS; i++) {
        heaps += a->heaps[i].heap != NULL;
    }
    capheap_streamf(out, "%12zu %12zu %6zu  %s    %s (%p)\n", a->current, a->peak, heaps,
                    a->alive ? "yes" : "no ", a->name[0] != '\0' ? a->name : "-", a->task);
}

/* A task's blocks in one heap, a few at a time: the walk runs under the
 * heap's lock, where nothing may be written to a stream (the posix port's
 * fwrite may allocate, from this very heap when capheap is the process's
 * malloc), so each walk collects the next PRINT_BATCH blocks above the last
 * one printed and they are printed after it. A heap that changes between
 * two walks is printed as it is at each. */
#define PRINT_BATCH 8

typedef struct {
    void *id;           /* the task word of the account */
    uintptr_t after;    /* blocks at or below it are printed */
    size_t n;           /* blocks collected by this walk */
    void *block[PRINT_BATCH];
    size_t size[PRINT_BATCH];
} block_batch_t;

/* multi_heap_walk's callback, under the heap's lock. */
static bool collect_block(void *p, size_t size, int used, void *user) {
    block_batch_t *b = user;
    if (used && (uintptr_t)p > b->after && capheap_multi_heap_owner_word(p) == b->id) {
        b->block[b->n] = p;
        b->size[b->n] = size;
        return ++b->n < PRINT_BATCH;
    }
    return true;
}

static void print_blocks(void *out, multi_heap_handle_t heap, void *id) {
    block_batch_t b = {.id = id};
    do {
        b.n = 0;
        multi_heap_walk(heap, collect_block, &b);
        for (size_t i = 0; i < b.n; i++) {
            capheap_streamf(out, "      block %p, %zu bytes\n", b.block[i], b.size[i]);
            b.after = (uintptr_t)b.block[i];
        }
    } while (b.n == PRINT_BATCH);
}

static void print_heaps(void *out, const capheap_task_account_t *a, size_t index) {
    for (size_t i = 0; i < CAPHEAP_TASK_STATS_HEAPS; i++) {
        const capheap_task_heap_account_t *s = &a->heaps[i];
        const capheap_heap_t *h = s->heap != NULL ? capheap_registry_heap_of(s->heap) : NULL;
        if (h == NULL) {
            continue;
        }
        capheap_streamf(out, "    heap %s at %p (caps 0x%08x, %zu bytes): now %zu bytes in %zu blocks, peak %zu\n",
                        h->name, (void *)h->start, (unsigned)h->all_caps, (size_t)(h->end - h->start), s->current,
                        s->count, s->peak);
        print_blocks(out, capheap_heap_handle(h), (void *)(uintptr_t)capheap_task_stats_id(index));
    }
}

static void print_uncounted(void *out) {
    size_t n = capheap_task_stats_uncounted();
    if (n != 0) {
        capheap_streamf(out,
                        "%zu blocks in no task's account (the table of CAPHEAP_TASK_STATS_TASKS tasks of"
                        " CAPHEAP_TASK_STATS_HEAPS heaps had no room)\n",
                        n);
    }
}

/* Every account (with its heaps and blocks when heaps), then the uncounted. */
static void print_all(void *out, bool heaps) {
    print_header(out);
    capheap_task_account_t a;
    for (size_t i = 0; i < CAPHEAP_TASK_STATS_TASKS; i++) {
        if (capheap_task_stats_account(i, &a)) {
            print_overview(out, &a);
            if (heaps) {
                print_heaps(out, &a, i);
            }
        }
    }
    print_uncounted(out);
}

/* The task's account, if it has one. */
static void print_one(void *out, TaskHandle_t task, bool heaps) {
    capheap_task_account_t a;
    size_t i;
    if (capheap_task_stats_find(task, &a, &i)) {
        print_header(out);
        print_overview(out, &a);
        if (heaps) {
            print_heaps(out, &a, i);
        }
    }
}

void heap_caps_print_all_task_stat_overview(FILE *stream) {
    print_all(stream, false);
}

void heap_caps_print_all_task_stat(FILE *stream) {
    print_all(stream, true);
}

void heap_caps_print_single_task_stat_overview(FILE *stream, TaskHandle_t task_handle) {
    print_one(stream, task_handle, false);
}

void heap_caps_print_single_task_stat(FILE *stream, TaskHandle_t task_handle) {
    print_one(stream, task_handle, true);
}

#endif /* CAPHEAP_TASK_TRACKING */
