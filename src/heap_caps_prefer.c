/*
 * heap_caps_prefer.c: allocation with several caps masks tried in order: the
 * prefer variants, and malloc()'s policy for external RAM (heap_caps_*_default).
 */
#include <stdarg.h>

#include "fail_inject.h"
#include "heap_caps_internal.h"
#include "heap_hooks.h"
#include "trace_hook.h"
#include "word_access.h"

/* ---- prefer ------------------------------------------------------------ */

void *heap_caps_malloc_prefer(size_t size, size_t num, ...) {
    va_list ap;
    va_start(ap, num);
    uint32_t caps = MALLOC_CAP_DEFAULT;
    void *p = NULL;
    for (size_t i = 0; p == NULL && i < num; i++) {
        caps = va_arg(ap, uint32_t);
        if (i == 0 && capheap_fail_injected(size, caps)) {
            break; /* a failure plan counts the call with its first mask */
        }
        p = capheap_caps_alloc(size, 0, caps);
    }
    va_end(ap);
    if (p == NULL) {
        capheap_caps_alloc_failed(size, caps, "heap_caps_malloc_prefer");
    }
    if (CAPHEAP_TRACING()) {
        capheap_trace_alloc(p, size, 0, caps, CAPHEAP_CALLER());
    }
    capheap_hooks_alloc(p, size, caps);
    return p;
}

void *heap_caps_realloc_prefer(void *ptr, size_t size, size_t num, ...) {
    va_list ap;
    va_start(ap, num);
    uint32_t caps = MALLOC_CAP_DEFAULT;
    void *p = NULL;
    bool bad_ptr = false;
    bool traced = capheap_trace_realloc_begin(); /* as heap_caps_realloc */
    for (size_t i = 0; p == NULL && !bad_ptr && i < num; i++) {
        caps = va_arg(ap, uint32_t);
        if (i == 0 && capheap_fail_injected(size, caps)) {
            break; /* counted with its first mask; ptr untouched */
        }
        p = capheap_caps_realloc(ptr, size, caps, &bad_ptr);
        if (size == 0) {
            break; /* ptr is freed: nothing to try again */
        }
    }
    va_end(ap);
    if (traced) {
        capheap_trace_realloc_end(p, ptr, size, caps, bad_ptr, CAPHEAP_CALLER());
    }
    if (p == NULL && !bad_ptr) {
        capheap_caps_alloc_failed(size, caps, "heap_caps_realloc_prefer");
    }
    capheap_hooks_alloc(p, size, caps); /* as heap_caps_realloc */
    return p;
}

void *heap_caps_calloc_prefer(size_t n, size_t size, size_t num, ...) {
    size_t total;
    bool overflow = __builtin_mul_overflow(n, size, &total);
    va_list ap;
    va_start(ap, num);
    uint32_t caps = MALLOC_CAP_DEFAULT;
    void *p = NULL;
    for (size_t i = 0; p == NULL && i < num; i++) {
        caps = va_arg(ap, uint32_t);
        if (overflow) {
            continue; /* no size: the failure names the last mask asked, as ESP-IDF's */
        }
        if (i == 0 && capheap_fail_injected(total, caps)) {
            break; /* counted with its first mask */
        }
        p = capheap_caps_alloc(total, 0, caps);
    }
    va_end(ap);
    if (p != NULL) {
        capheap_block_fill(p, 0, total);
    } else {
        capheap_caps_alloc_failed(overflow ? SIZE_MAX : total, caps, "heap_caps_calloc_prefer");
    }
    if (CAPHEAP_TRACING()) {
        capheap_trace_alloc(p, overflow ? SIZE_MAX : total, 0, caps, CAPHEAP_CALLER());
    }
    capheap_hooks_alloc(p, overflow ? SIZE_MAX : total, caps);
    return p;
}

/* ---- malloc()'s policy ------------------------------------------------- */

#define INTERNAL_DEFAULT (MALLOC_CAP_DEFAULT | MALLOC_CAP_INTERNAL)
#define EXTERNAL_DEFAULT (MALLOC_CAP_DEFAULT | MALLOC_CAP_SPIRAM)
/* The pool of internal DMA memory a board keeps back (ESP-IDF's
 * CONFIG_SPIRAM_MALLOC_RESERVE_INTERNAL) has no DEFAULT cap: malloc()
 * reaches it only when everything else is full. DMA in the mask keeps
 * other internal memory without DEFAULT out (the stm32f407's backup SRAM;
 * not the stm32h743's, which offers DMA at its lowest priority). */
