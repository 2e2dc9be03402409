/*
 * test_abort.c: what happens with no corruption handler installed. The
 * bare-metal port's default logs the address and calls abort(), and a lock
 * taken twice stops the program the same way. The runner expects abort's exit
 * status and the log line (tests/target/CMakeLists.txt).
 *
 * ABORT_CASE 1: double free. ABORT_CASE 2: the heap lock taken twice.
 */
#include <stdint.h>

#include "capheap/port.h"
#include "harness.h"
#include "multi_heap.h"

static _Alignas(8) uint8_t region[8192];

int main(void) {
    multi_heap_handle_t heap = multi_heap_register(region, sizeof region);
    T_CHECK(heap != NULL);
    void *lock = capheap_port_lock_create();
    T_CHECK(lock != NULL);
    multi_heap_set_lock(heap, lock);
    void *p = multi_heap_malloc(heap, 32);
    T_CHECK(p != NULL);
    t_printf("block at %p\n", p);
#if ABORT_CASE == 1
    multi_heap_free(heap, p);
    multi_heap_free(heap, p);
#else
    capheap_port_lock_take(lock);
    multi_heap_free(heap, p);
#endif
    t_printf("still running: the port did not stop the program\n");
    return 0;
}
