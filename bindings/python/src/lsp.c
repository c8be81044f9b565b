/*
 * lsp.c - the C half of libsock's Python bindings (see lsp.h).
 *
 * Conventions kept throughout:
 *  - The GIL is released around every libsock call that can block, and
 *    nothing touches the Python API while it is released. The OS error code
 *    (ls_native_error) is read before the GIL is taken back.
 *  - Every socket is made interruptible, so a signal makes a blocking call
 *    return LS_EINTR: the GIL is re-taken, PyErr_CheckSignals() runs the
 *    Python handlers (Ctrl-C raises KeyboardInterrupt), and if none raised
 *    the call is retried (PEP 475).
 *  - Errors are raised as stdlib does: OSError built from errno (POSIX) or
 *    the WSA code (Windows), so Python picks the PEP 3151 subclass;
 *    TimeoutError("timed out") when the socket's own timeout expires;
 *    socket.gaierror for resolver failures.
 */
#include "lsp.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
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
/* Module state                                                        */
/* ------------------------------------------------------------------ */

static PyObject *lsp_gaierror; /* stdlib's socket.gaierror class */
static double lsp_default_secs = -1.0;
static int64_t lsp_default_ms = LS_TIMEOUT_BLOCK;

/* Call counters: cheap proof (for the tests) that calls reach libsock. */
struct lsp_counts lsp_counts;

int lsp_module_init(void)
{
	PyObject *mod = PyImport_ImportModule("_socket");
	if (mod == NULL)
		return -1;
	lsp_gaierror = PyObject_GetAttrString(mod, "gaierror");
	Py_DECREF(mod);
	return lsp_gaierror ? 0 : -1;
}

PyObject *lsp_stats(void)
{
	return Py_BuildValue("{s:K,s:K,s:K,s:K,s:K,s:K}", "created", lsp_counts.created,
	                     "accepted", lsp_counts.accepted, "connected",
	                     lsp_counts.connected, "sent", lsp_counts.sent, "received",
	                     lsp_counts.received, "resolved", lsp_counts.resolved);
}

/* ------------------------------------------------------------------ */
/* Errors                                                              */
/* ------------------------------------------------------------------ */

#ifdef _WIN32
#define W(x) x
#else
#define W(x) 0
#endif

/* libsock code -> the platform's errno value (and WSA code on Windows). */
static const struct lsp_errmap {
	int ls;
	int err;
	int wsa;
} lsp_errmap[] = {
	{LS_EBADF, EBADF, W(WSAEBADF)},
	{LS_EINVAL, EINVAL, W(WSAEINVAL)},
	{LS_ENOMEM, ENOMEM, 0},
	{LS_EAGAIN, EWOULDBLOCK, W(WSAEWOULDBLOCK)},
	{LS_EINPROGRESS, EINPROGRESS, W(WSAEINPROGRESS)},
	{LS_ETIMEDOUT, ETIMEDOUT, W(WSAETIMEDOUT)},
	{LS_EINTR, EINTR, W(WSAEINTR)},
	{LS_EADDRINUSE, EADDRINUSE, W(WSAEADDRINUSE)},
	{LS_EADDRNOTAVAIL, EADDRNOTAVAIL, W(WSAEADDRNOTAVAIL)},
	{LS_EAFNOSUPPORT, EAFNOSUPPORT, W(WSAEAFNOSUPPORT)},
	{LS_ECONNREFUSED, ECONNREFUSED, W(WSAECONNREFUSED)},
	{LS_ECONNRESET, ECONNRESET, W(WSAECONNRESET)},
	{LS_ECONNABORTED, ECONNABORTED, W(WSAECONNABORTED)},
	{LS_ENOTCONN, ENOTCONN, W(WSAENOTCONN)},
	{LS_EISCONN, EISCONN, W(WSAEISCONN)},
	{LS_EPIPE, EPIPE, W(WSAESHUTDOWN)},
	{LS_EHOSTUNREACH, EHOSTUNREACH, W(WSAEHOSTUNREACH)},
	{LS_ENETUNREACH, ENETUNREACH, W(WSAENETUNREACH)},
	{LS_ENETDOWN, ENETDOWN, W(WSAENETDOWN)},
	{LS_EMSGSIZE, EMSGSIZE, W(WSAEMSGSIZE)},
	{LS_ENOBUFS, ENOBUFS, W(WSAENOBUFS)},
	{LS_EMFILE, EMFILE, W(WSAEMFILE)},
	{LS_EACCES, EACCES, W(WSAEACCES)},
	{LS_ENOTSUP, EOPNOTSUPP, W(WSAEOPNOTSUPP)},
	{LS_EPROTONOSUPPORT, EPROTONOSUPPORT, W(WSAEPROTONOSUPPORT)},
	{LS_ENAMETOOLONG, ENAMETOOLONG, W(WSAENAMETOOLONG)},
	{LS_EALREADY, EALREADY, W(WSAEALREADY)},
	{LS_ENOPROTOOPT, ENOPROTOOPT, W(WSAENOPROTOOPT)},
	{LS_EPROTOTYPE, EPROTOTYPE, W(WSAEPROTOTYPE)},
	{LS_ENOENT, ENOENT, 0},
	{LS_ERANGE, ERANGE, 0},
	{LS_ENOSPC, ENOSPC, 0},
	{LS_ENOTSOCK, ENOTSOCK, W(WSAENOTSOCK)},
	{LS_EEXIST, EEXIST, 0},
	{LS_EPROTO, EPROTO, 0},
	{LS_ETLS, EPROTO, 0},
	{LS_ECERTUNTRUSTED, EPROTO, 0},
	{LS_ECERTEXPIRED, EPROTO, 0},
	{LS_ECERTNAME, EPROTO, 0},
	{LS_ECERT, EPROTO, 0},
	{LS_ETRUNCATED, ECONNRESET, 0},
	{LS_EREADONLY, EBUSY, 0},
};

