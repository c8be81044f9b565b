/* test_poll.c - ls_poll readiness, hang-up, bad handles, timeouts, failed connects. */
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "platform.h" /* lsi_plat_inject_fault */

static void readable_after_send(void)
{
	ls_socket c, s;
	ls_pollfd p;

	h_tcp_pair(LS_AF_INET, &c, &s);
	h_set_pollfd(&p, s, LS_POLLIN);
	CHECK_EQ_INT(ls_poll(&p, 1, 0), 0);
	CHECK_EQ_INT(p.revents, 0);
	h_send_str(c, "x");
	h_set_pollfd(&p, s, LS_POLLIN);
	CHECK_EQ_INT(ls_poll(&p, 1, H_HANG_MS), 1);
	CHECK(p.revents & LS_POLLIN);
	CHECK(!(p.revents & (LS_POLLERR | LS_POLLNVAL)));
	h_expect_str(s, "x");
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
}

static void writable_when_connected(void)
{
	ls_socket c, s;
	ls_pollfd p[2];

	h_tcp_pair(LS_AF_INET, &c, &s);
	h_set_pollfd(&p[0], c, LS_POLLOUT);
	h_set_pollfd(&p[1], s, LS_POLLOUT | LS_POLLIN);
	CHECK_EQ_INT(ls_poll(p, 2, H_HANG_MS), 2);
	CHECK(p[0].revents & LS_POLLOUT);
	CHECK(p[1].revents & LS_POLLOUT);
	CHECK(!(p[1].revents & LS_POLLIN));
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
}

static void listener_readable(void)
{
	ls_addr la;
	ls_socket l = h_listener(LS_AF_INET, &la), c, s;
	ls_pollfd p;

	h_set_pollfd(&p, l, LS_POLLIN);
	CHECK_EQ_INT(ls_poll(&p, 1, 0), 0);
	CHECK_OK(ls_socket_create(&c, LS_AF_INET, LS_SOCK_STREAM, 0));
	CHECK_OK(ls_connect(c, &la));
	h_set_pollfd(&p, l, LS_POLLIN);
	CHECK_EQ_INT(ls_poll(&p, 1, H_HANG_MS), 1);
	CHECK(p.revents & LS_POLLIN);
	CHECK_OK(ls_accept(l, &s, NULL));
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
	CHECK_OK(ls_close(l));
}

static void peer_close(void)
{
	ls_socket c, s;
	ls_pollfd p;
	char buf[4];

	h_tcp_pair(LS_AF_INET, &c, &s);
	CHECK_OK(ls_close(c));
	h_set_pollfd(&p, s, LS_POLLIN);
	CHECK_EQ_INT(ls_poll(&p, 1, H_HANG_MS), 1);
	/* End of stream shows as readable (and possibly hang-up). */
	CHECK(p.revents & (LS_POLLIN | LS_POLLHUP));
	CHECK(!(p.revents & LS_POLLNVAL));
	CHECK_EQ_INT(ls_recv(s, buf, sizeof(buf), 0), 0);
	CHECK_OK(ls_close(s));
}

static void peer_abort(void)
{
	ls_socket c, s;
	ls_pollfd p;

	h_tcp_pair(LS_AF_INET, &c, &s);
	CHECK_OK(ls_abort(c));
	h_set_pollfd(&p, s, LS_POLLIN);
	CHECK_EQ_INT(ls_poll(&p, 1, H_HANG_MS), 1);
	CHECK(p.revents & (LS_POLLIN | LS_POLLHUP | LS_POLLERR));
	CHECK_OK(ls_close(s));
}

static void bad_handles_nval(void)
{
	ls_socket c, s, dead;
	ls_pollfd p[5];
	int n;

	h_tcp_pair(LS_AF_INET, &c, &s);
	CHECK_OK(ls_socket_create(&dead, LS_AF_INET, LS_SOCK_STREAM, 0));
	CHECK_OK(ls_close(dead));
	h_set_pollfd(&p[0], c, LS_POLLOUT);
	h_set_pollfd(&p[1], dead, LS_POLLIN);
	h_set_pollfd(&p[2], LS_INVALID_SOCKET, LS_POLLIN | LS_POLLOUT);
	h_set_pollfd(&p[3], (ls_socket)0x7777777777ULL, LS_POLLIN);
	h_set_pollfd(&p[4], dead, 0); /* NVAL is reported even when not asked for */
	n = ls_poll(p, 5, 0);
	CHECK_EQ_INT(n, 5);
	CHECK(p[0].revents & LS_POLLOUT);
	CHECK_EQ_INT(p[1].revents, LS_POLLNVAL);
	CHECK_EQ_INT(p[2].revents, LS_POLLNVAL);
	CHECK_EQ_INT(p[3].revents, LS_POLLNVAL);
	CHECK_EQ_INT(p[4].revents, LS_POLLNVAL);
	/* Only bad handles, with a timeout: returns at once, not an error. */
	h_set_pollfd(&p[0], dead, LS_POLLIN);
	CHECK_EQ_INT(ls_poll(p, 1, H_HANG_MS), 1);
	CHECK_EQ_INT(p[0].revents, LS_POLLNVAL);
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
}

