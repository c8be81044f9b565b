"""TLS on libsock sockets with stdlib's ``ssl`` module.

stdlib's ``_ssl`` drives OpenSSL over the descriptor of a real
``_socket.socket`` and refuses any other object, so ``wrap_socket`` of a
libsock socket fails. It also offers OpenSSL over two memory buffers
(``MemoryBIO``), which is what asyncio uses. This module joins the two:

* ``SSLSocket`` here is stdlib's own ``ssl.SSLSocket`` class (its Python
  code: read, write, recv, send, sendall, makefile, sendfile, unwrap,
  getpeercert, suppress_ragged_eofs, ...), standing on libsock's socket
  class. Under ``python -m libsock`` that is the real ``ssl.SSLSocket``
  (ssl.py subclasses the ``socket`` it imports, which is libsock); after
  ``import libsock as socket`` it is a private copy of ssl.py loaded with
  libsock as its ``socket``, as ``_stdlib.py`` does for socket.py.
* Only the object stdlib keeps in ``SSLSocket._sslobj`` differs. stdlib puts
  an ``_ssl._SSLSocket`` bound to the descriptor there; here it is a
  ``_TLSConn``: an ``_ssl._SSLSocket`` over two ``MemoryBIO``s, plus the
  pump that moves TLS records between them and the libsock socket with
  libsock's own calls, in C (``_libsock._TLSPump``, src/lsp_tls.c), so the
  bytes are counted by libsock, follow its timeouts and signals, and show
  in ``libsock.sockets()``. Where its run-time checks pass (see
  ``_direct_route``) the pump writes and reads OpenSSL's BIOs under the
  MemoryBIOs directly; otherwise through their Python methods.
* ``ssl.SSLContext.sslsocket_class`` is set, once ``ssl`` is imported, to
  a class whose ``_create`` gives libsock sockets this route and leaves any
  other socket to stdlib's ``SSLSocket`` untouched.

The pump keeps OpenSSL's behaviour on a descriptor where a program can see
it: it takes from the kernel no more than the end of the TLS record OpenSSL
waits for (plus at most the next record's 5-byte header, never during
``unwrap``), so ``select()`` on the socket stays right and nothing after a
close_notify is swallowed; bytes already decrypted are ``pending()``, as
with stdlib. A non-blocking operation that cannot finish raises
``SSLWantReadError``/``SSLWantWriteError``; a write that could only be
partly sent raises ``SSLWantWriteError`` and is completed by the retry with
the same data, as OpenSSL requires. An operation on a socket with a timeout
has one deadline and raises ``TimeoutError("The <op> operation timed
out")``, as ``_ssl`` does.
"""
from __future__ import annotations

import importlib.util
import os
import sys
import sysconfig
import threading
import weakref
from typing import Any, Optional

import _ssl

from . import _libsock

_SB = _libsock.SocketBase
_recv = _SB.recv
_send = _SB.send
_sendall = _SB.sendall
_gettimeout = _SB.gettimeout

_WantRead = _ssl.SSLWantReadError
_WantWrite = _ssl.SSLWantWriteError
_SSLError = _ssl.SSLError
_MemoryBIO = _ssl.MemoryBIO
_TLSPump = _libsock._TLSPump


def _direct_route() -> tuple:
    """May the pump reach OpenSSL's BIOs under the MemoryBIOs directly?
    The C checks run once per process (src/lsp_tls_direct.c: the
    interpreter, the MemoryBIO layout, the same OpenSSL, a memory BIO, a byte
    round-tripped); LIBSOCK_TLS_PUMP=python keeps the MemoryBIOs' Python
    methods."""
    if os.environ.get('LIBSOCK_TLS_PUMP', '').lower() == 'python':
        return False, 'LIBSOCK_TLS_PUMP=python'
    try:
        return _libsock._tls_direct_check()
    except Exception as exc:  # the check itself failed: keep the Python methods
        return False, f'check failed: {exc!r}'


# (ok, why): read by the tests and by `python -m libsock`-style diagnostics.
DIRECT = _direct_route()
_DIRECT = DIRECT[0]


