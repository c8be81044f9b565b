"""GIL release, Ctrl-C and PEP 475 retries around blocking calls."""
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
import unittest

import libsock
from lsp_testutil import TIMEOUT, TestCase, child_env

POSIX = os.name == 'posix'


def wait_sleeping(pid):
    """Wait (bounded) until the child's main thread sleeps in the kernel."""
    path = '/proc/%d/stat' % pid
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        try:
            with open(path) as f:
                state = f.read().rsplit(')', 1)[1].split()[0]
        except OSError:
            state = None
        if state is None or state == 'S':
            # No /proc (not Linux): a short pause after READY instead.
            if state is None:
                time.sleep(0.3)
            return
        time.sleep(0.01)


BLOCKER = {
    'recv': """
        a, b = libsock.socketpair()
        print('READY', flush=True)
        a.recv(1)
    """,
    'recv_timeout': """
        a, b = libsock.socketpair()
        a.settimeout(60)
        print('READY', flush=True)
        a.recv(1)
    """,
    'accept': """
        s = libsock.socket()
        s.bind(('127.0.0.1', 0))
        s.listen()
        print('READY', flush=True)
        s.accept()
    """,
    'connect_then_recv': """
        s = libsock.create_server(('127.0.0.1', 0))
        c = libsock.create_connection(s.getsockname())
        print('READY', flush=True)
        c.recv(1)
    """,
}