#ifndef EAI_NODATA
#define EAI_NODATA EAI_NONAME
#endif

/* libsock resolver code -> the platform's EAI_* value. */
static const struct {
	int ls;
	int eai;
} lsp_gaimap[] = {
	{LS_ENONAME, EAI_NONAME},     {LS_EAI_AGAIN, EAI_AGAIN},
	{LS_EAI_FAIL, EAI_FAIL},      {LS_EAI_FAMILY, EAI_FAMILY},
	{LS_EAI_SERVICE, EAI_SERVICE}, {LS_EAI_SOCKTYPE, EAI_SOCKTYPE},
	{LS_EAI_BADFLAGS, EAI_BADFLAGS}, {LS_ENODATA, EAI_NODATA},
};

static const struct lsp_errmap *lsp_find_err(int rc)
{
	size_t i;
	for (i = 0; i < sizeof lsp_errmap / sizeof lsp_errmap[0]; i++)
		if (lsp_errmap[i].ls == rc)
			return &lsp_errmap[i];
	return NULL;
}

/* The errno (POSIX) or WSA (Windows) value stdlib would report. */
static int lsp_errno_of(int rc, int native)
{
	const struct lsp_errmap *e;
	if (native != 0)
		return native;
	e = lsp_find_err(rc);
#ifdef _WIN32
	if (e && e->wsa)
		return e->wsa;
#endif
	return e ? e->err : EIO;
}

static PyObject *lsp_raise_gai(int rc, int native)
{
	int code = native;
	size_t i;
	PyObject *v;
	if (code == 0) {
		code = EAI_NONAME;
		for (i = 0; i < sizeof lsp_gaimap / sizeof lsp_gaimap[0]; i++)
			if (lsp_gaimap[i].ls == rc)
				code = lsp_gaimap[i].eai;
	}
#ifdef _WIN32
	v = Py_BuildValue("(is)", code, ls_strerror(rc));
#else
	v = Py_BuildValue("(is)", code, gai_strerror(code));
#endif
	if (v != NULL) {
		PyErr_SetObject(lsp_gaierror, v);
		Py_DECREF(v);
	}
	return NULL;
}

/*
 * Raise the exception stdlib raises for a failed libsock call. has_timeout:
 * the socket had a positive timeout, so LS_ETIMEDOUT is socket.timeout.
 */
PyObject *lsp_raise(int rc, int native, int has_timeout)
{
	if (rc == LS_ETIMEDOUT && has_timeout) {
		PyErr_SetString(PyExc_TimeoutError, "timed out");
		return NULL;
	}
	if (ls_error_is_resolver(rc))
		return lsp_raise_gai(rc, native);
	if (rc == LS_ENOMEM && native == 0)
		return PyErr_NoMemory();
#ifdef _WIN32
	{
		const struct lsp_errmap *e = lsp_find_err(rc);
		int code = native ? native : (e && e->wsa ? e->wsa : 0);
		if (code)
			return PyErr_SetExcFromWindowsErr(PyExc_OSError, code);
		errno = e ? e->err : EIO;
		return PyErr_SetFromErrno(PyExc_OSError);
	}
#else
	errno = lsp_errno_of(rc, native);
	return PyErr_SetFromErrno(PyExc_OSError);
#endif
}

PyObject *lsp_raise_errno(int code)
{
#ifdef _WIN32
	const struct lsp_errmap *e;
	size_t i;
	for (i = 0; i < sizeof lsp_errmap / sizeof lsp_errmap[0]; i++) {
		e = &lsp_errmap[i];
		if (e->err == code && e->wsa)
			return PyErr_SetExcFromWindowsErr(PyExc_OSError, e->wsa);
	}
#endif
	errno = code;
	return PyErr_SetFromErrno(PyExc_OSError);
}

PyObject *lsp_closed(void)
{
	return lsp_raise_errno(EBADF);
}

PyObject *lsp_raise_rc(int rc, int native)
{
	return lsp_raise(rc, native, 0);
}

/* The monotonic clock in milliseconds, for the time left after a signal. */
static int64_t lsp_now_ms(void)
{
#if PY_VERSION_HEX >= 0x030D0000
	PyTime_t t = 0;
	(void)PyTime_MonotonicRaw(&t);
	return (int64_t)(t / 1000000);
#else
	return (int64_t)_PyTime_AsMilliseconds(_PyTime_GetMonotonicClock(), _PyTime_ROUND_FLOOR);
#endif
}

int64_t lsp_monotonic_ms(void)
{
	return lsp_now_ms();
}

/* The deadline of a call starting now: -1 without a timeout. */
int64_t lsp_deadline(const lsp_sock *s)
{
	return s->timeout_ms > 0 ? lsp_now_ms() + s->timeout_ms : -1;
}

/*
 * PEP 475 after a signal handler ran: wait, with the GIL released, until
 * the socket has `events` or the call's deadline (-1: none) passes. Further
 * signals run their handlers and the wait goes on. 0 when ready (retry the
 * call), LS_ETIMEDOUT when the time is up, another LS_E* code (with *ne),
 * or -1 with *sig set when a handler raised.
 */
