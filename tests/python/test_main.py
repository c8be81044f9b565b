"""`python -m libsock script.py [args]`: the script and all it imports get
libsock for `import socket`."""
import os
import sys
import tempfile
import textwrap
import unittest

import libsock
from lsp_testutil import TestCase, run_python

SCRIPT = '''
import sys, socket
import helper_mod
print('ARGV', sys.argv)
print('SCRIPT', socket.__name__, socket.socket.__module__)
print('HELPER', helper_mod.which())
print('NAME', __name__)
print('PATH0', sys.path[0] == %r)
sys.exit(int(sys.argv[-1]))
'''

HELPER = '''
import socket
from socket import socket as sock_class
def which():
    return socket.__name__, sock_class.__module__, type(socket.socket()).__mro__[1].__name__
'''


class MainTest(TestCase):
    def setUp(self):
        super().setUp()
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)
        d = self.dir.name
        with open(os.path.join(d, 'script.py'), 'w') as f:
            f.write(SCRIPT % d)
        with open(os.path.join(d, 'helper_mod.py'), 'w') as f:
            f.write(HELPER)
        self.script = os.path.join(d, 'script.py')

    def test_script_and_imports_get_libsock(self):
        r = run_python(['-m', 'libsock', self.script, 'a', 'b c', '0'])
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.splitlines()
        self.assertIn("ARGV ['%s', 'a', 'b c', '0']" % self.script, lines)
        self.assertIn('SCRIPT libsock libsock', lines)
        self.assertIn("HELPER ('libsock', 'libsock', 'SocketBase')", lines)
        self.assertIn('NAME __main__', lines)
        self.assertIn('PATH0 True', lines)

    def test_exit_status_propagates(self):
        r = run_python(['-m', 'libsock', self.script, '7'])
        self.assertEqual(r.returncode, 7, r.stderr)

    def test_without_libsock_is_stdlib(self):
        r = run_python([self.script, '0'])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn('SCRIPT socket socket', r.stdout.splitlines())

    def test_dash_m_module(self):
        env_dir = self.dir.name
        r = run_python(['-c', 'import sys; sys.path.insert(0, %r); '
                              'from libsock.__main__ import main; main(["-m", "helper_mod"])' % env_dir])
        self.assertEqual(r.returncode, 0, r.stderr)
        r = run_python(['-m', 'libsock', '-m', 'json.tool', '--help'])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn('json.tool', r.stdout)

    def test_usage(self):
        r = run_python(['-m', 'libsock'])
        self.assertEqual(r.returncode, 2)
        self.assertIn('usage', r.stderr)


if __name__ == '__main__':
    unittest.main()
