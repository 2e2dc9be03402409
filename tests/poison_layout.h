/*
 * poison_layout.h: what the misuse tests know of a poisoning head
 * (src/poison.c) beyond poison.h: which of its bytes are canaries.
 */
#ifndef CAPHEAP_POISON_LAYOUT_H
#define CAPHEAP_POISON_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Whether byte b of the head below the user address p is a canary: all are
 *  but the task word that task tracking (CAPHEAP_TASK_TRACKING) keeps below
 *  the magic and the size. */
static inline bool poison_head_byte_is_canary(const uint8_t *b, const uint8_t *p) {
#if defined(CAPHEAP_TASK_TRACKING) && CAPHEAP_TASK_TRACKING
    const uint8_t *task = p - 2 * sizeof(size_t) - sizeof(void *);
    return b < task || b >= task + sizeof(void *);
#else
    (void)b, (void)p;
    return true;
#endif
}

#endif /* CAPHEAP_POISON_LAYOUT_H */
