/*
 * capheap/config.h: capheap's build options, in one place.
 *
 * Each option is a macro with a default, which a build overrides either on
 * the compiler's command line (-DCAPHEAP_MAX_HEAPS=8; CMake does this for its
 * options) or in a header of its own named by CAPHEAP_CONFIG_HEADER
 * (-DCAPHEAP_CONFIG_HEADER='"my_capheap_config.h"'), included first here.
 * Every file of the library and of the ports includes this header before it
 * reads an option, so a build without CMake (an IDE project, another build
 * system) sets them all in that one header; it must then be given to every
 * file that includes a capheap header, the application's too, as
 * CAPHEAP_GRAIN decides MULTI_HEAP_ALIGN. ports/baremetal/README.md lists
 * the files such a build compiles.
 *
 * The options whose default is given where they are used (the reasons are
 * there):
 *   CAPHEAP_POISONING_LEVEL  0 none, 1 light, 2 comprehensive (src/poison.h)
 *   CAPHEAP_ASSERTIONS       0, 1 or 2: internal assertions (src/assertions.h)
 *   CAPHEAP_MAX_HEAPS        heaps the registry holds: 32 on 32-bit targets,
 *                            64 on 64-bit hosts (src/registry.h)
 *   CAPHEAP_CANDIDATE_LISTS  candidate lists kept, 32 (src/registry.h)
 *   CAPHEAP_NESTED_HEAPS     heaps made of a live allocation of another, 4;
 *                            each costs a range record (src/registry.h)
 *   CAPHEAP_LIST_FAST        heap handles per list read inline, 2 (src/registry.h)
 *   CAPHEAP_MIN_HEAP_SIZE    smallest piece of a board made a heap, 256 bytes
 *                            (src/board_layout.h)
 *   CAPHEAP_TLSF_CONTROL_SHARE  list heads cost at most 1/128 of a region
 *                            (src/tlsf.c)
 *   CAPHEAP_WORD_ONLY_MEMORY 1 on Xtensa, else 0: the control data that
 *                            sits in a heap's memory is whole words, for
 *                            memory that takes 32-bit accesses only (src/tlsf.h)
 *   CAPHEAP_SOFT_BITSCAN     1 on RISC-V without Zbb and on ARMv6-M, else 0:
 *                            bit scans by de Bruijn multiplies instead of
 *                            libgcc's calls (src/bitops.h)
 *   CAPHEAP_DEFAULT_BOARD    the board heap_caps_init() builds, "esp32"
 *                            (src/heap_caps_init.c)
 *   CAPHEAP_MAX_HOST_RANGES  memory ranges one board may map, 32 (src/heap_caps_init.c)
 *   CAPHEAP_TASK_STATS_TASKS tasks whose accounts task tracking keeps, 16
 *                            (src/task_stats.h)
 *   CAPHEAP_TASK_STATS_HEAPS heaps per task account, 8 (src/task_stats.h)
 *   CAPHEAP_PORT_LOCK_INLINE defined: the port's capheap_port_lock.h takes
 *                            and gives locks inline (capheap/port.h)
 *   CAPHEAP_HEAP_HOOKS       1: the application's esp_heap_trace_alloc_hook
 *                            and esp_heap_trace_free_hook are called
 *                            (esp_heap_caps.h; CMake option CAPHEAP_HEAP_HOOKS)
 *   CAPHEAP_TASK_TRACKING    1: each allocation records the task that made it,
 *                            for heap_caps_get_per_task_info (ESP-IDF's
 *                            CONFIG_HEAP_TASK_TRACKING; esp_heap_task_info.h;
 *                            CMake option CAPHEAP_TASK_TRACKING). Needs
 *                            poisoning (light or comprehensive), whose head
 *                            carries the task, as in ESP-IDF
 * and the ports' own: CAPHEAP_BAREMETAL_LOCKS, CAPHEAP_BAREMETAL_SMP,
 * CAPHEAP_BAREMETAL_HW_SPINLOCK, CAPHEAP_BAREMETAL_XTENSA_IRQ_LEVEL
 * (ports/baremetal/README.md), and the FreeRTOS
 * port's CAPHEAP_FREERTOS_* (ports/freertos/README.md).
 *
 * CAPHEAP_GRAIN: the granularity of block sizes and of the addresses malloc
 * returns, in bytes (MULTI_HEAP_ALIGN). The default is sizeof(size_t): 4 on
 * 32-bit targets, 8 on 64-bit ones. A 32-bit build may ask for 8 (CMake
 * option CAPHEAP_GRAIN=8), so that every payload is 8-aligned as
 * _Alignof(max_align_t) is on Arm EABI, and any build for 16
 * (CAPHEAP_GRAIN=16), as _Alignof(max_align_t) is on RV32, x86-64 and
 * AArch64; the header of a used block stays one size_t word. CMake passes
 * the option to the library and, as a public definition, to everything that
 * links capheap::capheap; the pkg-config file carries it too. Code compiled
 * with another value than the library's sees a wrong MULTI_HEAP_ALIGN. The
 * default is a sizeof, not for #if.
 */
#ifndef CAPHEAP_CONFIG_H
#define CAPHEAP_CONFIG_H

#ifdef CAPHEAP_CONFIG_HEADER
#include CAPHEAP_CONFIG_HEADER
#endif

#include <stddef.h>

#ifndef CAPHEAP_GRAIN
#define CAPHEAP_GRAIN sizeof(size_t)
#endif

#endif /* CAPHEAP_CONFIG_H */
