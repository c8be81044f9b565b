/*
 * metrics_server.c - an HTTP server that serves libsock's own metrics at
 * /metrics in Prometheus' text format (and as JSON at /metrics.json), for a
 * Prometheus server to scrape. Every other path answers with a short text,
 * so the counters move as the server is used.
 *
 * usage: metrics_server [PORT]        (PORT 0 or none: any free port)
 * It prints "listening on 127.0.0.1 port N" once ready, and serves one
 * request per connection until killed. Requests larger than 8 KiB or slower
 * than 5 s are dropped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libsock.h>

#define REQ_MAX 8192

/* Read until the blank line ending the request head; 0 if it never came. */
static size_t read_head(ls_socket s, char *req, size_t size)
{
	size_t got = 0;
	int64_t n;

	while (got + 1 < size) {
		n = ls_recv(s, req + got, size - 1 - got, 0);
		if (n <= 0)
			return 0;
		got += (size_t)n;
		req[got] = '\0';
		if (strstr(req, "\r\n\r\n") != NULL || strstr(req, "\n\n") != NULL)
			return got;
	}
	return 0;
}

/* The exposition, into a buffer that grows until it fits. */
static char *render(int json, size_t *len)
{
	size_t size = 4096;
	char *buf = NULL, *m;
	int rc;

	for (;;) {
		m = realloc(buf, size);
		if (m == NULL) {
			free(buf);
			return NULL;
		}
		buf = m;
		rc = json ? ls_stats_json(buf, size, len) : ls_stats_prometheus(buf, size, len);
		if (rc == 0)
			return buf;
		if (rc != LS_ENOSPC) {
			free(buf);
			return NULL;
		}
		size = *len + 1024; /* sockets may open meanwhile */
	}
}

static void reply(ls_socket s, const char *status, const char *type, const char *body,
                  size_t len)
{
	char head[256];
	int n = snprintf(head, sizeof(head),
	                 "HTTP/1.0 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
	                 "Connection: close\r\n\r\n",
	                 status, type, len);

	ls_sendall(s, head, (size_t)n, 0, NULL);
	ls_sendall(s, body, len, 0, NULL);
}

static void serve(ls_socket s)
{
	char req[REQ_MAX], *body;
	size_t len;
	int json;

	ls_set_timeout(s, 5000);
	ls_socket_set_name(s, "http client");
	if (read_head(s, req, sizeof(req)) == 0)
		return;
	if (strncmp(req, "GET /metrics", 12) == 0 && strchr(" ?.", req[12]) != NULL) {
		json = strncmp(req + 12, ".json", 5) == 0;
		body = render(json, &len);
		if (body == NULL) {
			reply(s, "500 Internal Server Error", "text/plain", "no metrics\n", 11);
			return;
		}
		reply(s, "200 OK",
		      json ? "application/json" : "text/plain; version=0.0.4; charset=utf-8", body,
		      len);
		free(body);
		return;
	}
	reply(s, "200 OK", "text/plain", "hello from libsock\n", 19);
}

int main(int argc, char **argv)
{
	ls_socket l, s;
	ls_addr a;
	int rc, port = argc > 1 ? atoi(argv[1]) : 0;

	if (port < 0 || port > 65535) {
		fprintf(stderr, "usage: metrics_server [PORT]\n");
		return 2;
	}
	ls_addr_parse(&a, "127.0.0.1");
	ls_addr_set_port(&a, (uint16_t)port);
	if ((rc = ls_socket_create(&l, LS_AF_INET, LS_SOCK_STREAM, 0)) != 0 ||
	    (rc = ls_setopt(l, LS_OPT_REUSEADDR, 1)) != 0 || (rc = ls_bind(l, &a)) != 0 ||
	    (rc = ls_listen(l, 64)) != 0) {
		fprintf(stderr, "metrics_server: %s\n", ls_strerror(rc));
		return 1;
	}
	ls_socket_set_name(l, "metrics listener");
	ls_getsockname(l, &a);
	printf("listening on 127.0.0.1 port %u\n", ls_addr_port(&a));
	fflush(stdout);
	for (;;) {
		if (ls_accept(l, &s, NULL) != 0)
			continue;
		serve(s);
		ls_close(s);
	}
}
