/*
 * test_poller.c - the poller's conformance suite.
 *
 * tests/CMakeLists.txt registers every case once per backend: "poller.*"
 * with the OS's native backend (epoll, kqueue, afd) and "poller_poll.*" with
 * LIBSOCK_POLLER=poll (poll, or WSAPoll on Windows). The cases assert the
 * semantics include/libsock/poller.h promises, whatever the backend.
 */
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

/* Waits that must see an event use this; waits that must not, a short one. */
#define P_QUIET_MS 150

static int p_forced_portable(void)
{
	const char *v = getenv("LIBSOCK_POLLER");

	return v != NULL && strcmp(v, "poll") == 0;
}

static ls_poller *p_new(void)
{
	ls_poller *p = NULL;

	CHECK_OK(ls_poller_create(&p, 0));
	CHECK(p != NULL);
	return p;
}

/* Nonzero where LS_POLLER_EDGE is native. */
static int p_has_edge(const ls_poller *p)
{
	const char *b = ls_poller_backend(p);

	return strcmp(b, "epoll") == 0 || strcmp(b, "kqueue") == 0;
}

/* Wait for exactly one event and return it (the case fails otherwise). */
static ls_event p_one(ls_poller *p, int64_t timeout_ms)
{
	ls_event ev[4];
	int n = ls_poller_wait(p, ev, 4, timeout_ms);

	CHECK_EQ_INT(n, 1);
	return ev[0];
}

/* Nothing is reported within a short wait. */
static void p_quiet(ls_poller *p)
{
	ls_event ev[4];
	int n = ls_poller_wait(p, ev, 4, P_QUIET_MS);

	CHECK_MSG(n == 0, "expected no event, got %d (first: events 0x%x user %llu)", n,
	          n > 0 ? ev[0].events : 0, n > 0 ? (unsigned long long)ev[0].user : 0ULL);
}

static void p_close_all(ls_socket a, ls_socket b)
{
	CHECK_OK(ls_close(a));
	CHECK_OK(ls_close(b));
}

/* --- the backend ------------------------------------------------------ */

static void backend_name(void)
{
	ls_poller *p = p_new(), *q = NULL;
	const char *b = ls_poller_backend(p);

	t_note("backend: %s", b);
	if (p_forced_portable())
		CHECK(strcmp(b, "poll") == 0 || strcmp(b, "wsapoll") == 0);
	else
		CHECK(strcmp(b, "epoll") == 0 || strcmp(b, "kqueue") == 0 || strcmp(b, "afd") == 0 ||
		      strcmp(b, "wsapoll") == 0 || strcmp(b, "poll") == 0);
	/* The flag forces the portable backend whatever the environment says. */
	CHECK_OK(ls_poller_create(&q, LS_POLLER_PORTABLE));
	CHECK(strcmp(ls_poller_backend(q), "poll") == 0 ||
	      strcmp(ls_poller_backend(q), "wsapoll") == 0);
	CHECK_STR_EQ(ls_poller_backend(NULL), "");
	ls_poller_destroy(q);
	ls_poller_destroy(p);
	ls_poller_destroy(NULL);
}

/* --- bad input -------------------------------------------------------- */

static void bad_create(void)
{
	ls_poller *p = (ls_poller *)&p;

	CHECK_ERR(ls_poller_create(NULL, 0), LS_EINVAL);
	CHECK_ERR(ls_poller_create(&p, 0x100), LS_EINVAL);
	CHECK(p == NULL);
	CHECK_ERR(ls_poller_create(&p, -1), LS_EINVAL);
}

