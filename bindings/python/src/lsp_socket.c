/*
 * lsp_socket.c - the socket object: creation and adoption, the fd map the
 * selector uses, connecting, accepting, closing, options, socketpair, and
 * the SocketBase type itself (the hand-written methods put on it and the
 * SWIG artefacts taken off it).
 */
#include "lsp.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#include <afunix.h>
#else
#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#endif

#if defined(__linux__) || defined(__APPLE__)
/* stdlib leaves IPV6_V6ONLY at the OS default, which is 0 on these OSes. */
#define LSP_V6ONLY_DEFAULT 0
#else
#define LSP_V6ONLY_DEFAULT 1
#endif

/* ------------------------------------------------------------------ */
/* The fd map: OS handle -> libsock handle of this binding's sockets  */
/* ------------------------------------------------------------------ */

/*
 * asyncio hands its selector plain descriptors (fileno()), also for
 * libsock sockets. libsock.selectors looks them up here so that such a
 * socket is registered by its own handle: adopting its fd a second time
 * would give one OS socket two owners. An entry is trusted only while its
 * handle is open and still wraps that fd (lsp_handle_of_fd checks), so a
 * stale one is harmless; entries are dropped when their socket closes.
 */
static PyObject *lsp_fdmap; /* {fd: handle}, both ints */

static void fdmap_note(lsp_sock *s)
{
	PyObject *k, *v;
	ls_native fd = LS_NATIVE_INVALID;
	s->fd = LS_NATIVE_INVALID;
	if (ls_socket_native(s->h, &fd) < 0)
		return;
	s->fd = fd;
	if (lsp_fdmap == NULL && (lsp_fdmap = PyDict_New()) == NULL)
		goto out;
	k = PyLong_FromLongLong((long long)fd);
	v = PyLong_FromUnsignedLongLong((unsigned long long)s->h);
	if (k != NULL && v != NULL)
		(void)PyDict_SetItem(lsp_fdmap, k, v);
	Py_XDECREF(k);
	Py_XDECREF(v);
out:
	/* Without an entry the selector falls back to adopting the fd. */
	PyErr_Clear();
}

/* Drop s's entry (if it is still s's). Keeps any exception being raised. */
static void fdmap_forget(lsp_sock *s)
{
	PyObject *k, *v, *et, *ev, *tb;
	if (lsp_fdmap == NULL || s->fd == LS_NATIVE_INVALID)
		return;
	PyErr_Fetch(&et, &ev, &tb);
	k = PyLong_FromLongLong((long long)s->fd);
	v = k ? PyDict_GetItemWithError(lsp_fdmap, k) : NULL;
	if (v != NULL && PyLong_AsUnsignedLongLong(v) == (unsigned long long)s->h)
		(void)PyDict_DelItem(lsp_fdmap, k);
	Py_XDECREF(k);
	PyErr_Clear();
	PyErr_Restore(et, ev, tb);
	s->fd = LS_NATIVE_INVALID;
}

ls_socket lsp_fdmap_handle(long long want)
{
	PyObject *k, *v;
	ls_native fd = LS_NATIVE_INVALID;
	unsigned long long h = 0;
	if (lsp_fdmap == NULL)
		return LS_INVALID_SOCKET;
	k = PyLong_FromLongLong(want);
	v = k ? PyDict_GetItemWithError(lsp_fdmap, k) : NULL;
	Py_XDECREF(k);
	if (v != NULL)
		h = PyLong_AsUnsignedLongLong(v);
	PyErr_Clear();
	if (h == 0 || h == (unsigned long long)-1 || ls_socket_native((ls_socket)h, &fd) < 0 ||
	    (long long)fd != want)
		return LS_INVALID_SOCKET;
	return (ls_socket)h;
}

PyObject *lsp_handle_of_fd(PyObject *fdobj)
{
	PyObject *v;
	ls_native fd = LS_NATIVE_INVALID;
	unsigned long long h;
	long long want = PyLong_AsLongLong(fdobj);
	if (want == -1 && PyErr_Occurred())
		return NULL;
	v = lsp_fdmap ? PyDict_GetItemWithError(lsp_fdmap, fdobj) : NULL;
	if (v == NULL)
		return PyErr_Occurred() ? NULL : PyLong_FromLong(0);
	h = PyLong_AsUnsignedLongLong(v);
	if (h == (unsigned long long)-1 && PyErr_Occurred())
		return NULL;
	if (ls_socket_native((ls_socket)h, &fd) < 0 || (long long)fd != want)
		h = 0;
	return PyLong_FromUnsignedLongLong(h);
}

