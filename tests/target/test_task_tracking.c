/*
 * test_task_tracking.c: heap_caps_get_per_task_info and
 * heap_caps_get_single_task_stat on the target's own instruction set (capheap
 * built with CAPHEAP_TASK_TRACKING and poisoning).
 *
 * The program is its own scheduler: it defines capheap_port_current_task
 * (the bare-metal port's is weak, for firmware with tasks of its own) and
 * switches among four "tasks" at random. A random pattern of allocations in
 * the qemu-mps2-an385 board's three memory types, reallocations and frees
 * (by any task) runs, and the program keeps its own account of each task's
 * live blocks; every so often the library's totals and block lists must
 * agree with it exactly, and each task's account (now, and its peak between
 * the bounds the program saw: without and with the moments a moving realloc
 * holds both blocks) and name.
 */
#include <stdlib.h>
#include <string.h>

#include "capheap.h"
#include "capheap/port.h"
#include "esp_heap_task_info.h"
#include "harness.h"

#define TASKS 4u
#define SLOTS 32u
#define OPS 3000u
#define CHECK_EVERY 250u

static int tcbs[TASKS];
static void *current; /* NULL: the start-up code and the C library's own blocks */

void *capheap_port_current_task(void) { return current; }

/* "task0".."task3", as a scheduler of the firmware's own would name them. */
void capheap_port_current_task_name(char *name, size_t len) {
    if (len >= 6 && current != NULL) {
        memcpy(name, "task", 4);
        name[4] = (char)('0' + ((int *)current - tcbs));
        name[5] = '\0';
    } else if (len != 0) {
        name[0] = '\0';
    }
}

/* Each task's bytes now, and the bounds of its peak (see step). */
static size_t held[TASKS], peak_low[TASKS], peak_high[TASKS];

typedef struct {
    void *p;
    size_t size;
    unsigned task;
} slot_t;

static slot_t slots[SLOTS];

/* The sets asked for: the board's SRAM (DMA), TCM (EXEC), external-like
 * RAM (SPIRAM); the fourth matches no heap. */
static const uint32_t set_caps[NUM_HEAP_TASK_CAPS] = {MALLOC_CAP_DMA, MALLOC_CAP_EXEC, MALLOC_CAP_SPIRAM,
                                                      MALLOC_CAP_INVALID};

/* The set of the memory a block lies in, from the board's map by address
 * (capheap_ptr_caps), not from the heap that served it. */
static unsigned set_of(const void *p) {
    uint32_t caps = capheap_ptr_caps(p);
    unsigned i = 0;
    while (i < NUM_HEAP_TASK_CAPS && (caps & set_caps[i]) != set_caps[i]) {
        i++;
    }
    T_CHECK(i < 3);
    return i;
}

/* Allocates with random caps; *size becomes the size the block keeps: an
 * EXEC (or 32BIT) request is rounded up to whole words. */
static void *allocate(t_rng_t *rng, size_t *size) {
    switch (t_below(rng, 4)) {
    case 0: return heap_caps_malloc(*size, MALLOC_CAP_DMA);
    case 1: *size = (*size + 3) & ~(size_t)3; return heap_caps_malloc(*size, MALLOC_CAP_EXEC);
    case 2: return heap_caps_aligned_alloc(32, *size, MALLOC_CAP_SPIRAM);
    default: return heap_caps_malloc(*size, MALLOC_CAP_DEFAULT);
    }
}

static void note(unsigned task, size_t bytes) {
    held[task] = bytes;
    peak_low[task] = bytes > peak_low[task] ? bytes : peak_low[task];
    peak_high[task] = bytes > peak_high[task] ? bytes : peak_high[task];
}

static void step(t_rng_t *rng, slot_t *s) {
    unsigned task = t_below(rng, TASKS);
    current = &tcbs[task];
    size_t size = 1 + t_below(rng, 3000);
    if (s->p == NULL) {
        void *p = allocate(rng, &size);
        *s = (slot_t){p, size, task};
        T_CHECK(s->p != NULL);
        note(task, held[task] + size);
    } else if (t_below(rng, 3) == 0) {
        static const uint32_t realloc_caps[] = {MALLOC_CAP_8BIT, MALLOC_CAP_DMA, MALLOC_CAP_SPIRAM};
        slot_t old = *s;
        void *p = heap_caps_realloc(s->p, size, realloc_caps[t_below(rng, 3)]);
        T_CHECK(p != NULL);
        *s = (slot_t){p, size, task}; /* the block is its reallocator's now */
        if (p != old.p && old.task == task) { /* a move: both blocks were live at once */
            size_t both = held[task] + size;
            peak_high[task] = both > peak_high[task] ? both : peak_high[task];
        }
        note(old.task, held[old.task] - old.size);
        note(task, held[task] + size);
    } else {
        note(s->task, held[s->task] - s->size);
        if (t_below(rng, 2)) {
            heap_caps_free(s->p);
        } else {
            free(s->p); /* the C library's free, served by capheap (CAPHEAP_MALLOC) */
        }
        *s = (slot_t){NULL, 0, 0};
    }
    current = NULL;
}

