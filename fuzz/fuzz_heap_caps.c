/*
 * fuzz_heap_caps.c: libFuzzer target for the capabilities layer over a built-in
 * board, memory at the chip's addresses on this host: esp32 (its D/IRAM's
 * instruction-bus window inverted), or FUZZ_BOARD when built with it
 * (fuzz_heap_caps_esp32s3: esp32s3-noprot, whose window is linear;
 * fuzz_heap_caps_psram: esp32s2-psram, 2 MiB of PSRAM whose 32-byte cache
 * lines align DMA requests that name SPIRAM, and its malloc policy;
 * fuzz_heap_caps_esp32p4: esp32p4, internal memory behind 64-byte cache
 * lines, types with SIMD, RETENTION and SPM).
 *
 * The input is decoded into operations (format in fuzz/README.md): allocations
 * of every heap_caps kind with caps masks from the input, realloc, free, heaps
 * added from host buffers or from the board's reserved ranges or made of live
 * allocations, misuse. The
 * shadow keeps every live block and after each operation:
 *  - heap_caps_check_integrity_all passes and no corruption was reported;
 *  - each block, taken back to its data addresses (an EXEC block of D/IRAM is
 *    handed out through the instruction-bus window: the board's table says
 *    where its bytes are), lies inside one board region or added buffer
 *    whose caps cover what was asked, and overlaps no other block;
 *  - an EXEC request served from aliased memory got the window address;
 *  - get_info counts exactly the live blocks;
 *  - no heap's fail floor (src/multi_heap_internal.h) is at or below the
 *    largest request it serves, so the fast path never passes over a heap
 *    that has room;
 * and blocks keep their per-block pattern (all compared every 16 operations
 * and at the end). Once everything is freed, the free size under each of a set
 * of caps masks is back to what the heaps had when empty.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capheap.h"
#include "capheap/port.h"
#include "caps_oracle.h" /* tests/ */
#include "esp_memory_utils.h"
#include "multi_heap_internal.h"
#include "registry.h"

#define FUZZ_TARGET_NAME "fuzz_heap_caps.c"
#include "fuzz_input.h"

#define SLOTS     48
#define BUFS      4
#define KEYS      4096u
/* Above the largest heap of the board fuzzed (esp32s3's D/IRAM: 330 KiB;
 * FUZZ_MAX_BLOCK for a board with PSRAM or a larger heap), as the edge
 * sizes follow the largest free block. */
#ifndef FUZZ_MAX_BLOCK
#define FUZZ_MAX_BLOCK (512u * 1024)
#endif
#define MAX_BLOCK ((size_t)(FUZZ_MAX_BLOCK))

#define CAP(x) MALLOC_CAP_##x

/* ---- the pattern ---------------------------------------------------------- */

static uint8_t pattern[KEYS + MAX_BLOCK];

static void make_pattern(void) { fill_pattern(pattern, sizeof pattern, 0xBB67AE8584CAA73BULL); }

/* ---- the shadow ----------------------------------------------------------- */

typedef struct {
    uint8_t *user;   /* what the call returned; NULL: empty slot */
    size_t usable;   /* heap_caps_get_allocated_size; the pattern fills it */
    size_t key;
    uint8_t *lo, *hi; /* its bytes in data addresses */
} blk_t;

typedef struct {
    uint8_t *base; /* what malloc gave; NULL: not taken */
    uint8_t *mem;  /* the heap's range: mem .. mem + size */
    size_t size;
    uint32_t caps; /* OR of the three masks it was added with; 0: not a heap */
} buf_t;

/* Caps masks whose free size is followed from the empty heaps to the end. */
static const uint32_t probe_masks[] = {0, CAP(8BIT), CAP(32BIT), CAP(EXEC), CAP(DMA), CAP(INTERNAL), CAP(DEFAULT)};
#define PROBES (sizeof probe_masks / sizeof probe_masks[0])

typedef struct {
    uint8_t *user;    /* the allocation made a heap: never freed again */
    uint8_t *lo, *hi; /* the heap made of it */
    uint32_t caps;    /* OR of its three masks */
} pin_t;

typedef struct {
    const capheap_board_t *board;
    intptr_t off; /* host address - chip address */
    blk_t slot[SLOTS];
    buf_t buf[BUFS];
    pin_t pin[CAPHEAP_NESTED_HEAPS]; /* allocations made heaps (op_nest), inner ones later */
    size_t pins;
    uint32_t reserved_added; /* bit i: reserved range i was given to heap_caps_add_region */
    size_t empty_free[PROBES]; /* free size under probe_masks[j] with no block live */
    size_t next_key;
} fuzz_t;

static void write_pattern(const blk_t *b, size_t from) {
    memcpy(b->user + from, pattern + b->key + from, b->usable - from);
}

static void check_pattern(const blk_t *b, size_t len) {
    if (memcmp(b->user, pattern + b->key, len) != 0) {
        fail(__LINE__, "a block lost its contents");
    }
}

