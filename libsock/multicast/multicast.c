/*
 * multicast.c - multicast's common code: every check that needs no OS
 * (the socket's kind, the families, multicast and unicast addresses, value
 * ranges) is made here, so bad arguments fail the same way on every OS.
 * The platform (posix/multicast.c, win32/multicast.c) makes the calls.
 */
#include <string.h>

#include "common/internal.h"

/* 224.0.0.0/4 or ff00::/8; ports and scopes do not matter. */
static int lsi_mcast_is_group(const ls_addr *a)
{
	if (a->family == LS_AF_INET)
		return (a->ip[0] & 0xf0) == 0xe0;
	return a->ip[0] == 0xff;
}

/*
 * An address of the socket's family, else LS_EAFNOSUPPORT. An IPv4-mapped
 * address on an IPv6 socket counts as IPv4: IPv6 sockets are V6ONLY in
 * libsock, and not every OS can join an IPv4 group through one.
 */
static int lsi_mcast_check_family(const ls_addr *a, int family)
{
	if (a->family != family || (family == LS_AF_INET6 && ls_addr_is_v4mapped(a)))
		return lsi_fail(LS_EAFNOSUPPORT);
	return 0;
}

static int lsi_mcast_check_group(const ls_addr *group, int family)
{
	int rc;

	if (group == NULL)
		return lsi_fail(LS_EINVAL);
	rc = lsi_mcast_check_family(group, family);
	if (rc != 0)
		return rc;
	return lsi_mcast_is_group(group) ? 0 : lsi_fail(LS_EINVAL);
}

/* A source, if given, is a unicast address: not a group, not unspecified. */
static int lsi_mcast_check_source(const ls_addr *source, int family)
{
	int rc;

	if (source == NULL)
		return 0;
	rc = lsi_mcast_check_family(source, family);
	if (rc != 0)
		return rc;
	if (lsi_mcast_is_group(source) || ls_addr_is_unspecified(source))
		return lsi_fail(LS_EINVAL);
	return 0;
}

/*
 * An interface address (IPv4 only, NULL allowed): an IPv6 socket has none
 * to give, so it is the wrong family whatever ifaddr is.
 */
static int lsi_mcast_check_ifaddr(const ls_addr *ifaddr, int family)
{
	if (family != LS_AF_INET)
		return lsi_fail(LS_EAFNOSUPPORT);
	if (ifaddr == NULL)
		return 0;
	return lsi_mcast_check_family(ifaddr, family);
}

/*
 * Take a reference to s and check that it is an IP datagram socket:
 * multicast does not apply to anything else, which the option calls
 * report as LS_ENOPROTOOPT.
 */
static int lsi_mcast_acquire(ls_socket s, lsi_sock **out)
{
	int rc = lsi_sock_acquire(s, out);

	if (rc != 0)
		return rc;
	if ((*out)->type != LS_SOCK_DGRAM ||
	    ((*out)->family != LS_AF_INET && (*out)->family != LS_AF_INET6)) {
		lsi_sock_release(*out);
		return lsi_fail(LS_ENOPROTOOPT);
	}
	return 0;
}

/* The membership calls share everything but the interface and direction. */
static int lsi_mcast_member(ls_socket s, const ls_addr *group, const ls_addr *source,
                            uint32_t ifindex, const ls_addr *ifaddr, int by_addr, int join)
{
	lsi_mcast_req req;
	lsi_sock *sk;
	int rc = lsi_mcast_acquire(s, &sk);

	if (rc != 0)
		return rc;
	rc = lsi_mcast_check_group(group, sk->family);
	if (rc == 0)
		rc = lsi_mcast_check_source(source, sk->family);
	if (rc == 0 && by_addr)
		rc = lsi_mcast_check_ifaddr(ifaddr, sk->family);
	if (rc == 0) {
		memset(&req, 0, sizeof(req));
		req.family = sk->family;
		req.group = group;
		req.source = source;
		/* An IPv6 group's scope ("ff02::1%eth0") names the interface
		 * when the caller gives no index. */
		req.ifindex = ifindex != 0 || by_addr ? ifindex : group->scope_id;
		req.ifaddr = ifaddr;
		rc = lsi_plat_mcast_membership(sk->fd, &req, join);
	}
	lsi_sock_release(sk);
	return rc;
}

int ls_mcast_join(ls_socket s, const ls_addr *group, const ls_addr *source, uint32_t ifindex)
{
	return lsi_mcast_member(s, group, source, ifindex, NULL, 0, 1);
}

int ls_mcast_leave(ls_socket s, const ls_addr *group, const ls_addr *source, uint32_t ifindex)
{
	return lsi_mcast_member(s, group, source, ifindex, NULL, 0, 0);
}

