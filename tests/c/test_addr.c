/* test_addr.c - ls_addr: construction, parsing, formatting, predicates. */
#include <stdio.h>
#include <string.h>

#include "test.h"

/* Parse text, format it back, and compare with expect (NULL: same as text). */
static void round_trip(const char *text, const char *expect)
{
	ls_addr a;
	char buf[LS_ADDRSTRLEN];

	CHECK_OK(ls_addr_parse(&a, text));
	CHECK_OK(ls_addr_format(&a, buf, sizeof(buf)));
	CHECK_STR_EQ(buf, expect != NULL ? expect : text);
}

/* Parse an IP with ls_addr_parse_ip and format just the IP. */
static void ip_canonical(const char *text, const char *expect)
{
	ls_addr a;
	char buf[LS_IPSTRLEN];

	CHECK_OK(ls_addr_parse_ip(&a, text, LS_AF_INET6));
	CHECK_OK(ls_addr_format_ip(&a, buf, sizeof(buf)));
	CHECK_STR_EQ(buf, expect);
}

static void ipv4_constructor(void)
{
	static const uint8_t ip[4] = { 1, 2, 3, 4 };
	ls_addr a;
	char buf[LS_ADDRSTRLEN];

	ls_addr_ipv4(&a, ip, 80);
	CHECK_EQ_INT(a.family, LS_AF_INET);
	CHECK_EQ_INT(a.port, 80);
	CHECK_EQ_INT(ls_addr_port(&a), 80);
	CHECK(memcmp(a.ip, ip, 4) == 0);
	CHECK_OK(ls_addr_format(&a, buf, sizeof(buf)));
	CHECK_STR_EQ(buf, "1.2.3.4:80");
	CHECK_OK(ls_addr_format_ip(&a, buf, sizeof(buf)));
	CHECK_STR_EQ(buf, "1.2.3.4");
}

static void ipv6_constructor(void)
{
	static const uint8_t ip[16] = { 0xfe, 0x80, 0, 0, 0, 0, 0, 0,
		                        0, 0, 0, 0, 0, 0, 0, 1 };
	ls_addr a;
	char buf[LS_ADDRSTRLEN];

	ls_addr_ipv6(&a, ip, 443, 2);
	CHECK_EQ_INT(a.family, LS_AF_INET6);
	CHECK_EQ_INT(a.port, 443);
	CHECK_EQ_INT(a.scope_id, 2);
	CHECK_EQ_INT(a.flowinfo, 0);
	CHECK(memcmp(a.ip, ip, 16) == 0);
	CHECK_OK(ls_addr_format(&a, buf, sizeof(buf)));
	CHECK_STR_EQ(buf, "[fe80::1%2]:443");
}

static void loopback_and_any(void)
{
	ls_addr a;
	char buf[LS_ADDRSTRLEN];

	CHECK_OK(ls_addr_loopback(&a, LS_AF_INET, 7));
	CHECK_OK(ls_addr_format(&a, buf, sizeof(buf)));
	CHECK_STR_EQ(buf, "127.0.0.1:7");
	CHECK(ls_addr_is_loopback(&a));
	CHECK(!ls_addr_is_unspecified(&a));

	CHECK_OK(ls_addr_loopback(&a, LS_AF_INET6, 7));
	CHECK_OK(ls_addr_format(&a, buf, sizeof(buf)));
	CHECK_STR_EQ(buf, "[::1]:7");
	CHECK(ls_addr_is_loopback(&a));

	CHECK_OK(ls_addr_any(&a, LS_AF_INET, 8));
	CHECK_OK(ls_addr_format(&a, buf, sizeof(buf)));
	CHECK_STR_EQ(buf, "0.0.0.0:8");
	CHECK(ls_addr_is_unspecified(&a));
	CHECK(!ls_addr_is_loopback(&a));

	CHECK_OK(ls_addr_any(&a, LS_AF_INET6, 8));
	CHECK_OK(ls_addr_format(&a, buf, sizeof(buf)));
	CHECK_STR_EQ(buf, "[::]:8");
	CHECK(ls_addr_is_unspecified(&a));
}

static void loopback_and_any_bad_family(void)
{
	ls_addr a;

	CHECK_ERR(ls_addr_loopback(&a, LS_AF_UNIX, 0), LS_EAFNOSUPPORT);
	CHECK_ERR(ls_addr_loopback(&a, LS_AF_UNSPEC, 0), LS_EAFNOSUPPORT);
	CHECK_ERR(ls_addr_loopback(&a, 99, 0), LS_EAFNOSUPPORT);
	CHECK_ERR(ls_addr_any(&a, LS_AF_UNIX, 0), LS_EAFNOSUPPORT);
	CHECK_ERR(ls_addr_any(&a, LS_AF_UNSPEC, 0), LS_EAFNOSUPPORT);
	CHECK_ERR(ls_addr_any(&a, -1, 0), LS_EAFNOSUPPORT);
}

