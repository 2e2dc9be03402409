/*
 * task_stats.c: each task's account of what it holds, per heap and in all,
 * now and at its peak (task_stats.h), in builds with task tracking only.
 *
 * A fixed table of CAPHEAP_TASK_STATS_TASKS accounts, each with
 * CAPHEAP_TASK_STATS_HEAPS heap slots: no allocation, a few hundred bytes
 * per task, and an update that scans at most that many entries under a lock
 * no other code path takes around a heap's lock. A block remembers its
 * account (the head word), so that its free lands where it was counted,
 * whichever task frees it and whatever happened to the task since. An
 * account is reused only when its task is deleted and holds nothing: no
 * block can name it then.
 */
#include "capheap/config.h"

#if defined(CAPHEAP_TASK_TRACKING) && CAPHEAP_TASK_TRACKING

#include <stdint.h>
#include <string.h>

#include "capheap/port.h"
#include "esp_heap_task_info.h"
#include "task_stats.h"

static capheap_task_account_t accounts[CAPHEAP_TASK_STATS_TASKS];
static size_t uncounted_blocks; /* blocks made while nothing had room for them */
static void *stats_lock;        /* NULL until capheap_task_stats_start */

bool capheap_task_stats_start(void) {
    if (stats_lock == NULL) {
        stats_lock = capheap_port_lock_create();
    }
    return stats_lock != NULL;
}

void capheap_task_stats_reset(void) {
    void *lock = stats_lock;
    stats_lock = NULL;
    capheap_port_lock_delete(lock);
    memset(accounts, 0, sizeof accounts);
    uncounted_blocks = 0;
}

void capheap_task_stats_hold(bool hold) {
    if (stats_lock == NULL) {
        return;
    }
    if (hold) {
        capheap_port_lock_take(stats_lock);
    } else {
        capheap_port_lock_give(stats_lock);
    }
}

/* As addresses: a task handle is no pointer into the table. */
static bool is_account(const void *owner) {
    return (uintptr_t)owner - (uintptr_t)accounts < sizeof accounts;
}

void *capheap_task_stats_task_of(void *owner) {
    return is_account(owner) ? ((capheap_task_account_t *)owner)->task : owner;
}

/* The live task's account, a new one where there is room (a deleted task's
 * that holds nothing makes room), or NULL. */
static capheap_task_account_t *account_of(void *task) {
    capheap_task_account_t *room = NULL;
    for (size_t i = 0; i < CAPHEAP_TASK_STATS_TASKS; i++) {
        capheap_task_account_t *a = &accounts[i];
        if (a->used && a->alive && a->task == task) {
            return a;
        }
        if (room == NULL && (!a->used || (!a->alive && a->current == 0))) {
            room = a;
        }
    }
    if (room != NULL) {
        memset(room, 0, sizeof *room);
        room->task = task;
        room->used = room->alive = true;
        capheap_port_current_task_name(room->name, sizeof room->name);
        room->name[sizeof room->name - 1] = '\0';
    }
    return room;
}

/* The account's slot for heap, a new one where there is room, or NULL. */
static capheap_task_heap_account_t *slot_of(capheap_task_account_t *a, const void *heap, bool make) {
    capheap_task_heap_account_t *room = NULL;
    for (size_t i = 0; i < CAPHEAP_TASK_STATS_HEAPS; i++) {
        capheap_task_heap_account_t *s = &a->heaps[i];
        if (s->heap == heap) {
            return s;
        }
        if (room == NULL && s->heap == NULL) {
            room = s;
        }
    }
    if (make && room != NULL) {
        room->heap = heap;
    }
    return make ? room : NULL;
}

static size_t larger(size_t a, size_t b) { return a > b ? a : b; }

void *capheap_task_stats_alloc(const void *heap, size_t size) {
    void *task = capheap_port_current_task();
    if (stats_lock == NULL) {
        return task;
    }
    capheap_port_lock_take(stats_lock);
    capheap_task_account_t *a = account_of(task);
    capheap_task_heap_account_t *s = a != NULL ? slot_of(a, heap, true) : NULL;
    void *owner = task;
    if (s == NULL) {
        uncounted_blocks++;
    } else {
        s->current += size;
        s->peak = larger(s->peak, s->current);
        s->count++;
        a->current += size;
        a->peak = larger(a->peak, a->current);
        owner = a;
    }
    capheap_port_lock_give(stats_lock);
    return owner;
}

void capheap_task_stats_free(void *owner, const void *heap, size_t size) {
    if (stats_lock == NULL) {
        return;
    }
    capheap_port_lock_take(stats_lock);
    capheap_task_heap_account_t *s = is_account(owner) ? slot_of(owner, heap, false) : NULL;
    if (s != NULL) {
        /* Counted here when made: the account and its slot stay while it lives. */
        s->current -= size;
        s->count--;
        ((capheap_task_account_t *)owner)->current -= size;
    } else if (uncounted_blocks != 0) {
        uncounted_blocks--;
    }
    capheap_port_lock_give(stats_lock);
}

bool capheap_task_stats_account(size_t i, capheap_task_account_t *out) {
    if (stats_lock == NULL) {
        return false;
    }
    capheap_port_lock_take(stats_lock);
    bool used = accounts[i].used;
    if (used) {
        *out = accounts[i];
    }
    capheap_port_lock_give(stats_lock);
    return used;
}

bool capheap_task_stats_find(void *task, capheap_task_account_t *out, size_t *index) {
    if (task == NULL) {
        task = capheap_port_current_task();
    }
    if (stats_lock == NULL) {
        return false;
    }
    bool found = false;
    capheap_port_lock_take(stats_lock);
    for (size_t i = 0; i < CAPHEAP_TASK_STATS_TASKS; i++) {
        const capheap_task_account_t *a = &accounts[i];
        if (a->used && a->task == task && (!found || a->alive)) {
            *out = *a;
            *index = i;
            found = true;
        }
    }
    capheap_port_lock_give(stats_lock);
    return found;
}

const void *capheap_task_stats_id(size_t i) { return &accounts[i]; }

size_t capheap_task_stats_uncounted(void) {
    if (stats_lock == NULL) {
        return 0;
    }
    capheap_port_lock_take(stats_lock);
    size_t n = uncounted_blocks;
    capheap_port_lock_give(stats_lock);
    return n;
}

void capheap_task_stats_task_deleted(TaskHandle_t task) {
    if (stats_lock == NULL) {
        return;
    }
    capheap_port_lock_take(stats_lock);
    for (size_t i = 0; i < CAPHEAP_TASK_STATS_TASKS; i++) {
        if (accounts[i].used && accounts[i].alive && accounts[i].task == (void *)task) {
            accounts[i].alive = false;
        }
    }
    capheap_port_lock_give(stats_lock);
}

#endif /* CAPHEAP_TASK_TRACKING */
