/*
 * test_registry.c: the registry under heap_caps, with heaps of one's own on
 * static buffers (no board): heap_caps_add_region_with_caps and its errors,
 * the matching rule with made-up caps, owner lookup among many heaps, the
 * candidate-list cache (more masks than it keeps; a heap added later), and
 * that neither lookup depends on how many heaps there are.
 */
#define _POSIX_C_SOURCE 200809L
#include "caps_test.h"

#define CAP_A MALLOC_CAP_PID2
#define CAP_B MALLOC_CAP_PID3
#define CAP_C MALLOC_CAP_PID4

static _Alignas(64) uint8_t arena[256 * 1024];

static esp_err_t add(uint32_t c0, uint32_t c1, uint32_t c2, size_t offset, size_t size) {
    const uint32_t caps[3] = {c0, c1, c2};
    return heap_caps_add_region_with_caps(caps, (intptr_t)(arena + offset), (intptr_t)(arena + offset + size));
}

/* ---- adding regions ------------------------------------------------------ */

static void add_region_with_caps_errors(void **state) {
    (void)state;
    const uint32_t caps[3] = {MALLOC_CAP_8BIT, 0, 0};
    intptr_t a = (intptr_t)arena;
    assert_int_equal(heap_caps_add_region_with_caps(NULL, a, a + 4096), ESP_ERR_INVALID_ARG);
    assert_int_equal(heap_caps_add_region_with_caps(caps, 0, a + 4096), ESP_ERR_INVALID_ARG);
    assert_int_equal(heap_caps_add_region_with_caps(caps, a, 0), ESP_ERR_INVALID_ARG);
    assert_int_equal(heap_caps_add_region_with_caps(caps, a + 4096, a + 4096), ESP_ERR_INVALID_ARG);
    assert_int_equal(heap_caps_add_region_with_caps(caps, a + 4096, a), ESP_ERR_INVALID_ARG);
    assert_int_equal(heap_caps_add_region_with_caps(caps, a, a + 16), ESP_ERR_NO_MEM); /* too small */
    /* Too small at the top of the address space, where rounding its start up
     * to the grain, or adding the control data's size, would wrap around to
     * 0 (no memory there: a write would fault). */
    assert_int_equal(heap_caps_add_region_with_caps(caps, -3, -1), ESP_ERR_NO_MEM);
    assert_int_equal(heap_caps_add_region_with_caps(caps, -64, -1), ESP_ERR_NO_MEM);
    assert_int_equal(heap_caps_add_region_with_caps(caps, a + 8192, a + 16384), ESP_OK);
    assert_int_equal(heap_caps_add_region_with_caps(caps, a + 8192, a + 16384), ESP_FAIL);  /* the same */
    assert_int_equal(heap_caps_add_region_with_caps(caps, a + 4096, a + 9000), ESP_FAIL);   /* its start */
    assert_int_equal(heap_caps_add_region_with_caps(caps, a + 16000, a + 20000), ESP_FAIL); /* its end */
    assert_int_equal(heap_caps_add_region_with_caps(caps, a + 10000, a + 12000), ESP_FAIL); /* inside */
    assert_int_equal(heap_caps_add_region_with_caps(caps, a + 4096, a + 20000), ESP_FAIL);  /* around */
    assert_int_equal(heap_caps_add_region_with_caps(caps, a + 4096, a + 8192), ESP_OK);     /* touching */
    assert_int_equal(heap_caps_add_region_with_caps(caps, a + 16384, a + 20000), ESP_OK);
    assert_int_equal(capheap_registry_count(), 3);
    /* outside every board region: heap_caps_add_region cannot know the caps */
    assert_int_equal(heap_caps_add_region(a + 30000, a + 40000), ESP_ERR_NOT_FOUND);
    assert_int_equal(heap_caps_add_region(0, a + 40000), ESP_ERR_INVALID_ARG);
    assert_true(heap_caps_check_integrity_all(true));
}

