/*
 * esp_heap_trace.h: allocation tracing into a buffer in RAM ("standalone"),
 * source-compatible with ESP-IDF's, plus capheap's event stream.
 *
 * What is traced: every allocation, reallocation and free made through the
 * heap_caps API (esp_heap_caps.h: malloc, calloc, realloc, the aligned, prefer
 * and default variants, free), and the seed-era API's allocations
 * (pvPortMallocCaps, pvPortMallocTagged: with the caps of the heap that served
 * a tagged one). Direct multi_heap calls are not traced. While tracing is off
 * the heap pays one predictable branch per call.
 *
 * Records. heap_trace_init_standalone lends capheap an array of records; it
 * holds the allocations in the order they were made. HEAP_TRACE_ALL keeps every
 * allocation and marks freed ones (freed, freed_by); HEAP_TRACE_LEAKS removes a
 * record when its memory is freed, so what is left is what was not freed.
 * When the array is full the oldest record is dropped for the new one and
 * has_overflowed is set. Recording and lookups cost O(records) each and run
 * inside the port's critical section: a tracing tool, not for production.
 * While tracing (or an event sink) is on, a realloc runs whole inside that
 * section, its copy included, so that no other thread is handed the old
 * block's address before the realloc's record says it is free: on a
 * single-core port, interrupts stay masked for the realloc (and for the
 * application's free hook, which a moving realloc calls before its free:
 * esp_heap_caps.h).
 *
 * Callers: alloced_by[0] / freed_by[0] are the return address of the call into
 * the heap_caps function (its caller). Deeper frames cannot be read portably
 * without unwinding tables, so alloced_by[1..] are NULL.
 * ccount: on a chip the cycle counter; capheap has no portable one and stores
 * the event's sequence number (1, 2, ... since heap_trace_start) instead,
 * which orders records the same way.
 */
#ifndef CAPHEAP_ESP_HEAP_TRACE_H
#define CAPHEAP_ESP_HEAP_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "esp_err.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Caller addresses kept per record (ESP-IDF's Kconfig option; at least 1). */
#ifndef CONFIG_HEAP_TRACING_STACK_DEPTH
#define CONFIG_HEAP_TRACING_STACK_DEPTH 2
#endif
#if CONFIG_HEAP_TRACING_STACK_DEPTH < 1
#error "CONFIG_HEAP_TRACING_STACK_DEPTH must be at least 1 in capheap"
#endif

typedef enum {
    HEAP_TRACE_ALL,   /**< keep every allocation, freed ones marked */
    HEAP_TRACE_LEAKS, /**< forget an allocation when it is freed */
} heap_trace_mode_t;

/** One traced allocation. */
typedef struct heap_trace_record_t {
    uint32_t ccount; /**< event sequence number (see above) */
    void *address;   /**< what the allocation returned */
    size_t size;     /**< the size asked for */
    bool freed;      /**< HEAP_TRACE_ALL: freed meanwhile */
    void *alloced_by[CONFIG_HEAP_TRACING_STACK_DEPTH];
    void *freed_by[CONFIG_HEAP_TRACING_STACK_DEPTH];
} heap_trace_record_t;

/** Totals since heap_trace_start. */
typedef struct {
    heap_trace_mode_t mode;
    size_t total_allocations; /**< allocations traced (records dropped or not) */
    size_t total_frees;       /**< frees while tracing, as ESP-IDF counts them: of blocks
                                   allocated before the start, or whose record was dropped, too */
    size_t count;             /**< records held now */
    size_t capacity;          /**< records the buffer holds */
    size_t high_water_mark;   /**< most records held at once since the start or the array
                                   was lent; never decreases meanwhile */
    bool has_overflowed;      /**< a record was dropped because the buffer was full (since
                                   the start or the array was lent) */
} heap_trace_summary_t;

/** Lends the record array (num_records of them; NULL or 0 takes it back), which
 *  starts with no records. ESP_ERR_INVALID_STATE while tracing runs,
 *  ESP_ERR_INVALID_ARG for a NULL array with a nonzero count, else ESP_OK. */
esp_err_t heap_trace_init_standalone(heap_trace_record_t *record_buffer, size_t num_records);

/** Empties the records and the totals and starts tracing in mode.
 *  ESP_ERR_INVALID_STATE without a record array (or with one of no records),
 *  ESP_ERR_INVALID_ARG for an unknown mode, else ESP_OK. */
