/*
 * capheap.h: the umbrella header and capheap's native API for boards.
 *
 * A board is const data describing a chip's memory: memory types (a name and
 * caps[3]), regions (address range, type, instruction-bus alias, start-up-stack
 * flag), reserved ranges and the external-RAM policy. capheap builds heaps from
 * it: touching regions of one type are merged, reserved ranges are cut out
 * (a region may split in two), leftovers too small for a heap are dropped.
 *
 * On a host (ports/posix) the board's memory is mapped at the chip's own
 * addresses when they are free, so pointers and address checks behave as on
 * the chip; otherwise the whole board moves by one offset (capheap_host_offset)
 * and capheap says so once in its log. On a target the memory is simply there.
 */
#ifndef CAPHEAP_H
#define CAPHEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "esp_err.h"
#include "esp_heap_caps.h"
#include "esp_heap_caps_init.h"
#include "multi_heap.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Boards ------------------------------------------------------------ */

/** A kind of memory: its capabilities in priority order (see esp_heap_caps.h). */
typedef struct {
    const char *name;  /**< for logs, e.g. "DRAM" */
    uint32_t caps[3];  /**< caps[0] is tried first, then caps[1], then caps[2] */
} capheap_memory_type_t;

/** How a region's memory appears on the instruction bus, if at all. */
typedef enum {
    CAPHEAP_ALIAS_NONE = 0, /**< no instruction-bus address */
    CAPHEAP_ALIAS_LINEAR,   /**< byte b of the region is at alias.start + b (ESP32-S3) */
    CAPHEAP_ALIAS_INVERTED, /**< word order reversed: the region's last word is at
                                 alias.start, its first at alias.start + size - 4 (ESP32) */
} capheap_alias_kind_t;

/** The instruction-bus window of a region. */
typedef struct {
    capheap_alias_kind_t kind;
    uintptr_t start; /**< lowest instruction-bus address of the region's window */
} capheap_bus_alias_t;

/** Region flag: the chip's start-up stacks live here; heap_caps_init() leaves
 *  it out until heap_caps_enable_nonos_stack_heaps(). */
#define CAPHEAP_REGION_STARTUP_STACK 0x01u

/** A range of one memory type. A board lists them in address order, not overlapping. */
typedef struct {
    uintptr_t start;
    size_t size;
    uint8_t type;              /**< index into the board's types */
    uint8_t flags;             /**< CAPHEAP_REGION_* */
    capheap_bus_alias_t alias; /**< instruction-bus window; kind NONE when omitted */
} capheap_region_t;

/** Memory in a region that is not the heap's: ROM data, .data/.bss, caches. */
typedef struct {
    uintptr_t start;
    uintptr_t end; /**< one past the last byte */
    const char *name;
} capheap_reserved_t;

/** What malloc() may take from external RAM (heap_caps_malloc_default). */
typedef struct {
    /** 0: external RAM is not for malloc(). Else the size from which malloc()
     *  tries external RAM first (heap_caps_malloc_extmem_enable). Internal RAM
     *  kept back for INTERNAL/DMA requests is a region whose type lacks DEFAULT. */
    size_t internal_below;
    /** The chip's DMA reaches its external RAM (ESP-IDF's
     *  SOC_PSRAM_DMA_CAPABLE): esp_ptr_dma_ext_capable answers for it. A
     *  request that names both DMA and SPIRAM is served as SPIRAM alone (as
     *  ESP-IDF drops DMA then); a DMA request reaches external RAM only
     *  where its memory type has the DMA cap (the imxrt1062's SDRAM does;
     *  no ESP32's PSRAM type does). */
    bool dma_capable;
} capheap_extmem_policy_t;

/** The data cache lines in front of a chip's RAM, in bytes: 0 where that
 *  memory is not cached, else a power of two up to 128. As ESP-IDF does
 *  (esp_heap_adjust_alignment_to_hw, with esp_cache_get_alignment's lines),
 *  a request with MALLOC_CAP_DMA, MALLOC_CAP_DMA_DESC_AHB/AXI or
 *  MALLOC_CAP_CACHE_ALIGNED gets a block aligned to the line and a size
 *  rounded up to it, so that a buffer the DMA reads or writes shares no
 *  cache line with other data. */
typedef struct {
    uint16_t internal_line; /**< the line of requests without MALLOC_CAP_SPIRAM */
    uint16_t external_line; /**< the line of requests with MALLOC_CAP_SPIRAM */
} capheap_cache_lines_t;

/** A chip's memory map, as const data. */
typedef struct {
    const char *name;
    const capheap_memory_type_t *types;
    size_t type_count; /**< at most 255 */
    const capheap_region_t *regions;
    size_t region_count;
    const capheap_reserved_t *reserved;
    size_t reserved_count;
    capheap_extmem_policy_t extmem;
    capheap_cache_lines_t cache; /**< zero: no request is aligned for a cache */
} capheap_board_t;

/** Elements of an array (not a pointer). */
#define CAPHEAP_ARRAY_COUNT(a) (sizeof(a) / sizeof((a)[0]))