static void unix_constructor(void)
{
	ls_addr a;
	char buf[LS_ADDRSTRLEN];
	char path[LS_UNIX_PATH_MAX + 2];

	CHECK_OK(ls_addr_unix(&a, "/tmp/x.sock"));
	CHECK_EQ_INT(a.family, LS_AF_UNIX);
	CHECK_EQ_INT(a.path_len, strlen("/tmp/x.sock"));
	CHECK_STR_EQ(a.path, "/tmp/x.sock");
	CHECK_EQ_INT(ls_addr_port(&a), 0);
	CHECK_OK(ls_addr_format(&a, buf, sizeof(buf)));
	CHECK_STR_EQ(buf, "/tmp/x.sock");

	/* Exactly LS_UNIX_PATH_MAX bytes fit. */
	memset(path, 'p', LS_UNIX_PATH_MAX);
	path[0] = '/';
	path[LS_UNIX_PATH_MAX] = '\0';
	CHECK_OK(ls_addr_unix(&a, path));
	CHECK_EQ_INT(a.path_len, LS_UNIX_PATH_MAX);
	CHECK(memcmp(a.path, path, LS_UNIX_PATH_MAX + 1) == 0);
	CHECK_OK(ls_addr_format(&a, buf, sizeof(buf)));
	CHECK_STR_EQ(buf, path);
}

static void unix_constructor_too_long(void)
{
	ls_addr a;
	char path[LS_UNIX_PATH_MAX + 40];

	memset(path, 'q', sizeof(path));
	path[0] = '/';
	path[LS_UNIX_PATH_MAX + 1] = '\0'; /* one byte too many */
	CHECK_ERR(ls_addr_unix(&a, path), LS_ENAMETOOLONG);
	path[LS_UNIX_PATH_MAX + 1] = 'q';
	path[sizeof(path) - 1] = '\0';
	CHECK_ERR(ls_addr_unix(&a, path), LS_ENAMETOOLONG);
	CHECK_ERR(ls_addr_unix(&a, NULL), LS_EINVAL);
}

static void parse_ipv4(void)
{
	static const uint8_t ip[4] = { 1, 2, 3, 4 };
	ls_addr a;

	CHECK_OK(ls_addr_parse(&a, "1.2.3.4:80"));
	CHECK_EQ_INT(a.family, LS_AF_INET);
	CHECK_EQ_INT(a.port, 80);
	CHECK(memcmp(a.ip, ip, 4) == 0);
	round_trip("1.2.3.4:80", NULL);
	round_trip("255.255.255.255:1", NULL);
	round_trip("0.0.0.0:0", NULL);

	/* Port optional: 0 if absent. */
	CHECK_OK(ls_addr_parse(&a, "1.2.3.4"));
	CHECK_EQ_INT(a.family, LS_AF_INET);
	CHECK_EQ_INT(a.port, 0);
	CHECK(memcmp(a.ip, ip, 4) == 0);
}

static void parse_port_limits(void)
{
	char text[64];
	ls_addr a;

	snprintf(text, sizeof(text), "1.2.3.4:%u", (unsigned)UINT16_MAX);
	CHECK_OK(ls_addr_parse(&a, text));
	CHECK_EQ_INT(ls_addr_port(&a), UINT16_MAX);
	round_trip(text, NULL);
	snprintf(text, sizeof(text), "[::1]:%u", (unsigned)UINT16_MAX);
	CHECK_OK(ls_addr_parse(&a, text));
	CHECK_EQ_INT(ls_addr_port(&a), UINT16_MAX);

	/* Above UINT16_MAX: LS_ERANGE. */
	snprintf(text, sizeof(text), "1.2.3.4:%u", (unsigned)UINT16_MAX + 1u);
	CHECK_ERR(ls_addr_parse(&a, text), LS_ERANGE);
	snprintf(text, sizeof(text), "1.2.3.4:%u", (unsigned)UINT16_MAX * 1000u);
	CHECK_ERR(ls_addr_parse(&a, text), LS_ERANGE);
	snprintf(text, sizeof(text), "[::1]:%u", (unsigned)UINT16_MAX + 1u);
	CHECK_ERR(ls_addr_parse(&a, text), LS_ERANGE);
	snprintf(text, sizeof(text), "1.2.3.4:%u9", (unsigned)UINT16_MAX);
	CHECK_ERR(ls_addr_parse(&a, text), LS_ERANGE);
	/* Far beyond any integer type: still a range error, not an overflow. */
	CHECK_ERR(ls_addr_parse(&a, "1.2.3.4:99999999999999999999999999"), LS_ERANGE);
}

