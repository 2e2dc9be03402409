/*
 * heap_caps_task_stat_print.c: the print functions of the
 * heap_caps_get_all_task_stat family (esp_heap_task_info.h), in builds with
 * task tracking only. Output goes through the port's log (capheap_logf), as
 * all of capheap's: the stream argument is not used. A task's blocks are
 * printed from a walk of each heap it uses, under that heap's lock.
 */
#include "capheap/config.h"

#if defined(CAPHEAP_TASK_TRACKING) && CAPHEAP_TASK_TRACKING

#include "esp_heap_task_info.h"
#include "heap_caps_internal.h"
#include "log.h"
#include "task_stats.h"

static void print_header(void) {
    capheap_logf("   current B       peak B  heaps  alive  task\n");
}

static void print_overview(const capheap_task_account_t *a) {
    size_t heaps = 0;
    for (size_t i = 0; i < CAPHEAP_TASK_STATS_HEAPS; i++) {
        heaps += a->heaps[i].heap != NULL;
    }
    capheap_logf("%12zu %12zu %6zu  %s    %s (%p)\n", a->current, a->peak, heaps, a->alive ? "yes" : "no ",
                 a->name[0] != '\0' ? a->name : "-", a->task);
}

/* multi_heap_walk's callback, under the heap's lock: the blocks of the
 * account whose task word is id. */
static bool print_block(void *p, size_t size, int used, void *id) {
    if (used && capheap_multi_heap_owner_word(p) == id) {
        capheap_logf("      block %p, %zu bytes\n", p, size);
    }
    return true;
}

static void print_heaps(const capheap_task_account_t *a, size_t index) {
    for (size_t i = 0; i < CAPHEAP_TASK_STATS_HEAPS; i++) {
        const capheap_task_heap_account_t *s = &a->heaps[i];
        const capheap_heap_t *h = s->heap != NULL ? capheap_registry_heap_of(s->heap) : NULL;
        if (h == NULL) {
            continue;
        }
        capheap_logf("    heap %s at %p (caps 0x%08x, %zu bytes): now %zu bytes in %zu blocks, peak %zu\n", h->name,
                     (void *)h->start, (unsigned)h->all_caps, (size_t)(h->end - h->start), s->current, s->count,
                     s->peak);
        multi_heap_walk(capheap_heap_handle(h), print_block, (void *)(uintptr_t)capheap_task_stats_id(index));
    }
}

static void print_uncounted(void) {
    size_t n = capheap_task_stats_uncounted();
    if (n != 0) {
        capheap_logf("%zu blocks in no task's account (the table of CAPHEAP_TASK_STATS_TASKS tasks of"
                     " CAPHEAP_TASK_STATS_HEAPS heaps had no room)\n",
                     n);
    }
}

/* Every account (with its heaps and blocks when heaps), then the uncounted. */
static void print_all(bool heaps) {
    print_header();
    capheap_task_account_t a;
    for (size_t i = 0; i < CAPHEAP_TASK_STATS_TASKS; i++) {
        if (capheap_task_stats_account(i, &a)) {
            print_overview(&a);
            if (heaps) {
                print_heaps(&a, i);
            }
        }
    }
    print_uncounted();
}

/* The task's account, if it has one. */
static void print_one(TaskHandle_t task, bool heaps) {
    capheap_task_account_t a;
    size_t i;
    if (capheap_task_stats_find(task, &a, &i)) {
        print_header();
        print_overview(&a);
        if (heaps) {
            print_heaps(&a, i);
        }
    }
}

void heap_caps_print_all_task_stat_overview(FILE *stream) {
    (void)stream;
    print_all(false);
}

void heap_caps_print_all_task_stat(FILE *stream) {
    (void)stream;
    print_all(true);
}

void heap_caps_print_single_task_stat_overview(FILE *stream, TaskHandle_t task_handle) {
    (void)stream;
    print_one(task_handle, false);
}

void heap_caps_print_single_task_stat(FILE *stream, TaskHandle_t task_handle) {
    (void)stream;
    print_one(task_handle, true);
}

#endif /* CAPHEAP_TASK_TRACKING */