/* ---- where a block's bytes are ----------------------------------------------- */

static uintptr_t host(const fuzz_t *f, uintptr_t chip) { return chip + (uintptr_t)f->off; }

/* The board region whose instruction-bus window holds p, or NULL. */
static const capheap_region_t *window_of(const fuzz_t *f, const uint8_t *p) {
    for (size_t i = 0; i < f->board->region_count; i++) {
        const capheap_region_t *r = &f->board->regions[i];
        if (r->alias.kind != CAPHEAP_ALIAS_NONE && (uintptr_t)p - host(f, r->alias.start) < r->size) {
            return r;
        }
    }
    return NULL;
}

/* The data addresses of [p, p + usable). Through a linear window byte b of the
 * region is at window + b; through an inverted one the window shows the
 * region's words in reverse order, so the block's window [p, p + u) holds the
 * data bytes [k - p - u, k - p) with k = window start + region end. */
static void data_range(const fuzz_t *f, uint8_t *p, size_t usable, uint8_t **lo, uint8_t **hi) {
    const capheap_region_t *r = window_of(f, p);
    if (r == NULL) {
        *lo = p, *hi = p + usable;
        return;
    }
    uintptr_t ws = host(f, r->alias.start), rs = host(f, r->start);
    if (r->alias.kind == CAPHEAP_ALIAS_LINEAR) {
        *lo = (uint8_t *)(rs + ((uintptr_t)p - ws));
    } else {
        uintptr_t k = ws + rs + r->size;
        CHECK((uintptr_t)p % 4 == 0 && usable % 4 == 0); /* whole chip words */
        *lo = (uint8_t *)(k - (uintptr_t)p - usable);
    }
    *hi = *lo + usable;
}

/* OR of the caps of the added buffer or board region that holds all of
 * [lo, hi) (what capheap_ptr_caps answers, heaps made of allocations left
 * out); fails when none does. *aliased: that memory has a window. */
static uint32_t board_caps_of(const fuzz_t *f, const uint8_t *lo, const uint8_t *hi, bool *aliased) {
    for (size_t i = 0; i < BUFS; i++) {
        const buf_t *b = &f->buf[i];
        if (b->mem != NULL && lo >= b->mem && hi <= b->mem + b->size) {
            *aliased = false;
            return b->caps;
        }
    }
    for (size_t i = 0; i < f->board->region_count; i++) {
        const capheap_region_t *r = &f->board->regions[i];
        uintptr_t rs = host(f, r->start);
        if ((uintptr_t)lo >= rs && (uintptr_t)hi <= rs + r->size) {
            const uint32_t *c = f->board->types[r->type].caps;
            *aliased = r->alias.kind != CAPHEAP_ALIAS_NONE;
            return c[0] | c[1] | c[2];
        }
    }
    fail(__LINE__, "a block is outside every region and added buffer");
    return 0;
}

/* board_caps_of, but the caps of the innermost heap made of an allocation
 * when one holds [lo, hi) (its memory keeps its window, if any). */
static uint32_t container_caps(const fuzz_t *f, const uint8_t *lo, const uint8_t *hi, bool *aliased) {
    uint32_t caps = board_caps_of(f, lo, hi, aliased);
    for (size_t i = f->pins; i > 0; i--) {
        const pin_t *p = &f->pin[i - 1];
        if (lo >= p->lo && hi <= p->hi) {
            return p->caps;
        }
    }
    return caps;
}

/* The caps the matching rule sees, and the alignment the board's cache lines
 * and SIMD ask, come from tests/caps_oracle.h. SIMD memory is where a type
 * or an added buffer has SIMD in its caps (esp32p4's L2 memory, the PSRAM
 * boards' PSRAM, buffers added so). An aligned request's block is
 * aligned so and its size rounded up to it; its failure says less than the
 * largest free block (an aligned block needs room for its front gap too). */
static size_t hw_align(uint32_t caps) { return oracle_hw_align(caps, capheap_current_board()->cache, MULTI_HEAP_ALIGN); }

/* What a request for caps may give: a nonzero size, caps with a bit, without
 * MALLOC_CAP_INVALID, and no EXEC with 8BIT or DMA (after oracle_rule_caps). */
static bool request_valid(size_t size, uint32_t caps) {
    caps = oracle_rule_caps(caps);
    return size != 0 && caps != 0 && (caps & CAP(INVALID)) == 0 &&
           !((caps & CAP(EXEC)) && (caps & (CAP(8BIT) | CAP(DMA))));
}

/* The size a request really needs: 32BIT (implied by EXEC) rounds up to 4,
 * and an aligned request to its alignment. */
static size_t adjusted(size_t size, uint32_t caps) {
    size_t align = hw_align(caps);
    size_t round = align != 0 ? align : (caps & (CAP(EXEC) | CAP(32BIT))) ? 4 : 1;
    return size <= SIZE_MAX - (round - 1) ? (size + round - 1) & ~(round - 1) : size;
}

