/*
 * lsp_poller.c - the C half of libsock.selectors: a libsock poller
 * (ls_poller) as a Python type, PollerBase.
 *
 * The Python layer (libsock/selectors.py) keeps the selector's keys and
 * stdlib's semantics; this file only moves readiness:
 *  - Events in and out are stdlib's EVENT_READ (1) and EVENT_WRITE (2).
 *    An error or hang-up is reported as both, as stdlib's epoll selector
 *    does, and the Python layer masks them with what was asked.
 *  - wait() releases the GIL while ls_poller_wait blocks. A signal makes it
 *    return LS_EINTR (see the sentinel below): the Python handlers run
 *    (PyErr_CheckSignals), an exception from them propagates, otherwise the
 *    wait goes on for the time left (PEP 475).
 *  - Descriptors that are not libsock sockets are adopted
 *    (ls_socket_adopt) and given back with ls_socket_detach, never closed:
 *    they belong to someone else. The adopt changes the OS socket's mode
 *    (blocking, close-on-exec, no SIGPIPE); that is put back at once, so
 *    the owner finds its descriptor as it left it.
 */
#include "lsp.h"

#include <errno.h>
#include <string.h>

#ifdef _WIN32
#include <winsock2.h>
#else
#include <fcntl.h>
#include <sys/socket.h>
#endif

#define LSP_EV_READ 1
#define LSP_EV_WRITE 2
/* The user value of the sentinel's registration. */
#define LSP_SENTINEL_USER UINT64_MAX

/*
 * ls_poller_wait reports a signal (LS_EINTR) only when a registered socket
 * is interruptible; otherwise it retries by itself and Ctrl-C could not
 * interrupt a select() on an empty selector, or on one holding only
 * adopted descriptors. So every poller also watches one process-wide,
 * interruptible, unconnected UDP socket for nothing (events 0: only errors
 * and hang-ups, which such a socket never has). It costs one descriptor per
 * process and is never closed.
 */
static ls_socket lsp_sentinel;

static int sentinel_get(ls_socket *out)
{
	int rc;
	if (lsp_sentinel == LS_INVALID_SOCKET) {
		rc = ls_socket_create(&lsp_sentinel, LS_AF_INET, LS_SOCK_DGRAM, 0);
		if (rc < 0)
			rc = ls_socket_create(&lsp_sentinel, LS_AF_INET6, LS_SOCK_DGRAM, 0);
		if (rc < 0)
			return rc;
		(void)ls_set_interruptible(lsp_sentinel, 1);
	}
	*out = lsp_sentinel;
	return 0;
}