static void count_matches_revents(void)
{
	ls_socket c, s;
	ls_pollfd p[3];
	int i, nonzero = 0, n;

	h_tcp_pair(LS_AF_INET, &c, &s);
	h_set_pollfd(&p[0], c, LS_POLLIN);  /* nothing to read */
	h_set_pollfd(&p[1], s, LS_POLLOUT); /* writable */
	h_set_pollfd(&p[2], c, LS_POLLOUT); /* writable */
	n = ls_poll(p, 3, H_HANG_MS);
	for (i = 0; i < 3; i++)
		nonzero += p[i].revents != 0;
	CHECK_EQ_INT(n, nonzero);
	CHECK_EQ_INT(n, 2);
	CHECK_EQ_INT(p[0].revents, 0);
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
}

static void timeout_zero(void)
{
	ls_socket c, s;
	ls_pollfd p;
	int64_t t0;

	h_tcp_pair(LS_AF_INET, &c, &s);
	h_set_pollfd(&p, s, LS_POLLIN);
	p.revents = 0x7f; /* must be overwritten */
	t0 = t_now_ms();
	CHECK_EQ_INT(ls_poll(&p, 1, 0), 0);
	CHECK_LT_INT(t_now_ms() - t0, H_HANG_MS);
	CHECK_EQ_INT(p.revents, 0);
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
}

static void timeout_expires(void)
{
	ls_socket c, s;
	ls_pollfd p;
	int64_t t0, dt;

	h_tcp_pair(LS_AF_INET, &c, &s);
	h_set_pollfd(&p, s, LS_POLLIN);
	t0 = t_now_ms();
	CHECK_EQ_INT(ls_poll(&p, 1, 200), 0);
	dt = t_now_ms() - t0;
	CHECK_GE_INT(dt, 150);
	CHECK_LT_INT(dt, H_HANG_MS);
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
}

static void count_zero_sleeps(void)
{
	ls_pollfd p;
	int64_t t0, dt;

	h_set_pollfd(&p, LS_INVALID_SOCKET, LS_POLLIN);
	t0 = t_now_ms();
	CHECK_EQ_INT(ls_poll(&p, 0, 150), 0);
	dt = t_now_ms() - t0;
	CHECK_GE_INT(dt, 100);
	CHECK_LT_INT(dt, H_HANG_MS);
	CHECK_EQ_INT(ls_poll(&p, 0, 0), 0);
}

/*
 * More entries than fit the call's stack buffers (32): every one is
 * reported, and a closed handle among them is LS_POLLNVAL.
 */
static void many_entries(void)
{
	enum { N = 40 };
	ls_pollfd p[N + 1];
	ls_addr a[N];
	ls_socket sender = h_udp(LS_AF_INET, NULL), dead;
	int i;

	for (i = 0; i < N; i++) {
		h_set_pollfd(&p[i], h_udp(LS_AF_INET, &a[i]), LS_POLLIN);
		CHECK_EQ_INT(ls_sendto(sender, "d", 1, 0, &a[i]), 1);
	}
	CHECK_OK(ls_socket_create(&dead, LS_AF_INET, LS_SOCK_DGRAM, 0));
	CHECK_OK(ls_close(dead));
	h_set_pollfd(&p[N], dead, LS_POLLIN);
	/* Datagrams to loopback are queued at once; wait for all of them. */
	for (i = 0; i < N; i++) {
		ls_pollfd one = p[i];

		CHECK_EQ_INT(ls_poll(&one, 1, H_HANG_MS), 1);
	}
	CHECK_EQ_INT(ls_poll(p, N + 1, H_HANG_MS), N + 1);
	for (i = 0; i < N; i++)
		CHECK_MSG(p[i].revents & LS_POLLIN, "entry %d: revents 0x%x", i,
		          (unsigned)p[i].revents);
	CHECK_EQ_INT(p[N].revents, LS_POLLNVAL);
	for (i = 0; i < N; i++)
		CHECK_OK(ls_close(p[i].sock));
	CHECK_OK(ls_close(sender));
}

static void too_many_entries(void)
{
	size_t n = ((size_t)64 << 10) + 1; /* one over the limit */
	ls_pollfd *p = calloc(n, sizeof(*p));

	CHECK(p != NULL);
	CHECK_ERR(ls_poll(p, n, 0), LS_EINVAL);
	CHECK_ERR(ls_poll(NULL, 1, 0), LS_EINVAL);
	free(p);
}

typedef struct later {
	ls_socket s;
} later;

static void later_thread(void *p)
{
	later *l = p;

	t_sleep_ms(100);
	CHECK_OK(ls_send(l->s, "!", 1, 0));
}

