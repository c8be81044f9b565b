/*
 * libsock/multicast.h - IP multicast on UDP sockets, IPv4 and IPv6, with
 * the same behaviour on every OS, and network interface names and indexes.
 *
 * Rules shared by every call below:
 * - The socket must be an IPv4 or IPv6 datagram socket (LS_SOCK_DGRAM);
 *   any other socket is LS_ENOPROTOOPT, as for an option that does not
 *   apply to it.
 * - Addresses (group, source, interface address) must be of the socket's
 *   family, else LS_EAFNOSUPPORT. An IPv4-mapped IPv6 group (::ffff:a.b.c.d)
 *   on an IPv6 socket is of the wrong family too: join IPv4 groups on an
 *   IPv4 socket.
 * - A group must be a multicast address (224.0.0.0/4, ff00::/8), a source a
 *   unicast one (not multicast, not 0.0.0.0 or ::), else LS_EINVAL.
 * - Interfaces are named by index (ls_if_nametoindex()); 0 lets the OS
 *   choose by its routing table, except that for a join or leave an IPv6
 *   group's own scope (ff02::1%2) then names the interface. An index that names no interface, or no
 *   interface that can do multicast, is LS_EADDRNOTAVAIL.
 * - Ports of the addresses given are ignored.
 */
#ifndef LIBSOCK_MULTICAST_H
#define LIBSOCK_MULTICAST_H

#include <stddef.h>
#include <stdint.h>

#include "libsock/addr.h"
#include "libsock/export.h"
#include "libsock/socket.h"

/* Room for any interface name ls_if_indextoname() writes, NUL included. */
#define LS_IF_NAMESIZE 257

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Join a group on an interface, to receive what is sent to it (the socket
 * must also be bound to the group's port, usually on the unspecified
 * address). source NULL joins for every source (any-source multicast);
 * otherwise only datagrams from that source arrive (source-specific
 * multicast), and joining again with another source adds that source.
 * Errors besides the shared ones: LS_EADDRINUSE if the socket has already
 * joined the group (or that source of it) on that interface, LS_ENOTSUP
 * where the OS has no source-specific multicast for the family.
 */
LS_API int ls_mcast_join(ls_socket s, const ls_addr *group, const ls_addr *source,
                         uint32_t ifindex);

/*
 * Leave what ls_mcast_join() joined, with the same group, source and
 * interface. LS_EADDRNOTAVAIL if the socket is not a member.
 */
LS_API int ls_mcast_leave(ls_socket s, const ls_addr *group, const ls_addr *source,
                          uint32_t ifindex);

/*
 * IPv4 only: the same, naming the interface by one of its IPv4 addresses
 * (NULL or 0.0.0.0: the OS chooses). An IPv6 socket is LS_EAFNOSUPPORT
 * (IPv6 has only indexes); an address no interface has is LS_EADDRNOTAVAIL.
 */
LS_API int ls_mcast_join_ifaddr(ls_socket s, const ls_addr *group, const ls_addr *source,
                                const ls_addr *ifaddr);
LS_API int ls_mcast_leave_ifaddr(ls_socket s, const ls_addr *group, const ls_addr *source,
                                 const ls_addr *ifaddr);

/*
 * The time-to-live (IPv4) or hop limit (IPv6) of multicast datagrams the
 * socket sends: 0 to 255, 1 by default (the local network only: routers do
 * not forward them). Other values are LS_EINVAL. Whether 0 keeps datagrams
 * on this host is the OS's affair (Linux 6 sends them on the link).
 */
LS_API int ls_mcast_set_hops(ls_socket s, int hops);
LS_API int ls_mcast_get_hops(ls_socket s, int *hops);

/*
 * Loopback, 0 or 1 (on by default). libsock's rule, kept on every OS: with
 * loopback off, the multicast datagrams a socket sends never come back to
 * that socket itself, even when it is a member of the group. What other
 * sockets on the same host see differs by OS and cannot be made the same:
 * on POSIX systems the sender's setting decides (off: no socket on the host
 * receives them), on Windows each receiver's own setting does (a receiver
 * with loopback off gets no datagram sent from this host). See
 * docs/portability.md.
 */
LS_API int ls_mcast_set_loop(ls_socket s, int on);
LS_API int ls_mcast_get_loop(ls_socket s, int *on);

/*
 * The interface the socket sends multicast datagrams through, by index
 * (0: back to the OS's choice by its routing table), or for IPv4 by one
 * of its addresses (NULL or 0.0.0.0: the OS's choice; an IPv6 socket is
 * LS_EAFNOSUPPORT).
 */
LS_API int ls_mcast_set_interface(ls_socket s, uint32_t ifindex);
LS_API int ls_mcast_set_interface_addr(ls_socket s, const ls_addr *ifaddr);

/*
 * The index of a network interface by name ("eth0", "lo"; on Windows the
 * names if_nametoindex() takes, such as "ethernet_32768"). LS_ENOENT if no
 * interface has that name.
 */
LS_API int ls_if_nametoindex(const char *name, uint32_t *index);

/*
 * The name of the interface with an index. LS_ENOENT if there is none,
 * LS_ENOSPC if size is too small (LS_IF_NAMESIZE is always enough); buf is
 * then an empty string.
 */
LS_API int ls_if_indextoname(uint32_t index, char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif /* LIBSOCK_MULTICAST_H */
