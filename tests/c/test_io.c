/* test_io.c - send/recv, sendall, datagrams, peek, scatter/gather, bad input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

static void send_recv(void)
{
	ls_socket c, s;
	char buf[32];

	h_tcp_pair(LS_AF_INET, &c, &s);
	CHECK_EQ_INT(ls_send(c, "hello", 5, 0), 5);
	h_recv_exact(s, buf, 5);
	CHECK(memcmp(buf, "hello", 5) == 0);
	CHECK_EQ_INT(ls_send(s, "world!", 6, 0), 6);
	h_recv_exact(c, buf, 6);
	CHECK(memcmp(buf, "world!", 6) == 0);
	/* Orderly close: the peer reads 0, repeatedly. */
	CHECK_OK(ls_close(c));
	CHECK_EQ_INT(ls_recv(s, buf, sizeof(buf), 0), 0);
	CHECK_EQ_INT(ls_recv(s, buf, sizeof(buf), 0), 0);
	CHECK_OK(ls_close(s));
}

static void send_recv_v6(void)
{
	ls_socket c, s;

	H_REQUIRE_IPV6();
	h_tcp_pair(LS_AF_INET6, &c, &s);
	h_send_str(c, "six");
	h_expect_str(s, "six");
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
}

#define T_BIG_LEN ((size_t)4 << 20) /* 4 MiB */
#define T_CHUNK ((size_t)64 << 10)

typedef struct reader {
	ls_socket s;
	size_t got;
	int pattern_ok;
	int64_t last;
} reader;

static void reader_thread(void *p)
{
	reader *r = p;
	unsigned char *buf = malloc(T_CHUNK);

	r->pattern_ok = 1;
	if (buf == NULL) {
		r->last = LS_ENOMEM;
		return;
	}
	for (;;) {
		int64_t n = ls_recv(r->s, buf, T_CHUNK, 0);

		r->last = n;
		if (n <= 0)
			break;
		if (!h_pattern_ok(buf, (size_t)n, r->got))
			r->pattern_ok = 0;
		r->got += (size_t)n;
	}
	free(buf);
}

static void sendall_big(void)
{
	ls_socket c, s;
	unsigned char *data = malloc(T_BIG_LEN);
	reader r;
	t_thread *t;
	size_t sent = 0;

	CHECK(data != NULL);
	h_pattern(data, T_BIG_LEN, 0);
	h_tcp_pair(LS_AF_INET, &c, &s);
	memset(&r, 0, sizeof(r));
	r.s = s;
	/* The reader gives up after H_HANG_MS without data, so no hang. */
	CHECK_OK(ls_set_timeout(s, H_HANG_MS));
	t = t_thread_start(reader_thread, &r);
	CHECK(t != NULL);
	CHECK_OK(ls_sendall(c, data, T_BIG_LEN, 0, &sent));
	CHECK_EQ_U64(sent, T_BIG_LEN);
	CHECK_OK(ls_shutdown(c, LS_SHUT_WR));
	t_thread_join(t);
	CHECK_EQ_INT(r.last, 0);
	CHECK_EQ_U64(r.got, T_BIG_LEN);
	CHECK(r.pattern_ok);
	/* sent may be NULL. */
	CHECK_OK(ls_sendall(s, "tail", 4, 0, NULL));
	h_expect_str(c, "tail");
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
	free(data);
}

