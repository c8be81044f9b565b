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
 * The direct route (built with OpenSSL, for CPython 3.11): the pump reaches
 * the BIO * under each ssl.MemoryBIO (PySSLMemoryBIO in CPython's
 * Modules/_ssl.c, declared below) and feeds received records with
 * BIO_write (with the GIL released, in the same stretch as the receive) and
 * drains what OpenSSL wrote with BIO_read, with no Python call and no bytes
 * object per record. It is only taken once _tls_direct_check() has found,
 * once per process: this interpreter is the 3.11 the layout was compiled
 * for, _ssl.MemoryBIO has that size, _ssl's OpenSSL is this extension's
 * (ssl.OPENSSL_VERSION_NUMBER == OpenSSL_version_num()), a fresh
 * MemoryBIO's BIO is a memory BIO (BIO_TYPE_MEM), and a byte written with
 * MemoryBIO.write comes back through BIO_read (and one written with
 * BIO_write through MemoryBIO.read, and write_eof sets eof_written). Each
 * pump checks again that both objects are exactly _ssl.MemoryBIO with a
 * memory BIO. Anything else, or LIBSOCK_TLS_PUMP=python (in _tls.py), keeps
 * the MemoryBIOs' Python methods.
 */
#include "lsp.h"

#include <string.h>

#if defined(LSP_HAVE_OPENSSL) && PY_VERSION_HEX >= 0x030B0000 && PY_VERSION_HEX < 0x030C0000
#define LSP_DIRECT 1
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/ssl.h>
/* CPython 3.11's PySSLMemoryBIO (Modules/_ssl.c); checked at run time. */
typedef struct {
	PyObject_HEAD
	BIO *bio;
	int eof_written;
} lsp_memory_bio;
/*
 * CPython 3.11's PySSLSocket (Modules/_ssl.c), the _ssl._SSLSocket that
 * SSLContext._wrap_bio makes; checked at run time (see direct_check). The
 * pump uses `ssl` and the three exception fields, where _ssl's callbacks
 * (msg_callback, SNI) leave an exception for the next read or write.
 */
typedef struct {
	PyObject_HEAD
	PyObject *Socket;
	SSL *ssl;
	PyObject *ctx;
	char shutdown_seen_zero;
	int socket_type;
	PyObject *owner;
	PyObject *server_hostname;
	struct {
		int ssl, c;
	} err;
	PyObject *exc_type, *exc_value, *exc_tb;
} lsp_ssl_socket;
static PyTypeObject *memtype; /* _ssl.MemoryBIO once the check passed */
static PyTypeObject *ssltype; /* _ssl._SSLSocket once the check passed */
#else
#define LSP_DIRECT 0
typedef struct bio_st BIO;
typedef struct ssl_st SSL;
#endif
static int direct_state = -1; /* -1 not checked, 0 no, 1 yes */
static char direct_why[160];

/*
 * Before a stretch without the GIL that may block: a signal that came while
 * Python held the GIL has its handler run now (an exception from it ends
 * the operation), or the wait would start with the signal already spent
 * and not end until the socket is ready. In a function returning int, -1
 * with the exception set.
 */
#define LSP_SIGNALS_FIRST()                                                    \
	do {                                                                   \
		if (PyErr_CheckSignals())                                      \
			return -1;                                             \
	} while (0)

#define HDR 5
/* A whole record: 5-byte header and the most a header's length can say. */
#define RBUF (HDR + 65535)

typedef struct {
	PyObject_HEAD
	PyObject *inbio;       /* ssl.MemoryBIO OpenSSL reads from */
	PyObject *outbio;      /* ssl.MemoryBIO OpenSSL writes to */
	PyObject *sslobj;      /* the _ssl._SSLSocket over them */
	BIO *rbio, *wbio;      /* the BIOs under inbio and outbio (direct route), or NULL */
	SSL *ssl;              /* sslobj's SSL over rbio and wbio (direct route), or NULL */
	unsigned char *obuf;   /* TLS bytes taken from OpenSSL, [ooff, olen) not sent yet */
	size_t ocap, olen, ooff;
	unsigned char *buf;    /* RBUF bytes: one receive */
	unsigned char hdr[HDR];/* the part of a header received so far */
	int hdrlen;
	long left;             /* body bytes of the current record not yet received */
	long cur;              /* bytes of the current incomplete record received (0: on a boundary) */
	unsigned long done;    /* records completed (received to their end) */
	int eof;               /* the peer closed: EOF was written to the incoming BIO */
	int exact;             /* receive no byte past the current record (unwrap) */
	int ready;             /* the handshake is done: read() may pull first */
	/* The SSL route's socket BIOs (see sock_bio_read) and their state
	 * during one stretch: the socket, its timeout and deadline, the
	 * failing call's LS_E* code (1 while none) and OS error, the calls. */
	BIO *rsbio, *wsbio;
	ls_socket bh;
	int64_t btmo, bdeadline, brc;
	int bne, bnrecv, bnsent, bshort;
	int64_t saved_rc;      /* a receive error of read_more for the next call, or 0 */
	int saved_ne;
} tls_pump;

static PyTypeObject *sockbase;
static PyObject *s_write, *s_write_eof, *s_read, *s_pending, *want_read, *want_write, *wantw_args;

