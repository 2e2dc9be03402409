/*
 * semihost.h: the few semihosting calls a test or a debug build needs
 * (Arm semihosting v2, which QEMU and OpenOCD also speak for RISC-V; on
 * Xtensa the instruction set simulator's simcall, which QEMU's sim machine
 * answers).
 *
 * Semihosting traps to the debugger; without one attached the trap is a
 * fault. Link ports/baremetal/semihost.c only into builds that run under a
 * debugger or an emulator.
 */
#ifndef CAPHEAP_SEMIHOST_H
#define CAPHEAP_SEMIHOST_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Writes len bytes to the debugger's console (SYS_WRITE0 in pieces; simcall write on Xtensa). */
void capheap_semihost_write(const char *text, size_t len);

/** Ends the program with an exit status the host sees (SYS_EXIT_EXTENDED; simcall exit on Xtensa). */
_Noreturn void capheap_semihost_exit(int status);

#ifdef __cplusplus
}
#endif

#endif /* CAPHEAP_SEMIHOST_H */
