/*
 * hello_server.c - the classic "hello" socket server, written with libsock.
 *
 * It does what this Python program does:
 *
 *     server_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
 *     server_socket.bind(('127.0.0.1', 12345))
 *     server_socket.listen(1)
 *     print('Server is listening on port 12345...')
 *     client_socket, addr = server_socket.accept()
 *     print(f'Connection from {addr}')
 *     client_socket.sendall(b'Hello from server!')
 *     client_socket.close()
 *     server_socket.close()
 *
 * Usage: hello_server [PORT]     (default 12345; 0 lets the OS pick a port)
 * Pair it with hello_client.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libsock.h>

/* Print a failed call and its libsock error, then return 1 for main(). */
static int fail(const char *what, int err)
{
	fprintf(stderr, "hello_server: %s: %s (%s)\n", what, ls_strerror(err),
	        ls_error_name(err));
	return 1;
}

int main(int argc, char **argv)
{
	static const char greeting[] = "Hello from server!";
	long port = 12345;
	ls_socket server = LS_INVALID_SOCKET, client = LS_INVALID_SOCKET;
	ls_addr addr, peer;
	char ip[LS_IPSTRLEN];
	int rc, status = 1;

	if (argc > 1) {
		char *end;
		port = strtol(argv[1], &end, 10);
		if (*end != '\0' || port < 0 || port > 65535) {
			fprintf(stderr, "usage: %s [PORT]\n", argv[0]);
			return 2;
		}
	}

	/* ls_init() is optional, but pairing it with ls_cleanup() is tidy. */
	rc = ls_init();
	if (rc < 0)
		return fail("ls_init", rc);

	rc = ls_socket_create(&server, LS_AF_INET, LS_SOCK_STREAM, 0);
	if (rc < 0) {
		fail("ls_socket_create", rc);
		goto out;
	}

	/*
	 * Python's example does not set SO_REUSEADDR; we do, so the example
	 * can be run again at once while the last connection is in
	 * TIME_WAIT. On Windows libsock turns this into SO_EXCLUSIVEADDRUSE,
	 * which does not let another process steal the port.
	 */
	(void)ls_setopt(server, LS_OPT_REUSEADDR, 1);

	ls_addr_loopback(&addr, LS_AF_INET, (uint16_t)port);
	rc = ls_bind(server, &addr);
	if (rc < 0) {
		fail("ls_bind", rc);
		goto out;
	}
	rc = ls_listen(server, 1);
	if (rc < 0) {
		fail("ls_listen", rc);
		goto out;
	}

	/* Read the port back: it differs from the one asked for when that was 0. */
	rc = ls_getsockname(server, &addr);
	if (rc < 0) {
		fail("ls_getsockname", rc);
		goto out;
	}
	printf("Server is listening on port %u...\n", (unsigned)ls_addr_port(&addr));
	fflush(stdout); /* a script waiting for this line sees it now */

	rc = ls_accept(server, &client, &peer);
	if (rc < 0) {
		fail("ls_accept", rc);
		goto out;
	}
	ls_addr_format_ip(&peer, ip, sizeof ip);
	printf("Connection from ('%s', %u)\n", ip, (unsigned)ls_addr_port(&peer));
	fflush(stdout);

	/* sendall: loops over partial writes until every byte is out. */
	rc = ls_sendall(client, greeting, strlen(greeting), 0, NULL);
	if (rc < 0) {
		fail("ls_sendall", rc);
		goto out;
	}
	status = 0;

out:
	if (client != LS_INVALID_SOCKET)
		ls_close(client);
	if (server != LS_INVALID_SOCKET)
		ls_close(server);
	ls_cleanup();
	return status;
}
