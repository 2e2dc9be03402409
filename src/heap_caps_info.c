/*
 * heap_caps_info.c: what esp_heap_caps.h tells about the heaps: sizes,
 * statistics, printing, dumping, walking, integrity checks and the monitoring
 * of a local minimum. Each visits the registered heaps one by one; none walks
 * blocks unless its purpose is to (dump, walk, check, containing block).
 */
#include "capheap/port.h"
#include "heap_caps_internal.h"
#include "log.h"

/* Heaps with caps, or all heaps when caps has MALLOC_CAP_INVALID (ESP-IDF's
 * convention for "every heap" in the check and walk calls). */
static bool selected(const capheap_heap_t *h, uint32_t caps, bool invalid_means_all) {
    return (invalid_means_all && (caps & MALLOC_CAP_INVALID) != 0) || capheap_heap_covers(h, caps);
}

/* The i-th heap when it is enabled and selected, else NULL. */
static multi_heap_handle_t visit(size_t i, uint32_t caps, bool invalid_means_all) {
    capheap_heap_t *h = capheap_registry_at(i);
    multi_heap_handle_t mh = capheap_heap_handle(h);
    return mh != NULL && selected(h, caps, invalid_means_all) ? mh : NULL;
}

/* ---- sizes ------------------------------------------------------------- */

size_t heap_caps_get_total_size(uint32_t caps) {
    size_t total = 0, n = capheap_registry_count();
    for (size_t i = 0; i < n; i++) {
        if (visit(i, caps, false) != NULL) {
            total += capheap_registry_at(i)->end - capheap_registry_at(i)->start;
        }
    }
    return total;
}

/* The size queries read each heap's counters under its lock (the
 * multi_heap calls take it), one heap at a time, in O(1) per heap. */

/* The sum of one figure over the heaps with caps. */
static size_t over_heaps(uint32_t caps, size_t (*figure)(multi_heap_handle_t)) {
    size_t sum = 0;
    size_t n = capheap_registry_count();
    for (size_t i = 0; i < n; i++) {
        multi_heap_handle_t mh = visit(i, caps, false);
        if (mh != NULL) {
            sum += figure(mh);
        }
    }
    return sum;
}

size_t heap_caps_get_free_size(uint32_t caps) { return over_heaps(caps, multi_heap_free_size); }

size_t heap_caps_get_minimum_free_size(uint32_t caps) { return over_heaps(caps, multi_heap_minimum_free_size); }

static void add_info(multi_heap_info_t *sum, const multi_heap_info_t *one) {
    sum->total_free_bytes += one->total_free_bytes;
    sum->total_allocated_bytes += one->total_allocated_bytes;
    if (one->largest_free_block > sum->largest_free_block) {
        sum->largest_free_block = one->largest_free_block;
    }
    sum->minimum_free_bytes += one->minimum_free_bytes;
    sum->allocated_blocks += one->allocated_blocks;
    sum->free_blocks += one->free_blocks;
    sum->total_blocks += one->total_blocks;
}

void heap_caps_get_info(multi_heap_info_t *info, uint32_t caps) {
    *info = (multi_heap_info_t){0};
    size_t n = capheap_registry_count();
    for (size_t i = 0; i < n; i++) {
        multi_heap_handle_t mh = visit(i, caps, false);
        if (mh != NULL) {
            multi_heap_info_t one;
            multi_heap_get_info(mh, &one);
            add_info(info, &one);
        }
    }
}

/* The largest request for caps one heap serves, as heap_caps_malloc asks it:
 * through the heap's instruction-bus window for EXEC when it has one, whose
 * placement takes a few bytes more (heap_caps_alias.c); with the alignment
 * the hardware asks for caps (align, DMA behind cache lines: heap_caps_hw.c),
 * to which the size is also rounded up. */
