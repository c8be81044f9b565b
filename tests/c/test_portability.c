/*
 * test_portability.c - behaviours docs/portability.md lists as handled but
 * untested: no handle inheritance (items 12, 33), Windows UDP connreset
 * (item 28), the loopback socketpair's peer checks (item 34) and
 * LS_EADDRINUSE reported by listen rather than bind (item 24), and lengths
 * above what one OS call takes (item 3).
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/internal.h" /* lsi_pair_listening_hook */
#include "helpers.h"

/* The native handle of s must not be inherited by child processes. */
static void expect_not_inherited(ls_socket s, const char *what)
{
	ls_native n = LS_NATIVE_INVALID;
	int inh;

	CHECK_OK(ls_socket_native(s, &n));
	CHECK(n != LS_NATIVE_INVALID);
	inh = test_native_inheritable(n);
	CHECK_MSG(inh != -1, "%s: cannot read the inheritance flag of native %lld", what,
	          (long long)n);
	CHECK_MSG(inh == 0, "%s: native handle %lld is inheritable by child processes",
	          what, (long long)n);
}

static void no_inherit_created(void)
{
	static const int types[] = { LS_SOCK_STREAM, LS_SOCK_DGRAM };
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		ls_socket s = LS_INVALID_SOCKET;

		CHECK_OK(ls_socket_create(&s, LS_AF_INET, types[i], 0));
		expect_not_inherited(s, types[i] == LS_SOCK_STREAM ? "created TCP socket"
		                                                   : "created UDP socket");
		CHECK_OK(ls_close(s));
	}
	if (h_ipv6_error() == 0) {
		ls_socket s = LS_INVALID_SOCKET;

		CHECK_OK(ls_socket_create(&s, LS_AF_INET6, LS_SOCK_STREAM, 0));
		expect_not_inherited(s, "created IPv6 TCP socket");
		CHECK_OK(ls_close(s));
	}
}

static void no_inherit_accepted(void)
{
	ls_socket c = LS_INVALID_SOCKET, s = LS_INVALID_SOCKET;

	h_tcp_pair(LS_AF_INET, &c, &s);
	expect_not_inherited(s, "accepted socket");
	expect_not_inherited(c, "connecting socket");
	/* Still a working connection. */
	h_send_str(c, "hi");
	h_expect_str(s, "hi");
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
}

static void no_inherit_socketpair(void)
{
	static const int types[] = { LS_SOCK_STREAM, LS_SOCK_DGRAM };
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		ls_socket sp[2] = { LS_INVALID_SOCKET, LS_INVALID_SOCKET };
		int stream = types[i] == LS_SOCK_STREAM;

		CHECK_OK(ls_socketpair(LS_AF_UNSPEC, types[i], sp));
		expect_not_inherited(sp[0], stream ? "stream pair end 0" : "dgram pair end 0");
		expect_not_inherited(sp[1], stream ? "stream pair end 1" : "dgram pair end 1");
		CHECK_OK(ls_close(sp[0]));
		CHECK_OK(ls_close(sp[1]));
	}
}

static void no_inherit_adopted(void)
{
	ls_native raw, n = LS_NATIVE_INVALID;
	ls_socket s = LS_INVALID_SOCKET;
	int inh, err;

	CHECK_OK(ls_init()); /* WSAStartup before the raw socket on Windows */
	raw = t_raw_inheritable_tcp();
	CHECK_MSG(raw != LS_NATIVE_INVALID, "cannot create a raw OS socket");
	/* The precondition: the OS socket starts out inheritable. */
	inh = test_native_inheritable(raw);
	if (inh != 1)
		t_native_close(raw);
	CHECK_MSG(inh == 1, "raw OS socket should start inheritable, got %d", inh);
	err = ls_socket_adopt(&s, raw);
	if (err != 0)
		t_native_close(raw);
	CHECK_OK(err);
	CHECK_OK(ls_socket_native(s, &n));
	CHECK_EQ_INT(n, raw);
	expect_not_inherited(s, "adopted socket");
	CHECK_OK(ls_close(s));
	ls_cleanup();
}

/*
 * An unconnected UDP socket that sent to a closed port must not see the
 * ICMP port-unreachable reply as an error (Windows reports it as
 * WSAECONNRESET from the next recvfrom unless SIO_UDP_CONNRESET is off).
 */