int lsp_wait_left(lsp_sock *s, short events, int64_t deadline, int *ne, int *sig)
{
	for (;;) {
		ls_pollfd p;
		int64_t left = deadline < 0 ? LS_TIMEOUT_BLOCK : deadline - lsp_now_ms();
		int rc;
		if (deadline >= 0 && left <= 0)
			return LS_ETIMEDOUT;
		p.sock = s->h;
		p.events = events;
		p.revents = 0;
		Py_BEGIN_ALLOW_THREADS
		rc = ls_poll(&p, 1, left);
		if (rc < 0)
			*ne = ls_native_error();
		Py_END_ALLOW_THREADS
		if (rc == LS_EINTR) {
			if (PyErr_CheckSignals()) {
				*sig = 1;
				return -1;
			}
			continue;
		}
		if (rc != 0)
			return rc < 0 ? rc : 0;
		/* rc == 0: the poll timed out; the check above ends the call. */
	}
}


/* ------------------------------------------------------------------ */
/* Families, types, flags                                              */
/* ------------------------------------------------------------------ */

static int fam_to_ls(int af)
{
	switch (af) {
	case AF_UNSPEC: return LS_AF_UNSPEC;
	case AF_INET: return LS_AF_INET;
	case AF_INET6: return LS_AF_INET6;
#ifdef AF_UNIX
	case AF_UNIX: return LS_AF_UNIX;
#endif
	default: return -1;
	}
}

static int fam_from_ls(int lf)
{
	switch (lf) {
	case LS_AF_INET: return AF_INET;
	case LS_AF_INET6: return AF_INET6;
#ifdef AF_UNIX
	case LS_AF_UNIX: return AF_UNIX;
#endif
	default: return AF_UNSPEC;
	}
}

static int type_to_ls(int t)
{
	switch (t) {
	case 0: return 0;
	case SOCK_STREAM: return LS_SOCK_STREAM;
	case SOCK_DGRAM: return LS_SOCK_DGRAM;
	default: return -1;
	}
}

static int type_from_ls(int lt)
{
	switch (lt) {
	case LS_SOCK_STREAM: return SOCK_STREAM;
	case LS_SOCK_DGRAM: return SOCK_DGRAM;
	default: return lt == 0 ? 0 : SOCK_RAW;
	}
}

int lsp_msgflags(long f, int *out)
{
	int r = 0;
	if (f & MSG_PEEK) {
		r |= LS_MSG_PEEK;
		f &= ~(long)MSG_PEEK;
	}
	if (f & MSG_OOB) {
		r |= LS_MSG_OOB;
		f &= ~(long)MSG_OOB;
	}
#ifdef MSG_WAITALL
	if (f & MSG_WAITALL) {
		r |= LS_MSG_WAITALL;
		f &= ~(long)MSG_WAITALL;
	}
#endif
#ifdef MSG_DONTWAIT
	if (f & MSG_DONTWAIT) {
		r |= LS_MSG_DONTWAIT;
		f &= ~(long)MSG_DONTWAIT;
	}
#endif
#ifdef MSG_NOSIGNAL
	/* libsock never raises SIGPIPE: the flag is already in effect. */
	f &= ~(long)MSG_NOSIGNAL;
#endif
	if (f != 0) {
		lsp_raise_errno(EINVAL);
		return -1;
	}
	*out = r;
	return 0;
}

/* Flags for receiving: stdlib on POSIX truncates long datagrams silently. */
int lsp_recv_flags(const lsp_sock *s, int flags)
{
#ifndef _WIN32
	if (s->type == SOCK_DGRAM)
		flags |= LS_MSG_TRUNC_OK;
#endif
	return flags;
}

/* ------------------------------------------------------------------ */
/* Timeouts                                                            */
/* ------------------------------------------------------------------ */

/* None or a number of seconds -> seconds (-1 for None) and milliseconds. */
static int parse_timeout(PyObject *v, double *secs, int64_t *ms)
{
	double d;
	if (v == Py_None) {
		*secs = -1.0;
		*ms = LS_TIMEOUT_BLOCK;
		return 0;
	}
	if (PyLong_Check(v)) {
		d = PyLong_AsDouble(v);
		if (d == -1.0 && PyErr_Occurred())
			return -1;
	} else if (PyFloat_Check(v)) {
		d = PyFloat_AS_DOUBLE(v);
	} else {
		PyErr_Format(PyExc_TypeError,
		             "'%.200s' object cannot be interpreted as an integer or float",
		             Py_TYPE(v)->tp_name);
		return -1;
	}
	if (isnan(d)) {
		PyErr_SetString(PyExc_ValueError, "Invalid value NaN (not a number)");
		return -1;
	}
	if (d < 0) {
		PyErr_SetString(PyExc_ValueError, "Timeout value out of range");
		return -1;
	}
	if (d > 9.2e9) { /* beyond what _PyTime_t (ns in int64) holds */
		PyErr_SetString(PyExc_OverflowError,
		                "timestamp too large to convert to C _PyTime_t");
		return -1;
	}
	*secs = d;
	/* Round up: a positive timeout never becomes 0 (non-blocking). */
	*ms = (int64_t)ceil(d * 1000.0);
	if (d > 0 && *ms == 0)
		*ms = 1;
	return 0;
}

static int apply_timeout(lsp_sock *s, double secs, int64_t ms)
{
	int rc = ls_set_timeout(s->h, ms);
	if (rc < 0) {
		lsp_raise(rc, ls_native_error(), 0);
		return -1;
	}
	s->timeout = secs;
	s->timeout_ms = ms;
	return 0;
}


/* ------------------------------------------------------------------ */
/* Addresses                                                           */
/* ------------------------------------------------------------------ */

