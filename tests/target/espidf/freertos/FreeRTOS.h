/*
 * freertos/FreeRTOS.h (target tests): a model of what ports/freertos/port_espidf.c
 * uses of ESP-IDF's FreeRTOS, that runs on the test cores without ESP-IDF
 * (espidf/critical.c): ESP-IDF's names, and its meaning as documented for
 * portENTER_CRITICAL_SAFE: mask this core's interrupts, then spin until the
 * spinlock is free or already this core's (it nests), counting the takes.
 * Unlike ESP-IDF, it masks every interrupt rather than those up to the
 * kernel's level, and there is no kernel around it. Plain C11: the port is
 * also compiled against this header alone, with the host compilers and for
 * every Cortex-M core (scripts/target-test.sh, tests/target/CMakeLists.txt).
 */
#ifndef CAPHEAP_ESPIDF_MODEL_H
#define CAPHEAP_ESPIDF_MODEL_H

#include <stdatomic.h>
#include <stdint.h>

typedef struct {
    _Atomic uint32_t owner; /* the core holding it, or SPINLOCK_FREE */
    uint32_t count;         /* how many times the owner took it */
} portMUX_TYPE;

#define SPINLOCK_FREE                0xB33FFFFFu
#define portMUX_INITIALIZER_UNLOCKED {.owner = SPINLOCK_FREE, .count = 0}

void spinlock_initialize(portMUX_TYPE *mux);
void vPortEnterCriticalSafe(portMUX_TYPE *mux);
void vPortExitCriticalSafe(portMUX_TYPE *mux);

#define portMUX_INITIALIZE(mux)      spinlock_initialize(mux)
#define portENTER_CRITICAL_SAFE(mux) vPortEnterCriticalSafe(mux)
#define portEXIT_CRITICAL_SAFE(mux)  vPortExitCriticalSafe(mux)

#endif /* CAPHEAP_ESPIDF_MODEL_H */
