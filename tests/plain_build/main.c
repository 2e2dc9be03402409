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
static _Alignas(64) uint8_t heaps[5][2048];

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

    /* CAPHEAP_MAX_HEAPS 4: the registry takes four heaps, not five. */
    const uint32_t caps[3] = {MALLOC_CAP_8BIT | MALLOC_CAP_32BIT | MALLOC_CAP_DEFAULT, 0, 0};
    for (int i = 0; i < 5; i++) {
        esp_err_t err = heap_caps_add_region_with_caps(caps, (intptr_t)heaps[i], (intptr_t)heaps[i] + sizeof heaps[i]);
        CHECK(err == (i < 4 ? ESP_OK : ESP_ERR_NO_MEM));
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
