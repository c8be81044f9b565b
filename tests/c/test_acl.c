/* test_acl.c - access rules: building, parsing, matching, and enforcement on listeners. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "acl/acl_internal.h" /* the rules behind ls_acl; lsi_acl_v4_segments */

static ls_addr a_ip(const char *text)
{
	ls_addr a;

	CHECK_OK(ls_addr_parse_ip(&a, text, LS_AF_UNSPEC));
	return a;
}

/* The action acl gives the peer at text. */
static void a_expect(const ls_acl *acl, const char *text, int action)
{
	ls_addr p = a_ip(text);

	CHECK_MSG(ls_acl_check(acl, &p) == action, "%s: expected %s", text,
	          action == LS_ACL_ALLOW ? "allow" : "deny");
}

static void rules_first_match(void)
{
	ls_acl *acl;

	CHECK_OK(ls_acl_new(&acl, LS_ACL_DENY));
	CHECK_OK(ls_acl_add(acl, "10.1.2.0/24", LS_ACL_DENY));
	CHECK_OK(ls_acl_add(acl, "10.0.0.0/8", LS_ACL_ALLOW));
	CHECK_OK(ls_acl_add(acl, "2001:db8::/32", LS_ACL_ALLOW));
	CHECK_OK(ls_acl_add(acl, "192.168.1.7", LS_ACL_ALLOW));
	CHECK_OK(ls_acl_add(acl, "10.9.9.9/32", LS_ACL_DENY)); /* shadowed by 10/8 */
	CHECK_EQ_U64(ls_acl_count(acl), 5);
	a_expect(acl, "10.1.2.3", LS_ACL_DENY);
	a_expect(acl, "10.1.3.3", LS_ACL_ALLOW);
	a_expect(acl, "10.9.9.9", LS_ACL_ALLOW);
	a_expect(acl, "11.0.0.1", LS_ACL_DENY);
	a_expect(acl, "192.168.1.7", LS_ACL_ALLOW);
	a_expect(acl, "192.168.1.8", LS_ACL_DENY);
	a_expect(acl, "2001:db8:ffff::1", LS_ACL_ALLOW);
	a_expect(acl, "2001:db9::1", LS_ACL_DENY);
	/* An IPv4-mapped peer follows the IPv4 rules. */
	a_expect(acl, "::ffff:10.1.3.3", LS_ACL_ALLOW);
	a_expect(acl, "::ffff:10.1.2.3", LS_ACL_DENY);
	ls_acl_free(acl);
}

static void prefix_edges(void)
{
	ls_acl *acl;

	CHECK_OK(ls_acl_new(&acl, LS_ACL_ALLOW));
	CHECK_OK(ls_acl_add(acl, "172.16.0.0/12", LS_ACL_DENY));
	CHECK_OK(ls_acl_add(acl, "fe80::/10", LS_ACL_DENY));
	CHECK_OK(ls_acl_add(acl, "0.0.0.0/0", LS_ACL_DENY)); /* every IPv4 peer left */
	a_expect(acl, "172.31.255.255", LS_ACL_DENY);
	a_expect(acl, "febf::1", LS_ACL_DENY);
	a_expect(acl, "fec0::1", LS_ACL_ALLOW);
	a_expect(acl, "8.8.8.8", LS_ACL_DENY);
	ls_acl_free(acl);
}

static void bad_rules(void)
{
	static const char *bad[] = { "", "10.0.0.1/33", "10.0.0.0/-1", "10.0.0.0/08",
		                     "10.0.0.1/8", "::1/129", "2001:db8::1/32", "10.0.0.0/",
		                     "10.0.0.0/8/8", "fe80::1%lo", "host.example", "10.0.0.0 /8",
		                     "1.2.3.4/1234", "::/0x" };
	ls_acl *acl = (ls_acl *)&acl;
	size_t i;

	CHECK_ERR(ls_acl_new(NULL, LS_ACL_DENY), LS_EINVAL);
	CHECK_ERR(ls_acl_new(&acl, 7), LS_EINVAL);
	CHECK(acl == NULL);
	CHECK_OK(ls_acl_new(&acl, LS_ACL_ALLOW));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_MSG(ls_acl_add(acl, bad[i], LS_ACL_DENY) == LS_EINVAL, "accepted \"%s\"", bad[i]);
	CHECK_ERR(ls_acl_add(acl, NULL, LS_ACL_DENY), LS_EINVAL);
	CHECK_ERR(ls_acl_add(acl, "1.2.3.4", 2), LS_EINVAL);
	CHECK_ERR(ls_acl_add(NULL, "1.2.3.4", LS_ACL_DENY), LS_EINVAL);
	CHECK_ERR(ls_acl_check(acl, NULL), LS_EINVAL);
	CHECK_ERR(ls_acl_check(NULL, NULL), LS_EINVAL);
	CHECK_EQ_U64(ls_acl_count(acl), 0);
	ls_acl_free(acl);
	ls_acl_free(NULL);
}

