/*
 * legacy.c: the seed-era API (esp_heap_alloc_caps.h, heap_regions.h) over the
 * same registry as heap_caps. A tag is a memory type of the layout board; a
 * heap defined with a tag remembers it, so the tagged calls visit the heaps
 * of that type. They loop over the heaps: the seed era had a handful.
 */
#include "board_layout.h"
#include "esp_heap_alloc_caps.h"
#include "fail_inject.h"
#include "heap_caps_internal.h"
#include "heap_regions.h"
#include "log.h"
#include "heap_hooks.h"
#include "trace_hook.h"

void heap_alloc_caps_init(void) { heap_caps_init(); }

void heap_alloc_enable_nonos_stack_tag(void) { heap_caps_enable_nonos_stack_heaps(); }

void *pvPortMallocCaps(size_t size, uint32_t caps) {
    void *p = capheap_fail_injected(size, caps) ? NULL : capheap_caps_alloc(size, 0, caps);
    if (CAPHEAP_TRACING()) {
        capheap_trace_alloc(p, size, 0, caps, CAPHEAP_CALLER());
    }
    capheap_hooks_alloc(p, size, caps);
    return p;
}

size_t xPortGetFreeHeapSizeCaps(uint32_t caps) { return heap_caps_get_free_size(caps); }

size_t xPortGetMinimumEverFreeHeapSizeCaps(uint32_t caps) { return heap_caps_get_minimum_free_size(caps); }

/* ---- tagged regions ---------------------------------------------------- */

static const capheap_memory_type_t *type_of_tag(BaseType_t tag) {
    const capheap_board_t *b = capheap_layout_board();
    return b != NULL && tag >= 0 && (size_t)tag < b->type_count ? &b->types[tag] : NULL;
}

/* xExecAddr gives where the region starts on the instruction bus, not how the
 * bus maps it: the board's region there knows; else it is a plain offset. */
static void define_window(capheap_heap_spec_t *spec, uint32_t exec_addr) {
    const capheap_board_t *b = capheap_layout_board();
    uintptr_t chip = spec->start - (uintptr_t)capheap_host_offset();
    const capheap_region_t *r = b != NULL ? capheap_board_region_at(b, chip) : NULL;
    capheap_alias_kind_t kind = r != NULL && r->alias.kind != CAPHEAP_ALIAS_NONE ? r->alias.kind
                                                                                  : CAPHEAP_ALIAS_LINEAR;
    spec->alias_kind = (uint8_t)kind;
    spec->alias_start = (uintptr_t)exec_addr + (uintptr_t)capheap_host_offset();
    spec->alias_k = capheap_alias_constant(spec->alias_kind, spec->alias_start, spec->start, spec->end);
}

static esp_err_t define_region(const HeapRegionTagged_t *region) {
    const capheap_memory_type_t *type = type_of_tag(region->xTag);
    uintptr_t start = (uintptr_t)region->pucStartAddress;
    /* An exec address off a word would give EXEC blocks off it, and a
     * window must end below 2^32 (as a board's must, capheap_board_check):
     * the chip's instruction bus has 32-bit addresses. */
    if (type == NULL || start == 0 || start + region->xSizeInBytes < start || (region->xExecAddr & 3u) != 0 ||
        (region->xExecAddr != 0 && region->xSizeInBytes > (size_t)(UINT32_MAX - region->xExecAddr))) {
        return ESP_ERR_INVALID_ARG;
    }
    capheap_heap_spec_t spec;
    capheap_caps_spec(&spec, type->caps, start, start + region->xSizeInBytes);
    spec.type = (int)region->xTag;
    spec.name = type->name;
    if (region->xExecAddr != 0) {
        define_window(&spec, region->xExecAddr);
    } else {
        spec.alias_kind = CAPHEAP_ALIAS_NONE; /* the seed era's word: no exec address, no window */
    }
    return capheap_registry_add(&spec, NULL);
}

void vPortDefineHeapRegionsTagged(const HeapRegionTagged_t *pxHeapRegions) {
    for (const HeapRegionTagged_t *r = pxHeapRegions; r != NULL && r->xSizeInBytes != 0; r++) {
        esp_err_t err = define_region(r);
        if (err != ESP_OK) {
            capheap_logf("capheap: tagged region %p (%zu bytes, tag %d) skipped, error 0x%x\n",
                         (void *)r->pucStartAddress, r->xSizeInBytes, (int)r->xTag, (unsigned)err);
        }
    }
}

/* The i-th heap when it is enabled and of type tag. */
static capheap_heap_t *tagged(size_t i, BaseType_t tag) {
    capheap_heap_t *h = capheap_registry_at(i);
    return h->type == (int)tag && capheap_heap_handle(h) != NULL ? h : NULL;
}

/* Traced with the caps of the heap that served it (a replay asks for them),
 * or none when it failed. */
void *pvPortMallocTagged(size_t xWantedSize, BaseType_t tag) {
    size_t n = capheap_fail_injected(xWantedSize, 0) ? 0 : capheap_registry_count(); /* no caps: counted as 0 */
    void *p = NULL;
    uint32_t caps = 0;
    for (size_t i = 0; p == NULL && xWantedSize != 0 && i < n; i++) {
        capheap_heap_t *h = tagged(i, tag);
        p = h != NULL ? multi_heap_malloc(capheap_heap_handle(h), xWantedSize) : NULL;
        caps = p != NULL ? h->all_caps : 0;
    }
    if (CAPHEAP_TRACING()) {
        capheap_trace_alloc(p, xWantedSize, 0, caps, CAPHEAP_CALLER());
    }
    capheap_hooks_alloc(p, xWantedSize, caps);
    return p;
}

void vPortFreeTagged(void *pv) { heap_caps_free(pv); }

/* Free and lowest free bytes of the heaps of type tag (read under each
 * heap's lock by the multi_heap calls). */
static void tagged_sizes(BaseType_t tag, size_t *free_bytes, size_t *minimum) {
    *free_bytes = *minimum = 0;
    size_t n = capheap_registry_count();
    for (size_t i = 0; i < n; i++) {
        capheap_heap_t *h = tagged(i, tag);
        if (h != NULL) {
            *free_bytes += multi_heap_free_size(capheap_heap_handle(h));
            *minimum += multi_heap_minimum_free_size(capheap_heap_handle(h));
        }
    }
}

size_t xPortGetFreeHeapSizeTagged(BaseType_t tag) {
    size_t free_bytes, minimum;
    tagged_sizes(tag, &free_bytes, &minimum);
    return free_bytes;
}

size_t xPortGetMinimumEverFreeHeapSizeTagged(BaseType_t tag) {
    size_t free_bytes, minimum;
    tagged_sizes(tag, &free_bytes, &minimum);
    return minimum;
}