static void registry_full(void **state) {
    (void)state;
    size_t size = sizeof arena / (CAPHEAP_MAX_HEAPS + 1);
    for (size_t i = 0; i < CAPHEAP_MAX_HEAPS; i++) {
        assert_int_equal(add(MALLOC_CAP_8BIT, 0, 0, i * size, size), ESP_OK);
    }
    assert_int_equal(add(MALLOC_CAP_8BIT, 0, 0, CAPHEAP_MAX_HEAPS * size, size), ESP_ERR_NO_MEM);
    assert_int_equal(capheap_registry_count(), CAPHEAP_MAX_HEAPS);
}

/* ---- the matching rule --------------------------------------------------- */

/* Allocates 200-byte blocks with caps until none is left; returns the heaps
 * they came from, in order, each once. */
static size_t heap_order(uint32_t caps, const capheap_heap_t **order, size_t max) {
    static void *blocks[4096];
    size_t n = 0, k = 0;
    void *p;
    while ((p = heap_caps_malloc(200, caps)) != NULL) {
        assert_true(n < 4096);
        blocks[n++] = p;
        const capheap_heap_t *h = caps_heap_of(p);
        assert_non_null(h);
        assert_int_equal(h->all_caps & caps, caps);
        if (k == 0 || order[k - 1] != h) {
            for (size_t j = 0; j < k; j++) {
                assert_ptr_not_equal(order[j], h); /* never back to a heap it left */
            }
            assert_true(k < max);
            order[k++] = h;
        }
    }
    while (n > 0) {
        heap_caps_free(blocks[--n]);
    }
    return k;
}

static void rule_priority_then_registry_order(void **state) {
    (void)state;
    assert_int_equal(add(CAP_A, 0, CAP_B, 0, 4096), ESP_OK);          /* H0 */
    assert_int_equal(add(0, CAP_A, 0, 4096, 4096), ESP_OK);           /* H1 */
    assert_int_equal(add(CAP_B, 0, CAP_A, 8192, 4096), ESP_OK);       /* H2 */
    assert_int_equal(add(0, 0, CAP_A | CAP_B, 12288, 4096), ESP_OK);  /* H3 */
    assert_int_equal(add(CAP_C, 0, 0, 16384, 4096), ESP_OK);          /* H4 */
    const capheap_heap_t *order[8];
    const capheap_heap_t *const *h = (const capheap_heap_t *const[]){
        capheap_registry_at(0), capheap_registry_at(1), capheap_registry_at(2), capheap_registry_at(3),
        capheap_registry_at(4)};
    /* A: priority 0 (H0), 1 (H1), 2 (H2, H3) */
    assert_int_equal(heap_order(CAP_A, order, 8), 4);
    assert_ptr_equal(order[0], h[0]);
    assert_ptr_equal(order[1], h[1]);
    assert_ptr_equal(order[2], h[2]);
    assert_ptr_equal(order[3], h[3]);
    /* A|B: H1 lacks B; priority 0 has H0 and H2, then H3 at priority 2 */
    assert_int_equal(heap_order(CAP_A | CAP_B, order, 8), 3);
    assert_ptr_equal(order[0], h[0]);
    assert_ptr_equal(order[1], h[2]);
    assert_ptr_equal(order[2], h[3]);
    /* B: H2 (priority 0), then H0 and H3 (priority 2) */
    assert_int_equal(heap_order(CAP_B, order, 8), 3);
    assert_ptr_equal(order[0], h[2]);
    assert_ptr_equal(order[1], h[0]);
    assert_ptr_equal(order[2], h[3]);
    /* C only in H4; A|C nowhere */
    assert_int_equal(heap_order(CAP_C, order, 8), 1);
    assert_ptr_equal(order[0], h[4]);
    assert_int_equal(heap_order(CAP_A | CAP_C, order, 8), 0);
    assert_true(heap_caps_check_integrity_all(true));
}

/* The rule's priority counts every bit asked, the lowest (EXEC) too: a heap
 * with EXEC at priority 0 and 32BIT at 1 comes before one with both at 1,
 * although registered after it (EXEC asks 32BIT with it). */