#define KEPT_BACK (MALLOC_CAP_DMA | MALLOC_CAP_INTERNAL | MALLOC_CAP_8BIT)

static _Atomic bool extmem_enabled;
static _Atomic size_t internal_below;

void heap_caps_malloc_extmem_enable(size_t limit) {
    atomic_store_explicit(&internal_below, limit, memory_order_relaxed);
    atomic_store_explicit(&extmem_enabled, true, memory_order_release);
}

void capheap_caps_policy_reset(void) { atomic_store_explicit(&extmem_enabled, false, memory_order_release); }

/* The masks malloc() tries for size, in order; returns how many. */
static size_t default_masks(size_t size, uint32_t masks[3]) {
    if (!atomic_load_explicit(&extmem_enabled, memory_order_acquire)) {
        masks[0] = INTERNAL_DEFAULT;
        return 1;
    }
    bool internal_first = size < atomic_load_explicit(&internal_below, memory_order_relaxed);
    masks[0] = internal_first ? INTERNAL_DEFAULT : EXTERNAL_DEFAULT;
    masks[1] = internal_first ? EXTERNAL_DEFAULT : INTERNAL_DEFAULT;
    masks[2] = KEPT_BACK;
    return 3;
}

/* size bytes by malloc()'s masks in turn, aligned to align (0: the grain);
 * refused: fails at once. The failure hook hears of it once, when every
 * mask failed, with the caps malloc() stands for; then the trace and the
 * allocation hook, with the caller of the public function. */
static CAPHEAP_ALWAYS_INLINE void *alloc_default(size_t size, size_t align, bool refused, const char *name,
                                                 void *caller) {
    uint32_t masks[3];
    size_t n = refused || capheap_fail_injected(size, MALLOC_CAP_DEFAULT) ? 0 : default_masks(size, masks);
    void *p = NULL;
    for (size_t i = 0; p == NULL && i < n; i++) {
        p = capheap_caps_alloc(size, align, masks[i]);
    }
    if (p == NULL) {
        capheap_caps_alloc_failed(size, MALLOC_CAP_DEFAULT, name);
    }
    if (CAPHEAP_TRACING()) {
        capheap_trace_alloc(p, size, align, MALLOC_CAP_DEFAULT, caller);
    }
    capheap_hooks_alloc(p, size, MALLOC_CAP_DEFAULT);
    return p;
}

void *heap_caps_malloc_default(size_t size) {
    return alloc_default(size, 0, false, "heap_caps_malloc_default", CAPHEAP_CALLER());
}

/* An alignment that is no power of two fails, as heap_caps_aligned_alloc's. */
void *heap_caps_aligned_alloc_default(size_t alignment, size_t size) {
    bool refused = !capheap_is_power_of_two(alignment);
    return alloc_default(size, refused ? 0 : alignment, refused, "heap_caps_aligned_alloc_default",
                         CAPHEAP_CALLER());
}

void *heap_caps_realloc_default(void *ptr, size_t size) {
    uint32_t masks[3];
    bool traced = capheap_trace_realloc_begin(); /* as heap_caps_realloc */
    size_t n = capheap_fail_injected(size, MALLOC_CAP_DEFAULT) ? 0 : default_masks(size, masks);
    void *p = NULL;
    bool bad_ptr = false;
    for (size_t i = 0; p == NULL && !bad_ptr && i < n; i++) {
        p = capheap_caps_realloc(ptr, size, masks[i], &bad_ptr);
        if (size == 0) {
            break; /* freed */
        }
    }
    if (traced) {
        capheap_trace_realloc_end(p, ptr, size, MALLOC_CAP_DEFAULT, bad_ptr, CAPHEAP_CALLER());
    }
    if (p == NULL && !bad_ptr && size != 0) {
        capheap_caps_alloc_failed(size, MALLOC_CAP_DEFAULT, "heap_caps_realloc_default");
    }
    capheap_hooks_alloc(p, size, MALLOC_CAP_DEFAULT); /* as heap_caps_realloc */
    return p;
}
