/*
 * lsp_errors.c - errors as stdlib raises them: a libsock code (and the OS
 * code captured with it) becomes the OSError subclass errno picks, with the
 * platform's errno/strerror (and winerror on Windows); resolver codes
 * become socket.gaierror; the socket's own timeout is TimeoutError("timed
 * out"). Also the module's state: stdlib's gaierror class and the call
 * counters.
 */
#include "lsp.h"

#include <errno.h>
#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#include <afunix.h>
#else
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#endif

PyObject *lsp_gaierror; /* stdlib's socket.gaierror class */

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
int lsp_errno_of(int rc, int native)
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

PyObject *lsp_raise_gai(int rc, int native)
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
