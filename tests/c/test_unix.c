/* test_unix.c - Unix domain sockets on a path in the temp directory. */
#include <string.h>

#include "helpers.h"

/* Create a Unix socket of type, or skip with the reason if the OS lacks it. */
static ls_socket unix_socket(int type)
{
	ls_socket s = LS_INVALID_SOCKET;
	int err = ls_socket_create(&s, LS_AF_UNIX, type, 0);

	if (err == LS_EAFNOSUPPORT || (type == LS_SOCK_DGRAM &&
	                               (err == LS_EPROTONOSUPPORT || err == LS_ENOTSUP ||
	                                err == LS_EPROTOTYPE)))
		SKIP("AF_UNIX %s sockets not supported on this system (%s)",
		     type == LS_SOCK_STREAM ? "stream" : "datagram", ls_error_name(err));
	CHECK_OK(err);
	return s;
}

static void stream_connect_accept(void)
{
	char path[LS_UNIX_PATH_MAX + 1];
	ls_addr a, got;
	ls_socket l = unix_socket(LS_SOCK_STREAM), c, s;
	int f = -1;

	h_unix_path(path, sizeof(path));
	CHECK_OK(ls_addr_unix(&a, path));
	CHECK_OK(ls_bind(l, &a));
	CHECK_OK(ls_listen(l, 0));
	/* getsockname gives the path back. */
	CHECK_OK(ls_getsockname(l, &got));
	CHECK_EQ_INT(got.family, LS_AF_UNIX);
	CHECK_STR_EQ(got.path, path);
	CHECK_EQ_INT(got.path_len, strlen(path));
	CHECK(ls_addr_equal(&got, &a));

	c = unix_socket(LS_SOCK_STREAM);
	CHECK_OK(ls_set_timeout(c, H_HANG_MS));
	CHECK_OK(ls_connect(c, &a));
	CHECK_OK(ls_set_timeout(l, H_HANG_MS));
	CHECK_OK(ls_accept(l, &s, NULL));
	CHECK_OK(ls_socket_info(s, &f, NULL, NULL));
	CHECK_EQ_INT(f, LS_AF_UNIX);
	CHECK_OK(ls_getpeername(c, &got));
	CHECK_STR_EQ(got.path, path);
	h_send_str(c, "unix!");
	h_expect_str(s, "unix!");
	h_send_str(s, "back");
	h_expect_str(c, "back");
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
	CHECK_OK(ls_close(l));
	h_unlink(path);
}

static void bind_existing_path(void)
{
	char path[LS_UNIX_PATH_MAX + 1];
	ls_addr a;
	ls_socket l = unix_socket(LS_SOCK_STREAM), s;

	h_unix_path(path, sizeof(path));
	CHECK_OK(ls_addr_unix(&a, path));
	CHECK_OK(ls_bind(l, &a));
	CHECK_OK(ls_listen(l, 0));
	s = unix_socket(LS_SOCK_STREAM);
	CHECK_ERR(ls_bind(s, &a), LS_EADDRINUSE);
	CHECK_OK(ls_close(s));
	CHECK_OK(ls_close(l));
	h_unlink(path);
}

static void connect_missing_path(void)
{
	char path[LS_UNIX_PATH_MAX + 1];
	ls_addr a;
	ls_socket c = unix_socket(LS_SOCK_STREAM);

	h_unix_path(path, sizeof(path)); /* never bound */
	CHECK_OK(ls_addr_unix(&a, path));
	CHECK_OK(ls_set_timeout(c, H_HANG_MS));
	CHECK_ERR2(ls_connect(c, &a), LS_ENOENT, LS_ECONNREFUSED);
	CHECK_OK(ls_close(c));
}