/* Memory with caps have may serve a request for caps (EXEC implies 32BIT). */
static bool covers(uint32_t have, uint32_t caps) {
    caps = oracle_rule_caps(caps);
    uint32_t need = caps & CAP(EXEC) ? caps | CAP(32BIT) : caps;
    return (have & need) == need;
}

/* The shadow record of p, returned for asked bytes with caps: its memory
 * covers caps, and EXEC from aliased memory came through the window. Caps 0
 * gives nothing new, but a realloc with caps 0 may resize within the heap
 * (every heap covers 0), as ESP-IDF's does. */
static blk_t describe(fuzz_t *f, uint8_t *p, size_t asked, uint32_t caps) {
    CHECK(request_valid(asked, caps) || (asked != 0 && oracle_rule_caps(caps) == 0));
    blk_t b = {p, heap_caps_get_allocated_size(p), f->next_key, NULL, NULL};
    f->next_key = (f->next_key + 1447) % KEYS;
    CHECK(b.usable >= adjusted(asked, caps) && b.usable <= MAX_BLOCK);
    data_range(f, p, b.usable, &b.lo, &b.hi);
    bool aliased;
    uint32_t have = container_caps(f, b.lo, b.hi, &aliased);
    CHECK(covers(have, caps));
    CHECK(!(caps & CAP(EXEC)) || !aliased || window_of(f, p) != NULL);
    return b;
}

/* ---- verification ----------------------------------------------------------- */

static struct {
    int count;
} reports;

static void record(const void *addr, const char *what, void *user) {
    (void)addr, (void)what, (void)user;
    reports.count++;
}

static size_t failed_hook_calls;

static void on_failed_alloc(size_t size, uint32_t caps, const char *function_name) {
    (void)size, (void)caps, (void)function_name;
    failed_hook_calls++;
}

static int by_lo(const void *x, const void *y) {
    const blk_t *a = x, *b = y;
    return a->lo < b->lo ? -1 : a->lo > b->lo;
}

/* No two live blocks share a data byte (window blocks included), and
 * get_info over all heaps counts exactly them. */
static void verify_blocks(const fuzz_t *f) {
    blk_t sorted[SLOTS];
    size_t n = 0;
    for (size_t s = 0; s < SLOTS; s++) {
        if (f->slot[s].user != NULL) {
            sorted[n++] = f->slot[s];
        }
    }
    qsort(sorted, n, sizeof sorted[0], by_lo);
    for (size_t i = 1; i < n; i++) {
        CHECK(sorted[i - 1].hi <= sorted[i].lo);
    }
    multi_heap_info_t info;
    heap_caps_get_info(&info, 0);
    CHECK(info.allocated_blocks == n + f->pins); /* an allocation made a heap stays allocated */
    CHECK(info.total_free_bytes == heap_caps_get_free_size(0));
}

static void verify_contents(const fuzz_t *f) {
    for (size_t s = 0; s < SLOTS; s++) {
        if (f->slot[s].user != NULL) {
            check_pattern(&f->slot[s], f->slot[s].usable);
        }
    }
}

static void verify_floors(void) {
    for (size_t i = 0; i < capheap_registry_count(); i++) {
        multi_heap_handle_t mh = capheap_heap_handle(capheap_registry_at(i));
        if (mh != NULL) {
            CHECK(capheap_multi_heap_fail_floor(mh) > capheap_multi_heap_largest_free(mh));
        }
    }
}

static void verify(const fuzz_t *f) {
    verify_floors();
    if (!heap_caps_check_integrity_all(false)) {
        heap_caps_check_integrity_all(true);
        fail(__LINE__, "heap_caps_check_integrity_all");
    }
    CHECK(reports.count == 0);
    verify_blocks(f);
    if (op_index % 16 == 0) {
        verify_contents(f);
    }
}

/* ---- decoding --------------------------------------------------------------- */

/* A caps mask: u8 b, each bit one of the caps the board's types use; 0xFF
 * means any 32 bits (INVALID and the PIDs included). */
static uint32_t take_caps(input_t *in) {
    static const uint32_t bit[8] = {CAP(EXEC), CAP(32BIT), CAP(8BIT), CAP(DMA),
                                    CAP(INTERNAL), CAP(DEFAULT), CAP(SPIRAM), CAP(RTCRAM)};
    uint8_t b = take8(in);
    if (b == 0xFF) {
        return take32(in);
    }
    uint32_t caps = 0;
    for (unsigned i = 0; i < 8; i++) {
        caps |= b >> i & 1u ? bit[i] : 0;
    }
    return caps;
}

static size_t largest_under(void *caps) { return heap_caps_get_largest_free_block(*(uint32_t *)caps); }

