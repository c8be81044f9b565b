"""libsock: a drop-in replacement for the stdlib ``socket`` module, on libsock.

``import libsock as socket`` gives the names of stdlib's :mod:`socket` --
the :class:`socket` class, the constants, the resolver functions, the
exceptions -- with every socket call going through libsock, the portable C
socket library, via the SWIG extension :mod:`libsock._libsock`.

``python -m libsock script.py [args]`` runs an unmodified script that does
``import socket`` with this module in place of stdlib's.

The constants have stdlib's names and values (they are taken from stdlib's
``_socket`` module for this OS, so raw ``setsockopt``/``getsockopt`` levels
and names are the OS's own), and the exception classes are stdlib's own
(``error`` is ``OSError``, ``timeout`` is ``TimeoutError``, ``gaierror`` and
``herror`` are the very classes stdlib raises), so ``except`` clauses written
for either module catch errors from both.
"""
from __future__ import annotations

import _socket as _std
import errno as _errno
import io as _io
import os as _os
import sys as _sys
import warnings as _warnings
from operator import index as _operator_index
from enum import IntEnum as _IntEnum, IntFlag as _IntFlag
from typing import Any, Optional, Tuple, Union

from . import _libsock
from ._stdlib import stdsocket as _stdsocket

__version__ = _libsock.version()

# ---- constants: stdlib's names and values for this OS -------------------

# AF_DECnet is the one constant with lower case in it.
_CONSTANT_NAMES = [n for n in dir(_std)
                   if n.split('_', 1)[0].isupper() and isinstance(getattr(_std, n), (int, str))]
globals().update({n: getattr(_std, n) for n in _CONSTANT_NAMES})

has_ipv6: bool = True

_IntEnum._convert_('AddressFamily', __name__,
                   lambda C: C.isupper() and C.startswith('AF_'))
_IntEnum._convert_('SocketKind', __name__,
                   lambda C: C.isupper() and C.startswith('SOCK_'))
_IntFlag._convert_('MsgFlag', __name__,
                   lambda C: C.isupper() and C.startswith('MSG_'))
_IntFlag._convert_('AddressInfo', __name__,
                   lambda C: C.isupper() and C.startswith('AI_'))

# ---- exceptions: stdlib's own classes ----------------------------------

error = OSError
timeout = TimeoutError
gaierror = _std.gaierror
herror = _std.herror

EBADF = _errno.EBADF
EAGAIN = _errno.EAGAIN
EWOULDBLOCK = _errno.EWOULDBLOCK
_blocking_errnos = {EAGAIN, EWOULDBLOCK}

_LOCALHOST = '127.0.0.1'
_LOCALHOST_V6 = '::1'

#: Sentinel: "use the global default timeout" (http.client and others use it).
_GLOBAL_DEFAULT_TIMEOUT = object()

SocketType = _libsock.SocketBase

getdefaulttimeout = _libsock.getdefaulttimeout
setdefaulttimeout = _libsock.setdefaulttimeout
gethostname = _libsock.gethostname
getnameinfo = _libsock.getnameinfo
inet_pton = _libsock.inet_pton
inet_ntop = _libsock.inet_ntop

if _os.name == 'nt':
    dup = _std.dup
else:
    dup = _os.dup

# Functions that are not socket I/O and that libsock has no counterpart for
# (service and protocol databases, interface names, ancillary-data sizes) are
# stdlib's own; see docs/python.md.
for _name in ('getservbyname', 'getservbyport', 'getprotobyname',
              'if_nameindex', 'if_nametoindex', 'if_indextoname',
              'sethostname', 'CMSG_LEN', 'CMSG_SPACE'):
    if hasattr(_std, _name):
        globals()[_name] = getattr(_std, _name)
del _name


def _as_enum(value: int, enum_class: Any) -> Any:
    """value as a member of enum_class when it has one, else the plain int."""
    return enum_class._value2member_map_.get(value, value)


# ---- the socket class --------------------------------------------------

