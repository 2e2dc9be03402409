/*
 * esp_heap_caps.h: allocation by capabilities over every registered heap.
 *
 * Source-compatible with ESP-IDF's esp_heap_caps.h. Memory is a set of heaps;
 * each belongs to a memory type with three capability masks caps[0..2] in
 * priority order. A request for caps may be served by a heap whose
 * caps[0] | caps[1] | caps[2] contains every requested bit. Among those, the
 * heaps whose caps[0] shares a bit with the request are tried first, in
 * registration order, then caps[1], then caps[2]; the first with room wins.
 *
 * Every heap has its own lock: all functions may be called from any thread,
 * also while heaps are being added (heap_caps_add_region*). The size queries
 * add up heaps one after the other, each exact at the moment it is read.
 *
 * Pointers: every function that takes a pointer accepts any address that a
 * heap_caps allocation returned, from whichever heap, including the
 * instruction-bus address an EXEC allocation may return (see heap_caps_malloc).
 * An address that no heap holds, or that is not a live block, is reported
 * through capheap_report_corruption (capheap/port.h) and the call then does
 * nothing (free) or returns NULL / 0. Without poisoning, a heap knows a live
 * block only by its header (multi_heap.h): an address inside a live block
 * whose bytes just before it pass for one is taken as a block.
 */
#ifndef CAPHEAP_ESP_HEAP_CAPS_H
#define CAPHEAP_ESP_HEAP_CAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "esp_err.h"
#include "multi_heap.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Capability bits --------------------------------------------------- */

#define MALLOC_CAP_EXEC          (1u << 0)  /**< can hold executable code */
#define MALLOC_CAP_32BIT         (1u << 1)  /**< allows aligned 32-bit access (only) */
#define MALLOC_CAP_8BIT          (1u << 2)  /**< allows 8/16/32-bit access */
#define MALLOC_CAP_DMA           (1u << 3)  /**< reachable by DMA */
#define MALLOC_CAP_PID2          (1u << 4)  /**< mapped to PID2's memory space */
#define MALLOC_CAP_PID3          (1u << 5)
#define MALLOC_CAP_PID4          (1u << 6)
#define MALLOC_CAP_PID5          (1u << 7)
#define MALLOC_CAP_PID6          (1u << 8)
#define MALLOC_CAP_PID7          (1u << 9)
#define MALLOC_CAP_SPIRAM        (1u << 10) /**< external SPI RAM */
#define MALLOC_CAP_INTERNAL      (1u << 11) /**< internal RAM: usable when the external-memory cache is off */
#define MALLOC_CAP_DEFAULT       (1u << 12) /**< may be returned by plain malloc() */
#define MALLOC_CAP_IRAM_8BIT     (1u << 13) /**< IRAM that allows unaligned access */
#define MALLOC_CAP_RETENTION     (1u << 14) /**< reachable by retention DMA */
#define MALLOC_CAP_RTCRAM        (1u << 15) /**< RTC fast memory */
#define MALLOC_CAP_SPM           (1u << 16) /**< scratch-pad / tightly coupled memory */
/* ESP-IDF's names for bit 16: MALLOC_CAP_TCM (the ESP32-P4's tightly coupled
 * memory), in newer sources MALLOC_CAP_SCP with TCM kept as its alias. */
#define MALLOC_CAP_TCM           MALLOC_CAP_SPM
#define MALLOC_CAP_SCP           MALLOC_CAP_SPM
/* The next four ask for alignment when allocating, as ESP-IDF 5.3+ does
 * (docs/heap_caps.md): DMA and the DMA descriptor and CACHE_ALIGNED caps get
 * the board's data cache line, SIMD at least 16 bytes. The size queries take
 * them as plain bits. */
