/*
 * registry_lists.c: the candidate-list cache of the registry.
 *
 * heap_caps_malloc needs, for its caps mask, the heaps in the order of the
 * matching rule (with what the caps layer derives from the mask: the caps
 * the rule is applied to, instruction-bus windows, its own flags). Computing that from the heap sets costs about a hundred
 * instructions on i386; a program uses few distinct masks, so each list is
 * computed once and kept: a slot per hash of the mask points to an immutable
 * list. Readers load the pointer and compare the mask, nothing more.
 *
 * Lists are never changed or reused while heaps exist, so a reader can never
 * see one half-written (capheap_registry_clear resets them, with no reader
 * running). When a heap is added the generation changes and the slots are
 * emptied; a reader that still holds an older list uses it for that one call,
 * as if the heap had been added just after it.
 *
 * A list is computed from the heap sets outside any lock, but kept and put in
 * its slot inside the port's critical section, and only if the generation is
 * still the one it was computed for: writers change the generation and empty
 * the slots in the same critical section, so no outdated list stays in a
 * slot. (No read-modify-write atomics either: ARMv6-M has none.) Nor while
 * the slots are held (capheap_registry_lists_hold), which is decided in the
 * same critical section.
 */
#include "registry.h"

#include <string.h>

#include "assertions.h"
#include "capheap/port.h"

/* Flattens the heap sets of the request's caps into list, in order. */
static void fill_list(capheap_candidate_list_t *list, const capheap_list_request_t *req, unsigned gen) {
    capheap_candidates_t c;
    capheap_registry_candidates(req->caps, &c);
    list->caps = req->key;
    list->gen = gen;
    list->rules = req->rules;
    list->count = 0;
    for (unsigned p = 0; p < 3 && req->caps != 0; p++) {
        for (unsigned w = 0; w < CAPHEAP_HEAPSET_WORDS; w++) {
            for (uintptr_t set = c.order[p][w]; set != 0; set &= set - 1) {
                unsigned i = w * CAPHEAP_HEAPSET_BITS + capheap_heapset_first(set);
                bool window = req->window && atomic_load_explicit(&capheap_registry_at(i)->alias.size, memory_order_relaxed) != 0;
                /* The heap sets gave a heap of the registry that has every cap the
                 * rule asks, once (at its first priority: the sets are disjoint). */
                CAPHEAP_ASSERT_AT(capheap_registry_at(i), i < capheap_registry_count() &&
                                                              capheap_heap_covers(capheap_registry_at(i), req->caps) &&
                                                              memchr(list->heap, (int)i, list->count) == NULL &&
                                                              memchr(list->heap, (int)(i | CAPHEAP_LIST_WINDOW),
                                                                     list->count) == NULL);
                list->heap[list->count++] = (uint8_t)(i | (window ? CAPHEAP_LIST_WINDOW : 0));
            }
        }
    }
    list->heap[list->count] = CAPHEAP_LIST_END;
    unsigned n = 0;
    for (; n < list->count && n < CAPHEAP_LIST_FAST; n++) {
        list->fast[n] = capheap_heap_handle(capheap_registry_at(list->heap[n] & ~CAPHEAP_LIST_WINDOW));
    }
    list->fast[n] = NULL;
    if (list->count == 0) {
        list->rules |= CAPHEAP_LIST_NO_HEAP;
    }
}

/* A complete list of this generation for caps, or NULL. */
static const capheap_candidate_list_t *find_kept(uint32_t caps, unsigned gen) {
    struct capheap_registry *g = &capheap_registry;
    unsigned used = atomic_load_explicit(&g->lists_used, memory_order_acquire);
    for (unsigned i = 0; i < used && i < CAPHEAP_CANDIDATE_LISTS; i++) {
        const capheap_candidate_list_t *l = &g->lists[i];
        if (atomic_load_explicit(&l->ready, memory_order_acquire) && l->caps == caps && l->gen == gen) {
            return l;
        }
    }
    return NULL;
}

