/*
 * fault.h (private): what can be wrong with a pointer handed back to a heap.
 * Hot paths pass these small codes around; the text exists only for reports.
 */
#ifndef CAPHEAP_FAULT_H
#define CAPHEAP_FAULT_H

#include "internal.h"

typedef enum {
    CAPHEAP_FAULT_NONE = 0,
    CAPHEAP_FAULT_OUTSIDE,      /* not inside the heap's blocks */
    CAPHEAP_FAULT_MISALIGNED,   /* not on the heap's grain */
    CAPHEAP_FAULT_DOUBLE_FREE,  /* the block is already free */
    CAPHEAP_FAULT_NOT_A_BLOCK,  /* no live block starts here (bad header) */
    CAPHEAP_FAULT_FREED_CANARY, /* poisoning: the allocation was freed before */
    CAPHEAP_FAULT_HEAD_CANARY,  /* poisoning: head canary broken */
    CAPHEAP_FAULT_TAIL_CANARY,  /* poisoning: written past the end */
    CAPHEAP_FAULT_FREE_MEMORY,  /* comprehensive poisoning: free fill where its header is: a block freed
                                   into the one before it, or a pointer into memory never handed out */
} capheap_fault_t;

/** Reports fault for p through capheap_report_corruption (capheap/port.h),
 *  as one line describing it. */
CAPHEAP_INTERNAL void capheap_report_fault(const void *p, capheap_fault_t fault);

#endif /* CAPHEAP_FAULT_H */
