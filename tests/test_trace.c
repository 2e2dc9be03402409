/*
 * test_trace.c: heap tracing (esp_heap_trace.h): standalone records in ALL and
 * LEAKS modes, overflow, pause, summary, callers, the event sink with
 * capheap's trace lines, and frees on other threads while tracing starts and
 * stops.
 */
#define _POSIX_C_SOURCE 200809L
#include "caps_test.h"

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>

#include "esp_heap_trace.h"
#include "realloc_race.h"
#include "trace_hook.h"
#include "trace_records.h"

#define RECORDS 4
static heap_trace_record_t records[RECORDS];

static int setup(void **state) {
    (void)state;
    return capheap_init("esp32") == ESP_OK && heap_trace_init_standalone(records, RECORDS) == ESP_OK ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    heap_trace_stop();
    capheap_trace_set_sink(NULL, NULL);
    capheap_deinit();
    return 0;
}

static void test_all_mode_marks_frees(void **state) {
    (void)state;
    assert_int_equal(heap_trace_start(HEAP_TRACE_ALL), ESP_OK);
    void *a = heap_caps_malloc(100, MALLOC_CAP_8BIT);
    void *b = heap_caps_calloc(2, 50, MALLOC_CAP_DMA);
    heap_caps_free(a);
    assert_int_equal(heap_trace_stop(), ESP_OK);
    assert_int_equal(heap_trace_get_count(), 2);
    heap_trace_record_t r;
    assert_int_equal(heap_trace_get(0, &r), ESP_OK);
    assert_ptr_equal(r.address, a);
    assert_int_equal(r.size, 100);
    assert_true(r.freed);
    assert_non_null(r.alloced_by[0]);
    assert_non_null(r.freed_by[0]);
    assert_int_equal(heap_trace_get(1, &r), ESP_OK);
    assert_ptr_equal(r.address, b);
    assert_false(r.freed);
    assert_true(r.ccount > 1); /* a sequence: after the first allocation */
    assert_int_equal(heap_trace_get(2, &r), ESP_ERR_INVALID_ARG);
    heap_trace_dump();
    heap_caps_free(b);
    assert_int_equal(heap_trace_get_count(), 2); /* stopped: no change */
}

/* realloc to size 0 of a live block while tracing is its free. */
static void test_realloc_to_zero_is_recorded_as_a_free(void **state) {
    (void)state;
    assert_int_equal(heap_trace_start(HEAP_TRACE_ALL), ESP_OK);
    void *a = heap_caps_malloc(100, MALLOC_CAP_8BIT);
    assert_null(heap_caps_realloc(a, 0, MALLOC_CAP_8BIT));
    assert_int_equal(heap_trace_stop(), ESP_OK);
    heap_trace_record_t r;
    assert_int_equal(heap_trace_get(0, &r), ESP_OK);
    assert_ptr_equal(r.address, a);
    assert_true(r.freed);
    assert_non_null(r.freed_by[0]);
}

/* The same through the instruction bus: the EXEC block's address, as it
 * was returned, is the record's. */
static void test_realloc_to_zero_through_the_window_is_recorded_as_a_free(void **state) {
    (void)state;
    void *iram = caps_fill_iram();
    assert_int_equal(heap_trace_start(HEAP_TRACE_ALL), ESP_OK);
    uint8_t *x = caps_exec_in_window(100);
    assert_null(heap_caps_realloc(x, 0, MALLOC_CAP_EXEC));
    assert_int_equal(heap_trace_stop(), ESP_OK);
    heap_trace_record_t r;
    assert_int_equal(heap_trace_get_count(), 1);
    assert_int_equal(heap_trace_get(0, &r), ESP_OK);
    assert_ptr_equal(r.address, x);
    assert_true(r.freed);
    heap_caps_free(iram);
}

static void test_leaks_mode_keeps_what_is_not_freed(void **state) {
    (void)state;
    assert_int_equal(heap_trace_start(HEAP_TRACE_LEAKS), ESP_OK);
    void *a = heap_caps_malloc(10, MALLOC_CAP_DEFAULT);
    void *b = heap_caps_malloc(20, MALLOC_CAP_DEFAULT);
    void *c = heap_caps_realloc(a, 30, MALLOC_CAP_DEFAULT);
    heap_caps_free(b);
    heap_trace_stop();
    heap_trace_record_t r;
    assert_int_equal(heap_trace_get_count(), 1);
    assert_int_equal(heap_trace_get(0, &r), ESP_OK);
    assert_ptr_equal(r.address, c);
    assert_int_equal(r.size, 30);
    heap_trace_summary_t s;
    assert_int_equal(heap_trace_summary(&s), ESP_OK);
    assert_int_equal(s.mode, HEAP_TRACE_LEAKS);
    assert_int_equal(s.total_allocations, 3);
    assert_int_equal(s.total_frees, 2);
    assert_int_equal(s.high_water_mark, 2);
    assert_false(s.has_overflowed);
    heap_trace_dump_caps(MALLOC_CAP_INTERNAL);
    heap_caps_free(c);
}

