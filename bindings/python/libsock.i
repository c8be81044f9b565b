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
 *   Py_buffer *RBUF / *WBUF  any bytes-like object, pinned (PyObject_GetBuffer)
 *                            for the whole call, GIL released or not, and
 *                            released in freearg: zero copies.
 *   int, Py_ssize_t          stdlib's integer rules (__index__, TypeError for
 *                            float, OverflowError out of range).
 *   int MSGFLAGS             OS MSG_* bits translated to LS_MSG_*.
 *   unsigned long long       libsock handles (uint64).
 *   PyObject *               passed through; results are new references or
 *                            NULL with the exception set by lsp.c.
 * The logic itself (addresses, errors, GIL, PEP 475) lives in src/lsp.c.
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

%typemap(in) int MSGFLAGS {
  long v_ = PyLong_AsLong($input);
  if (v_ == -1 && PyErr_Occurred()) SWIG_fail;
  if (lsp_msgflags(v_, &$1) < 0) SWIG_fail;
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

/* Writable bytes-like input (recv_into): the caller's memory, pinned. */
%typemap(in) Py_buffer *WBUF (Py_buffer view, int got = 0) {
  if (PyObject_GetBuffer($input, &view, PyBUF_WRITABLE) < 0) {
    PyErr_Clear();
    PyErr_Format(PyExc_TypeError, "argument 1 must be read-write bytes-like object, not %.100s",
                 Py_TYPE($input)->tp_name);
    SWIG_fail;
  }
  got = 1;
  $1 = &view;
}
%typemap(freearg) Py_buffer *WBUF {
  if (got$argnum) PyBuffer_Release(&view$argnum);
}

/* ---- the C-level socket type -------------------------------------- */

%rename(SocketBase) lsp_sock;
%nodefaultdtor lsp_sock;

typedef struct lsp_sock {
  %extend {
    lsp_sock() { return lsp_sock_alloc(); }
    ~lsp_sock() { lsp_sock_free($self); }

    PyObject *_init_new(int family, int type, int proto) {
      return lsp_init_new($self, family, type, proto);
    }
    PyObject *_init_fd(PyObject *fd, int family, int type, int proto) {
      return lsp_init_fd($self, fd, family, type, proto);
    }
    PyObject *_init_handle(unsigned long long handle, int family, int type, int proto) {
      return lsp_init_handle($self, handle, family, type, proto);
    }
    int _get_family() { return $self->family; }
    int _get_type() { return $self->type; }
    int _get_proto() { return $self->proto; }
    /* The libsock handle (an id, not an fd); 0 once closed. */
    unsigned long long _ls_handle() { return (unsigned long long)$self->h; }

    PyObject *bind(PyObject *address) { return lsp_bind($self, address); }
    PyObject *_listen(int backlog) { return lsp_listen($self, backlog); }
    PyObject *_accept() { return lsp_accept($self); }
    PyObject *connect(PyObject *address) { return lsp_connect($self, address, 0); }
    PyObject *connect_ex(PyObject *address) { return lsp_connect($self, address, 1); }
    PyObject *shutdown(int how) { return lsp_shutdown($self, how); }
    PyObject *close() { return lsp_close($self); }
    PyObject *detach() { return lsp_detach($self); }
    PyObject *fileno() { return lsp_fileno($self); }
    PyObject *getsockname() { return lsp_getsockname($self, 0); }
    PyObject *getpeername() { return lsp_getsockname($self, 1); }

    PyObject *send(Py_buffer *RBUF, int MSGFLAGS = 0) {
      return lsp_send($self, RBUF, MSGFLAGS);
    }
    PyObject *sendall(Py_buffer *RBUF, int MSGFLAGS = 0) {
      return lsp_sendall($self, RBUF, MSGFLAGS);
    }
    PyObject *sendto(Py_buffer *RBUF, PyObject *flags_or_address, PyObject *address = NULL) {
      return lsp_sendto($self, RBUF, flags_or_address, address);
    }
    PyObject *recv(Py_ssize_t bufsize, int MSGFLAGS = 0) {
      return lsp_recv($self, bufsize, MSGFLAGS);
    }
    PyObject *recv_into(Py_buffer *WBUF, Py_ssize_t nbytes = 0, int MSGFLAGS = 0) {
      return lsp_recv_into($self, WBUF, nbytes, MSGFLAGS);
    }
    PyObject *recvfrom(Py_ssize_t bufsize, int MSGFLAGS = 0) {
      return lsp_recvfrom($self, bufsize, MSGFLAGS);
    }
    PyObject *recvfrom_into(Py_buffer *WBUF, Py_ssize_t nbytes = 0, int MSGFLAGS = 0) {
      return lsp_recvfrom_into($self, WBUF, nbytes, MSGFLAGS);
    }

    PyObject *settimeout(PyObject *value) { return lsp_settimeout($self, value); }
    PyObject *gettimeout() { return lsp_gettimeout($self); }
    PyObject *setblocking(PyObject *flag) { return lsp_setblocking($self, flag); }
    PyObject *getblocking() { return lsp_getblocking($self); }
    PyObject *setsockopt(int level, int optname, PyObject *value, PyObject *optlen = NULL) {
      return lsp_setsockopt($self, level, optname, value, optlen);
    }
    PyObject *getsockopt(int level, int optname, PyObject *buflen = NULL) {
      return lsp_getsockopt($self, level, optname, buflen);
    }
  }
} lsp_sock;

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

%rename(version) ls_version_string;
const char *ls_version_string(void);

%init %{
  if (lsp_module_init() < 0)
    return NULL;
  if (lsp_type_init((PyTypeObject *)&SwigPyBuiltin__lsp_sock_type, SwigPyObject_type()) < 0)
    return NULL;
%}
