/*
 * test_share.c - load spread over processes: listeners the kernel balances
 * over (in one process and in several), and sockets handed to another
 * process (a fork()ed child on POSIX, a CreateProcess child on Windows),
 * with bad bytes from outside refused.
 *
 * Unlike the other suites this file includes OS headers (guarded): making
 * and reaping child processes is what it tests. Code that runs in a child
 * never uses CHECK (a failure there would unwind into the parent's
 * harness); it reports through its exit code.
 */
#ifndef _WIN32
#define _POSIX_C_SOURCE 200809L /* kill() under -std=c11 */
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "lsi_config.h"
#include "share/share_internal.h"

#ifdef _WIN32
#include <windows.h>
#else
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

/* Whether this build's OS balances a shared port (see share.h). */
#if HAVE_SO_ATTACH_REUSEPORT_CBPF || HAVE_SO_REUSEPORT_LB
#define T_BALANCES 1
#else
#define T_BALANCES 0
#endif

#define T_GROUP 4    /* listeners in a balanced group */
#define T_CONNS 200  /* connections spread over them */

/* --- Balancing ---------------------------------------------------------- */

/* A shared listener on 127.0.0.1:port (0: pick one, read back into *bound). */
static ls_socket shared_listener(uint16_t port, int flags, ls_addr *bound)
{
	ls_socket s;
	ls_addr a = h_loopback(LS_AF_INET, port);

	CHECK_OK(ls_socket_create(&s, LS_AF_INET, LS_SOCK_STREAM, 0));
	CHECK_OK(ls_listener_share(s, flags));
	CHECK_OK(ls_bind(s, &a));
	CHECK_OK(ls_listen(s, 256));
	if (bound != NULL)
		CHECK_OK(ls_getsockname(s, bound));
	return s;
}

/* Connect n times from fresh source ports; loopback connects complete in the backlog. */
static void connect_many(const ls_addr *to, int n)
{
	ls_socket c;
	int i;

	for (i = 0; i < n; i++) {
		CHECK_OK(ls_socket_create(&c, LS_AF_INET, LS_SOCK_STREAM, 0));
		CHECK_OK(ls_set_timeout(c, H_HANG_MS));
		CHECK_OK(ls_connect(c, to));
		CHECK_OK(ls_close(c));
	}
}

/* Accept everything queued on l without waiting: how many. */
static int drain(ls_socket l)
{
	ls_socket c;
	int n = 0;

	if (ls_set_timeout(l, 200) != 0)
		return -1;
	while (ls_accept(l, &c, NULL) == 0) {
		ls_close(c);
		n++;
	}
	return n;
}

static void check_spread(const int *count, int groups, int total)
{
	int i, sum = 0;

	for (i = 0; i < groups; i++) {
		t_note("listener %d accepted %d of %d", i, count[i], total);
		CHECK_GT_INT(count[i], 0);
		sum += count[i];
	}
	CHECK_EQ_INT(sum, total);
}

static void balance_listeners(void)
{
	ls_socket l[T_GROUP];
	ls_addr a;
	int count[T_GROUP], i;

	if (!T_BALANCES)
		SKIP("this OS does not balance a shared port (share_unsupported checks LS_ENOTSUP)");
	l[0] = shared_listener(0, 0, &a);
	for (i = 1; i < T_GROUP; i++)
		l[i] = shared_listener(ls_addr_port(&a), 0, NULL);
	connect_many(&a, T_CONNS);
	for (i = 0; i < T_GROUP; i++) {
		count[i] = drain(l[i]);
		CHECK_OK(ls_close(l[i]));
	}
	check_spread(count, T_GROUP, T_CONNS);
}

/* One listener of the group per thread, each accepting until told to stop. */
typedef struct t_acceptor {
	ls_socket l;
	_Atomic int stop;
	_Atomic int count;
} t_acceptor;

static void acceptor_run(void *arg)
{
	t_acceptor *a = arg;
	ls_socket c;

	CHECK_OK(ls_set_timeout(a->l, 50));
	while (!atomic_load(&a->stop)) {
		if (ls_accept(a->l, &c, NULL) == 0) {
			ls_close(c);
			atomic_fetch_add(&a->count, 1);
		}
	}
}

