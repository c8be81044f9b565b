/* test_options.c - portable options (ls_setopt/ls_getopt) and raw options. */
#include <limits.h>
#include <string.h>

#ifdef _WIN32
/* Raw option numbers need the OS's values; these are Winsock's. */
#define T_SOL_SOCKET 0xffff
#define T_SO_TYPE 0x1008
#define T_SO_RCVBUF 0x1002
#define T_SOCK_STREAM 1
#else
#include <sys/socket.h>
#define T_SOL_SOCKET SOL_SOCKET
#define T_SO_TYPE SO_TYPE
#define T_SO_RCVBUF SO_RCVBUF
#define T_SOCK_STREAM SOCK_STREAM
#endif

#include "helpers.h"

static int get(ls_socket s, int opt)
{
	int v = -77;

	CHECK_OK(ls_getopt(s, opt, &v));
	return v;
}

/* Set a boolean option on and off, reading it back each time. */
static void bool_roundtrip(ls_socket s, int opt)
{
	CHECK_OK(ls_setopt(s, opt, 1));
	CHECK_EQ_INT(get(s, opt), 1);
	CHECK_OK(ls_setopt(s, opt, 0));
	CHECK_EQ_INT(get(s, opt), 0);
	CHECK_OK(ls_setopt(s, opt, 1));
	CHECK_EQ_INT(get(s, opt), 1);
}

static void reuseaddr(void)
{
	ls_socket s;

	CHECK_OK(ls_socket_create(&s, LS_AF_INET, LS_SOCK_STREAM, 0));
	bool_roundtrip(s, LS_OPT_REUSEADDR);
	CHECK_OK(ls_close(s));
}

static void reuseaddr_rebind(void)
{
	ls_addr la;
	ls_socket l, c, s;
	char buf[4];

	/* A listener with an accepted connection, closed by the server side
	 * first so its port goes through TIME_WAIT. */
	CHECK_OK(ls_socket_create(&l, LS_AF_INET, LS_SOCK_STREAM, 0));
	CHECK_OK(ls_setopt(l, LS_OPT_REUSEADDR, 1));
	la = h_loopback(LS_AF_INET, 0);
	CHECK_OK(ls_bind(l, &la));
	CHECK_OK(ls_listen(l, 0));
	CHECK_OK(ls_getsockname(l, &la));
	CHECK_OK(ls_socket_create(&c, LS_AF_INET, LS_SOCK_STREAM, 0));
	CHECK_OK(ls_connect(c, &la));
	CHECK_OK(ls_accept(l, &s, NULL));
	h_send_str(s, "bye");
	CHECK_OK(ls_close(s));
	h_expect_str(c, "bye");
	CHECK_EQ_INT(ls_recv(c, buf, sizeof(buf), 0), 0);
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(l));
	/* A new listener takes the same port at once. */
	CHECK_OK(ls_socket_create(&l, LS_AF_INET, LS_SOCK_STREAM, 0));
	CHECK_OK(ls_setopt(l, LS_OPT_REUSEADDR, 1));
	CHECK_OK(ls_bind(l, &la));
	CHECK_OK(ls_listen(l, 0));
	CHECK_OK(ls_close(l));
}

static void reuseaddr_no_steal(void)
{
	ls_addr la;
	ls_socket l = h_listener(LS_AF_INET, &la), s;

	/* Even with the option, an active listener's port is not taken over. */
	CHECK_OK(ls_socket_create(&s, LS_AF_INET, LS_SOCK_STREAM, 0));
	CHECK_OK(ls_setopt(s, LS_OPT_REUSEADDR, 1));
	CHECK_ERR(ls_bind(s, &la), LS_EADDRINUSE);
	CHECK_OK(ls_close(s));
	CHECK_OK(ls_close(l));
}

