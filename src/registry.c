/*
 * registry.c: the registered heaps (see registry.h for what it answers and
 * how readers and writers share it).
 */
#include "registry.h"

#include <string.h>

#include "assertions.h"
#include "capheap/port.h"
#include "task_stats.h"

/* The owner cache starts on a range that holds nothing, so that readers never
 * test it for NULL. */
static const capheap_range_t no_range = {0, 0, NULL, NULL, NULL, false};

/* Every cache slot starts on the empty list, so that readers never test for NULL. */
const capheap_candidate_list_t capheap_empty_list = {
    .caps = 0, .count = 0, .rules = CAPHEAP_LIST_NO_HEAP, .heap = {CAPHEAP_LIST_END}};

#define EMPTY4 &capheap_empty_list, &capheap_empty_list, &capheap_empty_list, &capheap_empty_list
#define EMPTY32 EMPTY4, EMPTY4, EMPTY4, EMPTY4, EMPTY4, EMPTY4, EMPTY4, EMPTY4
#if CAPHEAP_CANDIDATE_SLOTS != 32
#error "the initializer below lists 32 slots"
#endif

/* The owner cache read while the cache is held: it finds nothing, and is never
 * written (the searches fill last_owner). */
static capheap_owner_slot_t no_owner[2] = {&no_range, &no_range};

struct capheap_registry_caches capheap_registry_caches = {
    .last_owner = {&no_range, &no_range},
    .owner_cache = capheap_registry_caches.last_owner,
    .candidate_slot = {EMPTY32},
};

struct capheap_registry capheap_registry;

/* ---- the sorted ranges, under a sequence count ------------------------- */

static inline size_t range_size(const capheap_range_t *r) {
    return atomic_load_explicit(&r->size, memory_order_relaxed);
}

/* Writers run in the critical section. The odd count is stored first; every
 * store after it is a release store, so a reader that sees any new value also
 * sees the odd count when it reads it again. */
/* a ends before b starts (a starts below b). Only assertions call it: unused
 * keeps clang quiet in a build without them (-Wunneeded-internal-declaration). */
static inline __attribute__((unused)) bool ranges_apart(const capheap_range_t *a, const capheap_range_t *b) {
    return b->start > a->start && b->start - a->start >= range_size(a);
}

/* Opens and closes a change of sorted[] (or of a range's size): readers
 * that overlap it search again. */
static unsigned sorted_change_begin(void) {
    unsigned seq = atomic_load_explicit(&capheap_registry.seq, memory_order_relaxed);
    atomic_store_explicit(&capheap_registry.seq, seq + 1, memory_order_relaxed);
    return seq;
}

static void sorted_change_end(unsigned seq) {
    atomic_store_explicit(&capheap_registry.seq, seq + 2, memory_order_release);
}

/* Inserts r by address, between sorted_change_begin and _end. */
static void sorted_insert(const capheap_range_t *r) {
    struct capheap_registry *g = &capheap_registry;
    size_t n = atomic_load_explicit(&g->nsorted, memory_order_relaxed);
    size_t i = n;
    for (; i > 0; i--) {
        const capheap_range_t *before = atomic_load_explicit(&g->sorted[i - 1], memory_order_relaxed);
        if (before->start < r->start) {
            break;
        }
        atomic_store_explicit(&g->sorted[i], before, memory_order_release);
    }
    atomic_store_explicit(&g->sorted[i], r, memory_order_release);
    /* Callers refuse overlapping ranges first (spec_overlaps): the new one
     * lies between its neighbours (distances, not ends: a range may end at
     * the top of the address space). */
    CAPHEAP_ASSERT_AT((const void *)r->start, i == 0 || ranges_apart(atomic_load_explicit(&g->sorted[i - 1],
                                                                                          memory_order_relaxed),
                                                                     r));
    CAPHEAP_ASSERT_AT((const void *)r->start, i == n || ranges_apart(r, atomic_load_explicit(&g->sorted[i + 1],
                                                                                             memory_order_relaxed)));
    atomic_store_explicit(&g->nsorted, n + 1, memory_order_release);
}

