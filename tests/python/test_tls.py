"""TLS with stdlib's ssl over libsock sockets (libsock/_tls.py).

Certificates are made by the run (lsp_tlsutil, the openssl command). Most
cases run the same scenario on stdlib sockets and on libsock sockets and
compare what a program sees.
"""
import asyncio
import os
import select
import selectors
import signal
import socket as stdsock
import ssl
import subprocess
import sys
import threading
import time
import unittest
import urllib.request
import http.server

import libsock
import libsock.selectors

import lsp_tlsutil

HERE = os.path.dirname(os.path.abspath(__file__))
HAVE_OPENSSL = lsp_tlsutil.OPENSSL is not None


def certs():
    return lsp_tlsutil.certs()


def sctx(cert=None, alpn=None):
    ctx = lsp_tlsutil.server_context(ssl, cert)
    if alpn:
        ctx.set_alpn_protocols(alpn)
    return ctx


def cctx(ca=None, alpn=None):
    ctx = lsp_tlsutil.client_context(ssl, ca)
    if alpn:
        ctx.set_alpn_protocols(alpn)
    return ctx


class Peer:
    """A server thread: accepts one connection on a listener of module mod,
    wraps it server side with ctx, runs fn(sslsock) and keeps what it
    returns or raises."""

    def __init__(self, mod, fn, ctx=None, wrap=True, sigblock=False, **wrap_kw):
        self.listener = mod.create_server(('127.0.0.1', 0))
        self.port = self.listener.getsockname()[1]
        self.result = self.error = None
        self.ctx = ctx or sctx()

        def run():
            if sigblock:
                # The kernel then delivers SIGALRM to the main thread, the
                # one whose blocking call the test interrupts.
                signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGALRM])
            try:
                conn, _ = self.listener.accept()
                conn.settimeout(20)
                if wrap:
                    conn = self.ctx.wrap_socket(conn, server_side=True, **wrap_kw)
                with conn:
                    self.result = fn(conn)
            except BaseException as exc:
                self.error = exc

        self.thread = threading.Thread(target=run)
        self.thread.start()

    def join(self):
        self.thread.join(30)
        self.listener.close()
        return self


def echo(s):
    while True:
        d = s.recv(65536)
        if not d:
            return
        s.sendall(d)


def connect(mod, port, ctx=None, hostname='localhost', timeout=20, **kw):
    raw = mod.create_connection(('127.0.0.1', port), timeout=timeout)
    return (ctx or cctx()).wrap_socket(raw, server_hostname=hostname, **kw)


MODS = (('stdlib', stdsock), ('libsock', libsock))


