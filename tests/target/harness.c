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
