/*
 * test_heap_caps.c: the capabilities layer and the malloc family on the
 * target's own instruction set, under QEMU (Cortex-M3 on mps2-an385, RV32 on
 * virt, Xtensa lx106 on the sim machine), linked with capheap's malloc
 * (CAPHEAP_MALLOC).
 *
 * - Before capheap has a heap, the malloc family fails cleanly (a
 *   constructor tries it, as early start-up code would) and newlib's stdio
 *   still prints.
 * - The qemu-mps2-an385 board (its caps are a test model of the emulated
 *   RAM, see boards/qemu_mps2_an385.c): priorities, caps matching, EXEC memory
 *   that really runs code, free from any heap. On RV32 the same board is
 *   moved by a fixed offset into virt's RAM.
 * - The C and POSIX malloc family and newlib's reentrant variants, including
 *   overflowing sizes and bad alignments, and the C library's own
 *   allocations (strdup, asprintf) coming from capheap.
 * - The esp32 board moved by a fixed offset into the target's RAM: its heaps,
 *   free sizes, priorities and the D/IRAM instruction-bus arithmetic, as on a
 *   host, and a heap made of a D/IRAM block serving EXEC through the window;
 *   and esp32c3-noprot's priorities and linear instruction-bus window.
 * - esp32c6-noprot's HP SRAM moved into the target's RAM: EXEC blocks at
 *   their data addresses, and code written there runs.
 * - esp32c5's HP SRAM moved likewise: DMA without cache lines, no EXEC.
 * - On Xtensa (lx106, the ESP8266's core), the esp32 and esp8266 boards at
 *   their own addresses: malloc in the ESP8266's IRAM first, bytes and DMA
 *   in its DRAM.
 * - Failure injection through the malloc family (ENOMEM at the counted call).
 * - FreeRTOS's heap API (ports/freertos/heap_capheap.c, built against the
 *   kernel stub), whose memory free() takes and the other way round.
 */
#define _GNU_SOURCE 1 /* strdup, asprintf, memalign */

#include <errno.h>
#include <malloc.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "capheap.h"
#include "capheap/port.h"
#include "FreeRTOS.h" /* ports/freertos/test: the kernel's heap API */
#include "esp_heap_alloc_caps.h"
#include "esp_memory_utils.h"
#include "harness.h"

#define KIB 1024u

#define AN385_OFFSET T_AN385_OFFSET /* harness.h */

/* ---- before capheap ----------------------------------------------------- */

static struct {
    void *malloc_p, *calloc_p, *realloc_p, *memalign_p;
    int malloc_errno, calloc_errno, realloc_errno, memalign_errno, posix_ret;
} early;

/* Runs before main, like start-up code or a C++ constructor would. */
__attribute__((constructor)) static void allocate_before_capheap(void) {
    errno = 0;
    early.malloc_p = malloc(16);
    early.malloc_errno = errno;
    errno = 0;
    early.calloc_p = calloc(4, 4);
    early.calloc_errno = errno;
    errno = 0;
    early.realloc_p = realloc(NULL, 8);
    early.realloc_errno = errno;
    errno = 0;
    early.memalign_p = memalign(64, 8);
    early.memalign_errno = errno;
    void *p = &early;
    early.posix_ret = posix_memalign(&p, 64, 8);
    free(NULL);
}

static void case_before_capheap(void) {
    T_CHECK(early.malloc_p == NULL && early.calloc_p == NULL);
    T_CHECK(early.realloc_p == NULL && early.memalign_p == NULL);
    T_EQ(early.malloc_errno, ENOMEM);
    T_EQ(early.calloc_errno, ENOMEM);
    T_EQ(early.realloc_errno, ENOMEM);
    T_EQ(early.memalign_errno, ENOMEM);
    T_EQ(early.posix_ret, ENOMEM);
    T_CHECK(capheap_current_board() == NULL);
    /* newlib's stdout wants a buffer from malloc, gets none and goes
     * unbuffered; the runner checks that this line arrives. */
    printf("printf before capheap: %d\n", 42);
    fflush(stdout);
}

/* ---- the an385 board ---------------------------------------------------- */

static uintptr_t an385(uintptr_t chip) { return chip + AN385_OFFSET; }

static bool in(const void *p, uintptr_t chip_start, uintptr_t chip_end) {
    return (uintptr_t)p >= an385(chip_start) && (uintptr_t)p < an385(chip_end);
}

#define IN_SRAM(p) in((p), 0x21100000u, 0x21400000u)
#define IN_TCM(p)  in((p), 0x21400000u, 0x21500000u)
#define IN_EXT(p)  in((p), 0x21800000u, 0x21C00000u)

/* Hides a size from the compiler, which rejects the overflowing ones these
 * tests pass on purpose. */
static size_t opaque(size_t x) {
    volatile size_t v = x;
    return v;
}

static size_t all_free(void) { return heap_caps_get_free_size(MALLOC_CAP_32BIT); }

static void case_init_an385(void) {
#if !defined(__ARM_ARCH_PROFILE) /* the board moved (harness.h) */
    T_EQ(capheap_init_board(t_move_board("qemu-mps2-an385", AN385_OFFSET)), ESP_OK);
#else
    extern char end[]; /* the linker script's end of .bss */
    T_CHECK((uintptr_t)end <= 0x21100000u);
    T_EQ(capheap_init("qemu-mps2-an385"), ESP_OK);
#endif
    T_EQ(capheap_host_offset(), 0);
    T_EQ(heap_caps_get_total_size(MALLOC_CAP_DMA), 3 * 1024 * KIB);
    T_EQ(heap_caps_get_total_size(MALLOC_CAP_SPM), 1024 * KIB);
    T_EQ(heap_caps_get_total_size(MALLOC_CAP_SPIRAM), 4 * 1024 * KIB);
    T_CHECK(heap_caps_check_integrity_all(true));
}