class socket(_libsock.SocketBase):
    """A socket on libsock, with the interface of stdlib's socket.socket.

    The C-level base type implements the calls (send, recv, connect, ...);
    this subclass adds what stdlib's Python-level class adds: accept()
    returning a socket object, makefile(), dup(), the enum-valued family and
    type attributes, the context manager and repr().
    """

    __slots__ = ["__weakref__", "_io_refs", "_closed"]

    def __init__(self, family: int = -1, type: int = -1, proto: int = -1,
                 fileno: Optional[int] = None) -> None:
        _libsock.SocketBase.__init__(self)
        self._io_refs = 0
        self._closed = False
        if fileno is None:
            _libsock._sock_init_new(self, family, type, proto)
        else:
            _libsock._sock_init_fd(self, fileno, family, type, proto)

    def __enter__(self) -> "socket":
        return self

    def __exit__(self, *args: Any) -> None:
        if not self._closed:
            self.close()

    # repr(), makefile() and the streams behind it (SocketIO) only use the
    # socket's public methods, so stdlib's own implementations serve as they
    # are: same text, same buffering, same errors.
    __repr__ = _stdsocket.socket.__repr__
    makefile = _stdsocket.socket.makefile
    _check_sendfile_params = _stdsocket.socket._check_sendfile_params
    _sendfile_use_send = _stdsocket.socket._sendfile_use_send

    def __getstate__(self) -> Any:
        raise TypeError(f"cannot pickle {self.__class__.__name__!r} object")

    def __del__(self) -> None:
        # stdlib warns about a socket that is garbage-collected while open;
        # the C type's destructor then closes it.
        try:
            if _libsock._sock_handle(self):
                _warnings.warn(f"unclosed {self!r}", ResourceWarning, source=self)
        except Exception:
            pass

    @property
    def family(self) -> Union["AddressFamily", int]:
        """Read-only access to the address family for this socket."""
        return _as_enum(_libsock._sock_family(self), AddressFamily)

    @property
    def type(self) -> Union["SocketKind", int]:
        """Read-only access to the socket type."""
        return _as_enum(_libsock._sock_type(self), SocketKind)

    @property
    def proto(self) -> int:
        """Read-only access to the socket protocol."""
        return _libsock._sock_proto(self)

    @property
    def timeout(self) -> Optional[float]:
        """The timeout in seconds (None: blocking), as gettimeout()."""
        return self.gettimeout()

    def accept(self) -> Tuple["socket", Any]:
        """accept() -> (socket object, address info)"""
        handle, addr = self._accept()
        sock = _wrap_handle(handle, _libsock._sock_family(self), _libsock._sock_type(self),
                            _libsock._sock_proto(self))
        return sock, addr

    def dup(self) -> "socket":
        """dup() -> socket object duplicating this one (non-inheritable)."""
        fd = dup(self.fileno())
        sock = self.__class__(self.family, self.type, self.proto, fileno=fd)
        sock.settimeout(self.gettimeout())
        return sock

    def sendfile(self, file: Any, offset: int = 0, count: Optional[int] = None) -> int:
        """sendfile(file[, offset[, count]]) -> bytes sent.

        Always through send(), stdlib's portable path (its os.sendfile path
        would bypass libsock); stdlib's implementation of that path is used.
        """
        return self._sendfile_use_send(file, offset, count)

    def _sendfile_use_sendfile(self, file: Any, offset: int = 0,
                               count: Optional[int] = None) -> int:
        """stdlib's os.sendfile() path: it would bypass libsock, so it gives
        up at once, as stdlib's does where os.sendfile is missing."""
        raise _GiveupOnSendfile("os.sendfile() bypasses libsock: use send()")

    if hasattr(_stdsocket.socket, 'sendmsg_afalg'):
        def sendmsg_afalg(self, msg: Any = (), *, op: int, iv: Any = None,
                          assoclen: Any = None, flags: int = 0) -> int:
            """AF_ALG (Linux kernel crypto) sockets: libsock has none."""
            raise OSError(_errno.EOPNOTSUPP,
                          "sendmsg_afalg(): libsock has no AF_ALG sockets")

    def _decref_socketios(self) -> None:
        if self._io_refs > 0:
            self._io_refs -= 1
        if self._closed:
            self.close()

    def _real_close(self, _ss: Any = _libsock.SocketBase) -> None:
        _ss.close(self)

    def close(self) -> None:
        """close(): close the socket (once no makefile() stream uses it)."""
        self._closed = True
        if self._io_refs <= 0:
            self._real_close()

    def detach(self) -> int:
        """detach() -> file descriptor, without closing it."""
        self._closed = True
        return super().detach()

    if _os.name == 'nt':
        def get_inheritable(self) -> bool:
            return _os.get_handle_inheritable(self.fileno())

        def set_inheritable(self, inheritable: bool) -> None:
            _os.set_handle_inheritable(self.fileno(), inheritable)
    else:
        def get_inheritable(self) -> bool:
            return _os.get_inheritable(self.fileno())

        def set_inheritable(self, inheritable: bool) -> None:
            _os.set_inheritable(self.fileno(), inheritable)


