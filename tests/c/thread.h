/*
 * thread.h - the few OS services the tests need besides libsock: threads,
 * a monotonic clock, sleeping, the process id, and (POSIX) signals. This is
 * the only test code that includes OS headers (thread.c).
 */
#ifndef T_THREAD_H
#define T_THREAD_H

#include <stdint.h>
#include <stdio.h>

#include <libsock.h>

typedef struct t_thread t_thread;
typedef void (*t_thread_fn)(void *arg);

/*
 * Start fn(arg) in a new thread, marked as a worker for the harness (its
 * failed checks are recorded, not longjmp'd). NULL if it cannot start.
 */
t_thread *t_thread_start(t_thread_fn fn, void *arg);
/* 1 once the thread's function has returned, waiting up to timeout_ms. */
int t_thread_wait(t_thread *t, int64_t timeout_ms);
/* Wait for the thread to end and free it. */
void t_thread_join(t_thread *t);

/* Milliseconds from a monotonic clock. */
int64_t t_now_ms(void);
void t_sleep_ms(int64_t ms);
long t_getpid(void);

/*
 * The OS handle of an open stdio file, as libsock's ls_native (an fd on
 * POSIX, a HANDLE value on Windows): something that is not a socket.
 */
ls_native t_file_native(FILE *f);

/*
 * Lower this process's soft limit on open descriptors (RLIMIT_NOFILE).
 * -1 where the OS has no such limit (Windows) or it cannot be set.
 */
int t_set_fd_limit(long limit);

/* Set (or, with NULL, remove) an environment variable. 0 on success. */
int t_setenv(const char *name, const char *value);

/*
 * Nonzero when the Windows build runs under wine (ntdll exports
 * wine_get_version). Only for skipping checks of a documented wine
 * limitation, with the reason printed; always 0 on POSIX.
 */
int t_under_wine(void);

/*
 * 1 if the OS handle h would be inherited by a child process (POSIX:
 * FD_CLOEXEC clear; Windows: HANDLE_FLAG_INHERIT set), 0 if not, -1 if
 * the flags cannot be read.
 */
int test_native_inheritable(ls_native h);

/*
 * A raw OS TCP socket (AF_INET), made without libsock and explicitly left
 * inheritable, for ls_socket_adopt() tests. LS_NATIVE_INVALID on failure.
 * On Windows call ls_init() first (it needs WSAStartup).
 */
ls_native t_raw_inheritable_tcp(void);
/* Close a raw OS socket from t_raw_inheritable_tcp(). */
void t_native_close(ls_native h);

/*
 * A child process: a test's independent peer (openssl s_server, a Python
 * script). argv[0] is looked up in PATH. Its standard input comes from
 * in_path (NULL: the null device), standard output and error go to
 * out_path (created or truncated). NULL if it cannot start, and always on
 * Windows for now (the Schannel work adds CreateProcess).
 */
typedef struct t_proc t_proc;
t_proc *t_proc_start(const char *const *argv, const char *in_path, const char *out_path);
/*
 * Wait up to timeout_ms for the process to end: 1 with *status its exit
 * code (128 + the signal if killed), 0 if it still runs.
 */
int t_proc_wait(t_proc *p, int64_t timeout_ms, int *status);
/*
 * Stop the process by its id (SIGTERM, SIGKILL after 2 s), reap it and
 * free p. Never by name. NULL is ignored.
 */
void t_proc_stop(t_proc *p);

#ifndef _WIN32
/* Send signal sig to the thread (pthread_kill). 0 on success. */
int t_thread_kill(t_thread *t, int sig);
#endif

#endif /* T_THREAD_H */
