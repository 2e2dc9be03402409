/*
 * task.h (stub for CI): the critical-section macros of FreeRTOS's task.h,
 * mapped onto the port layer as the kernel maps them, and the current task's
 * handle (task tracking). See FreeRTOS.h here.
 */
#ifndef CAPHEAP_FREERTOS_TASK_STUB_H
#define CAPHEAP_FREERTOS_TASK_STUB_H

#include "FreeRTOS.h"

#define taskENTER_CRITICAL()               portENTER_CRITICAL()
#define taskEXIT_CRITICAL()                portEXIT_CRITICAL()
#define taskENTER_CRITICAL_FROM_ISR()      portSET_INTERRUPT_MASK_FROM_ISR()
#define taskEXIT_CRITICAL_FROM_ISR(mask)   portCLEAR_INTERRUPT_MASK_FROM_ISR(mask)

typedef struct tskTaskControlBlock *TaskHandle_t;
TaskHandle_t xTaskGetCurrentTaskHandle(void);
char *pcTaskGetName(TaskHandle_t task);

#endif /* CAPHEAP_FREERTOS_TASK_STUB_H */