/* Binary search of one consistent view; *stable tells whether it was one. */
static const capheap_range_t *sorted_find(uintptr_t p, bool *stable) {
    struct capheap_registry *g = &capheap_registry;
    unsigned seq = atomic_load_explicit(&g->seq, memory_order_acquire);
    const capheap_range_t *found = NULL;
    size_t lo = 0, hi = atomic_load_explicit(&g->nsorted, memory_order_acquire);
    while (lo < hi && (seq & 1) == 0) {
        size_t mid = lo + (hi - lo) / 2;
        const capheap_range_t *r = atomic_load_explicit(&g->sorted[mid], memory_order_acquire);
        if (r == NULL || p < r->start) {
            hi = mid;
        } else if (p - r->start < range_size(r)) {
            found = r;
            break;
        } else {
            lo = mid + 1;
        }
    }
    *stable = (seq & 1) == 0 && atomic_load_explicit(&g->seq, memory_order_acquire) == seq;
    return found;
}

const capheap_range_t *capheap_registry_owner_search(uintptr_t p) {
    bool stable;
    const capheap_range_t *found;
    do {
        found = sorted_find(p, &stable);
    } while (!stable);
    if (found != NULL && !found->alias) {
        /* The newest first; the other keeps the one before: two heaps that
         * take turns (a full small heap beside a large one) both stay. */
        struct capheap_registry_caches *c = &capheap_registry_caches;
        const capheap_range_t *newest = atomic_load_explicit(&c->last_owner[0], memory_order_relaxed);
        atomic_store_explicit(&c->last_owner[1], newest, memory_order_release);
        atomic_store_explicit(&c->last_owner[0], found, memory_order_release);
    }
    return found;
}

/* The switch of the cache the lookups read. A release store: a lookup that
 * reads it (acquire) sees whatever the writer did before, such as the tracing
 * switch set in the same critical section (trace.c). */
void capheap_registry_owner_cache_hold(bool hold) {
    struct capheap_registry_caches *c = &capheap_registry_caches;
    atomic_store_explicit(&c->owner_cache, hold ? no_owner : c->last_owner, memory_order_release);
}

/* ---- heap sets --------------------------------------------------------- */

/* Writers only (in the critical section): a load and a store, no
 * read-modify-write atomics, which some targets (ARMv6-M) do not have. */
static void heapset_add(_Atomic uintptr_t *set, unsigned index) {
    _Atomic uintptr_t *word = &set[index / CAPHEAP_HEAPSET_BITS];
    uintptr_t bits = atomic_load_explicit(word, memory_order_relaxed);
    atomic_store_explicit(word, bits | (uintptr_t)1 << (index % CAPHEAP_HEAPSET_BITS), memory_order_release);
}

/* Priority bits first, cover bits last: the cover bits make the heap eligible. */
static void publish_caps(const capheap_heap_t *h) {
    for (unsigned b = 0; b < CAPHEAP_CAP_BITS; b++) {
        for (unsigned p = 0; p < 3; p++) {
            if (h->caps[p] & (UINT32_C(1) << b)) {
                heapset_add(capheap_registry.bits[b].prio[p], h->index);
            }
        }
    }
    for (unsigned b = 0; b < CAPHEAP_CAP_BITS; b++) {
        if (h->all_caps & (UINT32_C(1) << b)) {
            heapset_add(capheap_registry.bits[b].cover, h->index);
        }
    }
}

/* ---- writers ----------------------------------------------------------- */

static bool ranges_overlap(uintptr_t a0, uintptr_t a1, uintptr_t b0, uintptr_t b1) {
    return a0 < b1 && b0 < a1;
}

/* A heap's data extent never changes; its window record shrinks when a heap
 * is made inside it, and the pieces (and the new heap's window) cover the
 * rest: together they are the window it had. */
