"""libsock.selectors: stdlib's selector semantics on libsock's poller.

Most tests do the same thing to libsock's selector and to stdlib's
selectors.DefaultSelector and compare what happens (results, exceptions).
Every test class runs on the native backend and again on the portable one.
"""
import asyncio
import errno
import gc
import hashlib
import os
import random
import selectors
import signal
import socket as stdsocket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import unittest

import libsock
import libsock.selectors as lsel
from lsp_testutil import TIMEOUT, TestCase, child_env

POSIX = os.name == 'posix'


def outcome(fn, *args):
    """('ok', result) or ('raise', exception class) of fn(*args)."""
    try:
        return ('ok', fn(*args))
    except Exception as e:  # noqa: B902 - compared by the caller
        return ('raise', type(e))


def ready_set(result):
    """select() results as {(fd, events, data)}: comparable across selectors."""
    return {(key.fd, ev, key.data) for key, ev in result}


class BadFileno:
    def __init__(self, value):
        self.value = value

    def fileno(self):
        if isinstance(self.value, Exception):
            raise self.value
        return self.value


class SelectorTestBase(TestCase):
    portable = False

    def make(self):
        sel = lsel.LibsockSelector(portable=self.portable)
        self.addCleanup(sel.close)
        return sel

    def make_std(self):
        sel = selectors.DefaultSelector()
        self.addCleanup(sel.close)
        return sel

    def pair(self, mod=libsock):
        a, b = mod.socketpair()
        self.addCleanup(a.close)
        self.addCleanup(b.close)
        return a, b

    def both(self):
        """(libsock's selector, stdlib's selector)."""
        return self.make(), self.make_std()


class BackendTest(SelectorTestBase):
    def test_default_selector_is_ours(self):
        self.assertIs(lsel.DefaultSelector, lsel.LibsockSelector)
        self.assertTrue(issubclass(lsel.DefaultSelector, selectors.BaseSelector))
        self.assertIs(lsel.SelectorKey, selectors.SelectorKey)
        self.assertEqual((lsel.EVENT_READ, lsel.EVENT_WRITE),
                         (selectors.EVENT_READ, selectors.EVENT_WRITE))

    def test_module_has_stdlib_names(self):
        # libsock.selectors replaces the `selectors` attribute libsock (like
        # stdlib's socket) re-exports, so it offers stdlib's names too.
        self.assertIs(libsock.selectors, lsel)
        for name in dir(selectors):
            if not name.startswith('_') and name not in ('ABCMeta', 'abstractmethod',
                                                          'namedtuple', 'Mapping',
                                                          'math', 'select', 'sys',
                                                          'DefaultSelector'):
                self.assertIs(getattr(lsel, name), getattr(selectors, name), name)

    def test_backend_name(self):
        sel = self.make()
        if self.portable:
            self.assertIn(sel.backend, ('poll', 'wsapoll'))
        else:
            self.assertIn(sel.backend, ('epoll', 'kqueue', 'afd', 'wsapoll', 'poll'))
            if sys.platform.startswith('linux') and os.environ.get('LIBSOCK_POLLER') != 'poll':
                self.assertEqual(sel.backend, 'epoll')


