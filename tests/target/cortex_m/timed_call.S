/*
 * timed_call.S: one call timed by the CMSDK TIMER0 of QEMU's mps2 boards.
 *
 *   uint32_t bench_timed_call(void *fn, void *a0, size_t a1, void **result)
 *
 * Calls fn(a0, a1), stores its return value in *result and returns the timer
 * ticks between a read just before the call and one just after. In assembly
 * so that nothing but the call sits between the two reads: the span holds the
 * call instruction, the callee and the second load. Under -icount shift=7 a
 * tick is 40 ns and an instruction 128 ns; see bench_churn.c for the
 * conversion.
 */
    .syntax unified
    .thumb
    .text
    .global bench_timed_call
    .type bench_timed_call, %function
    .thumb_func
bench_timed_call:
    push {r3, r4, r5, r6, r7, lr}  /* six words: the stack stays 8-byte aligned */
    mov r4, r0
    mov r5, r3
    ldr r6, =0x40000004            /* TIMER0 VALUE, counting down */
    mov r0, r1
    mov r1, r2
    ldr r7, [r6]
    blx r4
    ldr r2, [r6]
    str r0, [r5]
    subs r0, r7, r2
    pop {r3, r4, r5, r6, r7, pc}
    .size bench_timed_call, . - bench_timed_call

/* The calibration callee: one instruction. */
    .global bench_empty
    .type bench_empty, %function
    .thumb_func
bench_empty:
    bx lr
    .size bench_empty, . - bench_empty
    .ltorg