static void parse_ipv6(void)
{
	ls_addr a;
	static const uint8_t one[16] = { 0, 0, 0, 0, 0, 0, 0, 0,
		                         0, 0, 0, 0, 0, 0, 0, 1 };

	CHECK_OK(ls_addr_parse(&a, "[::1]:80"));
	CHECK_EQ_INT(a.family, LS_AF_INET6);
	CHECK_EQ_INT(a.port, 80);
	CHECK_EQ_INT(a.scope_id, 0);
	CHECK(memcmp(a.ip, one, 16) == 0);
	round_trip("[::1]:80", NULL);

	CHECK_OK(ls_addr_parse(&a, "::1"));
	CHECK_EQ_INT(a.family, LS_AF_INET6);
	CHECK_EQ_INT(a.port, 0);
	CHECK(memcmp(a.ip, one, 16) == 0);

	CHECK_OK(ls_addr_parse(&a, "[::1]"));
	CHECK_EQ_INT(a.family, LS_AF_INET6);
	CHECK_EQ_INT(a.port, 0);
	CHECK(memcmp(a.ip, one, 16) == 0);

	round_trip("[fd12:abc::1]:443", NULL);
	round_trip("[::]:1", NULL);
}

static void parse_ipv6_scope(void)
{
	ls_addr a;

	CHECK_OK(ls_addr_parse(&a, "[fe80::1%1]:80"));
	CHECK_EQ_INT(a.family, LS_AF_INET6);
	CHECK_EQ_INT(a.scope_id, 1);
	CHECK_EQ_INT(a.port, 80);
	CHECK_EQ_INT(a.ip[0], 0xfe);
	CHECK_EQ_INT(a.ip[1], 0x80);
	CHECK_EQ_INT(a.ip[15], 1);
	round_trip("[fe80::1%1]:80", NULL);
	round_trip("[fe80::abcd%7]:9", NULL);

	CHECK_OK(ls_addr_parse(&a, "fe80::2%3"));
	CHECK_EQ_INT(a.scope_id, 3);
	CHECK_EQ_INT(a.port, 0);

	/* An interface name that does not exist. */
	CHECK_ERR(ls_addr_parse(&a, "[fe80::1%no-such-if-x9]:80"), LS_EINVAL);
	CHECK_ERR(ls_addr_parse(&a, "[fe80::1%]:80"), LS_EINVAL);
}

static void parse_v4mapped(void)
{
	ls_addr a, v4;
	char buf[LS_ADDRSTRLEN];
	static const uint8_t ip[4] = { 1, 2, 3, 4 };

	CHECK_OK(ls_addr_parse(&a, "::ffff:1.2.3.4"));
	CHECK_EQ_INT(a.family, LS_AF_INET6);
	CHECK(ls_addr_is_v4mapped(&a));
	CHECK_OK(ls_addr_format_ip(&a, buf, sizeof(buf)));
	CHECK_STR_EQ(buf, "::ffff:1.2.3.4");

	CHECK_OK(ls_addr_parse(&a, "[::ffff:1.2.3.4]:99"));
	CHECK(ls_addr_is_v4mapped(&a));
	CHECK_OK(ls_addr_unmap_v4(&a, &v4));
	CHECK_EQ_INT(v4.family, LS_AF_INET);
	CHECK_EQ_INT(v4.port, 99);
	CHECK(memcmp(v4.ip, ip, 4) == 0);
	CHECK_OK(ls_addr_format(&v4, buf, sizeof(buf)));
	CHECK_STR_EQ(buf, "1.2.3.4:99");
	/* Written as hex, still mapped. */
	CHECK_OK(ls_addr_parse(&a, "::ffff:102:304"));
	CHECK(ls_addr_is_v4mapped(&a));

	/* Not mapped: ::1, the deprecated compatible form, plain IPv4. */
	CHECK_OK(ls_addr_parse(&a, "::1"));
	CHECK(!ls_addr_is_v4mapped(&a));
	CHECK_ERR(ls_addr_unmap_v4(&a, &v4), LS_EINVAL);
	CHECK_OK(ls_addr_parse(&a, "::1.2.3.4"));
	CHECK(!ls_addr_is_v4mapped(&a));
	CHECK_OK(ls_addr_parse(&a, "1.2.3.4"));
	CHECK(!ls_addr_is_v4mapped(&a));
	CHECK_ERR(ls_addr_unmap_v4(&a, &v4), LS_EINVAL);
	CHECK_OK(ls_addr_parse(&a, "::fffe:1.2.3.4"));
	CHECK(!ls_addr_is_v4mapped(&a));
}

