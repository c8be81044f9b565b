/*
 * libsock/poll.h - one-shot readiness over many sockets.
 */
#ifndef LIBSOCK_POLL_H
#define LIBSOCK_POLL_H

#include <stddef.h>
#include <stdint.h>

#include "libsock/export.h"
#include "libsock/socket.h"

/* Events: ask for IN and OUT; ERR, HUP and NVAL are always reported. */
#define LS_POLLIN 0x01   /* readable, or a connection to accept */
#define LS_POLLOUT 0x02  /* writable, or a connect finished */
#define LS_POLLERR 0x04  /* an error is pending (read LS_OPT_ERROR) */
#define LS_POLLHUP 0x08  /* the peer hung up */
#define LS_POLLNVAL 0x10 /* the handle is bad or closed */

typedef struct ls_pollfd {
	ls_socket sock;
	short events;
	short revents;
} ls_pollfd;

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Wait until at least one socket is ready or timeout_ms passes
 * (LS_TIMEOUT_BLOCK: forever; 0: just look). Returns how many entries have
 * nonzero revents, 0 on timeout, or an error. A bad handle in the array is
 * reported as LS_POLLNVAL in its entry, not as an error of the call. At most
 * 65536 entries a call. A connect that fails is reported as LS_POLLERR (and
 * LS_POLLOUT) on every OS, including Windows builds whose WSAPoll misses it.
 * A signal is retried against the deadline, unless one of the sockets is
 * interruptible (ls_set_interruptible): then the call returns LS_EINTR.
 */
LS_API int ls_poll(ls_pollfd *fds, size_t count, int64_t timeout_ms);

#ifdef __cplusplus
}
#endif

#endif /* LIBSOCK_POLL_H */
