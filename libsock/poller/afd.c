/*
 * afd.c - the native poller backend on Windows: the AFD poll driver over an
 * I/O completion port, the design wepoll and mio use.
 *
 * Winsock has no epoll, but AFD, the kernel driver behind every socket,
 * takes an asynchronous poll request (IOCTL_AFD_POLL) that completes once
 * one of the events it names happens. The request is issued on a handle to
 * the AFD device itself, not on the socket, and that handle is associated
 * with a completion port: one GetQueuedCompletionStatusEx then waits for
 * any number of sockets, at a cost that does not grow with idle ones.
 *
 * Each registration keeps exactly one request in flight, in a per-socket
 * state that goes IDLE -> PENDING (submitted) -> IDLE (its completion was
 * dequeued), or PENDING -> CANCELLED -> IDLE when the interest changed or
 * the socket was removed. The driver writes the state's IO_STATUS_BLOCK and
 * AFD_POLL_INFO when the request completes, so a state is freed only once
 * its completion has been dequeued: del cancels and leaves the state to the
 * wait, and close cancels and drains the port.
 *
 * A request completes once. To report a socket for as long as it is ready
 * (level-triggered), the state is polled again at the start of the next
 * wait, after the caller had the chance to read or write: a socket still
 * ready completes again at once. A one-shot registration is not polled
 * again until ls_poller_mod() re-arms it. AFD has no edge triggering.
 *
 * Under wine (8.0) AFD poll works as on Windows, with two differences seen:
 * a cancelled request comes back with STATUS_CANCELLED but its events field
 * still holds the events asked for (so the status is looked at first), and
 * wine's server spends time per outstanding request on every socket event,
 * so ten thousand registrations cost seconds there, not on Windows.
 *
 * Locking: common code calls add, mod and del with p->lock held; they and
 * the wait's processing of completions take b->lock (always in that order).
 * GetQueuedCompletionStatusEx itself runs with no lock held.
 */
#include <stddef.h>
#include <stdlib.h>

#include "win32.h"
/* After win32.h: winternl.h needs windows.h first. */
#include <winternl.h>

#include "poller/backend.h"

/* --- The AFD interface (undocumented; the layout wepoll and mio use) ------ */

#define LSI_IOCTL_AFD_POLL 0x00012024

#define LSI_AFD_RECEIVE      0x0001
#define LSI_AFD_SEND         0x0004
#define LSI_AFD_DISCONNECT   0x0008 /* the peer's FIN */
#define LSI_AFD_ABORT        0x0010 /* reset, or the connection is gone */
#define LSI_AFD_LOCAL_CLOSE  0x0020
#define LSI_AFD_ACCEPT       0x0080
#define LSI_AFD_CONNECT_FAIL 0x0100

/* Asked for whatever the caller's interest: errors, resets and closes. */
#define LSI_AFD_ALWAYS (LSI_AFD_ABORT | LSI_AFD_CONNECT_FAIL | LSI_AFD_LOCAL_CLOSE)

#define LSI_NT_SUCCESS   ((LONG)0x00000000L)
#define LSI_NT_PENDING   ((LONG)0x00000103L)
#define LSI_NT_CANCELLED ((LONG)0xC0000120L)
#define LSI_NT_NOT_FOUND ((LONG)0xC0000225L)

/* AFD_POLL_HANDLE_INFO and AFD_POLL_INFO, with one handle. */
typedef struct lsi_afd_handle_info {
	HANDLE handle;
	ULONG events;
	LONG status;
} lsi_afd_handle_info;

typedef struct lsi_afd_poll_info {
	LARGE_INTEGER timeout;
	ULONG count;
	ULONG exclusive;
	lsi_afd_handle_info handles[1];
} lsi_afd_poll_info;

typedef LONG(NTAPI *lsi_nt_create_file_fn)(HANDLE *, ACCESS_MASK, OBJECT_ATTRIBUTES *,
                                           IO_STATUS_BLOCK *, LARGE_INTEGER *, ULONG, ULONG, ULONG,
                                           ULONG, void *, ULONG);
typedef LONG(NTAPI *lsi_nt_ioctl_fn)(HANDLE, HANDLE, void *, void *, IO_STATUS_BLOCK *, ULONG,
                                     void *, ULONG, void *, ULONG);
typedef LONG(NTAPI *lsi_nt_cancel_fn)(HANDLE, IO_STATUS_BLOCK *, IO_STATUS_BLOCK *);