static void test_overflow_drops_the_oldest(void **state) {
    (void)state;
    void *p[RECORDS + 2];
    heap_trace_start(HEAP_TRACE_ALL);
    for (int i = 0; i < RECORDS + 2; i++) {
        p[i] = heap_caps_malloc(16 + (size_t)i, MALLOC_CAP_DEFAULT);
    }
    heap_trace_stop();
    heap_trace_summary_t s = {.has_overflowed = false}; /* true only if the summary says so */
    heap_trace_summary(&s);
    assert_true(s.has_overflowed);
    assert_int_equal(s.count, RECORDS);
    assert_int_equal(s.total_allocations, RECORDS + 2);
    heap_trace_record_t r;
    heap_trace_get(0, &r);
    assert_ptr_equal(r.address, p[2]);
    for (int i = 0; i < RECORDS + 2; i++) {
        heap_caps_free(p[i]);
    }
    /* A new start begins a new account: nothing dropped yet, and the switch
     * the allocation paths test is off again once stopped. */
    assert_int_equal(heap_trace_start(HEAP_TRACE_ALL), ESP_OK);
    assert_true(CAPHEAP_TRACING());
    heap_trace_summary(&s);
    assert_false(s.has_overflowed);
    assert_int_equal(heap_trace_stop(), ESP_OK);
    assert_false(CAPHEAP_TRACING());
}

static void test_pause_keeps_frees(void **state) {
    (void)state;
    heap_trace_start(HEAP_TRACE_LEAKS);
    void *a = heap_caps_malloc(64, MALLOC_CAP_DEFAULT);
    assert_int_equal(heap_trace_alloc_pause(), ESP_OK);
    void *b = heap_caps_malloc(64, MALLOC_CAP_DEFAULT);
    heap_caps_free(a);
    assert_int_equal(heap_trace_get_count(), 0);
    assert_int_equal(heap_trace_resume(), ESP_OK);
    void *c = heap_caps_malloc(64, MALLOC_CAP_DEFAULT);
    assert_int_equal(heap_trace_get_count(), 1);
    heap_trace_stop();
    heap_caps_free(b);
    heap_caps_free(c);
}

static void test_states(void **state) {
    (void)state;
    assert_int_equal(heap_trace_stop(), ESP_ERR_INVALID_STATE);
    assert_int_equal(heap_trace_alloc_pause(), ESP_ERR_INVALID_STATE);
    assert_int_equal(heap_trace_start((heap_trace_mode_t)7), ESP_ERR_INVALID_ARG);
    assert_int_equal(heap_trace_summary(NULL), ESP_ERR_INVALID_ARG);
    assert_int_equal(heap_trace_get(0, NULL), ESP_ERR_INVALID_ARG);
    heap_trace_start(HEAP_TRACE_ALL);
    assert_int_equal(heap_trace_init_standalone(records, RECORDS), ESP_ERR_INVALID_STATE);
    heap_trace_stop();
    assert_int_equal(heap_trace_init_standalone(NULL, 3), ESP_ERR_INVALID_ARG);
    assert_int_equal(heap_trace_init_standalone(NULL, 0), ESP_OK);
    assert_int_equal(heap_trace_start(HEAP_TRACE_ALL), ESP_ERR_INVALID_STATE);
    assert_int_equal(heap_trace_resume(), ESP_ERR_INVALID_STATE);
    assert_int_equal(heap_trace_init_standalone(records, 0), ESP_OK); /* no records: nothing to start */
    assert_int_equal(heap_trace_start(HEAP_TRACE_LEAKS), ESP_ERR_INVALID_STATE);
    heap_trace_record_t r;
    assert_int_equal(heap_trace_get(0, &r), ESP_ERR_INVALID_STATE); /* no array, as after (NULL, 0) */
    assert_int_equal(heap_trace_init_standalone(records, RECORDS), ESP_OK);
}

/* ccount is the event's sequence number since heap_trace_start, and the free
 * of a traced block is an event too: after an allocation and its free, the
 * next allocation is the third event. */
static void test_ccount_numbers_frees_too(void **state) {
    (void)state;
    assert_int_equal(heap_trace_start(HEAP_TRACE_ALL), ESP_OK);
    heap_caps_free(heap_caps_malloc(32, MALLOC_CAP_8BIT));
    void *b = heap_caps_malloc(32, MALLOC_CAP_8BIT);
    assert_int_equal(heap_trace_stop(), ESP_OK);
    heap_trace_record_t r;
    assert_int_equal(heap_trace_get(0, &r), ESP_OK);
    assert_int_equal(r.ccount, 1);
    assert_int_equal(heap_trace_get(1, &r), ESP_OK);
    assert_ptr_equal(r.address, b);
    assert_int_equal(r.ccount, 3);
    heap_caps_free(b);
}

/* heap_trace_start empties the records and starts tracing afresh: a start
 * while allocations are paused records them again. */
