/*
 * FreeRTOSConfig.h of tests/test_freertos_heap.c: the application settings
 * that ports/freertos/heap_capheap.c reads, set so that the test sees each of
 * its calls out (the hook, both trace macros, configASSERT).
 */
#ifndef TEST_FREERTOS_CONFIG_H
#define TEST_FREERTOS_CONFIG_H

#include <stddef.h>

#define configUSE_MALLOC_FAILED_HOOK 1

void test_trace_malloc(void *address, size_t size);
void test_trace_free(void *address, size_t size);
void test_assert_failed(const char *file, int line);

#define traceMALLOC(pvAddress, uiSize) test_trace_malloc((pvAddress), (uiSize))
#define traceFREE(pvAddress, uiSize)   test_trace_free((pvAddress), (uiSize))
#define configASSERT(x)                                                                                      \
    do {                                                                                                     \
        if (!(x)) {                                                                                          \
            test_assert_failed(__FILE__, __LINE__);                                                          \
        }                                                                                                    \
    } while (0)

#endif /* TEST_FREERTOS_CONFIG_H */
