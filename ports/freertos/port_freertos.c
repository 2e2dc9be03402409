/*
 * port_freertos.c: the capheap port for FreeRTOS on one core.
 *
 * A heap lock is a kernel critical section: taskENTER_CRITICAL from a task,
 * taskENTER_CRITICAL_FROM_ISR from an interrupt handler (which returns the
 * mask to put back; the lock keeps it while held). Both mask every interrupt
 * that may call the FreeRTOS API, so tasks and such handlers can share a heap.
 * Handlers above configMAX_SYSCALL_INTERRUPT_PRIORITY must not allocate: the
 * kernel does not mask them. Before vTaskStartScheduler, as after any kernel
 * call that enters a critical section, the first allocation leaves those
 * interrupts masked until the scheduler starts: the Cortex-M ports count the
 * nesting from a value that keeps a task-level exit from unmasking them
 * (FreeRTOS's heap_4 suspends the scheduler instead, which masks nothing).
 *
 * Not for SMP kernels (ESP-IDF's dual-core FreeRTOS, FreeRTOS SMP): those
 * need a spinlock per heap (portMUX_TYPE with portENTER_CRITICAL(&mux)).
 *
 * Build: compile this file instead of ports/baremetal, with the kernel's
 * include directories (FreeRTOS.h, task.h, FreeRTOSConfig.h, portmacro.h) on
 * the include path. The locks, the critical section and the weak output and
 * failure functions are ../section_port.h over this section, as in the
 * bare-metal port; the default log output is a no-op.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "FreeRTOS.h"
#include "task.h"

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

/* One entered critical section: how to leave it. */
typedef struct {
    UBaseType_t isr_mask; /* what taskENTER_CRITICAL_FROM_ISR returned */
    bool from_isr;
} section_t;

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

#define SECTION_LOCK_POOL CAPHEAP_FREERTOS_LOCKS
#define SECTION_TAKEN_TWICE "heap lock taken twice (recursion, or allocation from an unmasked interrupt)"
#include "../section_port.h"

/* Only a build with task tracking asks, so that others need not enable the
 * kernel's xTaskGetCurrentTaskHandle (INCLUDE_xTaskGetCurrentTaskHandle). */
#if defined(CAPHEAP_TASK_TRACKING) && CAPHEAP_TASK_TRACKING
void *capheap_port_current_task(void) { return (void *)xTaskGetCurrentTaskHandle(); }

void capheap_port_current_task_name(char *name, size_t len) { section_copy_name(name, len, pcTaskGetName(NULL)); }
#endif