static void udp_sendto_recvfrom(int family)
{
	ls_addr aa, ab, from;
	ls_socket a = h_udp(family, &aa);
	ls_socket b = h_udp(family, &ab);
	char buf[64];

	CHECK_OK(ls_set_timeout(b, H_HANG_MS));
	CHECK_OK(ls_set_timeout(a, H_HANG_MS));
	CHECK_EQ_INT(ls_sendto(a, "datagram", 8, 0, &ab), 8);
	memset(&from, 0, sizeof(from));
	CHECK_EQ_INT(ls_recvfrom(b, buf, sizeof(buf), 0, &from), 8);
	CHECK(memcmp(buf, "datagram", 8) == 0);
	CHECK(ls_addr_equal(&from, &aa));
	/* Reply to the address we got; from may be NULL. */
	CHECK_EQ_INT(ls_sendto(b, "reply", 5, 0, &from), 5);
	CHECK_EQ_INT(ls_recvfrom(a, buf, sizeof(buf), 0, NULL), 5);
	CHECK(memcmp(buf, "reply", 5) == 0);
	/* Message boundaries are kept. */
	CHECK_EQ_INT(ls_sendto(a, "one", 3, 0, &ab), 3);
	CHECK_EQ_INT(ls_sendto(a, "two!", 4, 0, &ab), 4);
	CHECK_EQ_INT(ls_recv(b, buf, sizeof(buf), 0), 3);
	CHECK(memcmp(buf, "one", 3) == 0);
	CHECK_EQ_INT(ls_recv(b, buf, sizeof(buf), 0), 4);
	CHECK(memcmp(buf, "two!", 4) == 0);
	CHECK_OK(ls_close(a));
	CHECK_OK(ls_close(b));
}

static void udp_v4(void)
{
	udp_sendto_recvfrom(LS_AF_INET);
}

static void udp_v6(void)
{
	H_REQUIRE_IPV6();
	udp_sendto_recvfrom(LS_AF_INET6);
}

static void udp_connected(void)
{
	ls_addr aa, ab;
	ls_socket a = h_udp(LS_AF_INET, &aa);
	ls_socket b = h_udp(LS_AF_INET, &ab);
	char buf[16];

	CHECK_OK(ls_set_timeout(b, H_HANG_MS));
	CHECK_OK(ls_connect(a, &ab));
	CHECK_EQ_INT(ls_send(a, "conn", 4, 0), 4);
	CHECK_EQ_INT(ls_recv(b, buf, sizeof(buf), 0), 4);
	CHECK(memcmp(buf, "conn", 4) == 0);
	CHECK_OK(ls_close(a));
	CHECK_OK(ls_close(b));
}

static void udp_zero_length(void)
{
	ls_addr ab, from;
	ls_socket a = h_udp(LS_AF_INET, NULL);
	ls_socket b = h_udp(LS_AF_INET, &ab);
	char buf[8];

	CHECK_OK(ls_set_timeout(b, H_HANG_MS));
	CHECK_EQ_INT(ls_sendto(a, buf, 0, 0, &ab), 0);
	CHECK_EQ_INT(ls_recvfrom(b, buf, sizeof(buf), 0, &from), 0);
	CHECK_EQ_INT(from.family, LS_AF_INET);
	CHECK_OK(ls_close(a));
	CHECK_OK(ls_close(b));
}

static void tcp_zero_length(void)
{
	ls_socket c, s;
	char buf[4];

	h_tcp_pair(LS_AF_INET, &c, &s);
	CHECK_EQ_INT(ls_send(c, buf, 0, 0), 0);
	CHECK_OK(ls_sendall(c, buf, 0, 0, NULL));
	/* Nothing was sent: the next byte is the first. */
	h_send_str(c, "A");
	h_expect_str(s, "A");
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
}

static void peek(void)
{
	ls_socket c, s;
	char buf[16];

	h_tcp_pair(LS_AF_INET, &c, &s);
	h_send_str(c, "hello");
	/* Wait for all 5 bytes to be there, without consuming them. */
	{
		int64_t end = t_now_ms() + H_HANG_MS;
		int64_t n = 0;

		while (t_now_ms() < end) {
			n = ls_peek(s, buf, sizeof(buf));
			if (n != 5)
				t_sleep_ms(5);
			else
				break;
		}
		CHECK_EQ_INT(n, 5);
	}
	CHECK(memcmp(buf, "hello", 5) == 0);
	memset(buf, 0, sizeof(buf));
	CHECK_EQ_INT(ls_recv(s, buf, 3, LS_MSG_PEEK), 3);
	CHECK(memcmp(buf, "hel", 3) == 0);
	memset(buf, 0, sizeof(buf));
	CHECK_EQ_INT(ls_recv(s, buf, sizeof(buf), 0), 5);
	CHECK(memcmp(buf, "hello", 5) == 0);
	/* Consumed now: nothing left. */
	CHECK_ERR(ls_recv(s, buf, sizeof(buf), LS_MSG_DONTWAIT), LS_EAGAIN);
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
}

