/*
 * multicast.c (Windows) - group membership, multicast options and
 * interface names.
 *
 * Windows has the protocol-independent RFC 3678 calls (MCAST_JOIN_GROUP,
 * struct group_req) since Vista, and libsock uses them first. A Winsock
 * that does not know them (wine) says WSAENOPROTOOPT; the per-family
 * options do the job then: IP_ADD_MEMBERSHIP and IP_ADD_SOURCE_MEMBERSHIP,
 * whose interface field takes an index written as the address 0.0.0.x
 * (in network byte order, as Microsoft documents for ip_mreq), and
 * IPV6_ADD_MEMBERSHIP, which has no source-specific form.
 */
#include <string.h>

#include "win32.h"

/* Winsock's multicast options take a DWORD for every value. */
static int lsi_mc_setopt(SOCKET s, int level, int name, const void *val, int len)
{
	if (lsi_win_setsockopt(s, level, name, (const char *)val, len) == SOCKET_ERROR)
		return lsi_win_last_error();
	return 0;
}

static int lsi_mc_level(int family)
{
	return family == LS_AF_INET ? IPPROTO_IP : IPPROTO_IPV6;
}

static IN_ADDR lsi_mc_in4(const ls_addr *a)
{
	IN_ADDR in;

	memcpy(&in.s_addr, a->ip, 4);
	return in;
}

/*
 * An IPv4 interface for the per-family options, by index: one of the
 * interface's IPv4 addresses. Windows also takes the index itself written
 * as 0.0.0.x (Microsoft documents it for ip_mreq and IP_MULTICAST_IF), but
 * wine does not, and an address works on both; 0.0.0.x remains for an
 * interface without IPv4 addresses. Index 0 is 0.0.0.0, the OS's choice.
 */
static IN_ADDR lsi_mc_index_in4(uint32_t ifindex)
{
	PMIB_UNICASTIPADDRESS_TABLE table = NULL;
	IN_ADDR in;
	ULONG i;

	in.s_addr = htonl(ifindex);
	if (ifindex == 0 || GetUnicastIpAddressTable(AF_INET, &table) != NO_ERROR)
		return in;
	for (i = 0; i < table->NumEntries; i++) {
		if (table->Table[i].InterfaceIndex == ifindex) {
			in = table->Table[i].Address.Ipv4.sin_addr;
			break;
		}
	}
	FreeMibTable(table);
	return in;
}

/* The RFC 3678 calls: one path for both families, interface by index. */
static int lsi_mc_join_rfc3678(SOCKET s, const lsi_mcast_req *req, int join)
{
	GROUP_SOURCE_REQ gs;
	GROUP_REQ g;
	int rc;

	if (req->source == NULL) {
		memset(&g, 0, sizeof(g));
		g.gr_interface = req->ifindex;
		rc = lsi_addr_to_storage(req->group, &g.gr_group);
		if (rc != 0)
			return rc;
		return lsi_mc_setopt(s, lsi_mc_level(req->family),
		                     join ? MCAST_JOIN_GROUP : MCAST_LEAVE_GROUP, &g, (int)sizeof(g));
	}
	memset(&gs, 0, sizeof(gs));
	gs.gsr_interface = req->ifindex;
	rc = lsi_addr_to_storage(req->group, &gs.gsr_group);
	if (rc == 0)
		rc = lsi_addr_to_storage(req->source, &gs.gsr_source);
	if (rc != 0)
		return rc;
	return lsi_mc_setopt(s, lsi_mc_level(req->family),
	                     join ? MCAST_JOIN_SOURCE_GROUP : MCAST_LEAVE_SOURCE_GROUP, &gs,
	                     (int)sizeof(gs));
}

/* IPv4, the interface as an address or as 0.0.0.x. */
static int lsi_mc_join_in4(SOCKET s, const lsi_mcast_req *req, IN_ADDR ifaddr, int join)
{
	IP_MREQ_SOURCE ms;
	IP_MREQ m;

	if (req->source != NULL) {
		memset(&ms, 0, sizeof(ms));
		ms.imr_multiaddr = lsi_mc_in4(req->group);
		ms.imr_sourceaddr = lsi_mc_in4(req->source);
		ms.imr_interface = ifaddr;
		return lsi_mc_setopt(s, IPPROTO_IP,
		                     join ? IP_ADD_SOURCE_MEMBERSHIP : IP_DROP_SOURCE_MEMBERSHIP, &ms,
		                     (int)sizeof(ms));
	}
	memset(&m, 0, sizeof(m));
	m.imr_multiaddr = lsi_mc_in4(req->group);
	m.imr_interface = ifaddr;
	return lsi_mc_setopt(s, IPPROTO_IP, join ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP, &m,
	                     (int)sizeof(m));
}

/*
 * The per-family fallback when the RFC 3678 calls are missing. wine takes
 * an index that names no interface without complaint here, so it is
 * checked first: the answer is then the same as the RFC 3678 calls give.
 */
