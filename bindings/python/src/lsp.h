/*
 * lsp.h - the internal header of the C half of libsock's Python bindings.
 *
 * The SWIG interface (libsock.i) declares the Python-visible names; every
 * piece of logic that is on a hot path or has to run without the GIL lives
 * in the C files, one concern each:
 *   lsp_errors.c   errors as stdlib raises them; the module's state
 *   lsp_wait.c     time, timeouts, and the PEP 475 wait after a signal
 *   lsp_addr.c     families, types, flags and addresses
 *   lsp_socket.c   the socket object: lifecycle, connections, options, the type
 *   lsp_io.c       send and receive calls
 *   lsp_msg.c      sendmsg, recvmsg, recvmsg_into and ancillary data
 *   lsp_resolve.c  getaddrinfo, getnameinfo, gethostname
 *   lsp_poller.c   the poller behind libsock.selectors
 *   lsp_stats.c    monitoring: totals, open sockets, names, exports
 *   lsp_tls.c      the TLS record pump of libsock/_tls.py (_TLSPump)
 *   lsp_tls_direct.c
 *                  the pump's direct route: OpenSSL's BIOs and SSL under
 *                  CPython 3.11's _ssl objects, their layouts checked
 *                  (lsp_tls.h is the header of the two TLS files)
 * Conventions kept throughout: the GIL is released around every libsock
 * call that can block and nothing touches the Python API meanwhile (the OS
 * error code is read before the GIL is taken back); every socket is
 * interruptible, so a signal returns LS_EINTR, PyErr_CheckSignals() runs the
 * handlers, and the call is retried unless one raised (PEP 475).
 *
 * Every function that returns PyObject * follows the CPython convention:
 * a new reference, or NULL with a Python exception set.
 */
#ifndef LSP_H
#define LSP_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdint.h>

#include "libsock.h"

/* The C state of one libsock.socket object. */
typedef struct lsp_sock {
	ls_socket h;        /* LS_INVALID_SOCKET once closed or detached */
	int family;         /* OS AF_* value, as stdlib reports it */
	int type;           /* OS SOCK_* value */
	int proto;
	double timeout;     /* seconds; -1.0 means None (blocking) */
	int64_t timeout_ms; /* what libsock was given */
	ls_native fd;       /* the OS handle h wraps (for the fd map), or LS_NATIVE_INVALID */
	unsigned anc_foreign; /* reception options on whose ancillary data libsock cannot carry (lsp_msg.c) */
} lsp_sock;

/*
 * The C state of one libsock.selectors selector: a libsock poller, the
 * buffer its waits fill, and the foreign descriptors it adopted (handles
 * it must give back with ls_socket_detach, never close). See lsp_poller.c.
 */
typedef struct lsp_poller {
	ls_poller *p;          /* NULL until _open, and once closed */
	ls_event *evs;         /* wait buffer */
	size_t evcap;
	ls_socket *foreign;    /* handles adopted by this selector */
	size_t nforeign;
	size_t capforeign;
	int waiting;           /* a wait is in progress (GIL released) */
	int closing;           /* close() came during the wait: the waiter frees */
} lsp_poller;

/* Module set-up: fetches stdlib's gaierror class. 0 or -1 with an exception. */
int lsp_module_init(void);

/* Lifecycle. */
lsp_sock *lsp_sock_alloc(void);
void lsp_sock_free(lsp_sock *s);
PyObject *lsp_init_new(lsp_sock *s, int family, int type, int proto);
PyObject *lsp_init_fd(lsp_sock *s, PyObject *fd, int family, int type, int proto);
PyObject *lsp_init_handle(lsp_sock *s, unsigned long long h, int family, int type,
                          int proto);
/* What the Python layer reads (module functions, so that the class has stdlib's names). */
int lsp_sock_family(lsp_sock *s);
int lsp_sock_type(lsp_sock *s);
int lsp_sock_proto(lsp_sock *s);
unsigned long long lsp_sock_handle(lsp_sock *s);
/* Move src's handle and modes to dst; src is left closed (ssl's wrap_socket). */
PyObject *lsp_sock_move(lsp_sock *dst, lsp_sock *src);

/* Monitoring (lsp_stats.c): tuples the Python layer names (libsock.Stats, SocketInfo). */
PyObject *lsp_stats_totals(void);
PyObject *lsp_stats_sockets(void);
PyObject *lsp_stats_socket(unsigned long long h);
PyObject *lsp_stats_set_name(unsigned long long h, PyObject *name);
PyObject *lsp_stats_prometheus(void);
PyObject *lsp_stats_json(void);

/* Connection calls. */
PyObject *lsp_bind(lsp_sock *s, PyObject *addr);
PyObject *lsp_listen(lsp_sock *s, int backlog);
PyObject *lsp_accept(lsp_sock *s);
PyObject *lsp_connect(lsp_sock *s, PyObject *addr, int ex);
PyObject *lsp_shutdown(lsp_sock *s, int how);
PyObject *lsp_close(lsp_sock *s);
PyObject *lsp_detach(lsp_sock *s);
PyObject *lsp_fileno(lsp_sock *s);
PyObject *lsp_getsockname(lsp_sock *s, int peer);

