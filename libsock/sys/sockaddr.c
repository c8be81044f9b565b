/*
 * sockaddr.c - ls_addr <-> OS socket address, shared by every platform.
 *
 * Only the names documented in lsi_os.h are used here, so this file
 * compiles unchanged against POSIX and Winsock headers.
 */
#include "sys/sockaddr.h"

#include <stddef.h>
#include <string.h>

/*
 * The byte offset of sun_path, which is also the length of an unnamed Unix
 * address. BSD-derived systems put a length byte before sun_family, so it
 * is not sizeof(sun_family).
 */
#define LSI_SUN_PATH_OFF offsetof(struct sockaddr_un, sun_path)

/* ls_addr.ip must hold an IPv6 address; the OS structures must fit the union. */
_Static_assert(sizeof(((ls_addr *)0)->ip) >= 16, "ls_addr.ip too small");
_Static_assert(sizeof(lsi_sockaddr) >= sizeof(struct sockaddr_un),
               "lsi_sockaddr cannot hold sockaddr_un");

int lsi_family_to_native(int family)
{
	switch (family) {
	case LS_AF_UNSPEC:
		return AF_UNSPEC;
	case LS_AF_INET:
		return AF_INET;
	case LS_AF_INET6:
		return AF_INET6;
	case LS_AF_UNIX:
		return AF_UNIX;
	default:
		return -1;
	}
}

int lsi_family_from_native(int af)
{
	switch (af) {
	case AF_UNSPEC:
		return LS_AF_UNSPEC;
	case AF_INET:
		return LS_AF_INET;
	case AF_INET6:
		return LS_AF_INET6;
	case AF_UNIX:
		return LS_AF_UNIX;
	default:
		return -1;
	}
}

static void in4_to_native(const ls_addr *in, lsi_sockaddr *out,
                          lsi_socklen *len)
{
	out->in4.sin_family = AF_INET;
	out->in4.sin_port = htons(in->port);
	memcpy(&out->in4.sin_addr, in->ip, 4);
	*len = (lsi_socklen)sizeof(out->in4);
}

static void in6_to_native(const ls_addr *in, lsi_sockaddr *out,
                          lsi_socklen *len)
{
	out->in6.sin6_family = AF_INET6;
	out->in6.sin6_port = htons(in->port);
	out->in6.sin6_flowinfo = htonl(in->flowinfo);
	memcpy(out->in6.sin6_addr.s6_addr, in->ip, 16);
	out->in6.sin6_scope_id = in->scope_id;
	*len = (lsi_socklen)sizeof(out->in6);
}

/*
 * A path name is passed with its terminating NUL, which every OS accepts
 * and some (older BSDs) need to find the end. A Linux abstract name
 * (leading NUL) is passed with its exact length and no terminator, because
 * every byte of it, NULs included, is part of the name. path_len 0 gives
 * just the family: on Linux, binding that picks an autobind name.
 */
static int un_to_native(const ls_addr *in, lsi_sockaddr *out,
                        lsi_socklen *len)
{
	size_t n = in->path_len;
	int abstract = n > 0 && in->path[0] == '\0';
	size_t need = abstract || n == 0 ? n : n + 1;

	if (n > LS_UNIX_PATH_MAX || need > sizeof(out->un.sun_path))
		return LS_ENAMETOOLONG;
	out->un.sun_family = AF_UNIX;
	memcpy(out->un.sun_path, in->path, n);
	*len = (lsi_socklen)(LSI_SUN_PATH_OFF + need);
	return 0;
}

int lsi_addr_to_native(const ls_addr *in, lsi_sockaddr *out, lsi_socklen *len)
{
	memset(out, 0, sizeof(*out));
	switch (in->family) {
	case LS_AF_INET:
		in4_to_native(in, out, len);
		return 0;
	case LS_AF_INET6:
		in6_to_native(in, out, len);
		return 0;
	case LS_AF_UNIX:
		return un_to_native(in, out, len);
	default:
		return LS_EAFNOSUPPORT;
	}
}