static size_t largest_request(const capheap_heap_t *h, multi_heap_handle_t mh, uint32_t caps, size_t align) {
    size_t one;
    if ((caps & MALLOC_CAP_EXEC) && h->alias_kind != CAPHEAP_ALIAS_NONE) {
        one = capheap_alias_largest_request(h, mh, align);
    } else if (align != 0) {
        one = capheap_multi_heap_largest_aligned(mh, align, 0);
    } else {
        return capheap_multi_heap_largest_free(mh);
    }
    return align != 0 ? one & ~(align - 1) : one;
}

/* No request has EXEC with 8BIT or DMA (heap_caps.c), though a heap may
 * cover them all. */
size_t heap_caps_get_largest_free_block(uint32_t caps) {
    if ((caps & MALLOC_CAP_EXEC) && (caps & (MALLOC_CAP_8BIT | MALLOC_CAP_DMA))) {
        return 0;
    }
    size_t align, result = 0, n = capheap_registry_count();
    (void)capheap_caps_for_hw(caps, &align); /* the same for every heap */
    for (size_t i = 0; i < n; i++) {
        multi_heap_handle_t mh = visit(i, caps, false);
        if (mh != NULL) {
            size_t one = largest_request(capheap_registry_at(i), mh, caps, align);
            result = one > result ? one : result;
        }
    }
    return result;
}

size_t heap_caps_get_containing_block_size(void *ptr) {
    const capheap_range_t *r = capheap_registry_owner(ptr);
    if (r == NULL) {
        return 0;
    }
    multi_heap_handle_t mh = capheap_heap_handle(r->heap);
    uintptr_t data = r->alias ? capheap_alias_to_data(r->heap, (uintptr_t)ptr) : (uintptr_t)ptr;
    void *block = multi_heap_find_containing_block(mh, (void *)data);
    return block != NULL ? multi_heap_get_full_block_size(mh, block) : 0;
}

/* ---- printing ---------------------------------------------------------- */

void heap_caps_print_heap_info(uint32_t caps) {
    multi_heap_info_t total = {0};
    capheap_logf("Heap summary for capabilities 0x%08x:\n", (unsigned)caps);
    size_t n = capheap_registry_count();
    for (size_t i = 0; i < n; i++) {
        multi_heap_handle_t mh = visit(i, caps, false);
        if (mh == NULL) {
            continue;
        }
        const capheap_heap_t *h = capheap_registry_at(i);
        multi_heap_info_t one;
        multi_heap_get_info(mh, &one);
        capheap_logf("  At %p len %zu free %zu allocated %zu min_free %zu (%s)\n", (void *)h->start,
                     (size_t)(h->end - h->start), one.total_free_bytes, one.total_allocated_bytes,
                     one.minimum_free_bytes, h->name);
        capheap_logf("    largest_free_block %zu alloc_blocks %zu free_blocks %zu total_blocks %zu\n",
                     one.largest_free_block, one.allocated_blocks, one.free_blocks, one.total_blocks);
        add_info(&total, &one);
    }
    capheap_logf("  Totals:\n    free %zu allocated %zu min_free %zu largest_free_block %zu\n",
                 total.total_free_bytes, total.total_allocated_bytes, total.minimum_free_bytes,
                 total.largest_free_block);
}

static void dump_selected(uint32_t caps, bool all) {
    size_t n = capheap_registry_count();
    for (size_t i = 0; i < n; i++) {
        multi_heap_handle_t mh = all ? capheap_heap_handle(capheap_registry_at(i)) : visit(i, caps, false);
        if (mh != NULL) {
            const capheap_heap_t *h = capheap_registry_at(i);
            capheap_logf("%s heap %p..%p caps 0x%08x 0x%08x 0x%08x:\n", h->name, (void *)h->start,
                         (void *)h->end, (unsigned)h->caps[0], (unsigned)h->caps[1], (unsigned)h->caps[2]);
            multi_heap_dump(mh);
        }
    }
}

void heap_caps_dump(uint32_t caps) { dump_selected(caps, false); }

