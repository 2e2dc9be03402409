/*
 * bisect.h: the search that `capheap headroom` makes twice, for the bytes a
 * heap can lose and for how much larger requests can be: the largest value
 * at which the trace still replays, next to one a step larger at which an
 * allocation fails.
 */
#ifndef CAPHEAP_TOOL_BISECT_H
#define CAPHEAP_TOOL_BISECT_H

#include <stddef.h>

/* Replays the trace at value: 0 when every allocation succeeded, 3 when one
 * failed (the probe keeps what failed, for the caller to print), any other
 * status when the replay went wrong. */
typedef int (*bisect_probe_t)(void *ctx, size_t value);

/* From fits, a value known to replay, and fails, one known to fail (fits <
 * fails): probes values fits + a multiple of step in between until the two
 * are at most a step apart, and gives the one that replays in *last; the
 * last probe that failed is the other (none: fails itself). 0, or the
 * status of a probe that went wrong. Placement changes with the value, so
 * a value below *last may fail: the search promises only the pair it ends
 * on. */
int bisect_last_fit(bisect_probe_t probe, void *ctx, size_t fits, size_t fails, size_t step, size_t *last);

#endif /* CAPHEAP_TOOL_BISECT_H */
