/*
 * lsp_tls.c - the record pump of stdlib's ssl over libsock sockets
 * (libsock/_tls.py): moves TLS records between a libsock socket and the two
 * ssl.MemoryBIOs of an _ssl object, in C.
 *
 * _libsock._TLSPump(incoming, outgoing, sslobj) keeps the record
 * boundaries of what it has taken from the socket and the TLS bytes it
 * could not send yet. Its calls:
 *   pull(sock, op, deadline) receive toward the end of the record OpenSSL
 *                            waits for (see below) into the incoming BIO;
 *   push(sock, op, deadline) send what OpenSSL wrote to the outgoing BIO;
 *   read(sock, len, buffer)  sslobj.read(len[, buffer]), pulling records
 *                            in C until it returns (the bulk path).
 * Deadlines are lsp_monotonic_ms() values, -1 before the operation's first
 * wait: an operation on a socket with a timeout has one deadline, as _ssl's.
 * pull and push return the deadline to pass on, or -2 when a non-blocking
 * socket has nothing to give (pull) or could not take everything (push: the
 * rest is kept, and sent first next time); the caller raises
 * SSLWantReadError/SSLWantWriteError.
 *
 * What the pump takes from the kernel is what _tls.py has always taken, so
 * select() on the socket keeps its meaning: the rest of the record OpenSSL
 * waits for, plus at most the next record's 5-byte header (none once
 * `exact` is set, for unwrap). One pull receives the whole record, waiting
 * with the GIL released once for all of it, with libsock's calls (so the
 * bytes are counted by libsock and follow its timeouts); a signal runs the
 * handlers with the bytes already received handed to the BIO first, and the
 * wait goes on for the time left unless a handler raised (PEP 475).
 *
 * read() saves the want-read exception of each record: once the handshake
 * is done (sslobj.read has returned data), when the incoming BIO holds no
 * complete record (its bytes are all part of the record being received),
 * nothing is decrypted and pending and OpenSSL has nothing to send, OpenSSL
 * cannot return anything without more input, so read() pulls first. It hands
 * every other case (OpenSSL has something to send, EOF, a non-blocking
 * socket with nothing there, any error) back to the Python code with
 * sslobj's own exception.
 *
 * The direct route (built with OpenSSL, for CPython 3.11: the pump reaches
 * the BIOs under the MemoryBIOs, and calls OpenSSL's SSL itself on the SSL
 * route) is in lsp_tls_direct.c, with what it relies on and how it is
 * checked; lsp_tls.h is what the two files share.
 */
#include "lsp_tls.h"

#include <string.h>

PyTypeObject *lsp_tls_sockbase;
static PyObject *s_write, *s_write_eof, *s_read, *s_pending, *want_read, *want_write, *wantw_args;

/* Follow record boundaries through n bytes just received. */
void lsp_tls_account(tls_pump *p, const unsigned char *d, size_t n)
{
	size_t i = 0;
	while (i < n) {
		if (p->left) {
			size_t step = (size_t)p->left < n - i ? (size_t)p->left : n - i;
			p->left -= (long)step;
			i += step;
			if (p->left == 0) {
				p->cur = 0;
				p->done++;
			} else {
				p->cur += (long)step;
			}
			continue;
		}
		{
			size_t take = (size_t)(HDR - p->hdrlen) < n - i ? (size_t)(HDR - p->hdrlen) : n - i;
			memcpy(p->hdr + p->hdrlen, d + i, take);
			p->hdrlen += (int)take;
			i += take;
			p->cur = p->hdrlen;
			if (p->hdrlen == HDR) {
				p->left = ((long)p->hdr[3] << 8) | p->hdr[4];
				p->hdrlen = 0;
				p->cur = p->left ? HDR : 0;
				if (!p->left)
					p->done++;
			}
		}
	}
}

static size_t want_of(const tls_pump *p)
{
	if (p->left)
		return (size_t)(p->exact ? p->left : p->left + HDR);
	return (size_t)(HDR - p->hdrlen);
}

