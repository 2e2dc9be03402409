/*
 * smp.c: smp.h for RV32 on QEMU virt (-smp 2), with riscv/smp_start.S: the C
 * start-up of hart 0 (what picolibc's crt0 does: .data, .bss, the thread
 * pointer, constructors, main, exit) and the release of hart 1.
 */
#include "smp.h"

#include <picotls.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define SMP_GO_MAGIC 0x5a17c0deu /* as in smp_start.S */

/* picolibc's linker script (picolibc.ld). */
extern char __data_start[], __data_source[], __data_size[];
extern char __bss_start[], __bss_size[];
extern char __tls_base[];
void __libc_init_array(void);
int main(void);

_Noreturn void smp_boot_primary(void);
_Noreturn void smp_boot_second(void);

/* Read by hart 1 in smp_start.S, before and after hart 0 clears .bss. */
_Atomic uint32_t smp_go;
static void (*_Atomic second_fn)(void);
/* Hart 1's thread-local storage (picolibc keeps errno there). */
static _Alignas(16) char second_tls[256];

void smp_boot_primary(void) {
    memcpy(__data_start, __data_source, (size_t)(uintptr_t)__data_size);
    memset(__bss_start, 0, (size_t)(uintptr_t)__bss_size);
    _set_tls(__tls_base);
    __libc_init_array();
    exit(main());
}

void smp_start_second(void (*fn)(void)) {
    T_CHECK(_tls_size() <= sizeof second_tls && _tls_align() <= 16);
    atomic_store_explicit(&second_fn, fn, memory_order_relaxed);
    atomic_store_explicit(&smp_go, SMP_GO_MAGIC, memory_order_release);
}

void smp_boot_second(void) {
    _init_tls(second_tls);
    _set_tls(second_tls);
    atomic_load_explicit(&second_fn, memory_order_relaxed)();
    for (;;) {
        __asm__ volatile("wfi");
    }
}