bool capheap_registry_overlaps(uintptr_t start, uintptr_t end) {
    size_t n = capheap_registry_count();
    for (size_t i = 0; i < n; i++) {
        const capheap_heap_t *h = capheap_registry_at(i);
        if (ranges_overlap(start, end, h->start, h->end) ||
            (range_size(&h->alias) != 0 &&
             ranges_overlap(start, end, h->alias.start, h->alias.start + range_size(&h->alias)))) {
            return true;
        }
    }
    for (size_t i = 0; i < capheap_registry.npieces; i++) {
        const capheap_range_t *r = &capheap_registry.pieces[i];
        if (ranges_overlap(start, end, r->start, r->start + range_size(r))) {
            return true;
        }
    }
    return false;
}

/* ---- heaps inside a live block of another ------------------------------ */

/* Where a heap inside another goes: the data range (of the host heap, or a
 * piece of it) that holds the live allocation [lo, hi) its range lies in,
 * and when the host has a window, the window range (or piece) that shows
 * the allocation at [w_lo, w_lo + (hi - lo)). */
typedef struct {
    capheap_range_t *range;
    uintptr_t lo, hi;
    capheap_range_t *window; /* NULL: the host has none */
    uintptr_t w_lo;
} nest_t;

/* Only the owner search returns ranges, and every one it returns lies in
 * the registry's own (writable) records. */
static capheap_range_t *record_of(const capheap_range_t *r) { return (capheap_range_t *)(uintptr_t)r; }

/* [lo, lo + size) lies within r. */
static bool holds(const capheap_range_t *r, uintptr_t lo, size_t size) {
    size_t have = range_size(r);
    return lo - r->start < have && size <= have - (lo - r->start);
}

/* The host's window range that shows its allocation [n->lo, n->hi) whole,
 * when the new heap sees its memory through the same window (the same
 * arithmetic: the caps layer gave both from the board's region). */
static bool find_window(const capheap_heap_spec_t *s, const capheap_heap_t *host, nest_t *n) {
    if (s->alias_kind != host->alias_kind || s->alias_k != host->alias_k || s->window_image == NULL) {
        return false;
    }
    n->w_lo = s->window_image(host, n->lo, n->hi);
    const capheap_range_t *w = capheap_registry_owner_search(n->w_lo);
    if (w == NULL || !w->alias || w->heap != host || !holds(w, n->w_lo, n->hi - n->lo)) {
        return false;
    }
    n->window = record_of(w);
    return true;
}

/* The live allocation of a registered heap that the spec's range lies in:
 * false when there is none, or when the new heap and the host do not share
 * their window (or lack of one). Out of the critical section: the walk takes
 * the host's lock. */
static bool find_host(const capheap_heap_spec_t *s, nest_t *n) {
    const capheap_range_t *r = capheap_registry_owner_search(s->start);
    if (r == NULL || r->alias) {
        return false;
    }
    void *user = multi_heap_find_containing_block(r->mh, (void *)s->start);
    if (user == NULL || s->start < (uintptr_t)user) {
        return false; /* free memory, or a block's header or canary */
    }
    uintptr_t lo = (uintptr_t)user, hi = lo + multi_heap_get_allocated_size(r->mh, user);
    if (s->end > hi) {
        return false;
    }
    *n = (nest_t){record_of(r), lo, hi, NULL, 0};
    return r->heap->alias_kind == 0 ? s->alias_kind == 0 : find_window(s, r->heap, n);
}

/* The host's ranges still hold the allocation find_host found: no heap was
 * made inside it (or beside it, shrinking a range) meanwhile. */
static bool host_holds(const nest_t *n) {
    size_t size = n->hi - n->lo;
    return holds(n->range, n->lo, size) && (n->window == NULL || holds(n->window, n->w_lo, size));
}

/* r ends at lo from now; a piece takes what lay beyond hi, if anything. */
static void split_range(capheap_range_t *r, uintptr_t lo, uintptr_t hi) {
    size_t beyond = range_size(r) - (hi - r->start);
    atomic_store_explicit(&r->size, lo - r->start, memory_order_relaxed);
    if (beyond != 0) {
        capheap_range_t *piece = &capheap_registry.pieces[capheap_registry.npieces++];
        *piece = (capheap_range_t){hi, beyond, r->mh, r->hot, r->heap, r->alias};
        sorted_insert(piece);
    }
}