static void format_rfc5952(void)
{
	ip_canonical("2001:0db8:0:0:0:0:0:1", "2001:db8::1");
	ip_canonical("2001:DB8::1", "2001:db8::1");
	ip_canonical("2001:db8:0000:0000:0000:0000:0000:0001", "2001:db8::1");
	ip_canonical("::", "::");
	ip_canonical("0:0:0:0:0:0:0:0", "::");
	ip_canonical("0:0:0:0:0:0:0:1", "::1");
	ip_canonical("1:0:0:0:0:0:0:0", "1::");
	/* A single zero field is not shortened. */
	ip_canonical("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1");
	/* The longest run is shortened; the first of equal runs. */
	ip_canonical("2001:0:0:1:0:0:0:1", "2001:0:0:1::1");
	ip_canonical("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1");
	ip_canonical("2001:db8:0:0:1:0:0:0", "2001:db8:0:0:1::");
	/* Leading zeros dropped, lower case. */
	ip_canonical("2001:0DB8:00AB:000C:0001:0:0:0", "2001:db8:ab:c:1::");
	ip_canonical("fe80:0000:0000:0000:0202:b3ff:fe1e:83ab",
	             "fe80::202:b3ff:fe1e:83ab");
	round_trip("[fd12:0abc:0:0:0:0:0:1]:80", "[fd12:abc::1]:80");
}

static void parse_unix(void)
{
	ls_addr a;
	char buf[LS_ADDRSTRLEN];

	CHECK_OK(ls_addr_parse(&a, "unix:/tmp/x.sock"));
	CHECK_EQ_INT(a.family, LS_AF_UNIX);
	CHECK_STR_EQ(a.path, "/tmp/x.sock");
	CHECK_EQ_INT(a.path_len, strlen("/tmp/x.sock"));
	CHECK_OK(ls_addr_format(&a, buf, sizeof(buf)));
	CHECK_STR_EQ(buf, "/tmp/x.sock");

	CHECK_OK(ls_addr_parse(&a, "/tmp/x.sock"));
	CHECK_EQ_INT(a.family, LS_AF_UNIX);
	CHECK_STR_EQ(a.path, "/tmp/x.sock");

	CHECK_OK(ls_addr_parse(&a, "./rel.sock"));
	CHECK_EQ_INT(a.family, LS_AF_UNIX);
	CHECK_STR_EQ(a.path, "./rel.sock");
}

static void parse_unix_too_long(void)
{
	char text[LS_UNIX_PATH_MAX + 16];
	ls_addr a;

	/* "unix:" + 104 bytes of path: one too many. */
	strcpy(text, "unix:/");
	memset(text + 6, 'z', LS_UNIX_PATH_MAX);
	text[5 + LS_UNIX_PATH_MAX + 1] = '\0';
	CHECK_EQ_INT(strlen(text + 5), LS_UNIX_PATH_MAX + 1);
	CHECK_ERR(ls_addr_parse(&a, text), LS_ENAMETOOLONG);
	CHECK_ERR(ls_addr_parse(&a, text + 5), LS_ENAMETOOLONG);
	/* Exactly the maximum is accepted, untruncated. */
	text[5 + LS_UNIX_PATH_MAX] = '\0';
	CHECK_OK(ls_addr_parse(&a, text));
	CHECK_EQ_INT(a.path_len, LS_UNIX_PATH_MAX);
	CHECK_STR_EQ(a.path, text + 5);
}

static void parse_bad(void)
{
	static const char *bad[] = {
		"", "1.2.3", "256.1.1.1", "1.2.3.4.5", "1.2.3.-4", "a.b.c.d",
		"0x7f.0.0.1", " 1.2.3.4", "1.2.3.4:", "1.2.3.4:x", "1.2.3.4:-1",
		"1.2.3.4:+80", "1.2.3.4:80x", "1.2.3.4::80", "[::1", "[::1]:",
		"[::1]x", "::1]", "[]", "[]:80", "[::1]:8x", ":::", "1::2::3",
		"abcde::1", "gggg::1", "[1.2.3.4]:80", "localhost", "localhost:80",
		"example.com:80", "[::1]:80:", "01.2.3.4", "1.02.3.4:80", ":1::2",
		"[:1::2]:80", "[1:]:80", "1:2:3:4:5:6:7::8", "[1:2:3:4:5:6:7::8]:80",
		"[fe80::1%4294967296]:80", "[fe80::1%]:80",
	};
	size_t i;
	ls_addr a;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int err = ls_addr_parse(&a, bad[i]);

		CHECK_MSG(err == LS_EINVAL, "ls_addr_parse(\"%s\") gave %s, want LS_EINVAL",
		          bad[i], ls_error_name(err));
	}
	CHECK_ERR(ls_addr_parse(&a, NULL), LS_EINVAL);
	CHECK_ERR(ls_addr_parse(NULL, "1.2.3.4"), LS_EINVAL);
}

