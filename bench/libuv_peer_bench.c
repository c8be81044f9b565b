/*
 * libuv_peer_bench.c - 1-byte ping-pong over loopback TCP: libsock's
 * blocking calls against libuv's event loop, for comparison.
 *
 * Same shape as pingpong_tcp_1B_ns in libsock_bench.c: two threads, a
 * loopback TCP connection with TCP_NODELAY, one byte there and back per
 * iteration; nanoseconds per round trip, median of interleaved rounds.
 * The libuv side runs one uv_loop per thread and writes with uv_try_write
 * (libuv's cheapest write path; 1 byte always fits the socket buffer).
 *
 * Output: pingpong_tcp_1B_ns libsock=<ns> libuv=<ns> ratio=<libsock/libuv>
 */
#define _GNU_SOURCE

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <uv.h>

#include <libsock.h>

#define MAX_ROUNDS 64

static void die(const char *what, const char *why)
{
	fprintf(stderr, "libuv_peer_bench: %s: %s\n", what, why);
	exit(1);
}

static void ls_check(int64_t rc, const char *what)
{
	if (rc < 0)
		die(what, ls_strerror((int)rc));
}

static void uv_check(int rc, const char *what)
{
	if (rc < 0)
		die(what, uv_strerror(rc));
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
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

/* --- libsock side: blocking calls, as in libsock_bench ----------------------- */

struct ls_echo {
	ls_socket s;
	long iters;
};

static void *ls_echo_thread(void *p)
{
	struct ls_echo *e = p;
	char b;
	long i;

	for (i = 0; i < e->iters; i++) {
		if (ls_recv(e->s, &b, 1, 0) != 1 || ls_send(e->s, &b, 1, 0) != 1)
			die("libsock echo", "short transfer");
	}
	return NULL;
}

static double pingpong_libsock(long iters)
{
	ls_socket l, s[2];
	ls_addr a;
	struct ls_echo e;
	pthread_t t;
	char b = 'x';
	double t0, t1;
	long i;

	ls_check(ls_socket_create(&l, LS_AF_INET, LS_SOCK_STREAM, 0), "socket");
	ls_addr_loopback(&a, LS_AF_INET, 0);
	ls_check(ls_bind(l, &a), "bind");
	ls_check(ls_listen(l, 1), "listen");
	ls_check(ls_getsockname(l, &a), "getsockname");
	ls_check(ls_socket_create(&s[0], LS_AF_INET, LS_SOCK_STREAM, 0), "socket");
	ls_check(ls_connect(s[0], &a), "connect");
	ls_check(ls_accept(l, &s[1], NULL), "accept");
	ls_check(ls_setopt(s[0], LS_OPT_NODELAY, 1), "nodelay");
	ls_check(ls_setopt(s[1], LS_OPT_NODELAY, 1), "nodelay");
	ls_close(l);

	e.s = s[1];
	e.iters = iters;
	if (pthread_create(&t, NULL, ls_echo_thread, &e) != 0)
		die("pthread_create", "failed");
	t0 = now_ns();
	for (i = 0; i < iters; i++) {
		if (ls_send(s[0], &b, 1, 0) != 1 || ls_recv(s[0], &b, 1, 0) != 1)
			die("libsock ping", "short transfer");
	}
	t1 = now_ns();
	pthread_join(t, NULL);
	ls_close(s[0]);
	ls_close(s[1]);
	return (t1 - t0) / (double)iters;
}

/* --- libuv side: one loop per thread ------------------------------------------- */

struct uv_peer {
	uv_loop_t loop;
	uv_tcp_t tcp;
	long left; /* pinger: round trips still to do; echoer: unused */
	int is_pinger;
	double t0, t1;
};

static char uv_buf[64];

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	*buf = uv_buf_init(uv_buf, sizeof uv_buf);
}

static void send_byte(struct uv_peer *p)
{
	uv_buf_t b = uv_buf_init("x", 1);
	int rc = uv_try_write((uv_stream_t *)&p->tcp, &b, 1);

	if (rc != 1)
		die("uv_try_write", rc < 0 ? uv_strerror(rc) : "short write");
}

