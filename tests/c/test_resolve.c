/* test_resolve.c - getaddrinfo, getnameinfo, gethostname, connect_name (loopback only). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

static int has_addr(const ls_addrinfo *ai, const char *ip, uint16_t port)
{
	ls_addr want;

	if (ls_addr_parse_ip(&want, ip, LS_AF_UNSPEC) != 0)
		return 0;
	want.port = port;
	for (; ai != NULL; ai = ai->next)
		if (ls_addr_equal(&ai->addr, &want))
			return 1;
	return 0;
}

/* Every entry is consistent: family matches the address, port as asked. */
#define T_MAX_ENTRIES 100

static void check_list(const ls_addrinfo *ai, uint16_t port, int type)
{
	int n = 0;

	CHECK(ai != NULL);
	for (; ai != NULL && n < T_MAX_ENTRIES; ai = ai->next, n++) {
		CHECK(ai->family == LS_AF_INET || ai->family == LS_AF_INET6);
		CHECK_EQ_INT(ai->addr.family, ai->family);
		CHECK_EQ_INT(ls_addr_port(&ai->addr), port);
		if (type != 0)
			CHECK_EQ_INT(ai->type, type);
		else
			CHECK(ai->type == LS_SOCK_STREAM || ai->type == LS_SOCK_DGRAM);
	}
	CHECK_LT_INT(n, T_MAX_ENTRIES);
}

static void localhost(void)
{
	ls_addrinfo_hints h = { LS_AF_UNSPEC, LS_SOCK_STREAM, 0, 0 };
	ls_addrinfo *ai = NULL;

	CHECK_OK(ls_getaddrinfo("localhost", "80", &h, &ai));
	check_list(ai, 80, LS_SOCK_STREAM);
	CHECK(has_addr(ai, "127.0.0.1", 80) || has_addr(ai, "::1", 80));
	ls_freeaddrinfo(ai);
}

static void hints_null(void)
{
	ls_addrinfo *ai = NULL;

	CHECK_OK(ls_getaddrinfo("127.0.0.1", "80", NULL, &ai));
	check_list(ai, 80, 0);
	CHECK(has_addr(ai, "127.0.0.1", 80));
	ls_freeaddrinfo(ai);
}

static void numeric_hosts(void)
{
	ls_addrinfo_hints h = { LS_AF_UNSPEC, LS_SOCK_DGRAM, 0, LS_AI_NUMERICHOST };
	ls_addrinfo *ai = NULL;

	CHECK_OK(ls_getaddrinfo("127.0.0.1", "53", &h, &ai));
	check_list(ai, 53, LS_SOCK_DGRAM);
	CHECK_EQ_INT(ai->family, LS_AF_INET);
	CHECK(has_addr(ai, "127.0.0.1", 53));
	CHECK(ai->next == NULL);
	ls_freeaddrinfo(ai);
	ai = NULL;
	CHECK_OK(ls_getaddrinfo("::1", "53", &h, &ai));
	check_list(ai, 53, LS_SOCK_DGRAM);
	CHECK_EQ_INT(ai->family, LS_AF_INET6);
	CHECK(has_addr(ai, "::1", 53));
	ls_freeaddrinfo(ai);
}

static void numerichost_rejects_name(void)
{
	ls_addrinfo_hints h = { LS_AF_UNSPEC, LS_SOCK_STREAM, 0, LS_AI_NUMERICHOST };
	ls_addrinfo *ai = NULL;
	int err = ls_getaddrinfo("localhost", "80", &h, &ai);

	CHECK_MSG(err < 0 && ls_error_is_resolver(err),
	          "NUMERICHOST \"localhost\" gave %s", ls_error_name(err));
	CHECK(ai == NULL);
}

