"""The documents' example (examples/python/hello_server.py), verbatim, on libsock.

The example binds a fixed port on 127.0.0.1, and it must run unchanged. So
each run (the example server and its client) happens inside a network
namespace of its own, created for the run (`unshare -rn`, loopback only):
the fixed port cannot clash with anything on the host, and no traffic leaves
the namespace. Only where this host cannot create one does the run use the
host's loopback, and then it first checks that the port is free.
"""
import ast
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import unittest

from lsp_testutil import EXAMPLES, TIMEOUT, child_env

SERVER = os.path.join(EXAMPLES, 'hello_server.py')
CLIENT = os.path.join(EXAMPLES, 'hello_client.py')

# SHA-256 of the example exactly as the source document prints it (the
# Python listing of ../shared/seeds/001_*.txt, 544 bytes).
EXAMPLE_SHA256 = 'b9a006e73122d4d7c716c66ebd53b579ac6100fcef89648d0de51fe0049d01da'

with open(SERVER, encoding='utf-8') as _f:
    EXAMPLE_TEXT = _f.read()
# The port the example binds, read from the example itself.
EXAMPLE_PORT = int(re.search(r"bind\(\('127\.0\.0\.1', (\d+)\)\)", EXAMPLE_TEXT).group(1))

# Runs `python -m libsock <script>` in-process and prints libsock's call
# counters at exit: the proof that the example's calls went through libsock.
RUN_WITH_STATS = """
import atexit, runpy, sys
import libsock
def report():
    sock_mod = sys.modules['socket']
    print('STATS', sock_mod is libsock, sock_mod.socket is libsock.socket,
          sorted(libsock._libsock._stats().items()))
atexit.register(report)
sys.argv = ['libsock'] + sys.argv[1:]
runpy.run_module('libsock', run_name='__main__', alter_sys=True)
"""

# One run, in its own process (inside the namespace when there is one): start
# the server, then either connect and read to EOF here or run a client
# script; print what everybody did as JSON. Every wait is bounded.
DRIVER = r"""
import json, socket, struct, subprocess, sys, time
spec = json.loads(sys.argv[1])
port, timeout = spec['port'], spec['timeout']
if not spec['private']:
    probe = socket.socket()
    try:
        probe.bind(('127.0.0.1', port))
    except OSError:
        print(json.dumps({'busy': True}))
        sys.exit(0)
    finally:
        probe.close()
import libsock

def connect_and_read():
    deadline = time.monotonic() + timeout
    while True:
        try:
            c = libsock.create_connection(('127.0.0.1', port), timeout=timeout)
            break
        except ConnectionRefusedError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)
    with c:
        local = c.getsockname()
        data = b''
        while True:
            chunk = c.recv(1024)
            if not chunk:
                break
            data += chunk
        # A reset instead of TIME_WAIT, so the next run can bind the port.
        c.setsockopt(libsock.SOL_SOCKET, libsock.SO_LINGER, struct.pack('ii', 1, 0))
    return data, local

result = {}
server = subprocess.Popen([sys.executable] + spec['server'], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)
try:
    if spec['client']:
        c = subprocess.run([sys.executable] + spec['client'], capture_output=True,
                           text=True, timeout=3 * timeout)
        result['client'] = [c.returncode, c.stdout, c.stderr]
    else:
        data, local = connect_and_read()
        result['data'] = data.decode('latin-1')
        result['local'] = repr(local)
    out, err = server.communicate(timeout=timeout)
finally:
    if server.poll() is None:
        server.kill()
        out, err = server.communicate()
result['server'] = [server.returncode, out, err]
print(json.dumps(result))
"""


def _private_net_prefix():
    """The command prefix that runs a command in a new network namespace with
    loopback up, or None if this host cannot create one."""
    if not (shutil.which('unshare') and shutil.which('ip')):
        return None
    prefix = ['unshare', '-rn', 'sh', '-c', 'ip link set lo up && exec "$@"', 'sh']
    try:
        probe = subprocess.run(prefix + ['true'], capture_output=True, timeout=TIMEOUT)
    except (OSError, subprocess.SubprocessError):
        return None
    return prefix if probe.returncode == 0 else None


