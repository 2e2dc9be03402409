/*
 * registry_lists.c: the candidate-list cache of the registry.
 *
 * heap_caps_malloc needs, for its caps mask, the heaps in the order of the
 * matching rule. Computing that from the heap sets costs about a hundred
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
 * The race to guard against: a reader computes a list from the heap sets while
 * a writer adds a heap, and publishes it after the writer emptied the slots.
 * Both sides store and then load the other's variable with seq_cst order (the
 * writer: generation, then slots; the reader: slot, then generation), so at
 * least one of them sees the other and the outdated list leaves its slot.
 */
#include "registry.h"

#include <string.h>

/* Flattens the heap sets of caps into list, in order. */
static void fill_list(capheap_candidate_list_t *list, uint32_t caps, unsigned gen) {
    capheap_candidates_t c;
    capheap_registry_candidates(caps, &c);
    list->caps = caps;
    list->gen = gen;
    list->count = 0;
    for (unsigned p = 0; p < 3; p++) {
        for (unsigned w = 0; w < CAPHEAP_HEAPSET_WORDS; w++) {
            for (uintptr_t set = c.order[p][w]; set != 0; set &= set - 1) {
                list->heap[list->count++] = (uint8_t)(w * CAPHEAP_HEAPSET_BITS + capheap_heapset_first(set));
            }
        }
    }
    list->heap[list->count] = CAPHEAP_LIST_END;
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

/* A fresh list of the pool, or NULL when all are taken. */
static capheap_candidate_list_t *claim_list(void) {
    struct capheap_registry *g = &capheap_registry;
    unsigned used = atomic_load_explicit(&g->lists_used, memory_order_relaxed);
    while (used < CAPHEAP_CANDIDATE_LISTS) {
        if (atomic_compare_exchange_weak_explicit(&g->lists_used, &used, used + 1, memory_order_acq_rel,
                                                  memory_order_relaxed)) {
            return &g->lists[used];
        }
    }
    return NULL;
}

const capheap_candidate_list_t *capheap_registry_candidates_miss(uint32_t caps, unsigned table,
                                                                 capheap_candidate_list_t *scratch) {
    struct capheap_registry *g = &capheap_registry;
    unsigned gen = atomic_load_explicit(&g->gen, memory_order_seq_cst);
    const capheap_candidate_list_t *list = find_kept(caps, gen);
    if (list == NULL) {
        capheap_candidate_list_t *fresh = claim_list();
        if (fresh == NULL) {
            fill_list(scratch, caps, gen);
            return scratch;
        }
        fill_list(fresh, caps, gen);
        atomic_store_explicit(&fresh->ready, true, memory_order_release);
        list = fresh;
    }
    unsigned slot = (unsigned)((caps * UINT32_C(0x9E3779B1)) >> (32 - CAPHEAP_CANDIDATE_SLOT_BITS));
    const capheap_candidate_list_t *_Atomic *at = &g->candidate_slot[table][slot];
    atomic_store_explicit(at, list, memory_order_seq_cst);
    if (atomic_load_explicit(&g->gen, memory_order_seq_cst) != gen) {
        const capheap_candidate_list_t *expected = list;
        atomic_compare_exchange_strong_explicit(at, &expected, &capheap_empty_list, memory_order_seq_cst,
                                                memory_order_relaxed);
    }
    return list;
}

void capheap_registry_lists_invalidate(void) {
    struct capheap_registry *g = &capheap_registry;
    atomic_fetch_add_explicit(&g->gen, 1, memory_order_seq_cst);
    for (unsigned t = 0; t < CAPHEAP_CANDIDATE_TABLES; t++) {
        for (unsigned i = 0; i < CAPHEAP_CANDIDATE_SLOTS; i++) {
            atomic_store_explicit(&g->candidate_slot[t][i], &capheap_empty_list, memory_order_seq_cst);
        }
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
