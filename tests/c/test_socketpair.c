/* test_socketpair.c - connected pairs for every family and type. */
#include <string.h>

#include "helpers.h"

static const char *family_name(int family)
{
	switch (family) {
	case LS_AF_UNSPEC:
		return "LS_AF_UNSPEC";
	case LS_AF_UNIX:
		return "LS_AF_UNIX";
	case LS_AF_INET:
		return "LS_AF_INET";
	default:
		return "LS_AF_INET6";
	}
}

static void pair(int family, int type)
{
	ls_socket sp[2] = { LS_INVALID_SOCKET, LS_INVALID_SOCKET };
	char buf[16];
	int f = -1, t = -1, err, i;
	int64_t tmo;

	if (family == LS_AF_INET6)
		H_REQUIRE_IPV6();
	err = ls_socketpair(family, type, sp);
	if (family == LS_AF_UNIX && err == LS_EAFNOSUPPORT)
		SKIP("AF_UNIX %s pairs not supported on this system (LS_EAFNOSUPPORT)",
		     type == LS_SOCK_STREAM ? "stream" : "datagram");
	CHECK_OK(err);
	CHECK(sp[0] != LS_INVALID_SOCKET && sp[1] != LS_INVALID_SOCKET);
	CHECK(sp[0] != sp[1]);
	for (i = 0; i < 2; i++) {
		CHECK_OK(ls_socket_info(sp[i], &f, &t, NULL));
		CHECK_EQ_INT(t, type);
		if (family != LS_AF_UNSPEC)
			CHECK_MSG(f == family, "%s pair has family %d",
			          family_name(family), f);
		/* Pairs block like any new socket. */
		CHECK_OK(ls_get_timeout(sp[i], &tmo));
		CHECK_EQ_INT(tmo, LS_TIMEOUT_BLOCK);
		/* Bound the test even if data went missing. */
		CHECK_OK(ls_set_timeout(sp[i], H_HANG_MS));
	}
	/* Data flows both ways. */
	CHECK_EQ_INT(ls_send(sp[0], "left", 4, 0), 4);
	if (type == LS_SOCK_STREAM) {
		h_expect_str(sp[1], "left");
	} else {
		CHECK_EQ_INT(ls_recv(sp[1], buf, sizeof(buf), 0), 4);
		CHECK(memcmp(buf, "left", 4) == 0);
	}
	CHECK_EQ_INT(ls_send(sp[1], "right", 5, 0), 5);
	if (type == LS_SOCK_STREAM) {
		h_expect_str(sp[0], "right");
	} else {
		CHECK_EQ_INT(ls_recv(sp[0], buf, sizeof(buf), 0), 5);
		CHECK(memcmp(buf, "right", 5) == 0);
		/* Boundaries kept. */
		CHECK_EQ_INT(ls_send(sp[0], "a", 1, 0), 1);
		CHECK_EQ_INT(ls_send(sp[0], "bc", 2, 0), 2);
		CHECK_EQ_INT(ls_recv(sp[1], buf, sizeof(buf), 0), 1);
		CHECK_EQ_INT(ls_recv(sp[1], buf, sizeof(buf), 0), 2);
		CHECK(memcmp(buf, "bc", 2) == 0);
	}
	/* IP pairs are connected to each other and nothing else. */
	if (family == LS_AF_INET || family == LS_AF_INET6) {
		ls_addr n0, p0, n1, p1;

		CHECK_OK(ls_getsockname(sp[0], &n0));
		CHECK_OK(ls_getpeername(sp[0], &p0));
		CHECK_OK(ls_getsockname(sp[1], &n1));
		CHECK_OK(ls_getpeername(sp[1], &p1));
		CHECK(ls_addr_equal(&n0, &p1));
		CHECK(ls_addr_equal(&n1, &p0));
		CHECK(ls_addr_is_loopback(&n0));
	}
	if (type == LS_SOCK_STREAM) {
		/* End of stream reaches the other end. */
		CHECK_OK(ls_shutdown(sp[0], LS_SHUT_WR));
		CHECK_EQ_INT(ls_recv(sp[1], buf, sizeof(buf), 0), 0);
	}
	CHECK_OK(ls_close(sp[0]));
	CHECK_OK(ls_close(sp[1]));
}

static void unspec_stream(void)
{
	pair(LS_AF_UNSPEC, LS_SOCK_STREAM);
}

static void unspec_dgram(void)
{
	pair(LS_AF_UNSPEC, LS_SOCK_DGRAM);
}

static void unix_stream(void)
{
	pair(LS_AF_UNIX, LS_SOCK_STREAM);
}

static void unix_dgram(void)
{
	pair(LS_AF_UNIX, LS_SOCK_DGRAM);
}

static void inet_stream(void)
{
	pair(LS_AF_INET, LS_SOCK_STREAM);
}

static void inet_dgram(void)
{
	pair(LS_AF_INET, LS_SOCK_DGRAM);
}

static void inet6_stream(void)
{
	pair(LS_AF_INET6, LS_SOCK_STREAM);
}

static void inet6_dgram(void)
{
	pair(LS_AF_INET6, LS_SOCK_DGRAM);
}

static void bad(void)
{
	ls_socket sp[2] = { LS_INVALID_SOCKET, LS_INVALID_SOCKET };
	int err;

	err = ls_socketpair(LS_AF_INET, 99, sp);
	CHECK_MSG(err == LS_EINVAL || err == LS_EPROTOTYPE || err == LS_EPROTONOSUPPORT,
	          "type 99 gave %s", ls_error_name(err));
	err = ls_socketpair(LS_AF_INET, 0, sp);
	CHECK_MSG(err == LS_EINVAL || err == LS_EPROTOTYPE || err == LS_EPROTONOSUPPORT,
	          "type 0 gave %s", ls_error_name(err));
	err = ls_socketpair(99, LS_SOCK_STREAM, sp);
	CHECK_MSG(err == LS_EAFNOSUPPORT || err == LS_EINVAL,
	          "family 99 gave %s", ls_error_name(err));
	CHECK(sp[0] == LS_INVALID_SOCKET && sp[1] == LS_INVALID_SOCKET);
	CHECK_ERR(ls_socketpair(LS_AF_UNSPEC, LS_SOCK_STREAM, NULL), LS_EINVAL);
}

static void many_pairs(void)
{
	int i;

	/* Pairs come and go without leaking or mixing up their peers. */
	for (i = 0; i < 50; i++) {
		ls_socket sp[2];
		char c = (char)('a' + i % 26), r = 0;

		CHECK_OK(ls_socketpair(LS_AF_UNSPEC, LS_SOCK_STREAM, sp));
		CHECK_EQ_INT(ls_send(sp[0], &c, 1, 0), 1);
		CHECK_EQ_INT(ls_recv(sp[1], &r, 1, 0), 1);
		CHECK_EQ_INT(r, c);
		CHECK_OK(ls_close(sp[0]));
		CHECK_OK(ls_close(sp[1]));
	}
}

static const t_case cases[] = {
	TEST_CASE(unspec_stream),
	TEST_CASE(unspec_dgram),
	TEST_CASE(unix_stream),
	TEST_CASE(unix_dgram),
	TEST_CASE(inet_stream),
	TEST_CASE(inet_dgram),
	TEST_CASE(inet6_stream),
	TEST_CASE(inet6_dgram),
	TEST_CASE(bad),
	TEST_CASE(many_pairs),
};

TEST_MAIN(cases)
