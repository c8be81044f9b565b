/* test_socket.c - handles, creation, bind/listen/accept/connect, close, adopt. */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "helpers.h"

static void create_one(int family, int type)
{
	ls_socket s = LS_INVALID_SOCKET;
	int f = -1, t = -1, p = -1;

	CHECK_OK(ls_socket_create(&s, family, type, 0));
	CHECK(s != LS_INVALID_SOCKET);
	CHECK_OK(ls_socket_info(s, &f, &t, &p));
	CHECK_EQ_INT(f, family);
	CHECK_EQ_INT(t, type);
	CHECK_EQ_INT(p, 0);
	/* Any out parameter may be NULL. */
	CHECK_OK(ls_socket_info(s, NULL, NULL, NULL));
	CHECK_OK(ls_socket_info(s, NULL, &t, NULL));
	CHECK_EQ_INT(t, type);
	CHECK_OK(ls_close(s));
}

static void create_inet(void)
{
	create_one(LS_AF_INET, LS_SOCK_STREAM);
	create_one(LS_AF_INET, LS_SOCK_DGRAM);
}

static void create_inet6(void)
{
	ls_socket s;
	int err = ls_socket_create(&s, LS_AF_INET6, LS_SOCK_STREAM, 0);

	if (err == LS_EAFNOSUPPORT)
		SKIP("IPv6 sockets not supported here (LS_EAFNOSUPPORT)");
	CHECK_OK(err);
	CHECK_OK(ls_close(s));
	create_one(LS_AF_INET6, LS_SOCK_STREAM);
	create_one(LS_AF_INET6, LS_SOCK_DGRAM);
}

static void create_unix(void)
{
	ls_socket s;
	int err = ls_socket_create(&s, LS_AF_UNIX, LS_SOCK_STREAM, 0);

	if (err == LS_EAFNOSUPPORT)
		SKIP("AF_UNIX not supported on this system (LS_EAFNOSUPPORT)");
	CHECK_OK(err);
	CHECK_OK(ls_close(s));
	create_one(LS_AF_UNIX, LS_SOCK_STREAM);
}

static void create_bad(void)
{
	ls_socket s = LS_INVALID_SOCKET;
	int err;

	err = ls_socket_create(&s, 99, LS_SOCK_STREAM, 0);
	CHECK_MSG(err == LS_EAFNOSUPPORT || err == LS_EINVAL,
	          "family 99 gave %s", ls_error_name(err));
	err = ls_socket_create(&s, LS_AF_UNSPEC, LS_SOCK_STREAM, 0);
	CHECK_MSG(err == LS_EAFNOSUPPORT || err == LS_EINVAL,
	          "family LS_AF_UNSPEC gave %s", ls_error_name(err));
	err = ls_socket_create(&s, -1, LS_SOCK_STREAM, 0);
	CHECK_MSG(err == LS_EAFNOSUPPORT || err == LS_EINVAL,
	          "family -1 gave %s", ls_error_name(err));
	err = ls_socket_create(&s, LS_AF_INET, 99, 0);
	CHECK_MSG(err == LS_EINVAL || err == LS_EPROTOTYPE || err == LS_EPROTONOSUPPORT,
	          "type 99 gave %s", ls_error_name(err));
	err = ls_socket_create(&s, LS_AF_INET, 0, 0);
	CHECK_MSG(err == LS_EINVAL || err == LS_EPROTOTYPE || err == LS_EPROTONOSUPPORT,
	          "type 0 gave %s", ls_error_name(err));
	CHECK_ERR(ls_socket_create(NULL, LS_AF_INET, LS_SOCK_STREAM, 0), LS_EINVAL);
	CHECK(s == LS_INVALID_SOCKET);
}

