/*
 * dgram_bench.c - datagram rates on loopback: libsock's batched calls
 * against raw sendmmsg/recvmmsg, against a plain sendto/recvfrom loop, and
 * UDP segmentation offload against none.
 *
 * One run: a sender thread sends PACKETS datagrams of one size to a
 * receiver thread on loopback UDP (the two pinned to CPUs 0 and 1 where
 * affinity is available, a 4 MiB receive buffer), both using one kind of
 * call. The figure is datagrams per second received, from the first to the
 * last datagram the receiver saw (a receiver that falls behind drops
 * datagrams in the kernel; what it receives is what its calls can take). A
 * run ends at the first 1-byte datagram: once done, the sender sends
 * those every millisecond until the receiver has seen one (both sides use
 * blocking sockets, so neither pays for a timeout).
 *
 * Kinds of run:
 *   libsock   ls_sendmmsg / ls_recvmmsg, batches of 32
 *   raw       sendmmsg / recvmmsg, batches of 32, the same buffers
 *   plain     ls_sendto / ls_recvfrom, one datagram a call
 *   gso       1200-byte datagrams only: ls_sendmsg with LS_MI_SEGMENT, 32
 *             segments a call; the receiver as in libsock
 *
 * Lines, each the median over rounds of the per-round ratio (the two runs
 * of a round back to back, their order alternating):
 *   dgram_batch_<size>B libsock=<pps> raw=<pps> ratio=<libsock/raw>
 *   dgram_batch_gain_<size>B libsock=<pps> plain=<pps> ratio=<libsock/plain>
 *   dgram_gso_1200B libsock=<pps gso> nogso=<pps> ratio=<gso/nogso>
 *
 * Linux only (the raw side is sendmmsg/recvmmsg). Never run under wine.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libsock.h>

#define BATCH 32
#define MAX_SIZE 1500
#define MAX_ROUNDS 31

enum kind { K_LIBSOCK, K_RAW, K_PLAIN, K_GSO };

static struct {
	int rounds;
	long packets;
} cfg = { 7, 300000 };

typedef struct run {
	enum kind kind;
	size_t size;
	ls_socket tx, rx;
	ls_addr to;
	_Atomic int receiver_done;
	long received;
	double first, last;
} run;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	/* Best effort: a machine with one CPU simply runs unpinned. */
	(void)pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static void die(const char *what, long long rc)
{
	fprintf(stderr, "dgram_bench: %s failed: %lld\n", what, rc);
	exit(1);
}

static int native_fd(ls_socket s)
{
	ls_native n;

	if (ls_socket_native(s, &n) != 0)
		die("ls_socket_native", -1);
	return (int)n;
}

/* --- senders ------------------------------------------------------------ */

static void send_libsock(run *r, unsigned char *buf)
{
	ls_iovec v[BATCH];
	ls_mmsg m[BATCH];
	long sent = 0;
	int i, n;

	for (i = 0; i < BATCH; i++) {
		v[i] = (ls_iovec){ buf, r->size };
		m[i] = (ls_mmsg){ .msg = { .iov = &v[i], .iovcnt = 1, .addr = &r->to } };
	}
	while (sent < cfg.packets) {
		n = ls_sendmmsg(r->tx, m, BATCH, 0);
		if (n < 0)
			die("ls_sendmmsg", n);
		sent += n;
	}
}

static void send_raw(run *r, unsigned char *buf)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(ls_addr_port(&r->to)),
		                  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct iovec v[BATCH];
	struct mmsghdr m[BATCH];
	int fd = native_fd(r->tx), i, n;
	long sent = 0;

	memset(m, 0, sizeof(m));
	for (i = 0; i < BATCH; i++) {
		v[i] = (struct iovec){ buf, r->size };
		m[i].msg_hdr.msg_iov = &v[i];
		m[i].msg_hdr.msg_iovlen = 1;
		m[i].msg_hdr.msg_name = &sa;
		m[i].msg_hdr.msg_namelen = sizeof(sa);
	}
	while (sent < cfg.packets) {
		n = sendmmsg(fd, m, BATCH, MSG_NOSIGNAL);
		if (n < 0)
			die("sendmmsg", -errno);
		sent += n;
	}
}

