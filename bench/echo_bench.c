/*
 * echo_bench.c - the echo benchmark of the poller: a load generator with
 * vmbench's method against single-threaded echo servers, each a process of
 * its own that this driver starts and stops (by process id).
 *
 * Servers (same work, see echo_server.c):
 *   C group        libsock (ls_poller_*), epoll (raw system calls: the limit
 *                  for this design), libuv (echo_server_uv, if it was built)
 *   Python group   asyncio on libsock.selectors.DefaultSelector ("libsock"),
 *                  asyncio on selectors.DefaultSelector ("stdlib"), uvloop
 *
 * Load generator (vmbench's method): C connections, each sends an M-byte
 * message and waits for its full echo (checked byte by byte), then sends the
 * next, for D seconds; requests/s and the latency of each request (p50, p99).
 * It is one thread on raw epoll and non-blocking sockets, identical for
 * every server. Where affinity is available the servers run on CPU 0 and
 * the load generator on CPU 1.
 *
 * Points: concurrency 1, 100, 1000 x messages of 64 B and 4 KiB. For each
 * point every server runs in each round, the order of the servers reversed
 * every other round; the printed values are medians of the rounds and the
 * ratio is the median of the per-round ratios (as in libsock_bench.c), so a
 * slow spell of a shared machine, which hits a whole round, cancels out.
 *
 * Output, one line per point and peer (ratio > 1: libsock serves more):
 *   echo_c100_64B libsock=<req/s> epoll=<req/s> ratio=<libsock/epoll>
 *   echo_c100_64B libsock=<req/s> libuv=<req/s> ratio=<libsock/libuv>
 *   py_echo_c100_64B libsock=<req/s> stdlib=<req/s> ratio=...
 *   py_echo_c100_64B libsock=<req/s> uvloop=<req/s> ratio=...
 *   idle_c10000_bytes_per_conn libsock=<B> libuv=<B> ratio=<libsock/libuv>
 * and lines starting with '#' with latencies, the server's CPU time per
 * request and notes (a server that is not available is named there, and its
 * values are printed as n/a). Exit status 1 if a server that started stopped
 * answering.
 */
#define _GNU_SOURCE /* sched_setaffinity, CPU_SET, accept4 */

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#ifndef ECHO_BENCH_PYTHON
#define ECHO_BENCH_PYTHON "python3"
#endif
#ifndef ECHO_BENCH_PYTHONPATH
#define ECHO_BENCH_PYTHONPATH ""
#endif
#ifndef ECHO_BENCH_PY_SCRIPT
#define ECHO_BENCH_PY_SCRIPT "echo_server.py"
#endif

#define MAX_ROUNDS 64
#define MAX_SERVERS 3
#define MAX_MSG 4096
#define STALL_NS (10 * 1000000000LL) /* no echo for this long: the server is stuck */

/* --- settings ------------------------------------------------------------- */

static struct {
	int rounds;
	long duration_ms; /* per server per round */
	int idle_conns;
	int verbose;
	int pin;
	int cpu_lines; /* --cpu: server CPU time per request as ratio lines too */
	const char *only; /* NULL, "c", "python" or "memory" */
	int conc;         /* 0 or the one concurrency to run */
	int size;         /* 0 or the one message size to run */
	const char *server_dir;
	const char *python;
	const char *pythonpath;
	const char *py_script;
} cfg = { 11, 250, 10000, 0, 1, 0, NULL, 0, 0, NULL, ECHO_BENCH_PYTHON, ECHO_BENCH_PYTHONPATH,
	  ECHO_BENCH_PY_SCRIPT };

static int failures; /* servers that started and then stopped answering */

/* --- helpers --------------------------------------------------------------- */

