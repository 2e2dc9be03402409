/*
 * capheap/port.h: the contract between capheap and the platform it runs on.
 *
 * Everything that depends on the platform goes through these functions; each
 * port (ports/posix, ports/baremetal, ...) defines all of them. Library code
 * calls nothing else of the platform: no stdio, no malloc.
 */
#ifndef CAPHEAP_PORT_H
#define CAPHEAP_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capheap/config.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Port functions are linked into the same program or shared object as the
 * library: hidden visibility lets the heap call them directly, without PLT
 * set-up on its fast paths. */
#if defined(__GNUC__) && !defined(_WIN32)
#define CAPHEAP_PORT_FN __attribute__((visibility("hidden")))
#else
#define CAPHEAP_PORT_FN
#endif

/* ---- Locks ------------------------------------------------------------ */

/** Creates a lock for one heap. Returns NULL when no lock can be had; the
 *  caller then refuses to go on (it never runs a shared heap unlocked). */
CAPHEAP_PORT_FN void *capheap_port_lock_create(void);

/** Destroys a lock made by capheap_port_lock_create; NULL is a no-op. */
CAPHEAP_PORT_FN void capheap_port_lock_delete(void *lock);

/** Takes the lock, waiting as long as needed. Not recursive. The heap code holds
 *  it only for O(1) work (longer for check, dump and walk). */
CAPHEAP_PORT_FN void capheap_port_lock_take(void *lock);

/** Gives back a lock taken by capheap_port_lock_take. */
CAPHEAP_PORT_FN void capheap_port_lock_give(void *lock);

/* A port may also let the heap's malloc and free take and give their lock
 * inline, as a call costs about as much as an uncontended lock: the library
 * is then built with CAPHEAP_PORT_LOCK_INLINE defined and the port's folder
 * on its include path, where capheap_port_lock.h defines
 * capheap_port_lock_take_inline and capheap_port_lock_give_inline, which do
 * what the two functions above do (ports/posix does this). */

/* ---- Critical section (registry updates, rare) ----------------------- */

/** Enters capheap's critical section, in which no other thread or interrupt
 *  handler is at the same time (the heap locks are apart from it: others may
 *  work in a heap meanwhile); may nest. */
CAPHEAP_PORT_FN void capheap_port_critical_enter(void);

/** Leaves the section entered by capheap_port_critical_enter. */
CAPHEAP_PORT_FN void capheap_port_critical_exit(void);

/** Adds one to *counter, which other threads and interrupt handlers may count
 *  too, and returns the new count: an atomic add where the core has one;
 *  cores without atomic instructions (ARMv6-M, the ESP8266's lx106) count in
 *  the critical section instead, as GCC would otherwise call a library
 *  routine their C libraries lack. Readers use __atomic_load_n. */
static inline size_t capheap_port_count_one(size_t *counter) {
#if (__SIZEOF_SIZE_T__ == 4 && defined(__GCC_HAVE_SYNC_COMPARE_AND_SWAP_4)) || \
    (__SIZEOF_SIZE_T__ == 8 && defined(__GCC_HAVE_SYNC_COMPARE_AND_SWAP_8))
    return __atomic_add_fetch(counter, 1, __ATOMIC_RELAXED);
#else
    capheap_port_critical_enter();
    size_t n = __atomic_load_n(counter, __ATOMIC_RELAXED) + 1;
    __atomic_store_n(counter, n, __ATOMIC_RELAXED);
    capheap_port_critical_exit();
    return n;
#endif
}

/* ---- Task tracking ----------------------------------------------------- */

/** The task (thread) running the caller: the owner recorded in each
 *  allocation by a build with CAPHEAP_TASK_TRACKING, which alone calls it
 *  (esp_heap_task_info.h). Called under a heap lock, from interrupt handlers
 *  too: it must not block nor allocate. FreeRTOS ports return the current
 *  task's handle (NULL before the scheduler starts); the posix port a value
 *  per thread; the bare-metal port NULL (a weak definition that firmware
 *  with tasks of its own may replace). */
CAPHEAP_PORT_FN void *capheap_port_current_task(void);