/* Follow record boundaries through n bytes just received. */
static void account(tls_pump *p, const unsigned char *d, size_t n)
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

static lsp_sock *sock_of(PyObject *o)
{
	lsp_sock *s;
	if (o == Py_None) {
		lsp_closed();
		return NULL;
	}
	if (!PyObject_TypeCheck(o, sockbase)) {
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
#if LSP_DIRECT
	if (p->rbio != NULL) {
		*n = (Py_ssize_t)BIO_ctrl_pending(bio == p->inbio ? p->rbio : p->wbio);
		return 0;
	}
#endif
	v = PyObject_GetAttr(bio, s_pending);
	if (v == NULL)
		return -1;
	*n = PyLong_AsSsize_t(v);
	Py_DECREF(v);
	return *n == -1 && PyErr_Occurred() ? -1 : 0;
}

/* The direct route: n bytes into OpenSSL's read BIO, no Python API (the GIL
 * may be released). 0, or -1 (the BIO could not grow). */
static int feed_bio(tls_pump *p, const unsigned char *d, size_t n)
{
#if LSP_DIRECT
	while (n) {
		int chunk = n > 0x40000000 ? 0x40000000 : (int)n;
		int r = BIO_write(p->rbio, d, chunk);
		if (r <= 0)
			return -1;
		d += r;
		n -= (size_t)r;
	}
	return 0;
#else
	(void)p;
	(void)d;
	(void)n;
	return -1;
#endif
}

static int eof_written(tls_pump *p)
{
#if LSP_DIRECT
	return ((lsp_memory_bio *)p->inbio)->eof_written;
#else
	(void)p;
	return 1;
#endif
}

static int feed(tls_pump *p, size_t n)
{
	PyObject *mv, *r;
	if (n == 0)
		return 0;
	if (p->rbio != NULL && !eof_written(p)) {
		if (feed_bio(p, p->buf, n) < 0) {
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
static int out_room(tls_pump *p, size_t n)
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

/* The direct route: move what OpenSSL wrote to the outgoing BIO after the
 * unsent bytes, with no Python API. 0, or -1 (no memory, nothing set). */
static int take_out_bio(tls_pump *p)
{
#if LSP_DIRECT
	size_t avail = BIO_ctrl_pending(p->wbio);
	while (avail) {
		int chunk = avail > 0x40000000 ? 0x40000000 : (int)avail, r;
		if (out_room(p, (size_t)chunk) < 0)
			return -1;
		r = BIO_read(p->wbio, p->obuf + p->olen, chunk);
		if (r <= 0)
			break;
		p->olen += (size_t)r;
		avail = BIO_ctrl_pending(p->wbio);
	}
	return 0;
#else
	(void)p;
	return -1;
#endif
}

/* Take what OpenSSL wrote to the outgoing BIO, after what is not sent yet. */
static int take_out(tls_pump *p)
{
	PyObject *data;
	Py_ssize_t n;
	if (p->wbio != NULL) {
		if (take_out_bio(p) < 0) {
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
	if (n && out_room(p, (size_t)n) < 0) {
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
static int64_t wait_ready(ls_socket h, short events, int64_t deadline)
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
static int64_t recv_record(tls_pump *p, ls_socket h, int64_t tmo, int64_t deadline,
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
				rc = wait_ready(h, LS_POLLIN, deadline);
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
		account(p, p->buf + *got, (size_t)rc);
		*got += (size_t)rc;
		if (p->done != done0 || *got == RBUF)
			return rc;
	}
}

/* The peer closed: EOF into the incoming BIO (its Python method keeps the
 * object's eof_written right). 0, or -1 with an exception. */
static int mark_eof(tls_pump *p)
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
static int raise_saved(tls_pump *p, lsp_sock *s)
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
		int direct = p->rbio != NULL && !eof_written(p), fed = 0, fedrc = 0;
		if (h == LS_INVALID_SOCKET) {
			lsp_closed();
			return -1;
		}
		if (raise_saved(p, s) < 0)
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
				account(p, p->buf, (size_t)rc);
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
		rc = recv_record(p, h, tmo, *deadline, &got, &ne, &nrecv);
		if (direct && got) {
			fedrc = feed_bio(p, p->buf, got);
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
			return mark_eof(p) < 0 ? -1 : 1;
		if (rc == LS_EAGAIN)
			return any; /* non-blocking: what there was */
		if (rc == LS_EINTR) {
			if (PyErr_CheckSignals())
				return -1;
			if (any && tmo == 0)
				return 1;
			continue; /* PEP 475: on for the time left */
		}
		if (rc == LS_ETIMEDOUT && tmo != 0) {
			PyErr_Format(PyExc_TimeoutError, "The %s operation timed out", op);
			return -1;
		}
		lsp_raise((int)rc, ne, HAS_TIMEOUT(s));
		return -1;
	}
}

/*
 * Send obuf from *off to its end, with no Python API (the GIL may be
 * released). Returns > 0 once all is sent, else the failing call's LS_E*
 * code as recv_record's; *off moves past what went.
 */
static int64_t send_out(tls_pump *p, ls_socket h, int64_t tmo, int64_t deadline,
                        size_t *off, int *ne, int *nsent)
{
	while (*off < p->olen) {
		int64_t rc;
		if (tmo < 0) {
			rc = ls_send(h, p->obuf + *off, p->olen - *off, 0);
		} else {
			rc = ls_send(h, p->obuf + *off, p->olen - *off, LS_MSG_DONTWAIT);
			if (rc == LS_EAGAIN && tmo > 0) {
				rc = wait_ready(h, LS_POLLOUT, deadline);
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
			return LS_EINTR; /* a short blocking send: a signal (see sock_bio_write) */
	}
	return 1;
}

/* The TimeoutError of an operation that was sending. */
static void write_timed_out(const char *op)
{
	PyErr_Format(PyExc_TimeoutError, "The %s operation timed out",
	             strcmp(op, "handshake") == 0 ? "handshake" : "write");
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
			rc = send_out(p, h, tmo, *deadline, &off, &ne, &nsent);
			Py_END_ALLOW_THREADS
			lsp_counts.sent += (unsigned long long)nsent;
			if (rc > 0)
				break;
		}
		if (rc == LS_EINTR) {
			if (PyErr_CheckSignals())
				goto keep_and_fail;
			continue;
		}
		if (rc == LS_EAGAIN && tmo == 0) {
			p->ooff = off;
			return 0;
		}
		if (rc == LS_ETIMEDOUT && tmo != 0) {
			write_timed_out(op);
			goto keep_and_fail;
		}
		if (rc == 0)
			continue;
		lsp_raise((int)rc, ne, HAS_TIMEOUT(s));
		goto keep_and_fail;
	}
	p->olen = p->ooff = 0;
	return 1;
keep_and_fail:
	/* What is left stays first in line: TLS bytes must go out in order. */
	p->ooff = off;
	return -1;
}

#if LSP_DIRECT
/*
 * The SSL route: OpenSSL's SSL_read_ex/SSL_write_ex on the SSL of the _ssl
 * object, called by the pump itself in the same stretch without the GIL
 * as the receive or the send, where _ssl would take the GIL back between
 * the two (see the top). Only for a socket that blocks (with or without a
 * timeout) once the handshake is done; the pump hands anything else back
 * to _ssl's own methods with OpenSSL's state and error queue untouched, so
 * _ssl's call meets the same outcome and raises its own exception.
 */
static int ssl_route(tls_pump *p, lsp_sock *s)
{
	return p->ssl != NULL && s->timeout_ms != 0 && !p->eof && !p->exact && !eof_written(p) &&
	       p->olen == p->ooff && SSL_is_init_finished(p->ssl);
}

/* What _ssl does after a successful read or write: an exception one of its
 * callbacks left on the object is raised now. 0, or -1 with it set. */
static int callback_raised(tls_pump *p)
{
	lsp_ssl_socket *o = (lsp_ssl_socket *)p->sslobj;
	if (o->exc_type == NULL)
		return 0;
	PyErr_Restore(o->exc_type, o->exc_value, o->exc_tb);
	o->exc_type = o->exc_value = o->exc_tb = NULL;
	return -1;
}

/*
 * The SSL route's socket BIOs. For one stretch without the GIL, the pump
 * gives the SSL a BIO whose reads and writes are libsock's own calls on
 * the socket, in place of the MemoryBIO (SSL_set0_rbio/SSL_set0_wbio, the
 * references kept so that the MemoryBIO's BIO is put back untouched), so
 * OpenSSL receives into and sends from its own record buffers, as _ssl's
 * socket BIO does on a descriptor: no copy through a memory BIO. The read
 * side keeps the pump's rules: bytes already in the incoming MemoryBIO go
 * first, the record boundaries are followed (account), and reading a
 * record's body to its end takes at most the next 5-byte header along in
 * the same receive (into the MemoryBIO), never once `exact` is set. A call
 * that cannot go on (EAGAIN, a signal, the deadline, EOF, an error) is a
 * retry for OpenSSL, so the SSL stays sound; the pump reads the cause from
 * brc once OpenSSL has returned.
 */
static BIO_METHOD *sock_method;

/* brc while no call failed, and when OpenSSL has output to send first. */
#define BRC_NONE 1
#define BRC_OUTPUT 2

static int sock_bio_read(BIO *b, char *out, size_t outl, size_t *readbytes)
{
	tls_pump *p = BIO_get_data(b);
	size_t have = BIO_ctrl_pending(p->rbio);
	BIO_clear_retry_flags(b);
	if (have) { /* what a receive took ahead (a header) comes first */
		int r = BIO_read(p->rbio, out, (int)(outl < have ? outl : have));
		if (r > 0) {
			*readbytes = (size_t)r;
			return 1;
		}
	}
	if (BIO_ctrl_pending(p->wbio)) {
		/* OpenSSL wrote something while reading (a renegotiation, a
		 * certificate asked for after the handshake) and may wait for
		 * the answer: it goes out under _wlock first (the slow path). */
		p->brc = BRC_OUTPUT;
		BIO_set_retry_read(b);
		return 0;
	}
	for (;;) {
		unsigned char ahead[HDR];
		ls_iovec iov[2];
		size_t n = 1;
		int64_t rc;
		iov[0].base = out;
		iov[0].len = outl;
		if (!p->exact && p->left > 0 && outl == (size_t)p->left) {
			iov[1].base = ahead;
			iov[1].len = HDR;
			n = 2;
		}
		rc = ls_recvv(p->bh, iov, n, p->btmo < 0 ? 0 : LS_MSG_DONTWAIT);
		if (rc == LS_EAGAIN && p->btmo > 0) {
			rc = wait_ready(p->bh, LS_POLLIN, p->bdeadline);
			if (rc == 0)
				continue;
		}
		if (rc <= 0) {
			if (rc < 0)
				p->bne = ls_native_error();
			p->brc = rc;
			BIO_set_retry_read(b);
			return 0;
		}
		p->bnrecv++;
		if ((size_t)rc > outl) {
			account(p, (unsigned char *)out, outl);
			account(p, ahead, (size_t)rc - outl);
			if (feed_bio(p, ahead, (size_t)rc - outl) < 0) {
				p->brc = LS_ENOMEM;
				BIO_set_retry_read(b);
				return 0;
			}
			rc = (int64_t)outl;
		} else {
			account(p, (unsigned char *)out, (size_t)rc);
		}
		*readbytes = (size_t)rc;
		return 1;
	}
}

static int sock_bio_write(BIO *b, const char *in, size_t inl, size_t *written)
{
	tls_pump *p = BIO_get_data(b);
	BIO_clear_retry_flags(b);
	if (p->bshort) {
		/* The last blocking send came back short: on a blocking socket
		 * that is a signal (the kernel returns what went before it).
		 * OpenSSL gets a retry, so the pump can run the handlers (an
		 * exception from one ends the write; otherwise OpenSSL is called
		 * again and goes on). stdlib's write blocks on until all is
		 * sent. */
		p->bshort = 0;
		p->brc = LS_EINTR;
		BIO_set_retry_write(b);
		return 0;
	}
	for (;;) {
		int64_t rc = ls_send(p->bh, in, inl, p->btmo < 0 ? 0 : LS_MSG_DONTWAIT);
		if (rc == LS_EAGAIN && p->btmo > 0) {
			rc = wait_ready(p->bh, LS_POLLOUT, p->bdeadline);
			if (rc == 0)
				continue;
		}
		if (rc < 0) {
			p->bne = ls_native_error();
			p->brc = rc;
			BIO_set_retry_write(b);
			return 0;
		}
		p->bnsent++;
		p->bshort = p->btmo < 0 && (size_t)rc < inl;
		*written = (size_t)rc;
		return 1;
	}
}

static long sock_bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	(void)b;
	(void)num;
	(void)ptr;
	/* Writes go straight out; nothing else applies to a socket here. */
	return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

/* The pump's two socket BIOs (at creation, GIL held): 0, or -1 (none; the
 * SSL route is then not taken). */
static int sock_bios_new(tls_pump *p)
{
	if (sock_method == NULL) {
		BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK,
		                             "libsock TLS pump");
		if (m == NULL || !BIO_meth_set_read_ex(m, sock_bio_read) ||
		    !BIO_meth_set_write_ex(m, sock_bio_write) || !BIO_meth_set_ctrl(m, sock_bio_ctrl)) {
			BIO_meth_free(m);
			return -1;
		}
		sock_method = m;
	}
	p->rsbio = BIO_new(sock_method);
	p->wsbio = BIO_new(sock_method);
	if (p->rsbio == NULL || p->wsbio == NULL) {
		BIO_free(p->rsbio);
		BIO_free(p->wsbio);
		p->rsbio = p->wsbio = NULL;
		return -1;
	}
	BIO_set_data(p->rsbio, p);
	BIO_set_data(p->wsbio, p);
	BIO_set_init(p->rsbio, 1);
	BIO_set_init(p->wsbio, 1);
	return 0;
}

/* Start a stretch on socket h: the failing call's code back to "none". */
static void sock_bios_arm(tls_pump *p, ls_socket h, int64_t tmo, int64_t deadline)
{
	p->bh = h;
	p->btmo = tmo;
	p->bdeadline = deadline;
	p->brc = BRC_NONE;
	p->bne = 0;
	p->bnrecv = p->bnsent = p->bshort = 0;
}

/* The socket BIO in place of the incoming MemoryBIO's, and back. */
static void use_sock_rbio(tls_pump *p)
{
	BIO_up_ref(p->rbio);  /* the reference SSL_set0_rbio drops */
	BIO_up_ref(p->rsbio); /* the reference the SSL takes */
	SSL_set0_rbio(p->ssl, p->rsbio);
}

static void use_mem_rbio(tls_pump *p)
{
	SSL_set0_rbio(p->ssl, p->rbio); /* gives back use_sock_rbio's reference */
}

static void use_sock_wbio(tls_pump *p)
{
	BIO_up_ref(p->wbio);
	BIO_up_ref(p->wsbio);
	SSL_set0_wbio(p->ssl, p->wsbio);
}

static void use_mem_wbio(tls_pump *p)
{
	SSL_set0_wbio(p->ssl, p->wbio);
}

/*
 * After a record was read into the caller's buffer, the records that are
 * already here (decrypted and pending, or whole or partly in the kernel)
 * go into the rest of it, without waiting: one read() returns what a
 * descriptor has, up to the buffer's size, where _ssl returns one record;
 * for a 64 KiB buffer that is a quarter of the calls into Python. Nothing
 * is taken from the kernel beyond what is read (plus the usual header), so
 * select() and pending() keep their meaning. An SSL outcome that is not
 * data (close_notify, an error) stays in the SSL for the next call, as
 * _ssl would meet it there; a receive error is kept for the next call.
 */
static void read_more(tls_pump *p, char *mem, size_t len, size_t *count)
{
	int64_t tmo = p->btmo;
	p->btmo = 0; /* LS_MSG_DONTWAIT: only what is here */
	while (*count < len) {
		size_t more = 0;
		if (!SSL_read_ex(p->ssl, mem + *count, len - *count, &more))
			break;
		*count += more;
	}
	if (p->brc < 0 && p->brc != LS_EAGAIN && p->brc != LS_EINTR) {
		p->saved_rc = p->brc;
		p->saved_ne = p->bne;
	}
	p->brc = BRC_NONE;
	p->btmo = tmo;
}

/* Why a stretch of fast_read ended. */
enum { FR_DATA, FR_SSL, FR_RECV };

/*
 * _ssl's read(len[, buffer]) with OpenSSL receiving through the socket BIO
 * in the same stretch without the GIL. 1 with *out set, 0 when _ssl's own
 * read must give the outcome (nothing was consumed that it would not
 * see), -1 with an exception.
 */
static int fast_read(tls_pump *p, PyObject *so, Py_ssize_t len, Py_buffer *view, PyObject **out)
{
	PyObject *dest = NULL;
	char *mem;
	int64_t deadline = -1;
	if (view == NULL) {
		dest = PyBytes_FromStringAndSize(NULL, len);
		if (dest == NULL)
			return -1;
		mem = PyBytes_AS_STRING(dest);
	} else {
		mem = view->buf;
	}
	for (;;) {
		lsp_sock *s = sock_of(so);
		int64_t tmo, rc;
		size_t count = 0;
		int why;
		if (s == NULL || raise_saved(p, s) < 0)
			goto fail;
		if (!ssl_route(p, s)) /* a signal handler changed things */
			goto slow;
		tmo = s->timeout_ms;
		if (tmo > 0 && deadline < 0)
			deadline = lsp_monotonic_ms() + tmo;
		sock_bios_arm(p, s->h, tmo, deadline);
		if (PyErr_CheckSignals()) /* as LSP_SIGNALS_FIRST */
			goto fail;
		Py_BEGIN_ALLOW_THREADS
		use_sock_rbio(p);
		if (SSL_read_ex(p->ssl, mem, (size_t)len, &count)) {
			why = FR_DATA;
			if (!p->exact)
				read_more(p, mem, (size_t)len, &count);
		} else if (p->brc != BRC_NONE && p->brc != BRC_OUTPUT)
			why = FR_RECV;
		else
			why = FR_SSL; /* an SSL outcome, or OpenSSL has something to send */
		use_mem_rbio(p);
		Py_END_ALLOW_THREADS
		lsp_counts.received += (unsigned long long)p->bnrecv;
		rc = p->brc;
		p->ready = 1;
		switch (why) {
		case FR_DATA:
			if (callback_raised(p) < 0)
				goto fail;
			if (dest != NULL) {
				if (_PyBytes_Resize(&dest, (Py_ssize_t)count) < 0)
					return -1;
				*out = dest;
			} else if ((*out = PyLong_FromSize_t(count)) == NULL) {
				return -1;
			}
			return 1;
		case FR_RECV:
			if (rc == 0) { /* the peer closed: _ssl says what that means */
				if (mark_eof(p) < 0)
					goto fail;
				goto slow;
			}
			if (rc == LS_EINTR) {
				if (PyErr_CheckSignals())
					goto fail;
				continue; /* PEP 475: on for the time left */
			}
			if (rc == LS_ETIMEDOUT) {
				PyErr_SetString(PyExc_TimeoutError, "The read operation timed out");
				goto fail;
			}
			if (rc == LS_ENOMEM) {
				PyErr_NoMemory();
				goto fail;
			}
			if (rc == LS_EAGAIN) /* made non-blocking meanwhile */
				goto slow;
			lsp_raise((int)rc, p->bne, HAS_TIMEOUT(s));
			goto fail;
		default:
			goto slow;
		}
	}
slow:
	Py_XDECREF(dest);
	return 0;
fail:
	Py_XDECREF(dest);
	return -1;
}

/* Why a stretch of fast_handshake ended. */
enum { HS_DONE, HS_SSL, HS_IO, HS_NOMEM };

/*
 * _ssl's do_handshake with its records sent and received in the same
 * stretch without the GIL. 1 once the handshake is done (and what OpenSSL
 * wrote last is sent), 0 when _ssl's own do_handshake must give the
 * outcome (an SSL error, EOF), -1 with an exception. Called under both
 * of _tls.py's locks.
 */
static int fast_handshake(tls_pump *p, PyObject *so)
{
	int64_t deadline = -1;
	for (;;) {
		lsp_sock *s = sock_of(so);
		ls_socket h;
		int64_t tmo, rc = 0;
		size_t off, got;
		int ne = 0, nsent = 0, nrecv = 0, why;
		if (s == NULL)
			return -1;
		if (s->timeout_ms == 0 || p->eof || p->exact || eof_written(p) || p->olen != p->ooff)
			return 0;
		h = s->h;
		tmo = s->timeout_ms;
		if (tmo > 0 && deadline < 0)
			deadline = lsp_monotonic_ms() + tmo;
		LSP_SIGNALS_FIRST();
		Py_BEGIN_ALLOW_THREADS
		for (;;) {
			int r = SSL_do_handshake(p->ssl);
			if (r != 1 && SSL_get_error(p->ssl, r) != SSL_ERROR_WANT_READ) {
				why = HS_SSL;
				break;
			}
			if (take_out_bio(p) < 0) {
				why = HS_NOMEM;
				break;
			}
			off = p->ooff;
			rc = send_out(p, h, tmo, deadline, &off, &ne, &nsent);
			p->ooff = off;
			if (rc <= 0) {
				why = HS_IO;
				break;
			}
			p->olen = p->ooff = 0;
			if (r == 1) {
				why = HS_DONE;
				break;
			}
			got = 0;
			rc = recv_record(p, h, tmo, deadline, &got, &ne, &nrecv);
			if (got && feed_bio(p, p->buf, got) < 0) {
				why = HS_NOMEM;
				break;
			}
			if (rc <= 0) {
				why = HS_IO;
				break;
			}
		}
		Py_END_ALLOW_THREADS
		lsp_counts.sent += (unsigned long long)nsent;
		lsp_counts.received += (unsigned long long)nrecv;
		switch (why) {
		case HS_DONE:
			return callback_raised(p) < 0 ? -1 : 1;
		case HS_NOMEM:
			PyErr_NoMemory();
			return -1;
		case HS_SSL:
			return 0;
		default:
			break;
		}
		if (rc == 0) /* the peer closed: _ssl says what that means */
			return mark_eof(p) < 0 ? -1 : 0;
		if (rc == LS_EINTR) {
			if (PyErr_CheckSignals())
				return -1;
			continue; /* PEP 475: on for the time left */
		}
		if (rc == LS_ETIMEDOUT) {
			PyErr_SetString(PyExc_TimeoutError, "The handshake operation timed out");
			return -1;
		}
		lsp_raise((int)rc, ne, HAS_TIMEOUT(s));
		return -1;
	}
}

/*
 * read()'s SSL route, with _ssl's checks of len and buffer left to _ssl
 * (anything unusual goes its way). 1 with *out set, 0 to go on with
 * _ssl's read (*tried says whether the route ran: then _ssl's read comes
 * first), -1 with an exception.
 */
static int read_ssl_route(tls_pump *p, PyObject *so, PyObject *len, PyObject *buffer,
                          PyObject **out, int *tried)
{
	Py_ssize_t n;
	Py_buffer view;
	lsp_sock *s;
	int r;
	if (!PyLong_Check(len) || (so != Py_None && !PyObject_TypeCheck(so, sockbase)))
		return 0;
	n = PyLong_AsSsize_t(len);
	if (n == -1 && PyErr_Occurred()) {
		PyErr_Clear();
		return 0;
	}
	s = so == Py_None ? NULL : lsp_self(so);
	if (s == NULL || s->h == LS_INVALID_SOCKET || !ssl_route(p, s))
		return 0;
	if (buffer == Py_None) {
		if (n <= 0)
			return 0;
		*tried = 1;
		return fast_read(p, so, n, NULL, out);
	}
	if (PyObject_GetBuffer(buffer, &view, PyBUF_WRITABLE) < 0) {
		PyErr_Clear();
		return 0;
	}
	if (n <= 0 || n > view.len)
		n = view.len;
	if (n == 0 || n > INT_MAX) {
		PyBuffer_Release(&view);
		return 0;
	}
	*tried = 1;
	r = fast_read(p, so, n, &view, out);
	PyBuffer_Release(&view);
	return r;
}

/*
 * _ssl's write(data) with OpenSSL sending its records through the socket
 * BIO in the same stretch without the GIL. 1 with *out set once all is
 * sent; 0 when _ssl's own write must give the outcome (an SSL error, or
 * nothing can be written now); -1 with an exception. After a signal whose
 * handler did not raise, OpenSSL is called again with the same data, as it
 * requires, and goes on from where it was.
 */
static int fast_write(tls_pump *p, PyObject *so, Py_buffer *data, PyObject **out)
{
	int64_t deadline = -1;
	for (;;) {
		lsp_sock *s = sock_of(so);
		int64_t tmo, rc;
		size_t count = 0;
		int ok;
		if (s == NULL)
			return -1;
		if (!ssl_route(p, s) || BIO_ctrl_pending(p->wbio) || SSL_get_wbio(p->ssl) != p->wbio)
			return 0;
		tmo = s->timeout_ms;
		if (tmo > 0 && deadline < 0)
			deadline = lsp_monotonic_ms() + tmo;
		sock_bios_arm(p, s->h, tmo, deadline);
		LSP_SIGNALS_FIRST();
		Py_BEGIN_ALLOW_THREADS
		use_sock_wbio(p);
		ok = SSL_write_ex(p->ssl, data->buf, (size_t)data->len, &count);
		use_mem_wbio(p);
		Py_END_ALLOW_THREADS
		lsp_counts.sent += (unsigned long long)p->bnsent;
		rc = p->brc;
		if (ok) {
			if (callback_raised(p) < 0)
				return -1;
			*out = PyLong_FromSize_t(count);
			return *out == NULL ? -1 : 1;
		}
		if (rc == BRC_NONE || rc == LS_EAGAIN)
			return 0; /* OpenSSL's own outcome; or made non-blocking meanwhile */
		if (rc == LS_EINTR) {
			if (PyErr_CheckSignals())
				return -1;
			continue;
		}
		if (rc == LS_ETIMEDOUT) {
			write_timed_out("write");
			return -1;
		}
		lsp_raise((int)rc, p->bne, HAS_TIMEOUT(s));
		return -1;
	}
}
#endif

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
	if ((s = sock_of(so)) == NULL)
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
	if ((s = sock_of(so)) == NULL)
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
#if LSP_DIRECT
	if (p->ssl != NULL) {
		PyObject *out = NULL;
		int r = read_ssl_route(p, so, len, buffer, &out, &first);
		if (r != 0)
			return r > 0 ? out : NULL;
	}
#endif
	for (;;) {
		PyObject *r;
		int yes = forced;
		if (!yes && !first && must_pull(p, len, &yes) < 0)
			return NULL;
		first = 0;
		if (yes) {
			lsp_sock *s = sock_of(so);
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
#if LSP_DIRECT
	if (p->ssl != NULL && data.len > 0 && data.len <= INT_MAX)
		r = fast_write(p, so, &data, &out);
#endif
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
#if LSP_DIRECT
	if (p->ssl != NULL)
		r = fast_handshake(p, so);
#else
	(void)so;
#endif
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
				if ((s = sock_of(so)) == NULL) {
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
		if (has_output(p, &out) < 0 || (s = sock_of(so)) == NULL)
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
#if LSP_DIRECT
	/* Only after the process-wide check, and only over _ssl's own objects. */
	if (direct && direct_state == 1 && in != out && Py_TYPE(in) == memtype &&
	    Py_TYPE(out) == memtype) {
		BIO *rb = ((lsp_memory_bio *)in)->bio, *wb = ((lsp_memory_bio *)out)->bio;
		if (rb != NULL && wb != NULL && rb != wb && BIO_method_type(rb) == BIO_TYPE_MEM &&
		    BIO_method_type(wb) == BIO_TYPE_MEM) {
			p->rbio = rb;
			p->wbio = wb;
		}
	}
	/* The SSL route: the _ssl object is exactly _ssl._SSLSocket, and its
	 * SSL reads and writes these very BIOs. */
	if (p->rbio != NULL && ssltype != NULL && Py_TYPE(obj) == ssltype) {
		SSL *ssl = ((lsp_ssl_socket *)obj)->ssl;
		if (ssl != NULL && SSL_get_rbio(ssl) == p->rbio && SSL_get_wbio(ssl) == p->wbio &&
		    sock_bios_new(p) == 0)
			p->ssl = ssl;
	}
#else
	(void)direct;
#endif
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
#if LSP_DIRECT
	BIO_free(p->rsbio);
	BIO_free(p->wsbio);
#endif
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

#if LSP_DIRECT
static int no(const char *why)
{
	snprintf(direct_why, sizeof direct_why, "%s", why);
	return 0;
}

/*
 * The SSL route's check, after the MemoryBIO's: an _ssl._SSLSocket made by
 * _SSLContext._wrap_bio over two fresh MemoryBIOs has the size of the 3.11
 * layout, and the SSL in it reads and writes exactly those two BIOs. Sets
 * ssltype when it holds. 0, or -1 with an exception.
 */
static int ssl_layout_check(void)
{
	PyObject *mod, *ctxtype = NULL, *ctx = NULL, *in = NULL, *out = NULL, *obj = NULL;
	int rc = -1;
	mod = PyImport_ImportModule("_ssl");
	if (mod == NULL)
		return -1;
	ctxtype = PyObject_GetAttrString(mod, "_SSLContext");
	if (ctxtype == NULL)
		goto done;
	ctx = PyObject_CallFunction(ctxtype, "i", 17 /* PROTOCOL_TLS_SERVER */);
	in = ctx ? PyObject_CallObject((PyObject *)memtype, NULL) : NULL;
	out = in ? PyObject_CallObject((PyObject *)memtype, NULL) : NULL;
	obj = out ? PyObject_CallMethod(ctx, "_wrap_bio", "OOiO", in, out, 1, Py_None) : NULL;
	if (obj == NULL)
		goto done;
	rc = 0;
	if (Py_TYPE(obj)->tp_basicsize == (Py_ssize_t)sizeof(lsp_ssl_socket)) {
		SSL *ssl = ((lsp_ssl_socket *)obj)->ssl;
		if (ssl != NULL && SSL_get_rbio(ssl) == ((lsp_memory_bio *)in)->bio &&
		    SSL_get_wbio(ssl) == ((lsp_memory_bio *)out)->bio &&
		    ((lsp_ssl_socket *)obj)->exc_type == NULL) {
			ssltype = Py_TYPE(obj);
			Py_INCREF(ssltype);
		}
	}
done:
	Py_XDECREF(obj);
	Py_XDECREF(out);
	Py_XDECREF(in);
	Py_XDECREF(ctx);
	Py_XDECREF(ctxtype);
	Py_DECREF(mod);
	return rc;
}

/* The checks of the direct route (see the top). 1 yes, 0 no (direct_why
 * says why), -1 with an exception. */
static int direct_check(void)
{
	PyObject *ssl, *type, *num, *m = NULL, *r = NULL;
	unsigned long long ver;
	BIO *bio;
	unsigned char c = 0;
	int ok = 0;
	if ((Py_Version >> 16) != (PY_VERSION_HEX >> 16))
		return no("the interpreter is not the Python the layout was compiled for");
	ssl = PyImport_ImportModule("_ssl");
	if (ssl == NULL)
		return -1;
	type = PyObject_GetAttrString(ssl, "MemoryBIO");
	num = PyObject_GetAttrString(ssl, "OPENSSL_VERSION_NUMBER");
	Py_DECREF(ssl);
	if (type == NULL || num == NULL)
		goto fail;
	if (!PyType_Check(type) ||
	    ((PyTypeObject *)type)->tp_basicsize != (Py_ssize_t)sizeof(lsp_memory_bio)) {
		ok = no("_ssl.MemoryBIO is not the PySSLMemoryBIO of CPython 3.11");
		goto done;
	}
	ver = PyLong_AsUnsignedLongLong(num);
	if (ver == (unsigned long long)-1 && PyErr_Occurred())
		goto fail;
	if (ver != (unsigned long long)OpenSSL_version_num()) {
		ok = no("_ssl uses another OpenSSL than this extension");
		goto done;
	}
	m = PyObject_CallObject(type, NULL);
	if (m == NULL)
		goto fail;
	if (Py_TYPE(m) != (PyTypeObject *)type) {
		ok = no("_ssl.MemoryBIO() made another type");
		goto done;
	}
	bio = ((lsp_memory_bio *)m)->bio;
	if (bio == NULL || BIO_method_type(bio) != BIO_TYPE_MEM ||
	    ((lsp_memory_bio *)m)->eof_written != 0) {
		ok = no("the BIO under MemoryBIO is not a memory BIO");
		goto done;
	}
	/* Python's write, our read. */
	r = PyObject_CallMethod(m, "write", "y#", "\x5a", (Py_ssize_t)1);
	if (r == NULL)
		goto fail;
	Py_CLEAR(r);
	if (BIO_ctrl_pending(bio) != 1 || BIO_read(bio, &c, 1) != 1 || c != 0x5a ||
	    BIO_ctrl_pending(bio) != 0) {
		ok = no("a byte written with MemoryBIO.write did not come back through BIO_read");
		goto done;
	}
	/* Our write, Python's read. */
	if (BIO_write(bio, "\xa5", 1) != 1) {
		ok = no("BIO_write failed");
		goto done;
	}
	r = PyObject_CallMethod(m, "read", NULL);
	if (r == NULL)
		goto fail;
	if (!PyBytes_Check(r) || PyBytes_GET_SIZE(r) != 1 ||
	    (unsigned char)PyBytes_AS_STRING(r)[0] != 0xa5) {
		ok = no("a byte written with BIO_write did not come back through MemoryBIO.read");
		goto done;
	}
	Py_CLEAR(r);
	r = PyObject_CallMethod(m, "write_eof", NULL);
	if (r == NULL)
		goto fail;
	if (((lsp_memory_bio *)m)->eof_written != 1) {
		ok = no("MemoryBIO.write_eof did not set eof_written");
		goto done;
	}
	Py_INCREF(type);
	memtype = (PyTypeObject *)type;
	ok = 1;
	if (ssl_layout_check() < 0)
		goto fail;
	snprintf(direct_why, sizeof direct_why, "%s",
	         ssltype != NULL ? "checked" : "checked (BIOs only: the _ssl object's layout differs)");
done:
	Py_XDECREF(r);
	Py_XDECREF(m);
	Py_XDECREF(type);
	Py_XDECREF(num);
	return ok;
fail:
	Py_XDECREF(r);
	Py_XDECREF(m);
	Py_XDECREF(type);
	Py_XDECREF(num);
	return -1;
}
#endif

static PyObject *tls_direct_check(PyObject *self, PyObject *noargs)
{
	(void)self;
	(void)noargs;
	if (direct_state < 0) {
#if LSP_DIRECT
		int r = direct_check();
		if (r < 0)
			return NULL;
		direct_state = r;
#else
		snprintf(direct_why, sizeof direct_why, "%s",
		         "built without OpenSSL or not for CPython 3.11");
		direct_state = 0;
#endif
	}
	return Py_BuildValue("(Os)", direct_state ? Py_True : Py_False, direct_why);
}

static PyMethodDef tls_functions[] = {
	{"_tls_direct_check", tls_direct_check, METH_NOARGS,
	 "_tls_direct_check() -> (ok, why): may the TLS pump use the BIOs under "
	 "ssl.MemoryBIO directly (checked once per process)"},
	{NULL, NULL, 0, NULL},
};

int lsp_tls_init(PyObject *module, PyTypeObject *sb)
{
	sockbase = sb;
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