static void connect_accept(int family)
{
	ls_addr la, ca, peer, a;
	ls_socket l = h_listener(family, &la);
	ls_socket c, s;
	int v = -1;

	CHECK(ls_addr_is_loopback(&la));
	CHECK_OK(ls_getopt(l, LS_OPT_ACCEPTCONN, &v));
	CHECK_EQ_INT(v, 1);
	CHECK_OK(ls_socket_create(&c, family, LS_SOCK_STREAM, 0));
	CHECK_OK(ls_getopt(c, LS_OPT_ACCEPTCONN, &v));
	CHECK_EQ_INT(v, 0);
	CHECK_OK(ls_connect(c, &la));
	CHECK_OK(ls_accept(l, &s, &peer));
	CHECK(s != LS_INVALID_SOCKET && s != l && s != c);

	/* The addresses agree from both ends. */
	CHECK_OK(ls_getsockname(c, &ca));
	CHECK_EQ_INT(ca.family, family);
	CHECK(ls_addr_equal(&peer, &ca));
	CHECK_OK(ls_getpeername(s, &a));
	CHECK(ls_addr_equal(&a, &ca));
	CHECK_OK(ls_getpeername(c, &a));
	CHECK(ls_addr_equal(&a, &la));
	CHECK_OK(ls_getsockname(s, &a));
	CHECK(ls_addr_equal(&a, &la));

	h_send_str(c, "ping");
	h_expect_str(s, "ping");
	h_send_str(s, "pong");
	h_expect_str(c, "pong");

	/* Accept with peer NULL. */
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_socket_create(&c, family, LS_SOCK_STREAM, 0));
	CHECK_OK(ls_connect(c, &la));
	CHECK_OK(ls_close(s));
	CHECK_OK(ls_accept(l, &s, NULL));
	h_send_str(c, "again");
	h_expect_str(s, "again");
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
	CHECK_OK(ls_close(l));
}

static void connect_accept_v4(void)
{
	connect_accept(LS_AF_INET);
}

static void connect_accept_v6(void)
{
	H_REQUIRE_IPV6();
	connect_accept(LS_AF_INET6);
}

static void connect_unspecified(int family)
{
	ls_addr la, any, peer;
	ls_socket l = h_listener(family, &la);
	ls_socket c, s;

	/* 0.0.0.0:port / [::]:port means loopback on every OS. */
	CHECK_OK(ls_addr_any(&any, family, ls_addr_port(&la)));
	CHECK_OK(ls_socket_create(&c, family, LS_SOCK_STREAM, 0));
	CHECK_OK(ls_set_timeout(c, H_HANG_MS));
	CHECK_OK(ls_connect(c, &any));
	CHECK_OK(ls_getpeername(c, &peer));
	CHECK(ls_addr_is_loopback(&peer));
	CHECK_EQ_INT(ls_addr_port(&peer), ls_addr_port(&la));
	CHECK_OK(ls_accept(l, &s, NULL));
	h_send_str(c, "any");
	h_expect_str(s, "any");
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
	CHECK_OK(ls_close(l));
}

static void connect_unspecified_v4(void)
{
	connect_unspecified(LS_AF_INET);
}

static void connect_unspecified_v6(void)
{
	H_REQUIRE_IPV6();
	connect_unspecified(LS_AF_INET6);
}

static void connect_refused(int family)
{
	ls_addr a = h_closed_port(family);
	ls_socket c;
	int64_t t0;

	CHECK_OK(ls_socket_create(&c, family, LS_SOCK_STREAM, 0));
	/* Windows retries a refused SYN for about 2 s: allow it, bound a hang. */
	CHECK_OK(ls_set_timeout(c, H_HANG_MS));
	t0 = t_now_ms();
	CHECK_ERR(ls_connect(c, &a), LS_ECONNREFUSED);
	CHECK_LT_INT(t_now_ms() - t0, H_HANG_MS);
	CHECK_OK(ls_close(c));

	/* And in plain blocking mode. */
	CHECK_OK(ls_socket_create(&c, family, LS_SOCK_STREAM, 0));
	CHECK_ERR(ls_connect(c, &a), LS_ECONNREFUSED);
	CHECK_OK(ls_close(c));
}

