/*
 * test_multicast.c - multicast: argument checks, options, and datagrams
 * through groups on the loopback interface; on Linux also between two
 * hosts, two network namespaces joined by a veth pair that the test makes
 * (and removes) itself.
 *
 * The namespace cases run this same executable inside each namespace in a
 * helper role ("--mc-role recv|send ..."), which main() dispatches before
 * the test harness sees the arguments.
 */
#ifndef _WIN32
#define _POSIX_C_SOURCE 200809L /* popen, readlink, getpid */
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _WIN32
#include <windows.h>
#endif

#ifndef _WIN32
#include <unistd.h>
#endif
#ifdef __linux__
#include <sys/wait.h>
#endif

#include "helpers.h"
#include "test.h"

/* Groups for the loopback cases: administratively and interface scoped. */
#define T_GROUP4 "239.255.77.1"
#define T_GROUP6 "ff12::77:1"

/* How long a datagram that should not arrive is waited for. */
#define T_QUIET_MS 300

static ls_addr t_ip(const char *text)
{
	ls_addr a;

	CHECK_OK(ls_addr_parse_ip(&a, text, LS_AF_UNSPEC));
	return a;
}

/*
 * The loopback interface's index: the first interface whose name starts
 * with "lo" (Linux "lo", macOS and BSD "lo0", Windows "loopback_0", wine
 * "loopback_1"). 0 if there is none.
 */
static uint32_t t_loopback_index(void)
{
	const char *forced = getenv("LS_MC_IF");
	char name[LS_IF_NAMESIZE];
	uint32_t idx;

	/* Inside the namespace of t_need_lo6(): the interface made there. */
	if (forced != NULL)
		return ls_if_nametoindex(forced, &idx) == 0 ? idx : 0;
	for (idx = 1; idx <= 64; idx++)
		if (ls_if_indextoname(idx, name, sizeof(name)) == 0 && strncmp(name, "lo", 2) == 0)
			return idx;
	return 0;
}

/* Nonzero under wine, which the source-specific cases need to know. */
static int t_wine(void)
{
#ifdef _WIN32
	HMODULE ntdll = GetModuleHandleA("ntdll.dll");

	return ntdll != NULL && GetProcAddress(ntdll, "wine_get_version") != NULL;
#else
	return 0;
#endif
}

static uint32_t t_require_loopback(void)
{
	uint32_t idx = t_loopback_index();

	if (idx == 0)
		SKIP("no loopback interface (a name starting with \"lo\") among indexes 1-64");
	return idx;
}

/*
 * The groups the datagram cases use: one pair per process. The cases run
 * in parallel, and hosts whose stack does not filter by membership (wine
 * on Linux, which leaves IP_MULTICAST_ALL on) would otherwise hand one
 * case's datagrams to another's socket after it left the group.
 */
static const char *t_group(int family, int second)
{
	static char text[4][64];
	int i = (family == LS_AF_INET6) * 2 + (second != 0);
	unsigned long pid;

	if (text[i][0] == '\0') {
#ifdef _WIN32
		pid = (unsigned long)GetCurrentProcessId();
#else
		pid = (unsigned long)getpid();
#endif
		pid = (pid % 32000) * 2 + (unsigned long)(second != 0);
		if (family == LS_AF_INET)
			snprintf(text[i], sizeof(text[i]), "239.255.%lu.%lu", (pid >> 8) & 0xff,
			         pid & 0xff);
		else
			snprintf(text[i], sizeof(text[i]), "ff12::77:%lx", pid);
	}
	return text[i];
}

/* A UDP socket bound to the unspecified address, port 0 (read back). */
static ls_socket t_member(int family, ls_addr *bound)
{
	ls_socket s = LS_INVALID_SOCKET;
	ls_addr any;

	CHECK_OK(ls_socket_create(&s, family, LS_SOCK_DGRAM, 0));
	CHECK_OK(ls_addr_any(&any, family, 0));
	CHECK_OK(ls_bind(s, &any));
	CHECK_OK(ls_getsockname(s, bound));
	CHECK_NE_INT(ls_addr_port(bound), 0);
	return s;
}

/*
 * A sender whose multicast leaves through the loopback interface and stays
 * on this host (hops 0 would too, but 1 is what the loopback cases send
 * with, as a real application would).
 */
static ls_socket t_sender(int family, uint32_t lo, const char *bind_ip)
{
	ls_socket s = LS_INVALID_SOCKET;
	ls_addr a;

	CHECK_OK(ls_socket_create(&s, family, LS_SOCK_DGRAM, 0));
	if (bind_ip != NULL) {
		a = t_ip(bind_ip);
		CHECK_OK(ls_bind(s, &a));
	}
	CHECK_OK(ls_mcast_set_interface(s, lo));
	CHECK_OK(ls_mcast_set_hops(s, 1));
	return s;
}

static void t_send_group(ls_socket s, const char *group, uint16_t port, const char *text)
{
	ls_addr g = t_ip(group);

	ls_addr_set_port(&g, port);
	CHECK_EQ_INT(ls_sendto(s, text, strlen(text), 0, &g), (int64_t)strlen(text));
}

/* Receive one datagram within ms: its length, or LS_ETIMEDOUT. */
static int64_t t_recv(ls_socket s, char *buf, size_t size, int64_t ms, ls_addr *from)
{
	int64_t n;

	CHECK_OK(ls_set_timeout(s, ms));
	n = ls_recvfrom(s, buf, size - 1, 0, from);
	buf[n > 0 ? n : 0] = '\0';
	return n;
}

