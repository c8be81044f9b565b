"""Module-level names of libsock against stdlib's socket module."""
import errno
import socket as stdsock
import _socket
import unittest

import libsock
from lsp_testutil import HAS_IPV6, TIMEOUT, ServerThread, TestCase


class ConstantsTest(unittest.TestCase):
    def test_constants_have_stdlib_names_and_values(self):
        names = [n for n in dir(_socket) if n.isupper() and isinstance(getattr(_socket, n), int)]
        self.assertGreater(len(names), 50)
        for n in names:
            self.assertEqual(getattr(libsock, n), getattr(stdsock, n), n)

    def test_enums(self):
        self.assertIsInstance(libsock.AF_INET, libsock.AddressFamily)
        self.assertIsInstance(libsock.SOCK_DGRAM, libsock.SocketKind)
        self.assertIsInstance(libsock.MSG_PEEK, libsock.MsgFlag)
        self.assertIsInstance(libsock.AI_PASSIVE, libsock.AddressInfo)
        self.assertEqual(libsock.AF_INET6.name, 'AF_INET6')

    def test_exception_names(self):
        self.assertIs(libsock.error, OSError)
        self.assertIs(libsock.timeout, TimeoutError)
        self.assertIs(libsock.gaierror, stdsock.gaierror)
        self.assertIs(libsock.herror, stdsock.herror)
        self.assertTrue(issubclass(libsock.gaierror, OSError))

    def test_has_ipv6(self):
        self.assertIs(libsock.has_ipv6, True)

    def test_every_stdlib_name(self):
        # Every public name of stdlib's socket module exists here too, but
        # _socket's C API capsule (python.md).
        absent = {'CAPI'}
        missing = [n for n in dir(stdsock)
                   if not n.startswith('_') and n not in absent and not hasattr(libsock, n)]
        self.assertEqual(missing, [])
        self.assertEqual(libsock.AF_DECnet, stdsock.AF_DECnet)
        self.assertIs(libsock.errno, stdsock.errno)
        self.assertEqual(sorted(set(stdsock.__all__) - set(libsock.__all__) - absent), [])

    def test_close_fd(self):
        s = libsock.socket()
        fd = s.detach()
        libsock.close(fd)
        with self.assertRaises(OSError) as cm:
            libsock.close(fd)  # closed already
        self.assertEqual(cm.exception.errno, errno.EBADF)

    def test_all(self):
        for n in ('socket', 'create_connection', 'create_server', 'getaddrinfo',
                  'getnameinfo', 'gethostname', 'gethostbyname', 'inet_pton',
                  'inet_ntop', 'inet_aton', 'inet_ntoa', 'htons', 'ntohs', 'htonl',
                  'ntohl', 'socketpair', 'getdefaulttimeout', 'setdefaulttimeout',
                  'has_ipv6', 'error', 'timeout', 'gaierror', 'herror', 'AF_INET'):
            self.assertIn(n, libsock.__all__)
            self.assertTrue(hasattr(libsock, n), n)


class ByteOrderTest(unittest.TestCase):
    def test_same_as_stdlib(self):
        for f in ('htons', 'ntohs', 'htonl', 'ntohl'):
            for v in (0, 1, 0x1234, 0xffff):
                self.assertEqual(getattr(libsock, f)(v), getattr(stdsock, f)(v), (f, v))
        for f in ('htonl', 'ntohl'):
            self.assertEqual(getattr(libsock, f)(0x12345678), getattr(stdsock, f)(0x12345678))

    def test_errors_as_stdlib(self):
        for f in ('htons', 'ntohs', 'htonl', 'ntohl'):
            for v in (-1, 70000, 2 ** 40, 1.0, 'x'):
                try:
                    expected = getattr(stdsock, f)(v)
                except Exception as e:  # noqa: BLE001 - compared below
                    with self.assertRaises(type(e), msg=(f, v)):
                        getattr(libsock, f)(v)
                else:
                    self.assertEqual(getattr(libsock, f)(v), expected)


