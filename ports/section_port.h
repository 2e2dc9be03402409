/*
 * section_port.h (private to ports/): what the section-based ports share (bare
 * metal on one core or several, FreeRTOS, ESP-IDF), written
 * once over their "section", a stretch of code that no other context of the
 * core can enter: interrupts masked on bare metal, a kernel critical section
 * under FreeRTOS. A heap lock enters the section and remembers how to leave
 * it; capheap's critical section is the same section, nested.
 *
 * The including port file defines, before including it:
 *   section_t                           how to leave one entered section
 *   section_t section_enter(void)
 *   void section_exit(section_t)
 *   SECTION_LOCK_POOL                   how many locks can exist at once
 *   SECTION_TAKEN_TWICE                 the abort message for a lock taken twice
 * and, when it takes and gives its locks inline (capheap_port_lock.h),
 *   SECTION_LOCK_INLINE                 section_lock_t is its lock type, whose
 *                                       section, in_use and held are as below
 *   SECTION_LOCK_CREATED(lock, i)       optional: more set-up of lock_pool[i]
 *                                       when it is handed out
 * and gets the locks, the critical section and the (weak) output and failure
 * functions of capheap/port.h. Include it from one file only.
 */
#ifndef CAPHEAP_SECTION_PORT_H
#define CAPHEAP_SECTION_PORT_H

#include <stdint.h>
#include <stdlib.h>

#include "capheap/port.h"
#include "port_report.h"

#define WEAK __attribute__((weak))

/* src (NULL: none) into dst[0, len), cut and NUL-terminated: a task's name
 * (capheap_port_current_task_name). */
static inline void section_copy_name(char *dst, size_t len, const char *src) {
    size_t n = 0;
    while (src != NULL && n + 1 < len && src[n] != '\0') {
        dst[n] = src[n];
        n++;
    }
    if (len != 0) {
        dst[n] = '\0';
    }
}

#ifndef SECTION_LOCK_INLINE
typedef struct {
    section_t section; /* how to leave the section; valid while held */
    uint8_t in_use;
    uint8_t held;
} section_lock_t;
#endif

/* A pool: creating a lock must not need a heap. */
static section_lock_t lock_pool[SECTION_LOCK_POOL];

/* The critical section nests: the outermost enter is the one that counts;
 * inner ones are left again at once (which keeps a kernel's own nesting count
 * balanced while the outer section still holds). Both change inside the
 * section, so no other context sees them half-updated. */
static section_t critical_outer;
static unsigned critical_depth;

/* ---- Locks ------------------------------------------------------------ */

void *capheap_port_lock_create(void) {
    section_lock_t *found = NULL;
    section_t s = section_enter();
    for (size_t i = 0; i < SECTION_LOCK_POOL && found == NULL; i++) {
        if (!lock_pool[i].in_use) {
            found = &lock_pool[i];
            found->in_use = 1;
            found->held = 0;
#ifdef SECTION_LOCK_CREATED
            SECTION_LOCK_CREATED(found, i);
#endif
        }
    }
    section_exit(s);
    return found;
}

void capheap_port_lock_delete(void *lock) {
    if (lock != NULL) {
        ((section_lock_t *)lock)->in_use = 0;
    }
}

#ifdef SECTION_LOCK_INLINE
void capheap_port_lock_take(void *lock) { capheap_port_lock_take_inline(lock); }

void capheap_port_lock_give(void *lock) { capheap_port_lock_give_inline(lock); }
#else
void capheap_port_lock_take(void *lock) {
    section_lock_t *l = lock;
    section_t s = section_enter();
    /* Inside the section nobody else can hold it: a held lock here means the
     * same context takes it twice. Going on would corrupt the heap; stopping
     * says where. */
    if (l->held) {
        capheap_port_abort(SECTION_TAKEN_TWICE);
        for (;;) {
            /* an abort of the firmware's own that returns: still never go on */
        }
    }
    l->held = 1;
    l->section = s;
}

void capheap_port_lock_give(void *lock) {
    section_lock_t *l = lock;
    section_t s = l->section;
    l->held = 0;
    section_exit(s);
}
#endif

/* ---- Critical section ------------------------------------------------- */

void capheap_port_critical_enter(void) {
    section_t s = section_enter();
    if (critical_depth++ == 0) {
        critical_outer = s;
    } else {
        section_exit(s);
    }
}

void capheap_port_critical_exit(void) {
    if (--critical_depth == 0) {
        section_exit(critical_outer);
    }
}

/* ---- Output and failure: weak, for firmware to replace (a UART, a reset) */

WEAK void capheap_port_log_write(const char *text, size_t len) {
    (void)text;
    (void)len;
}

WEAK void capheap_port_stream_write(void *stream, const char *text, size_t len) {
    (void)stream;
    capheap_port_log_write(text, len);
}

WEAK void capheap_port_corruption(const void *addr, const char *what) {
    capheap_port_write_corruption(addr, what);
    abort();
}

WEAK void capheap_port_abort(const char *why) {
    capheap_port_write_abort(why);
    abort();
}

#endif /* CAPHEAP_SECTION_PORT_H */
