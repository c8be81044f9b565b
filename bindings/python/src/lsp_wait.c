/*
 * lsp_wait.c - time, timeouts and signals: the socket timeout as stdlib
 * takes it (None, 0, seconds) and the default timeout, the deadline of a
 * call, and the PEP 475 wait for the time left after a signal handler ran
 * (the retry loop itself is LSP_CALL in lsp.h).
 */
#include "lsp.h"

#include <math.h>

double lsp_default_secs = -1.0;
int64_t lsp_default_ms = LS_TIMEOUT_BLOCK;

/* The monotonic clock in milliseconds, for the time left after a signal. */
int64_t lsp_monotonic_ms(void)
{
#if PY_VERSION_HEX >= 0x030D0000
	PyTime_t t = 0;
	(void)PyTime_MonotonicRaw(&t);
	return (int64_t)(t / 1000000);
#else
	return (int64_t)_PyTime_AsMilliseconds(_PyTime_GetMonotonicClock(), _PyTime_ROUND_FLOOR);
#endif
}

/* The deadline of a call starting now: -1 without a timeout. */
int64_t lsp_deadline(const lsp_sock *s)
{
	return s->timeout_ms > 0 ? lsp_monotonic_ms() + s->timeout_ms : -1;
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
		int64_t left = deadline < 0 ? LS_TIMEOUT_BLOCK : deadline - lsp_monotonic_ms();
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
/* Timeouts                                                           */
/* ------------------------------------------------------------------ */

/* None or a number of seconds -> seconds (-1 for None) and milliseconds. */
int lsp_parse_timeout(PyObject *v, double *secs, int64_t *ms)
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

int lsp_apply_timeout(lsp_sock *s, double secs, int64_t ms)
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

PyObject *lsp_settimeout(lsp_sock *s, PyObject *value)
{
	double secs;
	int64_t ms;
	if (lsp_parse_timeout(value, &secs, &ms) < 0)
		return NULL;
	if (s->h == LS_INVALID_SOCKET) {
		/* stdlib stores the value, then fails to apply it (EBADF). */
		s->timeout = secs;
		s->timeout_ms = ms;
		return lsp_closed();
	}
	if (lsp_apply_timeout(s, secs, ms) < 0)
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
	if (lsp_apply_timeout(s, b ? -1.0 : 0.0, b ? LS_TIMEOUT_BLOCK : LS_TIMEOUT_NONBLOCK) < 0)
		return NULL;
	Py_RETURN_NONE;
}

PyObject *lsp_getblocking(lsp_sock *s)
{
	return PyBool_FromLong(s->timeout != 0.0);
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
	if (lsp_parse_timeout(value, &secs, &ms) < 0)
		return NULL;
	lsp_default_secs = secs;
	lsp_default_ms = ms;
	Py_RETURN_NONE;
}