static void reuseport(void)
{
	ls_socket a, b;
	ls_addr la;
	int err, v = -1;

	CHECK_OK(ls_socket_create(&a, LS_AF_INET, LS_SOCK_STREAM, 0));
	err = ls_setopt(a, LS_OPT_REUSEPORT, 1);
#ifdef _WIN32
	/* Windows has no SO_REUSEPORT: said, not pretended. */
	CHECK_ERR(err, LS_ENOTSUP);
#endif
	if (err == LS_ENOTSUP) {
		/* Consistent: reading it is not supported either. */
		CHECK_ERR(ls_getopt(a, LS_OPT_REUSEPORT, &v), LS_ENOTSUP);
		CHECK_OK(ls_close(a));
		t_note("LS_OPT_REUSEPORT: LS_ENOTSUP on this system");
		return;
	}
	CHECK_OK(err);
	CHECK_EQ_INT(get(a, LS_OPT_REUSEPORT), 1);
	/* Two sockets with the option share a port. */
	la = h_loopback(LS_AF_INET, 0);
	CHECK_OK(ls_bind(a, &la));
	CHECK_OK(ls_getsockname(a, &la));
	CHECK_OK(ls_socket_create(&b, LS_AF_INET, LS_SOCK_STREAM, 0));
	CHECK_OK(ls_setopt(b, LS_OPT_REUSEPORT, 1));
	CHECK_OK(ls_bind(b, &la));
	CHECK_OK(ls_setopt(b, LS_OPT_REUSEPORT, 0));
	CHECK_EQ_INT(get(b, LS_OPT_REUSEPORT), 0);
	CHECK_OK(ls_close(a));
	CHECK_OK(ls_close(b));
}

static void nodelay(void)
{
	ls_socket c, s, u;
	int v;

	h_tcp_pair(LS_AF_INET, &c, &s);
	bool_roundtrip(c, LS_OPT_NODELAY);
	bool_roundtrip(s, LS_OPT_NODELAY);
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
	/* TCP_NODELAY does not apply to UDP. */
	CHECK_OK(ls_socket_create(&u, LS_AF_INET, LS_SOCK_DGRAM, 0));
	CHECK_ERR(ls_setopt(u, LS_OPT_NODELAY, 1), LS_ENOPROTOOPT);
	CHECK_ERR(ls_getopt(u, LS_OPT_NODELAY, &v), LS_ENOPROTOOPT);
	CHECK_OK(ls_close(u));
}

static void keepalive(void)
{
	ls_socket c, s;

	h_tcp_pair(LS_AF_INET, &c, &s);
	bool_roundtrip(c, LS_OPT_KEEPALIVE);
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
}

/* A keepalive tuning option: set and read back, or LS_ENOTSUP both ways. */
static void keep_tuning(int opt, const char *name, int value)
{
	ls_socket c, s, u;
	int err, v = -1;

	h_tcp_pair(LS_AF_INET, &c, &s);
	CHECK_OK(ls_setopt(c, LS_OPT_KEEPALIVE, 1));
	err = ls_setopt(c, opt, value);
	if (err == LS_ENOTSUP) {
		CHECK_ERR(ls_getopt(c, opt, &v), LS_ENOTSUP);
		t_note("%s: LS_ENOTSUP on this system", name);
	} else {
		CHECK_OK(err);
		CHECK_EQ_INT(get(c, opt), value);
		CHECK_OK(ls_setopt(c, opt, value + 1));
		CHECK_EQ_INT(get(c, opt), value + 1);
	}
	CHECK_ERR(ls_setopt(c, opt, -1), LS_EINVAL);
	/* TCP-only: not on UDP. */
	CHECK_OK(ls_socket_create(&u, LS_AF_INET, LS_SOCK_DGRAM, 0));
	err = ls_setopt(u, opt, value);
	CHECK_MSG(err == LS_ENOPROTOOPT || err == LS_ENOTSUP,
	          "%s on UDP gave %s", name, ls_error_name(err));
	CHECK_OK(ls_close(u));
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
}

static void keepidle(void)
{
	keep_tuning(LS_OPT_KEEPIDLE, "LS_OPT_KEEPIDLE", 30);
}

