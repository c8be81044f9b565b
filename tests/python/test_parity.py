"""libsock.socket against stdlib's socket.socket: the same names, no binding
artefacts, the same close semantics and the same argument errors."""
import errno
import os
import socket as stdsock
import tempfile
import unittest

import libsock
from lsp_testutil import TestCase

# What SWIG's runtime used to put on every wrapped object.
SWIG_ARTEFACTS = ('this', 'thisown', 'own', 'disown', 'acquire', 'append', 'next', '__int__',
                  '__dict__')


def outcome(call):
    try:
        call()
    except BaseException as e:  # noqa: B902 - compared with stdlib's
        return type(e).__name__, str(e)
    return None


class NamesTest(TestCase):
    def test_dir_is_stdlib_dir(self):
        self.assertEqual(sorted(dir(libsock.socket)), sorted(dir(stdsock.socket)))

    def test_instance_dir_is_stdlib_dir(self):
        with libsock.socket() as a, stdsock.socket() as b:
            self.assertEqual(sorted(dir(a)), sorted(dir(b)))

    def test_no_swig_artefacts(self):
        with libsock.socket() as s:
            for name in SWIG_ARTEFACTS:
                with self.subTest(name=name):
                    self.assertFalse(hasattr(s, name))
                    # A class's own __dict__ (its namespace) is every class's.
                    self.assertEqual(hasattr(libsock.socket, name), hasattr(stdsock.socket, name))

    def test_int_refused_as_stdlib(self):
        with libsock.socket() as a, stdsock.socket() as b:
            self.assertEqual(outcome(lambda: int(a)), outcome(lambda: int(b)))
            self.assertEqual(outcome(lambda: int(a))[0], 'TypeError')

    def test_no_arbitrary_attributes(self):
        with libsock.socket() as a, stdsock.socket() as b:
            def set_on(s):
                return lambda: setattr(s, 'foo', 1)
            self.assertEqual(outcome(set_on(a)), outcome(set_on(b)))

    def test_sendfile_helpers(self):
        a, b = libsock.socketpair()
        with a, b, tempfile.TemporaryFile() as f:
            f.write(b'sendfile data')
            f.seek(0)
            self.assertEqual(a._sendfile_use_send(f, 0, None), 13)
            self.assertEqual(b.recv(20), b'sendfile data')
            with self.assertRaises(libsock._GiveupOnSendfile):
                a._sendfile_use_sendfile(f)
            self.assertIs(libsock._GiveupOnSendfile, stdsock._GiveupOnSendfile)

    @unittest.skipUnless(hasattr(stdsock.socket, 'sendmsg_afalg'), 'no AF_ALG in stdlib here')
    def test_sendmsg_afalg_refused(self):
        with libsock.socket() as s:
            with self.assertRaises(OSError) as cm:
                s.sendmsg_afalg([b'x'], op=0)
            self.assertEqual(cm.exception.errno, errno.EOPNOTSUPP)
            with self.assertRaises(TypeError):
                s.sendmsg_afalg([b'x'])  # op is required, as in stdlib


class CloseTest(TestCase):
    def test_close_after_fd_closed_behind_its_back(self):
        for mod in (stdsock, libsock):
            with self.subTest(mod=mod.__name__):
                s = mod.socket()
                os.close(s.fileno())
                with self.assertRaises(OSError) as cm:
                    s.close()
                self.assertEqual(cm.exception.errno, errno.EBADF)
                self.assertEqual(s.fileno(), -1)
                s.close()  # a second close is quiet, as in stdlib

    def test_module_close_bad_fd(self):
        r, w = os.pipe()
        os.close(r)
        os.close(w)
        for fd in (r, -1):
            for mod in (stdsock, libsock):
                with self.subTest(fd=fd, mod=mod.__name__):
                    with self.assertRaises(OSError) as cm:
                        mod.close(fd)
                    self.assertEqual(cm.exception.errno, errno.EBADF)

    def test_module_close_closes(self):
        s = stdsock.socket()
        fd = s.detach()
        libsock.close(fd)
        with self.assertRaises(OSError):
            os.fstat(fd)
        if os.name == 'posix':
            r, w = os.pipe()  # stdlib closes any descriptor
            libsock.close(r)
            with self.assertRaises(OSError):
                os.fstat(r)
            os.close(w)