static void family_filter(void)
{
	ls_addrinfo_hints h = { LS_AF_INET, LS_SOCK_STREAM, 0, 0 };
	ls_addrinfo *ai = NULL, *p;
	int err;

	CHECK_OK(ls_getaddrinfo("localhost", "80", &h, &ai));
	for (p = ai; p != NULL; p = p->next)
		CHECK_EQ_INT(p->family, LS_AF_INET);
	CHECK(has_addr(ai, "127.0.0.1", 80));
	ls_freeaddrinfo(ai);
	/* An IPv4 literal asked as IPv6 (no V4MAPPED): a resolver error. */
	h.family = LS_AF_INET6;
	h.flags = LS_AI_NUMERICHOST;
	ai = NULL;
	err = ls_getaddrinfo("127.0.0.1", "80", &h, &ai);
	CHECK_MSG(err < 0 && ls_error_is_resolver(err),
	          "IPv4 literal as IPv6 gave %s", ls_error_name(err));
}

static void passive_and_null_host(void)
{
	ls_addrinfo_hints h = { LS_AF_INET, LS_SOCK_STREAM, 0, LS_AI_PASSIVE };
	ls_addrinfo *ai = NULL;

	CHECK_OK(ls_getaddrinfo(NULL, "8", &h, &ai));
	check_list(ai, 8, LS_SOCK_STREAM);
	CHECK(ls_addr_is_unspecified(&ai->addr));
	ls_freeaddrinfo(ai);
	/* Without PASSIVE, a NULL host is the loopback address. */
	h.flags = 0;
	ai = NULL;
	CHECK_OK(ls_getaddrinfo(NULL, "8", &h, &ai));
	check_list(ai, 8, LS_SOCK_STREAM);
	CHECK(ls_addr_is_loopback(&ai->addr));
	ls_freeaddrinfo(ai);
	/* NULL service: port 0. */
	ai = NULL;
	h.flags = LS_AI_NUMERICHOST;
	CHECK_OK(ls_getaddrinfo("127.0.0.1", NULL, &h, &ai));
	check_list(ai, 0, LS_SOCK_STREAM);
	ls_freeaddrinfo(ai);
}

/* Does the system's service database list http as 80/tcp? */
static int services_has_http(void)
{
	char path[512];
	const char *root = getenv("SystemRoot");
	char line[256];
	FILE *f;
	int found = 0;

#ifdef _WIN32
	if (root == NULL)
		root = "C:\\windows";
	snprintf(path, sizeof(path), "%s\\system32\\drivers\\etc\\services", root);
#else
	(void)root;
	snprintf(path, sizeof(path), "/etc/services");
#endif
	f = fopen(path, "r");
	if (f == NULL)
		return 0;
	while (!found && fgets(line, sizeof(line), f) != NULL)
		found = strncmp(line, "http", 4) == 0 && (line[4] == ' ' || line[4] == '\t') &&
		        strstr(line, " 80/tcp") != NULL;
	if (!found) {
		/* Tabs between the columns are common too. */
		rewind(f);
		while (!found && fgets(line, sizeof(line), f) != NULL)
			found = strncmp(line, "http", 4) == 0 &&
			        (line[4] == ' ' || line[4] == '\t') &&
			        strstr(line, "80/tcp") != NULL;
	}
	fclose(f);
	return found;
}

static void service_name(void)
{
	ls_addrinfo_hints h = { LS_AF_INET, LS_SOCK_STREAM, 0, LS_AI_NUMERICHOST };
	ls_addrinfo *ai = NULL;
	int err;

	if (!services_has_http())
		SKIP("the system's services database has no \"http 80/tcp\" entry");
	CHECK_OK(ls_getaddrinfo("127.0.0.1", "http", &h, &ai));
	check_list(ai, 80, LS_SOCK_STREAM);
	ls_freeaddrinfo(ai);
	/* NUMERICSERV refuses a name. */
	h.flags |= LS_AI_NUMERICSERV;
	ai = NULL;
	err = ls_getaddrinfo("127.0.0.1", "http", &h, &ai);
	CHECK_MSG(err < 0 && ls_error_is_resolver(err),
	          "NUMERICSERV \"http\" gave %s", ls_error_name(err));
}