#define MALLOC_CAP_DMA_DESC_AHB  (1u << 17) /**< may hold AHB DMA descriptors: allocates as DMA */
#define MALLOC_CAP_DMA_DESC_AXI  (1u << 18) /**< may hold AXI DMA descriptors: allocates as DMA */
#define MALLOC_CAP_CACHE_ALIGNED (1u << 19) /**< cache-line aligned: no memory's cap, only alignment */
#define MALLOC_CAP_SIMD          (1u << 20) /**< usable by SIMD instructions (16-aligned) */
#define MALLOC_CAP_INVALID       (1u << 31) /**< never satisfiable; list-end marker */

/* ---- Types ------------------------------------------------------------- */

/** Called when an allocation through this API fails (never for size 0).
 *  function_name is the public function the caller used. */
typedef void (*esp_alloc_failed_hook_t)(size_t size, uint32_t caps, const char *function_name);

/** The heap a walked block lies in: [start, end) of its region. (The spelling
 *  "into" is ESP-IDF's, kept for source compatibility.) */
typedef struct walker_heap_info {
    intptr_t start;
    intptr_t end;
} walker_heap_into_t;

/** One block seen by heap_caps_walk: usable address and size, used or free. */
typedef struct walker_block_info {
    void *ptr;
    size_t size;
    bool used;
} walker_block_info_t;

/** Walker callback; returning false stops the walk of the current heap (the
 *  walk goes on with the next heap). It must not allocate or free. */
typedef bool (*heap_caps_walker_cb_t)(walker_heap_into_t heap_info, walker_block_info_t block_info, void *user_data);

/* ---- Failed allocations ------------------------------------------------ */

/** Installs the hook called on every failed allocation of this API (see
 *  esp_alloc_failed_hook_t). ESP_ERR_INVALID_ARG for NULL, else ESP_OK. */
esp_err_t heap_caps_register_failed_alloc_callback(esp_alloc_failed_hook_t callback);

/* ---- Allocation and free hooks ----------------------------------------- */

/*
 * ESP-IDF's CONFIG_HEAP_USE_HOOKS: with capheap built with CAPHEAP_HEAP_HOOKS
 * (CMake option; a build without CMake defines it to 1 in its config header),
 * an application that defines either function has it called, and
 * CONFIG_HEAP_USE_HOOKS is defined here for code that tests it. Without that
 * option they are never called, as in ESP-IDF without the option.
 *
 * esp_heap_trace_alloc_hook(ptr, size, caps): after each allocation of this
 * API that succeeded (malloc, calloc, realloc, aligned, _prefer and _default
 * calls, the C library's malloc family on targets, the seed-era API), with
 * the size and caps the call asked for (calloc: n * size; ESP-IDF passes a
 * 32BIT request's size rounded up to 4, and adds 32BIT to EXEC). A realloc
 * that kept its block calls it with the same pointer and the new size.
 *
 * esp_heap_trace_free_hook(ptr): just before heap_caps_free (free) releases a
 * live block, so that no other thread can be given the address before the
 * hook has seen it go (ESP-IDF calls it after). Not for NULL, nor for a
 * pointer capheap refuses (reported through capheap_report_corruption). A
 * realloc that moves its block calls it for the old pointer once the data is
 * copied, before the old block is freed, and the alloc hook for the new one
 * when the call returns; size 0 calls it before the free (in ESP-IDF a move
 * within one heap calls the alloc hook only).
 *
 * Both run on the calling thread, outside every lock and critical section
 * (but one: while heap tracing is on, a realloc's free hook runs inside the
 * tracer's critical section, which on a single-core port masks interrupts;
 * see esp_heap_trace.h), and must be thread-safe; they must not allocate or
 * free through this API (that calls them again). Each free that calls the free hook checks its
 * pointer under its heap's lock first. They are weak references: a
 * definition in a static library is linked only when something else pulls
 * its object in.
 */
#if defined(CAPHEAP_HEAP_HOOKS) && CAPHEAP_HEAP_HOOKS && !defined(CONFIG_HEAP_USE_HOOKS)
#define CONFIG_HEAP_USE_HOOKS 1
#endif
void esp_heap_trace_alloc_hook(void *ptr, size_t size, uint32_t caps);
void esp_heap_trace_free_hook(void *ptr);