static void parse_ambiguous_colons(void)
{
	ls_addr a;
	char buf[LS_ADDRSTRLEN];

	/*
	 * Brackets are needed with a port, so "::1:80" is the IPv6 address
	 * ::1:80 (fields 1 and 0x80) with no port.
	 */
	CHECK_OK(ls_addr_parse(&a, "::1:80"));
	CHECK_EQ_INT(a.family, LS_AF_INET6);
	CHECK_EQ_INT(a.port, 0);
	CHECK_EQ_INT(a.ip[13], 1);
	CHECK_EQ_INT(a.ip[14], 0);
	CHECK_EQ_INT(a.ip[15], 0x80);
	CHECK_OK(ls_addr_format_ip(&a, buf, sizeof(buf)));
	CHECK_STR_EQ(buf, "::1:80");
	CHECK_OK(ls_addr_parse(&a, "fd12:abc::1:443"));
	CHECK_EQ_INT(a.port, 0);
}

static void parse_ip_only(void)
{
	ls_addr a;

	CHECK_OK(ls_addr_parse_ip(&a, "1.2.3.4", LS_AF_INET));
	CHECK_EQ_INT(a.family, LS_AF_INET);
	CHECK_EQ_INT(a.port, 0);
	CHECK_OK(ls_addr_parse_ip(&a, "1.2.3.4", LS_AF_UNSPEC));
	CHECK_EQ_INT(a.family, LS_AF_INET);
	CHECK_OK(ls_addr_parse_ip(&a, "::1", LS_AF_INET6));
	CHECK_EQ_INT(a.family, LS_AF_INET6);
	CHECK_OK(ls_addr_parse_ip(&a, "::1", LS_AF_UNSPEC));
	CHECK_EQ_INT(a.family, LS_AF_INET6);
	CHECK_OK(ls_addr_parse_ip(&a, "fe80::1%5", LS_AF_INET6));
	CHECK_EQ_INT(a.scope_id, 5);

	/* Wrong family, ports, brackets, junk. */
	CHECK_ERR(ls_addr_parse_ip(&a, "::1", LS_AF_INET), LS_EINVAL);
	CHECK_ERR(ls_addr_parse_ip(&a, "1.2.3.4", LS_AF_INET6), LS_EINVAL);
	CHECK_ERR(ls_addr_parse_ip(&a, "1.2.3.4:80", LS_AF_UNSPEC), LS_EINVAL);
	CHECK_ERR(ls_addr_parse_ip(&a, "[::1]", LS_AF_UNSPEC), LS_EINVAL);
	CHECK_ERR(ls_addr_parse_ip(&a, "[::1]:80", LS_AF_INET6), LS_EINVAL);
	CHECK_ERR(ls_addr_parse_ip(&a, "", LS_AF_UNSPEC), LS_EINVAL);
	CHECK_ERR(ls_addr_parse_ip(&a, "/tmp/x", LS_AF_UNSPEC), LS_EINVAL);
	CHECK_ERR(ls_addr_parse_ip(&a, NULL, LS_AF_UNSPEC), LS_EINVAL);
}

static void format_too_small(void)
{
	ls_addr a;
	char buf[LS_ADDRSTRLEN];
	size_t need = strlen("1.2.3.4:80") + 1;

	CHECK_OK(ls_addr_parse(&a, "1.2.3.4:80"));
	memset(buf, 'x', sizeof(buf));
	CHECK_ERR(ls_addr_format(&a, buf, need - 1), LS_ENOSPC);
	CHECK_EQ_INT(buf[0], '\0');
	CHECK_ERR(ls_addr_format(&a, buf, 1), LS_ENOSPC);
	CHECK_EQ_INT(buf[0], '\0');
	CHECK_ERR(ls_addr_format(&a, buf, 0), LS_ENOSPC);
	CHECK_OK(ls_addr_format(&a, buf, need));
	CHECK_STR_EQ(buf, "1.2.3.4:80");

	CHECK_OK(ls_addr_parse(&a, "[fd12:abc::1]:80"));
	memset(buf, 'x', sizeof(buf));
	CHECK_ERR(ls_addr_format(&a, buf, strlen("[fd12:abc::1]:80")), LS_ENOSPC);
	CHECK_EQ_INT(buf[0], '\0');

	CHECK_OK(ls_addr_unix(&a, "/tmp/abc"));
	memset(buf, 'x', sizeof(buf));
	CHECK_ERR(ls_addr_format(&a, buf, strlen("/tmp/abc")), LS_ENOSPC);
	CHECK_EQ_INT(buf[0], '\0');

	CHECK_OK(ls_addr_parse(&a, "1.2.3.4"));
	memset(buf, 'x', sizeof(buf));
	CHECK_ERR(ls_addr_format_ip(&a, buf, strlen("1.2.3.4")), LS_ENOSPC);
	CHECK_OK(ls_addr_format_ip(&a, buf, strlen("1.2.3.4") + 1));
	CHECK_STR_EQ(buf, "1.2.3.4");
}

