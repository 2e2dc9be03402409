/*
 * FreeRTOS.h (stub for CI): the declarations of the FreeRTOS API that
 * ports/freertos/port_freertos.c uses, with the names and meanings of the
 * FreeRTOS Cortex-M ports, so that the port compiles (and is checked with
 * every warning) without the kernel. Nothing here is implemented; nothing
 * built with it is linked.
 */
#ifndef CAPHEAP_FREERTOS_STUB_H
#define CAPHEAP_FREERTOS_STUB_H

#include <stdint.h>

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

#endif /* CAPHEAP_FREERTOS_STUB_H */