@unittest.skipUnless(HAVE_OPENSSL, "no openssl command to make certificates")
class TestRoute(unittest.TestCase):
    def test_bytes_go_through_libsock(self):
        before = libsock.stats()
        peer = Peer(libsock, echo)
        with connect(libsock, peer.port) as s:
            self.assertIsInstance(s, libsock.socket)
            self.assertIsInstance(s, ssl.SSLSocket if issubclass(ssl.SSLSocket, libsock.socket)
                                  else libsock.socket)
            self.assertTrue(repr(s).startswith('<ssl.SSLSocket fd='), repr(s))
            libsock.set_socket_name(s, 'tls-client')
            data = os.urandom(1 << 20)
            t = threading.Thread(target=s.sendall, args=(data,))
            t.start()
            got = bytearray()
            while len(got) < len(data):
                got += s.recv(65536)
            t.join()
            self.assertEqual(bytes(got), data)
            info = libsock.socket_stats(s)
            self.assertEqual(info.name, 'tls-client')
            self.assertEqual(info.state, 'connected')
            # The TLS records, larger than the data, went through libsock.
            self.assertGreater(info.bytes_sent, len(data))
            self.assertGreater(info.bytes_received, len(data))
            self.assertIn('tls-client', [i.name for i in libsock.sockets()])
        peer.join()
        self.assertIsNone(peer.error)
        after = libsock.stats()
        self.assertGreater(after.bytes_sent_total - before.bytes_sent_total, 2 * len(data))

    def test_stdlib_sockets_keep_stdlib_route(self):
        peer = Peer(stdsock, echo)
        with connect(stdsock, peer.port) as s:
            self.assertIs(type(s), ssl.SSLSocket)
            self.assertNotIsInstance(s, libsock.socket)
            s.sendall(b'ping')
            self.assertEqual(s.recv(4), b'ping')
        peer.join()

    def test_mixed_sides(self):
        for server_mod, client_mod in ((stdsock, libsock), (libsock, stdsock)):
            with self.subTest(server=server_mod.__name__, client=client_mod.__name__):
                peer = Peer(server_mod, echo)
                with connect(client_mod, peer.port) as s:
                    s.sendall(b'x' * 100000)
                    got = b''
                    while len(got) < 100000:
                        got += s.recv(100000)
                peer.join()
                self.assertIsNone(peer.error)

    def test_session_info(self):
        for name, mod in MODS:
            with self.subTest(mod=name):
                def server(s):
                    s.sendall(b'hi')
                    return (s.selected_alpn_protocol(), s.version(), s.cipher(),
                            s.getpeercert(), s.server_side)
                peer = Peer(mod, server, ctx=sctx(alpn=['h2', 'http/1.1']))
                with connect(mod, peer.port, ctx=cctx(alpn=['http/1.1'])) as s:
                    self.assertEqual(s.recv(2), b'hi')
                    mine = (s.selected_alpn_protocol(), s.version(), s.cipher()[1],
                            s.getpeercert()['subject'], len(s.getpeercert(True)) > 100,
                            s.server_side, s.server_hostname, s.context.verify_mode,
                            s.pending(), s.compression(), s.session is not None)
                peer.join()
                self.assertIsNone(peer.error)
                self.assertEqual(mine[:2], ('http/1.1', 'TLSv1.3'))
                self.assertEqual(mine[2], 'TLSv1.3')
                self.assertEqual(mine[3], ((('commonName', 'server'),),))
                self.assertEqual(mine[4:], (True, False, 'localhost', ssl.CERT_REQUIRED, 0,
                                            None, True))
                self.assertEqual(peer.result[0], 'http/1.1')
                self.assertIsNone(peer.result[3])  # no client certificate asked for
                self.assertTrue(peer.result[4])

    def test_client_certificate(self):
        for name, mod in MODS:
            with self.subTest(mod=name):
                ctx = sctx()
                ctx.verify_mode = ssl.CERT_REQUIRED
                ctx.load_verify_locations(certs().ca)
                def server(s):
                    s.recv(1)
                    s.sendall(b'y')
                    return s.getpeercert()['subject']
                peer = Peer(mod, server, ctx=ctx)
                c = cctx()
                c.load_cert_chain(certs().client)
                with connect(mod, peer.port, ctx=c) as s:
                    s.sendall(b'x')
                    s.recv(1)
                peer.join()
                self.assertEqual(peer.result, ((('commonName', 'client'),),))