static void test_start_after_pause_records_allocations(void **state) {
    (void)state;
    assert_int_equal(heap_trace_start(HEAP_TRACE_LEAKS), ESP_OK);
    assert_int_equal(heap_trace_alloc_pause(), ESP_OK);
    assert_int_equal(heap_trace_start(HEAP_TRACE_ALL), ESP_OK);
    void *a = heap_caps_malloc(48, MALLOC_CAP_8BIT);
    assert_int_equal(heap_trace_stop(), ESP_OK);
    assert_int_equal(heap_trace_get_count(), 1);
    heap_trace_record_t r;
    assert_int_equal(heap_trace_get(0, &r), ESP_OK);
    assert_ptr_equal(r.address, a);
    heap_caps_free(a);
}

/* An array lent anew holds no records, whatever the one before held (the
 * new array's contents are no records of this heap). */
static void test_init_standalone_starts_with_no_records(void **state) {
    (void)state;
    assert_int_equal(heap_trace_start(HEAP_TRACE_ALL), ESP_OK);
    for (int i = 0; i < RECORDS + 1; i++) { /* one more than the buffer holds: it overflows */
        heap_caps_free(heap_caps_malloc(32, MALLOC_CAP_8BIT));
    }
    assert_int_equal(heap_trace_stop(), ESP_OK);
    assert_int_equal(heap_trace_get_count(), RECORDS);
    static heap_trace_record_t other[2];
    assert_int_equal(heap_trace_init_standalone(other, 2), ESP_OK);
    assert_int_equal(heap_trace_get_count(), 0);
    heap_trace_record_t r;
    assert_int_equal(heap_trace_get(0, &r), ESP_ERR_INVALID_ARG);
    heap_trace_summary_t s;
    assert_int_equal(heap_trace_summary(&s), ESP_OK);
    assert_int_equal(s.count, 0);
    assert_int_equal(s.capacity, 2);
    assert_int_equal(s.high_water_mark, 0); /* the new array's: none held yet */
    assert_false(s.has_overflowed);
}

/* Every free while tracing counts (as ESP-IDF counts them): of a block whose
 * record the full buffer dropped, and of one allocated before the start. */
static void test_total_frees_counts_every_free_while_tracing(void **state) {
    (void)state;
    void *before = heap_caps_malloc(16, MALLOC_CAP_DEFAULT);
    void *p[RECORDS + 2];
    assert_int_equal(heap_trace_start(HEAP_TRACE_ALL), ESP_OK);
    for (int i = 0; i < RECORDS + 2; i++) {
        p[i] = heap_caps_malloc(16 + (size_t)i, MALLOC_CAP_DEFAULT);
    }
    heap_caps_free(p[0]); /* its record was dropped */
    heap_caps_free(p[RECORDS + 1]);
    heap_caps_free(before);
    assert_int_equal(heap_trace_stop(), ESP_OK);
    heap_trace_summary_t s;
    assert_int_equal(heap_trace_summary(&s), ESP_OK);
    assert_true(s.has_overflowed);
    assert_int_equal(s.total_allocations, RECORDS + 2);
    assert_int_equal(s.total_frees, 3);
    for (int i = 1; i <= RECORDS; i++) {
        heap_caps_free(p[i]);
    }
}

/* ---- the dump ---------------------------------------------------------- */

static void dump_records(void *caps) {
    if (caps == NULL) {
        heap_trace_dump();
    } else {
        heap_trace_dump_caps(*(const uint32_t *)caps);
    }
}

/* A record's line in ESP-IDF's format (docs/tool.md): the callers up to the
 * first NULL (alloced_by[1..] are NULL), then "freed by" for a freed one. */
static void record_line(char *buf, size_t len, const heap_trace_record_t *r) {
    int n = snprintf(buf, len, "    %zu bytes (@ %p, Internal) allocated CPU 0 ccount 0x%08x caller %p\n", r->size,
                     r->address, (unsigned)r->ccount, r->alloced_by[0]);
    if (r->freed) {
        snprintf(buf + n, len - (size_t)n, "    freed by %p\n", r->freed_by[0]);
    }
}

/* The dump out has record i's line; the record, for more checks. */
static heap_trace_record_t assert_record_dumped(const char *out, size_t i) {
    heap_trace_record_t r;
    assert_int_equal(heap_trace_get(i, &r), ESP_OK);
    char want[300];
    record_line(want, sizeof want, &r);
    assert_non_null(strstr(out, want));
    return r;
}

/* heap_trace_dump (ALL mode) writes every record, freed ones with their
 * freer, then the summary: the mode, the bytes and records of what is still
 * alive, the totals, and the closing line of ESP-IDF's dump. */
static void test_dump_writes_each_record_and_the_summary(void **state) {
    (void)state;
    assert_int_equal(heap_trace_start(HEAP_TRACE_ALL), ESP_OK);
    void *a = heap_caps_malloc(100, MALLOC_CAP_8BIT);
    void *b = heap_caps_malloc(60, MALLOC_CAP_DMA);
    heap_caps_free(a);
    assert_int_equal(heap_trace_stop(), ESP_OK);
    char *out = caps_capture(dump_records, NULL);
    for (size_t i = 0; i < 2; i++) {
        (void)assert_record_dumped(out, i);
    }
    assert_int_equal(caps_count_lines(out, " bytes (@ "), 2);
    assert_int_equal(caps_count_lines(out, "freed by "), 1);
    assert_non_null(strstr(out, "Mode: Heap Trace All\n"));
    assert_non_null(strstr(out, "\n60 bytes alive in trace (1/2 allocations)\n"));
    assert_non_null(strstr(out, "total allocations: 2\n"));
    assert_non_null(strstr(out, "total frees: 1\n"));
    const char *end = "\n================================\n";
    assert_true(strlen(out) > strlen(end));
    assert_string_equal(out + strlen(out) - strlen(end), end);
    free(out);
    heap_caps_free(b);
}

