"""Errors are what stdlib raises: the OSError subclass by errno, TimeoutError,
gaierror, and TypeError/ValueError/OverflowError for bad arguments."""
import errno
import socket as stdsock
import struct
import unittest

import libsock
from lsp_testutil import HAS_UNIX, TIMEOUT, ServerThread, TestCase


def closed_port():
    with libsock.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class OSErrorClassTest(TestCase):
    def test_connection_refused(self):
        with libsock.socket() as c:
            with self.assertRaises(ConnectionRefusedError) as cm:
                c.connect(('127.0.0.1', closed_port()))
        self.assertEqual(cm.exception.errno, errno.ECONNREFUSED)
        self.assertEqual(cm.exception.strerror, 'Connection refused')
        self.assertEqual(str(cm.exception), '[Errno %d] Connection refused' % errno.ECONNREFUSED)

    def test_connection_reset(self):
        # The server resets only after the client's byte arrives: a reset that
        # raced the client's connect() would fail the connect instead (stdlib
        # behaves the same), which is not what this test is about.
        def handler(conn, addr):
            self.assertEqual(conn.recv(1), b'!')
            conn.setsockopt(libsock.SOL_SOCKET, libsock.SO_LINGER, struct.pack('ii', 1, 0))
        srv = ServerThread(handler)
        srv.start()
        with libsock.create_connection(srv.address, timeout=TIMEOUT) as c:
            c.sendall(b'!')
            srv.join_checked(self)  # the server closed with a reset
            with self.assertRaises(ConnectionResetError) as cm:
                c.recv(10)
            self.assertEqual(cm.exception.errno, errno.ECONNRESET)

    def test_broken_pipe(self):
        a, b = libsock.socketpair()
        b.close()
        with a, self.assertRaises(BrokenPipeError) as cm:
            for _ in range(100):
                a.send(b'x' * 1024)
        self.assertEqual(cm.exception.errno, errno.EPIPE)

    def test_blocking_io(self):
        a, b = libsock.socketpair()
        with a, b:
            a.setblocking(False)
            with self.assertRaises(BlockingIOError) as cm:
                a.recv(1)
            self.assertIn(cm.exception.errno, (errno.EAGAIN, errno.EWOULDBLOCK))
            with libsock.socket() as s:
                s.setblocking(False)
                s.bind(('127.0.0.1', 0))
                s.listen()
                with self.assertRaises(BlockingIOError):
                    s.accept()

    def test_nonblocking_connect_in_progress(self):
        with libsock.socket() as srv:
            srv.bind(('127.0.0.1', 0))
            srv.listen()
            with libsock.socket() as c:
                c.setblocking(False)
                rc = c.connect_ex(srv.getsockname())
                self.assertIn(rc, (0, errno.EINPROGRESS))

    def test_timeout(self):
        a, b = libsock.socketpair()
        with a, b:
            a.settimeout(0.02)
            with self.assertRaises(TimeoutError) as cm:
                a.recv(1)
            self.assertIsNone(cm.exception.errno)

    @staticmethod
    def _connect_to_full_queue(mod, call):
        """Connect clients (0.3 s timeout) to a listener that never accepts
        until one fails; return what call(client, address) gave then."""
        clients = []
        with mod.socket() as l:
            l.bind(('127.0.0.1', 0))
            l.listen(1)
            try:
                for _ in range(16):
                    c = mod.socket()
                    clients.append(c)
                    c.settimeout(0.3)
                    try:
                        result = call(c, l.getsockname())
                    except OSError as e:
                        return e
                    if result not in (0, None):  # connect_ex / connect success
                        return result
                return None
            finally:
                for c in clients:
                    c.close()

    def test_connect_timeout(self):
        # A full accept queue makes the OS drop further SYNs (Linux), so a
        # loopback connect gets no answer: connect_ex gives EWOULDBLOCK and
        # connect raises TimeoutError, as in stdlib.
        want = self._connect_to_full_queue(stdsock, lambda c, a: c.connect_ex(a))
        if want == errno.ECONNREFUSED:
            self.skipTest('this host resets connects to a full accept queue')
        self.assertEqual(want, errno.EWOULDBLOCK)
        got = self._connect_to_full_queue(libsock, lambda c, a: c.connect_ex(a))
        self.assertEqual(got, errno.EWOULDBLOCK)
        err = self._connect_to_full_queue(libsock, lambda c, a: c.connect(a))
        self.assertIsInstance(err, TimeoutError)
        self.assertEqual(str(err), 'timed out')
        # And with a refused port connect_ex is the errno, never an exception.
        with libsock.socket() as c:
            c.settimeout(TIMEOUT)
            self.assertEqual(c.connect_ex(('127.0.0.1', closed_port())), errno.ECONNREFUSED)

    def test_address_in_use(self):
        with libsock.socket() as a, libsock.socket() as b:
            a.bind(('127.0.0.1', 0))
            a.listen()
            with self.assertRaises(OSError) as cm:
                b.bind(a.getsockname())
            self.assertEqual(cm.exception.errno, errno.EADDRINUSE)
            self.assertIs(type(cm.exception), OSError)

    def test_address_not_available(self):
        with libsock.socket() as s, self.assertRaises(OSError) as cm:
            s.bind(('192.0.2.1', 0))  # TEST-NET-1: not on this host
        self.assertEqual(cm.exception.errno, errno.EADDRNOTAVAIL)

    def test_not_connected_and_is_connected(self):
        with libsock.socket() as s, self.assertRaises(OSError) as cm:
            s.getpeername()
        self.assertEqual(cm.exception.errno, errno.ENOTCONN)
        a, b = libsock.socketpair(libsock.AF_INET)
        with a, b, self.assertRaises(OSError) as cm:
            a.connect(b.getsockname())
        self.assertEqual(cm.exception.errno, errno.EISCONN)

    def test_bad_fd(self):
        s = libsock.socket()
        s.close()
        with self.assertRaises(OSError) as cm:
            s.recv(1)
        self.assertEqual(cm.exception.errno, errno.EBADF)

    @unittest.skipUnless(HAS_UNIX, 'no AF_UNIX')
    def test_file_not_found(self):
        with libsock.socket(libsock.AF_UNIX) as s, self.assertRaises(FileNotFoundError) as cm:
            s.connect('/nonexistent-dir-libsock/sock')
        self.assertEqual(cm.exception.errno, errno.ENOENT)

    def test_gaierror(self):
        with libsock.socket() as s, self.assertRaises(libsock.gaierror) as cm:
            s.connect(('bad host name with spaces.invalid', 80))
        self.assertIsInstance(cm.exception, stdsock.gaierror)
        self.assertIsInstance(cm.exception.errno, int)


