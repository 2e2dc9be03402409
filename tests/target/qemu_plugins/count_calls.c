/*
 * count_calls.c: a QEMU TCG plugin that counts the guest instructions executed
 * inside some functions of an x86 program (32- or 64-bit, under qemu-i386 or
 * qemu-x86_64), callees included: what `valgrind --tool=callgrind
 * --toggle-collect=FN` measures, for a machine on which valgrind cannot run
 * the program (a kernel without IA32 emulation runs -m32 programs only under
 * QEMU's emulator, and valgrind does not run there). scripts/bench-lib.sh
 * uses it when callgrind cannot run.
 *
 *   qemu-i386 -plugin count_calls.so,code=C,fn=NAME:ADDR:SIZE,...,plt=START:END,...,out=FILE PROGRAM ARGS
 *
 * ADDR, SIZE and C are read from the program's ELF file: a function's
 * address and size (nm -S) and the address of its first executable segment
 * (readelf -l); the PLT sections' spans (readelf -S: .plt, .plt.got,
 * .plt.sec). The plugin moves them by where QEMU loaded the program (where
 * that segment was put, less C), so position-independent programs work.
 * Up to MAX_FNS fn= arguments. At exit FILE receives one line per function,
 * "fn NAME INCLUSIVE SELF CALLS", and "total N", the sum of the inclusive
 * counts (every instruction counted).
 *
 * How "inside" is known without reading registers (QEMU 7.2's API cannot):
 * x86 ends a translation block at every call and return, so the plugin looks
 * at each block's last instruction. Counting starts at a block that begins at
 * a function's entry, with depth 0; a block ending in a call adds one, one
 * ending in a return takes one, and the return at depth 0 leaves the
 * function (that block counted). A tail call (jmp) is inside, as callgrind
 * counts it. Each iteration of a rep-prefixed string instruction executes its
 * block again, so it counts once per iteration, as callgrind counts it. SELF
 * counts the blocks that lie in the function itself, and the PLT stubs it
 * calls through, which callgrind gives to their caller (its --skip-plt).
 * A function reached while another is counted is counted in the outer one
 * only.
 *
 * The last instruction of a block is counted by a callback of its own, not
 * with the block: QEMU 7.2's x86 translator ends a block before an
 * instruction that would reach into another page, yet the plugin's view of
 * the block still lists that instruction (it runs again as the first of the
 * next block); an instruction so dropped never calls its callback. Counted
 * with the block, heap_caps_free of bench_caps -m32 came out one instruction
 * per call high where an instruction straddled a page boundary.
 *
 * What it cannot follow: a counted function left other than by its return (a
 * longjmp out of it, exit inside it) leaves the plugin counting what runs
 * after; when the program then ends with the function still open, FILE gets
 * a line "open NAME DEPTH", on which scripts/bench-lib.sh fails the count
 * (scripts/count-check.sh checks that a longjmp gives it). A signal handler
 * run inside a counted function is counted in it. One guest thread: the
 * state is not shared between vCPUs (the bench programs counted are
 * single-threaded and have none of these).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qemu_plugin_api.h"

int qemu_plugin_version = 1;

#define MAX_FNS 8
#define MAX_PLTS 4

typedef struct {
    char name[64];
    uint64_t addr, size; /* as in the ELF file; moved by load_bias */
    uint64_t inclusive, self, calls;
} counted_fn_t;

static counted_fn_t fns[MAX_FNS];
static int fn_count;
static struct {
    uint64_t start, end; /* as in the ELF file; moved by load_bias */
} plts[MAX_PLTS];
static int plt_count;
static uint64_t elf_code;
static const char *out_path;

static bool bias_known;
static uint64_t load_bias;

enum block_end { END_OTHER, END_CALL, END_RETURN };

/* What the exec callback needs of one translation block, computed once. */
typedef struct {
    uint32_t insns;
    uint8_t end;    /* enum block_end */
    int8_t entry_of; /* index of the function the block starts, or -1 */
    int8_t within;   /* index of the function the block lies in, or -1 */
    bool in_plt;
} block_info_t;

