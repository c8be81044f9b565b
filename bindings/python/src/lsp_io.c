/*
 * lsp_io.c - sending and receiving: send, sendall, sendto, recv,
 * recv_into, recvfrom, recvfrom_into. Each releases the GIL around the
 * libsock call and retries after signal handlers (LSP_CALL); buffers stay
 * pinned for the whole call. The methods parse their arguments as stdlib's
 * do (lsp_io_methods).
 */
#include "lsp.h"

#include <string.h>

PyObject *lsp_send(lsp_sock *s, Py_buffer *data, int flags)
{
	int64_t r;
	int ne = 0, sig;
	ls_socket h = s->h;
	if (h == LS_INVALID_SOCKET)
		return lsp_closed();
	LSP_CALL(s, r, ne, sig, LS_POLLOUT, ls_send(h, data->buf, (size_t)data->len, flags));
	if (sig)
		return NULL;
	if (r < 0)
		return lsp_raise((int)r, ne, HAS_TIMEOUT(s));
	lsp_counts.sent++;
	return PyLong_FromLongLong(r);
}

/*
 * The rest of a sendall after a signal on a socket with a timeout: wait for
 * room for the time left, send what fits without blocking, and again, so
 * the whole sendall stays within one timeout as in stdlib.
 */
static int sendall_left(lsp_sock *s, const char *p, size_t left, int flags, int64_t deadline,
                        int *ne, int *sig)
{
	while (left > 0) {
		int64_t r;
		int rc = lsp_wait_left(s, LS_POLLOUT, deadline, ne, sig);
		if (rc != 0)
			return rc;
		r = ls_send(s->h, p, left, flags | LS_MSG_DONTWAIT);
		if (r == LS_EAGAIN || r == LS_EINTR)
			continue;
		if (r < 0) {
			*ne = ls_native_error();
			return (int)r;
		}
		p += r;
		left -= (size_t)r;
	}
	return 0;
}

/*
 * A blocking sendall, one send at a time with the GIL released, running the
 * signal handlers after every partial write as stdlib does: a signal that
 * arrives once some bytes are out does not make the send fail with EINTR,
 * it makes it return short, so ls_sendall (which loops in C) would never
 * come back to run them.
 */
static int sendall_blocking(lsp_sock *s, const char *p, size_t left, int flags, int *ne)
{
	while (left > 0) {
		int64_t r;
		Py_BEGIN_ALLOW_THREADS
		r = ls_send(s->h, p, left, flags);
		if (r < 0)
			*ne = ls_native_error();
		Py_END_ALLOW_THREADS
		if (r >= 0) {
			p += r;
			left -= (size_t)r;
		} else if (r != LS_EINTR) {
			return (int)r;
		}
		if (PyErr_CheckSignals())
			return -1;
	}
	return 0;
}

PyObject *lsp_sendall(lsp_sock *s, Py_buffer *data, int flags)
{
	const char *p = data->buf;
	size_t left = (size_t)data->len;
	ls_socket h = s->h;
	int64_t deadline;
	if (h == LS_INVALID_SOCKET)
		return lsp_closed();
	if (s->timeout_ms < 0) {
		int ne = 0, rc = sendall_blocking(s, p, left, flags, &ne);
		if (rc == -1)
			return NULL;
		if (rc < 0)
			return lsp_raise(rc, ne, 0);
		lsp_counts.sent++;
		Py_RETURN_NONE;
	}
	deadline = lsp_deadline(s);
	do {
		size_t sent = 0;
		int rc, ne = 0, sig = 0;
		if (s->timeout_ms == 0) {
			rc = ls_sendall(h, p, left, flags, &sent);
			if (rc < 0)
				ne = ls_native_error();
		} else {
			Py_BEGIN_ALLOW_THREADS
			rc = ls_sendall(h, p, left, flags, &sent);
			if (rc < 0)
				ne = ls_native_error();
			Py_END_ALLOW_THREADS
		}
		p += sent;
		left -= sent;
		if (rc == LS_EINTR) {
			if (PyErr_CheckSignals())
				return NULL;
			if (deadline < 0)
				continue;
			/* The rest goes within the time left. */
			rc = sendall_left(s, p, left, flags, deadline, &ne, &sig);
			if (sig)
				return NULL;
			left = 0;
		}
		if (rc < 0)
			return lsp_raise(rc, ne, HAS_TIMEOUT(s));
	} while (left > 0);
	lsp_counts.sent++;
	Py_RETURN_NONE;
}