static void format_longest_fits(void)
{
	static const uint8_t ff[16] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		                        0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		                        0xff, 0xff, 0xff, 0xfe };
	ls_addr a;
	char buf[LS_ADDRSTRLEN];
	char expect[LS_ADDRSTRLEN];

	ls_addr_ipv6(&a, ff, UINT16_MAX, UINT32_MAX);
	snprintf(expect, sizeof(expect),
	         "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe%%%lu]:%u",
	         (unsigned long)UINT32_MAX, (unsigned)UINT16_MAX);
	CHECK_OK(ls_addr_format(&a, buf, sizeof(buf)));
	CHECK_STR_EQ(buf, expect);
	CHECK_OK(ls_addr_format_ip(&a, buf, LS_IPSTRLEN));
}

static void format_abstract(void)
{
	ls_addr a;
	char buf[LS_ADDRSTRLEN];

	memset(&a, 0, sizeof(a));
	a.family = LS_AF_UNIX;
	memcpy(a.path, "\0ab\0c", 5);
	a.path_len = 5;
	CHECK_OK(ls_addr_format(&a, buf, sizeof(buf)));
	CHECK_STR_EQ(buf, "@ab@c");
}

static void format_bad(void)
{
	ls_addr a;
	char buf[LS_ADDRSTRLEN];

	CHECK_OK(ls_addr_unix(&a, "/tmp/u"));
	CHECK(ls_addr_format_ip(&a, buf, sizeof(buf)) < 0);
	CHECK_OK(ls_addr_parse(&a, "1.2.3.4:5"));
	CHECK_ERR(ls_addr_format(NULL, buf, sizeof(buf)), LS_EINVAL);
	CHECK_ERR(ls_addr_format(&a, NULL, sizeof(buf)), LS_EINVAL);
	CHECK_ERR(ls_addr_format_ip(NULL, buf, sizeof(buf)), LS_EINVAL);
	CHECK_ERR(ls_addr_format_ip(&a, NULL, sizeof(buf)), LS_EINVAL);
	CHECK_ERR(ls_addr_format_ip(&a, buf, 0), LS_ENOSPC);
}

/* The forms at the edges of the IPv6 grammar that are valid. */
static void parse_ipv6_edges(void)
{
	static const struct {
		const char *in, *out;
	} ok[] = {
		{ "[1::]:80", "[1::]:80" },
		{ "[1:2:3:4:5:6:7::]:80", "[1:2:3:4:5:6:7:0]:80" },
		{ "[::2:3:4:5:6:7:8]:80", "[0:2:3:4:5:6:7:8]:80" },
		{ "[fe80::1%4294967295]:80", "[fe80::1%4294967295]:80" },
		{ "[::ffff:1.2.3.4]:80", "[::ffff:1.2.3.4]:80" },
		{ "[::1.2.3.4]:80", "[::102:304]:80" },
	};
	char buf[LS_ADDRSTRLEN];
	size_t i;
	ls_addr a;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		CHECK_OK(ls_addr_parse(&a, ok[i].in));
		CHECK_OK(ls_addr_format(&a, buf, sizeof(buf)));
		CHECK_STR_EQ(buf, ok[i].out);
	}
}

/* A small deterministic generator, so a failure can be replayed. */
static uint32_t prng(uint32_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 17;
	*state ^= *state << 5;
	return *state;
}

/*
 * Every IP address formats to text that parses back to the same address:
 * random IPv4 and IPv6 values whose 16-bit groups are often zero (so every
 * placement of the "::" run is met), with random ports and scopes.
 */
