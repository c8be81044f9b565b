"""Monitoring from Python: libsock.stats(), sockets(), socket_stats(),
set_socket_name(), prometheus(), stats_json() (libsock/stats.h)."""
import json
import time
import unittest

import libsock


class TestStats(unittest.TestCase):
    def test_totals(self):
        before = libsock.stats()
        self.assertIsInstance(before, libsock.Stats)
        self.assertEqual(before._fields[:4], ('sockets_open', 'opened_total', 'closed_total',
                                              'accepted_total'))
        a, b = libsock.socketpair()
        a.sendall(b'x' * 1000)
        self.assertEqual(b.recv(2000), b'x' * 1000)
        mid = libsock.stats()
        self.assertEqual(mid.opened_total - before.opened_total, 2)
        self.assertEqual(mid.sockets_open - before.sockets_open, 2)
        self.assertGreaterEqual(mid.bytes_sent_total - before.bytes_sent_total, 1000)
        self.assertGreaterEqual(mid.bytes_received_total - before.bytes_received_total, 1000)
        self.assertGreaterEqual(mid.sends_total - before.sends_total, 1)
        a.close()
        b.close()
        after = libsock.stats()
        self.assertEqual(after.closed_total - mid.closed_total, 2)
        self.assertEqual(after.sockets_open, before.sockets_open)

    def test_accepted_and_sockets(self):
        t0 = time.time()
        with libsock.create_server(('127.0.0.1', 0)) as srv:
            libsock.set_socket_name(srv, 'listener')
            with libsock.create_connection(srv.getsockname()) as c:
                conn, peer = srv.accept()
                with conn:
                    libsock.set_socket_name(conn, 'served')
                    c.sendall(b'hello')
                    conn.recv(5)
                    infos = {i.name: i for i in libsock.sockets()}
                    self.assertIn('listener', infos)
                    lst, srvd = infos['listener'], infos['served']
                    self.assertEqual(lst.state, 'listening')
                    self.assertEqual(lst.family, libsock.AF_INET)
                    self.assertIs(lst.type, libsock.SOCK_STREAM)
                    self.assertEqual(lst.local, srv.getsockname())
                    self.assertIsNone(lst.peer)
                    self.assertEqual(lst.fileno, srv.fileno())
                    self.assertEqual(lst.handle, libsock._libsock._sock_handle(srv))
                    self.assertEqual(srvd.state, 'connected')
                    self.assertEqual(srvd.peer, peer)
                    self.assertEqual(srvd.local, conn.getsockname())
                    self.assertEqual((srvd.bytes_received, srvd.receives), (5, 1))
                    self.assertGreaterEqual(srvd.created, t0 - 1)
                    self.assertGreaterEqual(srvd.last_activity, srvd.created)
                    self.assertIsNone(lst.last_activity)
                    one = libsock.socket_stats(c)
                    self.assertEqual((one.bytes_sent, one.sends, one.name), (5, 1, ''))
                    self.assertEqual(one.peer, srv.getsockname())
        self.assertNotIn('listener', [i.name for i in libsock.sockets()])

    def test_names(self):
        with libsock.socket(libsock.AF_INET6, libsock.SOCK_DGRAM) as s:
            libsock.set_socket_name(s, 'dns')
            self.assertEqual(libsock.socket_stats(s).name, 'dns')
            self.assertIs(libsock.socket_stats(s).type, libsock.SOCK_DGRAM)
            libsock.set_socket_name(s, None)
            self.assertEqual(libsock.socket_stats(s).name, '')
            libsock.set_socket_name(s, 'é' * 31)  # 62 bytes of UTF-8
            self.assertEqual(libsock.socket_stats(s).name, 'é' * 31)
            with self.assertRaises(ValueError):
                libsock.set_socket_name(s, 'x' * 64)
            with self.assertRaises(TypeError):
                libsock.set_socket_name(s, b'bytes')
        with self.assertRaises(OSError):
            libsock.set_socket_name(s, 'closed')
        with self.assertRaises(TypeError):
            libsock.socket_stats(object())

    def test_class_unchanged(self):
        # Monitoring is module functions: the socket class keeps stdlib's names.
        for name in ('set_name', 'stats', 'set_socket_name'):
            self.assertFalse(hasattr(libsock.socket, name))

    def test_exports(self):
        with libsock.socket() as s:
            libsock.set_socket_name(s, 'exported')
            text = libsock.prometheus()
            for metric in ('libsock_sockets_open', 'libsock_accepted_total',
                           'libsock_bytes_sent_total', 'libsock_bytes_received_total'):
                self.assertIn(f'\n{metric} ', '\n' + text)
            self.assertIn('exported', text)
            doc = json.loads(libsock.stats_json())
            self.assertEqual(doc['sockets_open'], libsock.stats().sockets_open)
            self.assertIn('exported', libsock.stats_json())


if __name__ == '__main__':
    unittest.main()