static void dontwait(void)
{
	ls_socket c, s;
	char buf[8];
	int64_t t0, tmo = 0;

	h_tcp_pair(LS_AF_INET, &c, &s);
	t0 = t_now_ms();
	CHECK_ERR(ls_recv(s, buf, sizeof(buf), LS_MSG_DONTWAIT), LS_EAGAIN);
	CHECK_LT_INT(t_now_ms() - t0, H_HANG_MS);
	/* This call only: the socket still blocks. */
	CHECK_OK(ls_get_timeout(s, &tmo));
	CHECK_EQ_INT(tmo, LS_TIMEOUT_BLOCK);
	h_send_str(c, "z");
	h_expect_str(s, "z");
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
}

typedef struct slow_sender {
	ls_socket s;
} slow_sender;

static void slow_sender_thread(void *p)
{
	slow_sender *ss = p;

	CHECK_EQ_INT(ls_send(ss->s, "abc", 3, 0), 3);
	t_sleep_ms(150);
	CHECK_EQ_INT(ls_send(ss->s, "def", 3, 0), 3);
}

static void waitall(void)
{
	ls_socket c, s;
	slow_sender ss;
	t_thread *t;
	char buf[8] = { 0 };

	h_tcp_pair(LS_AF_INET, &c, &s);
	ss.s = c;
	t = t_thread_start(slow_sender_thread, &ss);
	CHECK(t != NULL);
	CHECK_EQ_INT(ls_recv(s, buf, 6, LS_MSG_WAITALL), 6);
	CHECK(memcmp(buf, "abcdef", 6) == 0);
	t_thread_join(t);
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
}

static void oob_send(void)
{
	ls_socket c, s;

	h_tcp_pair(LS_AF_INET, &c, &s);
	CHECK_EQ_INT(ls_send(c, "!", 1, LS_MSG_OOB), 1);
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
}

static void sendv_recvv_tcp(void)
{
	ls_socket c, s;
	char a[] = "abc", b[] = "defg", d[] = "hi";
	ls_iovec out[3] = { { a, 3 }, { b, 4 }, { d, 2 } };
	char r1[2], r2[3], r3[4];
	ls_iovec in[3] = { { r1, 2 }, { r2, 3 }, { r3, 4 } };
	size_t got = 0;
	int rounds = 0;

	h_tcp_pair(LS_AF_INET, &c, &s);
	CHECK_EQ_INT(ls_sendv(c, out, 3, 0), 9);
	/* The stream may arrive in pieces: advance the iovecs until 9 bytes. */
	while (got < 9 && rounds++ < 100) {
		ls_iovec cur[3];
		size_t i, skip = got, k = 0;
		int64_t n;

		for (i = 0; i < 3; i++) {
			if (skip >= in[i].len) {
				skip -= in[i].len;
				continue;
			}
			cur[k].base = (char *)in[i].base + skip;
			cur[k].len = in[i].len - skip;
			skip = 0;
			k++;
		}
		n = ls_recvv(s, cur, k, 0);
		CHECK_GT_INT(n, 0);
		got += (size_t)n;
	}
	CHECK_EQ_U64(got, 9);
	CHECK(memcmp(r1, "ab", 2) == 0);
	CHECK(memcmp(r2, "cde", 3) == 0);
	CHECK(memcmp(r3, "fghi", 4) == 0);
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
}