lsp_sock *lsp_tls_sock_of(PyObject *o)
{
	lsp_sock *s;
	if (o == Py_None) {
		lsp_closed();
		return NULL;
	}
	if (!PyObject_TypeCheck(o, lsp_tls_sockbase)) {
		PyErr_SetString(PyExc_TypeError, "a libsock socket is required");
		return NULL;
	}
	s = lsp_self(o);
	if (s != NULL && s->h == LS_INVALID_SOCKET) {
		lsp_closed();
		return NULL;
	}
	return s;
}

static int bio_pending(tls_pump *p, PyObject *bio, Py_ssize_t *n)
{
	PyObject *v;
	if (p->rbio != NULL) {
		*n = (Py_ssize_t)lsp_tls_pending_bio(p, bio);
		return 0;
	}
	v = PyObject_GetAttr(bio, s_pending);
	if (v == NULL)
		return -1;
	*n = PyLong_AsSsize_t(v);
	Py_DECREF(v);
	return *n == -1 && PyErr_Occurred() ? -1 : 0;
}

static int feed(tls_pump *p, size_t n)
{
	PyObject *mv, *r;
	if (n == 0)
		return 0;
	if (p->rbio != NULL && !lsp_tls_eof_written(p)) {
		if (lsp_tls_feed_bio(p, p->buf, n) < 0) {
			PyErr_NoMemory();
			return -1;
		}
		return 0;
	}
	mv = PyMemoryView_FromMemory((char *)p->buf, (Py_ssize_t)n, PyBUF_READ);
	if (mv == NULL)
		return -1;
	r = PyObject_CallMethodObjArgs(p->inbio, s_write, mv, NULL);
	Py_DECREF(mv);
	if (r == NULL)
		return -1;
	Py_DECREF(r);
	return 0;
}

/*
 * Room for n more bytes at obuf + olen (what was sent is dropped first).
 * Raw memory, so that it may run without the GIL: 0, or -1 (no memory,
 * no exception set).
 */
int lsp_tls_out_room(tls_pump *p, size_t n)
{
	if (p->ooff) {
		memmove(p->obuf, p->obuf + p->ooff, p->olen - p->ooff);
		p->olen -= p->ooff;
		p->ooff = 0;
	}
	if (p->olen + n > p->ocap) {
		size_t cap = p->ocap ? p->ocap : 16384;
		unsigned char *nb;
		while (cap < p->olen + n)
			cap *= 2;
		nb = PyMem_RawRealloc(p->obuf, cap);
		if (nb == NULL)
			return -1;
		p->obuf = nb;
		p->ocap = cap;
	}
	return 0;
}

/* Take what OpenSSL wrote to the outgoing BIO, after what is not sent yet. */
static int take_out(tls_pump *p)
{
	PyObject *data;
	Py_ssize_t n;
	if (p->wbio != NULL) {
		if (lsp_tls_take_out_bio(p) < 0) {
			PyErr_NoMemory();
			return -1;
		}
		return 0;
	}
	data = PyObject_CallMethodObjArgs(p->outbio, s_read, NULL);
	if (data == NULL)
		return -1;
	if (!PyBytes_Check(data)) {
		Py_DECREF(data);
		PyErr_SetString(PyExc_TypeError, "MemoryBIO.read() did not return bytes");
		return -1;
	}
	n = PyBytes_GET_SIZE(data);
	if (n && lsp_tls_out_room(p, (size_t)n) < 0) {
		Py_DECREF(data);
		PyErr_NoMemory();
		return -1;
	}
	memcpy(p->obuf + p->olen, PyBytes_AS_STRING(data), (size_t)n);
	p->olen += (size_t)n;
	Py_DECREF(data);
	return 0;
}

static int64_t time_left(int64_t deadline)
{
	int64_t left = deadline - lsp_monotonic_ms();
	return left > 0 ? left : 0;
}

/*
 * Wait, with the GIL released by the caller, until h is ready for
 * events or the deadline passes: 0 to try the call again (ready, or the
 * poll woke early with time left), LS_ETIMEDOUT, or ls_poll's error.
 */
int64_t lsp_tls_wait_ready(ls_socket h, short events, int64_t deadline)
{
	int64_t left = time_left(deadline);
	ls_pollfd pf;
	int prc;

	if (left == 0)
		return LS_ETIMEDOUT;
	pf.sock = h;
	pf.events = events;
	pf.revents = 0;
	prc = ls_poll(&pf, 1, left);
	if (prc < 0)
		return prc;
	if (prc == 0 && time_left(deadline) == 0)
		return LS_ETIMEDOUT;
	return 0;
}