static void connect_refused_v4(void)
{
	connect_refused(LS_AF_INET);
}

static void connect_refused_v6(void)
{
	H_REQUIRE_IPV6();
	connect_refused(LS_AF_INET6);
}

static void connect_twice_isconn(void)
{
	ls_addr la;
	ls_socket l = h_listener(LS_AF_INET, &la);
	ls_socket c;

	CHECK_OK(ls_socket_create(&c, LS_AF_INET, LS_SOCK_STREAM, 0));
	CHECK_OK(ls_connect(c, &la));
	CHECK_ERR(ls_connect(c, &la), LS_EISCONN);
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(l));
}

static void bind_in_use(void)
{
	ls_addr la;
	ls_socket l = h_listener(LS_AF_INET, &la);
	ls_socket s;

	CHECK_OK(ls_socket_create(&s, LS_AF_INET, LS_SOCK_STREAM, 0));
	CHECK_ERR(ls_bind(s, &la), LS_EADDRINUSE);
	CHECK_OK(ls_close(s));
	CHECK_OK(ls_close(l));
}

static void bind_wrong_family(void)
{
	ls_socket s4, s6;
	ls_addr a6, a4, au;

	CHECK_OK(ls_addr_loopback(&a6, LS_AF_INET6, 0));
	CHECK_OK(ls_addr_loopback(&a4, LS_AF_INET, 0));
	CHECK_OK(ls_addr_unix(&au, "/tmp/ls-wrong-family.s"));
	CHECK_OK(ls_socket_create(&s4, LS_AF_INET, LS_SOCK_STREAM, 0));
	CHECK_ERR(ls_bind(s4, &a6), LS_EAFNOSUPPORT);
	CHECK_ERR(ls_bind(s4, &au), LS_EAFNOSUPPORT);
	CHECK_ERR(ls_connect(s4, &a6), LS_EAFNOSUPPORT);
	CHECK_ERR(ls_connect(s4, &au), LS_EAFNOSUPPORT);
	/* The socket is still usable after the refusals. */
	CHECK_OK(ls_bind(s4, &a4));
	CHECK_OK(ls_close(s4));

	if (ls_socket_create(&s6, LS_AF_INET6, LS_SOCK_STREAM, 0) == 0) {
		CHECK_ERR(ls_bind(s6, &a4), LS_EAFNOSUPPORT);
		CHECK_ERR(ls_connect(s6, &a4), LS_EAFNOSUPPORT);
		CHECK_OK(ls_close(s6));
	}
	CHECK_OK(ls_socket_create(&s4, LS_AF_INET, LS_SOCK_STREAM, 0));
	CHECK_ERR(ls_bind(s4, NULL), LS_EINVAL);
	CHECK_ERR(ls_connect(s4, NULL), LS_EINVAL);
	CHECK_OK(ls_close(s4));
}

static void names_unconnected(void)
{
	ls_socket s;
	ls_addr a;

	CHECK_OK(ls_socket_create(&s, LS_AF_INET, LS_SOCK_STREAM, 0));
	CHECK_ERR(ls_getpeername(s, &a), LS_ENOTCONN);
	CHECK_ERR(ls_shutdown(s, LS_SHUT_WR), LS_ENOTCONN);
	CHECK_ERR(ls_getsockname(s, NULL), LS_EINVAL);
	CHECK_OK(ls_close(s));
}

static void shutdown_write(void)
{
	ls_socket c, s;
	char buf[8];

	h_tcp_pair(LS_AF_INET, &c, &s);
	h_send_str(c, "last");
	CHECK_OK(ls_shutdown(c, LS_SHUT_WR));
	h_expect_str(s, "last");
	/* The peer sees the end of the stream... */
	CHECK_EQ_INT(ls_recv(s, buf, sizeof(buf), 0), 0);
	CHECK_EQ_INT(ls_recv(s, buf, sizeof(buf), 0), 0);
	/* ...and the other direction still works. */
	h_send_str(s, "back");
	h_expect_str(c, "back");
	/* Sending on the shut-down side fails. */
	CHECK_ERR(ls_send(c, "x", 1, 0), LS_EPIPE);
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
}

