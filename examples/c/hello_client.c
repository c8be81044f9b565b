/*
 * hello_client.c - the client for hello_server.
 *
 * Connects to 127.0.0.1:PORT, reads until the server closes the
 * connection, and prints "Received: <what the server sent>". The server
 * may start after the client: connection attempts are retried for about
 * ten seconds.
 *
 * Usage: hello_client [PORT]     (default 12345)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libsock.h>

#define RETRY_FOR_S 10
#define RETRY_PAUSE_MS 100

static int fail(const char *what, int err)
{
	fprintf(stderr, "hello_client: %s: %s (%s)\n", what, ls_strerror(err),
	        ls_error_name(err));
	return 1;
}

/*
 * Sleep for ms milliseconds using only libsock: poll a UDP socket that
 * nobody sends to. (C11 has no portable sleep that every C library,
 * including MinGW's, provides.)
 */
static void pause_ms(int64_t ms)
{
	ls_socket s;
	ls_addr any;
	ls_pollfd p;

	if (ls_socket_create(&s, LS_AF_INET, LS_SOCK_DGRAM, 0) < 0)
		return;
	ls_addr_loopback(&any, LS_AF_INET, 0);
	if (ls_bind(s, &any) == 0) {
		p.sock = s;
		p.events = LS_POLLIN;
		p.revents = 0;
		(void)ls_poll(&p, 1, ms);
	}
	ls_close(s);
}

/*
 * Connect, retrying while the server is not listening yet (LS_ECONNREFUSED)
 * for about RETRY_FOR_S seconds. Any other error is final. time() is coarse
 * but portable, and a second either way does not matter here.
 */
static int connect_with_retry(ls_socket *out, const char *port)
{
	time_t start = time(NULL);
	int rc;

	for (;;) {
		/*
		 * ls_connect_name resolves "127.0.0.1" (numeric, so no DNS
		 * query) and connects, giving up after the timeout.
		 */
		rc = ls_connect_name(out, "127.0.0.1", port, LS_AF_INET,
		                     LS_SOCK_STREAM, RETRY_FOR_S * 1000);
		if (rc != LS_ECONNREFUSED || difftime(time(NULL), start) >= RETRY_FOR_S)
			return rc;
		pause_ms(RETRY_PAUSE_MS);
	}
}

int main(int argc, char **argv)
{
	const char *port = argc > 1 ? argv[1] : "12345";
	ls_socket s;
	char buf[4096];
	size_t used = 0;
	int64_t n;
	int rc;

	rc = connect_with_retry(&s, port);
	if (rc < 0)
		return fail("connect to 127.0.0.1", rc);
	/* Do not wait forever for a server that never closes. */
	(void)ls_set_timeout(s, RETRY_FOR_S * 1000);

	/* Read until EOF (ls_recv returns 0) or the buffer is full. */
	while (used < sizeof buf - 1) {
		n = ls_recv(s, buf + used, sizeof buf - 1 - used, 0);
		if (n < 0) {
			ls_close(s);
			return fail("ls_recv", (int)n);
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	buf[used] = '\0';
	printf("Received: %s\n", buf);

	ls_close(s);
	return 0;
}