@unittest.skipUnless(HAVE_OPENSSL, "no openssl command to make certificates")
class TestErrors(unittest.TestCase):
    def outcome(self, mod, server_cert=None, ca=None, hostname='localhost'):
        peer = Peer(mod, lambda s: s.recv(1), ctx=sctx(server_cert))
        try:
            with connect(mod, peer.port, ctx=cctx(ca), hostname=hostname):
                mine = 'connected'
        except ssl.SSLCertVerificationError as exc:
            mine = (type(exc).__name__, exc.verify_code, exc.reason)
        peer.join()
        theirs = type(peer.error).__name__ if peer.error else None
        return mine, theirs

    def test_certificate_errors(self):
        c = certs()
        cases = {'unknown CA': dict(ca=c.unknown_ca),
                 'wrong name': dict(hostname='other.example'),
                 'expired': dict(server_cert=c.expired)}
        codes = {'unknown CA': 20, 'wrong name': 62, 'expired': 10}
        for case, kw in cases.items():
            results = {name: self.outcome(mod, **kw) for name, mod in MODS}
            with self.subTest(case=case):
                self.assertEqual(results['libsock'], results['stdlib'])
                mine, theirs = results['libsock']
                self.assertEqual(mine[0], 'SSLCertVerificationError')
                self.assertEqual(mine[1], codes[case])
                self.assertEqual(mine[2], 'CERTIFICATE_VERIFY_FAILED')
                # The server saw the client's alert, as over stdlib.
                self.assertEqual(theirs, 'SSLError')

    def test_ragged_eof(self):
        for name, mod in MODS:
            for suppress in (True, False):
                with self.subTest(mod=name, suppress=suppress):
                    def server(s):
                        s.sendall(b'data')
                        # Close TCP without close_notify.
                        mod.socket(fileno=s.detach()).close()
                    peer = Peer(mod, server)
                    with connect(mod, peer.port, suppress_ragged_eofs=suppress) as s:
                        self.assertEqual(s.recv(4), b'data')
                        if suppress:
                            self.assertEqual(s.recv(10), b'')
                        else:
                            with self.assertRaises(ssl.SSLEOFError) as cm:
                                s.recv(10)
                            self.assertEqual(cm.exception.args[0], ssl.SSL_ERROR_EOF)
                    peer.join()

    def test_zero_return_and_unwrap(self):
        """The peer unwraps (close_notify), then talks in clear: read gives
        b'', our unwrap completes, and the clear text after it is intact
        (no byte of it was taken by TLS)."""
        for name, mod in MODS:
            with self.subTest(mod=name):
                def server(s):
                    s.sendall(b'secret')
                    plain = s.unwrap()
                    plain.sendall(b'clear text after TLS')
                    return plain.recv(100)
                peer = Peer(mod, server)
                s = connect(mod, peer.port)
                self.assertEqual(s.recv(6), b'secret')
                self.assertEqual(s.recv(10), b'')
                plain = s.unwrap()
                self.assertIs(plain, s)
                got = b''
                while len(got) < 20:
                    got += plain.recv(100)
                self.assertEqual(got, b'clear text after TLS')
                plain.sendall(b'bye')
                plain.close()
                peer.join()
                self.assertEqual(peer.result, b'bye')
                with self.assertRaises(ValueError):
                    s.unwrap()

    def test_after_close_notify(self):
        """What each call gives once the peer sent close_notify, and what
        the peer's unwrap then sees: the same on both."""
        results = {}
        for name, mod in MODS:
            def server(s):
                try:
                    s.unwrap()
                except ssl.SSLError as exc:
                    return type(exc).__name__, exc.reason
            peer = Peer(mod, server)
            s = connect(mod, peer.port)
            seen = [s.recv(1)]
            for call in (lambda: s.write(b'x'), lambda: s.read(), s.do_handshake):
                try:
                    seen.append(call())
                except Exception as exc:
                    seen.append(type(exc).__name__)
            s.close()
            peer.join()
            results[name] = (seen, peer.result)
        self.assertEqual(results['libsock'], results['stdlib'])
        self.assertEqual(results['libsock'][0][0], b'')

    def test_timeouts(self):
        for name, mod in MODS:
            with self.subTest(mod=name, op='read'):
                release = threading.Event()
                peer = Peer(mod, lambda s: release.wait(10))
                s = connect(mod, peer.port, timeout=0.3)
                t0 = time.monotonic()
                with self.assertRaises(TimeoutError) as cm:
                    s.recv(10)
                self.assertGreaterEqual(time.monotonic() - t0, 0.25)
                self.assertEqual(str(cm.exception), 'The read operation timed out')
                s.close()
                release.set()
                peer.join()
            with self.subTest(mod=name, op='handshake'):
                release = threading.Event()
                peer = Peer(mod, lambda s: release.wait(10), wrap=False)
                with self.assertRaises(TimeoutError) as cm:
                    connect(mod, peer.port, timeout=0.3)
                # stdlib's text has "_ssl.c:<line>: " in front.
                self.assertTrue(str(cm.exception).endswith('The handshake operation timed out'))
                release.set()
                peer.join()


