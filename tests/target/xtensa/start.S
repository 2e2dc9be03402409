/*
 * start.S: start-up and exception vectors of the Xtensa target tests
 * (lx106 on QEMU's sim machine, call0 ABI).
 *
 * - .reset, at the reset vector: a jump to _start (QEMU begins there, not at
 *   the ELF's entry).
 * - _start: the stack, the vectors (VECBASE), interrupts masked until
 *   arch_init, .bss zeroed, constructors, main, exit with its status.
 * - .vectors: the level-1 interrupt and every exception come to the kernel
 *   or user vector (PS.UM says which) and go to xtensa_level1(exccause, epc1,
 *   excvaddr) in arch.c, with every register it may clobber saved; rfe
 *   returns. PS.EXCM stays set meanwhile, so level-1 interrupts do not nest.
 *   Anything else (double exception, a high-level interrupt or NMI, which
 *   this program never enables) ends in xtensa_unexpected.
 */
#define PS_INTLEVEL_ALL 0x0F /* INTLEVEL 15, EXCM 0, UM 0: every interrupt masked */
#define FRAME           80   /* a0, a2-a15, SAR, EPC1: 17 words, 16-aligned */

    .section .reset, "ax"
    .global _reset
_reset:
    j       1f
    .align  4
2:  .word   _start
1:  l32r    a0, 2b
    jx      a0

    .section .vectors, "ax"
    .global xtensa_vectors
    .align  4
xtensa_vectors:
    .org    0x10                /* level 2: debug */
    movi    a2, 2
    j       unexpected
    .org    0x20                /* level 3: NMI */
    movi    a2, 3
    j       unexpected
    .org    0x30                /* kernel exception (PS.UM 0) */
    wsr     a0, excsave1
    j       level1
    .org    0x50                /* user exception (PS.UM 1) */
    wsr     a0, excsave1
    j       level1
    .org    0x70                /* double exception */
    movi    a2, 0x70
    j       unexpected

    /* The handlers' addresses, before their l32r (which reads backwards). */
    .align  4
handler_unexpected:
    .word   xtensa_unexpected
handler_level1:
    .word   xtensa_level1

unexpected:
    l32r    a0, handler_unexpected
    jx      a0

level1:
    addi    a1, a1, -FRAME
    s32i    a2, a1, 4
    s32i    a3, a1, 8
    s32i    a4, a1, 12
    s32i    a5, a1, 16
    s32i    a6, a1, 20
    s32i    a7, a1, 24
    s32i    a8, a1, 28
    s32i    a9, a1, 32
    s32i    a10, a1, 36
    s32i    a11, a1, 40
    s32i    a12, a1, 44
    s32i    a13, a1, 48
    s32i    a14, a1, 52
    s32i    a15, a1, 56
    rsr     a2, excsave1
    s32i    a2, a1, 0
    rsr     a2, sar
    s32i    a2, a1, 60
    rsr     a3, epc1
    s32i    a3, a1, 64
    rsr     a2, exccause
    rsr     a4, excvaddr
    l32r    a0, handler_level1
    callx0  a0
    l32i    a2, a1, 64
    wsr     a2, epc1
    l32i    a2, a1, 60
    wsr     a2, sar
    l32i    a0, a1, 0
    l32i    a2, a1, 4
    l32i    a3, a1, 8
    l32i    a4, a1, 12
    l32i    a5, a1, 16
    l32i    a6, a1, 20
    l32i    a7, a1, 24
    l32i    a8, a1, 28
    l32i    a9, a1, 32
    l32i    a10, a1, 36
    l32i    a11, a1, 40
    l32i    a12, a1, 44
    l32i    a13, a1, 48
    l32i    a14, a1, 52
    l32i    a15, a1, 56
    addi    a1, a1, FRAME
    rfe

    .text
    .global _start
    .type   _start, @function
    .align  4
_start:
    movi    a1, __stack
    movi    a2, PS_INTLEVEL_ALL
    wsr     a2, ps
    rsync
    movi    a2, xtensa_vectors
    wsr     a2, vecbase
    isync
    movi    a2, __bss_start     /* memset(__bss_start, 0, __bss_end - __bss_start) */
    movi    a3, 0
    movi    a4, __bss_end
    sub     a4, a4, a2
    movi    a0, memset
    callx0  a0
    movi    a0, __libc_init_array
    callx0  a0
    movi    a2, 0               /* main(0, NULL) */
    movi    a3, 0
    movi    a0, main
    callx0  a0
    movi    a0, exit            /* exit(main's status) */
    callx0  a0
1:  j       1b
    .size   _start, . - _start
