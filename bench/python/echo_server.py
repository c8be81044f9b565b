#!/usr/bin/env python3
"""Single-threaded asyncio TCP echo server for bench/echo_bench.c.

  python3 echo_server.py --loop libsock|stdlib|uvloop

  libsock  asyncio.SelectorEventLoop on libsock.selectors.DefaultSelector
  stdlib   asyncio.SelectorEventLoop on selectors.DefaultSelector (epoll)
  uvloop   uvloop's event loop (libuv underneath)

The server is an asyncio.Protocol whose data_received writes the data back
(vmbench's fastest asyncio server), on a stdlib listening socket bound to
127.0.0.1 and an OS-chosen port; every loop sets TCP_NODELAY on accepted
connections. It prints "port N" on stdout and runs until killed (the driver
stops it with SIGTERM by pid). When the loop asked for cannot be had (no
uvloop, no libsock.selectors yet) it prints "unavailable <reason>" and exits
with status 3, so the benchmark reports that server as not available.
"""
import argparse
import asyncio
import selectors
import socket
import sys


class Echo(asyncio.Protocol):
    __slots__ = ('transport',)

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.transport.write(data)

    def connection_lost(self, exc):
        self.transport = None


def unavailable(reason):
    print(f'unavailable {reason}', flush=True)
    sys.exit(3)


def make_loop(kind):
    if kind == 'stdlib':
        return asyncio.SelectorEventLoop(selectors.DefaultSelector())
    if kind == 'libsock':
        try:
            from libsock import selectors as ls_selectors
            sel = ls_selectors.DefaultSelector()
        except Exception as e:  # ImportError now; any failure of an early version
            unavailable(f'libsock.selectors: {type(e).__name__}: {e}')
        return asyncio.SelectorEventLoop(sel)
    try:
        import uvloop
    except ImportError as e:
        unavailable(f'uvloop: {e} (Debian: apt-get install python3-uvloop)')
    return uvloop.new_event_loop()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--loop', choices=('libsock', 'stdlib', 'uvloop'), required=True)
    args = ap.parse_args()
    loop = make_loop(args.loop)
    asyncio.set_event_loop(loop)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(('127.0.0.1', 0))
    try:
        server = loop.run_until_complete(
            loop.create_server(Echo, sock=sock, backlog=socket.SOMAXCONN))
    except Exception as e:  # a selector that cannot serve yet
        unavailable(f'{args.loop}: create_server: {type(e).__name__}: {e}')
    print(f'port {sock.getsockname()[1]}', flush=True)
    try:
        loop.run_forever()
    finally:
        server.close()
        loop.close()


if __name__ == '__main__':
    main()