@unittest.skipUnless(HAVE_OPENSSL, "no openssl command to make certificates")
class TestNonBlocking(unittest.TestCase):
    def handshake_with(self, mod, selector_class):
        """Both ends non-blocking, handshakes driven by one selector."""
        listener = mod.create_server(('127.0.0.1', 0))
        port = listener.getsockname()[1]
        raw_c = mod.create_connection(('127.0.0.1', port))
        raw_s, _ = listener.accept()
        listener.close()
        raw_c.setblocking(False)
        raw_s.setblocking(False)
        c = cctx().wrap_socket(raw_c, server_hostname='localhost', do_handshake_on_connect=False)
        s = sctx().wrap_socket(raw_s, server_side=True, do_handshake_on_connect=False)
        wants = set()
        sel = selector_class()
        pending = {c, s}
        try:
            for x in pending:
                sel.register(x, selectors.EVENT_READ | selectors.EVENT_WRITE)
            deadline = time.monotonic() + 10
            while pending and time.monotonic() < deadline:
                for key, _ in sel.select(1):
                    x = key.fileobj
                    if x not in pending:
                        continue
                    try:
                        x.do_handshake()
                    except ssl.SSLWantReadError:
                        wants.add('read')
                        sel.modify(x, selectors.EVENT_READ)
                    except ssl.SSLWantWriteError:
                        wants.add('write')
                        sel.modify(x, selectors.EVENT_WRITE)
                    else:
                        pending.discard(x)
                        sel.unregister(x)
            self.assertFalse(pending)
            # Data, non-blocking: nothing yet, then the bytes.
            with self.assertRaises(ssl.SSLWantReadError):
                s.recv(10)
            c.send(b'hello')
            sel.register(s, selectors.EVENT_READ)
            self.assertTrue(sel.select(5))
            self.assertEqual(s.recv(10), b'hello')
            return wants
        finally:
            sel.close()
            c.close()
            s.close()

    def test_selectors_handshake(self):
        for name, mod in MODS:
            for sel in (selectors.DefaultSelector, libsock.selectors.DefaultSelector):
                with self.subTest(mod=name, selector=sel.__module__):
                    self.assertIn('read', self.handshake_with(mod, sel))

    def test_handshake_on_connect_needs_blocking(self):
        for name, mod in MODS:
            with self.subTest(mod=name):
                a, b = mod.socketpair()
                a.setblocking(False)
                with self.assertRaisesRegex(ValueError, 'do_handshake_on_connect'):
                    cctx().wrap_socket(a, server_hostname='localhost')
                b.close()

    def test_want_write_and_retry(self):
        """A non-blocking send that cannot go out raises SSLWantWriteError;
        the retry with the same data completes it and reports all of it, as
        OpenSSL's contract has it."""
        for name, mod in MODS:
            with self.subTest(mod=name):
                done = threading.Event()

                def server(s):
                    done.wait(20)
                    try:
                        while s.recv(1 << 16):
                            pass
                    except OSError:
                        pass
                peer = Peer(mod, server)
                c = connect(mod, peer.port)
                c.setblocking(False)
                chunk = b'z' * 65536
                blocked = False
                for _ in range(2000):
                    try:
                        self.assertEqual(c.send(chunk), len(chunk))
                    except ssl.SSLWantWriteError:
                        blocked = True
                        break
                self.assertTrue(blocked)
                done.set()
                for _ in range(1000):
                    try:
                        self.assertEqual(c.send(chunk), len(chunk))
                        break
                    except ssl.SSLWantWriteError:
                        select.select([], [c], [], 5)
                else:
                    self.fail('the retry never completed')
                c.close()
                peer.join()

    def test_pending_and_select(self):
        """Bytes already decrypted are pending(); select() does not see
        them (the kernel has nothing), the same on both."""
        for name, mod in MODS:
            with self.subTest(mod=name):
                release = threading.Event()

                def server(s):
                    s.sendall(b'0123456789' * 10)
                    release.wait(10)
                peer = Peer(mod, server)
                c = connect(mod, peer.port)
                self.assertEqual(c.recv(10), b'0123456789')
                self.assertEqual(c.pending(), 90)
                r, _, _ = select.select([c], [], [], 0.2)
                self.assertEqual(r, [])
                self.assertEqual(len(c.recv(1000)), 90)
                release.set()
                c.close()
                peer.join()


