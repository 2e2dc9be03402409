/*
 * multi_heap.h: one heap in one contiguous region of memory.
 *
 * Source-compatible with ESP-IDF's multi_heap API. Every call is O(1) in the
 * number of blocks and in the size of the region, except multi_heap_check,
 * multi_heap_dump and multi_heap_walk, which visit every block on purpose,
 * and multi_heap_get_info, which counts the free blocks on their lists (no
 * counter is kept for them: it would cost every malloc and free).
 *
 * Granularity: block sizes and returned addresses are multiples of
 * MULTI_HEAP_ALIGN, the build's CAPHEAP_GRAIN (capheap/config.h): 4 bytes on
 * 32-bit targets, 8 on 64-bit ones, or 8 on a 32-bit build made with
 * CAPHEAP_GRAIN=8, or 16 on a build made with CAPHEAP_GRAIN=16. Each used
 * block costs one header word (a size_t).
 *
 * Thread safety: a heap is protected by the lock given to multi_heap_set_lock
 * (a lock of the port, see capheap/port.h); without one the caller serialises.
 *
 * Bad pointers: multi_heap_free, multi_heap_realloc and the size queries check
 * that the pointer is a live block of the heap. When it is not (double free, an
 * address outside the region, a misaligned one, a block header that does not
 * fit its neighbours, such as one overwritten by an overrun of the block
 * before it; with poisoning also an interior pointer or a broken canary) the
 * corruption is reported through capheap_report_corruption (capheap/port.h)
 * with the address, and the call returns without changing the heap (free),
 * returns NULL (realloc) or 0. A header is checked against the blocks a free
 * would merge with, in O(1): a size changed so that it leads to bytes that
 * read as a used header is not caught there; multi_heap_check, which follows
 * every header to the end of the region and matches the counts, sees it.
 * Nor is an interior pointer whose bytes below read as a sound used block:
 * without poisoning, data shaped like a header; at any level, a block of
 * another heap registered inside one of this heap's blocks (its canaries are
 * genuine). Free such a pointer to its own heap: heap_caps_free finds a
 * nested heap by the address.
 */
#ifndef CAPHEAP_MULTI_HEAP_H
#define CAPHEAP_MULTI_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capheap/config.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Granularity of block sizes and of returned addresses. */
#define MULTI_HEAP_ALIGN ((size_t)(CAPHEAP_GRAIN))

/** Opaque handle of a heap; it lives at the start of its own region. */
typedef struct multi_heap_info *multi_heap_handle_t;

/** Statistics of one heap; every field is exact at the moment of the call. */
typedef struct {
    size_t total_free_bytes;      /**< usable bytes in free blocks (headers excluded) */
    size_t total_allocated_bytes; /**< usable bytes in used blocks (headers excluded) */
    size_t largest_free_block;    /**< largest size a multi_heap_malloc would now succeed with */
    size_t minimum_free_bytes;    /**< lowest total_free_bytes since register or the last reset */
    size_t allocated_blocks;      /**< number of used blocks */
    size_t free_blocks;           /**< number of free blocks */
    size_t total_blocks;          /**< allocated_blocks + free_blocks */
} multi_heap_info_t;

/** Walker callback: block_ptr is the usable address, block_size its usable
 *  size, block_used 1 for a used block. Return false to stop the walk. */
typedef bool (*multi_heap_walker_cb_t)(void *block_ptr, size_t block_size, int block_used, void *user_data);

/**
 * Makes a heap of the region [start, start + size).
 * Returns NULL iff start is NULL or the region, once aligned, cannot hold the
 * heap's control data and one block that serves malloc(1) (with poisoning, one
 * large enough for the canaries too); nothing is written then. The control data grows
 * with the logarithm of the region size: 80 bytes for an 8 KiB region on 32-bit
 * (78 blocks of 100 bytes fit), about 1 KiB for 1 MiB.
 */
multi_heap_handle_t multi_heap_register(void *start, size_t size);

/** Sets the port lock (capheap_port_lock_create) that guards the heap; NULL for none. */
void multi_heap_set_lock(multi_heap_handle_t heap, void *lock);