def _wrap_handle(handle: int, family: int, type: int, proto: int) -> socket:
    """A socket object around a libsock handle (accept, socketpair)."""
    sock = socket.__new__(socket)
    _libsock.SocketBase.__init__(sock)
    sock._io_refs = 0
    sock._closed = False
    _libsock._sock_init_handle(sock, handle, family, type, proto)
    return sock


def close(fd: int) -> None:
    """close(fd): close a socket by its OS handle (fileno), as stdlib's
    socket.close: through libsock, or os.close() for a descriptor that is
    not a socket libsock manages (POSIX)."""
    if not isinstance(fd, int):
        fd = _operator_index(fd)
    if fd < 0:
        raise OSError(EBADF, _os.strerror(EBADF))
    try:
        sock = socket(fileno=fd)
    except OSError as exc:
        if _os.name == 'nt' or exc.errno not in (_errno.ENOTSOCK, _errno.EPROTOTYPE,
                                                 _errno.EAFNOSUPPORT):
            raise
        _os.close(fd)
        return
    sock.close()


def fromfd(fd: int, family: int, type: int, proto: int = 0) -> socket:
    """fromfd(fd, family, type[, proto]) -> socket object on a dup of fd."""
    nfd = dup(fd)
    return socket(family, type, proto, nfd)


def socketpair(family: Optional[int] = None, type: int = SOCK_STREAM,
               proto: int = 0) -> Tuple[socket, socket]:
    """socketpair([family[, type[, proto]]]) -> (socket object, socket object)

    The default family is AF_UNIX where it exists, else AF_INET.
    """
    if family is None:
        family = globals().get('AF_UNIX', AF_INET)
    a, b = _libsock._socketpair(family, type, proto)
    return (_wrap_handle(a, family, type, proto),
            _wrap_handle(b, family, type, proto))


_GiveupOnSendfile = _stdsocket._GiveupOnSendfile

# send_fds/recv_fds only call the socket's sendmsg/recvmsg: stdlib's own.
if hasattr(_stdsocket, 'send_fds'):
    send_fds = _stdsocket.send_fds
    recv_fds = _stdsocket.recv_fds

# The raw stream makefile() builds: stdlib's, which reads and writes through
# the socket's recv_into() and send().
SocketIO = _stdsocket.SocketIO


# ---- module-level functions --------------------------------------------

def getaddrinfo(host: Any, port: Any, family: int = 0, type: int = 0,
                proto: int = 0, flags: int = 0) -> list:
    """Resolve host and port into a list of (family, type, proto, canonname, sockaddr)."""
    return [(_as_enum(af, AddressFamily),
             _as_enum(socktype, SocketKind), pr, canon, sa)
            for af, socktype, pr, canon, sa
            in _libsock.getaddrinfo(host, port, family, type, proto, flags)]


def gethostbyname(hostname: str) -> str:
    """gethostbyname(host) -> the IPv4 address of host, as a string."""
    if not isinstance(hostname, (str, bytes, bytearray)):
        raise TypeError("gethostbyname() argument 1 must be str, bytes or bytearray, not "
                        + _type_name(hostname))
    if hostname in ('', b''):
        return '0.0.0.0'
    if hostname in ('<broadcast>', b'<broadcast>'):
        return '255.255.255.255'
    return getaddrinfo(hostname, None, AF_INET)[0][4][0]


def gethostbyname_ex(hostname: str) -> Tuple[str, list, list]:
    """gethostbyname_ex(host) -> (name, aliaslist, addresslist), IPv4 only."""
    infos = _libsock.getaddrinfo(hostname, None, AF_INET, SOCK_STREAM, 0, AI_CANONNAME)
    name = infos[0][3] or hostname
    addrs: list = []
    for info in infos:
        if info[4][0] not in addrs:
            addrs.append(info[4][0])
    return name, [], addrs


def gethostbyaddr(ip_address: str) -> Tuple[str, list, list]:
    """gethostbyaddr(host) -> (name, aliaslist, addresslist)"""
    infos = getaddrinfo(ip_address, None, 0, SOCK_STREAM)
    sa = infos[0][4]
    try:
        name = getnameinfo(sa, NI_NAMEREQD)[0]
    except gaierror:
        raise herror(1, 'Unknown host') from None
    return name, [], [sa[0]]


