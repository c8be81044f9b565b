/*
 * libsock/socket.h - library lifecycle, socket handles and connection calls.
 */
#ifndef LIBSOCK_SOCKET_H
#define LIBSOCK_SOCKET_H

#include <stddef.h>
#include <stdint.h>

#include "libsock/addr.h"
#include "libsock/export.h"

/*
 * A socket handle. It is an opaque number the library allocates, never an
 * fd: a closed handle stays invalid forever (calls on it return LS_EBADF)
 * even after the OS reuses the fd or SOCKET value it wrapped. 0 is never a
 * valid handle.
 */
typedef uint64_t ls_socket;
#define LS_INVALID_SOCKET ((ls_socket)0)

/*
 * The OS handle: an fd on POSIX, a SOCKET on Windows (widened to intptr_t;
 * INVALID_SOCKET becomes LS_NATIVE_INVALID).
 */
typedef intptr_t ls_native;
#define LS_NATIVE_INVALID ((ls_native)-1)

/* Socket types. */
typedef enum ls_type { LS_SOCK_STREAM = 1, LS_SOCK_DGRAM = 2 } ls_type;

/* ls_shutdown() directions. */
typedef enum ls_shut { LS_SHUT_RD = 0, LS_SHUT_WR = 1, LS_SHUT_RDWR = 2 } ls_shut;

/* ls_set_timeout() values besides a positive number of milliseconds. */
#define LS_TIMEOUT_BLOCK ((int64_t)-1) /* block forever (the default) */
#define LS_TIMEOUT_NONBLOCK ((int64_t)0) /* never block: LS_EAGAIN */

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Initialise the library (WSAStartup on Windows). Reference-counted and
 * thread-safe: each successful ls_init() needs one ls_cleanup(). Calling it
 * is optional: every call that creates a socket or resolves a name
 * initialises the library on first use and keeps that reference until the
 * process exits.
 */
LS_API int ls_init(void);

/*
 * Drop one reference taken by ls_init(). The OS layer is shut down when the
 * last reference goes (never while the automatic reference exists). Extra
 * calls are harmless.
 */
LS_API void ls_cleanup(void);

/*
 * Create a socket. family: LS_AF_INET, LS_AF_INET6 or LS_AF_UNIX; type:
 * LS_SOCK_STREAM or LS_SOCK_DGRAM; protocol: 0 or an OS protocol number.
 * The socket blocks (LS_TIMEOUT_BLOCK), is not inherited by child processes,
 * never raises SIGPIPE, and (IPv6) has IPV6_V6ONLY set to 1 on every OS.
 * LS_EAFNOSUPPORT where the OS lacks the family (AF_UNIX on old Windows).
 */
LS_API int ls_socket_create(ls_socket *out, int family, int type, int protocol);

/*
 * Take ownership of an existing OS socket. Its family and type are read
 * from the OS; LS_ENOTSOCK if native is not a socket. The OS socket is
 * switched to the mode libsock manages (blocking, see ls_set_timeout()).
 */
LS_API int ls_socket_adopt(ls_socket *out, ls_native native);

/*
 * Give the OS socket back without closing it: the handle becomes invalid
 * and *native receives the OS socket, left in blocking mode.
 */
LS_API int ls_socket_detach(ls_socket s, ls_native *native);

/* The OS handle, for interop (select, an event loop). Ownership stays. */
LS_API int ls_socket_native(ls_socket s, ls_native *native);

/* The family, type and protocol the socket was created with. Any out may be NULL. */
LS_API int ls_socket_info(ls_socket s, int *family, int *type, int *protocol);

/*
 * Close the socket. Safe to call once on any handle; a second close, or any
 * call afterwards, returns LS_EBADF. Calls blocked in other threads on the
 * same socket are woken and return LS_EBADF. When no other call is using
 * the socket, the OS handle is closed at once and its error is reported
 * (LS_EBADF if the descriptor was closed behind libsock's back); otherwise
 * the last of those calls closes it and 0 is returned. The handle is gone
 * either way: never close it again.
 */
LS_API int ls_close(ls_socket s);