/** The current task's name into name[0, len), NUL-terminated; "" when it has
 *  none. A build with CAPHEAP_TASK_TRACKING calls it once per task, at its
 *  first allocation, under a heap lock: it must not block nor allocate. The
 *  FreeRTOS ports copy pcTaskGetName(NULL); the posix port the thread's name
 *  (pthread_getname_np); the bare-metal port gives "" (weak, as above). */
CAPHEAP_PORT_FN void capheap_port_current_task_name(char *name, size_t len);

/* ---- Output and failure ---------------------------------------------- */

/** Writes len bytes of text to the port's log output (no newline added).
 *  Must not allocate from a capheap heap. */
CAPHEAP_PORT_FN void capheap_port_log_write(const char *text, size_t len);

/** Writes len bytes of text to stream, a FILE * the application passed to
 *  a print function (heap_caps_print_all_task_stat and its kin). The posix
 *  port writes it with fwrite (to the port's log when stream is NULL); the
 *  other ports, whose library is not to call stdio, write to their log
 *  (a weak definition firmware may replace). Must not allocate from a
 *  capheap heap. */
CAPHEAP_PORT_FN void capheap_port_stream_write(void *stream, const char *text, size_t len);

/** Default reaction to detected heap corruption: report addr and what was
 *  found, then stop. Called only when no handler is installed with
 *  capheap_set_corruption_handler. Must not allocate (the heap's lock may be
 *  held: see capheap_corruption_handler_t). The posix port prints
 *  "CORRUPT HEAP: <what> at <addr>" to stderr and aborts. */
CAPHEAP_PORT_FN void capheap_port_corruption(const void *addr, const char *what);

/** Stops the program after an unrecoverable error (why: one line). */
CAPHEAP_PORT_FN void capheap_port_abort(const char *why);

/* ---- Board memory ------------------------------------------------------ */

/** One address range of a board's memory, in the chip's addresses. */
typedef struct {
    uintptr_t start;  /**< multiple of 4 KiB */
    size_t size;      /**< multiple of 4 KiB */
    uintptr_t mirror; /**< 0, or a second address where the same memory appears
                           (a linear bus alias): writes through one are seen
                           through the other */
} capheap_port_range_t;

/**
 * Makes a board's memory usable before heaps are built on it. ranges are
 * sorted by start and do not overlap (mirrors included). On success returns
 * true and *offset, the distance between the chip's addresses and where the
 * memory now is, the same for every range: range.start + *offset.
 *
 * A target has the memory at the chip's addresses already: it sets *offset to
 * 0 and returns true. A host maps anonymous, zeroed memory at the chip's
 * addresses when they are free (offset 0), else moves the whole board by one
 * offset to where it fits; it returns false when no memory can be had.
 */
CAPHEAP_PORT_FN bool capheap_port_memory_map(const capheap_port_range_t *ranges, size_t n, intptr_t *offset);

/** Releases what capheap_port_memory_map gave for the same ranges and offset
 *  (a no-op on a target). */
CAPHEAP_PORT_FN void capheap_port_memory_unmap(const capheap_port_range_t *ranges, size_t n, intptr_t offset);

/* ---- Corruption reports (implemented by the library, not the port) ---- */

/** A handler for detected corruption. When it returns, the call that found the
 *  corruption returns its documented failure value with the heap unchanged.
 *  It runs inside that call, most often with the heap's lock held (on targets
 *  perhaps with interrupts masked, as the port's lock does): it must not
 *  allocate or free from capheap, nor call capheap's functions on that heap
 *  (the lock does not nest: the call would wait for ever, or the bare-metal
 *  port stop with "lock taken twice"), and should be short. Log, count, set
 *  a flag for later. */
typedef void (*capheap_corruption_handler_t)(const void *addr, const char *what, void *user);

/** Installs handler (NULL: back to capheap_port_corruption). Meant for tests and
 *  for firmware that logs and continues; returns the previous handler. */
capheap_corruption_handler_t capheap_set_corruption_handler(capheap_corruption_handler_t handler, void *user);

/** Reports corruption at addr: the installed handler, else the port's default. */
void capheap_report_corruption(const void *addr, const char *what);

#ifdef __cplusplus
}
#endif

#endif /* CAPHEAP_PORT_H */