/* The dump walks the records by their numbers (capheap_trace_next): a record
 * removed meanwhile, by a free in LEAKS mode or dropped as the oldest when
 * the buffer is full, shifts the others down without making the walk skip
 * one (by index, the next step would have passed over b, then over c). */
static void test_a_walk_of_the_records_skips_none_when_some_go(void **state) {
    (void)state;
    assert_int_equal(heap_trace_start(HEAP_TRACE_LEAKS), ESP_OK);
    void *a = heap_caps_malloc(100, MALLOC_CAP_8BIT), *b = heap_caps_malloc(60, MALLOC_CAP_8BIT);
    void *c = heap_caps_malloc(40, MALLOC_CAP_8BIT);
    heap_trace_record_t r;
    assert_true(capheap_trace_next(NULL, &r));
    assert_ptr_equal(r.address, a);
    heap_caps_free(a); /* its record goes: b's is first now */
    assert_true(capheap_trace_next(&r, &r));
    assert_ptr_equal(r.address, b);
    void *more[RECORDS];
    for (size_t i = 0; i < RECORDS - 1; i++) { /* fills the buffer and drops b's record */
        more[i] = heap_caps_malloc(20, MALLOC_CAP_8BIT);
    }
    assert_true(capheap_trace_next(&r, &r));
    assert_ptr_equal(r.address, c);
    for (size_t i = 0; i < RECORDS - 1; i++) {
        assert_true(capheap_trace_next(&r, &r));
        assert_ptr_equal(r.address, more[i]);
    }
    assert_false(capheap_trace_next(&r, &r));
    assert_int_equal(heap_trace_stop(), ESP_OK);
    heap_caps_free(b);
    heap_caps_free(c);
    for (size_t i = 0; i < RECORDS - 1; i++) {
        heap_caps_free(more[i]);
    }
}

/* Event numbers never wrap around: before they pass 2^31 the live records are
 * numbered again in their order, and a walk finds them all, in order. */
static void test_records_are_numbered_again_before_2_to_the_31(void **state) {
    (void)state;
    assert_int_equal(heap_trace_start(HEAP_TRACE_LEAKS), ESP_OK);
    capheap_trace_set_event_count(0x7FFFFFFEu);
    void *a = heap_caps_malloc(100, MALLOC_CAP_8BIT); /* number 0x7FFFFFFF */
    void *b = heap_caps_malloc(60, MALLOC_CAP_8BIT);  /* a renumbered 1, b 2 */
    void *c = heap_caps_malloc(40, MALLOC_CAP_8BIT);
    assert_int_equal(heap_trace_stop(), ESP_OK);
    void *const want[] = {a, b, c};
    heap_trace_record_t r;
    bool more = capheap_trace_next(NULL, &r);
    for (size_t i = 0; i < 3; i++) {
        assert_true(more);
        assert_ptr_equal(r.address, want[i]);
        assert_int_equal(r.ccount, i + 1);
        more = capheap_trace_next(&r, &r);
    }
    assert_false(more);
    heap_caps_free(a);
    heap_caps_free(b);
    heap_caps_free(c);
}

/* heap_trace_dump_caps writes the records of the memory it is asked for:
 * esp32 has no PSRAM, so none of them for SPIRAM, and all for INTERNAL; the
 * summary counts only what was written. In LEAKS mode what is left is what
 * was not freed. */
static void test_dump_caps_writes_the_records_of_its_memory(void **state) {
    (void)state;
    assert_int_equal(heap_trace_start(HEAP_TRACE_LEAKS), ESP_OK);
    void *a = heap_caps_malloc(100, MALLOC_CAP_8BIT);
    void *b = heap_caps_malloc(60, MALLOC_CAP_8BIT);
    heap_caps_free(b);
    assert_int_equal(heap_trace_stop(), ESP_OK);
    uint32_t caps = MALLOC_CAP_SPIRAM;
    char *out = caps_capture(dump_records, &caps);
    assert_int_equal(caps_count_lines(out, " bytes (@ "), 0);
    assert_non_null(strstr(out, "\n0 bytes alive in trace (0/1 allocations)\n"));
    free(out);
    caps = MALLOC_CAP_INTERNAL;
    out = caps_capture(dump_records, &caps);
    assert_ptr_equal(assert_record_dumped(out, 0).address, a);
    assert_int_equal(caps_count_lines(out, " bytes (@ "), 1);
    assert_non_null(strstr(out, "Mode: Heap Trace Leaks\n"));
    assert_non_null(strstr(out, "\n100 bytes alive in trace (1/1 allocations)\n"));
    free(out);
    heap_caps_free(a);
}