static void stop_all_servers(void);

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "echo_bench: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1); /* atexit stops the servers */
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(const double *in, int n)
{
	double v[MAX_ROUNDS];

	memcpy(v, in, (size_t)n * sizeof(*v));
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* --- latency histogram: 64 linear sub-buckets per power of two (~1.5 %) ----- */

#define HIST_SUB 64
#define HIST_BUCKETS (HIST_SUB * 40)

struct hist {
	uint64_t n;
	uint32_t count[HIST_BUCKETS];
};

static int hist_index(uint64_t v)
{
	int e;

	if (v < HIST_SUB)
		return (int)v;
	e = 63 - __builtin_clzll(v); /* >= 6 */
	if (e > 44)
		return HIST_BUCKETS - 1;
	return (e - 5) * HIST_SUB + (int)((v >> (e - 6)) & (HIST_SUB - 1));
}

/* The middle of bucket i, in the unit of the values. */
static double hist_value(int i)
{
	int e = i / HIST_SUB + 5, sub = i % HIST_SUB;

	if (i < HIST_SUB)
		return i;
	return ((double)(HIST_SUB + sub) + 0.5) * (double)(1ULL << (e - 6));
}

static void hist_add(struct hist *h, uint64_t v)
{
	h->count[hist_index(v)]++;
	h->n++;
}

static double hist_pct(const struct hist *h, double pct)
{
	uint64_t rank = (uint64_t)((double)h->n * pct / 100.0), seen = 0;
	int i;

	for (i = 0; i < HIST_BUCKETS; i++) {
		seen += h->count[i];
		if (seen > rank)
			return hist_value(i);
	}
	return 0;
}

/* --- CPU placement and limits --------------------------------------------- */

/* Pin the calling process to one CPU; 0 if it could not be done. */
static int pin_to(int cpu)
{
#ifdef CPU_SET
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) == 0;
#else
	(void)cpu;
	return 0;
#endif
}

/* Servers on CPU 0, this process on CPU 1, when both are ours to use. */
static void setup_pinning(void)
{
#ifdef CPU_SET
	cpu_set_t set;

	if (cfg.pin && sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_ISSET(0, &set) &&
	    CPU_ISSET(1, &set) && pin_to(1)) {
		printf("# pinned: servers on CPU 0, load generator on CPU 1\n");
		return;
	}
#endif
	cfg.pin = 0;
	printf("# not pinned (needs CPUs 0 and 1 and sched_setaffinity)\n");
}

/* Raise the soft descriptor limit to the hard one (servers inherit it). */
static void raise_nofile(void)
{
	struct rlimit r;
	long need = cfg.idle_conns + 200;

	if (getrlimit(RLIMIT_NOFILE, &r) != 0)
		return;
	if (r.rlim_cur != RLIM_INFINITY && (r.rlim_max == RLIM_INFINITY || r.rlim_cur < r.rlim_max)) {
		r.rlim_cur = r.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &r);
		(void)getrlimit(RLIMIT_NOFILE, &r);
	}
	if (r.rlim_cur != RLIM_INFINITY && (long)r.rlim_cur < need) {
		cfg.idle_conns = (int)r.rlim_cur - 200;
		printf("# descriptor limit %ld: idle connections lowered to %d\n", (long)r.rlim_cur,
		       cfg.idle_conns);
	}
}

/* --- servers: processes started and stopped by pid ---------------------------- */

struct server {
	const char *name; /* as printed */
	char *argv[6];
	int python;
	pid_t pid; /* 0 when not running */
	uint16_t port;
	int up;     /* started and answering */
	int failed; /* started, then stopped answering */
	char note[300];
};

static struct server *running[2 * MAX_SERVERS];

static void track(struct server *s, int on)
{
	size_t i;

	for (i = 0; i < sizeof(running) / sizeof(running[0]); i++) {
		if (on ? running[i] == NULL : running[i] == s) {
			running[i] = on ? s : NULL;
			return;
		}
	}
}

/* In the child: pinned, dies with the driver, stdout to the pipe, then exec. */
static void exec_server(struct server *s, int out)
{
	char env[PATH_MAX + 64];
	const char *old = getenv("PYTHONPATH");

#ifdef PR_SET_PDEATHSIG
	(void)prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
	if (cfg.pin)
		(void)pin_to(0);
	dup2(out, STDOUT_FILENO);
	if (s->python && cfg.pythonpath[0] != '\0') {
		snprintf(env, sizeof(env), "%s%s%s", cfg.pythonpath, old ? ":" : "", old ? old : "");
		setenv("PYTHONPATH", env, 1);
	}
	execv(s->argv[0], s->argv);
	if (s->python)
		execvp(s->argv[0], s->argv);
	printf("unavailable cannot run %s: %s\n", s->argv[0], strerror(errno));
	fflush(stdout);
	_exit(3);
}