/*
 * Receive toward the end of the record OpenSSL waits for, after the *got
 * bytes already in p->buf, with no Python API (the GIL may be released).
 * Returns > 0 once that record is all here (or the buffer is full), 0 when
 * the peer closed, else the failing call's LS_E* code: LS_EAGAIN only on a
 * non-blocking socket, LS_ETIMEDOUT once a timeout's deadline passed,
 * LS_EINTR for a signal (*ne: the OS error code of a failure).
 */
int64_t lsp_tls_recv_record(tls_pump *p, ls_socket h, int64_t tmo, int64_t deadline,
                            size_t *got, int *ne, int *nrecv)
{
	unsigned long done0 = p->done;
	for (;;) {
		size_t want = want_of(p);
		int64_t rc;
		if (*got + want > RBUF)
			want = RBUF - *got;
		if (tmo < 0) {
			rc = ls_recv(h, p->buf + *got, want, 0);
		} else {
			rc = ls_recv(h, p->buf + *got, want, LS_MSG_DONTWAIT);
			if (rc == LS_EAGAIN && tmo > 0) {
				rc = lsp_tls_wait_ready(h, LS_POLLIN, deadline);
				if (rc == 0)
					continue; /* ready (or the poll woke early): receive again */
			}
		}
		if (rc <= 0) {
			if (rc < 0)
				*ne = ls_native_error();
			return rc;
		}
		(*nrecv)++;
		lsp_tls_account(p, p->buf + *got, (size_t)rc);
		*got += (size_t)rc;
		if (p->done != done0 || *got == RBUF)
			return rc;
	}
}

/* The peer closed: EOF into the incoming BIO (its Python method keeps the
 * object's eof_written right). 0, or -1 with an exception. */
int lsp_tls_mark_eof(tls_pump *p)
{
	PyObject *r = PyObject_CallMethodObjArgs(p->inbio, s_write_eof, NULL);
	if (r == NULL)
		return -1;
	Py_DECREF(r);
	p->eof = 1;
	return 0;
}

/* A receive error read_more kept: raised by the next call. 0 when there is
 * none, -1 with it raised. */
int lsp_tls_raise_saved(tls_pump *p, lsp_sock *s)
{
	int64_t rc = p->saved_rc;
	if (rc == 0)
		return 0;
	p->saved_rc = 0;
	if (rc == LS_ENOMEM)
		PyErr_NoMemory();
	else
		lsp_raise((int)rc, p->saved_ne, HAS_TIMEOUT(s));
	return -1;
}

/*
 * One pull. Returns 1 when bytes (or EOF) went to the incoming BIO, 0 when
 * a non-blocking socket had nothing, -1 with an exception.
 */
