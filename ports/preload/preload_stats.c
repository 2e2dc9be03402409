/*
 * preload_stats.c: counts of the malloc family's calls and the heap's state,
 * printed to stderr at exit when CAPHEAP_PRELOAD_STATS=1. Lines start with
 * "capheap-preload:" so that they are easy to tell from the program's own
 * output. Written with write(2): stdio may be torn down, or allocate.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "preload.h"

_Atomic bool capheap_preload_stats_on;
_Atomic size_t capheap_preload_stats[STAT_COUNT];

static size_t free_at_start;

/* Where the statistics go: a copy of stderr taken at start, because some
 * programs close stderr before they exit (coreutils do), and the file it
 * was, so that a descriptor the program has since closed and opened again on
 * a file of its own ("exec 3>file" in a shell) is never written. */
static int stats_fd = -1;
static dev_t stats_dev;
static ino_t stats_ino;

void capheap_preload_stats_begin(void) {
    const char *on = getenv("CAPHEAP_PRELOAD_STATS");
    bool wanted = on != NULL && strcmp(on, "1") == 0;
    atomic_store_explicit(&capheap_preload_stats_on, wanted, memory_order_relaxed);
    free_at_start = heap_caps_get_free_size(PRELOAD_MALLOC_CAPS);
    struct stat st;
    if (wanted && fstat(STDERR_FILENO, &st) == 0) {
        stats_dev = st.st_dev;
        stats_ino = st.st_ino;
        stats_fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 0);
    }
}

/* Whether fd is open on the file stderr was at start. */
static bool still_stderr(int fd) {
    struct stat st;
    return fd >= 0 && fstat(fd, &st) == 0 && st.st_dev == stats_dev && st.st_ino == stats_ino;
}

void capheap_preload_say(const char *text) {
    int fd = still_stderr(stats_fd) ? stats_fd : still_stderr(STDERR_FILENO) ? STDERR_FILENO : -1;
    size_t len = strlen(text);
    while (fd >= 0 && len > 0) {
        ssize_t n = write(fd, text, len);
        if (n <= 0) {
            return;
        }
        text += n;
        len -= (size_t)n;
    }
}

/* ---- a line of text ---------------------------------------------------- */

typedef struct {
    char buf[512];
    size_t len;
} line_t;

static void add_text(line_t *l, const char *s) {
    while (*s != '\0' && l->len < sizeof l->buf - 1) {
        l->buf[l->len++] = *s++;
    }
    l->buf[l->len] = '\0';
}

static void add_number(line_t *l, size_t v) {
    char digits[24];
    size_t n = sizeof digits - 1;
    digits[n] = '\0';
    do {
        digits[--n] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    add_text(l, digits + n);
}

/* " <value> <name>" */
static void add_field(line_t *l, size_t value, const char *name) {
    add_text(l, " ");
    add_number(l, value);
    add_text(l, " ");
    add_text(l, name);
}

static size_t stat_of(preload_stat_t s) { return atomic_load_explicit(&capheap_preload_stats[s], memory_order_relaxed); }

/* ---- at exit ----------------------------------------------------------- */

static void say_calls(void) {
    line_t l = {.len = 0};
    add_text(&l, "capheap-preload: pid");
    add_field(&l, (size_t)getpid(), "calls:");
    add_field(&l, stat_of(STAT_MALLOC), "malloc,");
    add_field(&l, stat_of(STAT_CALLOC), "calloc,");
    add_field(&l, stat_of(STAT_REALLOC), "realloc,");
    add_field(&l, stat_of(STAT_ALIGNED), "aligned,");
    add_field(&l, stat_of(STAT_FREE), "free,");
    add_field(&l, stat_of(STAT_FOREIGN), "foreign free,");
    add_field(&l, stat_of(STAT_REALIGNED), "realigned,");
    add_field(&l, stat_of(STAT_FAILED), "failed\n");
    capheap_preload_say(l.buf);
}

static void say_heap(void) {
    multi_heap_info_t info;
    heap_caps_get_info(&info, PRELOAD_MALLOC_CAPS);
    line_t l = {.len = 0};
    add_text(&l, "capheap-preload: pid");
    add_field(&l, (size_t)getpid(), "heap:");
    add_field(&l, heap_caps_get_total_size(PRELOAD_MALLOC_CAPS), "bytes,");
    add_field(&l, info.total_allocated_bytes, "in use in");
    add_field(&l, info.allocated_blocks, "blocks,");
    add_field(&l, free_at_start - info.minimum_free_bytes, "peak,");
    add_text(&l, heap_caps_check_integrity_all(true) ? " integrity ok\n" : " INTEGRITY FAILED\n");
    capheap_preload_say(l.buf);
}

/* At exit, after the program's own destructors and atexit functions, but
 * before those of the libraries loaded ahead of this one (the dynamic loader
 * runs destructors in the reverse order of the constructors, and this
 * library's constructor runs after theirs): a block such a library frees in
 * its destructor still counts as in use. */
__attribute__((destructor)) static void preload_stats_at_exit(void) {
    if (atomic_load_explicit(&capheap_preload_stats_on, memory_order_relaxed) &&
        atomic_load_explicit(&capheap_preload_state, memory_order_acquire) == PRELOAD_READY) {
        say_calls();
        say_heap();
    }
}
