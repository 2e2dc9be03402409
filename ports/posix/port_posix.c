/*
 * port_posix.c: the capheap port for Linux and other POSIX hosts.
 * Locks are pthread mutexes; the critical section is one process-wide
 * recursive mutex; output goes to stdout, corruption reports to stderr.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "capheap/port.h"

/* Locks come from a fixed pool so that creating one never calls malloc (the
 * preload library serves malloc itself). */
#define LOCK_POOL 256

typedef struct {
    pthread_mutex_t mutex;
    int in_use;
} pool_lock_t;

static pool_lock_t pool[LOCK_POOL];
static pthread_mutex_t pool_guard = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t critical = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;

void *capheap_port_lock_create(void) {
    void *lock = NULL;
    pthread_mutex_lock(&pool_guard);
    for (size_t i = 0; i < LOCK_POOL && lock == NULL; i++) {
        if (!pool[i].in_use && pthread_mutex_init(&pool[i].mutex, NULL) == 0) {
            pool[i].in_use = 1;
            lock = &pool[i];
        }
    }
    pthread_mutex_unlock(&pool_guard);
    return lock;
}

void capheap_port_lock_delete(void *lock) {
    if (lock == NULL) {
        return;
    }
    pool_lock_t *l = lock;
    pthread_mutex_lock(&pool_guard);
    pthread_mutex_destroy(&l->mutex);
    l->in_use = 0;
    pthread_mutex_unlock(&pool_guard);
}

void capheap_port_lock_take(void *lock) { pthread_mutex_lock(&((pool_lock_t *)lock)->mutex); }

void capheap_port_lock_give(void *lock) { pthread_mutex_unlock(&((pool_lock_t *)lock)->mutex); }

void capheap_port_critical_enter(void) { pthread_mutex_lock(&critical); }

void capheap_port_critical_exit(void) { pthread_mutex_unlock(&critical); }

void capheap_port_log_write(const char *text, size_t len) {
    fflush(stdout);
    while (len > 0) {
        ssize_t n = write(STDOUT_FILENO, text, len);
        if (n <= 0) {
            return;
        }
        text += n;
        len -= (size_t)n;
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
