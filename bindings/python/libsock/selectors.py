"""libsock.selectors: a :mod:`selectors` selector on libsock's poller.

:class:`LibsockSelector` (also :data:`DefaultSelector`) is a
:class:`selectors.BaseSelector` over ``ls_poller`` (epoll on Linux, kqueue
on macOS and the BSDs, the AFD driver on Windows, else poll/WSAPoll), with
stdlib's semantics: the keys are stdlib's :class:`selectors.SelectorKey`,
the events :data:`EVENT_READ` and :data:`EVENT_WRITE`, and bad input raises
what stdlib's selectors raise. It runs asyncio::

    loop = asyncio.SelectorEventLoop(libsock.selectors.DefaultSelector())

What is registered, and how:

- a libsock socket (or the fileno() of one) is registered by its libsock
  handle;
- any other socket descriptor (a stdlib socket, an int) is adopted by
  libsock for as long as it is registered, with its mode put back at once,
  and detached -- never closed -- when it is unregistered or the selector
  closes: the descriptor stays its owner's;
- a descriptor that is not a socket (a pipe, a file) cannot be watched by
  libsock: register() raises ``OSError(ENOTSOCK)`` and nothing is
  registered.

See docs/python.md.
"""
from __future__ import annotations

import math
import selectors as _std
from collections.abc import Mapping
from typing import Any, Dict, Iterator, List, Optional, Tuple

from . import _libsock

__all__ = ['EVENT_READ', 'EVENT_WRITE', 'SelectorKey', 'BaseSelector',
           'LibsockSelector', 'DefaultSelector']

EVENT_READ = _std.EVENT_READ
EVENT_WRITE = _std.EVENT_WRITE
SelectorKey = _std.SelectorKey
BaseSelector = _std.BaseSelector

# stdlib's socket module has `selectors` as an attribute, and so does
# libsock (for `python -m libsock`); importing this submodule replaces that
# attribute with this module. stdlib's selector classes are therefore
# names here too, so `socket.selectors.SelectSelector` & co. keep working.
for _name in ('SelectSelector', 'PollSelector', 'EpollSelector',
              'DevpollSelector', 'KqueueSelector'):
    if hasattr(_std, _name):
        globals()[_name] = getattr(_std, _name)
        __all__.append(_name)
del _name

_ALL_EVENTS = EVENT_READ | EVENT_WRITE
# ls_poller_create(): force the portable poll()/WSAPoll backend.
_LS_POLLER_PORTABLE = 0x01


def _fd_of(fileobj: Any) -> int:
    """The descriptor of an int or of an object with fileno(), as stdlib reads it."""
    if isinstance(fileobj, int):
        fd = fileobj
    else:
        try:
            fd = int(fileobj.fileno())
        except (AttributeError, TypeError, ValueError):
            raise ValueError(f"Invalid file object: {fileobj!r}") from None
    if fd < 0:
        raise ValueError(f"Invalid file descriptor: {fd}")
    return fd


class _KeyMap(Mapping):
    """The read-only view get_map() returns: file object or fd -> SelectorKey."""

    __slots__ = ('_sel',)

    def __init__(self, selector: "LibsockSelector") -> None:
        self._sel = selector

    def __len__(self) -> int:
        return len(self._sel._keys)

    def __iter__(self) -> Iterator[int]:
        return iter(self._sel._keys)

    def __getitem__(self, fileobj: Any) -> SelectorKey:
        fd = self._sel._lookup(fileobj)
        try:
            return self._sel._keys[fd]
        except KeyError:
            raise KeyError(f"{fileobj!r} is not registered") from None