static void case_caps_matching(void) {
    size_t before = all_free();
    void *dma = heap_caps_malloc(100, MALLOC_CAP_DMA);
    void *spm = heap_caps_malloc(100, MALLOC_CAP_SPM);
    void *ext = heap_caps_malloc(100, MALLOC_CAP_SPIRAM);
    void *exec = heap_caps_malloc(100, MALLOC_CAP_EXEC);
    void *byte = heap_caps_malloc(100, MALLOC_CAP_8BIT);
    T_CHECK(IN_SRAM(dma) && IN_TCM(spm) && IN_EXT(ext) && IN_TCM(exec) && IN_SRAM(byte));
    T_CHECK(capheap_ptr_caps(dma) & MALLOC_CAP_DMA);
    T_CHECK(capheap_ptr_caps(ext) & MALLOC_CAP_SPIRAM);
    T_CHECK(heap_caps_malloc(16, MALLOC_CAP_EXEC | MALLOC_CAP_8BIT) == NULL);
    T_CHECK(heap_caps_malloc(16, MALLOC_CAP_EXEC | MALLOC_CAP_DMA) == NULL);
    T_CHECK(heap_caps_malloc(16, MALLOC_CAP_DMA | MALLOC_CAP_SPM) == NULL);
    T_CHECK(heap_caps_malloc(16, MALLOC_CAP_DMA | MALLOC_CAP_INVALID) == NULL);
    T_CHECK(heap_caps_malloc(16, MALLOC_CAP_RETENTION) == NULL);
    /* The C library's free takes every one of them back. */
    free(dma), free(spm), free(ext), free(exec), free(byte);
    T_EQ(all_free(), before);
}

#define DRAIN_MAX 256
static void *drained[DRAIN_MAX];

static size_t drain(size_t size, uint32_t caps) {
    size_t n = 0;
    while (n < DRAIN_MAX && (drained[n] = heap_caps_malloc(size, caps)) != NULL) {
        n++;
    }
    T_CHECK(n < DRAIN_MAX);
    return n;
}

static void release(size_t n) {
    while (n > 0) {
        free(drained[--n]);
    }
}

/* Blocks [0, n) lie in SRAM, then TCM, then external RAM, in that order;
 * counts[i] gets how many in each. */
static void check_order(size_t n, size_t counts[3]) {
    size_t i = 0;
    for (int kind = 0; kind < 3; kind++) {
        size_t start = i;
        while (i < n && (kind == 0 ? IN_SRAM(drained[i]) : kind == 1 ? IN_TCM(drained[i]) : IN_EXT(drained[i]))) {
            i++;
        }
        counts[kind] = i - start;
    }
    T_EQ(i, n);
}

static void case_priorities(void) {
    size_t before = all_free(), counts[3];
    /* malloc's caps: SRAM (DEFAULT at priority 0), then TCM (INTERNAL at
     * priority 1), never external RAM (no INTERNAL). */
    size_t n = drain(64 * KIB, MALLOC_CAP_DEFAULT | MALLOC_CAP_INTERNAL);
    check_order(n, counts);
    T_CHECK(counts[0] >= 40 && counts[1] >= 14 && counts[2] == 0);
    release(n);
    /* 8BIT: priority 0 in SRAM, 1 in TCM, 2 in external RAM. */
    n = drain(64 * KIB, MALLOC_CAP_8BIT);
    check_order(n, counts);
    T_CHECK(counts[0] >= 40 && counts[1] >= 14 && counts[2] >= 60);
    release(n);
    T_EQ(all_free(), before);
    T_CHECK(heap_caps_check_integrity_all(true));
}

/* Code copied into EXEC memory runs: "return 42". */
/* Writes a function that returns 42 into mem (at least 8 bytes, allocated
 * with MALLOC_CAP_EXEC), makes it visible to instruction fetch and calls it. */
static int run_code_in(void *mem) {
#if defined(__riscv)
    static const uint32_t code[] = {0x02a00513u /* li a0, 42 */, 0x00008067u /* ret */};
#elif defined(__XTENSA__)
    static const uint16_t code[] = {0xa22cu /* movi.n a2, 42 */, 0xf00du /* ret.n (call0 ABI) */};
#else
    static const uint16_t code[] = {0x202au /* movs r0, #42 */, 0x4770u /* bx lr */};
#endif
    memcpy(mem, code, sizeof code);
#if defined(__riscv)
    __asm__ volatile(".option push\n\t.option arch, +zifencei\n\tfence.i\n\t.option pop" : : : "memory");
    int (*fn)(void) = (int (*)(void))(uintptr_t)mem;
#elif defined(__XTENSA__)
    __asm__ volatile("isync" : : : "memory");
    int (*fn)(void) = (int (*)(void))(uintptr_t)mem;
#else
    __asm__ volatile("dsb\n\tisb" : : : "memory");
    int (*fn)(void) = (int (*)(void))((uintptr_t)mem | 1u); /* Thumb */
#endif
    return fn();
}

static void case_exec_runs(void) {
    void *mem = heap_caps_malloc(8, MALLOC_CAP_EXEC);
    T_CHECK(IN_TCM(mem));
    T_EQ(run_code_in(mem), 42);
    free(mem);
}

/* ---- the malloc family --------------------------------------------------- */

static void case_malloc_policy(void) {
    size_t before = all_free();
    void *small = malloc(100);
    void *large = malloc(32 * KIB); /* at or above 16 KiB: external first */
    void *zero = malloc(0);         /* a unique block, not NULL */
    T_CHECK(IN_SRAM(small) && IN_EXT(large) && zero != NULL && zero != small);
    T_CHECK(malloc_usable_size(small) >= 100 && malloc_usable_size(NULL) == 0);
    T_EQ((uintptr_t)small % MULTI_HEAP_ALIGN, 0);
    /* External RAM full: large requests fall back to internal memory. */
    size_t n = drain(64 * KIB, MALLOC_CAP_SPIRAM);
    void *fallback = malloc(32 * KIB);
    T_CHECK(IN_SRAM(fallback));
    release(n);
    heap_caps_free(small), heap_caps_free(large), heap_caps_free(zero), heap_caps_free(fallback);
    T_EQ(all_free(), before);
}

static void case_calloc(void) {
    uint8_t *dirty = malloc(4000);
    memset(dirty, 0xA5, 4000);
    free(dirty);
    uint32_t *z = calloc(1000, 4);
    T_CHECK(z != NULL);
    for (size_t i = 0; i < 1000; i++) {
        T_EQ(z[i], 0);
    }
    free(z);
    errno = 0;
    T_CHECK(calloc(opaque(SIZE_MAX / 2 + 2), 2) == NULL); /* n * size overflows */
    T_EQ(errno, ENOMEM);
    errno = 0;
    T_CHECK(calloc(opaque(0x10000), 0x10001) == NULL);
    T_EQ(errno, ENOMEM);
    errno = 0;
    T_CHECK(calloc(1, opaque(64 * 1024 * KIB)) == NULL); /* fits size_t, not the RAM */
    T_EQ(errno, ENOMEM);
}

