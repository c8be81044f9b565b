/*
 * libsock_bench.c - libsock against the same work done with raw POSIX calls.
 *
 * Three measures, each run on libsock and on raw system calls, interleaved
 * (libsock first in even rounds, raw first in odd rounds) for several
 * rounds:
 *
 *   pair_send_recv_1B_ns  one thread, a connected AF_UNIX stream pair:
 *                         send 1 byte on one end, recv it on the other;
 *                         CPU nanoseconds of the thread per send+recv pair
 *   pingpong_tcp_1B_ns    two threads, loopback TCP with TCP_NODELAY: one
 *                         byte there and back; wall nanoseconds per round trip
 *   bulk_tcp_send_cpu_ms_per_GiB
 *                         one thread sends 1 GiB over loopback TCP in
 *                         128 KiB chunks, another receives it; the sender
 *                         alternates libsock's and the raw send chunk by
 *                         chunk on one connection: CPU milliseconds of the
 *                         sender thread per GiB, for each side (see
 *                         bulk_send_mixed for why); threads pinned
 *   bulk_tcp_MiBps        the same transfer in separate runs per side;
 *                         wall-clock MiB/s (scatters by +-10 % on a VM)
 *
 * Output: one line per measure on stdout,
 *   <name> libsock=<median> raw=<median> ratio=<median of per-round ratios>
 * The ratio is libsock/raw of each round's two back-to-back runs, medianed:
 * a slow spell of a busy machine hits both runs of a round and cancels.
 * Every round goes to stderr with --verbose.
 *
 * Both sides do the same work: blocking sockets, the same flags (the raw
 * side passes MSG_NOSIGNAL, as libsock does on Linux), the same buffer
 * sizes, the same socket options. libsock is linked statically, as a
 * performance-sensitive user would link it.
 *
 * POSIX only: the raw side uses the OS's socket calls directly.
 */
#define _GNU_SOURCE /* MSG_NOSIGNAL, SOCK_CLOEXEC */

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libsock.h>

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0 /* the OS has SO_NOSIGPIPE instead; not needed here */
#endif

#define MAX_ROUNDS 64
#define BULK_CHUNK (128 * 1024)

/* --- settings ------------------------------------------------------------- */

static struct {
	int rounds;
	long pair_iters;
	long pingpong_iters;
	int verbose;
	int pin; /* pin the two threads of a measure to CPUs 0 and 1 */
	const char *only; /* NULL, "pair", "pingpong", "bulk" or "bulk-wall" */
	const char *side; /* NULL (both), "libsock" or "raw": for profiling */
} cfg = { 11, 100000, 20000, 0, 0, NULL, NULL };

/* --- helpers ---------------------------------------------------------------- */

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "libsock_bench: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

/* Abort on a libsock error: the bench measures only working paths. */
static void ls_check(int64_t rc, const char *what)
{
	if (rc < 0)
		die("%s: %s (%s)", what, ls_strerror((int)rc), ls_error_name((int)rc));
}

static void os_check(long rc, const char *what)
{
	if (rc < 0)
		die("%s: %s", what, strerror(errno));
}

static double clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Wall time, for measures that involve waiting for another thread. */
static double now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

/*
 * CPU time of the calling thread (user + system), for the single-thread
 * measure: time the thread spends preempted by other processes on a busy
 * machine is not counted, so the figure is the cost of the calls.
 */