/* Host name argument as stdlib's idna_converter takes it: str, bytes, bytearray. */
static PyObject *host_bytes(PyObject *obj)
{
	PyObject *b;
	if (PyUnicode_Check(obj)) {
		if (PyUnicode_IS_ASCII(obj))
			b = PyBytes_FromStringAndSize(PyUnicode_DATA(obj),
			                              PyUnicode_GET_LENGTH(obj));
		else
			b = PyUnicode_AsEncodedString(obj, "idna", NULL);
	} else if (PyBytes_Check(obj)) {
		b = Py_NewRef(obj);
	} else if (PyByteArray_Check(obj)) {
		b = PyBytes_FromStringAndSize(PyByteArray_AS_STRING(obj),
		                              PyByteArray_GET_SIZE(obj));
	} else {
		PyErr_Format(PyExc_TypeError, "str, bytes or bytearray expected, not %s",
		             Py_TYPE(obj)->tp_name);
		return NULL;
	}
	if (b == NULL)
		return NULL;
	if (strlen(PyBytes_AS_STRING(b)) != (size_t)PyBytes_GET_SIZE(b)) {
		Py_DECREF(b);
		PyErr_SetString(PyExc_TypeError, "host name must not contain null character");
		return NULL;
	}
	return b;
}

/* An IP address for a host name of the socket's family (setipaddr). */
static int resolve_host(const char *name, int lfam, ls_addr *out)
{
	ls_addrinfo_hints hints;
	ls_addrinfo *res = NULL;
	int rc, ne = 0;

	if (name[0] == '\0')
		return ls_addr_any(out, lfam, 0) < 0 ? (lsp_raise_errno(EAFNOSUPPORT), -1) : 0;
	if (lfam == LS_AF_INET && (strcmp(name, "<broadcast>") == 0 ||
	                           strcmp(name, "255.255.255.255") == 0)) {
		static const uint8_t bc[4] = {255, 255, 255, 255};
		ls_addr_ipv4(out, bc, 0);
		return 0;
	}
	if (ls_addr_parse_ip(out, name, lfam) == 0 && strchr(name, '%') == NULL)
		return 0;
	memset(&hints, 0, sizeof hints);
	hints.family = lfam;
	lsp_counts.resolved++;
	Py_BEGIN_ALLOW_THREADS
	rc = ls_getaddrinfo(name, NULL, &hints, &res);
	if (rc < 0)
		ne = ls_native_error();
	Py_END_ALLOW_THREADS
	if (rc < 0) {
		lsp_raise(rc, ne, 0);
		return -1;
	}
	if (res == NULL) {
		lsp_raise_gai(LS_ENONAME, 0);
		return -1;
	}
	*out = res->addr;
	ls_freeaddrinfo(res);
	if (out->family != lfam) {
		PyErr_SetString(PyExc_OSError, "address family mismatched");
		return -1;
	}
	return 0;
}

static int get_int_arg(PyObject *o, long *out)
{
	long v = PyLong_AsLong(o);
	if (v == -1 && PyErr_Occurred())
		return -1;
	*out = v;
	return 0;
}

/* Python address object -> ls_addr, as stdlib's getsockaddrarg does. */
int lsp_to_addr(int family, PyObject *obj, ls_addr *out, const char *caller)
{
	memset(out, 0, sizeof *out);
#ifdef AF_UNIX
	if (family == AF_UNIX) {
		Py_buffer view;
		PyObject *enc = NULL;
		int ret = -1;
		if (PyUnicode_Check(obj)) {
			enc = PyUnicode_EncodeFSDefault(obj);
			if (enc == NULL)
				return -1;
			obj = enc;
		}
		if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0) {
			Py_XDECREF(enc);
			return -1;
		}
		if (view.len > LS_UNIX_PATH_MAX) {
			PyErr_SetString(PyExc_OSError, "AF_UNIX path too long");
		} else {
			out->family = LS_AF_UNIX;
			out->path_len = (uint16_t)view.len;
			memcpy(out->path, view.buf, (size_t)view.len);
			out->path[view.len] = '\0';
			ret = 0;
		}
		PyBuffer_Release(&view);
		Py_XDECREF(enc);
		return ret;
	}
#endif
	if (family == AF_INET || family == AF_INET6) {
		PyObject *host;
		long port, flow = 0, scope = 0;
		Py_ssize_t n;
		int lfam = fam_to_ls(family);
		const char *fname = family == AF_INET ? "AF_INET" : "AF_INET6";
		if (!PyTuple_Check(obj)) {
			PyErr_Format(PyExc_TypeError, "%s(): %s address must be tuple, not %.500s",
			             caller, fname, Py_TYPE(obj)->tp_name);
			return -1;
		}
		n = PyTuple_GET_SIZE(obj);
		if (family == AF_INET ? n != 2 : (n < 2 || n > 4)) {
			PyErr_SetString(PyExc_TypeError,
			                family == AF_INET
			                    ? "AF_INET address must be a pair (host, port)"
			                    : "AF_INET6 address must be a tuple (host, port[, flowinfo[, scopeid]])");
			return -1;
		}
		if (get_int_arg(PyTuple_GET_ITEM(obj, 1), &port) < 0)
			return -1;
		if (n > 2 && get_int_arg(PyTuple_GET_ITEM(obj, 2), &flow) < 0)
			return -1;
		if (n > 3 && get_int_arg(PyTuple_GET_ITEM(obj, 3), &scope) < 0)
			return -1;
		if (port < 0 || port > 0xffff) {
			PyErr_Format(PyExc_OverflowError, "%s(): port must be 0-65535.", caller);
			return -1;
		}
		if (flow < 0 || flow > 0xfffff) {
			PyErr_Format(PyExc_OverflowError, "%s(): flowinfo must be 0-1048575.", caller);
			return -1;
		}
		if (scope < 0 || (unsigned long)scope > 0xffffffffUL) {
			PyErr_SetString(PyExc_OverflowError, "scope_id out of range");
			return -1;
		}
		host = host_bytes(PyTuple_GET_ITEM(obj, 0));
		if (host == NULL)
			return -1;
		if (resolve_host(PyBytes_AS_STRING(host), lfam, out) < 0) {
			Py_DECREF(host);
			return -1;
		}
		Py_DECREF(host);
		out->port = (uint16_t)port;
		if (family == AF_INET6) {
			out->flowinfo = (uint32_t)flow;
			out->scope_id = (uint32_t)scope;
		}
		return 0;
	}
	lsp_raise_errno(EAFNOSUPPORT);
	return -1;
}