static void keepintvl(void)
{
	keep_tuning(LS_OPT_KEEPINTVL, "LS_OPT_KEEPINTVL", 5);
}

static void keepcnt(void)
{
	keep_tuning(LS_OPT_KEEPCNT, "LS_OPT_KEEPCNT", 4);
}

/*
 * Tuning keepalive never switches it on or off (Windows' fallback,
 * SIO_KEEPALIVE_VALS, takes the on/off state too), switching it on keeps the
 * tuned times, and one time does not reset the other.
 */
static void keep_tuning_independent(void)
{
	ls_socket c, s;
	int err;

	h_tcp_pair(LS_AF_INET, &c, &s);
	CHECK_OK(ls_setopt(c, LS_OPT_KEEPALIVE, 0));
	err = ls_setopt(c, LS_OPT_KEEPIDLE, 30);
	if (err == LS_ENOTSUP)
		SKIP("LS_OPT_KEEPIDLE is not supported on this system");
	CHECK_OK(err);
	CHECK_EQ_INT(get(c, LS_OPT_KEEPALIVE), 0);
	CHECK_OK(ls_setopt(c, LS_OPT_KEEPINTVL, 7));
	CHECK_EQ_INT(get(c, LS_OPT_KEEPALIVE), 0);
	CHECK_EQ_INT(get(c, LS_OPT_KEEPIDLE), 30);
	CHECK_EQ_INT(get(c, LS_OPT_KEEPINTVL), 7);
	CHECK_OK(ls_setopt(c, LS_OPT_KEEPALIVE, 1));
	CHECK_EQ_INT(get(c, LS_OPT_KEEPALIVE), 1);
	CHECK_EQ_INT(get(c, LS_OPT_KEEPIDLE), 30);
	CHECK_EQ_INT(get(c, LS_OPT_KEEPINTVL), 7);
	CHECK_OK(ls_setopt(c, LS_OPT_KEEPIDLE, 40));
	CHECK_EQ_INT(get(c, LS_OPT_KEEPALIVE), 1);
	CHECK_EQ_INT(get(c, LS_OPT_KEEPINTVL), 7);
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
}

/* A time the OS cannot hold is refused or kept exactly, never cut short. */
static void keep_tuning_huge(void)
{
	static const int opts[] = { LS_OPT_KEEPIDLE, LS_OPT_KEEPINTVL };
	static const int values[] = { 40000, 5000000, INT_MAX };
	ls_socket c, s;
	size_t i, j;

	h_tcp_pair(LS_AF_INET, &c, &s);
	for (i = 0; i < sizeof opts / sizeof opts[0]; i++) {
		for (j = 0; j < sizeof values / sizeof values[0]; j++) {
			int err = ls_setopt(c, opts[i], values[j]);

			if (err == 0)
				CHECK_EQ_INT(get(c, opts[i]), values[j]);
			else
				CHECK_MSG(err == LS_EINVAL || err == LS_ENOTSUP,
				          "option %d = %d gave %s", opts[i], values[j],
				          ls_error_name(err));
		}
	}
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
}

static void buffers(void)
{
	ls_socket s;
	const int want = 64 * 1024;

	CHECK_OK(ls_socket_create(&s, LS_AF_INET, LS_SOCK_STREAM, 0));
	CHECK_GT_INT(get(s, LS_OPT_RCVBUF), 0);
	CHECK_GT_INT(get(s, LS_OPT_SNDBUF), 0);
	/* The OS may round or double, never give less than asked here. */
	CHECK_OK(ls_setopt(s, LS_OPT_RCVBUF, want));
	CHECK_GE_INT(get(s, LS_OPT_RCVBUF), want);
	CHECK_OK(ls_setopt(s, LS_OPT_SNDBUF, want));
	CHECK_GE_INT(get(s, LS_OPT_SNDBUF), want);
	CHECK_ERR(ls_setopt(s, LS_OPT_RCVBUF, -1), LS_EINVAL);
	CHECK_ERR(ls_setopt(s, LS_OPT_SNDBUF, -5), LS_EINVAL);
	CHECK_OK(ls_close(s));
}