static int pull(tls_pump *p, lsp_sock *s, const char *op, int64_t *deadline)
{
	int any = 0;
	for (;;) {
		ls_socket h = s->h;
		int64_t tmo = s->timeout_ms;
		unsigned long done0 = p->done;
		size_t got = 0;
		int64_t rc = 0;
		int ne = 0, nrecv = 0;
		/* The direct route feeds OpenSSL before the GIL is taken back. */
		int direct = p->rbio != NULL && !lsp_tls_eof_written(p), fed = 0, fedrc = 0;
		if (h == LS_INVALID_SOCKET) {
			lsp_closed();
			return -1;
		}
		if (lsp_tls_raise_saved(p, s) < 0)
			return -1;
		if (tmo != 0)
			LSP_SIGNALS_FIRST();
		if (tmo > 0 && *deadline < 0)
			*deadline = lsp_monotonic_ms() + tmo;
		{
			/* The record is most often there already: take it without
			 * giving up the GIL (a hand-off costs more than the copy). */
			rc = ls_recv(h, p->buf, want_of(p), LS_MSG_DONTWAIT);
			if (rc > 0) {
				nrecv++;
				lsp_tls_account(p, p->buf, (size_t)rc);
				got = (size_t)rc;
			}
			if (rc > 0 && p->done != done0) {
				lsp_counts.received++;
				if (feed(p, got) < 0)
					return -1;
				return 1;
			}
			if (rc == 0 || (rc < 0 && rc != LS_EAGAIN)) {
				if (rc < 0)
					ne = ls_native_error();
				goto after;
			}
			if (tmo == 0) {
				rc = LS_EAGAIN;
				goto after;
			}
		}
		Py_BEGIN_ALLOW_THREADS
		rc = lsp_tls_recv_record(p, h, tmo, *deadline, &got, &ne, &nrecv);
		if (direct && got) {
			fedrc = lsp_tls_feed_bio(p, p->buf, got);
			fed = 1;
		}
		Py_END_ALLOW_THREADS
	after:
		lsp_counts.received += (unsigned long long)nrecv;
		if (got) {
			any = 1;
			if (fed) {
				if (fedrc < 0) {
					PyErr_NoMemory();
					return -1;
				}
			} else if (feed(p, got) < 0) {
				return -1;
			}
		}
		if (rc > 0)
			return 1;
		if (rc == 0) /* the peer closed */
			return lsp_tls_mark_eof(p) < 0 ? -1 : 1;
		if (rc == LS_EAGAIN)
			return any; /* non-blocking: what there was */
		if (lsp_tls_io_failed(s, rc, ne, op) < 0)
			return -1;
		if (any && tmo == 0) /* a signal, after some bytes */
			return 1;
	}
}

/*
 * Send obuf from *off to its end, with no Python API (the GIL may be
 * released). Returns > 0 once all is sent, else the failing call's LS_E*
 * code as lsp_tls_recv_record's; *off moves past what went.
 */
int64_t lsp_tls_send_out(tls_pump *p, ls_socket h, int64_t tmo, int64_t deadline,
                         size_t *off, int *ne, int *nsent)
{
	while (*off < p->olen) {
		int64_t rc;
		if (tmo < 0) {
			rc = ls_send(h, p->obuf + *off, p->olen - *off, 0);
		} else {
			rc = ls_send(h, p->obuf + *off, p->olen - *off, LS_MSG_DONTWAIT);
			if (rc == LS_EAGAIN && tmo > 0) {
				rc = lsp_tls_wait_ready(h, LS_POLLOUT, deadline);
				if (rc == 0)
					continue;
			}
		}
		if (rc < 0) {
			*ne = ls_native_error();
			return rc;
		}
		(*nsent)++;
		*off += (size_t)rc;
		if (tmo < 0 && *off < p->olen)
			/* a short blocking send: a signal (see sock_bio_write, lsp_tls_direct.c) */
			return LS_EINTR;
	}
	return 1;
}

int lsp_tls_io_failed(lsp_sock *s, int64_t rc, int ne, const char *op)
{
	if (rc == LS_EINTR)
		return PyErr_CheckSignals() ? -1 : 1; /* PEP 475: on for the time left */
	if (rc == LS_ETIMEDOUT && s->timeout_ms != 0)
		PyErr_Format(PyExc_TimeoutError, "The %s operation timed out", op);
	else if (rc == LS_ENOMEM)
		PyErr_NoMemory();
	else
		lsp_raise((int)rc, ne, HAS_TIMEOUT(s));
	return -1;
}