/* Completion keys: the AFD handle's requests, and ls_poller_wakeup(). */
#define LSI_AFD_KEY_POLL ((ULONG_PTR)1)
#define LSI_AFD_KEY_WAKE ((ULONG_PTR)2)

/* How long close waits for cancelled requests to come back. */
#define LSI_AFD_DRAIN_MS 2000
/* Completions dequeued per call from the stack when max is small. */
#define LSI_AFD_STACK 64
/* Extra rounds a zero-timeout wait makes after only cancellations came. */
#define LSI_AFD_ZERO_ROUNDS 4

enum lsi_afd_status { LSI_AFD_IDLE, LSI_AFD_PENDING, LSI_AFD_CANCELLED };

typedef struct lsi_afd_sock {
	IO_STATUS_BLOCK iosb;   /* written by the driver while PENDING/CANCELLED */
	lsi_afd_poll_info info; /* likewise */
	ls_socket key;
	SOCKET base; /* the base provider's socket, which AFD knows */
	int events;  /* LS_POLL* asked for */
	int stream;  /* nonzero for a stream socket */
	int oneshot;
	int armed;    /* 0 once a one-shot registration has fired */
	int closed;   /* AFD saw the socket closed: never poll it again */
	int fin_seen; /* the peer's FIN was seen (by AFD or a peek) */
	int deleted;  /* del ran: free once no request is in flight */
	int queued;   /* in the re-poll queue */
	enum lsi_afd_status status;
	ULONG mask;                       /* the AFD events of the request in flight */
	struct lsi_afd_sock *prev, *next; /* in the re-poll queue */
} lsi_afd_sock;

typedef struct lsi_afd {
	HANDLE port;
	HANDLE afd;
	lsi_mutex *lock;     /* guards every state, the queue and outstanding */
	lsi_afd_sock *queue; /* to poll again at the start of the next wait */
	size_t outstanding;  /* requests submitted whose completion is not dequeued */
	_Atomic int wake_pending;
	lsi_nt_create_file_fn create_file;
	lsi_nt_ioctl_fn ioctl;
	lsi_nt_cancel_fn cancel;
} lsi_afd;

/* --- Requests (b->lock held) ----------------------------------------------- */

/* Nonzero if this side has shut down its sending direction. */
static int lsi_afd_shut_wr(ls_socket key)
{
	lsi_sock *sk;
	int shut;

	if (lsi_sock_acquire(key, &sk) != 0)
		return 0;
	shut = (atomic_load(&sk->flags) & LSI_SF_SHUT_WR) != 0;
	lsi_sock_release(sk);
	return shut;
}

/*
 * The AFD events to ask for. A stream socket also watches the peer's FIN
 * whatever was asked, since with this side shut down too it is the
 * LS_POLLHUP every caller gets; once a FIN was seen while this side could
 * still send, watching it would only complete at once again and again.
 */
static ULONG lsi_afd_mask(const lsi_afd_sock *s)
{
	ULONG m = LSI_AFD_ALWAYS;

	if (s->events & LS_POLLIN)
		m |= LSI_AFD_RECEIVE | LSI_AFD_ACCEPT | LSI_AFD_DISCONNECT;
	if (s->events & LS_POLLRDHUP)
		m |= LSI_AFD_DISCONNECT;
	if (s->events & LS_POLLOUT)
		m |= LSI_AFD_SEND;
	if (s->stream && (!s->fin_seen || lsi_afd_shut_wr(s->key)))
		m |= LSI_AFD_DISCONNECT;
	return m;
}

static void lsi_afd_enqueue(lsi_afd *b, lsi_afd_sock *s)
{
	if (s->queued)
		return;
	s->prev = NULL;
	s->next = b->queue;
	if (b->queue != NULL)
		b->queue->prev = s;
	b->queue = s;
	s->queued = 1;
}

static void lsi_afd_unqueue(lsi_afd *b, lsi_afd_sock *s)
{
	if (!s->queued)
		return;
	if (s->prev != NULL)
		s->prev->next = s->next;
	else
		b->queue = s->next;
	if (s->next != NULL)
		s->next->prev = s->prev;
	s->queued = 0;
}

/*
 * Issue the state's poll request. Success or STATUS_PENDING both mean a
 * completion will be queued on the port (the AFD handle does not skip the
 * port on success); an error status means none will.
 */