/* Wait for the child's pid, giving up after ms milliseconds; 1 if reaped. */
static int reap(pid_t pid, long ms)
{
	int64_t end = now_ns() + ms * 1000000LL;
	int st;

	do {
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid || (r < 0 && errno == ECHILD))
			return 1;
		sleep_ms(5);
	} while (now_ns() < end);
	return 0;
}

static void server_stop(struct server *s)
{
	if (s->pid <= 0)
		return;
	kill(s->pid, SIGTERM);
	if (!reap(s->pid, 3000)) {
		kill(s->pid, SIGKILL);
		reap(s->pid, 3000);
	}
	track(s, 0);
	s->pid = 0;
	s->up = 0;
}

static void stop_all_servers(void)
{
	size_t i;

	for (i = 0; i < sizeof(running) / sizeof(running[0]); i++) {
		if (running[i] != NULL)
			server_stop(running[i]);
	}
}

static void on_signal(int sig)
{
	signal(sig, SIG_DFL);
	stop_all_servers(); /* kill and waitpid are async-signal-safe */
	raise(sig);
}

/* Read the server's first line ("port N" or "unavailable why"). */
static int read_hello(int fd, char *line, size_t size)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t len = 0;
	ssize_t n;

	while (len + 1 < size) {
		if (poll(&p, 1, 30000) <= 0)
			return -1;
		n = read(fd, line + len, 1);
		if (n <= 0)
			return -1;
		if (line[len] == '\n')
			break;
		len++;
	}
	line[len] = '\0';
	return 0;
}

static void server_start(struct server *s)
{
	char line[256];
	unsigned port;
	int fds[2];

	s->up = s->failed = 0;
	s->note[0] = '\0';
	if (!s->python && access(s->argv[0], X_OK) != 0) {
		snprintf(s->note, sizeof(s->note), "%s not built%s", s->argv[0],
		         strstr(s->argv[0], "_uv") ? ": pkg-config found no libuv at build time" : "");
		return;
	}
	if (pipe(fds) != 0)
		die("pipe: %s", strerror(errno));
	fflush(stdout);
	s->pid = fork();
	if (s->pid < 0)
		die("fork: %s", strerror(errno));
	if (s->pid == 0) {
		close(fds[0]);
		exec_server(s, fds[1]);
	}
	track(s, 1);
	close(fds[1]);
	if (read_hello(fds[0], line, sizeof(line)) == 0 && sscanf(line, "port %u", &port) == 1) {
		s->port = (uint16_t)port;
		s->up = 1;
	} else {
		snprintf(s->note, sizeof(s->note), "%s",
		         strncmp(line, "unavailable ", 12) == 0 ? line + 12 : "did not start");
		server_stop(s);
	}
	close(fds[0]);
}

/* The server's CPU time so far (ns), from /proc/<pid>/schedstat; -1 if unknown. */
static double server_cpu_ns(pid_t pid)
{
	char path[64];
	double v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	if (fscanf(f, "%lf", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* The server's resident set (kB), from /proc/<pid>/status; -1 if unknown. */
static long server_rss_kb(pid_t pid)
{
	char path[64], line[256];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "VmRSS: %ld kB", &v) == 1)
			break;
	}
	fclose(f);
	return v;
}

/* --- the load generator -------------------------------------------------------- */

struct lconn {
	int fd;
	uint32_t sent;
	uint32_t got;
	int wantout; /* EPOLLOUT asked for */
	int64_t t0;
};

/* C connections to one server, kept open over the rounds of a point. */
struct fleet {
	int ep;
	int n;
	struct lconn *c;
};

static char msg[MAX_MSG];
static char rbuf[64 * 1024];
static char why[160]; /* why the last run failed */

static int fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return -1;
}

static int connect_one(uint16_t port)
{
	struct sockaddr_in a;
	int fd, one = 1;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons(port);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0)
		die("connect to port %u: %s", (unsigned)port, strerror(errno));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return fd;
}