static void balance_threads(void)
{
	t_acceptor acc[T_GROUP];
	t_thread *th[T_GROUP];
	int count[T_GROUP], i, total = 0;
	int64_t deadline;
	ls_addr a;

	if (!T_BALANCES)
		SKIP("this OS does not balance a shared port");
	for (i = 0; i < T_GROUP; i++) {
		acc[i].l = shared_listener(i == 0 ? 0 : ls_addr_port(&a), 0, i == 0 ? &a : NULL);
		atomic_init(&acc[i].stop, 0);
		atomic_init(&acc[i].count, 0);
	}
	for (i = 0; i < T_GROUP; i++)
		CHECK((th[i] = t_thread_start(acceptor_run, &acc[i])) != NULL);
	connect_many(&a, T_CONNS);
	deadline = t_now_ms() + H_HANG_MS;
	do {
		for (total = 0, i = 0; i < T_GROUP; i++)
			total += atomic_load(&acc[i].count);
		t_sleep_ms(10);
	} while (total < T_CONNS && t_now_ms() < deadline);
	for (i = 0; i < T_GROUP; i++) {
		atomic_store(&acc[i].stop, 1);
		t_thread_join(th[i]);
		count[i] = atomic_load(&acc[i].count);
		CHECK_OK(ls_close(acc[i].l));
	}
	check_spread(count, T_GROUP, T_CONNS);
}

/*
 * LS_SHARE_CPU on a listening member steers the group; the group still
 * serves every connection (steered, or hashed for CPUs past the group).
 */
static void balance_by_cpu(void)
{
	ls_socket l[2], s;
	ls_addr a;
	int count[2], i;

	if (!HAVE_SO_ATTACH_REUSEPORT_CBPF) {
		if (T_BALANCES) {
			l[0] = shared_listener(0, 0, NULL);
			CHECK_ERR(ls_listener_share(l[0], LS_SHARE_CPU), LS_ENOTSUP);
			CHECK_OK(ls_close(l[0]));
		}
		SKIP("no steering program on this OS");
	}
	/* Unbound, or bound but in no group: refused. */
	CHECK_OK(ls_socket_create(&s, LS_AF_INET, LS_SOCK_STREAM, 0));
	CHECK_ERR(ls_listener_share(s, LS_SHARE_CPU), LS_EINVAL);
	CHECK_OK(ls_close(s));
	s = h_listener(LS_AF_INET, NULL);
	CHECK_ERR(ls_listener_share(s, LS_SHARE_CPU), LS_EINVAL);
	CHECK_OK(ls_close(s));
	l[0] = shared_listener(0, 0, &a);
	l[1] = shared_listener(ls_addr_port(&a), 0, NULL);
	CHECK_OK(ls_listener_share(l[1], LS_SHARE_CPU));
	connect_many(&a, 50);
	for (i = 0; i < 2; i++) {
		count[i] = drain(l[i]);
		t_note("CPU-steered listener %d accepted %d of 50", i, count[i]);
		CHECK_OK(ls_close(l[i]));
	}
	CHECK_EQ_INT(count[0] + count[1], 50);
}

#ifndef _WIN32
/*
 * A forked child joins the group on port with a listener of its own, says
 * "r" when it listens, and after "g" reports how many connections it got.
 */
static int group_child(ls_socket ctl, uint16_t port)
{
	ls_socket l;
	ls_addr a = h_loopback(LS_AF_INET, port);
	char go = 0, text[16];
	int n;

	if (ls_socket_create(&l, LS_AF_INET, LS_SOCK_STREAM, 0) != 0 ||
	    ls_listener_share(l, 0) != 0 || ls_bind(l, &a) != 0 || ls_listen(l, 256) != 0)
		return 1;
	if (ls_sendall(ctl, "r", 1, 0, NULL) != 0 || ls_recv(ctl, &go, 1, 0) != 1)
		return 2;
	n = drain(l);
	snprintf(text, sizeof(text), "%4d", n);
	return ls_sendall(ctl, text, 4, 0, NULL) == 0 ? 0 : 3;
}
#endif

