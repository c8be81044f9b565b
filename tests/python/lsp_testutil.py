"""Shared helpers for libsock's Python tests (stdlib unittest only).

The tests run with the built package on PYTHONPATH (ctest sets it); child
processes inherit the same environment.
"""
import os
import subprocess
import sys
import threading
import unittest

import libsock

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.environ.get('LIBSOCK_SOURCE_DIR') or os.path.dirname(os.path.dirname(HERE))
EXAMPLES = os.path.join(SOURCE_DIR, 'examples', 'python')

# Every wait in a test is bounded by this, so a bug fails instead of hanging.
TIMEOUT = 10.0


def child_env(**extra):
    env = dict(os.environ)
    pkg_dir = os.path.dirname(os.path.dirname(os.path.abspath(libsock.__file__)))
    env['PYTHONPATH'] = os.pathsep.join(
        [pkg_dir] + [p for p in env.get('PYTHONPATH', '').split(os.pathsep) if p])
    env['PYTHONDONTWRITEBYTECODE'] = '1'
    env['PYTHONUNBUFFERED'] = '1'
    env.update(extra)
    return env


def run_python(args, timeout=60, input=None, **kw):
    return subprocess.run([sys.executable] + list(args), env=child_env(),
                          capture_output=True, text=True, timeout=timeout,
                          input=input, **kw)


def has_ipv6_loopback():
    try:
        with libsock.socket(libsock.AF_INET6) as s:
            s.bind(('::1', 0))
        return True
    except OSError:
        return False


HAS_IPV6 = has_ipv6_loopback()
HAS_UNIX = hasattr(libsock, 'AF_UNIX')


class ServerThread(threading.Thread):
    """Runs handler(conn, addr) for one accepted connection in a thread.

    The listener is bound to port 0 on `host`; `address` is what to connect to.
    Exceptions in the handler are kept and re-raised by join_checked().
    """

    def __init__(self, handler, family=None, host='127.0.0.1', mod=libsock):
        super().__init__(daemon=True)
        family = family if family is not None else mod.AF_INET
        self.listener = mod.socket(family, mod.SOCK_STREAM)
        self.listener.settimeout(TIMEOUT)
        if family == getattr(mod, 'AF_UNIX', None):
            self.listener.bind(host)
        else:
            self.listener.bind((host, 0))
        self.listener.listen(4)
        self.address = self.listener.getsockname()
        self.handler = handler
        self.error = None
        self.result = None

    def run(self):
        try:
            conn, addr = self.listener.accept()
            with conn:
                conn.settimeout(TIMEOUT)
                self.result = self.handler(conn, addr)
        except BaseException as e:  # noqa: B902 - reported by join_checked
            self.error = e
        finally:
            self.listener.close()

    def join_checked(self, test):
        self.join(TIMEOUT)
        test.assertFalse(self.is_alive(), 'server thread did not finish')
        if self.error is not None:
            raise self.error
        return self.result


def recv_exactly(sock, n):
    chunks, got = [], 0
    while got < n:
        data = sock.recv(n - got)
        if not data:
            break
        chunks.append(data)
        got += len(data)
    return b''.join(chunks)


class TestCase(unittest.TestCase):
    def setUp(self):
        self._default_timeout = libsock.getdefaulttimeout()

    def tearDown(self):
        libsock.setdefaulttimeout(self._default_timeout)
