/*
 * libsock/addr.h - socket addresses as a plain value type.
 *
 * ls_addr holds any address libsock supports (IPv4, IPv6 with scope and flow
 * information, Unix socket paths) without exposing OS headers. Copy it with
 * '=', keep it on the stack, compare it with ls_addr_equal().
 */
#ifndef LIBSOCK_ADDR_H
#define LIBSOCK_ADDR_H

#include <stddef.h>
#include <stdint.h>

#include "libsock/export.h"

/* Address families. The numbers are libsock's own, not the OS's. */
typedef enum ls_family {
	LS_AF_UNSPEC = 0,
	LS_AF_INET = 1,
	LS_AF_INET6 = 2,
	LS_AF_UNIX = 3
} ls_family;

/*
 * The longest Unix socket path libsock accepts, in bytes, not counting the
 * terminating NUL. It is the smallest sun_path among supported OSes (macOS
 * has 104 bytes) less the NUL, so a path that works here works everywhere.
 * A longer path is LS_ENAMETOOLONG, never truncated.
 */
#define LS_UNIX_PATH_MAX 103

/* Room for any address ls_addr_format() writes, NUL included. */
#define LS_ADDRSTRLEN 128

/* Room for a numeric IP address without port, NUL included. */
#define LS_IPSTRLEN 64

typedef struct ls_addr {
	uint16_t family;   /* an ls_family */
	uint16_t port;     /* host byte order; IPv4 and IPv6 only */
	uint32_t scope_id; /* IPv6 interface index (link-local), else 0 */
	uint32_t flowinfo; /* IPv6 flow information, else 0 */
	uint8_t ip[16];    /* network byte order; IPv4 uses the first 4 */
	/*
	 * Unix: path_len bytes of path. A path starting with NUL is a Linux
	 * abstract name (may contain NULs); otherwise path is NUL-terminated.
	 * path_len 0 means an unnamed socket.
	 */
	uint16_t path_len;
	char path[LS_UNIX_PATH_MAX + 1];
} ls_addr;

#ifdef __cplusplus
extern "C" {
#endif

/* An IPv4 address from 4 bytes in network order and a port. */
LS_API void ls_addr_ipv4(ls_addr *out, const uint8_t ip[4], uint16_t port);

/* An IPv6 address from 16 bytes in network order, a port and a scope. */
LS_API void ls_addr_ipv6(ls_addr *out, const uint8_t ip[16], uint16_t port,
                         uint32_t scope_id);

/*
 * The loopback (127.0.0.1 or ::1) or unspecified (0.0.0.0 or ::) address of
 * a family, with a port. LS_EAFNOSUPPORT for a family that has none.
 */
LS_API int ls_addr_loopback(ls_addr *out, int family, uint16_t port);
LS_API int ls_addr_any(ls_addr *out, int family, uint16_t port);

/*
 * A Unix socket address. LS_ENAMETOOLONG if path is longer than
 * LS_UNIX_PATH_MAX bytes (never truncated), LS_EINVAL for NULL.
 */
LS_API int ls_addr_unix(ls_addr *out, const char *path);

/*
 * Parse text into an address:
 *   "1.2.3.4:80", "1.2.3.4"           IPv4, port optional (0 if absent)
 *   "[::1]:80", "::1", "[::1]"        IPv6, brackets needed with a port
 *   "[fe80::1%eth0]:80"               IPv6 with an interface name or number
 *   "unix:/tmp/x.sock", "/tmp/x.sock" a Unix path (absolute or starting '.')
 * Only numeric IP text is accepted: no name resolution. Errors: LS_EINVAL
 * for malformed text or an unknown interface name, LS_ERANGE for a port
 * above 65535, LS_ENAMETOOLONG for an over-long Unix path.
 */
LS_API int ls_addr_parse(ls_addr *out, const char *text);

/*
 * Parse only an IP address (no port, no brackets, scope "%if" allowed for
 * IPv6) of the given family, or of either family if family is LS_AF_UNSPEC.
 */
LS_API int ls_addr_parse_ip(ls_addr *out, const char *text, int family);

/*
 * Format an address: "1.2.3.4:80", "[::1]:80", "[fe80::1%2]:80", or the
 * Unix path ("@name" for an abstract name with NULs shown as '@'). IPv6 is
 * written in the RFC 5952 canonical form. LS_ENOSPC if buf is too small
 * (LS_ADDRSTRLEN is always enough); buf is then an empty string.
 */
LS_API int ls_addr_format(const ls_addr *addr, char *buf, size_t size);

/* Format only the IP address, without port or brackets. */
LS_API int ls_addr_format_ip(const ls_addr *addr, char *buf, size_t size);

/* Nonzero if both addresses are the same family, address, port (and scope). */
LS_API int ls_addr_equal(const ls_addr *a, const ls_addr *b);

/* The port of an IP address; 0 for other families or NULL. */
LS_API uint16_t ls_addr_port(const ls_addr *addr);

/* Set the port of an IP address. LS_EAFNOSUPPORT for a Unix address. */
LS_API int ls_addr_set_port(ls_addr *addr, uint16_t port);

/* Nonzero if addr is an IPv6 IPv4-mapped address (::ffff:a.b.c.d). */
LS_API int ls_addr_is_v4mapped(const ls_addr *addr);

/* Nonzero if addr is 0.0.0.0 or ::. */
LS_API int ls_addr_is_unspecified(const ls_addr *addr);

/* Nonzero if addr is in 127.0.0.0/8 or is ::1. */
LS_API int ls_addr_is_loopback(const ls_addr *addr);

/*
 * Convert an IPv4-mapped IPv6 address to plain IPv4 (port kept).
 * LS_EINVAL if addr is not IPv4-mapped.
 */
LS_API int ls_addr_unmap_v4(const ls_addr *in, ls_addr *out);

#ifdef __cplusplus
}
#endif

#endif /* LIBSOCK_ADDR_H */
