/* test_msg.c - ls_sendmsg / ls_recvmsg: gather/scatter, addresses, per-datagram info, truncation, passing sockets. */
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

/* Same IP address, whatever the ports. */
static int m_same_ip(const ls_addr *a, const ls_addr *b)
{
	ls_addr t = *b;

	ls_addr_set_port(&t, ls_addr_port(a));
	return ls_addr_equal(a, &t);
}

static int64_t m_send(ls_socket s, const void *buf, size_t len, const ls_addr *to,
                      ls_msginfo *info)
{
	ls_iovec v = { (void *)buf, len };
	ls_msg m = { .iov = &v, .iovcnt = 1, .addr = (ls_addr *)to, .info = info };

	return ls_sendmsg(s, &m, 0);
}

static void udp_gather_scatter(void)
{
	ls_addr a, b, from;
	ls_socket u = h_udp(LS_AF_INET, &a), t = h_udp(LS_AF_INET, &b);
	char p1[] = "hello ", p2[] = "world", r1[4], r2[16];
	ls_iovec out[2] = { { p1, 6 }, { p2, 5 } }, in[2] = { { r1, 4 }, { r2, 16 } };
	ls_msg m = { .iov = out, .iovcnt = 2, .addr = &a };

	CHECK_EQ_INT(ls_sendmsg(t, &m, 0), 11);
	CHECK_EQ_INT(m.flags, 0);
	m = (ls_msg){ .iov = in, .iovcnt = 2, .addr = &from };
	CHECK_OK(ls_set_timeout(u, H_HANG_MS));
	CHECK_EQ_INT(ls_recvmsg(u, &m, 0), 11);
	CHECK(memcmp(r1, "hell", 4) == 0 && memcmp(r2, "o world", 7) == 0);
	CHECK(ls_addr_equal(&from, &b));
	CHECK_EQ_INT(m.flags, 0);
	CHECK_EQ_U64(m.nsocks, 0);
	CHECK_OK(ls_close(u));
	CHECK_OK(ls_close(t));
}

static void truncation_reported(void)
{
	ls_addr a;
	ls_socket u = h_udp(LS_AF_INET, &a), t = h_udp(LS_AF_INET, NULL);
	char big[100], small[10];
	ls_iovec v = { small, sizeof(small) };
	ls_msg m = { .iov = &v, .iovcnt = 1 };

	memset(big, 'x', sizeof(big));
	CHECK_OK(ls_set_timeout(u, H_HANG_MS));
	CHECK_EQ_INT(m_send(t, big, sizeof(big), &a, NULL), 100);
	CHECK_ERR(ls_recvmsg(u, &m, 0), LS_EMSGSIZE);
	CHECK_EQ_INT(m_send(t, big, sizeof(big), &a, NULL), 100);
	CHECK_EQ_INT(ls_recvmsg(u, &m, LS_MSG_TRUNC_OK), 10);
	CHECK(m.flags & LS_MSGF_TRUNC);
	/* A datagram that fits clears the flag. */
	CHECK_EQ_INT(m_send(t, big, 5, &a, NULL), 5);
	CHECK_EQ_INT(ls_recvmsg(u, &m, LS_MSG_TRUNC_OK), 5);
	CHECK_EQ_INT(m.flags, 0);
	CHECK_OK(ls_close(u));
	CHECK_OK(ls_close(t));
}

/* Receive one datagram with its info; returns its length. */
static int64_t m_recv_info(ls_socket u, ls_msginfo *info, ls_addr *from)
{
	char buf[64];
	ls_iovec v = { buf, sizeof(buf) };
	ls_msg m = { .iov = &v, .iovcnt = 1, .addr = from, .info = info };

	CHECK_OK(ls_set_timeout(u, H_HANG_MS));
	return ls_recvmsg(u, &m, 0);
}

