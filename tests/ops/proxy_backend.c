/*
 * proxy_backend.c - a libsock server behind a real load balancer, for
 * tests/ops/test_haproxy.py: it requires PROXY headers (v1 and v2) from
 * 127.0.0.1, denies the real clients in DENY_CIDR, and answers each
 * connection with one line, "NAME PEER VERSION", where PEER is the real
 * client as ls_accept reports it. It prints "port N" once listening, a line
 * per connection on stdout, and runs until killed.
 *
 * usage: proxy_backend NAME DENY_CIDR
 */
#include <stdio.h>
#include <string.h>

#include <libsock.h>

static int fail(const char *what, int rc)
{
	fprintf(stderr, "proxy_backend: %s: %s\n", what, ls_strerror(rc));
	return 1;
}

static int setup(ls_socket *l, const char *deny)
{
	ls_acl *trusted, *rules;
	ls_addr a;
	int rc;

	ls_addr_parse(&a, "127.0.0.1:0");
	if ((rc = ls_socket_create(l, LS_AF_INET, LS_SOCK_STREAM, 0)) != 0 ||
	    (rc = ls_bind(*l, &a)) != 0 || (rc = ls_listen(*l, 64)) != 0)
		return fail("listen", rc);
	if ((rc = ls_acl_new(&trusted, LS_ACL_DENY)) != 0 ||
	    (rc = ls_acl_add(trusted, "127.0.0.1", LS_ACL_ALLOW)) != 0 ||
	    (rc = ls_listener_set_proxy(*l, LS_PROXY_V1 | LS_PROXY_V2, trusted, 0)) != 0)
		return fail("PROXY settings", rc);
	if ((rc = ls_acl_new(&rules, LS_ACL_ALLOW)) != 0 ||
	    (rc = ls_acl_add(rules, deny, LS_ACL_DENY)) != 0 ||
	    (rc = ls_listener_set_acl(*l, rules, 0)) != 0)
		return fail("access rules", rc);
	ls_acl_free(trusted);
	ls_acl_free(rules);
	ls_getsockname(*l, &a);
	printf("port %u\n", ls_addr_port(&a));
	fflush(stdout);
	return 0;
}

static void serve(ls_socket s, const char *name, const ls_addr *peer)
{
	char text[LS_ADDRSTRLEN], line[LS_ADDRSTRLEN + 64];
	ls_proxy_header h;
	int n;

	ls_addr_format(peer, text, sizeof(text));
	h.version = 0;
	ls_proxy_get(s, &h, NULL, 0, NULL, 0, NULL);
	n = snprintf(line, sizeof(line), "%s %s v%d\n", name, text, h.version);
	ls_set_timeout(s, 5000);
	ls_sendall(s, line, (size_t)n, 0, NULL);
	printf("conn %s", line);
	fflush(stdout);
	ls_shutdown(s, LS_SHUT_WR);
	ls_close(s);
}

int main(int argc, char **argv)
{
	ls_socket l, s;
	ls_addr peer;
	int rc;

	if (argc != 3) {
		fprintf(stderr, "usage: proxy_backend NAME DENY_CIDR\n");
		return 2;
	}
	if (setup(&l, argv[2]) != 0)
		return 1;
	for (;;) {
		rc = ls_accept(l, &s, &peer);
		if (rc == 0)
			serve(s, argv[1], &peer);
		else if (rc != LS_EINTR && rc != LS_ECONNABORTED)
			return fail("accept", rc);
	}
}