static int lsi_mc_join_legacy(SOCKET s, const lsi_mcast_req *req, int join)
{
	char name[IF_NAMESIZE + 1];
	IPV6_MREQ m6;

	if (req->ifindex != 0 && if_indextoname((NET_IFINDEX)req->ifindex, name) == NULL)
		return LS_EADDRNOTAVAIL;

	if (req->family == LS_AF_INET)
		return lsi_mc_join_in4(s, req, lsi_mc_index_in4(req->ifindex), join);
	if (req->source != NULL)
		return LS_ENOTSUP;
	memset(&m6, 0, sizeof(m6));
	memcpy(m6.ipv6mr_multiaddr.s6_addr, req->group->ip, 16);
	m6.ipv6mr_interface = req->ifindex;
	return lsi_mc_setopt(s, IPPROTO_IPV6, join ? IPV6_ADD_MEMBERSHIP : IPV6_DROP_MEMBERSHIP,
	                     &m6, (int)sizeof(m6));
}

/* By index: RFC 3678 first, the per-family options where it is missing. */
static int lsi_mc_join_any(SOCKET s, const lsi_mcast_req *req, int join)
{
	int rc = lsi_mc_join_rfc3678(s, req, join);
	/* Only "no such option" falls back; any other answer is the OS's. */
	if (rc == LS_ENOPROTOOPT)
		rc = lsi_mc_join_legacy(s, req, join);
	return rc;
}

/*
 * The per-family options answer WSAEINVAL (measured under wine, which
 * passes on what Linux says as that) where POSIX distinguishes: leaving a
 * group the socket has not joined (EADDRNOTAVAIL), joining a source it
 * already joined (EADDRNOTAVAIL, which POSIX libsock reports as
 * LS_EADDRINUSE), naming an interface address no interface has (ENODEV).
 * Common code has checked every argument before, so nothing else is
 * invalid by then: libsock reports what POSIX does.
 */
static int lsi_mc_einval(const lsi_mcast_req *req, int join)
{
	if (!join || req->source == NULL)
		return LS_EADDRNOTAVAIL;
	return LS_EADDRINUSE;
}

static int lsi_mc_membership(SOCKET s, const lsi_mcast_req *req, int join)
{
	if (req->ifaddr != NULL)
		return lsi_mc_join_in4(s, req, lsi_mc_in4(req->ifaddr), join);
	return lsi_mc_join_any(s, req, join);
}

int lsi_plat_mcast_membership(lsi_fd fd, const lsi_mcast_req *req, int join)
{
	int rc = lsi_mc_membership(lsi_win_sock(fd), req, join);

	return rc == LS_EINVAL ? lsi_mc_einval(req, join) : rc;
}

static int lsi_mc_optname(int family, int opt)
{
	if (family == LS_AF_INET)
		return opt == LSI_MCAST_HOPS ? IP_MULTICAST_TTL : IP_MULTICAST_LOOP;
	return opt == LSI_MCAST_HOPS ? IPV6_MULTICAST_HOPS : IPV6_MULTICAST_LOOP;
}

int lsi_plat_mcast_setopt(lsi_fd fd, int family, int opt, int value)
{
	DWORD v = (DWORD)value;

	return lsi_mc_setopt(lsi_win_sock(fd), lsi_mc_level(family), lsi_mc_optname(family, opt),
	                     &v, (int)sizeof(v));
}

int lsi_plat_mcast_getopt(lsi_fd fd, int family, int opt, int *value)
{
	/* Zeroed: a BOOL-like option may fill in fewer bytes. */
	DWORD v = 0;
	int len = (int)sizeof(v);

	if (lsi_win_getsockopt(lsi_win_sock(fd), lsi_mc_level(family), lsi_mc_optname(family, opt),
	                       (char *)&v, &len) == SOCKET_ERROR)
		return lsi_win_last_error();
	*value = opt == LSI_MCAST_LOOP ? v != 0 : (int)v;
	return 0;
}

/*
 * IP_MULTICAST_IF takes an address, or an index as 0.0.0.x; index 0 is
 * 0.0.0.0, the OS's choice, either way. IPV6_MULTICAST_IF takes the index.
 */
int lsi_plat_mcast_set_interface(lsi_fd fd, int family, uint32_t ifindex, const ls_addr *ifaddr)
{
	SOCKET s = lsi_win_sock(fd);
	DWORD idx = ifindex;
	IN_ADDR in;

	if (family == LS_AF_INET6)
		return lsi_mc_setopt(s, IPPROTO_IPV6, IPV6_MULTICAST_IF, &idx, (int)sizeof(idx));
	in = ifaddr != NULL ? lsi_mc_in4(ifaddr) : lsi_mc_index_in4(ifindex);
	return lsi_mc_setopt(s, IPPROTO_IP, IP_MULTICAST_IF, &in, (int)sizeof(in));
}

int lsi_plat_if_indextoname(uint32_t index, char *buf, size_t size)
{
	/* iphlpapi, not Winsock: it sets no error code, NULL means unknown. */
	char name[IF_NAMESIZE + 1];
	size_t len;

	memset(name, 0, sizeof(name));
	if (if_indextoname((NET_IFINDEX)index, name) == NULL)
		return LS_EINVAL;
	len = strlen(name);
	if (len >= size)
		return LS_ENOSPC;
	memcpy(buf, name, len + 1);
	return 0;
}
