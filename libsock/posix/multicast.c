/*
 * multicast.c (POSIX) - group membership, multicast options and interface
 * names.
 *
 * Memberships use the protocol-independent RFC 3678 calls
 * (MCAST_JOIN_GROUP and friends, an interface by index, one code path for
 * IPv4 and IPv6) where the OS has them. Without them the older per-family
 * calls do the job: IP_ADD_MEMBERSHIP (whose interface is an IPv4 address,
 * or an index in Linux's ip_mreqn), IP_ADD_SOURCE_MEMBERSHIP, and POSIX's
 * IPV6_JOIN_GROUP, which has no source-specific form.
 */
#include "lsi_posix.h"
#include "lsi_sys.h"

#include <string.h>

#if HAVE_GETIFADDRS
#include <ifaddrs.h>
#endif

/*
 * POSIX spells the IPv6 membership options IPV6_JOIN_GROUP and
 * IPV6_LEAVE_GROUP; older Linux headers have only the RFC 2133 names.
 */
#ifndef IPV6_JOIN_GROUP
#define IPV6_JOIN_GROUP IPV6_ADD_MEMBERSHIP
#endif
#ifndef IPV6_LEAVE_GROUP
#define IPV6_LEAVE_GROUP IPV6_DROP_MEMBERSHIP
#endif

/*
 * Report the failed call. Linux says ENODEV when the interface does not
 * exist or no route names one for the group: error.c reports that as
 * LS_EADDRNOTAVAIL, an interface that is not available, as the BSDs and
 * Windows say.
 */
static int mcast_fail(void)
{
	return lsi_posix_fail();
}

static int mcast_setsockopt(int fd, int level, int name, const void *val, size_t len)
{
	if (lsi_sys_setsockopt(fd, level, name, val, (lsi_socklen)len) < 0)
		return mcast_fail();
	return 0;
}

static int ip_level(int family)
{
	return family == LS_AF_INET ? IPPROTO_IP : IPPROTO_IPV6;
}

static struct in_addr in4_of(const ls_addr *a)
{
	struct in_addr in;

	memcpy(&in.s_addr, a->ip, 4);
	return in;
}

/*
 * The first IPv4 address of interface ifindex (0: INADDR_ANY, the OS's
 * choice), for the calls that name an IPv4 interface only by address:
 * needed where neither RFC 3678 nor an index form of IP_MULTICAST_IF
 * exists.
 */
#define LSI_NEED_IF_IN4 (!HAVE_MCAST_JOIN_GROUP || (!HAVE_IP_MREQN && !HAVE_IP_MULTICAST_IFINDEX))

#if LSI_NEED_IF_IN4 && HAVE_GETIFADDRS
static int ifindex_to_in4(uint32_t ifindex, struct in_addr *out)
{
	struct ifaddrs *list, *a;
	int rc = LS_EADDRNOTAVAIL;

	out->s_addr = htonl(INADDR_ANY);
	if (ifindex == 0)
		return 0;
	if (getifaddrs(&list) < 0)
		return lsi_posix_fail();
	for (a = list; a != NULL; a = a->ifa_next) {
		if (a->ifa_addr == NULL || a->ifa_addr->sa_family != AF_INET ||
		    if_nametoindex(a->ifa_name) != ifindex)
			continue;
		*out = ((const struct sockaddr_in *)(const void *)a->ifa_addr)->sin_addr;
		rc = 0;
		break;
	}
	freeifaddrs(list);
	if (rc != 0)
		lsi_set_native_error(0);
	return rc;
}
#elif LSI_NEED_IF_IN4
static int ifindex_to_in4(uint32_t ifindex, struct in_addr *out)
{
	out->s_addr = htonl(INADDR_ANY);
	return ifindex == 0 ? 0 : LS_ENOTSUP;
}
#endif

/* IPv4 with the interface as an address: ip_mreq, or ip_mreq_source. */
static int join_in4(int fd, const lsi_mcast_req *req, struct in_addr ifaddr, int join)
{
	struct ip_mreq m;

	if (req->source != NULL) {
#if HAVE_IP_ADD_SOURCE_MEMBERSHIP
		struct ip_mreq_source ms;

		memset(&ms, 0, sizeof(ms));
		ms.imr_multiaddr = in4_of(req->group);
		ms.imr_sourceaddr = in4_of(req->source);
		ms.imr_interface = ifaddr;
		return mcast_setsockopt(fd, IPPROTO_IP,
		                        join ? IP_ADD_SOURCE_MEMBERSHIP : IP_DROP_SOURCE_MEMBERSHIP,
		                        &ms, sizeof(ms));
#else
		return LS_ENOTSUP;
#endif
	}
	memset(&m, 0, sizeof(m));
	m.imr_multiaddr = in4_of(req->group);
	m.imr_interface = ifaddr;
	return mcast_setsockopt(fd, IPPROTO_IP, join ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP, &m,
	                        sizeof(m));
}