class AddressTextTest(unittest.TestCase):
    def test_inet_pton_ntop(self):
        for fam, text in ((libsock.AF_INET, '192.0.2.1'), (libsock.AF_INET, '0.0.0.0'),
                          (libsock.AF_INET6, '::1'), (libsock.AF_INET6, '2001:db8::ff00:42:8329'),
                          (libsock.AF_INET6, '::ffff:192.0.2.128'), (libsock.AF_INET6, 'fe80::1')):
            packed = libsock.inet_pton(fam, text)
            self.assertEqual(packed, stdsock.inet_pton(fam, text))
            self.assertEqual(libsock.inet_ntop(fam, packed), stdsock.inet_ntop(fam, packed))
            self.assertEqual(libsock.inet_ntop(fam, bytearray(packed)), stdsock.inet_ntop(fam, packed))

    def test_inet_ntop_ipv6_forms(self):
        # stdlib's text is the OS's inet_ntop: the IPv4-compatible and
        # IPv4-mapped forms, zero runs of every length and place.
        import random
        rng = random.Random(5952)
        samples = [bytes(12) + bytes([1, 2, 3, 4]), bytes(12) + bytes([0, 0, 0, 2]),
                   bytes(14) + b'\x0f\xf1', bytes(10) + b'\xff\xff' + bytes(4),
                   bytes(10) + b'\xff\xff\x7f\x00\x00\x01', bytes(16), bytes(15) + b'\x01',
                   b'\x00\x01' + bytes(14), b'\xfe\x80' + bytes(13) + b'\x01']
        for _ in range(2000):
            words = [rng.choice((0, 0, 0, 1, 0xffff, rng.randrange(65536))) for _ in range(8)]
            samples.append(b''.join(w.to_bytes(2, 'big') for w in words))
        for packed in samples:
            text = stdsock.inet_ntop(stdsock.AF_INET6, packed)
            self.assertEqual(libsock.inet_ntop(libsock.AF_INET6, packed), text, packed.hex())
            self.assertEqual(libsock.inet_pton(libsock.AF_INET6, text), packed, text)

    def test_address_tuple_text(self):
        # Address tuples are stdlib's too: here through getaddrinfo.
        for host in ('::1.2.3.4', '::ffff:1.2.3.4', '2001:db8::1'):
            flags = libsock.AI_NUMERICHOST
            mine = libsock.getaddrinfo(host, 80, libsock.AF_INET6, libsock.SOCK_STREAM, 0, flags)
            theirs = stdsock.getaddrinfo(host, 80, stdsock.AF_INET6, stdsock.SOCK_STREAM, 0, flags)
            self.assertEqual([ai[4] for ai in mine], [ai[4] for ai in theirs])

    def test_inet_pton_errors(self):
        for fam, text in ((libsock.AF_INET, '1.2.3'), (libsock.AF_INET, '256.1.1.1'),
                          (libsock.AF_INET6, ':::'), (libsock.AF_INET, 'host')):
            with self.assertRaises(OSError):
                stdsock.inet_pton(fam, text)
            with self.assertRaises(OSError):
                libsock.inet_pton(fam, text)
        with self.assertRaises(TypeError):
            libsock.inet_pton(libsock.AF_INET, b'1.2.3.4')
        with self.assertRaises(ValueError):
            libsock.inet_ntop(libsock.AF_INET, b'123')
        with self.assertRaises(ValueError):
            libsock.inet_ntop(libsock.AF_INET6, b'1234')

    def test_inet_aton_ntoa(self):
        for text in ('1.2.3.4', '127.1', '10.1.2', '0x7f.1', '255.255.255.255', '1'):
            self.assertEqual(libsock.inet_aton(text), stdsock.inet_aton(text), text)
        for bad in ('1.2.3.4.5', '256.1.1.1', 'x', ''):
            with self.assertRaises(OSError, msg=bad):
                stdsock.inet_aton(bad)
            with self.assertRaises(OSError, msg=bad):
                libsock.inet_aton(bad)
        self.assertEqual(libsock.inet_ntoa(b'\x7f\0\0\x01'), '127.0.0.1')
        with self.assertRaises(OSError):
            libsock.inet_ntoa(b'\x7f\0\0')

    def test_inet_aton_same_as_stdlib(self):
        # inet_aton(3)'s classic forms and its edge cases (octal 08, a bare
        # 0x, overflow, text after a space, C-locale spaces only), then
        # seeded random mixes of them: the result or the exception class
        # must be stdlib's.
        import random
        def outcome(mod, text):
            try:
                return mod.inet_aton(text)
            except Exception as e:  # noqa: BLE001 - compared below
                return type(e)
        fixed = ['00', '08', '0x', '0x.1', '1.', '1..2', '1 junk', '1\x0b', '1\x1c', '  1',
                 '1.0xff.0377.1', '4294967295', '4294967296', '0x100000000', '0-1', '0x+1',
                 '1_0', '\u0661', 'a\0b']
        rng = random.Random(4)
        toks = ['0', '1', '01', '0x', '0X1F', '255', '256', '4294967296', '.', ' ', 'a',
                '-1', '08', '9', '\t', '\x0b', '\x1c', '_']
        mixes = [''.join(rng.choice(toks) for _ in range(rng.randrange(9))) for _ in range(20000)]
        for text in fixed + mixes:
            self.assertEqual(outcome(libsock, text), outcome(stdsock, text), repr(text))