/* Sizes as in fuzz_multi_heap.c, the edges taken from the heaps with caps. */
static size_t take_size(input_t *in, uint32_t caps) {
    return take_size_of(in, 16384, MAX_BLOCK - 1024, largest_under, &caps);
}

/* ---- allocation operations ---------------------------------------------------- */

/* Frees slot s: heap_caps_free, heap_caps_aligned_free or realloc to 0. */
static void release(fuzz_t *f, size_t s, unsigned how) {
    blk_t *b = &f->slot[s];
    if (b->user == NULL) {
        return;
    }
    check_pattern(b, b->usable);
    if (how == 0) {
        heap_caps_free(b->user);
    } else if (how == 1) {
        heap_caps_aligned_free(b->user);
    } else {
        CHECK(heap_caps_realloc(b->user, 0, CAP(8BIT)) == NULL);
    }
    b->user = NULL;
}

/* An allocation on a busy slot frees it first, as a step of its own. */
static void vacate(fuzz_t *f, size_t s) {
    if (f->slot[s].user != NULL) {
        release(f, s, 0);
        verify(f);
    }
}

static void adopt(fuzz_t *f, size_t s, uint8_t *p, size_t asked, uint32_t caps, bool zeroed) {
    f->slot[s] = describe(f, p, asked, caps);
    for (size_t i = 0; zeroed && i < asked; i++) {
        CHECK(p[i] == 0);
    }
    write_pattern(&f->slot[s], 0);
}

/* The largest request that caps can still be given, as the size queries say. */
static size_t largest_for(uint32_t caps) {
    caps = oracle_rule_caps(caps);
    return heap_caps_get_largest_free_block(caps & CAP(EXEC) ? caps | CAP(32BIT) : caps);
}

/* A failed plain request was a valid one only if no heap with caps had room
 * (for EXEC in a window, largest_for says what its placement leaves). */
static void check_failure(size_t size, uint32_t caps, size_t largest) {
    if (request_valid(size, caps) && hw_align(caps) == 0) {
        CHECK(adjusted(size, caps) > largest);
    }
}

static void op_malloc(fuzz_t *f, input_t *in, size_t s) {
    vacate(f, s);
    uint32_t caps = take_caps(in);
    size_t size = take_size(in, caps);
    size_t largest = largest_for(caps), hooks = failed_hook_calls;
    uint8_t *p = heap_caps_malloc(size, caps);
    CHECK(failed_hook_calls - hooks == (p == NULL && size != 0));
    if (p == NULL) {
        check_failure(size, caps, largest);
        return;
    }
    CHECK(hw_align(caps) == 0 || (uintptr_t)p % hw_align(caps) == 0);
    adopt(f, s, p, size, caps, false);
}

static void op_calloc(fuzz_t *f, input_t *in, size_t s) {
    vacate(f, s);
    size_t n = 1 + take8(in) % 16;
    uint32_t caps = take_caps(in);
    size_t size = take_size(in, caps);
    size_t largest = largest_for(caps);
    uint8_t *p = heap_caps_calloc(n, size, caps);
    if (size > SIZE_MAX / n) {
        CHECK(p == NULL);
        return;
    }
    if (p == NULL) {
        check_failure(n * size, caps, largest);
        return;
    }
    adopt(f, s, p, n * size, caps, true);
}

/* Mostly powers of two up to 4 KiB; bytes from 0xF0 give a bad alignment. */
static size_t take_align(input_t *in) {
    uint8_t a = take8(in);
    return a < 0xF0 ? (size_t)1 << (a % 13) : (size_t)(a & 0x0F) * 3;
}

static void op_aligned(fuzz_t *f, input_t *in, size_t s, bool zeroed) {
    vacate(f, s);
    size_t align = take_align(in), n = zeroed ? 1 + take8(in) % 4 : 1;
    uint32_t caps = take_caps(in);
    size_t size = take_size(in, caps);
    uint8_t *p = zeroed ? heap_caps_aligned_calloc(align, n, size, caps) : heap_caps_aligned_alloc(align, size, caps);
    if (p == NULL) {
        return;
    }
    CHECK(align != 0 && (align & (align - 1)) == 0 && (uintptr_t)p % align == 0);
    CHECK(size <= SIZE_MAX / n);
    adopt(f, s, p, n * size, caps, zeroed);
}

/* Resizes slot s into memory with caps; contents up to the smaller usable
 * size survive, a failure leaves the block untouched. */
static void resize(fuzz_t *f, size_t s, size_t size, uint32_t caps) {
    blk_t old = f->slot[s];
    size_t largest = largest_for(caps);
    uint8_t *q = heap_caps_realloc(old.user, size, caps);
    if (q == NULL) {
        check_failure(size, caps, largest);
        check_pattern(&old, old.usable);
        return;
    }
    blk_t b = describe(f, q, size, caps);
    b.key = old.key;
    bool aliased;
    CHECK(oracle_rule_caps(caps) != 0 ||
          container_caps(f, b.lo, b.hi, &aliased) == container_caps(f, old.lo, old.hi, &aliased));
    size_t kept = old.usable < size ? old.usable : size; /* what realloc promises to keep */
    check_pattern(&b, kept);
    write_pattern(&b, kept);
    f->slot[s] = b;
}