/* A NULL interface address becomes 0.0.0.0, so the platform sees one form. */
static int lsi_mcast_member_addr(ls_socket s, const ls_addr *group, const ls_addr *source,
                                 const ls_addr *ifaddr, int join)
{
	ls_addr any;

	if (ifaddr == NULL) {
		ls_addr_any(&any, LS_AF_INET, 0);
		ifaddr = &any;
	}
	return lsi_mcast_member(s, group, source, 0, ifaddr, 1, join);
}

int ls_mcast_join_ifaddr(ls_socket s, const ls_addr *group, const ls_addr *source,
                         const ls_addr *ifaddr)
{
	return lsi_mcast_member_addr(s, group, source, ifaddr, 1);
}

int ls_mcast_leave_ifaddr(ls_socket s, const ls_addr *group, const ls_addr *source,
                          const ls_addr *ifaddr)
{
	return lsi_mcast_member_addr(s, group, source, ifaddr, 0);
}

static int lsi_mcast_set(ls_socket s, int opt, int value)
{
	lsi_sock *sk;
	int rc = lsi_mcast_acquire(s, &sk);

	if (rc != 0)
		return rc;
	rc = lsi_plat_mcast_setopt(sk->fd, sk->family, opt, value);
	lsi_sock_release(sk);
	return rc;
}

static int lsi_mcast_get(ls_socket s, int opt, int *value)
{
	lsi_sock *sk;
	int rc;

	if (value == NULL)
		return lsi_fail(LS_EINVAL);
	rc = lsi_mcast_acquire(s, &sk);
	if (rc != 0)
		return rc;
	rc = lsi_plat_mcast_getopt(sk->fd, sk->family, opt, value);
	lsi_sock_release(sk);
	return rc;
}

int ls_mcast_set_hops(ls_socket s, int hops)
{
	if (hops < 0 || hops > 255)
		return lsi_fail(LS_EINVAL);
	return lsi_mcast_set(s, LSI_MCAST_HOPS, hops);
}

int ls_mcast_get_hops(ls_socket s, int *hops)
{
	return lsi_mcast_get(s, LSI_MCAST_HOPS, hops);
}

/* Any nonzero value is "on", as for the boolean ls_setopt() options. */
int ls_mcast_set_loop(ls_socket s, int on)
{
	return lsi_mcast_set(s, LSI_MCAST_LOOP, on != 0);
}

int ls_mcast_get_loop(ls_socket s, int *on)
{
	return lsi_mcast_get(s, LSI_MCAST_LOOP, on);
}

static int lsi_mcast_set_if(ls_socket s, uint32_t ifindex, const ls_addr *ifaddr, int by_addr)
{
	lsi_sock *sk;
	ls_addr any;
	int rc = lsi_mcast_acquire(s, &sk);

	if (rc != 0)
		return rc;
	if (by_addr) {
		rc = lsi_mcast_check_ifaddr(ifaddr, sk->family);
		if (ifaddr == NULL) {
			ls_addr_any(&any, LS_AF_INET, 0);
			ifaddr = &any;
		}
	}
	if (rc == 0)
		rc = lsi_plat_mcast_set_interface(sk->fd, sk->family, ifindex,
		                                  by_addr ? ifaddr : NULL);
	lsi_sock_release(sk);
	return rc;
}

int ls_mcast_set_interface(ls_socket s, uint32_t ifindex)
{
	return lsi_mcast_set_if(s, ifindex, NULL, 0);
}

int ls_mcast_set_interface_addr(ls_socket s, const ls_addr *ifaddr)
{
	return lsi_mcast_set_if(s, 0, ifaddr, 1);
}

/*
 * The platforms report an unknown interface as LS_EINVAL (the "%name"
 * scope parser's meaning); to a caller asking by name or index it is a
 * name that does not exist.
 */
int ls_if_nametoindex(const char *name, uint32_t *index)
{
	int rc;

	if (name == NULL || index == NULL)
		return lsi_fail(LS_EINVAL);
	*index = 0;
	rc = lsi_autoinit();
	if (rc != 0)
		return rc;
	if (name[0] == '\0')
		return lsi_fail(LS_ENOENT);
	rc = lsi_plat_if_nametoindex(name, index);
	return rc == LS_EINVAL ? LS_ENOENT : rc;
}

int ls_if_indextoname(uint32_t index, char *buf, size_t size)
{
	int rc;

	if (buf == NULL || size == 0)
		return lsi_fail(buf == NULL ? LS_EINVAL : LS_ENOSPC);
	buf[0] = '\0';
	rc = lsi_autoinit();
	if (rc != 0)
		return rc;
	if (index == 0)
		return lsi_fail(LS_ENOENT);
	rc = lsi_plat_if_indextoname(index, buf, size);
	if (rc != 0)
		buf[0] = '\0';
	return rc == LS_EINVAL ? LS_ENOENT : rc;
}