/* Abortive close: the peer sees a reset (RST) instead of an orderly end. */
LS_API int ls_abort(ls_socket s);

/*
 * Bind to a local address. LS_EAFNOSUPPORT if addr's family is not the
 * socket's; LS_ENAMETOOLONG for an over-long Unix path.
 */
LS_API int ls_bind(ls_socket s, const ls_addr *addr);

/* Listen. backlog <= 0 means the OS default (SOMAXCONN). */
LS_API int ls_listen(ls_socket s, int backlog);

/*
 * Accept a connection. peer may be NULL. The new socket has the listener's
 * timeout setting on every OS. Waits as the listener's timeout says:
 * LS_EAGAIN (non-blocking) or LS_ETIMEDOUT (timeout).
 */
LS_API int ls_accept(ls_socket s, ls_socket *out, ls_addr *peer);

/*
 * Connect. In blocking mode waits for the result; with a timeout returns
 * LS_ETIMEDOUT when it runs out; in non-blocking mode returns LS_EINPROGRESS
 * (wait for LS_POLLOUT, then read LS_OPT_ERROR). Connecting to the
 * unspecified address (0.0.0.0 or ::) connects to the loopback address of
 * that family on every OS, as Linux and macOS do.
 */
LS_API int ls_connect(ls_socket s, const ls_addr *addr);

/*
 * Resolve host and service (a port number or name), then try each address
 * in turn until one connects, all within timeout_ms overall
 * (LS_TIMEOUT_BLOCK for no limit). family may be LS_AF_UNSPEC. On success
 * *out is a new connected socket whose timeout is timeout_ms; on failure the
 * error of the last address tried.
 */
LS_API int ls_connect_name(ls_socket *out, const char *host, const char *service,
                           int family, int type, int64_t timeout_ms);

/* The local and remote address of the socket. */
LS_API int ls_getsockname(ls_socket s, ls_addr *addr);
LS_API int ls_getpeername(ls_socket s, ls_addr *addr);

/* Shut down one or both directions: LS_SHUT_RD, LS_SHUT_WR, LS_SHUT_RDWR. */
LS_API int ls_shutdown(ls_socket s, int how);

/*
 * Blocking mode and timeouts, with Python's settimeout() semantics:
 *   LS_TIMEOUT_BLOCK (-1)  every call blocks until done
 *   LS_TIMEOUT_NONBLOCK (0) calls that would block return LS_EAGAIN
 *   ms > 0                 each blocking call (connect, accept, send, recv)
 *                          gives up with LS_ETIMEDOUT after ms milliseconds;
 *                          ls_sendall() gets one overall deadline.
 * Implemented with non-blocking I/O, poll and a monotonic clock, never with
 * SO_RCVTIMEO. Values below -1 are LS_EINVAL.
 */
LS_API int ls_set_timeout(ls_socket s, int64_t timeout_ms);
LS_API int ls_get_timeout(ls_socket s, int64_t *timeout_ms);

/* Shorthand: blocking != 0 is LS_TIMEOUT_BLOCK, 0 is LS_TIMEOUT_NONBLOCK. */
LS_API int ls_set_blocking(ls_socket s, int blocking);

/*
 * By default a call interrupted by a signal (EINTR) is retried with its
 * deadline recomputed. With interruptible != 0 it returns LS_EINTR instead,
 * so a caller that must react to signals (Python, for Ctrl-C) can; ls_poll()
 * then returns LS_EINTR too when it waits on this socket.
 */
LS_API int ls_set_interruptible(ls_socket s, int interruptible);

/*
 * A connected pair of sockets. family: LS_AF_UNSPEC (the best the OS has),
 * LS_AF_UNIX, LS_AF_INET or LS_AF_INET6; type: LS_SOCK_STREAM or
 * LS_SOCK_DGRAM. Where AF_UNIX pairs do not exist (Windows), a loopback TCP
 * or UDP pair is built and its peer authenticated, so no other process can
 * slip in.
 */
LS_API int ls_socketpair(int family, int type, ls_socket out[2]);

#ifdef __cplusplus
}
#endif

#endif /* LIBSOCK_SOCKET_H */
