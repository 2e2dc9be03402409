/* Smoke: a heap registers, allocates, frees and stays consistent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "multi_heap.h"

static _Alignas(16) unsigned char region[8192];

static void register_alloc_free(void **state) {
    (void)state;
    multi_heap_handle_t heap = multi_heap_register(region, sizeof region);
    assert_non_null(heap);
    size_t free0 = multi_heap_free_size(heap);
    void *p = multi_heap_malloc(heap, 100);
    assert_non_null(p);
    assert_true(multi_heap_check(heap, true));
    multi_heap_free(heap, p);
    assert_int_equal(multi_heap_free_size(heap), free0);
    assert_true(multi_heap_check(heap, true));
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(register_alloc_free)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