/* I/O. Buffers stay pinned by the caller (the SWIG typemaps) throughout. */
PyObject *lsp_send(lsp_sock *s, Py_buffer *data, int flags);
PyObject *lsp_sendall(lsp_sock *s, Py_buffer *data, int flags);
PyObject *lsp_sendto(lsp_sock *s, Py_buffer *data, int flags, PyObject *addr);
PyObject *lsp_recv(lsp_sock *s, Py_ssize_t n, int flags);
PyObject *lsp_recv_into(lsp_sock *s, Py_buffer *buf, Py_ssize_t n, int flags);
PyObject *lsp_recvfrom(lsp_sock *s, Py_ssize_t n, int flags);
PyObject *lsp_recvfrom_into(lsp_sock *s, Py_buffer *buf, Py_ssize_t n, int flags);

/* Modes and options. */
PyObject *lsp_settimeout(lsp_sock *s, PyObject *value);
PyObject *lsp_gettimeout(lsp_sock *s);
PyObject *lsp_setblocking(lsp_sock *s, PyObject *flag);
PyObject *lsp_getblocking(lsp_sock *s);
PyObject *lsp_setsockopt(lsp_sock *s, int level, int name, int value, Py_buffer *buf,
                         long long optlen);
PyObject *lsp_getsockopt(lsp_sock *s, int level, int name, int buflen);

/* Module-level functions. */
PyObject *lsp_getaddrinfo(PyObject *host, PyObject *port, int family, int type,
                          int proto, int flags);
PyObject *lsp_getnameinfo(PyObject *sa, int flags);
PyObject *lsp_gethostname(void);
PyObject *lsp_inet_pton(int family, PyObject *text);
PyObject *lsp_inet_ntop(int family, Py_buffer *packed);
PyObject *lsp_socketpair(int family, int type, int proto);
PyObject *lsp_getdefaulttimeout(void);
PyObject *lsp_setdefaulttimeout(PyObject *value);
PyObject *lsp_stats(void);

/*
 * The libsock handle of a socket this binding created or adopted whose OS
 * handle is fd, or 0 (libsock.selectors registers such an fd by its handle
 * instead of adopting it a second time).
 */
PyObject *lsp_handle_of_fd(PyObject *fd);

/* The poller type behind libsock.selectors (lsp_poller.c). */
lsp_poller *lsp_pl_alloc(void);
void lsp_pl_free(lsp_poller *p);
PyObject *lsp_pl_open(lsp_poller *p, int flags);
PyObject *lsp_pl_backend(lsp_poller *p);
PyObject *lsp_pl_add(lsp_poller *p, unsigned long long h, int events,
                         unsigned long long user);
PyObject *lsp_pl_mod(lsp_poller *p, unsigned long long h, int events,
                         unsigned long long user);
PyObject *lsp_pl_remove(lsp_poller *p, unsigned long long h);
PyObject *lsp_pl_adopt(lsp_poller *p, PyObject *fd, int nonblock_hint);
PyObject *lsp_pl_wait(lsp_poller *p, Py_ssize_t max, PyObject *timeout_ms);
PyObject *lsp_pl_wakeup(lsp_poller *p);
PyObject *lsp_pl_close(lsp_poller *p);

/* Shared with lsp_poller.c: stdlib's exception for a libsock error, and the clock. */
PyObject *lsp_raise_rc(int rc, int native);
int64_t lsp_monotonic_ms(void);

/* Flag translation for the SWIG typemap: OS MSG_* bits to LS_MSG_*. -1 on error. */
int lsp_msgflags(long osflags, int *out);

/* ---- shared between the binding's C files ------------------------- */

/* Call counters: cheap proof (for the tests) that calls reach libsock. */
struct lsp_counts {
	unsigned long long created, accepted, connected, sent, received, resolved;
};
extern struct lsp_counts lsp_counts;

/*
 * Raise the exception stdlib raises for a failed libsock call. has_timeout:
 * the socket had a positive timeout, so LS_ETIMEDOUT is socket.timeout.
 */
PyObject *lsp_raise(int rc, int native, int has_timeout);
/* OSError for an errno value (with the WSA code on Windows). */
PyObject *lsp_raise_errno(int code);
/* OSError(EBADF): the socket is closed. */
PyObject *lsp_closed(void);

#define HAS_TIMEOUT(s) ((s)->timeout_ms > 0)

/* The deadline of a call starting now: -1 without a timeout. */
int64_t lsp_deadline(const lsp_sock *s);
/*
 * PEP 475 after a signal handler ran: wait, with the GIL released, until
 * the socket has `events` or the call's deadline (-1: none) passes. 0 when
 * ready, LS_ETIMEDOUT, another LS_E* code (with *ne), or -1 with *sig set
 * when a handler raised.
 */