static void op_realloc(fuzz_t *f, input_t *in, size_t s) {
    uint32_t caps = take_caps(in);
    size_t size = take_size(in, caps);
    if (f->slot[s].user == NULL) {
        size_t largest = largest_for(caps);
        uint8_t *p = heap_caps_realloc(NULL, size, caps);
        if (p == NULL) {
            check_failure(size, caps, largest);
        } else {
            adopt(f, s, p, size, caps, false);
        }
    } else if (size == 0) {
        release(f, s, 2);
    } else {
        resize(f, s, size, caps);
    }
}

/* Whether the block p in memory with caps have could have been served for
 * caps: memory that covers them, and an EXEC block from aliased memory is
 * handed out through the window. (A prefer call whose EXEC mask failed, as
 * a window's placement may make it, can be served by its next mask from the
 * same heap at a data address.) */
static bool served_for(fuzz_t *f, uint8_t *p, uint32_t have, bool aliased, uint32_t caps) {
    return covers(have, caps) && (!(caps & CAP(EXEC)) || !aliased || window_of(f, p) != NULL);
}

/* And the block is aligned and sized as a request of asked bytes for caps
 * would be: a mask that asks for a cache line may have failed for the front
 * gap alone, and the next served the block from the same memory. */
static bool shaped_for(uint8_t *p, size_t asked, uint32_t caps) {
    size_t align = hw_align(caps);
    return align == 0 || ((uintptr_t)p % align == 0 && heap_caps_get_allocated_size(p) >= adjusted(asked, caps));
}

/* malloc_prefer with two masks: the block covers one of them. */
static void op_prefer(fuzz_t *f, input_t *in, size_t s) {
    vacate(f, s);
    uint32_t first = take_caps(in), second = take_caps(in);
    size_t size = take_size(in, first);
    size_t largest1 = largest_for(first), largest2 = largest_for(second);
    uint8_t *p = heap_caps_malloc_prefer(size, 2, first, second);
    if (p == NULL) {
        check_failure(size, first, largest1);
        check_failure(size, second, largest2);
        return;
    }
    uint8_t *lo, *hi;
    bool aliased;
    data_range(f, p, heap_caps_get_allocated_size(p), &lo, &hi);
    uint32_t have = container_caps(f, lo, hi, &aliased);
    bool first_ok = request_valid(size, first) && served_for(f, p, have, aliased, first) && shaped_for(p, size, first);
    adopt(f, s, p, size, first_ok ? first : second, false);
}

/* calloc_prefer on an empty slot, realloc_prefer on a busy one, with two masks. */
static void op_prefer_more(fuzz_t *f, input_t *in, size_t s) {
    size_t n = 1 + take8(in) % 8;
    uint32_t first = take_caps(in), second = take_caps(in);
    size_t size = take_size(in, first);
    blk_t old = f->slot[s];
    uint8_t *p = old.user == NULL ? heap_caps_calloc_prefer(n, size, 2, first, second)
                                  : heap_caps_realloc_prefer(old.user, size, 2, first, second);
    size_t asked = old.user == NULL ? n * size : size;
    if (old.user == NULL && size > SIZE_MAX / n) {
        CHECK(p == NULL);
        return;
    }
    if (p == NULL) {
        if (old.user != NULL && size != 0) {
            check_pattern(&old, old.usable); /* untouched */
        }
        f->slot[s].user = old.user != NULL && size == 0 ? NULL : old.user; /* realloc to 0 frees */
        return;
    }
    uint8_t *lo, *hi;
    bool aliased;
    data_range(f, p, heap_caps_get_allocated_size(p), &lo, &hi);
    uint32_t have = container_caps(f, lo, hi, &aliased);
    /* caps 0 can only have resized in place (see describe) */
    bool first_ok = (request_valid(asked, first) || oracle_rule_caps(first) == 0) &&
                    served_for(f, p, have, aliased, first) && shaped_for(p, asked, first);
    uint32_t caps = first_ok ? first : second;
    if (old.user == NULL) {
        adopt(f, s, p, asked, caps, true);
        return;
    }
    blk_t b = describe(f, p, asked, caps);
    b.key = old.key;
    size_t kept = old.usable < size ? old.usable : size;
    check_pattern(&b, kept);
    write_pattern(&b, kept);
    f->slot[s] = b;
}

static void op_free(fuzz_t *f, input_t *in, size_t s) {
    unsigned how = take8(in) % 3;
    if (f->slot[s].user == NULL) {
        heap_caps_free(NULL); /* a no-op */
        return;
    }
    release(f, s, how);
}

