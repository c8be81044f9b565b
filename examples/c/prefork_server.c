/*
 * prefork_server.c - N worker processes accept from one shared listener; a
 * supervisor restarts any worker that dies.
 *
 *   prefork_server [port [workers]]     (port 0: any free port)
 *
 * Each connection sends a line and gets back the serving worker's process
 * id and the line. The supervisor prints "listening on port P", then
 * "worker PID" for every worker it starts (restarts included) and
 * "worker PID died" when one ends; SIGTERM or SIGINT stops it and its
 * workers (by their ids).
 *
 * Why one shared listener and not one SO_REUSEPORT listener per worker
 * (ls_listener_share): the listener's one accept queue outlives any worker,
 * so connections waiting while a worker dies are taken by the others and
 * no connection attempt is refused. A balanced group gives each worker a
 * queue of its own, and the connections queued on a worker that dies are
 * reset with it (Linux migrates them only with net.ipv4.tcp_migrate_req).
 *
 * How the workers get the listener: on POSIX they are fork()ed and inherit
 * it. Windows has no fork: each worker is this program again
 * ("--worker PORT"), which connects back to a loopback control port and
 * receives the listener with ls_socket_receive_from_process(); the
 * supervisor sends it with ls_socket_send_to_process() for that process id
 * (WSADuplicateSocketW underneath).
 */
#ifndef _WIN32
#define _POSIX_C_SOURCE 200809L
#endif
#include <libsock.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _WIN32
#include <windows.h>
#else
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

#define MAX_WORKERS 64

/* Serve one connection: read a line (5 s at most), answer "PID line". */
static void serve(ls_socket c)
{
	char line[256], reply[320];
	size_t got = 0;
	int64_t n;

	ls_set_timeout(c, 5000);
	while (got < sizeof(line) - 1 && (got == 0 || line[got - 1] != '\n')) {
		n = ls_recv(c, line + got, sizeof(line) - 1 - got, 0);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	line[got] = '\0';
	snprintf(reply, sizeof(reply), "%ld %s", ls_process_id(), line);
	ls_sendall(c, reply, strlen(reply), 0, NULL);
	ls_close(c);
}

/* A worker accepts until the listener fails (it is closed, or the process ends). */
static int worker(ls_socket listener)
{
	ls_socket c;
	int rc;

	for (;;) {
		rc = ls_accept(listener, &c, NULL);
		if (rc == 0)
			serve(c);
		else if (rc != LS_ECONNABORTED && rc != LS_EINTR && rc != LS_EMFILE)
			break;
	}
	fprintf(stderr, "worker %ld: accept: %s\n", ls_process_id(), ls_strerror(rc));
	return 1;
}

static ls_socket open_listener(const char *port)
{
	ls_addr a;
	ls_socket l;
	int rc = ls_addr_loopback(&a, LS_AF_INET, (uint16_t)atoi(port));

	if (rc == 0)
		rc = ls_socket_create(&l, LS_AF_INET, LS_SOCK_STREAM, 0);
	if (rc == 0 && (rc = ls_setopt(l, LS_OPT_REUSEADDR, 1)) == 0 &&
	    (rc = ls_bind(l, &a)) == 0 && (rc = ls_listen(l, 1024)) == 0)
		rc = ls_getsockname(l, &a);
	if (rc != 0) {
		fprintf(stderr, "listen: %s\n", ls_strerror(rc));
		exit(1);
	}
	printf("listening on port %u\n", (unsigned)ls_addr_port(&a));
	fflush(stdout);
	return l;
}

#ifndef _WIN32
static volatile sig_atomic_t stopping;

static void on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

/* Without SA_RESTART, so that the supervisor's waitpid() returns at once. */
static void catch_stop_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}

static pid_t start_worker(ls_socket listener)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		_exit(worker(listener));
	}
	if (pid > 0) {
		printf("worker %ld\n", (long)pid);
		fflush(stdout);
	}
	return pid;
}

/* Stop every worker by its id, then reap them. */
static void stop_workers(pid_t *pids, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (pids[i] > 0)
			kill(pids[i], SIGTERM);
	for (i = 0; i < n; i++)
		if (pids[i] > 0)
			waitpid(pids[i], NULL, 0);
}

static int supervise(ls_socket listener, int n)
{
	pid_t pids[MAX_WORKERS], dead;
	int i;

	catch_stop_signals();
	for (i = 0; i < n; i++)
		pids[i] = start_worker(listener);
	while (!stopping) {
		dead = waitpid(-1, NULL, 0);
		if (dead < 0 && errno != EINTR)
			break;
		for (i = 0; dead > 0 && i < n; i++) {
			if (pids[i] != dead)
				continue;
			printf("worker %ld died\n", (long)dead);
			pids[i] = stopping ? -1 : start_worker(listener);
		}
	}
	stop_workers(pids, n);
	ls_close(listener);
	return 0;
}