static void shutdown_read(void)
{
	ls_socket c, s;

	h_tcp_pair(LS_AF_INET, &c, &s);
	CHECK_OK(ls_shutdown(s, LS_SHUT_RD));
	/* Writing from the read-shut side still works. */
	h_send_str(s, "out");
	h_expect_str(c, "out");
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
}

static void shutdown_both(void)
{
	ls_socket c, s;
	char buf[8];

	h_tcp_pair(LS_AF_INET, &c, &s);
	CHECK_OK(ls_shutdown(c, LS_SHUT_RDWR));
	CHECK_EQ_INT(ls_recv(s, buf, sizeof(buf), 0), 0);
	CHECK_ERR(ls_send(c, "x", 1, 0), LS_EPIPE);
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
}

static void shutdown_bad_how(void)
{
	ls_socket c, s;

	h_tcp_pair(LS_AF_INET, &c, &s);
	CHECK_ERR(ls_shutdown(c, 3), LS_EINVAL);
	CHECK_ERR(ls_shutdown(c, -1), LS_EINVAL);
	/* Nothing was shut down. */
	h_send_str(c, "fine");
	h_expect_str(s, "fine");
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
}

/* Every call taking a handle returns LS_EBADF for s. */
static void all_calls_ebadf(ls_socket s)
{
	char buf[4] = "abc";
	ls_iovec iov = { buf, sizeof(buf) };
	ls_addr a;
	ls_socket out;
	ls_native n;
	int v = 1;
	int64_t tmo;
	size_t sent = 0, len = sizeof(v);

	CHECK_OK(ls_addr_loopback(&a, LS_AF_INET, 9));
	CHECK_ERR(ls_socket_detach(s, &n), LS_EBADF);
	CHECK_ERR(ls_socket_native(s, &n), LS_EBADF);
	CHECK_ERR(ls_socket_info(s, &v, NULL, NULL), LS_EBADF);
	CHECK_ERR(ls_bind(s, &a), LS_EBADF);
	CHECK_ERR(ls_listen(s, 0), LS_EBADF);
	CHECK_ERR(ls_accept(s, &out, NULL), LS_EBADF);
	CHECK_ERR(ls_connect(s, &a), LS_EBADF);
	CHECK_ERR(ls_getsockname(s, &a), LS_EBADF);
	CHECK_ERR(ls_getpeername(s, &a), LS_EBADF);
	CHECK_ERR(ls_shutdown(s, LS_SHUT_RDWR), LS_EBADF);
	CHECK_ERR(ls_set_timeout(s, 100), LS_EBADF);
	CHECK_ERR(ls_get_timeout(s, &tmo), LS_EBADF);
	CHECK_ERR(ls_set_blocking(s, 0), LS_EBADF);
	CHECK_ERR(ls_set_interruptible(s, 1), LS_EBADF);
	CHECK_ERR(ls_send(s, buf, sizeof(buf), 0), LS_EBADF);
	CHECK_ERR(ls_recv(s, buf, sizeof(buf), 0), LS_EBADF);
	CHECK_ERR(ls_peek(s, buf, sizeof(buf)), LS_EBADF);
	CHECK_ERR(ls_sendall(s, buf, sizeof(buf), 0, &sent), LS_EBADF);
	CHECK_EQ_U64(sent, 0);
	CHECK_ERR(ls_sendto(s, buf, sizeof(buf), 0, &a), LS_EBADF);
	CHECK_ERR(ls_recvfrom(s, buf, sizeof(buf), 0, &a), LS_EBADF);
	CHECK_ERR(ls_sendv(s, &iov, 1, 0), LS_EBADF);
	CHECK_ERR(ls_recvv(s, &iov, 1, 0), LS_EBADF);
	CHECK_ERR(ls_setopt(s, LS_OPT_NODELAY, 1), LS_EBADF);
	CHECK_ERR(ls_getopt(s, LS_OPT_TYPE, &v), LS_EBADF);
	CHECK_ERR(ls_setsockopt(s, 1, 1, &v, sizeof(v)), LS_EBADF);
	CHECK_ERR(ls_getsockopt(s, 1, 1, &v, &len), LS_EBADF);
	CHECK_ERR(ls_abort(s), LS_EBADF);
	CHECK_ERR(ls_close(s), LS_EBADF);
}