static void bad_arguments(void)
{
	ls_poller *p = p_new();
	ls_socket c, s;
	ls_event ev[1];

	h_tcp_pair(LS_AF_INET, &c, &s);
	CHECK_ERR(ls_poller_add(NULL, s, LS_POLLIN, 0, 0), LS_EINVAL);
	CHECK_ERR(ls_poller_add(p, s, 0x4000, 0, 0), LS_EINVAL);
	CHECK_ERR(ls_poller_add(p, s, LS_POLLERR, 0, 0), LS_EINVAL);
	CHECK_ERR(ls_poller_add(p, s, LS_POLLIN, 3, 0), LS_EINVAL);
	CHECK_ERR(ls_poller_add(p, s, LS_POLLIN, -1, 0), LS_EINVAL);
	CHECK_ERR(ls_poller_add(p, LS_INVALID_SOCKET, LS_POLLIN, 0, 0), LS_EBADF);
	CHECK_ERR(ls_poller_add(p, (ls_socket)0x123456789ULL, LS_POLLIN, 0, 0), LS_EBADF);
	CHECK_ERR(ls_poller_mod(p, s, LS_POLLIN, 0, 0), LS_ENOENT);
	CHECK_ERR(ls_poller_del(p, s), LS_ENOENT);
	CHECK_ERR(ls_poller_del(NULL, s), LS_EINVAL);
	CHECK_ERR(ls_poller_mod(NULL, s, LS_POLLIN, 0, 0), LS_EINVAL);
	CHECK_OK(ls_poller_add(p, s, LS_POLLIN, 0, 1));
	CHECK_ERR(ls_poller_add(p, s, LS_POLLOUT, 0, 2), LS_EEXIST);
	CHECK_ERR(ls_poller_mod(p, s, 0x4000, 0, 0), LS_EINVAL);
	CHECK_ERR(ls_poller_wait(NULL, ev, 1, 0), LS_EINVAL);
	CHECK_ERR(ls_poller_wait(p, NULL, 1, 0), LS_EINVAL);
	CHECK_ERR(ls_poller_wait(p, ev, 0, 0), LS_EINVAL);
	CHECK_ERR(ls_poller_wait(p, ev, 1, -2), LS_EINVAL);
	CHECK_ERR(ls_poller_wakeup(NULL), LS_EINVAL);
	/* A failed mod leaves the registration as it was. */
	CHECK_EQ_INT(ls_poller_wait(p, ev, 1, 0), 0);
	h_send_str(c, "x");
	CHECK_EQ_U64(p_one(p, H_HANG_MS).user, 1);
	CHECK_OK(ls_poller_del(p, s));
	CHECK_ERR(ls_poller_del(p, s), LS_ENOENT);
	p_close_all(c, s);
	CHECK_ERR(ls_poller_add(p, s, LS_POLLIN, 0, 0), LS_EBADF);
	CHECK_ERR(ls_poller_del(p, s), LS_EBADF);
	CHECK_ERR(ls_poller_mod(p, s, LS_POLLIN, 0, 0), LS_EBADF);
	ls_poller_destroy(p);
}

static void edge_only_where_native(void)
{
	ls_poller *p = p_new();
	ls_socket c, s;
	ls_event ev[4];

	h_tcp_pair(LS_AF_INET, &c, &s);
	if (!p_has_edge(p)) {
		CHECK_ERR(ls_poller_add(p, s, LS_POLLIN, LS_POLLER_EDGE, 0), LS_ENOTSUP);
		CHECK_OK(ls_poller_add(p, s, LS_POLLIN, LS_POLLER_LEVEL, 0));
		CHECK_ERR(ls_poller_mod(p, s, LS_POLLIN, LS_POLLER_EDGE, 0), LS_ENOTSUP);
		p_close_all(c, s);
		ls_poller_destroy(p);
		return;
	}
	CHECK_OK(ls_poller_add(p, s, LS_POLLIN, LS_POLLER_EDGE, 7));
	h_send_str(c, "a");
	CHECK_EQ_INT(p_one(p, H_HANG_MS).events, LS_POLLIN);
	/* Still unread, but nothing changed: an edge is reported once. */
	p_quiet(p);
	h_send_str(c, "b");
	CHECK_EQ_U64(p_one(p, H_HANG_MS).user, 7);
	h_expect_str(s, "ab");
	CHECK_EQ_INT(ls_poller_wait(p, ev, 4, 0), 0);
	p_close_all(c, s);
	ls_poller_destroy(p);
}

static void bad_environment(void)
{
	ls_poller *p = NULL;
	const char *old = getenv("LIBSOCK_POLLER");
	char keep[32] = "";

	if (old != NULL)
		snprintf(keep, sizeof(keep), "%s", old);
	CHECK_OK(t_setenv("LIBSOCK_POLLER", "no-such-backend"));
	CHECK_ERR(ls_poller_create(&p, 0), LS_EINVAL);
	CHECK_OK(t_setenv("LIBSOCK_POLLER", "native"));
	CHECK_OK(ls_poller_create(&p, 0));
	ls_poller_destroy(p);
	CHECK_OK(t_setenv("LIBSOCK_POLLER", old != NULL ? keep : NULL));
}

/* --- level, one-shot, event kinds --------------------------------------- */