/* Close with a reset: no TIME_WAIT, so ports are not used up over the run. */
static void close_reset(int fd)
{
	struct linger l = { 1, 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	close(fd);
}

static void fleet_close(struct fleet *f)
{
	int i;

	for (i = 0; i < f->n; i++)
		close_reset(f->c[i].fd);
	if (f->ep >= 0)
		close(f->ep);
	free(f->c);
	f->c = NULL;
	f->n = 0;
	f->ep = -1;
}

/* Add n connections (the server accepts them while we go on). */
static void fleet_grow(struct fleet *f, uint16_t port, int n)
{
	struct epoll_event e = { .events = EPOLLIN };
	struct lconn *m = realloc(f->c, (size_t)(f->n + n + 1) * sizeof(*m));
	int i;

	if (m == NULL)
		die("out of memory");
	f->c = m;
	for (i = f->n; i < f->n + n; i++) {
		f->c[i].fd = connect_one(port);
		f->c[i].wantout = 0;
		e.data.u32 = (uint32_t)i;
		if (epoll_ctl(f->ep, EPOLL_CTL_ADD, f->c[i].fd, &e) != 0)
			die("epoll_ctl: %s", strerror(errno));
	}
	f->n += n;
}

static void fleet_open(struct fleet *f, uint16_t port, int n)
{
	f->c = NULL;
	f->n = 0;
	f->ep = epoll_create1(EPOLL_CLOEXEC);
	if (f->ep < 0)
		die("epoll_create1: %s", strerror(errno));
	fleet_grow(f, port, n);
}

/* Send the rest of connection i's message; watch for writability while it does not fit. */
static int lc_send(struct fleet *f, int i, size_t size)
{
	struct lconn *c = &f->c[i];
	struct epoll_event e = { .events = EPOLLIN, .data.u32 = (uint32_t)i };
	ssize_t w = send(c->fd, msg + c->sent, size - c->sent, MSG_NOSIGNAL);
	int want;

	if (w < 0 && errno != EAGAIN && errno != EINTR)
		return fail("send: %s", strerror(errno));
	c->sent += w > 0 ? (uint32_t)w : 0;
	want = c->sent < size;
	if (want != c->wantout) {
		e.events |= want ? EPOLLOUT : 0;
		if (epoll_ctl(f->ep, EPOLL_CTL_MOD, c->fd, &e) != 0)
			return fail("epoll_ctl: %s", strerror(errno));
		c->wantout = want;
	}
	return 0;
}

static int lc_start(struct fleet *f, int i, size_t size, int64_t t)
{
	f->c[i].sent = f->c[i].got = 0;
	f->c[i].t0 = t;
	return lc_send(f, i, size);
}

struct run_result {
	double rps;
	double cpu_ns_per_req; /* the server's; -1 if unknown */
	struct hist *lat;      /* latencies in ns, added to */
};

/* Read what connection i has; 1 when its echo is complete, -1 on a failure. */
static int lc_read(struct fleet *f, int i, size_t size)
{
	struct lconn *c = &f->c[i];
	ssize_t n = recv(c->fd, rbuf, size - c->got, 0);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n < 0)
		return fail("recv: %s", strerror(errno));
	if (n == 0)
		return fail("the server closed a connection");
	if (memcmp(rbuf, msg + c->got, (size_t)n) != 0)
		return fail("wrong bytes echoed");
	c->got += (uint32_t)n;
	return c->got == size;
}

/*
 * One run: every connection sends, waits for the whole echo, and sends again
 * until duration_ns is over; requests finished after the end are drained but
 * not counted. duration_ns 0: exactly one request per connection. Returns -1
 * if the server stopped answering or answered wrong.
 */
static int fleet_run_from(struct fleet *f, int from, size_t size, int64_t duration_ns,
                          struct hist *h, long *done)
{
	static struct epoll_event ev[1024];
	int64_t t = now_ns(), end = t + duration_ns, last = t;
	int i, k, n, r, inflight = f->n - from;

