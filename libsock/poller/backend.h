/*
 * backend.h - the contract between the poller's common code (poller.c) and
 * its backends: portable.c (poll()/WSAPoll through lsi_plat_poll, written
 * once for every OS), and one native backend per OS (epoll.c, kqueue.c,
 * afd.c), of which CMake compiles the one the OS has (or none.c).
 *
 * Common code owns the registrations and their lock, validates every
 * argument, and turns what a backend reports into the caller's events:
 * it drops events for sockets no longer registered (so a backend may report
 * stale keys freely), masks them to what was asked, and disarms one-shot
 * registrations. A backend only moves readiness between the OS and common
 * code; it never sees a handle that is closed at the time of the call.
 */
#ifndef LSI_POLLER_BACKEND_H
#define LSI_POLLER_BACKEND_H

#include "common/internal.h"
#include "libsock/poller.h"

/* One registration. Common code allocates it and fills every field. */
typedef struct lsi_preg {
	ls_socket sock; /* the key backends report events with */
	lsi_fd fd;      /* the OS socket, open for as long as sock is registered */
	int events;     /* LS_POLLIN | LS_POLLOUT | LS_POLLRDHUP */
	int mode;       /* LS_POLLER_LEVEL, _ONESHOT or _EDGE */
	uint64_t user;
	int armed;   /* 0 once a one-shot registration has fired */
	int stream;  /* nonzero for a stream socket (RDHUP applies) */
	size_t pos;  /* index in the poller's dense list */
	void *bdata; /* the backend's own per-socket state, or NULL */
} lsi_preg;

/* What a backend reports: which socket (by key) and what happened. */
typedef struct lsi_pevent {
	ls_socket sock;
	int events; /* LS_POLL* bits; common code masks them */
} lsi_pevent;

typedef struct lsi_poller_ops lsi_poller_ops;

struct ls_poller {
	const lsi_poller_ops *ops;
	void *state;      /* the backend's */
	lsi_mutex *lock;  /* guards everything below */
	lsi_preg **slots; /* by handle slot index ((uint32_t)sock - 1) */
	size_t nslots;
	lsi_preg **list; /* the same registrations, dense, for scanning */
	size_t count;
	size_t cap;
	_Atomic unsigned version; /* bumped on every add, mod and del */
	lsi_pevent *raw;          /* the waiter's buffer for raw events (one waiter at a time) */
	size_t raw_cap;
	ls_poller *next; /* in the process's list of pollers (poller.c) */
};

struct lsi_poller_ops {
	const char *name;
	int edge; /* nonzero if LS_POLLER_EDGE is native here */
	/*
	 * Set up the backend's state. LS_ENOTSUP from a native backend makes
	 * common code fall back to the portable one (Windows without AFD).
	 */
	int (*open)(ls_poller *p);
	void (*close)(ls_poller *p);
	/*
	 * Start, change and stop watching. Called with p->lock held, with the
	 * registration's fields already updated; del is called while r->fd is
	 * still open, and r is freed by common code once del returns.
	 */
	int (*add)(ls_poller *p, lsi_preg *r);
	int (*mod)(ls_poller *p, lsi_preg *r);
	void (*del)(ls_poller *p, lsi_preg *r);
	/*
	 * Wait up to timeout_ms (-1: forever) without p->lock held, and fill
	 * out with up to max events. Returns the count, 0 on timeout, LS_EINTR,
	 * or an error; *woken is set when ls_poller_wakeup() ended the wait.
	 */
	int (*wait)(ls_poller *p, lsi_pevent *out, size_t max, int64_t timeout_ms, int *woken);
	/* Make a wait in progress return with *woken set. Any thread. */
	int (*wakeup)(ls_poller *p);
	/*
	 * Tell a wait in progress that the registrations changed (add, mod or
	 * del from another thread). NULL when the OS watches the changes
	 * itself (epoll, kqueue, AFD).
	 */
	void (*changed)(ls_poller *p);
};

/* The portable backend (portable.c). */
extern const lsi_poller_ops lsi_poller_portable;

/*
 * The OS's native backend, or NULL where there is none (portable builds).
 * Defined by exactly one of epoll.c, kqueue.c, afd.c and none.c.
 */
const lsi_poller_ops *lsi_poller_native(void);

#endif /* LSI_POLLER_BACKEND_H */
