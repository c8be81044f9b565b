/*
 * lsp_stats.c - monitoring from Python: libsock's process totals
 * (ls_stats_get), the open sockets (ls_sockets_snapshot), one socket's
 * counters (ls_socket_stats), socket names (ls_socket_set_name) and the
 * Prometheus/JSON exports. The Python layer turns the tuples built here
 * into named tuples (libsock.Stats, libsock.SocketInfo).
 */
#include "lsp.h"

#include <string.h>

#include "libsock/stats.h"

/* The totals, in the order of ls_stats's fields (libsock.Stats). */
PyObject *lsp_stats_totals(void)
{
	ls_stats st;
	int rc = ls_stats_get(&st);
	if (rc < 0)
		return lsp_raise(rc, 0, 0);
	return Py_BuildValue("(KKKKKKKKKKK)", (unsigned long long)st.sockets_open,
	                     (unsigned long long)st.opened_total,
	                     (unsigned long long)st.closed_total,
	                     (unsigned long long)st.accepted_total,
	                     (unsigned long long)st.rejected_acl_total,
	                     (unsigned long long)st.rejected_proxy_total,
	                     (unsigned long long)st.bytes_sent_total,
	                     (unsigned long long)st.bytes_received_total,
	                     (unsigned long long)st.sends_total,
	                     (unsigned long long)st.receives_total,
	                     (unsigned long long)st.errors_total);
}

static PyObject *addr_or_none(const ls_addr *a)
{
	if (a->family == LS_AF_UNSPEC)
		Py_RETURN_NONE;
	return lsp_from_addr(a);
}

static PyObject *ms_or_none(int64_t ms)
{
	if (ms == 0)
		Py_RETURN_NONE;
	return PyFloat_FromDouble((double)ms / 1000.0);
}

/*
 * One socket as a tuple in libsock.SocketInfo's order: handle, fileno,
 * family, type, state, local, peer, name, created, last_activity,
 * bytes_sent, bytes_received, sends, receives, errors. Family and type are
 * the OS values (AF_INET, SOCK_STREAM, ...); times are seconds since 1970.
 */
static PyObject *info_tuple(const ls_sockinfo *i)
{
	ls_native fd = LS_NATIVE_INVALID;
	long long fdv = -1;
	if (ls_socket_native(i->sock, &fd) == 0)
		fdv = (long long)fd;
	return Py_BuildValue("(KLiiiNNs#NNKKKKK)", (unsigned long long)i->sock, fdv,
	                     lsp_fam_from_ls(i->family), lsp_type_from_ls(i->type), i->state,
	                     addr_or_none(&i->local), addr_or_none(&i->peer), i->name,
	                     (Py_ssize_t)strnlen(i->name, sizeof i->name),
	                     PyFloat_FromDouble((double)i->created_ms / 1000.0),
	                     ms_or_none(i->last_activity_ms), (unsigned long long)i->bytes_sent,
	                     (unsigned long long)i->bytes_received, (unsigned long long)i->sends,
	                     (unsigned long long)i->receives, (unsigned long long)i->errors);
}

PyObject *lsp_stats_socket(unsigned long long h)
{
	ls_sockinfo info;
	int rc = ls_socket_stats((ls_socket)h, &info);
	if (rc < 0)
		return lsp_raise(rc, 0, 0);
	return info_tuple(&info);
}

PyObject *lsp_stats_sockets(void)
{
	ls_sockinfo *v = NULL;
	size_t cap = 0, n = 0, k;
	PyObject *list;
	int rc;
	/* Sockets may open between the count and the copy: grow and retry. */
	for (;;) {
		rc = ls_sockets_snapshot(v, cap, &n);
		if (rc < 0) {
			PyMem_Free(v);
			return lsp_raise(rc, 0, 0);
		}
		if (n <= cap)
			break;
		cap = n + 16;
		PyMem_Free(v);
		v = PyMem_Malloc(cap * sizeof *v);
		if (v == NULL)
			return PyErr_NoMemory();
	}
	list = PyList_New((Py_ssize_t)n);
	for (k = 0; list != NULL && k < n; k++) {
		PyObject *t = info_tuple(&v[k]);
		if (t == NULL)
			Py_CLEAR(list);
		else
			PyList_SET_ITEM(list, (Py_ssize_t)k, t);
	}
	PyMem_Free(v);
	return list;
}

PyObject *lsp_stats_set_name(unsigned long long h, PyObject *name)
{
	const char *s = NULL;
	int rc;
	if (name != Py_None) {
		if (!PyUnicode_Check(name)) {
			PyErr_Format(PyExc_TypeError, "name must be str or None, not %.50s",
			             Py_TYPE(name)->tp_name);
			return NULL;
		}
		s = PyUnicode_AsUTF8(name);
		if (s == NULL)
			return NULL;
		if (strlen(s) >= LS_NAME_MAX) {
			PyErr_Format(PyExc_ValueError, "name longer than %d bytes", LS_NAME_MAX - 1);
			return NULL;
		}
	}
	rc = ls_socket_set_name((ls_socket)h, s);
	if (rc < 0)
		return lsp_raise(rc, 0, 0);
	Py_RETURN_NONE;
}

/* ls_stats_prometheus / ls_stats_json into a str, growing the buffer as told. */
static PyObject *export_text(int (*fn)(char *, size_t, size_t *))
{
	size_t size = 8192, need = 0;
	for (int tries = 0; tries < 8; tries++) {
		char *buf = PyMem_Malloc(size);
		int rc;
		if (buf == NULL)
			return PyErr_NoMemory();
		rc = fn(buf, size, &need);
		if (rc == 0) {
			PyObject *r = PyUnicode_DecodeUTF8(buf, (Py_ssize_t)strnlen(buf, size), "replace");
			PyMem_Free(buf);
			return r;
		}
		PyMem_Free(buf);
		if (rc != LS_ENOSPC)
			return lsp_raise(rc, 0, 0);
		size = need > size ? need + 1024 : size * 2;
	}
	return lsp_raise(LS_ENOSPC, 0, 0);
}

PyObject *lsp_stats_prometheus(void)
{
	return export_text(ls_stats_prometheus);
}

PyObject *lsp_stats_json(void)
{
	return export_text(ls_stats_json);
}
