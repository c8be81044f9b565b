/*
 * libsock.i - SWIG interface for libsock's Python extension, libsock._libsock.
 *
 * Built with -builtin: SocketBase is a C-level type (as stdlib's
 * _socket.socket is), and libsock.socket is a thin Python subclass of it
 * (as stdlib's socket.socket is). send/recv and friends are inherited
 * straight from the C type, so a call costs what stdlib's costs: that is
 * what keeps 1-byte round trips within a few percent of stdlib.
 *
 * The typemaps below are the Python side of the C API:
 *   Py_buffer *RBUF          any bytes-like object, pinned (PyObject_GetBuffer)
 *                            for the whole call and released in freearg.
 *   int, Py_ssize_t          stdlib's integer rules (__index__, TypeError for
 *                            float, OverflowError out of range).
 *   unsigned long long       libsock handles (uint64).
 *   PyObject *               passed through; results are new references or
 *                            NULL with the exception set by src/lsp_*.c.
 * The logic itself (addresses, errors, GIL, PEP 475) lives in src/lsp_*.c.
 */
%module(package="libsock") _libsock

%{
#include "lsp.h"

/* The lsp_sock of a SocketBase (method descriptors have checked the type). */
lsp_sock *lsp_self(PyObject *self)
{
  lsp_sock *s = (lsp_sock *)((SwigPyObject *)self)->ptr;
  if (s == NULL)
    PyErr_SetString(PyExc_TypeError, "socket object is not initialized");
  return s;
}
%}

%feature("compactdefaultargs");
%feature("autodoc", "0");

/* ---- typemaps ---------------------------------------------------- */

%typemap(in) int {
  long v_ = PyLong_AsLong($input);
  if (v_ == -1 && PyErr_Occurred()) SWIG_fail;
  if (v_ > INT_MAX) { PyErr_SetString(PyExc_OverflowError, "signed integer is greater than maximum"); SWIG_fail; }
  if (v_ < INT_MIN) { PyErr_SetString(PyExc_OverflowError, "signed integer is less than minimum"); SWIG_fail; }
  $1 = (int)v_;
}

%typemap(in) Py_ssize_t {
  $1 = PyNumber_AsSsize_t($input, PyExc_OverflowError);
  if ($1 == -1 && PyErr_Occurred()) SWIG_fail;
}

%typemap(in) unsigned long long {
  $1 = PyLong_AsUnsignedLongLong($input);
  if ($1 == (unsigned long long)-1 && PyErr_Occurred()) SWIG_fail;
}

/* Read-only bytes-like input, pinned until the wrapper returns. */
%typemap(in) Py_buffer *RBUF (Py_buffer view, int got = 0) {
  if (PyObject_GetBuffer($input, &view, PyBUF_SIMPLE) < 0) SWIG_fail;
  got = 1;
  $1 = &view;
}
%typemap(freearg) Py_buffer *RBUF {
  if (got$argnum) PyBuffer_Release(&view$argnum);
}

/* ---- the C-level socket type -------------------------------------- */

%rename(SocketBase) lsp_sock;
%nodefaultdtor lsp_sock;

typedef struct lsp_sock {
  %extend {
    lsp_sock() { return lsp_sock_alloc(); }
    ~lsp_sock() { lsp_sock_free($self); }

    PyObject *bind(PyObject *address) { return lsp_bind($self, address); }
    PyObject *_accept() { return lsp_accept($self); }
    PyObject *connect(PyObject *address) { return lsp_connect($self, address, 0); }
    PyObject *connect_ex(PyObject *address) { return lsp_connect($self, address, 1); }
    PyObject *shutdown(int how) { return lsp_shutdown($self, how); }
    PyObject *close() { return lsp_close($self); }
    PyObject *detach() { return lsp_detach($self); }
    PyObject *fileno() { return lsp_fileno($self); }
    PyObject *getsockname() { return lsp_getsockname($self, 0); }
    PyObject *getpeername() { return lsp_getsockname($self, 1); }

    PyObject *settimeout(PyObject *value) { return lsp_settimeout($self, value); }
    PyObject *gettimeout() { return lsp_gettimeout($self); }
    PyObject *setblocking(PyObject *flag) { return lsp_setblocking($self, flag); }
    PyObject *getblocking() { return lsp_getblocking($self); }
  }
} lsp_sock;

/*
 * The methods with several arguments (send, recv, sendto, setsockopt,
 * sendmsg, ...) are not generated: src/lsp_io.c, lsp_socket.c and lsp_msg.c write them
 * with stdlib's argument parsing, and lsp_type_init (below) adds them.
 * The Python layer's private access to the C state is module functions,
 * so the class shows only stdlib's names.
 */