static void case_realloc(void) {
    size_t before = all_free();
    uint8_t *p = realloc(NULL, 100);
    T_CHECK(IN_SRAM(p));
    for (int i = 0; i < 100; i++) {
        p[i] = (uint8_t)i;
    }
    errno = 0;
    T_CHECK(realloc(p, opaque(SIZE_MAX - 64)) == NULL);
    T_EQ(errno, ENOMEM);
    uint8_t *q = realloc(p, 40 * KIB); /* moves to external RAM, contents kept */
    T_CHECK(IN_EXT(q));
    for (int i = 0; i < 100; i++) {
        T_EQ(q[i], i);
    }
    q = realloc(q, 50);
    T_CHECK(q != NULL && q[49] == 49);
    T_CHECK(realloc(q, 0) == NULL); /* frees */
    T_EQ(all_free(), before);
}

/* What the malloc family's results are aligned to: _Alignof(max_align_t), as
 * C asks, when the grain reaches it (CAPHEAP_GRAIN=8 or 16 on Arm EABI, where
 * it is 8; CAPHEAP_GRAIN=16 on RV32, where it is 16 for its 16-byte long
 * double); else the grain (the default 4-byte grain, as ESP-IDF; and the
 * 8-byte grain on RV32). */
#define MAX_ALIGN ((size_t)_Alignof(max_align_t))
#define PROMISED  (MULTI_HEAP_ALIGN >= MAX_ALIGN ? MAX_ALIGN : MULTI_HEAP_ALIGN)
#if defined(__ARM_EABI__)
_Static_assert(MULTI_HEAP_ALIGN < 8 || (_Alignof(max_align_t) == 8 && PROMISED == MAX_ALIGN),
               "Arm EABI: the 8- and 16-byte grains meet max_align_t");
#endif
#if defined(__riscv) && __riscv_xlen == 32
_Static_assert(MULTI_HEAP_ALIGN != 16 || (_Alignof(max_align_t) == 16 && PROMISED == MAX_ALIGN),
               "RV32: the 16-byte grain meets max_align_t");
#endif

static void check_promised(const void *p) { T_CHECK(p != NULL && (uintptr_t)p % PROMISED == 0); }

static void case_malloc_alignment(void) {
    size_t before = all_free();
    t_printf("  alignof(max_align_t) %u, grain %u: malloc's results aligned to %u%s\n", (unsigned)MAX_ALIGN,
             (unsigned)MULTI_HEAP_ALIGN, (unsigned)PROMISED, PROMISED == MAX_ALIGN ? " (as C asks)" : "");
    void *kept[40];
    /* Sizes of every residue, interleaved with small blocks that shift the
     * following ones by odd header counts. */
    for (size_t i = 0; i < 40; i++) {
        size_t n = 1 + i * 7 % 61;
        void *p = i % 4 == 0 ? calloc(1, n) : i % 4 == 1 ? memalign(4, n) : malloc(n);
        check_promised(p);
        kept[i] = realloc(p, n + 5 + i % 13); /* grows in place or moves */
        check_promised(kept[i]);
    }
    for (size_t i = 0; i < 40; i += 2) {
        kept[i] = realloc(kept[i], 3 + i % 5); /* shrinks */
        check_promised(kept[i]);
    }
    void *m = memalign(MULTI_HEAP_ALIGN, 10), *big = malloc(24 * KIB) /* external RAM */, *pm = NULL;
    check_promised(m), check_promised(big);
    T_EQ(posix_memalign(&pm, sizeof(void *), 30), 0);
    check_promised(pm);
    free(m), free(big), free(pm);
    for (size_t i = 0; i < 40; i++) {
        free(kept[i]);
    }
    T_EQ(all_free(), before);
}

static void check_aligned(void *p, size_t alignment) {
    T_CHECK(p != NULL && ((uintptr_t)p & (alignment - 1)) == 0);
    T_CHECK(capheap_ptr_caps(p) & MALLOC_CAP_DEFAULT);
    free(p);
}

static void case_aligned(void) {
    size_t before = all_free();
    check_aligned(memalign(256, 1000), 256);
    check_aligned(memalign(4, 0), 4);
    check_aligned(aligned_alloc(128, 256), 128);
    void *p = NULL;
    T_EQ(posix_memalign(&p, 64, 100), 0);
    check_aligned(p, 64);
    int bad_alignments[] = {0, 3, 24, 48};
    for (size_t i = 0; i < sizeof bad_alignments / sizeof bad_alignments[0]; i++) {
        errno = 0;
        T_CHECK(memalign((size_t)bad_alignments[i], 8) == NULL && errno == EINVAL);
        errno = 0;
        T_CHECK(aligned_alloc((size_t)bad_alignments[i], 48) == NULL && errno == EINVAL);
    }
    errno = 0;
    T_CHECK(memalign((size_t)1 << 31, 16) == NULL && errno == ENOMEM); /* valid, unsatisfiable */
    p = &p;
    errno = 0;
    T_EQ(posix_memalign(&p, 2, 8), EINVAL); /* not a multiple of sizeof(void *) */
    T_EQ(posix_memalign(&p, 96, 8), EINVAL);
    T_EQ(posix_memalign(&p, 64, opaque(SIZE_MAX - 8)), ENOMEM);
    T_CHECK(p == &p && errno == 0); /* POSIX: neither *out nor errno change */
    T_EQ(all_free(), before);
}

/* newlib's stdio and string code allocate through these, with errno in the
 * reentrancy structure they are given. picolibc has none. */
static void case_newlib_reentrant(void) {
#if !defined(__PICOLIBC__)
    size_t before = all_free();
    struct _reent *r = _REENT;
    uint8_t *p = _malloc_r(r, 10);
    T_CHECK(IN_SRAM(p));
    p = _realloc_r(r, p, 20 * KIB);
    T_CHECK(IN_EXT(p));
    void *z = _calloc_r(r, 10, 10);
    T_CHECK(z != NULL && ((uint8_t *)z)[99] == 0);
    void *a = _memalign_r(r, 64, 10);
    T_CHECK(a != NULL && ((uintptr_t)a & 63) == 0);
    T_CHECK(_malloc_usable_size_r(r, a) >= 10);
    r->_errno = 0;
    T_CHECK(_calloc_r(r, opaque(SIZE_MAX), 2) == NULL && r->_errno == ENOMEM);
    r->_errno = 0;
    T_CHECK(_memalign_r(r, 12, 2) == NULL && r->_errno == EINVAL);
    _free_r(r, p), _free_r(r, z), _free_r(r, a);
    T_EQ(all_free(), before);
#endif
}