static void sendv_recvv_udp(void)
{
	ls_addr ab;
	ls_socket a = h_udp(LS_AF_INET, NULL);
	ls_socket b = h_udp(LS_AF_INET, &ab);
	char x[] = "ab", y[] = "cde", z[] = "fghi";
	ls_iovec out[3] = { { x, 2 }, { y, 3 }, { z, 4 } };
	char r1[4], r2[1], r3[8];
	ls_iovec in[3] = { { r1, 4 }, { r2, 1 }, { r3, 8 } };

	CHECK_OK(ls_set_timeout(b, H_HANG_MS));
	CHECK_OK(ls_connect(a, &ab));
	/* One call, one datagram, gathered from three buffers. */
	CHECK_EQ_INT(ls_sendv(a, out, 3, 0), 9);
	CHECK_EQ_INT(ls_recvv(b, in, 3, 0), 9);
	CHECK(memcmp(r1, "abcd", 4) == 0);
	CHECK(memcmp(r2, "e", 1) == 0);
	CHECK(memcmp(r3, "fghi", 4) == 0);
	/* Zero-length entries are fine. */
	out[1].len = 0;
	CHECK_EQ_INT(ls_sendv(a, out, 3, 0), 6);
	CHECK_EQ_INT(ls_recvv(b, in, 3, 0), 6);
	CHECK(memcmp(r1, "abfg", 4) == 0);
	CHECK(memcmp(r2, "h", 1) == 0);
	CHECK(memcmp(r3, "i", 1) == 0);
	CHECK_OK(ls_close(a));
	CHECK_OK(ls_close(b));
}

static void iov_max(void)
{
	enum { EXTRA = 10, N = LS_IOV_MAX + EXTRA };
	static ls_iovec iov[N];
	static unsigned char bytes[N], in[N];
	ls_addr ab;
	ls_socket a = h_udp(LS_AF_INET, NULL);
	ls_socket b = h_udp(LS_AF_INET, &ab);
	ls_iovec one = { in, sizeof(in) };
	size_t i;

	for (i = 0; i < N; i++) {
		bytes[i] = (unsigned char)i;
		iov[i].base = &bytes[i];
		iov[i].len = 1;
	}
	CHECK_OK(ls_set_timeout(b, H_HANG_MS));
	CHECK_OK(ls_connect(a, &ab));
	/* Buffers beyond LS_IOV_MAX are ignored: one datagram of LS_IOV_MAX bytes. */
	CHECK_EQ_INT(ls_sendv(a, iov, N, 0), LS_IOV_MAX);
	CHECK_EQ_INT(ls_recvv(b, &one, 1, 0), LS_IOV_MAX);
	CHECK(memcmp(in, bytes, LS_IOV_MAX) == 0);
	/* Receiving: only the first LS_IOV_MAX one-byte buffers are filled. */
	for (i = 0; i < N; i++)
		iov[i].base = &in[i];
	memset(in, 0xee, sizeof(in));
	CHECK_EQ_INT(ls_send(a, bytes, N, 0), N);
	CHECK_EQ_INT(ls_recvv(b, iov, N, LS_MSG_TRUNC_OK), LS_IOV_MAX);
	CHECK(memcmp(in, bytes, LS_IOV_MAX) == 0);
	CHECK_EQ_INT(in[LS_IOV_MAX], 0xee);
	CHECK_OK(ls_close(a));
	CHECK_OK(ls_close(b));
}

static void null_buffers(void)
{
	ls_socket c, s;
	ls_addr a;
	char buf[4];
	ls_iovec bad[2] = { { buf, 2 }, { NULL, 5 } };
	size_t sent = 99;

	h_tcp_pair(LS_AF_INET, &c, &s);
	CHECK_OK(ls_getsockname(s, &a));
	CHECK_ERR(ls_send(c, NULL, 1, 0), LS_EINVAL);
	CHECK_ERR(ls_recv(c, NULL, 1, 0), LS_EINVAL);
	CHECK_ERR(ls_peek(c, NULL, 1), LS_EINVAL);
	CHECK_ERR(ls_sendall(c, NULL, 1, 0, &sent), LS_EINVAL);
	CHECK_EQ_U64(sent, 0);
	CHECK_ERR(ls_sendto(c, NULL, 1, 0, &a), LS_EINVAL);
	CHECK_ERR(ls_recvfrom(c, NULL, 1, 0, &a), LS_EINVAL);
	CHECK_ERR(ls_sendv(c, bad, 2, 0), LS_EINVAL);
	CHECK_ERR(ls_recvv(c, bad, 2, 0), LS_EINVAL);
	CHECK_ERR(ls_sendv(c, NULL, 1, 0), LS_EINVAL);
	CHECK_ERR(ls_recvv(c, NULL, 1, 0), LS_EINVAL);
	/* Huge lengths with no buffer fail before touching memory. */
	CHECK_ERR(ls_send(c, NULL, SIZE_MAX, 0), LS_EINVAL);
	CHECK_ERR(ls_recv(c, NULL, SIZE_MAX, 0), LS_EINVAL);
	CHECK_ERR(ls_sendall(c, NULL, SIZE_MAX, 0, NULL), LS_EINVAL);
	/* Nothing was sent by any of those. */
	h_send_str(c, "ok");
	h_expect_str(s, "ok");
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
}