PRIVATE_NET = _private_net_prefix()


def run_example(server_args, client_args=None):
    """One run of the example server (and a client); what each did."""
    spec = {'port': EXAMPLE_PORT, 'timeout': TIMEOUT, 'private': PRIVATE_NET is not None,
            'server': server_args, 'client': client_args}
    cmd = (PRIVATE_NET or []) + [sys.executable, '-c', DRIVER, json.dumps(spec)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=child_env(),
                          timeout=6 * TIMEOUT)
    if proc.returncode != 0:
        raise AssertionError('the example run failed:\n' + proc.stdout + proc.stderr)
    return json.loads(proc.stdout.strip().splitlines()[-1])


class ExampleTest(unittest.TestCase):
    def run_checked(self, server_args, client_args=None):
        result = run_example(server_args, client_args)
        if result.get('busy'):
            self.fail(f'port {EXAMPLE_PORT} on 127.0.0.1 is in use and this host cannot '
                      'create a network namespace: the verbatim example needs the port')
        return result

    def test_file_is_verbatim(self):
        with open(SERVER, 'rb') as f:
            self.assertEqual(hashlib.sha256(f.read()).hexdigest(), EXAMPLE_SHA256)
        ast.parse(EXAMPLE_TEXT)  # and it is Python
        self.assertIn('import socket\n', EXAMPLE_TEXT)

    def _run_server(self, server_args):
        result = self.run_checked(server_args)
        code, out, err = result['server']
        self.assertEqual(code, 0, err)
        self.assertEqual(result['data'], 'Hello from server!')
        lines = out.splitlines()
        self.assertEqual(lines[0], f'Server is listening on port {EXAMPLE_PORT}...')
        self.assertEqual(lines[1], 'Connection from %s' % result['local'])
        return lines

    def test_python_m_libsock_runs_example_unchanged(self):
        lines = self._run_server(['-c', RUN_WITH_STATS, SERVER])
        stats_line = [l for l in lines if l.startswith('STATS')]
        self.assertEqual(len(stats_line), 1, lines)
        self.assertIn('STATS True True', stats_line[0])
        stats = dict(eval(stats_line[0].split(' ', 3)[3]))
        self.assertEqual(stats['accepted'], 1)
        self.assertGreaterEqual(stats['created'], 2)
        self.assertGreaterEqual(stats['sent'], 1)

    def test_import_libsock_as_socket_runs_example_unchanged(self):
        body = EXAMPLE_TEXT.replace('import socket\n', 'import libsock as socket\n', 1)
        body += ("import sys\nprint('MODULES', 'socket' in sys.modules, "
                 "type(client_socket).__module__, socket._libsock._stats()['accepted'])\n")
        lines = self._run_server(['-c', body])
        # The example never imported stdlib's socket module; its socket
        # objects are libsock's, and libsock accepted the connection.
        self.assertIn('MODULES False libsock 1', lines)

    def test_hello_client_example(self):
        result = self.run_checked(['-m', 'libsock', SERVER], [CLIENT])
        code, out, err = result['client']
        self.assertEqual(code, 0, err)
        self.assertEqual(out.strip(), 'Client received: Hello from server!')
        code, out, err = result['server']
        self.assertEqual(code, 0, err)
        self.assertIn('Connection from', out)

    def test_runs_in_a_private_network(self):
        # Say which way this host ran the example; a namespace is the norm.
        if PRIVATE_NET is None:
            self.skipTest('this host cannot create a network namespace (unshare -rn): '
                          'the example ran on the host loopback')
        probe = subprocess.run(PRIVATE_NET + ['ip', '-o', 'link'], capture_output=True,
                               text=True, timeout=TIMEOUT)
        self.assertEqual(probe.returncode, 0, probe.stderr)
        self.assertEqual([l.split(':')[1].strip() for l in probe.stdout.splitlines()], ['lo'])


if __name__ == '__main__':
    unittest.main()