static void dst_and_interface(int family)
{
	ls_addr a, lo = h_loopback(family, 0);
	ls_socket u = h_udp(family, &a), t = h_udp(family, NULL);
	ls_msginfo info;
	unsigned what = 0;

	CHECK_OK(ls_set_recvinfo(u, LS_MI_DST));
	/* Destination and interface come from one OS option: both are on. */
	CHECK_OK(ls_get_recvinfo(u, &what));
	CHECK_EQ_INT(what, LS_MI_DST | LS_MI_IFINDEX);
	CHECK_EQ_INT(m_send(t, "d", 1, &a, NULL), 1);
	CHECK_EQ_INT(m_recv_info(u, &info, NULL), 1);
	CHECK_MSG((info.valid & (LS_MI_DST | LS_MI_IFINDEX)) == (LS_MI_DST | LS_MI_IFINDEX),
	          "valid 0x%x", info.valid);
	CHECK(ls_addr_equal(&info.dst, &lo));
	CHECK_GT_INT(info.ifindex, 0);
	/* Off again: nothing reported. */
	CHECK_OK(ls_set_recvinfo(u, 0));
	CHECK_EQ_INT(m_send(t, "e", 1, &a, NULL), 1);
	CHECK_EQ_INT(m_recv_info(u, &info, NULL), 1);
	CHECK_EQ_INT(info.valid, 0);
	CHECK_OK(ls_close(u));
	CHECK_OK(ls_close(t));
}

static void dst_ipv4(void)
{
	dst_and_interface(LS_AF_INET);
}

static void dst_ipv6(void)
{
	H_REQUIRE_IPV6();
	dst_and_interface(LS_AF_INET6);
}

/* The hop limit a datagram arrived with, and a per-datagram traffic class and hop limit. */
static void tclass_and_hops(int family)
{
	ls_addr a;
	ls_socket u = h_udp(family, &a), t = h_udp(family, NULL);
	ls_msginfo out = { .valid = LS_MI_TCLASS | LS_MI_HOPS, .tclass = 0x28 | LS_ECN_ECT0,
		           .hops = 7 }, in;
	int64_t n;

	CHECK_OK(ls_set_recvinfo(u, LS_MI_TCLASS | LS_MI_HOPS));
	/* Without per-datagram settings: the defaults arrive (hops above 0). */
	CHECK_EQ_INT(m_send(t, "u", 1, &a, NULL), 1);
	CHECK_EQ_INT(m_recv_info(u, &in, NULL), 1);
	CHECK_MSG(in.valid & LS_MI_HOPS, "valid 0x%x", in.valid);
	CHECK_GT_INT(in.hops, 0);
	CHECK_EQ_INT(in.tclass & ~3, 0);
	n = m_send(t, "t", 1, &a, &out);
	if (n == LS_ENOTSUP)
		SKIP("this OS sets no traffic class or hop limit per datagram (LS_ENOTSUP); "
		     "received hop limit checked");
	CHECK_EQ_INT(n, 1);
	CHECK_EQ_INT(m_recv_info(u, &in, NULL), 1);
	CHECK_EQ_INT(in.valid, LS_MI_TCLASS | LS_MI_HOPS);
	CHECK_EQ_INT(in.tclass, 0x28 | LS_ECN_ECT0);
	CHECK_EQ_INT(in.hops, 7);
	CHECK_OK(ls_close(u));
	CHECK_OK(ls_close(t));
}

static void tclass_hops_ipv4(void)
{
	tclass_and_hops(LS_AF_INET);
}

static void tclass_hops_ipv6(void)
{
	H_REQUIRE_IPV6();
	tclass_and_hops(LS_AF_INET6);
}

