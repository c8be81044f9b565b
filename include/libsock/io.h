/*
 * libsock/io.h - sending and receiving.
 *
 * Lengths in are size_t; results are a non-negative byte count or a negative
 * LS_E* error, as int64_t. A single call may transfer less than asked (the
 * OS limits one call; Windows takes at most INT_MAX bytes a call): the count
 * says how much. ls_sendall() loops until everything is sent.
 */
#ifndef LIBSOCK_IO_H
#define LIBSOCK_IO_H

#include <stddef.h>
#include <stdint.h>

#include "libsock/addr.h"
#include "libsock/export.h"
#include "libsock/socket.h"

/* Flags for the I/O calls. Unknown bits are LS_EINVAL. */
#define LS_MSG_PEEK 0x01     /* receive without removing the data */
#define LS_MSG_OOB 0x02      /* out-of-band data (TCP urgent) */
#define LS_MSG_DONTWAIT 0x04 /* this call only: do not block (LS_EAGAIN) */
#define LS_MSG_WAITALL 0x08  /* receive: wait for the full length */
/*
 * Receive on a datagram socket: accept a truncated datagram and return the
 * bytes stored. Without it a datagram longer than the buffer is LS_EMSGSIZE
 * on every OS (its first bytes are in the buffer, the rest is discarded).
 */
#define LS_MSG_TRUNC_OK 0x10

/* One buffer of a scatter/gather call. */
typedef struct ls_iovec {
	void *base;
	size_t len;
} ls_iovec;

/* The most buffers one scatter/gather call passes to the OS; more are ignored. */
#define LS_IOV_MAX 1024

#ifdef __cplusplus
extern "C" {
#endif

LS_API int64_t ls_send(ls_socket s, const void *buf, size_t len, int flags);
LS_API int64_t ls_recv(ls_socket s, void *buf, size_t len, int flags);

/* ls_recv() with LS_MSG_PEEK. */
LS_API int64_t ls_peek(ls_socket s, void *buf, size_t len);

/*
 * Send all len bytes, looping over partial writes, within one overall
 * deadline (the socket's timeout). Returns 0 or an error; *sent (may be
 * NULL) receives the bytes sent either way.
 */
LS_API int ls_sendall(ls_socket s, const void *buf, size_t len, int flags,
                      size_t *sent);

/* Datagrams (or stream data) to/from an address. from may be NULL. */
LS_API int64_t ls_sendto(ls_socket s, const void *buf, size_t len, int flags,
                         const ls_addr *to);
LS_API int64_t ls_recvfrom(ls_socket s, void *buf, size_t len, int flags,
                           ls_addr *from);

/*
 * Scatter/gather over count buffers (at most LS_IOV_MAX are used in one
 * call). A NULL base with a nonzero len is LS_EINVAL.
 */
LS_API int64_t ls_sendv(ls_socket s, const ls_iovec *iov, size_t count, int flags);
LS_API int64_t ls_recvv(ls_socket s, const ls_iovec *iov, size_t count, int flags);

#ifdef __cplusplus
}
#endif

#endif /* LIBSOCK_IO_H */