/* ---- heaps added at run time -------------------------------------------------- */

static void free_sizes(size_t out[PROBES]) {
    for (size_t j = 0; j < PROBES; j++) {
        out[j] = heap_caps_get_free_size(probe_masks[j]);
    }
}

/* Adds [lo, hi) with caps; the empty free sizes grow by what the new heap has.
 * A range no registered heap overlaps is accepted unless too small. */
static esp_err_t add_heap(fuzz_t *f, const uint32_t caps[3], uint8_t *lo, uint8_t *hi, bool board_caps) {
    size_t before[PROBES], after[PROBES];
    free_sizes(before);
    esp_err_t err = board_caps ? heap_caps_add_region((intptr_t)lo, (intptr_t)hi)
                               : heap_caps_add_region_with_caps(caps, (intptr_t)lo, (intptr_t)hi);
    CHECK(err == ESP_OK || err == ESP_ERR_NO_MEM);
    free_sizes(after);
    for (size_t j = 0; j < PROBES; j++) {
        CHECK(err == ESP_OK ? after[j] >= before[j] : after[j] == before[j]);
        f->empty_free[j] += after[j] - before[j];
    }
    return err;
}

/* A range overlapping a heap (the same, inside, across an edge) is refused
 * with ESP_FAIL and changes nothing. */
static void add_overlapping(const uint32_t caps[3], uint8_t *lo, uint8_t *hi, uint8_t how) {
    size_t len = (size_t)(hi - lo), cut = 1 + how % 64;
    uint8_t *a = lo, *b = hi;
    switch (how >> 6) {
    case 1: a = lo + len / 2; break;       /* inside */
    case 2: a = lo - cut, b = lo + cut; break; /* across the start */
    case 3: a = hi - cut, b = hi + cut; break; /* across the end */
    default: break;                        /* the same range */
    }
    size_t before = heap_caps_get_free_size(0);
    CHECK(heap_caps_add_region_with_caps(caps, (intptr_t)a, (intptr_t)b) == ESP_FAIL);
    CHECK(heap_caps_get_free_size(0) == before);
}

/* u8 buffer, u16 size, u8 skew, three caps masks, u8 how: buffer i becomes
 * a heap, or, once it is one, is added again in part (refused). */
static void op_add_buffer(fuzz_t *f, input_t *in) {
    buf_t *b = &f->buf[take8(in) % BUFS];
    size_t size = 256 + take16(in);
    size_t skew = take8(in) % 8;
    uint32_t caps[3] = {take_caps(in), take_caps(in), take_caps(in)};
    uint8_t how = take8(in);
    if (b->mem != NULL) {
        add_overlapping(caps, b->mem, b->mem + b->size, how);
        return;
    }
    uint8_t *mem = malloc(size + skew);
    CHECK(mem != NULL);
    if (add_heap(f, caps, mem + skew, mem + skew + size, false) != ESP_OK) {
        free(mem);
        return;
    }
    *b = (buf_t){mem, mem + skew, size, caps[0] | caps[1] | caps[2]};
}

/* u8 i: the board's reserved range i becomes a heap with its region's caps
 * (as firmware gives back memory it no longer needs); a second time, refused. */
static void op_add_reserved(fuzz_t *f, input_t *in) {
    size_t i = take8(in) % f->board->reserved_count;
    const capheap_reserved_t *r = &f->board->reserved[i];
    uint8_t *lo = (uint8_t *)host(f, r->start), *hi = (uint8_t *)host(f, r->end);
    if (f->reserved_added >> i & 1u) {
        size_t before = heap_caps_get_free_size(0);
        CHECK(heap_caps_add_region((intptr_t)lo, (intptr_t)hi) == ESP_FAIL);
        CHECK(heap_caps_get_free_size(0) == before);
        return;
    }
    if (add_heap(f, NULL, lo, hi, true) == ESP_OK) {
        f->reserved_added |= 1u << i;
    }
}

/* ---- misuse, queries, drain ---------------------------------------------------- */

static uint8_t not_in_any_heap[64];

/* u8 kind, u8 call: a double free (freed just now), a pointer in no heap, or
 * a misaligned one, passed to free, realloc or get_allocated_size: reported
 * exactly once, the call fails, nothing changes. */
static void op_misuse(fuzz_t *f, input_t *in, size_t s) {
    uint8_t kind = take8(in) % 3, call = take8(in) % 3;
    uint8_t *p = f->slot[s].user;
    if (kind == 0 && p != NULL) {
        release(f, s, 0);
        verify(f);
    } else if (kind == 1) {
        p = not_in_any_heap + 8;
    } else if (p != NULL) {
        p += 1;
    }
    if (p == NULL) {
        return;
    }
    if (call == 0) {
        heap_caps_free(p);
    } else if (call == 1) {
        CHECK(heap_caps_realloc(p, 16, CAP(8BIT)) == NULL);
    } else {
        CHECK(heap_caps_get_allocated_size(p) == 0);
    }
    CHECK(reports.count == 1);
    reports.count = 0;
}