int main(int argc, char **argv)
{
	const char *port = argc > 1 ? argv[1] : "8080";
	int n = argc > 2 ? atoi(argv[2]) : 4;

	if (n < 1 || n > MAX_WORKERS) {
		fprintf(stderr, "usage: prefork_server [port [workers (1-%d)]]\n", MAX_WORKERS);
		return 2;
	}
	return supervise(open_listener(port), n);
}
#else
static volatile LONG stopping;

static BOOL WINAPI on_ctrl(DWORD event)
{
	(void)event;
	InterlockedExchange(&stopping, 1);
	return TRUE;
}

/* A worker: fetch the listener from the supervisor's control port, then serve. */
static int worker_main(const char *ctl_port)
{
	ls_socket ch, listener;
	ls_addr a;
	int rc = ls_addr_loopback(&a, LS_AF_INET, (uint16_t)atoi(ctl_port));

	if (rc == 0)
		rc = ls_socket_create(&ch, LS_AF_INET, LS_SOCK_STREAM, 0);
	if (rc == 0 && (rc = ls_connect(ch, &a)) == 0)
		rc = ls_socket_receive_from_process(ch, &listener);
	if (rc != 0) {
		fprintf(stderr, "worker: %s\n", ls_strerror(rc));
		return 1;
	}
	ls_close(ch);
	return worker(listener);
}

/*
 * Start this program as a worker and hand it the listener. The control
 * connection accepted next is taken to be the new worker's: the control
 * port is on loopback and lives only while workers start.
 */
static HANDLE start_worker(ls_socket listener, ls_socket ctl, unsigned ctl_port)
{
	char exe[MAX_PATH], cmd[MAX_PATH + 32];
	STARTUPINFOA si;
	PROCESS_INFORMATION pi;
	ls_socket ch;

	GetModuleFileNameA(NULL, exe, sizeof(exe));
	snprintf(cmd, sizeof(cmd), "\"%s\" --worker %u", exe, ctl_port);
	memset(&si, 0, sizeof(si));
	si.cb = sizeof(si);
	if (!CreateProcessA(exe, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi))
		return NULL;
	CloseHandle(pi.hThread);
	if (ls_accept(ctl, &ch, NULL) != 0 ||
	    ls_socket_send_to_process(ch, listener, (long)pi.dwProcessId) != 0) {
		TerminateProcess(pi.hProcess, 1);
		CloseHandle(pi.hProcess);
		return NULL;
	}
	ls_close(ch);
	printf("worker %lu\n", (unsigned long)pi.dwProcessId);
	fflush(stdout);
	return pi.hProcess;
}

static int supervise(ls_socket listener, int n)
{
	HANDLE procs[MAX_WORKERS];
	ls_socket ctl;
	ls_addr a;
	DWORD w;
	int i;

	ls_addr_loopback(&a, LS_AF_INET, 0);
	if (ls_socket_create(&ctl, LS_AF_INET, LS_SOCK_STREAM, 0) != 0 || ls_bind(ctl, &a) != 0 ||
	    ls_listen(ctl, n) != 0 || ls_getsockname(ctl, &a) != 0)
		return 1;
	ls_set_timeout(ctl, 10000);
	SetConsoleCtrlHandler(on_ctrl, TRUE);
	for (i = 0; i < n; i++)
		if ((procs[i] = start_worker(listener, ctl, ls_addr_port(&a))) == NULL)
			return 1;
	while (!InterlockedCompareExchange(&stopping, 0, 0)) {
		w = WaitForMultipleObjects((DWORD)n, procs, FALSE, 500);
		if (w >= WAIT_OBJECT_0 + (DWORD)n)
			continue;
		i = (int)(w - WAIT_OBJECT_0);
		printf("worker %lu died\n", (unsigned long)GetProcessId(procs[i]));
		CloseHandle(procs[i]);
		if ((procs[i] = start_worker(listener, ctl, ls_addr_port(&a))) == NULL)
			return 1;
	}
	for (i = 0; i < n; i++) {
		TerminateProcess(procs[i], 0);
		CloseHandle(procs[i]);
	}
	ls_close(ctl);
	ls_close(listener);
	return 0;
}

int main(int argc, char **argv)
{
	const char *port = argc > 1 ? argv[1] : "8080";
	int n = argc > 2 ? atoi(argv[2]) : 4;

	if (argc == 3 && strcmp(argv[1], "--worker") == 0)
		return worker_main(argv[2]);
	if (n < 1 || n > MAX_WORKERS) {
		fprintf(stderr, "usage: prefork_server [port [workers (1-%d)]]\n", MAX_WORKERS);
		return 2;
	}
	return supervise(open_listener(port), n);
}
#endif
