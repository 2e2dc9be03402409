/*
 * timed_call.S: one call timed by the hart's retired-instruction counter,
 * minstret.
 *
 *   uint32_t bench_timed_call(void *fn, void *a0, size_t a1, void **result)
 *
 * Calls fn(a0, a1), stores its return value in *result and returns the
 * difference between a read of minstret just before the call and one just
 * after. In assembly so that nothing but the call sits between the two
 * reads: the span holds the call instruction, the callee and the second
 * read. QEMU's minstret follows virtual time under -icount (2^shift per
 * instruction; bench_churn.c converts), host time without it. The low word
 * suffices: a call takes far fewer than 2^32 counts, and the subtraction
 * wraps right.
 */
    .option push
    .option arch, +zicsr
    .text
    .global bench_timed_call
    .type   bench_timed_call, @function
    .align  2
bench_timed_call:
    addi    sp, sp, -16
    sw      ra, 12(sp)
    sw      s0, 8(sp)
    sw      s1, 4(sp)
    mv      s1, a3              /* result */
    mv      t0, a0              /* fn */
    mv      a0, a1
    mv      a1, a2
    csrr    s0, minstret
    jalr    t0
    csrr    t1, minstret
    sw      a0, 0(s1)
    sub     a0, t1, s0
    lw      ra, 12(sp)
    lw      s0, 8(sp)
    lw      s1, 4(sp)
    addi    sp, sp, 16
    ret
    .size   bench_timed_call, . - bench_timed_call

/* The calibration callee: one instruction. */
    .global bench_empty
    .type   bench_empty, @function
    .align  2
bench_empty:
    ret
    .size   bench_empty, . - bench_empty
    .option pop