static double cpu_ns(void)
{
	return clock_ns(CLOCK_THREAD_CPUTIME_ID);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/*
 * With --pin, pin a thread to one CPU so both sides of a measure run with
 * the same thread placement. (On the 2-vCPU VM of docs/benchmarks.md it made
 * no difference: the run-to-run spread there comes from the host.)
 */
static void pin_thread_if(pthread_t t, int cpu, int pin)
{
#ifdef CPU_SET
	cpu_set_t set;

	if (!pin || cpu >= CPU_SETSIZE)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	(void)pthread_setaffinity_np(t, sizeof set, &set); /* best effort */
#else
	(void)t;
	(void)cpu;
	(void)pin;
#endif
}

static void pin_thread(pthread_t t, int cpu)
{
	pin_thread_if(t, cpu, cfg.pin);
}

/* Start the peer thread of a measure (on CPU 1 with --pin, or when pin). */
static pthread_t start_thread_pinned(void *(*fn)(void *), void *arg, int pin)
{
	pthread_t t;
	int rc = pthread_create(&t, NULL, fn, arg);

	if (rc != 0)
		die("pthread_create: %s", strerror(rc));
	pin_thread_if(t, 1, pin);
	return t;
}

static pthread_t start_thread(void *(*fn)(void *), void *arg)
{
	return start_thread_pinned(fn, arg, cfg.pin);
}

/* --- connected pairs ---------------------------------------------------------- */

/* A libsock loopback TCP pair with TCP_NODELAY on both ends. */
static void ls_tcp_pair(ls_socket out[2])
{
	ls_socket l;
	ls_addr a;

	ls_check(ls_socket_create(&l, LS_AF_INET, LS_SOCK_STREAM, 0), "socket");
	ls_addr_loopback(&a, LS_AF_INET, 0);
	ls_check(ls_bind(l, &a), "bind");
	ls_check(ls_listen(l, 1), "listen");
	ls_check(ls_getsockname(l, &a), "getsockname");
	ls_check(ls_socket_create(&out[0], LS_AF_INET, LS_SOCK_STREAM, 0), "socket");
	ls_check(ls_connect(out[0], &a), "connect");
	ls_check(ls_accept(l, &out[1], NULL), "accept");
	ls_check(ls_setopt(out[0], LS_OPT_NODELAY, 1), "nodelay");
	ls_check(ls_setopt(out[1], LS_OPT_NODELAY, 1), "nodelay");
	ls_close(l);
}

/* The same pair with raw calls: same family, flags and options. */
static void raw_tcp_pair(int out[2])
{
	struct sockaddr_in a;
	socklen_t len = sizeof a;
	int l, one = 1;

	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	os_check(l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), "socket");
	os_check(bind(l, (struct sockaddr *)&a, sizeof a), "bind");
	os_check(listen(l, 1), "listen");
	os_check(getsockname(l, (struct sockaddr *)&a, &len), "getsockname");
	os_check(out[0] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), "socket");
	os_check(connect(out[0], (struct sockaddr *)&a, sizeof a), "connect");
	os_check(out[1] = accept4(l, NULL, NULL, SOCK_CLOEXEC), "accept");
	os_check(setsockopt(out[0], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one), "nodelay");
	os_check(setsockopt(out[1], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one), "nodelay");
	close(l);
}

/* --- (a) send+recv of 1 byte in one thread --------------------------------- */

static double pair_libsock(long iters)
{
	ls_socket s[2];
	char b = 'x';
	double t0, t1;
	long i;

	ls_check(ls_socketpair(LS_AF_UNIX, LS_SOCK_STREAM, s), "socketpair");
	t0 = cpu_ns();
	for (i = 0; i < iters; i++) {
		if (ls_send(s[0], &b, 1, 0) != 1 || ls_recv(s[1], &b, 1, 0) != 1)
			die("pair_libsock: short transfer");
	}
	t1 = cpu_ns();
	ls_close(s[0]);
	ls_close(s[1]);
	return (t1 - t0) / (double)iters;
}

static double pair_raw(long iters)
{
	int s[2];
	char b = 'x';
	double t0, t1;
	long i;

	os_check(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s), "socketpair");
	t0 = cpu_ns();
	for (i = 0; i < iters; i++) {
		if (send(s[0], &b, 1, MSG_NOSIGNAL) != 1 || recv(s[1], &b, 1, 0) != 1)
			die("pair_raw: short transfer");
	}
	t1 = cpu_ns();
	close(s[0]);
	close(s[1]);
	return (t1 - t0) / (double)iters;
}