static void unknown_flags(void)
{
	static const int bad_flags[] = { 0x20, 0x40, 0x80, 0x100, 0x4000,
		                         (int)0x80000000u, -1 };
	ls_socket c, s;
	ls_addr a;
	char buf[4] = "abc";
	ls_iovec iov = { buf, 3 };
	size_t i;

	h_tcp_pair(LS_AF_INET, &c, &s);
	CHECK_OK(ls_getsockname(s, &a));
	for (i = 0; i < sizeof(bad_flags) / sizeof(bad_flags[0]); i++) {
		int f = bad_flags[i];

		CHECK_ERR(ls_send(c, buf, 3, f), LS_EINVAL);
		CHECK_ERR(ls_recv(c, buf, 3, f), LS_EINVAL);
		CHECK_ERR(ls_sendall(c, buf, 3, f, NULL), LS_EINVAL);
		CHECK_ERR(ls_sendto(c, buf, 3, f, &a), LS_EINVAL);
		CHECK_ERR(ls_recvfrom(c, buf, 3, f, NULL), LS_EINVAL);
		CHECK_ERR(ls_sendv(c, &iov, 1, f), LS_EINVAL);
		CHECK_ERR(ls_recvv(c, &iov, 1, f), LS_EINVAL);
	}
	h_send_str(c, "ok");
	h_expect_str(s, "ok");
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
}

static void datagram_truncation(void)
{
	ls_addr ab, from;
	ls_socket a = h_udp(LS_AF_INET, NULL);
	ls_socket b = h_udp(LS_AF_INET, &ab);
	unsigned char big[100], buf[10];
	ls_iovec iov[2] = { { buf, 4 }, { buf + 4, 6 } };

	h_pattern(big, sizeof(big), 0);
	CHECK_OK(ls_set_timeout(b, H_HANG_MS));

	/* Without LS_MSG_TRUNC_OK: LS_EMSGSIZE, first bytes stored, rest gone. */
	CHECK_EQ_INT(ls_sendto(a, big, sizeof(big), 0, &ab), sizeof(big));
	CHECK_EQ_INT(ls_sendto(a, "next", 4, 0, &ab), 4);
	memset(buf, 0, sizeof(buf));
	CHECK_ERR(ls_recv(b, buf, sizeof(buf), 0), LS_EMSGSIZE);
	CHECK(h_pattern_ok(buf, sizeof(buf), 0));
	CHECK_EQ_INT(ls_recv(b, buf, sizeof(buf), 0), 4);
	CHECK(memcmp(buf, "next", 4) == 0);

	/* With LS_MSG_TRUNC_OK: the bytes stored. */
	CHECK_EQ_INT(ls_sendto(a, big, sizeof(big), 0, &ab), sizeof(big));
	memset(buf, 0, sizeof(buf));
	CHECK_EQ_INT(ls_recv(b, buf, sizeof(buf), LS_MSG_TRUNC_OK), sizeof(buf));
	CHECK(h_pattern_ok(buf, sizeof(buf), 0));

	/* recvfrom and recvv detect it too, and still report the sender. */
	CHECK_EQ_INT(ls_sendto(a, big, sizeof(big), 0, &ab), sizeof(big));
	CHECK_ERR(ls_recvfrom(b, buf, sizeof(buf), 0, &from), LS_EMSGSIZE);
	CHECK_EQ_INT(ls_sendto(a, big, sizeof(big), 0, &ab), sizeof(big));
	memset(&from, 0, sizeof(from));
	CHECK_EQ_INT(ls_recvfrom(b, buf, sizeof(buf), LS_MSG_TRUNC_OK, &from), sizeof(buf));
	CHECK_EQ_INT(from.family, LS_AF_INET);
	CHECK(ls_addr_is_loopback(&from));
	CHECK_EQ_INT(ls_sendto(a, big, sizeof(big), 0, &ab), sizeof(big));
	CHECK_ERR(ls_recvv(b, iov, 2, 0), LS_EMSGSIZE);
	CHECK(h_pattern_ok(buf, sizeof(buf), 0));
	CHECK_EQ_INT(ls_sendto(a, big, sizeof(big), 0, &ab), sizeof(big));
	CHECK_EQ_INT(ls_recvv(b, iov, 2, LS_MSG_TRUNC_OK), sizeof(buf));

	/* An exact fit is not truncation. */
	CHECK_EQ_INT(ls_sendto(a, big, sizeof(buf), 0, &ab), sizeof(buf));
	CHECK_EQ_INT(ls_recv(b, buf, sizeof(buf), 0), sizeof(buf));
	CHECK_OK(ls_close(a));
	CHECK_OK(ls_close(b));
}

