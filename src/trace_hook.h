/*
 * trace_hook.h (private): how heap_caps tells the tracer (src/trace.c) about
 * its events. The one hook:
 *
 *   if (CAPHEAP_TRACING()) capheap_trace_<event>(..., CAPHEAP_CALLER());
 *
 * in each public allocating or freeing function of heap_caps*.c and of the
 * seed-era API (legacy.c): allocations after the fact (the address is
 * known), frees before (the address cannot be handed out again before the
 * record says it is free). A realloc, which frees inside the call, holds the
 * critical section around it instead (capheap_trace_realloc_begin).
 * heap_caps_malloc and heap_caps_free test it on their slow paths only,
 * which every call takes while tracing is on (the registry's list slots are
 * held empty then, and its owner lookups read an empty owner cache: trace.c). CAPHEAP_TRACING is one
 * relaxed load of a flag that is false unless standalone tracing runs or an
 * event sink is installed: a branch that is always predicted right while
 * tracing is off. The call stays out of the fast paths' straight line. The
 * application's allocation and free hooks are not the tracer's: the same
 * functions call them beside it (heap_hooks.h).
 */
#ifndef CAPHEAP_TRACE_HOOK_H
#define CAPHEAP_TRACE_HOOK_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "internal.h"

CAPHEAP_INTERNAL extern _Atomic bool capheap_trace_on;

#define CAPHEAP_TRACING() __builtin_expect(atomic_load_explicit(&capheap_trace_on, memory_order_relaxed), 0)

/** The address the public function returns to: its caller. Use only in the
 *  public function itself (not in a helper it calls). */
#define CAPHEAP_CALLER() __builtin_return_address(0)

/** An allocation returned p (NULL: it failed) for size bytes with caps. */
CAPHEAP_INTERNAL void capheap_trace_alloc(void *p, size_t size, size_t align, uint32_t caps, void *caller);

/** p (not NULL) is about to be freed. */
CAPHEAP_INTERNAL void capheap_trace_free(void *p, void *caller);

/* A realloc frees its old block inside the call (multi_heap_realloc moves a
 * block within its heap; a move to another heap frees it after the copy), and
 * another thread may be handed that address before the call returns: its
 * record of the allocation would then come before the realloc's record of the
 * free, which would take the other thread's record for the freed one. So the
 * realloc functions hold the tracer's critical section (the port's) from
 * before the call until their event is recorded: the other thread's record
 * waits. A heap lock may be taken inside the critical section, never the
 * other way round (the ports' lock order, as heap_caps_monitor_* does); on a
 * single core this masks interrupts for the realloc, only while tracing. */

/** Enters the tracer's critical section. */
CAPHEAP_INTERNAL void capheap_trace_realloc_hold(void);

/** realloc(old, size, caps) returned p: NULL with size 0 means old was freed;
 *  NULL otherwise means it failed and old is untouched. Records it (not when
 *  the pointer was refused: *bad_ptr of capheap_caps_realloc) and leaves the
 *  critical section capheap_trace_realloc_hold entered. */
CAPHEAP_INTERNAL void capheap_trace_realloc_end(void *p, void *old, size_t size, uint32_t caps, bool refused,
                                                void *caller);

/** Whether the realloc is traced: if so, the critical section is held (end
 *  it with capheap_trace_realloc_end). */
static inline bool capheap_trace_realloc_begin(void) {
    if (!CAPHEAP_TRACING()) {
        return false;
    }
    capheap_trace_realloc_hold();
    return true;
}

#endif /* CAPHEAP_TRACE_HOOK_H */