static void t_expect(ls_socket s, const char *text)
{
	char buf[64];
	ls_addr from;
	int64_t n = t_recv(s, buf, sizeof(buf), H_HANG_MS, &from);

	CHECK_OK(n);
	CHECK_STR_EQ(buf, text);
}

static void t_expect_none(ls_socket s)
{
	char buf[64];
	ls_addr from;

	CHECK_ERR(t_recv(s, buf, sizeof(buf), T_QUIET_MS, &from), LS_ETIMEDOUT);
}

/* --- Arguments ------------------------------------------------------------ */

static void if_names(void)
{
	uint32_t lo = t_require_loopback(), idx = 7;
	char name[LS_IF_NAMESIZE], small[2];

	CHECK_OK(ls_if_indextoname(lo, name, sizeof(name)));
	t_note("loopback interface: index %u, name \"%s\"", (unsigned)lo, name);
	CHECK_OK(ls_if_nametoindex(name, &idx));
	CHECK_EQ_INT(idx, lo);
	CHECK_ERR(ls_if_nametoindex("no-such-if0", &idx), LS_ENOENT);
	CHECK_EQ_INT(idx, 0);
	CHECK_ERR(ls_if_nametoindex("", &idx), LS_ENOENT);
	CHECK_ERR(ls_if_indextoname(0, name, sizeof(name)), LS_ENOENT);
	CHECK_ERR(ls_if_indextoname(0x7ffffff0u, name, sizeof(name)), LS_ENOENT);
	CHECK_STR_EQ(name, "");
	CHECK_ERR(ls_if_indextoname(lo, small, 1), LS_ENOSPC);
	CHECK_STR_EQ(small, "");
	CHECK_ERR(ls_if_indextoname(lo, NULL, 8), LS_EINVAL);
	CHECK_ERR(ls_if_nametoindex(NULL, &idx), LS_EINVAL);
	CHECK_ERR(ls_if_nametoindex("lo", NULL), LS_EINVAL);
}

/* Every call on a socket multicast does not apply to. */
static void t_all_refused(ls_socket s, int err)
{
	ls_addr g = t_ip(T_GROUP4);
	int v;

	CHECK_ERR(ls_mcast_join(s, &g, NULL, 0), err);
	CHECK_ERR(ls_mcast_leave(s, &g, NULL, 0), err);
	CHECK_ERR(ls_mcast_join_ifaddr(s, &g, NULL, NULL), err);
	CHECK_ERR(ls_mcast_leave_ifaddr(s, &g, NULL, NULL), err);
	CHECK_ERR(ls_mcast_set_hops(s, 1), err);
	CHECK_ERR(ls_mcast_get_hops(s, &v), err);
	CHECK_ERR(ls_mcast_set_loop(s, 1), err);
	CHECK_ERR(ls_mcast_get_loop(s, &v), err);
	CHECK_ERR(ls_mcast_set_interface(s, 0), err);
	CHECK_ERR(ls_mcast_set_interface_addr(s, NULL), err);
}

static void bad_socket(void)
{
	ls_socket tcp, udp;

	CHECK_OK(ls_socket_create(&tcp, LS_AF_INET, LS_SOCK_STREAM, 0));
	t_all_refused(tcp, LS_ENOPROTOOPT);
	CHECK_OK(ls_close(tcp));
	t_all_refused(tcp, LS_EBADF);
	t_all_refused(LS_INVALID_SOCKET, LS_EBADF);
	/* Only the handle is checked before the socket exists. */
	CHECK_OK(ls_socket_create(&udp, LS_AF_INET, LS_SOCK_DGRAM, 0));
	CHECK_ERR(ls_mcast_get_hops(udp, NULL), LS_EINVAL);
	CHECK_ERR(ls_mcast_get_loop(udp, NULL), LS_EINVAL);
	CHECK_OK(ls_close(udp));
}

static void bad_socket_unix(void)
{
	ls_socket s;
	int rc = ls_socket_create(&s, LS_AF_UNIX, LS_SOCK_DGRAM, 0);

	if (rc == LS_EAFNOSUPPORT || rc == LS_EPROTONOSUPPORT)
		SKIP("no Unix datagram sockets here (%s)", ls_error_name(rc));
	CHECK_OK(rc);
	t_all_refused(s, LS_ENOPROTOOPT);
	CHECK_OK(ls_close(s));
}