/* --- (b) ping-pong of 1 byte between two threads ----------------------------- */

struct echo_arg {
	ls_socket ls;
	int fd;
	long iters;
};

static void *echo_libsock(void *p)
{
	struct echo_arg *a = p;
	char b;
	long i;

	for (i = 0; i < a->iters; i++) {
		if (ls_recv(a->ls, &b, 1, 0) != 1 || ls_send(a->ls, &b, 1, 0) != 1)
			die("echo_libsock: short transfer");
	}
	return NULL;
}

static void *echo_raw(void *p)
{
	struct echo_arg *a = p;
	char b;
	long i;

	for (i = 0; i < a->iters; i++) {
		if (recv(a->fd, &b, 1, 0) != 1 || send(a->fd, &b, 1, MSG_NOSIGNAL) != 1)
			die("echo_raw: short transfer");
	}
	return NULL;
}

static double pingpong_libsock(long iters)
{
	ls_socket s[2];
	struct echo_arg a;
	pthread_t t;
	char b = 'x';
	double t0, t1;
	long i;

	ls_tcp_pair(s);
	a.ls = s[1];
	a.iters = iters;
	t = start_thread(echo_libsock, &a);
	t0 = now_ns();
	for (i = 0; i < iters; i++) {
		if (ls_send(s[0], &b, 1, 0) != 1 || ls_recv(s[0], &b, 1, 0) != 1)
			die("pingpong_libsock: short transfer");
	}
	t1 = now_ns();
	pthread_join(t, NULL);
	ls_close(s[0]);
	ls_close(s[1]);
	return (t1 - t0) / (double)iters;
}

static double pingpong_raw(long iters)
{
	int s[2];
	struct echo_arg a;
	pthread_t t;
	char b = 'x';
	double t0, t1;
	long i;

	raw_tcp_pair(s);
	a.fd = s[1];
	a.iters = iters;
	t = start_thread(echo_raw, &a);
	t0 = now_ns();
	for (i = 0; i < iters; i++) {
		if (send(s[0], &b, 1, MSG_NOSIGNAL) != 1 || recv(s[0], &b, 1, 0) != 1)
			die("pingpong_raw: short transfer");
	}
	t1 = now_ns();
	pthread_join(t, NULL);
	close(s[0]);
	close(s[1]);
	return (t1 - t0) / (double)iters;
}

/* --- (c) bulk throughput ------------------------------------------------------ */

struct bulk_arg {
	ls_socket ls;
	int fd;
	uint64_t bytes;
	int libsock_first; /* interleaved sender: which side sends the even chunks */
	double chunk_ns[2]; /* interleaved sender: CPU time of libsock's, raw's chunks */
};

static _Alignas(4096) char send_buf[BULK_CHUNK];

/*
 * The raw equivalent of ls_sendall: loop over partial writes (and wait for
 * room if the descriptor is non-blocking, as libsock's may be).
 */
static void raw_sendall(int fd, const char *buf, size_t n)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	size_t off = 0;
	ssize_t w;

	while (off < n) {
		w = send(fd, buf + off, n - off, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			(void)poll(&p, 1, -1);
			continue;
		}
		os_check(w, "send");
		off += (size_t)w;
	}
}

/* The sender waits for a 1-byte "go" so the receiver owns the clock. */
static void *bulk_send_libsock(void *p)
{
	struct bulk_arg *a = p;
	uint64_t left = a->bytes;
	char go;

	if (ls_recv(a->ls, &go, 1, 0) != 1)
		die("bulk_send_libsock: no go");
	while (left > 0) {
		size_t n = left < BULK_CHUNK ? (size_t)left : BULK_CHUNK;
		ls_check(ls_sendall(a->ls, send_buf, n, 0, NULL), "sendall");
		left -= n;
	}
	return NULL;
}