static void send_plain(run *r, unsigned char *buf)
{
	long sent;
	int64_t n;

	for (sent = 0; sent < cfg.packets; sent++) {
		n = ls_sendto(r->tx, buf, r->size, 0, &r->to);
		if (n < 0)
			die("ls_sendto", n);
	}
}

static void send_gso(run *r, unsigned char *buf)
{
	ls_iovec v = { buf, r->size * BATCH };
	ls_msginfo info = { .valid = LS_MI_SEGMENT, .segment = (uint32_t)r->size };
	ls_msg m = { .iov = &v, .iovcnt = 1, .addr = &r->to, .info = &info };
	long sent = 0;
	int64_t n;

	while (sent < cfg.packets) {
		n = ls_sendmsg(r->tx, &m, 0);
		if (n < 0)
			die("ls_sendmsg with LS_MI_SEGMENT", n);
		sent += BATCH;
	}
}

static void *sender(void *arg)
{
	run *r = arg;
	static unsigned char buf[MAX_SIZE * BATCH];

	pin(0);
	memset(buf, 'd', sizeof(buf));
	if (r->kind == K_LIBSOCK)
		send_libsock(r, buf);
	else if (r->kind == K_RAW)
		send_raw(r, buf);
	else if (r->kind == K_PLAIN)
		send_plain(r, buf);
	else
		send_gso(r, buf);
	/* The end: 1-byte datagrams until the receiver has one (some may be dropped). */
	while (!atomic_load(&r->receiver_done)) {
		ls_sendto(r->tx, buf, 1, 0, &r->to);
		usleep(1000);
	}
	return NULL;
}

/* --- receivers ---------------------------------------------------------- */

static unsigned char rbuf[BATCH][MAX_SIZE];

static void note(run *r, long n)
{
	double t = now_s();

	if (r->received == 0)
		r->first = t;
	r->last = t;
	r->received += n;
}

/* Count the datagrams of a batch up to the end marker; 0 once it came. */
static int count_batch(run *r, const size_t *lens, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (lens[i] == 1) {
			note(r, i);
			return 0;
		}
	}
	note(r, n);
	return 1;
}

static int recv_libsock(run *r, ls_mmsg *m)
{
	size_t lens[BATCH];
	int n = ls_recvmmsg(r->rx, m, BATCH, 0), i;

	if (n < 0)
		die("ls_recvmmsg", n);
	for (i = 0; i < n; i++)
		lens[i] = m[i].len;
	return count_batch(r, lens, n);
}

static int recv_raw(run *r, struct mmsghdr *m)
{
	size_t lens[BATCH];
	int n = recvmmsg(native_fd(r->rx), m, BATCH, MSG_WAITFORONE, NULL), i;

	if (n < 0)
		die("recvmmsg", -errno);
	for (i = 0; i < n; i++)
		lens[i] = m[i].msg_len;
	return count_batch(r, lens, n);
}

static int recv_plain(run *r)
{
	int64_t n = ls_recvfrom(r->rx, rbuf[0], MAX_SIZE, 0, NULL);

	if (n < 0)
		die("ls_recvfrom", n);
	if (n == 1)
		return 0;
	note(r, 1);
	return 1;
}

static void receive(run *r)
{
	ls_iovec v[BATCH];
	ls_mmsg m[BATCH];
	struct iovec rv[BATCH];
	struct mmsghdr rm[BATCH];
	int i, more = 1;

	memset(rm, 0, sizeof(rm));
	for (i = 0; i < BATCH; i++) {
		v[i] = (ls_iovec){ rbuf[i], MAX_SIZE };
		m[i] = (ls_mmsg){ .msg = { .iov = &v[i], .iovcnt = 1 } };
		rv[i] = (struct iovec){ rbuf[i], MAX_SIZE };
		rm[i].msg_hdr.msg_iov = &rv[i];
		rm[i].msg_hdr.msg_iovlen = 1;
	}
	while (more) {
		if (r->kind == K_RAW)
			more = recv_raw(r, rm);
		else if (r->kind == K_PLAIN)
			more = recv_plain(r);
		else
			more = recv_libsock(r, m);
	}
	atomic_store(&r->receiver_done, 1);
}

