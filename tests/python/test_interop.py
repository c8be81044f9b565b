"""fileno() is the real OS handle: select, selectors and asyncio take libsock
sockets; socketserver, http.server, http.client and urllib run on libsock
through `python -m libsock`."""
import asyncio
import os
import select
import selectors
import tempfile
import textwrap
import unittest

import libsock
from lsp_testutil import TIMEOUT, TestCase, run_python


class SelectTest(TestCase):
    def test_select(self):
        a, b = libsock.socketpair()
        with a, b:
            r, w, x = select.select([a], [], [], 0)
            self.assertEqual(r, [])
            b.send(b'x')
            r, w, x = select.select([a, b], [b], [], TIMEOUT)
            self.assertEqual(r, [a])
            self.assertEqual(w, [b])

    def test_selectors(self):
        a, b = libsock.socketpair()
        with a, b, selectors.DefaultSelector() as sel:
            sel.register(a, selectors.EVENT_READ, 'a')
            self.assertEqual(sel.select(0), [])
            b.send(b'y')
            events = sel.select(TIMEOUT)
            self.assertEqual([(k.fileobj, k.data, ev) for k, ev in events],
                             [(a, 'a', selectors.EVENT_READ)])
            self.assertEqual(a.recv(1), b'y')


class AsyncioTest(TestCase):
    def test_loop_sock_calls(self):
        async def main():
            loop = asyncio.get_running_loop()
            srv = libsock.socket()
            srv.bind(('127.0.0.1', 0))
            srv.listen()
            srv.setblocking(False)
            cli = libsock.socket()
            cli.setblocking(False)
            with srv, cli:
                accept = asyncio.ensure_future(loop.sock_accept(srv))
                await asyncio.wait_for(loop.sock_connect(cli, srv.getsockname()), TIMEOUT)
                conn, addr = await asyncio.wait_for(accept, TIMEOUT)
                with conn:
                    self.assertIsInstance(conn, libsock.socket)
                    self.assertEqual(addr, cli.getsockname())
                    await loop.sock_sendall(cli, b'async hello')
                    data = await asyncio.wait_for(loop.sock_recv(conn, 5), TIMEOUT)
                    buf = bytearray(16)
                    n = await asyncio.wait_for(loop.sock_recv_into(conn, buf), TIMEOUT)
                    return data + bytes(buf[:n])

        got = asyncio.run(main())
        self.assertIn(got, (b'async hello',))

    def test_open_connection_on_libsock_socket(self):
        async def main():
            srv = libsock.create_server(('127.0.0.1', 0))
            srv.setblocking(False)

            async def handle(reader, writer):
                line = await reader.readline()
                writer.write(line[::-1])
                await writer.drain()
                writer.close()

            server = await asyncio.start_server(handle, sock=srv)
            async with server:
                sock = libsock.create_connection(srv.getsockname(), timeout=TIMEOUT)
                sock.setblocking(False)
                reader, writer = await asyncio.open_connection(sock=sock)
                writer.write(b'abc\n')
                data = await asyncio.wait_for(reader.read(), TIMEOUT)
                writer.close()
                return data

        self.assertEqual(asyncio.run(main()), b'\ncba')


SERVERS_SCRIPT = r'''
import http.client, http.server, socket, socketserver, sys, threading, urllib.request
import libsock
threading.excepthook = lambda args: (print('THREAD ERROR', args.exc_value, flush=True), sys.exit(1))
assert socket is libsock and socket.socket is libsock.socket

class Echo(socketserver.StreamRequestHandler):
    def handle(self):
        self.wfile.write(b'echo:' + self.rfile.readline())

with socketserver.ThreadingTCPServer(('127.0.0.1', 0), Echo) as srv:
    assert type(srv.socket) is libsock.socket
    t = threading.Thread(target=srv.serve_forever, kwargs={'poll_interval': 0.05})
    t.start()
    with socket.create_connection(srv.server_address, timeout=10) as c:
        c.sendall(b'line\n')
        f = c.makefile('rb')
        print('SOCKETSERVER', f.readline().decode().strip())
        f.close()
    srv.shutdown()
    t.join()

class Hello(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = ('hello ' + self.path).encode()
        self.send_response(200)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass

httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Hello)
assert type(httpd.socket) is libsock.socket
t = threading.Thread(target=httpd.serve_forever, kwargs={'poll_interval': 0.05})
t.start()
port = httpd.server_address[1]
conn = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
conn.request('GET', '/client')
assert type(conn.sock) is libsock.socket
r = conn.getresponse()
print('HTTPCLIENT', r.status, r.read().decode())
conn.close()
with urllib.request.urlopen('http://127.0.0.1:%d/urllib' % port, timeout=10) as r:
    print('URLLIB', r.status, r.read().decode())
httpd.shutdown()
t.join()
httpd.server_close()
stats = libsock._libsock._stats()
print('ACCEPTED', stats['accepted'])
'''


class StdlibServersTest(TestCase):
    def test_socketserver_http_server_client_urllib(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, 'servers.py')
            with open(path, 'w') as f:
                f.write(SERVERS_SCRIPT)
            r = run_python(['-m', 'libsock', path], timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.splitlines()
        self.assertIn('SOCKETSERVER echo:line', lines)
        self.assertIn('HTTPCLIENT 200 hello /client', lines)
        self.assertIn('URLLIB 200 hello /urllib', lines)
        self.assertIn('ACCEPTED 3', lines)


if __name__ == '__main__':
    unittest.main()
