/*
 * multi_heap_diag.c: the parts of multi_heap.h that look at every block on
 * purpose: check, walk, dump and find_containing_block.
 */
#include "log.h"
#include "multi_heap_internal.h"
#include "poison.h"

/* Walks the heap's blocks under its lock. */
static void locked_walk(multi_heap_handle_t heap, capheap_tlsf_walker_t cb, void *ctx) {
    heap_lock(heap);
    capheap_tlsf_walk(tlsf_of(heap), cb, ctx);
    heap_unlock(heap);
}

typedef struct {
    bool print;
    bool ok;
} check_ctx_t;

static void on_fault(const void *addr, const char *what, void *user) {
    check_ctx_t *ctx = user;
    ctx->ok = false;
    if (ctx->print) {
        capheap_logf("CORRUPT HEAP: %s at %p\n", what, addr);
    }
}

static bool check_one_block(void *payload, size_t usable, bool used, void *user) {
    capheap_poison_check_block(payload, usable, used, on_fault, user);
    return true;
}

bool multi_heap_check(multi_heap_handle_t heap, bool print_errors) {
    check_ctx_t ctx = {print_errors, true};
    heap_lock(heap);
    /* Then the poisoning of each block, when there is any. */
    if (capheap_tlsf_check(tlsf_of(heap), on_fault, &ctx) && CAPHEAP_POISONING_LEVEL > 0) {
        capheap_tlsf_walk(tlsf_of(heap), check_one_block, &ctx);
    }
    heap_unlock(heap);
    return ctx.ok;
}

typedef struct {
    multi_heap_walker_cb_t cb;
    void *user;
} walk_ctx_t;

static bool walk_one_block(void *payload, size_t usable, bool used, void *user) {
    walk_ctx_t *ctx = user;
    /* One call: without poisoning the user's block is the payload. */
    void *p = used ? capheap_poison_user_ptr(payload) : payload;
    size_t size = used ? capheap_poison_user_size(payload, usable) : usable;
    return ctx->cb(p, size, used, ctx->user);
}

void multi_heap_walk(multi_heap_handle_t heap, multi_heap_walker_cb_t cb, void *user_data) {
    walk_ctx_t ctx = {cb, user_data};
    locked_walk(heap, walk_one_block, &ctx);
}

static bool dump_one_block(void *payload, size_t usable, bool used, void *user) {
    (void)user;
    capheap_logf("  %p %s %zu bytes\n", payload, used ? "used" : "free", usable);
    return true;
}

void multi_heap_dump(multi_heap_handle_t heap) {
    multi_heap_info_t info;
    multi_heap_get_info(heap, &info);
    /* The block area never moves: the header needs no lock. */
    capheap_logf("heap %p: blocks %p..%p, free %zu, allocated %zu, largest free %zu, min free %zu\n",
                 (void *)heap, capheap_tlsf_blocks_begin(tlsf_of(heap)), capheap_tlsf_blocks_end(tlsf_of(heap)),
                 info.total_free_bytes, info.total_allocated_bytes, info.largest_free_block,
                 info.minimum_free_bytes);
    locked_walk(heap, dump_one_block, NULL);
}

typedef struct {
    const uint8_t *ptr;
    void *found;
} find_ctx_t;

static bool find_one_block(void *payload, size_t usable, bool used, void *user) {
    find_ctx_t *ctx = user;
    if (used && ctx->ptr >= (uint8_t *)payload && ctx->ptr < (uint8_t *)payload + usable) {
        ctx->found = capheap_poison_user_ptr(payload);
    }
    return ctx->found == NULL && ctx->ptr >= (uint8_t *)payload;
}

void *multi_heap_find_containing_block(multi_heap_handle_t heap, void *ptr) {
    find_ctx_t ctx = {ptr, NULL};
    locked_walk(heap, find_one_block, &ctx);
    return ctx.found;
}
