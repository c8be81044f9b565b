"""libsock.socket as a drop-in for socket.socket: TCP, UDP, Unix; IPv4, IPv6."""
import array
import errno
import os
import socket as stdsock
import tempfile
import threading
import unittest

import libsock
from lsp_testutil import (HAS_IPV6, HAS_UNIX, TIMEOUT, ServerThread, TestCase,
                          recv_exactly)


def _families():
    fams = [('ipv4', libsock.AF_INET, '127.0.0.1')]
    if HAS_IPV6:
        fams.append(('ipv6', libsock.AF_INET6, '::1'))
    return fams


class UnixPathMixin:
    def unix_path(self):
        d = tempfile.mkdtemp(prefix='lsp')
        self.addCleanup(os.rmdir, d)
        path = os.path.join(d, 's')
        self.addCleanup(lambda: os.path.exists(path) and os.unlink(path))
        return path


class ConstructorTest(TestCase):
    def test_defaults(self):
        with libsock.socket() as s:
            self.assertIs(s.family, libsock.AF_INET)
            self.assertIs(s.type, libsock.SOCK_STREAM)
            self.assertEqual(s.proto, 0)
            self.assertIsInstance(s.family, libsock.AddressFamily)
            self.assertIsInstance(s.type, libsock.SocketKind)
            self.assertIsNone(s.gettimeout())
            self.assertTrue(s.getblocking())
            self.assertGreaterEqual(s.fileno(), 0)
            self.assertNotIsInstance(s, stdsock.socket)
            self.assertIsInstance(s, libsock.SocketType)

    def test_udp_and_proto(self):
        with libsock.socket(libsock.AF_INET, libsock.SOCK_DGRAM, 0) as s:
            self.assertEqual(s.type, libsock.SOCK_DGRAM)
        with libsock.socket(libsock.AF_INET, libsock.SOCK_STREAM, libsock.IPPROTO_TCP) as s:
            self.assertEqual(s.proto, libsock.IPPROTO_TCP)

    @unittest.skipUnless(HAS_IPV6, 'no IPv6 loopback')
    def test_ipv6_v6only_follows_stdlib(self):
        with libsock.socket(libsock.AF_INET6) as s, stdsock.socket(stdsock.AF_INET6) as t:
            self.assertEqual(s.getsockopt(libsock.IPPROTO_IPV6, libsock.IPV6_V6ONLY),
                             t.getsockopt(stdsock.IPPROTO_IPV6, stdsock.IPV6_V6ONLY))

    def test_fileno_adopts_os_socket(self):
        t = stdsock.socket(stdsock.AF_INET, stdsock.SOCK_DGRAM)
        t.bind(('127.0.0.1', 0))
        addr = t.getsockname()
        fd = t.detach()
        with libsock.socket(fileno=fd) as s:
            self.assertEqual(s.fileno(), fd)
            self.assertEqual(s.family, libsock.AF_INET)
            self.assertEqual(s.type, libsock.SOCK_DGRAM)
            self.assertEqual(s.getsockname(), addr)

    def test_fileno_bad(self):
        with self.assertRaises(ValueError):
            libsock.socket(fileno=-1)
        with self.assertRaises(TypeError):
            libsock.socket(fileno=1.5)
        r, w = os.pipe()
        try:
            with self.assertRaises(OSError) as cm:
                libsock.socket(fileno=r)
            self.assertEqual(cm.exception.errno, stdsock.errno.ENOTSOCK
                             if hasattr(stdsock, 'errno') else 88)
        finally:
            os.close(r)
            os.close(w)

    def test_sock_nonblock_flag(self):
        if not hasattr(libsock, 'SOCK_NONBLOCK'):
            self.skipTest('no SOCK_NONBLOCK')
        with libsock.socket(libsock.AF_INET, libsock.SOCK_STREAM | libsock.SOCK_NONBLOCK) as s:
            self.assertEqual(s.type, libsock.SOCK_STREAM)
            self.assertEqual(s.gettimeout(), 0.0)
            self.assertFalse(s.getblocking())

    def test_repr_and_context_manager(self):
        s = libsock.socket()
        s.bind(('127.0.0.1', 0))
        r = repr(s)
        self.assertTrue(r.startswith('<libsock.socket fd=%d, family=%s, type=%s, proto=0'
                                     % (s.fileno(), libsock.AF_INET, libsock.SOCK_STREAM)), r)
        self.assertIn("laddr=('127.0.0.1', %d)" % s.getsockname()[1], r)
        with s:
            pass
        self.assertEqual(s.fileno(), -1)
        self.assertIn('[closed]', repr(s))
        s.close()  # a second close is harmless, as in stdlib

    def test_repr_matches_stdlib_shape(self):
        with libsock.socket() as s, stdsock.socket() as t:
            self.assertEqual(repr(s).replace('libsock.socket', 'socket.socket')
                             .replace('fd=%d' % s.fileno(), 'fd=X'),
                             repr(t).replace('fd=%d' % t.fileno(), 'fd=X'))

    def test_pickle_refused(self):
        import pickle
        with libsock.socket() as s, self.assertRaises(TypeError):
            pickle.dumps(s)

    def test_weakref(self):
        import weakref
        s = libsock.socket()
        r = weakref.ref(s)
        self.assertIs(r(), s)
        s.close()


