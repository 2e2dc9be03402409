/*
 * port_posix.c: the capheap port for Linux and other POSIX hosts.
 * Heap locks are one atomic word each (futex-backed on Linux); the critical
 * section is one process-wide lock of the same kind that nests; the log goes
 * to stdout (or the descriptor capheap_set_log_fd names), corruption reports
 * to stderr. Board memory: memory_posix.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __linux__
#include <linux/futex.h>
#include <sys/syscall.h>
#endif

#include "capheap.h"
#include "capheap/port.h"
#include "capheap_port_lock.h"

/* Locks come from a fixed pool so that creating one never calls malloc (the
 * preload library serves malloc itself). The lock itself, and its fast
 * halves: capheap_port_lock.h. */
#define LOCK_POOL 256

typedef capheap_posix_lock_t pool_lock_t;

static pool_lock_t pool[LOCK_POOL];

/* The pool changes in the critical section: one lock fewer to hold across a
 * fork (capheap_registry_hold_all). */
void *capheap_port_lock_create(void) {
    void *lock = NULL;
    capheap_port_critical_enter();
    for (size_t i = 0; i < LOCK_POOL && lock == NULL; i++) {
        if (!pool[i].in_use) {
            pool[i].in_use = 1;
            atomic_store_explicit(&pool[i].state, CAPHEAP_LOCK_FREE, memory_order_relaxed);
            lock = &pool[i];
        }
    }
    capheap_port_critical_exit();
    return lock;
}

void capheap_port_lock_delete(void *lock) {
    if (lock == NULL) {
        return;
    }
    capheap_port_critical_enter();
    ((pool_lock_t *)lock)->in_use = 0;
    capheap_port_critical_exit();
}

/* The futex calls keep errno as it was: they fail as a matter of course
 * (EAGAIN: the lock was given back before the wait), and malloc and free
 * must not change errno when they succeed (free must not at all: POSIX). */
static void sleep_while(_Atomic int *state, int value) {
#ifdef __linux__
    int saved = errno;
    syscall(SYS_futex, state, FUTEX_WAIT_PRIVATE, value, NULL, NULL, 0);
    errno = saved;
#else
    (void)state, (void)value;
    sched_yield();
#endif
}

/* Out of line (capheap_port_lock.h): the system calls need PIC set-up that
 * the fast path must not pay. */
void capheap_posix_lock_wake(capheap_posix_lock_t *lock) {
#ifdef __linux__
    int saved = errno; /* as sleep_while */
    syscall(SYS_futex, &lock->state, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    errno = saved;
#else
    (void)lock;
#endif
}

void capheap_posix_lock_wait(capheap_posix_lock_t *lock) {
    while (atomic_exchange_explicit(&lock->state, CAPHEAP_LOCK_WAITED, memory_order_acquire) != CAPHEAP_LOCK_FREE) {
        sleep_while(&lock->state, CAPHEAP_LOCK_WAITED);
    }
}

void capheap_port_lock_take(void *lock) { capheap_port_lock_take_inline(lock); }

void capheap_port_lock_give(void *lock) { capheap_port_lock_give_inline(lock); }

/* A thread-local object's address: one value per live thread, no set-up.
 * The child of a fork sees the same value in its thread as the thread that
 * forked saw. */
void *capheap_port_current_task(void) {
    static _Thread_local char self;
    return &self;
}

/* The critical section: a lock of the pool's kind, its owner and how deep
 * the owner is in it. Not a recursive pthread mutex: glibc lets only the
 * kernel thread that locked one unlock it, and the child of a fork runs on
 * another, so a child could never leave the section that the thread which
 * forked held across the fork (capheap_registry_hold_all, pthread_atfork).
 * The owner is read by other threads (only to see that it is not them), the
 * depth only by the owner. */
static capheap_posix_lock_t critical;
static _Atomic(void *) critical_owner;
static unsigned critical_depth;

void capheap_port_critical_enter(void) {
    void *self = capheap_port_current_task();
    if (atomic_load_explicit(&critical_owner, memory_order_relaxed) != self) {
        capheap_port_lock_take_inline(&critical);
        atomic_store_explicit(&critical_owner, self, memory_order_relaxed);
    }
    critical_depth++;
}

void capheap_port_critical_exit(void) {
    if (--critical_depth == 0) {
        atomic_store_explicit(&critical_owner, NULL, memory_order_relaxed);
        capheap_port_lock_give_inline(&critical);
    }
}

/* The thread's name (at most 15 characters on Linux), cut to len. */
static void thread_name(char *name, size_t len) {
    char full[16];
    if (len == 0) {
        return;
    }
    if (pthread_getname_np(pthread_self(), full, sizeof full) != 0) {
        full[0] = '\0';
    }
    size_t n = strnlen(full, sizeof full - 1);
    n = n < len - 1 ? n : len - 1;
    memcpy(name, full, n);
    name[n] = '\0';
}

#if defined(CAPHEAP_TASK_TRACKING) && CAPHEAP_TASK_TRACKING
#include "esp_heap_task_info.h"

/* A thread that allocated is deleted when it ends: its key's destructor
 * tells task tracking, with the task value kept as the key's value. */
static pthread_key_t task_end_key;
static pthread_once_t task_end_once = PTHREAD_ONCE_INIT;

static void task_ended(void *task) { capheap_task_stats_task_deleted((TaskHandle_t)task); }

static void task_end_key_make(void) { (void)pthread_key_create(&task_end_key, task_ended); }

/* Called at a thread's first allocation: also arms its end. */
void capheap_port_current_task_name(char *name, size_t len) {
    thread_name(name, len);
    (void)pthread_once(&task_end_once, task_end_key_make);
    (void)pthread_setspecific(task_end_key, capheap_port_current_task());
}
#else
void capheap_port_current_task_name(char *name, size_t len) { thread_name(name, len); }
#endif

static _Atomic int log_fd = STDOUT_FILENO;

int capheap_set_log_fd(int fd) { return atomic_exchange_explicit(&log_fd, fd, memory_order_relaxed); }

void capheap_port_log_write(const char *text, size_t len) {
    int fd = atomic_load_explicit(&log_fd, memory_order_relaxed);
    fflush(fd == STDOUT_FILENO ? stdout : stderr); /* the program's text before the log's */
    while (len > 0) {
        ssize_t n = write(fd, text, len);
        if (n <= 0) {
            return;
        }
        text += n;
        len -= (size_t)n;
    }
}

void capheap_port_stream_write(void *stream, const char *text, size_t len) {
    if (stream == NULL) {
        capheap_port_log_write(text, len);
    } else {
        (void)fwrite(text, 1, len, (FILE *)stream);
    }
}

static void write_stderr(const char *text, size_t len) {
    while (len > 0) {
        ssize_t n = write(STDERR_FILENO, text, len);
        if (n <= 0) {
            return;
        }
        text += n;
        len -= (size_t)n;
    }
}

void capheap_port_corruption(const void *addr, const char *what) {
    char line[256];
    int n = snprintf(line, sizeof line, "CORRUPT HEAP: %s at %p\n", what, addr);
    write_stderr(line, n > 0 && (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
    abort();
}

void capheap_port_abort(const char *why) {
    write_stderr("capheap: ", 9);
    size_t n = 0;
    while (why[n] != '\0') {
        n++;
    }
    write_stderr(why, n);
    write_stderr("\n", 1);
    abort();
}
