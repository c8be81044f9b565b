"""Signals during every blocking call, in blocking mode and with a timeout:
the Python handler runs while the call waits, an exception from it
propagates, and a handler that returns lets the call go on (PEP 475).

Each case runs in a child process with a watchdog (faulthandler) and a
timeout in the parent, so a call that never runs the handler fails the
test instead of hanging it.
"""
import os
import signal
import subprocess
import sys
import textwrap
import unittest

from lsp_testutil import TestCase, child_env

POSIX = os.name == 'posix' and hasattr(signal, 'setitimer')
CHILD_TIMEOUT = 30

CHILD = textwrap.dedent(r'''
    import faulthandler, os, signal, sys, tempfile, threading, time
    import libsock
    faulthandler.dump_traceback_later(20, exit=True)
    NAME, MODE, KIND = sys.argv[1:4]
    keep = []

    def fill_stream(a):
        a.setblocking(False)
        try:
            while True:
                a.send(b'f' * 65536)
        except BlockingIOError:
            pass

    def drain_stream(b, stop):
        b.settimeout(0.05)
        while not stop.is_set():
            try:
                if not b.recv(1 << 20):
                    return
            except TimeoutError:
                pass

    def unix_dgram():
        path = os.path.join(tempfile.mkdtemp(), 's')
        r = libsock.socket(libsock.AF_UNIX, libsock.SOCK_DGRAM)
        r.bind(path)
        s = libsock.socket(libsock.AF_UNIX, libsock.SOCK_DGRAM)
        # Connected, so that waiting for room watches the receiver's queue
        # (Linux): an unconnected sender is always "writable" and a call
        # with a timeout would spin, in stdlib as here, instead of waiting.
        s.connect(path)
        s.setblocking(False)
        try:
            while True:
                s.sendto(b'd', path)
        except BlockingIOError:
            pass
        return r, s, path

    def drain_dgram(r, stop):
        r.settimeout(0.05)
        while not stop.is_set():
            try:
                r.recv(16)
            except TimeoutError:
                pass

    def setup(stop):
        """(socket the call uses, the call, what lets it finish)."""
        if NAME.startswith('recv'):
            a, b = libsock.socketpair()
            keep.extend([a, b])
            buf = bytearray(8)
            call = {
                'recv': lambda: a.recv(8),
                'recv_into': lambda: a.recv_into(buf),
                'recvfrom': lambda: a.recvfrom(8),
                'recvfrom_into': lambda: a.recvfrom_into(buf),
                'recvmsg': lambda: a.recvmsg(8),
                'recvmsg_into': lambda: a.recvmsg_into([buf]),
            }[NAME]
            return a, call, lambda: b.send(b'data')
        if NAME == 'accept':
            s = libsock.socket()
            s.bind(('127.0.0.1', 0))
            s.listen()
            keep.append(s)
            return s, s.accept, lambda: keep.append(libsock.create_connection(s.getsockname()))
        if NAME in ('send', 'sendall', 'sendall_16MiB'):
            a, b = libsock.socketpair()
            keep.extend([a, b])
            if NAME == 'sendall_16MiB':
                call = lambda: a.sendall(b's' * (16 << 20))
            else:
                fill_stream(a)
                call = (lambda: a.send(b's' * 100)) if NAME == 'send' else \
                    (lambda: a.sendall(b's' * (1 << 20)))
            return a, call, lambda: drain_stream(b, stop)
        if NAME in ('sendto', 'sendmsg'):
            r, s, path = unix_dgram()
            keep.extend([r, s])
            call = (lambda: s.sendto(b'z', path)) if NAME == 'sendto' else \
                (lambda: s.sendmsg([b'z'], [], 0, path))
            return s, call, lambda: drain_dgram(r, stop)
        if NAME == 'connect':
            srv = libsock.socket()
            srv.bind(('127.0.0.1', 0))
            srv.listen(0)
            keep.append(srv)
            for _ in range(8):  # fill the accept queue: the next SYN is dropped
                c = libsock.socket()
                c.settimeout(0.2)
                keep.append(c)
                try:
                    c.connect(srv.getsockname())
                except TimeoutError:
                    break
            else:
                print('SKIP accept queue never filled', flush=True)
                os._exit(0)
            c = libsock.socket()
            keep.append(c)

            def accept_all():
                srv.settimeout(0.2)
                while not stop.is_set():
                    try:
                        keep.append(srv.accept()[0])
                    except TimeoutError:
                        pass
            return c, lambda: c.connect(srv.getsockname()), accept_all
        raise SystemExit('unknown call ' + NAME)

    stop = threading.Event()
    sock, call, finish = setup(stop)
    sock.setblocking(True)
    if MODE == 'timeout':
        sock.settimeout(15)

    class Boom(Exception):
        pass

    hits = [0]
    if KIND == 'raise':
        def handler(signum, frame):
            hits[0] += 1
            raise Boom()
        signal.signal(signal.SIGALRM, handler)
        signal.setitimer(signal.ITIMER_REAL, 0.2)
        t0 = time.monotonic()
        try:
            call()
        except Boom:
            print('BOOM %.2f' % (time.monotonic() - t0), flush=True)
        else:
            print('RETURNED', flush=True)
    else:
        def handler(signum, frame):
            hits[0] += 1
        signal.signal(signal.SIGALRM, handler)

        def worker():
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
            deadline = time.monotonic() + 10
            while hits[0] < 3 and time.monotonic() < deadline:
                time.sleep(0.005)
            seen.append(hits[0])
            finish()

        seen = []
        t = threading.Thread(target=worker, daemon=True)
        t.start()
        signal.setitimer(signal.ITIMER_REAL, 0.02, 0.02)
        call()
        signal.setitimer(signal.ITIMER_REAL, 0)
        stop.set()
        print('DONE %d' % seen[0], flush=True)
    os._exit(0)
''')