	*done = 0;
	for (i = from; i < f->n; i++) {
		if (lc_start(f, i, size, t) < 0)
			return -1;
	}
	while (inflight > 0) {
		n = epoll_wait(f->ep, ev, 1024, 100);
		if (n < 0 && errno != EINTR)
			return fail("epoll_wait: %s", strerror(errno));
		t = now_ns();
		if (n <= 0 && t - last > STALL_NS)
			return fail("no echo for %d s, %d requests unanswered",
			            (int)(STALL_NS / 1000000000), inflight);
		if (n > 0)
			last = t;
		for (k = 0; k < n; k++) {
			i = (int)ev[k].data.u32;
			if ((ev[k].events & EPOLLOUT) && lc_send(f, i, size) < 0)
				return -1;
			if (!(ev[k].events & (EPOLLIN | EPOLLERR | EPOLLHUP)))
				continue;
			r = lc_read(f, i, size);
			if (r < 0)
				return -1;
			if (r == 0)
				continue;
			if (t <= end || duration_ns == 0) {
				hist_add(h, (uint64_t)(t - f->c[i].t0));
				++*done;
			}
			if (t < end && duration_ns > 0) {
				if (lc_start(f, i, size, t) < 0)
					return -1;
			} else {
				inflight--;
			}
		}
	}
	return 0;
}

static int fleet_run(struct fleet *f, size_t size, int64_t duration_ns, struct hist *h,
                     long *done)
{
	return fleet_run_from(f, 0, size, duration_ns, h, done);
}

/* A timed run against server s; marks it failed if it stops answering. */
static int timed_run(struct server *s, struct fleet *f, size_t size, long ms,
                     struct run_result *res)
{
	double c0 = server_cpu_ns(s->pid), c1;
	long done;

	why[0] = '\0';
	if (fleet_run(f, size, (int64_t)ms * 1000000LL, res->lat, &done) < 0) {
		s->failed = 1;
		failures++;
		snprintf(s->note, sizeof(s->note), "stopped answering (%s)", why);
		printf("# %s: %s\n", s->name, s->note);
		return -1;
	}
	c1 = server_cpu_ns(s->pid);
	res->rps = (double)done / ((double)ms / 1000.0);
	res->cpu_ns_per_req = c0 >= 0 && c1 >= 0 && done > 0 ? (c1 - c0) / (double)done : -1;
	return 0;
}

/* --- one point of a group: all servers, all rounds ------------------------------- */

struct point_stats {
	double rps[MAX_ROUNDS];
	double cpu[MAX_ROUNDS];
	struct hist lat;
};

static void fmt_value(char *buf, size_t size, const struct server *s, double v)
{
	if (s->up && !s->failed)
		snprintf(buf, size, "%.0f", v);
	else
		snprintf(buf, size, "n/a");
}

/* One ratio line: libsock (server 0) against server k. */
static void print_pair(const char *name, struct server *sv, struct point_stats *st, int k,
                       int cpu)
{
	double ratio[MAX_ROUNDS];
	char a[32], b[32];
	int r, ok = sv[0].up && !sv[0].failed && sv[k].up && !sv[k].failed;

	for (r = 0; r < cfg.rounds && ok; r++) {
		ratio[r] = cpu ? st[0].cpu[r] / st[k].cpu[r] : st[0].rps[r] / st[k].rps[r];
	}
	fmt_value(a, sizeof(a), &sv[0], median(cpu ? st[0].cpu : st[0].rps, cfg.rounds));
	fmt_value(b, sizeof(b), &sv[k], median(cpu ? st[k].cpu : st[k].rps, cfg.rounds));
	if (ok)
		printf("%s%s libsock=%s %s=%s ratio=%.3f\n", name, cpu ? "_cpu_ns" : "", a,
		       sv[k].name, b, median(ratio, cfg.rounds));
	else
		printf("%s%s libsock=%s %s=%s ratio=n/a\n", name, cpu ? "_cpu_ns" : "", a,
		       sv[k].name, b);
}