/* esp_memory_utils.h on a live block whose board memory has caps (0 for an
 * added buffer, on no region) and, when windowed, an instruction-bus window:
 * through it (the block's address is not its data address) only EXEC holds. */
static void check_memory_utils(const fuzz_t *f, const blk_t *b, uint32_t caps, bool windowed) {
    bool through_window = b->user != b->lo;
    CHECK(esp_ptr_dma_ext_capable(b->user) ==
          (f->board->extmem.dma_capable && !through_window && (caps & CAP(SPIRAM)) != 0));
    CHECK(esp_ptr_internal(b->user) == ((caps & CAP(INTERNAL)) != 0));
    CHECK(esp_ptr_external_ram(b->user) == ((caps & CAP(SPIRAM)) != 0));
    CHECK(esp_ptr_dma_capable(b->user) ==
          (!through_window && (caps & CAP(DMA)) != 0 && (caps & CAP(SPIRAM)) == 0));
    CHECK(esp_ptr_byte_accessible(b->user) == (!through_window && (caps & CAP(8BIT)) != 0));
    CHECK(esp_ptr_executable(b->user) == ((caps & CAP(EXEC)) != 0 && (through_window || !windowed)));
}

/* The queries by pointer agree with the shadow. */
static void op_query(fuzz_t *f, size_t s) {
    const blk_t *b = &f->slot[s];
    if (b->user == NULL) {
        return;
    }
    CHECK(heap_caps_get_allocated_size(b->user) == b->usable);
    CHECK(heap_caps_get_containing_block_size(b->user) >= b->usable);
    CHECK(heap_caps_check_integrity_addr((intptr_t)b->user, false));
    bool aliased;
    uint32_t have = board_caps_of(f, b->lo, b->hi, &aliased);
    bool in_buffer = false;
    for (size_t i = 0; i < BUFS; i++) {
        in_buffer |= f->buf[i].mem != NULL && b->lo >= f->buf[i].mem && b->lo < f->buf[i].mem + f->buf[i].size;
    }
    CHECK(capheap_ptr_caps(b->user) == (in_buffer ? 0 : have));
    check_memory_utils(f, b, in_buffer ? 0 : have, aliased && !in_buffer);
}

typedef struct {
    const fuzz_t *f;
    size_t used;   /* used blocks seen */
    bool ok;
} walk_t;

/* A used block holds exactly one live shadow block (by data address: an EXEC
 * block's window bytes plus its stored word lie inside its data block); every
 * block lies inside its heap. */
static bool walk_one(walker_heap_into_t heap, walker_block_info_t block, void *user) {
    walk_t *w = user;
    uint8_t *lo = block.ptr, *hi = lo + block.size;
    w->ok &= (intptr_t)lo >= heap.start && (intptr_t)hi <= heap.end;
    if (!block.used) {
        return true;
    }
    w->used++;
    for (size_t i = 0; i < w->f->pins; i++) {
        if (w->f->pin[i].user >= lo && w->f->pin[i].user < hi) {
            return true; /* an allocation made a heap: that heap's blocks lie in it */
        }
    }
    size_t inside = 0;
    for (size_t s = 0; s < SLOTS; s++) {
        const blk_t *b = &w->f->slot[s];
        inside += b->user != NULL && b->lo >= lo && b->hi <= hi;
    }
    w->ok &= inside == 1;
    return true;
}

/* heap_caps_walk_all sees exactly the live blocks. */
static void op_walk(const fuzz_t *f) {
    walk_t w = {f, 0, true};
    heap_caps_walk_all(walk_one, &w);
    size_t live = 0;
    for (size_t s = 0; s < SLOTS; s++) {
        live += f->slot[s].user != NULL;
    }
    CHECK(w.ok && w.used == live + f->pins);
}

/* Everything freed: each probe's free size is what the empty heaps had.
 * Once an allocation was made a heap, its host keeps it, and how much free
 * memory that costs the host depends on where it lies: then get_info's
 * count (verify_blocks: the pinned allocations alone) and the heaps' checks
 * say that everything else came back. */
static void op_drain(fuzz_t *f) {
    for (size_t s = 0; s < SLOTS; s++) {
        release(f, s, 0);
    }
    size_t now[PROBES];
    free_sizes(now);
    for (size_t j = 0; j < PROBES; j++) {
        CHECK(f->pins != 0 || now[j] == f->empty_free[j]);
    }
}

/* ---- heaps made of allocations -------------------------------------------------- */

/* u8 front, u8 back, three caps: [p + front, p + usable - back) of slot's
 * block p becomes a heap, as ESP-IDF allows inside an allocation. Refused
 * (ESP_FAIL) for a block handed out at its instruction-bus address (the
 * range is then window addresses, which overlap the heap's window); else
 * taken, or ESP_ERR_NO_MEM (too small, or too many). In memory with a window
 * the new heap sees its part through the same one. Taken: the block is the
 * new heap's (its blocks are checked against the heap's caps from then on),
 * and a free of it is reported once and changes nothing. */