static void *bulk_send_raw(void *p)
{
	struct bulk_arg *a = p;
	uint64_t left = a->bytes;
	char go;

	if (recv(a->fd, &go, 1, 0) != 1)
		die("bulk_send_raw: no go");
	while (left > 0) {
		size_t n = left < BULK_CHUNK ? (size_t)left : BULK_CHUNK;
		raw_sendall(a->fd, send_buf, n);
		left -= n;
	}
	return NULL;
}

static double bulk_libsock(uint64_t bytes)
{
	static _Alignas(4096) char buf[BULK_CHUNK];
	ls_socket s[2];
	struct bulk_arg a;
	pthread_t t;
	uint64_t got = 0;
	double t0, t1;
	int64_t n;

	ls_tcp_pair(s);
	a.ls = s[1];
	a.bytes = bytes;
	t = start_thread_pinned(bulk_send_libsock, &a, 1);
	t0 = now_ns();
	ls_check(ls_send(s[0], "g", 1, 0), "send go");
	while (got < bytes) {
		n = ls_recv(s[0], buf, sizeof buf, 0);
		ls_check(n, "recv");
		if (n == 0)
			die("bulk_libsock: early EOF");
		got += (uint64_t)n;
	}
	t1 = now_ns();
	pthread_join(t, NULL);
	ls_close(s[0]);
	ls_close(s[1]);
	return (double)bytes / (1024.0 * 1024.0) / ((t1 - t0) / 1e9);
}

static double bulk_raw(uint64_t bytes)
{
	static _Alignas(4096) char buf[BULK_CHUNK];
	int s[2];
	struct bulk_arg a;
	pthread_t t;
	uint64_t got = 0;
	double t0, t1;
	ssize_t n;

	raw_tcp_pair(s);
	a.fd = s[1];
	a.bytes = bytes;
	t = start_thread_pinned(bulk_send_raw, &a, 1);
	t0 = now_ns();
	os_check(send(s[0], "g", 1, MSG_NOSIGNAL), "send go");
	while (got < bytes) {
		n = recv(s[0], buf, sizeof buf, 0);
		if (n < 0 && errno == EINTR)
			continue;
		os_check(n, "recv");
		if (n == 0)
			die("bulk_raw: early EOF");
		got += (uint64_t)n;
	}
	t1 = now_ns();
	pthread_join(t, NULL);
	close(s[0]);
	close(s[1]);
	return (double)bytes / (1024.0 * 1024.0) / ((t1 - t0) / 1e9);
}

/* --- driver -------------------------------------------------------------------- */

/* A measure: the same work on libsock and on raw calls, sized by `amount`. */
struct measure {
	const char *key;  /* for --only */
	const char *name; /* printed, with the unit */
	double (*libsock_run)(long amount);
	double (*raw_run)(long amount);
	long amount;
	/* Instead of the two runs: one run that measures both sides at once. */
	void (*paired_run)(long amount, int round, double *libsock, double *raw);
};

/* Bulk always pins: receiver (this thread) on CPU 0, sender on CPU 1. */
static double bulk_libsock_l(long mib)
{
	pin_thread_if(pthread_self(), 0, 1);
	return bulk_libsock((uint64_t)mib << 20);
}

static double bulk_raw_l(long mib)
{
	pin_thread_if(pthread_self(), 0, 1);
	return bulk_raw((uint64_t)mib << 20);
}

/*
 * (c') the sender's CPU cost of bulk, libsock against raw in one run.
 *
 * Separate runs of bulk scatter by +-10 % on a VM (wall throughput) and
 * still by +-5 % when the sender's CPU time is measured instead, because
 * the cost of each run depends on what the other tenants of the host and
 * of the VM do at the time (cache pollution, the kernel's receive work
 * going to ksoftirqd or not). So one connection carries both sides: the
 * sender alternates ls_sendall() and the raw send loop chunk by chunk on
 * the same socket (libsock's handle and its native descriptor), and reads
 * its thread CPU time (CLOCK_THREAD_CPUTIME_ID: user + system, nothing
 * while preempted or blocked) around every chunk. Whatever disturbs the
 * run disturbs both sides within microseconds of each other, so their
 * ratio is stable. Which side sends the even chunks alternates by round.
 */