/* Listeners in different processes share the connections. */
static void balance_processes(void)
{
#ifdef _WIN32
	SKIP("Windows does not balance a shared port (share_unsupported)");
#else
	ls_socket l, ctl[T_GROUP - 1], pair[2];
	pid_t pid[T_GROUP - 1];
	int count[T_GROUP], i, status;
	char text[5] = { 0 };
	ls_addr a;

	if (!T_BALANCES)
		SKIP("this OS does not balance a shared port");
	l = shared_listener(0, 0, &a);
	for (i = 0; i < T_GROUP - 1; i++) {
		CHECK_OK(ls_socketpair(LS_AF_UNIX, LS_SOCK_STREAM, pair));
		fflush(NULL);
		pid[i] = fork();
		CHECK(pid[i] >= 0);
		if (pid[i] == 0) {
			ls_close(pair[0]);
			_exit(group_child(pair[1], ls_addr_port(&a)));
		}
		CHECK_OK(ls_close(pair[1]));
		ctl[i] = pair[0];
		CHECK_OK(ls_set_timeout(ctl[i], H_HANG_MS));
		h_expect_str(ctl[i], "r");
	}
	connect_many(&a, T_CONNS);
	count[0] = drain(l);
	for (i = 0; i < T_GROUP - 1; i++) {
		h_send_str(ctl[i], "g");
		h_recv_exact(ctl[i], text, 4);
		count[i + 1] = atoi(text);
		CHECK_OK(ls_close(ctl[i]));
		CHECK_EQ_INT(waitpid(pid[i], &status, 0), pid[i]);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	CHECK_OK(ls_close(l));
	check_spread(count, T_GROUP, T_CONNS);
#endif
}

/* A socket outside the group cannot take the group's port. */
static void group_is_closed(void)
{
	ls_socket l, s;
	ls_addr a;

	if (!T_BALANCES)
		SKIP("this OS does not balance a shared port");
	l = shared_listener(0, 0, &a);
	CHECK_OK(ls_socket_create(&s, LS_AF_INET, LS_SOCK_STREAM, 0));
	CHECK_ERR(ls_bind(s, &a), LS_EADDRINUSE);
	CHECK_OK(ls_close(s));
	CHECK_OK(ls_close(l));
}

static void share_unsupported(void)
{
	ls_socket s;

	if (T_BALANCES)
		SKIP("this OS balances (balance_* cases)");
	CHECK_OK(ls_socket_create(&s, LS_AF_INET, LS_SOCK_STREAM, 0));
	CHECK_ERR(ls_listener_share(s, 0), LS_ENOTSUP);
	CHECK_OK(ls_close(s));
	s = h_listener(LS_AF_INET, NULL);
	CHECK_ERR(ls_listener_share(s, LS_SHARE_CPU), LS_ENOTSUP);
	CHECK_OK(ls_close(s));
}

static void share_bad_args(void)
{
	ls_socket s, u;
	ls_addr a = h_loopback(LS_AF_INET, 0);

	CHECK_OK(ls_socket_create(&s, LS_AF_INET, LS_SOCK_STREAM, 0));
	CHECK_ERR(ls_listener_share(s, 0x100), LS_EINVAL);
	CHECK_OK(ls_bind(s, &a));
	/* Bound already: too late to join a group on every OS. */
	CHECK_ERR(ls_listener_share(s, 0), LS_EINVAL);
	CHECK_OK(ls_close(s));
	CHECK_ERR(ls_listener_share(s, 0), LS_EBADF);
	CHECK_ERR(ls_listener_share(LS_INVALID_SOCKET, 0), LS_EBADF);
	if (ls_socket_create(&u, LS_AF_UNIX, LS_SOCK_STREAM, 0) == 0) {
		CHECK_ERR(ls_listener_share(u, 0), LS_EAFNOSUPPORT);
		CHECK_OK(ls_close(u));
	}
}

/* --- Child processes ------------------------------------------------------ */

/*
 * What a child does with a socket it received: a listener accepts one
 * connection and says "child"; a connection says "child" on it. Returns the
 * child's exit code (0 for success).
 */
static int child_serve(ls_socket got)
{
	ls_socket c;
	int acceptconn = 0;
	int rc = ls_getopt(got, LS_OPT_ACCEPTCONN, &acceptconn);

	if (rc == 0 && acceptconn) {
		rc = ls_set_timeout(got, H_HANG_MS);
		if (rc == 0)
			rc = ls_accept(got, &c, NULL);
		if (rc != 0)
			return 3;
		rc = ls_sendall(c, "child", 5, 0, NULL);
		ls_close(c);
	} else if (rc == 0) {
		rc = ls_sendall(got, "child", 5, 0, NULL);
	}
	ls_close(got);
	return rc == 0 ? 0 : 4;
}

/* The child's side of a channel: receive one socket and serve with it. */
static int child_receive(ls_socket channel)
{
	ls_socket got;
	int rc;

	ls_set_timeout(channel, H_HANG_MS);
	rc = ls_socket_receive_from_process(channel, &got);
	ls_close(channel);
	if (rc != 0) {
		fprintf(stderr, "child: receive: %s\n", ls_error_name(rc));
		return 2;
	}
	return child_serve(got);
}

#ifndef _WIN32
typedef pid_t t_child;

/* Fork a child that runs child_receive on end 1 of a Unix pair; *channel is end 0. */
static t_child child_start(ls_socket *channel)
{
	ls_socket pair[2];
	pid_t pid;

	CHECK_OK(ls_socketpair(LS_AF_UNIX, LS_SOCK_STREAM, pair));
	fflush(NULL);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		ls_close(pair[0]);
		_exit(child_receive(pair[1]));
	}
	CHECK_OK(ls_close(pair[1]));
	*channel = pair[0];
	return pid;
}