static void broadcast(void)
{
	ls_socket u;

	CHECK_OK(ls_socket_create(&u, LS_AF_INET, LS_SOCK_DGRAM, 0));
	CHECK_EQ_INT(get(u, LS_OPT_BROADCAST), 0);
	bool_roundtrip(u, LS_OPT_BROADCAST);
	CHECK_OK(ls_close(u));
}

static void v6only(void)
{
	ls_socket s;
	int v;

	H_REQUIRE_IPV6();
	CHECK_OK(ls_socket_create(&s, LS_AF_INET6, LS_SOCK_STREAM, 0));
	CHECK_EQ_INT(get(s, LS_OPT_V6ONLY), 1);
	bool_roundtrip(s, LS_OPT_V6ONLY);
	CHECK_OK(ls_close(s));
	/* Not an IPv4 option. */
	CHECK_OK(ls_socket_create(&s, LS_AF_INET, LS_SOCK_STREAM, 0));
	CHECK_ERR(ls_setopt(s, LS_OPT_V6ONLY, 1), LS_ENOPROTOOPT);
	CHECK_ERR(ls_getopt(s, LS_OPT_V6ONLY, &v), LS_ENOPROTOOPT);
	CHECK_OK(ls_close(s));
}

static void linger(void)
{
	ls_socket s;

	CHECK_OK(ls_socket_create(&s, LS_AF_INET, LS_SOCK_STREAM, 0));
	CHECK_EQ_INT(get(s, LS_OPT_LINGER), -1);
	CHECK_OK(ls_setopt(s, LS_OPT_LINGER, 5));
	CHECK_EQ_INT(get(s, LS_OPT_LINGER), 5);
	CHECK_OK(ls_setopt(s, LS_OPT_LINGER, 0));
	CHECK_EQ_INT(get(s, LS_OPT_LINGER), 0);
	CHECK_OK(ls_setopt(s, LS_OPT_LINGER, -1));
	CHECK_EQ_INT(get(s, LS_OPT_LINGER), -1);
	CHECK_ERR(ls_setopt(s, LS_OPT_LINGER, -2), LS_EINVAL);
	CHECK_EQ_INT(get(s, LS_OPT_LINGER), -1);
	CHECK_OK(ls_close(s));
}

static void expect_reset(ls_socket s)
{
	char buf[8];
	int64_t rc;

	CHECK_OK(ls_set_timeout(s, H_HANG_MS));
	rc = ls_recv(s, buf, sizeof(buf), 0);
	if (rc == 0 && t_under_wine())
		SKIP("wine limitation: closesocket() with SO_LINGER {1,0} sends FIN, "
		     "not RST (raw Winsock shows the same under wine 8)");
	CHECK_ERR(rc, LS_ECONNRESET);
}

static void abort_resets_peer(void)
{
	ls_socket c, s;

	h_tcp_pair(LS_AF_INET, &c, &s);
	CHECK_OK(ls_abort(s));
	CHECK_ERR(ls_close(s), LS_EBADF); /* ls_abort closed it */
	expect_reset(c);
	CHECK_OK(ls_close(c));
}

static void linger_zero_resets_peer(void)
{
	ls_socket c, s;

	h_tcp_pair(LS_AF_INET, &c, &s);
	CHECK_OK(ls_setopt(s, LS_OPT_LINGER, 0));
	CHECK_OK(ls_close(s));
	expect_reset(c);
	CHECK_OK(ls_close(c));
}

