/*
 * lsp_tls.h - the internal header of the TLS record pump's two files:
 *   lsp_tls.c         the pump (_TLSPump): record accounting, pull and push
 *                     over the MemoryBIOs, run, the read loop, the route
 *                     through the MemoryBIOs' Python methods, the type and
 *                     the module's set-up;
 *   lsp_tls_direct.c  the direct route: CPython 3.11's layouts of _ssl's
 *                     objects and their checks, once per process, the BIOs
 *                     under the MemoryBIOs, the socket BIOs and the SSL route.
 * Each file calls the other only through the lsp_tls_ functions below.
 * Built without OpenSSL or for another Python than 3.11, lsp_tls_direct.c
 * gives the same functions as stubs that say "no route", so lsp_tls.c
 * builds the same way in both cases.
 */
#ifndef LSP_TLS_H
#define LSP_TLS_H

#include "lsp.h"

/* OpenSSL's BIO and SSL, by their struct tags: only lsp_tls_direct.c
 * includes OpenSSL's headers (and only when it has the route), where they
 * are BIO and SSL; the pump just keeps the pointers, NULL without it. */
struct bio_st;
struct ssl_st;

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
	struct bio_st *rbio, *wbio; /* the BIOs under inbio and outbio (direct route), or NULL */
	struct ssl_st *ssl;    /* sslobj's SSL over rbio and wbio (direct route), or NULL */
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
	/* The SSL route's socket BIOs (see sock_bio_read in lsp_tls_direct.c)
	 * and their state during one stretch: the socket, its timeout and
	 * deadline, the failing call's LS_E* code (1 while none, BRC_NONE) and
	 * OS error, the calls. */
	struct bio_st *rsbio, *wsbio;
	ls_socket bh;
	int64_t btmo, bdeadline, brc;
	int bne, bnrecv, bnsent, bshort;
	int64_t saved_rc;      /* a receive error of read_more for the next call, or 0 */
	int saved_ne;
} tls_pump;

/* brc while no call failed, and when OpenSSL has output to send first. */
#define BRC_NONE 1
#define BRC_OUTPUT 2

/* ---- lsp_tls.c, for the direct route ----------------------------- */

extern PyTypeObject *lsp_tls_sockbase; /* SocketBase */
/* Record boundaries through n bytes just received. */
void lsp_tls_account(tls_pump *p, const unsigned char *d, size_t n);
/* The lsp_sock of a libsock socket object, or NULL with an exception. */
lsp_sock *lsp_tls_sock_of(PyObject *o);
/* Room for n more unsent bytes in p->obuf (no GIL needed): 0, or -1. */
int lsp_tls_out_room(tls_pump *p, size_t n);
/* Wait for events on h until the deadline (GIL released by the caller). */
int64_t lsp_tls_wait_ready(ls_socket h, short events, int64_t deadline);
/* Receive toward the end of the record OpenSSL waits for (no GIL needed). */
int64_t lsp_tls_recv_record(tls_pump *p, ls_socket h, int64_t tmo, int64_t deadline,
                            size_t *got, int *ne, int *nrecv);
/* The peer closed: EOF into the incoming MemoryBIO. 0, or -1. */
int lsp_tls_mark_eof(tls_pump *p);
/* Raise the receive error read_more kept: 0 none, -1 raised. */
int lsp_tls_raise_saved(tls_pump *p, lsp_sock *s);
/* Send p->obuf from *off to its end (no GIL needed). */
int64_t lsp_tls_send_out(tls_pump *p, ls_socket h, int64_t tmo, int64_t deadline,
                         size_t *off, int *ne, int *nsent);
/*
 * With the GIL held, what a receive or send of operation op (as
 * lsp_tls_recv_record's codes say) that did not complete means: 1 to go on
 * (a signal whose handlers did not raise, PEP 475), or -1 with the
 * exception set: a handler's, TimeoutError("The <op> operation timed out")
 * on a socket with a timeout, MemoryError, or the OS error's.
 */
int lsp_tls_io_failed(lsp_sock *s, int64_t rc, int ne, const char *op);

/* ---- lsp_tls_direct.c, for the pump (stubs without the route) ---- */

/* What the BIO under bio (p->inbio or p->outbio) holds. */
size_t lsp_tls_pending_bio(tls_pump *p, PyObject *bio);
/* n bytes into OpenSSL's read BIO (no GIL needed): 0, or -1. */
int lsp_tls_feed_bio(tls_pump *p, const unsigned char *d, size_t n);
/* The incoming MemoryBIO's eof_written (1 without the route). */
int lsp_tls_eof_written(tls_pump *p);
/* What OpenSSL wrote to its write BIO, after p->obuf's unsent bytes: 0, or -1. */
int lsp_tls_take_out_bio(tls_pump *p);
/* The SSL route of read, write and do_handshake: 1 done, 0 to let _ssl's
 * own method run (no route), -1 with an exception. */
int lsp_tls_read_ssl_route(tls_pump *p, PyObject *so, PyObject *len, PyObject *buffer,
                           PyObject **out, int *tried);
int lsp_tls_fast_write(tls_pump *p, PyObject *so, Py_buffer *data, PyObject **out);
int lsp_tls_fast_handshake(tls_pump *p, PyObject *so);
/* A new pump's routes (rbio, wbio, ssl), and its socket BIOs at the end. */
void lsp_tls_direct_open(tls_pump *p, PyObject *in, PyObject *out, PyObject *obj, int direct);
void lsp_tls_sock_bios_free(tls_pump *p);
/* _libsock._tls_direct_check() -> (ok, why), checked once per process. */
PyObject *lsp_tls_direct_check(PyObject *self, PyObject *noargs);

#endif /* LSP_TLS_H */
