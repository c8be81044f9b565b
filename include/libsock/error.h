/*
 * libsock/error.h - the one error space.
 *
 * Every libsock call that can fail returns 0 (or a non-negative count) on
 * success and one of the negative LS_E* codes below on failure. errno values,
 * Winsock WSAE* codes and resolver EAI_* codes are all translated into this
 * space, in one place per platform. The numbers are fixed: they are the same
 * on every OS and never change between releases.
 *
 * The OS's own code for the most recent failure on the calling thread is kept
 * for diagnostics: see ls_native_error().
 */
#ifndef LIBSOCK_ERROR_H
#define LIBSOCK_ERROR_H

#include "libsock/export.h"

/*
 * The error table: X(name, value, message). It generates the enum, the name
 * function and the message function, so the three can never disagree.
 */
#define LS_ERROR_MAP(X)                                                        \
	X(EBADF, -1, "bad or closed socket handle")                            \
	X(EINVAL, -2, "invalid argument")                                      \
	X(ENOMEM, -3, "out of memory")                                         \
	X(EAGAIN, -4, "operation would block")                                 \
	X(EINPROGRESS, -5, "operation in progress")                            \
	X(ETIMEDOUT, -6, "timed out")                                          \
	X(EINTR, -7, "interrupted by a signal")                                \
	X(EADDRINUSE, -8, "address already in use")                            \
	X(EADDRNOTAVAIL, -9, "address not available")                          \
	X(EAFNOSUPPORT, -10, "address family not supported")                   \
	X(ECONNREFUSED, -11, "connection refused")                             \
	X(ECONNRESET, -12, "connection reset by peer")                         \
	X(ECONNABORTED, -13, "connection aborted")                             \
	X(ENOTCONN, -14, "socket is not connected")                            \
	X(EISCONN, -15, "socket is already connected")                         \
	X(EPIPE, -16, "broken pipe: the connection is shut down for writing")  \
	X(EHOSTUNREACH, -17, "host is unreachable")                            \
	X(ENETUNREACH, -18, "network is unreachable")                          \
	X(ENETDOWN, -19, "network is down")                                    \
	X(EMSGSIZE, -20, "message too long, or datagram truncated")            \
	X(ENOBUFS, -21, "no buffer space available")                           \
	X(EMFILE, -22, "too many open sockets or files")                       \
	X(EACCES, -23, "permission denied")                                    \
	X(ENOTSUP, -24, "operation not supported on this system or socket")    \
	X(EPROTONOSUPPORT, -25, "protocol not supported")                      \
	X(ENAMETOOLONG, -26, "name too long (Unix socket path)")               \
	X(EALREADY, -27, "operation already in progress")                      \
	X(ENOPROTOOPT, -28, "socket option not available")                     \
	X(EPROTOTYPE, -29, "wrong socket type for this operation")             \
	X(ENOENT, -30, "no such file or directory")                            \
	X(ERANGE, -31, "value out of range")                                   \
	X(ENOSPC, -32, "output buffer too small")                              \
	X(ENOTSOCK, -33, "handle is not a socket")                             \
	X(EEXIST, -34, "already registered")                                   \
	X(EPROTO, -35, "protocol error: malformed or unexpected data from the peer") \
	X(ENONAME, -40, "name or service not known")                           \
	X(EAI_AGAIN, -41, "temporary failure in name resolution")              \
	X(EAI_FAIL, -42, "non-recoverable failure in name resolution")         \
	X(EAI_FAMILY, -43, "address family not supported by the resolver")    \
	X(EAI_SERVICE, -44, "service not supported for this socket type")      \
	X(EAI_SOCKTYPE, -45, "socket type not supported by the resolver")      \
	X(EAI_BADFLAGS, -46, "bad resolver flags")                             \
	X(ENODATA, -47, "no address associated with the name")                 \
	X(ETLS, -50, "TLS handshake or protocol failure")                      \
	X(ECERTUNTRUSTED, -51,                                                 \
	  "certificate not trusted (unknown CA, self-signed or incomplete chain)") \
	X(ECERTEXPIRED, -52, "certificate expired or not yet valid")           \
	X(ECERTNAME, -53, "certificate does not match the server name")        \
	X(ECERT, -54, "certificate rejected")                                  \
	X(ETRUNCATED, -55, "TLS stream ended without close_notify (truncated)") \
	X(EREADONLY, -56, "TLS configuration is in use and read-only")         \
	X(EUNKNOWN, -99, "unknown system error (see ls_native_error)")

#define LS_ERROR_ENUM_ENTRY_(name, value, msg) LS_##name = (value),

/* libsock error codes. 0 is success; every error is negative. */
typedef enum ls_error {
	LS_OK = 0,
	LS_ERROR_MAP(LS_ERROR_ENUM_ENTRY_)
} ls_error;

/* The first and last resolver codes, for ls_error_is_resolver(). */
#define LS_ERESOLVER_FIRST LS_ENONAME
#define LS_ERESOLVER_LAST LS_ENODATA

/*
 * The TLS codes (libsock/tls.h) are -50..-59: LS_ETLS_FIRST down to
 * LS_ETLS_LAST; -57..-59 are reserved for later ones.
 */
#define LS_ETLS_FIRST LS_ETLS
#define LS_ETLS_LAST (-59)

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The symbolic name of an error ("LS_ETIMEDOUT"), "LS_OK" for 0, or
 * "LS_E?" for a value not in the table. Never NULL.
 */
LS_API const char *ls_error_name(int err);

/*
 * A one-line English description of an error. Never NULL; an unknown value
 * gives "unknown libsock error".
 */
LS_API const char *ls_strerror(int err);

/* Nonzero when err came from name resolution (an EAI_* family code). */
LS_API int ls_error_is_resolver(int err);

/*
 * The OS's own code for the most recent failure of a libsock call on this
 * thread: errno on POSIX, the WSAGetLastError() value on Windows, the EAI_*
 * value on POSIX for resolver failures. 0 if the last failure did not come
 * from the OS (for example LS_EINVAL for a NULL argument). A successful call
 * does not reset it.
 */
LS_API int ls_native_error(void);

#ifdef __cplusplus
}
#endif

#endif /* LIBSOCK_ERROR_H */
