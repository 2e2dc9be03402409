/*
 * timed_call.S: one call timed by the core's cycle counter, CCOUNT.
 *
 *   uint32_t bench_timed_call(void *fn, void *a0, size_t a1, void **result)
 *
 * Calls fn(a0, a1), stores its return value in *result and returns the
 * cycles between a read of CCOUNT just before the call and one just after.
 * In assembly so that nothing but the call sits between the two reads: the
 * span holds the call instruction, the callee and the second read. Under
 * -icount shift=7 an instruction is 128 ns and a cycle of QEMU's lx106 25 ns;
 * see bench_churn.c for the conversion. call0 ABI: arguments in a2-a5, the
 * result in a2, a12-a15 kept for the caller.
 */
    .text
    .global bench_timed_call
    .type   bench_timed_call, @function
    .align  4
bench_timed_call:
    addi    a1, a1, -16
    s32i    a0, a1, 0
    s32i    a12, a1, 4
    s32i    a13, a1, 8
    s32i    a14, a1, 12
    mov     a12, a5             /* result */
    mov     a14, a2             /* fn */
    mov     a2, a3
    mov     a3, a4
    rsr     a13, ccount
    callx0  a14
    rsr     a4, ccount
    s32i    a2, a12, 0
    sub     a2, a4, a13         /* CCOUNT counts up */
    l32i    a0, a1, 0
    l32i    a12, a1, 4
    l32i    a13, a1, 8
    l32i    a14, a1, 12
    addi    a1, a1, 16
    ret
    .size   bench_timed_call, . - bench_timed_call

/* The calibration callee: one instruction. */
    .global bench_empty
    .type   bench_empty, @function
    .align  4
bench_empty:
    ret
    .size   bench_empty, . - bench_empty
