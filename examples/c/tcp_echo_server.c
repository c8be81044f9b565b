/*
 * tcp_echo_server.c - a TCP echo server: whatever a client sends comes back.
 *
 * Usage: tcp_echo_server [--count N] [--bind ADDR] [PORT]
 *
 *   PORT       port to listen on; 0 (the default) lets the OS pick one,
 *              and the server prints the port it got
 *   --count N  serve N clients, then exit (default: serve forever)
 *   --bind A   local IP address to listen on (default 127.0.0.1;
 *              "::1", "0.0.0.0" and "::" work too)
 *
 * Clients are served one after another: simple, and enough for an example.
 * Each connection gets a timeout, so a silent client cannot stall the
 * server forever.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libsock.h>

#define CLIENT_TIMEOUT_MS 30000

static int fail(const char *what, int err)
{
	fprintf(stderr, "tcp_echo_server: %s: %s (%s)\n", what, ls_strerror(err),
	        ls_error_name(err));
	return 1;
}

static int usage(const char *prog)
{
	fprintf(stderr, "usage: %s [--count N] [--bind ADDR] [PORT]\n", prog);
	return 2;
}

/* Parse a whole decimal number in [min, max]; -1 if it is not one. */
static long parse_number(const char *text, long min, long max)
{
	char *end;
	long v = strtol(text, &end, 10);

	if (end == text || *end != '\0' || v < min || v > max)
		return -1;
	return v;
}

/*
 * Echo one client until it closes its side. Returns the number of bytes
 * echoed, or a negative libsock error.
 */
static int64_t echo_client(ls_socket c)
{
	char buf[16384];
	int64_t total = 0, n;
	int rc;

	for (;;) {
		n = ls_recv(c, buf, sizeof buf, 0);
		if (n <= 0)
			return n < 0 ? n : total; /* 0: the client is done */
		rc = ls_sendall(c, buf, (size_t)n, 0, NULL);
		if (rc < 0)
			return rc;
		total += n;
	}
}

/* Create a socket, bind it to addr and listen. */
static int open_listener(ls_socket *out, const ls_addr *addr)
{
	int rc = ls_socket_create(out, addr->family, LS_SOCK_STREAM, 0);

	if (rc < 0)
		return fail("ls_socket_create", rc);
	(void)ls_setopt(*out, LS_OPT_REUSEADDR, 1);
	rc = ls_bind(*out, addr);
	if (rc == 0)
		rc = ls_listen(*out, 0); /* 0: the OS's default backlog */
	if (rc < 0) {
		ls_close(*out);
		return fail("bind/listen", rc);
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *bind_text = "127.0.0.1";
	long count = -1, port = 0; /* count -1: forever */
	ls_socket listener, client;
	ls_addr addr, peer;
	char text[LS_ADDRSTRLEN];
	long served;
	int64_t echoed;
	int i, rc;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--count") == 0 && i + 1 < argc) {
			if ((count = parse_number(argv[++i], 1, 1000000000L)) < 0)
				return usage(argv[0]);
		} else if (strcmp(argv[i], "--bind") == 0 && i + 1 < argc) {
			bind_text = argv[++i];
		} else if ((port = parse_number(argv[i], 0, 65535)) < 0) {
			return usage(argv[0]);
		}
	}

	/* Numeric text only: ls_addr_parse never does name resolution. */
	rc = ls_addr_parse_ip(&addr, bind_text, LS_AF_UNSPEC);
	if (rc < 0)
		return fail(bind_text, rc);
	ls_addr_set_port(&addr, (uint16_t)port);

	if (open_listener(&listener, &addr) != 0)
		return 1;
	ls_getsockname(listener, &addr);
	ls_addr_format(&addr, text, sizeof text);
	printf("listening on %s port %u\n", text, (unsigned)ls_addr_port(&addr));
	fflush(stdout);

	for (served = 0; count < 0 || served < count; served++) {
		rc = ls_accept(listener, &client, &peer);
		if (rc < 0) {
			fail("ls_accept", rc);
			break;
		}
		ls_addr_format(&peer, text, sizeof text);
		/* The accepted socket starts blocking; give it a timeout. */
		ls_set_timeout(client, CLIENT_TIMEOUT_MS);
		echoed = echo_client(client);
		if (echoed < 0)
			printf("client %s: %s\n", text, ls_strerror((int)echoed));
		else
			printf("client %s: echoed %lu bytes\n", text, (unsigned long)echoed);
		fflush(stdout);
		ls_close(client);
	}

	ls_close(listener);
	return rc < 0 ? 1 : 0;
}