static void parse_text(void)
{
	static const char good[] = "# office\n"
	                           "allow 10.0.0.0/8   # LAN\n"
	                           "\n"
	                           "  deny\t2001:db8::/32\r\n"
	                           "default deny\n"
	                           "allow ::1";
	static const char bad[] = "allow 10.0.0.0/8\n"
	                          "deny 1.2.3.4/40\n"
	                          "allow 10.0.0.0/8\n";
	char reason[128];
	int line = -1;
	ls_acl *acl;

	CHECK_OK(ls_acl_new(&acl, LS_ACL_ALLOW));
	CHECK_OK(ls_acl_parse(acl, good, strlen(good), &line, reason, sizeof(reason)));
	CHECK_EQ_U64(ls_acl_count(acl), 3);
	a_expect(acl, "9.9.9.9", LS_ACL_DENY);
	a_expect(acl, "::1", LS_ACL_ALLOW);
	/* A bad line: its number and why, and nothing added. */
	CHECK_ERR(ls_acl_parse(acl, bad, strlen(bad), &line, reason, sizeof(reason)), LS_EINVAL);
	CHECK_EQ_INT(line, 2);
	t_note("line %d: %s", line, reason);
	CHECK(reason[0] != '\0');
	CHECK_EQ_U64(ls_acl_count(acl), 3);
	CHECK_ERR(ls_acl_parse(acl, "permit 1.2.3.4", 14, &line, reason, sizeof(reason)), LS_EINVAL);
	CHECK_EQ_INT(line, 1);
	CHECK_ERR(ls_acl_parse(acl, "allow 1.2.3.4 5.6.7.8", 21, &line, NULL, 0), LS_EINVAL);
	CHECK_ERR(ls_acl_parse(acl, "allow", 5, &line, NULL, 0), LS_EINVAL);
	CHECK_ERR(ls_acl_parse(acl, "default maybe", 13, &line, NULL, 0), LS_EINVAL);
	CHECK_ERR(ls_acl_parse(acl, "allow 1.2.3.4\0x", 15, &line, NULL, 0), LS_EINVAL);
	CHECK_ERR(ls_acl_parse(NULL, "", 0, NULL, NULL, 0), LS_EINVAL);
	CHECK_ERR(ls_acl_parse(acl, NULL, 3, NULL, NULL, 0), LS_EINVAL);
	CHECK_OK(ls_acl_parse(acl, NULL, 0, NULL, NULL, 0));
	CHECK_EQ_U64(ls_acl_count(acl), 3);
	ls_acl_free(acl);
}

/* --- listeners -------------------------------------------------------- */

/* A client socket bound to source (port 0), connecting with a timeout. */
static int a_connect_from(const char *source, const ls_addr *server, int64_t timeout,
                          ls_socket *out)
{
	ls_addr src = a_ip(source);
	int rc;

	CHECK_OK(ls_socket_create(out, src.family, LS_SOCK_STREAM, 0));
	CHECK_OK(ls_bind(*out, &src));
	CHECK_OK(ls_set_timeout(*out, timeout));
	rc = ls_connect(*out, server);
	return rc;
}

static ls_socket a_listener(int family, ls_addr *bound, const char *rules, int flags)
{
	ls_socket l = h_listener(family, bound);
	ls_acl *acl;

	CHECK_OK(ls_acl_new(&acl, LS_ACL_ALLOW));
	CHECK_OK(ls_acl_parse(acl, rules, strlen(rules), NULL, NULL, 0));
	CHECK_OK(ls_listener_set_acl(l, acl, flags));
	ls_acl_free(acl); /* the listener has its own copy */
	return l;
}

