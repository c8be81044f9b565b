/*
 * lsp_tls_direct.c - the direct route of the TLS record pump (lsp_tls.c):
 * what relies on CPython 3.11's private layouts of _ssl's objects and on
 * OpenSSL. The layouts (lsp_memory_bio, lsp_ssl_socket), the checks that
 * they hold (once per process, _tls_direct_check), the pump's access to
 * the BIOs under the two MemoryBIOs, and the SSL route (OpenSSL's SSL
 * called by the pump itself, with socket BIOs over libsock's calls).
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
 *
 * Built without OpenSSL or for another Python than 3.11 (LSP_DIRECT 0),
 * this file gives the pump the same entry points as stubs that say "no
 * route" (at the end), so lsp_tls.c takes the MemoryBIOs' Python methods
 * without a preprocessor test of its own.
 */
#include "lsp_tls.h"

#if defined(LSP_HAVE_OPENSSL) && PY_VERSION_HEX >= 0x030B0000 && PY_VERSION_HEX < 0x030C0000
#define LSP_DIRECT 1
#else
#define LSP_DIRECT 0
#endif

static int direct_state = -1; /* -1 not checked, 0 no, 1 yes */
static char direct_why[160];

static int no(const char *why)
{
	snprintf(direct_why, sizeof direct_why, "%s", why);
	return 0;
}

#if LSP_DIRECT
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

/* ---- the pump's access to the BIOs under the MemoryBIOs ---------- */

/* The direct route: what OpenSSL's BIO under bio (p->inbio or p->outbio)
 * holds, with no Python API. */
size_t lsp_tls_pending_bio(tls_pump *p, PyObject *bio)
{
	return BIO_ctrl_pending(bio == p->inbio ? p->rbio : p->wbio);
}

/* The direct route: n bytes into OpenSSL's read BIO, no Python API (the GIL
 * may be released). 0, or -1 (the BIO could not grow). */
int lsp_tls_feed_bio(tls_pump *p, const unsigned char *d, size_t n)
{
	while (n) {
		int chunk = n > 0x40000000 ? 0x40000000 : (int)n;
		int r = BIO_write(p->rbio, d, chunk);
		if (r <= 0)
			return -1;
		d += r;
		n -= (size_t)r;
	}
	return 0;
}

int lsp_tls_eof_written(tls_pump *p)
{
	return ((lsp_memory_bio *)p->inbio)->eof_written;
}

/* The direct route: move what OpenSSL wrote to the outgoing BIO after the
 * unsent bytes, with no Python API. 0, or -1 (no memory, nothing set). */
int lsp_tls_take_out_bio(tls_pump *p)
{
	size_t avail = BIO_ctrl_pending(p->wbio);
	while (avail) {
		int chunk = avail > 0x40000000 ? 0x40000000 : (int)avail, r;
		if (lsp_tls_out_room(p, (size_t)chunk) < 0)
			return -1;
		r = BIO_read(p->wbio, p->obuf + p->olen, chunk);
		if (r <= 0)
			break;
		p->olen += (size_t)r;
		avail = BIO_ctrl_pending(p->wbio);
	}
	return 0;
}