static void rule_priority_counts_exec(void **state) {
    (void)state;
    assert_int_equal(add(0, MALLOC_CAP_EXEC | MALLOC_CAP_32BIT, 0, 0, 8192), ESP_OK);
    assert_int_equal(add(MALLOC_CAP_EXEC, MALLOC_CAP_32BIT, 0, 8192, 8192), ESP_OK);
    const capheap_heap_t *order[4];
    assert_int_equal(heap_order(MALLOC_CAP_EXEC, order, 4), 2);
    assert_ptr_equal(order[0], capheap_registry_at(1));
    assert_ptr_equal(order[1], capheap_registry_at(0));
}

/* A region the registry takes but that cannot hold a heap's control data
 * gives its lock back: refused more times than the port has locks, it
 * leaves the next region one. */
static void a_refused_region_gives_back_its_lock(void **state) {
    (void)state;
    for (unsigned i = 0; i < CAPS_MAX_LOCKS + 8; i++) {
        assert_int_equal(add(MALLOC_CAP_8BIT, 0, 0, 0, 16), ESP_ERR_NO_MEM);
    }
    assert_int_equal(add(MALLOC_CAP_8BIT, 0, 0, 4096, 8192), ESP_OK);
    void *p = heap_caps_malloc(100, MALLOC_CAP_8BIT);
    assert_non_null(p);
    heap_caps_free(p);
}

static void a_heap_added_later_joins_the_order(void **state) {
    (void)state;
    assert_int_equal(add(0, CAP_A, 0, 0, 8192), ESP_OK);
    void *p = heap_caps_malloc(100, CAP_A); /* the list for A is now cached */
    assert_ptr_equal(caps_heap_of(p), capheap_registry_at(0));
    heap_caps_free(p);
    assert_int_equal(add(CAP_A, 0, 0, 8192, 8192), ESP_OK); /* A at priority 0 */
    p = heap_caps_malloc(100, CAP_A);
    assert_ptr_equal(caps_heap_of(p), capheap_registry_at(1));
    heap_caps_free(p);
    assert_int_equal(add(0, 0, CAP_A, 16384, 8192), ESP_OK); /* and one at priority 2 */
    const capheap_heap_t *order[4];
    assert_int_equal(heap_order(CAP_A, order, 4), 3);
    assert_ptr_equal(order[0], capheap_registry_at(1));
    assert_ptr_equal(order[1], capheap_registry_at(0));
    assert_ptr_equal(order[2], capheap_registry_at(2));
}

/* A mask for each cache slot, from made-up caps the caps layer gives no rule:
 * the slot's number is the hash's, whatever it is. */
#define SLOT_BITS                                                                                              \
    (MALLOC_CAP_PID2 | MALLOC_CAP_PID3 | MALLOC_CAP_PID4 | MALLOC_CAP_PID5 | MALLOC_CAP_PID6 | MALLOC_CAP_PID7 | \
     MALLOC_CAP_RETENTION | MALLOC_CAP_RTCRAM | MALLOC_CAP_SPM)

static void a_mask_for_each_slot(uint32_t masks[CAPHEAP_CANDIDATE_SLOTS]) {
    memset(masks, 0, CAPHEAP_CANDIDATE_SLOTS * sizeof masks[0]);
    size_t found = 0;
    /* Every non-empty subset of SLOT_BITS, the smallest mask first. */
    for (uint32_t m = SLOT_BITS & -SLOT_BITS; m != 0 && found < CAPHEAP_CANDIDATE_SLOTS;
         m = (m - SLOT_BITS) & SLOT_BITS) {
        size_t slot = (size_t)(capheap_registry_slot(m) - capheap_registry_caches.candidate_slot);
        if (masks[slot] == 0) {
            masks[slot] = m;
            found++;
        }
    }
    assert_int_equal(found, CAPHEAP_CANDIDATE_SLOTS);
}

/* Adding a heap empties every slot, the first as the last: a list left in one
 * would still name only the heaps before it (its mask still matches). */