/* The C library's own allocations come from capheap and go back to it. */
static void case_libc_allocates_from_capheap(void) {
    size_t before = all_free();
    char *s = strdup("capheap");
    T_CHECK(IN_SRAM(s) && strcmp(s, "capheap") == 0);
    char *t = NULL;
    T_EQ(asprintf(&t, "%s %d", "heap", 5), 6);
    T_CHECK(t != NULL && capheap_ptr_caps(t) != 0 && strcmp(t, "heap 5") == 0);
    T_CHECK(all_free() < before);
    free(s);
    free(t);
    T_EQ(all_free(), before);
}

/* free() takes what heap_caps and the seed-era API gave; heap_caps_free
 * takes what malloc gave. */
static void case_free_from_any_heap(void) {
    size_t before = all_free();
    void *blocks[] = {
        heap_caps_malloc(100, MALLOC_CAP_SPM),
        heap_caps_aligned_alloc(64, 100, MALLOC_CAP_DMA),
        heap_caps_calloc(10, 10, MALLOC_CAP_SPIRAM),
        heap_caps_realloc(NULL, 50, MALLOC_CAP_EXEC),
        heap_caps_malloc_prefer(100, 2, MALLOC_CAP_RETENTION, MALLOC_CAP_SPM),
        pvPortMallocCaps(100, MALLOC_CAP_8BIT),
    };
    for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++) {
        T_CHECK(blocks[i] != NULL);
        free(blocks[i]);
    }
    void *m = malloc(100), *c = calloc(2, 2000), *a = memalign(32, 32);
    heap_caps_free(m), heap_caps_aligned_free(a), heap_caps_free(c);
    T_EQ(all_free(), before);
    T_CHECK(heap_caps_check_integrity_all(true));
    capheap_deinit();
}

/* Failure injection (capheap_fail_allocations) through the malloc family:
 * the counted call fails with ENOMEM, the others are served; the count is
 * taken in the port's critical section on ARMv6-M, atomically elsewhere. */
static void case_fail_injection(void) {
    T_EQ(capheap_init_board(t_move_board("qemu-mps2-an385", AN385_OFFSET)), ESP_OK);
    size_t before = all_free();
    capheap_fail_plan_t second = {2, false, 0};
    capheap_fail_allocations(&second);
    void *a = malloc(100);
    errno = 0;
    void *b = malloc(100);
    T_CHECK(a != NULL && b == NULL && errno == ENOMEM);
    void *c = heap_caps_malloc(100, MALLOC_CAP_8BIT);
    T_CHECK(c != NULL);
    T_EQ(capheap_fail_counted(), 3);
    capheap_fail_allocations(NULL);
    free(a), free(c);
    T_EQ(all_free(), before);
    capheap_deinit();
}

/* A live allocation made a heap of its own, as ESP-IDF allows
 * heap_caps_add_region_with_caps to: the new heap serves from it, a free of
 * the allocation is reported and changes nothing, the host heap's blocks on
 * both sides of it still go back. */
static unsigned nested_reports;

static void count_report(const void *addr, const char *what, void *user) {
    (void)addr, (void)what, (void)user;
    nested_reports++;
}

static void case_nested_heap(void) {
    T_EQ(capheap_init_board(t_move_board("qemu-mps2-an385", AN385_OFFSET)), ESP_OK);
    void *first = heap_caps_malloc(256, MALLOC_CAP_DMA);
    uint8_t *host = heap_caps_malloc(8192, MALLOC_CAP_DMA);
    void *last = heap_caps_malloc(256, MALLOC_CAP_DMA);
    T_CHECK(first != NULL && host != NULL && last != NULL && IN_SRAM(host));
    heap_caps_free(first); /* the owner cache holds SRAM's whole range */
    size_t sram_free = heap_caps_get_free_size(MALLOC_CAP_DMA);
    const uint32_t caps[3] = {MALLOC_CAP_RETENTION | MALLOC_CAP_8BIT, 0, 0};
    T_EQ(heap_caps_add_region_with_caps(caps, (intptr_t)host, (intptr_t)(host + 8192)), ESP_OK);
    T_EQ(heap_caps_add_region_with_caps(caps, (intptr_t)host, (intptr_t)(host + 8192)), ESP_FAIL);
    uint8_t *p = heap_caps_malloc(100, MALLOC_CAP_RETENTION);
    T_CHECK(p >= host && p + 100 <= host + 8192);
    capheap_corruption_handler_t old = capheap_set_corruption_handler(count_report, NULL);
    heap_caps_free(host);
    T_EQ(nested_reports, 1);
    T_CHECK(capheap_set_corruption_handler(old, NULL) == count_report);
    heap_caps_free(p);
    heap_caps_free(last);
    T_CHECK(heap_caps_get_free_size(MALLOC_CAP_DMA) > sram_free);
    T_CHECK(heap_caps_check_integrity_all(true));
    capheap_deinit();
}

/* ---- FreeRTOS's heap API (ports/freertos/heap_capheap.c) --------------- */

#define KERNEL_CAPS (MALLOC_CAP_INTERNAL | MALLOC_CAP_8BIT)

/* The kernel's objects come from internal byte-accessible RAM, aligned as
 * its heaps align (the stub's portBYTE_ALIGNMENT, 8: above the 4-byte grain,
 * so each call is an aligned allocation), and free() and vPortFree take
 * each other's memory. */
