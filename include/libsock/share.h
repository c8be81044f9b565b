/*
 * libsock/share.h - spreading load over processes: listeners that share a
 * port with the kernel balancing connections among them, and handing a
 * socket to another process.
 *
 * Balancing (ls_listener_share): several sockets, in one process or many,
 * bind the same address and port, and the kernel spreads new connections
 * (TCP) or datagrams (UDP) over them by a hash of the 4-tuple.
 * - Linux: SO_REUSEPORT. Every socket of the group must be marked before
 *   it binds, and all must belong to the same effective user (the kernel's
 *   guard against another user taking over the port). LS_SHARE_CPU, given
 *   once to any member after it is bound, adds a steering program
 *   (SO_ATTACH_REUSEPORT_CBPF) to the whole group: a connection goes to the
 *   socket whose place in the group (in the order they joined) equals the
 *   CPU that received it; CPUs beyond the group fall back to the hash.
 * - FreeBSD 12+: SO_REUSEPORT_LB, the same balancing; LS_SHARE_CPU is
 *   LS_ENOTSUP.
 * - macOS and Windows: LS_ENOTSUP. macOS's SO_REUSEPORT lets duplicate
 *   binds succeed but hands every connection to one of the sockets, so it
 *   does not balance; Windows' SO_REUSEADDR lets any process bind over an
 *   active port and take its traffic (a hijack, not a balance). There,
 *   share one listener between processes instead (handing it over below):
 *   all of them accept from its one queue.
 * LS_OPT_REUSEPORT (options.h) is not this: it passes each OS's own
 * SO_REUSEPORT through, balancing or not. ls_listener_share() promises
 * balancing or fails.
 *
 * Handing a socket over: the receiving process gets its own handle on the
 * same OS socket (a listener's one accept queue, a connection's one byte
 * stream); each side closes its handle independently, and the socket lives
 * on until the last one is closed. The processes share the socket's
 * OS-level state, among it the non-blocking mode libsock switches for
 * timeouts: a shared listener is best used the same way (blocking, or with
 * a poller) in every process.
 * - ls_socket_send_to_process / ls_socket_receive_from_process work on
 *   every OS over a connected stream socket, the channel: on POSIX a Unix
 *   socket carrying the descriptor (SCM_RIGHTS); on Windows any stream
 *   socket (a loopback TCP connection, AF_UNIX) carrying the bytes
 *   WSADuplicateSocketW made for the target process.
 * - ls_socket_export / ls_socket_import turn the socket into bytes the
 *   caller carries any way it likes (a pipe, a file, a command line): on
 *   Windows only. POSIX cannot put a descriptor into bytes (it travels
 *   only as ancillary data of a Unix socket), so export is LS_ENOTSUP
 *   there: use the channel calls.
 * Data that does not come from a matching call (corrupt, truncated, too
 * long, for another process, imported twice) is refused with LS_EINVAL
 * (import) or LS_EPROTO (channel), never trusted. The bytes are not a
 * secret or a capability check, though: accept them only from a channel
 * you trust, as you would a descriptor.
 */
#ifndef LIBSOCK_SHARE_H
#define LIBSOCK_SHARE_H

#include <stddef.h>

#include "libsock/export.h"
#include "libsock/socket.h"

/* ls_listener_share() flags. */
#define LS_SHARE_CPU 0x01 /* steer by the receiving CPU (Linux) */

/* The most bytes ls_socket_export() writes. */
#define LS_SOCKET_EXPORT_MAX 1024

#ifdef __cplusplus
extern "C" {
#endif

/*
 * flags 0: mark an IPv4 or IPv6 socket (TCP or UDP) that is not bound yet
 * as a member of a balanced group: every socket so marked that binds the
 * same address and port gets a share of the connections.
 * LS_SHARE_CPU: on a member that is bound (listening), steer the whole
 * group by CPU (Linux). Giving it before the bind would make the socket a
 * group of its own on Linux, which cannot then bind the group's port.
 * LS_ENOTSUP where the OS does not balance or steer (see above); LS_EINVAL
 * for unknown flags, flags 0 on a bound socket, LS_SHARE_CPU on an unbound
 * one or one outside any group; LS_EAFNOSUPPORT for a Unix socket.
 */
LS_API int ls_listener_share(ls_socket s, int flags);

/*
 * Write into buf (size bytes) what process target_pid needs to import the
 * socket, and its length into *len. LS_ENOSPC (and *len the length needed)
 * if size is too small; LS_SOCKET_EXPORT_MAX always suffices. LS_ENOTSUP on
 * POSIX. The socket stays open here. On Windows the target process gets a
 * handle at once, which stays open there until imported (or the process
 * ends): export only to a process that will import.
 */
LS_API int ls_socket_export(ls_socket s, long target_pid, void *buf, size_t size, size_t *len);

/*
 * Import what ls_socket_export() wrote for this process: *out is a new
 * handle, blocking as far as libsock is concerned (the OS mode is left as
 * the exporter had it; libsock copes with either). LS_EINVAL for bytes
 * that are corrupt, truncated, longer than what export wrote, meant for
 * another process, or already imported; LS_ENOTSUP on POSIX.
 */
LS_API int ls_socket_import(ls_socket *out, const void *buf, size_t len);

/*
 * Hand s to the process at the other end of channel, a connected stream
 * socket (on POSIX an LS_AF_UNIX one, else LS_EAFNOSUPPORT). target_pid is
 * that process's id: Windows needs it to duplicate the socket; POSIX
 * ignores it (0 is fine). Waits as the channel's timeout says. s stays
 * open here.
 */
LS_API int ls_socket_send_to_process(ls_socket channel, ls_socket s, long target_pid);

/*
 * Receive a socket that ls_socket_send_to_process() sent over channel: *out
 * is a new handle as from ls_socket_import(). LS_EPROTO if the peer sent
 * anything else or closed the channel in the middle (what arrived is
 * closed, nothing leaks).
 */
LS_API int ls_socket_receive_from_process(ls_socket channel, ls_socket *out);

/* This process's id (getpid, GetCurrentProcessId), for the calls above. */
LS_API long ls_process_id(void);

#ifdef __cplusplus
}
#endif

#endif /* LIBSOCK_SHARE_H */