/* Choosing the source address per datagram (127.0.0.2 is loopback on Linux and Windows). */
static void send_from_address(void)
{
	ls_addr a, from, src;
	ls_socket u = h_udp(LS_AF_INET, &a), t = h_udp(LS_AF_INET, NULL);
	ls_msginfo info = { .valid = LS_MI_DST };
	int64_t n;

	CHECK_OK(ls_addr_parse_ip(&src, "127.0.0.2", LS_AF_INET));
	info.dst = src;
	n = m_send(t, "s", 1, &a, &info);
	CHECK_EQ_INT(n, 1);
	CHECK_EQ_INT(m_recv_info(u, NULL, &from), 1);
	if (t_under_wine() && !m_same_ip(&from, &src))
		SKIP("wine ignores IP_PKTINFO in WSASendMsg: the datagram came from the default address");
	CHECK(m_same_ip(&from, &src));
	CHECK_OK(ls_close(u));
	CHECK_OK(ls_close(t));
}

static void stream_messages(void)
{
	ls_socket c, s;
	char a[] = "abc", b[] = "defg", r[16];
	ls_iovec out[2] = { { a, 3 }, { b, 4 } }, in = { r, sizeof(r) };
	ls_msg m = { .iov = out, .iovcnt = 2 };

	h_tcp_pair(LS_AF_INET, &c, &s);
	CHECK_EQ_INT(ls_sendmsg(c, &m, 0), 7);
	m = (ls_msg){ .iov = &in, .iovcnt = 1 };
	CHECK_OK(ls_set_timeout(s, H_HANG_MS));
	CHECK_EQ_INT(ls_recvmsg(s, &m, LS_MSG_WAITALL), 7);
	CHECK(memcmp(r, "abcdefg", 7) == 0);
	CHECK_OK(ls_shutdown(c, LS_SHUT_WR));
	CHECK_EQ_INT(ls_recvmsg(s, &m, 0), 0);
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
}

static void timeout_and_dontwait(void)
{
	ls_socket u = h_udp(LS_AF_INET, NULL);
	char buf[4];
	ls_iovec v = { buf, sizeof(buf) };
	ls_msg m = { .iov = &v, .iovcnt = 1 };

	CHECK_ERR(ls_recvmsg(u, &m, LS_MSG_DONTWAIT), LS_EAGAIN);
	CHECK_OK(ls_set_timeout(u, 100));
	CHECK_ERR(ls_recvmsg(u, &m, 0), LS_ETIMEDOUT);
	CHECK_OK(ls_close(u));
}

