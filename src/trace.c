/*
 * trace.c: heap tracing (esp_heap_trace.h): standalone records in a buffer the
 * application lends, and the event stream to a sink. heap_caps calls in through
 * trace_hook.h only while capheap_trace_on is set.
 *
 * The records are kept oldest first in records[0, count): dropping the oldest
 * or removing a freed one (LEAKS) moves the rest down. That is O(records), but
 * a trace buffer holds hundreds of records and the order is then the plain
 * array order, which the dump and heap_trace_get need.
 */
#include <string.h>

#include "capheap.h"
#include "capheap/port.h"
#include "esp_heap_trace.h"
#include "log.h"
#include "registry.h"
#include "trace_hook.h"
#include "trace_records.h"

_Atomic bool capheap_trace_on;

static struct {
    heap_trace_record_t *records;
    size_t capacity;
    size_t count;
    bool recording;      /* between start (or resume) and stop */
    bool allocs_paused;  /* heap_trace_alloc_pause: frees only */
    heap_trace_mode_t mode;
    uint32_t sequence;
    size_t total_allocations, total_frees, high_water_mark;
    bool has_overflowed;
    capheap_trace_sink_t sink;
    void *sink_user;
} trace;

/* Called with the critical section held after any change of the switches.
 * heap_caps_malloc and heap_caps_free test the switch only on their slow
 * paths: while it is on, the registry's list slots are held empty and its
 * owner lookups read an empty owner cache, so that every call takes them.
 * The switch is stored first: the release store of the owner cache's switch
 * then publishes it to every free that finds the cache held (heap_caps_block.c). */
static void update_switch(void) {
    bool on = trace.recording || trace.sink != NULL;
    atomic_store_explicit(&capheap_trace_on, on, memory_order_relaxed);
    capheap_registry_lists_hold(CAPHEAP_HOLD_TRACE, on);
    capheap_registry_owner_cache_hold(on);
}

/* ---- records ----------------------------------------------------------- */

static void remove_record(size_t i) {
    memmove(&trace.records[i], &trace.records[i + 1], (trace.count - i - 1) * sizeof trace.records[0]);
    trace.count--;
}

/* Event numbers (a record's ccount) grow along the records, which the dump
 * walks by them (capheap_trace_next). Before the count would pass 2^31 the
 * live records are numbered again from 1 in their order, so that numbers
 * never wrap around: a LEAKS-mode record can outlive any count of events.
 * (A dump walking at that moment stops early: once in 2^31 events.) */
#ifndef CAPHEAP_TRACE_RENUMBER_AT
#define CAPHEAP_TRACE_RENUMBER_AT 0x7FFFFFFFu
#endif

static void next_event(void) {
    if (trace.sequence >= CAPHEAP_TRACE_RENUMBER_AT) {
        for (size_t i = 0; i < trace.count; i++) {
            trace.records[i].ccount = (uint32_t)(i + 1);
        }
        trace.sequence = (uint32_t)trace.count;
    }
    trace.sequence++;
}

void capheap_trace_set_event_count(uint32_t count) {
    capheap_port_critical_enter();
    trace.sequence = count;
    capheap_port_critical_exit();
}

static void add_record(void *p, size_t size, void *caller) {
    if (trace.capacity == 0) {
        return;
    }
    if (trace.count == trace.capacity) {
        trace.has_overflowed = true;
        remove_record(0);
    }
    next_event(); /* before the new record is counted: a renumbering leaves it out */
    heap_trace_record_t *r = &trace.records[trace.count++];
    memset(r, 0, sizeof *r);
    r->ccount = trace.sequence;
    r->address = p;
    r->size = size;
    r->alloced_by[0] = caller;
    if (trace.count > trace.high_water_mark) {
        trace.high_water_mark = trace.count;
    }
}

/* The newest record of p not yet freed: recent blocks are freed most often. */
static heap_trace_record_t *find_live(const void *p) {
    for (size_t i = trace.count; i-- > 0;) {
        if (trace.records[i].address == p && !trace.records[i].freed) {
            return &trace.records[i];
        }
    }
    return NULL;
}

/* Every free while tracing is counted, as ESP-IDF counts them: a block whose
 * record was dropped cannot be told from one allocated before the start. */
static void record_free(void *p, void *caller) {
    trace.total_frees++;
    heap_trace_record_t *r = find_live(p);
    if (r == NULL) {
        return; /* allocated before tracing started, or its record was dropped */
    }
    next_event();
    if (trace.mode == HEAP_TRACE_LEAKS) {
        remove_record((size_t)(r - trace.records));
    } else {
        r->freed = true;
        r->freed_by[0] = caller;
    }
}

static void record_alloc(void *p, size_t size, void *caller) {
    if (p != NULL && !trace.allocs_paused) {
        trace.total_allocations++;
        add_record(p, size, caller);
    }
}

/* ---- the hook ---------------------------------------------------------- */

/* Never inlined, at any optimisation level: the call to the application's
 * sink stays here, where scripts/stack-usage.sh expects it. */
static __attribute__((noinline)) void emit(char kind, void *p, void *old, size_t size, size_t align, uint32_t caps,
                                           void *caller) {
    if (trace.sink != NULL) {
        capheap_trace_event_t e = {kind, p, old, size, align, caps, caller};
        trace.sink(&e, trace.sink_user);
    }
}

void capheap_trace_alloc(void *p, size_t size, size_t align, uint32_t caps, void *caller) {
    capheap_port_critical_enter();
    if (trace.recording) {
        record_alloc(p, size, caller);
    }
    emit('a', p, NULL, size, align, caps, caller);
    capheap_port_critical_exit();
}