static void bad_port_range(void)
{
	ls_addrinfo_hints h = { LS_AF_INET, LS_SOCK_STREAM, 0, LS_AI_NUMERICHOST };
	ls_addrinfo *ai = NULL;
	char svc[32];

	snprintf(svc, sizeof(svc), "%u", (unsigned)UINT16_MAX + 1u);
	CHECK_ERR(ls_getaddrinfo("127.0.0.1", svc, &h, &ai), LS_ERANGE);
	CHECK_ERR(ls_getaddrinfo("127.0.0.1", "4294967377", &h, &ai), LS_ERANGE);
	CHECK(ai == NULL);
	/* The maximum itself is fine. */
	snprintf(svc, sizeof(svc), "%u", (unsigned)UINT16_MAX);
	CHECK_OK(ls_getaddrinfo("127.0.0.1", svc, &h, &ai));
	check_list(ai, UINT16_MAX, LS_SOCK_STREAM);
	ls_freeaddrinfo(ai);
}

static void bad_args(void)
{
	ls_addrinfo_hints h = { LS_AF_UNSPEC, 0, 0, 0 };
	ls_addrinfo *ai = NULL;

	CHECK_ERR(ls_getaddrinfo(NULL, NULL, &h, &ai), LS_EINVAL);
	CHECK_ERR(ls_getaddrinfo(NULL, NULL, NULL, &ai), LS_EINVAL);
	CHECK_ERR(ls_getaddrinfo("127.0.0.1", "80", &h, NULL), LS_EINVAL);
	CHECK(ai == NULL);
	h.family = 99;
	CHECK(ls_getaddrinfo("127.0.0.1", "80", &h, &ai) < 0);
	h.family = LS_AF_UNSPEC;
	h.type = 99;
	CHECK(ls_getaddrinfo("127.0.0.1", "80", &h, &ai) < 0);
	h.type = 0;
	h.flags = 0x4000; /* not an LS_AI_* flag */
	CHECK_ERR(ls_getaddrinfo("127.0.0.1", "80", &h, &ai), LS_EAI_BADFLAGS);
	h.flags = 0;
	h.protocol = -1;
	CHECK_ERR(ls_getaddrinfo("127.0.0.1", "80", &h, &ai), LS_EINVAL);
	CHECK(ai == NULL);
	/* Freeing NULL is allowed. */
	ls_freeaddrinfo(NULL);
}

static void canonname(void)
{
	ls_addrinfo_hints h = { LS_AF_INET, LS_SOCK_STREAM, 0, LS_AI_CANONNAME };
	ls_addrinfo *ai = NULL;

	CHECK_OK(ls_getaddrinfo("localhost", "80", &h, &ai));
	CHECK(ai != NULL);
	CHECK(ai->canonname != NULL && ai->canonname[0] != '\0');
	ls_freeaddrinfo(ai);
	h.flags = 0;
	ai = NULL;
	CHECK_OK(ls_getaddrinfo("localhost", "80", &h, &ai));
	CHECK(ai->canonname == NULL);
	ls_freeaddrinfo(ai);
}

static void nameinfo_numeric(void)
{
	ls_addr a;
	char host[LS_NI_MAXHOST], serv[LS_NI_MAXSERV];
	int f = LS_NI_NUMERICHOST | LS_NI_NUMERICSERV;

	CHECK_OK(ls_addr_parse(&a, "127.0.0.1:80"));
	CHECK_OK(ls_getnameinfo(&a, host, sizeof(host), serv, sizeof(serv), f));
	CHECK_STR_EQ(host, "127.0.0.1");
	CHECK_STR_EQ(serv, "80");
	CHECK_OK(ls_addr_parse(&a, "[::1]:443"));
	CHECK_OK(ls_getnameinfo(&a, host, sizeof(host), serv, sizeof(serv), f));
	CHECK_STR_EQ(host, "::1");
	CHECK_STR_EQ(serv, "443");
	/* Either output may be left out. */
	memset(serv, 0, sizeof(serv));
	CHECK_OK(ls_getnameinfo(&a, NULL, 0, serv, sizeof(serv), f));
	CHECK_STR_EQ(serv, "443");
	memset(host, 0, sizeof(host));
	CHECK_OK(ls_getnameinfo(&a, host, sizeof(host), NULL, 0, f));
	CHECK_STR_EQ(host, "::1");
}