static void format_parse_roundtrip(void)
{
	uint32_t st = 0x5eed1234u;
	char buf[LS_ADDRSTRLEN];
	int i, g;

	for (i = 0; i < 200000; i++) {
		uint8_t ip[16];
		ls_addr a, b;

		for (g = 0; g < 8; g++) {
			uint32_t r = prng(&st);
			uint16_t w = (r & 3) == 0 ? (uint16_t)(r >> 16) : (r & 3) == 1 ? 0xffff : 0;

			if ((r & 12) == 0)
				w = (uint16_t)(r >> 20);
			ip[2 * g] = (uint8_t)(w >> 8);
			ip[2 * g + 1] = (uint8_t)w;
		}
		if (i & 1)
			ls_addr_ipv6(&a, ip, (uint16_t)prng(&st), (i & 2) ? prng(&st) : 0);
		else
			ls_addr_ipv4(&a, ip, (uint16_t)prng(&st));
		CHECK_OK(ls_addr_format(&a, buf, sizeof(buf)));
		CHECK_MSG(ls_addr_parse(&b, buf) == 0, "\"%s\" did not parse back", buf);
		CHECK_MSG(ls_addr_equal(&a, &b), "\"%s\" parsed to another address", buf);
		CHECK_OK(ls_addr_format_ip(&a, buf, sizeof(buf)));
		CHECK_OK(ls_addr_parse_ip(&b, buf, a.family));
		CHECK(memcmp(a.ip, b.ip, 16) == 0);
	}
}

/*
 * Random text made of address characters never crashes the parser, and
 * whatever it accepts formats to text it accepts again as the same address.
 */
static void parse_random_text(void)
{
	static const char alphabet[] = "0123456789abcdefABCDEF:.[]%/@ x-";
	uint32_t st = 0xc0ffee11u;
	char text[48], buf[LS_ADDRSTRLEN];
	int i, j, accepted = 0;

	for (i = 0; i < 300000; i++) {
		int len = (int)(prng(&st) % (sizeof(text) - 1));
		ls_addr a, b;

		for (j = 0; j < len; j++)
			text[j] = alphabet[prng(&st) % (sizeof(alphabet) - 1)];
		text[len] = '\0';
		if (ls_addr_parse(&a, text) != 0)
			continue;
		accepted++;
		CHECK_OK(ls_addr_format(&a, buf, sizeof(buf)));
		CHECK_MSG(ls_addr_parse(&b, buf) == 0 && ls_addr_equal(&a, &b),
		          "\"%s\" -> \"%s\" does not parse back the same", text, buf);
	}
	t_note("%d of 300000 random texts were addresses", accepted);
	CHECK_GT_INT(accepted, 0);
}

/* NULL where an address is built: an error, or nothing written. */
static void constructors_null(void)
{
	static const uint8_t ip[16] = { 1, 2, 3, 4 };
	ls_addr a, before;

	CHECK_ERR(ls_addr_loopback(NULL, LS_AF_INET, 80), LS_EINVAL);
	CHECK_ERR(ls_addr_any(NULL, LS_AF_INET6, 80), LS_EINVAL);
	ls_addr_ipv4(NULL, ip, 80); /* no crash */
	ls_addr_ipv6(NULL, ip, 80, 0);
	CHECK_OK(ls_addr_parse(&a, "9.9.9.9:9"));
	before = a;
	ls_addr_ipv4(&a, NULL, 80);
	ls_addr_ipv6(&a, NULL, 80, 0);
	CHECK(ls_addr_equal(&a, &before));
	/* Two zeroed (LS_AF_UNSPEC) addresses are equal; NULL equals nothing. */
	memset(&a, 0, sizeof(a));
	memset(&before, 0, sizeof(before));
	CHECK(ls_addr_equal(&a, &before));
	CHECK(!ls_addr_equal(&a, NULL));
	CHECK(!ls_addr_equal(NULL, NULL));
}

static void equal(void)
{
	ls_addr a, b;

	CHECK_OK(ls_addr_parse(&a, "1.2.3.4:80"));
	CHECK_OK(ls_addr_parse(&b, "1.2.3.4:80"));
	CHECK(ls_addr_equal(&a, &b));
	CHECK_OK(ls_addr_parse(&b, "1.2.3.4:81"));
	CHECK(!ls_addr_equal(&a, &b));
	CHECK_OK(ls_addr_parse(&b, "1.2.3.5:80"));
	CHECK(!ls_addr_equal(&a, &b));
	/* Mapped IPv6 is a different family. */
	CHECK_OK(ls_addr_parse(&b, "[::ffff:1.2.3.4]:80"));
	CHECK(!ls_addr_equal(&a, &b));

	CHECK_OK(ls_addr_parse(&a, "[fe80::1%1]:80"));
	CHECK_OK(ls_addr_parse(&b, "[fe80::1%1]:80"));
	CHECK(ls_addr_equal(&a, &b));
	CHECK_OK(ls_addr_parse(&b, "[fe80::1%2]:80"));
	CHECK(!ls_addr_equal(&a, &b));
	CHECK_OK(ls_addr_parse(&b, "[fe80::1]:80"));
	CHECK(!ls_addr_equal(&a, &b));

	CHECK_OK(ls_addr_unix(&a, "/tmp/a"));
	CHECK_OK(ls_addr_unix(&b, "/tmp/a"));
	CHECK(ls_addr_equal(&a, &b));
	CHECK_OK(ls_addr_unix(&b, "/tmp/b"));
	CHECK(!ls_addr_equal(&a, &b));
	CHECK_OK(ls_addr_unix(&b, "/tmp/a2"));
	CHECK(!ls_addr_equal(&a, &b));
}