static int active = -1; /* the function being counted, or -1 */
static int64_t depth;
static bool called_from_self; /* the last call at depth 0 was the function's own */

/* The kind of control transfer an instruction is: its legacy and REX
 * prefixes skipped (in 32-bit code 0x40..0x4F are one-byte instructions, so
 * the skip runs off the end of the instruction and finds nothing). */
static enum block_end end_of(const uint8_t *code, size_t size) {
    size_t i = 0;
    while (i < size && (code[i] == 0x66 || code[i] == 0x67 || code[i] == 0xF2 || code[i] == 0xF3 ||
                        code[i] == 0x2E || code[i] == 0x3E || code[i] == 0x26 || code[i] == 0x36 ||
                        code[i] == 0x64 || code[i] == 0x65 || (code[i] & 0xF0) == 0x40)) {
        i++;
    }
    if (i >= size) {
        return END_OTHER;
    }
    uint8_t op = code[i];
    if (op == 0xE8 || op == 0x9A) {
        return END_CALL;
    }
    if (op == 0xFF && i + 1 < size) {
        unsigned reg = (code[i + 1] >> 3) & 7; /* FF /2 near call, FF /3 far call */
        return reg == 2 || reg == 3 ? END_CALL : END_OTHER;
    }
    if (op == 0xC3 || op == 0xC2 || op == 0xCB || op == 0xCA) {
        return END_RETURN;
    }
    return END_OTHER;
}

static int fn_starting_at(uint64_t vaddr) {
    for (int i = 0; i < fn_count; i++) {
        if (fns[i].addr + load_bias == vaddr) {
            return i;
        }
    }
    return -1;
}

static int fn_containing(uint64_t vaddr) {
    for (int i = 0; i < fn_count; i++) {
        uint64_t start = fns[i].addr + load_bias;
        if (vaddr >= start && vaddr < start + fns[i].size) {
            return i;
        }
    }
    return -1;
}

static bool in_plt(uint64_t vaddr) {
    for (int i = 0; i < plt_count; i++) {
        if (vaddr >= plts[i].start + load_bias && vaddr < plts[i].end + load_bias) {
            return true;
        }
    }
    return false;
}

/* n instructions of block b ran in the function being counted. */
static void add(const block_info_t *b, uint32_t n) {
    fns[active].inclusive += n;
    if (b->within == active || (b->in_plt && depth == 1 && called_from_self)) {
        fns[active].self += n;
    }
}

/* At the start of a block: all its instructions but the last. */
static void on_block(unsigned int vcpu, void *user) {
    (void)vcpu;
    const block_info_t *b = user;
    if (active < 0) {
        if (b->entry_of < 0) {
            return;
        }
        active = b->entry_of;
        depth = 0;
        fns[active].calls++;
    }
    add(b, b->insns - 1);
}

/* Before the block's last instruction: it, and the call or return it makes. */
static void on_last_insn(unsigned int vcpu, void *user) {
    (void)vcpu;
    const block_info_t *b = user;
    if (active < 0) {
        return;
    }
    add(b, 1);
    bool self = b->within == active;
    if (b->end == END_CALL) {
        if (depth == 0) {
            called_from_self = self;
        }
        depth++;
    } else if (b->end == END_RETURN && depth-- == 0) {
        active = -1;
    }
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
    (void)id;
    if (!bias_known) { /* the program is loaded by the time its first block is translated */
        load_bias = qemu_plugin_start_code() - elf_code;
        bias_known = true;
    }
    size_t n = qemu_plugin_tb_n_insns(tb);
    block_info_t *b = calloc(1, sizeof *b); /* kept while QEMU may run the block */
    if (b == NULL || n == 0) {
        fprintf(stderr, "count_calls: out of memory\n");
        abort();
    }
    struct qemu_plugin_insn *last = qemu_plugin_tb_get_insn(tb, n - 1);
    b->insns = (uint32_t)n;
    b->end = (uint8_t)end_of(qemu_plugin_insn_data(last), qemu_plugin_insn_size(last));
    b->entry_of = (int8_t)fn_starting_at(qemu_plugin_tb_vaddr(tb));
    b->within = (int8_t)fn_containing(qemu_plugin_tb_vaddr(tb));
    b->in_plt = in_plt(qemu_plugin_tb_vaddr(tb));
    qemu_plugin_register_vcpu_tb_exec_cb(tb, on_block, QEMU_PLUGIN_CB_NO_REGS, b);
    qemu_plugin_register_vcpu_insn_exec_cb(last, on_last_insn, QEMU_PLUGIN_CB_NO_REGS, b);
}