PyObject *lsp_sendto(lsp_sock *s, Py_buffer *data, int flags, PyObject *addrobj)
{
	ls_addr a;
	int ne = 0, sig;
	int64_t r;
	ls_socket h = s->h;
	if (h == LS_INVALID_SOCKET)
		return lsp_closed();
	if (lsp_to_addr(s->family, addrobj, &a, "sendto") < 0)
		return NULL;
	LSP_CALL(s, r, ne, sig, LS_POLLOUT, ls_sendto(h, data->buf, (size_t)data->len, flags, &a));
	if (sig)
		return NULL;
	if (r < 0)
		return lsp_raise((int)r, ne, HAS_TIMEOUT(s));
	lsp_counts.sent++;
	return PyLong_FromLongLong(r);
}

PyObject *lsp_recv(lsp_sock *s, Py_ssize_t n, int flags)
{
	PyObject *b;
	char *p;
	int64_t r;
	int ne = 0, sig;
	ls_socket h = s->h;
	if (n < 0) {
		PyErr_SetString(PyExc_ValueError, "negative buffersize in recv");
		return NULL;
	}
	if (h == LS_INVALID_SOCKET)
		return lsp_closed();
	if (n == 0) /* as stdlib: no call at all */
		return PyBytes_FromStringAndSize(NULL, 0);
	b = PyBytes_FromStringAndSize(NULL, n);
	if (b == NULL)
		return NULL;
	p = PyBytes_AS_STRING(b);
	flags = lsp_recv_flags(s, flags);
	LSP_CALL(s, r, ne, sig, LS_POLLIN, ls_recv(h, p, (size_t)n, flags));
	if (sig || r < 0) {
		Py_DECREF(b);
		return sig ? NULL : lsp_raise((int)r, ne, HAS_TIMEOUT(s));
	}
	lsp_counts.received++;
	if (r != n)
		_PyBytes_Resize(&b, (Py_ssize_t)r);
	return b;
}

static int into_len(Py_buffer *buf, Py_ssize_t *n, const char *what)
{
	if (*n < 0) {
		PyErr_Format(PyExc_ValueError, "negative buffersize in %s", what);
		return -1;
	}
	if (*n == 0)
		*n = buf->len;
	else if (*n > buf->len) {
		PyErr_Format(PyExc_ValueError, "%s",
		             strcmp(what, "recv_into") == 0
		                 ? "buffer too small for requested bytes"
		                 : "nbytes is greater than the length of the buffer");
		return -1;
	}
	return 0;
}

PyObject *lsp_recv_into(lsp_sock *s, Py_buffer *buf, Py_ssize_t n, int flags)
{
	int64_t r;
	int ne = 0, sig;
	ls_socket h = s->h;
	if (into_len(buf, &n, "recv_into") < 0)
		return NULL;
	if (h == LS_INVALID_SOCKET)
		return lsp_closed();
	flags = lsp_recv_flags(s, flags);
	LSP_CALL(s, r, ne, sig, LS_POLLIN, ls_recv(h, buf->buf, (size_t)n, flags));
	if (sig)
		return NULL;
	if (r < 0)
		return lsp_raise((int)r, ne, HAS_TIMEOUT(s));
	lsp_counts.received++;
	return PyLong_FromLongLong(r);
}

