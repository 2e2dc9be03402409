/*
 * name_map.h: a map from nonzero 64-bit names (a trace's block addresses, a
 * replay's thread ids) to 32-bit ids. Open addressing with linear probing;
 * key 0 marks an empty slot. A zeroed name_map_t is an empty map.
 */
#ifndef CAPHEAP_TOOL_NAME_MAP_H
#define CAPHEAP_TOOL_NAME_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t *keys;
    uint32_t *ids;
    size_t mask, used; /* used: the keys in the map */
} name_map_t;

/** Maps key (nonzero) to id, replacing what it mapped to. Exits with a
 *  message when memory runs out. */
void name_map_put(name_map_t *m, uint64_t key, uint32_t id);

/** The id key maps to, or UINT32_MAX when it is not in the map. */
uint32_t name_map_get(const name_map_t *m, uint64_t key);

/** Removes key; returns its id, or UINT32_MAX when it was not there. */
uint32_t name_map_take(name_map_t *m, uint64_t key);

/** Frees the map's memory; it is empty afterwards. */
void name_map_free(name_map_t *m);

#endif /* CAPHEAP_TOOL_NAME_MAP_H */