static void calls_after_close(void)
{
	ls_socket c, s;

	h_tcp_pair(LS_AF_INET, &c, &s);
	CHECK_OK(ls_close(c));
	all_calls_ebadf(c);
	CHECK_OK(ls_close(s));
	all_calls_ebadf(s);
}

static void close_twice(void)
{
	ls_socket s;

	CHECK_OK(ls_socket_create(&s, LS_AF_INET, LS_SOCK_DGRAM, 0));
	CHECK_OK(ls_close(s));
	CHECK_ERR(ls_close(s), LS_EBADF);
	CHECK_ERR(ls_close(s), LS_EBADF);
	CHECK_ERR(ls_abort(s), LS_EBADF);
}

static void invalid_and_foreign_handles(void)
{
	all_calls_ebadf(LS_INVALID_SOCKET);
	all_calls_ebadf((ls_socket)0xdeadbeef12345ULL);
	all_calls_ebadf(UINT64_MAX);
	all_calls_ebadf(UINT64_MAX - 1);
	all_calls_ebadf((ls_socket)1 << 63);
}

static void handles_not_reused(void)
{
	ls_socket a, b;
	ls_native na, nb;
	ls_addr la;
	int type = 0;

	CHECK_OK(ls_socket_create(&a, LS_AF_INET, LS_SOCK_STREAM, 0));
	CHECK_OK(ls_socket_native(a, &na));
	CHECK(na != LS_NATIVE_INVALID);
	CHECK_OK(ls_close(a));
	/* The OS very likely reuses the fd / SOCKET value for b. */
	CHECK_OK(ls_socket_create(&b, LS_AF_INET, LS_SOCK_DGRAM, 0));
	CHECK_OK(ls_socket_native(b, &nb));
	if (na != nb)
		t_note("the OS did not reuse the native handle (%ld, %ld)",
		       (long)na, (long)nb);
	CHECK(a != b);
	/* The stale handle still refers to nothing... */
	all_calls_ebadf(a);
	/* ...and b was not disturbed by any of those calls. */
	CHECK_OK(ls_socket_info(b, NULL, &type, NULL));
	CHECK_EQ_INT(type, LS_SOCK_DGRAM);
	la = h_loopback(LS_AF_INET, 0);
	CHECK_OK(ls_bind(b, &la));
	CHECK_OK(ls_getsockname(b, &la));
	CHECK_NE_INT(ls_addr_port(&la), 0);
	CHECK_OK(ls_sendto(b, "me", 2, 0, &la));
	CHECK_OK(ls_close(b));
}

static void native_detach_adopt(void)
{
	ls_socket c, s, c2;
	ls_native n = LS_NATIVE_INVALID, n2 = LS_NATIVE_INVALID;
	int family = 0, type = 0;
	int64_t tmo = 0;

	h_tcp_pair(LS_AF_INET, &c, &s);
	CHECK_OK(ls_socket_native(c, &n));
	CHECK(n != LS_NATIVE_INVALID);
	CHECK_OK(ls_set_timeout(c, 0));
	CHECK_OK(ls_socket_detach(c, &n2));
	CHECK_EQ_INT(n2, n);
	/* The handle is gone, the OS socket is not. */
	CHECK_ERR(ls_send(c, "x", 1, 0), LS_EBADF);
	CHECK_ERR(ls_close(c), LS_EBADF);
	CHECK_OK(ls_socket_adopt(&c2, n2));
	CHECK(c2 != c);
	CHECK_OK(ls_socket_info(c2, &family, &type, NULL));
	CHECK_EQ_INT(family, LS_AF_INET);
	CHECK_EQ_INT(type, LS_SOCK_STREAM);
	/* Adopted sockets block. */
	CHECK_OK(ls_get_timeout(c2, &tmo));
	CHECK_EQ_INT(tmo, LS_TIMEOUT_BLOCK);
	h_send_str(c2, "adopted");
	h_expect_str(s, "adopted");
	h_send_str(s, "reply");
	h_expect_str(c2, "reply");
	CHECK_OK(ls_close(c2));
	/* The close of the adopted handle closed the OS socket: EOF. */
	{
		char b[4];
		CHECK_EQ_INT(ls_recv(s, b, sizeof(b), 0), 0);
	}
	CHECK_OK(ls_close(s));
}