static void udp_icmp_unreachable_ignored(void)
{
	ls_addr self, closed, other_addr, from;
	ls_socket s, other;
	char buf[32];
	int64_t n;
	int i;

	s = h_udp(LS_AF_INET, &self);
	closed = h_closed_udp_port(LS_AF_INET);
	CHECK(!ls_addr_equal(&self, &closed));
	for (i = 0; i < 2; i++)
		CHECK_EQ_INT(ls_sendto(s, "probe", 5, 0, &closed), 5);
	/* Give the ICMP replies time to come back. */
	t_sleep_ms(50);
	CHECK_OK(ls_set_timeout(s, 300));
	CHECK_ERR(ls_recvfrom(s, buf, sizeof(buf), 0, NULL), LS_ETIMEDOUT);
	/* A second call sees no deferred error either. */
	CHECK_ERR(ls_recvfrom(s, buf, sizeof(buf), 0, NULL), LS_ETIMEDOUT);

	/* The socket still receives. */
	other = h_udp(LS_AF_INET, &other_addr);
	CHECK_EQ_INT(ls_sendto(other, "still here", 10, 0, &self), 10);
	CHECK_OK(ls_set_timeout(s, H_HANG_MS));
	memset(buf, 0, sizeof(buf));
	n = ls_recvfrom(s, buf, sizeof(buf), 0, &from);
	CHECK_EQ_INT(n, 10);
	CHECK_STR_EQ(buf, "still here");
	CHECK(ls_addr_equal(&from, &other_addr));
	/* And still sends. */
	CHECK_EQ_INT(ls_sendto(s, "back", 4, 0, &other_addr), 4);
	CHECK_OK(ls_set_timeout(other, H_HANG_MS));
	memset(buf, 0, sizeof(buf));
	CHECK_EQ_INT(ls_recvfrom(other, buf, sizeof(buf), 0, NULL), 4);
	CHECK_STR_EQ(buf, "back");
	CHECK_OK(ls_close(other));
	CHECK_OK(ls_close(s));
}

/* Each end of a loopback pair is the other's peer. */
static void pair_ends_match(const ls_socket sp[2], int type)
{
	ls_addr name[2], peer[2];
	char sa[LS_ADDRSTRLEN], sb[LS_ADDRSTRLEN];
	int i;

	for (i = 0; i < 2; i++) {
		CHECK_OK(ls_getsockname(sp[i], &name[i]));
		CHECK_OK(ls_getpeername(sp[i], &peer[i]));
		CHECK_EQ_INT(name[i].family, LS_AF_INET);
		CHECK_EQ_INT(peer[i].family, LS_AF_INET);
		CHECK(ls_addr_is_loopback(&name[i]));
		CHECK(ls_addr_is_loopback(&peer[i]));
		CHECK_NE_INT(ls_addr_port(&name[i]), 0);
	}
	for (i = 0; i < 2; i++) {
		int j = 1 - i;

		CHECK_OK(ls_addr_format(&name[i], sa, sizeof(sa)));
		CHECK_OK(ls_addr_format(&peer[j], sb, sizeof(sb)));
		CHECK_MSG(ls_addr_equal(&name[i], &peer[j]),
		          "%s pair: end %d is %s but end %d's peer is %s",
		          type == LS_SOCK_STREAM ? "stream" : "dgram", i, sa, j, sb);
	}
	CHECK(!ls_addr_equal(&name[0], &name[1]));
}

static void peers_match(int type)
{
	ls_socket sp[2] = { LS_INVALID_SOCKET, LS_INVALID_SOCKET };

	CHECK_OK(ls_socketpair(LS_AF_INET, type, sp));
	pair_ends_match(sp, type);
	CHECK_OK(ls_close(sp[0]));
	CHECK_OK(ls_close(sp[1]));
}

static void socketpair_inet_peers_match(void)
{
	peers_match(LS_SOCK_STREAM);
	peers_match(LS_SOCK_DGRAM);
}

/*
 * The loopback datagram pair is authenticated by connecting each end to
 * the other: a datagram from any other socket must never reach it.
 */
