/*
 * echo_server.c - the single-threaded TCP echo servers of the echo benchmark
 * (bench/echo_bench.c starts them, one process each).
 *
 *   echo_server --impl libsock   libsock's poller: ls_poller_wait, ls_accept,
 *                                ls_recv, ls_send on non-blocking sockets
 *   echo_server --impl epoll     the same loop on raw epoll and read/write
 *                                system calls: the limit for this design
 *
 * Both do identical work, so the benchmark compares only the layers: one
 * level-triggered registration per connection, one 64 KiB read buffer
 * shared by all connections, one recv per readiness event, the echo sent at
 * once; a partial send keeps the rest in a per-connection buffer and waits
 * for writability with reading paused (back-pressure). TCP_NODELAY on every
 * connection, as libuv's and asyncio's servers set it.
 *
 * The server listens on 127.0.0.1, an OS-chosen port, prints "port N" on
 * stdout and runs until killed (the driver stops it with SIGTERM by pid).
 * --batch N sets how many events one wait may return (default 256).
 */
#define _GNU_SOURCE /* accept4, SOCK_NONBLOCK */

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libsock.h>

#define READ_BUF (64 * 1024)
#define MAX_BATCH 4096
#define LISTENER UINT64_MAX

static char rbuf[READ_BUF];

/* A connection's state; pend is non-NULL only while a send is incomplete. */
struct conn {
	ls_socket ls; /* libsock side; the epoll side keys by fd */
	char *pend;
	size_t len;
	size_t off;
};

static struct conn *conns; /* by fd (epoll) or by slot (libsock) */
static size_t nconns;

static void die(const char *what, const char *why)
{
	fprintf(stderr, "echo_server: %s: %s\n", what, why);
	exit(1);
}

static void ls_check(int64_t rc, const char *what)
{
	if (rc < 0)
		die(what, ls_strerror((int)rc));
}

static void os_check(long rc, const char *what)
{
	if (rc < 0)
		die(what, strerror(errno));
}

/* The state of connection i, growing the table as needed. */
static struct conn *conn_at(size_t i)
{
	size_t n = nconns ? nconns : 1024;
	struct conn *m;

	if (i >= nconns) {
		while (n <= i)
			n *= 2;
		m = realloc(conns, n * sizeof(*conns));
		if (m == NULL)
			die("realloc", "out of memory");
		memset(m + nconns, 0, (n - nconns) * sizeof(*m));
		conns = m;
		nconns = n;
	}
	return &conns[i];
}

/* Keep the unsent tail of an echo for later. */
static void conn_stash(struct conn *c, const char *data, size_t len)
{
	c->pend = malloc(len);
	if (c->pend == NULL)
		die("malloc", "out of memory");
	memcpy(c->pend, data, len);
	c->len = len;
	c->off = 0;
}

static void conn_unstash(struct conn *c)
{
	free(c->pend);
	c->pend = NULL;
	c->len = c->off = 0;
}

static void print_port(uint16_t port)
{
	printf("port %u\n", (unsigned)port);
	fflush(stdout);
}

/* --- libsock's poller ------------------------------------------------------ */

/* Slots of closed connections, for reuse. */
static size_t *free_slots;
static size_t nfree, nslots_used;

static size_t ls_slot_take(void)
{
	if (nfree > 0)
		return free_slots[--nfree];
	return nslots_used++;
}

static void ls_slot_give(size_t i)
{
	size_t *m;

	m = realloc(free_slots, (nfree + 1) * sizeof(*free_slots));
	if (m == NULL)
		die("realloc", "out of memory");
	free_slots = m;
	free_slots[nfree++] = i;
}

static void ls_conn_close(size_t i)
{
	struct conn *c = &conns[i];

	ls_close(c->ls); /* also removes it from the poller */
	conn_unstash(c);
	ls_slot_give(i);
}