def getfqdn(name: str = '') -> str:
    """The fully qualified name of host `name` (this host if empty): the
    first of its reverse-lookup names that contains a dot, else the primary
    name; `name` itself when the lookup fails."""
    name = name.strip()
    if name in ('', '0.0.0.0', '::'):
        name = gethostname()
    try:
        primary, aliases, _ = gethostbyaddr(name)
    except error:
        return name
    return next((n for n in [primary] + aliases if '.' in n), primary)


def _type_name(obj: Any) -> str:
    return type(obj).__name__


def _uint(x: Any, bits: int, fname: str) -> int:
    if not isinstance(x, int):
        if hasattr(type(x), '__index__') and not isinstance(x, float):
            x = x.__index__()
        else:
            raise TypeError(f"'{_type_name(x)}' object cannot be interpreted as an integer")
    if bits == 16:
        if x < 0:
            raise OverflowError(f"{fname}: can't convert negative Python int to C 16-bit unsigned integer")
        if x > 0x7fffffff:
            raise OverflowError("signed integer is greater than maximum")
        if x > 0xffff:
            raise OverflowError(f"{fname}: Python int too large to convert to C 16-bit unsigned integer")
    else:
        if x < 0:
            raise OverflowError("can't convert negative value to unsigned int")
        if x > 0xffffffff:
            raise OverflowError("int larger than 32 bits")
    return x


def _swap(x: int, n: int) -> int:
    if _sys.byteorder == 'big':
        return x
    return int.from_bytes(x.to_bytes(n, 'big'), 'little')


def htons(x: int) -> int:
    """Convert a 16-bit unsigned integer from host to network byte order."""
    return _swap(_uint(x, 16, 'htons'), 2)


def ntohs(x: int) -> int:
    """Convert a 16-bit unsigned integer from network to host byte order."""
    return _swap(_uint(x, 16, 'ntohs'), 2)


def htonl(x: int) -> int:
    """Convert a 32-bit unsigned integer from host to network byte order."""
    return _swap(_uint(x, 32, 'htonl'), 4)


def ntohl(x: int) -> int:
    """Convert a 32-bit unsigned integer from network to host byte order."""
    return _swap(_uint(x, 32, 'ntohl'), 4)


_C_SPACE = ' \t\n\v\f\r'  # isspace() in the C locale
_HEX = '0123456789abcdefABCDEF'


def _aton_part(text: str, i: int) -> Tuple[int, int]:
    """One number of an inet_aton(3) address from text[i]: (value, end).

    Decimal, octal after a leading 0, hex after 0x; at least one digit (the
    0 of an octal number counts). Raises ValueError where inet_aton fails.
    """
    n = len(text)
    if i >= n or not '0' <= text[i] <= '9':
        raise ValueError
    base, digits, value = 10, 0, 0
    if text[i] == '0':
        i += 1
        if i < n and text[i] in 'xX':
            base, i = 16, i + 1
        else:
            base, digits = 8, 1
    while i < n:
        c = text[i]
        if '0' <= c <= '9' and not (base == 8 and c in '89'):
            value = value * base + ord(c) - 48
        elif base == 16 and c in _HEX:
            value = value * 16 + int(c, 16)
        elif '0' <= c <= '9':
            raise ValueError  # 8 or 9 in an octal number
        else:
            break
        if value > 0xFFFFFFFF:
            raise ValueError
        digits += 1
        i += 1
    if digits == 0:
        raise ValueError
    return value, i


def _aton(text: str) -> bytes:
    """What inet_aton(3) reads from text: a, a.b, a.b.c or a.b.c.d, the last
    part filling the remaining bytes; anything after a space is ignored."""
    parts: list = []
    i = 0
    while True:
        value, i = _aton_part(text, i)
        if i < len(text) and text[i] == '.' and len(parts) < 3:
            if value > 0xFF:
                raise ValueError
            parts.append(value)
            i += 1
            continue
        break
    if i < len(text) and text[i] not in _C_SPACE:
        raise ValueError
    last_bits = 8 * (4 - len(parts))
    if value >> last_bits:
        raise ValueError
    for p in reversed(parts):
        value |= p << last_bits
        last_bits += 8
    return value.to_bytes(4, 'big')


def inet_aton(ip_string: str) -> bytes:
    """inet_aton(string) -> bytes: an IPv4 address in the forms inet_aton(3) takes."""
    if not isinstance(ip_string, str):
        raise TypeError(f"inet_aton() argument 1 must be str, not {_type_name(ip_string)}")
    if '\0' in ip_string:
        raise ValueError("embedded null character")
    try:
        return _aton(ip_string)
    except ValueError:
        raise OSError("illegal IP address string passed to inet_aton") from None