/*
 * The peer is gone: sending must fail with an error, never kill the
 * process with SIGPIPE (the test installs no handler: default disposition).
 * op: 0 send, 1 sendall, 2 sendv.
 */
static void no_sigpipe(int op)
{
	ls_socket c, s;
	char buf[1024];
	ls_iovec iov = { buf, sizeof(buf) };
	int64_t rc = 0;
	int i;

	memset(buf, 'p', sizeof(buf));
	h_tcp_pair(LS_AF_INET, &c, &s);
	CHECK_OK(ls_close(s));
	for (i = 0; i < 200; i++) {
		switch (op) {
		case 0:
			rc = ls_send(c, buf, sizeof(buf), 0);
			break;
		case 1:
			rc = ls_sendall(c, buf, sizeof(buf), 0, NULL);
			break;
		default:
			rc = ls_sendv(c, &iov, 1, 0);
			break;
		}
		if (rc < 0)
			break;
		t_sleep_ms(5);
	}
	/* Still alive: check how it failed. */
#ifdef _WIN32
	CHECK_MSG(rc == LS_EPIPE || rc == LS_ECONNRESET || rc == LS_ECONNABORTED,
	          "send to a closed peer gave %s", t_err_name(rc));
#else
	CHECK_MSG(rc == LS_EPIPE || rc == LS_ECONNRESET,
	          "send to a closed peer gave %s", t_err_name(rc));
#endif
	CHECK_OK(ls_close(c));
}

static void no_sigpipe_send(void)
{
	no_sigpipe(0);
}

static void no_sigpipe_sendall(void)
{
	no_sigpipe(1);
}

static void no_sigpipe_sendv(void)
{
	no_sigpipe(2);
}

static const t_case cases[] = {
	TEST_CASE(send_recv),
	TEST_CASE(send_recv_v6),
	TEST_CASE(sendall_big),
	TEST_CASE(udp_v4),
	TEST_CASE(udp_v6),
	TEST_CASE(udp_connected),
	TEST_CASE(udp_zero_length),
	TEST_CASE(tcp_zero_length),
	TEST_CASE(peek),
	TEST_CASE(dontwait),
	TEST_CASE(waitall),
	TEST_CASE(oob_send),
	TEST_CASE(sendv_recvv_tcp),
	TEST_CASE(sendv_recvv_udp),
	TEST_CASE(iov_max),
	TEST_CASE(null_buffers),
	TEST_CASE(unknown_flags),
	TEST_CASE(datagram_truncation),
	TEST_CASE(no_sigpipe_send),
	TEST_CASE(no_sigpipe_sendall),
	TEST_CASE(no_sigpipe_sendv),
};

TEST_MAIN(cases)