/* The denied client never reaches the caller; the allowed one does. */
static void a_denied_and_allowed(ls_socket l, const ls_addr *la, int kernel)
{
	ls_socket d, ok, s;
	ls_addr peer, want = a_ip("127.0.0.3");
	uint64_t before = ls_acl_rejected();
	int rc;

	rc = a_connect_from("127.0.0.2", la, kernel ? 300 : H_HANG_MS, &d);
	if (kernel)
		CHECK_ERR(rc, LS_ETIMEDOUT); /* the SYN was dropped: no handshake at all */
	else
		CHECK_OK(rc);
	CHECK_OK(a_connect_from("127.0.0.3", la, H_HANG_MS, &ok));
	CHECK_OK(ls_set_timeout(l, H_HANG_MS));
	CHECK_OK(ls_accept(l, &s, &peer));
	ls_addr_set_port(&want, ls_addr_port(&peer));
	CHECK(ls_addr_equal(&peer, &want));
	h_send_str(ok, "in");
	h_expect_str(s, "in");
	if (!kernel) {
		char c;
		int64_t n;

		CHECK_EQ_U64(ls_acl_rejected(), before + 1);
		/* The denied client was reset. */
		n = ls_recv(d, &c, 1, 0);
		CHECK_MSG(n == LS_ECONNRESET || n == 0, "denied client read %lld", (long long)n);
	}
	/* Nothing else is pending. */
	CHECK_OK(ls_set_timeout(l, 0));
	{
		ls_socket none;

		CHECK_ERR(ls_accept(l, &none, NULL), LS_EAGAIN);
	}
	CHECK_OK(ls_close(d));
	CHECK_OK(ls_close(ok));
	CHECK_OK(ls_close(s));
}

static void listener_kernel_filter(void)
{
	ls_addr la;
	ls_socket l = a_listener(LS_AF_INET, &la, "deny 127.0.0.2\ndefault allow", 0);
	int how = ls_listener_acl_enforcement(l);

	if (how != LS_ACL_KERNEL)
		SKIP("no kernel filter on this OS (enforcement %d): the after-accept path is "
		     "tested by listener_after_accept",
		     how);
	a_denied_and_allowed(l, &la, 1);
	CHECK_OK(ls_close(l));
}

static void listener_after_accept(void)
{
	ls_addr la;
	ls_socket l = a_listener(LS_AF_INET, &la, "deny 127.0.0.2\ndefault allow",
	                         LS_ACL_AFTER_ACCEPT);

	CHECK_EQ_INT(ls_listener_acl_enforcement(l), LS_ACL_ACCEPT);
	a_denied_and_allowed(l, &la, 0);
	CHECK_OK(ls_close(l));
}

static void listener_default_deny_ipv6(void)
{
	ls_addr la;
	ls_socket l, c, s;
	int how, rc;

	H_REQUIRE_IPV6();
	l = a_listener(LS_AF_INET6, &la, "default deny\nallow 2001:db8::/32", 0);
	how = ls_listener_acl_enforcement(l);
	CHECK(how == LS_ACL_KERNEL || how == LS_ACL_ACCEPT);
	rc = a_connect_from("::1", &la, how == LS_ACL_KERNEL ? 300 : H_HANG_MS, &c);
	CHECK_OK(ls_set_timeout(l, 300));
	CHECK_ERR(ls_accept(l, &s, NULL), LS_ETIMEDOUT);
	if (how == LS_ACL_KERNEL)
		CHECK_ERR(rc, LS_ETIMEDOUT);
	CHECK_OK(ls_close(c));
	/* Allow ::1 and it gets through. */
	CHECK_OK(ls_close(l));
	l = a_listener(LS_AF_INET6, &la, "allow ::1/128\ndefault deny", 0);
	CHECK_OK(a_connect_from("::1", &la, H_HANG_MS, &c));
	CHECK_OK(ls_set_timeout(l, H_HANG_MS));
	CHECK_OK(ls_accept(l, &s, NULL));
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
	CHECK_OK(ls_close(l));
}