def inet_ntoa(packed_ip: Any) -> str:
    """inet_ntoa(packed_ip) -> the dotted-quad text of 4 bytes."""
    n = memoryview(packed_ip).nbytes
    if n != 4:
        raise OSError("packed IP wrong length for inet_ntoa")
    return inet_ntop(AF_INET, packed_ip)


def _connect_one(res: Tuple[Any, ...], timeout: Any, source_address: Any) -> socket:
    """A socket connected to one getaddrinfo() result, or the error; the
    socket is closed whatever interrupts the setup."""
    family, kind, proto, _, target = res
    sock = socket(family, kind, proto)
    try:
        if timeout is not _GLOBAL_DEFAULT_TIMEOUT:
            sock.settimeout(timeout)
        if source_address:
            sock.bind(source_address)
        sock.connect(target)
    except BaseException:
        sock.close()
        raise
    return sock


def create_connection(address: Tuple[Any, int], timeout: Any = _GLOBAL_DEFAULT_TIMEOUT,
                      source_address: Any = None, *, all_errors: bool = False) -> socket:
    """Connect to address (host, port), trying each address the name resolves
    to in turn, and return the socket. On failure raise the last error, or
    every error in an ExceptionGroup with all_errors=True (as stdlib)."""
    host, port = address
    failures: list = []
    for res in getaddrinfo(host, port, 0, SOCK_STREAM):
        try:
            return _connect_one(res, timeout, source_address)
        except error as exc:
            failures.append(exc)
    if not failures:
        raise error("getaddrinfo returns an empty list")
    # The list is emptied on the way out: the exceptions' tracebacks refer
    # to this frame, and the frame must not keep them alive in turn.
    try:
        if all_errors:
            raise ExceptionGroup("create_connection failed", failures)
        raise failures[-1]
    finally:
        failures.clear()


def has_dualstack_ipv6() -> bool:
    """True if an AF_INET6 stream socket can also accept IPv4 connections."""
    if not has_ipv6 or not hasattr(_std, 'IPV6_V6ONLY'):
        return False
    try:
        with socket(AF_INET6, SOCK_STREAM) as probe:
            probe.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, 0)
    except error:
        return False
    return True


def _check_server_args(family: int, reuse_port: bool, dualstack_ipv6: bool) -> None:
    """create_server()'s argument errors, with stdlib's messages."""
    if reuse_port and not hasattr(_std, "SO_REUSEPORT"):
        raise ValueError("SO_REUSEPORT not supported on this platform")
    if dualstack_ipv6 and not has_dualstack_ipv6():
        raise ValueError("dualstack_ipv6 not supported on this platform")
    if dualstack_ipv6 and family != AF_INET6:
        raise ValueError("dualstack_ipv6 requires AF_INET6 family")


def _server_options(sock: socket, family: int, reuse_port: bool, dualstack_ipv6: bool) -> None:
    """The options create_server() sets before bind(), as stdlib sets them."""
    # POSIX: rebind a port still in TIME_WAIT. Not on Windows, where stdlib
    # leaves SO_REUSEADDR alone (it would let others take the port).
    if _os.name not in ('nt', 'cygwin') and hasattr(_std, 'SO_REUSEADDR'):
        try:
            sock.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
        except error:
            pass  # some platforms lack it for this family; not fatal
    if reuse_port:
        sock.setsockopt(SOL_SOCKET, SO_REUSEPORT, 1)
    if has_ipv6 and family == AF_INET6 and hasattr(_std, "IPV6_V6ONLY"):
        sock.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, 0 if dualstack_ipv6 else 1)


def create_server(address: Tuple[Any, int], *, family: int = AF_INET,
                  backlog: Optional[int] = None, reuse_port: bool = False,
                  dualstack_ipv6: bool = False) -> socket:
    """A listening SOCK_STREAM socket bound to address, as stdlib's create_server."""
    _check_server_args(family, reuse_port, dualstack_ipv6)
    sock = socket(family, SOCK_STREAM)
    try:
        _server_options(sock, family, reuse_port, dualstack_ipv6)
        try:
            sock.bind(address)
        except error as err:
            raise error(err.errno, f'{err.strerror} (while attempting to bind on '
                                   f'address {address!r})') from None
        sock.listen() if backlog is None else sock.listen(backlog)
    except BaseException:
        sock.close()
        raise
    return sock


