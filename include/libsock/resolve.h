/*
 * libsock/resolve.h - name resolution: forward, reverse, host name.
 *
 * Resolver failures are ordinary libsock errors (LS_ENONAME, LS_EAI_AGAIN,
 * ...; ls_error_is_resolver() tells them apart).
 */
#ifndef LIBSOCK_RESOLVE_H
#define LIBSOCK_RESOLVE_H

#include <stddef.h>

#include "libsock/addr.h"
#include "libsock/export.h"

/* Flags for ls_addrinfo_hints.flags. */
#define LS_AI_PASSIVE 0x01     /* NULL host means the unspecified address */
#define LS_AI_NUMERICHOST 0x02 /* host must be numeric: never resolve */
#define LS_AI_NUMERICSERV 0x04 /* service must be a port number */
#define LS_AI_CANONNAME 0x08   /* fill canonname in the first result */
#define LS_AI_ADDRCONFIG 0x10  /* only families configured on this host */
#define LS_AI_V4MAPPED 0x20    /* IPv4 as mapped IPv6 if family is INET6 */

/* Flags for ls_getnameinfo(). */
#define LS_NI_NUMERICHOST 0x01 /* never look the address up */
#define LS_NI_NUMERICSERV 0x02 /* port as a number */
#define LS_NI_NAMEREQD 0x04    /* fail (LS_ENONAME) if it has no name */
#define LS_NI_DGRAM 0x08       /* the service is a datagram service */
#define LS_NI_NOFQDN 0x10      /* only the host part of local names */

/* Maximum sizes for ls_getnameinfo() output, NUL included. */
#define LS_NI_MAXHOST 1025
#define LS_NI_MAXSERV 32

typedef struct ls_addrinfo_hints {
	int family;   /* LS_AF_UNSPEC, LS_AF_INET or LS_AF_INET6 */
	int type;     /* 0, LS_SOCK_STREAM or LS_SOCK_DGRAM */
	int protocol; /* 0, or the OS protocol number */
	int flags;    /* LS_AI_* */
} ls_addrinfo_hints;

typedef struct ls_addrinfo {
	ls_addr addr;
	int family;
	int type;
	int protocol;
	char *canonname; /* set only in the first entry with LS_AI_CANONNAME */
	struct ls_addrinfo *next;
} ls_addrinfo;

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Resolve host and service (either may be NULL, not both) into a list the
 * caller frees with ls_freeaddrinfo(). hints may be NULL. The service is a
 * port number or a service name ("http"). Port numbers above 65535 are
 * LS_ERANGE.
 */
LS_API int ls_getaddrinfo(const char *host, const char *service,
                          const ls_addrinfo_hints *hints, ls_addrinfo **out);

/* Free a list from ls_getaddrinfo(). NULL is allowed. */
LS_API void ls_freeaddrinfo(ls_addrinfo *list);

/*
 * Reverse lookup: the host name (or numeric text) and service name (or port
 * number) of an IP address. host or serv may be NULL (with size 0) when not
 * wanted. LS_ENOSPC if an output buffer is too small.
 */
LS_API int ls_getnameinfo(const ls_addr *addr, char *host, size_t hostsize,
                          char *serv, size_t servsize, int flags);

/* This machine's host name. LS_ENOSPC if size is too small (0 included),
 * LS_EINVAL if buf is NULL. */
LS_API int ls_gethostname(char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif /* LIBSOCK_RESOLVE_H */