static int lsi_afd_submit(lsi_afd *b, lsi_afd_sock *s)
{
	LONG st;

	s->mask = lsi_afd_mask(s);
	s->info.timeout.QuadPart = INT64_MAX;
	s->info.count = 1;
	s->info.exclusive = FALSE;
	s->info.handles[0].handle = (HANDLE)s->base;
	s->info.handles[0].events = s->mask;
	s->info.handles[0].status = 0;
	s->iosb.Status = LSI_NT_PENDING;
	st = b->ioctl(b->afd, NULL, NULL, &s->iosb, &s->iosb, LSI_IOCTL_AFD_POLL, &s->info,
	              sizeof(s->info), &s->info, sizeof(s->info));
	if (st < 0)
		return lsi_win_nt_error(st);
	s->status = LSI_AFD_PENDING;
	b->outstanding++;
	return 0;
}

/*
 * Ask for the request in flight to complete now. STATUS_NOT_FOUND means it
 * has completed already and its completion is on its way; any other
 * failure leaves a request that completes on its own later (at the latest
 * when the socket is closed). Either way the state waits for it.
 */
static void lsi_afd_cancel(lsi_afd *b, lsi_afd_sock *s)
{
	IO_STATUS_BLOCK ignored;

	if (s->status != LSI_AFD_PENDING)
		return;
	b->cancel(b->afd, &s->iosb, &ignored);
	s->status = LSI_AFD_CANCELLED;
}

/* Whether the socket should have a request in flight, and with what mask. */
static int lsi_afd_wanted(const lsi_afd_sock *s)
{
	return s->armed && !s->closed && !s->deleted;
}

/*
 * Bring the request in flight in line with the interest: cancel one that
 * asks for the wrong events (its completion queues the state again), or
 * submit one if none is in flight.
 */
static int lsi_afd_update(lsi_afd *b, lsi_afd_sock *s)
{
	if (s->status == LSI_AFD_PENDING) {
		if (!lsi_afd_wanted(s) || s->mask != lsi_afd_mask(s))
			lsi_afd_cancel(b, s);
		return 0;
	}
	if (s->status == LSI_AFD_CANCELLED)
		return 0;
	lsi_afd_unqueue(b, s);
	return lsi_afd_wanted(s) ? lsi_afd_submit(b, s) : 0;
}

/* --- Events ----------------------------------------------------------------- */

/*
 * How this side's stream socket stands now: shut down for sending, and (if
 * peek) at the end of the stream. The socket is held meanwhile, so its OS
 * handle cannot be closed and reused under the peek.
 */
static void lsi_afd_look(const lsi_afd_sock *s, int peek, int *shut_wr, int *eof)
{
	lsi_sock *sk;
	char c;

	*shut_wr = 0;
	*eof = 0;
	if (lsi_sock_acquire(s->key, &sk) != 0)
		return;
	*shut_wr = (atomic_load(&sk->flags) & LSI_SF_SHUT_WR) != 0;
	if (peek)
		*eof = lsi_plat_recv(sk->fd, &c, 1, LS_MSG_PEEK | LS_MSG_DONTWAIT) == 0;
	lsi_sock_release(sk);
}

/*
 * The peer's FIN, seen by AFD or found by a peek: LS_POLLIN | LS_POLLRDHUP,
 * and gone both ways (LS_POLLHUP) once this side has shut down too.
 *
 * A completion tells what was true when it completed, which may be well
 * before the wait dequeues it: data that arrived before the FIN completes
 * the request with RECEIVE alone, and the FIN then goes unseen. So when
 * LS_POLLRDHUP is asked for, a RECEIVE is checked with a peek.
 */
static int lsi_afd_fin(lsi_afd_sock *s, ULONG afd)
{
	int peek, shut_wr, eof;

	if (!s->stream || !(afd & (LSI_AFD_RECEIVE | LSI_AFD_DISCONNECT)))
		return 0;
	peek = !(afd & LSI_AFD_DISCONNECT) && (s->events & LS_POLLRDHUP);
	if (!peek && !(afd & LSI_AFD_DISCONNECT))
		return 0;
	lsi_afd_look(s, peek, &shut_wr, &eof);
	if (!(afd & LSI_AFD_DISCONNECT) && !eof)
		return 0;
	s->fin_seen = 1;
	return LS_POLLIN | LS_POLLRDHUP | (shut_wr ? LS_POLLHUP : 0);
}

