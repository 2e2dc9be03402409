/*
 * poison.c: heap poisoning, light and comprehensive levels (see poison.h).
 * Compiled only when CAPHEAP_POISONING is light or comprehensive.
 *
 * An allocation of n bytes is laid out in its block payload as
 *
 *   [head: magic, n][n user bytes][tail: 4-byte magic, unaligned]
 *
 * and the user gets the address after the head.
 */
#include <string.h>

#include "capheap/port.h"
#include "poison.h"

#define W CAPHEAP_TLSF_GRAIN

#define HEAD_CANARY  ((size_t)0xCA9E4EADu) /* a live allocation starts here */
#define FREED_CANARY ((size_t)0xF4EEDB10u) /* this allocation was freed */
#define TAIL_CANARY  0x7A11CA9Eu
#define FREE_FILL    0xFE
#define ALLOC_FILL   0xCE

#define COMPREHENSIVE (CAPHEAP_POISONING_LEVEL >= 2)

typedef struct {
    size_t magic;
    size_t size; /* what the user asked for */
} poison_head_t;

#define HEAD     sizeof(poison_head_t)
#define TAIL     sizeof(uint32_t)
#define OVERHEAD (HEAD + TAIL)

size_t capheap_poison_overhead(void) { return OVERHEAD; }

static poison_head_t *head_of(const void *user) { return (poison_head_t *)((uint8_t *)user - HEAD); }

static bool tail_intact(const uint8_t *user, size_t size) {
    uint32_t tail;
    memcpy(&tail, user + size, TAIL);
    return tail == TAIL_CANARY;
}

static void *arm(void *payload, size_t size) {
    poison_head_t *head = payload;
    uint8_t *user = (uint8_t *)payload + HEAD;
    uint32_t tail = TAIL_CANARY;
    head->magic = HEAD_CANARY;
    head->size = size;
    memcpy(user + size, &tail, TAIL);
    return user;
}

/* First byte in [p, p + len) that is not the free fill, or NULL. */
static const uint8_t *fill_broken(const uint8_t *p, size_t len) {
    for (size_t i = 0; i < len; i++) {
        if (p[i] != FREE_FILL) {
            return p + i;
        }
    }
    return NULL;
}

/* The part of a free block's payload that holds no allocator data: after the
 * two list links, before the size footer. */
static void free_interior(const uint8_t *payload, size_t usable, const uint8_t **lo, const uint8_t **hi) {
    *lo = payload + 2 * W;
    *hi = payload + (usable > 3 * W ? usable - W : 2 * W);
}

/* A block just taken from free memory: its fill must be intact. */
static void check_fresh(uint8_t *payload) {
    const uint8_t *lo, *hi;
    free_interior(payload, capheap_tlsf_usable_size(payload), &lo, &hi);
    const uint8_t *bad = fill_broken(lo, (size_t)(hi - lo));
    if (bad != NULL) {
        capheap_report_corruption(bad, "free memory was written (use after free)");
    }
}

static void *prepare(uint8_t *payload, size_t size) {
    if (payload == NULL) {
        return NULL;
    }
    if (COMPREHENSIVE) {
        check_fresh(payload);
        memset(payload, ALLOC_FILL, capheap_tlsf_usable_size(payload));
    }
    return arm(payload, size);
}

void *capheap_poison_malloc(capheap_tlsf_t *t, size_t size) {
    if (size == 0 || size > SIZE_MAX - OVERHEAD) {
        return NULL;
    }
    return prepare(capheap_tlsf_malloc(t, size + OVERHEAD), size);
}

void *capheap_poison_memalign(capheap_tlsf_t *t, size_t size, size_t align, size_t offset) {
    if (size == 0 || size > SIZE_MAX - OVERHEAD) {
        return NULL;
    }
    return prepare(capheap_tlsf_memalign(t, size + OVERHEAD, align, offset + HEAD), size);
}

