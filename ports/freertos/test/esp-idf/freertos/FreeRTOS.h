/*
 * freertos/FreeRTOS.h (stub for CI): what ports/freertos/port_espidf.c uses of
 * ESP-IDF's FreeRTOS (its portmacro.h and spinlock.h), with ESP-IDF's names
 * and meanings, so that the port compiles with every warning without
 * ESP-IDF. Nothing here is implemented; nothing built with it is linked.
 * tests/target/espidf/ has a model of the same API that runs.
 */
#ifndef CAPHEAP_ESPIDF_FREERTOS_STUB_H
#define CAPHEAP_ESPIDF_FREERTOS_STUB_H

#include <stdint.h>

/* A spinlock: the owning core (or the free value) and how many times it took it. */
typedef struct {
    volatile uint32_t owner;
    volatile uint32_t count;
} portMUX_TYPE;

#define SPINLOCK_FREE                0xB33FFFFFu
#define portMUX_INITIALIZER_UNLOCKED {.owner = SPINLOCK_FREE, .count = 0}

void spinlock_initialize(portMUX_TYPE *mux);
void vPortEnterCriticalSafe(portMUX_TYPE *mux);
void vPortExitCriticalSafe(portMUX_TYPE *mux);

#define portMUX_INITIALIZE(mux)      spinlock_initialize(mux)
#define portENTER_CRITICAL_SAFE(mux) vPortEnterCriticalSafe(mux)
#define portEXIT_CRITICAL_SAFE(mux)  vPortExitCriticalSafe(mux)

#endif /* CAPHEAP_ESPIDF_FREERTOS_STUB_H */