static void a_heap_added_later_joins_the_list_of_every_slot(void **state) {
    (void)state;
    uint32_t masks[CAPHEAP_CANDIDATE_SLOTS];
    a_mask_for_each_slot(masks);
    assert_int_equal(add(0, SLOT_BITS, 0, 0, 8192), ESP_OK);
    for (size_t i = 0; i < CAPHEAP_CANDIDATE_SLOTS; i++) {
        void *p = heap_caps_malloc(100, masks[i]);
        assert_ptr_equal(caps_heap_of(p), capheap_registry_at(0));
        heap_caps_free(p);
        assert_int_equal(capheap_registry_cached_list(masks[i])->caps, masks[i]); /* kept, in its slot */
    }
    assert_int_equal(add(SLOT_BITS, 0, 0, 8192, 8192), ESP_OK); /* at priority 0 */
    for (size_t i = 0; i < CAPHEAP_CANDIDATE_SLOTS; i++) {
        void *p = heap_caps_malloc(100, masks[i]);
        assert_ptr_equal(caps_heap_of(p), capheap_registry_at(1));
        heap_caps_free(p);
    }
}

static void more_caps_masks_than_lists_kept(void **state) {
    (void)state;
    /* 8 capability bits over 8 heaps; every non-empty combination of them is
     * a different mask, far more than CAPHEAP_CANDIDATE_LISTS */
    static const uint32_t bits[8] = {MALLOC_CAP_PID2, MALLOC_CAP_PID3, MALLOC_CAP_PID4, MALLOC_CAP_PID5,
                                     MALLOC_CAP_PID6, MALLOC_CAP_PID7, MALLOC_CAP_RETENTION, MALLOC_CAP_SPM};
    for (int i = 0; i < 8; i++) {
        /* heap i has bit i at priority 0 and bit i+1 at priority 2 */
        assert_int_equal(add(bits[i], 0, bits[(i + 1) % 8], (size_t)i * 8192, 8192), ESP_OK);
    }
    for (int round = 0; round < 3; round++) {
        for (uint32_t combo = 1; combo < 256; combo++) {
            uint32_t caps = 0;
            for (int i = 0; i < 8; i++) {
                caps |= (combo >> i) & 1u ? bits[i] : 0;
            }
            void *p = heap_caps_malloc(32, caps);
            /* served only by a heap holding all of caps: one or two bits, adjacent */
            int n = __builtin_popcount(combo);
            bool adjacent = n == 2 && ((combo & (combo << 1)) != 0 || combo == 0x81);
            if (n == 1 || adjacent) {
                assert_non_null(p);
                const capheap_heap_t *h = caps_heap_of(p);
                assert_int_equal(h->all_caps & caps, caps);
                if (n == 1) {
                    assert_int_equal(h->caps[0], caps); /* priority 0 first */
                }
                heap_caps_free(p);
            } else {
                assert_null(p);
            }
        }
    }
    assert_true(heap_caps_check_integrity_all(true));
}

/* A kept list holds the handles of its first CAPHEAP_LIST_FAST heaps, then
 * NULL: malloc's fast path, which asks fast[0] and then fast[1] with no test
 * of the count, fails a list of one full heap on that NULL. Lists of one,
 * two and three heaps, each asked twice (the second call finds it cached). */
static void kept_lists_end_their_handles_with_null(void **state) {
    (void)state;
    assert_int_equal(add(CAP_A | CAP_B | CAP_C, 0, 0, 0, 4096), ESP_OK);
    assert_int_equal(add(CAP_B | CAP_C, 0, 0, 4096, 4096), ESP_OK);
    assert_int_equal(add(CAP_C, 0, 0, 8192, 4096), ESP_OK);
    static const uint32_t masks[3] = {CAP_A, CAP_B, CAP_C};
    for (size_t k = 0; k < 3; k++) {
        for (int call = 0; call < 2; call++) {
            heap_caps_free(heap_caps_malloc(64, masks[k]));
        }
        const capheap_candidate_list_t *l = capheap_registry_cached_list(masks[k]);
        assert_int_equal(l->caps, masks[k]);
        assert_int_equal(l->count, k + 1);
        size_t fast = k + 1 < CAPHEAP_LIST_FAST ? k + 1 : CAPHEAP_LIST_FAST;
        for (size_t i = 0; i < fast; i++) {
            assert_ptr_equal(l->fast[i], capheap_heap_handle(capheap_registry_at(i)));
        }
        assert_null(l->fast[fast]);
    }
    /* the list of one heap, that heap full: the fast path fails on fast[1] */
    void *big = heap_caps_malloc(3000, CAP_A);
    assert_non_null(big);
    assert_null(heap_caps_malloc(3000, CAP_A));
    heap_caps_free(big);
}