/* The child's exit code, waiting up to H_HANG_MS; killed by its pid after that. */
static int child_wait(t_child pid)
{
	int64_t deadline = t_now_ms() + H_HANG_MS;
	int status = 0;

	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (t_now_ms() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -1;
		}
		t_sleep_ms(10);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
#else
typedef HANDLE t_child;

/*
 * Windows has no fork: the child is this executable again, running the
 * child_helper case, which connects back to a loopback control listener
 * (its port in the environment) and receives the socket over that
 * connection. *channel is the accepted control connection.
 */
static t_child child_start(ls_socket *channel)
{
	char exe[MAX_PATH], cmd[MAX_PATH + 64], port[16];
	STARTUPINFOA si;
	PROCESS_INFORMATION pi;
	ls_addr a;
	ls_socket ctl = h_listener(LS_AF_INET, &a);

	snprintf(port, sizeof(port), "%u", (unsigned)ls_addr_port(&a));
	CHECK_EQ_INT(t_setenv("LIBSOCK_TEST_SHARE_PORT", port), 0);
	CHECK(GetModuleFileNameA(NULL, exe, sizeof(exe)) > 0);
	snprintf(cmd, sizeof(cmd), "\"%s\" child_helper", exe);
	memset(&si, 0, sizeof(si));
	si.cb = sizeof(si);
	CHECK(CreateProcessA(exe, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi));
	t_setenv("LIBSOCK_TEST_SHARE_PORT", NULL);
	CloseHandle(pi.hThread);
	CHECK_OK(ls_set_timeout(ctl, H_HANG_MS));
	CHECK_OK(ls_accept(ctl, channel, NULL));
	CHECK_OK(ls_close(ctl));
	return pi.hProcess;
}

static int child_wait(t_child h)
{
	DWORD code = 0;

	if (WaitForSingleObject(h, H_HANG_MS) != WAIT_OBJECT_0) {
		TerminateProcess(h, 99);
		WaitForSingleObject(h, INFINITE);
		CloseHandle(h);
		return -1;
	}
	GetExitCodeProcess(h, &code);
	CloseHandle(h);
	return (int)code;
}

static long child_pid(t_child h)
{
	return (long)GetProcessId(h);
}
#endif

#ifndef _WIN32
static long child_pid(t_child pid)
{
	return (long)pid;
}
#endif

/* The Windows child's entry point; a plain run of the case is a skip. */
static void child_helper(void)
{
	const char *port = getenv("LIBSOCK_TEST_SHARE_PORT");
	ls_socket ch;
	ls_addr a;

	if (port == NULL)
		SKIP("only runs as the child of handoff_* cases on Windows");
	a = h_loopback(LS_AF_INET, (uint16_t)atoi(port));
	if (ls_socket_create(&ch, LS_AF_INET, LS_SOCK_STREAM, 0) != 0 || ls_connect(ch, &a) != 0)
		exit(1);
	exit(child_receive(ch));
}

/* Connect to a, expect "child", and see the child exit 0. */
static void expect_child(const ls_addr *a, t_child child)
{
	ls_socket c;

	CHECK_OK(ls_socket_create(&c, a->family, LS_SOCK_STREAM, 0));
	CHECK_OK(ls_set_timeout(c, H_HANG_MS));
	CHECK_OK(ls_connect(c, a));
	h_expect_str(c, "child");
	CHECK_OK(ls_close(c));
	CHECK_EQ_INT(child_wait(child), 0);
}

/* A listener made after the child started goes to it; the parent's copy is closed first. */
static void handoff_listener(void)
{
	ls_socket ch, l;
	ls_addr a;
	t_child child = child_start(&ch);

	CHECK_OK(ls_set_timeout(ch, H_HANG_MS));
	l = h_listener(LS_AF_INET, &a);
	CHECK_OK(ls_socket_send_to_process(ch, l, child_pid(child)));
	/* The child's handle is its own: closing ours leaves its listener open. */
	CHECK_OK(ls_close(l));
	CHECK_OK(ls_close(ch));
	expect_child(&a, child);
}

/* An accepted connection handed over: the child writes on it. */
static void handoff_connection(void)
{
	ls_socket ch, client, server;
	t_child child = child_start(&ch);

	CHECK_OK(ls_set_timeout(ch, H_HANG_MS));
	h_tcp_pair(LS_AF_INET, &client, &server);
	CHECK_OK(ls_socket_send_to_process(ch, server, child_pid(child)));
	CHECK_OK(ls_close(server));
	CHECK_OK(ls_close(ch));
	CHECK_OK(ls_set_timeout(client, H_HANG_MS));
	h_expect_str(client, "child");
	CHECK_OK(ls_close(client));
	CHECK_EQ_INT(child_wait(child), 0);
}

/* The channel calls within one process, on every OS. */
static void handoff_same_process(void)
{
	ls_socket pair[2], l, got, c, s;
	ls_addr a;

	CHECK_OK(ls_socketpair(LS_AF_UNSPEC, LS_SOCK_STREAM, pair));
	CHECK_OK(ls_set_timeout(pair[1], H_HANG_MS));
	l = h_listener(LS_AF_INET, &a);
	CHECK_OK(ls_socket_send_to_process(pair[0], l, ls_process_id()));
	CHECK_OK(ls_socket_receive_from_process(pair[1], &got));
	CHECK_NE_INT(got, l);
	CHECK_OK(ls_close(l));
	CHECK_OK(ls_socket_create(&c, LS_AF_INET, LS_SOCK_STREAM, 0));
	CHECK_OK(ls_connect(c, &a));
	CHECK_OK(ls_set_timeout(got, H_HANG_MS));
	CHECK_OK(ls_accept(got, &s, NULL));
	h_send_str(s, "same");
	h_expect_str(c, "same");
	CHECK_OK(ls_close(s));
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(got));
	CHECK_OK(ls_close(pair[0]));
	CHECK_OK(ls_close(pair[1]));
}

