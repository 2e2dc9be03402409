/*
 * poison.c: heap poisoning, light and comprehensive levels (see poison.h).
 * Compiled only when CAPHEAP_POISONING is light or comprehensive.
 *
 * An allocation of n bytes is laid out in its block payload as
 *
 *   [head: (pad,) magic, n][n user bytes][tail: 4-byte magic, unaligned]
 *
 * and the user gets the address after the head, which is on the grain as the
 * payload is: the head is two size_t words, a multiple of the grain, or when
 * the grain is larger (CAPHEAP_GRAIN=16 on 32-bit) padded up to it by words
 * of HEAD_CANARY before the magic. The magic and the size stay the two words
 * just below the user's bytes, and the padding is checked with them: every
 * byte of the head is a canary but one: the word of the allocating task
 * that task tracking (CAPHEAP_TASK_TRACKING) puts below the magic.
 */

#include "capheap/port.h"
#include "poison.h"
#include "task_stats.h"
#include "word_access.h"

#if CAPHEAP_POISONING_LEVEL > 0

/* A free block: header (H), two list links (LINKS), ..., size footer (FOOT). */
#define H     CAPHEAP_TLSF_HEADER
#define LINKS (2 * sizeof(void *))
#define FOOT  sizeof(size_t)

#define HEAD_CANARY  ((size_t)0xCA9E4EADu) /* a live allocation starts here */
#define FREED_CANARY ((size_t)0xF4EEDB10u) /* this allocation was freed */
#define TAIL_CANARY  0x7A11CA9Eu
#define FREE_FILL    0xFE
#define ALLOC_FILL   0xCE

#define COMPREHENSIVE (CAPHEAP_POISONING_LEVEL >= 2)

typedef struct {
#if CAPHEAP_TASK_TRACKING
    void *owner; /* the task that allocated it, or its account (task_stats.h); no canary */
#endif
    size_t magic;
    size_t size; /* what the user asked for */
} poison_head_t;

/* The head: poison_head_t rounded up to the grain; PAD bytes of padding
 * (words of HEAD_CANARY) at the payload, before it. 0 but with a grain
 * larger than two words. */
#define HEAD     ((sizeof(poison_head_t) + CAPHEAP_TLSF_GRAIN - 1) & ~(CAPHEAP_TLSF_GRAIN - 1))
#define PAD      (HEAD - sizeof(poison_head_t))
#define TAIL     sizeof(uint32_t)
#define OVERHEAD (HEAD + TAIL)

_Static_assert(HEAD % CAPHEAP_TLSF_GRAIN == 0, "the user address keeps the payload's alignment");
_Static_assert(PAD % sizeof(size_t) == 0, "the padding is whole words");

size_t capheap_poison_overhead(void) { return OVERHEAD; }

size_t capheap_poison_largest_aligned(const capheap_tlsf_t *t, size_t align, size_t offset) {
    size_t largest = capheap_tlsf_largest_aligned(t, align, offset + HEAD);
    return largest > OVERHEAD ? largest - OVERHEAD : 0;
}

static poison_head_t *head_of(const void *user) {
    return (poison_head_t *)((uint8_t *)user - sizeof(poison_head_t));
}

/* The magic and size words of the allocation whose block payload is payload. */
static poison_head_t *head_at(const void *payload) { return (poison_head_t *)((uint8_t *)payload + PAD); }

/* The padding words, from the payload up to the magic (none when PAD is 0). */
static void pad_arm(void *payload) {
    for (size_t *w = payload; (void *)w != (void *)head_at(payload); w++) {
        *w = HEAD_CANARY;
    }
}

static bool pad_intact(const void *payload) {
    for (const size_t *w = payload; (const void *)w != (const void *)head_at(payload); w++) {
        if (*w != HEAD_CANARY) {
            return false;
        }
    }
    return true;
}

/* ---- memory that takes words only -----------------------------------------
 * The ESP32's and ESP8266's instruction RAM takes aligned 32-bit accesses
 * only (CAPHEAP_WORD_ONLY_MEMORY, tlsf.h). The canaries, the fills and the
 * copies go through word_access.h, which keeps to whole words there (a
 * canary after a size that is not whole words is merged into the two words
 * it straddles). */

static void tail_write(uint8_t *at) { capheap_block_store32(at, TAIL_CANARY); }