static void op_nest(fuzz_t *f, input_t *in, size_t s) {
    size_t front = take8(in), back = take8(in);
    uint32_t caps[3] = {take_caps(in), take_caps(in), take_caps(in)};
    blk_t *b = &f->slot[s];
    if (b->user == NULL || front + back >= b->usable) {
        return;
    }
    check_pattern(b, b->usable);
    size_t before = heap_caps_get_free_size(0);
    uint8_t *lo = b->user + front, *hi = b->user + b->usable - back;
    esp_err_t err = heap_caps_add_region_with_caps(caps, (intptr_t)lo, (intptr_t)hi);
    if (window_of(f, b->user) != NULL) {
        CHECK(err == ESP_FAIL);
    } else {
        CHECK(err == ESP_OK || err == ESP_ERR_NO_MEM);
    }
    if (err != ESP_OK) {
        CHECK(heap_caps_get_free_size(0) == before);
        return;
    }
    CHECK(heap_caps_get_free_size(0) > before && f->pins < CAPHEAP_NESTED_HEAPS);
    f->pin[f->pins++] = (pin_t){b->user, lo, hi, caps[0] | caps[1] | caps[2]};
    b->user = NULL;
    size_t now = heap_caps_get_free_size(0);
    heap_caps_free(f->pin[f->pins - 1].user);
    CHECK(reports.count == 1 && heap_caps_get_free_size(0) == now);
    reports.count = 0;
}

/* ---- the run ------------------------------------------------------------------- */

enum { OP_MALLOC, OP_CALLOC, OP_REALLOC, OP_ALIGNED, OP_ALIGNED_CALLOC, OP_PREFER, OP_FREE,
       OP_ADD_BUFFER, OP_ADD_RESERVED, OP_MISUSE, OP_QUERY, OP_DRAIN, OP_PREFER_MORE, OP_WALK, OP_NEST, OP_COUNT };

/* FUZZ_TRACE=1 in the environment prints each operation (to read a crash). */
static bool tracing;

static void step(fuzz_t *f, input_t *in) {
    uint8_t op = take8(in) % OP_COUNT;
    size_t s = take8(in) % SLOTS;
    if (tracing) {
        fprintf(stderr, "op %zu: %u on slot %zu (%p), %zu bytes of input left\n", op_index, op, s,
                (void *)f->slot[s].user, in->n);
    }
    switch (op) {
    case OP_MALLOC: op_malloc(f, in, s); break;
    case OP_CALLOC: op_calloc(f, in, s); break;
    case OP_REALLOC: op_realloc(f, in, s); break;
    case OP_ALIGNED: op_aligned(f, in, s, false); break;
    case OP_ALIGNED_CALLOC: op_aligned(f, in, s, true); break;
    case OP_PREFER: op_prefer(f, in, s); break;
    case OP_FREE: op_free(f, in, s); break;
    case OP_ADD_BUFFER: op_add_buffer(f, in); break;
    case OP_ADD_RESERVED: op_add_reserved(f, in); break;
    case OP_MISUSE: op_misuse(f, in, s); break;
    case OP_QUERY: op_query(f, s); break;
    case OP_PREFER_MORE: op_prefer_more(f, in, s); break;
    case OP_WALK: op_walk(f); break;
    case OP_NEST: op_nest(f, in, s); break;
    default: op_drain(f); break;
    }
}

#ifndef FUZZ_BOARD
#define FUZZ_BOARD "esp32"
#endif

static void open_board(fuzz_t *f) {
    CHECK(capheap_init(FUZZ_BOARD) == ESP_OK);
    CHECK(heap_caps_register_failed_alloc_callback(on_failed_alloc) == ESP_OK);
    f->board = capheap_current_board();
    f->off = capheap_host_offset();
    CHECK(f->board != NULL && f->board->reserved_count <= 32);
    free_sizes(f->empty_free);
}

/* Frees everything, checks the sizes, and gives the memory back. */
static void close_board(fuzz_t *f) {
    verify_contents(f);
    op_drain(f);
    verify(f);
    capheap_deinit();
    for (size_t i = 0; i < BUFS; i++) {
        free(f->buf[i].base);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static bool ready;
    if (!ready) {
        make_pattern();
        capheap_set_corruption_handler(record, NULL);
        tracing = getenv("FUZZ_TRACE") != NULL;
        ready = true;
    }
    static fuzz_t f;
    memset(&f, 0, sizeof f);
    input_t in = {data, size};
    op_index = 0;
    open_board(&f);
    verify(&f);
    while (in.n > 0) {
        op_index++;
        step(&f, &in);
        verify(&f);
    }
    close_board(&f);
    return 0;
}