static PyObject *closed_error(void)
{
	PyErr_SetString(PyExc_ValueError, "I/O operation on closed selector");
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Lifecycle                                                           */
/* ------------------------------------------------------------------ */

lsp_poller *lsp_pl_alloc(void)
{
	lsp_poller *p = PyMem_RawCalloc(1, sizeof *p);
	if (p == NULL)
		PyErr_NoMemory();
	return p;
}

PyObject *lsp_pl_open(lsp_poller *p, int flags)
{
	ls_socket sentinel;
	int rc;
	if (p->p != NULL) {
		PyErr_SetString(PyExc_RuntimeError, "poller already open");
		return NULL;
	}
	rc = sentinel_get(&sentinel);
	if (rc == 0)
		rc = ls_poller_create(&p->p, flags);
	if (rc < 0)
		return lsp_raise_rc(rc, ls_native_error());
	rc = ls_poller_add(p->p, sentinel, 0, LS_POLLER_LEVEL, LSP_SENTINEL_USER);
	if (rc < 0) {
		ls_poller_destroy(p->p);
		p->p = NULL;
		return lsp_raise_rc(rc, ls_native_error());
	}
	Py_RETURN_NONE;
}

/* Give back every adopted descriptor (open, in its owner's mode) and free the poller. */
static void poller_teardown(lsp_poller *p)
{
	ls_native fd;
	size_t i;
	for (i = 0; i < p->nforeign; i++)
		(void)ls_socket_detach(p->foreign[i], &fd);
	p->nforeign = 0;
	ls_poller_destroy(p->p);
	p->p = NULL;
}

void lsp_pl_free(lsp_poller *p)
{
	if (p == NULL)
		return;
	/* A wait in progress holds a reference, so none can be running here. */
	if (p->p != NULL)
		poller_teardown(p);
	PyMem_RawFree(p->foreign);
	PyMem_RawFree(p->evs);
	PyMem_RawFree(p);
}

PyObject *lsp_pl_close(lsp_poller *p)
{
	if (p->p == NULL || p->closing)
		Py_RETURN_NONE;
	if (p->waiting) {
		/* ls_poller_destroy must not race the wait: the waiter frees. */
		p->closing = 1;
		(void)ls_poller_wakeup(p->p);
		Py_RETURN_NONE;
	}
	poller_teardown(p);
	Py_RETURN_NONE;
}

PyObject *lsp_pl_backend(lsp_poller *p)
{
	return PyUnicode_FromString(p->p != NULL ? ls_poller_backend(p->p) : "");
}

/* ------------------------------------------------------------------ */
/* Registrations                                                       */
/* ------------------------------------------------------------------ */

static int to_ls_events(int events)
{
	return ((events & LSP_EV_READ) ? LS_POLLIN : 0) | ((events & LSP_EV_WRITE) ? LS_POLLOUT : 0);
}

static int from_ls_events(int ev)
{
	int out = 0;
	if (ev & (LS_POLLIN | LS_POLLERR | LS_POLLHUP))
		out |= LSP_EV_READ;
	if (ev & (LS_POLLOUT | LS_POLLERR | LS_POLLHUP))
		out |= LSP_EV_WRITE;
	return out;
}

static PyObject *check_events(lsp_poller *p, int events)
{
	if (p->p == NULL || p->closing)
		return closed_error();
	if (events & ~(LSP_EV_READ | LSP_EV_WRITE)) {
		PyErr_Format(PyExc_ValueError, "Invalid events: %d", events);
		return NULL;
	}
	return Py_None;
}

PyObject *lsp_pl_add(lsp_poller *p, unsigned long long h, int events,
                         unsigned long long user)
{
	int rc;
	if (check_events(p, events) == NULL)
		return NULL;
	rc = ls_poller_add(p->p, (ls_socket)h, to_ls_events(events), LS_POLLER_LEVEL, user);
	if (rc < 0)
		return lsp_raise_rc(rc, ls_native_error());
	Py_RETURN_NONE;
}

PyObject *lsp_pl_mod(lsp_poller *p, unsigned long long h, int events,
                         unsigned long long user)
{
	int rc;
	if (check_events(p, events) == NULL)
		return NULL;
	rc = ls_poller_mod(p->p, (ls_socket)h, to_ls_events(events), LS_POLLER_LEVEL, user);
	if (rc < 0)
		return lsp_raise_rc(rc, ls_native_error());
	Py_RETURN_NONE;
}

static int foreign_index(const lsp_poller *p, ls_socket h, size_t *at)
{
	size_t i;
	for (i = 0; i < p->nforeign; i++) {
		if (p->foreign[i] == h) {
			*at = i;
			return 1;
		}
	}
	return 0;
}

/*
 * Stop watching h. A handle this poller adopted is detached (its descriptor
 * stays open for its owner). A handle that is already closed was removed by
 * libsock itself, so LS_EBADF and LS_ENOENT are not errors here.
 */
PyObject *lsp_pl_remove(lsp_poller *p, unsigned long long h)
{
	ls_native fd;
	size_t i;
	int rc;
	if (p->p == NULL)
		Py_RETURN_NONE;
	rc = ls_poller_del(p->p, (ls_socket)h);
	if (foreign_index(p, (ls_socket)h, &i)) {
		(void)ls_socket_detach((ls_socket)h, &fd);
		p->foreign[i] = p->foreign[--p->nforeign];
	}
	if (rc < 0 && rc != LS_EBADF && rc != LS_ENOENT)
		return lsp_raise_rc(rc, ls_native_error());
	Py_RETURN_NONE;
}

/* ------------------------------------------------------------------ */
/* Adopting a foreign descriptor                                       */
/* ------------------------------------------------------------------ */

#ifndef _WIN32
/* What ls_socket_adopt changes on a POSIX descriptor, to put it back. */
struct fd_mode {
	int fl, fd_flags, nosigpipe;
};

static void mode_save(int fd, struct fd_mode *m)
{
	m->fl = fcntl(fd, F_GETFL);
	m->fd_flags = fcntl(fd, F_GETFD);
	m->nosigpipe = -1;
#ifdef SO_NOSIGPIPE
	{
		socklen_t len = sizeof m->nosigpipe;
		if (getsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &m->nosigpipe, &len) != 0)
			m->nosigpipe = -1;
	}
#endif
}

static void mode_restore(int fd, const struct fd_mode *m)
{
	if (m->fl != -1)
		(void)fcntl(fd, F_SETFL, m->fl);
	if (m->fd_flags != -1)
		(void)fcntl(fd, F_SETFD, m->fd_flags);
#ifdef SO_NOSIGPIPE
	if (m->nosigpipe != -1)
		(void)setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &m->nosigpipe, sizeof m->nosigpipe);
#endif
}
#endif

static int foreign_push(lsp_poller *p, ls_socket h)
{
	ls_socket *m;
	size_t n;
	if (p->nforeign == p->capforeign) {
		n = p->capforeign ? p->capforeign * 2 : 16;
		m = PyMem_RawRealloc(p->foreign, n * sizeof *m);
		if (m == NULL)
			return -1;
		p->foreign = m;
		p->capforeign = n;
	}
	p->foreign[p->nforeign++] = h;
	return 0;
}

/*
 * Adopt fd (not a libsock socket) so it can be registered, and return its
 * new handle. The descriptor's mode is restored right after the adopt.
 * Windows cannot read a socket's blocking mode back, so there the socket is
 * left non-blocking when nonblock_hint is set (the Python layer passes the
 * owner's mode when it knows it, and non-blocking, asyncio's, otherwise).
 * Errors: OSError (ENOTSOCK for a pipe or a file, EBADF for a closed fd).
 */