static void port_and_set_port(void)
{
	ls_addr a;

	CHECK_OK(ls_addr_parse(&a, "1.2.3.4:80"));
	CHECK_EQ_INT(ls_addr_port(&a), 80);
	CHECK_OK(ls_addr_set_port(&a, 81));
	CHECK_EQ_INT(ls_addr_port(&a), 81);
	CHECK_EQ_INT(a.port, 81);

	CHECK_OK(ls_addr_parse(&a, "[::1]:80"));
	CHECK_OK(ls_addr_set_port(&a, UINT16_MAX));
	CHECK_EQ_INT(ls_addr_port(&a), UINT16_MAX);

	CHECK_OK(ls_addr_unix(&a, "/tmp/p"));
	CHECK_EQ_INT(ls_addr_port(&a), 0);
	CHECK_ERR(ls_addr_set_port(&a, 80), LS_EAFNOSUPPORT);
	CHECK_EQ_INT(ls_addr_port(NULL), 0);
}

static void predicates(void)
{
	ls_addr a;

	CHECK_OK(ls_addr_parse(&a, "127.0.0.1"));
	CHECK(ls_addr_is_loopback(&a));
	CHECK_OK(ls_addr_parse(&a, "127.255.255.254:9"));
	CHECK(ls_addr_is_loopback(&a));
	CHECK_OK(ls_addr_parse(&a, "128.0.0.1"));
	CHECK(!ls_addr_is_loopback(&a));
	CHECK_OK(ls_addr_parse(&a, "126.255.255.255"));
	CHECK(!ls_addr_is_loopback(&a));
	CHECK_OK(ls_addr_parse(&a, "::1"));
	CHECK(ls_addr_is_loopback(&a));
	CHECK(!ls_addr_is_unspecified(&a));
	CHECK_OK(ls_addr_parse(&a, "::2"));
	CHECK(!ls_addr_is_loopback(&a));

	CHECK_OK(ls_addr_parse(&a, "0.0.0.0"));
	CHECK(ls_addr_is_unspecified(&a));
	CHECK_OK(ls_addr_parse(&a, "::"));
	CHECK(ls_addr_is_unspecified(&a));
	CHECK(!ls_addr_is_loopback(&a));
	CHECK_OK(ls_addr_parse(&a, "0.0.0.1"));
	CHECK(!ls_addr_is_unspecified(&a));
	CHECK_OK(ls_addr_parse(&a, "1.2.3.4"));
	CHECK(!ls_addr_is_unspecified(&a));

	CHECK_OK(ls_addr_unix(&a, "/tmp/x"));
	CHECK(!ls_addr_is_loopback(&a));
	CHECK(!ls_addr_is_unspecified(&a));
	CHECK(!ls_addr_is_v4mapped(&a));
}

static const t_case cases[] = {
	TEST_CASE(ipv4_constructor),
	TEST_CASE(ipv6_constructor),
	TEST_CASE(loopback_and_any),
	TEST_CASE(loopback_and_any_bad_family),
	TEST_CASE(unix_constructor),
	TEST_CASE(unix_constructor_too_long),
	TEST_CASE(parse_ipv4),
	TEST_CASE(parse_port_limits),
	TEST_CASE(parse_ipv6),
	TEST_CASE(parse_ipv6_scope),
	TEST_CASE(parse_v4mapped),
	TEST_CASE(format_rfc5952),
	TEST_CASE(parse_unix),
	TEST_CASE(parse_unix_too_long),
	TEST_CASE(parse_bad),
	TEST_CASE(parse_ambiguous_colons),
	TEST_CASE(parse_ip_only),
	TEST_CASE(format_too_small),
	TEST_CASE(format_longest_fits),
	TEST_CASE(format_abstract),
	TEST_CASE(format_bad),
	TEST_CASE(parse_ipv6_edges),
	TEST_CASE(constructors_null),
	TEST_CASE(format_parse_roundtrip),
	TEST_CASE(parse_random_text),
	TEST_CASE(equal),
	TEST_CASE(port_and_set_port),
	TEST_CASE(predicates),
};

TEST_MAIN(cases)