class TcpTest(TestCase):
    def _roundtrip(self, family, host):
        def handler(conn, addr):
            self.assertEqual(addr, conn.getpeername())
            data = recv_exactly(conn, 5)
            conn.sendall(data.upper())
            return addr

        srv = ServerThread(handler, family, host)
        srv.start()
        with libsock.socket(family, libsock.SOCK_STREAM) as c:
            c.settimeout(TIMEOUT)
            c.connect(srv.address)
            self.assertEqual(c.getpeername()[:2], srv.address[:2])
            c.sendall(b'hello')
            self.assertEqual(recv_exactly(c, 5), b'HELLO')
            self.assertEqual(c.recv(10), b'')
            local = c.getsockname()
        self.assertEqual(srv.join_checked(self), local)
        if family == libsock.AF_INET6:
            self.assertEqual(len(local), 4)
            self.assertEqual(local[0], '::1')
        else:
            self.assertEqual(len(local), 2)

    def test_tcp_roundtrip(self):
        for name, fam, host in _families():
            with self.subTest(name):
                self._roundtrip(fam, host)

    def test_host_names_in_address_tuples(self):
        # Names in address tuples are resolved for the socket's family, as
        # stdlib's setipaddr does: '' is the unspecified address, a name
        # goes through the resolver, '<broadcast>' is 255.255.255.255.
        with libsock.socket() as l:
            l.bind(('localhost', 0))
            self.assertEqual(l.getsockname()[0], '127.0.0.1')
            l.listen()
            with libsock.socket() as c:
                c.settimeout(TIMEOUT)
                c.connect(('localhost', l.getsockname()[1]))
                self.assertEqual(c.getpeername(), l.getsockname())
                a, _ = l.accept()
                with a:
                    c.sendall(b'by name')
                    self.assertEqual(recv_exactly(a, 7), b'by name')
        with libsock.socket() as s:
            s.bind(('', 0))
            self.assertEqual(s.getsockname()[0], '0.0.0.0')
        # A UDP connect sends nothing: the broadcast name stays on this host.
        for mod in (libsock, stdsock):
            with mod.socket(mod.AF_INET, mod.SOCK_DGRAM) as u:
                u.setsockopt(mod.SOL_SOCKET, mod.SO_BROADCAST, 1)
                u.connect(('<broadcast>', 9))
                self.assertEqual(u.getpeername(), ('255.255.255.255', 9), mod.__name__)
        if HAS_IPV6:
            # An IPv4 literal for an IPv6 socket: the resolver's error, as in stdlib.
            with stdsock.socket(stdsock.AF_INET6) as s6, \
                    self.assertRaises(stdsock.gaierror) as want:
                s6.connect(('127.0.0.1', 9))
            with libsock.socket(libsock.AF_INET6) as s6, \
                    self.assertRaises(libsock.gaierror) as got:
                s6.connect(('127.0.0.1', 9))
            self.assertEqual(got.exception.errno, want.exception.errno)

    def test_message_flags(self):
        with libsock.create_server(('127.0.0.1', 0)) as l, \
                libsock.create_connection(l.getsockname(), timeout=TIMEOUT) as c:
            a, _ = l.accept()
            with a:
                a.settimeout(TIMEOUT)
                # Out-of-band data, and a non-blocking receive on an empty socket.
                self.assertEqual(c.send(b'!', libsock.MSG_OOB), 1)
                self.assertEqual(a.recv(1, libsock.MSG_OOB), b'!')
                with self.assertRaises(BlockingIOError):
                    a.recv(1, libsock.MSG_DONTWAIT)
                # MSG_NOSIGNAL is accepted: libsock never raises SIGPIPE anyway.
                self.assertEqual(c.send(b'q', libsock.MSG_NOSIGNAL), 1)
                self.assertEqual(a.recv(1), b'q')
                # Flags outside libsock's portable set are refused, not ignored.
                with self.assertRaises(OSError) as cm:
                    a.recv(1, libsock.MSG_TRUNC)
                self.assertEqual(cm.exception.errno, errno.EINVAL)

    def test_connect_ex(self):
        srv = ServerThread(lambda conn, addr: conn.sendall(b'x'))
        srv.start()
        with libsock.socket() as c:
            c.settimeout(TIMEOUT)
            self.assertEqual(c.connect_ex(srv.address), 0)
            self.assertEqual(c.recv(1), b'x')
        srv.join_checked(self)
        # A refused connection is an errno, not an exception.
        with libsock.socket() as probe:
            probe.bind(('127.0.0.1', 0))
            port = probe.getsockname()[1]
            with libsock.socket() as c:
                self.assertEqual(c.connect_ex(('127.0.0.1', port)), stdsock.errno.ECONNREFUSED
                                 if hasattr(stdsock, 'errno') else 111)

    def test_send_recv_flags_and_shutdown(self):
        def handler(conn, addr):
            self.assertEqual(conn.recv(3, libsock.MSG_PEEK), b'abc')
            self.assertEqual(recv_exactly(conn, 6), b'abcdef')
            conn.shutdown(libsock.SHUT_WR)
            return conn.recv(10)

        srv = ServerThread(handler)
        srv.start()
        with libsock.create_connection(srv.address, timeout=TIMEOUT) as c:
            self.assertEqual(c.send(b'abc'), 3)
            c.sendall(b'def')
            self.assertEqual(c.recv(10), b'')  # the server shut down writing
            c.shutdown(libsock.SHUT_RDWR)
        self.assertEqual(srv.join_checked(self), b'')

    def test_recv_waitall(self):
        ready = threading.Event()

        def handler(conn, addr):
            conn.sendall(b'12')
            ready.wait(TIMEOUT)
            conn.sendall(b'345')

        srv = ServerThread(handler)
        srv.start()
        # A blocking socket (with a timeout, stdlib's socket is non-blocking
        # underneath and MSG_WAITALL returns what is there).
        with libsock.create_connection(srv.address) as c:
            threading.Timer(0.05, ready.set).start()
            self.assertEqual(c.recv(5, libsock.MSG_WAITALL), b'12345')
        srv.join_checked(self)

    def test_makefile(self):
        def handler(conn, addr):
            with conn.makefile('rwb') as f:
                line = f.readline()
                f.write(line.upper())
                f.flush()

        srv = ServerThread(handler)
        srv.start()
        with libsock.create_connection(srv.address, timeout=TIMEOUT) as c:
            w = c.makefile('w', encoding='ascii')
            r = c.makefile('r', encoding='ascii')
            w.write('line one\n')
            w.flush()
            self.assertEqual(r.readline(), 'LINE ONE\n')
            w.close()
            r.close()
        srv.join_checked(self)

    def test_makefile_nonblocking_and_timeout(self):
        a, b = libsock.socketpair()
        with a, b:
            # A non-blocking socket: read() with nothing there gives None.
            a.setblocking(False)
            raw = a.makefile('rb', buffering=0)
            self.assertIsNone(raw.read(4))
            b.send(b'data')
            self.assertEqual(raw.read(4), b'data')
            raw.close()
            # After a timeout the stream refuses further reads, as stdlib's.
            a.settimeout(0.05)
            raw = a.makefile('rb', buffering=0)
            with self.assertRaises(TimeoutError):
                raw.read(1)
            with self.assertRaises(OSError) as cm:
                raw.read(1)
            self.assertEqual(str(cm.exception), 'cannot read from timed out object')
            self.assertEqual(raw.mode, 'rb')
            self.assertEqual(raw.name, a.fileno())
            raw.close()
            self.assertEqual(raw.name, -1)
            with self.assertRaises(ValueError):
                a.makefile('x')
            with self.assertRaises(ValueError):
                a.makefile('r', buffering=0)  # unbuffered text

    def test_sendfile(self):
        payload = bytes(range(256)) * 300  # 76 800 bytes
        with tempfile.TemporaryFile() as f:
            f.write(payload)
            f.flush()
            a, b = libsock.socketpair()
            with a, b:
                b.settimeout(TIMEOUT)
                got = bytearray()
                reader = threading.Thread(target=lambda: got.extend(
                    recv_exactly(b, len(payload) + 500)))
                reader.start()
                f.seek(0)
                self.assertEqual(a.sendfile(f), len(payload))
                self.assertEqual(f.tell(), len(payload))
                # offset and count: bytes 1000..1499, and the file position after them.
                self.assertEqual(a.sendfile(f, offset=1000, count=500), 500)
                self.assertEqual(f.tell(), 1500)
                reader.join(TIMEOUT)
                self.assertEqual(bytes(got), payload + payload[1000:1500])
            with libsock.socket(libsock.AF_INET, libsock.SOCK_DGRAM) as u, \
                    self.assertRaises(ValueError):
                u.sendfile(f)
            with libsock.socket() as s, self.assertRaises(ValueError):
                s.setblocking(False)
                s.sendfile(f)
        with open(__file__, 'r') as text, libsock.socket() as s, self.assertRaises(ValueError):
            s.sendfile(text)

    def test_inheritable(self):
        with libsock.socket() as s:
            self.assertFalse(s.get_inheritable())
            s.set_inheritable(True)
            self.assertTrue(s.get_inheritable())
            s.set_inheritable(False)
            self.assertFalse(s.get_inheritable())

    def test_makefile_keeps_socket_open(self):
        a, b = libsock.socketpair()
        f = a.makefile('rb')
        a.close()
        self.assertNotEqual(a.fileno(), -1)  # the file still uses it
        b.sendall(b'data')
        b.close()
        self.assertEqual(f.read(), b'data')
        f.close()
        self.assertEqual(a.fileno(), -1)

    def test_detach_and_dup(self):
        a, b = libsock.socketpair()
        with a, b:
            d = a.dup()
            self.assertNotEqual(d.fileno(), a.fileno())
            self.assertEqual(d.family, a.family)
            d.sendall(b'via dup')
            self.assertEqual(b.recv(16), b'via dup')
            d.close()
            fd = b.detach()
            self.assertEqual(b.fileno(), -1)
            try:
                a.sendall(b'after detach')
                self.assertEqual(os.read(fd, 64), b'after detach')
            finally:
                os.close(fd)

    def test_accept_inherits_default_timeout_not_listener(self):
        libsock.setdefaulttimeout(None)
        srv = libsock.socket()
        srv.settimeout(TIMEOUT)
        srv.bind(('127.0.0.1', 0))
        srv.listen()
        with srv, libsock.create_connection(srv.getsockname(), timeout=TIMEOUT):
            conn, _ = srv.accept()
            with conn:
                self.assertIsNone(conn.gettimeout())
                self.assertTrue(conn.getblocking())

    def test_socket_options(self):
        with libsock.socket() as s:
            s.setsockopt(libsock.SOL_SOCKET, libsock.SO_REUSEADDR, 1)
            self.assertNotEqual(s.getsockopt(libsock.SOL_SOCKET, libsock.SO_REUSEADDR), 0)
            s.setsockopt(libsock.IPPROTO_TCP, libsock.TCP_NODELAY, True)
            self.assertNotEqual(s.getsockopt(libsock.IPPROTO_TCP, libsock.TCP_NODELAY), 0)
            self.assertEqual(s.getsockopt(libsock.SOL_SOCKET, libsock.SO_TYPE),
                             libsock.SOCK_STREAM)
            s.setsockopt(libsock.SOL_SOCKET, libsock.SO_LINGER, b'\x01\0\0\0\x05\0\0\0')
            raw = s.getsockopt(libsock.SOL_SOCKET, libsock.SO_LINGER, 8)
            self.assertIsInstance(raw, bytes)
            self.assertEqual(len(raw), 8)
            self.assertEqual(raw[0], 1)
            # buflen 0 asks for an int, as in stdlib; other lengths are
            # checked as stdlib checks them (1..1024, then C int range).
            self.assertEqual(s.getsockopt(libsock.SOL_SOCKET, libsock.SO_LINGER, 0),
                             s.getsockopt(libsock.SOL_SOCKET, libsock.SO_LINGER))
            for bad in (-1, 1025):
                with self.assertRaises(OSError):
                    s.getsockopt(libsock.SOL_SOCKET, libsock.SO_LINGER, bad)
            for bad in (2**31, -2**31 - 1):
                with self.assertRaises(OverflowError):
                    s.getsockopt(libsock.SOL_SOCKET, libsock.SO_LINGER, bad)

    def test_closed_socket_calls(self):
        # Every call on a closed socket does what stdlib's does: EBADF for
        # the calls that reach the OS, and the same results for the rest.
        calls = {
            'send': lambda s, m: s.send(b'x'), 'recv': lambda s, m: s.recv(1),
            'bind': lambda s, m: s.bind(('127.0.0.1', 0)),
            'getsockname': lambda s, m: s.getsockname(),
            'listen': lambda s, m: s.listen(),
            'connect': lambda s, m: s.connect(('127.0.0.1', 9)),
            'shutdown': lambda s, m: s.shutdown(m.SHUT_RDWR),
            'settimeout': lambda s, m: s.settimeout(5),
            'gettimeout after settimeout': lambda s, m: s.gettimeout(),
            'setblocking': lambda s, m: s.setblocking(True),
            'getsockopt': lambda s, m: s.getsockopt(m.SOL_SOCKET, m.SO_TYPE),
            'setsockopt': lambda s, m: s.setsockopt(m.SOL_SOCKET, m.SO_REUSEADDR, 1),
            'fileno': lambda s, m: s.fileno(),
            'close again': lambda s, m: s.close(),
        }
        def outcome(mod, call):
            s = mod.socket()
            s.close()
            if call is calls['gettimeout after settimeout']:
                try:
                    s.settimeout(5)
                except OSError:
                    pass
            try:
                return ('returned', call(s, mod))
            except OSError as e:
                return (type(e), e.errno)
        for name, call in calls.items():
            with self.subTest(name):
                self.assertEqual(outcome(libsock, call), outcome(stdsock, call))
        self.assertEqual(outcome(libsock, calls['send']), (OSError, errno.EBADF))