/* Send what is unsent and what OpenSSL wrote. 1 all sent, 0 some kept (non-blocking), -1. */
static int push(tls_pump *p, lsp_sock *s, const char *op, int64_t *deadline)
{
	size_t off;
	int64_t rc = 0;
	int ne = 0;
	if (take_out(p) < 0)
		return -1;
	/* obuf stays put while this runs: push is called under _wlock. */
	off = p->ooff;
	while (off < p->olen) {
		ls_socket h = s->h;
		int64_t tmo = s->timeout_ms;
		int nsent = 0;
		if (h == LS_INVALID_SOCKET) {
			p->ooff = off;
			lsp_closed();
			return -1;
		}
		if (tmo == 0) {
			rc = ls_send(h, p->obuf + off, p->olen - off, 0);
			if (rc < 0)
				ne = ls_native_error();
			if (rc > 0) {
				lsp_counts.sent++;
				off += (size_t)rc;
				continue;
			}
		} else {
			if (tmo > 0 && *deadline < 0)
				*deadline = lsp_monotonic_ms() + tmo;
			if (PyErr_CheckSignals()) /* as LSP_SIGNALS_FIRST, keeping the rest */
				goto keep_and_fail;
			Py_BEGIN_ALLOW_THREADS
			rc = lsp_tls_send_out(p, h, tmo, *deadline, &off, &ne, &nsent);
			Py_END_ALLOW_THREADS
			lsp_counts.sent += (unsigned long long)nsent;
			if (rc > 0)
				break;
		}
		if (rc == LS_EAGAIN && tmo == 0) {
			p->ooff = off;
			return 0;
		}
		/* A send times out as the write it is part of (or the handshake). */
		if (rc != 0 &&
		    lsp_tls_io_failed(s, rc, ne, strcmp(op, "handshake") == 0 ? "handshake" : "write") < 0)
			goto keep_and_fail;
	}
	p->olen = p->ooff = 0;
	return 1;
keep_and_fail:
	/* What is left stays first in line: TLS bytes must go out in order. */
	p->ooff = off;
	return -1;
}

static int parse_deadline(PyObject *o, int64_t *d)
{
	long long v = PyLong_AsLongLong(o);
	if (v == -1 && PyErr_Occurred())
		return -1;
	*d = v < 0 ? -1 : (int64_t)v;
	return 0;
}

static PyObject *p_pull(tls_pump *p, PyObject *args)
{
	PyObject *so, *dl;
	const char *op;
	int64_t deadline;
	lsp_sock *s;
	int r;
	if (!PyArg_ParseTuple(args, "OsO:pull", &so, &op, &dl) || parse_deadline(dl, &deadline) < 0)
		return NULL;
	if ((s = lsp_tls_sock_of(so)) == NULL)
		return NULL;
	r = pull(p, s, op, &deadline);
	if (r < 0)
		return NULL;
	return PyLong_FromLongLong(r ? (long long)deadline : -2);
}

static PyObject *p_push(tls_pump *p, PyObject *args)
{
	PyObject *so, *dl;
	const char *op;
	int64_t deadline;
	lsp_sock *s;
	int r;
	if (!PyArg_ParseTuple(args, "OsO:push", &so, &op, &dl) || parse_deadline(dl, &deadline) < 0)
		return NULL;
	if ((s = lsp_tls_sock_of(so)) == NULL)
		return NULL;
	r = push(p, s, op, &deadline);
	if (r < 0)
		return NULL;
	return PyLong_FromLongLong(r ? (long long)deadline : -2);
}

/* OpenSSL cannot return anything without more input (see the top). */
static int must_pull(tls_pump *p, PyObject *len, int *yes)
{
	Py_ssize_t n;
	PyObject *v;
	*yes = 0;
	if (!p->ready || p->eof || p->olen > p->ooff || !PyLong_Check(len))
		return 0;
	n = PyLong_AsSsize_t(len);
	if (n <= 0) {
		PyErr_Clear();
		return 0;
	}
	if (bio_pending(p, p->outbio, &n) < 0)
		return -1;
	if (n)
		return 0;
	if (bio_pending(p, p->inbio, &n) < 0)
		return -1;
	if (n > (Py_ssize_t)p->cur)
		return 0;
	v = PyObject_CallMethodObjArgs(p->sslobj, s_pending, NULL);
	if (v == NULL)
		return -1;
	n = PyLong_AsSsize_t(v);
	Py_DECREF(v);
	if (n == -1 && PyErr_Occurred())
		return -1;
	*yes = n == 0;
	return 0;
}