/* --- Export and import ------------------------------------------------------ */

static void export_import(void)
{
	unsigned char buf[LS_SOCKET_EXPORT_MAX];
	ls_socket l, got, c, s;
	size_t len = 0;
	ls_addr a;
	int rc;

	l = h_listener(LS_AF_INET, &a);
	rc = ls_socket_export(l, ls_process_id(), buf, sizeof(buf), &len);
	if (rc == LS_ENOTSUP) {
		CHECK_OK(ls_close(l));
		SKIP("no export to bytes on this OS: descriptors travel over Unix sockets");
	}
	CHECK_OK(rc);
	CHECK_LE_INT(len, LS_SOCKET_EXPORT_MAX);
	CHECK_OK(ls_socket_import(&got, buf, len));
	/* The same bytes twice would give two handles on one socket. */
	CHECK_ERR(ls_socket_import(&s, buf, len), LS_EINVAL);
	CHECK_OK(ls_close(l));
	CHECK_OK(ls_socket_create(&c, LS_AF_INET, LS_SOCK_STREAM, 0));
	CHECK_OK(ls_connect(c, &a));
	CHECK_OK(ls_set_timeout(got, H_HANG_MS));
	CHECK_OK(ls_accept(got, &s, NULL));
	h_send_str(s, "imported");
	h_expect_str(c, "imported");
	CHECK_OK(ls_close(s));
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(got));
}