static void bad_groups(void)
{
	ls_socket s4, s6;
	ls_addr g4 = t_ip(T_GROUP4), g6 = t_ip(T_GROUP6);
	ls_addr uni4 = t_ip("10.1.2.3"), uni6 = t_ip("2001:db8::1");
	ls_addr mapped = t_ip("::ffff:239.255.77.1"), any4 = t_ip("0.0.0.0");

	CHECK_OK(ls_socket_create(&s4, LS_AF_INET, LS_SOCK_DGRAM, 0));
	CHECK_ERR(ls_mcast_join(s4, NULL, NULL, 0), LS_EINVAL);
	CHECK_ERR(ls_mcast_join(s4, &uni4, NULL, 0), LS_EINVAL);
	CHECK_ERR(ls_mcast_join(s4, &any4, NULL, 0), LS_EINVAL);
	CHECK_ERR(ls_mcast_leave(s4, &uni4, NULL, 0), LS_EINVAL);
	CHECK_ERR(ls_mcast_join(s4, &g6, NULL, 0), LS_EAFNOSUPPORT);
	CHECK_ERR(ls_mcast_join_ifaddr(s4, &uni4, NULL, NULL), LS_EINVAL);
	CHECK_ERR(ls_mcast_join_ifaddr(s4, &g4, NULL, &uni6), LS_EAFNOSUPPORT);
	CHECK_ERR(ls_mcast_set_interface_addr(s4, &uni6), LS_EAFNOSUPPORT);
	CHECK_OK(ls_close(s4));

	CHECK_OK(ls_socket_create(&s6, LS_AF_INET6, LS_SOCK_DGRAM, 0));
	CHECK_ERR(ls_mcast_join(s6, &uni6, NULL, 0), LS_EINVAL);
	CHECK_ERR(ls_mcast_join(s6, &g4, NULL, 0), LS_EAFNOSUPPORT);
	CHECK_ERR(ls_mcast_join(s6, &mapped, NULL, 0), LS_EAFNOSUPPORT);
	/* IPv6 names interfaces only by index. */
	CHECK_ERR(ls_mcast_join_ifaddr(s6, &g6, NULL, NULL), LS_EAFNOSUPPORT);
	CHECK_ERR(ls_mcast_set_interface_addr(s6, NULL), LS_EAFNOSUPPORT);
	CHECK_OK(ls_close(s6));
}

static void bad_sources(void)
{
	ls_socket s4, s6;
	ls_addr g4 = t_ip(T_GROUP4), g6 = t_ip(T_GROUP6);
	ls_addr any4 = t_ip("0.0.0.0"), any6 = t_ip("::"), src6 = t_ip("2001:db8::1");
	ls_addr mapped = t_ip("::ffff:10.0.0.1"), src4 = t_ip("10.0.0.1");

	CHECK_OK(ls_socket_create(&s4, LS_AF_INET, LS_SOCK_DGRAM, 0));
	CHECK_ERR(ls_mcast_join(s4, &g4, &g4, 0), LS_EINVAL);
	CHECK_ERR(ls_mcast_join(s4, &g4, &any4, 0), LS_EINVAL);
	CHECK_ERR(ls_mcast_join(s4, &g4, &src6, 0), LS_EAFNOSUPPORT);
	CHECK_ERR(ls_mcast_leave_ifaddr(s4, &g4, &g4, NULL), LS_EINVAL);
	CHECK_OK(ls_close(s4));
	CHECK_OK(ls_socket_create(&s6, LS_AF_INET6, LS_SOCK_DGRAM, 0));
	CHECK_ERR(ls_mcast_join(s6, &g6, &g6, 0), LS_EINVAL);
	CHECK_ERR(ls_mcast_join(s6, &g6, &any6, 0), LS_EINVAL);
	CHECK_ERR(ls_mcast_join(s6, &g6, &src4, 0), LS_EAFNOSUPPORT);
	CHECK_ERR(ls_mcast_join(s6, &g6, &mapped, 0), LS_EAFNOSUPPORT);
	CHECK_OK(ls_close(s6));
}

static void unknown_interface(void)
{
	ls_socket s4, s6;
	ls_addr g4 = t_ip(T_GROUP4), g6 = t_ip(T_GROUP6), nowhere = t_ip("192.0.2.199");

	CHECK_OK(ls_socket_create(&s4, LS_AF_INET, LS_SOCK_DGRAM, 0));
	CHECK_ERR(ls_mcast_join(s4, &g4, NULL, 0x7ffffff0u), LS_EADDRNOTAVAIL);
	CHECK_ERR(ls_mcast_join_ifaddr(s4, &g4, NULL, &nowhere), LS_EADDRNOTAVAIL);
	CHECK_OK(ls_close(s4));
	H_REQUIRE_IPV6();
	CHECK_OK(ls_socket_create(&s6, LS_AF_INET6, LS_SOCK_DGRAM, 0));
	CHECK_ERR(ls_mcast_join(s6, &g6, NULL, 0x7ffffff0u), LS_EADDRNOTAVAIL);
	CHECK_OK(ls_close(s6));
}

/* --- Options -------------------------------------------------------------- */

static void t_hops(int family)
{
	ls_socket s;
	int v = -1;

	CHECK_OK(ls_socket_create(&s, family, LS_SOCK_DGRAM, 0));
	CHECK_OK(ls_mcast_get_hops(s, &v));
	CHECK_EQ_INT(v, 1);
	CHECK_OK(ls_mcast_set_hops(s, 0));
	CHECK_OK(ls_mcast_get_hops(s, &v));
	CHECK_EQ_INT(v, 0);
	CHECK_OK(ls_mcast_set_hops(s, 255));
	CHECK_OK(ls_mcast_get_hops(s, &v));
	CHECK_EQ_INT(v, 255);
	CHECK_OK(ls_mcast_set_hops(s, 32));
	CHECK_OK(ls_mcast_get_hops(s, &v));
	CHECK_EQ_INT(v, 32);
	CHECK_ERR(ls_mcast_set_hops(s, -1), LS_EINVAL);
	CHECK_ERR(ls_mcast_set_hops(s, 256), LS_EINVAL);
	CHECK_OK(ls_mcast_get_hops(s, &v));
	CHECK_EQ_INT(v, 32);
	CHECK_OK(ls_close(s));
}

static void hops_v4(void)
{
	t_hops(LS_AF_INET);
}

static void hops_v6(void)
{
	H_REQUIRE_IPV6();
	t_hops(LS_AF_INET6);
}

