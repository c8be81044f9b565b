"""No needless copies: any bytes-like object in, the caller's buffer filled in
place by recv_into, and a buffer pinned while the GIL is released."""
import array
import threading
import time
import unittest

import libsock
from lsp_testutil import TIMEOUT, TestCase


class BufferTest(TestCase):
    def setUp(self):
        super().setUp()
        self.a, self.b = libsock.socketpair()
        self.a.settimeout(TIMEOUT)
        self.b.settimeout(TIMEOUT)

    def tearDown(self):
        self.a.close()
        self.b.close()
        super().tearDown()

    def test_send_any_bytes_like(self):
        payloads = [b'bytes', bytearray(b'bytearray'), memoryview(b'memoryview'),
                    memoryview(b'--slice--')[2:7], array.array('B', b'array'),
                    memoryview(array.array('i', [1, 2]))]
        for p in payloads:
            with self.subTest(type=type(p).__name__):
                want = bytes(p)
                self.assertEqual(self.a.send(p), len(want))
                self.assertEqual(self.b.recv(100), want)
                self.a.sendall(p)
                self.assertEqual(self.b.recv(100), want)

    def test_sendto_any_bytes_like(self):
        u = libsock.socket(libsock.AF_INET, libsock.SOCK_DGRAM)
        v = libsock.socket(libsock.AF_INET, libsock.SOCK_DGRAM)
        with u, v:
            u.bind(('127.0.0.1', 0))
            v.settimeout(TIMEOUT)
            u.settimeout(TIMEOUT)
            for p in (b'b', bytearray(b'ba'), memoryview(b'mv')):
                v.sendto(p, u.getsockname())
                self.assertEqual(u.recv(10), bytes(p))

    def test_send_rejects_str_and_non_contiguous(self):
        with self.assertRaises(TypeError):
            self.a.send('str')
        with self.assertRaises((TypeError, BufferError)):
            self.a.send(memoryview(b'abcdef')[::2])

    def test_recv_returns_exact_bytes(self):
        self.a.send(b'xy')
        data = self.b.recv(1000)
        self.assertIs(type(data), bytes)
        self.assertEqual(data, b'xy')
        self.assertEqual(self.b.recv(0), b'')

    def test_recv_into_each_buffer_type(self):
        targets = [bytearray(8), memoryview(bytearray(8)), array.array('B', bytes(8))]
        for t in targets:
            with self.subTest(type=type(t).__name__):
                self.a.send(b'abc')
                self.assertEqual(self.b.recv_into(t), 3)
                self.assertEqual(bytes(t[:3]), b'abc')
        # into a slice of a larger buffer, with nbytes: the caller's memory
        big = bytearray(b'.' * 10)
        self.a.send(b'XYZW')
        self.assertEqual(self.b.recv_into(memoryview(big)[4:], 2), 2)
        self.assertEqual(big, bytearray(b'....XY....'))
        self.assertEqual(self.b.recv(10), b'ZW')

    def test_recv_into_rejects_readonly(self):
        for ro in (b'readonly', memoryview(b'readonly')):
            with self.assertRaises(TypeError):
                self.b.recv_into(ro)

    def test_recvfrom_into(self):
        buf = bytearray(4)
        self.a.send(b'12345')
        n, addr = self.b.recvfrom_into(buf)
        self.assertEqual((n, buf), (4, bytearray(b'1234')))

    def test_large_transfer(self):
        data = bytes(range(256)) * 4096  # 1 MiB
        t = threading.Thread(target=self.a.sendall, args=(memoryview(data),))
        t.start()
        buf = bytearray(len(data))
        view = memoryview(buf)
        got = 0
        while got < len(data):
            n = self.b.recv_into(view[got:])
            self.assertGreater(n, 0)
            got += n
        t.join(TIMEOUT)
        self.assertEqual(buf, data)

    def test_buffer_pinned_while_blocked(self):
        # While recv_into waits (GIL released), the bytearray must stay
        # pinned: resizing it raises BufferError. The main thread running at
        # all while the other blocks also shows the GIL is released.
        buf = bytearray(16)
        result = {}
        t = threading.Thread(target=lambda: result.setdefault('n', self.b.recv_into(buf)))
        t.start()
        pinned = False
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            try:
                buf.extend(b'!')
                del buf[-1]
            except BufferError:
                pinned = True
                break
            time.sleep(0.001)
        self.assertTrue(pinned, 'the buffer was never pinned')
        self.a.send(b'pinned')
        t.join(TIMEOUT)
        self.assertFalse(t.is_alive())
        self.assertEqual(result['n'], 6)
        self.assertEqual(bytes(buf[:6]), b'pinned')
        buf.extend(b'!')  # released afterwards
        self.assertEqual(len(buf), 17)


if __name__ == '__main__':
    unittest.main()