/** The table fields of a capheap_board_t from three arrays, their lengths
 *  counted from the arrays themselves:
 *  const capheap_board_t mine = {.name = "my-chip", CAPHEAP_BOARD_TABLES(types, regions, reserved)}; */
#define CAPHEAP_BOARD_TABLES(types_, regions_, reserved_)                                              \
    .types = (types_), .type_count = CAPHEAP_ARRAY_COUNT(types_), .regions = (regions_),               \
    .region_count = CAPHEAP_ARRAY_COUNT(regions_), .reserved = (reserved_),                            \
    .reserved_count = CAPHEAP_ARRAY_COUNT(reserved_)

/* ---- Native API -------------------------------------------------------- */

/**
 * Builds the heaps of the built-in board called name (capheap_board_name), in
 * the state of a running application: start-up-stack regions are heaps too,
 * and the board's external-RAM policy is applied.
 * Returns ESP_ERR_NOT_FOUND for an unknown name, ESP_ERR_INVALID_STATE when
 * heaps exist already (capheap_deinit first), ESP_ERR_NO_MEM when the memory
 * cannot be had (or no heap could be built), else ESP_OK.
 */
esp_err_t capheap_init(const char *board);

/** capheap_init for a board of the caller's own. ESP_ERR_INVALID_ARG also when
 *  the board is inconsistent (no name or types, a region of an unknown type,
 *  regions out of order or overlapping, a region or its instruction-bus window
 *  running past the end of the address space, a window that does not start on
 *  a 4-byte word, a reserved range with end <= start,
 *  a cache line that is neither 0 nor a power of two up to 128).
 *  The board must stay valid until capheap_deinit. */
esp_err_t capheap_init_board(const capheap_board_t *board);

/** Removes every heap and releases the host memory; every pointer from the
 *  heaps becomes invalid. No other thread may use the heaps meanwhile. */
void capheap_deinit(void);

/** Name of the i-th built-in board; NULL past the end. */
const char *capheap_board_name(size_t i);

/** The built-in board called name, or NULL: a start for a board of one's own. */
const capheap_board_t *capheap_board_find(const char *name);

/** The board the heaps were built from, or NULL before any init. */
const capheap_board_t *capheap_current_board(void);

/** OR of caps[0..2] of the memory type whose region holds p (through either
 *  bus alias), 0 when p is on no region of the current board. */
uint32_t capheap_ptr_caps(const void *p);

/** Where the board's memory is, relative to the chip's addresses: 0 on a target
 *  and on a host where the chip's addresses were free. */
intptr_t capheap_host_offset(void);

/** For a program that forks while other threads may be inside capheap (a
 *  child inherits every lock as it was at the fork: one that another thread
 *  held would stay held for ever): registers pthread_atfork handlers by which
 *  the forking thread holds every capheap lock across fork() (the critical
 *  section, each heap's lock, task tracking's), so that the child starts with
 *  none held. Call it once at start-up, before the threads; later calls do
 *  nothing and give the first call's result. ESP_OK, or ESP_ERR_NO_MEM when
 *  pthread_atfork had no room. Built with the posix port only (a host); the
 *  preload library calls it itself. */
esp_err_t capheap_register_fork_handlers(void);

/** Where the posix port writes capheap's log (the dumps, and notices such as
 *  where a board was mapped): a file descriptor, STDOUT_FILENO (1) by default.
 *  A program whose standard output is its own answer (the capheap tool's
 *  reports) sends the log to stderr with 2. Returns the descriptor before.
 *  Built with the posix port only (a host). */
int capheap_set_log_fd(int fd);

/* ---- Failure injection, for tests of error paths ------------------------ */

/** Which allocating calls fail on purpose. The calls counted are those of the
 *  heap_caps API with a size other than 0 (malloc, calloc, realloc to a new
 *  size, the aligned, prefer and default variants) and what is built on it:
 *  the bare-metal malloc family (a memalign makes up to two calls), the
 *  FreeRTOS heap, the seed-era API. multi_heap's own calls are not counted. */
typedef struct {
    size_t nth;     /**< the counted call that fails, 1 for the next; 0: none fails (count only) */
    bool and_after; /**< every counted call after the nth fails too (memory that is gone for good) */
    uint32_t caps;  /**< count only calls whose caps hold all these bits (malloc(): MALLOC_CAP_DEFAULT;
                         a prefer call: its first mask); 0: every call */
} capheap_fail_plan_t;

/** Starts counting allocating calls and failing them as plan says, or with
 *  NULL stops. A failed call fails as when no heap has room: NULL (realloc
 *  leaves the block untouched), the failed-allocation hook, a trace record.
 *  A plan is set between tests, not while other threads allocate; while it
 *  runs, heap_caps_malloc takes its slow path. capheap_deinit stops it. */
void capheap_fail_allocations(const capheap_fail_plan_t *plan);

/** The allocating calls counted since the plan started: run the code under
 *  test once with nth 0 to learn how many it makes, then make each one fail
 *  in turn. */
size_t capheap_fail_counted(void);

#ifdef __cplusplus
}
#endif

#endif /* CAPHEAP_H */
