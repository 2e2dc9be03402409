/* harness.c: see harness.h. */
#include "harness.h"

#include <stdarg.h>
#include <stdio.h>

#include "arch.h"
#include "semihost.h"

unsigned long t_checks;

static void vprint(const char *fmt, va_list ap) {
    char line[256];
    int n = vsnprintf(line, sizeof line, fmt, ap);
    if (n > 0) {
        capheap_semihost_write(line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
    }
}

void t_printf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vprint(fmt, ap);
    va_end(ap);
}

_Noreturn void t_fail(const char *file, int line, const char *fmt, ...) {
    va_list ap;
    t_printf("FAILED %s:%d: ", file, line);
    va_start(ap, fmt);
    vprint(fmt, ap);
    va_end(ap);
    t_printf("\n");
    capheap_semihost_exit(T_FAILED_STATUS);
}

int t_run(const char *suite, const t_case_t *cases, size_t count) {
    t_printf("%s: %u cases\n", suite, (unsigned)count);
    for (size_t i = 0; i < count; i++) {
        unsigned long before = t_checks;
        t_printf("[ RUN  ] %s\n", cases[i].name);
        cases[i].run();
        t_printf("[   OK ] %s (%lu checks)\n", cases[i].name, t_checks - before);
    }
    t_printf("%s: all %u cases passed\n", suite, (unsigned)count);
    return 0;
}

/* Programs that start no interrupt need not define the handlers' hooks. */
__attribute__((weak)) void test_on_soft_irq(void) { t_fail(__FILE__, __LINE__, "unexpected software interrupt"); }
__attribute__((weak)) void test_on_timer_irq(void) { t_fail(__FILE__, __LINE__, "unexpected timer interrupt"); }

/* ---- a board moved into the target's RAM -------------------------------- */

#define MOVED_MAX 16

static struct {
    capheap_board_t board;
    capheap_region_t regions[MOVED_MAX];
    capheap_reserved_t reserved[MOVED_MAX];
} moved;

const capheap_board_t *t_move_board_range(const char *name, uintptr_t chip_start, uintptr_t chip_end,
                                          uintptr_t offset) {
    const capheap_board_t *b = capheap_board_find(name);
    T_CHECK(b != NULL && b->region_count <= MOVED_MAX && b->reserved_count <= MOVED_MAX);
    moved.board = *b;
    size_t regions = 0, reserved = 0;
    for (size_t i = 0; i < b->region_count; i++) {
        capheap_region_t r = b->regions[i];
        if (r.start < chip_start || r.start >= chip_end) {
            continue;
        }
        T_CHECK(r.size <= chip_end - r.start);
        r.start += offset;
        if (r.alias.kind != CAPHEAP_ALIAS_NONE) {
            r.alias.start += offset;
        }
        moved.regions[regions++] = r;
    }
    for (size_t i = 0; i < b->reserved_count; i++) {
        if (b->reserved[i].start >= chip_start && b->reserved[i].start < chip_end) {
            moved.reserved[reserved] = b->reserved[i];
            moved.reserved[reserved].start += offset;
            moved.reserved[reserved++].end += offset;
        }
    }
    moved.board.regions = moved.regions;
    moved.board.region_count = regions;
    moved.board.reserved = moved.reserved;
    moved.board.reserved_count = reserved;
    return &moved.board;
}

const capheap_board_t *t_move_board_below(const char *name, uintptr_t chip_end, uintptr_t offset) {
    return t_move_board_range(name, 0, chip_end, offset);
}

const capheap_board_t *t_move_board(const char *name, uintptr_t offset) {
    return t_move_board_below(name, UINTPTR_MAX, offset);
}
