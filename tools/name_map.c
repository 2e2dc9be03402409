/*
 * name_map.c: the map of name_map.h.
 */
#include "name_map.h"

#include <stdlib.h>

#include "tool_memory.h"

static size_t slot_of(const name_map_t *m, uint64_t key) {
    uint64_t h = key * UINT64_C(0x9E3779B97F4A7C15);
    return (size_t)(h >> 20) & m->mask;
}

static void grow(name_map_t *m) {
    name_map_t old = *m;
    size_t slots = old.keys == NULL ? 1024 : (old.mask + 1) * 2;
    m->keys = tool_alloc(slots, sizeof *m->keys, "a table of names");
    m->ids = tool_alloc(slots, sizeof *m->ids, "a table of names");
    m->mask = slots - 1;
    m->used = 0;
    for (size_t i = 0; old.keys != NULL && i <= old.mask; i++) {
        if (old.keys[i] != 0) {
            name_map_put(m, old.keys[i], old.ids[i]);
        }
    }
    free(old.keys);
    free(old.ids);
}

void name_map_put(name_map_t *m, uint64_t key, uint32_t id) {
    if (m->keys == NULL || (m->used + 1) * 4 > (m->mask + 1) * 3) {
        grow(m);
    }
    size_t i = slot_of(m, key);
    while (m->keys[i] != 0 && m->keys[i] != key) {
        i = (i + 1) & m->mask;
    }
    m->used += m->keys[i] == 0;
    m->keys[i] = key;
    m->ids[i] = id;
}

/* Later entries of the probe run move back so that lookups never need
 * tombstones. */
uint32_t name_map_take(name_map_t *m, uint64_t key) {
    if (m->keys == NULL || key == 0) {
        return UINT32_MAX;
    }
    size_t i = slot_of(m, key);
    while (m->keys[i] != key) {
        if (m->keys[i] == 0) {
            return UINT32_MAX;
        }
        i = (i + 1) & m->mask;
    }
    uint32_t id = m->ids[i];
    m->keys[i] = 0;
    m->used--;
    for (size_t j = (i + 1) & m->mask; m->keys[j] != 0; j = (j + 1) & m->mask) {
        size_t home = slot_of(m, m->keys[j]);
        bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
        if (!stays) {
            m->keys[i] = m->keys[j];
            m->ids[i] = m->ids[j];
            m->keys[j] = 0;
            i = j;
        }
    }
    return id;
}

uint32_t name_map_get(const name_map_t *m, uint64_t key) {
    if (m->keys == NULL || key == 0) {
        return UINT32_MAX;
    }
    size_t i = slot_of(m, key);
    while (m->keys[i] != 0 && m->keys[i] != key) {
        i = (i + 1) & m->mask;
    }
    return m->keys[i] == key ? m->ids[i] : UINT32_MAX;
}

void name_map_free(name_map_t *m) {
    free(m->keys);
    free(m->ids);
    *m = (name_map_t){0};
}