static PyObject *p_read(tls_pump *p, PyObject *args)
{
	PyObject *so, *len, *buffer = Py_None;
	int64_t deadline = -1;
	int forced = 0;
	int first = 0;
	if (!PyArg_ParseTuple(args, "OO|O:read", &so, &len, &buffer))
		return NULL;
	if (p->ssl != NULL) {
		PyObject *out = NULL;
		int r = lsp_tls_read_ssl_route(p, so, len, buffer, &out, &first);
		if (r != 0)
			return r > 0 ? out : NULL;
	}
	for (;;) {
		PyObject *r;
		int yes = forced;
		if (!yes && !first && must_pull(p, len, &yes) < 0)
			return NULL;
		first = 0;
		if (yes) {
			lsp_sock *s = lsp_tls_sock_of(so);
			int got;
			if (s == NULL)
				return NULL;
			got = pull(p, s, "read", &deadline);
			if (got < 0)
				return NULL;
			if (got == 0)
				forced = -1; /* non-blocking, nothing there: let OpenSSL say so */
		}
		if (buffer == Py_None)
			r = PyObject_CallMethodObjArgs(p->sslobj, s_read, len, NULL);
		else
			r = PyObject_CallMethodObjArgs(p->sslobj, s_read, len, buffer, NULL);
		if (r != NULL) {
			p->ready = 1;
			return r;
		}
		if (forced < 0 || p->eof || p->olen > p->ooff || !PyErr_ExceptionMatches(want_read))
			return NULL;
		{
			Py_ssize_t n;
			PyObject *et, *ev, *tb;
			PyErr_Fetch(&et, &ev, &tb);
			if (bio_pending(p, p->outbio, &n) < 0) {
				Py_XDECREF(et);
				Py_XDECREF(ev);
				Py_XDECREF(tb);
				return NULL;
			}
			if (n) { /* OpenSSL has something to say first: the Python side sends it */
				PyErr_Restore(et, ev, tb);
				return NULL;
			}
			Py_XDECREF(et);
			Py_XDECREF(ev);
			Py_XDECREF(tb);
		}
		forced = 1;
	}
}

/*
 * write(sock, data): _ssl's write and the send of its records, in C (the
 * SSL route). The number of bytes written once all is sent, or None when
 * _ssl's own write must run (no route, or OpenSSL did not take the data).
 * Called under _wlock.
 */
static PyObject *p_write(tls_pump *p, PyObject *args)
{
	PyObject *so, *out = NULL;
	Py_buffer data;
	int r = 0;
	if (!PyArg_ParseTuple(args, "Oy*:write", &so, &data))
		return NULL;
	if (p->ssl != NULL && data.len > 0 && data.len <= INT_MAX)
		r = lsp_tls_fast_write(p, so, &data, &out);
	PyBuffer_Release(&data);
	if (r < 0)
		return NULL;
	if (r == 0)
		Py_RETURN_NONE;
	return out;
}

/*
 * handshake(sock): the handshake in C (the SSL route), under _tls.py's two
 * locks. True once done; False when _ssl's own do_handshake must run (no
 * route, a non-blocking socket, or an outcome only _ssl can raise).
 */
static PyObject *p_handshake(tls_pump *p, PyObject *so)
{
	int r = 0;
	if (p->ssl != NULL)
		r = lsp_tls_fast_handshake(p, so);
	if (r < 0)
		return NULL;
	return PyBool_FromLong(r);
}

/* push() under the Python lock that keeps the records going out in order. */
static int locked_push(tls_pump *p, lsp_sock *s, PyObject *lock, const char *op, int64_t *deadline)
{
	PyObject *r = PyObject_CallMethod(lock, "acquire", NULL);
	int rc;
	PyObject *et, *ev, *tb;
	if (r == NULL)
		return -1;
	Py_DECREF(r);
	rc = push(p, s, op, deadline);
	PyErr_Fetch(&et, &ev, &tb);
	r = PyObject_CallMethod(lock, "release", NULL);
	if (r == NULL) {
		Py_XDECREF(et);
		Py_XDECREF(ev);
		Py_XDECREF(tb);
		return -1;
	}
	Py_DECREF(r);
	PyErr_Restore(et, ev, tb);
	return rc;
}

static int has_output(tls_pump *p, int *yes)
{
	Py_ssize_t n;
	if (bio_pending(p, p->outbio, &n) < 0)
		return -1;
	*yes = n > 0 || p->olen > p->ooff;
	return 0;
}

/*
 * run(sock, fn, op, wlock): fn() (the handshake, shutdown) until it
 * returns, sending what OpenSSL writes and pulling the records it waits
 * for, in C. A non-blocking socket that cannot go on, EOF, and any error
 * come back with fn's own exception, for the Python code.
 */
