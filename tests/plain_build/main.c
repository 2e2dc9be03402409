/*
 * main.c: a program built with capheap's sources compiled directly, options
 * from capheap_config.h only (tests/plain_build/run.sh): each option must
 * have reached both the library and this file. Exit status 0 when all did.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "capheap.h"
#include "capheap/port.h" /* capheap_set_corruption_handler */
#include "esp_heap_task_info.h"
#include "multi_heap.h"

static int failures;

#define CHECK(cond)                                                                                                    \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            fprintf(stderr, "plain build: %s:%d: %s\n", __FILE__, __LINE__, #cond);                                    \
            failures++;                                                                                                \
        }                                                                                                              \
    } while (0)

static const void *reported_at;

static void record(const void *addr, const char *what, void *user) {
    (void)what, (void)user;
    reported_at = addr;
}

static void *hooked_alloc, *hooked_free;

void esp_heap_trace_alloc_hook(void *ptr, size_t size, uint32_t caps) {
    (void)size, (void)caps;
    hooked_alloc = ptr;
}

void esp_heap_trace_free_hook(void *ptr) { hooked_free = ptr; }

static _Alignas(64) uint8_t region[4096];
static _Alignas(64) uint8_t heaps[4][2048];

/* Three kinds of memory, and seven masks to ask them with. */
static const uint32_t heap_caps[3][3] = {
    {MALLOC_CAP_DMA | MALLOC_CAP_8BIT | MALLOC_CAP_32BIT | MALLOC_CAP_DEFAULT, 0, 0},
    {MALLOC_CAP_8BIT | MALLOC_CAP_32BIT | MALLOC_CAP_DEFAULT, 0, 0},
    {MALLOC_CAP_EXEC | MALLOC_CAP_32BIT, 0, 0},
};
static const uint32_t masks[] = {MALLOC_CAP_8BIT, MALLOC_CAP_32BIT, MALLOC_CAP_DEFAULT, MALLOC_CAP_DMA,
                                 MALLOC_CAP_EXEC, MALLOC_CAP_8BIT | MALLOC_CAP_32BIT, MALLOC_CAP_DMA | MALLOC_CAP_32BIT};

static int in_heap(const void *p, int i) {
    return (const uint8_t *)p >= heaps[i] && (const uint8_t *)p < heaps[i] + sizeof heaps[i];
}

static int in_inner(const void *p, const uint8_t *inner) {
    return (const uint8_t *)p >= inner && (const uint8_t *)p < inner + 1024;
}

int main(void) {
    /* CAPHEAP_GRAIN 16: this file's MULTI_HEAP_ALIGN and the library's blocks. */
    CHECK(MULTI_HEAP_ALIGN == 16);
    multi_heap_handle_t heap = multi_heap_register(region, sizeof region);
    CHECK(heap != NULL);
    uint8_t *p = multi_heap_malloc(heap, 20);
    CHECK(p != NULL && (uintptr_t)p % 16 == 0);

    /* CAPHEAP_POISONING_LEVEL 1: a write past the end is found on free. */
    capheap_set_corruption_handler(record, NULL);
    p[20] = 0;
    multi_heap_free(heap, p);
    CHECK(reported_at == p);

    /* CAPHEAP_MAX_HEAPS 4: the registry takes four heaps, not five (the
     * fourth made of an allocation of the third, CAPHEAP_NESTED_HEAPS 1). */
    for (int i = 0; i < 3; i++) {
        esp_err_t err = heap_caps_add_region_with_caps(heap_caps[i], (intptr_t)heaps[i], (intptr_t)heaps[i] + sizeof heaps[i]);
        CHECK(err == ESP_OK);
    }
    uint8_t *inner = heap_caps_malloc(1024, MALLOC_CAP_EXEC);
    CHECK(in_heap(inner, 2));
    esp_err_t nested = heap_caps_add_region_with_caps(heap_caps[2], (intptr_t)inner, (intptr_t)inner + 1024);
    CHECK(nested == (CAPHEAP_NESTED_HEAPS > 0 ? ESP_OK : ESP_ERR_NO_MEM));
    CHECK(heap_caps_add_region_with_caps(heap_caps[0], (intptr_t)heaps[3], (intptr_t)heaps[3] + sizeof heaps[3]) ==
          (nested == ESP_OK ? ESP_ERR_NO_MEM : ESP_OK));

    /* CAPHEAP_CANDIDATE_LISTS 4: seven caps masks take turns for the four
     * lists; each request still lands where its caps allow. */
    for (int round = 0; round < 20; round++) {
        for (size_t m = 0; m < sizeof masks / sizeof masks[0]; m++) {
            void *b = heap_caps_malloc(32, masks[m]);
            CHECK(b != NULL && (!(masks[m] & MALLOC_CAP_DMA) || in_heap(b, 0)) &&
                  (!(masks[m] & MALLOC_CAP_EXEC) || in_heap(b, 2) || in_inner(b, inner)));
            heap_caps_free(b);
        }
    }
    void *q = heap_caps_malloc(100, MALLOC_CAP_8BIT);
    CHECK(q != NULL && (uintptr_t)q % 16 == 0);

    /* CAPHEAP_TASK_TRACKING 1: the block is this task's. */
#ifdef CONFIG_HEAP_TASK_TRACKING
    heap_task_block_t block = {0};
    heap_task_info_params_t params = {.blocks = &block, .max_blocks = 1};
    CHECK(heap_caps_get_per_task_info(&params) == 1);
    CHECK(block.address == q && block.size == 100 && block.task == capheap_port_current_task());
#else
    CHECK(!"esp_heap_task_info.h defines CONFIG_HEAP_TASK_TRACKING");
#endif
    heap_caps_free(q);

    /* CAPHEAP_HEAP_HOOKS 1: both hooks saw the block. */
    CHECK(hooked_alloc == q && hooked_free == q);

    if (failures == 0) {
        printf("plain build: every option of capheap_config.h was taken\n");
    }
    return failures == 0 ? 0 : 1;
}
