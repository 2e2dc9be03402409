/*
 * trace_dump.c: the text the tracer writes: heap_trace_dump in ESP-IDF's
 * format (so that the tools that read ESP-IDF dumps, capheap's included, read
 * capheap's), and one line of capheap's own trace format per event.
 */
#include <string.h>

#include "capheap.h"
#include "capheap/port.h"
#include "esp_heap_trace.h"
#include "log.h"
#include "trace_records.h"

#define DEPTH CONFIG_HEAP_TRACING_STACK_DEPTH

/* Where a block is, in the dump's words. */
static const char *place_of(const void *p) {
    return (capheap_ptr_caps(p) & MALLOC_CAP_SPIRAM) ? "PSRAM" : "Internal";
}

static bool wanted(const heap_trace_record_t *r, uint32_t caps) {
    uint32_t where = (capheap_ptr_caps(r->address) & MALLOC_CAP_SPIRAM) ? MALLOC_CAP_SPIRAM : MALLOC_CAP_INTERNAL;
    return (where & caps) != 0;
}

/* "0x400d276d:0x400d27c1": the frames up to the first NULL. */
static void log_frames(void *const frames[DEPTH]) {
    for (size_t i = 0; i < DEPTH && (i == 0 || frames[i] != NULL); i++) {
        capheap_logf("%s%p", i == 0 ? "" : ":", frames[i]);
    }
    capheap_logf("\n");
}

static void log_record(const heap_trace_record_t *r, bool all_mode) {
    capheap_logf("    %zu bytes (@ %p, %s) allocated CPU 0 ccount 0x%08x caller ", r->size, r->address,
                 place_of(r->address), (unsigned)r->ccount);
    log_frames(r->alloced_by);
    if (all_mode && r->freed) {
        capheap_logf("    freed by ");
        log_frames(r->freed_by);
    }
}

static void log_summary(const heap_trace_summary_t *s, size_t live_bytes, size_t live_count) {
    capheap_logf("====== Heap Trace Summary ======\n");
    capheap_logf("Mode: Heap Trace %s\n", s->mode == HEAP_TRACE_ALL ? "All" : "Leaks");
    capheap_logf("%zu bytes alive in trace (%zu/%zu allocations)\n", live_bytes, live_count, s->count);
    capheap_logf("records: %zu (%zu capacity, %zu high water mark)\n", s->count, s->capacity, s->high_water_mark);
    capheap_logf("total allocations: %zu\n", s->total_allocations);
    capheap_logf("total frees: %zu\n", s->total_frees);
    if (s->has_overflowed) {
        capheap_logf("(NB: the buffer overflowed: the oldest records were dropped)\n");
    }
    capheap_logf("================================\n");
}

void heap_trace_dump_caps(uint32_t caps) {
    heap_trace_summary_t s;
    heap_trace_summary(&s);
    capheap_logf("====== Heap Trace: %zu records (%zu capacity) ======\n", s.count, s.capacity);
    size_t live_bytes = 0, live_count = 0;
    heap_trace_record_t r;
    /* At most a buffer's worth: while the program traces on, newer records
     * keep coming, and the dump is of what was there when it started. */
    size_t steps = 0;
    for (bool more = capheap_trace_next(NULL, &r); more && steps++ < s.capacity; more = capheap_trace_next(&r, &r)) {
        if (!wanted(&r, caps) || (s.mode == HEAP_TRACE_LEAKS && r.freed)) {
            continue;
        }
        log_record(&r, s.mode == HEAP_TRACE_ALL);
        if (!r.freed) {
            live_bytes += r.size;
            live_count++;
        }
    }
    log_summary(&s, live_bytes, live_count);
}

void heap_trace_dump(void) { heap_trace_dump_caps(MALLOC_CAP_INTERNAL | MALLOC_CAP_SPIRAM); }

/* ---- capheap's trace format ------------------------------------------- */

typedef struct {
    char *buf;
    size_t len, at;
    bool full;
} line_t;

static void put_text(line_t *l, const char *s) {
    for (; *s != '\0'; s++) {
        if (l->at + 1 >= l->len) {
            l->full = true;
            return;
        }
        l->buf[l->at++] = *s;
    }
}

static void put_uint(line_t *l, uintmax_t v, unsigned base) {
    char digits[24];
    size_t n = sizeof digits - 1;
    digits[n] = '\0';
    do {
        digits[--n] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v != 0);
    if (base == 16) {
        put_text(l, "0x");
    }
    put_text(l, digits + n);
}

static void put_field(line_t *l, const char *name, uintmax_t v, unsigned base) {
    put_text(l, name);
    put_uint(l, v, base);
}

size_t capheap_trace_format_event(const capheap_trace_event_t *e, unsigned long thread, char *buf, size_t len) {
    line_t l = {buf, len, 0, len == 0};
    put_text(&l, e->kind == 'a' ? "alloc " : e->kind == 'r' ? "realloc " : "free ");
    put_uint(&l, (uintptr_t)e->address, 16);
    if (e->kind == 'r') {
        put_field(&l, " ", (uintptr_t)e->old_address, 16);
    }
    if (e->kind != 'f') {
        put_field(&l, " ", e->size, 10);
        put_field(&l, " ", e->caps, 16);
    }
    if (e->kind == 'a' && e->align != 0) {
        put_field(&l, " align=", e->align, 10);
    }
    if (e->caller != NULL) {
        put_field(&l, " caller=", (uintptr_t)e->caller, 16);
    }
    if (thread != 0) {
        put_field(&l, " thread=", thread, 10);
    }
    put_text(&l, "\n");
    if (l.full) {
        return 0;
    }
    buf[l.at] = '\0';
    return l.at;
}