static PyObject *p_run(tls_pump *p, PyObject *args)
{
	PyObject *so, *fn, *lock;
	const char *op;
	int64_t deadline = -1;
	if (!PyArg_ParseTuple(args, "OOsO:run", &so, &fn, &op, &lock))
		return NULL;
	for (;;) {
		PyObject *r = PyObject_CallObject(fn, NULL);
		PyObject *et, *ev, *tb;
		lsp_sock *s;
		int out, got;
		if (r != NULL) {
			if (has_output(p, &out) < 0) {
				Py_DECREF(r);
				return NULL;
			}
			if (out) {
				if ((s = lsp_tls_sock_of(so)) == NULL) {
					Py_DECREF(r);
					return NULL;
				}
				got = locked_push(p, s, lock, op, &deadline);
				if (got <= 0) {
					Py_DECREF(r);
					if (got == 0) /* non-blocking: the rest is kept */
						PyErr_SetObject(want_write, wantw_args);
					return NULL;
				}
			}
			return r;
		}
		if (!PyErr_ExceptionMatches(want_read) || p->eof)
			return NULL;
		PyErr_Fetch(&et, &ev, &tb);
		if (has_output(p, &out) < 0 || (s = lsp_tls_sock_of(so)) == NULL)
			goto fail;
		if (out) {
			got = locked_push(p, s, lock, op, &deadline);
			if (got < 0)
				goto fail;
			if (got == 0)
				goto give_back;
		}
		got = pull(p, s, op, &deadline);
		if (got < 0)
			goto fail;
		if (got == 0 || p->eof)
			goto give_back;
		Py_XDECREF(et);
		Py_XDECREF(ev);
		Py_XDECREF(tb);
		continue;
	give_back:
		PyErr_Restore(et, ev, tb);
		return NULL;
	fail:
		Py_XDECREF(et);
		Py_XDECREF(ev);
		Py_XDECREF(tb);
		return NULL;
	}
}

static PyObject *p_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
	PyObject *in, *out, *obj;
	int direct = 0;
	tls_pump *p;
	if (!PyArg_ParseTuple(args, "OOO|p:_TLSPump", &in, &out, &obj, &direct))
		return NULL;
	if (want_read == NULL) { /* _ssl is loaded by now: ssl made the BIOs */
		PyObject *ssl = PyImport_ImportModule("_ssl");
		if (ssl == NULL)
			return NULL;
		want_read = PyObject_GetAttrString(ssl, "SSLWantReadError");
		want_write = PyObject_GetAttrString(ssl, "SSLWantWriteError");
		Py_DECREF(ssl);
		wantw_args = Py_BuildValue("(is)", 3 /* SSL_ERROR_WANT_WRITE */,
		                           "The operation did not complete (write)");
		if (want_read == NULL || want_write == NULL || wantw_args == NULL) {
			Py_CLEAR(want_read);
			Py_CLEAR(want_write);
			Py_CLEAR(wantw_args);
			return NULL;
		}
	}
	p = (tls_pump *)type->tp_alloc(type, 0);
	if (p == NULL)
		return NULL;
	p->buf = PyMem_Malloc(RBUF);
	if (p->buf == NULL) {
		Py_DECREF(p);
		return PyErr_NoMemory();
	}
	Py_INCREF(in);
	Py_INCREF(out);
	Py_INCREF(obj);
	p->inbio = in;
	p->outbio = out;
	p->sslobj = obj;
	(void)kw;
	lsp_tls_direct_open(p, in, out, obj, direct);
	return (PyObject *)p;
}

static int p_traverse(tls_pump *p, visitproc visit, void *arg)
{
	Py_VISIT(p->inbio);
	Py_VISIT(p->outbio);
	Py_VISIT(p->sslobj);
	return 0;
}

static int p_clear(tls_pump *p)
{
	Py_CLEAR(p->inbio);
	Py_CLEAR(p->outbio);
	Py_CLEAR(p->sslobj);
	return 0;
}

static void p_dealloc(tls_pump *p)
{
	PyObject_GC_UnTrack(p);
	p_clear(p);
	PyMem_Free(p->buf);
	PyMem_RawFree(p->obuf);
	lsp_tls_sock_bios_free(p);
	Py_TYPE(p)->tp_free((PyObject *)p);
}

static PyObject *g_eof(tls_pump *p, void *c)
{
	(void)c;
	return PyBool_FromLong(p->eof);
}