@unittest.skipUnless(POSIX, 'POSIX signals')
class CtrlCTest(TestCase):
    def run_and_interrupt(self, body, sig=signal.SIGINT):
        code = 'import libsock\n' + textwrap.dedent(body)
        p = subprocess.Popen([sys.executable, '-c', code], env=child_env(),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            self.assertEqual(p.stdout.readline().strip(), 'READY')
            wait_sleeping(p.pid)
            p.send_signal(sig)
            out, err = p.communicate(timeout=TIMEOUT)
        finally:
            if p.poll() is None:
                p.kill()
                p.communicate()
        # The line of the blocking call: the body's last line.
        return p.returncode, err, 'line %d' % len(code.rstrip().split('\n'))

    def test_ctrl_c_interrupts_blocking_calls(self):
        for name, body in BLOCKER.items():
            with self.subTest(name):
                rc, err, where = self.run_and_interrupt(body)
                self.assertNotEqual(rc, 0)
                self.assertIn('KeyboardInterrupt', err)
                self.assertIn(where, err)  # raised by the blocking call

    def test_ctrl_c_is_catchable(self):
        rc, err, _ = self.run_and_interrupt("""
            import sys
            a, b = libsock.socketpair()
            try:
                print('READY', flush=True)
                a.recv(1)
            except KeyboardInterrupt:
                sys.exit(42)
        """)
        self.assertEqual(rc, 42, err)


@unittest.skipUnless(POSIX and hasattr(signal, 'setitimer'), 'POSIX interval timers')
class Pep475Test(TestCase):
    def setUp(self):
        super().setUp()
        self.a, self.b = libsock.socketpair()
        self.hits = 0
        self.old = signal.signal(signal.SIGALRM, self.on_alarm)

    def tearDown(self):
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, self.old)
        self.a.close()
        self.b.close()
        super().tearDown()

    def on_alarm(self, signum, frame):
        self.hits += 1

    def delayed(self, action):
        """Run action once the handler has run 3 times (bounded), in a thread
        that blocks SIGALRM so the signal interrupts the main thread's call."""
        seen = {}

        def worker():
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
            deadline = time.monotonic() + TIMEOUT
            while self.hits < 3 and time.monotonic() < deadline:
                time.sleep(0.005)
            seen['hits'] = self.hits
            action()

        t = threading.Thread(target=worker)
        t.start()
        return t, seen

    def test_recv_retried_after_handler(self):
        t, seen = self.delayed(lambda: self.b.send(b'ok'))
        signal.setitimer(signal.ITIMER_REAL, 0.02, 0.02)
        data = self.a.recv(2)
        signal.setitimer(signal.ITIMER_REAL, 0)
        t.join(TIMEOUT)
        self.assertEqual(data, b'ok')
        # The handler ran while recv was blocked (not only after it returned).
        self.assertGreaterEqual(seen['hits'], 3)

    def test_recv_with_timeout_retried(self):
        self.a.settimeout(TIMEOUT * 3)
        t, seen = self.delayed(lambda: self.b.send(b'ok'))
        signal.setitimer(signal.ITIMER_REAL, 0.02, 0.02)
        data = self.a.recv(2)
        signal.setitimer(signal.ITIMER_REAL, 0)
        t.join(TIMEOUT)
        self.assertEqual(data, b'ok')
        self.assertGreaterEqual(seen['hits'], 3)

    def test_accept_retried(self):
        srv = libsock.socket()
        srv.bind(('127.0.0.1', 0))
        srv.listen()
        holder = {}
        t, seen = self.delayed(lambda: holder.setdefault(
            'c', libsock.create_connection(srv.getsockname())))
        signal.setitimer(signal.ITIMER_REAL, 0.02, 0.02)
        conn, addr = srv.accept()
        signal.setitimer(signal.ITIMER_REAL, 0)
        t.join(TIMEOUT)
        with srv, conn, holder['c']:
            self.assertEqual(addr, holder['c'].getsockname())
        self.assertGreaterEqual(seen['hits'], 3)

    def stop_after(self, hits):
        """From now on, the handler stops the timer after `hits` signals, so
        a call whose timeout signals keep stretching still ends."""
        def on_alarm(signum, frame):
            self.hits += 1
            if self.hits >= hits:
                signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, on_alarm)

    def assert_timeout_kept(self, call):
        # Signals every 0.1 s during a call with a 0.5 s timeout: the call
        # still times out after about 0.5 s in all (PEP 475 recomputes the
        # time left). If each retry got the full timeout again, it would only
        # end once the 50 signals (5 s) stopped.
        self.stop_after(50)
        signal.setitimer(signal.ITIMER_REAL, 0.1, 0.1)
        t0 = time.monotonic()
        with self.assertRaises(TimeoutError):
            call()
        elapsed = time.monotonic() - t0
        signal.setitimer(signal.ITIMER_REAL, 0)
        self.assertGreaterEqual(self.hits, 3)
        self.assertLess(elapsed, 3.0, f'{self.hits} signals stretched a 0.5 s timeout')

    def test_signals_do_not_stretch_recv_timeout(self):
        self.a.settimeout(0.5)
        self.assert_timeout_kept(lambda: self.a.recv(1))

    def test_signals_do_not_stretch_accept_timeout(self):
        with libsock.socket() as srv:
            srv.bind(('127.0.0.1', 0))
            srv.listen()
            srv.settimeout(0.5)
            self.assert_timeout_kept(srv.accept)

    def test_signals_do_not_stretch_sendall_timeout(self):
        # Nobody reads b, so the data cannot all go.
        self.a.settimeout(0.5)
        self.assert_timeout_kept(lambda: self.a.sendall(b'x' * (64 << 20)))

    def test_handler_exception_propagates(self):
        class Boom(Exception):
            pass

        def boom(signum, frame):
            raise Boom()

        signal.signal(signal.SIGALRM, boom)
        signal.setitimer(signal.ITIMER_REAL, 0.05)
        with self.assertRaises(Boom):
            self.a.recv(1)


class GilTest(TestCase):
    def test_other_threads_run_while_blocked(self):
        a, b = libsock.socketpair()
        with a, b:
            t = threading.Thread(target=a.recv, args=(1,))
            t.start()
            # If recv held the GIL this loop (pure Python) could not run.
            counter = 0
            deadline = time.monotonic() + TIMEOUT
            while counter < 100000 and time.monotonic() < deadline:
                counter += 1
            self.assertTrue(t.is_alive())
            self.assertEqual(counter, 100000)
            b.send(b'x')
            t.join(TIMEOUT)
            self.assertFalse(t.is_alive())

    def test_close_from_other_thread_wakes_blocked_call(self):
        a, b = libsock.socketpair()
        err = {}

        def reader():
            try:
                a.recv(1)
            except OSError as e:
                err['e'] = e
            else:
                err['e'] = None

        t = threading.Thread(target=reader)
        t.start()
        time.sleep(0.05)
        b.close()  # the peer goes away: recv returns b'' (EOF)
        t.join(TIMEOUT)
        self.assertFalse(t.is_alive())
        a.close()


if __name__ == '__main__':
    unittest.main()
