/*
 * bisect.c: the search of bisect.h.
 */
#include "bisect.h"

int bisect_last_fit(bisect_probe_t probe, void *ctx, size_t fits, size_t fails, size_t step, size_t *last) {
    while (fails - fits > step) {
        size_t half = (fails - fits) / 2 / step * step;
        size_t mid = fits + (half > step ? half : step);
        int rc = probe(ctx, mid);
        if (rc == 0) {
            fits = mid;
        } else if (rc == 3) {
            fails = mid;
        } else {
            return rc;
        }
    }
    *last = fits;
    return 0;
}