PyObject *lsp_recvfrom(lsp_sock *s, Py_ssize_t n, int flags)
{
	PyObject *b, *addr;
	ls_addr from;
	int64_t r;
	int ne = 0, sig;
	ls_socket h = s->h;
	if (n < 0) {
		PyErr_SetString(PyExc_ValueError, "negative buffersize in recvfrom");
		return NULL;
	}
	if (h == LS_INVALID_SOCKET)
		return lsp_closed();
	b = PyBytes_FromStringAndSize(NULL, n);
	if (b == NULL)
		return NULL;
	memset(&from, 0, sizeof from);
	flags = lsp_recv_flags(s, flags);
	LSP_CALL(s, r, ne, sig, LS_POLLIN, ls_recvfrom(h, PyBytes_AS_STRING(b), (size_t)n, flags, &from));
	if (sig || r < 0) {
		Py_DECREF(b);
		return sig ? NULL : lsp_raise((int)r, ne, HAS_TIMEOUT(s));
	}
	lsp_counts.received++;
	if (r != n && _PyBytes_Resize(&b, (Py_ssize_t)r) < 0)
		return NULL;
	addr = lsp_from_peer(s, &from);
	if (addr == NULL) {
		Py_DECREF(b);
		return NULL;
	}
	return Py_BuildValue("(NN)", b, addr);
}

PyObject *lsp_recvfrom_into(lsp_sock *s, Py_buffer *buf, Py_ssize_t n, int flags)
{
	ls_addr from;
	int64_t r;
	int ne = 0, sig;
	PyObject *addr;
	ls_socket h = s->h;
	if (into_len(buf, &n, "recvfrom_into") < 0)
		return NULL;
	if (h == LS_INVALID_SOCKET)
		return lsp_closed();
	memset(&from, 0, sizeof from);
	flags = lsp_recv_flags(s, flags);
	LSP_CALL(s, r, ne, sig, LS_POLLIN, ls_recvfrom(h, buf->buf, (size_t)n, flags, &from));
	if (sig)
		return NULL;
	if (r < 0)
		return lsp_raise((int)r, ne, HAS_TIMEOUT(s));
	lsp_counts.received++;
	addr = lsp_from_peer(s, &from);
	if (addr == NULL)
		return NULL;
	return Py_BuildValue("(LN)", (long long)r, addr);
}

/* ------------------------------------------------------------------ */
/* Methods with stdlib's argument parsing                             */
/* ------------------------------------------------------------------ */

/*
 * The methods that take several arguments are written against the CPython
 * API, with the format strings stdlib's socket module uses, so a wrong
 * call fails with stdlib's exception and wording ("recv() takes at most 2
 * arguments (3 given)", keywords refused or taken as stdlib does). SWIG's
 * generated wrappers name the C function instead. lsp_type_init puts
 * these on SocketBase.
 */

/* The send and sendall pair: data and optional flags (stdlib's int,
 * translated to LS_MSG_* by lsp_msgflags). fmt names the method. */
typedef PyObject *(*lsp_send_fn)(lsp_sock *, Py_buffer *, int);

static PyObject *send_like(PyObject *self, PyObject *args, const char *fmt, lsp_send_fn fn)
{
	lsp_sock *s = lsp_self(self);
	Py_buffer b;
	int flags = 0, lf;
	PyObject *r;
	if (s == NULL || !PyArg_ParseTuple(args, fmt, &b, &flags))
		return NULL;
	r = lsp_msgflags(flags, &lf) < 0 ? NULL : fn(s, &b, lf);
	PyBuffer_Release(&b);
	return r;
}

static PyObject *m_send(PyObject *self, PyObject *args)
{
	return send_like(self, args, "y*|i:send", lsp_send);
}

static PyObject *m_sendall(PyObject *self, PyObject *args)
{
	return send_like(self, args, "y*|i:sendall", lsp_sendall);
}

static PyObject *m_sendto(PyObject *self, PyObject *args)
{
	lsp_sock *s = lsp_self(self);
	Py_ssize_t n = PyTuple_GET_SIZE(args);
	Py_buffer b;
	int flags = 0, lf;
	PyObject *addr, *r;
	if (s == NULL)
		return NULL;
	if (n == 2) {
		if (!PyArg_ParseTuple(args, "y*O:sendto", &b, &addr))
			return NULL;
	} else if (n == 3) {
		if (!PyArg_ParseTuple(args, "y*iO:sendto", &b, &flags, &addr))
			return NULL;
	} else {
		PyErr_Format(PyExc_TypeError, "sendto() takes 2 or 3 arguments (%zd given)", n);
		return NULL;
	}
	r = lsp_msgflags(flags, &lf) < 0 ? NULL : lsp_sendto(s, &b, lf, addr);
	PyBuffer_Release(&b);
	return r;
}