static PyObject *g_exact(tls_pump *p, void *c)
{
	(void)c;
	return PyBool_FromLong(p->exact);
}

static int s_exact(tls_pump *p, PyObject *v, void *c)
{
	int b;
	(void)c;
	if (v == NULL || (b = PyObject_IsTrue(v)) < 0) {
		if (v == NULL)
			PyErr_SetString(PyExc_AttributeError, "cannot delete exact");
		return -1;
	}
	p->exact = b;
	return 0;
}

static PyObject *g_unsent(tls_pump *p, void *c)
{
	(void)c;
	return PyLong_FromSize_t(p->olen - p->ooff);
}

static PyObject *g_direct(tls_pump *p, void *c)
{
	(void)c;
	return PyBool_FromLong(p->rbio != NULL);
}

static PyObject *g_sslroute(tls_pump *p, void *c)
{
	(void)c;
	return PyBool_FromLong(p->ssl != NULL);
}

static PyMethodDef p_methods[] = {
	{"pull", (PyCFunction)p_pull, METH_VARARGS,
	 "pull(sock, op, deadline) -> deadline, or -2 (non-blocking, nothing to read)"},
	{"push", (PyCFunction)p_push, METH_VARARGS,
	 "push(sock, op, deadline) -> deadline, or -2 (non-blocking, some kept)"},
	{"run", (PyCFunction)p_run, METH_VARARGS,
	 "run(sock, fn, op, wlock): fn() with its records moved in C"},
	{"read", (PyCFunction)p_read, METH_VARARGS,
	 "read(sock, len[, buffer]): sslobj.read with records pulled in C"},
	{"handshake", (PyCFunction)p_handshake, METH_O,
	 "handshake(sock) -> True once done, False: sslobj.do_handshake must run"},
	{"write", (PyCFunction)p_write, METH_VARARGS,
	 "write(sock, data) -> n once sent, or None: sslobj.write must run"},
	{NULL, NULL, 0, NULL},
};

static PyGetSetDef p_getset[] = {
	{"eof", (getter)g_eof, NULL, "the peer closed", NULL},
	{"exact", (getter)g_exact, (setter)s_exact, "take no byte past the current record", NULL},
	{"unsent", (getter)g_unsent, NULL, "TLS bytes waiting to be sent", NULL},
	{"direct", (getter)g_direct, NULL, "the records go through the BIOs directly", NULL},
	{"sslroute", (getter)g_sslroute, NULL, "read and write call OpenSSL's SSL directly", NULL},
	{NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject pump_type = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "libsock._libsock._TLSPump",
	.tp_basicsize = sizeof(tls_pump),
	.tp_dealloc = (destructor)p_dealloc,
	.tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
	.tp_doc = "The TLS record pump of libsock/_tls.py (src/lsp_tls.c).",
	.tp_traverse = (traverseproc)p_traverse,
	.tp_clear = (inquiry)p_clear,
	.tp_methods = p_methods,
	.tp_getset = p_getset,
	.tp_new = p_new,
};


static PyMethodDef tls_functions[] = {
	{"_tls_direct_check", lsp_tls_direct_check, METH_NOARGS,
	 "_tls_direct_check() -> (ok, why): may the TLS pump use the BIOs under "
	 "ssl.MemoryBIO directly (checked once per process)"},
	{NULL, NULL, 0, NULL},
};

int lsp_tls_init(PyObject *module, PyTypeObject *sb)
{
	lsp_tls_sockbase = sb;
	if (PyType_Ready(&pump_type) < 0)
		return -1;
	s_write = PyUnicode_InternFromString("write");
	s_write_eof = PyUnicode_InternFromString("write_eof");
	s_read = PyUnicode_InternFromString("read");
	s_pending = PyUnicode_InternFromString("pending");
	if (!s_write || !s_write_eof || !s_read || !s_pending)
		return -1;
	if (PyModule_AddFunctions(module, tls_functions) < 0)
		return -1;
	Py_INCREF(&pump_type);
	if (PyModule_AddObject(module, "_TLSPump", (PyObject *)&pump_type) < 0) {
		Py_DECREF(&pump_type);
		return -1;
	}
	return 0;
}