static void bad_input(void)
{
	ls_addr a, a6 = h_loopback(LS_AF_INET6, 9);
	ls_socket u = h_udp(LS_AF_INET, &a), c, s, closed = h_udp(LS_AF_INET, NULL);
	char buf[4] = "x";
	ls_iovec v = { buf, 1 }, nullv = { NULL, 3 };
	ls_msginfo info = { .valid = LS_MI_TCLASS, .tclass = 256 };
	ls_msg m = { .iov = &v, .iovcnt = 1, .addr = &a };

	h_tcp_pair(LS_AF_INET, &c, &s);
	CHECK_OK(ls_close(closed));
	CHECK_ERR(ls_sendmsg(u, NULL, 0), LS_EINVAL);
	CHECK_ERR(ls_recvmsg(u, NULL, 0), LS_EINVAL);
	CHECK_ERR(ls_sendmsg(u, &m, 0x4000), LS_EINVAL);
	CHECK_ERR(ls_sendmsg(u, &m, LS_MSG_PEEK), LS_EINVAL);
	m.iov = NULL;
	CHECK_ERR(ls_sendmsg(u, &m, 0), LS_EINVAL);
	m.iov = &nullv;
	CHECK_ERR(ls_sendmsg(u, &m, 0), LS_EINVAL);
	CHECK_ERR(ls_recvmsg(u, &m, 0), LS_EINVAL);
	m.iov = &v;
	m.info = &info;
	CHECK_ERR(ls_sendmsg(u, &m, 0), LS_EINVAL);
	info = (ls_msginfo){ .valid = LS_MI_HOPS, .hops = -1 };
	CHECK_ERR(ls_sendmsg(u, &m, 0), LS_EINVAL);
	info = (ls_msginfo){ .valid = 0x100 };
	CHECK_ERR(ls_sendmsg(u, &m, 0), LS_EINVAL);
	info = (ls_msginfo){ .valid = LS_MI_DST, .dst = a6 };
	CHECK_ERR(ls_sendmsg(u, &m, 0), LS_EAFNOSUPPORT);
	m.info = NULL;
	m.addr = &a6;
	CHECK_ERR(ls_sendmsg(u, &m, 0), LS_EAFNOSUPPORT);
	m.addr = &a;
	/* Sockets pass only over Unix sockets; at most LS_MSG_SOCKS_MAX. */
	m.socks = &c;
	m.nsocks = 1;
	CHECK_ERR(ls_sendmsg(u, &m, 0), LS_EAFNOSUPPORT);
	m.nsocks = LS_MSG_SOCKS_MAX + 1;
	CHECK_ERR(ls_sendmsg(u, &m, 0), LS_EINVAL);
	m.socks = NULL;
	m.nsocks = 1;
	CHECK_ERR(ls_sendmsg(u, &m, 0), LS_EINVAL);
	m.nsocks = 0;
	m.socks_cap = 2;
	CHECK_ERR(ls_recvmsg(u, &m, 0), LS_EINVAL);
	m.socks_cap = 0;
	/* Per-datagram info is for datagrams. */
	info = (ls_msginfo){ .valid = LS_MI_HOPS, .hops = 3 };
	m = (ls_msg){ .iov = &v, .iovcnt = 1, .info = &info };
	CHECK_ERR(ls_sendmsg(c, &m, 0), LS_EPROTOTYPE);
	CHECK_ERR(ls_set_recvinfo(c, LS_MI_DST), LS_EPROTOTYPE);
	CHECK_ERR(ls_set_recvinfo(u, 0x100), LS_EINVAL);
	CHECK_ERR(ls_get_recvinfo(u, NULL), LS_EINVAL);
	CHECK_ERR(ls_sendmsg(closed, &m, 0), LS_EBADF);
	CHECK_ERR(ls_set_recvinfo(closed, 0), LS_EBADF);
	CHECK_OK(ls_close(u));
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
}

/* --- passing sockets (Unix sockets) -------------------------------------- */

static void m_unix_pair(ls_socket pair[2])
{
	int rc = ls_socketpair(LS_AF_UNIX, LS_SOCK_STREAM, pair);

	if (rc == LS_EAFNOSUPPORT)
		SKIP("no AF_UNIX socket pairs here (wine, old Windows)");
	CHECK_OK(rc);
}

static void pass_sockets(void)
{
	ls_socket pair[2], c, s, u, got[4];
	char b = 'p', r[8];
	ls_iovec v = { &b, 1 }, rv = { r, sizeof(r) };
	ls_socket send_socks[3];
	ls_msg m;
	int type;

	m_unix_pair(pair);
	h_tcp_pair(LS_AF_INET, &c, &s);
	u = h_udp(LS_AF_INET, NULL);
	send_socks[0] = c;
	send_socks[1] = u;
	send_socks[2] = s;
	m = (ls_msg){ .iov = &v, .iovcnt = 1, .socks = send_socks, .nsocks = 3 };
	if (ls_sendmsg(pair[0], &m, 0) == LS_ENOTSUP)
		SKIP("this OS passes no sockets over Unix sockets (Windows has no SCM_RIGHTS)");
	m = (ls_msg){ .iov = &rv, .iovcnt = 1, .socks = got, .socks_cap = 4 };
	CHECK_OK(ls_set_timeout(pair[1], H_HANG_MS));
	CHECK_EQ_INT(ls_recvmsg(pair[1], &m, 0), 1);
	CHECK_EQ_U64(m.nsocks, 3);
	CHECK_EQ_INT(m.flags, 0);
	CHECK_OK(ls_socket_info(got[1], NULL, &type, NULL));
	CHECK_EQ_INT(type, LS_SOCK_DGRAM);
	/* The passed TCP end works through its new handle; the sender's stays open. */
	h_send_str(got[0], "via passed");
	h_expect_str(s, "via passed");
	h_send_str(c, "sender");
	h_expect_str(got[2], "sender");
	{
		ls_native nat;

		CHECK_OK(ls_socket_native(got[0], &nat));
		CHECK_EQ_INT(test_native_inheritable(nat), 0);
	}
	CHECK_OK(ls_close(got[0]));
	CHECK_OK(ls_close(got[1]));
	CHECK_OK(ls_close(got[2]));
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
	CHECK_OK(ls_close(u));
	CHECK_OK(ls_close(pair[0]));
	CHECK_OK(ls_close(pair[1]));
}