/* ---- Allocation -------------------------------------------------------- */

/**
 * Allocates size bytes from the best heap that has caps (matching rule above).
 * MALLOC_CAP_32BIT rounds size up to a multiple of 4. MALLOC_CAP_EXEC implies
 * 32BIT; from memory whose instruction bus sees it through an alias (ESP32
 * D/IRAM) the returned address is the instruction-bus one.
 * Returns NULL iff size is 0, caps is 0 or has MALLOC_CAP_INVALID, EXEC comes
 * with 8BIT or DMA, no heap covers caps, or none of those has room.
 */
void *heap_caps_malloc(size_t size, uint32_t caps);

/** heap_caps_malloc of n * size bytes, zeroed. NULL also when n * size overflows. */
void *heap_caps_calloc(size_t n, size_t size, uint32_t caps);

/**
 * Resizes ptr to size bytes in memory that has caps. In place (or within its
 * heap) when its heap covers caps; else, or when that fails, the block moves to
 * a heap with caps (copy, then free). A block the hardware aligns (DMA behind
 * cache lines) and one reached through an instruction-bus window (EXEC from
 * D/IRAM) always move, as in ESP-IDF (on the ESP32 a window address depends
 * on the block's end). ptr NULL: heap_caps_malloc. size 0: frees ptr and returns NULL.
 * On failure returns NULL and ptr is untouched.
 */
void *heap_caps_realloc(void *ptr, size_t size, uint32_t caps);

/** Frees memory from any heap_caps / seed-era allocation. NULL is a no-op. */
void heap_caps_free(void *ptr);

/** Like heap_caps_malloc with the address a multiple of alignment. NULL also
 *  when alignment is not a power of two. */
void *heap_caps_aligned_alloc(size_t alignment, size_t size, uint32_t caps);

/** heap_caps_aligned_alloc of n * size zeroed bytes; NULL when n * size overflows. */
void *heap_caps_aligned_calloc(size_t alignment, size_t n, size_t size, uint32_t caps);

/** Same as heap_caps_free (kept for source compatibility). */
void heap_caps_aligned_free(void *ptr);

/** Tries num caps masks (uint32_t variadic arguments) in order; the first
 *  allocation that succeeds is returned. The failure hook gets the last mask. */
void *heap_caps_malloc_prefer(size_t size, size_t num, ...);

/** heap_caps_realloc with num caps masks tried in order. */
void *heap_caps_realloc_prefer(void *ptr, size_t size, size_t num, ...);

/** heap_caps_malloc_prefer of n * size zeroed bytes. */
void *heap_caps_calloc_prefer(size_t n, size_t size, size_t num, ...);

/**
 * What malloc() uses. Without external RAM: MALLOC_CAP_DEFAULT | INTERNAL.
 * After heap_caps_malloc_extmem_enable(limit): sizes below limit try internal
 * memory first, then external (DEFAULT | SPIRAM); sizes at or above limit the
 * other way round. Then, last, internal byte-accessible DMA memory without
 * the DEFAULT cap: the pool an ESP32 board with PSRAM keeps back for
 * INTERNAL and DMA requests (on a board without PSRAM that calls
 * heap_caps_malloc_extmem_enable itself, any such memory: the stm32h743's
 * backup SRAM offers DMA). Memory without DEFAULT or DMA (the stm32f407's
 * backup SRAM, RTC or retention RAM without DMA) is never returned.
 */
void *heap_caps_malloc_default(size_t size);

/** What memalign(), aligned_alloc() and posix_memalign() use (ESP-IDF declares it
 *  in a private header for its C library): heap_caps_aligned_alloc with the masks
 *  of heap_caps_malloc_default, in the same order for the size. NULL for an
 *  alignment that is not a power of two. The failure callback is called once,
 *  when every mask failed, with MALLOC_CAP_DEFAULT. */
void *heap_caps_aligned_alloc_default(size_t alignment, size_t size);