/* ------------------------------------------------------------------ */
/* Lifecycle                                                          */
/* ------------------------------------------------------------------ */

lsp_sock *lsp_sock_alloc(void)
{
	lsp_sock *s = PyMem_RawCalloc(1, sizeof *s);
	if (s == NULL) {
		PyErr_NoMemory();
		return NULL;
	}
	s->family = AF_INET;
	s->type = SOCK_STREAM;
	s->timeout = -1.0;
	s->timeout_ms = LS_TIMEOUT_BLOCK;
	s->fd = LS_NATIVE_INVALID;
	return s;
}

void lsp_sock_free(lsp_sock *s)
{
	if (s == NULL)
		return;
	fdmap_forget(s);
	if (s->h != LS_INVALID_SOCKET)
		(void)ls_close(s->h);
	PyMem_RawFree(s);
}

/* Common end of every constructor: modes stdlib's init_sockobject sets. */
static PyObject *finish_init(lsp_sock *s, ls_socket h, int family, int type, int proto,
                             int nonblock)
{
	double secs = nonblock ? 0.0 : lsp_default_secs;
	int64_t ms = nonblock ? LS_TIMEOUT_NONBLOCK : lsp_default_ms;
	fdmap_forget(s);
	if (s->h != LS_INVALID_SOCKET)
		(void)ls_close(s->h);
	s->h = h;
	fdmap_note(s);
	s->family = family;
	s->type = type;
	s->proto = proto;
	(void)ls_set_interruptible(h, 1);
	if (family == AF_INET6 && LSP_V6ONLY_DEFAULT == 0)
		(void)ls_setopt(h, LS_OPT_V6ONLY, 0);
	if (lsp_apply_timeout(s, secs, ms) < 0)
		return NULL;
	lsp_counts.created++;
	Py_RETURN_NONE;
}

/* Strip SOCK_NONBLOCK / SOCK_CLOEXEC from a type as stdlib does. */
static int split_type(int *type)
{
	int nonblock = 0;
#ifdef SOCK_NONBLOCK
	if (*type & SOCK_NONBLOCK)
		nonblock = 1;
	*type &= ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
#endif
	return nonblock;
}

PyObject *lsp_init_new(lsp_sock *s, int family, int type, int proto)
{
	ls_socket h;
	int rc, lf, lt, nonblock;
	if (family == -1)
		family = AF_INET;
	if (type == -1)
		type = SOCK_STREAM;
	if (proto == -1)
		proto = 0;
	nonblock = split_type(&type);
	lf = lsp_fam_to_ls(family);
	lt = lsp_type_to_ls(type);
	if (lf <= 0)
		return lsp_raise_errno(EAFNOSUPPORT);
	if (lt <= 0)
		return lsp_raise_errno(EPROTONOSUPPORT);
	rc = ls_socket_create(&h, lf, lt, proto);
	if (rc < 0)
		return lsp_raise(rc, ls_native_error(), 0);
	return finish_init(s, h, family, type, proto, nonblock);
}

PyObject *lsp_init_fd(lsp_sock *s, PyObject *fdobj, int family, int type, int proto)
{
	ls_socket h;
	long fd;
	int rc, lf = 0, lt = 0, lp = 0, nonblock;
	if (PyFloat_Check(fdobj)) {
		PyErr_SetString(PyExc_TypeError, "'float' object cannot be interpreted as an integer");
		return NULL;
	}
	fd = PyLong_AsLong(fdobj);
	if (fd == -1 && PyErr_Occurred())
		return NULL;
	if (fd < 0) {
		PyErr_SetString(PyExc_ValueError, "negative file descriptor");
		return NULL;
	}
	rc = ls_socket_adopt(&h, (ls_native)fd);
	if (rc < 0)
		return lsp_raise(rc, ls_native_error(), 0);
	(void)ls_socket_info(h, &lf, &lt, &lp);
	if (family == -1)
		family = lsp_fam_from_ls(lf);
	if (type == -1)
		type = lsp_type_from_ls(lt);
	if (proto == -1)
		proto = lp;
	nonblock = split_type(&type);
	return finish_init(s, h, family, type, proto, nonblock);
}