class UdpTest(TestCase):
    def test_udp_sendto_recvfrom(self):
        for name, fam, host in _families():
            with self.subTest(name):
                a = libsock.socket(fam, libsock.SOCK_DGRAM)
                b = libsock.socket(fam, libsock.SOCK_DGRAM)
                with a, b:
                    a.settimeout(TIMEOUT)
                    b.settimeout(TIMEOUT)
                    a.bind((host, 0))
                    b.bind((host, 0))
                    self.assertEqual(b.sendto(b'ping', a.getsockname()), 4)
                    data, addr = a.recvfrom(100)
                    self.assertEqual(data, b'ping')
                    self.assertEqual(addr, b.getsockname())
                    self.assertEqual(a.sendto(b'pong', 0, addr), 4)
                    buf = bytearray(10)
                    n, addr2 = b.recvfrom_into(buf)
                    self.assertEqual((n, bytes(buf[:n]), addr2), (4, b'pong', a.getsockname()))

    def test_udp_connected_and_truncation(self):
        a = libsock.socket(libsock.AF_INET, libsock.SOCK_DGRAM)
        b = libsock.socket(libsock.AF_INET, libsock.SOCK_DGRAM)
        with a, b:
            a.settimeout(TIMEOUT)
            a.bind(('127.0.0.1', 0))
            b.connect(a.getsockname())
            b.send(b'0123456789')
            # stdlib on POSIX truncates a long datagram silently.
            if os.name != 'nt':
                self.assertEqual(a.recv(4), b'0123')
            b.send(b'xy')
            self.assertEqual(a.recv(10), b'xy')