static void case_freertos_heap(void) {
    T_EQ(capheap_init_board(t_move_board("qemu-mps2-an385", AN385_OFFSET)), ESP_OK);
    size_t before = xPortGetFreeHeapSize();
    T_EQ(before, heap_caps_get_free_size(KERNEL_CAPS));
    void *objects[] = {pvPortMalloc(1000), pvPortMalloc(92), pvPortCalloc(3, 28), pvPortMalloc(1)};
    for (size_t i = 0; i < sizeof objects / sizeof objects[0]; i++) {
        T_CHECK(objects[i] != NULL);
        T_EQ((uintptr_t)objects[i] % portBYTE_ALIGNMENT, 0);
        T_EQ(capheap_ptr_caps(objects[i]) & KERNEL_CAPS, KERNEL_CAPS);
    }
    T_CHECK(pvPortMalloc(0) == NULL);
    T_CHECK(pvPortCalloc(SIZE_MAX / 2, 3) == NULL);
    vPortFree(malloc(300));
    free(objects[0]);
    heap_caps_free(objects[1]);
    HeapStats_t stats;
    vPortGetHeapStats(&stats);
    T_EQ(stats.xAvailableHeapSpaceInBytes, xPortGetFreeHeapSize());
    T_EQ(stats.xNumberOfSuccessfulAllocations, 4);
    T_EQ(stats.xNumberOfSuccessfulFrees, 1);
    T_CHECK(stats.xSizeOfSmallestFreeBlockInBytes <= stats.xSizeOfLargestFreeBlockInBytes);
    T_CHECK(stats.xMinimumEverFreeBytesRemaining <= stats.xAvailableHeapSpaceInBytes);
    vPortFree(objects[2]);
    vPortFree(objects[3]);
    T_EQ(xPortGetFreeHeapSize(), before);
    T_CHECK(heap_caps_check_integrity_all(true));
    capheap_deinit();
}

/* ---- the esp32 board, moved into the target's RAM (at its own addresses on Xtensa) */

#define ESP32_OFFSET T_ESP32_OFFSET /* harness.h */

static uintptr_t esp32(uintptr_t chip) { return chip + ESP32_OFFSET; }

static bool in_esp32(const void *p, uintptr_t chip_start, uintptr_t chip_end) {
    return (uintptr_t)p >= esp32(chip_start) && (uintptr_t)p < esp32(chip_end);
}

typedef struct {
    uintptr_t start[8], end[8];
    size_t n;
} heaps_seen_t;

static bool note_heap(walker_heap_into_t heap, walker_block_info_t block, void *user) {
    (void)block;
    heaps_seen_t *s = user;
    if (s->n < 8) {
        s->start[s->n] = (uintptr_t)heap.start;
        s->end[s->n++] = (uintptr_t)heap.end;
    }
    return false; /* one block is enough: next heap */
}

static void case_esp32_heaps(void) {
#if defined(__XTENSA__)
    T_EQ(capheap_init("esp32"), ESP_OK); /* the built-in board, unmoved */
#else
    T_EQ(capheap_init_board(t_move_board("esp32", ESP32_OFFSET)), ESP_OK);
#endif
    /* BOARDS.md: DRAM 6,432 + 184,320; D/IRAM 15,072 + 113,840; IRAM 92,160. */
    static const uintptr_t expected[][2] = {
        {0x3FFAE6E0, 0x3FFB0000}, {0x3FFB3000, 0x3FFE0000}, {0x3FFE0440, 0x3FFE3F20},
        {0x3FFE4350, 0x40000000}, {0x40089800, 0x400A0000},
    };
    heaps_seen_t seen = {.n = 0};
    heap_caps_walk_all(note_heap, &seen);
    T_EQ(seen.n, 5);
    for (size_t i = 0; i < 5; i++) {
        T_EQ(seen.start[i], esp32(expected[i][0]));
        T_EQ(seen.end[i], esp32(expected[i][1]));
    }
    T_EQ(heap_caps_get_total_size(MALLOC_CAP_8BIT), 6432u + 184320u + 15072u + 113840u);
    T_EQ(heap_caps_get_total_size(MALLOC_CAP_EXEC), 15072u + 113840u + 92160u);
    size_t free8 = heap_caps_get_free_size(MALLOC_CAP_8BIT);
    /* A heap's own data: under 1/64 of it plus 256 bytes (as the host tests). */
    T_CHECK(free8 <= 319664u && free8 >= 319664u - (319664u / 64 + 4 * 256u));
    /* EXEC covers D/IRAM and IRAM, DMA | EXEC only D/IRAM. */
    size_t free_iram = heap_caps_get_free_size(MALLOC_CAP_EXEC) - heap_caps_get_free_size(MALLOC_CAP_DMA | MALLOC_CAP_EXEC);
    T_CHECK(free_iram <= 92160u && free_iram >= 92160u - (92160u / 64 + 256u));
}

static void case_esp32_priorities(void) {
    void *byte = heap_caps_malloc(100, MALLOC_CAP_8BIT);
    void *dflt = heap_caps_malloc_default(100);
    void *word = heap_caps_malloc(100, MALLOC_CAP_32BIT); /* IRAM before DRAM */
    void *dma = heap_caps_malloc(8 * KIB, MALLOC_CAP_DMA); /* too big for the 6 KiB piece */
    T_CHECK(in_esp32(byte, 0x3FFAE6E0, 0x3FFB0000) && in_esp32(dflt, 0x3FFAE6E0, 0x3FFB0000));
    T_CHECK(in_esp32(word, 0x40089800, 0x400A0000));
    T_CHECK(in_esp32(dma, 0x3FFB3000, 0x3FFE0000));
    T_CHECK(heap_caps_malloc(16, MALLOC_CAP_SPIRAM) == NULL);
    /* esp_memory_utils.h at the target's own addresses: DRAM takes DMA and
     * bytes, IRAM runs code and takes neither. */
    T_CHECK(esp_ptr_dma_capable(dma) && esp_ptr_byte_accessible(byte) && !esp_ptr_executable(dma));
    T_CHECK(esp_ptr_executable(word) && !esp_ptr_dma_capable(word) && !esp_ptr_byte_accessible(word));
    T_CHECK(esp_ptr_internal(word) && esp_ptr_internal(dma) && !esp_ptr_external_ram(dma));
    free(byte), free(dflt), free(word), free(dma);
}

/* BOARDS.md: the data word at dram is the instruction word at
 * 0x400A0000 + (0x40000000 - dram) - 4; moved, every address shifts alike. */
static uintptr_t iram_of(uintptr_t dram) { return esp32(0x400A0000u) + (esp32(0x40000000u) - dram) - 4; }