static int lsi_afd_events(lsi_afd_sock *s, ULONG afd)
{
	int ev = lsi_afd_fin(s, afd);

	if (afd & (LSI_AFD_RECEIVE | LSI_AFD_ACCEPT))
		ev |= LS_POLLIN;
	if (afd & LSI_AFD_SEND)
		ev |= LS_POLLOUT;
	/* A reset: nothing moves either way any more, and recv would fail. */
	if (afd & LSI_AFD_ABORT)
		ev |= LS_POLLHUP | LS_POLLERR;
	/* A failed connect is LS_POLLERR on every OS, with POLLOUT as POSIX. */
	if (afd & LSI_AFD_CONNECT_FAIL)
		ev |= LS_POLLERR | LS_POLLOUT;
	return ev;
}

/* What a dequeued request reports, masked to what the caller asked for. */
static int lsi_afd_result(lsi_afd_sock *s)
{
	LONG st = s->iosb.Status;
	ULONG afd;

	if (st == LSI_NT_CANCELLED)
		return 0;
	/* The request itself failed: the socket cannot be watched. */
	if (st < 0)
		return LS_POLLERR;
	if (s->info.count < 1)
		return 0;
	afd = s->info.handles[0].events;
	/*
	 * The OS socket was closed behind libsock's back (libsock removes a
	 * socket before closing it): its handle may be reused, so it is
	 * never polled again.
	 */
	if (afd & LSI_AFD_LOCAL_CLOSE) {
		s->closed = 1;
		return 0;
	}
	return lsi_afd_events(s, afd) & (s->events | LS_POLLERR | LS_POLLHUP);
}

/*
 * A state whose completion was dequeued: free it if it was deleted, else
 * report what happened and queue it to be polled again, unless it is a
 * one-shot registration that has just fired.
 */
static int lsi_afd_complete(lsi_afd *b, lsi_afd_sock *s)
{
	int ev;

	b->outstanding--;
	s->status = LSI_AFD_IDLE;
	if (s->deleted) {
		free(s);
		return 0;
	}
	ev = s->armed ? lsi_afd_result(s) : 0;
	if (ev != 0 && s->oneshot)
		s->armed = 0;
	if (lsi_afd_wanted(s))
		lsi_afd_enqueue(b, s);
	return ev;
}

static lsi_afd_sock *lsi_afd_from_iosb(OVERLAPPED *ov)
{
	return (lsi_afd_sock *)((char *)ov - offsetof(lsi_afd_sock, iosb));
}

/* --- Opening and closing ------------------------------------------------------- */

static int lsi_afd_load(lsi_afd *b)
{
	HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");

	if (ntdll == NULL)
		return lsi_fail(LS_ENOTSUP);
	b->create_file =
	    (lsi_nt_create_file_fn)(void (*)(void))GetProcAddress(ntdll, "NtCreateFile");
	b->ioctl = (lsi_nt_ioctl_fn)(void (*)(void))GetProcAddress(ntdll, "NtDeviceIoControlFile");
	b->cancel = (lsi_nt_cancel_fn)(void (*)(void))GetProcAddress(ntdll, "NtCancelIoFileEx");
	if (b->create_file == NULL || b->ioctl == NULL || b->cancel == NULL)
		return lsi_fail(LS_ENOTSUP);
	return 0;
}

/*
 * Open \Device\Afd\libsock: with no extended attributes the handle talks to
 * the driver but is no socket itself (the name after \Device\Afd\ is free).
 * A Windows or wine without it makes the caller fall back to WSAPoll.
 */
static int lsi_afd_open_device(lsi_afd *b)
{
	static WCHAR name[] = L"\\Device\\Afd\\libsock";
	UNICODE_STRING us = {
	    .Length = sizeof(name) - sizeof(WCHAR), .MaximumLength = sizeof(name), .Buffer = name};
	/* Named fields: mingw-w64 spells out the 64-bit padding as members. */
	OBJECT_ATTRIBUTES oa = {.Length = sizeof(oa), .ObjectName = &us};
	IO_STATUS_BLOCK iosb;
	LONG st;

	st = b->create_file(&b->afd, SYNCHRONIZE, &oa, &iosb, NULL, 0,
	                    FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN, 0, NULL, 0);
	if (st != LSI_NT_SUCCESS) {
		b->afd = NULL;
		lsi_win_nt_error(st);
		return LS_ENOTSUP;
	}
	return 0;
}