static heap_task_info_params_t params_for(heap_task_totals_t *totals, size_t *num_totals, heap_task_block_t *blocks,
                                          TaskHandle_t *tasks) {
    heap_task_info_params_t p;
    memset(&p, 0, sizeof p);
    for (unsigned i = 0; i < NUM_HEAP_TASK_CAPS; i++) {
        p.caps[i] = p.mask[i] = (int32_t)set_caps[i];
    }
    p.tasks = tasks;
    p.num_tasks = TASKS;
    p.totals = totals;
    p.num_totals = num_totals;
    p.max_totals = TASKS + 2;
    p.blocks = blocks;
    p.max_blocks = SLOTS + 1;
    return p;
}

/* The library's totals of task t against the program's account. */
static void check_totals(const heap_task_totals_t *e, unsigned t) {
    size_t size[NUM_HEAP_TASK_CAPS] = {0}, count[NUM_HEAP_TASK_CAPS] = {0};
    for (unsigned i = 0; i < SLOTS; i++) {
        if (slots[i].p != NULL && slots[i].task == t) {
            size[set_of(slots[i].p)] += slots[i].size;
            count[set_of(slots[i].p)]++;
        }
    }
    T_EQ(e->task, &tcbs[t]);
    for (unsigned k = 0; k < NUM_HEAP_TASK_CAPS; k++) {
        T_EQ(e->size[k], size[k]);
        T_EQ(e->count[k], count[k]);
    }
}

static void check_blocks(const heap_task_block_t *blocks, size_t n) {
    size_t live = 0;
    for (unsigned i = 0; i < SLOTS; i++) {
        live += slots[i].p != NULL;
    }
    T_EQ(n, live);
    for (size_t b = 0; b < n; b++) {
        unsigned i = 0;
        while (i < SLOTS && slots[i].p != blocks[b].address) {
            i++;
        }
        T_CHECK(i < SLOTS);
        T_EQ(blocks[b].size, slots[i].size);
        T_EQ(blocks[b].task, &tcbs[slots[i].task]);
    }
}

/* Each task's account against the program's: now exactly, its peak within
 * the bounds seen, its name, and its heaps adding up to what it holds. */
static void check_stats(void) {
    static heap_stat_t heaps[16];
    for (unsigned t = 0; t < TASKS; t++) {
        heap_single_task_stat_t s;
        memset(&s, 0, sizeof s);
        s.heap_count = 16;
        s.heap_stat_start = heaps;
        if (held[t] == 0 && peak_high[t] == 0) {
            continue; /* never allocated: no account */
        }
        T_EQ(heap_caps_get_single_task_stat(&s, (TaskHandle_t)(void *)&tcbs[t]), ESP_OK);
        T_EQ(s.stat.overall_current_usage, held[t]);
        T_CHECK(s.stat.overall_peak_usage >= peak_low[t] && s.stat.overall_peak_usage <= peak_high[t]);
        T_CHECK(s.stat.name[0] == 't' && s.stat.name[4] == (char)('0' + t) && s.stat.is_alive);
        size_t sum = 0;
        for (size_t h = 0; h < s.stat.heap_count; h++) {
            sum += heaps[h].current_usage;
            T_CHECK(heaps[h].peak_usage >= heaps[h].current_usage);
        }
        T_EQ(sum, held[t]);
    }
}

/* The tasks' entries are passed in first, so they keep their places; the
 * C library's blocks (task NULL) may take the next one. */
static void check_account(void) {
    static heap_task_totals_t totals[TASKS + 2];
    static heap_task_block_t blocks[SLOTS + 1];
    TaskHandle_t tasks[TASKS];
    for (unsigned t = 0; t < TASKS; t++) {
        tasks[t] = (TaskHandle_t)(void *)&tcbs[t];
        totals[t] = (heap_task_totals_t){tasks[t], {1, 1, 1, 1}, {1, 1, 1, 1}};
    }
    size_t num_totals = TASKS;
    heap_task_info_params_t p = params_for(totals, &num_totals, blocks, tasks);
    size_t n = heap_caps_get_per_task_info(&p);
    T_CHECK(num_totals >= TASKS && num_totals <= TASKS + 1);
    for (unsigned t = 0; t < TASKS; t++) {
        check_totals(&totals[t], t);
    }
    if (num_totals > TASKS) {
        T_EQ(totals[TASKS].task, NULL);
    }
    check_blocks(blocks, n);
    check_stats();
}

static void pattern(void) {
    t_rng_t rng = {0xD1B54A32D192ED03ull};
    unsigned moved = 0;
    for (unsigned op = 0; op < OPS; op++) {
        slot_t *s = &slots[t_below(&rng, SLOTS)];
        void *before = s->p;
        step(&rng, s);
        moved += before != NULL && s->p != NULL && set_of(before) != set_of(s->p);
        if (op % CHECK_EVERY == 0) {
            check_account();
        }
    }
    check_account();
    T_CHECK(moved > 0); /* some reallocations changed memory type */
    for (unsigned i = 0; i < SLOTS; i++) {
        if (slots[i].p != NULL) {
            note(slots[i].task, held[slots[i].task] - slots[i].size);
        }
        heap_caps_free(slots[i].p);
        slots[i] = (slot_t){NULL, 0, 0};
    }
    check_account();
}

int main(void) {
    T_EQ(capheap_init_board(t_move_board("qemu-mps2-an385", T_AN385_OFFSET)), ESP_OK);
    static const t_case_t cases[] = {
        {"pattern", pattern},
    };
    return t_run("test_task_tracking", cases, sizeof cases / sizeof cases[0]);
}