static void case_esp32_diram_alias(void) {
    size_t diram_free = heap_caps_get_free_size(MALLOC_CAP_DMA | MALLOC_CAP_EXEC);
    /* EXEC takes IRAM first; once it is full, D/IRAM through its window. */
    size_t n = 0;
    while (n < DRAIN_MAX && (drained[n] = heap_caps_malloc(4 * KIB, MALLOC_CAP_EXEC)) != NULL &&
           in_esp32(drained[n], 0x40089800, 0x400A0000)) {
        n++;
    }
    T_CHECK(n >= 20 && n < DRAIN_MAX);
    uint8_t *w = drained[n++];
    T_CHECK(in_esp32(w, 0x400A0000, 0x400C0000));
    T_CHECK(capheap_ptr_caps(w) & MALLOC_CAP_EXEC);
    /* The word below w holds the data-bus block (capheap's record, as
     * ESP-IDF's); the block's window must contain [w, w + 4 KiB). */
    uintptr_t d = *(const uintptr_t *)(void *)(w - sizeof d); /* one word: the instruction bus takes no less */
    T_CHECK(in_esp32((void *)d, 0x3FFE0000, 0x40000000));
    /* The same memory: code through the window, DMA and bytes through the data bus. */
    T_CHECK(esp_ptr_executable(w) && !esp_ptr_dma_capable(w) && !esp_ptr_byte_accessible(w));
    T_CHECK(!esp_ptr_executable((void *)d) && esp_ptr_dma_capable((void *)d) && esp_ptr_byte_accessible((void *)d));
    size_t u = heap_caps_get_allocated_size((void *)d);
    T_CHECK(u >= 4 * KIB);
    T_CHECK(iram_of(d + u - 4) <= (uintptr_t)w - 4 && (uintptr_t)w + 4 * KIB <= iram_of(d) + 4);
    T_CHECK(heap_caps_get_allocated_size(w) >= 4 * KIB);
    T_CHECK(heap_caps_get_free_size(MALLOC_CAP_DMA | MALLOC_CAP_EXEC) <= diram_free - 4 * KIB);
    release(n); /* free() of instruction-bus addresses too */
    T_EQ(heap_caps_get_free_size(MALLOC_CAP_DMA | MALLOC_CAP_EXEC), diram_free);
    T_CHECK(heap_caps_check_integrity_all(true));
    capheap_deinit();
}

/* A heap made of a D/IRAM block (as ESP-IDF allows): the two largest 8BIT
 * blocks are DRAM's and D/IRAM's; the second becomes a heap whose EXEC
 * blocks come through D/IRAM's window, from the block's own words, and the
 * block itself can no longer be freed. */
static void case_esp32_nested_diram(void) {
#if defined(__XTENSA__)
    T_EQ(capheap_init("esp32"), ESP_OK);
#else
    T_EQ(capheap_init_board(t_move_board("esp32", ESP32_OFFSET)), ESP_OK);
#endif
    uint8_t *dram = heap_caps_malloc(heap_caps_get_largest_free_block(MALLOC_CAP_8BIT), MALLOC_CAP_8BIT);
    uint8_t *pool = heap_caps_malloc(heap_caps_get_largest_free_block(MALLOC_CAP_8BIT), MALLOC_CAP_8BIT);
    T_CHECK(in_esp32(dram, 0x3FFB3000, 0x3FFE0000) && in_esp32(pool, 0x3FFE4350, 0x40000000));
    size_t u = heap_caps_get_allocated_size(pool);
    const uint32_t caps[3] = {MALLOC_CAP_PID2 | MALLOC_CAP_EXEC | MALLOC_CAP_32BIT, 0, 0};
    T_EQ(heap_caps_add_region_with_caps(caps, (intptr_t)pool, (intptr_t)(pool + u)), ESP_OK);
    uint32_t *code = heap_caps_malloc(256, MALLOC_CAP_PID2 | MALLOC_CAP_EXEC);
    T_CHECK(code != NULL && (uintptr_t)code >= iram_of((uintptr_t)pool + u - 4) &&
            (uintptr_t)code + 256 <= iram_of((uintptr_t)pool) + 4);
    code[0] = 0x12345678u; /* one word: the instruction bus takes no less */
    nested_reports = 0;
    capheap_corruption_handler_t old = capheap_set_corruption_handler(count_report, NULL);
    heap_caps_free(pool);
    T_EQ(nested_reports, 1);
    capheap_set_corruption_handler(old, NULL);
    heap_caps_free(code);
    heap_caps_free(dram);
    T_CHECK(heap_caps_check_integrity_all(true));
    capheap_deinit();
}

/* ---- the esp32c3 board (a RISC-V chip), moved likewise ------------------ */

#define C3_OFFSET (T_FREE_RAM - 0x3FC80000u)

static bool in_c3(const void *p, uintptr_t chip_start, uintptr_t chip_end) {
    return (uintptr_t)p >= chip_start + C3_OFFSET && (uintptr_t)p < chip_end + C3_OFFSET;
}

/* Memory protection off: SRAM1's first blocks are D/IRAM, met after the
 * start-up stack's block for data and through the linear window, 0x700000
 * up, for EXEC. Only addresses are checked: QEMU's RAM has no second bus,
 * so nothing is written through the window. */
static void case_esp32c3_noprot(void) {
    /* SRAM1 only: RTC fast memory, 256 MiB above it, stays out of the move
     * (test_board_esp32c3 has it on the host). */
    T_EQ(capheap_init_board(t_move_board_below("esp32c3-noprot", 0x40000000u, C3_OFFSET)), ESP_OK);
    T_EQ(heap_caps_get_total_size(MALLOC_CAP_8BIT), (0x3FCDC710u - 0x3FC8F000u) + (0x3FCDF060u - 0x3FCDC710u));
    size_t exec_free = heap_caps_get_free_size(MALLOC_CAP_EXEC); /* both heaps: the stack's serves EXEC too */
    void *byte = malloc(100), *kept = heap_caps_malloc(100, MALLOC_CAP_RETENTION);
    T_CHECK(in_c3(byte, 0x3FCDC710, 0x3FCDF060) && in_c3(kept, 0x3FCDC710, 0x3FCDF060)); /* the stack's block */
    uint8_t *code = heap_caps_malloc(4 * KIB, MALLOC_CAP_EXEC); /* STACK/DIRAM first, through its window */
    T_CHECK(in_c3(code, 0x3FCDC710 + 0x700000, 0x3FCDF060 + 0x700000));
    T_CHECK((uintptr_t)code % 4 == 0 && heap_caps_get_allocated_size(code) >= 4 * KIB);
    T_CHECK(capheap_ptr_caps(code) & MALLOC_CAP_EXEC);
    T_EQ(capheap_ptr_caps(code), capheap_ptr_caps(code - 0x700000));
    T_CHECK(heap_caps_get_free_size(MALLOC_CAP_EXEC) <= exec_free - 4 * KIB);
    free(code); /* the instruction-bus address */
    free(byte), free(kept);
    T_EQ(heap_caps_get_free_size(MALLOC_CAP_EXEC), exec_free);
    T_CHECK(heap_caps_check_integrity_all(true));
    capheap_deinit();
}

