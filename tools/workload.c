/*
 * workload.c: the bundled firmware-like workload of `make run`.
 *
 * It runs a made-up but typical ESP32 application against capheap on the
 * esp32 board, with capheap's tracer writing every event to a file in
 * capheap's trace format (capheap_trace_set_sink). What it does, per tick
 * (a scheduler slice), with a fixed xorshift64* seed so every run is the same:
 *
 *  - task stacks: six tasks at start-up (3-8 KiB, INTERNAL|8BIT), one worker
 *    task created and deleted every 400 ticks;
 *  - Wi-Fi: ten static RX buffers (1,600 B, DMA|INTERNAL) for the whole run,
 *    and dynamic RX/TX buffers of 1,600 B in bursts, freed within a few ticks;
 *  - TLS: a session now and then (up to two at once): 16 KiB in and 4 KiB out
 *    record buffers plus 30-60 small certificate and key objects, held for
 *    100-400 ticks;
 *  - JSON: each tick a document of 10-60 small objects (16-160 B) and a string
 *    buffer grown by realloc, freed after 1-6 ticks;
 *  - a 32-bit lookup table (MALLOC_CAP_32BIT: IRAM is allowed) for the run;
 *  - a slow leak: 48 bytes every 50 ticks, never freed.
 *
 * The tasks are the trace's threads; each kind of allocation comes from its
 * own function, so the callers tell them apart in the report.
 *
 * usage: capheap_workload OUTPUT [TICKS]   (default 3000 ticks)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capheap.h"
#include "esp_heap_trace.h"

#define INTERNAL_8BIT (MALLOC_CAP_INTERNAL | MALLOC_CAP_8BIT)
#define DMA_BUFFER (MALLOC_CAP_DMA | MALLOC_CAP_INTERNAL)

static uint64_t rng_state = 0x2545F4914F6CDD1DULL;
static unsigned long current_task = 1;

static uint64_t next_random(void) {
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1DULL;
}

static size_t between(size_t lo, size_t hi) { return lo + (size_t)(next_random() % (hi - lo + 1)); }

static void start_up(void);

/* The sink: one line per event, the simulated task as the thread. Callers are
 * rebased to where an ESP32 keeps code in flash (0x400D0000 + offset from
 * start_up), so that the trace is the same on every run despite ASLR. */
static void write_event(const capheap_trace_event_t *event, void *user) {
    char line[CAPHEAP_TRACE_LINE_MAX];
    capheap_trace_event_t e = *event;
    e.caller = (void *)(uintptr_t)(0x400D0000u + ((uintptr_t)event->caller - (uintptr_t)start_up) % 0x100000u);
    size_t n = capheap_trace_format_event(&e, current_task, line, sizeof line);
    fwrite(line, 1, n, (FILE *)user);
}

/* ---- what holds blocks for a while ------------------------------------- */

#define HELD_MAX 4096

typedef struct {
    void *p;
    unsigned long until; /* tick when it is freed */
} held_t;

static held_t held[HELD_MAX];
static size_t held_count;

static void hold(void *p, unsigned long until) {
    if (p != NULL && held_count < HELD_MAX) {
        held[held_count++] = (held_t){p, until};
    } else {
        heap_caps_free(p);
    }
}

static void release_due(unsigned long tick) {
    for (size_t i = 0; i < held_count;) {
        if (held[i].until <= tick) {
            heap_caps_free(held[i].p);
            held[i] = held[--held_count];
        } else {
            i++;
        }
    }
}

/* ---- the subsystems ---------------------------------------------------- */

static __attribute__((noinline)) void *task_stack(size_t size) { return heap_caps_malloc(size, INTERNAL_8BIT); }

static __attribute__((noinline)) void *wifi_buffer(void) { return heap_caps_malloc(1600, DMA_BUFFER); }

static __attribute__((noinline)) void *tls_buffer(size_t size) { return heap_caps_malloc_default(size); }

static __attribute__((noinline)) void *json_object(size_t size) { return heap_caps_malloc_default(size); }

static void wifi_tick(unsigned long tick) {
    current_task = 2;
    size_t burst = next_random() % 4 == 0 ? between(1, 8) : between(0, 2);
    for (size_t i = 0; i < burst; i++) {
        hold(wifi_buffer(), tick + between(1, 4));
    }
}

static int tls_sessions;
static unsigned long tls_until[2];

static void tls_tick(unsigned long tick) {
    current_task = 3;
    for (int s = 0; s < tls_sessions;) {
        if (tls_until[s] <= tick) {
            tls_until[s] = tls_until[--tls_sessions];
        } else {
            s++;
        }
    }
    if (tls_sessions == 2 || next_random() % 60 != 0) {
        return;
    }
    unsigned long until = tick + between(100, 400);
    tls_until[tls_sessions++] = until;
    hold(tls_buffer(16384), until);
    hold(tls_buffer(4096), until);
    for (size_t i = between(30, 60); i > 0; i--) {
        hold(tls_buffer(between(100, 600)), until);
    }
}

static void json_tick(unsigned long tick) {
    current_task = 4;
    unsigned long until = tick + between(1, 6);
    for (size_t i = between(10, 60); i > 0; i--) {
        hold(json_object(between(16, 160)), until);
    }
    void *text = json_object(64);
    size_t limit = 64u << between(1, 3); /* drawn once: the text grows to 128, 256 or 512 bytes */
    for (size_t size = 128; text != NULL && size <= limit; size *= 2) {
        void *bigger = heap_caps_realloc_default(text, size);
        text = bigger != NULL ? bigger : text;
    }
    hold(text, until);
}

static void housekeeping_tick(unsigned long tick) {
    current_task = 5;
    if (tick % 400 == 0) {
        hold(task_stack(4096), tick + 200); /* a worker task's stack, deleted later */
    }
    if (tick % 50 == 0) {
        (void)json_object(48); /* the leak */
    }
}

static void start_up(void) {
    static const size_t stacks[] = {8192, 4096, 6144, 3072, 4096, 3584};
    for (size_t i = 0; i < sizeof stacks / sizeof stacks[0]; i++) {
        current_task = 1;
        hold(task_stack(stacks[i]), (unsigned long)-1);
    }
    current_task = 2;
    for (int i = 0; i < 10; i++) {
        hold(wifi_buffer(), (unsigned long)-1);
    }
    current_task = 6;
    hold(heap_caps_malloc(8192, MALLOC_CAP_32BIT), (unsigned long)-1);
}

int main(int argc, char **argv) {
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: capheap_workload OUTPUT [TICKS]\n");
        return 2;
    }
    unsigned long ticks = argc == 3 ? strtoul(argv[2], NULL, 10) : 3000;
    FILE *out = fopen(argv[1], "w");
    if (out == NULL || capheap_init("esp32") != ESP_OK) {
        perror(argv[1]);
        return 1;
    }
    fprintf(out, "# capheap trace 1: bundled firmware-like workload (tools/workload.c), %lu ticks\n", ticks);
    capheap_trace_set_sink(write_event, out);
    start_up();
    for (unsigned long tick = 1; tick <= ticks; tick++) {
        wifi_tick(tick);
        tls_tick(tick);
        json_tick(tick);
        housekeeping_tick(tick);
        release_due(tick);
    }
    capheap_trace_set_sink(NULL, NULL);
    capheap_deinit();
    bool failed = ferror(out) != 0;
    if (fclose(out) != 0 || failed) {
        fprintf(stderr, "capheap_workload: %s could not be written whole\n", argv[1]);
        return 1;
    }
    return 0;
}