static bool tail_intact(const uint8_t *user, size_t size) { return capheap_block_load32(user + size) == TAIL_CANARY; }

#define FILL_UNIT CAPHEAP_WORD

/* Every range filled or checked is whole aligned words: blocks, payloads and
 * their parts (HEAD, the links, the footer) lie on the grain. fill_broken
 * reads nothing but words on this ground. */
_Static_assert(CAPHEAP_TLSF_GRAIN % FILL_UNIT == 0 && HEAD % FILL_UNIT == 0 && sizeof(size_t) % FILL_UNIT == 0,
               "fills are whole words");

static void *arm(const capheap_tlsf_t *t, void *payload, size_t size) {
    poison_head_t *head = head_at(payload);
    uint8_t *user = (uint8_t *)payload + HEAD;
    pad_arm(payload);
#if CAPHEAP_TASK_TRACKING
    head->owner = capheap_task_stats_alloc(t, size);
#else
    (void)t;
#endif
    head->magic = HEAD_CANARY;
    head->size = size;
    tail_write(user + size);
    return user;
}

/* First byte in [p, p + len) (whole aligned words) that is not the free
 * fill, or NULL. Read in words, and the byte found from the word's
 * difference: no narrower access, even at a broken fill. */
static const uint8_t *fill_broken(const uint8_t *p, size_t len) {
    for (const uint8_t *end = p + len; p < end; p += FILL_UNIT) {
        uint32_t diff = *(const capheap_word_t *)(const void *)p ^ CAPHEAP_FILL_WORD(FREE_FILL);
        if (diff != 0) {
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
            return p + (unsigned)__builtin_clz(diff) / 8u;
#else
            return p + (unsigned)__builtin_ctz(diff) / 8u;
#endif
        }
    }
    return NULL;
}

/* The part of a free block's payload that holds no allocator data: after the
 * two list links, before the size footer. */
static void free_interior(const uint8_t *payload, size_t usable, const uint8_t **lo, const uint8_t **hi) {
    *lo = payload + LINKS;
    *hi = payload + (usable > LINKS + FOOT ? usable - FOOT : LINKS);
}

/* A block just taken from free memory: its fill must be intact. A block
 * split off a larger free block has its last word in that block's interior
 * too (a block taken whole has its old footer there). */
static bool fresh_intact(uint8_t *payload, size_t usable) {
    const uint8_t *lo, *hi;
    free_interior(payload, usable, &lo, &hi);
    if (capheap_tlsf_next_is_free(payload, usable)) {
        hi = payload + usable;
    }
    const uint8_t *bad = fill_broken(lo, (size_t)(hi - lo));
    if (bad != NULL) {
        capheap_report_corruption(bad, "free memory was written (use after free)");
    }
    return bad == NULL;
}

static void give_back(capheap_tlsf_t *t, uint8_t *payload, size_t usable);

/* mark is the watermark from before the block was taken. A block whose fill
 * was written is reported and given back as it is, so that the allocation
 * fails with the heap unchanged (what capheap/port.h promises when the
 * corruption handler returns) and the written bytes stay visible. */
static void *prepare(capheap_tlsf_t *t, uint8_t *payload, size_t size, size_t mark) {
    if (payload == NULL) {
        return NULL;
    }
    if (COMPREHENSIVE) {
        size_t usable = capheap_tlsf_usable_size(payload);
        if (!fresh_intact(payload, usable)) {
            give_back(t, payload, usable);
            (void)capheap_tlsf_set_min_free(t, mark);
            return NULL;
        }
        capheap_block_fill(payload, ALLOC_FILL, usable);
    }
    return arm(t, payload, size);
}

void *capheap_poison_malloc(capheap_tlsf_t *t, size_t size) {
    if (size == 0 || size > SIZE_MAX - OVERHEAD) {
        return NULL;
    }
    size_t mark = capheap_tlsf_counters(t)->min_free_bytes;
    return prepare(t, capheap_tlsf_malloc(t, size + OVERHEAD), size, mark);
}

void *capheap_poison_memalign(capheap_tlsf_t *t, size_t size, size_t align, size_t offset) {
    if (size == 0 || size > SIZE_MAX - OVERHEAD) {
        return NULL;
    }
    size_t mark = capheap_tlsf_counters(t)->min_free_bytes;
    return prepare(t, capheap_tlsf_memalign(t, size + OVERHEAD, align, offset + HEAD), size, mark);
}