@unittest.skipUnless(HAS_UNIX, 'no AF_UNIX')
class UnixTest(UnixPathMixin, TestCase):
    def test_unix_stream(self):
        path = self.unix_path()
        srv = ServerThread(lambda conn, addr: (conn.sendall(b'unix:' + recv_exactly(conn, 3)), addr)[1],
                           libsock.AF_UNIX, path)
        srv.start()
        self.assertEqual(srv.address, path)
        with libsock.socket(libsock.AF_UNIX, libsock.SOCK_STREAM) as c:
            c.settimeout(TIMEOUT)
            c.connect(path)
            self.assertEqual(c.getpeername(), path)
            self.assertEqual(c.getsockname(), '')
            c.sendall(b'abc')
            self.assertEqual(recv_exactly(c, 8), b'unix:abc')
        self.assertEqual(srv.join_checked(self), '')

    def test_unix_dgram_bytes_path(self):
        path = self.unix_path()
        a = libsock.socket(libsock.AF_UNIX, libsock.SOCK_DGRAM)
        b = libsock.socket(libsock.AF_UNIX, libsock.SOCK_DGRAM)
        with a, b:
            a.bind(os.fsencode(path))
            self.assertEqual(a.getsockname(), path)
            b.sendto(b'd', path)
            data, addr = a.recvfrom(10)
            self.assertEqual(data, b'd')
            # An unnamed sender: what stdlib reports on this kernel ('' or None).
            self.assertEqual(addr, self.stdlib_unnamed_peer())

    def stdlib_unnamed_peer(self):
        path = self.unix_path()
        a = stdsock.socket(stdsock.AF_UNIX, stdsock.SOCK_DGRAM)
        b = stdsock.socket(stdsock.AF_UNIX, stdsock.SOCK_DGRAM)
        with a, b:
            a.bind(path)
            b.sendto(b'd', path)
            return a.recvfrom(10)[1]

    @unittest.skipUnless(os.uname().sysname == 'Linux' if hasattr(os, 'uname') else False,
                         'abstract names are Linux-only')
    def test_unix_abstract(self):
        name = b'\0libsock-test-%d' % os.getpid()
        with libsock.socket(libsock.AF_UNIX) as s:
            s.bind(name)
            self.assertEqual(s.getsockname(), name)

    def test_socketpair(self):
        a, b = libsock.socketpair()
        with a, b:
            self.assertEqual(a.family, libsock.AF_UNIX)
            a.sendall(b'pair')
            self.assertEqual(b.recv(4), b'pair')