static void adopt_bad(void)
{
	ls_socket s = LS_INVALID_SOCKET, x;
	ls_native n;
	FILE *f;
	int err;

	err = ls_socket_adopt(&x, LS_NATIVE_INVALID);
	CHECK_MSG(err == LS_ENOTSOCK || err == LS_EBADF || err == LS_EINVAL,
	          "adopting LS_NATIVE_INVALID gave %s", ls_error_name(err));

	/* A closed OS socket: detach, adopt, close, adopt again. */
	CHECK_OK(ls_socket_create(&s, LS_AF_INET, LS_SOCK_STREAM, 0));
	CHECK_OK(ls_socket_detach(s, &n));
	CHECK_OK(ls_socket_adopt(&x, n));
	CHECK_OK(ls_close(x));
	err = ls_socket_adopt(&x, n);
	CHECK_MSG(err == LS_ENOTSOCK || err == LS_EBADF,
	          "adopting a closed native socket gave %s", ls_error_name(err));

	/* An open file is not a socket. */
	f = tmpfile();
	if (f != NULL) {
		CHECK_ERR(ls_socket_adopt(&x, t_file_native(f)), LS_ENOTSOCK);
		fclose(f);
	} else {
		t_note("tmpfile() failed: not-a-socket file case not run");
	}
	CHECK_ERR(ls_socket_adopt(NULL, n), LS_EINVAL);
}

/* A thread blocked in a call on s: what the call returned and when. */
typedef struct blocked {
	ls_socket s;
	int op; /* 0 recv, 1 accept */
	atomic_int started;
	int64_t rc;
} blocked;

static void blocked_thread(void *p)
{
	blocked *b = p;
	char buf[16];
	ls_socket out;

	atomic_store(&b->started, 1);
	if (b->op == 0)
		b->rc = ls_recv(b->s, buf, sizeof(buf), 0);
	else
		b->rc = ls_accept(b->s, &out, NULL);
}

/*
 * Close b.s while another thread is blocked on it: in the OS call itself
 * (timeout_ms LS_TIMEOUT_BLOCK) or in libsock's wait for readiness (a
 * timeout longer than the test).
 */
static void close_wakes(int op, int64_t timeout_ms)
{
	blocked b;
	ls_socket c = LS_INVALID_SOCKET, s = LS_INVALID_SOCKET;
	t_thread *t;
	int woke;

	if (op == 0) {
		h_tcp_pair(LS_AF_INET, &c, &s);
		b.s = s;
	} else {
		b.s = h_listener(LS_AF_INET, NULL);
	}
	CHECK_OK(ls_set_timeout(b.s, timeout_ms));
	b.op = op;
	b.rc = 1;
	atomic_init(&b.started, 0);
	t = t_thread_start(blocked_thread, &b);
	CHECK(t != NULL);
	while (!atomic_load(&b.started))
		t_sleep_ms(1);
	t_sleep_ms(200); /* let it block in the OS */
	CHECK_OK(ls_close(b.s));
	woke = t_thread_wait(t, H_HANG_MS);
	if (!woke && op == 0) {
		/* Release the thread so the test can end, then fail. */
		ls_close(c);
		c = LS_INVALID_SOCKET;
		t_thread_wait(t, H_HANG_MS);
	}
	CHECK_MSG(woke, "close did not wake the blocked %s in time",
	          op == 0 ? "recv" : "accept");
	t_thread_join(t);
	CHECK_ERR(b.rc, LS_EBADF);
	if (c != LS_INVALID_SOCKET)
		CHECK_OK(ls_close(c));
}

