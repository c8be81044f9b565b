/* thread.c - OS services for the tests: see thread.h. */
#ifndef _WIN32
#define _POSIX_C_SOURCE 200809L
#endif

#include "thread.h"

#include <stdatomic.h>
#include <stdlib.h>

#include "test.h"

#ifdef _WIN32
#define WIN32_LEAN_AND_MEAN
#include <io.h>
#include <process.h>
#include <winsock2.h>
#include <windows.h>
#else
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#endif

struct t_thread {
	t_thread_fn fn;
	void *arg;
	atomic_int done;
#ifdef _WIN32
	HANDLE h;
#else
	pthread_t tid;
#endif
};

static void t_thread_body(t_thread *t)
{
	t_set_worker(1);
	t->fn(t->arg);
	atomic_store(&t->done, 1);
}

#ifdef _WIN32
static DWORD WINAPI t_thread_tramp(LPVOID p)
{
	t_thread_body(p);
	return 0;
}
#else
static void *t_thread_tramp(void *p)
{
	t_thread_body(p);
	return NULL;
}
#endif

t_thread *t_thread_start(t_thread_fn fn, void *arg)
{
	t_thread *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->fn = fn;
	t->arg = arg;
	atomic_init(&t->done, 0);
#ifdef _WIN32
	t->h = CreateThread(NULL, 0, t_thread_tramp, t, 0, NULL);
	if (t->h == NULL) {
		free(t);
		return NULL;
	}
#else
	if (pthread_create(&t->tid, NULL, t_thread_tramp, t) != 0) {
		free(t);
		return NULL;
	}
#endif
	return t;
}

int t_thread_wait(t_thread *t, int64_t timeout_ms)
{
	int64_t end = t_now_ms() + timeout_ms;

	while (!atomic_load(&t->done)) {
		if (t_now_ms() >= end)
			return 0;
		t_sleep_ms(5);
	}
	return 1;
}

void t_thread_join(t_thread *t)
{
	if (t == NULL)
		return;
#ifdef _WIN32
	WaitForSingleObject(t->h, INFINITE);
	CloseHandle(t->h);
#else
	pthread_join(t->tid, NULL);
#endif
	free(t);
}

int64_t t_now_ms(void)
{
#ifdef _WIN32
	return (int64_t)GetTickCount64();
#else
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
#endif
}

void t_sleep_ms(int64_t ms)
{
#ifdef _WIN32
	Sleep((DWORD)ms);
#else
	struct timespec ts;

	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0)
		;
#endif
}

long t_getpid(void)
{
#ifdef _WIN32
	return (long)GetCurrentProcessId();
#else
	return (long)getpid();
#endif
}

ls_native t_file_native(FILE *f)
{
#ifdef _WIN32
	return (ls_native)_get_osfhandle(_fileno(f));
#else
	return (ls_native)fileno(f);
#endif
}

int t_set_fd_limit(long limit)
{
#ifdef _WIN32
	(void)limit;
	return -1;
#else
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return -1;
	rl.rlim_cur = (rlim_t)limit;
	return setrlimit(RLIMIT_NOFILE, &rl) == 0 ? 0 : -1;
#endif
}

int t_setenv(const char *name, const char *value)
{
#ifdef _WIN32
	/* The C runtime's copy, which getenv() reads; "" unsets it there. */
	return _putenv_s(name, value != NULL ? value : "") == 0 ? 0 : -1;
#else
	return (value != NULL ? setenv(name, value, 1) : unsetenv(name)) == 0 ? 0 : -1;
#endif
}

int t_under_wine(void)
{
#ifdef _WIN32
	HMODULE ntdll = GetModuleHandleA("ntdll.dll");

	return ntdll != NULL && GetProcAddress(ntdll, "wine_get_version") != NULL;
#else
	return 0;
#endif
}

#ifndef _WIN32
int t_thread_kill(t_thread *t, int sig)
{
	return pthread_kill(t->tid, sig);
}
#endif