#if HAVE_MCAST_JOIN_GROUP
/* The RFC 3678 calls: one path for both families, interface by index. */
static int join_index(int fd, const lsi_mcast_req *req, int join)
{
	struct group_source_req gs;
	struct group_req g;
	int rc;

	if (req->source == NULL) {
		memset(&g, 0, sizeof(g));
		g.gr_interface = req->ifindex;
		rc = lsi_addr_to_storage(req->group, &g.gr_group);
		if (rc != 0)
			return rc;
		return mcast_setsockopt(fd, ip_level(req->family),
		                        join ? MCAST_JOIN_GROUP : MCAST_LEAVE_GROUP, &g, sizeof(g));
	}
	memset(&gs, 0, sizeof(gs));
	gs.gsr_interface = req->ifindex;
	rc = lsi_addr_to_storage(req->group, &gs.gsr_group);
	if (rc == 0)
		rc = lsi_addr_to_storage(req->source, &gs.gsr_source);
	if (rc != 0)
		return rc;
	return mcast_setsockopt(fd, ip_level(req->family),
	                        join ? MCAST_JOIN_SOURCE_GROUP : MCAST_LEAVE_SOURCE_GROUP, &gs,
	                        sizeof(gs));
}
#else
/* IPv6 without RFC 3678: any-source only, interface by index. */
static int join_in6(int fd, const lsi_mcast_req *req, int join)
{
	struct ipv6_mreq m;

	if (req->source != NULL)
		return LS_ENOTSUP;
	memset(&m, 0, sizeof(m));
	memcpy(m.ipv6mr_multiaddr.s6_addr, req->group->ip, 16);
	m.ipv6mr_interface = req->ifindex;
	return mcast_setsockopt(fd, IPPROTO_IPV6, join ? IPV6_JOIN_GROUP : IPV6_LEAVE_GROUP, &m,
	                        sizeof(m));
}

/*
 * IPv4 without RFC 3678, interface by index: Linux's ip_mreqn takes the
 * index for any-source joins; otherwise the index becomes an address.
 */
static int join_index(int fd, const lsi_mcast_req *req, int join)
{
	struct in_addr ifaddr;
	int rc;

	if (req->family == LS_AF_INET6)
		return join_in6(fd, req, join);
#if HAVE_IP_MREQN
	if (req->source == NULL) {
		struct ip_mreqn m;

		memset(&m, 0, sizeof(m));
		m.imr_multiaddr = in4_of(req->group);
		m.imr_ifindex = (int)req->ifindex;
		return mcast_setsockopt(fd, IPPROTO_IP,
		                        join ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP, &m, sizeof(m));
	}
#endif
	rc = ifindex_to_in4(req->ifindex, &ifaddr);
	if (rc != 0)
		return rc;
	return join_in4(fd, req, ifaddr, join);
}
#endif

/*
 * Linux hands a group's datagrams to every socket bound to their port as
 * soon as any socket on the host has joined the group, whether this one
 * did or not (IP_MULTICAST_ALL, on by default); elsewhere a socket gets
 * only the groups it joined. Switching it off before a join makes Linux
 * do the same. IPV6_MULTICAST_ALL needs Linux 4.20: older kernels say
 * ENOPROTOOPT, and then IPv6 keeps the old behaviour.
 */
static int only_joined_groups(int fd, int family)
{
#if HAVE_IP_MULTICAST_ALL
	int off = 0, rc;

	if (family == LS_AF_INET)
		return mcast_setsockopt(fd, IPPROTO_IP, IP_MULTICAST_ALL, &off, sizeof(off));
#ifdef IPV6_MULTICAST_ALL
	rc = mcast_setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_ALL, &off, sizeof(off));
	return rc == LS_ENOPROTOOPT ? 0 : rc;
#else
	(void)rc;
#endif
#endif
	(void)fd;
	(void)family;
	return 0;
}

