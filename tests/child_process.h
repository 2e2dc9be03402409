/*
 * child_process.h: runs a piece of a test in a forked child, for what must
 * stop the program (the port's default corruption report, a broken
 * assertion): the child's stderr and how it ended come back to the test.
 * A header for test programs, not a test program.
 */
#ifndef CAPHEAP_CHILD_PROCESS_H
#define CAPHEAP_CHILD_PROCESS_H

#if !defined(_POSIX_C_SOURCE) && !defined(_GNU_SOURCE)
#error "define _POSIX_C_SOURCE 200809L before any include (fork, pipe, waitpid)"
#endif

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

/* Reads fd to its end into out (NUL-ended, at most cap - 1 bytes kept). */
static inline void child_read_all(int fd, char *out, size_t cap) {
    size_t len = 0;
    ssize_t n;
    while (len + 1 < cap && (n = read(fd, out + len, cap - 1 - len)) > 0) {
        len += (size_t)n;
    }
    out[len] = '\0';
}

/* Runs body(arg) in a child with its stderr on a pipe and SIGABRT at its
 * default action; the child exits 0 when body returns. Returns the child's
 * wait status, with what it wrote on stderr in out. */
static inline int run_in_child(void (*body)(void *arg), void *arg, char *out, size_t cap) {
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], STDERR_FILENO);
        close(fds[0]);
        signal(SIGABRT, SIG_DFL);
        body(arg);
        _exit(0);
    }
    close(fds[1]);
    child_read_all(fds[0], out, cap);
    close(fds[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return status;
}

/* The child ended by SIGABRT; else its stderr is shown. */
static inline void expect_child_aborted(int status, const char *out) {
    if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT) {
        print_error("the child did not abort; its stderr:\n%s\n", out);
    }
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGABRT);
}

#endif /* CAPHEAP_CHILD_PROCESS_H */
