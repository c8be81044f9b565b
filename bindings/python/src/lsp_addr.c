/*
 * lsp_addr.c - families, types and flags between the OS's values (which
 * the Python constants carry) and libsock's, and addresses between
 * stdlib's Python forms (tuples, paths) and ls_addr, as stdlib's
 * getsockaddrarg/makesockaddr do; inet_pton and inet_ntop.
 */
#include "lsp.h"

#include <errno.h>
#include <string.h>
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

int lsp_fam_to_ls(int af)
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

int lsp_fam_from_ls(int lf)
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

int lsp_type_to_ls(int t)
{
	switch (t) {
	case 0: return 0;
	case SOCK_STREAM: return LS_SOCK_STREAM;
	case SOCK_DGRAM: return LS_SOCK_DGRAM;
	default: return -1;
	}
}

int lsp_type_from_ls(int lt)
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
/* Addresses                                                          */
/* ------------------------------------------------------------------ */

/* Host name argument as stdlib's idna_converter takes it: str, bytes, bytearray. */
PyObject *lsp_host_bytes(PyObject *obj)
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

int lsp_get_int(PyObject *o, long *out)
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
		int lfam = lsp_fam_to_ls(family);
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
		if (lsp_get_int(PyTuple_GET_ITEM(obj, 1), &port) < 0)
			return -1;
		if (n > 2 && lsp_get_int(PyTuple_GET_ITEM(obj, 2), &flow) < 0)
			return -1;
		if (n > 3 && lsp_get_int(PyTuple_GET_ITEM(obj, 3), &scope) < 0)
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
		host = lsp_host_bytes(PyTuple_GET_ITEM(obj, 0));
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
PyObject *lsp_ip_text(const ls_addr *a)
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
PyObject *lsp_from_addr(const ls_addr *a)
{
	PyObject *ip;
	switch (a->family) {
	case LS_AF_INET:
		ip = lsp_ip_text(a);
		return ip ? Py_BuildValue("(Ni)", ip, (int)a->port) : NULL;
	case LS_AF_INET6:
		ip = lsp_ip_text(a);
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
	return lsp_from_addr(a);
}

PyObject *lsp_inet_pton(int family, PyObject *text)
{
	ls_addr a;
	const char *s;
	int lf = lsp_fam_to_ls(family);
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
	int lf = lsp_fam_to_ls(family);
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
	return lsp_ip_text(&a);
}