static void path_too_long(void)
{
	char path[LS_UNIX_PATH_MAX + 2];
	ls_addr a;
	ls_socket s = unix_socket(LS_SOCK_STREAM);

	memset(path, 'x', sizeof(path));
	path[0] = '/';
	path[LS_UNIX_PATH_MAX + 1] = '\0';
	CHECK_ERR(ls_addr_unix(&a, path), LS_ENAMETOOLONG);
	/* A hand-made address with too long a path_len: refused, not truncated. */
	memset(&a, 0, sizeof(a));
	a.family = LS_AF_UNIX;
	memset(a.path, 'y', sizeof(a.path));
	a.path[0] = '/';
	a.path_len = (uint16_t)sizeof(a.path);
	CHECK_ERR(ls_bind(s, &a), LS_ENAMETOOLONG);
	CHECK_ERR(ls_connect(s, &a), LS_ENAMETOOLONG);
	a.path_len = 500;
	CHECK_ERR(ls_bind(s, &a), LS_ENAMETOOLONG);
	CHECK_OK(ls_close(s));
}

static void path_at_limit(void)
{
	char path[LS_UNIX_PATH_MAX + 1];
	ls_addr a, got;
	ls_socket l = unix_socket(LS_SOCK_STREAM);
	size_t len;

	/* A path of exactly LS_UNIX_PATH_MAX bytes, padded in the file name. */
	h_unix_path(path, sizeof(path));
	len = strlen(path);
	if (len + 4 > LS_UNIX_PATH_MAX)
		SKIP("temp dir path too long to build a %d-byte name", LS_UNIX_PATH_MAX);
	memset(path + len, 'L', LS_UNIX_PATH_MAX - len);
	path[LS_UNIX_PATH_MAX] = '\0';
	h_unlink(path);
	CHECK_OK(ls_addr_unix(&a, path));
	CHECK_OK(ls_bind(l, &a));
	CHECK_OK(ls_getsockname(l, &got));
	CHECK_EQ_INT(got.path_len, LS_UNIX_PATH_MAX);
	CHECK_STR_EQ(got.path, path);
	CHECK_OK(ls_close(l));
	h_unlink(path);
}

static void dgram_sendto_recvfrom(void)
{
	char pa[LS_UNIX_PATH_MAX + 1], pb[LS_UNIX_PATH_MAX + 1];
	ls_addr aa, ab, from;
	ls_socket a = unix_socket(LS_SOCK_DGRAM), b;
	char buf[16];

	b = unix_socket(LS_SOCK_DGRAM);
	h_unix_path(pa, sizeof(pa));
	h_unix_path(pb, sizeof(pb));
	CHECK_OK(ls_addr_unix(&aa, pa));
	CHECK_OK(ls_addr_unix(&ab, pb));
	CHECK_OK(ls_bind(a, &aa));
	CHECK_OK(ls_bind(b, &ab));
	CHECK_OK(ls_set_timeout(b, H_HANG_MS));
	CHECK_EQ_INT(ls_sendto(a, "dgram", 5, 0, &ab), 5);
	memset(&from, 0, sizeof(from));
	CHECK_EQ_INT(ls_recvfrom(b, buf, sizeof(buf), 0, &from), 5);
	CHECK(memcmp(buf, "dgram", 5) == 0);
	CHECK_EQ_INT(from.family, LS_AF_UNIX);
	CHECK_STR_EQ(from.path, pa);
	CHECK_OK(ls_close(a));
	CHECK_OK(ls_close(b));
	h_unlink(pa);
	h_unlink(pb);
}

static void wrong_family(void)
{
	ls_socket s = unix_socket(LS_SOCK_STREAM);
	ls_addr a4 = h_loopback(LS_AF_INET, 0);

	CHECK_ERR(ls_bind(s, &a4), LS_EAFNOSUPPORT);
	CHECK_ERR(ls_connect(s, &a4), LS_EAFNOSUPPORT);
	CHECK_OK(ls_close(s));
}

static const t_case cases[] = {
	TEST_CASE(stream_connect_accept),
	TEST_CASE(bind_existing_path),
	TEST_CASE(connect_missing_path),
	TEST_CASE(path_too_long),
	TEST_CASE(path_at_limit),
	TEST_CASE(dgram_sendto_recvfrom),
	TEST_CASE(wrong_family),
};

TEST_MAIN(cases)