int test_native_inheritable(ls_native h)
{
#ifdef _WIN32
	DWORD flags = 0;

	if (h == LS_NATIVE_INVALID || !GetHandleInformation((HANDLE)h, &flags))
		return -1;
	return (flags & HANDLE_FLAG_INHERIT) != 0;
#else
	int fl;

	if (h < 0)
		return -1;
	fl = fcntl((int)h, F_GETFD);
	if (fl < 0)
		return -1;
	return (fl & FD_CLOEXEC) == 0;
#endif
}

ls_native t_raw_inheritable_tcp(void)
{
#ifdef _WIN32
	/* No WSA_FLAG_NO_HANDLE_INHERIT; the flag is then set explicitly, so
	 * the socket is inheritable whatever the default (WSAStartup is the
	 * caller's: ls_init()). */
	SOCKET s = WSASocketW(AF_INET, SOCK_STREAM, IPPROTO_TCP, NULL, 0, 0);

	if (s == INVALID_SOCKET)
		return LS_NATIVE_INVALID;
	if (!SetHandleInformation((HANDLE)s, HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT)) {
		closesocket(s);
		return LS_NATIVE_INVALID;
	}
	return (ls_native)s;
#else
	/* Plain socket(), no SOCK_CLOEXEC; FD_CLOEXEC cleared to be sure. */
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int fl;

	if (fd < 0)
		return LS_NATIVE_INVALID;
	fl = fcntl(fd, F_GETFD);
	if (fl < 0 || fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC) < 0) {
		close(fd);
		return LS_NATIVE_INVALID;
	}
	return (ls_native)fd;
#endif
}

void t_native_close(ls_native h)
{
	if (h == LS_NATIVE_INVALID)
		return;
#ifdef _WIN32
	closesocket((SOCKET)h);
#else
	close((int)h);
#endif
}

struct t_proc {
#ifndef _WIN32
	pid_t pid;
	int status; /* -1 until reaped */
#endif
	int unused;
};

#ifdef _WIN32
t_proc *t_proc_start(const char *const *argv, const char *in_path, const char *out_path)
{
	(void)argv;
	(void)in_path;
	(void)out_path;
	return NULL;
}

int t_proc_wait(t_proc *p, int64_t timeout_ms, int *status)
{
	(void)p;
	(void)timeout_ms;
	*status = -1;
	return 1;
}

void t_proc_stop(t_proc *p)
{
	(void)p;
}
#else
/* In the child: stdin, stdout and stderr as asked, then exec (or exit 127). */
static void t_proc_child(const char *const *argv, const char *in_path, const char *out_path)
{
	int in = open(in_path != NULL ? in_path : "/dev/null", O_RDONLY);
	int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (in < 0 || out < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
		_exit(127);
	execvp(argv[0], (char *const *)argv);
	_exit(127);
}

t_proc *t_proc_start(const char *const *argv, const char *in_path, const char *out_path)
{
	t_proc *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return NULL;
	p->status = -1;
	p->pid = fork();
	if (p->pid == 0)
		t_proc_child(argv, in_path, out_path);
	if (p->pid < 0) {
		free(p);
		return NULL;
	}
	return p;
}

/* Reap the child if it has ended: 1 once its status is known. */
static int t_proc_reap(t_proc *p)
{
	int st;

	if (p->status >= 0)
		return 1;
	if (waitpid(p->pid, &st, WNOHANG) != p->pid)
		return 0;
	p->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return 1;
}

int t_proc_wait(t_proc *p, int64_t timeout_ms, int *status)
{
	int64_t end = t_now_ms() + timeout_ms;

	while (!t_proc_reap(p)) {
		if (t_now_ms() >= end)
			return 0;
		t_sleep_ms(5);
	}
	*status = p->status;
	return 1;
}

void t_proc_stop(t_proc *p)
{
	int st;

	if (p == NULL)
		return;
	if (!t_proc_reap(p)) {
		kill(p->pid, SIGTERM);
		if (!t_proc_wait(p, 2000, &st)) {
			kill(p->pid, SIGKILL);
			t_proc_wait(p, 10000, &st);
		}
	}
	free(p);
}
#endif
