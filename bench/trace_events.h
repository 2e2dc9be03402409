/*
 * trace_events.h: the compact event file that bench_trace_convert writes from
 * a trace (with the capheap tool's readers, tools/trace_*.c) and bench_trace
 * replays. It exists because the -m32 build has no zlib here (zlib1g-dev:i386
 * does not install beside the amd64 one), so a 64-bit program reads the gzip
 * text once and the -m32 program reads this. Every field is a uint32_t, so the
 * layout is the same for both word sizes; the byte order is the host's.
 */
#ifndef CAPHEAP_BENCH_TRACE_EVENTS_H
#define CAPHEAP_BENCH_TRACE_EVENTS_H

#include <stdint.h>

#define TRACE_EVENTS_MAGIC UINT32_C(0x43484556) /* "CHEV" */
#define TRACE_EVENTS_NONE UINT32_MAX            /* old_id of a realloc of nothing */

enum { TE_ALLOC = 0, TE_REALLOC = 1, TE_FREE = 2 };
#define TE_TRANSIENT UINT32_C(0x100) /* with TE_ALLOC/TE_REALLOC: it failed where recorded */

typedef struct {
    uint32_t magic;
    uint32_t events;   /* records that follow */
    uint32_t id_limit; /* every id is below it */
    uint32_t reserved;
} trace_events_header_t;

typedef struct {
    uint32_t kind;   /* TE_* in the low byte, TE_TRANSIENT */
    uint32_t id;     /* ALLOC, REALLOC: the new block; FREE: the freed one */
    uint32_t old_id; /* REALLOC: the block resized, or TRACE_EVENTS_NONE */
    uint32_t size;   /* ALLOC, REALLOC: bytes asked for */
    uint32_t align;  /* ALLOC: 0 or a power of two */
} trace_event_record_t;

#endif /* CAPHEAP_BENCH_TRACE_EVENTS_H */