static void read_only(void)
{
	ls_addr la;
	ls_socket l = h_listener(LS_AF_INET, &la), u;

	CHECK_EQ_INT(get(l, LS_OPT_TYPE), LS_SOCK_STREAM);
	CHECK_EQ_INT(get(l, LS_OPT_ACCEPTCONN), 1);
	CHECK_EQ_INT(get(l, LS_OPT_ERROR), 0);
	CHECK(ls_setopt(l, LS_OPT_TYPE, LS_SOCK_DGRAM) < 0);
	CHECK(ls_setopt(l, LS_OPT_ACCEPTCONN, 0) < 0);
	CHECK(ls_setopt(l, LS_OPT_ERROR, 0) < 0);
	CHECK_EQ_INT(get(l, LS_OPT_TYPE), LS_SOCK_STREAM);
	CHECK_EQ_INT(get(l, LS_OPT_ACCEPTCONN), 1);
	CHECK_OK(ls_socket_create(&u, LS_AF_INET, LS_SOCK_DGRAM, 0));
	CHECK_EQ_INT(get(u, LS_OPT_TYPE), LS_SOCK_DGRAM);
	CHECK_EQ_INT(get(u, LS_OPT_ACCEPTCONN), 0);
	CHECK_OK(ls_close(u));
	CHECK_OK(ls_close(l));
}

static void bad_option(void)
{
	static const int bad[] = { 0, 16, 99, -1, INT_MAX, INT_MIN };
	ls_socket s;
	size_t i;
	int v;

	CHECK_OK(ls_socket_create(&s, LS_AF_INET, LS_SOCK_STREAM, 0));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_ERR(ls_setopt(s, bad[i], 1), LS_EINVAL);
		CHECK_ERR(ls_getopt(s, bad[i], &v), LS_EINVAL);
	}
	CHECK_ERR(ls_getopt(s, LS_OPT_NODELAY, NULL), LS_EINVAL);
	CHECK_OK(ls_close(s));
}

static void raw_options(void)
{
	ls_socket s;
	int v = 0;
	size_t len = sizeof(v);

	CHECK_OK(ls_socket_create(&s, LS_AF_INET, LS_SOCK_STREAM, 0));
	CHECK_OK(ls_getsockopt(s, T_SOL_SOCKET, T_SO_TYPE, &v, &len));
	CHECK_EQ_INT(len, sizeof(int));
	CHECK_EQ_INT(v, T_SOCK_STREAM);
	v = 64 * 1024;
	CHECK_OK(ls_setsockopt(s, T_SOL_SOCKET, T_SO_RCVBUF, &v, sizeof(v)));
	CHECK_GE_INT(get(s, LS_OPT_RCVBUF), v);
	/* Bad arguments. */
	CHECK_ERR(ls_getsockopt(s, T_SOL_SOCKET, T_SO_TYPE, &v, NULL), LS_EINVAL);
	CHECK_ERR(ls_setsockopt(s, T_SOL_SOCKET, T_SO_RCVBUF, &v, SIZE_MAX), LS_EINVAL);
	CHECK_ERR(ls_setsockopt(s, T_SOL_SOCKET, T_SO_RCVBUF, &v,
	                        (size_t)INT_MAX + 1u), LS_EINVAL);
	len = SIZE_MAX;
	CHECK_ERR(ls_getsockopt(s, T_SOL_SOCKET, T_SO_TYPE, &v, &len), LS_EINVAL);
	CHECK_OK(ls_close(s));
}

static const t_case cases[] = {
	TEST_CASE(reuseaddr),
	TEST_CASE(reuseaddr_rebind),
	TEST_CASE(reuseaddr_no_steal),
	TEST_CASE(reuseport),
	TEST_CASE(nodelay),
	TEST_CASE(keepalive),
	TEST_CASE(keepidle),
	TEST_CASE(keepintvl),
	TEST_CASE(keepcnt),
	TEST_CASE(keep_tuning_independent),
	TEST_CASE(keep_tuning_huge),
	TEST_CASE(buffers),
	TEST_CASE(broadcast),
	TEST_CASE(v6only),
	TEST_CASE(linger),
	TEST_CASE(abort_resets_peer),
	TEST_CASE(linger_zero_resets_peer),
	TEST_CASE(read_only),
	TEST_CASE(bad_option),
	TEST_CASE(raw_options),
};

TEST_MAIN(cases)