class LibsockSelector(_std.BaseSelector):
    """A selector on libsock's poller (see the module's documentation).

    portable=True forces libsock's portable poll()/WSAPoll backend, as
    LIBSOCK_POLLER=poll in the environment does.
    """

    def __init__(self, *, portable: bool = False) -> None:
        self._poller = _libsock.PollerBase()
        self._poller._open(_LS_POLLER_PORTABLE if portable else 0)
        self._keys: Dict[int, SelectorKey] = {}
        # fd -> the libsock handle registered for it (adopted or not).
        self._handles: Dict[int, int] = {}
        self._map: Optional[_KeyMap] = _KeyMap(self)

    @property
    def backend(self) -> str:
        """libsock's backend: 'epoll', 'kqueue', 'afd', 'wsapoll' or 'poll'."""
        return self._poller.backend()

    # ---- finding descriptors and handles --------------------------------

    def _lookup(self, fileobj: Any) -> int:
        """fileobj's fd; for an object that no longer has one (closed), the fd
        it was registered with, so that it can still be unregistered."""
        try:
            return _fd_of(fileobj)
        except ValueError:
            for key in self._keys.values():
                if key.fileobj is fileobj:
                    return key.fd
            raise

    def _handle_for(self, fileobj: Any, fd: int) -> Tuple[int, bool]:
        """(handle, adopted): the libsock handle to register fd by."""
        if isinstance(fileobj, _libsock.SocketBase):
            handle = _libsock._sock_handle(fileobj)
            if handle:
                return handle, False
        handle = _libsock._handle_of_fd(fd)
        if handle:
            return handle, False
        # A descriptor libsock does not manage: adopted, detached on removal.
        return self._poller.adopt(fd, self._nonblock_hint(fileobj)), True

    @staticmethod
    def _nonblock_hint(fileobj: Any) -> int:
        # Used on Windows only, where a socket's mode cannot be read back:
        # the owner's mode when the object tells it, else non-blocking
        # (asyncio's, and what a descriptor handed to a selector usually is).
        getblocking = getattr(fileobj, 'getblocking', None)
        if getblocking is not None:
            try:
                return 0 if getblocking() else 1
            except OSError:
                pass
        return 1

    # ---- BaseSelector ----------------------------------------------------

    def register(self, fileobj: Any, events: int, data: Any = None) -> SelectorKey:
        if (not events) or (events & ~_ALL_EVENTS):
            raise ValueError(f"Invalid events: {events!r}")
        fd = self._lookup(fileobj)
        if fd in self._keys:
            raise KeyError(f"{fileobj!r} (FD {fd}) is already registered")
        if self._map is None:
            raise ValueError("I/O operation on closed selector")
        handle, adopted = self._handle_for(fileobj, fd)
        try:
            self._poller.add(handle, events, fd)
        except BaseException:
            if adopted:
                self._poller.remove(handle)  # gives the fd back
            raise
        key = SelectorKey(fileobj, fd, events, data)
        self._keys[fd] = key
        self._handles[fd] = handle
        return key

    def unregister(self, fileobj: Any) -> SelectorKey:
        fd = self._lookup(fileobj)
        try:
            key = self._keys.pop(fd)
        except KeyError:
            raise KeyError(f"{fileobj!r} is not registered") from None
        handle = self._handles.pop(fd)
        try:
            self._poller.remove(handle)
        except OSError:
            # As stdlib: a descriptor closed since it was registered is
            # unregistered without an error.
            pass
        return key

    def modify(self, fileobj: Any, events: int, data: Any = None) -> SelectorKey:
        fd = self._lookup(fileobj)
        try:
            key = self._keys[fd]
        except KeyError:
            raise KeyError(f"{fileobj!r} is not registered") from None
        if (not events) or (events & ~_ALL_EVENTS):
            raise ValueError(f"Invalid events: {events!r}")
        if events != key.events:
            try:
                self._poller.modify(self._handles[fd], events, fd)
            except BaseException:
                # As stdlib's poll-like selectors: a failed change (a closed
                # socket) leaves the object unregistered.
                self.unregister(fileobj)
                raise
        if events != key.events or data != key.data:
            key = key._replace(events=events, data=data)
            self._keys[fd] = key
        return key

    def select(self, timeout: Optional[float] = None) -> List[Tuple[SelectorKey, int]]:
        if timeout is None:
            ms = -1
        elif timeout <= 0:
            ms = 0
        else:
            # The poller counts milliseconds: round up, to wait at least timeout.
            ms = math.ceil(timeout * 1e3)
        if self._map is None:
            raise ValueError("I/O operation on closed selector")
        ready = []
        keys, handles = self._keys, self._handles
        for fd, events, handle in self._poller.wait(max(len(keys), 1), ms):
            key = keys.get(fd)
            # An event for a handle no longer registered under this fd (it
            # was replaced while the wait ran) is stale.
            if key is not None and handles.get(fd) == handle:
                ready.append((key, events & key.events))
        return ready

    def close(self) -> None:
        """Close the selector. Adopted descriptors are given back open."""
        if self._map is None:
            return
        self._poller.close()
        self._keys.clear()
        self._handles.clear()
        self._map = None

    def get_map(self) -> Optional[Mapping]:
        return self._map

    def __repr__(self) -> str:
        state = 'closed' if self._map is None else f'{len(self._keys)} registered'
        return f'<{type(self).__name__} backend={self.backend!r} {state}>'


DefaultSelector = LibsockSelector