static void export_posix_refuses(void)
{
	unsigned char buf[LS_SOCKET_EXPORT_MAX];
	ls_socket l = h_listener(LS_AF_INET, NULL);
	size_t len = 1;
	int rc = ls_socket_export(l, ls_process_id(), buf, sizeof(buf), &len);

	CHECK_OK(ls_close(l));
	if (rc == 0)
		SKIP("this OS exports to bytes (export_import)");
	CHECK_ERR(rc, LS_ENOTSUP);
}

static void export_bad_args(void)
{
	unsigned char buf[LS_SOCKET_EXPORT_MAX];
	ls_socket l = h_listener(LS_AF_INET, NULL);
	size_t len = 0;
	int rc;

	CHECK_ERR(ls_socket_export(l, -1, buf, sizeof(buf), &len), LS_EINVAL);
	CHECK_ERR(ls_socket_export(l, 1, NULL, 10, &len), LS_EINVAL);
	CHECK_ERR(ls_socket_export(l, 1, buf, sizeof(buf), NULL), LS_EINVAL);
	CHECK_ERR(ls_socket_export(LS_INVALID_SOCKET, 1, buf, sizeof(buf), &len), LS_EBADF);
	rc = ls_socket_export(l, ls_process_id(), buf, 10, &len);
	if (rc != LS_ENOTSUP) {
		CHECK_ERR(rc, LS_ENOSPC);
		CHECK_GT_INT(len, 10);
		CHECK_LE_INT(len, LS_SOCKET_EXPORT_MAX);
	}
	CHECK_OK(ls_close(l));
	CHECK_ERR(ls_socket_import(NULL, buf, 64), LS_EINVAL);
}

/*
 * Well-formed bytes for this process: a real export where the OS has one,
 * else libsock's framing around a made-up payload (which the OS then
 * refuses as LS_ENOTSUP, after the framing was checked).
 */
static size_t good_blob(unsigned char *buf, ls_socket l)
{
	lsi_share_hdr h;
	size_t len = 0;

	if (ls_socket_export(l, ls_process_id(), buf, LS_SOCKET_EXPORT_MAX, &len) == 0)
		return len;
	lsi_share_hdr_init(&h, LSI_SHARE_OS, LS_AF_INET, LS_SOCK_STREAM,
	                   (uint32_t)ls_process_id());
	h.payload = 100;
	memset(buf + LSI_SHARE_HDR, 0x5a, h.payload);
	lsi_share_pack(buf, &h);
	return LSI_SHARE_HDR + h.payload;
}

static void import_corrupt(void)
{
	unsigned char good[LS_SOCKET_EXPORT_MAX], bad[LS_SOCKET_EXPORT_MAX + 1];
	ls_socket l = h_listener(LS_AF_INET, NULL), got;
	size_t len = good_blob(good, l), i;
	int bit;

	/* Every single-bit change anywhere, every truncation, one byte too many. */
	for (i = 0; i < len; i++) {
		for (bit = 0; bit < 8; bit++) {
			memcpy(bad, good, len);
			bad[i] ^= (unsigned char)(1u << bit);
			CHECK_ERR(ls_socket_import(&got, bad, len), LS_EINVAL);
			CHECK_EQ_U64(got, LS_INVALID_SOCKET);
		}
	}
	for (i = 0; i < len; i++)
		CHECK_ERR(ls_socket_import(&got, good, i), LS_EINVAL);
	memcpy(bad, good, len);
	bad[len] = 0;
	CHECK_ERR(ls_socket_import(&got, bad, len + 1), LS_EINVAL);
	CHECK_ERR(ls_socket_import(&got, NULL, len), LS_EINVAL);
	/* The intact bytes still work (or are refused only for want of OS support). */
	CHECK_ERR2(ls_socket_import(&got, good, len), 0, LS_ENOTSUP);
	if (got != LS_INVALID_SOCKET)
		CHECK_OK(ls_close(got));
	CHECK_OK(ls_close(l));
}