capheap_fault_t capheap_poison_validate(const capheap_tlsf_t *t, const void *p) {
    uintptr_t a = (uintptr_t)p;
    if (a < (uintptr_t)capheap_tlsf_blocks_begin(t) + H + HEAD || a >= (uintptr_t)capheap_tlsf_blocks_end(t)) {
        return CAPHEAP_FAULT_OUTSIDE;
    }
    const uint8_t *payload = (const uint8_t *)p - HEAD;
    capheap_fault_t fault = capheap_tlsf_validate(t, payload);
    /* A block freed into the free block before it has no header left: the
     * free filled it, and the head after it. Free fill where a header and a
     * head should be is free memory (a live block's header never reads so):
     * most likely a second free, though a pointer into memory never handed
     * out, or into user data of 0xFE bytes, reads the same. */
    if (COMPREHENSIVE && fault == CAPHEAP_FAULT_NOT_A_BLOCK && fill_broken(payload - H, H + HEAD) == NULL) {
        return CAPHEAP_FAULT_FREE_MEMORY;
    }
    if (fault != CAPHEAP_FAULT_NONE) {
        return fault;
    }
    const poison_head_t *head = head_of(p);
    if (head->magic == FREED_CANARY) {
        return CAPHEAP_FAULT_FREED_CANARY;
    }
    /* A block too small for the canaries (its header's size overwritten) is
     * no allocation: its size, less the overhead, would wrap. */
    size_t usable = capheap_tlsf_usable_size(payload);
    if (usable < OVERHEAD) {
        return CAPHEAP_FAULT_NOT_A_BLOCK;
    }
    if (head->magic != HEAD_CANARY || head->size > usable - OVERHEAD || !pad_intact(payload)) {
        return CAPHEAP_FAULT_HEAD_CANARY;
    }
    if (!tail_intact(p, head->size)) {
        return CAPHEAP_FAULT_TAIL_CANARY;
    }
    return CAPHEAP_FAULT_NONE;
}

/* Fills with FREE_FILL the part of [lo, hi) inside the interior of span. */
static void refill(capheap_tlsf_span_t span, const uint8_t *lo, const uint8_t *hi) {
    const uint8_t *ilo, *ihi;
    free_interior(span.start + H, span.size - H, &ilo, &ihi);
    lo = lo > ilo ? lo : ilo;
    hi = hi < ihi ? hi : ihi;
    if (lo < hi) {
        capheap_block_fill((uint8_t *)(uintptr_t)lo, FREE_FILL, (size_t)(hi - lo));
    }
}

/* Frees the sound allocation p. */
static void release(capheap_tlsf_t *t, void *p) {
    uint8_t *payload = (uint8_t *)p - HEAD;
#if CAPHEAP_TASK_TRACKING
    capheap_task_stats_free(head_of(p)->owner, t, head_of(p)->size);
#endif
    head_of(p)->magic = FREED_CANARY;
    if (!COMPREHENSIVE) {
        (void)capheap_tlsf_free(t, payload);
        return;
    }
    /* All but the links' place: with a head longer than the links (task
     * tracking, or the padding of a grain of 16 on 32-bit) its rest too. */
    size_t usable = capheap_tlsf_usable_size(payload);
    capheap_block_fill(payload + LINKS, FREE_FILL, usable - LINKS);
    give_back(t, payload, usable);
}

/* Frees the taken block with this payload. Coalescing leaves the old
 * neighbours' headers, links and footers inside the new free block, around
 * the block's two edges: the footer of the block before it, its own header
 * and links, the header and links of the block after it. They get the fill
 * back, and nothing else does: the rest of the block is the caller's (a block
 * prepare found written keeps the written bytes, past its links and up to
 * its last word, which the free writes a footer over only when it merges with
 * no block after it, and then that footer ends the new free block). */
static void give_back(capheap_tlsf_t *t, uint8_t *payload, size_t usable) {
    capheap_tlsf_span_t span = capheap_tlsf_free(t, payload);
    uint8_t *start = payload - H;
    uint8_t *end = payload + usable;
    refill(span, start - FOOT, start + H + LINKS);
    refill(span, end, end + H + LINKS);
}

