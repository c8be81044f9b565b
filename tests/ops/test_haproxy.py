"""HAProxy in front of two libsock servers (tests/ops/proxy_backend.c).

A real HAProxy (Debian's package) balances round robin over two backends,
one sent PROXY v2 headers and one v1. Each client connects from a source
address of its own (127.0.0.2, .3, .9), so the test can check that every
backend sees every client's real address, that the backends' access rule
(deny 127.0.0.9) holds for the real client behind the proxy, and that load
reaches both. Every process is started here and stopped by its pid.

Environment: PROXY_BACKEND (the backend binary), HAPROXY (default: haproxy).
"""
import os
import shutil
import socket
import subprocess
import tempfile
import time
import unittest

BACKEND = os.environ.get("PROXY_BACKEND", "")
HAPROXY = os.environ.get("HAPROXY") or shutil.which("haproxy") or "/usr/sbin/haproxy"


def start_backend(name, deny):
    proc = subprocess.Popen([BACKEND, name, deny], stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline().split()
    if len(line) != 2 or line[0] != "port":
        proc.kill()
        raise RuntimeError(f"backend {name} did not start: {line}")
    return proc, int(line[1])


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


CONFIG = """
global
    maxconn 200
defaults
    mode tcp
    timeout connect 2s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:{port}
    default_backend be
backend be
    balance roundrobin
    server a 127.0.0.1:{pa} send-proxy-v2
    server b 127.0.0.1:{pb} send-proxy
"""


def wait_listening(port, deadline):
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def ask(port, source):
    """One connection through HAProxy from source; the reply and our own address."""
    with socket.socket() as s:
        s.settimeout(5)
        s.bind((source, 0))
        s.connect(("127.0.0.1", port))
        me = "%s:%d" % s.getsockname()
        data = b""
        try:
            while True:
                chunk = s.recv(256)
                if not chunk:
                    break
                data += chunk
        except ConnectionResetError:
            pass
        return data.decode(), me


@unittest.skipUnless(BACKEND and os.path.exists(BACKEND), "PROXY_BACKEND not built")
@unittest.skipUnless(shutil.which(HAPROXY) or os.path.exists(HAPROXY),
                     "haproxy is not installed (./scripts/test installs Debian's package)")
class HAProxyTest(unittest.TestCase):
    def setUp(self):
        self.procs = []
        self.dir = tempfile.mkdtemp(prefix="ls-haproxy-")
        a, pa = start_backend("a", "127.0.0.9/32")
        self.procs.append(a)
        b, pb = start_backend("b", "127.0.0.9/32")
        self.procs.append(b)
        self.backends = {"a": a, "b": b}
        # HAProxy cannot report a port it chose: take a free one, and try
        # again if another process takes it first.
        for _ in range(5):
            self.port = free_port()
            cfg = os.path.join(self.dir, "haproxy.cfg")
            with open(cfg, "w") as f:
                f.write(CONFIG.format(port=self.port, pa=pa, pb=pb))
            with open(os.path.join(self.dir, "haproxy.log"), "w") as log:
                hp = subprocess.Popen([HAPROXY, "-db", "-f", cfg],
                                      stdout=subprocess.DEVNULL, stderr=log)
            if wait_listening(self.port, time.monotonic() + 5):
                self.procs.append(hp)
                return
            hp.kill()
            hp.wait()
        self.fail("haproxy did not start")

    def tearDown(self):
        for p in self.procs:
            p.kill()  # by its pid: Popen.kill signals exactly this process
            p.wait()
            if p.stdout is not None:
                p.stdout.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def test_real_client_addresses_and_balance(self):
        seen = {"a": 0, "b": 0}
        for i in range(8):
            source = "127.0.0.%d" % (2 + i % 2)
            reply, me = ask(self.port, source)
            parts = reply.split()
            self.assertEqual(len(parts), 3, reply)
            name, peer, version = parts
            self.assertEqual(peer, me, "the backend must see the real client")
            self.assertEqual(version, "v2" if name == "a" else "v1")
            seen[name] += 1
        self.assertGreater(seen["a"], 0)
        self.assertGreater(seen["b"], 0)

    def test_deny_rule_on_real_client(self):
        # Twice, so each backend (round robin) refuses once.
        for _ in range(2):
            reply, _ = ask(self.port, "127.0.0.9")
            self.assertEqual(reply, "", "a denied client must get nothing")
        reply, me = ask(self.port, "127.0.0.2")
        self.assertIn(me, reply)


if __name__ == "__main__":
    unittest.main()
