/*
 * vectors.S: the Cortex-M vector table for the target tests, placed at
 * address 0 by the linker script (QEMU's mps2 boards boot from VTOR = 0).
 * Entry 0 is the initial stack pointer, entry 1 the reset handler; every
 * fault goes to one entry that reports and exits through semihosting (a bkpt
 * in a fault handler would lock QEMU up).
 */
    .syntax unified
    .thumb

    .section .vectors, "a", %progbits
    .global cortex_m_vectors
    .type cortex_m_vectors, %object
cortex_m_vectors:
    .word __stack                   /*  0 initial SP */
    .word Reset_Handler             /*  1 reset */
    .word cortex_m_fault_entry      /*  2 NMI */
    .word cortex_m_fault_entry      /*  3 HardFault */
    .word cortex_m_fault_entry      /*  4 MemManage */
    .word cortex_m_fault_entry      /*  5 BusFault */
    .word cortex_m_fault_entry      /*  6 UsageFault */
    .word cortex_m_fault_entry      /*  7 SecureFault (v8-M) */
    .word 0, 0, 0                   /*  8-10 reserved */
    .word cortex_m_fault_entry      /* 11 SVCall: the tests make none */
    .word cortex_m_fault_entry      /* 12 DebugMonitor */
    .word 0                         /* 13 reserved */
    .word PendSV_Handler            /* 14 PendSV: the tests' software interrupt */
    .word SysTick_Handler           /* 15 SysTick: the tests' timer interrupt */
    .rept 96                        /* 16+ device interrupts: none is enabled */
    .word cortex_m_fault_entry
    .endr
    .size cortex_m_vectors, . - cortex_m_vectors

/* Hands the C reporter the exception frame and the exception number. The
 * tests run on the main stack only, so MSP holds the frame. */
    .text
    .global cortex_m_fault_entry
    .type cortex_m_fault_entry, %function
    .thumb_func
cortex_m_fault_entry:
    mrs r0, msp
    mrs r1, ipsr
    b cortex_m_fault_report
    .size cortex_m_fault_entry, . - cortex_m_fault_entry