/* ---- the sink ---------------------------------------------------------- */

#define MAX_LINES 12
static char lines[MAX_LINES][128];
static int line_count;

static void keep_line(const capheap_trace_event_t *e, void *user) {
    (void)user;
    if (line_count < MAX_LINES) {
        capheap_trace_format_event(e, 3, lines[line_count++], sizeof lines[0]);
    }
}

static void test_sink_writes_trace_lines(void **state) {
    (void)state;
    line_count = 0;
    capheap_trace_set_sink(keep_line, NULL);
    void *a = heap_caps_aligned_alloc(64, 200, MALLOC_CAP_DMA);
    void *b = heap_caps_realloc(a, 400, MALLOC_CAP_DMA);
    heap_caps_free(b);
    void *none = heap_caps_malloc(1u << 30, MALLOC_CAP_8BIT);
    capheap_trace_set_sink(NULL, NULL);
    assert_null(none);
    assert_int_equal(line_count, 4);
    char want[128];
    snprintf(want, sizeof want, "alloc %p 200 0x8 align=64 caller=", a);
    assert_memory_equal(lines[0], want, strlen(want));
    snprintf(want, sizeof want, "realloc %p %p 400 0x8 caller=", b, a);
    assert_memory_equal(lines[1], want, strlen(want));
    snprintf(want, sizeof want, "free %p caller=", b);
    assert_memory_equal(lines[2], want, strlen(want));
    assert_memory_equal(lines[3], "alloc 0x0 1073741824 0x4 caller=", 32);
    assert_non_null(strstr(lines[3], " thread=3\n"));
    char small[8];
    capheap_trace_event_t e = {'f', (void *)0x1234, NULL, 0, 0, 0, NULL};
    assert_int_equal(capheap_trace_format_event(&e, 0, small, sizeof small), 0);
}

static void count_event(const capheap_trace_event_t *e, void *user) {
    (void)e;
    (*(int *)user)++;
}

/* The sink is independent of the records: while tracing is stopped, the
 * events it gets (with its user pointer) leave the records as they were. */
static void test_a_sink_alone_changes_no_records(void **state) {
    (void)state;
    assert_int_equal(heap_trace_start(HEAP_TRACE_ALL), ESP_OK);
    void *a = heap_caps_malloc(40, MALLOC_CAP_8BIT);
    assert_int_equal(heap_trace_stop(), ESP_OK);
    int events = 0;
    capheap_trace_set_sink(count_event, &events);
    void *b = heap_caps_realloc(a, 400, MALLOC_CAP_8BIT);
    heap_caps_free(heap_caps_malloc(16, MALLOC_CAP_8BIT));
    capheap_trace_set_sink(NULL, NULL);
    assert_non_null(b);
    assert_int_equal(events, 3);
    assert_int_equal(heap_trace_get_count(), 1);
    heap_trace_record_t r;
    assert_int_equal(heap_trace_get(0, &r), ESP_OK);
    assert_ptr_equal(r.address, a);
    assert_false(r.freed);
    heap_trace_summary_t s;
    assert_int_equal(heap_trace_summary(&s), ESP_OK);
    assert_int_equal(s.total_allocations, 1);
    assert_int_equal(s.total_frees, 0);
    heap_caps_free(b);
}

/* An aligned call refused for its alignment (not a power of two) is a
 * failed allocation like any other: the sink sees it, as it sees
 * heap_caps_aligned_alloc's (the calloc made no event). */
static void test_sink_sees_bad_alignments(void **state) {
    (void)state;
    line_count = 0;
    capheap_trace_set_sink(keep_line, NULL);
    void *a = heap_caps_aligned_alloc(48, 10, MALLOC_CAP_8BIT);
    void *c = heap_caps_aligned_calloc(48, 2, 5, MALLOC_CAP_8BIT);
    capheap_trace_set_sink(NULL, NULL);
    assert_null(a);
    assert_null(c);
    assert_int_equal(line_count, 2);
    assert_memory_equal(lines[0], "alloc 0x0 10 0x4 align=48 caller=", 33);
    assert_memory_equal(lines[1], "alloc 0x0 10 0x4 align=48 caller=", 33);
}

/* realloc(bad, 0, caps) of bad, an address inside a live block: the sink
 * hears of no free, and bad is reported once. */
static void expect_refused_realloc_to_zero(uint8_t *bad, uint32_t caps) {
    caps_record_reports();
    line_count = 0;
    capheap_trace_set_sink(keep_line, NULL);
    assert_null(heap_caps_realloc(bad, 0, caps));
    capheap_trace_set_sink(NULL, NULL);
    caps_default_reports();
    assert_int_equal(caps_reports.count, 1);
    assert_ptr_equal(caps_reports.addr, bad);
    assert_int_equal(line_count, 0);
}

/* realloc to size 0 of an address inside a live block frees nothing, and
 * the sink hears of no free: the address is reported, not traced. */