const char *capheap_poison_validate(const capheap_tlsf_t *t, const void *p) {
    uintptr_t a = (uintptr_t)p;
    if (a < (uintptr_t)capheap_tlsf_blocks_begin(t) + W + HEAD || a >= (uintptr_t)capheap_tlsf_blocks_end(t)) {
        return "pointer outside the heap";
    }
    const uint8_t *payload = (const uint8_t *)p - HEAD;
    const char *why = capheap_tlsf_validate(t, payload);
    if (why != NULL) {
        return why;
    }
    const poison_head_t *head = head_of(p);
    if (head->magic == FREED_CANARY) {
        return "double free (freed canary)";
    }
    if (head->magic != HEAD_CANARY || head->size > capheap_tlsf_usable_size(payload) - OVERHEAD) {
        return "bad head canary (not a block start, or written before the block)";
    }
    if (!tail_intact(p, head->size)) {
        return "bad tail canary (written past the end of the block)";
    }
    return NULL;
}

/* Fills with FREE_FILL the part of [lo, hi) inside the interior of span. */
static void refill(capheap_tlsf_span_t span, const uint8_t *lo, const uint8_t *hi) {
    const uint8_t *ilo, *ihi;
    free_interior(span.start + W, span.size - W, &ilo, &ihi);
    lo = lo > ilo ? lo : ilo;
    hi = hi < ihi ? hi : ihi;
    if (lo < hi) {
        memset((uint8_t *)(uintptr_t)lo, FREE_FILL, (size_t)(hi - lo));
    }
}

void capheap_poison_free(capheap_tlsf_t *t, void *p) {
    uint8_t *payload = (uint8_t *)p - HEAD;
    head_of(p)->magic = FREED_CANARY;
    if (!COMPREHENSIVE) {
        (void)capheap_tlsf_free(t, payload);
        return;
    }
    size_t usable = capheap_tlsf_usable_size(payload);
    memset(payload + HEAD, FREE_FILL, usable - HEAD);
    capheap_tlsf_span_t span = capheap_tlsf_free(t, payload);
    /* Coalescing left the old neighbours' headers, links and footers inside
     * the new free block: around the freed block's two edges. */
    uint8_t *start = payload - W;
    uint8_t *end = payload + usable;
    refill(span, start - W, start + W + HEAD);
    refill(span, end - W, end + 3 * W);
}

void *capheap_poison_realloc(capheap_tlsf_t *t, void *p, size_t size) {
    if (size > SIZE_MAX - OVERHEAD) {
        return NULL;
    }
    if (COMPREHENSIVE) {
        /* Moves always, so that every free byte keeps its fill. */
        void *moved = capheap_poison_malloc(t, size);
        if (moved != NULL) {
            size_t old = head_of(p)->size;
            memcpy(moved, p, old < size ? old : size);
            capheap_poison_free(t, p);
        }
        return moved;
    }
    uint8_t *payload = capheap_tlsf_realloc(t, (uint8_t *)p - HEAD, size + OVERHEAD);
    return payload == NULL ? NULL : arm(payload, size);
}

size_t capheap_poison_usable_size(const void *p) { return head_of(p)->size; }

void *capheap_poison_user_ptr(void *payload) { return (uint8_t *)payload + HEAD; }

void *capheap_poison_payload(const void *p) { return (uint8_t *)(uintptr_t)p - HEAD; }

size_t capheap_poison_user_size(void *payload, size_t usable) {
    (void)usable;
    return ((poison_head_t *)payload)->size;
}

bool capheap_poison_check_block(void *payload, size_t usable, bool used, capheap_poison_fault_t fault,
                                void *user) {
    if (used) {
        const char *why = NULL;
        poison_head_t *head = payload;
        if (head->magic != HEAD_CANARY || head->size > usable - OVERHEAD) {
            why = "bad head canary";
        } else if (!tail_intact((uint8_t *)payload + HEAD, head->size)) {
            why = "bad tail canary (written past the end)";
        }
        if (why != NULL) {
            fault((uint8_t *)payload + HEAD, why, user);
        }
        return why == NULL;
    }
    if (!COMPREHENSIVE) {
        return true;
    }
    const uint8_t *lo, *hi;
    free_interior(payload, usable, &lo, &hi);
    const uint8_t *bad = fill_broken(lo, (size_t)(hi - lo));
    if (bad != NULL) {
        fault(bad, "free memory was written (use after free)", user);
    }
    return bad == NULL;
}