static void ls_on_accept(ls_poller *p, ls_socket l)
{
	ls_socket s;
	size_t i;
	int rc;

	for (;;) {
		rc = ls_accept(l, &s, NULL); /* non-blocking, as the listener */
		if (rc == LS_EAGAIN)
			return;
		if (rc == LS_ECONNABORTED || rc == LS_EMFILE)
			return; /* EMFILE: the bench sized the limit; retry on next event */
		ls_check(rc, "ls_accept");
		ls_check(ls_setopt(s, LS_OPT_NODELAY, 1), "nodelay");
		i = ls_slot_take();
		conn_at(i)->ls = s;
		ls_check(ls_poller_add(p, s, LS_POLLIN, LS_POLLER_LEVEL, i), "ls_poller_add");
	}
}

/* Send data, or keep what does not fit and wait for LS_POLLOUT. */
static int ls_echo(ls_poller *p, size_t i, const char *data, size_t len)
{
	struct conn *c = &conns[i];
	int64_t w = ls_send(c->ls, data, len, 0);

	if (w == LS_EAGAIN)
		w = 0;
	if (w < 0)
		return -1;
	if ((size_t)w < len) {
		conn_stash(c, data + w, len - (size_t)w);
		ls_check(ls_poller_mod(p, c->ls, LS_POLLOUT, LS_POLLER_LEVEL, i), "ls_poller_mod");
	}
	return 0;
}

static int ls_on_writable(ls_poller *p, size_t i)
{
	struct conn *c = &conns[i];
	int64_t w = ls_send(c->ls, c->pend + c->off, c->len - c->off, 0);

	if (w == LS_EAGAIN)
		return 0;
	if (w < 0)
		return -1;
	c->off += (size_t)w;
	if (c->off == c->len) {
		conn_unstash(c);
		ls_check(ls_poller_mod(p, c->ls, LS_POLLIN, LS_POLLER_LEVEL, i), "ls_poller_mod");
	}
	return 0;
}

static void ls_on_event(ls_poller *p, const ls_event *e)
{
	size_t i = (size_t)e->user;
	int64_t n;

	if (conns[i].pend != NULL) {
		if (ls_on_writable(p, i) < 0)
			ls_conn_close(i);
		return;
	}
	n = ls_recv(e->sock, rbuf, sizeof(rbuf), 0);
	if (n == LS_EAGAIN)
		return;
	if (n <= 0 || ls_echo(p, i, rbuf, (size_t)n) < 0)
		ls_conn_close(i); /* end of stream, reset or error */
}

static void run_libsock(int batch)
{
	static ls_event ev[MAX_BATCH];
	ls_poller *p;
	ls_socket l;
	ls_addr a;
	int i, n;

	ls_check(ls_socket_create(&l, LS_AF_INET, LS_SOCK_STREAM, 0), "socket");
	ls_check(ls_setopt(l, LS_OPT_REUSEADDR, 1), "reuseaddr");
	ls_check(ls_addr_loopback(&a, LS_AF_INET, 0), "loopback");
	ls_check(ls_bind(l, &a), "bind");
	ls_check(ls_listen(l, 0), "listen"); /* SOMAXCONN */
	ls_check(ls_set_timeout(l, LS_TIMEOUT_NONBLOCK), "set_timeout");
	ls_check(ls_getsockname(l, &a), "getsockname");
	ls_check(ls_poller_create(&p, 0), "ls_poller_create");
	ls_check(ls_poller_add(p, l, LS_POLLIN, LS_POLLER_LEVEL, LISTENER), "ls_poller_add");
	print_port(ls_addr_port(&a));
	for (;;) {
		n = ls_poller_wait(p, ev, (size_t)batch, LS_TIMEOUT_BLOCK);
		ls_check(n, "ls_poller_wait");
		for (i = 0; i < n; i++) {
			if (ev[i].user == LISTENER)
				ls_on_accept(p, l);
			else
				ls_on_event(p, &ev[i]);
		}
	}
}

/* --- plain epoll -------------------------------------------------------------- */

static void ep_conn_close(int fd)
{
	close(fd); /* also removes it from the epoll set */
	conn_unstash(&conns[fd]);
}