class ResolverTest(TestCase):
    def test_getaddrinfo_numeric(self):
        got = libsock.getaddrinfo('127.0.0.1', 80, libsock.AF_INET, libsock.SOCK_STREAM)
        want = stdsock.getaddrinfo('127.0.0.1', 80, stdsock.AF_INET, stdsock.SOCK_STREAM)
        self.assertEqual(got, want)
        fam, typ, proto, canon, sa = got[0]
        self.assertIs(fam, libsock.AF_INET)
        self.assertIs(typ, libsock.SOCK_STREAM)
        self.assertEqual(sa, ('127.0.0.1', 80))

    def test_getaddrinfo_localhost_and_service(self):
        got = libsock.getaddrinfo('localhost', 'http', libsock.AF_INET, libsock.SOCK_STREAM)
        self.assertIn(('127.0.0.1', 80), [g[4] for g in got])
        got = libsock.getaddrinfo(None, 0, libsock.AF_INET, libsock.SOCK_STREAM, 0,
                                  libsock.AI_PASSIVE)
        self.assertEqual(got[0][4], ('0.0.0.0', 0))
        if HAS_IPV6:
            got = libsock.getaddrinfo('::1', 443, libsock.AF_INET6, libsock.SOCK_STREAM)
            self.assertEqual(got[0][4], ('::1', 443, 0, 0))
            self.assertEqual(got, stdsock.getaddrinfo('::1', 443, stdsock.AF_INET6,
                                                      stdsock.SOCK_STREAM))

    def test_getaddrinfo_gaierror(self):
        with self.assertRaises(libsock.gaierror) as cm:
            libsock.getaddrinfo('not-a-number', 80, 0, 0, 0, libsock.AI_NUMERICHOST)
        with self.assertRaises(stdsock.gaierror) as cm2:
            stdsock.getaddrinfo('not-a-number', 80, 0, 0, 0, stdsock.AI_NUMERICHOST)
        self.assertEqual(cm.exception.errno, cm2.exception.errno)
        self.assertEqual(cm.exception.strerror, cm2.exception.strerror)
        with self.assertRaises(libsock.gaierror):
            libsock.getaddrinfo(None, None)
        with self.assertRaises(TypeError):
            libsock.getaddrinfo(123, 80)

    def test_getaddrinfo_host_argument(self):
        # str goes through the idna codec as in stdlib: an empty or over-long
        # label is a UnicodeError, a non-ASCII name is encoded; bytearray is
        # refused; bytes pass as they are; a NUL is refused, never cut.
        for host in ('.', 'a..b', 'x' * 64 + '.example'):
            with self.assertRaises(UnicodeError, msg=host):
                stdsock.getaddrinfo(host, 80, 0, 0, 0, stdsock.AI_NUMERICHOST)
            with self.assertRaises(UnicodeError, msg=host):
                libsock.getaddrinfo(host, 80, 0, 0, 0, libsock.AI_NUMERICHOST)
        with self.assertRaises(stdsock.gaierror):
            stdsock.getaddrinfo('b\u00fccher.invalid', 80, 0, 0, 0, stdsock.AI_NUMERICHOST)
        with self.assertRaises(libsock.gaierror):
            libsock.getaddrinfo('b\u00fccher.invalid', 80, 0, 0, 0, libsock.AI_NUMERICHOST)
        with self.assertRaises(TypeError):
            stdsock.getaddrinfo(bytearray(b'127.0.0.1'), 80)
        with self.assertRaises(TypeError):
            libsock.getaddrinfo(bytearray(b'127.0.0.1'), 80)
        self.assertEqual(libsock.getaddrinfo(b'127.0.0.1', 80, libsock.AF_INET)[0][4],
                         ('127.0.0.1', 80))
        with self.assertRaises(TypeError):
            libsock.getaddrinfo('127.0.0.1\0junk', 80)

    def test_getnameinfo(self):
        self.assertEqual(libsock.getnameinfo(('127.0.0.1', 80),
                                             libsock.NI_NUMERICHOST | libsock.NI_NUMERICSERV),
                         ('127.0.0.1', '80'))
        self.assertEqual(libsock.getnameinfo(('127.0.0.1', 80), libsock.NI_NUMERICHOST),
                         stdsock.getnameinfo(('127.0.0.1', 80), stdsock.NI_NUMERICHOST))
        with self.assertRaises(TypeError):
            libsock.getnameinfo('127.0.0.1', 0)
        with self.assertRaises(OverflowError):
            libsock.getnameinfo(('127.0.0.1', 70000), 0)

    def test_hostnames(self):
        self.assertEqual(libsock.gethostname(), stdsock.gethostname())
        self.assertEqual(libsock.gethostbyname('127.0.0.1'), '127.0.0.1')
        self.assertEqual(libsock.gethostbyname('localhost'), stdsock.gethostbyname('localhost'))
        self.assertEqual(libsock.gethostbyname(''), '0.0.0.0')
        self.assertIsInstance(libsock.getfqdn(), str)

    def test_host_lookups_like_stdlib(self):
        # Names from this host's own tables (/etc/hosts): no network.
        name, aliases, addrs = libsock.gethostbyname_ex('localhost')
        want = stdsock.gethostbyname_ex('localhost')
        self.assertEqual((name, addrs), (want[0], want[2]))
        self.assertEqual(aliases, [])  # libsock reports no aliases (python.md)
        got = libsock.gethostbyaddr('127.0.0.1')
        want = stdsock.gethostbyaddr('127.0.0.1')
        self.assertEqual((got[0], got[2]), (want[0], want[2]))
        self.assertEqual(libsock.getfqdn('127.0.0.1'), stdsock.getfqdn('127.0.0.1'))
        self.assertEqual(libsock.getfqdn('  localhost '), stdsock.getfqdn('  localhost '))
        # An address with no name: herror, as stdlib; getfqdn gives it back.
        with self.assertRaises(stdsock.herror):
            stdsock.gethostbyaddr('192.0.2.77')
        with self.assertRaises(libsock.herror):
            libsock.gethostbyaddr('192.0.2.77')
        self.assertEqual(libsock.getfqdn('192.0.2.77'), '192.0.2.77')
        with self.assertRaises(TypeError):
            libsock.gethostbyname(42)
        self.assertEqual(libsock.gethostbyname('<broadcast>'), '255.255.255.255')