class ErrorsTest(SelectorTestBase):
    """Bad input raises what stdlib's selector raises."""

    def compare(self, op, *objs_for):
        """op(selector, objs) on both selectors; objs_for(mod) builds the objects."""
        ours, std = self.both()
        got = outcome(op, ours, objs_for[0](libsock) if objs_for else None)
        want = outcome(op, std, objs_for[0](stdsocket) if objs_for else None)
        self.assertEqual(got[0], want[0], f'{got} != {want}')
        if got[0] == 'raise':
            self.assertIs(got[1], want[1])
        return got

    def test_register_bad_events(self):
        for events in (0, 4, 8, -1, 1 << 40, 'x', None, 1.5):
            with self.subTest(events=events):
                self.compare(lambda sel, p: sel.register(p[0], events), self.pair)

    def test_register_bad_objects(self):
        for obj in (-1, -100, object(), 'abc', b'x', 1.5, BadFileno(-1),
                    BadFileno(ValueError('x')), BadFileno(TypeError('x')),
                    BadFileno(None)):
            with self.subTest(obj=obj):
                self.compare(lambda sel, p: sel.register(obj, selectors.EVENT_READ))

    def test_register_fileno_as_text(self):
        # fileno() is read with int(), as stdlib does.
        self.compare(lambda sel, p: sel.register(BadFileno(str(p[0].fileno())), 1).fd
                     == p[0].fileno(), self.pair)

    def test_register_fileno_raising_oserror(self):
        # Not ValueError/TypeError/AttributeError: propagates, as in stdlib.
        self.compare(lambda sel, p: sel.register(BadFileno(OSError('x')), 1))

    def test_register_twice(self):
        def op(sel, p):
            sel.register(p[0], selectors.EVENT_READ)
            sel.register(p[0], selectors.EVENT_WRITE)
        self.compare(op, self.pair)

    def test_register_same_fd_as_int(self):
        def op(sel, p):
            sel.register(p[0], selectors.EVENT_READ)
            sel.register(p[0].fileno(), selectors.EVENT_READ)
        self.compare(op, self.pair)

    def test_failed_register_keeps_state(self):
        sel = self.make()
        a, b = self.pair()
        sel.register(a, selectors.EVENT_READ, 'a')
        with self.assertRaises(KeyError):
            sel.register(a, selectors.EVENT_WRITE, 'b')
        self.assertEqual(sel.get_key(a).data, 'a')
        self.assertEqual(len(sel.get_map()), 1)

    def test_unregister_errors(self):
        for op in (lambda sel, p: sel.unregister(p[0]),
                   lambda sel, p: sel.unregister(p[0].fileno()),
                   lambda sel, p: sel.unregister(-1),
                   lambda sel, p: sel.unregister(object()),
                   lambda sel, p: (sel.register(p[0], 1), sel.unregister(p[0]),
                                   sel.unregister(p[0]))):
            with self.subTest(op=op):
                self.compare(op, self.pair)

    def test_unregister_returns_key(self):
        sel = self.make()
        a, b = self.pair()
        key = sel.register(a, selectors.EVENT_READ, 'd')
        self.assertEqual(sel.unregister(a), key)
        self.assertEqual(len(sel.get_map()), 0)

    def test_unregister_closed_socket(self):
        # Registered, then closed: unregister still works and returns the key.
        for mod in (libsock, stdsocket):
            with self.subTest(mod=mod.__name__):
                def op(sel, p):
                    key = sel.register(p[0], selectors.EVENT_READ)
                    p[0].close()
                    return sel.unregister(p[0]) == key
                self.assertEqual(self.compare(op, lambda _m, mod=mod: self.pair(mod)),
                                 ('ok', True))

    def test_modify_errors(self):
        for op in (lambda sel, p: sel.modify(p[0], selectors.EVENT_READ),
                   lambda sel, p: sel.modify(-1, selectors.EVENT_READ),
                   lambda sel, p: sel.modify(object(), selectors.EVENT_READ)):
            with self.subTest(op=op):
                self.compare(op, self.pair)

    def test_modify_bad_events_raise(self):
        # stdlib's SelectSelector and KqueueSelector raise ValueError here;
        # its epoll/poll selectors store the bad mask. Ours raises, and the
        # registration is left as it was.
        sel = self.make()
        a, b = self.pair()
        key = sel.register(a, selectors.EVENT_READ, 'd')
        for events in (0, 4, -1):
            with self.assertRaises(ValueError):
                sel.modify(a, events)
        self.assertEqual(sel.get_key(a), key)

    def test_modify(self):
        for mod in (libsock, stdsocket):
            def op(sel, p):
                k1 = sel.register(p[0], selectors.EVENT_READ, 'x')
                k2 = sel.modify(p[0], selectors.EVENT_READ, 'y')
                k3 = sel.modify(p[0], selectors.EVENT_READ | selectors.EVENT_WRITE, 'y')
                k4 = sel.modify(p[0].fileno(), selectors.EVENT_WRITE)
                keys = [k1, k2, k3, k4, sel.get_key(p[0])]
                return [(k.fileobj is p[0], k.fd == p[0].fileno(), k.events, k.data)
                        for k in keys] + [ready_set(sel.select(0)) ==
                                          {(p[0].fileno(), selectors.EVENT_WRITE, None)}]
            with self.subTest(mod=mod.__name__):
                self.compare(op, lambda _m, mod=mod: self.pair(mod))

    def test_modify_closed_libsock_socket(self):
        # A change that the OS (here libsock) refuses leaves the object
        # unregistered, as stdlib's epoll selector does with EBADF.
        sel = self.make()
        a, b = self.pair()
        sel.register(a, selectors.EVENT_READ)
        a.close()
        with self.assertRaises(OSError) as cm:
            sel.modify(a, selectors.EVENT_WRITE)
        self.assertEqual(cm.exception.errno, errno.EBADF)
        self.assertEqual(len(sel.get_map()), 0)

    def test_get_key(self):
        for op in (lambda sel, p: sel.get_key(p[0]),
                   lambda sel, p: sel.get_key(-1),
                   lambda sel, p: (sel.register(p[0], 1, 'z'), sel.get_key(p[0]).data)[1],
                   lambda sel, p: (sel.register(p[0], 1, 'z'), sel.get_key(p[0].fileno()).data)[1],
                   lambda sel, p: (sel.register(p[0], 1), sel.close(), sel.get_key(p[0]))):
            with self.subTest(op=op):
                self.compare(op, self.pair)

    def test_get_map(self):
        for mod in (libsock, stdsocket):
            def op(sel, p):
                m = sel.get_map()
                out = [len(m), list(m), p[0] in m]
                sel.register(p[0], selectors.EVENT_READ, 'a')
                sel.register(p[1].fileno(), selectors.EVENT_WRITE, 'b')
                out += [len(m), sorted(m) == sorted([p[0].fileno(), p[1].fileno()]),
                        p[0] in m, p[0].fileno() in m, p[1].fileno() in m, p[1] in m,
                        12345 in m, m[p[0]].data, m[p[1]].data, m.get(12345, 'none'),
                        sorted(k.data for k in m.values()),
                        sorted(fd for fd in m.keys()) == sorted(m),
                        outcome(lambda: m[12345]), outcome(lambda: m[object()]),
                        outcome(lambda: m.__setitem__(1, 2)),
                        isinstance(m, __import__('collections.abc').abc.Mapping)]
                sel.unregister(p[0])
                out += [len(m), p[0] in m]
                sel.close()
                out.append(sel.get_map())
                return out
            with self.subTest(mod=mod.__name__):
                self.compare(op, lambda _m, mod=mod: self.pair(mod))

    def test_closed_selector(self):
        for op in (lambda sel, p: (sel.close(), sel.register(p[0], 1)),
                   lambda sel, p: (sel.close(), sel.select(0)),
                   lambda sel, p: (sel.close(), sel.unregister(p[0])),
                   lambda sel, p: (sel.close(), sel.modify(p[0], 1)),
                   lambda sel, p: (sel.close(), sel.get_key(p[0])),
                   lambda sel, p: (sel.close(), sel.close(), sel.get_map()),
                   lambda sel, p: (sel.register(p[0], 1), sel.close(), len(sel.get_key(p[0])))):
            with self.subTest(op=op):
                self.compare(op, self.pair)

    def test_context_manager(self):
        a, b = self.pair()
        with lsel.LibsockSelector(portable=self.portable) as sel:
            sel.register(a, selectors.EVENT_WRITE)
            self.assertEqual(len(sel.select(0)), 1)
        self.assertIsNone(sel.get_map())
        with self.assertRaises(RuntimeError):
            sel.get_key(a)