static void on_read(uv_stream_t *stream, ssize_t n, const uv_buf_t *buf)
{
	struct uv_peer *p = stream->data;

	if (n == 0)
		return; /* EAGAIN */
	if (n < 0) { /* the pinger closed: the echoer is done */
		uv_close((uv_handle_t *)stream, NULL);
		return;
	}
	if (!p->is_pinger) {
		send_byte(p);
		return;
	}
	if (--p->left > 0) {
		send_byte(p);
		return;
	}
	p->t1 = now_ns();
	uv_close((uv_handle_t *)stream, NULL);
}

static void *uv_peer_thread(void *arg)
{
	struct uv_peer *p = arg;

	uv_check(uv_read_start((uv_stream_t *)&p->tcp, on_alloc, on_read), "read_start");
	if (p->is_pinger) {
		p->t0 = now_ns();
		send_byte(p);
	}
	uv_check(uv_run(&p->loop, UV_RUN_DEFAULT), "uv_run");
	uv_loop_close(&p->loop);
	return NULL;
}

/* A connected loopback TCP pair, made with raw calls; libuv adopts the fds. */
static void raw_tcp_pair(int out[2])
{
	struct sockaddr_in a;
	socklen_t len = sizeof a;
	int l;

	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    bind(l, (struct sockaddr *)&a, sizeof a) < 0 || listen(l, 1) < 0 ||
	    getsockname(l, (struct sockaddr *)&a, &len) < 0 ||
	    (out[0] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    connect(out[0], (struct sockaddr *)&a, sizeof a) < 0 ||
	    (out[1] = accept4(l, NULL, NULL, SOCK_CLOEXEC)) < 0)
		die("raw pair", strerror(errno));
	close(l);
}

static void uv_peer_open(struct uv_peer *p, int fd, int pinger, long iters)
{
	memset(p, 0, sizeof *p);
	uv_check(uv_loop_init(&p->loop), "loop_init");
	uv_check(uv_tcp_init(&p->loop, &p->tcp), "tcp_init");
	uv_check(uv_tcp_open(&p->tcp, fd), "tcp_open");
	uv_check(uv_tcp_nodelay(&p->tcp, 1), "nodelay");
	p->tcp.data = p;
	p->is_pinger = pinger;
	p->left = iters;
}

static double pingpong_libuv(long iters)
{
	static struct uv_peer ping, echo;
	pthread_t tp, te;
	int fds[2];

	raw_tcp_pair(fds);
	uv_peer_open(&ping, fds[0], 1, iters);
	uv_peer_open(&echo, fds[1], 0, iters);
	if (pthread_create(&te, NULL, uv_peer_thread, &echo) != 0 ||
	    pthread_create(&tp, NULL, uv_peer_thread, &ping) != 0)
		die("pthread_create", "failed");
	pthread_join(tp, NULL); /* closing the pinger's fd ends the echoer */
	pthread_join(te, NULL);
	return (ping.t1 - ping.t0) / (double)iters;
}

int main(int argc, char **argv)
{
	double lv[MAX_ROUNDS], uv[MAX_ROUNDS], l, u;
	long iters = 20000;
	int rounds = 7, i;

	if (argc > 1 && strcmp(argv[1], "--quick") == 0) {
		iters = 3000;
		rounds = 3;
	} else if (argc > 1) {
		fprintf(stderr, "usage: libuv_peer_bench [--quick]\n");
		return 2;
	}
	ls_check(ls_init(), "ls_init");
	(void)pingpong_libsock(iters / 10); /* warm up */
	(void)pingpong_libuv(iters / 10);
	for (i = 0; i < rounds; i++) {
		if (i % 2 == 0) {
			lv[i] = pingpong_libsock(iters);
			uv[i] = pingpong_libuv(iters);
		} else {
			uv[i] = pingpong_libuv(iters);
			lv[i] = pingpong_libsock(iters);
		}
	}
	l = median(lv, rounds);
	u = median(uv, rounds);
	printf("pingpong_tcp_1B_ns libsock=%.1f libuv=%.1f ratio=%.3f\n", l, u, l / u);
	ls_cleanup();
	return 0;
}
