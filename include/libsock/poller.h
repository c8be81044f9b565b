/*
 * libsock/poller.h - a readiness poller whose cost does not grow with idle
 * sockets: register sockets once, then wait for the few that are ready.
 *
 * One API over epoll (Linux), kqueue (macOS, BSD), the AFD poll driver
 * (Windows) and a portable backend on poll()/WSAPoll. The semantics are the
 * same on every backend:
 *
 * - Events asked for: LS_POLLIN, LS_POLLOUT, LS_POLLRDHUP. LS_POLLERR and
 *   LS_POLLHUP are always reported. A connect that fails is LS_POLLERR (read
 *   LS_OPT_ERROR to learn why) on every OS. LS_POLLNVAL: the OS socket of an
 *   adopted handle was closed behind libsock's back (ls_socket_adopt, then
 *   the fd closed by its owner); the portable backend reports it on every
 *   wait until the handle is removed, the kernel backends forget such a
 *   socket silently.
 * - LS_POLLIN: data to read, a connection to accept, or the end of the
 *   stream (a recv would return 0). LS_POLLRDHUP: the peer shut down its
 *   sending side (it comes with LS_POLLIN). LS_POLLHUP: the connection is
 *   gone in both directions (reset, or both sides shut down).
 * - Modes: LS_POLLER_LEVEL reports a socket for as long as it is ready.
 *   LS_POLLER_ONESHOT reports it once, then disarms it until ls_poller_mod()
 *   re-arms it. LS_POLLER_EDGE reports a change of readiness once; it exists
 *   only where the OS has it natively (epoll, kqueue): elsewhere it is
 *   LS_ENOTSUP, never an emulation.
 *
 * Thread rules:
 * - One thread at a time calls ls_poller_wait() on a poller.
 * - ls_poller_add(), ls_poller_mod(), ls_poller_del() and ls_poller_wakeup()
 *   may be called from any thread, also while another thread waits; a change
 *   applies to the wait in progress.
 * - Closing a registered socket (ls_close, ls_abort, ls_socket_detach)
 *   removes it from every poller. Once the close has returned, no wait
 *   reports an event for that handle, even if the OS reuses its descriptor
 *   number for a new socket. An event a wait has already returned is the
 *   caller's to discard (compare the handle it carries).
 * - ls_poller_destroy() must not race with any other call on that poller.
 *
 * A socket may be registered in several pollers at once.
 */
#ifndef LIBSOCK_POLLER_H
#define LIBSOCK_POLLER_H

#include <stddef.h>
#include <stdint.h>

#include "libsock/export.h"
#include "libsock/poll.h"
#include "libsock/socket.h"

/* The peer shut down its sending side (asked for; poller only). */
#define LS_POLLRDHUP 0x20

/* Modes for ls_poller_add() / ls_poller_mod(). */
#define LS_POLLER_LEVEL   0
#define LS_POLLER_ONESHOT 1
#define LS_POLLER_EDGE    2

/*
 * Flags for ls_poller_create(). LS_POLLER_PORTABLE forces the portable
 * poll()/WSAPoll backend, as LIBSOCK_POLLER=poll in the environment does.
 */
#define LS_POLLER_PORTABLE 0x01

typedef struct ls_poller ls_poller;

typedef struct ls_event {
	ls_socket sock; /* the registered handle */
	int events;     /* LS_POLLIN | LS_POLLOUT | LS_POLLRDHUP | LS_POLLERR | LS_POLLHUP */
	uint64_t user;  /* the value given to ls_poller_add / ls_poller_mod */
} ls_event;

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Create a poller with the OS's native backend, or the portable one when
 * flags has LS_POLLER_PORTABLE or the environment has LIBSOCK_POLLER=poll
 * (LIBSOCK_POLLER=native, or unset, picks the native one; Windows falls back
 * to WSAPoll when the AFD driver cannot be opened). Errors: LS_EINVAL (NULL
 * out, unknown flag bits or an unknown LIBSOCK_POLLER value), LS_ENOMEM,
 * LS_EMFILE, or the OS's error.
 */
LS_API int ls_poller_create(ls_poller **out, int flags);

/* Free the poller. Registered sockets stay open. NULL is ignored. */
LS_API void ls_poller_destroy(ls_poller *p);

/* "epoll", "kqueue", "afd", "wsapoll" or "poll"; "" for NULL. */
LS_API const char *ls_poller_backend(const ls_poller *p);

/*
 * Watch s for events (a mix of LS_POLLIN, LS_POLLOUT, LS_POLLRDHUP; 0 watches
 * only for errors and hang-ups) in mode, reporting user with each event.
 * Errors: LS_EINVAL (NULL poller, unknown event bits or mode), LS_EBADF
 * (closed or invalid handle), LS_EEXIST (already registered in this poller),
 * LS_ENOTSUP (LS_POLLER_EDGE on a backend without native edge triggering).
 */
LS_API int ls_poller_add(ls_poller *p, ls_socket s, int events, int mode, uint64_t user);

/*
 * Change what s is watched for (and re-arm a one-shot registration).
 * Errors as ls_poller_add, and LS_ENOENT when s is not registered.
 */
LS_API int ls_poller_mod(ls_poller *p, ls_socket s, int events, int mode, uint64_t user);

/*
 * Stop watching s. Errors: LS_EINVAL (NULL poller), LS_ENOENT (not
 * registered here), LS_EBADF (closed handle: closing already removed it).
 */
LS_API int ls_poller_del(ls_poller *p, ls_socket s);

/*
 * Wait up to timeout_ms (LS_TIMEOUT_BLOCK: forever; 0: just look) and fill
 * out with at most max events, one per socket. Returns the number of events,
 * 0 on timeout or after ls_poller_wakeup(), or an error: LS_EINVAL (NULL
 * poller, NULL out or max 0, timeout below LS_TIMEOUT_BLOCK). A signal is
 * retried against the deadline unless a registered socket is interruptible
 * (ls_set_interruptible): then the call returns LS_EINTR, as ls_poll does.
 * When more sockets are ready than max, later waits report the rest.
 */
LS_API int ls_poller_wait(ls_poller *p, ls_event *out, size_t max, int64_t timeout_ms);

/*
 * Make a wait in progress (or the next one) return early, from any thread.
 * Several wakeups before a wait collapse into one.
 */
LS_API int ls_poller_wakeup(ls_poller *p);

#ifdef __cplusplus
}
#endif

#endif /* LIBSOCK_POLLER_H */
