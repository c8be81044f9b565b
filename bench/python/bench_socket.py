#!/usr/bin/env python3
"""libsock's Python bindings against stdlib's socket module, same work.

  python3 bench/python/bench_socket.py [--quick]

(with the built package on PYTHONPATH, e.g. PYTHONPATH=build/dev/bindings/python/pkg)

Prints one line per measure:
  <name> libsock=<value> stdlib=<value> ratio=<libsock/stdlib>
The unit is part of the name; every measure is a time per operation, so a
ratio below 1 means libsock is faster. Each figure is the median of several
rounds, libsock and stdlib back to back in each round (alternating which goes
first); the ratio is the median of the per-round ratios, as in
bench/libsock_bench.c.

  (a) pair_1B_send_recv_ns   1-byte send + recv on a connected socketpair, one thread
  (b) pair_64KiB_send_recv_us 64 KiB sendall + recv_into loop on a socketpair, one thread
  (c) tcp_pingpong_1B_us     1-byte ping-pong between two threads over loopback TCP
"""
import argparse
import socket as stdsock
import statistics
import threading
import time

import libsock


def bench_pair_small(mod, n):
    a, b = mod.socketpair()
    send, recv, data = a.send, b.recv, b'x'
    try:
        for _ in range(1000):
            send(data)
            recv(1)
        t0 = time.perf_counter_ns()
        for _ in range(n):
            send(data)
            recv(1)
        return (time.perf_counter_ns() - t0) / n
    finally:
        a.close()
        b.close()


def bench_pair_64k(mod, n):
    a, b = mod.socketpair()
    size = 64 * 1024
    data = bytes(size)
    buf = bytearray(size)
    view = memoryview(buf)
    # Room for a whole message in flight, so one thread can send then receive.
    a.setsockopt(stdsock.SOL_SOCKET, stdsock.SO_SNDBUF, 4 * size)
    b.setsockopt(stdsock.SOL_SOCKET, stdsock.SO_RCVBUF, 4 * size)
    sendall, recv_into = a.sendall, b.recv_into

    def once():
        sendall(data)
        got = 0
        while got < size:
            got += recv_into(view[got:], size - got)

    try:
        for _ in range(50):
            once()
        t0 = time.perf_counter_ns()
        for _ in range(n):
            once()
        return (time.perf_counter_ns() - t0) / n / 1000.0
    finally:
        a.close()
        b.close()


def bench_pingpong(mod, n):
    srv = mod.socket(mod.AF_INET, mod.SOCK_STREAM)
    srv.bind(('127.0.0.1', 0))
    srv.listen(1)
    port = srv.getsockname()[1]
    total = n + 500

    def echo():
        conn, _ = srv.accept()
        conn.setsockopt(stdsock.IPPROTO_TCP, stdsock.TCP_NODELAY, 1)
        recv, send = conn.recv, conn.send
        for _ in range(total):
            send(recv(1))
        conn.close()

    t = threading.Thread(target=echo)
    t.start()
    c = mod.create_connection(('127.0.0.1', port))
    c.setsockopt(stdsock.IPPROTO_TCP, stdsock.TCP_NODELAY, 1)
    send, recv, data = c.send, c.recv, b'p'
    try:
        for _ in range(500):
            send(data)
            recv(1)
        t0 = time.perf_counter_ns()
        for _ in range(n):
            send(data)
            recv(1)
        return (time.perf_counter_ns() - t0) / n / 1000.0
    finally:
        t.join()
        c.close()
        srv.close()


def run(name, fn, n, rounds):
    # As in the C benchmark: each round runs both sides back to back, libsock
    # first in even rounds and stdlib first in odd ones; the values are each
    # side's median and the ratio is the median of the per-round ratios, so
    # a slow spell of a shared machine hits both runs of a round and cancels.
    ours, theirs, ratios = [], [], []
    for i in range(rounds):
        if i % 2 == 0:
            lo = fn(libsock, n)
            st = fn(stdsock, n)
        else:
            st = fn(stdsock, n)
            lo = fn(libsock, n)
        ours.append(lo)
        theirs.append(st)
        ratios.append(lo / st)
    lo, st = statistics.median(ours), statistics.median(theirs)
    ratio = statistics.median(ratios)
    print(f"{name} libsock={lo:.3f} stdlib={st:.3f} ratio={ratio:.3f}", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--quick', action='store_true', help='fewer iterations')
    args = ap.parse_args()
    q = 10 if args.quick else 1
    run('pair_1B_send_recv_ns', bench_pair_small, 200000 // q, 9)
    run('pair_64KiB_send_recv_us', bench_pair_64k, 20000 // q, 7)
    run('tcp_pingpong_1B_us', bench_pingpong, 20000 // q, 7)


if __name__ == '__main__':
    main()