PyObject *lsp_init_handle(lsp_sock *s, unsigned long long h, int family, int type,
                          int proto)
{
	return finish_init(s, (ls_socket)h, family, type, proto, 0);
}

/*
 * Move src's libsock handle and modes to dst (a new, uninitialised object)
 * and leave src closed for Python, without touching the OS socket: ssl's
 * wrap_socket turns a socket into an SSLSocket this way (stdlib re-wraps
 * the fd and detaches the old object; here the handle itself moves, so its
 * counters and name stay with it). The fd map entry stays right: it maps
 * the fd to the same handle.
 */
PyObject *lsp_sock_move(lsp_sock *dst, lsp_sock *src)
{
	if (src->h == LS_INVALID_SOCKET)
		return lsp_closed();
	fdmap_forget(dst);
	if (dst->h != LS_INVALID_SOCKET)
		(void)ls_close(dst->h);
	*dst = *src;
	src->h = LS_INVALID_SOCKET;
	src->fd = LS_NATIVE_INVALID;
	Py_RETURN_NONE;
}

/* ------------------------------------------------------------------ */
/* Connection calls                                                   */
/* ------------------------------------------------------------------ */

PyObject *lsp_bind(lsp_sock *s, PyObject *addr)
{
	ls_addr a;
	int rc;
	if (s->h == LS_INVALID_SOCKET)
		return lsp_closed();
	if (lsp_to_addr(s->family, addr, &a, "bind") < 0)
		return NULL;
	rc = ls_bind(s->h, &a);
	if (rc < 0)
		return lsp_raise(rc, ls_native_error(), 0);
	Py_RETURN_NONE;
}

PyObject *lsp_listen(lsp_sock *s, int backlog)
{
	int rc;
	if (s->h == LS_INVALID_SOCKET)
		return lsp_closed();
	/* libsock reads <= 0 as "OS default"; stdlib passes 0 on (Linux: 1). */
	rc = ls_listen(s->h, backlog < 1 ? 1 : backlog);
	if (rc < 0)
		return lsp_raise(rc, ls_native_error(), 0);
	Py_RETURN_NONE;
}

PyObject *lsp_accept(lsp_sock *s)
{
	ls_socket nh = LS_INVALID_SOCKET;
	ls_addr peer;
	int rc, ne = 0, sig;
	PyObject *addr;
	ls_socket h = s->h;
	if (h == LS_INVALID_SOCKET)
		return lsp_closed();
	memset(&peer, 0, sizeof peer);
	LSP_CALL(s, rc, ne, sig, LS_POLLIN, ls_accept(h, &nh, &peer));
	if (sig)
		return NULL;
	if (rc < 0)
		return lsp_raise(rc, ne, HAS_TIMEOUT(s));
	lsp_counts.accepted++;
	addr = lsp_from_addr(&peer);
	if (addr == NULL) {
		(void)ls_close(nh);
		return NULL;
	}
	return Py_BuildValue("(KN)", (unsigned long long)nh, addr);
}

/*
 * Wait for a connect interrupted by a signal to finish, until the call's
 * deadline (stdlib does the same), and read its outcome.
 */
static int connect_wait(lsp_sock *s, int64_t deadline, int *ne, int *sig)
{
	int rc, err = 0;
	rc = lsp_wait_left(s, LS_POLLOUT, deadline, ne, sig);
	if (rc != 0)
		return rc;
	rc = ls_getopt(s->h, LS_OPT_ERROR, &err);
	if (rc < 0)
		return rc;
	*ne = 0;
	return err;
}