static void pass_too_many(void)
{
	ls_socket pair[2], us[3], got[1];
	char b = 'q', r[4];
	ls_iovec v = { &b, 1 }, rv = { r, sizeof(r) };
	ls_msg m;
	int i;

	m_unix_pair(pair);
	for (i = 0; i < 3; i++)
		us[i] = h_udp(LS_AF_INET, NULL);
	m = (ls_msg){ .iov = &v, .iovcnt = 1, .socks = us, .nsocks = 3 };
	if (ls_sendmsg(pair[0], &m, 0) == LS_ENOTSUP)
		SKIP("this OS passes no sockets over Unix sockets");
	m = (ls_msg){ .iov = &rv, .iovcnt = 1, .socks = got, .socks_cap = 1 };
	CHECK_OK(ls_set_timeout(pair[1], H_HANG_MS));
	CHECK_EQ_INT(ls_recvmsg(pair[1], &m, 0), 1);
	/* Room for one: the others are lost, and the call says so. */
	CHECK_EQ_U64(m.nsocks, 1);
	CHECK(m.flags & LS_MSGF_CTRUNC);
	CHECK_OK(ls_close(got[0]));
	/* No room at all. */
	m = (ls_msg){ .iov = &v, .iovcnt = 1, .socks = us, .nsocks = 2 };
	CHECK_EQ_INT(ls_sendmsg(pair[0], &m, 0), 1);
	m = (ls_msg){ .iov = &rv, .iovcnt = 1 };
	CHECK_EQ_INT(ls_recvmsg(pair[1], &m, 0), 1);
	CHECK_EQ_U64(m.nsocks, 0);
	CHECK(m.flags & LS_MSGF_CTRUNC);
	for (i = 0; i < 3; i++)
		CHECK_OK(ls_close(us[i]));
	CHECK_OK(ls_close(pair[0]));
	CHECK_OK(ls_close(pair[1]));
}

static void pass_closed_socket(void)
{
	ls_socket pair[2], dead = h_udp(LS_AF_INET, NULL);
	char b = 'r';
	ls_iovec v = { &b, 1 };
	ls_msg m = { .iov = &v, .iovcnt = 1, .socks = &dead, .nsocks = 1 };

	m_unix_pair(pair);
	CHECK_OK(ls_close(dead));
	CHECK_ERR(ls_sendmsg(pair[0], &m, 0), LS_EBADF);
	CHECK_OK(ls_close(pair[0]));
	CHECK_OK(ls_close(pair[1]));
}

static const t_case cases[] = {
	TEST_CASE(udp_gather_scatter),
	TEST_CASE(truncation_reported),
	TEST_CASE(dst_ipv4),
	TEST_CASE(dst_ipv6),
	TEST_CASE(tclass_hops_ipv4),
	TEST_CASE(tclass_hops_ipv6),
	TEST_CASE(send_from_address),
	TEST_CASE(stream_messages),
	TEST_CASE(timeout_and_dontwait),
	TEST_CASE(bad_input),
	TEST_CASE(pass_sockets),
	TEST_CASE(pass_too_many),
	TEST_CASE(pass_closed_socket),
};

TEST_MAIN(cases)