/* A fresh list of the pool, or NULL when all are taken (critical section). */
static capheap_candidate_list_t *claim_list(void) {
    struct capheap_registry *g = &capheap_registry;
    unsigned used = atomic_load_explicit(&g->lists_used, memory_order_relaxed);
    if (used == CAPHEAP_CANDIDATE_LISTS) {
        return NULL;
    }
    atomic_store_explicit(&g->lists_used, used + 1, memory_order_release);
    return &g->lists[used];
}

/* Whether a list made for generation gen may go into its slot (critical section). */
static bool may_fill_slot(unsigned gen) {
    struct capheap_registry *g = &capheap_registry;
    return atomic_load_explicit(&g->gen, memory_order_relaxed) == gen &&
           !atomic_load_explicit(&g->lists_held, memory_order_relaxed);
}

const capheap_candidate_list_t *capheap_registry_kept_list(uint32_t key) {
    struct capheap_registry *g = &capheap_registry;
    unsigned gen = atomic_load_explicit(&g->gen, memory_order_acquire);
    const capheap_candidate_list_t *list = find_kept(key, gen);
    /* While held, every call comes here: it need not wait for the critical section. */
    if (list != NULL && !atomic_load_explicit(&g->lists_held, memory_order_relaxed)) {
        capheap_port_critical_enter();
        if (may_fill_slot(gen)) {
            atomic_store_explicit(capheap_registry_slot(key), list, memory_order_release);
        }
        capheap_port_critical_exit();
    }
    return list;
}

const capheap_candidate_list_t *capheap_registry_candidates_miss(const capheap_list_request_t *req,
                                                                 capheap_candidate_list_t *scratch) {
    struct capheap_registry *g = &capheap_registry;
    unsigned gen = atomic_load_explicit(&g->gen, memory_order_acquire);
    fill_list(scratch, req, gen); /* outside the critical section: it takes a while */
    capheap_port_critical_enter();
    capheap_candidate_list_t *kept = atomic_load_explicit(&g->gen, memory_order_relaxed) == gen ? claim_list() : NULL;
    if (kept != NULL) {
        kept->caps = scratch->caps;
        kept->gen = scratch->gen;
        kept->count = scratch->count;
        kept->rules = scratch->rules;
        memcpy(kept->heap, scratch->heap, sizeof kept->heap);
        memcpy(kept->fast, scratch->fast, sizeof kept->fast);
        atomic_store_explicit(&kept->ready, true, memory_order_release);
        if (may_fill_slot(gen)) {
            atomic_store_explicit(capheap_registry_slot(req->key), kept, memory_order_release);
        }
    }
    capheap_port_critical_exit();
    return kept != NULL ? kept : scratch;
}

static void empty_slots(void) {
    for (unsigned i = 0; i < CAPHEAP_CANDIDATE_SLOTS; i++) {
        atomic_store_explicit(&capheap_registry_caches.candidate_slot[i], &capheap_empty_list, memory_order_release);
    }
}

void capheap_registry_lists_invalidate(void) {
    struct capheap_registry *g = &capheap_registry;
    unsigned gen = atomic_load_explicit(&g->gen, memory_order_relaxed);
    atomic_store_explicit(&g->gen, gen + 1, memory_order_release);
    empty_slots();
}

/* The generation stays: the kept lists are still right, and the pool is not
 * spent again each time tracing starts. */
void capheap_registry_lists_hold(unsigned holder, bool hold) {
    unsigned held = atomic_load_explicit(&capheap_registry.lists_held, memory_order_relaxed);
    held = hold ? held | holder : held & ~holder;
    atomic_store_explicit(&capheap_registry.lists_held, (uint8_t)held, memory_order_relaxed);
    if (hold) {
        empty_slots();
    }
}

void capheap_registry_lists_reset(void) {
    struct capheap_registry *g = &capheap_registry;
    capheap_registry_lists_invalidate();
    for (unsigned i = 0; i < CAPHEAP_CANDIDATE_LISTS; i++) {
        atomic_store_explicit(&g->lists[i].ready, false, memory_order_relaxed);
    }
    atomic_store_explicit(&g->lists_used, 0, memory_order_release);
}