/* ---- the esp32c6 board's HP SRAM, moved into the target's RAM ----------- */

#define C6_OFFSET (T_FREE_RAM - 0x40800000u)

/* esp32c6-noprot: HP SRAM is one range at one address on both buses, so an
 * EXEC block is run where malloc put it, from the heap plain data comes
 * from. LP SRAM, 248 MiB above, stays out of the move (test_board_esp32c6
 * has it on the host). */
static void case_esp32c6_noprot(void) {
    T_EQ(capheap_init_board(t_move_board_below("esp32c6-noprot", 0x50000000u, C6_OFFSET)), ESP_OK);
    const uintptr_t ram = 0x4080F000u + C6_OFFSET, ram_end = 0x4087C610u + C6_OFFSET;
    T_EQ(heap_caps_get_total_size(MALLOC_CAP_EXEC), (0x4087C610u - 0x4080F000u) + (0x4087F564u - 0x4087C610u));
    void *data = malloc(100);
    void *code = heap_caps_malloc(64, MALLOC_CAP_EXEC);
    T_CHECK((uintptr_t)data >= ram && (uintptr_t)data < ram_end);
    T_CHECK((uintptr_t)code >= ram && (uintptr_t)code < ram_end && (uintptr_t)code % 4 == 0);
    T_EQ(capheap_ptr_caps(code), capheap_ptr_caps(data));
    T_EQ(run_code_in(code), 42);
    free(code), free(data);
    T_CHECK(heap_caps_check_integrity_all(true));
    capheap_deinit();
}

/* ---- the esp32c5 board's HP SRAM, moved into the target's RAM ----------- */

#define C5_OFFSET (T_FREE_RAM - 0x40800000u)

/* esp32c5: HP SRAM up to the ROM's stack, then the stack's block, both RAM
 * with DMA; no cache in front of them, so a DMA block is not rounded to
 * lines; the PMP split refuses EXEC. LP SRAM stays out of the move
 * (test_board_esp32c5 has it on the host). */
static void case_esp32c5(void) {
    T_EQ(capheap_init_board(t_move_board_below("esp32c5", 0x50000000u, C5_OFFSET)), ESP_OK);
    const uintptr_t ram = 0x4080F000u + C5_OFFSET, stack = 0x4085C5A0u + C5_OFFSET;
    const uintptr_t end = 0x4085F4F8u + C5_OFFSET; /* the ROM's data after it */
    T_EQ(heap_caps_get_total_size(MALLOC_CAP_DMA), end - ram);
    T_EQ(heap_caps_get_total_size(MALLOC_CAP_8BIT), end - ram);
    T_CHECK(heap_caps_malloc(64, MALLOC_CAP_EXEC) == NULL);
    T_CHECK(heap_caps_malloc(64, MALLOC_CAP_RTCRAM) == NULL); /* not moved */
    size_t dma_free = heap_caps_get_free_size(MALLOC_CAP_DMA);
    uint8_t *dma = heap_caps_malloc(4, MALLOC_CAP_DMA);
    T_CHECK((uintptr_t)dma >= ram && (uintptr_t)dma < stack);
    T_CHECK(heap_caps_get_allocated_size(dma) < 32); /* no line */
    void *big = heap_caps_malloc(stack - ram, MALLOC_CAP_DMA); /* more than the first heap has */
    T_CHECK(big == NULL);
    free(dma);
    T_EQ(heap_caps_get_free_size(MALLOC_CAP_DMA), dma_free);
    T_CHECK(heap_caps_check_integrity_all(true));
    capheap_deinit();
}

/* ---- the esp32p4 board's L2 memory, moved into the target's RAM --------- */

#define P4_OFFSET (T_FREE_RAM - 0x4FF00000u)

/* esp32p4 (chip revision v3.x): L2 memory after the cache, RETENT_RAM then
 * the start-up stack's RAM, behind the L1 cache's 64-byte lines. Its TCM
 * below and LP SRAM above stay out of the move (test_board_esp32p4 has the
 * whole map on the host). */
static void case_esp32p4(void) {
    T_EQ(capheap_init_board(t_move_board_range("esp32p4", 0x4FF00000u, 0x50000000u, P4_OFFSET)), ESP_OK);
    const uintptr_t retent = 0x4FF2F000u + P4_OFFSET, stack = 0x4FFBAFC0u + P4_OFFSET;
    const uintptr_t end = 0x4FFBFBB0u + P4_OFFSET; /* the ROM's data after it */
    T_EQ(heap_caps_get_total_size(MALLOC_CAP_DMA), end - retent);
    T_EQ(heap_caps_get_total_size(MALLOC_CAP_SIMD), end - retent);
    T_EQ(heap_caps_get_total_size(MALLOC_CAP_RETENTION), stack - retent);
    T_CHECK(heap_caps_malloc(64, MALLOC_CAP_EXEC) == NULL); /* the PMP split */
    T_CHECK(heap_caps_malloc(64, MALLOC_CAP_TCM) == NULL);  /* not moved */
    size_t dma_free = heap_caps_get_free_size(MALLOC_CAP_DMA);
    static const uint32_t lined[] = {MALLOC_CAP_DMA, MALLOC_CAP_SIMD, MALLOC_CAP_CACHE_ALIGNED | MALLOC_CAP_8BIT};
    void *p[3];
    for (size_t i = 0; i < 3; i++) {
        p[i] = heap_caps_malloc(100, lined[i]);
        T_CHECK((uintptr_t)p[i] >= retent && (uintptr_t)p[i] < end && (uintptr_t)p[i] % 64 == 0);
        T_CHECK(heap_caps_get_allocated_size(p[i]) >= 128); /* whole lines */
    }
    void *kept = heap_caps_malloc(100, MALLOC_CAP_RETENTION);
    T_CHECK((uintptr_t)kept >= retent && (uintptr_t)kept < stack);
    for (size_t i = 0; i < 3; i++) {
        free(p[i]);
    }
    free(kept);
    T_EQ(heap_caps_get_free_size(MALLOC_CAP_DMA), dma_free);
    T_CHECK(heap_caps_check_integrity_all(true));
    capheap_deinit();
}

