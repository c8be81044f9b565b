/*
 * tcp_echo_client.c - send a message to an echo server and print the echo.
 *
 * Usage: tcp_echo_client HOST PORT MESSAGE
 *
 * HOST may be a name ("localhost") or an address ("127.0.0.1", "::1"):
 * ls_connect_name resolves it and tries each address in turn. Exits 0 only
 * if the echo equals the message.
 */
#include <stdio.h>
#include <string.h>

#include <libsock.h>

#define TIMEOUT_MS 10000

static int fail(const char *what, int err)
{
	fprintf(stderr, "tcp_echo_client: %s: %s (%s)\n", what, ls_strerror(err),
	        ls_error_name(err));
	return 1;
}

int main(int argc, char **argv)
{
	ls_socket s;
	ls_addr peer;
	char text[LS_ADDRSTRLEN];
	char reply[65536];
	size_t len, got = 0;
	int64_t n;
	int rc;

	if (argc != 4) {
		fprintf(stderr, "usage: %s HOST PORT MESSAGE\n", argv[0]);
		return 2;
	}
	len = strlen(argv[3]);
	if (len > sizeof reply) {
		fprintf(stderr, "tcp_echo_client: message too long\n");
		return 2;
	}

	/* One call: resolve, connect, and set TIMEOUT_MS on the new socket. */
	rc = ls_connect_name(&s, argv[1], argv[2], LS_AF_UNSPEC, LS_SOCK_STREAM,
	                     TIMEOUT_MS);
	if (rc < 0)
		return fail("connect", rc);
	if (ls_getpeername(s, &peer) == 0 && ls_addr_format(&peer, text, sizeof text) == 0)
		printf("connected to %s\n", text);

	rc = ls_sendall(s, argv[3], len, 0, NULL);
	if (rc < 0)
		goto out;
	/* Tell the server we are done sending; it will close after echoing. */
	rc = ls_shutdown(s, LS_SHUT_WR);
	if (rc < 0)
		goto out;

	/* TCP is a byte stream: the echo may arrive in several pieces. */
	while (got < sizeof reply) {
		n = ls_recv(s, reply + got, sizeof reply - got, 0);
		if (n < 0) {
			rc = (int)n;
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	printf("echo: %.*s\n", (int)got, reply);
	rc = (got == len && memcmp(reply, argv[3], len) == 0) ? 0 : 1;
	if (rc != 0)
		fprintf(stderr, "tcp_echo_client: the echo differs from the message\n");
	ls_close(s);
	return rc;

out:
	ls_close(s);
	return fail("echo", rc);
}