static void level_readable(void)
{
	ls_poller *p = p_new();
	ls_socket c, s;
	ls_event ev;
	char buf[8];

	h_tcp_pair(LS_AF_INET, &c, &s);
	CHECK_OK(ls_poller_add(p, s, LS_POLLIN, LS_POLLER_LEVEL, 42));
	p_quiet(p);
	h_send_str(c, "hello");
	ev = p_one(p, H_HANG_MS);
	CHECK(ev.sock == s);
	CHECK_EQ_INT(ev.events, LS_POLLIN);
	CHECK_EQ_U64(ev.user, 42);
	/* Level: reported again while unread. */
	CHECK_EQ_INT(p_one(p, H_HANG_MS).events, LS_POLLIN);
	CHECK_EQ_INT(ls_recv(s, buf, sizeof(buf), 0), 5);
	p_quiet(p);
	p_close_all(c, s);
	ls_poller_destroy(p);
}

static void oneshot_rearm(void)
{
	ls_poller *p = p_new();
	ls_socket c, s;

	h_tcp_pair(LS_AF_INET, &c, &s);
	CHECK_OK(ls_poller_add(p, s, LS_POLLIN, LS_POLLER_ONESHOT, 5));
	h_send_str(c, "x");
	CHECK_EQ_U64(p_one(p, H_HANG_MS).user, 5);
	/* Disarmed: still readable, never reported until re-armed. */
	p_quiet(p);
	h_send_str(c, "y");
	p_quiet(p);
	CHECK_OK(ls_poller_mod(p, s, LS_POLLIN, LS_POLLER_ONESHOT, 6));
	CHECK_EQ_U64(p_one(p, H_HANG_MS).user, 6);
	p_quiet(p);
	/* Back to level mode: reported on every wait. */
	CHECK_OK(ls_poller_mod(p, s, LS_POLLIN, LS_POLLER_LEVEL, 8));
	CHECK_EQ_U64(p_one(p, H_HANG_MS).user, 8);
	CHECK_EQ_U64(p_one(p, H_HANG_MS).user, 8);
	p_close_all(c, s);
	ls_poller_destroy(p);
}

static void writable_and_mod(void)
{
	ls_poller *p = p_new();
	ls_socket c, s;
	ls_event ev;

	h_tcp_pair(LS_AF_INET, &c, &s);
	CHECK_OK(ls_poller_add(p, c, LS_POLLOUT, 0, 1));
	ev = p_one(p, H_HANG_MS);
	CHECK_EQ_INT(ev.events, LS_POLLOUT);
	/* Interest moves to reading: no longer reported. */
	CHECK_OK(ls_poller_mod(p, c, LS_POLLIN, 0, 2));
	p_quiet(p);
	h_send_str(s, "z");
	ev = p_one(p, H_HANG_MS);
	CHECK_EQ_INT(ev.events, LS_POLLIN);
	CHECK_EQ_U64(ev.user, 2);
	/* Both: both reported in one event. */
	CHECK_OK(ls_poller_mod(p, c, LS_POLLIN | LS_POLLOUT, 0, 3));
	CHECK_EQ_INT(p_one(p, H_HANG_MS).events, LS_POLLIN | LS_POLLOUT);
	/* Nothing asked: only errors and hang-ups would be reported. */
	CHECK_OK(ls_poller_mod(p, c, 0, 0, 4));
	p_quiet(p);
	p_close_all(c, s);
	ls_poller_destroy(p);
}

static void accept_readiness(void)
{
	ls_poller *p = p_new();
	ls_addr la;
	ls_socket l = h_listener(LS_AF_INET, &la), c, s;

	CHECK_OK(ls_poller_add(p, l, LS_POLLIN, 0, 9));
	p_quiet(p);
	CHECK_OK(ls_socket_create(&c, LS_AF_INET, LS_SOCK_STREAM, 0));
	CHECK_OK(ls_connect(c, &la));
	CHECK_EQ_U64(p_one(p, H_HANG_MS).user, 9);
	CHECK_OK(ls_accept(l, &s, NULL));
	p_quiet(p);
	p_close_all(c, s);
	CHECK_OK(ls_close(l));
	ls_poller_destroy(p);
}

static void udp_readable(void)
{
	ls_poller *p = p_new();
	ls_addr a;
	ls_socket u = h_udp(LS_AF_INET, &a), t = h_udp(LS_AF_INET, NULL);
	char buf[4];

	CHECK_OK(ls_poller_add(p, u, LS_POLLIN | LS_POLLRDHUP, 0, 3));
	p_quiet(p);
	CHECK_EQ_INT(ls_sendto(t, "dg", 2, 0, &a), 2);
	CHECK_EQ_INT(p_one(p, H_HANG_MS).events, LS_POLLIN);
	CHECK_EQ_INT(ls_recvfrom(u, buf, sizeof(buf), 0, NULL), 2);
	p_quiet(p);
	p_close_all(u, t);
	ls_poller_destroy(p);
}

