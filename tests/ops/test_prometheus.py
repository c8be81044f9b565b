"""A real Prometheus scrapes examples/c/metrics_server.c.

The test starts the example (port 0, read back), checks its exposition with
`promtool check metrics`, writes a Prometheus configuration that scrapes it
every second, starts Debian's prometheus on loopback with a storage
directory of its own, and reads the values back through Prometheus' query
API: the series exist, carry the scrape's job, and agree with what the
example itself reports. Every process is started here and stopped by its
pid.

Environment: METRICS_SERVER (the example binary).
"""
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.parse
import urllib.request

SERVER = os.environ.get("METRICS_SERVER", "")
PROMETHEUS = shutil.which("prometheus") or "/usr/bin/prometheus"
PROMTOOL = shutil.which("promtool") or "/usr/bin/promtool"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read().decode()


CONFIG = """
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: libsock
    static_configs:
      - targets: ["127.0.0.1:{port}"]
"""


@unittest.skipUnless(SERVER and os.path.exists(SERVER), "METRICS_SERVER not built")
@unittest.skipUnless(os.path.exists(PROMETHEUS) and os.path.exists(PROMTOOL),
                     "prometheus is not installed (./scripts/test installs Debian's package)")
class PrometheusTest(unittest.TestCase):
    def setUp(self):
        self.procs = []
        self.dir = tempfile.mkdtemp(prefix="ls-prom-")
        srv = subprocess.Popen([SERVER, "0"], stdout=subprocess.PIPE, text=True)
        self.procs.append(srv)
        words = srv.stdout.readline().split()
        self.assertEqual(words[:4], ["listening", "on", "127.0.0.1", "port"], words)
        self.port = int(words[4])

    def tearDown(self):
        for p in self.procs:
            p.kill()  # by its pid
            p.wait()
            if p.stdout is not None:
                p.stdout.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def metrics(self):
        return http_get("http://127.0.0.1:%d/metrics" % self.port)

    def test_promtool_accepts_the_exposition(self):
        text = self.metrics()
        self.assertIn("libsock_sockets_open ", text)
        r = subprocess.run([PROMTOOL, "check", "metrics"], input=text, text=True,
                           capture_output=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def start_prometheus(self):
        cfg = os.path.join(self.dir, "prometheus.yml")
        with open(cfg, "w") as f:
            f.write(CONFIG.format(port=self.port))
        for _ in range(5):
            web = free_port()
            with open(os.path.join(self.dir, "prometheus.log"), "w") as log:
                p = subprocess.Popen(
                    [PROMETHEUS, "--config.file=" + cfg,
                     "--storage.tsdb.path=" + os.path.join(self.dir, "data"),
                     "--web.listen-address=127.0.0.1:%d" % web],
                    stdout=log, stderr=log)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and p.poll() is None:
                try:
                    http_get("http://127.0.0.1:%d/-/ready" % web, timeout=1)
                    self.procs.append(p)
                    return web
                except OSError:
                    time.sleep(0.2)
            p.kill()
            p.wait()
        self.fail("prometheus did not start")

    def query(self, web, expr):
        url = "http://127.0.0.1:%d/api/v1/query?query=%s" % (web, urllib.parse.quote(expr))
        data = json.loads(http_get(url))
        self.assertEqual(data["status"], "success", data)
        return data["data"]["result"]

    def test_prometheus_scrapes_and_queries(self):
        for _ in range(5):
            http_get("http://127.0.0.1:%d/" % self.port)  # move the counters
        web = self.start_prometheus()
        deadline = time.monotonic() + 40
        result = []
        while time.monotonic() < deadline:
            result = self.query(web, 'libsock_accepted_total{job="libsock"}')
            if result and float(result[0]["value"][1]) >= 5:
                break
            time.sleep(0.5)
        self.assertTrue(result, "no libsock_accepted_total series in Prometheus")
        scraped = float(result[0]["value"][1])
        self.assertGreaterEqual(scraped, 5)
        # What Prometheus stored never exceeds what the server now reports.
        now = self.metrics()
        line = [l for l in now.splitlines() if l.startswith("libsock_accepted_total ")][0]
        self.assertLessEqual(scraped, float(line.split()[1]))
        sent = self.query(web, "libsock_bytes_sent_total")
        self.assertGreater(float(sent[0]["value"][1]), 0)
        listener = self.query(web, 'libsock_socket_bytes_sent_total{name="metrics listener"}')
        self.assertEqual(len(listener), 1, "the named listener is its own series")
        self.assertTrue(self.query(web, "libsock_sockets_open"))
        self.assertTrue(self.query(web, 'libsock_rejected_total{reason="acl"}'))


if __name__ == "__main__":
    unittest.main()