class Boom(Exception):
    pass


@unittest.skipUnless(HAVE_OPENSSL, "no openssl command to make certificates")
@unittest.skipUnless(hasattr(signal, 'setitimer'), "no setitimer on this OS")
class TestSignals(unittest.TestCase):
    """A blocking TLS read, write or handshake runs Python's signal
    handlers while it waits: an exception from one propagates at once,
    otherwise the operation goes on (PEP 475), the same on both."""

    def setUp(self):
        self.ran = 0
        self.old = signal.getsignal(signal.SIGALRM)
        self.addCleanup(signal.signal, signal.SIGALRM, self.old)
        self.addCleanup(signal.setitimer, signal.ITIMER_REAL, 0)

    def raising(self, *args):
        raise Boom()

    def counting(self, *args):
        self.ran += 1

    def timed(self, handler, fn):
        t0 = time.monotonic()
        try:
            signal.signal(signal.SIGALRM, handler)
            signal.setitimer(signal.ITIMER_REAL, 0.3)
            return fn()
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            self.elapsed = time.monotonic() - t0

    def test_read(self):
        for name, mod in MODS:
            with self.subTest(mod=name):
                go = threading.Event()

                def server(s):
                    go.wait(10)
                    time.sleep(0.6)
                    s.sendall(b'late')
                    s.recv(1)
                peer = Peer(mod, server, sigblock=True)
                with connect(mod, peer.port, timeout=None) as s:
                    with self.assertRaises(Boom):
                        self.timed(self.raising, lambda: s.recv(10))
                    self.assertLess(self.elapsed, 2.0)
                    go.set()
                    self.ran = 0
                    self.assertEqual(self.timed(self.counting, lambda: s.recv(10)), b'late')
                    self.assertEqual(self.ran, 1)
                    s.sendall(b'k')
                peer.join()
                self.assertIsNone(peer.error)

    def test_sendall(self):
        # libsock only: stdlib's SSL_write on a descriptor goes on after
        # the interrupted send() and blocks until everything is sent (here
        # 10 s, until the peer gives up).
        for name, mod in MODS[1:]:
            with self.subTest(mod=name):
                stop = threading.Event()

                def server(s):
                    stop.wait(10)  # reads nothing: the client's sendall fills the buffers
                peer = Peer(mod, server, sigblock=True)
                payload = bytes(64 << 20)
                with connect(mod, peer.port, timeout=None) as s:
                    with self.assertRaises(Boom):
                        self.timed(self.raising, lambda: s.sendall(payload))
                    self.assertLess(self.elapsed, 2.0)
                stop.set()
                peer.join()

    def test_handshake(self):
        for name, mod in MODS:
            with self.subTest(mod=name):
                silent = mod.create_server(('127.0.0.1', 0))
                port = silent.getsockname()[1]
                raw = mod.create_connection(('127.0.0.1', port))
                conn, _ = silent.accept()  # says nothing
                try:
                    with self.assertRaises(Boom):
                        self.timed(self.raising,
                                   lambda: cctx().wrap_socket(raw, server_hostname='localhost'))
                    self.assertLess(self.elapsed, 2.0)
                finally:
                    raw.close()
                    conn.close()
                    silent.close()