static int lsi_afd_open_port(lsi_afd *b)
{
	b->port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 1);
	if (b->port == NULL)
		return lsi_win_sys_error(GetLastError());
	if (CreateIoCompletionPort(b->afd, b->port, LSI_AFD_KEY_POLL, 0) == NULL)
		return lsi_win_sys_error(GetLastError());
	/*
	 * Nobody waits on the AFD handle itself, so signalling it on every
	 * completion is wasted work. Only an optimisation: failing is fine.
	 */
	SetFileCompletionNotificationModes(b->afd, FILE_SKIP_SET_EVENT_ON_HANDLE);
	return 0;
}

/* Dequeue completions until none is outstanding or the time is up. */
static void lsi_afd_drain(lsi_afd *b, int64_t timeout_ms)
{
	OVERLAPPED_ENTRY ents[LSI_AFD_STACK];
	int64_t deadline = lsi_deadline(timeout_ms), left;
	ULONG got, i;

	while (b->outstanding > 0) {
		left = lsi_remaining(deadline);
		if (left == 0 || !GetQueuedCompletionStatusEx(b->port, ents, LSI_AFD_STACK, &got,
		                                              (DWORD)left, FALSE))
			return;
		for (i = 0; i < got; i++) {
			if (ents[i].lpCompletionKey == LSI_AFD_KEY_POLL)
				lsi_afd_complete(b, lsi_afd_from_iosb(ents[i].lpOverlapped));
		}
	}
}

/*
 * Some AFD devices open but do not implement the poll request: wine before
 * 6.x did (mio issue #1444), and every socket then looked idle forever.
 * One request on a throw-away socket, cancelled at once, tells: a driver
 * without it rejects the request. The answer holds for the process.
 */
static _Atomic int lsi_afd_probed; /* 0 not yet, 1 works, -1 does not */

static int lsi_afd_probe(lsi_afd *b)
{
	lsi_afd_sock *s;
	lsi_fd fd;
	int rc;

	if (atomic_load(&lsi_afd_probed) != 0)
		return atomic_load(&lsi_afd_probed) > 0 ? 0 : lsi_fail(LS_ENOTSUP);
	/* Without a socket to try, the first registration will tell. */
	if (lsi_plat_socket(LS_AF_INET, LS_SOCK_DGRAM, 0, &fd) != 0)
		return 0;
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		lsi_plat_close(fd);
		return lsi_fail(LS_ENOMEM);
	}
	*s = (lsi_afd_sock){.base = (SOCKET)fd, .armed = 1, .deleted = 1};
	rc = lsi_afd_submit(b, s);
	if (rc == 0) {
		lsi_afd_cancel(b, s);
		lsi_afd_drain(b, LSI_AFD_DRAIN_MS);
	} else {
		free(s);
	}
	lsi_plat_close(fd);
	/* A request that never came back is left allocated, never freed. */
	if (rc == 0 && b->outstanding > 0)
		rc = LS_ENOTSUP;
	atomic_store(&lsi_afd_probed, rc == 0 ? 1 : -1);
	return rc == 0 ? 0 : lsi_fail(LS_ENOTSUP);
}

static void lsi_afd_free(lsi_afd *b)
{
	if (b->afd != NULL)
		CloseHandle(b->afd);
	if (b->port != NULL)
		CloseHandle(b->port);
	if (b->lock != NULL)
		lsi_plat_mutex_free(b->lock);
	free(b);
}

static int lsi_afd_open(ls_poller *p)
{
	lsi_afd *b = calloc(1, sizeof(*b));
	int rc;

	if (b == NULL)
		return lsi_fail(LS_ENOMEM);
	rc = lsi_plat_mutex_new(&b->lock);
	if (rc == 0)
		rc = lsi_afd_load(b);
	if (rc == 0)
		rc = lsi_afd_open_device(b);
	if (rc == 0)
		rc = lsi_afd_open_port(b);
	if (rc == 0)
		rc = lsi_afd_probe(b);
	if (rc != 0) {
		lsi_afd_free(b);
		return rc;
	}
	p->state = b;
	return 0;
}

/*
 * Common code has removed every registration, which cancelled every
 * request; their completions must be dequeued before the memory they point
 * to is freed. One that never comes back (a driver that ignores the
 * cancel) leaves its state allocated rather than freed under the driver.
 */