/* ---- the SSL route ----------------------------------------------- */

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
	return p->ssl != NULL && s->timeout_ms != 0 && !p->eof && !p->exact &&
	       !lsp_tls_eof_written(p) && p->olen == p->ooff && SSL_is_init_finished(p->ssl);
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
			rc = lsp_tls_wait_ready(p->bh, LS_POLLIN, p->bdeadline);
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
			lsp_tls_account(p, (unsigned char *)out, outl);
			lsp_tls_account(p, ahead, (size_t)rc - outl);
			if (lsp_tls_feed_bio(p, ahead, (size_t)rc - outl) < 0) {
				p->brc = LS_ENOMEM;
				BIO_set_retry_read(b);
				return 0;
			}
			rc = (int64_t)outl;
		} else {
			lsp_tls_account(p, (unsigned char *)out, (size_t)rc);
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
			rc = lsp_tls_wait_ready(p->bh, LS_POLLOUT, p->bdeadline);
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
 * It only goes on while there is a sign of more: bytes OpenSSL holds, or
 * the next record's header that the last receive took along. Without one
 * the kernel had nothing past the record, and asking would cost a system
 * call that fails with EAGAIN on every read of a transfer that keeps up.
 */
static void read_more(tls_pump *p, char *mem, size_t len, size_t *count)
{
	int64_t tmo = p->btmo;
	p->btmo = 0; /* LS_MSG_DONTWAIT: only what is here */
	while (*count < len && (SSL_has_pending(p->ssl) || BIO_ctrl_pending(p->rbio) > 0)) {
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
		lsp_sock *s = lsp_tls_sock_of(so);
		int64_t tmo, rc;
		size_t count = 0;
		int why;
		if (s == NULL || lsp_tls_raise_saved(p, s) < 0)
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
				if (lsp_tls_mark_eof(p) < 0)
					goto fail;
				goto slow;
			}
			if (rc == LS_EAGAIN) /* made non-blocking meanwhile */
				goto slow;
			if (lsp_tls_io_failed(s, rc, p->bne, "read") < 0)
				goto fail;
			continue;
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
int lsp_tls_fast_handshake(tls_pump *p, PyObject *so)
{
	int64_t deadline = -1;
	for (;;) {
		lsp_sock *s = lsp_tls_sock_of(so);
		ls_socket h;
		int64_t tmo, rc = 0;
		size_t off, got;
		int ne = 0, nsent = 0, nrecv = 0, why;
		if (s == NULL)
			return -1;
		if (s->timeout_ms == 0 || p->eof || p->exact || lsp_tls_eof_written(p) ||
		    p->olen != p->ooff)
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
			if (lsp_tls_take_out_bio(p) < 0) {
				why = HS_NOMEM;
				break;
			}
			off = p->ooff;
			rc = lsp_tls_send_out(p, h, tmo, deadline, &off, &ne, &nsent);
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
			rc = lsp_tls_recv_record(p, h, tmo, deadline, &got, &ne, &nrecv);
			if (got && lsp_tls_feed_bio(p, p->buf, got) < 0) {
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
			return lsp_tls_mark_eof(p) < 0 ? -1 : 0;
		if (lsp_tls_io_failed(s, rc, ne, "handshake") < 0)
			return -1;
	}
}

/*
 * read()'s SSL route, with _ssl's checks of len and buffer left to _ssl
 * (anything unusual goes its way). 1 with *out set, 0 to go on with
 * _ssl's read (*tried says whether the route ran: then _ssl's read comes
 * first), -1 with an exception.
 */
int lsp_tls_read_ssl_route(tls_pump *p, PyObject *so, PyObject *len, PyObject *buffer,
                           PyObject **out, int *tried)
{
	Py_ssize_t n;
	Py_buffer view;
	lsp_sock *s;
	int r;
	if (!PyLong_Check(len) || (so != Py_None && !PyObject_TypeCheck(so, lsp_tls_sockbase)))
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
int lsp_tls_fast_write(tls_pump *p, PyObject *so, Py_buffer *data, PyObject **out)
{
	int64_t deadline = -1;
	for (;;) {
		lsp_sock *s = lsp_tls_sock_of(so);
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
		if (lsp_tls_io_failed(s, rc, p->bne, "write") < 0)
			return -1;
	}
}

/* ---- a pump's routes --------------------------------------------- */

/* At the pump's creation (GIL held), over in, out and obj: the BIOs of the
 * direct route when the caller asks for it (direct) and the checks allow,
 * and the SSL route's SSL; p->rbio, p->wbio and p->ssl stay NULL else. */
void lsp_tls_direct_open(tls_pump *p, PyObject *in, PyObject *out, PyObject *obj, int direct)
{
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
}

/* At the pump's end: the SSL route's socket BIOs. */
void lsp_tls_sock_bios_free(tls_pump *p)
{
	BIO_free(p->rsbio);
	BIO_free(p->wsbio);
}

/* ---- the checks, once per process -------------------------------- */

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

#else /* !LSP_DIRECT: no route; the pump keeps the MemoryBIOs' Python methods */

size_t lsp_tls_pending_bio(tls_pump *p, PyObject *bio)
{
	(void)p;
	(void)bio;
	return 0;
}

int lsp_tls_feed_bio(tls_pump *p, const unsigned char *d, size_t n)
{
	(void)p;
	(void)d;
	(void)n;
	return -1;
}

int lsp_tls_eof_written(tls_pump *p)
{
	(void)p;
	return 1;
}

int lsp_tls_take_out_bio(tls_pump *p)
{
	(void)p;
	return -1;
}

int lsp_tls_read_ssl_route(tls_pump *p, PyObject *so, PyObject *len, PyObject *buffer,
                           PyObject **out, int *tried)
{
	(void)p;
	(void)so;
	(void)len;
	(void)buffer;
	(void)out;
	(void)tried;
	return 0;
}

int lsp_tls_fast_write(tls_pump *p, PyObject *so, Py_buffer *data, PyObject **out)
{
	(void)p;
	(void)so;
	(void)data;
	(void)out;
	return 0;
}

int lsp_tls_fast_handshake(tls_pump *p, PyObject *so)
{
	(void)p;
	(void)so;
	return 0;
}

void lsp_tls_direct_open(tls_pump *p, PyObject *in, PyObject *out, PyObject *obj, int direct)
{
	(void)p;
	(void)in;
	(void)out;
	(void)obj;
	(void)direct;
}

void lsp_tls_sock_bios_free(tls_pump *p)
{
	(void)p;
}

static int direct_check(void)
{
	return no("built without OpenSSL or not for CPython 3.11");
}
#endif

PyObject *lsp_tls_direct_check(PyObject *self, PyObject *noargs)
{
	(void)self;
	(void)noargs;
	if (direct_state < 0) {
		int r = direct_check();
		if (r < 0)
			return NULL;
		direct_state = r;
	}
	return Py_BuildValue("(Os)", direct_state ? Py_True : Py_False, direct_why);
}