/* A kept list never changes once published: malloc reads it without a
 * lock, and one that another thread's miss rewrote could send it to a heap
 * without its caps. A's list, still A's after lists for B and C were made. */
static void a_kept_list_never_changes(void **state) {
    (void)state;
    assert_int_equal(add(CAP_A, 0, CAP_B, 0, 4096), ESP_OK);
    assert_int_equal(add(CAP_B | CAP_C, 0, 0, 4096, 4096), ESP_OK);
    heap_caps_free(heap_caps_malloc(64, CAP_A));
    const capheap_candidate_list_t *a = capheap_registry_cached_list(CAP_A);
    assert_int_equal(a->caps, CAP_A);
    capheap_candidate_list_t copy;
    memcpy(&copy, a, sizeof copy);
    heap_caps_free(heap_caps_malloc(64, CAP_B));
    heap_caps_free(heap_caps_malloc(64, CAP_C));
    assert_int_equal(capheap_registry_cached_list(CAP_B)->count, 2);
    assert_int_equal(a->caps, CAP_A);
    assert_int_equal(a->count, 1);
    assert_memory_equal(a->heap, copy.heap, sizeof copy.heap);
    assert_memory_equal(a->fast, copy.fast, sizeof copy.fast);
}

/* A list whose slot was emptied (tracing or a failure plan held the slots)
 * is still kept: the next miss finds that same list, puts it back in its
 * slot, and spends no other list of the pool. */
static void a_kept_list_goes_back_to_its_slot(void **state) {
    (void)state;
    assert_int_equal(add(CAP_A, 0, 0, 0, 4096), ESP_OK);
    heap_caps_free(heap_caps_malloc(64, CAP_A));
    const capheap_candidate_list_t *a = capheap_registry_cached_list(CAP_A);
    assert_int_equal(a->caps, CAP_A);
    unsigned used = atomic_load(&capheap_registry.lists_used);
    capheap_registry_lists_hold(CAPHEAP_HOLD_TRACE, true);
    assert_ptr_equal(capheap_registry_cached_list(CAP_A), &capheap_empty_list);
    assert_ptr_equal(capheap_registry_kept_list(CAP_A), a); /* while held: found, its slot left empty */
    assert_ptr_equal(capheap_registry_cached_list(CAP_A), &capheap_empty_list);
    capheap_registry_lists_hold(CAPHEAP_HOLD_TRACE, false);
    assert_ptr_equal(capheap_registry_kept_list(CAP_A), a);
    assert_ptr_equal(capheap_registry_cached_list(CAP_A), a);
    heap_caps_free(heap_caps_malloc(64, CAP_A));
    assert_int_equal(atomic_load(&capheap_registry.lists_used), used);
}

/* CAPHEAP_CANDIDATE_LISTS lists are kept after a clear (the pool is whole
 * again), then no more: later masks get a list for the call only. */
static void as_many_lists_kept_as_configured(void **state) {
    (void)state;
    assert_int_equal(add(CAP_A, 0, 0, 0, 4096), ESP_OK);
    capheap_candidate_list_t scratch;
    for (uint32_t k = 0; k <= CAPHEAP_CANDIDATE_LISTS; k++) {
        /* distinct keys, none of them kept yet */
        capheap_list_request_t req = {CAP_A | (k << 24), CAP_A, false, 0};
        assert_null(capheap_registry_kept_list(req.key));
        const capheap_candidate_list_t *l = capheap_registry_candidates_miss(&req, &scratch);
        assert_int_equal(l->caps, req.key);
        if (k < CAPHEAP_CANDIDATE_LISTS) {
            assert_ptr_not_equal(l, &scratch);
            assert_ptr_equal(capheap_registry_kept_list(req.key), l);
        } else {
            assert_ptr_equal(l, &scratch);
            assert_null(capheap_registry_kept_list(req.key));
        }
    }
}

