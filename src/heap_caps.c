/*
 * heap_caps.c: allocation by capabilities (esp_heap_caps.h): malloc, calloc,
 * the aligned variants and the failed-allocation hook. Blocks behind pointers
 * (free, realloc, sizes) are in heap_caps_block.c.
 *
 * heap_caps_malloc's fast path: the registry's cached candidate list for the
 * caps mask, which also says what the caps imply (32BIT's size rounding,
 * EXEC's instruction-bus windows), then each candidate's malloc until one
 * succeeds (the matching rule itself), with its lock inlined. A list not
 * cached yet and the hook are out of line.
 */

#include "capheap/port.h"
#include "fail_inject.h"
#include "heap_caps_internal.h"
#include "heap_hooks.h"
#include "trace_hook.h"
#include "word_access.h"


/* ---- the failure hook -------------------------------------------------- */

static _Atomic(esp_alloc_failed_hook_t) failed_hook;

esp_err_t heap_caps_register_failed_alloc_callback(esp_alloc_failed_hook_t callback) {
    if (callback == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    atomic_store_explicit(&failed_hook, callback, memory_order_release);
    return ESP_OK;
}

/* Never inlined, at any optimisation level: the call to the application's
 * hook stays here, where scripts/stack-usage.sh expects it. */
__attribute__((noinline)) void capheap_caps_alloc_failed(size_t size, uint32_t caps, const char *function_name) {
    esp_alloc_failed_hook_t hook = atomic_load_explicit(&failed_hook, memory_order_acquire);
    if (hook != NULL && size != 0) {
        hook(size, caps, function_name);
    }
}

/* ---- candidate lists ---------------------------------------------------- */

/* What a list carries for its caps mask (capheap_candidate_list_t.rules):
 * RULE_WORDS, and in the bits of RULE_ALIGN the log2 of the alignment the
 * hardware asks (heap_caps_hw.c; 0: none). A list with an alignment also
 * has RULE_RARE, the registry's bit for a list without a heap: the fast path
 * leaves both kinds to malloc_rare after one test, the sign of the byte. */
#define RULE_WORDS 1u /* 32BIT (or EXEC): sizes are rounded up to a multiple of 4 */
#define RULE_ALIGN_SHIFT 1u
#define RULE_ALIGN (7u << RULE_ALIGN_SHIFT)
#define RULE_RARE CAPHEAP_LIST_NO_HEAP
_Static_assert((RULE_WORDS | RULE_ALIGN) < RULE_RARE, "a list's own rules leave the registry's bit");

/* The alignment a list's rules ask of every block; 0 for none. */
static inline size_t rule_align(const capheap_candidate_list_t *l) {
    unsigned log2 = (l->rules & RULE_ALIGN) >> RULE_ALIGN_SHIFT;
    return log2 != 0 ? (size_t)1 << log2 : 0;
}

/* The rule's own terms for a caps mask, worked out once per list: the caps
 * the rule applies and the alignment the hardware asks
 * (capheap_caps_for_rule); EXEC asks heaps with an instruction-bus window
 * through it. Caps that no memory can match give caps 0 for the rule: an
 * empty list. */
static capheap_list_request_t request_for(uint32_t caps) {
    size_t align;
    uint32_t rule_caps;
    capheap_list_request_t r = {caps, 0, false, 0};
    if (!capheap_caps_for_rule(caps, &rule_caps, &align)) {
        return r;
    }
    r.caps = rule_caps;
    r.window = (rule_caps & MALLOC_CAP_EXEC) != 0;
    /* 32BIT's rounding to whole words changes nothing a block can show
     * without poisoning: blocks hold whole words of the grain already, and a
     * heap's largest request is whole words too, so the floor's answer is
     * the same. A 32BIT list then takes the plain path, unless it has windows
     * (EXEC), which only the ruled paths handle. With poisoning the rounded
     * size is the one the canaries guard: kept. */
    bool words = (r.caps & MALLOC_CAP_32BIT) && (CAPHEAP_POISONING_LEVEL > 0 || r.window);
    r.rules = words ? RULE_WORDS : 0;
    if (align != 0) { /* a power of two up to 128 (capheap_board_check) */
        r.rules |= (uint8_t)(((unsigned)__builtin_ctzl(align) << RULE_ALIGN_SHIFT) | RULE_RARE);
    }
    return r;
}

static __attribute__((noinline)) const capheap_candidate_list_t *list_miss(uint32_t caps,
                                                                          capheap_candidate_list_t *scratch) {
    const capheap_candidate_list_t *kept = capheap_registry_kept_list(caps);
    if (kept != NULL) {
        return kept; /* the common miss while tracing or hooks hold the slots */
    }
    capheap_list_request_t r = request_for(caps);
    return capheap_registry_candidates_miss(&r, scratch);
}

/* The size the list's rules make of size, and the alignment they ask at
 * least (as the larger of *align and theirs); false when no size can be had.
 * may_align false: the caller knows the list asks no alignment. */
static CAPHEAP_ALWAYS_INLINE bool apply_rules(const capheap_candidate_list_t *l, size_t *size, size_t *align,
                                              bool may_align) {
    if (l->rules & RULE_WORDS) {
        if (*size - 1 > SIZE_MAX - 4) {
            return false; /* 0 (which no window allocation takes), or it would overflow */
        }
        *size = (*size + 3) & ~(size_t)3;
    }
    /* A hardware alignment is a multiple of 4: rounding to it after the
     * words gives what ESP-IDF's order (alignment first) gives. */
    if (may_align && (l->rules & RULE_ALIGN) != 0) {
        size_t hw = rule_align(l);
        if (*size - 1 > SIZE_MAX - hw) {
            return false; /* 0, or rounding it up would overflow */
        }
        *size = (*size + hw - 1) & ~(hw - 1); /* as ESP-IDF: the block ends on a line too */
        *align = *align > hw ? *align : hw;
    }
    return true;
}

/* The heaps of the list in order from its entry first, the first that has
 * room serving. A heap whose fail floor says a plain request cannot fit is
 * passed over without its lock (multi_heap_internal.h); the last candidate
 * is always asked. */
static CAPHEAP_ALWAYS_INLINE void *alloc_from(const capheap_candidate_list_t *l, size_t first, size_t size,
                                              size_t align) {
    for (const uint8_t *i = l->heap + first; *i != CAPHEAP_LIST_END; i++) {
        void *p;
        if (*i & CAPHEAP_LIST_WINDOW) {
            p = capheap_alias_alloc(capheap_registry_at(*i & ~CAPHEAP_LIST_WINDOW), size, align);
        } else {
            multi_heap_handle_t mh = capheap_hot_mh(capheap_registry_hot(*i));
            if (align != 0) {
                p = capheap_multi_heap_memalign_locked(mh, size, align, 0);
            } else if (i[1] != CAPHEAP_LIST_END && size >= capheap_multi_heap_fail_floor(mh)) {
                continue;
            } else {
                p = capheap_multi_heap_malloc_locked(mh, size);
            }
        }
        if (p != NULL) {
            return p;
        }
    }
    return NULL;
}

static CAPHEAP_ALWAYS_INLINE void *alloc_from_list(const capheap_candidate_list_t *l, size_t size, size_t align) {
    return alloc_from(l, 0, size, align);
}

void *capheap_caps_alloc(size_t size, size_t align, uint32_t caps) {
    capheap_candidate_list_t scratch;
    const capheap_candidate_list_t *l = capheap_registry_cached_list(caps);
    if (l->caps != caps) {
        l = list_miss(caps, &scratch);
    }
    if (size == 0 || !apply_rules(l, &size, &align, true)) {
        return NULL;
    }
    return alloc_from_list(l, size, align);
}

/* ---- heap_caps_malloc -------------------------------------------------- */

/* heap_caps_malloc tests the tracing switch, and asks whether a failure plan
 * fails the call (fail_inject.h), on its slow paths only: while tracing is
 * on or a plan runs, the registry holds every list slot on the empty list
 * (capheap_registry_lists_hold), whose key is 0, so that every call ends in
 * malloc_slow, or for caps 0 in malloc_failed (the empty list has
 * CAPHEAP_LIST_NO_HEAP). Both record. A call that found its list before
 * tracing started is not recorded, as one that read the switch before it was
 * set would not be. */

/* No candidate had room, or the list has no heap. */
static __attribute__((noinline)) void *malloc_failed(size_t size, uint32_t caps, void *caller) {
    (void)capheap_fail_injected(size, caps); /* counted: it fails either way */
    capheap_caps_alloc_failed(size, caps, "heap_caps_malloc");
    if (CAPHEAP_TRACING()) {
        capheap_trace_alloc(NULL, size, 0, caps, caller);
    }
    return NULL;
}

/* A list not in its cache slot: the hook on failure, the record while tracing. */
static __attribute__((noinline)) void *malloc_slow(size_t size, uint32_t caps, void *caller) {
    void *p = capheap_fail_injected(size, caps) ? NULL : capheap_caps_alloc(size, 0, caps);
    if (p == NULL) {
        capheap_caps_alloc_failed(size, caps, "heap_caps_malloc");
    }
    if (CAPHEAP_TRACING()) {
        capheap_trace_alloc(p, size, 0, caps, caller);
    }
    return p;
}

/* A list with rules: its size rules, its heaps, the hook on failure. Never
 * found while tracing is on, so it records nothing. */
static CAPHEAP_ALWAYS_INLINE void *malloc_by_rules(const capheap_candidate_list_t *l, size_t size, uint32_t caps,
                                                   bool may_align) {
    size_t align = 0, rounded = size;
    void *p = NULL;
    if (apply_rules(l, &rounded, &align, may_align)) {
        /* Two copies of the loop: without an alignment it keeps plain malloc */
        p = align == 0 ? alloc_from_list(l, rounded, 0) : alloc_from_list(l, rounded, align);
    }
    if (p == NULL) {
        capheap_caps_alloc_failed(size, caps, "heap_caps_malloc"); /* the size asked, as ESP-IDF's hook gets */
    }
    return p;
}

/* A list with 32BIT or EXEC rules: out of line, so that plain lists keep the
 * shortest loop, and no test of an alignment (malloc_rare takes those). */
static __attribute__((noinline)) void *malloc_ruled(const capheap_candidate_list_t *l, size_t size, uint32_t caps) {
    return malloc_by_rules(l, size, caps, false);
}

/* The heaps after the first of a list whose only rule is RULE_WORDS, for
 * size rounded as malloc_words did (which asked the first); the hook on
 * failure, with the size asked. */
static __attribute__((noinline)) void *malloc_words_after(const capheap_candidate_list_t *l, size_t size,
                                                          uint32_t caps) {
    void *p = alloc_from(l, 1, (size + 3) & ~(size_t)3, 0);
    if (p == NULL) {
        capheap_caps_alloc_failed(size, caps, "heap_caps_malloc");
    }
    return p;
}

/* A list whose only rule is RULE_WORDS (32BIT, or EXEC) and whose first heap
 * is asked at its own address, not through an instruction-bus window: the
 * size rounded, then the first heap as the plain fast path asks it, the
 * others out of line (bench_caps esp32-exec, -m32, per pair: small 322.2 ->
 * 309.2, churn 411.1 -> 399.3; through alloc_from_list's general loop before;
 * keeping the size asked for the hook costs 3 of it). */
static CAPHEAP_ALWAYS_INLINE void *malloc_words(const capheap_candidate_list_t *l, size_t size, uint32_t caps) {
    if (size - 1 > SIZE_MAX - 4) {
        return malloc_ruled(l, size, caps); /* 0, or it would overflow: fails there, with the hook */
    }
    size_t rounded = (size + 3) & ~(size_t)3;
    multi_heap_handle_t mh = l->fast[0];
    if (rounded < capheap_multi_heap_fail_floor(mh)) {
        void *p = capheap_multi_heap_malloc_locked(mh, rounded);
        if (p != NULL) {
            return p;
        }
    }
    return malloc_words_after(l, size, caps);
}

/* A list without a heap, or one with an alignment the hardware asks (both
 * RULE_RARE). */
static __attribute__((noinline)) void *malloc_rare(const capheap_candidate_list_t *l, size_t size, uint32_t caps,
                                                   void *caller) {
    return l->heap[0] == CAPHEAP_LIST_END ? malloc_failed(size, caps, caller) : malloc_by_rules(l, size, caps, true);
}

/* A list with 32BIT or EXEC rules, out of line: plain lists keep
 * heap_caps_malloc's shortest path (one test of the rules byte; with the
 * words path inline there, GCC saves one more register on every call: +2
 * per plain pair). */
static __attribute__((noinline)) void *malloc_with_rules(const capheap_candidate_list_t *l, size_t size,
                                                         uint32_t caps) {
    if (l->rules == RULE_WORDS && !(l->heap[0] & CAPHEAP_LIST_WINDOW)) {
        return malloc_words(l, size, caps);
    }
    return malloc_ruled(l, size, caps);
}

/* The heap mh failed (the fast path asked it), or its floor refused the
 * request (the second of the list, after the first): the heaps after it in
 * the list, each by its floor as the fast path asks them, then the failure.
 * Not mh again, nor the heaps before it (they were passed over by their
 * floors a moment ago): a heap that failed because it found corruption
 * (poisoning) must not be asked, and report, twice in one call. The list is looked up
 * again (a list once published never changes); when its slot no longer holds
 * one with mh, as after a heap was added meanwhile, the call starts over on
 * the general path. Out of line: the fast path ends in a jump here. A failure
 * here records no trace: the list was found in its slot, so the call began
 * before tracing started (see above). */
static __attribute__((noinline)) void *malloc_after(const struct multi_heap_info *mh, size_t size, uint32_t caps) {
    const capheap_candidate_list_t *l = capheap_registry_cached_list(caps);
    const uint8_t *i = l->heap;
    void *p = NULL;
    if (l->caps == caps && l->rules == 0) {
        while (*i != CAPHEAP_LIST_END && capheap_hot_mh(capheap_registry_hot(*i)) != mh) {
            i++;
        }
    }
    if (l->caps != caps || l->rules != 0 || *i == CAPHEAP_LIST_END) {
        p = capheap_caps_alloc(size, 0, caps);
    } else {
        while (p == NULL && *++i != CAPHEAP_LIST_END) {
            multi_heap_handle_t next = capheap_hot_mh(capheap_registry_hot(*i));
            if (size < capheap_multi_heap_fail_floor(next)) {
                p = capheap_multi_heap_malloc_locked(next, size);
            }
        }
    }
    if (p == NULL) {
        capheap_caps_alloc_failed(size, caps, "heap_caps_malloc");
    }
    return p;
}

/* heap_caps_malloc but the hooks. Its CAPHEAP_CALLER is heap_caps_malloc's
 * caller, read on the slow paths only: so it is inlined in every build, -Os
 * too (not CAPHEAP_ALWAYS_INLINE, which leaves -Os the choice). */
static inline __attribute__((always_inline)) void *malloc_caps(size_t size, uint32_t caps) {
    /* A list found in its slot is complete: the heaps in the rule's order,
     * and what the caps imply (32BIT's rounding, EXEC's windows: rules).
     * Without rules, each heap is asked by plain malloc; one whose fail
     * floor says it cannot serve the request is passed over without its
     * lock (the last one too: the call then fails without a lock). Size 0
     * fails in every heap. (alloc_from_list does the same for every list;
     * its window and alignment cases, asked of each entry, cost 11 more per
     * call here.) The first two heaps come as handles (l->fast), one load
     * each, and are asked inline; the others out of line (malloc_after). */
    const capheap_candidate_list_t *l = capheap_registry_cached_list(caps);
    if (__builtin_expect(l->caps != caps, 0)) {
        return malloc_slow(size, caps, CAPHEAP_CALLER());
    }
    if (__builtin_expect(l->rules != 0, 0)) {
        /* Lists with an alignment (DMA behind cache lines) go straight to
         * malloc_rare: through malloc_with_rules, whose inlined words path
         * makes it save and restore four registers, they paid 19 more per
         * call (bench_caps esp32p4-dma, -m32, per pair: small 484.0 ->
         * 465.1, churn 496.0 -> 477.1; esp32-exec, whose malloc_with_rules
         * lost that branch and an argument: 310.3 -> 307.3, 400.4 -> 398.4). */
        return l->rules & RULE_RARE ? malloc_rare(l, size, caps, CAPHEAP_CALLER()) : malloc_with_rules(l, size, caps);
    }
    /* A list without rules has a heap (else CAPHEAP_LIST_NO_HEAP): the
     * first needs no test of the end. Most requests go to one of the first
     * two heaps: the others are out of line. */
    multi_heap_handle_t mh = l->fast[0];
    if (size >= capheap_multi_heap_fail_floor(mh)) {
        mh = l->fast[1];
        if (__builtin_expect(mh == NULL, 0)) {
            return malloc_failed(size, caps, CAPHEAP_CALLER());
        }
        if (size >= capheap_multi_heap_fail_floor(mh)) {
            return malloc_after(mh, size, caps); /* the heaps after the second */
        }
    }
    /* An empty asm that may change mh: else GCC keeps the floor's address,
     * worked out for the tests above, for the renewal after the allocation
     * (on i386 an instruction more and a register more: 303.1 instead of
     * 299.4 per pair on bench_caps small esp32). */
    __asm__("" : "+r"(mh));
    void *p = capheap_multi_heap_malloc_locked(mh, size);
    return __builtin_expect(p != NULL, 1) ? p : malloc_after(mh, size, caps);
}

/* Without hooks (heap_hooks.h) this is malloc_caps, each slow path a tail call. */
void *heap_caps_malloc(size_t size, uint32_t caps) {
    void *p = malloc_caps(size, caps);
    capheap_hooks_alloc(p, size, caps);
    return p;
}

/* ---- calloc and aligned ------------------------------------------------ */

void *heap_caps_aligned_alloc(size_t alignment, size_t size, uint32_t caps) {
    void *p = capheap_is_power_of_two(alignment) && !capheap_fail_injected(size, caps) ? capheap_caps_alloc(size, alignment, caps)
                                                                                : NULL;
    if (p == NULL) {
        capheap_caps_alloc_failed(size, caps, "heap_caps_aligned_alloc");
    }
    if (CAPHEAP_TRACING()) {
        capheap_trace_alloc(p, size, alignment, caps, CAPHEAP_CALLER());
    }
    capheap_hooks_alloc(p, size, caps);
    return p;
}

/* n * size, or SIZE_MAX (which no heap can serve) when it overflows. */
static size_t array_size(size_t n, size_t size) {
    size_t total;
    return __builtin_mul_overflow(n, size, &total) ? SIZE_MAX : total;
}

static void *zeroed_alloc(size_t total, size_t align, uint32_t caps, const char *function_name) {
    void *p = total == SIZE_MAX || capheap_fail_injected(total, caps) ? NULL : capheap_caps_alloc(total, align, caps);
    if (p != NULL) {
        capheap_block_fill(p, 0, total);
    } else {
        capheap_caps_alloc_failed(total, caps, function_name);
    }
    return p;
}

void *heap_caps_calloc(size_t n, size_t size, uint32_t caps) {
    void *p = zeroed_alloc(array_size(n, size), 0, caps, "heap_caps_calloc");
    if (CAPHEAP_TRACING()) {
        capheap_trace_alloc(p, array_size(n, size), 0, caps, CAPHEAP_CALLER());
    }
    capheap_hooks_alloc(p, array_size(n, size), caps);
    return p;
}

void *heap_caps_aligned_calloc(size_t alignment, size_t n, size_t size, uint32_t caps) {
    void *p = NULL;
    if (capheap_is_power_of_two(alignment)) {
        p = zeroed_alloc(array_size(n, size), alignment, caps, "heap_caps_aligned_calloc");
    } else {
        /* A failure like any other: the hook, and the event (as heap_caps_aligned_alloc's) */
        capheap_caps_alloc_failed(array_size(n, size), caps, "heap_caps_aligned_calloc");
    }
    if (CAPHEAP_TRACING()) {
        capheap_trace_alloc(p, array_size(n, size), alignment, caps, CAPHEAP_CALLER());
    }
    capheap_hooks_alloc(p, array_size(n, size), caps);
    return p;
}
