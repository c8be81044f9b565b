"""stdlib's socket module, for the parts of it libsock reuses.

libsock reuses the pieces of stdlib's socket.py that only call a socket's
public methods (repr, makefile and its SocketIO streams, the send() path of
sendfile), so they behave exactly as stdlib's. Importing libsock must not
import ``socket`` as a side effect (a script that uses libsock in its place
never loads stdlib's module), and under ``python -m libsock`` the name
``socket`` means libsock itself. So unless stdlib's module is already
loaded, a private copy is loaded from its file and is not left in
sys.modules.
"""
import importlib.util
import os
import sys
import sysconfig

_MISSING = object()


def _private_copy():
    path = os.path.join(sysconfig.get_paths()['stdlib'], 'socket.py')
    spec = importlib.util.spec_from_file_location('socket', path)
    mod = importlib.util.module_from_spec(spec)
    # socket.py builds its enums from sys.modules[__name__] while it runs,
    # so the copy stands under that name for exactly that long.
    saved = sys.modules.get('socket', _MISSING)
    sys.modules['socket'] = mod
    try:
        spec.loader.exec_module(mod)
    finally:
        if saved is _MISSING:
            del sys.modules['socket']
        else:
            sys.modules['socket'] = saved
    return mod


def _stdlib_socket():
    mod = sys.modules.get('socket')
    if mod is not None and getattr(mod, '__name__', None) == 'socket':
        return mod
    return _private_copy()


stdsocket = _stdlib_socket()
