/*
 * semihost.c: capheap's log output over semihosting, and an exit with status
 * (Arm semihosting on Cortex-M and RISC-V; the simulator's calls on Xtensa).
 *
 * Compile this file into the firmware (not into a library archive: the weak
 * default in port_baremetal.c would satisfy the linker first) to see capheap's
 * messages on the debugger's or emulator's console.
 */
#include "semihost.h"

#include <stdint.h>

#include "capheap/port.h"

#if defined(__XTENSA__)

/* The Xtensa instruction set simulator's calls, which QEMU's Xtensa sim
 * machine answers (-semihosting): simcall with the call's number in a2 and
 * its arguments from a3, the result back in a2 and errno in a3. Numbers as
 * POSIX's system calls: exit 1, write 4. */
#define SIMCALL_EXIT  1
#define SIMCALL_WRITE 4
#define STDOUT_FD     1

static long simcall(long call, long arg1, long arg2, long arg3) {
    register long a2 __asm__("a2") = call;
    register long a3 __asm__("a3") = arg1;
    register long a4 __asm__("a4") = arg2;
    register long a5 __asm__("a5") = arg3;
    __asm__ volatile("simcall" : "+a"(a2), "+a"(a3) : "a"(a4), "a"(a5) : "memory");
    return a2;
}

void capheap_semihost_write(const char *text, size_t len) {
    while (len > 0) {
        long n = simcall(SIMCALL_WRITE, STDOUT_FD, (long)(uintptr_t)text, (long)len);
        if (n <= 0) {
            return; /* nothing to write to: the text is lost, as on a console without a reader */
        }
        text += n;
        len -= (size_t)n;
    }
}

_Noreturn void capheap_semihost_exit(int status) {
    for (;;) {
        simcall(SIMCALL_EXIT, status, 0, 0);
    }
}

#else

#define SYS_WRITE0                  0x04
#define SYS_EXIT_EXTENDED           0x20
#define ADP_STOPPED_APPLICATIONEXIT 0x20026

static uintptr_t semihost_call(uintptr_t op, const void *arg) {
#if defined(__ARM_ARCH_PROFILE) && __ARM_ARCH_PROFILE == 'M'
    register uintptr_t r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
#elif defined(__riscv)
    /* The debugger recognises the trap by this exact uncompressed sequence,
     * which must not cross a page: hence norvc and the alignment. */
    register uintptr_t a0 __asm__("a0") = op;
    register const void *a1 __asm__("a1") = arg;
    __asm__ volatile(".option push\n\t.option norvc\n\t.balign 16\n\t"
                     "slli zero, zero, 0x1f\n\tebreak\n\tsrai zero, zero, 7\n\t"
                     ".option pop"
                     : "+r"(a0)
                     : "r"(a1)
                     : "memory");
    return a0;
#else
#error "semihosting is wired for Cortex-M, RISC-V and Xtensa only"
#endif
}

void capheap_semihost_write(const char *text, size_t len) {
    char chunk[65]; /* SYS_WRITE0 wants a NUL-terminated string */
    while (len > 0) {
        size_t n = len < sizeof chunk - 1 ? len : sizeof chunk - 1;
        for (size_t i = 0; i < n; i++) {
            chunk[i] = text[i];
        }
        chunk[n] = '\0';
        semihost_call(SYS_WRITE0, chunk);
        text += n;
        len -= n;
    }
}

_Noreturn void capheap_semihost_exit(int status) {
    uintptr_t block[2] = {ADP_STOPPED_APPLICATIONEXIT, (uintptr_t)status};
    for (;;) {
        semihost_call(SYS_EXIT_EXTENDED, block);
    }
}

#endif

void capheap_port_log_write(const char *text, size_t len) { capheap_semihost_write(text, len); }