void heap_caps_dump_all(void) { dump_selected(0, true); }

/* ---- integrity --------------------------------------------------------- */

bool heap_caps_check_integrity(uint32_t caps, bool print_errors) {
    bool ok = true;
    size_t n = capheap_registry_count();
    for (size_t i = 0; i < n; i++) {
        multi_heap_handle_t mh = visit(i, caps, true);
        if (mh != NULL) {
            ok = multi_heap_check(mh, print_errors) && ok;
        }
    }
    return ok;
}

bool heap_caps_check_integrity_all(bool print_errors) {
    return heap_caps_check_integrity(MALLOC_CAP_INVALID, print_errors);
}

bool heap_caps_check_integrity_addr(intptr_t addr, bool print_errors) {
    const capheap_range_t *r = capheap_registry_owner((const void *)addr);
    return r != NULL && multi_heap_check(capheap_heap_handle(r->heap), print_errors);
}

/* ---- walking ----------------------------------------------------------- */

typedef struct {
    heap_caps_walker_cb_t cb;
    void *user;
    walker_heap_into_t heap;
} walk_ctx_t;

static bool walk_one_block(void *ptr, size_t size, int used, void *user) {
    walk_ctx_t *ctx = user;
    walker_block_info_t block = {ptr, size, used != 0};
    return ctx->cb(ctx->heap, block, ctx->user);
}

void heap_caps_walk(uint32_t caps, heap_caps_walker_cb_t walker_func, void *user_data) {
    if (walker_func == NULL) {
        return;
    }
    size_t n = capheap_registry_count();
    for (size_t i = 0; i < n; i++) {
        multi_heap_handle_t mh = visit(i, caps, true);
        if (mh != NULL) {
            const capheap_heap_t *h = capheap_registry_at(i);
            walk_ctx_t ctx = {walker_func, user_data, {(intptr_t)h->start, (intptr_t)h->end}};
            multi_heap_walk(mh, walk_one_block, &ctx);
        }
    }
}

void heap_caps_walk_all(heap_caps_walker_cb_t walker_func, void *user_data) {
    heap_caps_walk(MALLOC_CAP_INVALID, walker_func, user_data);
}

/* ---- local minimum ----------------------------------------------------- */

/* Nesting depth of monitor starts; changed only in the critical section. */
static unsigned monitor_depth;

esp_err_t heap_caps_monitor_local_minimum_free_size_start(void) {
    capheap_port_critical_enter();
    if (monitor_depth++ == 0) {
        size_t n = capheap_registry_count();
        for (size_t i = 0; i < n; i++) {
            capheap_heap_t *h = capheap_registry_at(i);
            multi_heap_handle_t mh = capheap_heap_handle(h);
            h->min_free_monitored = mh != NULL;
            h->min_free_kept = mh != NULL ? multi_heap_reset_minimum_free_bytes(mh) : 0;
        }
    }
    capheap_port_critical_exit();
    return ESP_OK;
}

esp_err_t heap_caps_monitor_local_minimum_free_size_stop(void) {
    esp_err_t err = ESP_OK;
    capheap_port_critical_enter();
    if (monitor_depth == 0) {
        err = ESP_FAIL;
    } else if (--monitor_depth == 0) {
        size_t n = capheap_registry_count();
        for (size_t i = 0; i < n; i++) {
            capheap_heap_t *h = capheap_registry_at(i);
            multi_heap_handle_t mh = capheap_heap_handle(h);
            if (h->min_free_monitored && mh != NULL) {
                size_t local = multi_heap_minimum_free_size(mh);
                multi_heap_restore_minimum_free_bytes(mh, local < h->min_free_kept ? local : h->min_free_kept);
            }
            h->min_free_monitored = false;
        }
    }
    capheap_port_critical_exit();
    return err;
}

void capheap_caps_monitor_reset(void) {
    capheap_port_critical_enter();
    monitor_depth = 0;
    capheap_port_critical_exit();
}