static void t_loop_opt(int family)
{
	ls_socket s;
	int v = -1;

	CHECK_OK(ls_socket_create(&s, family, LS_SOCK_DGRAM, 0));
	CHECK_OK(ls_mcast_get_loop(s, &v));
	CHECK_EQ_INT(v, 1);
	CHECK_OK(ls_mcast_set_loop(s, 0));
	CHECK_OK(ls_mcast_get_loop(s, &v));
	CHECK_EQ_INT(v, 0);
	CHECK_OK(ls_mcast_set_loop(s, 5));
	CHECK_OK(ls_mcast_get_loop(s, &v));
	CHECK_EQ_INT(v, 1);
	CHECK_OK(ls_close(s));
}

static void loop_option_v4(void)
{
	t_loop_opt(LS_AF_INET);
}

static void loop_option_v6(void)
{
	H_REQUIRE_IPV6();
	t_loop_opt(LS_AF_INET6);
}

/* --- Datagrams on the loopback interface ---------------------------------- */



/*
 * Join on the loopback interface, or skip saying why when the OS cannot
 * (an IPv6 loopback without multicast, for instance).
 */
static void t_join_or_skip(ls_socket s, const ls_addr *g, const ls_addr *src, uint32_t lo)
{
	int rc = ls_mcast_join(s, g, src, lo);

	if (rc == LS_ENOTSUP)
		SKIP("source-specific multicast is not available for this family here");
	if (rc != 0 && g->family == LS_AF_INET6)
		SKIP("cannot join an IPv6 group on the loopback interface: %s (native %d)",
		     ls_error_name(rc), ls_native_error());
	CHECK_OK(rc);
}

/*
 * Linux gives the loopback interface no MULTICAST flag and no IPv6
 * multicast route, so IPv6 multicast cannot be sent through it
 * (ENETUNREACH; IPv4 works regardless), and even with both added nothing
 * arrives. The IPv6 "loopback" cases then run again in a network
 * namespace of their own, on a veth interface whose datagrams loop back
 * to the members on the host (IPV6_MULTICAST_LOOP), which is what they
 * test. Returns 1 when the case has passed there, 0 to run it here.
 */
static const char *t_case_name;

static int t_need_lo6(uint32_t lo)
{
	ls_socket s;
	ls_addr g = t_ip(t_group(LS_AF_INET6, 0));
	int64_t rc;

	CHECK_OK(ls_socket_create(&s, LS_AF_INET6, LS_SOCK_DGRAM, 0));
	CHECK_OK(ls_mcast_set_interface(s, lo));
	ls_addr_set_port(&g, 9);
	rc = ls_sendto(s, "probe", 5, 0, &g);
	CHECK_OK(ls_close(s));
	if (rc >= 0)
		return 0;
#ifdef __linux__
	if (getenv("LS_MC_NETNS") == NULL) {
		char self[512], cmd[1200];
		ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		int st;

		CHECK_GT_INT(n, 0);
		self[n] = '\0';
		snprintf(cmd, sizeof(cmd),
		         "unshare -n sh -c 'ip link add mc0 type veth peer name mc1 && "
		         "ip -6 addr add fd78::1/64 dev mc0 nodad && ip link set mc1 up && "
		         "ip link set mc0 up && ip link set lo up && "
		         "LS_MC_NETNS=1 LS_MC_IF=mc0 exec \"$0\" \"$1\"' '%s' '%s'",
		         self, t_case_name);
		t_note("lo cannot send IPv6 multicast (%s): running the case again in a "
		       "network namespace of its own", ls_error_name((int)rc));
		st = system(cmd);
		if (st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0)
			return 1;
		if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != T_SKIP_CODE)
			CHECK_MSG(0, "the case in its own namespace failed (status %d)", st);
	}
#endif
	SKIP("the loopback interface cannot send IPv6 multicast: %s (native %d), and no "
	     "network namespace could be made (unshare -n)",
	     ls_error_name((int)rc), ls_native_error());
	return 0;
}

static void t_send_receive(int family)
{
	uint32_t lo = t_require_loopback();
	ls_addr bound, g = t_ip(t_group(family, 0)), other = t_ip(t_group(family, 1));
	ls_socket r = t_member(family, &bound), s;

	t_join_or_skip(r, &g, NULL, lo);
	s = t_sender(family, lo, NULL);
	t_send_group(s, t_group(family, 0), ls_addr_port(&bound), "to the group");
	t_expect(r, "to the group");
	/* A group it did not join does not reach it, on the same port. */
	t_send_group(s, t_group(family, 1), ls_addr_port(&bound), "elsewhere");
	t_expect_none(r);
	(void)other;
	CHECK_OK(ls_close(s));
	CHECK_OK(ls_close(r));
}

static void send_receive_v4(void)
{
	t_send_receive(LS_AF_INET);
}

static void send_receive_v6(void)
{
	H_REQUIRE_IPV6();
	t_case_name = "send_receive_v6";
	if (t_need_lo6(t_require_loopback()))
		return;
	t_send_receive(LS_AF_INET6);
}