@unittest.skipUnless(HAVE_OPENSSL, "no openssl command to make certificates")
class TestStreams(unittest.TestCase):
    def test_makefile_and_sendfile(self):
        import tempfile
        payload = os.urandom(300000)
        with tempfile.TemporaryFile() as f:
            f.write(payload)
            for name, mod in MODS:
                with self.subTest(mod=name):
                    def server(s):
                        with s.makefile('rb') as r:
                            line = r.readline()
                            body = r.read(len(payload))
                        s.sendall(b'k')
                        return line, body
                    peer = Peer(mod, server)
                    with connect(mod, peer.port) as c:
                        with c.makefile('wb') as w:
                            w.write(b'header line\n')
                        f.seek(0)
                        self.assertEqual(c.sendfile(f), len(payload))
                        self.assertEqual(c.recv(1), b'k')
                    peer.join()
                    self.assertIsNone(peer.error)
                    self.assertEqual(peer.result, (b'header line\n', payload))

    def test_asyncio_streams(self):
        """asyncio.start_server / open_connection with ssl= on libsock sockets,
        on libsock's selector and on stdlib's."""
        for selector in (libsock.selectors.DefaultSelector, selectors.DefaultSelector):
            with self.subTest(selector=selector.__module__):
                loop = asyncio.SelectorEventLoop(selector())
                try:
                    loop.run_until_complete(self._streams())
                finally:
                    loop.close()

    async def _streams(self):
        async def handle(reader, writer):
            data = await reader.readexactly(200000)
            writer.write(data[::-1])
            await writer.drain()
            writer.close()
            await writer.wait_closed()

        lsock = libsock.create_server(('127.0.0.1', 0))
        port = lsock.getsockname()[1]
        server = await asyncio.start_server(handle, sock=lsock, ssl=sctx())
        try:
            csock = libsock.create_connection(('127.0.0.1', port))
            csock.setblocking(False)
            reader, writer = await asyncio.open_connection(sock=csock, ssl=cctx(),
                                                           server_hostname='localhost')
            data = os.urandom(200000)
            writer.write(data)
            await writer.drain()
            back = await reader.readexactly(200000)
            self.assertEqual(back, data[::-1])
            self.assertEqual(writer.get_extra_info('ssl_object').version(), 'TLSv1.3')
            self.assertEqual(writer.get_extra_info('socket').fileno(), csock.fileno())
            writer.close()
            await writer.wait_closed()
        finally:
            server.close()
            await server.wait_closed()


class LibsockHTTPServer(http.server.HTTPServer):
    """http.server on a libsock listener (bound and listening by itself)."""

    def server_bind(self):
        self.socket.close()
        self.socket = libsock.socket(self.address_family, self.socket_type)
        self.socket.setsockopt(libsock.SOL_SOCKET, libsock.SO_REUSEADDR, 1)
        super().server_bind()