static void block_until_ready(void)
{
	ls_socket c, s;
	ls_pollfd p;
	later l;
	t_thread *t;

	h_tcp_pair(LS_AF_INET, &c, &s);
	l.s = c;
	t = t_thread_start(later_thread, &l);
	CHECK(t != NULL);
	h_set_pollfd(&p, s, LS_POLLIN);
	CHECK_EQ_INT(ls_poll(&p, 1, LS_TIMEOUT_BLOCK), 1);
	CHECK(p.revents & LS_POLLIN);
	t_thread_join(t);
	h_expect_str(s, "!");
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
}

static void udp_readable(void)
{
	ls_addr ab;
	ls_socket a = h_udp(LS_AF_INET, NULL), b = h_udp(LS_AF_INET, &ab);
	ls_pollfd p;

	h_set_pollfd(&p, b, LS_POLLIN);
	CHECK_EQ_INT(ls_poll(&p, 1, 0), 0);
	CHECK_EQ_INT(ls_sendto(a, "u", 1, 0, &ab), 1);
	CHECK_EQ_INT(ls_poll(&p, 1, H_HANG_MS), 1);
	CHECK(p.revents & LS_POLLIN);
	CHECK_OK(ls_close(a));
	CHECK_OK(ls_close(b));
}

static void failed_connect(int family)
{
	ls_addr a = h_closed_port(family);
	ls_socket c;
	ls_pollfd p;
	int err, v = -1;

	CHECK_OK(ls_socket_create(&c, family, LS_SOCK_STREAM, 0));
	CHECK_OK(ls_set_timeout(c, 0));
	err = ls_connect(c, &a);
	if (err == LS_ECONNREFUSED) {
		t_note("the refusal came at once; nothing to poll for");
		CHECK_OK(ls_close(c));
		return;
	}
	CHECK_ERR(err, LS_EINPROGRESS);
	h_set_pollfd(&p, c, LS_POLLOUT);
	/* Windows retries a refused SYN for ~2 s before it reports. */
	CHECK_EQ_INT(ls_poll(&p, 1, H_HANG_MS), 1);
	CHECK_MSG(p.revents & LS_POLLERR, "failed connect: revents 0x%x, no LS_POLLERR",
	          (unsigned)p.revents);
	CHECK(!(p.revents & LS_POLLNVAL));
	CHECK_OK(ls_getopt(c, LS_OPT_ERROR, &v));
	CHECK_ERR(v, LS_ECONNREFUSED);
	/* Reading the error cleared it. */
	CHECK_OK(ls_getopt(c, LS_OPT_ERROR, &v));
	CHECK_EQ_INT(v, 0);
	CHECK_OK(ls_close(c));
}

static void failed_connect_v4(void)
{
	failed_connect(LS_AF_INET);
}

static void failed_connect_v6(void)
{
	H_REQUIRE_IPV6();
	failed_connect(LS_AF_INET6);
}

/*
 * Item 17: WSAPoll before Windows 10 2004 never reports a failed connect.
 * The Windows platform can emulate that bug ("old-wsapoll"); ls_poll() and
 * a connect with a timeout must still report the failure (poll.c asks
 * select() between slices of the wait).
 */
static void failed_connect_old_wsapoll(void)
{
	ls_addr a = h_closed_port(LS_AF_INET);
	ls_socket c;
	int64_t t0;

	if (lsi_plat_inject_fault("old-wsapoll", 0, 1000000) == LS_EINVAL)
		SKIP("emulates a bug of Windows' WSAPoll; this platform has poll()");
	failed_connect(LS_AF_INET);
	CHECK_OK(ls_socket_create(&c, LS_AF_INET, LS_SOCK_STREAM, 0));
	CHECK_OK(ls_set_timeout(c, H_HANG_MS));
	t0 = t_now_ms();
	CHECK_ERR(ls_connect(c, &a), LS_ECONNREFUSED);
	CHECK_LT_INT(t_now_ms() - t0, H_HANG_MS);
	CHECK_OK(ls_close(c));
	CHECK_OK(lsi_plat_inject_fault("old-wsapoll", 0, 0));
}

static const t_case cases[] = {
	TEST_CASE(readable_after_send),
	TEST_CASE(writable_when_connected),
	TEST_CASE(listener_readable),
	TEST_CASE(peer_close),
	TEST_CASE(peer_abort),
	TEST_CASE(bad_handles_nval),
	TEST_CASE(count_matches_revents),
	TEST_CASE(timeout_zero),
	TEST_CASE(timeout_expires),
	TEST_CASE(count_zero_sleeps),
	TEST_CASE(too_many_entries),
	TEST_CASE(many_entries),
	TEST_CASE(block_until_ready),
	TEST_CASE(udp_readable),
	TEST_CASE(failed_connect_v4),
	TEST_CASE(failed_connect_v6),
	TEST_CASE(failed_connect_old_wsapoll),
};

TEST_MAIN(cases)
