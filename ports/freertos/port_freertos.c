/*
 * port_freertos.c: the capheap port for FreeRTOS on one core.
 *
 * A heap lock is a kernel critical section: taskENTER_CRITICAL from a task,
 * taskENTER_CRITICAL_FROM_ISR from an interrupt handler (which returns the
 * mask to put back; the lock keeps it while held). Both mask every interrupt
 * that may call the FreeRTOS API, so tasks and such handlers can share a heap.
 * Handlers above configMAX_SYSCALL_INTERRUPT_PRIORITY must not allocate: the
 * kernel does not mask them.
 *
 * Not for SMP kernels (ESP-IDF's dual-core FreeRTOS, FreeRTOS SMP): those
 * need a spinlock per heap (portMUX_TYPE with portENTER_CRITICAL(&mux)).
 *
 * Build: compile this file instead of ports/baremetal, with the kernel's
 * include directories (FreeRTOS.h, task.h, FreeRTOSConfig.h, portmacro.h) on
 * the include path. Output and failure are weak, as in the bare-metal port;
 * the default log output is a no-op.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "FreeRTOS.h"
#include "task.h"

#include "capheap/port.h"
#include "../port_report.h"

/** True when the caller is an interrupt handler. FreeRTOS's Cortex-M ports
 *  provide xPortIsInsideInterrupt(); with another port, define this to the
 *  port's own test (a nesting counter, mcause, IPSR). */
#ifndef CAPHEAP_FREERTOS_IN_ISR
#define CAPHEAP_FREERTOS_IN_ISR() (xPortIsInsideInterrupt() != pdFALSE)
#endif

/** How many heap locks can exist at once (a static pool: creating a lock must
 *  not need a heap). */
#ifndef CAPHEAP_FREERTOS_LOCKS
#define CAPHEAP_FREERTOS_LOCKS 16
#endif

#define WEAK __attribute__((weak))

/* One entered critical section: how to leave it. */
typedef struct {
    UBaseType_t isr_mask; /* what taskENTER_CRITICAL_FROM_ISR returned */
    bool from_isr;
} section_t;

typedef struct {
    section_t section; /* valid while held */
    uint8_t in_use;
    uint8_t held;
} rtos_lock_t;

static rtos_lock_t lock_pool[CAPHEAP_FREERTOS_LOCKS];
static section_t critical_outer;
static unsigned critical_depth;

static section_t section_enter(void) {
    section_t s = {0, false};
    if (CAPHEAP_FREERTOS_IN_ISR()) {
        s.isr_mask = taskENTER_CRITICAL_FROM_ISR();
        s.from_isr = true;
    } else {
        taskENTER_CRITICAL();
    }
    return s;
}

static void section_exit(section_t s) {
    if (s.from_isr) {
        taskEXIT_CRITICAL_FROM_ISR(s.isr_mask);
    } else {
        taskEXIT_CRITICAL();
    }
}

/* ---- Locks ------------------------------------------------------------ */

void *capheap_port_lock_create(void) {
    rtos_lock_t *found = NULL;
    section_t s = section_enter();
    for (size_t i = 0; i < CAPHEAP_FREERTOS_LOCKS && found == NULL; i++) {
        if (!lock_pool[i].in_use) {
            found = &lock_pool[i];
            found->in_use = 1;
            found->held = 0;
        }
    }
    section_exit(s);
    return found;
}

void capheap_port_lock_delete(void *lock) {
    if (lock != NULL) {
        ((rtos_lock_t *)lock)->in_use = 0;
    }
}

void capheap_port_lock_take(void *lock) {
    rtos_lock_t *l = lock;
    section_t s = section_enter();
    /* Inside the section nobody else can hold it: held means the same
     * context takes it twice, which would corrupt the heap. */
    if (l->held) {
        capheap_port_abort("heap lock taken twice (recursion, or allocation from an unmasked interrupt)");
    }
    l->held = 1;
    l->section = s;
}

void capheap_port_lock_give(void *lock) {
    rtos_lock_t *l = lock;
    section_t s = l->section;
    l->held = 0;
    section_exit(s);
}

/* ---- Critical section: nests; the outermost enter is the one that counts.
 * Inner enters are left again at once, which keeps the kernel's own nesting
 * count balanced while the outer section still masks. */

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

/* ---- Output and failure ------------------------------------------------ */

WEAK void capheap_port_log_write(const char *text, size_t len) {
    (void)text;
    (void)len;
}

WEAK void capheap_port_corruption(const void *addr, const char *what) {
    capheap_port_write_corruption(addr, what);
    abort();
}

WEAK void capheap_port_abort(const char *why) {
    capheap_port_write_abort(why);
    abort();
}
