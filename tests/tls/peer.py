"""An independent TLS peer for test_tls.c: Python's ssl module, no libsock.

server: listen on 127.0.0.1 port 0, write the port to --port-file, accept
        one connection, echo until the peer's close_notify (or end), send
        close_notify, exit 0. --no-close-notify: close the socket without it.
client: connect to --port, send --bytes in 64 KiB chunks, reading each
        chunk's echo before the next; compare digests; exit 0 if equal.
Exit status 0 on success; a failure prints its reason and exits 1.
"""
import argparse
import hashlib
import os
import socket
import ssl
import sys

CHUNK = 64 * 1024
VERSIONS = {"1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}


# Byte p of the stream is p * 7 % 251, as in test_tls.c.
BASE = bytes(i * 7 % 251 for i in range(CHUNK + 251))


def pattern(offset, n):
    return BASE[offset % 251:offset % 251 + n]


def context(args, side):
    ctx = ssl.SSLContext(side)
    if args.version:
        ctx.minimum_version = ctx.maximum_version = VERSIONS[args.version]
    if args.cert:
        ctx.load_cert_chain(args.cert, args.key)
    if args.cafile:
        ctx.load_verify_locations(args.cafile)
    if args.alpn:
        ctx.set_alpn_protocols(args.alpn.split(","))
    return ctx


def serve(args):
    ctx = context(args, ssl.PROTOCOL_TLS_SERVER)
    if args.require_client:
        ctx.verify_mode = ssl.CERT_REQUIRED
    lst = socket.create_server(("127.0.0.1", 0))
    with open(args.port_file + ".tmp", "w") as f:
        f.write("%d\n" % lst.getsockname()[1])
    os.replace(args.port_file + ".tmp", args.port_file)
    raw, _ = lst.accept()
    raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    conn = ctx.wrap_socket(raw, server_side=True)
    while True:
        data = conn.recv(CHUNK)
        if not data:
            break
        conn.sendall(data)
    if args.no_close_notify:
        # Under the TLS layer: the peer sees the end without close_notify.
        socket.socket.shutdown(conn, socket.SHUT_RDWR)
        conn.close()
    else:
        conn.unwrap().close()
    return 0


def client(args):
    ctx = context(args, ssl.PROTOCOL_TLS_CLIENT)
    raw = socket.create_connection(("127.0.0.1", args.port))
    raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    conn = ctx.wrap_socket(raw, server_hostname=args.name)
    sent, got = hashlib.sha256(), hashlib.sha256()
    done = 0
    while done < args.bytes:
        chunk = pattern(done, min(CHUNK, args.bytes - done))
        conn.sendall(chunk)
        sent.update(chunk)
        need = len(chunk)
        while need:
            data = conn.recv(need)
            if not data:
                print("peer.py: the echo ended early")
                return 1
            got.update(data)
            need -= len(data)
        done += len(chunk)
    conn.unwrap().close()
    if sent.digest() != got.digest():
        print("peer.py: the echo differs")
        return 1
    print("peer.py: echo ok, %d bytes" % done)
    return 0


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["server", "client"])
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--cafile")
    p.add_argument("--alpn")
    p.add_argument("--version", choices=sorted(VERSIONS))
    p.add_argument("--port-file")
    p.add_argument("--port", type=int)
    p.add_argument("--name", default="localhost")
    p.add_argument("--bytes", type=int, default=16 * 1024 * 1024)
    p.add_argument("--require-client", action="store_true")
    p.add_argument("--no-close-notify", action="store_true")
    args = p.parse_args()
    try:
        return serve(args) if args.mode == "server" else client(args)
    except (OSError, ssl.SSLError) as e:
        print("peer.py: %s" % e)
        return 1


if __name__ == "__main__":
    sys.exit(main())