/* IPv4 names the interface by address too: join and send through 127.0.0.1. */
static void send_receive_ifaddr(void)
{
	ls_addr bound, g = t_ip(t_group(LS_AF_INET, 0)), lo4 = t_ip("127.0.0.1");
	ls_socket r = t_member(LS_AF_INET, &bound), s;

	CHECK_OK(ls_mcast_join_ifaddr(r, &g, NULL, &lo4));
	CHECK_ERR(ls_mcast_join_ifaddr(r, &g, NULL, &lo4), LS_EADDRINUSE);
	CHECK_OK(ls_socket_create(&s, LS_AF_INET, LS_SOCK_DGRAM, 0));
	CHECK_OK(ls_mcast_set_interface_addr(s, &lo4));
	t_send_group(s, t_group(LS_AF_INET, 0), ls_addr_port(&bound), "by address");
	t_expect(r, "by address");
	CHECK_OK(ls_mcast_leave_ifaddr(r, &g, NULL, &lo4));
	CHECK_ERR(ls_mcast_leave_ifaddr(r, &g, NULL, &lo4), LS_EADDRNOTAVAIL);
	t_send_group(s, t_group(LS_AF_INET, 0), ls_addr_port(&bound), "after leaving");
	t_expect_none(r);
	/* Back to the OS's choice of interface. */
	CHECK_OK(ls_mcast_set_interface_addr(s, NULL));
	CHECK_OK(ls_close(s));
	CHECK_OK(ls_close(r));
}

static void t_join_leave(int family)
{
	uint32_t lo = t_require_loopback();
	ls_addr bound, g = t_ip(t_group(family, 0));
	ls_socket r = t_member(family, &bound), s;

	CHECK_ERR(ls_mcast_leave(r, &g, NULL, lo), LS_EADDRNOTAVAIL);
	t_join_or_skip(r, &g, NULL, lo);
	CHECK_ERR(ls_mcast_join(r, &g, NULL, lo), LS_EADDRINUSE);
	s = t_sender(family, lo, NULL);
	t_send_group(s, t_group(family, 0), ls_addr_port(&bound), "member");
	t_expect(r, "member");
	CHECK_OK(ls_mcast_leave(r, &g, NULL, lo));
	CHECK_ERR(ls_mcast_leave(r, &g, NULL, lo), LS_EADDRNOTAVAIL);
	t_send_group(s, t_group(family, 0), ls_addr_port(&bound), "left");
	t_expect_none(r);
	/* And again: a leave really ended the membership. */
	CHECK_OK(ls_mcast_join(r, &g, NULL, lo));
	t_send_group(s, t_group(family, 0), ls_addr_port(&bound), "back");
	t_expect(r, "back");
	CHECK_OK(ls_close(s));
	CHECK_OK(ls_close(r));
}

static void join_leave_v4(void)
{
	t_join_leave(LS_AF_INET);
}

static void join_leave_v6(void)
{
	H_REQUIRE_IPV6();
	t_case_name = "join_leave_v6";
	if (t_need_lo6(t_require_loopback()))
		return;
	t_join_leave(LS_AF_INET6);
}

/*
 * The first datagram a source-specific member gets must be text, not the
 * other source's. wine 8 does not filter by source at all (the member gets
 * both), so there the case skips saying so.
 */
static void t_expect_ssm(ls_socket r, const char *text, const char *other)
{
	char buf[64];
	ls_addr from;

	CHECK_OK(t_recv(r, buf, sizeof(buf), H_HANG_MS, &from));
	if (t_wine() && strcmp(buf, other) == 0)
		SKIP("wine does not filter source-specific memberships by source "
		     "(a datagram from the other source arrived)");
	CHECK_STR_EQ(buf, text);
}

/*
 * Source-specific: two senders on the loopback network (127.0.0.1 and
 * 127.0.0.2), a member that asked only for the first.
 */
static void ssm_v4(void)
{
	uint32_t lo = t_require_loopback();
	ls_addr bound, g = t_ip(t_group(LS_AF_INET, 0)), src = t_ip("127.0.0.1"), other = t_ip("127.0.0.2");
	ls_socket r = t_member(LS_AF_INET, &bound), s1, s2;

	t_join_or_skip(r, &g, &src, lo);
	CHECK_ERR(ls_mcast_join(r, &g, &src, lo), LS_EADDRINUSE);
	s1 = t_sender(LS_AF_INET, lo, "127.0.0.1");
	s2 = t_sender(LS_AF_INET, lo, "127.0.0.2");
	t_send_group(s2, t_group(LS_AF_INET, 0), ls_addr_port(&bound), "other source");
	t_send_group(s1, t_group(LS_AF_INET, 0), ls_addr_port(&bound), "chosen source");
	t_expect_ssm(r, "chosen source", "other source");
	t_expect_none(r);
	/* A second source joins in; leaving the first keeps the second. */
	CHECK_OK(ls_mcast_join(r, &g, &other, lo));
	CHECK_OK(ls_mcast_leave(r, &g, &src, lo));
	CHECK_ERR(ls_mcast_leave(r, &g, &src, lo), LS_EADDRNOTAVAIL);
	t_send_group(s1, t_group(LS_AF_INET, 0), ls_addr_port(&bound), "first again");
	t_send_group(s2, t_group(LS_AF_INET, 0), ls_addr_port(&bound), "second");
	t_expect(r, "second");
	t_expect_none(r);
	CHECK_OK(ls_close(s1));
	CHECK_OK(ls_close(s2));
	CHECK_OK(ls_close(r));
}