/* --- one run ------------------------------------------------------------ */

static ls_socket udp_socket(ls_addr *bound)
{
	ls_socket s;
	ls_addr a;

	ls_addr_parse(&a, "127.0.0.1:0");
	if (ls_socket_create(&s, LS_AF_INET, LS_SOCK_DGRAM, 0) != 0 || ls_bind(s, &a) != 0)
		die("creating a UDP socket", -1);
	if (bound != NULL)
		ls_getsockname(s, bound);
	return s;
}

static double one_run(enum kind kind, size_t size)
{
	run r = { .kind = kind, .size = size };
	pthread_t t;

	r.rx = udp_socket(&r.to);
	r.tx = udp_socket(NULL);
	ls_setopt(r.rx, LS_OPT_RCVBUF, 4 << 20);
	pin(1);
	if (pthread_create(&t, NULL, sender, &r) != 0)
		die("pthread_create", -1);
	receive(&r);
	pthread_join(t, NULL);
	ls_close(r.rx);
	ls_close(r.tx);
	if (r.received < 2 || r.last <= r.first)
		return 0;
	return (double)r.received / (r.last - r.first);
}

/* --- rounds and medians ------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void compare(const char *name, enum kind a, const char *peer, enum kind b, size_t size)
{
	double va[MAX_ROUNDS], vb[MAX_ROUNDS], ratio[MAX_ROUNDS];
	int i;

	for (i = 0; i < cfg.rounds; i++) {
		/* Alternate the order so a slow spell hits both sides alike. */
		if (i % 2 == 0) {
			va[i] = one_run(a, size);
			vb[i] = one_run(b, size);
		} else {
			vb[i] = one_run(b, size);
			va[i] = one_run(a, size);
		}
		ratio[i] = vb[i] > 0 ? va[i] / vb[i] : 0;
	}
	printf("%s_%zuB libsock=%.0f %s=%.0f ratio=%.3f\n", name, size, median(va, cfg.rounds),
	       peer, median(vb, cfg.rounds), median(ratio, cfg.rounds));
	fflush(stdout);
}

static int gso_available(void)
{
	unsigned char buf[2400] = { 0 };
	ls_addr to;
	ls_socket rx = udp_socket(&to), tx = udp_socket(NULL);
	ls_iovec v = { buf, sizeof(buf) };
	ls_msginfo info = { .valid = LS_MI_SEGMENT, .segment = 1200 };
	ls_msg m = { .iov = &v, .iovcnt = 1, .addr = &to, .info = &info };
	int64_t n = ls_sendmsg(tx, &m, 0);

	ls_close(rx);
	ls_close(tx);
	return n >= 0;
}

int main(int argc, char **argv)
{
	static const size_t sizes[] = { 64, 1200 };
	size_t i;
	int a;

	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--quick") == 0) {
			cfg.rounds = 1;
			cfg.packets = 20000;
		} else if (strcmp(argv[a], "--rounds") == 0 && a + 1 < argc) {
			cfg.rounds = atoi(argv[++a]);
			if (cfg.rounds < 1 || cfg.rounds > MAX_ROUNDS)
				die("--rounds must be 1..31", cfg.rounds);
		} else {
			fprintf(stderr, "usage: dgram_bench [--quick] [--rounds N]\n");
			return 2;
		}
	}
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		compare("dgram_batch", K_LIBSOCK, "raw", K_RAW, sizes[i]);
		compare("dgram_batch_gain", K_LIBSOCK, "plain", K_PLAIN, sizes[i]);
	}
	if (gso_available())
		compare("dgram_gso", K_GSO, "nogso", K_LIBSOCK, 1200);
	else
		printf("dgram_gso_1200B not available (no UDP_SEGMENT)\n");
	return 0;
}
