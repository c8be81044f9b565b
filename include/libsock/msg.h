/*
 * libsock/msg.h - message calls: scatter/gather with an address and
 * per-datagram information (ancillary data) in portable form, and passing
 * sockets between processes over Unix sockets.
 *
 * What a datagram can carry (ls_msginfo, LS_MI_* bits in `valid`):
 * - LS_MI_DST: receive: the address the datagram was sent to (its
 *   destination: a unicast, broadcast or multicast address of this host);
 *   send: the source address to send from.
 * - LS_MI_IFINDEX: receive: the interface it arrived on; send: the
 *   interface to send from.
 * - LS_MI_TCLASS: the IPv4 TOS byte or the IPv6 traffic class: the DSCP in
 *   the high six bits, the ECN codepoint (LS_ECN_*) in the low two.
 * - LS_MI_HOPS: receive: the TTL (IPv4) or hop limit (IPv6) it arrived with;
 *   send: the TTL / hop limit of this datagram only.
 * - LS_MI_SEGMENT (UDP segmentation offload, Linux): send: the data is cut
 *   into datagrams of `segment` bytes each (the last may be shorter) by the
 *   kernel (UDP_SEGMENT); receive: with ls_set_recvinfo(LS_MI_SEGMENT) the
 *   kernel may coalesce datagrams of one flow into one buffer (UDP_GRO), and
 *   `segment` says how long each of them was. LS_ENOTSUP where the kernel
 *   has no segmentation offload.
 * A receive reports only what ls_set_recvinfo() asked the OS for; a field the
 * OS did not deliver is left out of `valid` (never guessed). A send with a
 * field the OS cannot set per datagram fails with LS_ENOTSUP, and nothing is
 * sent.
 *
 * Truncation is never silent: a datagram longer than the buffers is
 * LS_EMSGSIZE unless LS_MSG_TRUNC_OK is passed (then LS_MSGF_TRUNC is set in
 * ls_msg.flags); ancillary data that did not fit (more sockets than
 * socks_cap) sets LS_MSGF_CTRUNC, and the sockets that did not fit are
 * closed by the OS.
 */
#ifndef LIBSOCK_MSG_H
#define LIBSOCK_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "libsock/addr.h"
#include "libsock/export.h"
#include "libsock/io.h"
#include "libsock/socket.h"

/* ls_msginfo.valid bits, and the bits ls_set_recvinfo() takes. */
#define LS_MI_DST     0x01
#define LS_MI_IFINDEX 0x02
#define LS_MI_TCLASS  0x04
#define LS_MI_HOPS    0x08
#define LS_MI_SEGMENT 0x10
#define LS_MI_ALL     (LS_MI_DST | LS_MI_IFINDEX | LS_MI_TCLASS | LS_MI_HOPS | LS_MI_SEGMENT)

/* ECN codepoints: the low two bits of tclass (RFC 3168). */
#define LS_ECN_NOT_ECT 0
#define LS_ECN_ECT1    1
#define LS_ECN_ECT0    2
#define LS_ECN_CE      3

typedef struct ls_msginfo {
	unsigned valid;   /* LS_MI_* */
	ls_addr dst;      /* LS_MI_DST (the port is 0) */
	uint32_t ifindex; /* LS_MI_IFINDEX */
	int tclass;       /* LS_MI_TCLASS: 0..255 */
	int hops;         /* LS_MI_HOPS: 0..255 */
	uint32_t segment; /* LS_MI_SEGMENT: 1..65535 bytes */
} ls_msginfo;

/* ls_msg.flags, set by the calls. */
#define LS_MSGF_TRUNC  0x01 /* the datagram was cut to the buffers' size */
#define LS_MSGF_CTRUNC 0x02 /* ancillary data was cut: sockets or info lost */

/* The most sockets one message passes. */
#define LS_MSG_SOCKS_MAX 64

typedef struct ls_msg {
	const ls_iovec *iov;
	size_t iovcnt; /* at most LS_IOV_MAX are used */
	ls_addr
	    *addr; /* send: destination (NULL when connected); recv: source (NULL: not wanted) */
	ls_msginfo *info; /* send: per-datagram settings; recv: filled in (NULL: none) */
	ls_socket *socks; /* sockets passed over a Unix socket */
	size_t nsocks;    /* send: how many to pass; recv: how many arrived */
	size_t socks_cap; /* recv: room in socks (at most LS_MSG_SOCKS_MAX) */
	int flags;        /* out: LS_MSGF_* */
} ls_msg;

/* One message of a batch, and the bytes it moved. */
typedef struct ls_mmsg {
	ls_msg msg;
	size_t len; /* out */
} ls_mmsg;

/* The most messages one batch call takes. */
#define LS_MMSG_MAX 1024

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Send one message. Flags as ls_send(). Returns the bytes sent or an error:
 * LS_EINVAL (NULL m, a NULL base with a nonzero length, unknown flags,
 * info fields out of range, more than LS_MSG_SOCKS_MAX sockets), LS_EBADF
 * (a closed socket in socks), LS_EAFNOSUPPORT (addr or info->dst of another
 * family; sockets passed on a socket that is not LS_AF_UNIX), LS_ENOTSUP
 * (an info field this OS cannot set per datagram), or the OS's error.
 * Passed sockets stay open in the sender.
 */
LS_API int64_t ls_sendmsg(ls_socket s, ls_msg *m, int flags);

/*
 * Receive one message. Flags as ls_recv(). Returns the bytes received (0 at
 * the end of a stream) or an error. Sockets that arrive become new handles
 * in socks (the caller closes them), blocking, not inheritable.
 */
LS_API int64_t ls_recvmsg(ls_socket s, ls_msg *m, int flags);

/*
 * Ask the OS to report the given LS_MI_* fields with every datagram the
 * socket receives (IP_PKTINFO, IP_RECVTOS, IP_RECVTTL and their IPv6
 * counterparts); 0 turns them all off. LS_EPROTOTYPE on a socket that is not
 * UDP, LS_EINVAL for unknown bits, LS_ENOTSUP when the OS cannot report one
 * of them (the others are then left as they were).
 */
LS_API int ls_set_recvinfo(ls_socket s, unsigned what);

/*
 * Send up to count messages (at most LS_MMSG_MAX) in as few system calls as
 * the OS allows: sendmmsg on Linux, one ls_sendmsg each elsewhere, with the
 * same results. Returns how many were sent (each msgs[i].len says how many
 * bytes), or an error if the first could not be sent; it waits (per the
 * socket's timeout) only for the first. A message whose fields are invalid
 * fails the whole call before anything is sent.
 */
LS_API int ls_sendmmsg(ls_socket s, ls_mmsg *msgs, size_t count, int flags);

/*
 * Receive up to count messages: waits (per the socket's timeout) for the
 * first, then takes only what is already queued. Returns how many arrived,
 * or an error if none did. Truncation is reported per message
 * (LS_MSGF_TRUNC in msgs[i].msg.flags) and never fails the call, as if
 * LS_MSG_TRUNC_OK were given. Passing sockets is not done in batches.
 */
LS_API int ls_recvmmsg(ls_socket s, ls_mmsg *msgs, size_t count, int flags);
LS_API int ls_get_recvinfo(ls_socket s, unsigned *what);

#ifdef __cplusplus
}
#endif

#endif /* LIBSOCK_MSG_H */