/* Drain s until the end of the stream. */
static void p_read_to_eof(ls_socket s)
{
	char buf[64];
	int64_t n;

	CHECK_OK(ls_set_timeout(s, H_HANG_MS));
	while ((n = ls_recv(s, buf, sizeof(buf), 0)) > 0)
		;
	CHECK_EQ_INT(n, 0);
}

static void peer_shutdown_is_rdhup(void)
{
	ls_poller *p = p_new();
	ls_socket c, s;
	ls_event ev;

	h_tcp_pair(LS_AF_INET, &c, &s);
	CHECK_OK(ls_poller_add(p, s, LS_POLLIN | LS_POLLRDHUP, 0, 1));
	h_send_str(c, "bye");
	CHECK_OK(ls_shutdown(c, LS_SHUT_WR));
	p_read_to_eof(s);
	ev = p_one(p, H_HANG_MS);
	CHECK_EQ_INT(ev.events, LS_POLLIN | LS_POLLRDHUP);
	/* Not asked: the end of the stream is plain readability. */
	CHECK_OK(ls_poller_mod(p, s, LS_POLLIN, 0, 2));
	CHECK_EQ_INT(p_one(p, H_HANG_MS).events, LS_POLLIN);
	/* This side can still send: the connection is half open. */
	h_send_str(s, "ok");
	h_expect_str(c, "ok");
	p_close_all(c, s);
	ls_poller_destroy(p);
}

static void both_shut_is_hup(void)
{
	ls_poller *p = p_new();
	ls_socket c, s;
	ls_event ev;

	h_tcp_pair(LS_AF_INET, &c, &s);
	CHECK_OK(ls_poller_add(p, s, LS_POLLIN | LS_POLLRDHUP, 0, 1));
	CHECK_OK(ls_shutdown(c, LS_SHUT_WR));
	p_read_to_eof(s);
	CHECK_OK(ls_shutdown(s, LS_SHUT_WR));
	p_read_to_eof(c);
	ev = p_one(p, H_HANG_MS);
	CHECK_MSG(ev.events & LS_POLLHUP, "events 0x%x lack LS_POLLHUP", ev.events);
	CHECK(ev.events & LS_POLLIN);
	CHECK(!(ev.events & LS_POLLOUT));
	/* Hang-ups are reported even when nothing is asked for. */
	CHECK_OK(ls_poller_mod(p, s, 0, 0, 2));
	ev = p_one(p, H_HANG_MS);
	CHECK_EQ_INT(ev.events & ~LS_POLLERR, LS_POLLHUP);
	p_close_all(c, s);
	ls_poller_destroy(p);
}

static void reset_is_reported(void)
{
	ls_poller *p = p_new();
	ls_socket c, s;
	ls_event ev;

	h_tcp_pair(LS_AF_INET, &c, &s);
	CHECK_OK(ls_poller_add(p, s, LS_POLLIN, 0, 1));
	CHECK_OK(ls_abort(c));
	ev = p_one(p, H_HANG_MS);
	CHECK_MSG(ev.events & (LS_POLLIN | LS_POLLERR | LS_POLLHUP), "events 0x%x", ev.events);
	CHECK_OK(ls_set_timeout(s, H_HANG_MS));
	{
		char b;
		int64_t n = ls_recv(s, &b, 1, 0);

		CHECK_MSG(n == LS_ECONNRESET || n == 0, "recv after reset: %lld", (long long)n);
	}
	CHECK_OK(ls_close(s));
	ls_poller_destroy(p);
}

static void failed_connect_is_err(void)
{
	ls_poller *p = p_new();
	ls_addr dead = h_closed_port(LS_AF_INET);
	ls_socket c;
	ls_event ev;
	int err = 0;

	CHECK_OK(ls_socket_create(&c, LS_AF_INET, LS_SOCK_STREAM, 0));
	CHECK_OK(ls_set_timeout(c, 0));
	CHECK_ERR2(ls_connect(c, &dead), LS_EINPROGRESS, LS_ECONNREFUSED);
	CHECK_OK(ls_poller_add(p, c, LS_POLLOUT, 0, 11));
	ev = p_one(p, H_HANG_MS);
	CHECK_MSG(ev.events & LS_POLLERR, "events 0x%x lack LS_POLLERR", ev.events);
	CHECK_EQ_U64(ev.user, 11);
	CHECK_OK(ls_getopt(c, LS_OPT_ERROR, &err));
	CHECK_EQ_INT(err, LS_ECONNREFUSED);
	CHECK_OK(ls_close(c));
	ls_poller_destroy(p);
}