class _TLSConn:
    """What ``SSLSocket._sslobj`` holds: the ``_ssl._SSLSocket`` interface
    (read, write, do_handshake, shutdown, pending, getpeercert, cipher, ...)
    over MemoryBIOs, with the records carried by the libsock socket.

    The records move in C (``_libsock._TLSPump``, src/lsp_tls.c): ``pull``
    receives the rest of the record OpenSSL waits for into the incoming BIO,
    ``push`` sends what OpenSSL wrote, and ``read`` is ``_ssl``'s read with
    the records of a bulk transfer pulled in C. Deadlines are the pump's
    (milliseconds, -1 until the operation's first wait)."""

    __slots__ = ('_obj', '_in', '_out', '_ref', '_pump', '_wpending', '_rlock', '_wlock')

    def __init__(self, sslsock: Any, context: Any, server_side: bool,
                 server_hostname: Any, session: Any) -> None:
        self._in = _MemoryBIO()
        self._out = _MemoryBIO()
        # owner: callbacks (SNI, msg_callback) see the SSLSocket, as stdlib's.
        self._obj = context._wrap_bio(self._in, self._out, server_side, server_hostname,
                                      owner=sslsock, session=session)
        self._ref = weakref.ref(sslsock)
        # Record boundaries, EOF, unsent TLS bytes; `exact`: receive no byte
        # past the current record (unwrap).
        self._pump = _TLSPump(self._in, self._out, self._obj, _DIRECT)
        self._wpending = 0    # a non-blocking write() accepted, not yet all sent
        # One thread may read while another writes, as on stdlib's SSLSocket:
        # _rlock keeps the incoming side (its BIO and record boundaries) to
        # one thread, _wlock keeps the records going out in order. Taken in
        # that order only (a write that must read first lets go of _wlock).
        self._rlock = threading.Lock()
        self._wlock = threading.Lock()

    # Everything that does no I/O is the _ssl object's own.
    def __getattr__(self, name: str) -> Any:
        return getattr(self._obj, name)

    def _get_context(self) -> Any:
        return self._obj.context

    def _set_context(self, ctx: Any) -> None:
        self._obj.context = ctx

    context = property(_get_context, _set_context)

    def _get_session(self) -> Any:
        return self._obj.session

    def _set_session(self, session: Any) -> None:
        self._obj.session = session

    session = property(_get_session, _set_session)

    def pending(self) -> int:
        return self._obj.pending()

    # ---- the operations -------------------------------------------------

    def read(self, len: int = 1024, buffer: Any = None) -> Any:
        with self._rlock:
            try:
                # The fast path: records pulled in C until _ssl has data.
                data = self._pump.read(self._ref(), len, buffer)
            except _WantRead as exc:
                # OpenSSL has something to send first, EOF, or a
                # non-blocking socket with nothing there.
                return self._read_slow(exc, len, buffer)
            except _SSLError:
                self._alert()
                raise
            if self._out.pending:
                self._push('read', -1)
            return data

    def _read_slow(self, exc: BaseException, len: int, buffer: Any) -> Any:
        obj = self._obj
        deadline = self._pull(exc, 'read', -1)
        while True:
            try:
                if buffer is None:
                    data = obj.read(len)
                else:
                    data = obj.read(len, buffer)
            except _WantRead as exc:
                deadline = self._pull(exc, 'read', deadline)
                continue
            except _SSLError:
                self._alert()
                raise
            if self._out.pending:
                self._push('read', deadline)
            return data

    def write(self, data: Any) -> int:
        obj = self._obj
        deadline = -1
        while True:
            with self._wlock:
                if self._wpending:
                    # The retry of a write that could only be partly sent:
                    # OpenSSL wants the same data again and reports it all
                    # once it is out.
                    self._push_locked('write', -1)
                    n, self._wpending = self._wpending, 0
                    return n
                # The SSL route: OpenSSL's write and the send in C (None:
                # _ssl's write must say what happens).
                n = self._pump.write(self._ref(), data)
                if n is not None:
                    return n
                try:
                    n = obj.write(data)
                except _WantRead as exc:
                    want = exc
                except _SSLError:
                    self._alert_locked()
                    raise
                else:
                    try:
                        self._push_locked('write', deadline)
                    except _WantWrite:
                        self._wpending = n
                        raise
                    return n
            # The handshake is not done: reading is what it waits for.
            with self._rlock:
                deadline = self._pull(want, 'write', deadline)

    def do_handshake(self) -> None:
        if self._pump.sslroute:
            # The SSL route: the whole handshake in C, its records going
            # out in order under both locks (taken in their order).
            with self._rlock, self._wlock:
                if self._pump.handshake(self._ref()):
                    return
        self._run(self._obj.do_handshake, 'handshake')

    def shutdown(self) -> Any:
        # Cleartext may follow the peer's close_notify (STARTTLS ended by
        # unwrap): take no byte past it.
        self._pump.exact = True
        self._run(self._obj.shutdown, 'read')
        return self._ref()

    def _run(self, fn: Any, op: str) -> Any:
        with self._rlock:
            try:
                # The records moved in C until fn returns.
                return self._pump.run(self._ref(), fn, op, self._wlock)
            except _WantRead as exc:
                # OpenSSL has something it cannot send yet, EOF, or a
                # non-blocking socket with nothing there.
                deadline = self._pull(exc, op, -1)
            except _SSLError:
                if isinstance(sys.exc_info()[1], _WantWrite):
                    raise
                self._alert()
                raise
            while True:
                try:
                    r = fn()
                except _WantRead as exc:
                    deadline = self._pull(exc, op, deadline)
                    continue
                except _SSLError:
                    self._alert()
                    raise
                if self._out.pending or self._pump.unsent:
                    self._push(op if op == 'handshake' else 'write', deadline)
                return r

    # ---- moving records -----------------------------------------------

    def _sock(self) -> Any:
        sock = self._ref()
        if sock is None:
            raise OSError(9, os.strerror(9))
        return sock

    def _pull(self, exc: BaseException, op: str, deadline: int) -> int:
        """OpenSSL wants more input: send what it has to say first, then
        receive the rest of the record it waits for into the incoming BIO.
        Non-blocking and nothing there: raise exc (SSLWantReadError)."""
        pump = self._pump
        if self._out.pending or pump.unsent:
            deadline = self._push(op, deadline)
        if pump.eof:
            raise _ssl.SSLEOFError(_ssl.SSL_ERROR_EOF, 'EOF occurred in violation of protocol')
        deadline = pump.pull(self._sock(), op, deadline)
        if deadline == -2:
            raise exc
        return deadline

    def _push(self, op: str, deadline: int) -> int:
        with self._wlock:
            return self._push_locked(op, deadline)

    def _push_locked(self, op: str, deadline: int) -> int:
        """Send what OpenSSL wrote to the outgoing BIO (and anything left
        from before), in order: the caller holds _wlock. Non-blocking: the
        pump keeps what does not go; raise SSLWantWriteError."""
        if not (self._out.pending or self._pump.unsent):
            return deadline
        deadline = self._pump.push(self._sock(), op, deadline)
        if deadline == -2:
            raise _WantWrite(_ssl.SSL_ERROR_WANT_WRITE,
                             'The operation did not complete (write)')
        return deadline

    def _alert(self) -> None:
        with self._wlock:
            self._alert_locked()

    def _alert_locked(self) -> None:
        """After an SSL error, send the alert OpenSSL wrote (best effort),
        as OpenSSL does on a descriptor before it returns the error."""
        try:
            if self._out.pending:
                sock = self._ref()
                data = self._out.read()
                if sock is not None and _gettimeout(sock) != 0.0:
                    _sendall(sock, data)
                elif sock is not None:
                    _send(sock, data)
        except OSError:
            pass


