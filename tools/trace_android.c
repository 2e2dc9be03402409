/*
 * trace_android.c: Android's memory_replay format (../shared/traces/README.md):
 *
 *   <tid>: malloc <ptr> <size>          <tid>: calloc <ptr> <nmemb> <size>
 *   <tid>: memalign <ptr> <align> <size> <tid>: realloc <new> <old> <size>
 *   <tid>: free <ptr>                   <tid>: thread_done 0x0
 *
 * Pointers are those of the recorded process; each allocation becomes a fresh
 * block of the replay. Android has no capabilities: every request gets
 * MALLOC_CAP_DEFAULT, what plain malloc() gets. Fields after the ones above
 * (newer recordings add timestamps) are ignored. malloc(0) is replayed as one
 * byte: bionic returns a real, freeable block for it, heap_caps returns NULL.
 */
#include <stdio.h>
#include <string.h>

#include "esp_heap_caps.h"
#include "trace_formats.h"

static const char *const actions[] = {"malloc", "calloc", "memalign", "realloc", "free", "thread_done"};
#define ACTION_COUNT (sizeof actions / sizeof actions[0])

static int action_of(const char *word) {
    for (size_t i = 0; i < ACTION_COUNT; i++) {
        if (strcmp(word, actions[i]) == 0) {
            return (int)i;
        }
    }
    return -1;
}

static bool is_thread_field(const char *token, size_t len) {
    if (len < 2 || token[len - 1] != ':') {
        return false;
    }
    for (size_t i = 0; i + 1 < len; i++) {
        if (token[i] < '0' || token[i] > '9') {
            return false;
        }
    }
    return true;
}

static bool recognises(const char *line) {
    char copy[256];
    snprintf(copy, sizeof copy, "%s", line);
    char *t[3];
    size_t n = split_tokens(copy, t, 2);
    return n >= 2 && is_thread_field(t[0], strlen(t[0])) && action_of(t[1]) >= 0;
}

static void *open_state(void) { return NULL; }

static void close_state(void *state) { (void)state; }

/* Fields the action needs after the pointer. */
static const size_t numbers_needed[] = {1, 2, 2, 2, 0, 0};

static const char *const usages[] = {
    "'<tid>: malloc <ptr> <size>'",        "'<tid>: calloc <ptr> <nmemb> <size>'",
    "'<tid>: memalign <ptr> <alignment> <size>'", "'<tid>: realloc <new ptr> <old ptr> <size>'",
    "'<tid>: free <ptr>'",                 "'<tid>: thread_done 0x0'",
};

/* Fills e from the numbers of an allocating action. */
static bool fill(int action, const uint64_t *v, raw_event_t *e) {
    switch (action) {
    case 0:
        e->size = (size_t)v[0];
        return true;
    case 1:
        e->size = (size_t)(v[0] * v[1]);
        return v[1] == 0 || e->size / v[1] == v[0];
    case 2:
        e->align = (size_t)v[0];
        e->size = (size_t)v[1];
        return e->align != 0 && (e->align & (e->align - 1)) == 0;
    default:
        e->old_name = v[0];
        e->size = (size_t)v[1];
        return true;
    }
}

static int parse_line(trace_reader_t *r, void *state, char *line) {
    (void)state;
    char *t[10];
    size_t n = split_tokens(line, t, 9);
    if (n == 0) {
        return 0;
    }
    int action = n >= 3 ? action_of(t[1]) : -1;
    if (action < 0 || !is_thread_field(t[0], strlen(t[0]))) {
        return reader_error(r, "'<tid>: <malloc|calloc|memalign|realloc|free|thread_done> <ptr> ...'");
    }
    uint64_t tid, ptr, v[2] = {0, 0};
    t[0][strlen(t[0]) - 1] = '\0';
    bool ok = n >= 3 + numbers_needed[action] && parse_u64(t[0], &tid) && parse_hex(t[2], &ptr);
    for (size_t i = 0; ok && i < numbers_needed[action]; i++) {
        ok = action == 3 && i == 0 ? parse_hex(t[3], &v[0]) : parse_u64(t[3 + i], &v[i]);
    }
    raw_event_t e = {.thread = (unsigned long)tid, .caps = MALLOC_CAP_DEFAULT, .name = ptr};
    if (!ok || (action <= 3 && !fill(action, v, &e))) {
        return reader_error(r, usages[action]);
    }
    if (action == 5 || (action == 4 && ptr == 0)) {
        return 0; /* thread_done, free(NULL) */
    }
    e.kind = action == 4 ? EVENT_FREE : action == 3 ? EVENT_REALLOC : EVENT_ALLOC;
    if (e.kind == EVENT_REALLOC && ptr == 0) {
        /* realloc to 0 bytes freed the block; a failed one left it alone */
        e.kind = e.size == 0 ? EVENT_FREE : EVENT_ALLOC;
        e.name = e.size == 0 ? e.old_name : 0;
        e.failed = e.size != 0;
    }
    e.size = e.size == 0 ? 1 : e.size;
    reader_queue(r, &e);
    return 0;
}

const trace_format_ops_t trace_format_android = {
    "android", recognises, open_state, parse_line, NULL, close_state,
};