/* --- many sockets, fairness -------------------------------------------- */

#define P_MANY 10000
#define P_ACTIVE 5

static void many_idle_few_active(void)
{
	ls_socket *u = calloc(P_MANY, sizeof(*u)), t = h_udp(LS_AF_INET, NULL);
	static const size_t active[P_ACTIVE] = { 0, 17, 4242, 7777, P_MANY - 1 };
	ls_poller *p = p_new();
	ls_event ev[16];
	ls_addr a;
	size_t i, j;
	int n, seen[P_ACTIVE] = { 0 };

	CHECK(u != NULL);
	for (i = 0; i < P_MANY; i++) {
		u[i] = h_udp(LS_AF_INET, NULL);
		CHECK_OK(ls_poller_add(p, u[i], LS_POLLIN, 0, 1000000 + i));
	}
	CHECK_EQ_INT(ls_poller_wait(p, ev, 16, 0), 0);
	for (i = 0; i < P_ACTIVE; i++) {
		CHECK_OK(ls_getsockname(u[active[i]], &a));
		CHECK_EQ_INT(ls_sendto(t, "p", 1, 0, &a), 1);
	}
	/* Datagrams on loopback may arrive over a few waits; collect all. */
	for (j = 0; j < P_ACTIVE;) {
		n = ls_poller_wait(p, ev, 16, H_HANG_MS);
		CHECK_GT_INT(n, 0);
		for (i = 0; i < (size_t)n; i++) {
			size_t k, idx = (size_t)(ev[i].user - 1000000);

			CHECK(idx < P_MANY && ev[i].sock == u[idx]);
			for (k = 0; k < P_ACTIVE && active[k] != idx; k++)
				;
			CHECK_MSG(k < P_ACTIVE, "idle socket %zu reported", idx);
			CHECK_EQ_INT(ev[i].events, LS_POLLIN);
			if (!seen[k]++)
				j++;
			else
				CHECK_MSG(0, "socket %zu reported twice before a read", idx);
		}
		/* Mute those reported so the next wait shows only the rest. */
		for (i = 0; i < (size_t)n; i++)
			CHECK_OK(ls_poller_mod(p, ev[i].sock, 0, 0, ev[i].user));
	}
	for (i = 0; i < P_MANY; i++)
		CHECK_OK(ls_close(u[i]));
	CHECK_OK(ls_close(t));
	CHECK_EQ_INT(ls_poller_wait(p, ev, 16, 0), 0);
	ls_poller_destroy(p);
	free(u);
}

#define P_READY 10

static void more_ready_than_max(void)
{
	ls_poller *p = p_new();
	ls_socket c[P_READY], s[P_READY];
	ls_event ev[3];
	int seen[P_READY] = { 0 }, total = 0, round, n, i;

	for (i = 0; i < P_READY; i++) {
		h_tcp_pair(LS_AF_INET, &c[i], &s[i]);
		CHECK_OK(ls_poller_add(p, s[i], LS_POLLIN, 0, (uint64_t)i));
		h_send_str(c[i], "r");
	}
	t_sleep_ms(50);
	/* Level-triggered and never read: every socket must come up in turn. */
	for (round = 0; round < 8 && total < P_READY; round++) {
		n = ls_poller_wait(p, ev, 3, H_HANG_MS);
		CHECK_GT_INT(n, 0);
		CHECK_LE_INT(n, 3);
		for (i = 0; i < n; i++)
			if (!seen[ev[i].user]++)
				total++;
	}
	CHECK_EQ_INT(total, P_READY);
	for (i = 0; i < P_READY; i++)
		p_close_all(c[i], s[i]);
	ls_poller_destroy(p);
}

