/*
 * test_port_posix.c: the posix port's critical section (ports/posix): it
 * nests within a thread, and another thread gets in only once the owner has
 * left every level; and the lock pool hands out each lock once until it is
 * deleted; the log goes to the descriptor capheap_set_log_fd names. (Across
 * a fork: test_fork.c.)
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capheap.h"
#include "capheap/port.h"

static atomic_int entered; /* the other thread is inside the section */

static void *enter_and_leave(void *arg) {
    (void)arg;
    capheap_port_critical_enter();
    atomic_store(&entered, 1);
    capheap_port_critical_exit();
    return NULL;
}

/* Long enough for a thread that could enter to have done so. */
static void pause_a_while(void) { nanosleep(&(struct timespec){0, 50000000L}, NULL); }

static void critical_section_nests_and_excludes(void **state) {
    (void)state;
    atomic_store(&entered, 0);
    capheap_port_critical_enter();
    capheap_port_critical_enter(); /* nested: no deadlock */
    pthread_t other;
    assert_int_equal(pthread_create(&other, NULL, enter_and_leave, NULL), 0);
    pause_a_while();
    assert_int_equal(atomic_load(&entered), 0);
    capheap_port_critical_exit(); /* one level left: still held */
    pause_a_while();
    assert_int_equal(atomic_load(&entered), 0);
    capheap_port_critical_exit();
    assert_int_equal(pthread_join(other, NULL), 0);
    assert_int_equal(atomic_load(&entered), 1);
    /* and the section is free again for this thread */
    capheap_port_critical_enter();
    capheap_port_critical_exit();
}

/* Pool locks are distinct while in use; a deleted one is handed out again. */
static void pool_locks_are_handed_out_once(void **state) {
    (void)state;
    void *a = capheap_port_lock_create(), *b = capheap_port_lock_create();
    assert_non_null(a);
    assert_non_null(b);
    assert_ptr_not_equal(a, b);
    capheap_port_lock_delete(a);
    void *c = capheap_port_lock_create();
    assert_ptr_equal(c, a); /* the first free one of the pool */
    capheap_port_lock_take(c);
    capheap_port_lock_give(c);
    capheap_port_lock_delete(b);
    capheap_port_lock_delete(c);
    capheap_port_lock_delete(NULL); /* nothing */
}

/* The log's text reaches the descriptor set, and only it. */
static void the_log_goes_where_it_is_sent(void **state) {
    (void)state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    assert_int_equal(capheap_set_log_fd(fds[1]), STDOUT_FILENO); /* the default */
    capheap_port_log_write("to the pipe\n", strlen("to the pipe\n"));
    assert_int_equal(capheap_set_log_fd(STDOUT_FILENO), fds[1]);
    close(fds[1]);
    char got[64] = "";
    assert_int_equal(read(fds[0], got, sizeof got - 1), (ssize_t)strlen("to the pipe\n"));
    assert_string_equal(got, "to the pipe\n");
    close(fds[0]);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(critical_section_nests_and_excludes),
        cmocka_unit_test(pool_locks_are_handed_out_once),
        cmocka_unit_test(the_log_goes_where_it_is_sent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
