"""stdlib's TLS programs, unmodified, against small local fake servers.

Run as `python -m libsock tls_programs.py CERTDIR [name...]` (the test) or
with plain python (the same programs on stdlib, as a reference). Each
program prints "<name> ok <detail>" or raises. Every server here is a small
stdlib-based fake started in a thread and stopped before the program ends.
The clients are stdlib's own modules, called as any program calls them:
urllib.request and http.client over HTTPS (against http.server behind
SSLContext.wrap_socket), smtplib STARTTLS, ftplib FTP_TLS, poplib STLS,
imaplib IMAP4_SSL.
"""
import ftplib
import http.client
import http.server
import imaplib
import os
import poplib
import smtplib
import socket
import socketserver
import ssl
import sys
import threading
import urllib.request

CERTDIR = sys.argv[1]
CA = os.path.join(CERTDIR, 'ca.pem')
SERVER = os.path.join(CERTDIR, 'server.pem')


def server_ctx():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(SERVER)
    return ctx


def client_ctx():
    return ssl.create_default_context(cafile=CA)


class Server:
    """A threading TCP server on 127.0.0.1 whose handler is fn(sock)."""

    def __init__(self, fn):
        outer = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                try:
                    fn(self.request)
                except Exception as exc:  # reported by the program's result
                    outer.errors.append(repr(exc))

        self.errors = []
        self.srv = socketserver.ThreadingTCPServer(('127.0.0.1', 0), Handler)
        self.srv.daemon_threads = True
        self.port = self.srv.server_address[1]
        self.thread = threading.Thread(target=self.srv.serve_forever, kwargs={'poll_interval': 0.05})
        self.thread.start()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.srv.shutdown()
        self.srv.server_close()
        self.thread.join()


class Lines:
    """Line I/O over a socket that can be upgraded to TLS in place."""

    def __init__(self, sock):
        self.sock = sock
        self.f = sock.makefile('rb')

    def send(self, text):
        self.sock.sendall(text.encode() + b'\r\n')

    def line(self):
        return self.f.readline().decode().rstrip('\r\n')

    def starttls(self):
        self.f.close()
        self.sock = server_ctx().wrap_socket(self.sock, server_side=True)
        self.f = self.sock.makefile('rb')


def kind(sock):
    """What carries a program's TLS: 'libsock' or 'stdlib'."""
    mod = sys.modules.get('libsock')
    return 'libsock' if mod is not None and isinstance(sock, mod.socket) else 'stdlib'


# ---- HTTPS: http.server behind wrap_socket; urllib and http.client ----------

class Hello(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = (b'hello over TLS ' + self.path.encode()) * 100
        self.send_response(200)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def https_server():
    httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Hello)
    httpd.socket = server_ctx().wrap_socket(httpd.socket, server_side=True)
    t = threading.Thread(target=httpd.serve_forever, kwargs={'poll_interval': 0.05})
    t.start()
    return httpd, t


def prog_urllib():
    httpd, t = https_server()
    try:
        url = f'https://localhost:{httpd.server_address[1]}/u'
        with urllib.request.urlopen(url, context=client_ctx(), timeout=10) as r:
            body = r.read()
        assert body == b'hello over TLS /u' * 100, body[:50]
        print('urllib ok', kind(httpd.socket), len(body))
    finally:
        httpd.shutdown()
        httpd.server_close()
        t.join()


def prog_http_client():
    httpd, t = https_server()
    try:
        conn = http.client.HTTPSConnection('localhost', httpd.server_address[1],
                                           context=client_ctx(), timeout=10)
        for path in ('/a', '/b'):
            conn.request('GET', path)
            what, version = kind(conn.sock), conn.sock.version()
            r = conn.getresponse()
            assert r.status == 200 and r.read() == (b'hello over TLS ' + path.encode()) * 100
        print('http.client ok', what, version)
        conn.close()
    finally:
        httpd.shutdown()
        httpd.server_close()
        t.join()


# ---- smtplib STARTTLS ---------------------------------------------------------

def smtp_fake(sock):
    io = Lines(sock)
    io.send('220 fake ESMTP')
    while True:
        line = io.line()
        verb = line.split(' ', 1)[0].upper()
        if verb in ('EHLO', 'HELO'):
            io.send('250-localhost')
            io.send('250 STARTTLS' if not isinstance(io.sock, ssl.SSLSocket) else '250 AUTH PLAIN')
        elif verb == 'STARTTLS':
            io.send('220 go ahead')
            io.starttls()
        elif verb in ('MAIL', 'RCPT', 'RSET', 'NOOP'):
            io.send('250 ok')
        elif verb == 'DATA':
            io.send('354 end with .')
            while io.line() != '.':
                pass
            io.send('250 queued' + (' tls' if isinstance(io.sock, ssl.SSLSocket) else ''))
        elif verb == 'QUIT' or not line:
            io.send('221 bye')
            return
        else:
            io.send('500 what')


def prog_smtplib():
    with Server(smtp_fake) as srv:
        with smtplib.SMTP('127.0.0.1', srv.port, timeout=10) as s:
            s.ehlo()
            ctx = client_ctx()
            ctx.check_hostname = False  # connected by address
            s.starttls(context=ctx)
            refused = s.sendmail('a@example.org', ['b@example.org'], 'Subject: x\r\n\r\nbody\r\n')
            assert refused == {}, refused
            print('smtplib ok', kind(s.sock), s.sock.version())
        assert not srv.errors, srv.errors


