/*
 * word_only.c: a QEMU TCG plugin that checks that the guest reaches some
 * address ranges only with aligned 32-bit loads and stores, as the ESP32's
 * and ESP8266's instruction RAM demand (a byte or half-word access there is a
 * LoadStoreError exception on the chip; QEMU's models let it pass). An
 * access of whole aligned words (8 or 16 bytes at a multiple of 4, which a
 * 64-bit host or its vector instructions make where the chip would make
 * several word accesses) counts as words: the rule is that address and size
 * are multiples of 4. The same plugin runs under qemu-system-xtensa (the
 * target tests) and under qemu-x86_64 or qemu-i386 (a host program over the
 * host model of a chip: scripts/word-only.sh).
 *
 *   qemu-system-xtensa ... -plugin word_only.so,range=0x40070000:0x400C0000,out=FILE
 *
 * Up to MAX_RANGES "range=START:END" arguments (END excluded); "out=FILE"
 * receives the report when QEMU exits: the number of accesses seen in the
 * ranges and of those that were not aligned words, with the first few of
 * them (the instruction's address, load or store, size, data address).
 * scripts/target-run.sh --word-only reads it.
 *
 * QEMU's API: qemu_plugin_api.h.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qemu_plugin_api.h"

int qemu_plugin_version = 1;

/* ---- the check ------------------------------------------------------------ */

#define MAX_RANGES 8
#define MAX_NOTED  16

static struct {
    uint64_t start, end;
} ranges[MAX_RANGES];
static int range_count;
static const char *out_path;

/* One guest core here (the sim machine): the counters need no lock. */
static uint64_t accesses, violations;
static struct {
    uint64_t pc, vaddr;
    unsigned size;
    bool store;
} noted[MAX_NOTED];

static bool in_ranges(uint64_t vaddr) {
    for (int i = 0; i < range_count; i++) {
        if (vaddr >= ranges[i].start && vaddr < ranges[i].end) {
            return true;
        }
    }
    return false;
}

static void on_access(unsigned int vcpu, qemu_plugin_meminfo_t info, uint64_t vaddr, void *pc) {
    (void)vcpu;
    if (!in_ranges(vaddr)) {
        return;
    }
    accesses++;
    unsigned size = 1u << qemu_plugin_mem_size_shift(info);
    if (size % 4 == 0 && vaddr % 4 == 0) {
        return;
    }
    if (violations < MAX_NOTED) {
        noted[violations].pc = (uint64_t)(uintptr_t)pc;
        noted[violations].vaddr = vaddr;
        noted[violations].size = size;
        noted[violations].store = qemu_plugin_mem_is_store(info);
    }
    violations++;
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
    (void)id;
    size_t n = qemu_plugin_tb_n_insns(tb);
    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        void *pc = (void *)(uintptr_t)qemu_plugin_insn_vaddr(insn);
        qemu_plugin_register_vcpu_mem_cb(insn, on_access, QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_MEM_RW, pc);
    }
}

static void on_qemu_exit(qemu_plugin_id_t id, void *user) {
    (void)id;
    (void)user;
    FILE *f = fopen(out_path, "w");
    if (f == NULL) {
        return; /* no report: the runner fails the run for it */
    }
    fprintf(f, "word-only ranges: %" PRIu64 " accesses, %" PRIu64 " not aligned 32-bit\n", accesses, violations);
    for (uint64_t i = 0; i < violations && i < MAX_NOTED; i++) {
        fprintf(f, "  pc 0x%08" PRIx64 ": %u-byte %s at 0x%08" PRIx64 "\n", noted[i].pc, noted[i].size,
                noted[i].store ? "store" : "load", noted[i].vaddr);
    }
    fclose(f);
}

static bool parse_range(const char *text) {
    char *end;
    uint64_t start = strtoull(text, &end, 0);
    if (*end != ':' || range_count == MAX_RANGES) {
        return false;
    }
    uint64_t stop = strtoull(end + 1, &end, 0);
    if (*end != '\0' || stop <= start) {
        return false;
    }
    ranges[range_count].start = start;
    ranges[range_count++].end = stop;
    return true;
}

EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv) {
    (void)info;
    for (int i = 0; i < argc; i++) {
        if (strncmp(argv[i], "range=", 6) == 0 && parse_range(argv[i] + 6)) {
            continue;
        }
        if (strncmp(argv[i], "out=", 4) == 0 && argv[i][4] != '\0') {
            out_path = argv[i] + 4;
            continue;
        }
        fprintf(stderr, "word_only: bad argument '%s' (range=START:END, out=FILE)\n", argv[i]);
        return -1;
    }
    if (range_count == 0 || out_path == NULL) {
        fprintf(stderr, "word_only: give range=START:END and out=FILE\n");
        return -1;
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
    qemu_plugin_register_atexit_cb(id, on_qemu_exit, NULL);
    return 0;
}