static void nameinfo_small_buffers(void)
{
	ls_addr a;
	char host[4], serv[2];
	char bhost[LS_NI_MAXHOST], bserv[LS_NI_MAXSERV];
	int f = LS_NI_NUMERICHOST | LS_NI_NUMERICSERV;

	CHECK_OK(ls_addr_parse(&a, "127.0.0.1:80"));
	CHECK_ERR(ls_getnameinfo(&a, host, sizeof(host), bserv, sizeof(bserv), f), LS_ENOSPC);
	CHECK_ERR(ls_getnameinfo(&a, bhost, sizeof(bhost), serv, sizeof(serv), f), LS_ENOSPC);
	CHECK_ERR(ls_getnameinfo(NULL, bhost, sizeof(bhost), NULL, 0, f), LS_EINVAL);
	/* A buffer that cannot even hold the NUL. */
	CHECK_ERR(ls_getnameinfo(&a, bhost, 0, bserv, sizeof(bserv), f), LS_ENOSPC);
	CHECK_ERR(ls_getnameinfo(&a, bhost, sizeof(bhost), bserv, 0, f), LS_ENOSPC);
	/* Neither buffer, or a NULL buffer with a size. */
	CHECK_ERR(ls_getnameinfo(&a, NULL, 0, NULL, 0, f), LS_EINVAL);
	CHECK_ERR(ls_getnameinfo(&a, NULL, 8, bserv, sizeof(bserv), f), LS_EINVAL);
	/* Flags libsock does not know. */
	CHECK_ERR(ls_getnameinfo(&a, bhost, sizeof(bhost), NULL, 0, f | 0x4000),
	          LS_EAI_BADFLAGS);
}

static void nameinfo_not_ip(void)
{
	ls_addr a;
	char host[LS_NI_MAXHOST];

	CHECK_OK(ls_addr_unix(&a, "/tmp/nameinfo"));
	CHECK(ls_getnameinfo(&a, host, sizeof(host), NULL, 0, LS_NI_NUMERICHOST) < 0);
}

static void hostname(void)
{
	char name[256];
	char one[1];

	memset(name, 0, sizeof(name));
	CHECK_OK(ls_gethostname(name, sizeof(name)));
	CHECK(name[0] != '\0');
	CHECK(strlen(name) < sizeof(name));
	CHECK_ERR(ls_gethostname(one, sizeof(one)), LS_ENOSPC);
	CHECK_ERR(ls_gethostname(one, 0), LS_ENOSPC);
	CHECK_ERR(ls_gethostname(NULL, sizeof(name)), LS_EINVAL);
	/* Exactly enough room for the name and its NUL. */
	{
		char *exact = malloc(strlen(name) + 1);

		CHECK(exact != NULL);
		CHECK_OK(ls_gethostname(exact, strlen(name) + 1));
		CHECK_STR_EQ(exact, name);
		CHECK_ERR(ls_gethostname(exact, strlen(name)), LS_ENOSPC);
		free(exact);
	}
}

static void port_text(const ls_addr *a, char *buf, size_t size)
{
	snprintf(buf, size, "%u", (unsigned)ls_addr_port(a));
}

static void connect_name_ok(void)
{
	ls_addr la;
	ls_socket l = h_listener(LS_AF_INET, &la), c, s;
	char svc[16];
	int64_t tmo = 0;

	port_text(&la, svc, sizeof(svc));
	CHECK_OK(ls_connect_name(&c, "localhost", svc, LS_AF_UNSPEC, LS_SOCK_STREAM, H_HANG_MS));
	CHECK_OK(ls_get_timeout(c, &tmo));
	CHECK_EQ_INT(tmo, H_HANG_MS);
	CHECK_OK(ls_set_timeout(l, H_HANG_MS));
	CHECK_OK(ls_accept(l, &s, NULL));
	h_send_str(c, "named");
	h_expect_str(s, "named");
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));

	/* Numeric host, a fixed family, no time limit. */
	CHECK_OK(ls_connect_name(&c, "127.0.0.1", svc, LS_AF_INET, LS_SOCK_STREAM,
	                         LS_TIMEOUT_BLOCK));
	CHECK_OK(ls_get_timeout(c, &tmo));
	CHECK_EQ_INT(tmo, LS_TIMEOUT_BLOCK);
	CHECK_OK(ls_accept(l, &s, NULL));
	h_send_str(s, "back");
	h_expect_str(c, "back");
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
	CHECK_OK(ls_close(l));
}