/* ---- owner lookup -------------------------------------------------------- */

static void frees_find_their_heap_among_many(void **state) {
    (void)state;
    size_t nheaps = CAPHEAP_MAX_HEAPS < 40 ? CAPHEAP_MAX_HEAPS : 40;
    size_t size = sizeof arena / nheaps;
    /* registered out of address order */
    for (size_t k = 0; k < nheaps; k++) {
        size_t i = (k * 7) % nheaps;
        assert_int_equal(add(MALLOC_CAP_8BIT, 0, 0, i * size, size), ESP_OK);
    }
    static void *blocks[2048];
    size_t n = 0;
    void *p;
    while (n < 2048 && (p = heap_caps_malloc(40 + n % 200, MALLOC_CAP_8BIT)) != NULL) {
        blocks[n++] = p;
    }
    assert_true(n > nheaps * 4);
    size_t free_full = heap_caps_get_free_size(MALLOC_CAP_8BIT);
    /* free in an order that jumps between heaps */
    uint64_t x = 88172645463325252ull;
    for (size_t i = n; i > 1; i--) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        size_t j = (size_t)(x % i);
        void *t = blocks[i - 1];
        blocks[i - 1] = blocks[j];
        blocks[j] = t;
    }
    caps_record_reports();
    for (size_t i = 0; i < n; i++) {
        assert_true(heap_caps_get_allocated_size(blocks[i]) >= 40);
        heap_caps_free(blocks[i]);
    }
    assert_int_equal(caps_reports.count, 0);
    assert_true(heap_caps_get_free_size(MALLOC_CAP_8BIT) > free_full);
    multi_heap_info_t info;
    heap_caps_get_info(&info, MALLOC_CAP_8BIT);
    assert_int_equal(info.allocated_blocks, 0);
    /* addresses between heaps, before the first and after the last */
    heap_caps_free((void *)((uintptr_t)arena + sizeof arena));
    heap_caps_free((void *)((uintptr_t)arena - 64));
    assert_int_equal(caps_reports.count, 2);
    assert_true(heap_caps_check_integrity_all(true));
}

/* The owner cache holds the last two data ranges the search found, newest
 * first (registry.h): two heaps that take turns are both found without a
 * search, and a third one's search drops the older of them. */
static void the_owner_cache_keeps_the_last_two_ranges_found(void **state) {
    (void)state;
    assert_int_equal(add(CAP_A, 0, 0, 0, 4096), ESP_OK);
    assert_int_equal(add(CAP_B, 0, 0, 4096, 4096), ESP_OK);
    assert_int_equal(add(CAP_C, 0, 0, 8192, 4096), ESP_OK);
    void *p[3] = {heap_caps_malloc(64, CAP_A), heap_caps_malloc(64, CAP_B), heap_caps_malloc(64, CAP_C)};
    for (size_t i = 0; i < 3; i++) {
        assert_ptr_equal(caps_heap_of(p[i]), capheap_registry_at(i));
    }
    const capheap_range_t *r0 = capheap_registry_owner_search((uintptr_t)p[0]);
    assert_ptr_equal(r0, &capheap_registry_at(0)->data);
    assert_ptr_equal(capheap_registry_owner_cached(p[0]), r0);
    const capheap_range_t *r1 = capheap_registry_owner_search((uintptr_t)p[1]);
    assert_ptr_equal(r1, &capheap_registry_at(1)->data);
    assert_ptr_equal(capheap_registry_owner_cached(p[1]), r1);
    assert_ptr_equal(capheap_registry_owner_cached(p[0]), r0); /* the older one stays */
    const capheap_range_t *r2 = capheap_registry_owner_search((uintptr_t)p[2]);
    assert_ptr_equal(capheap_registry_owner_cached(p[2]), r2);
    assert_ptr_equal(capheap_registry_owner_cached(p[1]), r1);
    assert_null(capheap_registry_owner_cached(p[0])); /* the oldest went */
    for (size_t i = 0; i < 3; i++) {
        heap_caps_free(p[i]);
    }
}

