/*
 * count_probe.c: the program on which scripts/count-check.sh compares the
 * count_calls QEMU plugin with callgrind. Each counted function (probe_*)
 * leaves the plugin one case it must follow as callgrind does: calls and
 * returns at several depths, a tail call, an indirect call, recursion, calls
 * through the PLT into the C library, a string instruction repeated with a
 * rep prefix, an instruction that straddles a page boundary, and a function
 * that is entered again from outside after it returned. Arguments: how many
 * rounds; "longjmp" for a run that also leaves probe_jump by a longjmp, which
 * the plugin cannot follow and must report (count-check.sh).
 */
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROBE __attribute__((noinline, used))

static volatile unsigned sink;

PROBE static unsigned leaf(unsigned x) {
    for (unsigned i = 0; i < (x & 7u); i++) {
        sink += i;
    }
    return x * 2654435761u;
}

PROBE static unsigned recurse(unsigned depth) { return depth == 0 ? leaf(depth) : recurse(depth - 1) + 1; }

/* rep movsb: one instruction the CPU repeats n times. */
PROBE static void copy_bytes(void *dst, const void *src, size_t n) {
    __asm__ volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
}

PROBE unsigned probe_calls(unsigned x) { return leaf(x) + recurse(x & 15u) + leaf(x + 1); }

PROBE unsigned probe_tail(unsigned x) { return leaf(x ^ 0x55u); } /* gcc -O2 makes it a jmp */

static unsigned (*volatile indirect)(unsigned) = leaf;
PROBE unsigned probe_indirect(unsigned x) { return indirect(x) + 1; }

PROBE unsigned probe_libc(unsigned x) {
    char *p = malloc(16 + (x & 255u));
    if (p == NULL) {
        return 0;
    }
    memset(p, (int)x, 16);
    unsigned v = (unsigned char)p[3];
    free(p);
    return v;
}

PROBE unsigned probe_rep(unsigned x) {
    char from[64], to[64];
    memset(from, (int)x, sizeof from);
    copy_bytes(to, from, x & 63u);
    return (unsigned char)to[0];
}

/* Four one-byte instructions, then a five-byte one across the boundary of a
 * 4 KiB page (bytes 4093..4097 of an aligned block), then a return: QEMU's
 * translator ends a block before such an instruction unless it is the
 * block's first (count_calls.c says what that does to a count). The first
 * 4,089 bytes of the block are padding no one runs. Assembly that both x86
 * instruction sets read alike. */
unsigned probe_page(void);
__asm__(".pushsection .text.probe_page, \"ax\", @progbits\n"
        ".balign 4096\n"
        ".skip 4089, 0xcc\n"
        ".globl probe_page\n"
        ".type probe_page, @function\n"
        "probe_page:\n"
        "nop\n"
        "nop\n"
        "nop\n"
        "nop\n"
        "movl $1, %eax\n"
        "ret\n"
        ".size probe_page, . - probe_page\n"
        ".popsection\n");

static jmp_buf back;

PROBE static void jump_back(unsigned x) { longjmp(back, (int)(x | 1u)); }

/* Left by a longjmp from its callee, never by its return. */
PROBE unsigned probe_jump(unsigned x) {
    jump_back(x);
    return 0;
}

static void jump_once(unsigned x) {
    if (setjmp(back) == 0) {
        sink += probe_jump(x);
    }
}

int main(int argc, char **argv) {
    unsigned rounds = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 1000;
    unsigned x = 12345;
    if (argc > 2 && strcmp(argv[2], "longjmp") == 0) {
        jump_once(x);
    }
    for (unsigned i = 0; i < rounds; i++) {
        x = x * 1103515245u + 12345u;
        sink += probe_calls(x) + probe_tail(x) + probe_indirect(x) + probe_libc(x) + probe_rep(x) + probe_page();
    }
    printf("rounds=%u\n", rounds);
    return 0;
}