class ArgumentErrorTest(TestCase):
    CALLS = [
        ('send', ()), ('send', (b'x', 0, 1)), ('send', ('text',)), ('send', (b'x', 1.5)),
        ('sendall', ()), ('sendall', (b'x', 0, 1)),
        ('sendto', ()), ('sendto', (b'x',)), ('sendto', (b'x', 0, ('127.0.0.1', 9), 1)),
        ('sendto', (b'x', 'f', ('127.0.0.1', 9))), ('sendto', (b'x', 5)),
        ('recv', ()), ('recv', (1, 0, 2)), ('recv', (1.5,)), ('recv', (-1,)),
        ('recvfrom', ()), ('recvfrom', (1, 0, 2)), ('recvfrom', (-1,)),
        ('recv_into', ()), ('recv_into', (b'ro',)), ('recv_into', (bytearray(1), 2)),
        ('recv_into', (bytearray(1), -1)), ('recvfrom_into', ()),
        ('recvfrom_into', (bytearray(1), 1, 0, 1)), ('recvfrom_into', (bytearray(1), 5)),
        ('setsockopt', ()), ('setsockopt', (1,)), ('setsockopt', (1, 2, 3, 4, 5)),
        ('setsockopt', (1, 2, 'x')), ('setsockopt', (1, 2, 2 ** 40)), ('setsockopt', (1, 2, 3, 4)),
        ('setsockopt', (1, 2, None)), ('getsockopt', ()), ('getsockopt', (1,)),
        ('getsockopt', (1, 2, 3, 4)), ('getsockopt', (1, 2, 'x')),
        ('listen', (1, 2)), ('listen', ('a',)), ('bind', ()), ('bind', (1, 2)), ('connect', ()),
        ('connect_ex', ()), ('shutdown', ()), ('shutdown', ('x',)), ('settimeout', ()),
        ('gettimeout', (1,)), ('setblocking', ()), ('getblocking', (1,)), ('fileno', (1,)),
        ('close', (1,)), ('detach', (1,)), ('getsockname', (1,)), ('getpeername', (1,)),
        ('accept', (1,)), ('dup', (1,)),
        ('sendmsg', ()), ('recvmsg', ()), ('recvmsg', (1, 2, 3, 4)), ('recvmsg_into', ()),
    ]

    def run_calls(self, mod):
        out = []
        with mod.socket(mod.AF_INET, mod.SOCK_DGRAM) as s:
            s.setblocking(False)
            for name, args in self.CALLS:
                out.append(outcome(lambda: getattr(s, name)(*args)))
        return out

    def test_same_errors_and_wording(self):
        want = self.run_calls(stdsock)
        got = self.run_calls(libsock)
        for (name, args), w, g in zip(self.CALLS, want, got):
            with self.subTest(call=name, args=args):
                self.assertEqual(g, w)

    def test_keywords_as_stdlib(self):
        for mod in (stdsock, libsock):
            with self.subTest(mod=mod.__name__):
                a, b = mod.socketpair()
                with a, b:
                    b.send(b'kw')
                    buf = bytearray(4)
                    self.assertEqual(a.recv_into(buffer=buf, nbytes=2), 2)
                    b.send(b'kw')
                    self.assertEqual(a.recvfrom_into(buf, flags=0)[0], 2)
                    with self.assertRaisesRegex(TypeError, 'keyword'):
                        a.recv(bufsize=1)
                    with self.assertRaisesRegex(TypeError, 'keyword'):
                        a.send(data=b'x')


if __name__ == '__main__':
    unittest.main()