/**
 * Allocates size bytes aligned to MULTI_HEAP_ALIGN.
 * Returns NULL iff size is 0, size rounded up would overflow, or no free block
 * is large enough. The allocation never returns a block smaller than size.
 */
void *multi_heap_malloc(multi_heap_handle_t heap, size_t size);

/** Like multi_heap_malloc, with the address a multiple of alignment.
 *  Returns NULL also when alignment is not a power of two. A block is found
 *  in O(1): one with room for the worst front gap (alignment plus a minimum
 *  block), else one of the largest (those malloc's largest request comes
 *  from) with room for its own gap; so a request can fail beside a free
 *  block that a smaller block, or one further down its size class, would
 *  have served. */
void *multi_heap_aligned_alloc(multi_heap_handle_t heap, size_t size, size_t alignment);

/** Like multi_heap_aligned_alloc, with (address + offset) a multiple of alignment;
 *  only offset modulo alignment matters. NULL when alignment exceeds the grain
 *  (MULTI_HEAP_ALIGN) and offset is not a multiple of the grain: every block
 *  starts on the grain, so no address can meet it. */
void *multi_heap_aligned_alloc_offs(multi_heap_handle_t heap, size_t size, size_t alignment, size_t offset);

/** Same as multi_heap_free (kept for source compatibility). */
void multi_heap_aligned_free(multi_heap_handle_t heap, void *p);

/** Frees p; NULL is a no-op. A p that is not a live block is reported (see top). */
void multi_heap_free(multi_heap_handle_t heap, void *p);

/**
 * Resizes p to size bytes, in place when the block or its free neighbour allows,
 * else by moving it. With comprehensive poisoning it always moves, as in
 * ESP-IDF (so that the freed bytes are filled and checked as any free block's),
 * and so needs room for the new size even to shrink. p NULL: same as malloc.
 * size 0: frees p and returns NULL. On failure (no room, overflowing size, bad
 * p) returns NULL and p is untouched.
 */
void *multi_heap_realloc(multi_heap_handle_t heap, void *p, size_t size);

/** Usable size of the live block p (at least what was asked); 0 for a bad p
 *  (reported) and for NULL (not reported). */
size_t multi_heap_get_allocated_size(multi_heap_handle_t heap, void *p);

/** Size of the live block p including its header and poisoning; 0 for a bad
 *  p (reported) and for NULL (not reported). */
size_t multi_heap_get_full_block_size(multi_heap_handle_t heap, void *p);

/** Start (the address malloc returned) of the used block that contains ptr, or
 *  NULL when ptr is in no used block. Walks the blocks: O(n), for diagnostics. */
void *multi_heap_find_containing_block(multi_heap_handle_t heap, void *ptr);

/** Usable bytes in free blocks. */
size_t multi_heap_free_size(multi_heap_handle_t heap);

/** Lowest multi_heap_free_size since register or the last reset; never increases otherwise. */
size_t multi_heap_minimum_free_size(multi_heap_handle_t heap);

/** Sets the watermark to the current free size and returns the old watermark. */
size_t multi_heap_reset_minimum_free_bytes(multi_heap_handle_t heap);

/** Sets the watermark back to value (typically one reset returned), but never
 *  above the current free size. */
void multi_heap_restore_minimum_free_bytes(multi_heap_handle_t heap, size_t value);

/** Fills info. largest_free_block comes from the size-class bitmap in O(1);
 *  free_blocks (and total_blocks) cost a visit of each free block. */
void multi_heap_get_info(multi_heap_handle_t heap, multi_heap_info_t *info);

/** Validates every invariant (headers, neighbours, free lists, bitmaps, statistics
 *  and, with poisoning, canaries and free-memory patterns). Returns false on any
 *  mismatch; with print_errors, each mismatch is logged with its address. */
bool multi_heap_check(multi_heap_handle_t heap, bool print_errors);

/** Logs every block (address, size, used/free) through the port's log output. */
void multi_heap_dump(multi_heap_handle_t heap);

/** Calls cb for every block in address order until it returns false. cb must not
 *  allocate from or free to this heap. */
void multi_heap_walk(multi_heap_handle_t heap, multi_heap_walker_cb_t cb, void *user_data);

#ifdef __cplusplus
}
#endif

#endif /* CAPHEAP_MULTI_HEAP_H */