PyObject *lsp_connect(lsp_sock *s, PyObject *addr, int ex)
{
	ls_addr a;
	int rc, ne = 0, sig = 0;
	ls_socket h = s->h;
	if (h == LS_INVALID_SOCKET)
		return ex ? PyLong_FromLong(EBADF) : lsp_closed();
	if (lsp_to_addr(s->family, addr, &a, ex ? "connect_ex" : "connect") < 0)
		return NULL;
	if (s->timeout_ms == 0) {
		rc = ls_connect(h, &a);
		if (rc < 0)
			ne = ls_native_error();
	} else {
		int64_t deadline = lsp_deadline(s);
		Py_BEGIN_ALLOW_THREADS
		rc = ls_connect(h, &a);
		if (rc < 0)
			ne = ls_native_error();
		Py_END_ALLOW_THREADS
		if (rc == LS_EINTR) {
			if (PyErr_CheckSignals())
				return NULL;
			rc = connect_wait(s, deadline, &ne, &sig);
			if (sig)
				return NULL;
		}
	}
	if (rc == 0) {
		lsp_counts.connected++;
		return ex ? PyLong_FromLong(0) : Py_NewRef(Py_None);
	}
	if (ex) {
		if (rc == LS_ETIMEDOUT && HAS_TIMEOUT(s))
			return PyLong_FromLong(EWOULDBLOCK);
		if (ls_error_is_resolver(rc))
			return lsp_raise(rc, ne, 0);
		return PyLong_FromLong(lsp_errno_of(rc, ne));
	}
	return lsp_raise(rc, ne, HAS_TIMEOUT(s));
}

PyObject *lsp_shutdown(lsp_sock *s, int how)
{
	int rc;
	if (s->h == LS_INVALID_SOCKET)
		return lsp_closed();
	if (how < 0 || how > 2)
		return lsp_raise_errno(EINVAL);
	rc = ls_shutdown(s->h, how);
	if (rc < 0)
		return lsp_raise(rc, ls_native_error(), 0);
	Py_RETURN_NONE;
}

/*
 * The OS handle was closed behind libsock's back. ls_close cannot say so:
 * the OS close happens when the last reference goes and its error is
 * dropped. So the binding looks first, as stdlib's close() would fail.
 */
static int native_gone(ls_native fd)
{
#ifdef _WIN32
	int type, len = (int)sizeof type;
	return fd != LS_NATIVE_INVALID &&
	       getsockopt((SOCKET)fd, SOL_SOCKET, SO_TYPE, (char *)&type, &len) != 0 &&
	       WSAGetLastError() == WSAENOTSOCK;
#else
	return fd != LS_NATIVE_INVALID && fcntl((int)fd, F_GETFD) == -1 && errno == EBADF;
#endif
}

PyObject *lsp_close(lsp_sock *s)
{
	int rc, ne = 0, gone;
	ls_socket h = s->h;
	if (h == LS_INVALID_SOCKET)
		Py_RETURN_NONE;
	gone = native_gone(s->fd);
	fdmap_forget(s);
	s->h = LS_INVALID_SOCKET;
	Py_BEGIN_ALLOW_THREADS
	rc = ls_close(h);
	if (rc < 0)
		ne = ls_native_error();
	Py_END_ALLOW_THREADS
	/* stdlib ignores ECONNRESET on close (bpo-30319). */
	if (rc < 0 && rc != LS_ECONNRESET)
		return lsp_raise(rc, ne, 0);
	if (gone)
		return lsp_closed();
	Py_RETURN_NONE;
}

PyObject *lsp_detach(lsp_sock *s)
{
	ls_native fd = LS_NATIVE_INVALID;
	int rc;
	if (s->h == LS_INVALID_SOCKET)
		return PyLong_FromLong(-1);
	rc = ls_socket_detach(s->h, &fd);
	if (rc < 0)
		return lsp_raise(rc, ls_native_error(), 0);
	fdmap_forget(s);
	s->h = LS_INVALID_SOCKET;
	return PyLong_FromLongLong((long long)fd);
}

PyObject *lsp_fileno(lsp_sock *s)
{
	ls_native fd = LS_NATIVE_INVALID;
	if (s->h == LS_INVALID_SOCKET || ls_socket_native(s->h, &fd) < 0)
		return PyLong_FromLong(-1);
	return PyLong_FromLongLong((long long)fd);
}

PyObject *lsp_getsockname(lsp_sock *s, int peer)
{
	ls_addr a;
	int rc;
	if (s->h == LS_INVALID_SOCKET)
		return lsp_closed();
	memset(&a, 0, sizeof a);
	rc = peer ? ls_getpeername(s->h, &a) : ls_getsockname(s->h, &a);
	if (rc < 0)
		return lsp_raise(rc, ls_native_error(), 0);
	if (a.family == LS_AF_UNSPEC && !peer) {
		/* An unbound socket: stdlib shows the family's any-address. */
		if (s->family == AF_INET || s->family == AF_INET6)
			(void)ls_addr_any(&a, lsp_fam_to_ls(s->family), 0);
	}
	return lsp_from_addr(&a);
}

