"""The documents' example (examples/python/hello_server.py), verbatim, on libsock."""
import os
import socket as stdsock
import struct
import subprocess
import sys
import time
import unittest

import libsock
from lsp_testutil import EXAMPLES, TIMEOUT, child_env, run_python

EXAMPLE_TEXT = """import socket

# Create a socket object
server_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)

# Bind the socket to localhost on port 12345
server_socket.bind(('127.0.0.1', 12345))

# Listen for incoming connections
server_socket.listen(1)
print('Server is listening on port 12345...')

# Accept a connection
client_socket, addr = server_socket.accept()
print(f'Connection from {addr}')

# Send a message to the client
client_socket.sendall(b'Hello from server!')

# Close the connection
client_socket.close()
server_socket.close()
"""

SERVER = os.path.join(EXAMPLES, 'hello_server.py')

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


def port_12345_free():
    s = stdsock.socket()
    try:
        s.bind(('127.0.0.1', 12345))
        return True
    except OSError:
        return False
    finally:
        s.close()


def connect_and_read():
    """The client: retry until the example listens (bounded), read to EOF."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        try:
            c = libsock.create_connection(('127.0.0.1', 12345), timeout=TIMEOUT)
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
        # Reset instead of TIME_WAIT on port 12345, so the next test can bind it.
        c.setsockopt(libsock.SOL_SOCKET, libsock.SO_LINGER, struct.pack('ii', 1, 0))
    return data, local


class ExampleTest(unittest.TestCase):
    def test_file_is_verbatim(self):
        with open(SERVER, encoding='utf-8') as f:
            self.assertEqual(f.read(), EXAMPLE_TEXT)

    def _run_server(self, args):
        if not port_12345_free():
            self.fail('port 12345 on 127.0.0.1 is in use: the verbatim example needs it')
        proc = subprocess.Popen([sys.executable] + args, env=child_env(),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            data, local = connect_and_read()
            out, err = proc.communicate(timeout=TIMEOUT)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        self.assertEqual(proc.returncode, 0, err)
        self.assertEqual(data, b'Hello from server!')
        lines = out.splitlines()
        self.assertEqual(lines[0], 'Server is listening on port 12345...')
        self.assertEqual(lines[1], 'Connection from %s' % (local,))
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
        if not port_12345_free():
            self.fail('port 12345 on 127.0.0.1 is in use: the verbatim example needs it')
        server = subprocess.Popen([sys.executable, '-m', 'libsock', SERVER], env=child_env(),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            client = run_python([os.path.join(EXAMPLES, 'hello_client.py')], timeout=30)
            out, err = server.communicate(timeout=TIMEOUT)
        finally:
            if server.poll() is None:
                server.kill()
                server.communicate()
        self.assertEqual(client.returncode, 0, client.stderr)
        self.assertEqual(client.stdout.strip(), 'Client received: Hello from server!')
        self.assertEqual(server.returncode, 0, err)
        self.assertIn('Connection from', out)


if __name__ == '__main__':
    unittest.main()