static void close_wakes_recv(void)
{
	close_wakes(0, LS_TIMEOUT_BLOCK);
}

static void close_wakes_accept(void)
{
	close_wakes(1, LS_TIMEOUT_BLOCK);
}

static void close_wakes_timed_recv(void)
{
	close_wakes(0, 6 * H_HANG_MS);
}

static void close_wakes_timed_accept(void)
{
	close_wakes(1, 6 * H_HANG_MS);
}

/* Arguments a caller can get wrong, each with its documented error. */
static void bad_arguments(void)
{
	ls_socket s, l, u, out = 42;
	ls_native n = 7;

	CHECK_ERR(ls_socket_create(&s, LS_AF_INET, LS_SOCK_STREAM, -1), LS_EINVAL);
	CHECK(s == LS_INVALID_SOCKET);
	CHECK_OK(ls_socket_create(&s, LS_AF_INET, LS_SOCK_STREAM, 0));
	CHECK_ERR(ls_socket_native(s, NULL), LS_EINVAL);
	CHECK_ERR(ls_socket_detach(s, NULL), LS_EINVAL);
	CHECK_OK(ls_socket_native(s, &n)); /* still open: detach did nothing */
	CHECK_OK(ls_close(s));
	l = h_listener(LS_AF_INET, NULL);
	CHECK_ERR(ls_accept(l, NULL, NULL), LS_EINVAL);
	CHECK_OK(ls_close(l));
	/* accept on a datagram socket: not an operation UDP has. */
	u = h_udp(LS_AF_INET, NULL);
	CHECK_ERR(ls_accept(u, &out, NULL), LS_ENOTSUP);
	CHECK(out == LS_INVALID_SOCKET);
	CHECK_OK(ls_close(u));
}

/*
 * Item 16: after a non-blocking connect has completed, connecting again to
 * the same address is success (it is the connect libsock was waiting for),
 * and the socket works.
 */
static void connect_again_after_nonblocking(void)
{
	ls_addr la;
	ls_socket l = h_listener(LS_AF_INET, &la), c, s;
	ls_pollfd p;
	int err;

	CHECK_OK(ls_socket_create(&c, LS_AF_INET, LS_SOCK_STREAM, 0));
	CHECK_OK(ls_set_timeout(c, 0));
	err = ls_connect(c, &la);
	CHECK_MSG(err == LS_EINPROGRESS || err == 0, "connect gave %s", ls_error_name(err));
	h_set_pollfd(&p, c, LS_POLLOUT);
	CHECK_EQ_INT(ls_poll(&p, 1, H_HANG_MS), 1);
	CHECK_OK(ls_connect(c, &la));
	CHECK_OK(ls_set_timeout(c, H_HANG_MS));
	CHECK_OK(ls_accept(l, &s, NULL));
	h_send_str(c, "again");
	h_expect_str(s, "again");
	/* Once settled, a further connect is an error again. */
	CHECK_ERR(ls_connect(c, &la), LS_EISCONN);
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
	CHECK_OK(ls_close(l));
}

static void ipv6_v6only_default(void)
{
	ls_socket s;
	int v = -1;

	if (ls_socket_create(&s, LS_AF_INET6, LS_SOCK_STREAM, 0) != 0)
		SKIP("IPv6 sockets not available here");
	CHECK_OK(ls_getopt(s, LS_OPT_V6ONLY, &v));
	CHECK_EQ_INT(v, 1);
	CHECK_OK(ls_close(s));
	CHECK_OK(ls_socket_create(&s, LS_AF_INET6, LS_SOCK_DGRAM, 0));
	v = -1;
	CHECK_OK(ls_getopt(s, LS_OPT_V6ONLY, &v));
	CHECK_EQ_INT(v, 1);
	CHECK_OK(ls_close(s));
}