static void print_point(const char *name, struct server *sv, int n, struct point_stats *st)
{
	int k;

	for (k = 1; k < n; k++)
		print_pair(name, sv, st, k, 0);
	for (k = 1; k < n && cfg.cpu_lines; k++)
		print_pair(name, sv, st, k, 1);
	for (k = 0; k < n; k++) {
		if (!sv[k].up || sv[k].failed)
			continue;
		printf("# %s %s: %.0f req/s, p50 %.1f us, p99 %.1f us, server CPU %.0f ns/req\n",
		       name, sv[k].name, median(st[k].rps, cfg.rounds), hist_pct(&st[k].lat, 50) / 1e3,
		       hist_pct(&st[k].lat, 99) / 1e3, median(st[k].cpu, cfg.rounds));
	}
	fflush(stdout);
}

static void run_point(const char *name, struct server *sv, int n, int conc, size_t size)
{
	static struct point_stats st[MAX_SERVERS];
	struct fleet fl[MAX_SERVERS];
	static struct hist warm; /* latencies of warm-ups, not used */
	struct run_result res;
	long warm_ms = cfg.duration_ms / 4 > 20 ? cfg.duration_ms / 4 : 20;
	int r, j, k;

	memset(st, 0, sizeof(st));
	for (k = 0; k < n; k++) {
		fl[k].ep = -1;
		fl[k].c = NULL;
		fl[k].n = 0;
		if (sv[k].up && !sv[k].failed)
			fleet_open(&fl[k], sv[k].port, conc);
	}
	/*
	 * Warm-up: one echo on every connection (so the server has accepted
	 * them all), then a short run to touch buffers and caches.
	 */
	for (k = 0; k < n; k++) {
		res.lat = &warm;
		if (sv[k].up && !sv[k].failed)
			(void)timed_run(&sv[k], &fl[k], size, 0, &res);
		if (sv[k].up && !sv[k].failed)
			(void)timed_run(&sv[k], &fl[k], size, warm_ms, &res);
	}
	for (r = 0; r < cfg.rounds; r++) {
		for (j = 0; j < n; j++) {
			k = r % 2 == 0 ? j : n - 1 - j; /* reversed every other round */
			if (!sv[k].up || sv[k].failed)
				continue;
			res.lat = &st[k].lat;
			if (timed_run(&sv[k], &fl[k], size, cfg.duration_ms, &res) < 0)
				continue;
			st[k].rps[r] = res.rps;
			st[k].cpu[r] = res.cpu_ns_per_req;
			if (cfg.verbose)
				fprintf(stderr, "# %s round %d %s: %.0f req/s, %.0f ns CPU/req\n", name,
				        r, sv[k].name, res.rps, res.cpu_ns_per_req);
		}
	}
	for (k = 0; k < n; k++)
		fleet_close(&fl[k]);
	print_point(name, sv, n, st);
}

static void run_group(const char *prefix, struct server *sv, int n)
{
	static const int concs[] = { 1, 100, 1000 };
	static const size_t sizes[] = { 64, 4096 };
	char name[64];
	int k, c, z, any = 0;

	for (k = 0; k < n; k++) {
		server_start(&sv[k]);
		if (!sv[k].up)
			printf("# %s %s: not available (%s)\n", prefix, sv[k].name, sv[k].note);
		any |= sv[k].up;
	}
	for (c = 0; c < 3 && any; c++) {
		for (z = 0; z < 2; z++) {
			if ((cfg.conc && cfg.conc != concs[c]) || (cfg.size && cfg.size != (int)sizes[z]))
				continue;
			snprintf(name, sizeof(name), "%s_c%d_%s", prefix, concs[c],
			         sizes[z] == 64 ? "64B" : "4KiB");
			run_point(name, sv, n, concs[c], sizes[z]);
		}
	}
	for (k = 0; k < n; k++)
		server_stop(&sv[k]);
}

/* --- memory per idle connection ------------------------------------------------- */