/* The same through the IPv4 interface address. */
static void ssm_v4_ifaddr(void)
{
	ls_addr bound, g = t_ip(t_group(LS_AF_INET, 0)), src = t_ip("127.0.0.1"), lo4 = t_ip("127.0.0.1");
	ls_socket r = t_member(LS_AF_INET, &bound), s1, s2;
	int rc = ls_mcast_join_ifaddr(r, &g, &src, &lo4);

	if (rc == LS_ENOTSUP)
		SKIP("no IPv4 source-specific multicast here");
	CHECK_OK(rc);
	CHECK_OK(ls_socket_create(&s1, LS_AF_INET, LS_SOCK_DGRAM, 0));
	CHECK_OK(ls_socket_create(&s2, LS_AF_INET, LS_SOCK_DGRAM, 0));
	CHECK_OK(ls_mcast_set_interface_addr(s1, &lo4));
	CHECK_OK(ls_mcast_set_interface_addr(s2, &lo4));
	src = t_ip("127.0.0.2");
	CHECK_OK(ls_bind(s2, &src));
	src = t_ip("127.0.0.1");
	CHECK_OK(ls_bind(s1, &src));
	t_send_group(s2, t_group(LS_AF_INET, 0), ls_addr_port(&bound), "not this one");
	t_send_group(s1, t_group(LS_AF_INET, 0), ls_addr_port(&bound), "this one");
	t_expect_ssm(r, "this one", "not this one");
	t_expect_none(r);
	CHECK_OK(ls_mcast_leave_ifaddr(r, &g, &src, &lo4));
	CHECK_OK(ls_close(s1));
	CHECK_OK(ls_close(s2));
	CHECK_OK(ls_close(r));
}

/* --- Two hosts: network namespaces (Linux) -------------------------------- */

#define T_ROLE_WAIT_MS 5000

/*
 * Receiver role: join group on interface ifname (source "-" for any),
 * print the port, then count datagrams "good" and "bad" until 1 s after
 * the first "good" (or 5 s) and print the counts.
 */
static int t_role_recv(int family, const char *ifname, const char *group, const char *source)
{
	ls_addr bound, g, src;
	uint32_t idx;
	ls_socket r;
	char buf[64];
	int good = 0, bad = 0, rc;
	int64_t n, deadline_ms = T_ROLE_WAIT_MS;

	if (ls_if_nametoindex(ifname, &idx) != 0 || ls_addr_parse_ip(&g, group, family) != 0)
		return 2;
	if (ls_socket_create(&r, family, LS_SOCK_DGRAM, 0) != 0 ||
	    ls_addr_any(&bound, family, 0) != 0 || ls_bind(r, &bound) != 0 ||
	    ls_getsockname(r, &bound) != 0)
		return 3;
	if (strcmp(source, "-") != 0 && ls_addr_parse_ip(&src, source, family) != 0)
		return 2;
	rc = ls_mcast_join(r, &g, strcmp(source, "-") != 0 ? &src : NULL, idx);
	if (rc != 0) {
		printf("join %s\n", ls_error_name(rc));
		return 4;
	}
	printf("port %u\n", (unsigned)ls_addr_port(&bound));
	fflush(stdout);
	for (;;) {
		ls_set_timeout(r, deadline_ms);
		n = ls_recv(r, buf, sizeof(buf) - 1, 0);
		if (n < 0)
			break;
		buf[n] = '\0';
		if (strcmp(buf, "good") == 0 && good++ == 0)
			deadline_ms = 1000;
		else if (strcmp(buf, "bad") == 0)
			bad++;
	}
	printf("good %d bad %d\n", good, bad);
	return 0;
}

/*
 * The loopback rule on host A, with loopback on or off (loop): a member
 * ("me", bound to the group's port) sends to the group itself; another
 * member on the same host ("local") listens too. Prints what each got.
 */
static int t_role_loop(int family, uint32_t idx, const ls_addr *g, int loop)
{
	ls_socket me, local;
	ls_addr any;
	char buf[64];
	int self_n = 0, local_n = 0, i;

	ls_addr_any(&any, family, ls_addr_port(g));
	if (ls_socket_create(&me, family, LS_SOCK_DGRAM, 0) != 0 ||
	    ls_socket_create(&local, family, LS_SOCK_DGRAM, 0) != 0 ||
	    ls_setopt(me, LS_OPT_REUSEADDR, 1) != 0 || ls_setopt(local, LS_OPT_REUSEADDR, 1) != 0 ||
	    ls_bind(me, &any) != 0 || ls_bind(local, &any) != 0 ||
	    ls_mcast_join(me, g, NULL, idx) != 0 || ls_mcast_join(local, g, NULL, idx) != 0 ||
	    ls_mcast_set_interface(me, idx) != 0 || ls_mcast_set_loop(me, loop) != 0)
		return 5;
	for (i = 0; i < 3; i++)
		if (ls_sendto(me, "self", 4, 0, g) < 0)
			return 4;
	ls_set_timeout(me, T_QUIET_MS);
	ls_set_timeout(local, T_QUIET_MS);
	while (ls_recv(me, buf, sizeof(buf), 0) > 0)
		self_n++;
	while (ls_recv(local, buf, sizeof(buf), 0) > 0)
		local_n++;
	printf("self %d local %d\n", self_n, local_n);
	return 0;
}

/*
 * Sender role: through interface ifname with the given hops and loopback
 * off, send "bad" from bad_ip then "good" from good_ip to group:port, 20
 * times; then, unless loop is "-", check the loopback rule on this host.
 */