/* ------------------------------------------------------------------ */
/* Options                                                            */
/* ------------------------------------------------------------------ */

/*
 * setsockopt in its three forms: an int (value), a buffer (buf), or None
 * with an option length (buf NULL, optlen >= 0).
 */
PyObject *lsp_setsockopt(lsp_sock *s, int level, int name, int value, Py_buffer *buf,
                         long long optlen)
{
	int rc, on, done;
	if (s->h == LS_INVALID_SOCKET)
		return lsp_closed();
	if (buf == NULL && optlen >= 0) {
		on = 0;
		rc = ls_setsockopt(s->h, level, name, NULL, (size_t)optlen);
	} else if (buf == NULL) {
		on = value != 0;
		done = lsp_msg_setsockopt(s, level, name, on);
		if (done != 0)
			return done < 0 ? NULL : Py_NewRef(Py_None);
		rc = ls_setsockopt(s->h, level, name, &value, sizeof value);
	} else {
		Py_ssize_t i;
		on = 0;
		for (i = 0; i < buf->len; i++)
			on |= ((const unsigned char *)buf->buf)[i] != 0;
		done = buf->len == (Py_ssize_t)sizeof(int) ? lsp_msg_setsockopt(s, level, name, on) : 0;
		if (done != 0)
			return done < 0 ? NULL : Py_NewRef(Py_None);
		rc = ls_setsockopt(s->h, level, name, buf->buf, (size_t)buf->len);
	}
	if (rc < 0)
		return lsp_raise(rc, ls_native_error(), 0);
	lsp_msg_noteopt(s, level, name, on);
	Py_RETURN_NONE;
}

/* getsockopt: an int when buflen is 0, else at most buflen bytes. */
PyObject *lsp_getsockopt(lsp_sock *s, int level, int name, int buflen)
{
	int rc;
	if (s->h == LS_INVALID_SOCKET)
		return lsp_closed();
	if (buflen == 0) {
		int v = 0;
		size_t len = sizeof v;
		rc = ls_getsockopt(s->h, level, name, &v, &len);
		if (rc < 0)
			return lsp_raise(rc, ls_native_error(), 0);
		return PyLong_FromLong(v);
	} else {
		size_t len;
		PyObject *b;
		if (buflen < 0 || buflen > 1024) {
			PyErr_SetString(PyExc_OSError, "getsockopt buflen out of range");
			return NULL;
		}
		b = PyBytes_FromStringAndSize(NULL, buflen);
		if (b == NULL)
			return NULL;
		len = (size_t)buflen;
		rc = ls_getsockopt(s->h, level, name, PyBytes_AS_STRING(b), &len);
		if (rc < 0) {
			Py_DECREF(b);
			return lsp_raise(rc, ls_native_error(), 0);
		}
		if ((long)len != buflen)
			_PyBytes_Resize(&b, (Py_ssize_t)len);
		return b;
	}
}

PyObject *lsp_socketpair(int family, int type, int proto)
{
	ls_socket pair[2];
	int rc, lf, lt;
	lf = lsp_fam_to_ls(family);
	lt = lsp_type_to_ls(type);
	if (lf < 0)
		return lsp_raise_errno(EAFNOSUPPORT);
	if (lt <= 0)
		return lsp_raise_errno(EPROTONOSUPPORT);
	(void)proto;
	rc = ls_socketpair(lf, lt, pair);
	if (rc < 0)
		return lsp_raise(rc, ls_native_error(), 0);
	return Py_BuildValue("(KK)", (unsigned long long)pair[0], (unsigned long long)pair[1]);
}

/* ------------------------------------------------------------------ */
/* Methods with stdlib's argument parsing                             */
/* ------------------------------------------------------------------ */

static PyObject *m_listen(PyObject *self, PyObject *args)
{
	lsp_sock *s = lsp_self(self);
	int backlog = SOMAXCONN < 128 ? SOMAXCONN : 128;
	if (s == NULL || !PyArg_ParseTuple(args, "|i:listen", &backlog))
		return NULL;
	return lsp_listen(s, backlog < 0 ? 0 : backlog);
}