static void connect_name_udp(void)
{
	ls_addr ua;
	ls_socket u = h_udp(LS_AF_INET, &ua), c;
	char svc[16], buf[8];

	port_text(&ua, svc, sizeof(svc));
	CHECK_OK(ls_set_timeout(u, H_HANG_MS));
	CHECK_OK(ls_connect_name(&c, "127.0.0.1", svc, LS_AF_INET, LS_SOCK_DGRAM, H_HANG_MS));
	CHECK_EQ_INT(ls_send(c, "dg", 2, 0), 2);
	CHECK_EQ_INT(ls_recv(u, buf, sizeof(buf), 0), 2);
	CHECK(memcmp(buf, "dg", 2) == 0);
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(u));
}

static void connect_name_refused(void)
{
	ls_addr a = h_closed_port(LS_AF_INET);
	ls_socket c = LS_INVALID_SOCKET;
	char svc[16];
	int64_t t0;

	port_text(&a, svc, sizeof(svc));
	t0 = t_now_ms();
	/* Windows takes ~2 s per refused address; localhost may have two. */
	CHECK_ERR(ls_connect_name(&c, "localhost", svc, LS_AF_UNSPEC, LS_SOCK_STREAM,
	                          2 * H_HANG_MS),
	          LS_ECONNREFUSED);
	CHECK_LT_INT(t_now_ms() - t0, 2 * H_HANG_MS);
	CHECK_ERR(ls_connect_name(&c, "127.0.0.1", svc, LS_AF_INET, LS_SOCK_STREAM,
	                          H_HANG_MS),
	          LS_ECONNREFUSED);
}

static void connect_name_bad(void)
{
	ls_socket c;
	char svc[32];

	snprintf(svc, sizeof(svc), "%u", (unsigned)UINT16_MAX + 1u);
	CHECK_ERR(ls_connect_name(&c, "127.0.0.1", svc, LS_AF_INET, LS_SOCK_STREAM,
	                          H_HANG_MS), LS_ERANGE);
	CHECK_ERR(ls_connect_name(NULL, "127.0.0.1", "80", LS_AF_INET, LS_SOCK_STREAM,
	                          H_HANG_MS), LS_EINVAL);
	c = 42;
	CHECK_ERR(ls_connect_name(&c, NULL, "80", LS_AF_INET, LS_SOCK_STREAM, H_HANG_MS),
	          LS_EINVAL);
	CHECK(c == LS_INVALID_SOCKET);
	CHECK_ERR(ls_connect_name(&c, "127.0.0.1", NULL, LS_AF_INET, LS_SOCK_STREAM, H_HANG_MS),
	          LS_EINVAL);
	/* A connect by name needs time to try addresses: non-blocking is refused. */
	CHECK_ERR(ls_connect_name(&c, "127.0.0.1", "80", LS_AF_INET, LS_SOCK_STREAM,
	                          LS_TIMEOUT_NONBLOCK), LS_EINVAL);
	CHECK_ERR(ls_connect_name(&c, "127.0.0.1", "80", LS_AF_INET, LS_SOCK_STREAM, -2),
	          LS_EINVAL);
}

static const t_case cases[] = {
	TEST_CASE(localhost),
	TEST_CASE(hints_null),
	TEST_CASE(numeric_hosts),
	TEST_CASE(numerichost_rejects_name),
	TEST_CASE(family_filter),
	TEST_CASE(passive_and_null_host),
	TEST_CASE(service_name),
	TEST_CASE(bad_port_range),
	TEST_CASE(bad_args),
	TEST_CASE(canonname),
	TEST_CASE(nameinfo_numeric),
	TEST_CASE(nameinfo_small_buffers),
	TEST_CASE(nameinfo_not_ip),
	TEST_CASE(hostname),
	TEST_CASE(connect_name_ok),
	TEST_CASE(connect_name_udp),
	TEST_CASE(connect_name_refused),
	TEST_CASE(connect_name_bad),
};

TEST_MAIN(cases)