static void on_qemu_exit(qemu_plugin_id_t id, void *user) {
    (void)id;
    (void)user;
    FILE *f = fopen(out_path, "w");
    if (f == NULL) {
        return; /* no report: the script fails the run for it */
    }
    uint64_t total = 0;
    for (int i = 0; i < fn_count; i++) {
        fprintf(f, "fn %s %" PRIu64 " %" PRIu64 " %" PRIu64 "\n", fns[i].name, fns[i].inclusive, fns[i].self,
                fns[i].calls);
        total += fns[i].inclusive;
    }
    fprintf(f, "total %" PRIu64 "\n", total);
    if (active >= 0) {
        fprintf(f, "open %s %" PRId64 "\n", fns[active].name, depth);
    }
    fclose(f);
}

/* "START:END" */
static bool parse_plt(const char *text) {
    char *end;
    if (plt_count == MAX_PLTS) {
        return false;
    }
    plts[plt_count].start = strtoull(text, &end, 0);
    if (*end != ':') {
        return false;
    }
    plts[plt_count].end = strtoull(end + 1, &end, 0);
    if (*end != '\0' || plts[plt_count].end <= plts[plt_count].start) {
        return false;
    }
    plt_count++;
    return true;
}

/* "NAME:ADDR:SIZE" */
static bool parse_fn(const char *text) {
    const char *colon = strchr(text, ':');
    if (colon == NULL || colon == text || (size_t)(colon - text) >= sizeof fns[0].name || fn_count == MAX_FNS) {
        return false;
    }
    counted_fn_t *fn = &fns[fn_count];
    char *end;
    fn->addr = strtoull(colon + 1, &end, 0);
    if (*end != ':') {
        return false;
    }
    fn->size = strtoull(end + 1, &end, 0);
    if (*end != '\0' || fn->size == 0) {
        return false;
    }
    memcpy(fn->name, text, (size_t)(colon - text));
    fn_count++;
    return true;
}

EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv) {
    (void)info;
    bool have_code = false;
    for (int i = 0; i < argc; i++) {
        char *end;
        if (strncmp(argv[i], "fn=", 3) == 0 && parse_fn(argv[i] + 3)) {
            continue;
        }
        if (strncmp(argv[i], "plt=", 4) == 0 && parse_plt(argv[i] + 4)) {
            continue;
        }
        if (strncmp(argv[i], "code=", 5) == 0) {
            elf_code = strtoull(argv[i] + 5, &end, 0);
            if (*end == '\0' && end != argv[i] + 5) {
                have_code = true;
                continue;
            }
        }
        if (strncmp(argv[i], "out=", 4) == 0 && argv[i][4] != '\0') {
            out_path = argv[i] + 4;
            continue;
        }
        fprintf(stderr, "count_calls: bad argument '%s' (code=C, fn=NAME:ADDR:SIZE, plt=START:END, out=FILE)\n", argv[i]);
        return -1;
    }
    if (fn_count == 0 || !have_code || out_path == NULL) {
        fprintf(stderr, "count_calls: give code=C, fn=NAME:ADDR:SIZE and out=FILE\n");
        return -1;
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
    qemu_plugin_register_atexit_cb(id, on_qemu_exit, NULL);
    return 0;
}