/*
 * An IP address as text, as stdlib writes it (without a scope: stdlib's
 * tuples carry it separately). stdlib uses the OS's inet_ntop, and the OSes
 * disagree about the deprecated IPv4-compatible IPv6 form: glibc, the BSDs
 * and Windows write ::1.2.3.4, musl (and libsock, which follows RFC 5952)
 * ::102:304. So IPv6 text comes from the OS's inet_ntop here as well.
 */
static PyObject *ip_text(const ls_addr *a)
{
	char buf[LS_IPSTRLEN];
	int rc;
	if (a->family == LS_AF_INET6) {
		if (inet_ntop(AF_INET6, a->ip, buf, sizeof buf) == NULL)
			return lsp_raise_errno(errno);
		return PyUnicode_FromString(buf);
	}
	rc = ls_addr_format_ip(a, buf, sizeof buf);
	if (rc < 0)
		return lsp_raise(rc, 0, 0);
	return PyUnicode_FromString(buf);
}

/* ls_addr -> stdlib's address object (makesockaddr). */
static PyObject *from_addr(const ls_addr *a)
{
	PyObject *ip;
	switch (a->family) {
	case LS_AF_INET:
		ip = ip_text(a);
		return ip ? Py_BuildValue("(Ni)", ip, (int)a->port) : NULL;
	case LS_AF_INET6:
		ip = ip_text(a);
		return ip ? Py_BuildValue("(NiII)", ip, (int)a->port, (unsigned)a->flowinfo,
		                          (unsigned)a->scope_id)
		          : NULL;
	case LS_AF_UNIX:
		if (a->path_len > 0 && a->path[0] == '\0')
			return PyBytes_FromStringAndSize(a->path, a->path_len);
		return PyUnicode_DecodeFSDefaultAndSize(a->path, (Py_ssize_t)strnlen(a->path, a->path_len));
	default:
		Py_RETURN_NONE;
	}
}

/* ------------------------------------------------------------------ */
/* The fd map: OS handle -> libsock handle of this binding's sockets     */
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
/* Lifecycle                                                           */
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
	if (apply_timeout(s, secs, ms) < 0)
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
	lf = fam_to_ls(family);
	lt = type_to_ls(type);
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
		family = fam_from_ls(lf);
	if (type == -1)
		type = type_from_ls(lt);
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

/* ------------------------------------------------------------------ */
/* Connection calls                                                    */
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
	addr = from_addr(&peer);
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
			(void)ls_addr_any(&a, fam_to_ls(s->family), 0);
	}
	return from_addr(&a);
}

/* ------------------------------------------------------------------ */
/* I/O                                                                 */
/* ------------------------------------------------------------------ */

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