# ---- the SSLSocket class on libsock ----------------------------------------

def _private_ssl(libsock_mod: Any) -> Any:
    """stdlib's ssl.py loaded afresh with libsock as its ``socket`` module:
    its SSLSocket class then stands on libsock's socket class. Neither
    name is left changed in sys.modules."""
    path = os.path.join(sysconfig.get_paths()['stdlib'], 'ssl.py')
    spec = importlib.util.spec_from_file_location('ssl', path)
    mod = importlib.util.module_from_spec(spec)
    missing = object()
    saved = {n: sys.modules.get(n, missing) for n in ('ssl', 'socket')}
    # ssl.py builds its enums from sys.modules['ssl'] while it runs.
    sys.modules['ssl'] = mod
    sys.modules['socket'] = libsock_mod
    try:
        spec.loader.exec_module(mod)
    finally:
        for n, v in saved.items():
            if v is missing:
                sys.modules.pop(n, None)
            else:
                sys.modules[n] = v
    return mod


def _make_class(base: Any, libsock_mod: Any) -> Any:
    """stdlib's SSLSocket (base, a subclass of libsock.socket) with the
    two places that bind _ssl to a descriptor taking _TLSConn instead."""
    lsocket = libsock_mod.socket
    SOL_SOCKET, SO_TYPE = libsock_mod.SOL_SOCKET, libsock_mod.SO_TYPE
    SOCK_STREAM = libsock_mod.SOCK_STREAM
    import errno

    class SSLSocket(base):
        __module__ = 'ssl'
        __qualname__ = 'SSLSocket'

        @classmethod
        def _create(cls, sock: Any, server_side: bool = False,
                    do_handshake_on_connect: bool = True,
                    suppress_ragged_eofs: bool = True, server_hostname: Any = None,
                    context: Any = None, session: Any = None) -> Any:
            if not isinstance(sock, lsocket):
                # Any other socket object (stdlib's, made before libsock was
                # put in place): its descriptor moves to a libsock socket.
                if sock.getsockopt(SOL_SOCKET, SO_TYPE) != SOCK_STREAM:
                    raise NotImplementedError("only stream sockets are supported")
                timeout = sock.gettimeout()
                sock = lsocket(sock.family, sock.type, sock.proto, fileno=sock.detach())
                sock.settimeout(timeout)
            if sock.getsockopt(SOL_SOCKET, SO_TYPE) != SOCK_STREAM:
                raise NotImplementedError("only stream sockets are supported")
            if server_side and server_hostname:
                raise ValueError("server_hostname can only be specified in client mode")
            if server_side and session is not None:
                raise ValueError("session can only be specified in client mode")
            if context.check_hostname and not server_hostname:
                raise ValueError("check_hostname requires server_hostname")
            self = cls.__new__(cls)
            _SB.__init__(self)
            self._io_refs = 0
            self._closed = False
            # The libsock handle itself moves (counters and name go with it);
            # the old object is left closed, as detach() would leave it.
            _libsock._sock_move(self, sock)
            sock._closed = True
            self._context = context
            self._session = session
            self._sslobj = None
            self.server_side = server_side
            self.server_hostname = context._encode_hostname(server_hostname)
            self.do_handshake_on_connect = do_handshake_on_connect
            self.suppress_ragged_eofs = suppress_ragged_eofs
            self._connected = self._peer_check()
            if self._connected:
                try:
                    self._sslobj = _TLSConn(self, context, server_side,
                                            self.server_hostname, session)
                    if do_handshake_on_connect:
                        if self.gettimeout() == 0.0:
                            raise ValueError("do_handshake_on_connect should not be "
                                             "specified for non-blocking sockets")
                        self.do_handshake()
                except (OSError, ValueError):
                    self.close()
                    raise
            return self

        def _peer_check(self) -> bool:
            """Connected? A socket that is not must have nothing to read:
            bytes that arrived before the peer went away must not pass for
            TLS data (stdlib's check, CVE-2023-40217)."""
            try:
                self.getpeername()
                return True
            except OSError as e:
                if e.errno != errno.ENOTCONN:
                    raise
                err = e
            timeout = self.gettimeout()
            self.setblocking(False)
            try:
                early = _recv(self, 1)
            except OSError as e:
                if e.errno not in (errno.ENOTCONN, errno.EINVAL, errno.EAGAIN):
                    raise
                early = b''
            finally:
                self.settimeout(timeout)
            if early:
                reason = "Closed before TLS handshake with data in recv buffer."
                exc = _SSLError(err.errno, reason)
                exc.reason, exc.library = reason, None
                try:
                    self.close()
                except OSError:
                    pass
                raise exc
            return False

        def _real_connect(self, addr: Any, connect_ex: bool) -> Any:
            if self.server_side:
                raise ValueError("can't connect in server-side mode")
            if self._connected or self._sslobj is not None:
                raise ValueError("attempt to connect already-connected SSLSocket!")
            self._sslobj = _TLSConn(self, self._context, False, self.server_hostname,
                                    self._session)
            try:
                rc = _SB.connect_ex(self, addr) if connect_ex else _SB.connect(self, addr)
                if not rc:
                    self._connected = True
                    if self.do_handshake_on_connect:
                        self.do_handshake()
                return rc
            except (OSError, ValueError):
                self._sslobj = None
                raise

    return SSLSocket