class TimeoutTest(TestCase):
    def test_settimeout_values(self):
        with libsock.socket() as s:
            s.settimeout(1.5)
            self.assertEqual(s.gettimeout(), 1.5)
            self.assertEqual(s.timeout, 1.5)
            self.assertTrue(s.getblocking())
            s.settimeout(0)
            self.assertEqual(s.gettimeout(), 0.0)
            self.assertFalse(s.getblocking())
            s.settimeout(None)
            self.assertIsNone(s.gettimeout())
            s.setblocking(False)
            self.assertEqual(s.gettimeout(), 0.0)
            s.setblocking(True)
            self.assertIsNone(s.gettimeout())
            s.settimeout(0.0001)  # sub-millisecond: still a timeout, not non-blocking
            self.assertEqual(s.gettimeout(), 0.0001)
            for bad, exc in ((-1, ValueError), ('1', TypeError), (float('nan'), ValueError)):
                with self.assertRaises(exc):
                    s.settimeout(bad)

    def test_default_timeout(self):
        libsock.setdefaulttimeout(2.5)
        self.assertEqual(libsock.getdefaulttimeout(), 2.5)
        with libsock.socket() as s:
            self.assertEqual(s.gettimeout(), 2.5)
        libsock.setdefaulttimeout(None)
        with libsock.socket() as s:
            self.assertIsNone(s.gettimeout())
        with self.assertRaises(ValueError):
            libsock.setdefaulttimeout(-1)

    def test_recv_times_out(self):
        a, b = libsock.socketpair()
        with a, b:
            a.settimeout(0.05)
            with self.assertRaises(TimeoutError) as cm:
                a.recv(1)
            self.assertIs(type(cm.exception), TimeoutError)
            self.assertEqual(str(cm.exception), 'timed out')
            self.assertIsInstance(cm.exception, libsock.timeout)

    def test_accept_times_out(self):
        with libsock.socket() as s:
            s.bind(('127.0.0.1', 0))
            s.listen()
            s.settimeout(0.05)
            with self.assertRaises(libsock.timeout):
                s.accept()

    def test_nonblocking(self):
        a, b = libsock.socketpair()
        with a, b:
            a.setblocking(False)
            with self.assertRaises(BlockingIOError):
                a.recv(1)
            b.send(b'z')
            self.assertEqual(a.recv(1), b'z')


if __name__ == '__main__':
    unittest.main()