static void *bulk_send_mixed(void *p)
{
	struct bulk_arg *a = p;
	uint64_t left = a->bytes, k;
	double t0, t1;
	char go;
	int side;

	if (recv(a->fd, &go, 1, 0) != 1)
		die("bulk_send_mixed: no go");
	for (k = 0; left > 0; k++) {
		size_t n = left < BULK_CHUNK ? (size_t)left : BULK_CHUNK;
		side = (int)(k % 2) ^ !a->libsock_first; /* 0: libsock, 1: raw */
		t0 = cpu_ns();
		if (side == 0)
			ls_check(ls_sendall(a->ls, send_buf, n, 0, NULL), "sendall");
		else
			raw_sendall(a->fd, send_buf, n);
		t1 = cpu_ns();
		a->chunk_ns[side] += t1 - t0;
		left -= n;
	}
	return NULL;
}

/* CPU milliseconds of the sender per GiB sent, for each side. */
static void bulk_cpu_paired(long mib, int round, double *libsock, double *raw)
{
	static _Alignas(4096) char buf[BULK_CHUNK];
	uint64_t bytes = (uint64_t)mib << 20, got = 0;
	double gib_each = (double)bytes / 2 / (1024.0 * 1024.0 * 1024.0);
	struct bulk_arg a = { 0 };
	ls_native native;
	ls_socket s[2];
	pthread_t t;
	ssize_t n;

	pin_thread_if(pthread_self(), 0, 1);
	ls_tcp_pair(s);
	ls_check(ls_socket_native(s[1], &native), "ls_socket_native");
	a.ls = s[1];
	a.fd = (int)native;
	a.bytes = bytes;
	a.libsock_first = round % 2 == 0;
	t = start_thread_pinned(bulk_send_mixed, &a, 1);
	ls_check(ls_send(s[0], "g", 1, 0), "send go");
	while (got < bytes) {
		n = ls_recv(s[0], buf, sizeof(buf), 0);
		ls_check(n, "recv");
		if (n == 0)
			die("bulk_cpu_paired: early EOF");
		got += (uint64_t)n;
	}
	pthread_join(t, NULL);
	ls_close(s[0]);
	ls_close(s[1]);
	*libsock = a.chunk_ns[0] / 1e6 / gib_each;
	*raw = a.chunk_ns[1] / 1e6 / gib_each;
}

static int wanted(const char *side)
{
	return cfg.side == NULL || strcmp(cfg.side, side) == 0;
}

static void run_measure(const struct measure *m)
{
	double lv[MAX_ROUNDS], rv[MAX_ROUNDS], ratio[MAX_ROUNDS];
	long warm = m->amount / 10 > 0 ? m->amount / 10 : 1;
	int i, both = cfg.side == NULL || m->paired_run != NULL;

	/* Warm up both paths (page faults, caches, the thread's stack). */
	if (m->paired_run)
		m->paired_run(warm, 0, &lv[0], &rv[0]);
	if (!m->paired_run && wanted("libsock"))
		(void)m->libsock_run(warm);
	if (!m->paired_run && wanted("raw"))
		(void)m->raw_run(warm);

	for (i = 0; i < cfg.rounds; i++) {
		/* Alternate the order so neither side always runs "second". */
		if (m->paired_run) {
			m->paired_run(m->amount, i, &lv[i], &rv[i]);
		} else if (i % 2 == 0) {
			lv[i] = wanted("libsock") ? m->libsock_run(m->amount) : 0;
			rv[i] = wanted("raw") ? m->raw_run(m->amount) : 0;
		} else {
			rv[i] = wanted("raw") ? m->raw_run(m->amount) : 0;
			lv[i] = wanted("libsock") ? m->libsock_run(m->amount) : 0;
		}
		ratio[i] = both && rv[i] > 0 ? lv[i] / rv[i] : 0;
		if (cfg.verbose)
			fprintf(stderr, "# %s round %d: libsock=%.1f raw=%.1f ratio=%.3f\n",
			        m->name, i, lv[i], rv[i], ratio[i]);
	}
	/*
	 * The values are each side's median. The ratio is the median of the
	 * per-round ratios: a round's two runs are back to back, so a slow
	 * spell of the machine hits both and cancels out of their ratio.
	 */
	printf("%s libsock=%.1f raw=%.1f ratio=%.3f\n", m->name, median(lv, cfg.rounds),
	       median(rv, cfg.rounds), median(ratio, cfg.rounds));
	fflush(stdout);
}

