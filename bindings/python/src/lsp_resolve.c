/*
 * lsp_resolve.c - the resolver: getaddrinfo, getnameinfo and gethostname
 * with stdlib's arguments, flags mapped between the OS's AI_ and NI_ values
 * and libsock's, the GIL released while a lookup runs.
 */
#include "lsp.h"

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
	hints.family = lsp_fam_to_ls(family);
	if (hints.family < 0 || hints.family == LS_AF_UNIX) {
		lsp_raise_gai(LS_EAI_FAMILY, 0);
		goto out;
	}
	hints.type = lsp_type_to_ls(type);
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
		PyObject *addr = lsp_from_addr(&ai->addr), *t;
		if (addr == NULL)
			goto fail;
		t = Py_BuildValue("(iiisN)", lsp_fam_from_ls(ai->family), lsp_type_from_ls(ai->type),
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
	if (lsp_get_int(PyTuple_GET_ITEM(sa, 1), &port) < 0 ||
	    (n > 2 && lsp_get_int(PyTuple_GET_ITEM(sa, 2), &flow) < 0) ||
	    (n > 3 && lsp_get_int(PyTuple_GET_ITEM(sa, 3), &scope) < 0))
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
	host = lsp_host_bytes(PyTuple_GET_ITEM(sa, 0));
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