static void timeouts(void)
{
	ls_poller *p = p_new();
	ls_socket c, s;
	ls_event ev[1];
	int64_t t0;

	h_tcp_pair(LS_AF_INET, &c, &s);
	CHECK_OK(ls_poller_add(p, s, LS_POLLIN, 0, 0));
	t0 = t_now_ms();
	CHECK_EQ_INT(ls_poller_wait(p, ev, 1, 0), 0);
	t0 = t_now_ms();
	CHECK_EQ_INT(ls_poller_wait(p, ev, 1, 200), 0);
	/* Never early (a tick of slack for coarse clocks). */
	CHECK_GE_INT(t_now_ms() - t0, 190);
	/* An empty poller waits too, and returns 0. */
	CHECK_OK(ls_poller_del(p, s));
	t0 = t_now_ms();
	CHECK_EQ_INT(ls_poller_wait(p, ev, 1, 100), 0);
	CHECK_GE_INT(t_now_ms() - t0, 90);
	p_close_all(c, s);
	ls_poller_destroy(p);
}

/* --- threads ------------------------------------------------------------ */

typedef struct p_job {
	ls_poller *p;
	ls_socket sock;
	ls_socket peer;
	int64_t delay_ms;
	int what;
} p_job;

enum { P_WAKE, P_ADD, P_DEL_THEN_SEND, P_MOD_OUT, P_CLOSE };

static void p_worker(void *arg)
{
	p_job *j = arg;

	t_sleep_ms(j->delay_ms);
	switch (j->what) {
	case P_WAKE:
		CHECK_OK(ls_poller_wakeup(j->p));
		break;
	case P_ADD:
		CHECK_OK(ls_poller_add(j->p, j->sock, LS_POLLIN, 0, 77));
		break;
	case P_DEL_THEN_SEND:
		CHECK_OK(ls_poller_del(j->p, j->sock));
		h_send_str(j->peer, "late");
		break;
	case P_MOD_OUT:
		CHECK_OK(ls_poller_mod(j->p, j->sock, LS_POLLOUT, 0, 78));
		break;
	case P_CLOSE:
		CHECK_OK(ls_close(j->sock));
		h_send_str(j->peer, "after close");
		break;
	}
}

static t_thread *p_later(p_job *j, ls_poller *p, int what, ls_socket sock, ls_socket peer)
{
	t_thread *t;

	*j = (p_job){ .p = p, .sock = sock, .peer = peer, .delay_ms = 100, .what = what };
	t = t_thread_start(p_worker, j);
	CHECK(t != NULL);
	return t;
}

static void wakeup_from_thread(void)
{
	ls_poller *p = p_new();
	ls_socket c, s;
	ls_event ev[2];
	p_job j;
	t_thread *t;

	h_tcp_pair(LS_AF_INET, &c, &s);
	CHECK_OK(ls_poller_add(p, s, LS_POLLIN, 0, 0));
	t = p_later(&j, p, P_WAKE, 0, 0);
	CHECK_EQ_INT(ls_poller_wait(p, ev, 2, LS_TIMEOUT_BLOCK), 0);
	t_thread_join(t);
	/* Before a wait: the next wait returns at once; several collapse into one. */
	CHECK_OK(ls_poller_wakeup(p));
	CHECK_OK(ls_poller_wakeup(p));
	CHECK_EQ_INT(ls_poller_wait(p, ev, 2, H_HANG_MS), 0);
	p_quiet(p);
	p_close_all(c, s);
	ls_poller_destroy(p);
}

static void add_while_waiting(void)
{
	ls_poller *p = p_new();
	ls_socket c, s;
	p_job j;
	t_thread *t;

	h_tcp_pair(LS_AF_INET, &c, &s);
	h_send_str(c, "ready");
	t = p_later(&j, p, P_ADD, s, 0);
	CHECK_EQ_U64(p_one(p, H_HANG_MS).user, 77);
	t_thread_join(t);
	p_close_all(c, s);
	ls_poller_destroy(p);
}

static void mod_while_waiting(void)
{
	ls_poller *p = p_new();
	ls_socket c, s;
	p_job j;
	t_thread *t;
	ls_event ev;

	h_tcp_pair(LS_AF_INET, &c, &s);
	CHECK_OK(ls_poller_add(p, s, LS_POLLIN, 0, 1));
	t = p_later(&j, p, P_MOD_OUT, s, 0);
	ev = p_one(p, H_HANG_MS);
	CHECK_EQ_U64(ev.user, 78);
	CHECK_EQ_INT(ev.events, LS_POLLOUT);
	t_thread_join(t);
	p_close_all(c, s);
	ls_poller_destroy(p);
}

