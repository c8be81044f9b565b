/*
 * sockaddr.h - conversion between ls_addr and the OS's socket addresses.
 *
 * Shared by every platform: it relies only on the names lsi_os.h documents
 * (the sockaddr structures, AF_* constants, byte-order functions and
 * lsi_socklen), so it has no OS #if.
 */
#ifndef LSI_SYS_SOCKADDR_H
#define LSI_SYS_SOCKADDR_H

#include "lsi_os.h"
#include "platform.h"

/*
 * Room for any address the OS hands back. sockaddr_storage alone is not
 * enough: it is not guaranteed to hold a sockaddr_un (and is not on every
 * system), so the union includes it explicitly. Passing &x.sa to the OS
 * with sizeof(x) as the length is always safe.
 */
typedef union lsi_sockaddr {
	struct sockaddr sa;
	struct sockaddr_in in4;
	struct sockaddr_in6 in6;
	struct sockaddr_un un;
	struct sockaddr_storage ss;
} lsi_sockaddr;

/*
 * Fill *out (and *len, the length to pass to the OS) from an ls_addr.
 * LS_EAFNOSUPPORT for a family libsock does not know, LS_ENAMETOOLONG for a
 * Unix path the OS's sun_path cannot hold (never truncated). *out is
 * zeroed first, so unused fields (sin_zero) are clean.
 */
int lsi_addr_to_native(const ls_addr *in, lsi_sockaddr *out, lsi_socklen *len);

/*
 * The same into a bare sockaddr_storage (the group_req / group_source_req
 * fields of the RFC 3678 multicast calls), zero-filled past the address.
 */
int lsi_addr_to_storage(const ls_addr *in, struct sockaddr_storage *out);

/*
 * Fill *out from an OS address of len bytes. A length too short to hold a
 * family gives LS_AF_UNSPEC (what the OS returns for "no address", such as
 * recvfrom on TCP); LS_EAFNOSUPPORT for other families; LS_EINVAL for a
 * length too short for the family; LS_ENAMETOOLONG for a Unix name longer
 * than LS_UNIX_PATH_MAX. A Unix address with no name gives path_len 0.
 */
int lsi_addr_from_native(const lsi_sockaddr *sa, lsi_socklen len, ls_addr *out);

/* LS_AF_* to AF_* (LS_AF_UNSPEC is AF_UNSPEC); -1 for an unknown family. */
int lsi_family_to_native(int family);

/* AF_* to LS_AF_* (AF_UNSPEC is LS_AF_UNSPEC); -1 for an unknown family. */
int lsi_family_from_native(int af);

#endif /* LSI_SYS_SOCKADDR_H */
