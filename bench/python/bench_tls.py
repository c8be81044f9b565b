#!/usr/bin/env python3
"""TLS with stdlib's ssl: on libsock sockets against on stdlib sockets.

  python3 bench/python/bench_tls.py [--quick] [--mib N]

(with the built package on PYTHONPATH, e.g. PYTHONPATH=build/dev/bindings/python/pkg;
certificates are made by the run with the openssl command)

The same program runs over both: a client and a server thread in this
process, loopback TCP, stdlib's ssl.SSLContext on each side (TLS 1.3, an
ECDSA P-256 certificate, verification on). With libsock the sockets are
libsock's and ssl takes libsock's route (libsock/_tls.py); with stdlib they
are stdlib's. Prints one line per measure:
  <name> libsock=<value> stdlib=<value> ratio=<libsock/stdlib>
Both measures are rates, so a ratio above 1 means libsock is faster. Each
round runs both back to back (alternating which goes first); the figures
are medians and the ratio is the median of the per-round ratios, as in
bench_socket.py.

  (d) tls_bulk_64KiB_MiBps      sendall of 64 KiB writes, at least 256 MiB per run,
                                received with recv_into a 64 KiB buffer
  (e) tls_handshakes_per_s      connect + full handshake (no resumption) + close
"""
import argparse
import os
import socket as stdsock
import ssl
import statistics
import sys
import threading
import time

import libsock

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..',
                                'tests', 'python'))
import lsp_tlsutil  # noqa: E402

CHUNK = 64 * 1024


def contexts():
    c = lsp_tlsutil.certs()
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(c.server)
    client = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    client.load_verify_locations(c.ca)
    return server, client


def bench_bulk(mod, mib):
    sctx, cctx = contexts()
    srv = mod.create_server(('127.0.0.1', 0))
    port = srv.getsockname()[1]
    total = mib * 1024 * 1024
    result = {}

    def sink():
        conn, _ = srv.accept()
        with sctx.wrap_socket(conn, server_side=True) as s:
            buf = bytearray(CHUNK)
            got = 0
            while got < total:
                n = s.recv_into(buf)
                if not n:
                    break
                got += n
            result['got'] = got
            result['end'] = time.perf_counter()
            s.sendall(b'k')

    t = threading.Thread(target=sink)
    t.start()
    try:
        with cctx.wrap_socket(mod.create_connection(('127.0.0.1', port)),
                              server_hostname='localhost') as c:
            data = bytes(CHUNK)
            c.sendall(data)  # warm up: the first record after the handshake
            t0 = time.perf_counter()
            sent = CHUNK
            while sent < total:
                c.sendall(data)
                sent += CHUNK
            c.recv(1)
            t1 = time.perf_counter()
    finally:
        t.join()
        srv.close()
    assert result['got'] == total, result
    return total / (1024 * 1024) / (t1 - t0)


def bench_handshakes(mod, n):
    sctx, cctx = contexts()
    srv = mod.create_server(('127.0.0.1', 0), backlog=64)
    port = srv.getsockname()[1]

    def serve():
        for _ in range(n):
            conn, _ = srv.accept()
            try:
                with sctx.wrap_socket(conn, server_side=True) as s:
                    s.recv(1)
            except (OSError, ssl.SSLError):
                pass

    t = threading.Thread(target=serve)
    t.start()
    try:
        t0 = time.perf_counter()
        for _ in range(n):
            with cctx.wrap_socket(mod.create_connection(('127.0.0.1', port)),
                                  server_hostname='localhost') as c:
                c.sendall(b'x')
        t1 = time.perf_counter()
    finally:
        t.join()
        srv.close()
    return n / (t1 - t0)


def run(name, fn, arg, rounds):
    ours, theirs, ratios = [], [], []
    for i in range(rounds):
        if i % 2 == 0:
            lo = fn(libsock, arg)
            st = fn(stdsock, arg)
        else:
            st = fn(stdsock, arg)
            lo = fn(libsock, arg)
        ours.append(lo)
        theirs.append(st)
        ratios.append(lo / st)
    lo, st = statistics.median(ours), statistics.median(theirs)
    ratio = statistics.median(ratios)
    print(f"{name} libsock={lo:.1f} stdlib={st:.1f} ratio={ratio:.3f}", flush=True)
    return ratio


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--quick', action='store_true', help='fewer rounds, smaller runs')
    ap.add_argument('--mib', type=int, default=256, help='MiB per bulk run (default 256)')
    ap.add_argument('--rounds', type=int, default=None)
    args = ap.parse_args()
    rounds = args.rounds or (3 if args.quick else 7)
    mib = 16 if args.quick else args.mib
    print(f"# python {sys.version.split()[0]}, {ssl.OPENSSL_VERSION}, {os.cpu_count()} CPUs",
          flush=True)
    run('tls_bulk_64KiB_MiBps', bench_bulk, mib, rounds)
    run('tls_handshakes_per_s', bench_handshakes, 50 if args.quick else 300, rounds)


if __name__ == '__main__':
    main()
