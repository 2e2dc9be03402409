/*
 * capheap/port.h: the contract between capheap and the platform it runs on.
 *
 * Everything that depends on the platform goes through these functions; each
 * port (ports/posix, ports/baremetal, ...) defines all of them. Library code
 * calls nothing else of the platform: no stdio, no malloc.
 */
#ifndef CAPHEAP_PORT_H
#define CAPHEAP_PORT_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Locks ------------------------------------------------------------ */

/** Creates a lock for one heap. Returns NULL when no lock can be had; the
 *  caller then refuses to go on (it never runs a shared heap unlocked). */
void *capheap_port_lock_create(void);

/** Destroys a lock made by capheap_port_lock_create; NULL is a no-op. */
void capheap_port_lock_delete(void *lock);

/** Takes the lock, waiting as long as needed. Not recursive. The heap code holds
 *  it only for O(1) work (longer for check, dump and walk). */
void capheap_port_lock_take(void *lock);

/** Gives back a lock taken by capheap_port_lock_take. */
void capheap_port_lock_give(void *lock);

/* ---- Critical section (registry updates, rare) ----------------------- */

/** Enters a section that no other thread or interrupt handler runs in
 *  capheap's code at the same time; may nest. */
void capheap_port_critical_enter(void);

/** Leaves the section entered by capheap_port_critical_enter. */
void capheap_port_critical_exit(void);

/* ---- Output and failure ---------------------------------------------- */

/** Writes len bytes of text to the port's log output (no newline added).
 *  Must not allocate from a capheap heap. */
void capheap_port_log_write(const char *text, size_t len);

/** Default reaction to detected heap corruption: report addr and what was
 *  found, then stop. Called only when no handler is installed with
 *  capheap_set_corruption_handler. Must not allocate. The posix port prints
 *  "CORRUPT HEAP: <what> at <addr>" to stderr and aborts. */
void capheap_port_corruption(const void *addr, const char *what);

/** Stops the program after an unrecoverable error (why: one line). */
void capheap_port_abort(const char *why);

/* ---- Corruption reports (implemented by the library, not the port) ---- */

/** A handler for detected corruption. When it returns, the call that found the
 *  corruption returns its documented failure value with the heap unchanged. */
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