static void many_rules(void)
{
	ls_addr la;
	ls_socket l = h_listener(LS_AF_INET, &la), c, s;
	ls_acl *acl;
	char cidr[32];
	int i, how;

	CHECK_OK(ls_acl_new(&acl, LS_ACL_ALLOW));
	/* 1 000 rules that match nobody here, then one that does. */
	for (i = 0; i < 1000; i++) {
		snprintf(cidr, sizeof(cidr), "10.%d.%d.0/24", i / 256, i % 256);
		CHECK_OK(ls_acl_add(acl, cidr, LS_ACL_DENY));
	}
	CHECK_OK(ls_acl_add(acl, "127.0.0.2", LS_ACL_DENY));
	CHECK_OK(ls_listener_set_acl(l, acl, 0));
	how = ls_listener_acl_enforcement(l);
	t_note("1001 rules: enforcement %d", how);
	CHECK_OK(a_connect_from("127.0.0.3", &la, H_HANG_MS, &c));
	CHECK_OK(ls_set_timeout(l, H_HANG_MS));
	CHECK_OK(ls_accept(l, &s, NULL));
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
	/*
	 * Past what a filter holds (ranges of alternating actions cannot be
	 * joined): the check after accept takes over.
	 */
	for (i = 0; i < 3000; i++) {
		snprintf(cidr, sizeof(cidr), "11.%d.%d.0/24", i / 256, i % 256);
		CHECK_OK(ls_acl_add(acl, cidr, i % 2 ? LS_ACL_ALLOW : LS_ACL_DENY));
	}
	CHECK_OK(ls_listener_set_acl(l, acl, 0));
	CHECK_EQ_INT(ls_listener_acl_enforcement(l), LS_ACL_ACCEPT);
	ls_acl_free(acl);
	a_denied_and_allowed(l, &la, 0);
	CHECK_OK(ls_close(l));
}

/* Rules changed after a connection was accepted never cut that connection. */
static void change_keeps_accepted(void)
{
	ls_addr la;
	ls_socket l = a_listener(LS_AF_INET, &la, "default allow", 0), c, s;
	ls_acl *deny;

	CHECK_OK(a_connect_from("127.0.0.3", &la, H_HANG_MS, &c));
	CHECK_OK(ls_set_timeout(l, H_HANG_MS));
	CHECK_OK(ls_accept(l, &s, NULL));
	CHECK_OK(ls_acl_new(&deny, LS_ACL_DENY));
	CHECK_OK(ls_listener_set_acl(l, deny, 0));
	ls_acl_free(deny);
	h_send_str(c, "still here");
	h_expect_str(s, "still here");
	h_send_str(s, "and back");
	h_expect_str(c, "and back");
	/* Removing the rules lets everyone in again. */
	CHECK_OK(ls_listener_set_acl(l, NULL, 0));
	CHECK_EQ_INT(ls_listener_acl_enforcement(l), LS_ACL_NONE);
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
	CHECK_OK(ls_close(l));
}

static void listener_bad_input(void)
{
	ls_socket u = h_udp(LS_AF_INET, NULL), l;
	ls_acl *acl;

	CHECK_OK(ls_acl_new(&acl, LS_ACL_ALLOW));
	CHECK_ERR(ls_listener_set_acl(u, acl, 0), LS_EPROTOTYPE);
	l = h_listener(LS_AF_INET, NULL);
	CHECK_ERR(ls_listener_set_acl(l, acl, 0x80), LS_EINVAL);
	CHECK_EQ_INT(ls_listener_acl_enforcement(l), LS_ACL_NONE);
	CHECK_OK(ls_close(l));
	CHECK_ERR(ls_listener_set_acl(l, acl, 0), LS_EBADF);
	CHECK_ERR(ls_listener_acl_enforcement(l), LS_EBADF);
	CHECK_OK(ls_close(u));
	ls_acl_free(acl);
}

/* A TCP socket bound to 127.0.0.1 port 0, not listening yet. */
static ls_socket a_unlistened(void)
{
	ls_addr a = a_ip("127.0.0.1");
	ls_socket l;

	CHECK_OK(ls_socket_create(&l, LS_AF_INET, LS_SOCK_STREAM, 0));
	CHECK_OK(ls_bind(l, &a));
	return l;
}

