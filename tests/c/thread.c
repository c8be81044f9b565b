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
#include <windows.h>
#else
#include <pthread.h>
#include <signal.h>
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