/* ---- clearing ----------------------------------------------------------- */

/* A live block of heap 1 of two, with the owner cache holding heap 1's range
 * first (h1_newest) or second; then the registry is cleared and one heap is
 * made elsewhere (record 0 again). Record 1 still holds heap 1's old range:
 * neither the cache nor the sorted ranges may (with h1_below, heap 1's range
 * was the first of them), or a free of the block would find that heap and
 * free it in memory that is no heap now, instead of reporting a foreign
 * pointer. */
static void a_block_of_a_cleared_heap(bool h1_newest, bool h1_below) {
    assert_int_equal(add(CAP_A, 0, 0, h1_below ? 8192 : 0, 8192), ESP_OK);
    assert_int_equal(add(CAP_B, 0, 0, h1_below ? 0 : 8192, 8192), ESP_OK);
    void *p = heap_caps_malloc(100, CAP_B);
    assert_ptr_equal(caps_heap_of(p), capheap_registry_at(1));
    heap_caps_free(heap_caps_malloc(100, h1_newest ? CAP_A : CAP_B)); /* each free fills the cache */
    heap_caps_free(heap_caps_malloc(100, h1_newest ? CAP_B : CAP_A));
    capheap_deinit();
    assert_int_equal(add(CAP_A, 0, 0, 65536, 8192), ESP_OK);
    caps_record_reports();
    heap_caps_free(p);
    assert_int_equal(caps_reports.count, 1);
    assert_ptr_equal(caps_reports.addr, p);
    capheap_deinit();
}

static void a_cleared_heap_owns_no_address(void **state) {
    (void)state;
    a_block_of_a_cleared_heap(true, false);  /* the cache's newest entry */
    a_block_of_a_cleared_heap(false, false); /* its older one */
    a_block_of_a_cleared_heap(true, true);   /* and the lowest of the sorted ranges */
}

/* Locks the port has left: all taken, then given back. */
static size_t locks_left(void) {
    static caps_locks_t locks;
    caps_take_every_lock(&locks);
    size_t n = locks.n;
    caps_give_locks(&locks, 0);
    return n;
}

/* Every heap has a lock of the port's fixed pool; clearing the registry
 * (capheap_deinit) gives back each one, the first heap's too, so that
 * registering and clearing again and again never runs out of locks. */
static void clearing_gives_back_every_heap_lock(void **state) {
    (void)state;
    capheap_deinit();
    size_t left = locks_left();
    for (int round = 0; round < 3; round++) {
        for (size_t i = 0; i < 4; i++) {
            assert_int_equal(add(MALLOC_CAP_8BIT, 0, 0, i * 8192, 8192), ESP_OK);
        }
        assert_true(locks_left() < left);
        capheap_deinit();
        assert_int_equal(locks_left(), left);
    }
}

int main(void) {
#define T(t) cmocka_unit_test_teardown(t, caps_teardown)
    const struct CMUnitTest tests[] = {
        T(add_region_with_caps_errors),      T(registry_full),
        T(rule_priority_then_registry_order), T(a_heap_added_later_joins_the_order),
        T(more_caps_masks_than_lists_kept),   T(frees_find_their_heap_among_many),
        T(a_cleared_heap_owns_no_address),    T(clearing_gives_back_every_heap_lock),
        T(kept_lists_end_their_handles_with_null),
        T(a_kept_list_never_changes),
        T(a_kept_list_goes_back_to_its_slot),
        T(as_many_lists_kept_as_configured),
        T(a_heap_added_later_joins_the_list_of_every_slot),
        T(rule_priority_counts_exec),
        T(a_refused_region_gives_back_its_lock),
        T(the_owner_cache_keeps_the_last_two_ranges_found),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