static int t_role_send(int family, char **arg)
{
	const char *ifname = arg[0], *group = arg[1], *port = arg[2], *loop = arg[5];
	const char *ip[2] = {arg[4], arg[3]}, *text[2] = {"bad", "good"};
	ls_socket s[2];
	ls_addr g, a;
	uint32_t idx;
	int i, round;

	if (ls_if_nametoindex(ifname, &idx) != 0 || ls_addr_parse_ip(&g, group, family) != 0)
		return 2;
	ls_addr_set_port(&g, (uint16_t)atoi(port));
	for (i = 0; i < 2; i++) {
		if (ls_socket_create(&s[i], family, LS_SOCK_DGRAM, 0) != 0 ||
		    ls_addr_parse_ip(&a, ip[i], family) != 0 || ls_bind(s[i], &a) != 0 ||
		    ls_mcast_set_interface(s[i], idx) != 0 || ls_mcast_set_loop(s[i], 0) != 0)
			return 3;
	}
	for (round = 0; round < 20; round++) {
		for (i = 0; i < 2; i++)
			if (ls_sendto(s[i], text[i], strlen(text[i]), 0, &g) < 0)
				return 4;
		ls_poll(NULL, 0, 50); /* a pause between rounds */
	}
	if (strcmp(loop, "-") == 0)
		return 0;
	return t_role_loop(family, idx, &g, atoi(loop));
}

static int t_role_main(int argc, char **argv)
{
	int family;

	if (argc < 6)
		return 2;
	family = strcmp(argv[3], "6") == 0 ? LS_AF_INET6 : LS_AF_INET;
	if (strcmp(argv[2], "recv") == 0)
		return t_role_recv(family, argv[4], argv[5], argc > 6 ? argv[6] : "-");
	if (strcmp(argv[2], "send") == 0 && argc == 10)
		return t_role_send(family, argv + 4);
	return 2;
}

#ifdef __linux__
/*
 * Two hosts, A (10.77.0.1 and .3, fd77::1 and ::3) and B (10.77.0.2,
 * fd77::2), on a veth pair "mc0". Names are unique per process; whatever
 * was made is removed again, also when a check fails (t_netns_down runs
 * before the case's checks).
 */
typedef struct t_netns {
	char a[32], b[32];
	int made;
} t_netns;

/* Run a shell command with $A and $B set to the two namespaces' names. */
static int t_sh(const t_netns *ns, const char *script)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd), "A=%s; B=%s; %s", ns->a, ns->b, script);
	return system(cmd);
}

static void t_netns_down(t_netns *ns)
{
	if (ns->made)
		t_sh(ns, "ip netns del $A 2>/dev/null; ip netns del $B 2>/dev/null");
	ns->made = 0;
}

/* Set up both hosts, or say why not (the case then skips). */
static int t_netns_up(t_netns *ns, char *why, size_t size)
{
	static const char setup[] =
	    "set -e; ip netns add $A; ip netns add $B; "
	    "ip -n $A link add mc0 type veth peer name mc0 netns $B; "
	    "ip -n $A addr add 10.77.0.1/24 dev mc0; ip -n $A addr add 10.77.0.3/24 dev mc0; "
	    "ip -n $B addr add 10.77.0.2/24 dev mc0; "
	    "ip -n $A -6 addr add fd77::1/64 dev mc0 nodad; "
	    "ip -n $A -6 addr add fd77::3/64 dev mc0 nodad; "
	    "ip -n $B -6 addr add fd77::2/64 dev mc0 nodad; "
	    "for n in $A $B; do ip -n $n link set mc0 up; ip -n $n link set lo up; done; "
	    /*
	     * IPv6 is usable only once the link-local addresses have passed
	     * duplicate address detection, which takes a second or more on a
	     * busy machine: wait (5 s at most) until no address is tentative.
	     */
	    "for i in $(seq 50); do "
	    "[ -z \"$(ip -n $A -6 addr show dev mc0 tentative; ip -n $B -6 addr show dev mc0 "
	    "tentative)\" ] && break; sleep 0.1; done";
	int rc;

	snprintf(ns->a, sizeof(ns->a), "lsmc%ld-a", (long)getpid());
	snprintf(ns->b, sizeof(ns->b), "lsmc%ld-b", (long)getpid());
	if (system("ip -V >/dev/null 2>&1") != 0) {
		snprintf(why, size, "the ip command (iproute2) is not installed");
		return -1;
	}
	ns->made = 1;
	rc = t_sh(ns, setup);
	if (rc != 0) {
		t_netns_down(ns);
		snprintf(why, size,
		         "cannot make network namespaces and a veth pair (needs root and "
		         "CAP_SYS_ADMIN; setup exited %d)", rc);
		return -1;
	}
	return 0;
}

/* The path of this executable, to run it inside the namespaces. */
static void t_self(char *buf, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", buf, size - 1);

	CHECK_GT_INT(n, 0);
	buf[n] = '\0';
}

/* What the two hosts saw: B from each of A's sources, A's loopback members. */
typedef struct t_seen {
	int good, bad, self, local;
} t_seen;

/*
 * Run a receiver in B and a sender in A. Returns 0, 1 if the receiver's
 * join was LS_ENOTSUP, or -1 (the caller takes the namespaces down, then
 * fails or skips the case).
 */