/*
 * Where the OS judges inside accept (Windows, conditional accept): both
 * clients connect without waiting, since the stack completes no handshake
 * before ls_accept runs; the denied one is refused and counted, the allowed
 * one reaches the caller.
 */
static void a_refused_inside_accept(ls_socket l, const ls_addr *la)
{
	ls_socket d, ok, s;
	ls_addr peer, want = a_ip("127.0.0.3");
	uint64_t before = ls_acl_rejected();
	ls_pollfd p;

	CHECK_ERR(a_connect_from("127.0.0.2", la, 0, &d), LS_EINPROGRESS);
	CHECK_ERR(a_connect_from("127.0.0.3", la, 0, &ok), LS_EINPROGRESS);
	CHECK_OK(ls_set_timeout(l, H_HANG_MS));
	CHECK_OK(ls_accept(l, &s, &peer));
	ls_addr_set_port(&want, ls_addr_port(&peer));
	CHECK(ls_addr_equal(&peer, &want));
	CHECK_EQ_U64(ls_acl_rejected(), before + 1);
	h_set_pollfd(&p, d, LS_POLLOUT);
	CHECK(ls_poll(&p, 1, H_HANG_MS) == 1);
	{
		int err = 0;

		CHECK_OK(ls_getopt(d, LS_OPT_ERROR, &err));
		CHECK_MSG(err == LS_ECONNREFUSED || err == LS_ECONNRESET, "denied client: %s",
		          ls_error_name(err));
	}
	CHECK_OK(ls_close(d));
	CHECK_OK(ls_close(ok));
	CHECK_OK(ls_close(s));
}

/*
 * Conditional accept only when asked for, and a clean fallback where the OS
 * has none (POSIX) or refuses it (wine 8): the request is LS_ENOTSUP, the
 * enforcement is what it would have been without it, and denied peers still
 * never reach the caller.
 */
static void conditional_request(void)
{
	ls_socket l = a_unlistened();
	ls_acl *acl;
	ls_addr la;
	int rc, how;

	rc = ls_listener_acl_request_conditional(l, 1);
	t_note("conditional accept: %s (native error %d)", ls_error_name(rc), ls_native_error());
	CHECK(rc == 0 || rc == LS_ENOTSUP);
	CHECK_OK(ls_acl_new(&acl, LS_ACL_ALLOW));
	CHECK_OK(ls_acl_add(acl, "127.0.0.2", LS_ACL_DENY));
	CHECK_OK(ls_listener_set_acl(l, acl, 0));
	CHECK_OK(ls_listen(l, 0));
	CHECK_OK(ls_getsockname(l, &la));
	how = ls_listener_acl_enforcement(l);
	t_note("enforcement %d", how);
	if (rc == 0) {
		CHECK_EQ_INT(how, LS_ACL_CONDITIONAL);
		a_refused_inside_accept(l, &la);
	} else {
		CHECK(how == LS_ACL_KERNEL || how == LS_ACL_ACCEPT);
		a_denied_and_allowed(l, &la, how == LS_ACL_KERNEL);
	}
	/* Forced after accept, the request does not apply. */
	CHECK_OK(ls_listener_set_acl(l, acl, LS_ACL_AFTER_ACCEPT));
	CHECK_EQ_INT(ls_listener_acl_enforcement(l), LS_ACL_ACCEPT);
	a_denied_and_allowed(l, &la, 0);
	/* Once listening it is too late, either way. */
	CHECK_ERR(ls_listener_acl_request_conditional(l, 1), LS_EINVAL);
	CHECK_ERR(ls_listener_acl_request_conditional(l, 0), LS_EINVAL);
	CHECK_OK(ls_close(l));
	ls_acl_free(acl);
}

/* Withdrawing the request, and the request on sockets it cannot apply to. */
static void conditional_bad_input(void)
{
	ls_socket u = h_udp(LS_AF_INET, NULL), l = a_unlistened();
	int rc;

	CHECK_ERR(ls_listener_acl_request_conditional(u, 1), LS_EPROTOTYPE);
	/* Withdrawing a request never made, or one the OS refused, does nothing. */
	CHECK_OK(ls_listener_acl_request_conditional(l, 0));
	rc = ls_listener_acl_request_conditional(l, 1);
	CHECK(rc == 0 || rc == LS_ENOTSUP);
	CHECK_OK(ls_listener_acl_request_conditional(l, 0));
	CHECK_OK(ls_close(u));
	CHECK_OK(ls_close(l));
	CHECK_ERR(ls_listener_acl_request_conditional(l, 1), LS_EBADF);
}