/* RSS growth per connection (bytes) of a fresh server over nconn idle ones. */
static double idle_bytes(struct server *s, int nconn)
{
	static struct hist h; /* latencies not used here */
	struct fleet f;
	long before, after, done;
	int batch, from;

	server_start(s);
	if (!s->up)
		return -1;
	/* One exchange first, so the buffers of the echo path are counted in the baseline. */
	fleet_open(&f, s->port, 1);
	if (fleet_run(&f, MAX_MSG, 0, &h, &done) < 0)
		goto fail;
	fleet_close(&f);
	sleep_ms(50);
	before = server_rss_kb(s->pid);
	fleet_open(&f, s->port, 0);
	/* In batches, each echoed once: the server has accepted and registered them all. */
	while (f.n < nconn) {
		batch = nconn - f.n < 1000 ? nconn - f.n : 1000;
		from = f.n;
		fleet_grow(&f, s->port, batch);
		if (fleet_run_from(&f, from, 1, 0, &h, &done) < 0)
			goto fail;
	}
	sleep_ms(100);
	after = server_rss_kb(s->pid);
	fleet_close(&f);
	server_stop(s);
	printf("# %s: VmRSS %ld kB idle, %ld kB with %d idle connections\n", s->name, before, after,
	       nconn);
	return before < 0 || after < 0 ? -1 : (double)(after - before) * 1024.0 / nconn;
fail:
	fleet_close(&f);
	failures++;
	s->failed = 1;
	printf("# %s: stopped answering during the idle-connection measure (%s)\n", s->name, why);
	server_stop(s);
	return -1;
}

static void run_memory(struct server *sv, int n)
{
	double b[MAX_SERVERS];
	char name[64];
	int k;

	assert(n == 3); /* libsock, epoll, libuv */
	for (k = 0; k < n; k++) {
		b[k] = idle_bytes(&sv[k], cfg.idle_conns);
		if (b[k] < 0 && !sv[k].failed)
			printf("# idle %s: not available (%s)\n", sv[k].name, sv[k].note);
	}
	snprintf(name, sizeof(name), "idle_c%d_bytes_per_conn", cfg.idle_conns);
	/* The raw epoll server keeps 32 bytes per descriptor: a reference, not a target. */
	if (b[1] >= 0)
		printf("# %s epoll (reference): %.0f\n", name, b[1]);
	if (b[0] > 0 && b[2] > 0)
		printf("%s libsock=%.0f %s=%.0f ratio=%.3f\n", name, b[0], sv[2].name, b[2],
		       b[0] / b[2]);
	else
		printf("%s libsock=%s %s=%s ratio=n/a\n", name, b[0] >= 0 ? "0" : "n/a", sv[2].name,
		       b[2] >= 0 ? "0" : "n/a");
	fflush(stdout);
}

/* --- driver ------------------------------------------------------------------------- */

static char *path_of(const char *file)
{
	static char buf[4][PATH_MAX];
	static int next;
	char *p = buf[next++ % 4];

	snprintf(p, PATH_MAX, "%s/%s", cfg.server_dir, file);
	return p;
}