static void test_sink_hears_no_free_of_a_refused_realloc_to_zero(void **state) {
    (void)state;
    uint8_t *a = heap_caps_calloc(1, 100, MALLOC_CAP_8BIT); /* zeros: no header inside */
    assert_non_null(a);
    expect_refused_realloc_to_zero(a + 16, MALLOC_CAP_8BIT);
    heap_caps_free(a);
}

/* The same through the instruction bus: an address inside an EXEC block,
 * whose word below holds no block's data address. */
static void test_sink_hears_no_free_of_a_refused_realloc_to_zero_through_the_window(void **state) {
    (void)state;
    void *iram = caps_fill_iram();
    uint8_t *x = caps_exec_in_window(100);
    memset(x, 0, 100);
    expect_refused_realloc_to_zero(x + 16, MALLOC_CAP_EXEC);
    heap_caps_free(x);
    heap_caps_free(iram);
}

/* A calloc's line says the product of its arguments and no alignment (it
 * asked none: " align=" would follow the caps); an aligned calloc's says its
 * alignment. */
static void test_sink_line_of_a_calloc_has_no_alignment(void **state) {
    (void)state;
    line_count = 0;
    capheap_trace_set_sink(keep_line, NULL);
    void *c = heap_caps_calloc(4, 10, MALLOC_CAP_DMA);
    void *z = heap_caps_aligned_calloc(16, 4, 10, MALLOC_CAP_DMA);
    capheap_trace_set_sink(NULL, NULL);
    assert_non_null(c);
    assert_non_null(z);
    assert_int_equal(line_count, 2);
    char want[128];
    snprintf(want, sizeof want, "alloc %p 40 0x%x caller=", c, (unsigned)MALLOC_CAP_DMA);
    assert_memory_equal(lines[0], want, strlen(want));
    snprintf(want, sizeof want, "alloc %p 40 0x%x align=16 caller=", z, (unsigned)MALLOC_CAP_DMA);
    assert_memory_equal(lines[1], want, strlen(want));
    heap_caps_free(c);
    heap_caps_free(z);
}

/* CAPHEAP_TRACE_LINE_MAX holds the widest line, and no byte more: every
 * field at its largest value (the header said 96 bytes suffice, which a
 * 64-bit host's line with a large thread number does not). */
static void test_line_max_holds_the_widest_line(void **state) {
    (void)state;
    capheap_trace_event_t a = {'a', (void *)UINTPTR_MAX, NULL, SIZE_MAX, SIZE_MAX, UINT32_MAX, (void *)UINTPTR_MAX};
    capheap_trace_event_t r = {'r', (void *)UINTPTR_MAX, (void *)UINTPTR_MAX, SIZE_MAX, 0, UINT32_MAX,
                               (void *)UINTPTR_MAX};
    char buf[CAPHEAP_TRACE_LINE_MAX];
    assert_int_equal(capheap_trace_format_event(&a, ULONG_MAX, buf, sizeof buf), sizeof buf - 1);
    assert_int_equal(strlen(buf), sizeof buf - 1);
    assert_int_equal(capheap_trace_format_event(&a, ULONG_MAX, buf, sizeof buf - 1), 0);
    assert_true(capheap_trace_format_event(&r, ULONG_MAX, buf, sizeof buf) != 0);
}

/* A line has align= for any alignment asked for (1 included: only 0 means
 * none) and thread= for any nonzero thread, and ends with its NUL whatever
 * the buffer held before. */
static void test_format_event_writes_every_field_given(void **state) {
    (void)state;
    capheap_trace_event_t e = {'a', (void *)0x1000, NULL, 8, 1, MALLOC_CAP_8BIT, NULL};
    char buf[CAPHEAP_TRACE_LINE_MAX];
    memset(buf, 'x', sizeof buf);
    size_t n = capheap_trace_format_event(&e, 1, buf, sizeof buf);
    assert_string_equal(buf, "alloc 0x1000 8 0x4 align=1 thread=1\n");
    assert_int_equal(n, strlen(buf));
}

/* Calls whose candidate lists and owner ranges are cached before tracing
 * starts are recorded all the same: plain and 32BIT lists, the empty list of
 * caps 0, a free; and none after it stops. */
static void test_sink_sees_calls_with_cached_lists(void **state) {
    (void)state;
    static const uint32_t caps[] = {MALLOC_CAP_8BIT, MALLOC_CAP_32BIT, MALLOC_CAP_DMA, 0};
    for (int round = 0; round < 2; round++) {
        for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
            heap_caps_free(heap_caps_malloc(24, caps[i]));
        }
    }
    line_count = 0;
    capheap_trace_set_sink(keep_line, NULL);
    void *p[4];
    for (size_t i = 0; i < 4; i++) {
        p[i] = heap_caps_malloc(24, caps[i]);
    }
    for (size_t i = 0; i < 3; i++) {
        heap_caps_free(p[i]);
    }
    capheap_trace_set_sink(NULL, NULL);
    heap_caps_free(heap_caps_malloc(24, MALLOC_CAP_8BIT));
    assert_null(p[3]);
    assert_int_equal(line_count, 7);
    char want[128];
    for (size_t i = 0; i < 3; i++) {
        snprintf(want, sizeof want, "alloc %p 24 0x%x caller=", p[i], (unsigned)caps[i]);
        assert_memory_equal(lines[i], want, strlen(want));
    }
    assert_memory_equal(lines[3], "alloc 0x0 24 0x0 caller=", 24);
    for (size_t i = 0; i < 3; i++) {
        snprintf(want, sizeof want, "free %p caller=", p[i]);
        assert_memory_equal(lines[4 + i], want, strlen(want));
    }
}