/* setsockopt(level, optname, int), (level, optname, buffer), (level, optname, None, optlen). */
static PyObject *m_setsockopt(PyObject *self, PyObject *args)
{
	lsp_sock *s = lsp_self(self);
	int level, name, v;
	unsigned int optlen;
	PyObject *none, *r;
	Py_buffer b;
	if (s == NULL)
		return NULL;
	if (PyArg_ParseTuple(args, "iii:setsockopt", &level, &name, &v))
		return lsp_setsockopt(s, level, name, v, NULL, -1);
	PyErr_Clear();
	if (PyArg_ParseTuple(args, "iiO!I:setsockopt", &level, &name, Py_TYPE(Py_None), &none,
	                     &optlen))
		return lsp_setsockopt(s, level, name, 0, NULL, (long long)optlen);
	PyErr_Clear();
	if (!PyArg_ParseTuple(args, "iiy*:setsockopt", &level, &name, &b))
		return NULL;
	r = lsp_setsockopt(s, level, name, 0, &b, -1);
	PyBuffer_Release(&b);
	return r;
}

static PyObject *m_getsockopt(PyObject *self, PyObject *args)
{
	lsp_sock *s = lsp_self(self);
	int level, name, buflen = 0;
	if (s == NULL || !PyArg_ParseTuple(args, "ii|i:getsockopt", &level, &name, &buflen))
		return NULL;
	return lsp_getsockopt(s, level, name, buflen);
}

PyMethodDef lsp_sock_methods[] = {
	{"listen", m_listen, METH_VARARGS,
	 "listen([backlog])\n\nEnable a server to accept connections."},
	{"setsockopt", m_setsockopt, METH_VARARGS,
	 "setsockopt(level, option, value: int)\nsetsockopt(level, option, value: buffer)\n"
	 "setsockopt(level, option, None, optlen: int)\n\nSet a socket option."},
	{"getsockopt", m_getsockopt, METH_VARARGS,
	 "getsockopt(level, option[, buffersize]) -> value\n\nGet a socket option."},
	{NULL, NULL, 0, NULL},
};

int lsp_sock_family(lsp_sock *s)
{
	return s->family;
}

int lsp_sock_type(lsp_sock *s)
{
	return s->type;
}

int lsp_sock_proto(lsp_sock *s)
{
	return s->proto;
}

unsigned long long lsp_sock_handle(lsp_sock *s)
{
	return (unsigned long long)s->h;
}

/* ------------------------------------------------------------------ */
/* The SocketBase type                                                 */
/* ------------------------------------------------------------------ */

static int install_methods(PyTypeObject *t, PyMethodDef *defs)
{
	for (; defs->ml_name != NULL; defs++) {
		PyObject *d = PyDescr_NewMethod(t, defs);
		if (d == NULL || PyDict_SetItemString(t->tp_dict, defs->ml_name, d) < 0) {
			Py_XDECREF(d);
			return -1;
		}
		Py_DECREF(d);
	}
	return 0;
}

static void drop_names(PyTypeObject *t, const char *const *names)
{
	for (; *names != NULL; names++)
		if (PyDict_DelItemString(t->tp_dict, *names) < 0)
			PyErr_Clear();
}

/*
 * Make SocketBase look like stdlib's _socket.socket: the hand-written
 * methods go on it, and what SWIG's runtime adds to every object it
 * wraps goes away: the this/thisown attributes, the per-instance __dict__,
 * and the own/disown/acquire/append/next methods and int() conversion of
 * SWIG's base type (SWIG's C code uses none of them by name). Runs once,
 * before libsock.socket subclasses SocketBase.
 */
int lsp_type_init(PyTypeObject *sb, PyTypeObject *swigbase)
{
	static const char *const own[] = {"this", "thisown", "__dict__", NULL};
	static const char *const base[] = {"own", "disown", "acquire", "append", "next",
	                                   "__int__", NULL};
	if (install_methods(sb, lsp_io_methods) < 0 || install_methods(sb, lsp_sock_methods) < 0 ||
	    install_methods(sb, lsp_msg_methods) < 0)
		return -1;
	drop_names(sb, own);
	drop_names(swigbase, base);
	sb->tp_dictoffset = 0;
	if (sb->tp_as_number != NULL)
		sb->tp_as_number->nb_int = NULL;
	if (swigbase->tp_as_number != NULL)
		swigbase->tp_as_number->nb_int = NULL;
	PyType_Modified(swigbase);
	PyType_Modified(sb);
	return 0;
}