/* The directory of this executable: the servers are built next to it. */
static const char *own_dir(void)
{
	static char dir[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", dir, sizeof(dir) - 1);
	char *slash;

	if (n <= 0)
		return ".";
	dir[n] = '\0';
	slash = strrchr(dir, '/');
	if (slash != NULL)
		*slash = '\0';
	return dir;
}

static void usage(void)
{
	fprintf(stderr,
	        "usage: echo_bench [--quick] [--rounds N] [--duration-ms N] [--idle-conns N]\n"
	        "                  [--only c|python|memory] [--conc 1|100|1000] [--size 64|4096]\n"
	        "                  [--cpu] [--no-pin] [--verbose]\n"
	        "                  [--server-dir DIR] [--python EXE] [--pythonpath DIR]\n"
	        "                  [--py-script FILE]\n"
	        "  --quick        CI smoke: 2 rounds of 50 ms, 1000 idle connections\n"
	        "  --duration-ms  length of one server's run in a round (default 250; 11 rounds)\n"
	        "  --conc, --size run only the points with this concurrency / message size\n"
	        "  --cpu          also print server CPU ns per request as ratio lines\n"
	        "  --server-dir   where echo_server and echo_server_uv are (default: here)\n"
	        "  --python       interpreter for the Python servers (default %s)\n",
	        ECHO_BENCH_PYTHON);
	exit(2);
}

static long arg_number(int argc, char **argv, int *i, long min, long max)
{
	char *end;
	long v;

	if (*i + 1 >= argc)
		usage();
	v = strtol(argv[++*i], &end, 10);
	if (*end != '\0' || v < min || v > max)
		usage();
	return v;
}

static const char *arg_string(int argc, char **argv, int *i)
{
	if (*i + 1 >= argc)
		usage();
	return argv[++*i];
}

static void parse_args(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--quick") == 0) {
			cfg.rounds = 2;
			cfg.duration_ms = 50;
			cfg.idle_conns = 1000;
		} else if (strcmp(argv[i], "--rounds") == 0) {
			cfg.rounds = (int)arg_number(argc, argv, &i, 1, MAX_ROUNDS);
		} else if (strcmp(argv[i], "--duration-ms") == 0) {
			cfg.duration_ms = arg_number(argc, argv, &i, 1, 600000);
		} else if (strcmp(argv[i], "--idle-conns") == 0) {
			cfg.idle_conns = (int)arg_number(argc, argv, &i, 1, 1000000);
		} else if (strcmp(argv[i], "--only") == 0) {
			cfg.only = arg_string(argc, argv, &i);
		} else if (strcmp(argv[i], "--conc") == 0) {
			cfg.conc = (int)arg_number(argc, argv, &i, 1, 1000);
		} else if (strcmp(argv[i], "--size") == 0) {
			cfg.size = (int)arg_number(argc, argv, &i, 64, 4096);
		} else if (strcmp(argv[i], "--cpu") == 0) {
			cfg.cpu_lines = 1;
		} else if (strcmp(argv[i], "--no-pin") == 0) {
			cfg.pin = 0;
		} else if (strcmp(argv[i], "--verbose") == 0) {
			cfg.verbose = 1;
		} else if (strcmp(argv[i], "--server-dir") == 0) {
			cfg.server_dir = arg_string(argc, argv, &i);
		} else if (strcmp(argv[i], "--python") == 0) {
			cfg.python = arg_string(argc, argv, &i);
		} else if (strcmp(argv[i], "--pythonpath") == 0) {
			cfg.pythonpath = arg_string(argc, argv, &i);
		} else if (strcmp(argv[i], "--py-script") == 0) {
			cfg.py_script = arg_string(argc, argv, &i);
		} else {
			usage();
		}
	}
}

static int wanted(const char *what)
{
	return cfg.only == NULL || strcmp(cfg.only, what) == 0;
}

int main(int argc, char **argv)
{
	struct server c[MAX_SERVERS] = {
		{ .name = "libsock", .argv = { NULL, "--impl", "libsock", NULL } },
		{ .name = "epoll", .argv = { NULL, "--impl", "epoll", NULL } },
		{ .name = "libuv", .argv = { NULL, NULL } },
	};
	struct server py[MAX_SERVERS] = {
		{ .name = "libsock", .argv = { NULL, NULL, "--loop", "libsock", NULL }, .python = 1 },
		{ .name = "stdlib", .argv = { NULL, NULL, "--loop", "stdlib", NULL }, .python = 1 },
		{ .name = "uvloop", .argv = { NULL, NULL, "--loop", "uvloop", NULL }, .python = 1 },
	};
	struct server mem[MAX_SERVERS];
	size_t i;

	parse_args(argc, argv);
	if (cfg.server_dir == NULL)
		cfg.server_dir = own_dir();
	c[0].argv[0] = c[1].argv[0] = path_of("echo_server");
	c[2].argv[0] = path_of("echo_server_uv");
	for (i = 0; i < MAX_SERVERS; i++) {
		py[i].argv[0] = (char *)cfg.python;
		py[i].argv[1] = (char *)cfg.py_script;
	}
	memcpy(mem, c, sizeof(mem));
	memset(msg, 0, sizeof(msg));
	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (char)('a' + i * 7 % 26);

	atexit(stop_all_servers);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	raise_nofile();
	setup_pinning();
	printf("# %d rounds of %ld ms per server and point\n", cfg.rounds, cfg.duration_ms);

	if (wanted("c"))
		run_group("echo", c, MAX_SERVERS);
	if (wanted("python"))
		run_group("py_echo", py, MAX_SERVERS);
	if (wanted("memory"))
		run_memory(mem, MAX_SERVERS);
	stop_all_servers();
	return failures ? 1 : 0;
}