class ReadinessTest(SelectorTestBase):
    """The same sockets in both selectors report the same events."""

    def check_same(self, objs, events, timeout=0):
        ours, std = self.both()
        for i, obj in enumerate(objs):
            ours.register(obj, events, i)
            std.register(obj, events, i)
        got, want = ready_set(ours.select(timeout)), ready_set(std.select(timeout))
        self.assertEqual(got, want)
        return got

    def test_pair_states(self):
        for mod in (libsock, stdsocket):
            with self.subTest(mod=mod.__name__):
                a, b = self.pair(mod)
                rw = selectors.EVENT_READ | selectors.EVENT_WRITE
                self.assertEqual(self.check_same([a, b], rw),
                                 {(a.fileno(), 2, 0), (b.fileno(), 2, 1)})
                self.assertEqual(self.check_same([a], selectors.EVENT_READ), set())
                b.sendall(b'data')
                self.assertEqual(self.check_same([a, b], rw),
                                 {(a.fileno(), 3, 0), (b.fileno(), 2, 1)})
                self.assertEqual(a.recv(10), b'data')
                b.shutdown(mod.SHUT_WR)
                # End of stream: readable, and recv says b''.
                self.assertEqual(self.check_same([a], selectors.EVENT_READ),
                                 {(a.fileno(), 1, 0)})
                self.assertEqual(a.recv(10), b'')
                b.close()
                self.check_same([a], rw)

    def test_full_send_buffer_not_writable(self):
        a, b = self.pair()
        a.setblocking(False)
        try:
            while True:
                a.send(b'x' * 65536)
        except BlockingIOError:
            pass
        self.assertEqual(self.check_same([a], selectors.EVENT_WRITE), set())
        b.setblocking(False)
        try:
            while True:
                b.recv(1 << 20)
        except BlockingIOError:
            pass
        self.assertEqual(self.check_same([a], selectors.EVENT_WRITE, 1.0),
                         {(a.fileno(), 2, 0)})

    def test_listener_and_connect(self):
        for mod in (libsock, stdsocket):
            with self.subTest(mod=mod.__name__):
                srv = mod.socket()
                self.addCleanup(srv.close)
                srv.bind(('127.0.0.1', 0))
                srv.listen()
                self.assertEqual(self.check_same([srv], selectors.EVENT_READ), set())
                c = mod.create_connection(srv.getsockname())
                self.addCleanup(c.close)
                self.assertEqual(self.check_same([srv], selectors.EVENT_READ, 1.0),
                                 {(srv.fileno(), 1, 0)})
                conn, _ = srv.accept()
                conn.close()

    def test_refused_connect_reports_both(self):
        # A failed non-blocking connect: an error, reported as read and write.
        port_sock = stdsocket.socket()
        port_sock.bind(('127.0.0.1', 0))
        port = port_sock.getsockname()[1]
        port_sock.close()
        c = libsock.socket()
        self.addCleanup(c.close)
        c.setblocking(False)
        self.assertIn(c.connect_ex(('127.0.0.1', port)),
                      (errno.EINPROGRESS, errno.ECONNREFUSED, errno.EWOULDBLOCK))
        sel = self.make()
        sel.register(c, selectors.EVENT_READ | selectors.EVENT_WRITE)
        deadline = time.monotonic() + TIMEOUT
        ready = []
        while not ready and time.monotonic() < deadline:
            ready = sel.select(TIMEOUT)
        self.assertEqual(ready[0][1], selectors.EVENT_READ | selectors.EVENT_WRITE)
        self.assertEqual(c.getsockopt(libsock.SOL_SOCKET, libsock.SO_ERROR),
                         errno.ECONNREFUSED)

    def test_many_ready_all_reported(self):
        sel = self.make()
        pairs = [self.pair() for _ in range(100)]
        for i, (a, b) in enumerate(pairs):
            sel.register(a, selectors.EVENT_READ, i)
            b.send(b'x')
        got = sel.select(TIMEOUT)
        self.assertEqual(sorted(key.data for key, ev in got), list(range(100)))

    def test_only_asked_events(self):
        sel = self.make()
        a, b = self.pair()
        sel.register(a, selectors.EVENT_READ)
        self.assertEqual(sel.select(0), [])
        sel.modify(a, selectors.EVENT_WRITE)
        self.assertEqual([ev for _, ev in sel.select(0)], [selectors.EVENT_WRITE])


