/*
 * poison.h (private): the poisoning layer between multi_heap and the region
 * allocator. The build picks the level (CMake option CAPHEAP_POISONING):
 *
 *  none (0)          these calls are the region allocator's, inlined.
 *  light (1)         each allocation carries a head canary (magic + size) and a
 *                    tail canary, checked on free, realloc, the size queries and
 *                    by multi_heap_check (src/poison.c).
 *  comprehensive (2) light, plus free memory filled with 0xFE and checked when
 *                    it is handed out and by multi_heap_check (a write after
 *                    free is found), and fresh allocations filled with 0xCE.
 *
 * Pointers that cross this interface upward are what the user sees; the
 * region allocator below sees block payloads.
 */
#ifndef CAPHEAP_POISON_H
#define CAPHEAP_POISON_H

#include "internal.h"

#include "tlsf.h"

#ifndef CAPHEAP_POISONING_LEVEL
#define CAPHEAP_POISONING_LEVEL 0
#endif

#ifndef CAPHEAP_TASK_TRACKING
#define CAPHEAP_TASK_TRACKING 0
#endif
#if CAPHEAP_TASK_TRACKING && CAPHEAP_POISONING_LEVEL == 0
#error "CAPHEAP_TASK_TRACKING needs poisoning (CAPHEAP_POISONING_LEVEL 1 or 2): the task is kept in its head"
#endif

/** Reports a block that fails its poisoning checks (multi_heap_check). */
typedef capheap_tlsf_fault_t capheap_poison_fault_t;

#if CAPHEAP_POISONING_LEVEL == 0

static inline void *capheap_poison_malloc(capheap_tlsf_t *t, size_t size) {
    return capheap_tlsf_malloc(t, size);
}
static inline void *capheap_poison_memalign(capheap_tlsf_t *t, size_t size, size_t align, size_t offset) {
    return capheap_tlsf_memalign(t, size, align, offset);
}
static inline capheap_fault_t capheap_poison_validate(const capheap_tlsf_t *t, const void *p) {
    return capheap_tlsf_validate(t, p);
}
static inline void capheap_poison_free(capheap_tlsf_t *t, void *p) { capheap_tlsf_free_checked(t, p); }
static inline void *capheap_poison_realloc(capheap_tlsf_t *t, void *p, size_t size) {
    return capheap_tlsf_realloc(t, p, size);
}
static inline bool capheap_poison_resize(capheap_tlsf_t *t, void *p, size_t size) {
    return capheap_tlsf_resize(t, p, size);
}
static inline size_t capheap_poison_usable_size(const void *p) { return capheap_tlsf_usable_size(p); }
static inline void *capheap_poison_user_ptr(void *payload) { return payload; }
static inline void *capheap_poison_payload(const void *p) { return (void *)(uintptr_t)p; }
static inline size_t capheap_poison_user_size(void *payload, size_t usable) {
    (void)payload;
    return usable;
}
static inline size_t capheap_poison_overhead(void) { return 0; }
static inline size_t capheap_poison_largest_aligned(const capheap_tlsf_t *t, size_t align, size_t offset) {
    return capheap_tlsf_largest_aligned(t, align, offset);
}
static inline void capheap_poison_new_heap(capheap_tlsf_t *t) { (void)t; }
static inline void capheap_poison_check_block(void *payload, size_t usable, bool used,
                                              capheap_poison_fault_t fault, void *user) {
    (void)payload, (void)usable, (void)used, (void)fault, (void)user;
}

#else

CAPHEAP_INTERNAL void *capheap_poison_malloc(capheap_tlsf_t *t, size_t size);
CAPHEAP_INTERNAL void *capheap_poison_memalign(capheap_tlsf_t *t, size_t size, size_t align, size_t offset);
/** CAPHEAP_FAULT_NONE when p is a live allocation with intact canaries, else
 *  what is wrong with it. */
CAPHEAP_INTERNAL capheap_fault_t capheap_poison_validate(const capheap_tlsf_t *t, const void *p);
/** Validates p as capheap_poison_validate and frees it when it is sound;
 *  otherwise reports the fault (capheap_report_fault), the heap unchanged.
 *  NULL does nothing. */
CAPHEAP_INTERNAL void capheap_poison_free(capheap_tlsf_t *t, void *p);
CAPHEAP_INTERNAL void *capheap_poison_realloc(capheap_tlsf_t *t, void *p, size_t size);
/** realloc's in-place half (capheap_tlsf_resize), canaries armed for the new
 *  size; never with comprehensive poisoning, whose realloc always moves. */
CAPHEAP_INTERNAL bool capheap_poison_resize(capheap_tlsf_t *t, void *p, size_t size);
/** The size that was asked for p (the usable size the user may rely on). */
CAPHEAP_INTERNAL size_t capheap_poison_usable_size(const void *p);
/** The user address of the used block with this payload. */
CAPHEAP_INTERNAL void *capheap_poison_user_ptr(void *payload);
/** The block payload under the user address p. */
CAPHEAP_INTERNAL void *capheap_poison_payload(const void *p);
#if CAPHEAP_TASK_TRACKING
/** The task that allocated the live allocation p (capheap_port_current_task). */
CAPHEAP_INTERNAL void *capheap_poison_owner(const void *p);
/** The word p's head keeps for its task: its account, or the task (task_stats.h). */
CAPHEAP_INTERNAL void *capheap_poison_owner_word(const void *p);
#endif
/** The user's size of the used block with this payload and usable size. */
CAPHEAP_INTERNAL size_t capheap_poison_user_size(void *payload, size_t usable);
/** Bytes the canaries add to every allocation. */
CAPHEAP_INTERNAL size_t capheap_poison_overhead(void);
/** The largest size capheap_poison_memalign now serves with align and offset
 *  (capheap_tlsf_largest_aligned of the poisoned request). */
CAPHEAP_INTERNAL size_t capheap_poison_largest_aligned(const capheap_tlsf_t *t, size_t align, size_t offset);
/** Fills the free memory of a heap just created (comprehensive level). */
CAPHEAP_INTERNAL void capheap_poison_new_heap(capheap_tlsf_t *t);
/** Checks the canaries of a used block, or the fill of a free one; each
 *  fault goes to fault (the caller counts them there). */
CAPHEAP_INTERNAL void capheap_poison_check_block(void *payload, size_t usable, bool used, capheap_poison_fault_t fault,
                                void *user);

#endif

#endif /* CAPHEAP_POISON_H */
