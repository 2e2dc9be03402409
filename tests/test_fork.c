/*
 * test_fork.c: a fork while another thread is inside capheap. A child
 * inherits every lock as it was at the fork; with the handlers of
 * capheap_register_fork_handlers (which the preload library registers too),
 * the fork waits until no other thread holds the critical section, a heap's
 * lock or task tracking's, and the child can then allocate, free and enter
 * the critical section. A child or parent that hangs is stopped by an
 * alarm, which fails the test.
 *
 * The thread that holds a lock lets it go only once the fork has begun (a
 * prepare handler registered after the library's runs before it and tells
 * the thread), and then only after a pause: without the handlers, the fork
 * would be over by then and the child would have inherited the lock held.
 */
#define _POSIX_C_SOURCE 200809L
#include "caps_test.h"

#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <time.h>

#include "task_stats.h"

/* Under ThreadSanitizer, a child inherits its record of the parent's threads
 * and, at its exit, reports the holder thread (joined by the parent only) as
 * leaked, which fails the child. */
#if defined(__SANITIZE_THREAD__)
const char *__tsan_default_options(void);
const char *__tsan_default_options(void) { return "report_thread_leaks=0"; }
#endif

/* The pause between the start of the fork and the holder's release. */
#define HOLD_AFTER_FORK_BEGINS_NS 50000000L
/* A child, or a fork in the parent, that takes longer than this is taken to hang. */
#define CHILD_SECONDS 10u

static sem_t lock_held;      /* the holder holds its lock */
static sem_t fork_begins;    /* a fork is under way: the holder may let go */
static atomic_bool announce; /* the next fork tells the holder */

/* Registered after the library's prepare handler, so run before it. */
static void announce_fork(void) {
    if (atomic_exchange(&announce, false)) {
        sem_post(&fork_begins);
    }
}

static int setup_handlers(void **state) {
    (void)state;
    sem_init(&lock_held, 0, 0);
    sem_init(&fork_begins, 0, 0);
    /* Called twice, as two parts of a program might: registered once, or each
     * fork's prepare would take every heap lock twice and hang (the alarm). */
    if (capheap_register_fork_handlers() != ESP_OK || capheap_register_fork_handlers() != ESP_OK) {
        return -1;
    }
    pthread_atfork(announce_fork, NULL, NULL);
    return 0;
}

/* What the holder holds: the lock, and the calls that take and give it. */
typedef struct {
    void (*take)(void *lock);
    void (*give)(void *lock);
    void *lock;
} held_lock_t;

static void *hold_across_fork(void *arg) {
    const held_lock_t *h = arg;
    h->take(h->lock);
    sem_post(&lock_held);
    sem_wait(&fork_begins);
    nanosleep(&(struct timespec){0, HOLD_AFTER_FORK_BEGINS_NS}, NULL);
    h->give(h->lock);
    return NULL;
}

/* In the child: what a program does after a fork, each step taking one of
 * the locks that the holder held in the parent. */
static void child_uses_capheap(void) {
    alarm(CHILD_SECONDS);
    capheap_port_critical_enter();
    capheap_port_critical_exit();
    for (size_t i = 0; i < 64; i++) {
        void *p = heap_caps_malloc(100 + i, MALLOC_CAP_8BIT);
        void *q = heap_caps_malloc(100 + i, MALLOC_CAP_32BIT | MALLOC_CAP_EXEC);
        if (p == NULL || q == NULL) {
            _exit(2);
        }
        heap_caps_free(p);
        heap_caps_free(q);
    }
    _exit(heap_caps_check_integrity_all(false) ? 0 : 3);
}

/* Forks while a thread holds h; the child must end well. */
static void fork_while_held(held_lock_t *h) {
    pthread_t holder;
    atomic_store(&announce, true);
    assert_int_equal(pthread_create(&holder, NULL, hold_across_fork, h), 0);
    sem_wait(&lock_held);
    fflush(stdout);
    alarm(CHILD_SECONDS);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        child_uses_capheap();
    }
    int status = -1;
    assert_int_equal(waitpid(child, &status, 0), child);
    alarm(0);
    assert_int_equal(pthread_join(holder, NULL), 0);
    if (WIFSIGNALED(status)) {
        fail_msg("the child was stopped by signal %d (SIGALRM: it hung on a lock held at the fork)", WTERMSIG(status));
    }
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

static void enter_critical(void *unused) {
    (void)unused;
    capheap_port_critical_enter();
}

static void exit_critical(void *unused) {
    (void)unused;
    capheap_port_critical_exit();
}

static void fork_while_a_thread_is_in_the_critical_section(void **state) {
    (void)state;
    held_lock_t h = {enter_critical, exit_critical, NULL};
    fork_while_held(&h);
}

/* The lock of every heap that serves 8BIT or EXEC requests, one at a time. */
static void fork_while_a_thread_holds_a_heap_lock(void **state) {
    (void)state;
    size_t tested = 0;
    for (size_t i = 0; i < capheap_registry_count(); i++) {
        capheap_heap_t *heap = capheap_registry_at(i);
        if (heap->lock != NULL) {
            held_lock_t h = {capheap_port_lock_take, capheap_port_lock_give, heap->lock};
            fork_while_held(&h);
            tested++;
        }
    }
    assert_true(tested >= 2);
}

#if defined(CAPHEAP_TASK_TRACKING) && CAPHEAP_TASK_TRACKING
static void take_accounts(void *unused) {
    (void)unused;
    capheap_task_stats_hold(true);
}

static void give_accounts(void *unused) {
    (void)unused;
    capheap_task_stats_hold(false);
}

/* Task tracking's accounts have a lock of their own, taken under a heap's. */
static void fork_while_a_thread_holds_the_task_accounts(void **state) {
    (void)state;
    held_lock_t h = {take_accounts, give_accounts, NULL};
    fork_while_held(&h);
}
#endif

/* The critical section nests: a thread that forks from inside it (holding
 * it already) still forks, and its child gets out of it. */
static void fork_from_inside_the_critical_section(void **state) {
    (void)state;
    capheap_port_critical_enter();
    fflush(stdout);
    alarm(CHILD_SECONDS);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        capheap_port_critical_exit();
        child_uses_capheap();
    }
    capheap_port_critical_exit();
    int status = -1;
    assert_int_equal(waitpid(child, &status, 0), child);
    alarm(0);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(fork_while_a_thread_is_in_the_critical_section, caps_setup_esp32,
                                        caps_teardown),
        cmocka_unit_test_setup_teardown(fork_while_a_thread_holds_a_heap_lock, caps_setup_esp32, caps_teardown),
        cmocka_unit_test_setup_teardown(fork_from_inside_the_critical_section, caps_setup_esp32, caps_teardown),
#if defined(CAPHEAP_TASK_TRACKING) && CAPHEAP_TASK_TRACKING
        cmocka_unit_test_setup_teardown(fork_while_a_thread_holds_the_task_accounts, caps_setup_esp32,
                                        caps_teardown),
#endif
    };
    return cmocka_run_group_tests(tests, setup_handlers, NULL);
}
