/*
 * port_espidf.c: the capheap port for FreeRTOS as ESP-IDF builds it, on one
 * core or on two (ESP32, ESP32-S3, ESP32-P4).
 *
 * Each heap lock is a spinlock of the kernel's own, a portMUX_TYPE, taken with
 * portENTER_CRITICAL_SAFE: that masks the calling core's interrupts up to the
 * kernel's level and spins until no other core holds the spinlock, from a
 * task or an interrupt handler alike. Two cores then work in two heaps at
 * once, and wait for each other only in the same heap (as ESP-IDF's own heap
 * locks its multi_heaps). capheap's critical section, which guards the
 * registry and the lock pool, is one more spinlock. Handlers above the
 * kernel's level must not allocate: nothing masks them.
 *
 * ESP-IDF's spinlocks let the core that holds one take it again; a heap lock
 * must not be (that is the heap re-entered, which would corrupt it), so each
 * lock also says whether it is held and the second take stops the program.
 * The critical section nests, as the spinlock does.
 *
 * Lock order: a heap lock may be taken inside the critical section, never the
 * critical section inside a heap lock (as in ports/baremetal).
 *
 * Build: compile this file instead of ports/baremetal (CAPHEAP_PORT=none),
 * with ESP-IDF's FreeRTOS include directories. The weak output and failure
 * functions are ../section_port.h's; the default log output is a no-op.
 */
#include <stdint.h>
#include <stdlib.h>

#include "capheap/port.h"
#include "freertos/FreeRTOS.h"
#if defined(CAPHEAP_TASK_TRACKING) && CAPHEAP_TASK_TRACKING
#include "freertos/task.h"
#endif

/** How many heap locks can exist at once (a static pool: creating a lock must
 *  not need a heap). */
#ifndef CAPHEAP_ESPIDF_LOCKS
#define CAPHEAP_ESPIDF_LOCKS 16
#endif

/* The section of section_port.h: capheap's critical section and the lock
 * pool, one spinlock for all cores. Leaving it needs nothing remembered. */
typedef uint8_t section_t;

static portMUX_TYPE section_mux = portMUX_INITIALIZER_UNLOCKED;

static inline section_t section_enter(void) {
    portENTER_CRITICAL_SAFE(&section_mux);
    return 0;
}

static inline void section_exit(section_t s) {
    (void)s;
    portEXIT_CRITICAL_SAFE(&section_mux);
}

/* A heap lock: a spinlock of its own rather than the section. */
typedef struct {
    section_t section; /* section_port.h's field: unused here */
    uint8_t in_use;
    uint8_t held;      /* written only by the core holding mux */
    portMUX_TYPE mux;
} section_lock_t;

#define SECTION_TAKEN_TWICE "heap lock taken twice (recursion, or allocation from an unmasked interrupt)"

static inline void capheap_port_lock_take_inline(void *lock) {
    section_lock_t *l = lock;
    portENTER_CRITICAL_SAFE(&l->mux);
    /* Another core leaves held at 0 before it lets go of mux: held here means
     * this core holds the lock already. */
    if (l->held) {
        capheap_port_abort(SECTION_TAKEN_TWICE);
        for (;;) {
            /* an abort of the firmware's own that returns: still never go on */
        }
    }
    l->held = 1;
}

static inline void capheap_port_lock_give_inline(void *lock) {
    section_lock_t *l = lock;
    l->held = 0;
    portEXIT_CRITICAL_SAFE(&l->mux);
}

#define SECTION_LOCK_INLINE
#define SECTION_LOCK_CREATED(lock, i) portMUX_INITIALIZE(&(lock)->mux)
#define SECTION_LOCK_POOL CAPHEAP_ESPIDF_LOCKS
#include "../section_port.h"

/* Only a build with task tracking asks, so that others need not enable the
 * kernel's xTaskGetCurrentTaskHandle (INCLUDE_xTaskGetCurrentTaskHandle). */
#if defined(CAPHEAP_TASK_TRACKING) && CAPHEAP_TASK_TRACKING
void *capheap_port_current_task(void) { return (void *)xTaskGetCurrentTaskHandle(); }

void capheap_port_current_task_name(char *name, size_t len) { section_copy_name(name, len, pcTaskGetName(NULL)); }
#endif