/* What malloc() and the prefer functions do is recorded too, each with the
 * caps of the mask that served it (DEFAULT for malloc()'s policy); a calloc
 * whose size overflows as SIZE_MAX, failed, with the last mask asked. */
static void test_sink_sees_default_and_prefer_calls(void **state) {
    (void)state;
    line_count = 0;
    capheap_trace_set_sink(keep_line, NULL);
    void *a = heap_caps_malloc_default(100);
    void *b = heap_caps_realloc_default(a, 300);
    void *c = heap_caps_malloc_prefer(50, 2, MALLOC_CAP_SPIRAM, MALLOC_CAP_8BIT); /* no PSRAM on esp32 */
    void *d = heap_caps_calloc_prefer(4, 10, 1, MALLOC_CAP_DMA);
    void *e = heap_caps_realloc_prefer(c, 80, 2, MALLOC_CAP_SPIRAM, MALLOC_CAP_8BIT);
    void *none = heap_caps_calloc_prefer(SIZE_MAX / 2, 3, 2, MALLOC_CAP_DMA, MALLOC_CAP_8BIT);
    heap_caps_free(b);
    heap_caps_free(d);
    heap_caps_free(e);
    capheap_trace_set_sink(NULL, NULL);
    assert_non_null(a), assert_non_null(b), assert_non_null(c), assert_non_null(d), assert_non_null(e);
    assert_null(none);
    assert_int_equal(line_count, 9);
    char want[9][128];
    snprintf(want[0], sizeof want[0], "alloc %p 100 0x%x caller=", a, (unsigned)MALLOC_CAP_DEFAULT);
    snprintf(want[1], sizeof want[1], "realloc %p %p 300 0x%x caller=", b, a, (unsigned)MALLOC_CAP_DEFAULT);
    snprintf(want[2], sizeof want[2], "alloc %p 50 0x%x caller=", c, (unsigned)MALLOC_CAP_8BIT);
    snprintf(want[3], sizeof want[3], "alloc %p 40 0x%x caller=", d, (unsigned)MALLOC_CAP_DMA);
    snprintf(want[4], sizeof want[4], "realloc %p %p 80 0x%x caller=", e, c, (unsigned)MALLOC_CAP_8BIT);
    snprintf(want[5], sizeof want[5], "alloc 0x0 %zu 0x%x caller=", (size_t)SIZE_MAX, (unsigned)MALLOC_CAP_8BIT);
    snprintf(want[6], sizeof want[6], "free %p caller=", b);
    snprintf(want[7], sizeof want[7], "free %p caller=", d);
    snprintf(want[8], sizeof want[8], "free %p caller=", e);
    for (int i = 0; i < 9; i++) {
        assert_memory_equal(lines[i], want[i], strlen(want[i]));
    }
}

/* ---- frees on other threads ---------------------------------------------- */

/* heap_caps_free takes no look at the tracing switch on its fast path: while
 * tracing is on its owner lookups find nothing (heap_caps_block.c). So a free
 * that begins after heap_trace_start returned, on any thread, must be
 * recorded, even with the owner cache warm for that heap. Here one thread
 * frees what the main thread allocated while tracing (handed over with
 * release/acquire); in LEAKS mode every record must then be gone. Another
 * thread allocates and frees all along, while tracing starts and stops
 * (TSan watches that protocol). */
#define HANDOVER 16
#define ROUNDS 200

static heap_trace_record_t many_records[2 * HANDOVER];
static void *_Atomic mailbox[HANDOVER];
static atomic_int freed_count;
static atomic_bool threads_stop;

static void *freer(void *arg) {
    (void)arg;
    while (!atomic_load(&threads_stop)) {
        for (int i = 0; i < HANDOVER; i++) {
            void *p = atomic_exchange_explicit(&mailbox[i], NULL, memory_order_acquire);
            if (p != NULL) {
                heap_caps_free(p);
                atomic_fetch_add_explicit(&freed_count, 1, memory_order_release);
            }
        }
    }
    return NULL;
}

static void *churner(void *arg) {
    (void)arg;
    while (!atomic_load(&threads_stop)) {
        heap_caps_free(heap_caps_malloc(40, MALLOC_CAP_8BIT));
    }
    return NULL;
}

