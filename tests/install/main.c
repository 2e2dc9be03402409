/* A program built against an installed capheap (tests/install/run.sh): one
 * multi_heap on a static buffer, one block in and out. */
#include <stdio.h>

#include "multi_heap.h"

static _Alignas(16) unsigned char memory[4096];

int main(void) {
    multi_heap_handle_t heap = multi_heap_register(memory, sizeof memory);
    void *p = heap != NULL ? multi_heap_malloc(heap, 100) : NULL;
    if (p == NULL) {
        fprintf(stderr, "installed capheap: no block\n");
        return 1;
    }
    multi_heap_free(heap, p);
    printf("installed capheap: %zu bytes free\n", multi_heap_free_size(heap));
    return 0;
}
