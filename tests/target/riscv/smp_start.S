/*
 * smp_start.S: the entry of two-hart RV32 test programs (linked with
 * -nostartfiles instead of picolibc's crt0, which assumes one hart). QEMU
 * virt starts every hart at the start of RAM, where picolibc's linker script
 * puts .text.init.enter. Hart 0 takes the start-up stack at __stack and runs
 * the C start-up (smp_boot_primary in smp.c); hart 1 waits, without touching
 * memory but smp_go, until hart 0 writes SMP_GO_MAGIC there, then takes its
 * own stack and runs smp_boot_second. Any further hart sleeps for ever.
 */
    .option push
    .option arch, +zicsr

    .equ SMP_GO_MAGIC, 0x5a17c0de
    .equ SMP_STACK_SIZE, 8192

    .section .text.init.enter, "ax", @progbits
    .balign 4
    .global _start
    .type _start, @function
_start:
    .option push
    .option norelax
    la gp, __global_pointer$
    .option pop
    la t0, riscv_trap_entry
    csrw mtvec, t0
    csrr t0, mhartid
    bnez t0, 1f
    la sp, __stack
    call smp_boot_primary       /* never returns */
1:  li t1, 1
    bne t0, t1, 3f
    la t1, smp_go
2:  lw t2, 0(t1)                /* RAM is zero at reset, and hart 0's clearing of .bss writes zero */
    li t3, SMP_GO_MAGIC
    bne t2, t3, 2b
    fence r, rw                 /* what hart 0 wrote before the magic is seen after it */
    la sp, smp_second_stack + SMP_STACK_SIZE
    call smp_boot_second        /* never returns */
3:  wfi
    j 3b
    .size _start, . - _start

    .bss
    .balign 16
    .global smp_second_stack
smp_second_stack:
    .skip SMP_STACK_SIZE

    .option pop
