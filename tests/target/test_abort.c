/*
 * test_abort.c: what happens with no corruption handler installed. The
 * bare-metal port's default logs the address and calls abort(), and a lock
 * taken twice stops the program the same way. The runner expects abort's exit
 * status and the log line (tests/target/CMakeLists.txt).
 *
 * ABORT_CASE 1: double free. ABORT_CASE 2: the heap lock taken twice.
 * ABORT_CASE 3 (builds with CAPHEAP_ASSERTIONS): a write into a freed block's
 * list links, which the next malloc of its size finds by an assertion.
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
#elif ABORT_CASE == 3
    T_CHECK(multi_heap_malloc(heap, 32) != NULL); /* keeps p's block apart from the rest */
    multi_heap_free(heap, p);
    ((uintptr_t *)p)[1] = (uintptr_t)0x5A5A5A50u; /* the freed block's back link */
    (void)multi_heap_malloc(heap, 32);
#else
    capheap_port_lock_take(lock);
    multi_heap_free(heap, p);
#endif
    t_printf("still running: the port did not stop the program\n");
    return 0;
}