#if defined(__XTENSA__)
/* ---- the esp8266 board at its own addresses, on its own core ------------- */

/* The lx106 on QEMU's sim machine has memory where the ESP8266 has DRAM
 * (data RAM) and IRAM (instruction RAM): the board is the built-in one,
 * unmoved. malloc takes IRAM first, as ESP8266_RTOS_SDK's does; bytes and
 * DMA take DRAM. IRAM is written and read in whole words only. */
static void case_esp8266(void) {
    T_EQ(capheap_init("esp8266"), ESP_OK);
    const uintptr_t dram = 0x3FFF0000u, dram_end = 0x40000000u, iram = 0x40107000u, iram_end = 0x4010C000u;
    T_EQ(heap_caps_get_total_size(MALLOC_CAP_32BIT), (dram_end - dram) + (iram_end - iram));
    size_t free_before = heap_caps_get_free_size(MALLOC_CAP_32BIT);
    uint32_t *words = malloc(64 * sizeof *words);
    uint8_t *bytes = heap_caps_malloc(100, MALLOC_CAP_8BIT);
    void *dma = heap_caps_malloc(1536, MALLOC_CAP_DMA);
    T_CHECK((uintptr_t)words >= iram && (uintptr_t)words < iram_end);
    T_CHECK((uintptr_t)bytes >= dram && (uintptr_t)bytes < dram_end);
    T_CHECK((uintptr_t)dma >= dram && (uintptr_t)dma < dram_end);
    for (uint32_t i = 0; i < 64; i++) {
        words[i] = 0x9E3779B9u * (i + 1);
    }
    memset(bytes, 0x5A, 100);
    for (uint32_t i = 0; i < 64; i++) {
        T_EQ(words[i], 0x9E3779B9u * (i + 1));
    }
    T_CHECK(heap_caps_malloc(16, MALLOC_CAP_EXEC) == NULL);
    /* Moved to a larger IRAM block, and zeroed there: the copy and the
     * zeroing go word by word too (the word-only run checks it). */
    uint32_t *more = heap_caps_malloc(512, MALLOC_CAP_32BIT);
    words = heap_caps_realloc(words, 1024, MALLOC_CAP_32BIT);
    T_CHECK((uintptr_t)words >= iram && (uintptr_t)words < iram_end);
    for (uint32_t i = 0; i < 64; i++) {
        T_EQ(words[i], 0x9E3779B9u * (i + 1));
    }
    uint32_t *zeroed = heap_caps_calloc(32, sizeof *zeroed, MALLOC_CAP_32BIT);
    T_CHECK((uintptr_t)zeroed >= iram && (uintptr_t)zeroed < iram_end);
    for (uint32_t i = 0; i < 32; i++) {
        T_EQ(zeroed[i], 0);
    }
    free(zeroed), free(more);
    /* Sizes that are not whole words, in IRAM: malloc's (DEFAULT, not
     * rounded), with its tail canary when poisoned, calloc's zeroing, and a
     * move by realloc (a copy of 13 bytes when poisoned); capheap merges the
     * partial words (the word-only run checks it). Read back in words (the
     * partial word's bytes lie past a whole word of the object: the
     * integrity check below finds a canary the merge broke). */
    uint32_t *odd = calloc(3, 5); /* 15 bytes */
    T_CHECK((uintptr_t)odd >= iram && (uintptr_t)odd < iram_end);
    T_EQ(odd[0] | odd[1] | odd[2], 0);
    uint32_t *thirteen = malloc(13);
    void *blocker = malloc(64); /* right after it: no growing in place */
    T_CHECK((uintptr_t)thirteen >= iram && (uintptr_t)thirteen < iram_end);
    thirteen[0] = 0x11111111u, thirteen[1] = 0x22222222u, thirteen[2] = 0x33333333u;
    uint32_t *moved = realloc(thirteen, 41);
    T_CHECK((uintptr_t)moved >= iram && (uintptr_t)moved < iram_end);
    T_EQ(moved[0], 0x11111111u);
    T_EQ(moved[1], 0x22222222u);
    T_EQ(moved[2], 0x33333333u);
    T_CHECK(heap_caps_check_integrity_all(true));
    free(odd), free(moved), free(blocker);
    free(words), free(bytes), free(dma);
    T_EQ(heap_caps_get_free_size(MALLOC_CAP_32BIT), free_before);
    T_CHECK(heap_caps_check_integrity_all(true));
    capheap_deinit();
}
#endif

int main(void) {
    static const t_case_t cases[] = {
        {"before_capheap", case_before_capheap},
        {"init_an385", case_init_an385},
        {"caps_matching", case_caps_matching},
        {"priorities", case_priorities},
        {"exec_runs", case_exec_runs},
        {"malloc_policy", case_malloc_policy},
        {"calloc", case_calloc},
        {"realloc", case_realloc},
        {"aligned", case_aligned},
        {"malloc_alignment", case_malloc_alignment},
        {"newlib_reentrant", case_newlib_reentrant},
        {"libc_allocates_from_capheap", case_libc_allocates_from_capheap},
        {"free_from_any_heap", case_free_from_any_heap},
        {"fail_injection", case_fail_injection},
        {"nested_heap", case_nested_heap},
        {"freertos_heap", case_freertos_heap},
        {"esp32_heaps", case_esp32_heaps},
        {"esp32_priorities", case_esp32_priorities},
        {"esp32_diram_alias", case_esp32_diram_alias},
        {"esp32_nested_diram", case_esp32_nested_diram},
        {"esp32c3_noprot", case_esp32c3_noprot},
        {"esp32c6_noprot", case_esp32c6_noprot},
        {"esp32c5", case_esp32c5},
        {"esp32p4", case_esp32p4},
#if defined(__XTENSA__)
        {"esp8266", case_esp8266},
#endif
    };
    t_printf("heap_caps and the malloc family on %s\n", arch_name);
    return t_run("test_heap_caps", cases, sizeof cases / sizeof cases[0]);
}