void capheap_trace_free(void *p, void *caller) {
    if (p == NULL) {
        return;
    }
    capheap_port_critical_enter();
    if (trace.recording) {
        record_free(p, caller);
    }
    emit('f', p, NULL, 0, 0, 0, caller);
    capheap_port_critical_exit();
}

void capheap_trace_realloc_hold(void) { capheap_port_critical_enter(); }

/* In the critical section capheap_trace_realloc_hold entered. */
void capheap_trace_realloc_end(void *p, void *old, size_t size, uint32_t caps, bool refused, void *caller) {
    if (!refused) {
        bool failed = p == NULL && size != 0;
        if (trace.recording && !failed) {
            if (old != NULL) {
                record_free(old, caller);
            }
            record_alloc(p, size, caller);
        }
        emit('r', p, old, size, 0, caps, caller);
    }
    capheap_port_critical_exit();
}

/* ---- control ----------------------------------------------------------- */

esp_err_t heap_trace_init_standalone(heap_trace_record_t *record_buffer, size_t num_records) {
    if (record_buffer == NULL && num_records != 0) {
        return ESP_ERR_INVALID_ARG;
    }
    esp_err_t err = ESP_OK;
    capheap_port_critical_enter();
    if (trace.recording) {
        err = ESP_ERR_INVALID_STATE;
    } else {
        trace.records = record_buffer;
        trace.capacity = num_records;
        trace.count = trace.high_water_mark = 0; /* what the records of this array say */
        trace.has_overflowed = false;
    }
    capheap_port_critical_exit();
    return err;
}

esp_err_t heap_trace_start(heap_trace_mode_t mode) {
    if (mode != HEAP_TRACE_ALL && mode != HEAP_TRACE_LEAKS) {
        return ESP_ERR_INVALID_ARG;
    }
    esp_err_t err = ESP_OK;
    capheap_port_critical_enter();
    if (trace.records == NULL || trace.capacity == 0) {
        err = ESP_ERR_INVALID_STATE;
    } else {
        trace.mode = mode;
        trace.count = 0;
        trace.sequence = 0;
        trace.total_allocations = trace.total_frees = trace.high_water_mark = 0;
        trace.has_overflowed = false;
        trace.allocs_paused = false;
        trace.recording = true;
        update_switch();
    }
    capheap_port_critical_exit();
    return err;
}

/* Sets the recording switches when tracing is in the state it must be in. */
static esp_err_t switch_recording(bool must_record, bool recording, bool allocs_paused) {
    esp_err_t err = ESP_OK;
    capheap_port_critical_enter();
    if (must_record ? !trace.recording : trace.records == NULL) {
        err = ESP_ERR_INVALID_STATE;
    } else {
        trace.recording = recording;
        trace.allocs_paused = allocs_paused;
        update_switch();
    }
    capheap_port_critical_exit();
    return err;
}

esp_err_t heap_trace_stop(void) { return switch_recording(true, false, false); }

esp_err_t heap_trace_alloc_pause(void) { return switch_recording(true, true, true); }

esp_err_t heap_trace_resume(void) { return switch_recording(false, true, false); }

esp_err_t capheap_trace_set_sink(capheap_trace_sink_t sink, void *user) {
    capheap_port_critical_enter();
    trace.sink = sink;
    trace.sink_user = user;
    update_switch();
    capheap_port_critical_exit();
    return ESP_OK;
}

/* ---- queries ----------------------------------------------------------- */

size_t heap_trace_get_count(void) {
    capheap_port_critical_enter();
    size_t n = trace.count;
    capheap_port_critical_exit();
    return n;
}

esp_err_t heap_trace_get(size_t index, heap_trace_record_t *record) {
    if (record == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    esp_err_t err = ESP_OK;
    capheap_port_critical_enter();
    if (trace.records == NULL || trace.capacity == 0) {
        err = ESP_ERR_INVALID_STATE;
    } else if (index >= trace.count) {
        err = ESP_ERR_INVALID_ARG;
    } else {
        *record = trace.records[index];
    }
    capheap_port_critical_exit();
    return err;
}

/* Whether record r's event came after the event numbered seq (numbers never
 * wrap around: next_event). */
static bool newer_than(const heap_trace_record_t *r, uint32_t seq) { return r->ccount > seq; }

bool capheap_trace_next(const heap_trace_record_t *prev, heap_trace_record_t *out) {
    bool first = prev == NULL;
    uint32_t seq = first ? 0 : prev->ccount;
    capheap_port_critical_enter();
    /* The records are in the order of their numbers: the first newer one by
     * bisection, so that the critical section stays short. */
    size_t lo = 0, hi = trace.records != NULL ? trace.count : 0;
    while (!first && lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (newer_than(&trace.records[mid], seq)) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    bool found = trace.records != NULL && lo < trace.count;
    if (found) {
        *out = trace.records[lo];
    }
    capheap_port_critical_exit();
    return found;
}

esp_err_t heap_trace_summary(heap_trace_summary_t *summary) {
    if (summary == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    capheap_port_critical_enter();
    summary->mode = trace.mode;
    summary->total_allocations = trace.total_allocations;
    summary->total_frees = trace.total_frees;
    summary->count = trace.count;
    summary->capacity = trace.capacity;
    summary->high_water_mark = trace.high_water_mark;
    summary->has_overflowed = trace.has_overflowed;
    capheap_port_critical_exit();
    return ESP_OK;
}
