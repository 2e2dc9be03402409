/*
 * tool_memory.c: the tool's own memory (tool_memory.h).
 */
#include "tool_memory.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static void out_of_memory(const char *what) {
    fprintf(stderr, "capheap: out of memory for %s\n", what);
    exit(2);
}

void *tool_alloc(size_t count, size_t each, const char *what) {
    void *p = calloc(count != 0 ? count : 1, each != 0 ? each : 1);
    if (p == NULL) {
        out_of_memory(what);
    }
    return p;
}

void *tool_grow(void *p, size_t count, size_t each, const char *what) {
    if (each != 0 && count > SIZE_MAX / each) {
        out_of_memory(what);
    }
    size_t n = count * each;
    void *grown = realloc(p, n != 0 ? n : 1);
    if (grown == NULL) {
        out_of_memory(what);
    }
    return grown;
}