class BadArgumentTest(TestCase):
    """The same bad call on stdlib and libsock raises the same exception type."""

    def same(self, make_call):
        with stdsock.socket() as t, libsock.socket() as s:
            try:
                make_call(t, stdsock)
            except Exception as e:  # noqa: BLE001
                expected = type(e)
            else:
                self.fail('stdlib accepted the call')
            with self.assertRaises(expected):
                make_call(s, libsock)

    def test_bad_arguments(self):
        cases = [
            lambda s, m: s.bind('127.0.0.1'),
            lambda s, m: s.bind(('127.0.0.1',)),
            lambda s, m: s.bind(('127.0.0.1', 70000)),
            lambda s, m: s.bind(('127.0.0.1', -1)),
            lambda s, m: s.bind(('127.0.0.1', 'x')),
            lambda s, m: s.bind((1, 0)),
            lambda s, m: s.bind(('127.0.0.1\0', 0)),
            lambda s, m: s.connect(None),
            lambda s, m: s.send('text'),
            lambda s, m: s.send(12),
            lambda s, m: s.sendall(None),
            lambda s, m: s.recv(-1),
            lambda s, m: s.recv('1'),
            lambda s, m: s.recv(1.0),
            lambda s, m: s.recv(2 ** 70),
            lambda s, m: s.recv_into(b'immutable'),
            lambda s, m: s.recv_into(bytearray(2), 5),
            lambda s, m: s.recv_into(bytearray(2), -1),
            lambda s, m: s.recvfrom(-5),
            lambda s, m: s.settimeout(-1),
            lambda s, m: s.settimeout('x'),
            lambda s, m: s.setsockopt(m.SOL_SOCKET, m.SO_REUSEADDR, 'x'),
            lambda s, m: s.setsockopt(m.SOL_SOCKET, m.SO_REUSEADDR, 2 ** 40),
            lambda s, m: s.getsockopt(m.SOL_SOCKET, 'x'),
            lambda s, m: s.shutdown('x'),
            lambda s, m: s.sendto(b'x'),
            lambda s, m: s.sendto(b'x', 0, 0, 0),
            lambda s, m: s.listen('x'),
        ]
        for i, case in enumerate(cases):
            with self.subTest(i=i):
                self.same(case)

    def test_bad_constructor_arguments(self):
        for args in (('x',), (libsock.AF_INET, 'y'), (2 ** 40,)):
            with self.assertRaises(TypeError if isinstance(args[-1], str) else OverflowError):
                libsock.socket(*args)
        with self.assertRaises(OSError):
            libsock.socket(12345)  # no such family

    def test_bad_unix_path(self):
        if not HAS_UNIX:
            self.skipTest('no AF_UNIX')
        with libsock.socket(libsock.AF_UNIX) as s:
            with self.assertRaises(OSError):
                s.bind('/tmp/' + 'x' * 200)
            with self.assertRaises(TypeError):
                s.bind(42)


if __name__ == '__main__':
    unittest.main()