int lsi_plat_mcast_membership(lsi_fd fd, const lsi_mcast_req *req, int join)
{
	int rc = join ? only_joined_groups((int)fd, req->family) : 0;

	if (rc != 0)
		return rc;
	if (req->ifaddr != NULL)
		rc = join_in4((int)fd, req, in4_of(req->ifaddr), join);
	else
		rc = join_index((int)fd, req, join);
	/*
	 * Linux and FreeBSD refuse a source the socket already joined with
	 * EADDRNOTAVAIL (a missing interface is ENODEV there), but a group
	 * joined twice with EADDRINUSE; libsock says EADDRINUSE for both.
	 */
	if (rc == LS_EADDRNOTAVAIL && join && req->source != NULL &&
	    ls_native_error() == EADDRNOTAVAIL)
		rc = LS_EADDRINUSE;
	return rc;
}

/*
 * The option's name, and the size of its value: the IPv4 options take an
 * unsigned char, as in the original BSD interface (some systems accept
 * nothing else); the IPv6 ones an int (RFC 3493).
 */
static int opt_name(int family, int opt, size_t *size)
{
	if (family == LS_AF_INET) {
		*size = sizeof(unsigned char);
		return opt == LSI_MCAST_HOPS ? IP_MULTICAST_TTL : IP_MULTICAST_LOOP;
	}
	*size = sizeof(int);
	return opt == LSI_MCAST_HOPS ? IPV6_MULTICAST_HOPS : IPV6_MULTICAST_LOOP;
}

int lsi_plat_mcast_setopt(lsi_fd fd, int family, int opt, int value)
{
	size_t size;
	int name = opt_name(family, opt, &size);
	unsigned char c = (unsigned char)value;

	return mcast_setsockopt((int)fd, ip_level(family), name,
	                        size == 1 ? (const void *)&c : (const void *)&value, size);
}

int lsi_plat_mcast_getopt(lsi_fd fd, int family, int opt, int *value)
{
	size_t size;
	int name = opt_name(family, opt, &size);
	unsigned char c = 0;
	int v = 0;
	lsi_socklen len = (lsi_socklen)size;

	if (lsi_sys_getsockopt((int)fd, ip_level(family), name, size == 1 ? (void *)&c : (void *)&v,
	                       &len) < 0)
		return lsi_posix_fail();
	/* A system that answers with an int where a char was asked. */
	if (size == 1)
		v = len == (lsi_socklen)sizeof(int) ? v : c;
	*value = opt == LSI_MCAST_LOOP ? v != 0 : v;
	return 0;
}

/* IPv4 by index: Linux's ip_mreqn, macOS's IP_MULTICAST_IFINDEX, or an address. */
static int set_if_index4(int fd, uint32_t ifindex)
{
#if HAVE_IP_MREQN
	struct ip_mreqn m;

	memset(&m, 0, sizeof(m));
	m.imr_ifindex = (int)ifindex;
	return mcast_setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &m, sizeof(m));
#elif HAVE_IP_MULTICAST_IFINDEX
	unsigned int idx = ifindex;

	return mcast_setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IFINDEX, &idx, sizeof(idx));
#else
	struct in_addr in;
	int rc = ifindex_to_in4(ifindex, &in);

	if (rc != 0)
		return rc;
	return mcast_setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &in, sizeof(in));
#endif
}

int lsi_plat_mcast_set_interface(lsi_fd fd, int family, uint32_t ifindex, const ls_addr *ifaddr)
{
	unsigned int idx = ifindex;
	struct in_addr in;

	if (ifaddr != NULL) {
		in = in4_of(ifaddr);
		return mcast_setsockopt((int)fd, IPPROTO_IP, IP_MULTICAST_IF, &in, sizeof(in));
	}
	if (family == LS_AF_INET)
		return set_if_index4((int)fd, ifindex);
	return mcast_setsockopt((int)fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &idx, sizeof(idx));
}

/* An unknown index is LS_EINVAL, as for names; errno (ENXIO) stays native. */
int lsi_plat_if_indextoname(uint32_t index, char *buf, size_t size)
{
	char name[IF_NAMESIZE + 1];
	size_t len;

	memset(name, 0, sizeof(name));
	if (if_indextoname((unsigned)index, name) == NULL) {
		lsi_set_native_error(errno);
		return LS_EINVAL;
	}
	len = strlen(name);
	if (len >= size)
		return LS_ENOSPC;
	memcpy(buf, name, len + 1);
	return 0;
}