# ---- monitoring (libsock/stats.h) ---------------------------------------

import collections as _collections  # noqa: E402

#: Process totals, as ls_stats (include/libsock/stats.h) has them.
Stats = _collections.namedtuple('Stats', [
    'sockets_open', 'opened_total', 'closed_total', 'accepted_total',
    'rejected_acl_total', 'rejected_proxy_total', 'bytes_sent_total',
    'bytes_received_total', 'sends_total', 'receives_total', 'errors_total'])
Stats.__module__ = __name__

#: One open socket, as ls_sockinfo has it: family and type as enums, state
#: as text ('open', 'bound', 'listening', 'connected'), addresses as stdlib's
#: address objects (None when there is none), times in seconds since 1970
#: (last_activity None before the first send or receive).
SocketInfo = _collections.namedtuple('SocketInfo', [
    'handle', 'fileno', 'family', 'type', 'state', 'local', 'peer', 'name',
    'created', 'last_activity', 'bytes_sent', 'bytes_received', 'sends',
    'receives', 'errors'])
SocketInfo.__module__ = __name__

_STATES = ('open', 'bound', 'listening', 'connected')


def _socket_info(t: tuple) -> "SocketInfo":
    info = SocketInfo._make(t)
    state = _STATES[info.state] if 0 <= info.state < len(_STATES) else info.state
    return info._replace(family=_as_enum(info.family, AddressFamily),
                         type=_as_enum(info.type, SocketKind), state=state)


def stats() -> "Stats":
    """libsock's totals for this process (every socket, closed ones included)."""
    return Stats._make(_libsock._stats_totals())


def sockets() -> list:
    """The open libsock sockets of this process, as SocketInfo tuples."""
    return [_socket_info(t) for t in _libsock._stats_sockets()]


def _handle_of(sock: Any) -> int:
    if not isinstance(sock, _libsock.SocketBase):
        raise TypeError(f"a libsock socket is required, not {_type_name(sock)}")
    handle = _libsock._sock_handle(sock)
    if not handle:
        raise OSError(EBADF, _os.strerror(EBADF))
    return handle


def socket_stats(sock: Any) -> "SocketInfo":
    """One libsock socket's counters and addresses (an SSLSocket's too)."""
    return _socket_info(_libsock._stats_socket(_handle_of(sock)))


def set_socket_name(sock: Any, name: Optional[str]) -> None:
    """Name a socket for monitoring (sockets(), prometheus(), stats_json());
    at most 63 bytes of UTF-8; None clears it."""
    _libsock._stats_set_name(_handle_of(sock), name)


prometheus = _libsock.prometheus
stats_json = _libsock.stats_json


def _install() -> None:
    """Make ``import socket`` give this module (what ``python -m libsock`` does)."""
    _sys.modules['socket'] = _sys.modules[__name__]


# Modules and names stdlib's socket.py imports at its top level. Some code
# reaches them through the socket module (socket.errno.ECONNREFUSED), so they
# are here too, outside __all__ as in stdlib.
import array  # noqa: E402
import selectors  # noqa: E402

# stdlib's ssl wraps libsock sockets through libsock (libsock/_tls.py): its
# SSLContext is given the route when ssl is imported, or now if it is.
from . import _tls as _tls_route  # noqa: E402
_tls_route.hook_ssl()
errno, io, os, sys, IntEnum, IntFlag = _errno, _io, _os, _sys, _IntEnum, _IntFlag

__all__ = sorted(set(
    [n for n in _CONSTANT_NAMES]
    + ["AddressFamily", "SocketKind", "MsgFlag", "AddressInfo", "SocketType",
       "socket", "socketpair", "fromfd", "dup", "close", "SocketIO",
       "error", "timeout", "gaierror", "herror", "has_ipv6",
       "getaddrinfo", "getnameinfo", "gethostname", "gethostbyname",
       "gethostbyname_ex", "gethostbyaddr", "getfqdn",
       "inet_pton", "inet_ntop", "inet_aton", "inet_ntoa",
       "htons", "ntohs", "htonl", "ntohl",
       "getdefaulttimeout", "setdefaulttimeout",
       "create_connection", "create_server", "has_dualstack_ipv6"]
    + [n for n in ('getservbyname', 'getservbyport', 'getprotobyname',
                   'if_nameindex', 'if_nametoindex', 'if_indextoname',
                   'sethostname', 'CMSG_LEN', 'CMSG_SPACE', 'send_fds', 'recv_fds')
       if n in globals()]))