void capheap_poison_free(capheap_tlsf_t *t, void *p) {
    capheap_fault_t fault = capheap_poison_validate(t, p);
    if (fault != CAPHEAP_FAULT_NONE) {
        if (p != NULL) { /* NULL does nothing (as capheap_tlsf_free_checked) */
            capheap_report_fault(p, fault);
        }
        return;
    }
    release(t, p);
}

/* Light poisoning's realloc: the region allocator resizes the allocation p
 * in place, or moves it when move is set; the canaries are armed again for
 * size. NULL, p untouched, when it cannot. */
static void *realloc_light(capheap_tlsf_t *t, void *p, size_t size, bool move) {
    if (size > SIZE_MAX - OVERHEAD) {
        return NULL;
    }
#if CAPHEAP_TASK_TRACKING
    void *owner = head_of(p)->owner;
    size_t old = head_of(p)->size;
#endif
    uint8_t *payload = (uint8_t *)p - HEAD;
    if (move) {
        payload = capheap_tlsf_realloc(t, payload, size + OVERHEAD);
    } else if (!capheap_tlsf_resize(t, payload, size + OVERHEAD)) {
        payload = NULL;
    }
    if (payload == NULL) {
        return NULL;
    }
#if CAPHEAP_TASK_TRACKING
    capheap_task_stats_free(owner, t, old); /* the caller takes the block over */
#endif
    return arm(t, payload, size);
}

void *capheap_poison_realloc(capheap_tlsf_t *t, void *p, size_t size) {
    if (!COMPREHENSIVE) {
        return realloc_light(t, p, size, true);
    }
    /* Moves always, so that every free byte keeps its fill. */
    void *moved = capheap_poison_malloc(t, size);
    if (moved != NULL) {
        size_t old = head_of(p)->size;
        capheap_block_copy(moved, p, old < size ? old : size);
        release(t, p);
    }
    return moved;
}

bool capheap_poison_resize(capheap_tlsf_t *t, void *p, size_t size) {
    return !COMPREHENSIVE && realloc_light(t, p, size, false) != NULL;
}

size_t capheap_poison_usable_size(const void *p) { return head_of(p)->size; }

void *capheap_poison_user_ptr(void *payload) { return (uint8_t *)payload + HEAD; }

void *capheap_poison_payload(const void *p) { return (uint8_t *)(uintptr_t)p - HEAD; }

#if CAPHEAP_TASK_TRACKING
void *capheap_poison_owner(const void *p) { return capheap_task_stats_task_of(head_of(p)->owner); }

void *capheap_poison_owner_word(const void *p) { return head_of(p)->owner; }
#endif

size_t capheap_poison_user_size(void *payload, size_t usable) {
    (void)usable;
    return head_at(payload)->size;
}

static bool fill_free_block(void *payload, size_t usable, bool used, void *user) {
    (void)user;
    if (!used) {
        const uint8_t *lo, *hi;
        free_interior(payload, usable, &lo, &hi);
        capheap_block_fill((uint8_t *)(uintptr_t)lo, FREE_FILL, (size_t)(hi - lo));
    }
    return true;
}

void capheap_poison_new_heap(capheap_tlsf_t *t) {
    if (COMPREHENSIVE) {
        capheap_tlsf_walk(t, fill_free_block, NULL);
    }
}

void capheap_poison_check_block(void *payload, size_t usable, bool used, capheap_poison_fault_t fault,
                                void *user) {
    if (used) {
        const char *why = NULL;
        poison_head_t *head = head_at(payload);
        if (head->magic != HEAD_CANARY || head->size > usable - OVERHEAD || !pad_intact(payload)) {
            why = "bad head canary";
        } else if (!tail_intact((uint8_t *)payload + HEAD, head->size)) {
            why = "bad tail canary (written past the end)";
        }
        if (why != NULL) {
            fault((uint8_t *)payload + HEAD, why, user);
        }
        return;
    }
    if (!COMPREHENSIVE) {
        return;
    }
    const uint8_t *lo, *hi;
    free_interior(payload, usable, &lo, &hi);
    const uint8_t *bad = fill_broken(lo, (size_t)(hi - lo));
    if (bad != NULL) {
        fault(bad, "free memory was written (use after free)", user);
    }
}

#endif /* CAPHEAP_POISONING_LEVEL > 0 */
