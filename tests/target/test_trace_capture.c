/*
 * test_trace_capture.c: a firmware-like allocation pattern on the target,
 * traced as it runs: capheap's trace sink writes each event as a line of
 * capheap's trace format to the semihosting console, between two marker
 * lines. The program also keeps its own account of the pattern per caps mask
 * (requests, peak live bytes, live bytes at the end), and prints it after
 * the trace. tests/target/trace_roundtrip.sh takes the trace from the
 * console, replays it with the host's capheap tool on the same board and
 * checks that the tool's report gives the same account: what a firmware
 * engineer does to try a device's real pattern on another memory map.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "capheap.h"
#include "esp_heap_trace.h"
#include "harness.h"
#include "semihost.h"

#define SLOTS 48u
#define OPS 3000u

/* The caps masks the pattern asks for, with the names the tool's report
 * gives them. */
static const struct {
    uint32_t caps;
    const char *name;
} masks[] = {
    {MALLOC_CAP_DEFAULT, "DEFAULT"},
    {MALLOC_CAP_DMA, "DMA"},
    {MALLOC_CAP_32BIT, "32BIT"},
    {MALLOC_CAP_8BIT | MALLOC_CAP_INTERNAL, "8BIT|INTERNAL"},
    {MALLOC_CAP_SPIRAM, "SPIRAM"},
};
#define MASKS (sizeof masks / sizeof masks[0])

typedef struct {
    void *p;
    size_t size;
    unsigned mask;
} slot_t;

typedef struct {
    unsigned long requests;
    unsigned long long live, peak;
} account_t;

static slot_t slots[SLOTS];
static account_t account[MASKS];

/* The sink runs inside the port's critical section: it formats on the stack
 * and writes straight to the console, never through stdio (whose buffers
 * come from malloc, which capheap serves here). */
static void write_event(const capheap_trace_event_t *event, void *user) {
    (void)user;
    char line[CAPHEAP_TRACE_LINE_MAX];
    size_t n = capheap_trace_format_event(event, 0, line, sizeof line);
    T_CHECK(n != 0);
    capheap_semihost_write(line, n);
}

static void live_add(unsigned mask, size_t size) {
    account_t *a = &account[mask];
    a->live += size;
    if (a->live > a->peak) {
        a->peak = a->live;
    }
}

/* Sizes 2 to 2,048 bytes, small ones more often. */
static size_t pick_size(t_rng_t *rng) { return (size_t)16u << t_below(rng, 8) >> t_below(rng, 4); }

static void allocate(t_rng_t *rng, slot_t *s) {
    unsigned mask = t_below(rng, MASKS);
    size_t size = pick_size(rng);
    bool zeroed = t_below(rng, 8) == 0;
    void *p = zeroed ? heap_caps_calloc(1, size, masks[mask].caps) : heap_caps_malloc(size, masks[mask].caps);
    T_CHECK(p != NULL); /* the pattern fits the board: the replay must say so too */
    account[mask].requests++;
    live_add(mask, size);
    *s = (slot_t){p, size, mask};
}

static void resize(t_rng_t *rng, slot_t *s) {
    size_t size = pick_size(rng);
    void *p = heap_caps_realloc(s->p, size, masks[s->mask].caps);
    T_CHECK(p != NULL);
    account[s->mask].requests++;
    account[s->mask].live -= s->size;
    live_add(s->mask, size);
    s->p = p;
    s->size = size;
}

static void release(slot_t *s) {
    heap_caps_free(s->p);
    account[s->mask].live -= s->size;
    s->p = NULL;
}

int main(void) {
    T_EQ(capheap_init_board(t_move_board("qemu-mps2-an385", T_AN385_OFFSET)), ESP_OK);
    t_rng_t rng = {0x9E3779B97F4A7C15ull};
    static const char begin[] = "--- capheap trace begin ---\n# capheap trace 1 (captured on the target)\n";
    capheap_semihost_write(begin, sizeof begin - 1);
    T_EQ(capheap_trace_set_sink(write_event, NULL), ESP_OK);
    for (unsigned op = 0; op < OPS; op++) {
        slot_t *s = &slots[t_below(&rng, SLOTS)];
        if (s->p == NULL) {
            allocate(&rng, s);
        } else if (t_below(&rng, 4) == 0) {
            resize(&rng, s);
        } else {
            release(s);
        }
    }
    T_EQ(capheap_trace_set_sink(NULL, NULL), ESP_OK);
    static const char end[] = "--- capheap trace end ---\n";
    capheap_semihost_write(end, sizeof end - 1);
    unsigned long blocks = 0;
    unsigned long long bytes = 0;
    for (unsigned i = 0; i < SLOTS; i++) {
        blocks += slots[i].p != NULL;
        bytes += slots[i].p != NULL ? slots[i].size : 0;
    }
    t_printf("device: still allocated %lu blocks, %llu bytes\n", blocks, bytes);
    for (unsigned m = 0; m < MASKS; m++) {
        t_printf("device: %s requests %lu peak %llu end %llu\n", masks[m].name, account[m].requests, account[m].peak,
                 account[m].live);
    }
    return 0;
}