PyObject *lsp_pl_adopt(lsp_poller *p, PyObject *fdobj, int nonblock_hint)
{
	ls_socket h;
	ls_native fd;
	long long v;
	int rc;
#ifndef _WIN32
	struct fd_mode m;
#endif
	if (p->p == NULL || p->closing)
		return closed_error();
	v = PyLong_AsLongLong(fdobj);
	if (v == -1 && PyErr_Occurred())
		return NULL;
	fd = (ls_native)v;
#ifdef _WIN32
	rc = ls_socket_adopt(&h, fd);
	if (rc == 0 && nonblock_hint) {
		u_long one = 1;
		(void)ioctlsocket((SOCKET)fd, FIONBIO, &one);
	}
#else
	(void)nonblock_hint;
	mode_save((int)fd, &m);
	rc = ls_socket_adopt(&h, fd);
	mode_restore((int)fd, &m);
#endif
	if (rc < 0)
		return lsp_raise_rc(rc, ls_native_error());
	if (foreign_push(p, h) < 0) {
		(void)ls_socket_detach(h, &fd);
		return PyErr_NoMemory();
	}
	return PyLong_FromUnsignedLongLong((unsigned long long)h);
}

/* ------------------------------------------------------------------ */
/* Waiting                                                             */
/* ------------------------------------------------------------------ */

static int reserve_events(lsp_poller *p, size_t max)
{
	ls_event *m;
	if (max <= p->evcap)
		return 0;
	m = PyMem_RawRealloc(p->evs, max * sizeof *m);
	if (m == NULL) {
		PyErr_NoMemory();
		return -1;
	}
	p->evs = m;
	p->evcap = max;
	return 0;
}

/* [(user, events, handle), ...] from n events; the sentinel's are dropped. */
static PyObject *events_list(const lsp_poller *p, int n)
{
	PyObject *list = PyList_New(0), *t;
	int i;
	if (list == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		const ls_event *e = &p->evs[i];
		if (e->user == LSP_SENTINEL_USER)
			continue;
		t = Py_BuildValue("(KiK)", (unsigned long long)e->user, from_ls_events(e->events),
		                  (unsigned long long)e->sock);
		if (t == NULL || PyList_Append(list, t) < 0) {
			Py_XDECREF(t);
			Py_DECREF(list);
			return NULL;
		}
		Py_DECREF(t);
	}
	return list;
}

/* One ls_poller_wait with the GIL released; marks the poller busy meanwhile. */
static int wait_once(lsp_poller *p, size_t max, int64_t left, int *ne)
{
	ls_poller *lp = p->p;
	ls_event *evs = p->evs;
	int rc;
	p->waiting = 1;
	Py_BEGIN_ALLOW_THREADS
	rc = ls_poller_wait(lp, evs, max, left);
	if (rc < 0)
		*ne = ls_native_error();
	Py_END_ALLOW_THREADS
	p->waiting = 0;
	return rc;
}

/*
 * Wait up to timeout_ms (-1: forever; 0: just look) for at most max events.
 * Signals: the handlers run; an exception from one propagates; otherwise
 * the wait resumes for the time left (PEP 475), and returns [] once that
 * is used up. A close() from another thread during the wait ends it: the
 * wait frees the poller and returns [].
 */
PyObject *lsp_pl_wait(lsp_poller *p, Py_ssize_t max, PyObject *timeout_obj)
{
	int64_t timeout_ms, deadline, left;
	int rc, ne = 0;
	if (p->p == NULL || p->closing)
		return closed_error();
	if (p->waiting) {
		PyErr_SetString(PyExc_RuntimeError, "select() is already running in another thread");
		return NULL;
	}
	timeout_ms = PyLong_AsLongLong(timeout_obj);
	if (timeout_ms == -1 && PyErr_Occurred())
		return NULL;
	if (timeout_ms < 0)
		timeout_ms = LS_TIMEOUT_BLOCK;
	if (max < 1)
		max = 1;
	if (reserve_events(p, (size_t)max) < 0)
		return NULL;
	deadline = timeout_ms > 0 ? lsp_monotonic_ms() + timeout_ms : -1;
	left = timeout_ms;
	for (;;) {
		/* A signal handler may have let another thread close() us. */
		if (p->p == NULL)
			return PyList_New(0);
		rc = wait_once(p, (size_t)max, left, &ne);
		if (p->closing) {
			poller_teardown(p);
			p->closing = 0;
			return PyList_New(0);
		}
		if (rc != LS_EINTR)
			break;
		if (PyErr_CheckSignals())
			return NULL;
		if (deadline >= 0) {
			left = deadline - lsp_monotonic_ms();
			if (left <= 0)
				return PyList_New(0);
		}
	}
	if (rc < 0)
		return lsp_raise_rc(rc, ne);
	return events_list(p, rc);
}

PyObject *lsp_pl_wakeup(lsp_poller *p)
{
	int rc;
	if (p->p == NULL || p->closing)
		return closed_error();
	rc = ls_poller_wakeup(p->p);
	if (rc < 0)
		return lsp_raise_rc(rc, ls_native_error());
	Py_RETURN_NONE;
}