class HelpersTest(TestCase):
    def test_create_connection_and_server(self):
        with libsock.create_server(('127.0.0.1', 0)) as srv:
            self.assertIsInstance(srv, libsock.socket)
            self.assertNotEqual(srv.getsockopt(libsock.SOL_SOCKET, libsock.SO_REUSEADDR), 0)
            port = srv.getsockname()[1]
            with libsock.create_connection(('localhost', port), timeout=TIMEOUT) as c:
                self.assertEqual(c.gettimeout(), TIMEOUT)
                conn, addr = srv.accept()
                with conn:
                    c.sendall(b'cc')
                    self.assertEqual(conn.recv(2), b'cc')
                    self.assertEqual(addr, c.getsockname())

    def test_create_server_ipv6_and_dualstack(self):
        if not HAS_IPV6:
            self.skipTest('no IPv6')
        with libsock.create_server(('::1', 0), family=libsock.AF_INET6) as srv:
            self.assertEqual(srv.getsockopt(libsock.IPPROTO_IPV6, libsock.IPV6_V6ONLY), 1)
        if libsock.has_dualstack_ipv6():
            with libsock.create_server(('', 0), family=libsock.AF_INET6,
                                       dualstack_ipv6=True) as srv:
                port = srv.getsockname()[1]
                with libsock.create_connection(('127.0.0.1', port), timeout=TIMEOUT):
                    conn, addr = srv.accept()
                    conn.close()
                    self.assertEqual(addr[0], '::ffff:127.0.0.1')

    def test_create_connection_refused(self):
        with libsock.socket() as probe:
            probe.bind(('127.0.0.1', 0))
            port = probe.getsockname()[1]
            with self.assertRaises(ConnectionRefusedError):
                libsock.create_connection(('127.0.0.1', port), timeout=TIMEOUT)

    def test_create_connection_options(self):
        with libsock.create_server(('127.0.0.1', 0), backlog=3) as srv:
            port = srv.getsockname()[1]
            # source_address binds the client first.
            with libsock.socket() as probe:
                probe.bind(('127.0.0.1', 0))
                src = probe.getsockname()
            with libsock.create_connection(('127.0.0.1', port), timeout=TIMEOUT,
                                           source_address=src) as c:
                self.assertEqual(c.getsockname(), src)
                conn, addr = srv.accept()
                conn.close()
                self.assertEqual(addr, src)
            # Without a timeout argument the default timeout applies.
            with libsock.create_connection(('127.0.0.1', port)) as c:
                self.assertIsNone(c.gettimeout())
                srv.accept()[0].close()
        # all_errors: every failure, as stdlib's ExceptionGroup.
        with libsock.socket() as probe:
            probe.bind(('127.0.0.1', 0))
            port = probe.getsockname()[1]
            with self.assertRaises(ExceptionGroup) as cm:
                libsock.create_connection(('127.0.0.1', port), timeout=TIMEOUT,
                                          all_errors=True)
            self.assertEqual(cm.exception.message, 'create_connection failed')
            self.assertIsInstance(cm.exception.exceptions[0], ConnectionRefusedError)

    def test_create_server_argument_errors(self):
        # stdlib's messages, checked against stdlib itself.
        for kwargs in ({'dualstack_ipv6': True},):  # AF_INET with dualstack
            with self.assertRaises(ValueError) as want:
                stdsock.create_server(('127.0.0.1', 0), **kwargs)
            with self.assertRaises(ValueError) as got:
                libsock.create_server(('127.0.0.1', 0), **kwargs)
            self.assertEqual(str(got.exception), str(want.exception))
        if hasattr(stdsock, 'SO_REUSEPORT'):
            with libsock.create_server(('127.0.0.1', 0), reuse_port=True) as a:
                self.assertNotEqual(a.getsockopt(libsock.SOL_SOCKET, libsock.SO_REUSEPORT), 0)
                with libsock.create_server(a.getsockname(), reuse_port=True) as b:
                    self.assertEqual(b.getsockname(), a.getsockname())

    def test_create_server_bind_error_message(self):
        with libsock.create_server(('127.0.0.1', 0)) as a:
            with self.assertRaises(OSError) as cm:
                libsock.create_server(a.getsockname())
            self.assertIn('while attempting to bind on address', str(cm.exception))

    def test_socketpair_types(self):
        a, b = libsock.socketpair(libsock.AF_UNIX, libsock.SOCK_DGRAM)
        with a, b:
            self.assertEqual(a.type, libsock.SOCK_DGRAM)
            a.send(b'one')
            a.send(b'two')
            self.assertEqual(b.recv(10), b'one')
        a, b = libsock.socketpair(libsock.AF_INET)
        with a, b:
            self.assertEqual(a.family, libsock.AF_INET)
            b.sendall(b'tcp pair')
            self.assertEqual(a.recv(8), b'tcp pair')

    def test_fromfd(self):
        a, b = libsock.socketpair()
        with a, b:
            c = libsock.fromfd(a.fileno(), libsock.AF_UNIX, libsock.SOCK_STREAM)
            with c:
                self.assertNotEqual(c.fileno(), a.fileno())
                c.sendall(b'f')
                self.assertEqual(b.recv(1), b'f')


if __name__ == '__main__':
    unittest.main()
