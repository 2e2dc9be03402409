/*
 * memory_posix.c: a board's memory on a POSIX host (capheap_port_memory_map).
 *
 * Each range is anonymous memory mapped at the chip's own address with
 * MAP_FIXED_NOREPLACE, so that pointers, range checks and bus-alias arithmetic
 * are those of the chip. A range with a mirror (a linear bus alias) is a memfd
 * mapped twice, so both windows share pages. When an address is taken (by the
 * program, a sanitizer, valgrind), the whole board moves by one offset into a
 * free part of the address space, so the board's layout stays the same.
 *
 * Under AddressSanitizer on i386, 0x28000000-0x3FFFFFFF is ASan's shadow
 * memory: mapping there succeeds and then ASan reports nonsense, so such a
 * build always moves the board.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "capheap/port.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000 /* Linux 4.17; older kernels take it as a hint (checked below) */
#endif

/* A moved board keeps the chip's addresses modulo this. */
#define RELOCATION_ALIGN ((uintptr_t)16 << 20)
#define RELOCATION_TRIES 4

#if defined(__SANITIZE_ADDRESS__)
#define ADDRESS_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ADDRESS_SANITIZER 1
#endif
#endif
#ifndef ADDRESS_SANITIZER
#define ADDRESS_SANITIZER 0
#endif

static void extent(const capheap_port_range_t *ranges, size_t n, uintptr_t *lo, uintptr_t *hi);

/* The lowest address the kernel lets a program map (vm.mmap_min_addr, 64 KiB
 * on most Linux systems). Chips with memory at 0 (Cortex-M ITCM) must move:
 * and trying would not only fail, ThreadSanitizer stops the program on it. */
static uintptr_t lowest_mappable(void) {
    uintptr_t lowest = 65536;
#ifdef __linux__
    int fd = open("/proc/sys/vm/mmap_min_addr", O_RDONLY | O_CLOEXEC);
    char text[32] = {0};
    if (fd >= 0 && read(fd, text, sizeof text - 1) > 0) {
        lowest = (uintptr_t)strtoul(text, NULL, 10);
    }
    if (fd >= 0) {
        close(fd);
    }
#endif
    return lowest;
}

static bool must_relocate(const capheap_port_range_t *ranges, size_t n) {
    uintptr_t lo, hi;
    extent(ranges, n, &lo, &hi);
    return (ADDRESS_SANITIZER && sizeof(void *) == 4) || lo < lowest_mappable();
}

/* Maps [addr, addr + size) from fd (anonymous when fd < 0), only there. */
static bool map_at(uintptr_t addr, size_t size, int fd) {
    int flags = MAP_FIXED_NOREPLACE | (fd < 0 ? MAP_PRIVATE | MAP_ANONYMOUS : MAP_SHARED);
    void *p = mmap((void *)addr, size, PROT_READ | PROT_WRITE, flags, fd, 0);
    if (p == MAP_FAILED) {
        return false;
    }
    if ((uintptr_t)p != addr) {
        munmap(p, size);
        return false;
    }
    return true;
}

static bool map_mirrored(uintptr_t addr, uintptr_t mirror, size_t size) {
    int fd = memfd_create("capheap-board", MFD_CLOEXEC);
    if (fd < 0) {
        return false;
    }
    bool ok = ftruncate(fd, (off_t)size) == 0 && map_at(addr, size, fd);
    if (ok && !map_at(mirror, size, fd)) {
        munmap((void *)addr, size);
        ok = false;
    }
    close(fd); /* the mappings keep the memory */
    return ok;
}

static bool map_range(const capheap_port_range_t *r, intptr_t offset) {
    uintptr_t at = r->start + (uintptr_t)offset;
    return r->mirror == 0 ? map_at(at, r->size, -1) : map_mirrored(at, r->mirror + (uintptr_t)offset, r->size);
}

static void unmap_range(const capheap_port_range_t *r, intptr_t offset) {
    munmap((void *)(r->start + (uintptr_t)offset), r->size);
    if (r->mirror != 0) {
        munmap((void *)(r->mirror + (uintptr_t)offset), r->size);
    }
}

static bool map_all(const capheap_port_range_t *ranges, size_t n, intptr_t offset) {
    for (size_t i = 0; i < n; i++) {
        if (!map_range(&ranges[i], offset)) {
            capheap_port_memory_unmap(ranges, i, offset);
            return false;
        }
    }
    return true;
}

/* Lowest and highest address the ranges and their mirrors cover. */
static void extent(const capheap_port_range_t *ranges, size_t n, uintptr_t *lo, uintptr_t *hi) {
    *lo = UINTPTR_MAX;
    *hi = 0;
    for (size_t i = 0; i < n; i++) {
        uintptr_t starts[2] = {ranges[i].start, ranges[i].mirror != 0 ? ranges[i].mirror : ranges[i].start};
        for (int k = 0; k < 2; k++) {
            *lo = starts[k] < *lo ? starts[k] : *lo;
            *hi = starts[k] + ranges[i].size > *hi ? starts[k] + ranges[i].size : *hi;
        }
    }
}

/* Asks the kernel for a free stretch as large as the board, then maps the
 * board there (another thread may take it meanwhile: try again). */
static bool map_relocated(const capheap_port_range_t *ranges, size_t n, intptr_t *offset) {
    uintptr_t lo, hi;
    extent(ranges, n, &lo, &hi);
    size_t span = hi - lo + 2 * RELOCATION_ALIGN;
    for (int attempt = 0; attempt < RELOCATION_TRIES; attempt++) {
        void *hole = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (hole == MAP_FAILED) {
            return false;
        }
        /* base keeps lo's bits below RELOCATION_ALIGN: the offset is a multiple of it */
        uintptr_t base = ((uintptr_t)hole + RELOCATION_ALIGN - 1) & ~(RELOCATION_ALIGN - 1);
        base += lo & (RELOCATION_ALIGN - 1);
        munmap(hole, span);
        intptr_t moved = (intptr_t)(base - lo);
        if (map_all(ranges, n, moved)) {
            *offset = moved;
            return true;
        }
    }
    return false;
}

bool capheap_port_memory_map(const capheap_port_range_t *ranges, size_t n, intptr_t *offset) {
    if ((size_t)sysconf(_SC_PAGESIZE) > 4096) {
        return false; /* ranges come in 4 KiB pages */
    }
    if (!must_relocate(ranges, n) && map_all(ranges, n, 0)) {
        *offset = 0;
        return true;
    }
    return map_relocated(ranges, n, offset);
}

void capheap_port_memory_unmap(const capheap_port_range_t *ranges, size_t n, intptr_t offset) {
    for (size_t i = 0; i < n; i++) {
        unmap_range(&ranges[i], offset);
    }
}
