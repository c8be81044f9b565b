"""python -m libsock [-m module | script.py] [args...]

Runs a script (or, with -m, a module) with libsock in place of stdlib's
``socket`` module: ``sys.modules['socket']`` is libsock before the script
starts, so the script and everything it imports get libsock's socket class
and functions from ``import socket``.
"""
from __future__ import annotations

import runpy
import sys
from typing import List, Optional

import libsock

USAGE = "usage: python -m libsock [-m module | script.py] [args...]"


def main(argv: Optional[List[str]] = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ('-h', '--help'):
        print(USAGE, file=sys.stderr if not args else sys.stdout)
        sys.exit(2 if not args else 0)
    if 'socket' in sys.modules and sys.modules['socket'] is not libsock:
        # Imported before us (by site customisation): modules holding it keep
        # stdlib's; everything imported from now on gets libsock.
        pass
    libsock._install()
    if args[0] == '-m':
        if len(args) < 2:
            print(USAGE, file=sys.stderr)
            sys.exit(2)
        sys.argv = args[1:]
        runpy.run_module(args[1], run_name='__main__', alter_sys=True)
    else:
        sys.argv = args
        # As `python script.py` does: the script's directory comes first on sys.path.
        import os
        sys.path[0] = os.path.dirname(os.path.abspath(args[0]))
        runpy.run_path(args[0], run_name='__main__')


if __name__ == '__main__':
    main()