class TimeoutTest(SelectorTestBase):
    def test_zero_and_negative_do_not_block(self):
        sel = self.make()
        a, b = self.pair()
        sel.register(a, selectors.EVENT_READ)
        for t in (0, 0.0, -1, -0.5, -1e9):
            t0 = time.monotonic()
            self.assertEqual(sel.select(t), [])
            self.assertLess(time.monotonic() - t0, 0.5)

    def test_positive_waits_at_least(self):
        for sel in self.both():
            a, b = self.pair()
            sel.register(a, selectors.EVENT_READ)
            for t in (0.05, 0.2, 0.0001):
                t0 = time.monotonic()
                self.assertEqual(sel.select(t), [])
                # Rounded up to whole milliseconds, as stdlib does.
                self.assertGreaterEqual(time.monotonic() - t0, t - 0.002)

    def test_empty_selector_waits(self):
        sel = self.make()
        t0 = time.monotonic()
        self.assertEqual(sel.select(0.1), [])
        self.assertGreaterEqual(time.monotonic() - t0, 0.098)

    def test_none_blocks_until_ready(self):
        sel = self.make()
        a, b = self.pair()
        sel.register(a, selectors.EVENT_READ)
        t = threading.Timer(0.2, b.send, (b'x',))
        t.start()
        t0 = time.monotonic()
        got = sel.select(None)
        t.join()
        self.assertEqual(len(got), 1)
        self.assertGreaterEqual(time.monotonic() - t0, 0.15)

    def test_bad_timeouts_as_stdlib(self):
        for timeout in ('1', float('nan'), float('inf'), [], 10 ** 400):
            with self.subTest(timeout=timeout):
                ours, std = self.both()
                got = outcome(ours.select, timeout)
                want = outcome(std.select, timeout)
                self.assertEqual(got[0], 'raise')
                self.assertEqual(got, want)

    def test_wait_releases_the_gil(self):
        sel = self.make()
        a, b = self.pair()
        sel.register(a, selectors.EVENT_READ)
        counter = [0]
        stop = threading.Event()

        def spin():
            while not stop.is_set():
                counter[0] += 1
        t = threading.Thread(target=spin)
        t.start()
        try:
            sel.select(0.3)
        finally:
            stop.set()
            t.join()
        self.assertGreater(counter[0], 1000)

    def test_close_from_another_thread_ends_a_wait(self):
        sel = self.make()
        a, b = self.pair()
        sel.register(a, selectors.EVENT_READ)
        t = threading.Timer(0.1, sel.close)
        t.start()
        t0 = time.monotonic()
        self.assertEqual(sel.select(TIMEOUT), [])
        t.join()
        self.assertLess(time.monotonic() - t0, TIMEOUT / 2)
        self.assertIsNone(sel.get_map())
        with self.assertRaises(ValueError):
            sel.select(0)


