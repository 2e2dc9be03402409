/*
 * freertos/task.h (target tests): what ports/freertos/port_espidf.c uses of
 * ESP-IDF's task.h in a build with task tracking, the current task's handle.
 * Only compiled against (scripts/target-test.sh): no test runs a kernel.
 */
#ifndef CAPHEAP_ESPIDF_TASK_MODEL_H
#define CAPHEAP_ESPIDF_TASK_MODEL_H

typedef struct tskTaskControlBlock *TaskHandle_t;
TaskHandle_t xTaskGetCurrentTaskHandle(void);
char *pcTaskGetName(TaskHandle_t task);

#endif /* CAPHEAP_ESPIDF_TASK_MODEL_H */