static void socketpair_dgram_ignores_stranger(void)
{
	ls_socket sp[2] = { LS_INVALID_SOCKET, LS_INVALID_SOCKET };
	ls_socket stranger;
	ls_addr b_addr;
	char buf[32];
	int64_t n;

	CHECK_OK(ls_socketpair(LS_AF_INET, LS_SOCK_DGRAM, sp));
	CHECK_OK(ls_getsockname(sp[1], &b_addr));
	stranger = h_udp(LS_AF_INET, NULL);
	CHECK_EQ_INT(ls_sendto(stranger, "stranger", 8, 0, &b_addr), 8);
	CHECK_EQ_INT(ls_send(sp[0], "ok", 2, 0), 2);
	CHECK_OK(ls_set_timeout(sp[1], H_HANG_MS));
	memset(buf, 0, sizeof(buf));
	n = ls_recv(sp[1], buf, sizeof(buf), 0);
	CHECK_MSG(n == 2 && memcmp(buf, "ok", 2) == 0,
	          "pair end received \"%.*s\" (%lld) instead of \"ok\": the stranger's "
	          "datagram got through",
	          n > 0 ? (int)n : 0, buf, (long long)n);
	/* Nothing else is queued: the stranger's datagram was dropped. */
	CHECK_OK(ls_set_timeout(sp[1], 200));
	CHECK_ERR(ls_recv(sp[1], buf, sizeof(buf), 0), LS_ETIMEDOUT);
	/* The other direction still works. */
	CHECK_EQ_INT(ls_send(sp[1], "back", 4, 0), 4);
	CHECK_OK(ls_set_timeout(sp[0], H_HANG_MS));
	memset(buf, 0, sizeof(buf));
	CHECK_EQ_INT(ls_recv(sp[0], buf, sizeof(buf), 0), 4);
	CHECK_STR_EQ(buf, "back");
	CHECK_OK(ls_close(stranger));
	CHECK_OK(ls_close(sp[0]));
	CHECK_OK(ls_close(sp[1]));
}

/* Strangers the hook below connects to a loopback pair's listener. */
#define STRANGERS_MAX 8
static ls_socket strangers[STRANGERS_MAX];
static int strangers_wanted;

static void connect_strangers(const ls_addr *listener)
{
	int i;

	for (i = 0; i < strangers_wanted; i++) {
		CHECK_OK(ls_socket_create(&strangers[i], listener->family,
		                          LS_SOCK_STREAM, 0));
		CHECK_OK(ls_connect(strangers[i], listener));
	}
}

/* Each stranger's connection was accepted and closed: EOF or a reset. */
static void check_strangers_dropped(void)
{
	char buf[8];
	int i;

	for (i = 0; i < strangers_wanted; i++) {
		int64_t n;

		CHECK_OK(ls_set_timeout(strangers[i], H_HANG_MS));
		n = ls_recv(strangers[i], buf, sizeof(buf), 0);
		CHECK_MSG(n == 0 || n == LS_ECONNRESET, "stranger %d: recv gave %lld", i,
		          (long long)n);
		CHECK_OK(ls_close(strangers[i]));
	}
}

/*
 * Item 34: a loopback TCP pair accepts only its own client. Connections
 * that reach its listener first are accepted, closed and skipped.
 */
static void socketpair_stream_drops_strangers(void)
{
	ls_socket sp[2];
	char buf[8];

	strangers_wanted = 3;
	lsi_pair_listening_hook = connect_strangers;
	CHECK_OK(ls_socketpair(LS_AF_INET, LS_SOCK_STREAM, sp));
	lsi_pair_listening_hook = NULL;
	check_strangers_dropped();
	pair_ends_match(sp, LS_SOCK_STREAM);
	CHECK_EQ_INT(ls_send(sp[0], "ab", 2, 0), 2);
	CHECK_EQ_INT(ls_recv(sp[1], buf, 2, LS_MSG_WAITALL), 2);
	CHECK(memcmp(buf, "ab", 2) == 0);
	CHECK_EQ_INT(ls_send(sp[1], "cd", 2, 0), 2);
	CHECK_EQ_INT(ls_recv(sp[0], buf, 2, LS_MSG_WAITALL), 2);
	CHECK(memcmp(buf, "cd", 2) == 0);
	CHECK_OK(ls_close(sp[0]));
	CHECK_OK(ls_close(sp[1]));
}

/* With only strangers in the way, the pair gives up with a clear error. */
static void socketpair_stream_gives_up(void)
{
	ls_socket sp[2];

	strangers_wanted = STRANGERS_MAX;
	lsi_pair_listening_hook = connect_strangers;
	CHECK_ERR(ls_socketpair(LS_AF_INET, LS_SOCK_STREAM, sp), LS_ECONNABORTED);
	lsi_pair_listening_hook = NULL;
	CHECK(sp[0] == LS_INVALID_SOCKET && sp[1] == LS_INVALID_SOCKET);
	check_strangers_dropped();
}