@unittest.skipUnless(POSIX and hasattr(signal, 'setitimer'), 'POSIX interval timers')
class SignalTest(SelectorTestBase):
    """PEP 475, as the socket calls: handlers run, exceptions propagate,
    otherwise the wait goes on for the time left."""

    def setUp(self):
        super().setUp()
        self.hits = 0
        self.raise_at = None
        self.old = signal.signal(signal.SIGALRM, self.on_alarm)

    def tearDown(self):
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, self.old)
        super().tearDown()

    def on_alarm(self, signum, frame):
        self.hits += 1
        if self.raise_at is not None and self.hits >= self.raise_at:
            signal.setitimer(signal.ITIMER_REAL, 0)
            raise ZeroDivisionError('from the handler')

    def check_raise(self, sel):
        self.raise_at = 3
        signal.setitimer(signal.ITIMER_REAL, 0.02, 0.02)
        t0 = time.monotonic()
        with self.assertRaises(ZeroDivisionError):
            sel.select(None)
        self.assertEqual(self.hits, 3)
        self.assertLess(time.monotonic() - t0, TIMEOUT)

    def test_handler_exception_propagates_empty_selector(self):
        self.check_raise(self.make())

    def test_handler_exception_propagates_foreign_only(self):
        # Only adopted stdlib sockets registered (none interruptible itself).
        sel = self.make()
        a, b = self.pair(stdsocket)
        sel.register(a, selectors.EVENT_READ)
        self.check_raise(sel)

    def test_handler_exception_propagates_libsock_socket(self):
        sel = self.make()
        a, b = self.pair()
        sel.register(a, selectors.EVENT_READ)
        self.check_raise(sel)

    def test_signals_retry_for_the_time_left(self):
        sel = self.make()
        a, b = self.pair()
        sel.register(a, selectors.EVENT_READ)
        signal.setitimer(signal.ITIMER_REAL, 0.05, 0.05)
        t0 = time.monotonic()
        self.assertEqual(sel.select(0.5), [])
        elapsed = time.monotonic() - t0
        signal.setitimer(signal.ITIMER_REAL, 0)
        self.assertGreaterEqual(self.hits, 3)
        self.assertGreaterEqual(elapsed, 0.49)
        self.assertLess(elapsed, 3.0, 'signals stretched the timeout')

    def test_signals_then_data(self):
        sel = self.make()
        a, b = self.pair()
        sel.register(a, selectors.EVENT_READ)

        def later():
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
            deadline = time.monotonic() + TIMEOUT
            while self.hits < 3 and time.monotonic() < deadline:
                time.sleep(0.005)
            b.send(b'x')
        t = threading.Thread(target=later)
        t.start()
        signal.setitimer(signal.ITIMER_REAL, 0.02, 0.02)
        got = sel.select(None)
        signal.setitimer(signal.ITIMER_REAL, 0)
        t.join()
        self.assertEqual(len(got), 1)
        self.assertGreaterEqual(self.hits, 3)

    def test_ctrl_c_interrupts_select(self):
        code = textwrap.dedent(f"""
            import libsock.selectors
            sel = libsock.selectors.LibsockSelector(portable={self.portable})
            print('READY', flush=True)
            sel.select()
        """)
        p = subprocess.Popen([sys.executable, '-c', code], env=child_env(),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            self.assertEqual(p.stdout.readline().strip(), 'READY')
            time.sleep(0.3)
            p.send_signal(signal.SIGINT)
            out, err = p.communicate(timeout=TIMEOUT)
        finally:
            if p.poll() is None:
                p.kill()
                p.communicate()
        self.assertNotEqual(p.returncode, 0)
        self.assertIn('KeyboardInterrupt', err)


class OwnershipTest(SelectorTestBase):
    """Foreign descriptors are watched, never closed or changed."""

    def test_libsock_socket_by_int_uses_its_handle(self):
        sel = self.make()
        a, b = self.pair()
        sel.register(a.fileno(), selectors.EVENT_READ)
        self.assertEqual(sel._handles[a.fileno()], libsock._libsock._sock_handle(a))
        b.send(b'x')
        self.assertEqual(len(sel.select(TIMEOUT)), 1)
        # Closing the socket removes it from the poller (libsock does).
        fd = a.fileno()
        a.close()
        self.assertEqual(sel.select(0), [])
        self.assertEqual(sel.unregister(fd).fd, fd)

    @unittest.skipUnless(POSIX, 'os.get_blocking on sockets')
    def test_foreign_socket_modes_kept(self):
        for blocking in (False, True):
            for inheritable in (False, True):
                with self.subTest(blocking=blocking, inheritable=inheritable):
                    sel = self.make()
                    a, b = self.pair(stdsocket)
                    a.setblocking(blocking)
                    a.set_inheritable(inheritable)
                    fd = a.fileno()
                    for obj in (a, fd):
                        sel.register(obj, selectors.EVENT_READ | selectors.EVENT_WRITE)
                        self.assertEqual(os.get_blocking(fd), blocking)
                        self.assertEqual(os.get_inheritable(fd), inheritable)
                        sel.modify(obj, selectors.EVENT_READ)
                        sel.unregister(obj)
                        self.assertEqual(os.get_blocking(fd), blocking)
                        self.assertEqual(os.get_inheritable(fd), inheritable)
                    self.assertEqual(a.getblocking(), blocking)

    def check_usable(self, a, b):
        a.sendall(b'ping')
        b.settimeout(TIMEOUT)
        self.assertEqual(b.recv(4), b'ping')

    def test_foreign_socket_stays_open(self):
        a, b = self.pair(stdsocket)
        sel = self.make()
        sel.register(a, selectors.EVENT_READ)
        b.send(b'x')
        self.assertEqual(len(sel.select(TIMEOUT)), 1)
        self.assertEqual(a.recv(1), b'x')
        sel.unregister(a)
        self.check_usable(a, b)
        # Still registered when the selector closes.
        sel.register(a.fileno(), selectors.EVENT_WRITE)
        sel.close()
        self.check_usable(a, b)
        # Still registered when the selector is garbage-collected.
        sel = self.make()
        sel.register(a, selectors.EVENT_WRITE)
        del sel
        gc.collect()
        self.check_usable(a, b)
        # The peer sees no end of stream: nothing closed a's descriptor.
        b.setblocking(False)
        with self.assertRaises(BlockingIOError):
            b.recv(1)

    def test_foreign_socket_in_two_selectors(self):
        a, b = self.pair(stdsocket)
        s1, s2 = self.make(), self.make()
        s1.register(a, selectors.EVENT_READ)
        s2.register(a, selectors.EVENT_READ)
        b.send(b'x')
        self.assertEqual(len(s1.select(TIMEOUT)), 1)
        self.assertEqual(len(s2.select(TIMEOUT)), 1)
        s1.close()
        self.assertEqual(len(s2.select(TIMEOUT)), 1)
        s2.unregister(a)
        self.check_usable(a, b)

    def test_foreign_socket_closed_by_owner(self):
        a, b = self.pair(stdsocket)
        sel = self.make()
        key = sel.register(a, selectors.EVENT_READ)
        a.close()
        # As stdlib: unregistering a closed object is not an error.
        self.assertEqual(sel.unregister(a), key)
        # The fd number may now be reused; registering a new socket works.
        c, d = self.pair(stdsocket)
        sel.register(c, selectors.EVENT_WRITE)
        self.assertEqual(len(sel.select(TIMEOUT)), 1)

    @unittest.skipUnless(POSIX, 'pipes as descriptors')
    def test_pipe_is_refused_and_left_alone(self):
        r, w = os.pipe()
        self.addCleanup(os.close, r)
        self.addCleanup(os.close, w)
        os.set_blocking(r, False)
        sel = self.make()
        with self.assertRaises(OSError) as cm:
            sel.register(r, selectors.EVENT_READ)
        self.assertEqual(cm.exception.errno, errno.ENOTSOCK)
        self.assertEqual(len(sel.get_map()), 0)
        with self.assertRaises(KeyError):
            sel.get_key(r)
        # Untouched: still open, still non-blocking, still works.
        self.assertFalse(os.get_blocking(r))
        os.write(w, b'ok')
        self.assertEqual(os.read(r, 2), b'ok')
        # And the selector still works for sockets.
        a, b = self.pair()
        sel.register(a, selectors.EVENT_WRITE)
        self.assertEqual(len(sel.select(0)), 1)

    def test_closed_fd_is_refused(self):
        a, b = self.pair(stdsocket)
        sel = self.make()
        fd = a.detach()
        os.close(fd) if POSIX else stdsocket.socket(fileno=fd).close()
        with self.assertRaises(OSError):
            sel.register(fd, selectors.EVENT_READ)
        self.assertEqual(len(sel.get_map()), 0)

    def test_stale_event_not_reported(self):
        # A key replaced while nothing was selecting: only the new one counts.
        sel = self.make()
        a, b = self.pair()
        sel.register(a, selectors.EVENT_READ, 'old')
        b.send(b'x')
        sel.unregister(a)
        sel.register(a, selectors.EVENT_WRITE, 'new')
        self.assertEqual([(k.data, ev) for k, ev in sel.select(0)],
                         [('new', selectors.EVENT_WRITE)])


# ---- asyncio -------------------------------------------------------------

ECHO_CLIENTS = 6
ECHO_BYTES = 256 * 1024


async def echo_server_and_clients(mod, nclients=ECHO_CLIENTS, nbytes=ECHO_BYTES):
    """An echo server and nclients clients sending checksummed data in
    random-sized chunks; returns the number of clients whose echo matched."""
    async def handle(reader, writer):
        while True:
            data = await reader.read(65536)
            if not data:
                break
            writer.write(data)
            await writer.drain()
        writer.close()
        await writer.wait_closed()

    server = await asyncio.start_server(handle, '127.0.0.1', 0)
    port = server.sockets[0].getsockname()[1]

    async def client(seed):
        rng = random.Random(seed)
        payload = bytes(rng.getrandbits(8) for _ in range(1024)) * (nbytes // 1024)
        digest = hashlib.sha256(payload).hexdigest()
        reader, writer = await asyncio.open_connection('127.0.0.1', port)
        assert isinstance(writer.get_extra_info('socket').fileno(), int)

        async def send():
            i = 0
            while i < len(payload):
                n = rng.randint(1, 32768)
                writer.write(payload[i:i + n])
                await writer.drain()
                i += n
            writer.write_eof()
        sender = asyncio.ensure_future(send())
        got = hashlib.sha256()
        total = 0
        while True:
            data = await reader.read(rng.randint(1, 65536))
            if not data:
                break
            got.update(data)
            total += len(data)
        await sender
        writer.close()
        await writer.wait_closed()
        return total == len(payload) and got.hexdigest() == digest

    async with server:
        results = await asyncio.wait_for(
            asyncio.gather(*(client(i) for i in range(nclients))), TIMEOUT * 3)
    return sum(results)


def count_adoptions(sel):
    """A one-item list counting the descriptors sel adopts from now on."""
    count = [0]
    find = sel._handle_for

    def counting(fileobj, fd):
        handle, adopted = find(fileobj, fd)
        count[0] += adopted
        return handle, adopted
    sel._handle_for = counting
    return count


class AsyncioTest(SelectorTestBase):
    def run_loop(self, coro_fn):
        sel = lsel.DefaultSelector(portable=self.portable)
        self.adopted = count_adoptions(sel)
        loop = asyncio.SelectorEventLoop(sel)
        try:
            return loop.run_until_complete(coro_fn())
        finally:
            loop.close()
            self.assertIsNone(sel.get_map())  # the loop closed its selector

    def test_echo_stdlib_sockets(self):
        # asyncio's own sockets (stdlib's, self-pipe included) are adopted.
        self.assertEqual(self.run_loop(lambda: echo_server_and_clients(stdsocket)),
                         ECHO_CLIENTS)
        # The self-pipe, the listener, and both ends of every connection.
        self.assertGreaterEqual(self.adopted[0], 2 + 2 * ECHO_CLIENTS)

    def test_sock_calls_on_libsock_sockets(self):
        async def main():
            loop = asyncio.get_running_loop()
            srv = libsock.socket()
            srv.bind(('127.0.0.1', 0))
            srv.listen()
            srv.setblocking(False)
            c = libsock.socket()
            c.setblocking(False)
            await loop.sock_connect(c, srv.getsockname())
            conn, _ = await loop.sock_accept(srv)
            conn.setblocking(False)
            data = os.urandom(1 << 20)
            send = asyncio.ensure_future(loop.sock_sendall(c, data))
            got = bytearray()
            while len(got) < len(data):
                got += await loop.sock_recv(conn, 65536)
            await send
            for s in (c, conn, srv):
                s.close()
            return bytes(got) == data
        self.assertTrue(self.run_loop(main))
        self.assertEqual(self.adopted[0], 1)  # only asyncio's self-pipe

    def test_echo_under_python_m_libsock(self):
        # Every socket asyncio makes is libsock's (self-pipe included), and
        # is registered by its handle.
        script = textwrap.dedent(f"""
            import asyncio, socket, sys
            sys.path.insert(0, {os.path.dirname(os.path.abspath(__file__))!r})
            import libsock, libsock.selectors
            assert socket is libsock
            from test_selectors import echo_server_and_clients
            from test_selectors import count_adoptions
            sel = libsock.selectors.DefaultSelector(portable={self.portable})
            adopted = count_adoptions(sel)
            loop = asyncio.SelectorEventLoop(sel)
            assert isinstance(loop._ssock, libsock.socket)
            n = loop.run_until_complete(echo_server_and_clients(socket))
            adopted = adopted[0]
            loop.close()
            print('ECHO', n, 'ADOPTED', adopted)
        """)
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, 'echo.py')
            with open(path, 'w') as f:
                f.write(script)
            p = subprocess.run([sys.executable, '-m', 'libsock', path], env=child_env(),
                               capture_output=True, text=True, timeout=TIMEOUT * 6)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.split(), ['ECHO', str(ECHO_CLIENTS), 'ADOPTED', '0'])


# ---- the same again on the portable backend ------------------------------

class PortableBackendTest(BackendTest):
    portable = True


class PortableErrorsTest(ErrorsTest):
    portable = True


class PortableReadinessTest(ReadinessTest):
    portable = True


class PortableTimeoutTest(TimeoutTest):
    portable = True


class PortableSignalTest(SignalTest):
    portable = True


class PortableOwnershipTest(OwnershipTest):
    portable = True


class PortableAsyncioTest(AsyncioTest):
    portable = True


if __name__ == '__main__':
    unittest.main()
