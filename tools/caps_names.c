/*
 * caps_names.c: capability masks as text, both ways ("DMA|8BIT" <-> 0x0c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "board_file.h"
#include "esp_heap_caps.h"
#include "trace_input.h"

static const struct {
    const char *name;
    uint32_t bit;
} cap_names[] = {
    {"EXEC", MALLOC_CAP_EXEC},         {"32BIT", MALLOC_CAP_32BIT},
    {"8BIT", MALLOC_CAP_8BIT},         {"DMA", MALLOC_CAP_DMA},
    {"PID2", MALLOC_CAP_PID2},         {"PID3", MALLOC_CAP_PID3},
    {"PID4", MALLOC_CAP_PID4},         {"PID5", MALLOC_CAP_PID5},
    {"PID6", MALLOC_CAP_PID6},         {"PID7", MALLOC_CAP_PID7},
    {"SPIRAM", MALLOC_CAP_SPIRAM},     {"INTERNAL", MALLOC_CAP_INTERNAL},
    {"DEFAULT", MALLOC_CAP_DEFAULT},   {"IRAM_8BIT", MALLOC_CAP_IRAM_8BIT},
    {"RETENTION", MALLOC_CAP_RETENTION}, {"RTCRAM", MALLOC_CAP_RTCRAM},
    {"SPM", MALLOC_CAP_SPM},           {"DMA_DESC_AHB", MALLOC_CAP_DMA_DESC_AHB},
    {"DMA_DESC_AXI", MALLOC_CAP_DMA_DESC_AXI}, {"CACHE_ALIGNED", MALLOC_CAP_CACHE_ALIGNED},
    {"SIMD", MALLOC_CAP_SIMD},         {"INVALID", MALLOC_CAP_INVALID},
};
#define CAP_NAME_COUNT (sizeof cap_names / sizeof cap_names[0])

static bool parse_name(const char *name, size_t len, uint32_t *bit) {
    if (len > 11 && strncasecmp(name, "MALLOC_CAP_", 11) == 0) {
        name += 11;
        len -= 11;
    }
    for (size_t i = 0; i < CAP_NAME_COUNT; i++) {
        if (strlen(cap_names[i].name) == len && strncasecmp(cap_names[i].name, name, len) == 0) {
            *bit = cap_names[i].bit;
            return true;
        }
    }
    return false;
}

bool caps_parse(const char *text, uint32_t *caps) {
    uint64_t v;
    /* A number as board files read one: "010" is ten, not octal eight. */
    if (board_parse_number(text, false, &v)) {
        *caps = (uint32_t)v;
        return v <= UINT32_MAX;
    }
    /* else names, some of which start with a digit: 32BIT, 8BIT */
    *caps = 0;
    for (const char *p = text;;) {
        size_t len = strcspn(p, "|");
        uint32_t bit;
        if (!parse_name(p, len, &bit)) {
            return false;
        }
        *caps |= bit;
        if (p[len] == '\0') {
            return true;
        }
        p += len + 1;
    }
}

const char *caps_describe(uint32_t caps, char *buf, size_t len) {
    size_t at = 0;
    uint32_t unnamed = caps;
    buf[0] = '\0';
    for (size_t i = 0; i < CAP_NAME_COUNT; i++) {
        if (caps & cap_names[i].bit) {
            int n = snprintf(buf + at, len - at, "%s%s", at ? "|" : "", cap_names[i].name);
            at += n > 0 && (size_t)n < len - at ? (size_t)n : 0;
            unnamed &= ~cap_names[i].bit;
        }
    }
    if (unnamed != 0) { /* bits no name says: shown, not dropped */
        int n = snprintf(buf + at, len - at, "%s0x%lx", at ? "|" : "", (unsigned long)unnamed);
        at += n > 0 && (size_t)n < len - at ? (size_t)n : 0;
    }
    if (at == 0) {
        snprintf(buf, len, "0");
    }
    return buf;
}