int lsp_wait_left(lsp_sock *s, short events, int64_t deadline, int *ne, int *sig);
/*
 * Run one libsock call with the GIL released, retrying on LS_EINTR after
 * running the signal handlers (PEP 475). A socket with a timeout first
 * waits for `events` for the time left, so signals do not stretch the
 * timeout (the retry itself can wait again only if another thread takes
 * what the wait saw). res receives the result, ne the OS error code of a
 * failure. Leaves sig != 0 if a handler raised. A socket in non-blocking
 * mode cannot block: the GIL is kept.
 */
#define LSP_CALL(s, res, ne, sig, events, expr)                               \
	do {                                                                  \
		int64_t lsp_deadline_;                                        \
		(sig) = 0;                                                    \
		if ((s)->timeout_ms == 0) {                                   \
			(res) = (expr);                                       \
			if ((res) < 0)                                        \
				(ne) = ls_native_error();                     \
			break;                                                \
		}                                                             \
		lsp_deadline_ = lsp_deadline(s);                              \
		for (;;) {                                                    \
			Py_BEGIN_ALLOW_THREADS                                \
			(res) = (expr);                                       \
			if ((res) < 0)                                        \
				(ne) = ls_native_error();                     \
			Py_END_ALLOW_THREADS                                  \
			if ((res) != LS_EINTR)                                \
				break;                                        \
			if (PyErr_CheckSignals()) {                           \
				(sig) = 1;                                    \
				break;                                        \
			}                                                     \
			if (lsp_deadline_ >= 0) {                             \
				int lsp_w_ = lsp_wait_left((s), (events), lsp_deadline_, \
				                           &(ne), &(sig));    \
				if (lsp_w_ != 0) {                            \
					(res) = lsp_w_;                       \
					break;                                \
				}                                             \
			}                                                     \
		}                                                             \
	} while (0)

/* Errors (lsp_errors.c). */
extern PyObject *lsp_gaierror; /* stdlib's socket.gaierror class */
PyObject *lsp_raise_gai(int rc, int native);
/* The errno (POSIX) or WSA (Windows) value stdlib would report. */
int lsp_errno_of(int rc, int native);

/* Timeouts (lsp_wait.c): the default for new sockets; seconds -1 is None. */
extern double lsp_default_secs;
extern int64_t lsp_default_ms;
/* None or a number of seconds -> seconds (-1 for None) and milliseconds. */
int lsp_parse_timeout(PyObject *v, double *secs, int64_t *ms);
/* Give s the timeout; -1 with an exception on failure. */
int lsp_apply_timeout(lsp_sock *s, double secs, int64_t ms);

/* Families and types (lsp_addr.c): OS values <-> LS_AF_* / LS_SOCK_*; -1 unknown. */
int lsp_fam_to_ls(int af);
int lsp_fam_from_ls(int lf);
int lsp_type_to_ls(int t);
int lsp_type_from_ls(int lt);
/* A C long from a Python int (stdlib's rules); -1 with an exception. */
int lsp_get_int(PyObject *o, long *out);
/* A host name argument as bytes (str through IDNA, bytes, bytearray). */
PyObject *lsp_host_bytes(PyObject *obj);
/* An IP address as text, as stdlib writes it; ls_addr -> stdlib's address object. */
PyObject *lsp_ip_text(const ls_addr *a);
PyObject *lsp_from_addr(const ls_addr *a);

/* Python address object <-> ls_addr, as stdlib's getsockaddrarg/makesockaddr. */
int lsp_to_addr(int family, PyObject *obj, ls_addr *out, const char *caller);
PyObject *lsp_from_peer(const lsp_sock *s, const ls_addr *a);
/* Receive flags for s: datagrams are truncated silently, as stdlib on POSIX. */
int lsp_recv_flags(const lsp_sock *s, int flags);
/* The handle of a socket of this binding whose OS handle is fd, else LS_INVALID_SOCKET. */
ls_socket lsp_fdmap_handle(long long fd);

/*
 * The lsp_sock behind a SocketBase method's self (defined in libsock.i,
 * where the SWIG object layout is known), or NULL with an exception.
 */
lsp_sock *lsp_self(PyObject *self);

/*
 * Methods written against the CPython API rather than generated by SWIG,
 * so that their arguments are parsed as stdlib's are (same errors, same
 * wording); lsp_type_init puts them on SocketBase.
 */
extern PyMethodDef lsp_io_methods[];   /* lsp_io.c */
extern PyMethodDef lsp_sock_methods[]; /* lsp_socket.c */
extern PyMethodDef lsp_msg_methods[];  /* lsp_msg.c */
int lsp_type_init(PyTypeObject *sockbase, PyTypeObject *swigbase);
/* Adds _TLSPump (lsp_tls.c) to the module; sockbase is SocketBase. */
int lsp_tls_init(PyObject *module, PyTypeObject *sockbase);

/*
 * setsockopt and the message calls (lsp_msg.c): an option that turns
 * per-datagram information on or off goes through ls_set_recvinfo (1 done,
 * -1 raised, 0 not such an option); after any other successful setsockopt,
 * noteopt tracks options whose ancillary data libsock cannot carry.
 */
int lsp_msg_setsockopt(lsp_sock *s, int level, int name, int on);
void lsp_msg_noteopt(lsp_sock *s, int level, int name, int on);

#endif /* LSP_H */