/* Framing that is valid but says the wrong things. */
static void import_mismatched(void)
{
	unsigned char buf[LS_SOCKET_EXPORT_MAX];
	lsi_share_hdr h;
	ls_socket got;

	/* For another process. */
	lsi_share_hdr_init(&h, LSI_SHARE_OS, LS_AF_INET, LS_SOCK_STREAM,
	                   (uint32_t)ls_process_id() + 1);
	h.payload = 64;
	memset(buf + LSI_SHARE_HDR, 0, h.payload);
	lsi_share_pack(buf, &h);
	CHECK_ERR(ls_socket_import(&got, buf, LSI_SHARE_HDR + h.payload), LS_EINVAL);
	/* Bytes that go beside a descriptor carry no socket. */
	lsi_share_hdr_init(&h, LSI_SHARE_FD, LS_AF_INET, LS_SOCK_STREAM, 0);
	lsi_share_pack(buf, &h);
	CHECK_ERR(ls_socket_import(&got, buf, LSI_SHARE_HDR), LS_EINVAL);
	/* A family libsock does not know, with a correct checksum. */
	lsi_share_hdr_init(&h, LSI_SHARE_OS, 77, LS_SOCK_STREAM, (uint32_t)ls_process_id());
	h.payload = 64;
	lsi_share_pack(buf, &h);
	CHECK_ERR(ls_socket_import(&got, buf, LSI_SHARE_HDR + h.payload), LS_EINVAL);
	/* A payload that is not the OS's size for its bytes (Windows checks it). */
	lsi_share_hdr_init(&h, LSI_SHARE_OS, LS_AF_INET, LS_SOCK_STREAM, (uint32_t)ls_process_id());
	h.payload = 3;
	lsi_share_pack(buf, &h);
	CHECK_ERR2(ls_socket_import(&got, buf, LSI_SHARE_HDR + h.payload), LS_EINVAL, LS_ENOTSUP);
}

/* Random bytes of random lengths: refused, never a crash (asan watches). */
static void import_random(void)
{
	unsigned char buf[LS_SOCKET_EXPORT_MAX + 16];
	unsigned seed = 12345;
	ls_socket got;
	size_t len, i;
	int n;

	for (n = 0; n < 2000; n++) {
		seed = seed * 1103515245u + 12345u;
		len = (seed >> 8) % sizeof(buf);
		for (i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			buf[i] = (unsigned char)(seed >> 16);
		}
		/* Half of them start like the real thing, to get past the magic. */
		if ((n & 1) && len >= 5)
			memcpy(buf, "LSX\x01\x01", 5);
		CHECK_ERR(ls_socket_import(&got, buf, len), LS_EINVAL);
	}
}

/* --- Bad channels ----------------------------------------------------------- */

static void channel_garbage(void)
{
	static const unsigned char junk[40] = "this is not a socket, just some bytes...";
	unsigned char half[LSI_SHARE_HDR + 64] = { 0 };
	ls_socket pair[2], got;
	lsi_share_hdr h;

	/* Bytes that are not a header. */
	CHECK_OK(ls_socketpair(LS_AF_UNSPEC, LS_SOCK_STREAM, pair));
	CHECK_OK(ls_set_timeout(pair[1], H_HANG_MS));
	h_send_all(pair[0], junk, sizeof(junk));
	CHECK_ERR(ls_socket_receive_from_process(pair[1], &got), LS_EPROTO);
	CHECK_EQ_U64(got, LS_INVALID_SOCKET);
	CHECK_OK(ls_close(pair[0]));
	CHECK_OK(ls_close(pair[1]));
	/* Half a header, then the peer goes away. */
	CHECK_OK(ls_socketpair(LS_AF_UNSPEC, LS_SOCK_STREAM, pair));
	CHECK_OK(ls_set_timeout(pair[1], H_HANG_MS));
	lsi_share_hdr_init(&h, LSI_SHARE_OS, LS_AF_INET, LS_SOCK_STREAM, 0);
	h.payload = 64;
	lsi_share_pack(half, &h);
	h_send_all(pair[0], half, LSI_SHARE_HDR / 2);
	CHECK_OK(ls_close(pair[0]));
	CHECK_ERR(ls_socket_receive_from_process(pair[1], &got), LS_EPROTO);
	CHECK_OK(ls_close(pair[1]));
	/* A header promising a descriptor that never came. */
	CHECK_OK(ls_socketpair(LS_AF_UNSPEC, LS_SOCK_STREAM, pair));
	CHECK_OK(ls_set_timeout(pair[1], H_HANG_MS));
	lsi_share_hdr_init(&h, LSI_SHARE_FD, LS_AF_INET, LS_SOCK_STREAM, 0);
	lsi_share_pack(half, &h);
	h_send_all(pair[0], half, LSI_SHARE_HDR);
	CHECK_ERR(ls_socket_receive_from_process(pair[1], &got), LS_EPROTO);
	CHECK_OK(ls_close(pair[0]));
	CHECK_OK(ls_close(pair[1]));
}

