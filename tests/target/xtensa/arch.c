/*
 * arch.c: arch.h for the lx106 core on QEMU's Xtensa sim machine: its
 * software interrupt (7) and its CCOMPARE0 timer (interrupt 6), both level 1;
 * exceptions reported as faults; and what picolibc leaves to the program on
 * this core: the console behind stdout and stderr, and _exit.
 *
 * Interrupt numbers and levels are the core's configuration (lx106, as
 * QEMU's and the ESP8266's core-isa.h give it).
 */
#include <stdio.h>

#include "arch.h"
#include "harness.h"
#include "semihost.h"

#define INT_TIMER0        6u
#define INT_SOFTWARE      7u
#define CAUSE_LEVEL1_INT  4u /* EXCCAUSE of a level-1 interrupt */
#define FAULT_STATUS      64 /* exit status of an exception: 64 + EXCCAUSE */
#define CYCLES_PER_US     40u /* CCOUNT's rate on QEMU's lx106: see arch_timer_start */

const char arch_name[] = "Xtensa lx106 (QEMU sim)";

void xtensa_level1(uint32_t cause, uint32_t epc, uint32_t vaddr);
_Noreturn void xtensa_unexpected(uint32_t vector);

static uint32_t timer_period;

static uint32_t ccount(void) {
    uint32_t now;
    __asm__ volatile("rsr %0, ccount" : "=a"(now));
    return now;
}

static void ccompare0_set(uint32_t when) { __asm__ volatile("wsr %0, ccompare0\n\tisync" : : "a"(when) : "memory"); }

static uint32_t intenable(void) {
    uint32_t mask;
    __asm__ volatile("rsr %0, intenable" : "=a"(mask));
    return mask;
}

static void intenable_set(uint32_t mask) { __asm__ volatile("wsr %0, intenable\n\trsync" : : "a"(mask) : "memory"); }

uint32_t arch_core_id(void) { return 0; /* one core */ }

void arch_init(void) {
    intenable_set(1u << INT_SOFTWARE);
    uint32_t ps;
    __asm__ volatile("rsil %0, 0" : "=a"(ps) : : "memory"); /* INTLEVEL 0: every level-1 interrupt taken */
    (void)ps;
}

bool arch_irq_enabled(void) {
    uint32_t ps;
    __asm__ volatile("rsr %0, ps" : "=a"(ps));
    return (ps & 0x1Fu) == 0; /* INTLEVEL 0 and EXCM clear */
}

void arch_soft_irq_raise(void) { __asm__ volatile("wsr %0, intset\n\trsync" : : "a"(1u << INT_SOFTWARE) : "memory"); }

void arch_settle(void) {
    /* A few instructions for the core to notice the pending interrupt. */
    for (volatile int i = 0; i < 4; i++) {
    }
}

/* CCOUNT counts the core's cycles; QEMU derives it from its virtual clock at
 * its lx106 configuration's 40 MHz (measured: under -icount shift=7, 128 ns
 * an instruction, 1,000 instructions advance it by 5,120). */
void arch_timer_start(uint32_t period_us) {
    timer_period = period_us * CYCLES_PER_US;
    ccompare0_set(ccount() + timer_period);
    intenable_set(intenable() | 1u << INT_TIMER0);
}

void arch_timer_stop(void) { intenable_set(intenable() & ~(1u << INT_TIMER0)); }

void xtensa_level1(uint32_t cause, uint32_t epc, uint32_t vaddr) {
    if (cause != CAUSE_LEVEL1_INT) {
        t_printf("FAULT: exccause %lu at pc 0x%08lx, excvaddr 0x%08lx\n", (unsigned long)cause, (unsigned long)epc,
                 (unsigned long)vaddr);
        capheap_semihost_exit(FAULT_STATUS + (int)(cause & 0x3Fu));
    }
    uint32_t pending;
    __asm__ volatile("rsr %0, interrupt" : "=a"(pending));
    pending &= intenable();
    if (pending & 1u << INT_SOFTWARE) {
        __asm__ volatile("wsr %0, intclear\n\trsync" : : "a"(1u << INT_SOFTWARE) : "memory");
        test_on_soft_irq();
    }
    if (pending & 1u << INT_TIMER0) {
        /* Writing CCOMPARE0 clears the interrupt. From now, not from the last
         * deadline: a slow handler must not leave a backlog. */
        ccompare0_set(ccount() + timer_period);
        test_on_timer_irq();
    }
}

_Noreturn void xtensa_unexpected(uint32_t vector) {
    t_printf("FAULT: unexpected vector 0x%02lx\n", (unsigned long)vector);
    capheap_semihost_exit(FAULT_STATUS + 0x3F);
}

/* ---- what picolibc leaves to the program -------------------------------- */

/* stdout and stderr: the semihosting console, one character at a time into a
 * line, written at its end (or when full) so that capheap's own log lines,
 * written whole, stay in order with printf's. */
static char line[128];
static size_t line_len;

static int console_flush(FILE *file) {
    (void)file;
    capheap_semihost_write(line, line_len);
    line_len = 0;
    return 0;
}

static int console_put(char c, FILE *file) {
    line[line_len++] = c;
    if (c == '\n' || line_len == sizeof line) {
        console_flush(file);
    }
    return (unsigned char)c;
}

static FILE console = FDEV_SETUP_STREAM(console_put, NULL, console_flush, _FDEV_SETUP_WRITE);
FILE *const stdout = &console;
FILE *const stderr = &console;
FILE *const stdin = &console;

_Noreturn void _exit(int status) {
    console_flush(&console);
    capheap_semihost_exit(status);
}