class Hello(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b'tls hello ' + self.path.encode()
        self.send_response(200)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def run_python(args, timeout=60):
    env = dict(os.environ)
    return subprocess.run([sys.executable, *args], capture_output=True, text=True,
                          timeout=timeout, env=env, cwd=HERE)


@unittest.skipUnless(HAVE_OPENSSL, "no openssl command to make certificates")
class TestPrograms(unittest.TestCase):
    """Unmodified stdlib programs, bounded in time, local servers only."""

    def https_server(self, cls):
        httpd = cls(('127.0.0.1', 0), Hello)
        httpd.socket = sctx().wrap_socket(httpd.socket, server_side=True)
        t = threading.Thread(target=httpd.serve_forever, kwargs={'poll_interval': 0.05})
        t.start()
        return httpd, t

    def test_urllib_stdlib_client_libsock_server(self):
        httpd, t = self.https_server(LibsockHTTPServer)
        try:
            self.assertIsInstance(httpd.socket, libsock.socket)
            url = f'https://localhost:{httpd.server_address[1]}/x'
            with urllib.request.urlopen(url, context=cctx(), timeout=10) as r:
                self.assertEqual(r.read(), b'tls hello /x')
        finally:
            httpd.shutdown()
            httpd.server_close()
            t.join()

    def test_urllib_libsock_client_stdlib_server(self):
        httpd, t = self.https_server(http.server.HTTPServer)
        try:
            self.assertNotIsInstance(httpd.socket, libsock.socket)
            code = ("import urllib.request, ssl, socket, sys\n"
                    "ctx = ssl.create_default_context(cafile=sys.argv[1])\n"
                    "assert socket.__name__ == 'libsock'\n"
                    "with urllib.request.urlopen(sys.argv[2], context=ctx, timeout=10) as r:\n"
                    "    kind = isinstance(r.fp.raw._sock, socket.socket)\n"
                    "    print(r.read().decode(), kind)\n")
            path = os.path.join(certs().dir, 'urllib_client.py')
            with open(path, 'w') as f:
                f.write(code)
            url = f'https://localhost:{httpd.server_address[1]}/y'
            r = run_python(['-m', 'libsock', path, certs().ca, url])
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(r.stdout.strip(), 'tls hello /y True')
        finally:
            httpd.shutdown()
            httpd.server_close()
            t.join()

    def test_programs_under_python_m_libsock(self):
        """urllib, http.client (and http.server behind wrap_socket), smtplib
        STARTTLS, ftplib FTP_TLS, poplib STLS, imaplib IMAP4_SSL."""
        r = run_python(['-m', 'libsock', 'tls_programs.py', certs().dir], timeout=120)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        lines = r.stdout.splitlines()
        for name in ('urllib', 'http.client', 'smtplib', 'ftplib', 'poplib', 'imaplib'):
            with self.subTest(program=name):
                line = next((x for x in lines if x.startswith(name + ' ')), '')
                self.assertTrue(line.startswith(f'{name} ok libsock'), r.stdout + r.stderr)
        sent, received = map(int, lines[-1].split()[2:])
        self.assertGreater(sent, 50000)
        self.assertGreater(received, 50000)

    def test_programs_on_stdlib_too(self):
        """The same programs with plain python: the fakes are sound."""
        r = run_python(['tls_programs.py', certs().dir], timeout=120)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(r.stdout.count(' ok stdlib'), 6, r.stdout)



class TestPump(unittest.TestCase):
    """The pump's two routes to OpenSSL's memory BIOs (src/lsp_tls.c,
    src/lsp_tls_direct.c): its BIO * directly once the run-time checks pass,
    else the MemoryBIOs' Python methods (forced with LIBSOCK_TLS_PUMP=python)."""

    def test_route_follows_the_checks(self):
        from libsock import _tls, _libsock
        ok, why = _tls.DIRECT
        self.assertIsInstance(why, str)
        if os.environ.get('LIBSOCK_TLS_PUMP', '').lower() == 'python':
            self.assertEqual((ok, why), (False, 'LIBSOCK_TLS_PUMP=python'))
        # The check runs once per process: the same answer again.
        if why != 'LIBSOCK_TLS_PUMP=python':
            self.assertEqual(_libsock._tls_direct_check(), (ok, why))
        peer = Peer(libsock, echo)
        with connect(libsock, peer.port) as s:
            self.assertIs(s._sslobj._pump.direct, ok)
            s.sendall(b'route')
            self.assertEqual(s.recv(100), b'route')
        peer.join()
        self.assertIsNone(peer.error)
        # Objects that are not _ssl.MemoryBIOs never get the direct route.
        bio = ssl.MemoryBIO()
        self.assertFalse(_libsock._TLSPump(object(), object(), None, True).direct)
        self.assertFalse(_libsock._TLSPump(bio, bio, None, True).direct)
        self.assertIs(_libsock._TLSPump(ssl.MemoryBIO(), ssl.MemoryBIO(), None, True).direct, ok)
        self.assertFalse(_libsock._TLSPump(ssl.MemoryBIO(), ssl.MemoryBIO(), None).direct)

    def test_ssl_route_checksummed_both_ways(self):
        """Where the checks pass, a blocking socket's reads, writes and
        handshake call OpenSSL's SSL directly with its records moving
        through libsock (the SSL route); 4 MiB each way arrive intact and
        libsock counts them."""
        import hashlib
        from libsock import _tls
        data = os.urandom(4 * 1024 * 1024)

        def recv_all(s):
            got = bytearray()
            while len(got) < len(data):
                d = s.recv(65536)
                if not d:
                    break
                got += d
            return got

        def server(s):
            got = recv_all(s)
            s.sendall(bytes(got))
            return hashlib.sha256(got).hexdigest()
        peer = Peer(libsock, server)
        with connect(libsock, peer.port) as s:
            self.assertIs(s._sslobj._pump.sslroute, _tls.DIRECT[0])
            sent_before = libsock.socket_stats(s).bytes_sent
            s.sendall(data)
            back = recv_all(s)
            self.assertGreater(libsock.socket_stats(s).bytes_sent - sent_before, len(data))
        peer.join()
        self.assertIsNone(peer.error)
        self.assertEqual(peer.result, hashlib.sha256(data).hexdigest())
        self.assertEqual(hashlib.sha256(back).digest(), hashlib.sha256(data).digest())

    def test_read_takes_the_records_already_here(self):
        """On the SSL route one recv() returns the records already
        received, up to its size (stdlib returns one record); nothing
        past them is taken from the kernel."""
        from libsock import _tls
        if not _tls.DIRECT[0]:
            self.skipTest("the SSL route is off: " + _tls.DIRECT[1])
        sent, release = threading.Event(), threading.Event()

        def server(s):
            for i in range(3):
                s.sendall(bytes([65 + i]) * 10000)  # one record each
            sent.set()
            release.wait(10)
            s.sendall(b'last')
        peer = Peer(libsock, server)
        with connect(libsock, peer.port) as s:
            self.assertTrue(sent.wait(10))
            time.sleep(0.2)  # loopback: the three records are in the kernel
            got = s.recv(65536)
            self.assertEqual(got, b'A' * 10000 + b'B' * 10000 + b'C' * 10000)
            r, _, _ = select.select([s], [], [], 0.1)
            self.assertEqual((r, s.pending()), ([], 0))
            release.set()
            self.assertEqual(s.recv(100), b'last')
        peer.join()
        self.assertIsNone(peer.error)

    def test_post_handshake_auth_during_read(self):
        """A certificate request after the handshake arrives while the
        client reads: OpenSSL answers it, and the answer goes out before the
        read waits for more (the SSL route hands that case to the slow
        path); the server then sees the client's certificate."""
        for name, mod in MODS:
            with self.subTest(mod=name):
                ctx = sctx()
                ctx.minimum_version = ssl.TLSVersion.TLSv1_3
                ctx.verify_mode = ssl.CERT_OPTIONAL
                ctx.post_handshake_auth = True
                ctx.load_verify_locations(certs().ca)

                def server(s):
                    s.recv(1)
                    s.verify_client_post_handshake()
                    s.do_handshake()  # sends the request
                    # The client's answer is processed while this waits
                    # for data that the client sends only after 'x'.
                    s.settimeout(1.5)
                    try:
                        s.recv(1)
                    except TimeoutError:
                        pass
                    cert = s.getpeercert()
                    s.settimeout(20)
                    s.sendall(b'x')
                    s.recv(1)
                    return cert and cert['subject']
                peer = Peer(mod, server, ctx=ctx)
                c = cctx()
                c.post_handshake_auth = True
                c.load_cert_chain(certs().client)
                with connect(mod, peer.port, ctx=c) as s:
                    s.sendall(b'a')
                    self.assertEqual(s.recv(1), b'x')
                    s.sendall(b'b')
                peer.join()
                self.assertIsNone(peer.error)
                self.assertEqual(peer.result, ((('commonName', 'client'),),))

    @unittest.skipIf(os.environ.get('LIBSOCK_TLS_PUMP', '').lower() == 'python',
                     "already the Python-method pump")
    def test_python_method_pump(self):
        """This whole file again with the pump forced onto the MemoryBIOs'
        Python methods (the fallback when a check fails)."""
        env = dict(os.environ, LIBSOCK_TLS_PUMP='python')
        r = subprocess.run([sys.executable, '-m', 'unittest', '-v', 'test_tls'],
                           capture_output=True, text=True, timeout=170, env=env, cwd=HERE)
        self.assertEqual(r.returncode, 0, r.stderr[-4000:])
        self.assertRegex(r.stderr, r'test_route_follows_the_checks \(.*\) \.\.\. ok')
        self.assertRegex(r.stderr, r'\nOK')


if __name__ == '__main__':
    unittest.main()