/*
 * Item 24: two sockets may both bind one port with LS_OPT_REUSEADDR on
 * some OSes (Linux allows it while neither listens); the conflict then
 * surfaces at listen. Whichever call reports it, the code is LS_EADDRINUSE,
 * and the first listener keeps working.
 */
static void addrinuse_at_bind_or_listen(void)
{
	ls_socket a = LS_INVALID_SOCKET, b = LS_INVALID_SOCKET, c, d;
	ls_addr addr = h_loopback(LS_AF_INET, 0);
	int rc;

	CHECK_OK(ls_socket_create(&a, LS_AF_INET, LS_SOCK_STREAM, 0));
	CHECK_OK(ls_socket_create(&b, LS_AF_INET, LS_SOCK_STREAM, 0));
	CHECK_OK(ls_setopt(a, LS_OPT_REUSEADDR, 1));
	CHECK_OK(ls_setopt(b, LS_OPT_REUSEADDR, 1));
	CHECK_OK(ls_bind(a, &addr));
	CHECK_OK(ls_getsockname(a, &addr));
	rc = ls_bind(b, &addr);
	if (rc == 0) {
		CHECK_OK(ls_listen(a, 4));
		rc = ls_listen(b, 4);
	} else {
		CHECK_OK(ls_listen(a, 4));
	}
	CHECK_ERR(rc, LS_EADDRINUSE);
	/* The first listener still accepts on that port. */
	CHECK_OK(ls_socket_create(&c, LS_AF_INET, LS_SOCK_STREAM, 0));
	CHECK_OK(ls_connect(c, &addr));
	CHECK_OK(ls_accept(a, &d, NULL));
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(d));
	CHECK_OK(ls_close(a));
	CHECK_OK(ls_close(b));
}

/*
 * Item 3: Winsock takes int lengths. A length above INT_MAX must be clamped
 * per call, not wrapped to a negative int. The buffer is calloc'd, so its
 * pages are only touched as the kernel copies them: a non-blocking send
 * copies what fits in the socket buffer, a receive writes one byte.
 */
static void huge_lengths_are_clamped(void)
{
	size_t big = (size_t)INT_MAX + 16u;
	ls_iovec iov;
	char *buf;
	ls_socket c, s;
	int64_t n;

	if (sizeof(size_t) <= 4)
		SKIP("size_t has 32 bits: no length above INT_MAX to test");
	buf = calloc(1, big);
	if (buf == NULL)
		SKIP("cannot reserve a 2 GiB buffer on this machine");
	h_tcp_pair(LS_AF_INET, &c, &s);
	CHECK_OK(ls_set_timeout(c, LS_TIMEOUT_NONBLOCK));
	n = ls_send(c, buf, big, 0);
	CHECK_MSG(n > 0 && n <= INT_MAX, "ls_send of INT_MAX+16 bytes returned %lld", (long long)n);
	iov.base = buf;
	iov.len = big;
	n = ls_sendv(c, &iov, 1, 0);
	CHECK_MSG(n == LS_EAGAIN || (n > 0 && n <= INT_MAX),
	          "ls_sendv of INT_MAX+16 bytes returned %lld", (long long)n);
	CHECK_OK(ls_close(c));
	/* The peer now has data then EOF: a huge receive returns a count. */
	n = ls_recv(s, buf, big, 0);
	CHECK_MSG(n > 0 && n <= INT_MAX, "ls_recv into INT_MAX+16 bytes returned %lld", (long long)n);
	CHECK_OK(ls_close(s));
	free(buf);
}

static const t_case cases[] = {
	TEST_CASE(no_inherit_created),
	TEST_CASE(no_inherit_accepted),
	TEST_CASE(no_inherit_socketpair),
	TEST_CASE(no_inherit_adopted),
	TEST_CASE(udp_icmp_unreachable_ignored),
	TEST_CASE(socketpair_inet_peers_match),
	TEST_CASE(socketpair_dgram_ignores_stranger),
	TEST_CASE(socketpair_stream_drops_strangers),
	TEST_CASE(socketpair_stream_gives_up),
	TEST_CASE(addrinuse_at_bind_or_listen),
	TEST_CASE(huge_lengths_are_clamped),
};

TEST_MAIN(cases)