/* Gives the allocation of the host's ranges to the new heap's (data, and
 * window or NULL). One change of sorted[]. */
static void split_host(const nest_t *n, const capheap_range_t *inner, const capheap_range_t *inner_window) {
    unsigned seq = sorted_change_begin();
    split_range(n->range, n->lo, n->hi);
    if (n->window != NULL) {
        split_range(n->window, n->w_lo, n->w_lo + (n->hi - n->lo));
        sorted_insert(inner_window);
    }
    capheap_registry.nested++;
    sorted_insert(inner);
    sorted_change_end(seq);
}

/* ---- adding and enabling ------------------------------------------------ */

/* Builds the heap's multi_heap and lock, and publishes it; nest, when not
 * NULL, is the allocation of another heap it lies in. */
static esp_err_t enable_locked(capheap_heap_t *h, const nest_t *nest) {
    if (atomic_load_explicit(&h->hot->mh, memory_order_relaxed) != NULL) {
        return ESP_OK;
    }
    /* The locks first (task tracking's accounts', before the heap serves):
     * a heap refused for want of one has not written its memory. */
    void *lock = capheap_task_stats_start() ? capheap_port_lock_create() : NULL;
    if (lock == NULL) {
        return ESP_ERR_NO_MEM;
    }
    multi_heap_handle_t mh = multi_heap_register((void *)h->start, h->end - h->start);
    if (mh == NULL) {
        capheap_port_lock_delete(lock);
        return ESP_ERR_NO_MEM;
    }
    h->lock = lock;
    multi_heap_set_lock(mh, h->lock);
    h->data.mh = h->alias.mh = mh;
    atomic_store_explicit(&h->hot->mh, mh, memory_order_release);
    if (nest != NULL) {
        split_host(nest, &h->data, &h->alias);
    } else {
        unsigned seq = sorted_change_begin();
        sorted_insert(&h->data);
        if (range_size(&h->alias) != 0) {
            sorted_insert(&h->alias);
        }
        sorted_change_end(seq);
    }
    publish_caps(h);
    capheap_registry_lists_invalidate();
    return ESP_OK;
}

static void fill_record(capheap_heap_t *h, const capheap_heap_spec_t *s, unsigned index) {
    memset(h, 0, sizeof *h);
    h->hot = capheap_registry_hot(index);
    atomic_store_explicit(&h->hot->mh, NULL, memory_order_relaxed);
    memcpy(h->caps, s->caps, sizeof h->caps);
    h->all_caps = s->caps[0] | s->caps[1] | s->caps[2];
    h->start = s->start;
    h->end = s->end;
    h->data = (capheap_range_t){s->start, s->end - s->start, NULL, h->hot, h, false};
    if (s->alias_kind != 0) {
        h->alias = (capheap_range_t){s->alias_start, s->end - s->start, NULL, h->hot, h, true};
    }
    h->alias_kind = s->alias_kind;
    h->alias_k = s->alias_k;
    h->type = s->type;
    h->name = s->name;
    h->index = index;
}

/* The heap's ranges overlap a registered heap's, or its window its own data
 * range (the owner lookup must find one range for any address). */
static bool spec_overlaps(const capheap_heap_spec_t *s) {
    uintptr_t alias_end = s->alias_start + (s->end - s->start);
    return capheap_registry_overlaps(s->start, s->end) ||
           (s->alias_kind != 0 && (capheap_registry_overlaps(s->alias_start, alias_end) ||
                                   ranges_overlap(s->alias_start, alias_end, s->start, s->end)));
}

/* capheap_registry_add in the critical section; *retry when the host's range
 * changed since find_host looked (another heap was made in it meanwhile). */
