/* helpers.c - see helpers.h. */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int h_ipv6_error(void)
{
	ls_socket s;
	ls_addr a;
	int err;

	err = ls_socket_create(&s, LS_AF_INET6, LS_SOCK_STREAM, 0);
	if (err != 0)
		return err;
	err = ls_addr_loopback(&a, LS_AF_INET6, 0);
	if (err == 0)
		err = ls_bind(s, &a);
	ls_close(s);
	return err;
}

ls_addr h_loopback(int family, uint16_t port)
{
	ls_addr a;

	CHECK_OK(ls_addr_loopback(&a, family, port));
	return a;
}

ls_socket h_listener(int family, ls_addr *bound)
{
	ls_socket s = LS_INVALID_SOCKET;
	ls_addr a = h_loopback(family, 0);

	CHECK_OK(ls_socket_create(&s, family, LS_SOCK_STREAM, 0));
	CHECK_OK(ls_bind(s, &a));
	CHECK_OK(ls_listen(s, 0));
	if (bound != NULL) {
		CHECK_OK(ls_getsockname(s, bound));
		CHECK_EQ_INT(bound->family, family);
		CHECK_NE_INT(ls_addr_port(bound), 0);
	}
	return s;
}

void h_tcp_pair(int family, ls_socket *client, ls_socket *server)
{
	ls_addr a;
	ls_socket l = h_listener(family, &a);

	CHECK_OK(ls_socket_create(client, family, LS_SOCK_STREAM, 0));
	/* A loopback connect completes through the backlog, before accept. */
	CHECK_OK(ls_connect(*client, &a));
	CHECK_OK(ls_accept(l, server, NULL));
	CHECK_OK(ls_close(l));
}

ls_socket h_udp(int family, ls_addr *bound)
{
	ls_socket s = LS_INVALID_SOCKET;
	ls_addr a = h_loopback(family, 0);

	CHECK_OK(ls_socket_create(&s, family, LS_SOCK_DGRAM, 0));
	CHECK_OK(ls_bind(s, &a));
	if (bound != NULL) {
		CHECK_OK(ls_getsockname(s, bound));
		CHECK_NE_INT(ls_addr_port(bound), 0);
	}
	return s;
}

ls_addr h_closed_port(int family)
{
	ls_addr a;
	ls_socket l = h_listener(family, &a);

	CHECK_OK(ls_close(l));
	return a;
}

void h_send_all(ls_socket s, const void *buf, size_t len)
{
	size_t sent = 0;

	CHECK_OK(ls_sendall(s, buf, len, 0, &sent));
	CHECK_EQ_U64(sent, len);
}

void h_recv_exact(ls_socket s, void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		int64_t n = ls_recv(s, (char *)buf + got, len - got, 0);

		CHECK_OK(n);
		CHECK_MSG(n > 0, "unexpected end of stream after %zu of %zu bytes",
		          got, len);
		if (n <= 0)
			return;
		got += (size_t)n;
	}
}

void h_send_str(ls_socket s, const char *str)
{
	h_send_all(s, str, strlen(str));
}

void h_expect_str(ls_socket s, const char *expect)
{
	char buf[256];
	size_t len = strlen(expect);

	CHECK(len < sizeof(buf));
	memset(buf, 0, sizeof(buf));
	h_recv_exact(s, buf, len);
	CHECK_STR_EQ(buf, expect);
}

const char *h_tmpdir(void)
{
	static const char *names[] = { "TMPDIR", "TEMP", "TMP" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *v = getenv(names[i]);

		if (v != NULL && v[0] != '\0')
			return v;
	}
	return "/tmp";
}

void h_unix_path(char *buf, size_t size)
{
	static int counter;
	const char *dir = h_tmpdir();
	size_t dlen = strlen(dir);
	/* Windows paths use '\\'; a trailing separator needs no other. */
	int has_sep = dlen > 0 && (dir[dlen - 1] == '/' || dir[dlen - 1] == '\\');
	int n = snprintf(buf, size, "%s%sls%ld-%d.s", dir, has_sep ? "" : "/",
	                 t_getpid(), ++counter);

	CHECK_MSG(n > 0 && (size_t)n < size && n <= LS_UNIX_PATH_MAX,
	          "temp dir \"%s\" too long for a Unix socket path", dir);
	/* A stale file from an earlier run with the same pid would stop bind. */
	remove(buf);
}

void h_unlink(const char *path)
{
	remove(path);
}

static unsigned char h_pattern_byte(size_t i)
{
	return (unsigned char)((i * 7u) ^ (i >> 8) ^ (i >> 16));
}

void h_pattern(unsigned char *buf, size_t len, size_t offset)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = h_pattern_byte(offset + i);
}

int h_pattern_ok(const unsigned char *buf, size_t len, size_t offset)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (buf[i] != h_pattern_byte(offset + i))
			return 0;
	return 1;
}

ls_addr h_closed_udp_port(int family)
{
	ls_addr a;
	ls_socket s = h_udp(family, &a);

	CHECK_OK(ls_close(s));
	return a;
}

void h_set_pollfd(ls_pollfd *p, ls_socket s, short events)
{
	p->sock = s;
	p->events = events;
	p->revents = 0;
}