/* The recv and recvfrom pair: a size and optional flags. */
typedef PyObject *(*lsp_recv_fn)(lsp_sock *, Py_ssize_t, int);

static PyObject *recv_like(PyObject *self, PyObject *args, const char *fmt, lsp_recv_fn fn)
{
	lsp_sock *s = lsp_self(self);
	Py_ssize_t n;
	int flags = 0, lf;
	if (s == NULL || !PyArg_ParseTuple(args, fmt, &n, &flags))
		return NULL;
	return lsp_msgflags(flags, &lf) < 0 ? NULL : fn(s, n, lf);
}

static PyObject *m_recv(PyObject *self, PyObject *args)
{
	return recv_like(self, args, "n|i:recv", lsp_recv);
}

static PyObject *m_recvfrom(PyObject *self, PyObject *args)
{
	return recv_like(self, args, "n|i:recvfrom", lsp_recvfrom);
}

/* The recv_into and recvfrom_into pair: a buffer, then optional size and
 * flags, by position or keyword as stdlib takes them. */
typedef PyObject *(*lsp_recv_into_fn)(lsp_sock *, Py_buffer *, Py_ssize_t, int);

static PyObject *recv_into_like(PyObject *self, PyObject *args, PyObject *kw, const char *fmt,
                                lsp_recv_into_fn fn)
{
	static char *kwlist[] = {"buffer", "nbytes", "flags", NULL};
	lsp_sock *s = lsp_self(self);
	Py_buffer b;
	Py_ssize_t n = 0;
	int flags = 0, lf;
	PyObject *r;
	if (s == NULL || !PyArg_ParseTupleAndKeywords(args, kw, fmt, kwlist, &b, &n, &flags))
		return NULL;
	r = lsp_msgflags(flags, &lf) < 0 ? NULL : fn(s, &b, n, lf);
	PyBuffer_Release(&b);
	return r;
}

static PyObject *m_recv_into(PyObject *self, PyObject *args, PyObject *kw)
{
	return recv_into_like(self, args, kw, "w*|ni:recv_into", lsp_recv_into);
}

static PyObject *m_recvfrom_into(PyObject *self, PyObject *args, PyObject *kw)
{
	return recv_into_like(self, args, kw, "w*|ni:recvfrom_into", lsp_recvfrom_into);
}

PyMethodDef lsp_io_methods[] = {
	{"send", m_send, METH_VARARGS,
	 "send(data[, flags]) -> count\n\nSend a data string to the socket."},
	{"sendall", m_sendall, METH_VARARGS,
	 "sendall(data[, flags])\n\nSend a data string to the socket, all of it."},
	{"sendto", m_sendto, METH_VARARGS,
	 "sendto(data[, flags], address) -> count\n\nSend data to a given address."},
	{"recv", m_recv, METH_VARARGS,
	 "recv(buffersize[, flags]) -> data\n\nReceive up to buffersize bytes."},
	{"recvfrom", m_recvfrom, METH_VARARGS,
	 "recvfrom(buffersize[, flags]) -> (data, address info)"},
	{"recv_into", (PyCFunction)(void (*)(void))m_recv_into, METH_VARARGS | METH_KEYWORDS,
	 "recv_into(buffer, [nbytes[, flags]]) -> nbytes_read"},
	{"recvfrom_into", (PyCFunction)(void (*)(void))m_recvfrom_into,
	 METH_VARARGS | METH_KEYWORDS, "recvfrom_into(buffer[, nbytes[, flags]]) -> (nbytes, address info)"},
	{NULL, NULL, 0, NULL},
};