static esp_err_t add_locked(const capheap_heap_spec_t *spec, const nest_t *nest, capheap_heap_t **out, bool *retry) {
    size_t n = atomic_load_explicit(&capheap_registry.count, memory_order_relaxed);
    *retry = nest != NULL && !host_holds(nest);
    if (*retry || (nest == NULL && spec_overlaps(spec))) {
        return ESP_FAIL;
    }
    if (n == CAPHEAP_MAX_HEAPS || (nest != NULL && capheap_registry.nested == CAPHEAP_NESTED_HEAPS)) {
        return ESP_ERR_NO_MEM;
    }
    capheap_heap_t *h = capheap_registry_at(n);
    fill_record(h, spec, (unsigned)n);
    if (nest != NULL) {
        /* Every address of the allocation is the new heap's to look up: a free
         * of the allocation itself then meets a heap it is no block of. */
        h->data.start = nest->lo;
        atomic_store_explicit(&h->data.size, nest->hi - nest->lo, memory_order_relaxed);
        if (nest->window != NULL) {
            h->alias.start = nest->w_lo;
            atomic_store_explicit(&h->alias.size, nest->hi - nest->lo, memory_order_relaxed);
        }
    }
    /* Counted before it is enabled: size queries then find a complete record. */
    atomic_store_explicit(&capheap_registry.count, n + 1, memory_order_release);
    esp_err_t err = spec->enabled ? enable_locked(h, nest) : ESP_OK;
    if (err != ESP_OK) {
        atomic_store_explicit(&capheap_registry.count, n, memory_order_release); /* enable left no lock */
    } else if (out != NULL) {
        *out = h;
    }
    return err;
}

esp_err_t capheap_registry_add(const capheap_heap_spec_t *spec, capheap_heap_t **out) {
    esp_err_t err;
    bool retry;
    do {
        /* A range inside a heap's: its allocation is found first, out of the
         * critical section (the walk takes that heap's lock), by the owner
         * lookup, which readers may run at any time. */
        nest_t nest;
        bool nested = spec->enabled && find_host(spec, &nest);
        capheap_port_critical_enter();
        err = add_locked(spec, nested ? &nest : NULL, out, &retry);
        capheap_port_critical_exit();
    } while (retry);
    return err;
}

esp_err_t capheap_registry_enable(capheap_heap_t *heap) {
    capheap_port_critical_enter();
    /* A record past the count is none: an add that failed withdrew it after
     * the caller read the count (heap_caps_enable_nonos_stack_heaps reads it
     * outside the critical section). */
    size_t n = atomic_load_explicit(&capheap_registry.count, memory_order_relaxed);
    esp_err_t err = heap->index < n ? enable_locked(heap, NULL) : ESP_ERR_INVALID_STATE;
    capheap_port_critical_exit();
    return err;
}

void capheap_registry_clear(void) {
    struct capheap_registry *g = &capheap_registry;
    capheap_port_critical_enter();
    capheap_task_stats_reset();
    size_t n = atomic_load_explicit(&g->count, memory_order_relaxed);
    for (size_t i = 0; i < n; i++) {
        capheap_port_lock_delete(g->heaps[i].lock);
    }
    atomic_store_explicit(&capheap_registry_caches.last_owner[0], &no_range, memory_order_relaxed);
    atomic_store_explicit(&capheap_registry_caches.last_owner[1], &no_range, memory_order_relaxed);
    for (unsigned b = 0; b < CAPHEAP_CAP_BITS; b++) {
        for (unsigned w = 0; w < CAPHEAP_HEAPSET_WORDS; w++) {
            atomic_store_explicit(&g->bits[b].cover[w], 0, memory_order_relaxed);
            for (unsigned p = 0; p < 3; p++) {
                atomic_store_explicit(&g->bits[b].prio[p][w], 0, memory_order_relaxed);
            }
        }
    }
    atomic_store_explicit(&g->nsorted, 0, memory_order_relaxed);
    g->nested = 0;
    g->npieces = 0;
    capheap_registry_lists_reset();
    atomic_store_explicit(&g->count, 0, memory_order_release);
    capheap_port_critical_exit();
}