CALLS = ['connect', 'accept', 'send', 'sendall', 'sendto', 'sendmsg', 'recv', 'recv_into',
         'recvfrom', 'recvfrom_into', 'recvmsg', 'recvmsg_into']


@unittest.skipUnless(POSIX, 'POSIX signals and interval timers')
class SignalDuringCallTest(TestCase):
    def run_child(self, name, mode, kind):
        p = subprocess.run([sys.executable, '-c', CHILD, name, mode, kind], env=child_env(),
                           capture_output=True, text=True, timeout=CHILD_TIMEOUT)
        out = p.stdout.strip()
        if out.startswith('SKIP'):
            self.skipTest(out)
        self.assertEqual(p.returncode, 0, p.stderr)
        return out

    def check_raise(self, name, mode):
        out = self.run_child(name, mode, 'raise')
        self.assertTrue(out.startswith('BOOM'), out)
        self.assertLess(float(out.split()[1]), 5.0)

    def check_retry(self, name, mode):
        out = self.run_child(name, mode, 'retry')
        self.assertTrue(out.startswith('DONE'), out)
        # The handler ran (at least 3 times) while the call was waiting.
        self.assertGreaterEqual(int(out.split()[1]), 3)

    def test_handler_exception_propagates(self):
        for name in CALLS + ['sendall_16MiB']:
            for mode in ('blocking', 'timeout'):
                with self.subTest(call=name, mode=mode):
                    self.check_raise(name, mode)

    def test_call_retried_after_handler(self):
        for name in CALLS + ['sendall_16MiB']:
            for mode in ('blocking', 'timeout'):
                with self.subTest(call=name, mode=mode):
                    self.check_retry(name, mode)

    def test_sendall_16MiB_alarm(self):
        # The reported case: signal.alarm(1) with a raising handler during a
        # blocking 16 MiB sendall that nobody reads.
        code = textwrap.dedent('''
            import signal, libsock, faulthandler, os
            faulthandler.dump_traceback_later(10, exit=True)
            def boom(*a):
                raise KeyboardInterrupt
            signal.signal(signal.SIGALRM, boom)
            a, b = libsock.socketpair()
            signal.alarm(1)
            try:
                a.sendall(b'x' * (16 << 20))
            except KeyboardInterrupt:
                print('INTERRUPTED')
            os._exit(0)
        ''')
        p = subprocess.run([sys.executable, '-c', code], env=child_env(), capture_output=True,
                           text=True, timeout=CHILD_TIMEOUT)
        self.assertEqual(p.stdout.strip(), 'INTERRUPTED', p.stderr)


if __name__ == '__main__':
    unittest.main()
