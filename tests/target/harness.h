/*
 * harness.h: the assertion harness of the target tests. No cmocka on the
 * target: a failed check prints where and why and ends the program with
 * status 2, which the runner (scripts/target-run.sh) turns into a failure.
 * Usable from interrupt handlers too (it never allocates).
 */
#ifndef CAPHEAP_TARGET_HARNESS_H
#define CAPHEAP_TARGET_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capheap.h"

/** Exit status of a failed check (abort() gives 1, the fault handlers 64 and up). */
#define T_FAILED_STATUS 2

/** Checks made so far (a statistic for the log; interrupt handlers add too). */
extern unsigned long t_checks;

#define T_CHECK(cond)                                        \
    do {                                                     \
        t_checks++;                                          \
        if (!(cond)) {                                       \
            t_fail(__FILE__, __LINE__, "%s", #cond);         \
        }                                                    \
    } while (0)

#define T_EQ(a, b)                                                                              \
    do {                                                                                        \
        unsigned long a_ = (unsigned long)(a), b_ = (unsigned long)(b);                         \
        t_checks++;                                                                             \
        if (a_ != b_) {                                                                         \
            t_fail(__FILE__, __LINE__, "%s == %s (0x%lx != 0x%lx)", #a, #b, a_, b_);            \
        }                                                                                       \
    } while (0)

_Noreturn void t_fail(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/** printf to the semihosting console (the same channel capheap logs to, so
 *  the two stay in order). */
void t_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

typedef struct {
    const char *name;
    void (*run)(void);
} t_case_t;

/** Free target RAM, away from the program, its stack and (RV32) picolibc's
 *  heap: where moved boards go. mps2-an385/an386: RAM 0x21000000-0x21FFFFFF,
 *  the program's .data/.bss at its start. virt: RAM from 0x80000000, the
 *  program in its first 4 MiB. Xtensa sim: system RAM from 0x60000000, the
 *  program in its first 4 MiB (xtensa/sim-lx106.ld). */
#if defined(__riscv)
#define T_FREE_RAM ((uintptr_t)0x80400000u)
#elif defined(__XTENSA__)
#define T_FREE_RAM ((uintptr_t)0x60400000u)
#else
#define T_FREE_RAM ((uintptr_t)0x21200000u)
#endif

/** How far the qemu-mps2-an385 board moves: it stays where it is on
 *  Cortex-M; elsewhere it goes to free RAM, as the chips' boards do. */
#if defined(__ARM_ARCH_PROFILE)
#define T_AN385_OFFSET 0u
#else
#define T_AN385_OFFSET (T_FREE_RAM - 0x21000000u)
#endif

/** How far the esp32 board moves: its lowest address to free RAM; not at
 *  all on Xtensa, where the sim machine has memory at the chip's addresses:
 *  its data RAM (0x3FF80000-0x3FFFFFFF) holds DRAM and D/IRAM, its
 *  instruction RAM (0x40000000-0x401FFFFF) IRAM and D/IRAM's instruction-bus
 *  window (separate memory there, not an alias: capheap reads and writes each
 *  address only through the bus it names). */
#if defined(__XTENSA__)
#define T_ESP32_OFFSET 0u
#else
#define T_ESP32_OFFSET (T_FREE_RAM - 0x3FFAE000u)
#endif

/** The built-in board name with every address (regions, their aliases,
 *  reserved ranges) moved up by offset: a chip's map placed in the target's
 *  RAM. One board at a time: the next call overwrites it. */
const capheap_board_t *t_move_board(const char *name, uintptr_t offset);

/** t_move_board of the board's regions and reserved ranges that lie below
 *  the chip address chip_end (the rest of the map is left out): for a chip
 *  whose map spans more than the target's RAM, as RTC memory far above SRAM. */
const capheap_board_t *t_move_board_below(const char *name, uintptr_t chip_end, uintptr_t offset);

/** t_move_board of the board's regions and reserved ranges that start in
 *  [chip_start, chip_end): one part of a chip's map, as the ESP32-P4's L2
 *  memory without its TCM below and its LP SRAM above. */
const capheap_board_t *t_move_board_range(const char *name, uintptr_t chip_start, uintptr_t chip_end,
                                          uintptr_t offset);

/** Runs the cases in order; returns 0 (a failure never returns). */
int t_run(const char *suite, const t_case_t *cases, size_t count);

/** xorshift64*: a fixed seed gives the same sequence on every target. */
typedef struct {
    uint64_t s;
} t_rng_t;

static inline uint32_t t_rand(t_rng_t *r) {
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return (uint32_t)((r->s * 0x2545F4914F6CDD1DULL) >> 32);
}

/** Uniform in [0, n). */
static inline uint32_t t_below(t_rng_t *r, uint32_t n) { return (uint32_t)(((uint64_t)t_rand(r) * n) >> 32); }

#endif /* CAPHEAP_TARGET_HARNESS_H */