static int t_two_hosts(t_netns *ns, int v6, const char *group, const char *source,
                       const char *loop, t_seen *seen)
{
	char self[512], cmd[1400], line[128] = "";
	unsigned port = 0;
	FILE *recv, *send;
	int rc = -1;

	t_self(self, sizeof(self));
	snprintf(cmd, sizeof(cmd), "ip netns exec %s %s --mc-role recv %s mc0 %s %s", ns->b, self,
	         v6 ? "6" : "4", group, source);
	recv = popen(cmd, "r");
	if (recv == NULL)
		return -1;
	if (fgets(line, sizeof(line), recv) == NULL || sscanf(line, "port %u", &port) != 1) {
		t_note("receiver said: %s", line);
		pclose(recv);
		return strncmp(line, "join LS_ENOTSUP", 15) == 0 ? 1 : -1;
	}
	snprintf(cmd, sizeof(cmd), "ip netns exec %s %s --mc-role send %s mc0 %s %u %s %s %s",
	         ns->a, self, v6 ? "6" : "4", group, port, v6 ? "fd77::1" : "10.77.0.1",
	         v6 ? "fd77::3" : "10.77.0.3", loop);
	send = popen(cmd, "r");
	if (send != NULL) {
		if (strcmp(loop, "-") == 0 ||
		    (fgets(line, sizeof(line), send) != NULL &&
		     sscanf(line, "self %d local %d", &seen->self, &seen->local) == 2))
			rc = 0;
		if (pclose(send) != 0)
			rc = -1;
	}
	if (rc == 0 && (fgets(line, sizeof(line), recv) == NULL ||
	                sscanf(line, "good %d bad %d", &seen->good, &seen->bad) != 2))
		rc = -1;
	pclose(recv);
	return rc;
}

static void t_netns_run(int v6, const char *group, const char *source, const char *loop,
                        t_seen *seen)
{
	t_netns ns;
	char why[256];
	int rc;

	memset(&ns, 0, sizeof(ns));
	memset(seen, 0, sizeof(*seen));
	if (t_netns_up(&ns, why, sizeof(why)) != 0)
		SKIP("%s", why);
	rc = t_two_hosts(&ns, v6, group, source, loop, seen);
	t_netns_down(&ns);
	if (rc == 1)
		SKIP("this build has no source-specific multicast for the family "
		     "(no MCAST_JOIN_SOURCE_GROUP: LS_ENOTSUP)");
	CHECK_EQ_INT(rc, 0);
	t_note("host B received %d from the source it asked for, %d from the other", seen->good,
	       seen->bad);
}

static void t_netns_case(int v6, const char *group, const char *source, int want_bad)
{
	t_seen seen;

	t_netns_run(v6, group, source, "-", &seen);
	CHECK_GT_INT(seen.good, 0);
	CHECK_EQ_INT(seen.bad > 0, want_bad);
}

/*
 * Loopback off: neither the sending member nor another member on host A
 * gets the datagrams (POSIX: the sender's setting decides), host B does.
 * On: both members on A get them.
 */
static void t_netns_loop(int v6, int loop)
{
	t_seen seen;

	t_netns_run(v6, v6 ? "ff15::77:1" : "239.77.0.1", "-", loop ? "1" : "0", &seen);
	t_note("loopback %s on host A: the sender got %d, another member %d", loop ? "on" : "off",
	       seen.self, seen.local);
	CHECK_GT_INT(seen.good, 0);
	CHECK_EQ_INT(seen.self > 0, loop);
	CHECK_EQ_INT(seen.local > 0, loop);
}
#endif

#ifdef __linux__
#define T_NETNS_CASE(v6, group, source, bad) t_netns_case(v6, group, source, bad)
#define T_NETNS_LOOP(v6, loop) t_netns_loop(v6, loop)
#else
#define T_NETNS_CASE(v6, group, source, bad) SKIP("network namespaces exist only on Linux")
#define T_NETNS_LOOP(v6, loop) SKIP("network namespaces exist only on Linux")
#endif

/* Any-source: both of host A's addresses reach host B. */
static void netns_any_source_v4(void)
{
	T_NETNS_CASE(0, "239.77.0.1", "-", 1);
}

static void netns_any_source_v6(void)
{
	T_NETNS_CASE(1, "ff15::77:1", "-", 1);
}

/* Source-specific: only the joined one of A's addresses reaches B. */
static void netns_ssm_v4(void)
{
	T_NETNS_CASE(0, "232.77.0.1", "10.77.0.1", 0);
}

static void netns_ssm_v6(void)
{
	T_NETNS_CASE(1, "ff35::8000:1", "fd77::1", 0);
}

static void netns_loop_off_v4(void)
{
	T_NETNS_LOOP(0, 0);
}

static void netns_loop_on_v4(void)
{
	T_NETNS_LOOP(0, 1);
}

static void netns_loop_off_v6(void)
{
	T_NETNS_LOOP(1, 0);
}

static void netns_loop_on_v6(void)
{
	T_NETNS_LOOP(1, 1);
}

static const t_case cases[] = {
    TEST_CASE(if_names),
    TEST_CASE(bad_socket),
    TEST_CASE(bad_socket_unix),
    TEST_CASE(bad_groups),
    TEST_CASE(bad_sources),
    TEST_CASE(unknown_interface),
    TEST_CASE(hops_v4),
    TEST_CASE(hops_v6),
    TEST_CASE(loop_option_v4),
    TEST_CASE(loop_option_v6),
    TEST_CASE(send_receive_v4),
    TEST_CASE(send_receive_v6),
    TEST_CASE(send_receive_ifaddr),
    TEST_CASE(join_leave_v4),
    TEST_CASE(join_leave_v6),
    TEST_CASE(ssm_v4),
    TEST_CASE(ssm_v4_ifaddr),
    TEST_CASE(netns_any_source_v4),
    TEST_CASE(netns_any_source_v6),
    TEST_CASE(netns_ssm_v4),
    TEST_CASE(netns_ssm_v6),
    TEST_CASE(netns_loop_off_v4),
    TEST_CASE(netns_loop_on_v4),
    TEST_CASE(netns_loop_off_v6),
    TEST_CASE(netns_loop_on_v6),
};

int main(int argc, char **argv)
{
	if (argc > 2 && strcmp(argv[1], "--mc-role") == 0)
		return t_role_main(argc, argv);
	return t_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
