/*
 * FreeRTOS.h (stub for CI): the declarations of the FreeRTOS API that
 * ports/freertos/port_freertos.c and heap_capheap.c use, with the names and
 * meanings of the FreeRTOS Cortex-M ports, so that they compile (and are
 * checked with every warning) without the kernel. Nothing here is
 * implemented. port_freertos.c built with it is never linked;
 * heap_capheap.c, which calls no kernel function, is (tests/test_freertos_heap.c).
 */
#ifndef CAPHEAP_FREERTOS_STUB_H
#define CAPHEAP_FREERTOS_STUB_H

#include <stdint.h>

/* The kernel's FreeRTOS.h starts from the application's configuration; a
 * build of the stub that has one (tests/freertos) reads it too. */
#if __has_include("FreeRTOSConfig.h")
#include "FreeRTOSConfig.h"
#endif

typedef long BaseType_t;
typedef unsigned long UBaseType_t;

#define pdFALSE ((BaseType_t)0)
#define pdTRUE  ((BaseType_t)1)

/* The port layer (portable.h / portmacro.h in the kernel). */
void vPortEnterCritical(void);
void vPortExitCritical(void);
uint32_t ulPortRaiseBASEPRI(void);
void vPortSetBASEPRI(uint32_t mask);
BaseType_t xPortIsInsideInterrupt(void);

#define portENTER_CRITICAL()                    vPortEnterCritical()
#define portEXIT_CRITICAL()                     vPortExitCritical()
#define portSET_INTERRUPT_MASK_FROM_ISR()       ulPortRaiseBASEPRI()
#define portCLEAR_INTERRUPT_MASK_FROM_ISR(mask) vPortSetBASEPRI(mask)

/* The alignment the kernel's heaps give (portmacro.h of the Cortex-M ports). */
#ifndef portBYTE_ALIGNMENT
#define portBYTE_ALIGNMENT 8
#endif

/* The kernel's defaults for what FreeRTOSConfig.h leaves out. */
#ifndef configUSE_MALLOC_FAILED_HOOK
#define configUSE_MALLOC_FAILED_HOOK 0
#endif
#ifndef configASSERT
#define configASSERT(x)
#endif
#ifndef traceMALLOC
#define traceMALLOC(pvAddress, uiSize)
#endif
#ifndef traceFREE
#define traceFREE(pvAddress, uiSize)
#endif

#include "portable.h"

#endif /* CAPHEAP_FREERTOS_STUB_H */