# ---- ftplib FTP_TLS -----------------------------------------------------------

def ftp_fake(sock):
    io = Lines(sock)
    io.send('220 fake FTP')
    data_ls = None
    prot_p = False
    while True:
        line = io.line()
        verb = line.split(' ', 1)[0].upper()
        if verb == 'AUTH':
            io.send('234 AUTH TLS ok')
            io.starttls()
        elif verb in ('USER',):
            io.send('331 password')
        elif verb in ('PASS',):
            io.send('230 logged in')
        elif verb == 'PBSZ':
            io.send('200 PBSZ=0')
        elif verb == 'PROT':
            prot_p = line.split()[1].upper() == 'P'
            io.send('200 PROT ok')
        elif verb == 'TYPE':
            io.send('200 type')
        elif verb == 'PASV':
            data_ls = socket.create_server(('127.0.0.1', 0))
            p = data_ls.getsockname()[1]
            io.send(f'227 Entering Passive Mode (127,0,0,1,{p >> 8},{p & 255})')
        elif verb in ('LIST', 'RETR'):
            io.send('150 here it comes')
            conn, _ = data_ls.accept()
            data_ls.close()
            if prot_p:
                conn = server_ctx().wrap_socket(conn, server_side=True)
            payload = (b'file.txt\r\n' if verb == 'LIST' else b'0123456789' * 5000)
            conn.sendall(payload)
            if prot_p:
                conn = conn.unwrap()
            conn.close()
            io.send('226 done')
        elif verb == 'QUIT' or not line:
            io.send('221 bye')
            return
        else:
            io.send('502 no')


def prog_ftplib():
    with Server(ftp_fake) as srv:
        ctx = client_ctx()
        ctx.check_hostname = False
        ftp = ftplib.FTP_TLS(context=ctx, timeout=10)
        ftp.connect('127.0.0.1', srv.port)
        ftp.login('user', 'secret')
        ftp.prot_p()
        lines = []
        ftp.retrlines('LIST', lines.append)
        chunks = []
        ftp.retrbinary('RETR file.txt', chunks.append)
        assert lines == ['file.txt'], lines
        assert b''.join(chunks) == b'0123456789' * 5000
        what = kind(ftp.sock)
        ftp.quit()
        assert not srv.errors, srv.errors
        print('ftplib ok', what, 'PROT P data connections')


# ---- poplib STLS --------------------------------------------------------------

def pop_fake(sock):
    io = Lines(sock)
    io.send('+OK fake POP3')
    while True:
        line = io.line()
        verb = line.split(' ', 1)[0].upper()
        if verb == 'CAPA':
            io.send('+OK caps')
            io.send('STLS')
            io.send('USER')
            io.send('.')
        elif verb == 'STLS':
            io.send('+OK begin TLS')
            io.starttls()
        elif verb in ('USER', 'PASS'):
            io.send('+OK')
        elif verb == 'STAT':
            io.send('+OK 1 42' if isinstance(io.sock, ssl.SSLSocket) else '+OK 0 0')
        elif verb == 'QUIT' or not line:
            io.send('+OK bye')
            return
        else:
            io.send('-ERR no')


def prog_poplib():
    with Server(pop_fake) as srv:
        ctx = client_ctx()
        ctx.check_hostname = False
        pop = poplib.POP3('127.0.0.1', srv.port, timeout=10)
        pop.stls(context=ctx)
        pop.user('u')
        pop.pass_('p')
        assert pop.stat() == (1, 42)
        what = kind(pop.sock)
        pop.quit()
        assert not srv.errors, srv.errors
        print('poplib ok', what)


# ---- imaplib IMAP4_SSL --------------------------------------------------------

def imap_fake(sock):
    sock = server_ctx().wrap_socket(sock, server_side=True)
    io = Lines(sock)
    io.send('* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] fake IMAP ready')
    while True:
        line = io.line()
        if not line:
            return
        tag, cmd = line.split(' ', 2)[:2]
        cmd = cmd.upper()
        if cmd == 'CAPABILITY':
            io.send('* CAPABILITY IMAP4rev1 AUTH=PLAIN')
            io.send(f'{tag} OK done')
        elif cmd == 'LOGIN':
            io.send(f'{tag} OK logged in')
        elif cmd == 'NOOP':
            io.send(f'{tag} OK noop')
        elif cmd == 'LOGOUT':
            io.send('* BYE')
            io.send(f'{tag} OK bye')
            return
        else:
            io.send(f'{tag} BAD no')


def prog_imaplib():
    with Server(imap_fake) as srv:
        ctx = client_ctx()
        ctx.check_hostname = False
        imap = imaplib.IMAP4_SSL('127.0.0.1', srv.port, ssl_context=ctx, timeout=10)
        typ, _ = imap.login('u', 'p')
        assert typ == 'OK'
        assert imap.noop()[0] == 'OK'
        what = kind(imap.sock)
        imap.logout()
        assert not srv.errors, srv.errors
        print('imaplib ok', what)


PROGRAMS = {'urllib': prog_urllib, 'http.client': prog_http_client, 'smtplib': prog_smtplib,
            'ftplib': prog_ftplib, 'poplib': prog_poplib, 'imaplib': prog_imaplib}

if __name__ == '__main__':
    for name in sys.argv[2:] or PROGRAMS:
        PROGRAMS[name]()
    if 'libsock' in sys.modules:
        st = sys.modules['libsock'].stats()
        print('libsock bytes', st.bytes_sent_total, st.bytes_received_total)