/* A small random generator, so the property test is the same every run. */
static uint32_t a_rand(uint32_t *seed)
{
	*seed = *seed * 1664525u + 1013904223u;
	return *seed;
}

/* The action of the segment holding ip (binary search, as the filter does). */
static int a_seg_action(const lsi_acl_seg *sg, size_t n, uint32_t ip)
{
	size_t lo = 0, hi = n - 1, m;

	while (lo < hi) {
		m = (lo + hi + 1) / 2;
		if (ip >= sg[m].lo)
			lo = m;
		else
			hi = m - 1;
	}
	return sg[lo].action;
}

/*
 * The segments the kernel filter searches decide like first-match order:
 * random overlapping rule lists, random peers (also rule edges), compared
 * with ls_acl_check.
 */
static void segments_match_rules(void)
{
	uint32_t seed = 12345, ip, r;
	int list, k, i;

	for (list = 0; list < 200; list++) {
		ls_acl *acl;
		lsi_acl_seg *sg;
		size_t n;
		char cidr[32];
		int nrules = 1 + (int)(a_rand(&seed) % 40);

		CHECK_OK(ls_acl_new(&acl, a_rand(&seed) % 2 ? LS_ACL_ALLOW : LS_ACL_DENY));
		for (k = 0; k < nrules; k++) {
			int bits = (int)(a_rand(&seed) % 33);

			/* Few distinct prefixes, so rules overlap often. */
			r = (a_rand(&seed) % 8) << 29 | (a_rand(&seed) % 4) << 22;
			r &= bits == 0 ? 0 : bits == 32 ? 0xffffffffu : ~(0xffffffffu >> bits);
			snprintf(cidr, sizeof(cidr), "%u.%u.%u.%u/%d", r >> 24, (r >> 16) & 255,
			         (r >> 8) & 255, r & 255, bits);
			CHECK_OK(ls_acl_add(acl, cidr, a_rand(&seed) % 2 ? LS_ACL_ALLOW : LS_ACL_DENY));
		}
		CHECK_OK(lsi_acl_v4_segments(acl->rules, acl->count, acl->default_action, &sg, &n));
		CHECK(n >= 1 && sg[0].lo == 0 && sg[n - 1].hi == 0xffffffffu);
		for (i = 0; i + 1 < (int)n; i++)
			CHECK(sg[i].hi + 1 == sg[i + 1].lo && sg[i].action != sg[i + 1].action);
		for (k = 0; k < 300; k++) {
			ls_addr peer;
			uint8_t b[4];

			ip = k % 3 == 0 ? sg[a_rand(&seed) % n].lo - (k % 2) : a_rand(&seed);
			b[0] = (uint8_t)(ip >> 24), b[1] = (uint8_t)(ip >> 16);
			b[2] = (uint8_t)(ip >> 8), b[3] = (uint8_t)ip;
			ls_addr_ipv4(&peer, b, 0);
			CHECK_MSG(a_seg_action(sg, n, ip) == ls_acl_check(acl, &peer),
			          "list %d: %u.%u.%u.%u decided differently", list, b[0], b[1], b[2], b[3]);
		}
		free(sg);
		ls_acl_free(acl);
	}
}

static const t_case cases[] = {
	TEST_CASE(rules_first_match),
	TEST_CASE(prefix_edges),
	TEST_CASE(bad_rules),
	TEST_CASE(parse_text),
	TEST_CASE(listener_kernel_filter),
	TEST_CASE(listener_after_accept),
	TEST_CASE(listener_default_deny_ipv6),
	TEST_CASE(many_rules),
	TEST_CASE(segments_match_rules),
	TEST_CASE(change_keeps_accepted),
	TEST_CASE(listener_bad_input),
	TEST_CASE(conditional_request),
	TEST_CASE(conditional_bad_input),
};

TEST_MAIN(cases)