static int in4_from_native(const lsi_sockaddr *sa, size_t len, ls_addr *out)
{
	if (len < sizeof(sa->in4))
		return LS_EINVAL;
	out->family = LS_AF_INET;
	out->port = ntohs(sa->in4.sin_port);
	memcpy(out->ip, &sa->in4.sin_addr, 4);
	return 0;
}

static int in6_from_native(const lsi_sockaddr *sa, size_t len, ls_addr *out)
{
	if (len < sizeof(sa->in6))
		return LS_EINVAL;
	out->family = LS_AF_INET6;
	out->port = ntohs(sa->in6.sin6_port);
	out->flowinfo = ntohl(sa->in6.sin6_flowinfo);
	out->scope_id = sa->in6.sin6_scope_id;
	memcpy(out->ip, sa->in6.sin6_addr.s6_addr, 16);
	return 0;
}

/* Nonzero if all n bytes at p are zero. */
static int all_zero(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] != '\0')
			return 0;
	}
	return 1;
}

int lsi_addr_to_storage(const ls_addr *in, struct sockaddr_storage *out)
{
	lsi_sockaddr sa;
	lsi_socklen len;
	int rc = lsi_addr_to_native(in, &sa, &len);

	if (rc != 0)
		return rc;
	memset(out, 0, sizeof(*out));
	memcpy(out, &sa, (size_t)len);
	return 0;
}

/*
 * The length of the name in sun_path, from the address length the OS gave.
 * A path name ends at its first NUL: Linux counts the terminator in the
 * length and BSDs may report the whole structure. A name starting with NUL
 * is a Linux abstract name whose length is exactly what the OS reported,
 * except that an all-zero sun_path is an unnamed socket: BSDs and Windows
 * report unnamed peers that way, and an abstract name of only NULs is not
 * something a program would choose.
 */
static size_t un_name_len(const lsi_sockaddr *sa, size_t n)
{
	const char *p = sa->un.sun_path;
	const char *end;

	if (n > sizeof(sa->un.sun_path))
		n = sizeof(sa->un.sun_path);
	if (n == 0 || all_zero(p, n))
		return 0;
	if (p[0] == '\0')
		return n;
	end = memchr(p, '\0', n);
	return end != NULL ? (size_t)(end - p) : n;
}

static int un_from_native(const lsi_sockaddr *sa, size_t len, ls_addr *out)
{
	size_t n = len > LSI_SUN_PATH_OFF ? len - LSI_SUN_PATH_OFF : 0;

	n = un_name_len(sa, n);
	if (n > LS_UNIX_PATH_MAX)
		return LS_ENAMETOOLONG;
	out->family = LS_AF_UNIX;
	out->path_len = (uint16_t)n;
	memcpy(out->path, sa->un.sun_path, n);
	out->path[n] = '\0';
	return 0;
}

int lsi_addr_from_native(const lsi_sockaddr *sa, lsi_socklen len, ls_addr *out)
{
	size_t n = (size_t)len;

	/* The OS never reports more than it was given room for. */
	if (n > sizeof(*sa))
		n = sizeof(*sa);
	memset(out, 0, sizeof(*out));
	/*
	 * The OS reports "no address" with a length too short for a family
	 * (recvfrom on a stream socket, a datagram from an unbound Unix
	 * socket on Linux): that is an unspecified address, not an error.
	 */
	if (n < offsetof(struct sockaddr, sa_family) + sizeof(sa->sa.sa_family))
		return 0;
	switch (sa->sa.sa_family) {
	case AF_INET:
		return in4_from_native(sa, n, out);
	case AF_INET6:
		return in6_from_native(sa, n, out);
	case AF_UNIX:
		return un_from_native(sa, n, out);
	case AF_UNSPEC:
		return 0;
	default:
		return LS_EAFNOSUPPORT;
	}
}