static void usage(void)
{
	fprintf(stderr,
	        "usage: libsock_bench [--quick] [--rounds N]\n"
	        "                     [--only pair|pingpong|bulk|bulk-wall] [--iters N]\n"
	        "                     [--bulk-mib N] [--side libsock|raw] [--pin] [--verbose]\n"
	        "  --quick     a short run (5 rounds, fewer iterations, 256 MiB bulk)\n"
	        "  --iters N   iterations per round for pair and pingpong\n"
	        "  --side S    run only one side (for profilers); ratio is then 0\n"
	        "  --pin       main thread on CPU 0, peer thread on CPU 1 (default: the\n"
	        "              scheduler places them; bulk is always pinned)\n");
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

int main(int argc, char **argv)
{
	long bulk_mib = 1024, iters = 0;
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--quick") == 0) {
			cfg.rounds = 5;
			cfg.pair_iters = 20000;
			cfg.pingpong_iters = 3000;
			bulk_mib = 256;
		} else if (strcmp(argv[i], "--rounds") == 0) {
			cfg.rounds = (int)arg_number(argc, argv, &i, 1, MAX_ROUNDS);
		} else if (strcmp(argv[i], "--iters") == 0) {
			iters = arg_number(argc, argv, &i, 1, 1000000000L);
		} else if (strcmp(argv[i], "--bulk-mib") == 0) {
			bulk_mib = arg_number(argc, argv, &i, 1, 1L << 20);
		} else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
			cfg.only = argv[++i];
		} else if (strcmp(argv[i], "--side") == 0 && i + 1 < argc) {
			cfg.side = argv[++i];
		} else if (strcmp(argv[i], "--verbose") == 0) {
			cfg.verbose = 1;
		} else if (strcmp(argv[i], "--pin") == 0) {
			cfg.pin = 1;
		} else {
			usage();
		}
	}
	if (iters > 0)
		cfg.pair_iters = cfg.pingpong_iters = iters;

	{
		const struct measure measures[] = {
			{ "pair", "pair_send_recv_1B_ns", pair_libsock, pair_raw, cfg.pair_iters,
			  NULL },
			{ "pingpong", "pingpong_tcp_1B_ns", pingpong_libsock, pingpong_raw,
			  cfg.pingpong_iters, NULL },
			{ "bulk", "bulk_tcp_send_cpu_ms_per_GiB", NULL, NULL, bulk_mib,
			  bulk_cpu_paired },
			{ "bulk-wall", "bulk_tcp_MiBps", bulk_libsock_l, bulk_raw_l, bulk_mib, NULL },
		};
		size_t k;

		ls_check(ls_init(), "ls_init");
		pin_thread(pthread_self(), 0);
		for (k = 0; k < sizeof measures / sizeof measures[0]; k++) {
			if (cfg.only == NULL || strcmp(cfg.only, measures[k].key) == 0)
				run_measure(&measures[k]);
		}
		ls_cleanup();
	}
	return 0;
}