%rename(_sock_init_new) lsp_init_new;
PyObject *lsp_init_new(lsp_sock *s, int family, int type, int proto);
%rename(_sock_init_fd) lsp_init_fd;
PyObject *lsp_init_fd(lsp_sock *s, PyObject *fd, int family, int type, int proto);
%rename(_sock_init_handle) lsp_init_handle;
PyObject *lsp_init_handle(lsp_sock *s, unsigned long long handle, int family, int type, int proto);
%rename(_sock_family) lsp_sock_family;
int lsp_sock_family(lsp_sock *s);
%rename(_sock_type) lsp_sock_type;
int lsp_sock_type(lsp_sock *s);
%rename(_sock_proto) lsp_sock_proto;
int lsp_sock_proto(lsp_sock *s);
/* The libsock handle (an id, not an fd); 0 once closed. */
%rename(_sock_handle) lsp_sock_handle;
unsigned long long lsp_sock_handle(lsp_sock *s);

/* ---- the poller behind libsock.selectors (src/lsp_poller.c) -------- */

%rename(PollerBase) lsp_poller;
%nodefaultdtor lsp_poller;

typedef struct lsp_poller {
  %extend {
    lsp_poller() { return lsp_pl_alloc(); }
    ~lsp_poller() { lsp_pl_free($self); }

    PyObject *_open(int flags = 0) { return lsp_pl_open($self, flags); }
    PyObject *backend() { return lsp_pl_backend($self); }
    /* events: EVENT_READ | EVENT_WRITE; user comes back with each event. */
    PyObject *add(unsigned long long handle, int events, unsigned long long user) {
      return lsp_pl_add($self, handle, events, user);
    }
    PyObject *modify(unsigned long long handle, int events, unsigned long long user) {
      return lsp_pl_mod($self, handle, events, user);
    }
    PyObject *remove(unsigned long long handle) { return lsp_pl_remove($self, handle); }
    PyObject *adopt(PyObject *fd, int nonblock_hint) {
      return lsp_pl_adopt($self, fd, nonblock_hint);
    }
    /* [(user, events, handle), ...]; timeout_ms -1 blocks. */
    PyObject *wait(Py_ssize_t max, PyObject *timeout_ms) {
      return lsp_pl_wait($self, max, timeout_ms);
    }
    PyObject *wakeup() { return lsp_pl_wakeup($self); }
    PyObject *close() { return lsp_pl_close($self); }
  }
} lsp_poller;

/* ---- module-level functions --------------------------------------- */

%rename(getaddrinfo) lsp_getaddrinfo;
PyObject *lsp_getaddrinfo(PyObject *host, PyObject *port, int family = 0, int type = 0,
                          int proto = 0, int flags = 0);
%rename(getnameinfo) lsp_getnameinfo;
PyObject *lsp_getnameinfo(PyObject *sockaddr, int flags);
%rename(gethostname) lsp_gethostname;
PyObject *lsp_gethostname(void);
%rename(inet_pton) lsp_inet_pton;
PyObject *lsp_inet_pton(int address_family, PyObject *ip_string);
%rename(inet_ntop) lsp_inet_ntop;
PyObject *lsp_inet_ntop(int address_family, Py_buffer *RBUF);
%rename(_socketpair) lsp_socketpair;
PyObject *lsp_socketpair(int family, int type, int proto);
%rename(getdefaulttimeout) lsp_getdefaulttimeout;
PyObject *lsp_getdefaulttimeout(void);
%rename(setdefaulttimeout) lsp_setdefaulttimeout;
PyObject *lsp_setdefaulttimeout(PyObject *timeout);
%rename(_handle_of_fd) lsp_handle_of_fd;
PyObject *lsp_handle_of_fd(PyObject *fd);
%rename(_stats) lsp_stats;
PyObject *lsp_stats(void);
%rename(_sock_move) lsp_sock_move;
PyObject *lsp_sock_move(lsp_sock *dst, lsp_sock *src);

/* Monitoring (src/lsp_stats.c); libsock/__init__.py names the tuples. */
%rename(_stats_totals) lsp_stats_totals;
PyObject *lsp_stats_totals(void);
%rename(_stats_sockets) lsp_stats_sockets;
PyObject *lsp_stats_sockets(void);
%rename(_stats_socket) lsp_stats_socket;
PyObject *lsp_stats_socket(unsigned long long handle);
%rename(_stats_set_name) lsp_stats_set_name;
PyObject *lsp_stats_set_name(unsigned long long handle, PyObject *name);
%rename(prometheus) lsp_stats_prometheus;
PyObject *lsp_stats_prometheus(void);
%rename(stats_json) lsp_stats_json;
PyObject *lsp_stats_json(void);

%rename(version) ls_version_string;
const char *ls_version_string(void);

%init %{
  if (lsp_module_init() < 0)
    return NULL;
  if (lsp_type_init((PyTypeObject *)&SwigPyBuiltin__lsp_sock_type, SwigPyObject_type()) < 0)
    return NULL;
  if (lsp_tls_init(m, (PyTypeObject *)&SwigPyBuiltin__lsp_sock_type) < 0)
    return NULL;
%}