static void test_frees_on_other_threads_are_recorded(void **state) {
    (void)state;
    assert_int_equal(heap_trace_init_standalone(many_records, 2 * HANDOVER), ESP_OK);
    atomic_store(&threads_stop, false);
    pthread_t t[2];
    assert_int_equal(pthread_create(&t[0], NULL, freer, NULL), 0);
    assert_int_equal(pthread_create(&t[1], NULL, churner, NULL), 0);
    for (int round = 0; round < ROUNDS; round++) {
        /* Warm: the freer's cache now holds this heap's range. */
        atomic_store(&freed_count, 0);
        atomic_store_explicit(&mailbox[0], heap_caps_malloc(64, MALLOC_CAP_8BIT), memory_order_release);
        while (atomic_load_explicit(&freed_count, memory_order_acquire) != 1) {
        }
        assert_int_equal(heap_trace_start(HEAP_TRACE_LEAKS), ESP_OK);
        atomic_store(&freed_count, 0);
        for (int i = 0; i < HANDOVER; i++) {
            void *p = heap_caps_malloc(64 + (size_t)i, MALLOC_CAP_8BIT);
            assert_non_null(p);
            atomic_store_explicit(&mailbox[i], p, memory_order_release);
        }
        while (atomic_load_explicit(&freed_count, memory_order_acquire) != HANDOVER) {
        }
        assert_int_equal(heap_trace_stop(), ESP_OK);
        /* The churner's blocks may be recorded or not (they race with the
         * switch), but each of them is freed by the thread that allocated
         * it: count only the main thread's blocks. */
        size_t left = 0;
        for (size_t i = 0; i < heap_trace_get_count(); i++) {
            heap_trace_record_t r;
            assert_int_equal(heap_trace_get(i, &r), ESP_OK);
            left += r.size >= 64 && r.size < 64 + HANDOVER;
        }
        assert_int_equal(left, 0);
    }
    atomic_store(&threads_stop, true);
    pthread_join(t[0], NULL);
    pthread_join(t[1], NULL);
}

/* ---- realloc on one thread, allocations on another ----------------------- */

/* A realloc that moves a block frees the old one before it returns, and
 * another thread may be given that address at once. The realloc's record of
 * the free must come before that thread's record of the allocation: else the
 * other thread's record is the one taken for freed (dropped, in LEAKS mode)
 * and the moved block's old record stays, a leak that never was, with the
 * wrong size and caller, while the real one goes unreported. In LEAKS mode
 * exactly the keeper's blocks of each round (realloc_race.h) must be left (on
 * the code that recorded after the free, most rounds failed). */
static heap_trace_record_t race_records[RACE_KEPT + 16];

static void test_realloc_records_its_free_before_the_address_is_reused(void **state) {
    (void)state;
    assert_int_equal(heap_trace_init_standalone(race_records, RACE_KEPT + 16), ESP_OK);
    for (int round = 0; round < RACE_ROUNDS; round++) {
        assert_int_equal(heap_trace_start(HEAP_TRACE_LEAKS), ESP_OK);
        assert_int_equal(race_round(), 0);
        assert_int_equal(heap_trace_stop(), ESP_OK);
        heap_trace_summary_t s;
        assert_int_equal(heap_trace_summary(&s), ESP_OK);
        assert_false(s.has_overflowed);
        size_t not_kept = 0;
        for (size_t i = 0; i < s.count; i++) {
            heap_trace_record_t r;
            assert_int_equal(heap_trace_get(i, &r), ESP_OK);
            not_kept += r.size != 20;
        }
        assert_int_equal(not_kept, 0);
        assert_int_equal(s.count, RACE_KEPT);
        for (int i = 0; i < RACE_KEPT; i++) {
            assert_non_null(race_kept[i]);
            heap_caps_free(race_kept[i]);
        }
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_all_mode_marks_frees, setup, teardown),
        cmocka_unit_test_setup_teardown(test_realloc_to_zero_is_recorded_as_a_free, setup, teardown),
        cmocka_unit_test_setup_teardown(test_realloc_to_zero_through_the_window_is_recorded_as_a_free, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_leaks_mode_keeps_what_is_not_freed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_overflow_drops_the_oldest, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pause_keeps_frees, setup, teardown),
        cmocka_unit_test_setup_teardown(test_states, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ccount_numbers_frees_too, setup, teardown),
        cmocka_unit_test_setup_teardown(test_start_after_pause_records_allocations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_init_standalone_starts_with_no_records, setup, teardown),
        cmocka_unit_test_setup_teardown(test_total_frees_counts_every_free_while_tracing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dump_writes_each_record_and_the_summary, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dump_caps_writes_the_records_of_its_memory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_walk_of_the_records_skips_none_when_some_go, setup, teardown),
        cmocka_unit_test_setup_teardown(test_records_are_numbered_again_before_2_to_the_31, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sink_writes_trace_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_sink_alone_changes_no_records, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sink_sees_bad_alignments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sink_hears_no_free_of_a_refused_realloc_to_zero, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sink_hears_no_free_of_a_refused_realloc_to_zero_through_the_window,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_sink_line_of_a_calloc_has_no_alignment, setup, teardown),
        cmocka_unit_test_setup_teardown(test_line_max_holds_the_widest_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_format_event_writes_every_field_given, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sink_sees_calls_with_cached_lists, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sink_sees_default_and_prefer_calls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_frees_on_other_threads_are_recorded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_realloc_records_its_free_before_the_address_is_reused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
