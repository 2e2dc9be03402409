/*
 * capheap_config.h: the one header a build without CMake sets capheap's
 * options in (capheap/config.h), as tests/plain_build/run.sh uses it: each
 * value differs from the default, so that main.c can see it was taken.
 */
#ifndef PLAIN_BUILD_CAPHEAP_CONFIG_H
#define PLAIN_BUILD_CAPHEAP_CONFIG_H

#define CAPHEAP_POISONING_LEVEL 1 /* light: canaries around each allocation */
#define CAPHEAP_ASSERTIONS 1
#define CAPHEAP_MAX_HEAPS 4
#define CAPHEAP_CANDIDATE_LISTS 4 /* fewer lists than the masks main.c asks with */
#ifndef CAPHEAP_NESTED_HEAPS /* the m32-light configuration passes 0 */
#define CAPHEAP_NESTED_HEAPS 1
#endif
#define CAPHEAP_GRAIN 16
#define CAPHEAP_PORT_LOCK_INLINE
#define CAPHEAP_HEAP_HOOKS 1 /* the application's esp_heap_trace_*_hook are called */
#define CAPHEAP_TASK_TRACKING 1 /* each allocation records its task (needs poisoning) */

#endif