/** What realloc() uses: heap_caps_realloc with the masks of heap_caps_malloc_default. */
void *heap_caps_realloc_default(void *ptr, size_t size);

/** Lets heap_caps_malloc_default use external RAM, for sizes at or above limit
 *  first (see there). capheap_init applies the board's policy. */
void heap_caps_malloc_extmem_enable(size_t limit);

/* ---- Sizes and statistics ---------------------------------------------
 * Over all heaps that cover caps (every requested bit in the OR of the heap's
 * three masks), start-up-stack heaps only once enabled. Each is O(heaps). */

/** Sum of the heaps' region sizes (control data included). */
size_t heap_caps_get_total_size(uint32_t caps);

/** Sum of free bytes. */
size_t heap_caps_get_free_size(uint32_t caps);

/** Sum of the heaps' lowest free bytes since they were registered (or since
 *  heap_caps_monitor_local_minimum_free_size_start). */
size_t heap_caps_get_minimum_free_size(uint32_t caps);

/** Largest size one heap_caps_malloc(size, caps) could now get from a single
 *  heap (without walking blocks: O(1) per heap), over the heaps that cover
 *  caps. With EXEC, what a heap's instruction-bus window leaves of its
 *  largest block; with caps the hardware aligns (DMA, SIMD behind cache
 *  lines), whole lines that an aligned block leaves room for; 0 for EXEC with
 *  8BIT or DMA, which no allocation has. caps 0 covers every heap, as in
 *  ESP-IDF, though heap_caps_malloc(size, 0) gets nothing.
 *  (heap_caps_get_info's largest_free_block is the heaps' own figure.) */
size_t heap_caps_get_largest_free_block(uint32_t caps);

/** Sums of every multi_heap_info_t field; largest_free_block is the maximum. */
void heap_caps_get_info(multi_heap_info_t *info, uint32_t caps);

/** Logs a summary of each heap with caps and the totals (port log output). */
void heap_caps_print_heap_info(uint32_t caps);

/** Logs every block of the heaps with caps. */
void heap_caps_dump(uint32_t caps);

/** Logs every block of every heap. */
void heap_caps_dump_all(void);

/** Usable size of the block ptr (an address an allocation returned). */
size_t heap_caps_get_allocated_size(void *ptr);

/** Full size (header included) of the block that contains ptr, which may point
 *  anywhere into it; 0 when no used block does. Walks the heap: O(blocks). */
size_t heap_caps_get_containing_block_size(void *ptr);

/* ---- Integrity, walking, monitoring ----------------------------------- */

/** multi_heap_check on every heap; false if any is inconsistent. */
bool heap_caps_check_integrity_all(bool print_errors);

/** multi_heap_check on the heaps with caps (all heaps when caps has
 *  MALLOC_CAP_INVALID). */
bool heap_caps_check_integrity(uint32_t caps, bool print_errors);

/** multi_heap_check on the heap holding addr (either bus alias); false when no
 *  heap holds it. */
bool heap_caps_check_integrity_addr(intptr_t addr, bool print_errors);

/** Calls cb for every block of every heap with caps (all heaps when caps has
 *  MALLOC_CAP_INVALID), heap by heap in registration order. */
void heap_caps_walk(uint32_t caps, heap_caps_walker_cb_t walker_func, void *user_data);

/** heap_caps_walk over every heap. */
void heap_caps_walk_all(heap_caps_walker_cb_t walker_func, void *user_data);

/** Starts measuring a local minimum: every heap's minimum free size is set to
 *  its current free size (the lifetime value is kept aside). Calls nest. */
esp_err_t heap_caps_monitor_local_minimum_free_size_start(void);

/** Ends the measurement of the outermost start: each heap's minimum becomes the
 *  lower of the kept lifetime value and the local one. ESP_FAIL when not started. */
esp_err_t heap_caps_monitor_local_minimum_free_size_stop(void);

#ifdef __cplusplus
}
#endif

#endif /* CAPHEAP_ESP_HEAP_CAPS_H */
