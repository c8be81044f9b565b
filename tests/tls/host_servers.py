"""TLS servers on the build machine for test_tls.exe running under wine.

A Windows program under wine cannot start a Linux program, so for the
windows-wine preset ctest starts these servers before the TLS cases (the
tls.host_servers fixture) and stops them afterwards (tls.host_servers_stop),
by the process id this script wrote, never by name.

    host_servers.py start --certs DIR --state FILE [--openssl PATH]
    host_servers.py stop --state FILE

start runs `serve` in a new session (its output to FILE.log), waits until
it has written FILE, and returns. FILE holds one "NAME PORT" line per
server and a "pid PID" line. Every server listens on 127.0.0.1, port 0.

Python's ssl module (OpenSSL) servers, each connection in its own thread:
    leaf, wrongname, expired, selfsigned, ileaf (leaf only), ichain (with
    the intermediate): echo until close_notify, then close_notify back.
    leaf_trunc: closes right after the handshake without close_notify.
    alpn, alpn_none: leaf with ALPN (x-other, http/1.1, h2) / (x-none).
    auth_required, auth_optional: leaf asking for a client certificate.
And `openssl s_server -rev` (one connection at a time, for ever):
    s_leaf12 (-tls1_2), s_wrongname, s_expired, s_tls11 (TLS 1.1 only).
serve ends on SIGTERM (stopping its s_servers) or after --lifetime seconds.
"""
import argparse
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time

CHUNK = 64 * 1024

# name: (certificate, options)
PY_SERVERS = {
    "leaf": ("leaf", {}),
    "wrongname": ("wrongname", {}),
    "expired": ("expired", {}),
    "selfsigned": ("selfsigned", {}),
    "ileaf": ("ileaf", {}),
    "ichain": ("ichain", {"key": "ileaf"}),
    "leaf_trunc": ("leaf", {"truncate": True}),
    "alpn": ("leaf", {"alpn": ["x-other", "http/1.1", "h2"]}),
    "alpn_none": ("leaf", {"alpn": ["x-none"]}),
    "auth_required": ("leaf", {"client": ssl.CERT_REQUIRED}),
    "auth_optional": ("leaf", {"client": ssl.CERT_OPTIONAL}),
}

# name: (certificate, extra s_server options)
S_SERVERS = {
    "s_leaf12": ("leaf", ["-tls1_2"]),
    "s_wrongname": ("wrongname", []),
    "s_expired": ("expired", []),
    "s_tls11": ("leaf", ["-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"]),
}


def context(certs, cert, opts):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(certs, cert + ".pem"),
                        os.path.join(certs, opts.get("key", cert) + ".key"))
    if "alpn" in opts:
        ctx.set_alpn_protocols(opts["alpn"])
    if "client" in opts:
        ctx.verify_mode = opts["client"]
        ctx.load_verify_locations(os.path.join(certs, "ca.pem"))
    return ctx


def handle(ctx, raw, opts):
    """One connection: the handshake, then echo (or end at once, or on a failure)."""
    try:
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        raw.settimeout(60)
        conn = ctx.wrap_socket(raw, server_side=True)
        if opts.get("truncate"):
            socket.socket.shutdown(conn, socket.SHUT_RDWR)
            conn.close()
            return
        while True:
            data = conn.recv(CHUNK)
            if not data:
                break
            conn.sendall(data)
        conn.unwrap().close()
    except (OSError, ssl.SSLError):
        pass
    finally:
        raw.close()


def py_server(certs, cert, opts):
    ctx = context(certs, cert, opts)
    lst = socket.create_server(("127.0.0.1", 0))

    def loop():
        while True:
            raw, _ = lst.accept()
            threading.Thread(target=handle, args=(ctx, raw, opts), daemon=True).start()

    threading.Thread(target=loop, daemon=True).start()
    return lst.getsockname()[1]


def s_server(openssl, certs, cert, extra, log_dir, name):
    """openssl s_server on a port it picks: (process, port) from its ACCEPT line."""
    out = os.path.join(log_dir, name + ".log")
    argv = [openssl, "s_server", "-accept", "127.0.0.1:0", "-rev",
            "-cert", os.path.join(certs, cert + ".pem"),
            "-key", os.path.join(certs, cert + ".key")] + extra
    with open(out, "wb") as f:
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=f, stderr=f)
    end = time.monotonic() + 20
    while time.monotonic() < end:
        with open(out, "rb") as f:
            m = re.search(rb"ACCEPT [^\n]*:(\d+)\n", f.read())
        if m:
            return p, int(m.group(1))
        if p.poll() is not None:
            break
        time.sleep(0.05)
    p.kill()
    raise RuntimeError("%s did not report its port (see %s)" % (name, out))


def serve(args):
    children = []

    def stop(*_):
        for p in children:
            p.terminate()
        for p in children:
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    lines = []
    for name, (cert, opts) in PY_SERVERS.items():
        lines.append("%s %d" % (name, py_server(args.certs, cert, opts)))
    log_dir = os.path.dirname(os.path.abspath(args.state))
    for name, (cert, extra) in S_SERVERS.items():
        p, port = s_server(args.openssl, args.certs, cert, extra, log_dir, name)
        children.append(p)
        lines.append("%s %d" % (name, port))
    lines.append("pid %d" % os.getpid())
    with open(args.state + ".tmp", "w") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(args.state + ".tmp", args.state)
    # A forgotten server must not outlive the test run by much.
    time.sleep(args.lifetime)
    stop()


def start(args):
    if os.path.exists(args.state):
        os.unlink(args.state)
    argv = [sys.executable, os.path.abspath(__file__), "serve", "--certs", args.certs,
            "--state", args.state, "--openssl", args.openssl,
            "--lifetime", str(args.lifetime)]
    # Its own session and no pipes to ctest, which waits for them to close.
    with open(args.state + ".log", "wb") as log:
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                             start_new_session=True)
    end = time.monotonic() + 30
    while time.monotonic() < end:
        if os.path.exists(args.state):
            with open(args.state) as f:
                print(f.read(), end="")
            return 0
        if p.poll() is not None:
            break
        time.sleep(0.05)
    with open(args.state + ".log") as f:
        print("host_servers.py: the servers did not start:\n" + f.read())
    return 1


def stop(args):
    try:
        with open(args.state) as f:
            pid = int([ln.split()[1] for ln in f if ln.startswith("pid ")][0])
    except (OSError, IndexError, ValueError):
        print("host_servers.py: no servers were running")
        return 0
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    os.unlink(args.state)
    print("host_servers.py: stopped pid %d" % pid)
    return 0


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["start", "serve", "stop"])
    p.add_argument("--certs")
    p.add_argument("--state", required=True)
    p.add_argument("--openssl", default="openssl")
    p.add_argument("--lifetime", type=int, default=1800)
    args = p.parse_args()
    return {"start": start, "serve": serve, "stop": stop}[args.mode](args)


if __name__ == "__main__":
    sys.exit(main())
