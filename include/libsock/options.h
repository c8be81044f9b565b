/*
 * libsock/options.h - socket options through one typed, portable interface,
 * plus raw access for anything else.
 */
#ifndef LIBSOCK_OPTIONS_H
#define LIBSOCK_OPTIONS_H

#include <stddef.h>

#include "libsock/export.h"
#include "libsock/socket.h"

/*
 * Portable options. All take and return an int. Boolean options use 0/1.
 * An option the OS (or the running Windows build) lacks is LS_ENOTSUP; an
 * option that does not apply to the socket (TCP_NODELAY on UDP) is
 * LS_ENOPROTOOPT.
 */
typedef enum ls_option {
	/*
	 * Allow binding a port still in TIME_WAIT. On Windows this sets
	 * SO_EXCLUSIVEADDRUSE instead of SO_REUSEADDR, because SO_REUSEADDR
	 * there lets another process take over an active listening port.
	 */
	LS_OPT_REUSEADDR = 1,
	/* SO_REUSEPORT where the OS has it (Linux, BSD, macOS); else LS_ENOTSUP. */
	LS_OPT_REUSEPORT = 2,
	LS_OPT_NODELAY = 3,    /* TCP_NODELAY */
	LS_OPT_KEEPALIVE = 4,  /* SO_KEEPALIVE */
	LS_OPT_KEEPIDLE = 5,   /* seconds idle before the first probe */
	LS_OPT_KEEPINTVL = 6,  /* seconds between probes */
	LS_OPT_KEEPCNT = 7,    /* probes before the connection is dropped */
	LS_OPT_RCVBUF = 8,     /* bytes; the OS may round or double it */
	LS_OPT_SNDBUF = 9,     /* bytes; the OS may round or double it */
	LS_OPT_BROADCAST = 10, /* SO_BROADCAST */
	LS_OPT_V6ONLY = 11,    /* IPV6_V6ONLY; libsock sets 1 on creation */
	/* Linger on close: seconds, or -1 for off. 0 makes close abortive. */
	LS_OPT_LINGER = 12,
	/* Read-only: the pending error as an LS_E* code (0 if none), cleared. */
	LS_OPT_ERROR = 13,
	/* Read-only: LS_SOCK_STREAM or LS_SOCK_DGRAM. */
	LS_OPT_TYPE = 14,
	/* Read-only: 1 if the socket is listening. */
	LS_OPT_ACCEPTCONN = 15
} ls_option;

#ifdef __cplusplus
extern "C" {
#endif

/* Set or read a portable option. LS_EINVAL for an unknown option or a bad value. */
LS_API int ls_setopt(ls_socket s, int option, int value);
LS_API int ls_getopt(ls_socket s, int option, int *value);

/*
 * Raw setsockopt/getsockopt with the OS's own level and name numbers, for
 * options libsock does not wrap. *len is in/out for the get call. Lengths
 * above what the OS takes are LS_EINVAL.
 */
LS_API int ls_setsockopt(ls_socket s, int level, int name, const void *value,
                         size_t len);
LS_API int ls_getsockopt(ls_socket s, int level, int name, void *value,
                         size_t *len);

#ifdef __cplusplus
}
#endif

#endif /* LIBSOCK_OPTIONS_H */