PyObject *lsp_from_peer(const lsp_sock *s, const ls_addr *a)
{
	/*
	 * No address at all is None, as stdlib's makesockaddr makes it. An
	 * unnamed Unix peer is whatever the kernel reports: no address (None;
	 * recent Linux) or the family alone ('', older Linux, the BSDs).
	 */
	(void)s;
	if (a->family == LS_AF_UNSPEC)
		Py_RETURN_NONE;
	return from_addr(a);
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
/* Modes and options                                                   */
/* ------------------------------------------------------------------ */

PyObject *lsp_settimeout(lsp_sock *s, PyObject *value)
{
	double secs;
	int64_t ms;
	if (parse_timeout(value, &secs, &ms) < 0)
		return NULL;
	if (s->h == LS_INVALID_SOCKET) {
		/* stdlib stores the value, then fails to apply it (EBADF). */
		s->timeout = secs;
		s->timeout_ms = ms;
		return lsp_closed();
	}
	if (apply_timeout(s, secs, ms) < 0)
		return NULL;
	Py_RETURN_NONE;
}

PyObject *lsp_gettimeout(lsp_sock *s)
{
	if (s->timeout < 0)
		Py_RETURN_NONE;
	return PyFloat_FromDouble(s->timeout);
}

PyObject *lsp_setblocking(lsp_sock *s, PyObject *flag)
{
	int b = PyObject_IsTrue(flag);
	if (b < 0)
		return NULL;
	if (s->h == LS_INVALID_SOCKET)
		return lsp_closed();
	if (apply_timeout(s, b ? -1.0 : 0.0, b ? LS_TIMEOUT_BLOCK : LS_TIMEOUT_NONBLOCK) < 0)
		return NULL;
	Py_RETURN_NONE;
}

PyObject *lsp_getblocking(lsp_sock *s)
{
	return PyBool_FromLong(s->timeout != 0.0);
}

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

/* ------------------------------------------------------------------ */
/* Module-level functions                                              */
/* ------------------------------------------------------------------ */

static const struct {
	int os, ls;
} lsp_aiflags[] = {
	{AI_PASSIVE, LS_AI_PASSIVE},
	{AI_NUMERICHOST, LS_AI_NUMERICHOST},
#ifdef AI_NUMERICSERV
	{AI_NUMERICSERV, LS_AI_NUMERICSERV},
#endif
	{AI_CANONNAME, LS_AI_CANONNAME},
#ifdef AI_ADDRCONFIG
	{AI_ADDRCONFIG, LS_AI_ADDRCONFIG},
#endif
#ifdef AI_V4MAPPED
	{AI_V4MAPPED, LS_AI_V4MAPPED},
#endif
#ifdef AI_ALL
	{AI_ALL, 0}, /* only meaningful with AI_V4MAPPED: accepted, no effect */
#endif
};

static const struct {
	int os, ls;
} lsp_niflags[] = {
	{NI_NUMERICHOST, LS_NI_NUMERICHOST}, {NI_NUMERICSERV, LS_NI_NUMERICSERV},
	{NI_NAMEREQD, LS_NI_NAMEREQD},       {NI_DGRAM, LS_NI_DGRAM},
	{NI_NOFQDN, LS_NI_NOFQDN},
};

#define MAP_FLAGS(table, in, out, bad)                                       \
	do {                                                                 \
		size_t i_;                                                   \
		int rest_ = (in);                                            \
		(out) = 0;                                                   \
		for (i_ = 0; i_ < sizeof table / sizeof table[0]; i_++)     \
			if (rest_ & table[i_].os) {                          \
				(out) |= table[i_].ls;                       \
				rest_ &= ~table[i_].os;                      \
			}                                                    \
		(bad) = rest_ != 0;                                          \
	} while (0)

/*
 * getaddrinfo's host as stdlib's getaddrinfo takes it, which is stricter than
 * address tuples: str always goes through the "idna" codec (so an empty label,
 * as in "a..b", is a UnicodeError), bytes as they are, nothing else. A NUL
 * inside is refused (stdlib would cut the name short there).
 */
static PyObject *gai_host_bytes(PyObject *obj)
{
	PyObject *b;
	if (PyUnicode_Check(obj)) {
		b = PyUnicode_AsEncodedString(obj, "idna", NULL);
	} else if (PyBytes_Check(obj)) {
		b = Py_NewRef(obj);
	} else {
		PyErr_SetString(PyExc_TypeError, "getaddrinfo() argument 1 must be string or None");
		return NULL;
	}
	if (b != NULL && strlen(PyBytes_AS_STRING(b)) != (size_t)PyBytes_GET_SIZE(b)) {
		Py_DECREF(b);
		PyErr_SetString(PyExc_TypeError, "host name must not contain null character");
		return NULL;
	}
	return b;
}

PyObject *lsp_getaddrinfo(PyObject *hobj, PyObject *pobj, int family, int type,
                          int proto, int flags)
{
	PyObject *hb = NULL, *pb = NULL, *list = NULL;
	const char *host = NULL, *port = NULL;
	ls_addrinfo_hints hints;
	ls_addrinfo *res = NULL, *ai;
	int rc, ne = 0, bad;

	if (hobj != Py_None) {
		hb = gai_host_bytes(hobj);
		if (hb == NULL)
			return NULL;
		host = PyBytes_AS_STRING(hb);
	}
	if (PyLong_Check(pobj)) {
		long v = PyLong_AsLong(pobj);
		if (v == -1 && PyErr_Occurred())
			goto out;
		pb = PyBytes_FromFormat("%ld", v);
	} else if (PyUnicode_Check(pobj)) {
		pb = PyUnicode_AsUTF8String(pobj);
	} else if (PyBytes_Check(pobj)) {
		pb = Py_NewRef(pobj);
	} else if (pobj == Py_None) {
		pb = NULL;
	} else {
		PyErr_SetString(PyExc_OSError, "Int or String expected");
		goto out;
	}
	if (pobj != Py_None) {
		if (pb == NULL)
			goto out;
		port = PyBytes_AS_STRING(pb);
	}
	memset(&hints, 0, sizeof hints);
	hints.family = fam_to_ls(family);
	if (hints.family < 0 || hints.family == LS_AF_UNIX) {
		lsp_raise_gai(LS_EAI_FAMILY, 0);
		goto out;
	}
	hints.type = type_to_ls(type);
	if (hints.type < 0) {
		lsp_raise_gai(LS_EAI_SOCKTYPE, 0);
		goto out;
	}
	hints.protocol = proto;
	MAP_FLAGS(lsp_aiflags, flags, hints.flags, bad);
	if (bad) {
		lsp_raise_gai(LS_EAI_BADFLAGS, 0);
		goto out;
	}
	if (host == NULL && port == NULL) {
		lsp_raise_gai(LS_ENONAME, 0);
		goto out;
	}
	lsp_counts.resolved++;
	Py_BEGIN_ALLOW_THREADS
	rc = ls_getaddrinfo(host, port, &hints, &res);
	if (rc < 0)
		ne = ls_native_error();
	Py_END_ALLOW_THREADS
	if (rc < 0) {
		if (rc == LS_ERANGE)
			PyErr_SetString(PyExc_OverflowError, "getaddrinfo(): port must be 0-65535.");
		else if (ls_error_is_resolver(rc))
			lsp_raise_gai(rc, ne);
		else
			lsp_raise(rc, ne, 0);
		goto out;
	}
	list = PyList_New(0);
	if (list == NULL)
		goto out;
	for (ai = res; ai != NULL; ai = ai->next) {
		PyObject *addr = from_addr(&ai->addr), *t;
		if (addr == NULL)
			goto fail;
		t = Py_BuildValue("(iiisN)", fam_from_ls(ai->family), type_from_ls(ai->type),
		                  ai->protocol, ai->canonname ? ai->canonname : "", addr);
		if (t == NULL || PyList_Append(list, t) < 0) {
			Py_XDECREF(t);
			goto fail;
		}
		Py_DECREF(t);
	}
	goto out;
fail:
	Py_CLEAR(list);
out:
	ls_freeaddrinfo(res);
	Py_XDECREF(hb);
	Py_XDECREF(pb);
	return list;
}

PyObject *lsp_getnameinfo(PyObject *sa, int flags)
{
	PyObject *host;
	long port, flow = 0, scope = 0;
	ls_addrinfo_hints hints;
	ls_addrinfo *res = NULL;
	ls_addr a;
	char hbuf[LS_NI_MAXHOST], sbuf[LS_NI_MAXSERV];
	int rc, ne = 0, lflags, bad;
	Py_ssize_t n;

	if (!PyTuple_Check(sa)) {
		PyErr_SetString(PyExc_TypeError, "getnameinfo() argument 1 must be a tuple");
		return NULL;
	}
	n = PyTuple_GET_SIZE(sa);
	if (n < 2 || n > 4) {
		PyErr_SetString(PyExc_TypeError, "getnameinfo(): illegal sockaddr argument");
		return NULL;
	}
	if (get_int_arg(PyTuple_GET_ITEM(sa, 1), &port) < 0 ||
	    (n > 2 && get_int_arg(PyTuple_GET_ITEM(sa, 2), &flow) < 0) ||
	    (n > 3 && get_int_arg(PyTuple_GET_ITEM(sa, 3), &scope) < 0))
		return NULL;
	if (flow < 0 || flow > 0xfffff) {
		PyErr_SetString(PyExc_OverflowError, "getnameinfo(): flowinfo must be 0-1048575.");
		return NULL;
	}
	if (port < 0 || port > 0xffff) {
		PyErr_SetString(PyExc_OverflowError, "getnameinfo(): port must be 0-65535.");
		return NULL;
	}
	if (!PyUnicode_Check(PyTuple_GET_ITEM(sa, 0))) {
		PyErr_SetString(PyExc_TypeError, "getnameinfo(): illegal sockaddr argument");
		return NULL;
	}
	host = host_bytes(PyTuple_GET_ITEM(sa, 0));
	if (host == NULL)
		return NULL;
	memset(&hints, 0, sizeof hints);
	hints.flags = LS_AI_NUMERICHOST;
	hints.type = LS_SOCK_DGRAM;
	Py_BEGIN_ALLOW_THREADS
	rc = ls_getaddrinfo(PyBytes_AS_STRING(host), NULL, &hints, &res);
	if (rc < 0)
		ne = ls_native_error();
	Py_END_ALLOW_THREADS
	Py_DECREF(host);
	if (rc < 0)
		return lsp_raise_gai(ls_error_is_resolver(rc) ? rc : LS_ENONAME, ne);
	if (res == NULL)
		return lsp_raise_gai(LS_ENONAME, 0);
	if (res->next != NULL) {
		ls_freeaddrinfo(res);
		PyErr_SetString(PyExc_OSError, "sockaddr resolved to multiple addresses");
		return NULL;
	}
	a = res->addr;
	ls_freeaddrinfo(res);
	a.port = (uint16_t)port;
	if (a.family == LS_AF_INET6) {
		a.flowinfo = (uint32_t)flow;
		a.scope_id = (uint32_t)scope;
	} else if (n != 2) {
		PyErr_SetString(PyExc_OSError, "IPv4 sockaddr must be 2 tuple");
		return NULL;
	}
	MAP_FLAGS(lsp_niflags, flags, lflags, bad);
	if (bad)
		return lsp_raise_gai(LS_EAI_BADFLAGS, 0);
	lsp_counts.resolved++;
	Py_BEGIN_ALLOW_THREADS
	rc = ls_getnameinfo(&a, hbuf, sizeof hbuf, sbuf, sizeof sbuf, lflags);
	if (rc < 0)
		ne = ls_native_error();
	Py_END_ALLOW_THREADS
	if (rc < 0)
		return lsp_raise(rc, ne, 0);
	return Py_BuildValue("(ss)", hbuf, sbuf);
}

PyObject *lsp_gethostname(void)
{
	char buf[1025];
	int rc = ls_gethostname(buf, sizeof buf);
	if (rc < 0)
		return lsp_raise(rc, ls_native_error(), 0);
	return PyUnicode_DecodeFSDefault(buf);
}

PyObject *lsp_inet_pton(int family, PyObject *text)
{
	ls_addr a;
	const char *s;
	int lf = fam_to_ls(family);
	if (!PyUnicode_Check(text)) {
		PyErr_Format(PyExc_TypeError, "inet_pton() argument 2 must be str, not %.50s",
		             Py_TYPE(text)->tp_name);
		return NULL;
	}
	if (lf != LS_AF_INET && lf != LS_AF_INET6)
		return lsp_raise_errno(EAFNOSUPPORT);
	s = PyUnicode_AsUTF8(text);
	if (s == NULL)
		return NULL;
	if (strchr(s, '%') != NULL || ls_addr_parse_ip(&a, s, lf) < 0) {
		PyErr_SetString(PyExc_OSError, "illegal IP address string passed to inet_pton");
		return NULL;
	}
	return PyBytes_FromStringAndSize((const char *)a.ip, lf == LS_AF_INET ? 4 : 16);
}

PyObject *lsp_inet_ntop(int family, Py_buffer *packed)
{
	ls_addr a;
	int lf = fam_to_ls(family);
	if (lf == LS_AF_INET) {
		if (packed->len != 4) {
			PyErr_SetString(PyExc_ValueError, "invalid length of packed IP address string");
			return NULL;
		}
		ls_addr_ipv4(&a, packed->buf, 0);
	} else if (lf == LS_AF_INET6) {
		if (packed->len != 16) {
			PyErr_SetString(PyExc_ValueError, "invalid length of packed IP address string");
			return NULL;
		}
		ls_addr_ipv6(&a, packed->buf, 0, 0);
	} else {
		PyErr_Format(PyExc_ValueError, "unknown address family %d", family);
		return NULL;
	}
	return ip_text(&a);
}

PyObject *lsp_socketpair(int family, int type, int proto)
{
	ls_socket pair[2];
	int rc, lf, lt;
	lf = fam_to_ls(family);
	lt = type_to_ls(type);
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

PyObject *lsp_getdefaulttimeout(void)
{
	if (lsp_default_secs < 0)
		Py_RETURN_NONE;
	return PyFloat_FromDouble(lsp_default_secs);
}

PyObject *lsp_setdefaulttimeout(PyObject *value)
{
	double secs;
	int64_t ms;
	if (parse_timeout(value, &secs, &ms) < 0)
		return NULL;
	lsp_default_secs = secs;
	lsp_default_ms = ms;
	Py_RETURN_NONE;
}

/* ------------------------------------------------------------------ */
/* Methods with stdlib's argument parsing                              */
/* ------------------------------------------------------------------ */

/*
 * The methods that take several arguments are written against the CPython
 * API, with the format strings stdlib's socket module uses, so a wrong
 * call fails with stdlib's exception and wording ("recv() takes at most 2
 * arguments (3 given)", keywords refused or taken as stdlib does). SWIG's
 * generated wrappers name the C function instead. lsp_type_init puts
 * these on SocketBase.
 */

/* Flags as stdlib takes them (a C int), translated to LS_MSG_*. */
static int parse_flags(int flags, int *out)
{
	return lsp_msgflags(flags, out);
}

static PyObject *m_send(PyObject *self, PyObject *args)
{
	lsp_sock *s = lsp_self(self);
	Py_buffer b;
	int flags = 0, lf;
	PyObject *r;
	if (s == NULL || !PyArg_ParseTuple(args, "y*|i:send", &b, &flags))
		return NULL;
	r = parse_flags(flags, &lf) < 0 ? NULL : lsp_send(s, &b, lf);
	PyBuffer_Release(&b);
	return r;
}

static PyObject *m_sendall(PyObject *self, PyObject *args)
{
	lsp_sock *s = lsp_self(self);
	Py_buffer b;
	int flags = 0, lf;
	PyObject *r;
	if (s == NULL || !PyArg_ParseTuple(args, "y*|i:sendall", &b, &flags))
		return NULL;
	r = parse_flags(flags, &lf) < 0 ? NULL : lsp_sendall(s, &b, lf);
	PyBuffer_Release(&b);
	return r;
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
	r = parse_flags(flags, &lf) < 0 ? NULL : lsp_sendto(s, &b, lf, addr);
	PyBuffer_Release(&b);
	return r;
}

static PyObject *m_recv(PyObject *self, PyObject *args)
{
	lsp_sock *s = lsp_self(self);
	Py_ssize_t n;
	int flags = 0, lf;
	if (s == NULL || !PyArg_ParseTuple(args, "n|i:recv", &n, &flags))
		return NULL;
	return parse_flags(flags, &lf) < 0 ? NULL : lsp_recv(s, n, lf);
}

static PyObject *m_recvfrom(PyObject *self, PyObject *args)
{
	lsp_sock *s = lsp_self(self);
	Py_ssize_t n;
	int flags = 0, lf;
	if (s == NULL || !PyArg_ParseTuple(args, "n|i:recvfrom", &n, &flags))
		return NULL;
	return parse_flags(flags, &lf) < 0 ? NULL : lsp_recvfrom(s, n, lf);
}

static PyObject *m_recv_into(PyObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = {"buffer", "nbytes", "flags", NULL};
	lsp_sock *s = lsp_self(self);
	Py_buffer b;
	Py_ssize_t n = 0;
	int flags = 0, lf;
	PyObject *r;
	if (s == NULL ||
	    !PyArg_ParseTupleAndKeywords(args, kw, "w*|ni:recv_into", kwlist, &b, &n, &flags))
		return NULL;
	r = parse_flags(flags, &lf) < 0 ? NULL : lsp_recv_into(s, &b, n, lf);
	PyBuffer_Release(&b);
	return r;
}

static PyObject *m_recvfrom_into(PyObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = {"buffer", "nbytes", "flags", NULL};
	lsp_sock *s = lsp_self(self);
	Py_buffer b;
	Py_ssize_t n = 0;
	int flags = 0, lf;
	PyObject *r;
	if (s == NULL || !PyArg_ParseTupleAndKeywords(args, kw, "w*|ni:recvfrom_into", kwlist, &b,
	                                              &n, &flags))
		return NULL;
	r = parse_flags(flags, &lf) < 0 ? NULL : lsp_recvfrom_into(s, &b, n, lf);
	PyBuffer_Release(&b);
	return r;
}

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
	if (install_methods(sb, lsp_io_methods) < 0 || install_methods(sb, lsp_msg_methods) < 0)
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
