/*
 * https_get.c - fetch an https:// URL with verification and print the body.
 *
 * Usage: https_get [--cafile FILE] URL
 *
 *   URL          https://HOST[:PORT][/PATH]; HOST may be a name, an IPv4
 *                address or an [IPv6] address
 *   --cafile F   trust the PEM certificates in F instead of the system's
 *                store (for a private CA)
 *
 * The server's certificate must lead to a trusted root and name HOST: a
 * wrong name or an unknown CA is a failure. The body goes to standard
 * output; exit status 0 for a 2xx answer, 1 otherwise with the reason on
 * standard error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libsock.h>

#define TIMEOUT_MS 15000

typedef struct url {
	char host[256];
	char port[8];
	char path[1024];
} url;

static int fail(const char *what, int err, ls_tls *t)
{
	fprintf(stderr, "https_get: %s: %s (%s)%s%s\n", what, ls_strerror(err), ls_error_name(err),
	        t != NULL || ls_tls_error_detail(NULL)[0] ? ": " : "", ls_tls_error_detail(t));
	return 1;
}

/* Split https://HOST[:PORT][/PATH] ([IPv6] without its brackets); 0 on success. */
static int parse_url(const char *text, url *u)
{
	const char *h, *end, *hend, *rest;
	size_t n;

	if (strncmp(text, "https://", 8) != 0)
		return -1;
	h = text + 8;
	end = h + strcspn(h, "/");
	snprintf(u->path, sizeof(u->path), "%s", *end != '\0' ? end : "/");
	if (*h == '[') {
		hend = memchr(h, ']', (size_t)(end - h));
		if (hend == NULL)
			return -1;
		rest = hend + 1;
		h++;
	} else {
		hend = h + strcspn(h, ":/");
		rest = hend;
	}
	if (rest < end && *rest != ':')
		return -1;
	snprintf(u->port, sizeof(u->port), "%.*s", rest < end ? (int)(end - rest - 1) : 3,
	         rest < end ? rest + 1 : "443");
	n = (size_t)(hend - h);
	if (n == 0 || n >= sizeof(u->host) || u->port[0] == '\0')
		return -1;
	memcpy(u->host, h, n);
	u->host[n] = '\0';
	return 0;
}

/* Read the whole answer (until close_notify) into a growing buffer. */
static int read_all(ls_tls *t, char **out, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap + 1), *grown;
	int64_t r;

	while (buf != NULL && (r = ls_tls_recv(t, buf + n, cap - n, 0)) > 0) {
		n += (size_t)r;
		if (n == cap && (grown = realloc(buf, 2 * cap + 1)) != NULL) {
			buf = grown;
			cap *= 2;
		} else if (n == cap) {
			r = LS_ENOMEM;
			break;
		}
	}
	if (buf == NULL)
		return LS_ENOMEM;
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return r < 0 ? (int)r : 0;
}

/*
 * Print the body of the answer. A server that closes without close_notify
 * (LS_ETRUNCATED) is accepted only when Content-Length shows that the body
 * is complete; otherwise the end cannot be trusted.
 */
static int print_body(const char *resp, size_t len, int read_rc)
{
	const char *body = strstr(resp, "\r\n\r\n"), *cl;
	int status = 0;

	if (sscanf(resp, "HTTP/%*d.%*d %d", &status) != 1 || body == NULL) {
		fprintf(stderr, "https_get: not an HTTP answer\n");
		return 1;
	}
	body += 4;
	cl = strstr(resp, "Content-Length:");
	if (read_rc == LS_ETRUNCATED && (cl == NULL || cl > body ||
	                                 strtoul(cl + 15, NULL, 10) != len - (size_t)(body - resp)))
		return fail("reading the answer", read_rc, NULL);
	fwrite(body, 1, len - (size_t)(body - resp), stdout);
	if (status < 200 || status > 299) {
		fprintf(stderr, "https_get: HTTP status %d\n", status);
		return 1;
	}
	return 0;
}

/* Connect, verify, send the request, print the answer's body. */
static int fetch(const url *u, ls_tls_config *cfg)
{
	char req[1400];
	char *resp = NULL;
	size_t len = 0;
	ls_socket s;
	ls_tls *t;
	int rc = ls_connect_name(&s, u->host, u->port, LS_AF_UNSPEC, LS_SOCK_STREAM, TIMEOUT_MS);

	if (rc < 0)
		return fail("connect", rc, NULL);
	rc = ls_tls_wrap(&t, cfg, s, u->host, LS_TLS_OWN_SOCKET);
	if (rc < 0) {
		ls_close(s);
		return fail("ls_tls_wrap", rc, NULL);
	}
	snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\nHost: %s\r\nConnection: close\r\n\r\n", u->path,
	         u->host);
	rc = ls_tls_handshake(t);
	if (rc == 0)
		rc = ls_tls_sendall(t, req, strlen(req), 0, NULL);
	if (rc < 0) {
		rc = fail(rc == LS_ETIMEDOUT ? "timed out" : "TLS", rc, t);
	} else {
		int read_rc = read_all(t, &resp, &len);
		rc = read_rc < 0 && read_rc != LS_ETRUNCATED ? fail("reading", read_rc, t)
		                                              : print_body(resp, len, read_rc);
	}
	free(resp);
	ls_tls_close(t);
	return rc;
}

int main(int argc, char **argv)
{
	const char *cafile = NULL;
	ls_tls_config *cfg;
	url u;
	int rc, i = 1;

	if (argc == 4 && strcmp(argv[1], "--cafile") == 0) {
		cafile = argv[2];
		i = 3;
	}
	if (i != argc - 1 || parse_url(argv[i], &u) != 0) {
		fprintf(stderr, "usage: %s [--cafile FILE] https://HOST[:PORT][/PATH]\n", argv[0]);
		return 2;
	}
	rc = ls_tls_config_new(&cfg, LS_TLS_CLIENT);
	if (rc == 0 && cafile != NULL)
		rc = ls_tls_config_ca_file(cfg, cafile);
	if (rc < 0) {
		ls_tls_config_free(cfg);
		return fail("TLS configuration", rc, NULL);
	}
	rc = fetch(&u, cfg);
	ls_tls_config_free(cfg);
	return rc;
}