/* A descriptor that arrives with a header describing another kind of socket is closed. */
static void channel_mismatched_fd(void)
{
	unsigned char buf[LSI_SHARE_HDR];
	ls_socket pair[2], got, u;
	ls_iovec iov = { buf, sizeof(buf) };
	ls_msg m;
	lsi_share_hdr h;

	if (ls_socketpair(LS_AF_UNIX, LS_SOCK_STREAM, pair) != 0)
		SKIP("no Unix socket pairs on this OS");
	CHECK_OK(ls_set_timeout(pair[1], H_HANG_MS));
	u = h_udp(LS_AF_INET, NULL);
	lsi_share_hdr_init(&h, LSI_SHARE_FD, LS_AF_INET, LS_SOCK_STREAM, 0);
	lsi_share_pack(buf, &h);
	memset(&m, 0, sizeof(m));
	m.iov = &iov;
	m.iovcnt = 1;
	m.socks = &u;
	m.nsocks = 1;
	if (ls_sendmsg(pair[0], &m, 0) == LS_ENOTSUP) {
		ls_close(u);
		ls_close(pair[0]);
		ls_close(pair[1]);
		SKIP("no passing of descriptors on this OS");
	}
	CHECK_ERR(ls_socket_receive_from_process(pair[1], &got), LS_EPROTO);
	CHECK_OK(ls_close(u));
	CHECK_OK(ls_close(pair[0]));
	CHECK_OK(ls_close(pair[1]));
}

static void channel_wrong_kind(void)
{
	ls_socket l = h_listener(LS_AF_INET, NULL), u = h_udp(LS_AF_INET, NULL), got;

	CHECK_ERR(ls_socket_send_to_process(u, l, 0), LS_EPROTOTYPE);
	CHECK_ERR(ls_socket_send_to_process(l, l, -5), LS_EINVAL);
	CHECK_ERR(ls_socket_send_to_process(LS_INVALID_SOCKET, l, 0), LS_EBADF);
	CHECK_ERR(ls_socket_receive_from_process(l, NULL), LS_EINVAL);
	CHECK_ERR(ls_socket_receive_from_process(LS_INVALID_SOCKET, &got), LS_EBADF);
	CHECK_OK(ls_close(u));
	CHECK_OK(ls_close(l));
}

/* A TCP channel: refused on POSIX (descriptors pass only over Unix sockets), fine on Windows. */
static void channel_tcp(void)
{
	ls_socket client, server, l;
	int rc;

	h_tcp_pair(LS_AF_INET, &client, &server);
	l = h_listener(LS_AF_INET, NULL);
	rc = ls_socket_send_to_process(client, l, ls_process_id());
	if (rc == 0) {
		ls_socket got;

		CHECK_OK(ls_set_timeout(server, H_HANG_MS));
		CHECK_OK(ls_socket_receive_from_process(server, &got));
		CHECK_OK(ls_close(got));
	} else {
		CHECK_ERR(rc, LS_EAFNOSUPPORT);
	}
	CHECK_OK(ls_close(l));
	CHECK_OK(ls_close(client));
	CHECK_OK(ls_close(server));
}

static const t_case cases[] = {
	TEST_CASE(balance_listeners),
	TEST_CASE(balance_threads),
	TEST_CASE(balance_processes),
	TEST_CASE(balance_by_cpu),
	TEST_CASE(group_is_closed),
	TEST_CASE(share_unsupported),
	TEST_CASE(share_bad_args),
	TEST_CASE(child_helper),
	TEST_CASE(handoff_listener),
	TEST_CASE(handoff_connection),
	TEST_CASE(handoff_same_process),
	TEST_CASE(export_import),
	TEST_CASE(export_posix_refuses),
	TEST_CASE(export_bad_args),
	TEST_CASE(import_corrupt),
	TEST_CASE(import_mismatched),
	TEST_CASE(import_random),
	TEST_CASE(channel_garbage),
	TEST_CASE(channel_mismatched_fd),
	TEST_CASE(channel_wrong_kind),
	TEST_CASE(channel_tcp),
};

TEST_MAIN(cases)
