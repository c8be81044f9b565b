/*
 * tls_echo_server.c - an echo server over TLS: whatever a client sends
 * comes back, encrypted.
 *
 * Usage: tls_echo_server [--count N] CERT KEY [PORT]
 *
 *   CERT, KEY  the server's PEM certificate chain (leaf first) and key
 *   PORT       port to listen on at 127.0.0.1; 0 (the default) lets the OS
 *              pick one, and the server prints the port it got
 *   --count N  serve N clients, then exit (default: serve forever)
 *
 * Clients are served one after another, each with a timeout so a silent
 * client cannot stall the server. A client that ends with close_notify
 * gets one back; one that just disconnects is reported as truncated.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libsock.h>

#define CLIENT_TIMEOUT_MS 30000

static int fail(const char *what, int err)
{
	fprintf(stderr, "tls_echo_server: %s: %s (%s) %s\n", what, ls_strerror(err),
	        ls_error_name(err), ls_tls_error_detail(NULL));
	return 1;
}

/* Echo until the client's close_notify (0) or a failure (negative). */
static int64_t echo(ls_tls *t)
{
	char buf[16384];
	int64_t n;
	int rc;

	while ((n = ls_tls_recv(t, buf, sizeof(buf), 0)) > 0) {
		rc = ls_tls_sendall(t, buf, (size_t)n, 0, NULL);
		if (rc < 0)
			return rc;
	}
	return n == 0 ? ls_tls_shutdown(t) : n;
}

/* Serve one accepted connection; the connection closes the socket. */
static void serve(ls_tls_config *cfg, ls_socket c)
{
	ls_tls *t;
	int64_t rc;

	ls_set_timeout(c, CLIENT_TIMEOUT_MS);
	rc = ls_tls_wrap(&t, cfg, c, NULL, LS_TLS_OWN_SOCKET);
	if (rc < 0) {
		ls_close(c);
		fail("ls_tls_wrap", (int)rc);
		return;
	}
	rc = ls_tls_handshake(t);
	if (rc == 0)
		rc = echo(t);
	if (rc < 0)
		fprintf(stderr, "tls_echo_server: client: %s (%s): %s\n", ls_strerror((int)rc),
		        ls_error_name((int)rc), ls_tls_error_detail(t));
	ls_tls_close(t);
}

static int listen_on(ls_socket *l, long port)
{
	ls_addr a;
	int rc = ls_addr_loopback(&a, LS_AF_INET, (uint16_t)port);

	if (rc == 0)
		rc = ls_socket_create(l, LS_AF_INET, LS_SOCK_STREAM, 0);
	if (rc == 0 && (rc = ls_bind(*l, &a)) == 0 && (rc = ls_listen(*l, 0)) == 0)
		rc = ls_getsockname(*l, &a);
	if (rc < 0)
		return fail("listen", rc);
	printf("tls_echo_server: listening on 127.0.0.1 port %u\n", ls_addr_port(&a));
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	long count = -1, port = 0;
	ls_tls_config *cfg;
	ls_socket l, c;
	int i = 1, rc;

	if (argc > 2 && strcmp(argv[1], "--count") == 0) {
		count = atol(argv[2]);
		i = 3;
	}
	if (argc - i < 2 || argc - i > 3) {
		fprintf(stderr, "usage: %s [--count N] CERT KEY [PORT]\n", argv[0]);
		return 2;
	}
	if (argc - i == 3)
		port = atol(argv[i + 2]);
	rc = ls_tls_config_new(&cfg, LS_TLS_SERVER);
	if (rc == 0)
		rc = ls_tls_config_cert_file(cfg, argv[i], argv[i + 1]);
	if (rc < 0)
		return fail("certificate", rc);
	if (listen_on(&l, port) != 0)
		return 1;
	for (; count != 0; count -= count > 0) {
		rc = ls_accept(l, &c, NULL);
		if (rc < 0)
			return fail("accept", rc);
		serve(cfg, c);
	}
	ls_close(l);
	ls_tls_config_free(cfg);
	return 0;
}