static void lsi_afd_close(ls_poller *p)
{
	lsi_afd *b = p->state;

	lsi_afd_drain(b, LSI_AFD_DRAIN_MS);
	lsi_afd_free(b);
}

/* --- add, mod, del (p->lock held) ------------------------------------------- */

static int lsi_afd_ioctl_base(SOCKET s, DWORD code, SOCKET *base)
{
	DWORD ret = 0;

	return lsi_win_wsaioctl(s, code, NULL, 0, base, sizeof(*base), &ret);
}

/*
 * AFD knows only the base provider's socket. A layered provider (LSP) may
 * hand out sockets of its own, and some break SIO_BASE_HANDLE on purpose
 * (mio issue #1314); the SIO_BSP_HANDLE* ioctls then still reach the layer
 * below, and a result other than the socket itself is what is wanted.
 */
static int lsi_afd_base(SOCKET s, SOCKET *base)
{
	static const DWORD alt[] = {SIO_BSP_HANDLE_SELECT, SIO_BSP_HANDLE_POLL, SIO_BSP_HANDLE};
	size_t i;
	int rc;

	if (lsi_afd_ioctl_base(s, SIO_BASE_HANDLE, base) != SOCKET_ERROR)
		return 0;
	rc = lsi_win_last_error();
	for (i = 0; i < sizeof(alt) / sizeof(alt[0]); i++) {
		if (lsi_afd_ioctl_base(s, alt[i], base) != SOCKET_ERROR && *base != s)
			return 0;
	}
	return rc;
}

static void lsi_afd_interest(lsi_afd_sock *s, const lsi_preg *r)
{
	s->events = r->events;
	s->oneshot = r->mode == LS_POLLER_ONESHOT;
	s->armed = 1;
}

static int lsi_afd_add(ls_poller *p, lsi_preg *r)
{
	lsi_afd *b = p->state;
	lsi_afd_sock *s;
	SOCKET base;
	int rc = lsi_afd_base(lsi_win_sock(r->fd), &base);

	if (rc != 0)
		return rc;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return lsi_fail(LS_ENOMEM);
	s->key = r->sock;
	s->base = base;
	s->stream = r->stream;
	lsi_afd_interest(s, r);
	lsi_plat_mutex_lock(b->lock);
	rc = lsi_afd_submit(b, s);
	lsi_plat_mutex_unlock(b->lock);
	if (rc != 0) {
		free(s);
		return rc;
	}
	r->bdata = s;
	return 0;
}

static int lsi_afd_mod(ls_poller *p, lsi_preg *r)
{
	lsi_afd *b = p->state;
	lsi_afd_sock *s = r->bdata, old;
	int rc;

	lsi_plat_mutex_lock(b->lock);
	old = *s;
	lsi_afd_interest(s, r);
	rc = lsi_afd_update(b, s);
	if (rc != 0) {
		/* Nothing is in flight: keep the old interest, retry at the wait. */
		s->events = old.events;
		s->oneshot = old.oneshot;
		s->armed = old.armed;
		if (lsi_afd_wanted(s))
			lsi_afd_enqueue(b, s);
	}
	lsi_plat_mutex_unlock(b->lock);
	return rc;
}

static void lsi_afd_del(ls_poller *p, lsi_preg *r)
{
	lsi_afd *b = p->state;
	lsi_afd_sock *s = r->bdata;

	lsi_plat_mutex_lock(b->lock);
	lsi_afd_unqueue(b, s);
	s->deleted = 1;
	lsi_afd_cancel(b, s);
	if (s->status == LSI_AFD_IDLE)
		free(s);
	lsi_plat_mutex_unlock(b->lock);
	r->bdata = NULL;
}

/* --- wait and wakeup --------------------------------------------------------- */

/*
 * Submit the queued states' requests again. One that cannot be submitted
 * is reported as LS_POLLERR (into out, up to max) and left unwatched until
 * ls_poller_mod().
 */
static int lsi_afd_flush(lsi_afd *b, lsi_pevent *out, size_t max)
{
	lsi_afd_sock *s;
	int count = 0;

	while (b->queue != NULL && (size_t)count < max) {
		s = b->queue;
		lsi_afd_unqueue(b, s);
		if (lsi_afd_update(b, s) != 0) {
			out[count].sock = s->key;
			out[count].events = LS_POLLERR;
			count++;
		}
	}
	return count;
}