static void del_while_waiting(void)
{
	ls_poller *p = p_new();
	ls_socket c, s;
	ls_event ev[2];
	p_job j;
	t_thread *t;

	h_tcp_pair(LS_AF_INET, &c, &s);
	CHECK_OK(ls_poller_add(p, s, LS_POLLIN, 0, 1));
	t = p_later(&j, p, P_DEL_THEN_SEND, s, c);
	CHECK_EQ_INT(ls_poller_wait(p, ev, 2, 600), 0);
	t_thread_join(t);
	h_expect_str(s, "late");
	p_close_all(c, s);
	ls_poller_destroy(p);
}

static void close_while_waiting(void)
{
	ls_poller *p = p_new();
	ls_socket c, s;
	ls_event ev[2];
	p_job j;
	t_thread *t;

	h_tcp_pair(LS_AF_INET, &c, &s);
	CHECK_OK(ls_poller_add(p, s, LS_POLLIN | LS_POLLRDHUP, 0, 1));
	t = p_later(&j, p, P_CLOSE, s, c);
	/* The close wakes nothing up for s: no event for a closed handle. */
	CHECK_EQ_INT(ls_poller_wait(p, ev, 2, 600), 0);
	t_thread_join(t);
	CHECK_ERR(ls_poller_del(p, s), LS_EBADF);
	CHECK_OK(ls_close(c));
	ls_poller_destroy(p);
}

/*
 * Close a registered socket and make a new one, which usually gets the same
 * OS descriptor number: the poller must report it only when it is
 * registered itself, and only with its own handle and user value.
 */
static void close_then_fd_reuse(void)
{
	ls_poller *p = p_new();
	ls_socket a, b, t = h_udp(LS_AF_INET, NULL);
	ls_native na, nb;
	ls_addr ab;
	ls_event ev;
	int round;

	for (round = 0; round < 8; round++) {
		a = h_udp(LS_AF_INET, NULL);
		CHECK_OK(ls_socket_native(a, &na));
		CHECK_OK(ls_poller_add(p, a, LS_POLLIN, 0, 1));
		CHECK_OK(ls_close(a));
		b = h_udp(LS_AF_INET, &ab);
		CHECK_OK(ls_socket_native(b, &nb));
		if (round == 0)
			t_note("descriptor reused: %s", na == nb ? "yes" : "no");
		CHECK_EQ_INT(ls_sendto(t, "n", 1, 0, &ab), 1);
		p_quiet(p);
		CHECK_OK(ls_poller_add(p, b, LS_POLLIN, 0, 2));
		ev = p_one(p, H_HANG_MS);
		CHECK(ev.sock == b);
		CHECK_EQ_U64(ev.user, 2);
		CHECK_OK(ls_close(b));
		p_quiet(p);
	}
	CHECK_OK(ls_close(t));
	ls_poller_destroy(p);
}

static void detach_removes(void)
{
	ls_poller *p = p_new();
	ls_socket c, s, again;
	ls_native n;

	h_tcp_pair(LS_AF_INET, &c, &s);
	CHECK_OK(ls_poller_add(p, s, LS_POLLIN, 0, 1));
	CHECK_OK(ls_socket_detach(s, &n));
	h_send_str(c, "d");
	p_quiet(p);
	/* The OS socket is intact and can be adopted and polled again. */
	CHECK_OK(ls_socket_adopt(&again, n));
	CHECK_OK(ls_poller_add(p, again, LS_POLLIN, 0, 2));
	CHECK_EQ_U64(p_one(p, H_HANG_MS).user, 2);
	h_expect_str(again, "d");
	p_close_all(c, again);
	ls_poller_destroy(p);
}

static void two_pollers(void)
{
	ls_poller *p = p_new(), *q = p_new();
	ls_socket c, s;

	h_tcp_pair(LS_AF_INET, &c, &s);
	CHECK_OK(ls_poller_add(p, s, LS_POLLIN, 0, 1));
	CHECK_OK(ls_poller_add(q, s, LS_POLLIN, LS_POLLER_ONESHOT, 2));
	h_send_str(c, "2");
	CHECK_EQ_U64(p_one(p, H_HANG_MS).user, 1);
	CHECK_EQ_U64(p_one(q, H_HANG_MS).user, 2);
	/* Each keeps its own mode. */
	CHECK_EQ_U64(p_one(p, H_HANG_MS).user, 1);
	p_quiet(q);
	CHECK_OK(ls_poller_del(p, s));
	p_quiet(p);
	CHECK_OK(ls_poller_mod(q, s, LS_POLLIN, 0, 3));
	CHECK_EQ_U64(p_one(q, H_HANG_MS).user, 3);
	/* Closing removes it from both. */
	CHECK_OK(ls_poller_add(p, s, LS_POLLIN, 0, 4));
	CHECK_OK(ls_close(s));
	CHECK_ERR(ls_poller_del(q, s), LS_EBADF);
	p_quiet(p);
	p_quiet(q);
	CHECK_OK(ls_close(c));
	ls_poller_destroy(q);
	ls_poller_destroy(p);
}