static void v6only_refuses_v4_clients(void)
{
	ls_addr la, a4;
	ls_socket l, c;

	H_REQUIRE_IPV6();
	/* A listener on [::]:port does not take IPv4 connections (V6ONLY). */
	CHECK_OK(ls_socket_create(&l, LS_AF_INET6, LS_SOCK_STREAM, 0));
	CHECK_OK(ls_addr_any(&la, LS_AF_INET6, 0));
	CHECK_OK(ls_bind(l, &la));
	CHECK_OK(ls_listen(l, 0));
	CHECK_OK(ls_getsockname(l, &la));
	a4 = h_loopback(LS_AF_INET, ls_addr_port(&la));
	CHECK_OK(ls_socket_create(&c, LS_AF_INET, LS_SOCK_STREAM, 0));
	CHECK_OK(ls_set_timeout(c, H_HANG_MS));
	CHECK_ERR(ls_connect(c, &a4), LS_ECONNREFUSED);
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(l));
}

static void listen_backlog_default(void)
{
	ls_addr la;
	ls_socket l, c[4], s;
	int i;

	CHECK_OK(ls_socket_create(&l, LS_AF_INET, LS_SOCK_STREAM, 0));
	la = h_loopback(LS_AF_INET, 0);
	CHECK_OK(ls_bind(l, &la));
	CHECK_OK(ls_listen(l, -5)); /* <= 0: the OS default */
	CHECK_OK(ls_getsockname(l, &la));
	for (i = 0; i < 4; i++) {
		CHECK_OK(ls_socket_create(&c[i], LS_AF_INET, LS_SOCK_STREAM, 0));
		CHECK_OK(ls_set_timeout(c[i], H_HANG_MS));
		CHECK_OK(ls_connect(c[i], &la));
	}
	for (i = 0; i < 4; i++) {
		CHECK_OK(ls_accept(l, &s, NULL));
		CHECK_OK(ls_close(s));
		CHECK_OK(ls_close(c[i]));
	}
	CHECK_OK(ls_close(l));
}

static const t_case cases[] = {
	TEST_CASE(create_inet),
	TEST_CASE(create_inet6),
	TEST_CASE(create_unix),
	TEST_CASE(create_bad),
	TEST_CASE(connect_accept_v4),
	TEST_CASE(connect_accept_v6),
	TEST_CASE(connect_unspecified_v4),
	TEST_CASE(connect_unspecified_v6),
	TEST_CASE(connect_refused_v4),
	TEST_CASE(connect_refused_v6),
	TEST_CASE(connect_twice_isconn),
	TEST_CASE(bind_in_use),
	TEST_CASE(bind_wrong_family),
	TEST_CASE(names_unconnected),
	TEST_CASE(shutdown_write),
	TEST_CASE(shutdown_read),
	TEST_CASE(shutdown_both),
	TEST_CASE(shutdown_bad_how),
	TEST_CASE(calls_after_close),
	TEST_CASE(close_twice),
	TEST_CASE(invalid_and_foreign_handles),
	TEST_CASE(handles_not_reused),
	TEST_CASE(native_detach_adopt),
	TEST_CASE(adopt_bad),
	TEST_CASE(close_wakes_recv),
	TEST_CASE(close_wakes_accept),
	TEST_CASE(close_wakes_timed_recv),
	TEST_CASE(close_wakes_timed_accept),
	TEST_CASE(bad_arguments),
	TEST_CASE(connect_again_after_nonblocking),
	TEST_CASE(ipv6_v6only_default),
	TEST_CASE(v6only_refuses_v4_clients),
	TEST_CASE(listen_backlog_default),
};

TEST_MAIN(cases)