esp_err_t heap_trace_start(heap_trace_mode_t mode);

/** Stops recording; the records stay. ESP_ERR_INVALID_STATE when not tracing. */
esp_err_t heap_trace_stop(void);

/** Stops recording new allocations but keeps marking (or, in LEAKS mode,
 *  removing) the records of freed ones. ESP_ERR_INVALID_STATE when not tracing. */
esp_err_t heap_trace_alloc_pause(void);

/** Records again, keeping the records and totals. ESP_ERR_INVALID_STATE
 *  without a record array. */
esp_err_t heap_trace_resume(void);

/** Records held now. */
size_t heap_trace_get_count(void);

/** Copies record index (0 = oldest). ESP_ERR_INVALID_ARG for a NULL record,
 *  ESP_ERR_INVALID_STATE without a record array (or with one of no records,
 *  which heap_trace_init_standalone takes as none), ESP_ERR_INVALID_ARG for
 *  an index past the count. */
esp_err_t heap_trace_get(size_t index, heap_trace_record_t *record);

/** Fills summary. ESP_ERR_INVALID_ARG for NULL. */
esp_err_t heap_trace_summary(heap_trace_summary_t *summary);

/** Writes the records and the summary to the port's log output, in ESP-IDF's
 *  text format (LEAKS mode: only records not freed). capheap's own replay
 *  tool reads it back (`capheap replay dump.txt`). */
void heap_trace_dump(void);

/** heap_trace_dump of the records whose memory has one of caps: pass
 *  MALLOC_CAP_INTERNAL, MALLOC_CAP_SPIRAM, or both. */
void heap_trace_dump_caps(uint32_t caps);

/* ---- capheap: the event stream ---------------------------------------- */

/** One heap event as it happens. */
typedef struct {
    char kind;         /**< 'a' allocation, 'r' reallocation, 'f' free */
    void *address;     /**< returned (NULL: the allocation failed) or freed */
    void *old_address; /**< 'r': the block given to realloc (NULL: none) */
    size_t size;       /**< 'a', 'r': the size asked for (calloc: n * size) */
    size_t align;      /**< 'a': the alignment asked for, 0 when none */
    uint32_t caps;     /**< 'a', 'r': the caps asked for (malloc default: DEFAULT) */
    void *caller;      /**< return address into the caller of the heap_caps function */
} capheap_trace_event_t;

/** Receives every event, failed allocations included, on the thread that
 *  made it, after the allocation (before the free). It must not allocate from
 *  capheap's heaps and must be thread-safe. */
typedef void (*capheap_trace_sink_t)(const capheap_trace_event_t *event, void *user);

/** Installs sink (NULL removes it). Independent of heap_trace_start: the
 *  standalone records and the sink may run together. Always ESP_OK. */
esp_err_t capheap_trace_set_sink(capheap_trace_sink_t sink, void *user);

/** Decimal digits of an unsigned type's largest value, or a few more. */
#define CAPHEAP_TRACE_DIGITS(type) (sizeof(type) * 5 / 2)

/** Bytes that hold any line of capheap_trace_format_event, its NUL included:
 *  an 'a' line with every field at its widest (its text, then the address and
 *  caller in hex, size and align, caps, thread). 93 where pointers, size_t
 *  and unsigned long have 32 bits, 139 where they have 64. */
#define CAPHEAP_TRACE_LINE_MAX                                                                             \
    (sizeof "alloc 0x  0x align= caller=0x thread=\n" + 2 * 2 * sizeof(void *) + 2 * CAPHEAP_TRACE_DIGITS(size_t) + \
     2 * sizeof(uint32_t) + CAPHEAP_TRACE_DIGITS(unsigned long))

/** Writes event as one line of capheap's trace format (docs/tool.md), with
 *  thread when it is nonzero, into buf (NUL-terminated, newline included).
 *  Returns the line's length, or 0 when len is too small (CAPHEAP_TRACE_LINE_MAX
 *  always suffices; a 64-bit host's line with a pthread_self() thread number
 *  often needs more than 96). */
size_t capheap_trace_format_event(const capheap_trace_event_t *event, unsigned long thread, char *buf,
                                  size_t len);

#ifdef __cplusplus
}
#endif

#endif /* CAPHEAP_ESP_HEAP_TRACE_H */