static void destroy_keeps_sockets(void)
{
	ls_poller *p = p_new();
	ls_socket c, s;

	h_tcp_pair(LS_AF_INET, &c, &s);
	CHECK_OK(ls_poller_add(p, s, LS_POLLIN, 0, 1));
	CHECK_OK(ls_poller_add(p, c, LS_POLLOUT, 0, 2));
	ls_poller_destroy(p);
	h_send_str(c, "alive");
	h_expect_str(s, "alive");
	/* A new poller takes them again. */
	p = p_new();
	CHECK_OK(ls_poller_add(p, s, LS_POLLOUT, 0, 3));
	CHECK_EQ_U64(p_one(p, H_HANG_MS).user, 3);
	ls_poller_destroy(p);
	p_close_all(c, s);
}

/*
 * An adopted OS socket closed behind libsock's back: the portable backend
 * reports LS_POLLNVAL (as poll() does) instead of spinning; the kernel
 * backends have forgotten it and stay quiet.
 */
static void closed_behind_our_back(void)
{
	ls_poller *p = p_new();
	ls_native raw = t_raw_inheritable_tcp(), n;
	ls_socket s;
	ls_event ev[2];
	int got;

	CHECK(raw != LS_NATIVE_INVALID);
	CHECK_OK(ls_socket_adopt(&s, raw));
	CHECK_OK(ls_poller_add(p, s, LS_POLLIN, 0, 5));
	t_native_close(raw);
	got = ls_poller_wait(p, ev, 2, P_QUIET_MS);
	if (strcmp(ls_poller_backend(p), "poll") == 0 || strcmp(ls_poller_backend(p), "wsapoll") == 0) {
		CHECK_EQ_INT(got, 1);
		CHECK(ev[0].events & LS_POLLNVAL);
		CHECK_EQ_U64(ev[0].user, 5);
	} else {
		CHECK_GE_INT(got, 0);
		CHECK(got == 0 || (ev[0].events & (LS_POLLNVAL | LS_POLLHUP | LS_POLLERR)));
	}
	CHECK_OK(ls_poller_del(p, s));
	/* Detach, not close: the descriptor number may belong to someone else now. */
	CHECK_OK(ls_socket_detach(s, &n));
	p_quiet(p);
	ls_poller_destroy(p);
}

static void ipv6_pair(void)
{
	ls_poller *p;
	ls_socket c, s;

	H_REQUIRE_IPV6();
	p = p_new();
	h_tcp_pair(LS_AF_INET6, &c, &s);
	CHECK_OK(ls_poller_add(p, s, LS_POLLIN, 0, 6));
	h_send_str(c, "6");
	CHECK_EQ_U64(p_one(p, H_HANG_MS).user, 6);
	p_close_all(c, s);
	ls_poller_destroy(p);
}

static const t_case cases[] = {
	TEST_CASE(backend_name),
	TEST_CASE(bad_create),
	TEST_CASE(bad_arguments),
	TEST_CASE(bad_environment),
	TEST_CASE(edge_only_where_native),
	TEST_CASE(level_readable),
	TEST_CASE(oneshot_rearm),
	TEST_CASE(writable_and_mod),
	TEST_CASE(accept_readiness),
	TEST_CASE(udp_readable),
	TEST_CASE(peer_shutdown_is_rdhup),
	TEST_CASE(both_shut_is_hup),
	TEST_CASE(reset_is_reported),
	TEST_CASE(failed_connect_is_err),
	TEST_CASE(many_idle_few_active),
	TEST_CASE(more_ready_than_max),
	TEST_CASE(timeouts),
	TEST_CASE(wakeup_from_thread),
	TEST_CASE(add_while_waiting),
	TEST_CASE(mod_while_waiting),
	TEST_CASE(del_while_waiting),
	TEST_CASE(close_while_waiting),
	TEST_CASE(close_then_fd_reuse),
	TEST_CASE(detach_removes),
	TEST_CASE(two_pollers),
	TEST_CASE(destroy_keeps_sockets),
	TEST_CASE(closed_behind_our_back),
	TEST_CASE(ipv6_pair),
};

TEST_MAIN(cases)
