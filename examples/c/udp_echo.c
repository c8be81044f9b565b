/*
 * udp_echo.c - a UDP echo server and client in one program.
 *
 * Usage:
 *   udp_echo server [--count N] [--bind ADDR] [PORT]
 *       Echo datagrams back to their sender. PORT 0 (the default) lets the
 *       OS pick a port, which is printed. --count N: stop after N datagrams.
 *   udp_echo client HOST PORT MESSAGE
 *       Send MESSAGE, wait for the echo, print it. UDP may lose datagrams,
 *       so the client tries a few times before giving up.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libsock.h>

#define CLIENT_TRIES 5
#define CLIENT_WAIT_MS 1000
#define MAX_DATAGRAM 65507 /* the largest UDP payload over IPv4 */

static int fail(const char *what, int err)
{
	fprintf(stderr, "udp_echo: %s: %s (%s)\n", what, ls_strerror(err),
	        ls_error_name(err));
	return 1;
}

static int usage(void)
{
	fprintf(stderr, "usage: udp_echo server [--count N] [--bind ADDR] [PORT]\n"
	                "       udp_echo client HOST PORT MESSAGE\n");
	return 2;
}

static long parse_number(const char *text, long min, long max)
{
	char *end;
	long v = strtol(text, &end, 10);

	if (end == text || *end != '\0' || v < min || v > max)
		return -1;
	return v;
}

static int run_server(int argc, char **argv)
{
	static char buf[MAX_DATAGRAM];
	const char *bind_text = "127.0.0.1";
	long count = -1, port = 0, done;
	ls_socket s;
	ls_addr addr, from;
	char text[LS_ADDRSTRLEN];
	int64_t n;
	int i, rc;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--count") == 0 && i + 1 < argc) {
			if ((count = parse_number(argv[++i], 1, 1000000000L)) < 0)
				return usage();
		} else if (strcmp(argv[i], "--bind") == 0 && i + 1 < argc) {
			bind_text = argv[++i];
		} else if ((port = parse_number(argv[i], 0, 65535)) < 0) {
			return usage();
		}
	}
	rc = ls_addr_parse_ip(&addr, bind_text, LS_AF_UNSPEC);
	if (rc < 0)
		return fail(bind_text, rc);
	ls_addr_set_port(&addr, (uint16_t)port);

	rc = ls_socket_create(&s, addr.family, LS_SOCK_DGRAM, 0);
	if (rc < 0)
		return fail("ls_socket_create", rc);
	rc = ls_bind(s, &addr);
	if (rc < 0) {
		ls_close(s);
		return fail("ls_bind", rc);
	}
	ls_getsockname(s, &addr);
	ls_addr_format(&addr, text, sizeof text);
	printf("listening on %s port %u\n", text, (unsigned)ls_addr_port(&addr));
	fflush(stdout);

	for (done = 0; count < 0 || done < count; done++) {
		/*
		 * A datagram longer than buf would be LS_EMSGSIZE; buf holds
		 * the largest one, so that cannot happen here. On Windows a
		 * client that went away does not make this fail with a
		 * "connection reset": libsock turns that Winsock quirk off.
		 */
		n = ls_recvfrom(s, buf, sizeof buf, 0, &from);
		if (n < 0) {
			rc = (int)n;
			fail("ls_recvfrom", rc);
			break;
		}
		ls_addr_format(&from, text, sizeof text);
		printf("%lu bytes from %s\n", (unsigned long)n, text);
		fflush(stdout);
		n = ls_sendto(s, buf, (size_t)n, 0, &from);
		if (n < 0)
			fail("ls_sendto", (int)n); /* keep serving others */
	}
	ls_close(s);
	return rc < 0 ? 1 : 0;
}

/* Send msg to addr and wait for the echo, a few times if needed. */
static int exchange(ls_socket s, const ls_addr *to, const char *msg)
{
	static char buf[MAX_DATAGRAM];
	size_t len = strlen(msg);
	int64_t n = LS_ETIMEDOUT;
	int attempt;

	for (attempt = 0; attempt < CLIENT_TRIES; attempt++) {
		n = ls_sendto(s, msg, len, 0, to);
		if (n < 0)
			return fail("ls_sendto", (int)n);
		/* The socket's timeout bounds the wait: LS_ETIMEDOUT. */
		n = ls_recvfrom(s, buf, sizeof buf, 0, NULL);
		if (n >= 0)
			break;
		if (n != LS_ETIMEDOUT)
			return fail("ls_recvfrom", (int)n);
	}
	if (n < 0)
		return fail("no echo", (int)n);
	printf("echo: %.*s\n", (int)n, buf);
	return ((size_t)n == len && memcmp(buf, msg, len) == 0) ? 0 : 1;
}

static int run_client(int argc, char **argv)
{
	ls_addrinfo_hints hints = { LS_AF_UNSPEC, LS_SOCK_DGRAM, 0, 0 };
	ls_addrinfo *list;
	ls_socket s;
	int rc;

	if (argc != 3)
		return usage();
	/* Resolve HOST and PORT; use the first address found. */
	rc = ls_getaddrinfo(argv[0], argv[1], &hints, &list);
	if (rc < 0)
		return fail(argv[0], rc);
	rc = ls_socket_create(&s, list->family, LS_SOCK_DGRAM, 0);
	if (rc < 0) {
		ls_freeaddrinfo(list);
		return fail("ls_socket_create", rc);
	}
	ls_set_timeout(s, CLIENT_WAIT_MS);
	rc = exchange(s, &list->addr, argv[2]);
	ls_close(s);
	ls_freeaddrinfo(list);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "server") == 0)
		return run_server(argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "client") == 0)
		return run_client(argc - 2, argv + 2);
	return usage();
}