_state: dict = {}
_lock = threading.Lock()


def sslsocket_class() -> Any:
    """The SSLSocket class for libsock sockets (made on first use)."""
    cls = _state.get('cls')
    if cls is None:
        with _lock:
            cls = _state.get('cls')
            if cls is None:
                import libsock
                ssl = sys.modules.get('ssl')
                if ssl is None or not issubclass(ssl.SSLSocket, libsock.socket):
                    ssl = _private_ssl(libsock)
                cls = _state['cls'] = _make_class(ssl.SSLSocket, libsock)
    return cls


def patch_ssl(ssl: Any) -> None:
    """Give libsock sockets the libsock route in ssl.SSLContext.wrap_socket."""
    import libsock
    if getattr(ssl.SSLContext, '_libsock_route', False):
        return
    if issubclass(ssl.SSLSocket, libsock.socket):
        # ssl was imported with libsock as its socket module (python -m
        # libsock): its SSLSocket is the base, and isinstance(s, ssl.SSLSocket) holds.
        _state['cls'] = _make_class(ssl.SSLSocket, libsock)
        ssl.SSLContext.sslsocket_class = _state['cls']
    else:
        std_create = ssl.SSLSocket._create.__func__
        std_class = ssl.SSLSocket

        class SSLSocket(std_class):
            """stdlib's SSLSocket for stdlib sockets; libsock's route for
            libsock sockets (wrap_socket picks by the socket it is given)."""

            __module__ = 'ssl'

            @classmethod
            def _create(cls, sock: Any, *args: Any, **kwargs: Any) -> Any:
                if isinstance(sock, libsock.socket):
                    return sslsocket_class()._create(sock, *args, **kwargs)
                return std_create(std_class, sock, *args, **kwargs)

        ssl.SSLContext.sslsocket_class = SSLSocket
    ssl.SSLContext._libsock_route = True


class _Loader:
    """The loader of ssl, patching the module once it has run."""

    def __init__(self, loader: Any) -> None:
        self._loader = loader

    def create_module(self, spec: Any) -> Any:
        return self._loader.create_module(spec)

    def exec_module(self, module: Any) -> None:
        self._loader.exec_module(module)
        patch_ssl(module)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._loader, name)


class _Finder:
    """A one-shot meta path entry: when ssl is imported, patch it."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if name != 'ssl':
            return None
        try:
            sys.meta_path.remove(self)
        except ValueError:
            pass
        spec = importlib.util.find_spec('ssl')
        if spec is not None and spec.loader is not None:
            spec.loader = _Loader(spec.loader)
        return spec

    def invalidate_caches(self) -> None:
        pass


def hook_ssl() -> None:
    """Patch ssl now if it is loaded, else as soon as it is imported."""
    ssl = sys.modules.get('ssl')
    if ssl is not None:
        patch_ssl(ssl)
    elif not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.insert(0, _Finder())
