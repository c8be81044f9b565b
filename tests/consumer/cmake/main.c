/*
 * A libsock consumer: connects to itself over loopback TCP and checks that
 * "ping" arrives intact. Exits 0 only if every step works and the bytes
 * match. Built against an installed libsock by tests/consumer/run.sh, both
 * with CMake (shared and static targets) and with pkg-config.
 */
#include <stdio.h>
#include <string.h>

#include <libsock.h>

static int check(int64_t rc, const char *what)
{
	if (rc < 0) {
		fprintf(stderr, "consumer: %s: %s (%s)\n", what, ls_strerror((int)rc),
		        ls_error_name((int)rc));
		return 1;
	}
	return 0;
}

int main(void)
{
	ls_socket listener, client, server;
	ls_addr addr;
	char buf[8] = { 0 };
	int64_t n;

	/* The header and the library linked must be the same version. */
	/* The TLS backend's name links the backend (OpenSSL) in, static builds too. */
	printf("libsock %s, TLS backend \"%s\"\n", ls_version_string(), ls_tls_backend());
	if (ls_version() != LS_VERSION_NUMBER) {
		fprintf(stderr, "consumer: header version %u, library %u\n",
		        (unsigned)LS_VERSION_NUMBER, ls_version());
		return 1;
	}

	if (check(ls_init(), "ls_init") ||
	    check(ls_socket_create(&listener, LS_AF_INET, LS_SOCK_STREAM, 0), "socket") ||
	    check(ls_addr_loopback(&addr, LS_AF_INET, 0), "loopback") ||
	    check(ls_bind(listener, &addr), "bind") ||
	    check(ls_listen(listener, 1), "listen") ||
	    check(ls_getsockname(listener, &addr), "getsockname") ||
	    check(ls_socket_create(&client, LS_AF_INET, LS_SOCK_STREAM, 0), "socket") ||
	    check(ls_set_timeout(client, 5000), "timeout") ||
	    check(ls_connect(client, &addr), "connect") ||
	    check(ls_set_timeout(listener, 5000), "timeout") ||
	    check(ls_accept(listener, &server, NULL), "accept") ||
	    check(ls_sendall(client, "ping", 4, 0, NULL), "sendall"))
		return 1;

	n = ls_recv(server, buf, 4, 0);
	if (check(n, "recv"))
		return 1;
	/* One loopback segment of 4 bytes arrives whole; still, allow pieces. */
	while (n < 4) {
		int64_t more = ls_recv(server, buf + n, (size_t)(4 - n), 0);
		if (check(more, "recv") || more == 0)
			return 1;
		n += more;
	}

	ls_close(server);
	ls_close(client);
	ls_close(listener);
	ls_cleanup();

	if (n != 4 || memcmp(buf, "ping", 4) != 0) {
		fprintf(stderr, "consumer: received \"%.*s\", expected \"ping\"\n", (int)n, buf);
		return 1;
	}
	printf("received ping: ok\n");
	return 0;
}
