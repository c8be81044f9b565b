"""`python3 -m pip install .` at the repository root works offline and gives an
importable libsock with its type information."""
import os
import subprocess
import sys
import tempfile
import unittest

from lsp_testutil import SOURCE_DIR


def pip_available():
    return subprocess.run([sys.executable, '-m', 'pip', '--version'],
                          capture_output=True).returncode == 0


@unittest.skipUnless(pip_available(), 'pip is not installed for this interpreter')
class PipInstallTest(unittest.TestCase):
    def test_pip_install_offline(self):
        with tempfile.TemporaryDirectory(prefix='libsock-pip-') as target:
            env = dict(os.environ)
            env.pop('PYTHONPATH', None)  # the built tree must not be what we import
            env.update(PIP_NO_INDEX='1', PIP_DISABLE_PIP_VERSION_CHECK='1',
                       PYTHONDONTWRITEBYTECODE='1', PIP_NO_CACHE_DIR='1')
            r = subprocess.run([sys.executable, '-m', 'pip', 'install', '--no-index',
                                '--target', target, SOURCE_DIR],
                               env=env, capture_output=True, text=True, timeout=900)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            pkg = os.path.join(target, 'libsock')
            names = os.listdir(pkg)
            for n in ('__init__.py', '__main__.py', 'py.typed', '_libsock.pyi'):
                self.assertIn(n, names)
            self.assertTrue(any(n.startswith('_libsock.') and n.endswith(('.so', '.pyd'))
                                for n in names), names)
            env['PYTHONPATH'] = target
            code = ('import libsock, os; a, b = libsock.socketpair(); a.send(b"ok"); '
                    'print(libsock.__file__.startswith(%r), b.recv(2).decode())' % target)
            r = subprocess.run([sys.executable, '-c', code], env=env, cwd=target,
                               capture_output=True, text=True, timeout=60)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(r.stdout.strip(), 'True ok')


if __name__ == '__main__':
    unittest.main()