static int lsi_afd_collect(lsi_afd *b, const OVERLAPPED_ENTRY *ents, ULONG got, lsi_pevent *out,
                           int *woken)
{
	lsi_afd_sock *s;
	int count = 0, ev;
	ULONG i;

	for (i = 0; i < got; i++) {
		if (ents[i].lpCompletionKey == LSI_AFD_KEY_WAKE) {
			atomic_store(&b->wake_pending, 0);
			*woken = 1;
			continue;
		}
		s = lsi_afd_from_iosb(ents[i].lpOverlapped);
		ev = lsi_afd_complete(b, s);
		if (ev != 0) {
			out[count].sock = s->key;
			out[count].events = ev;
			count++;
		}
	}
	return count;
}

static DWORD lsi_afd_timeout(int64_t left)
{
	if (left < 0)
		return INFINITE;
	return left >= (int64_t)INFINITE ? INFINITE - 1 : (DWORD)left;
}

/*
 * One round: poll the queued states again, then dequeue up to what is left
 * of max. Returns the number of events, with *got the completions seen.
 */
static int lsi_afd_round(lsi_afd *b, OVERLAPPED_ENTRY *ents, lsi_pevent *out, size_t max,
                         int64_t left, ULONG *got, int *woken)
{
	DWORD err;
	int n;

	lsi_plat_mutex_lock(b->lock);
	n = lsi_afd_flush(b, out, max);
	lsi_plat_mutex_unlock(b->lock);
	*got = 0;
	if ((size_t)n == max)
		return n;
	if (!GetQueuedCompletionStatusEx(b->port, ents, (ULONG)(max - (size_t)n), got,
	                                 n > 0 ? 0 : lsi_afd_timeout(left), FALSE)) {
		err = GetLastError();
		*got = 0;
		return err == WAIT_TIMEOUT ? n : lsi_win_sys_error(err);
	}
	lsi_plat_mutex_lock(b->lock);
	n += lsi_afd_collect(b, ents, *got, out + n, woken);
	lsi_plat_mutex_unlock(b->lock);
	return n;
}

static int lsi_afd_wait(ls_poller *p, lsi_pevent *out, size_t max, int64_t timeout_ms, int *woken)
{
	lsi_afd *b = p->state;
	OVERLAPPED_ENTRY stack[LSI_AFD_STACK], *ents = stack;
	int64_t deadline = lsi_deadline(timeout_ms), left = timeout_ms;
	ULONG got;
	int n, rounds = 0;

	if (max > ULONG_MAX)
		max = ULONG_MAX;
	if (max > LSI_AFD_STACK) {
		ents = malloc(max * sizeof(*ents));
		if (ents == NULL)
			return lsi_fail(LS_ENOMEM);
	}
	for (;;) {
		n = lsi_afd_round(b, ents, out, max, left, &got, woken);
		if (n != 0 || *woken || got == 0)
			break;
		/*
		 * Only cancelled or silent requests came back; their sockets
		 * are queued again. Poll them within the time left (a few
		 * quick rounds when the caller only looks).
		 */
		if (timeout_ms != 0)
			left = deadline >= 0 ? lsi_remaining(deadline) : -1;
		if (left == 0 && ++rounds > LSI_AFD_ZERO_ROUNDS)
			break;
	}
	if (ents != stack)
		free(ents);
	return n;
}

/* Several wakeups before a wait post one packet: the flag says one is queued. */
static int lsi_afd_wakeup(ls_poller *p)
{
	lsi_afd *b = p->state;

	if (atomic_exchange(&b->wake_pending, 1))
		return 0;
	if (!PostQueuedCompletionStatus(b->port, 0, LSI_AFD_KEY_WAKE, NULL)) {
		atomic_store(&b->wake_pending, 0);
		return lsi_win_sys_error(GetLastError());
	}
	return 0;
}

static const lsi_poller_ops lsi_poller_afd = {
    .name = "afd",
    .edge = 0,
    .open = lsi_afd_open,
    .close = lsi_afd_close,
    .add = lsi_afd_add,
    .mod = lsi_afd_mod,
    .del = lsi_afd_del,
    .wait = lsi_afd_wait,
    .wakeup = lsi_afd_wakeup,
    .changed = NULL,
};

const lsi_poller_ops *lsi_poller_native(void)
{
	return &lsi_poller_afd;
}