static void ep_watch(int ep, int op, int fd, uint32_t events)
{
	struct epoll_event e = { .events = events, .data.fd = fd };

	os_check(epoll_ctl(ep, op, fd, &e), "epoll_ctl");
}

static void ep_on_accept(int ep, int l)
{
	int fd, one = 1;

	for (;;) {
		fd = accept4(l, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0 && (errno == EAGAIN || errno == ECONNABORTED || errno == EMFILE ||
		               errno == EINTR))
			return;
		os_check(fd, "accept4");
		os_check(setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)), "nodelay");
		conn_at((size_t)fd);
		ep_watch(ep, EPOLL_CTL_ADD, fd, EPOLLIN);
	}
}

static int ep_echo(int ep, int fd, const char *data, size_t len)
{
	ssize_t w = send(fd, data, len, MSG_NOSIGNAL);

	if (w < 0 && (errno == EAGAIN || errno == EINTR))
		w = 0;
	if (w < 0)
		return -1;
	if ((size_t)w < len) {
		conn_stash(&conns[fd], data + w, len - (size_t)w);
		ep_watch(ep, EPOLL_CTL_MOD, fd, EPOLLOUT);
	}
	return 0;
}

static int ep_on_writable(int ep, int fd)
{
	struct conn *c = &conns[fd];
	ssize_t w = send(fd, c->pend + c->off, c->len - c->off, MSG_NOSIGNAL);

	if (w < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (w < 0)
		return -1;
	c->off += (size_t)w;
	if (c->off == c->len) {
		conn_unstash(c);
		ep_watch(ep, EPOLL_CTL_MOD, fd, EPOLLIN);
	}
	return 0;
}

static void ep_on_event(int ep, int fd)
{
	ssize_t n;

	if (conns[fd].pend != NULL) {
		if (ep_on_writable(ep, fd) < 0)
			ep_conn_close(fd);
		return;
	}
	n = recv(fd, rbuf, sizeof(rbuf), 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0 || ep_echo(ep, fd, rbuf, (size_t)n) < 0)
		ep_conn_close(fd);
}

static void run_epoll(int batch)
{
	static struct epoll_event ev[MAX_BATCH];
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	int ep, l, i, n, one = 1;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	os_check(l = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), "socket");
	os_check(setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)), "reuseaddr");
	os_check(bind(l, (struct sockaddr *)&a, sizeof(a)), "bind");
	os_check(listen(l, SOMAXCONN), "listen");
	os_check(getsockname(l, (struct sockaddr *)&a, &alen), "getsockname");
	os_check(ep = epoll_create1(EPOLL_CLOEXEC), "epoll_create1");
	ep_watch(ep, EPOLL_CTL_ADD, l, EPOLLIN);
	print_port(ntohs(a.sin_port));
	for (;;) {
		n = epoll_wait(ep, ev, batch, -1);
		if (n < 0 && errno == EINTR)
			continue;
		os_check(n, "epoll_wait");
		for (i = 0; i < n; i++) {
			if (ev[i].data.fd == l)
				ep_on_accept(ep, l);
			else
				ep_on_event(ep, ev[i].data.fd);
		}
	}
}

int main(int argc, char **argv)
{
	const char *impl = NULL;
	int i, bad = 0, batch = 256;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--impl") == 0 && i + 1 < argc)
			impl = argv[++i];
		else if (strcmp(argv[i], "--batch") == 0 && i + 1 < argc)
			batch = atoi(argv[++i]);
		else
			bad = 1;
	}
	if (bad || impl == NULL || batch < 1 || batch > MAX_BATCH) {
		fprintf(stderr, "usage: echo_server --impl libsock|epoll [--batch N (1-%d)]\n",
		        MAX_BATCH);
		return 2;
	}
	if (strcmp(impl, "libsock") == 0) {
		ls_check(ls_init(), "ls_init");
		run_libsock(batch);
	} else if (strcmp(impl, "epoll") == 0) {
		run_epoll(batch);
	} else {
		fprintf(stderr, "echo_server: unknown --impl %s\n", impl);
		return 2;
	}
	return 0;
}
