/*
 * test_stress.c - bounded load: many short connections, and handles used
 * and closed from several threads at once. Counts and times are fixed and
 * small; every socket has a timeout, so nothing can hang.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "helpers.h"

#define T_CONNS 200

typedef struct server {
	ls_socket l;
	int served;
} server;

static void server_thread(void *p)
{
	server *sv = p;
	int i;

	for (i = 0; i < T_CONNS; i++) {
		ls_socket s;
		char buf[32];
		int64_t n;

		if (ls_accept(sv->l, &s, NULL) != 0) {
			CHECK_MSG(0, "accept %d failed", i);
			return;
		}
		CHECK_OK(ls_set_timeout(s, H_HANG_MS));
		n = ls_recv(s, buf, sizeof(buf), 0);
		CHECK_GT_INT(n, 0);
		if (n > 0) {
			/* Echo it back, then close first (server side). */
			CHECK_OK(ls_sendall(s, buf, (size_t)n, 0, NULL));
			sv->served++;
		}
		CHECK_OK(ls_close(s));
	}
}

static void many_connections(void)
{
	ls_addr la;
	server sv;
	t_thread *t;
	int i;

	sv.l = h_listener(LS_AF_INET, &la);
	sv.served = 0;
	CHECK_OK(ls_set_timeout(sv.l, H_HANG_MS));
	t = t_thread_start(server_thread, &sv);
	CHECK(t != NULL);
	for (i = 0; i < T_CONNS; i++) {
		ls_socket c;
		char msg[32], buf[32] = { 0 };
		int len = snprintf(msg, sizeof(msg), "message %d", i);

		CHECK_OK(ls_socket_create(&c, LS_AF_INET, LS_SOCK_STREAM, 0));
		CHECK_OK(ls_set_timeout(c, H_HANG_MS));
		CHECK_OK(ls_connect(c, &la));
		CHECK_OK(ls_sendall(c, msg, (size_t)len, 0, NULL));
		h_recv_exact(c, buf, (size_t)len);
		CHECK_STR_EQ(buf, msg);
		CHECK_OK(ls_close(c));
	}
	CHECK(t_thread_wait(t, H_HANG_MS));
	t_thread_join(t);
	CHECK_EQ_INT(sv.served, T_CONNS);
	CHECK_OK(ls_close(sv.l));
}

/*
 * Handle churn: NTHREADS threads pick random slots of a shared table and
 * use, close or replace the socket there, for RUN_MS. A handle may be
 * closed by another thread at any moment: calls must then return LS_EBADF
 * (never crash, never act on another socket). At the end every socket
 * created must have been closed successfully exactly once.
 */
#define T_NTHREADS 4
#define T_SLOTS 32
#define T_RUN_MS 1000

static _Atomic ls_socket slots[T_SLOTS];
static atomic_int created, closed_ok, anomalies;
static atomic_int stop;

static unsigned rnd(unsigned *state)
{
	/* xorshift32: state must start nonzero. */
	*state ^= *state << 13;
	*state ^= *state >> 17;
	*state ^= *state << 5;
	return *state;
}

static void note_anomaly(const char *what, int64_t rc)
{
	if (atomic_fetch_add(&anomalies, 1) < 10)
		printf("  anomaly: %s gave %s\n", what, t_err_name(rc));
}

static ls_socket new_udp(void)
{
	ls_socket s;
	ls_addr a;

	if (ls_socket_create(&s, LS_AF_INET, LS_SOCK_DGRAM, 0) != 0) {
		note_anomaly("create", -1);
		return LS_INVALID_SOCKET;
	}
	atomic_fetch_add(&created, 1);
	if (ls_addr_loopback(&a, LS_AF_INET, 0) != 0 || ls_bind(s, &a) != 0 ||
	    ls_set_timeout(s, 0) != 0)
		note_anomaly("bind", -1);
	return s;
}

static void churn_thread(void *p)
{
	unsigned state = (unsigned)(uintptr_t)p * 0x9e3779b9u + 1u;
	char buf[16];
	ls_addr a;

	while (!atomic_load(&stop)) {
		unsigned i = rnd(&state) % T_SLOTS;
		ls_socket s = atomic_load(&slots[i]);
		int64_t rc;

		switch (rnd(&state) % 6) {
		case 0: /* close it: exactly one closer wins */
			rc = ls_close(s);
			if (rc == 0)
				atomic_fetch_add(&closed_ok, 1);
			else if (rc != LS_EBADF)
				note_anomaly("close", rc);
			break;
		case 1: /* replace a slot with a fresh socket */ {
			ls_socket n = new_udp();
			ls_socket old = atomic_exchange(&slots[i], n);

			rc = ls_close(old);
			if (rc == 0)
				atomic_fetch_add(&closed_ok, 1);
			else if (rc != LS_EBADF)
				note_anomaly("close old", rc);
			break;
		}
		case 2: /* send to itself */
			rc = ls_getsockname(s, &a);
			if (rc == 0)
				rc = ls_sendto(s, "x", 1, 0, &a);
			if (rc < 0 && rc != LS_EBADF && rc != LS_EAGAIN &&
			    rc != LS_ENOBUFS)
				note_anomaly("getsockname/sendto", rc);
			break;
		case 3:
			rc = ls_recv(s, buf, sizeof(buf), 0);
			if (rc < 0 && rc != LS_EBADF && rc != LS_EAGAIN)
				note_anomaly("recv", rc);
			break;
		case 4: {
			ls_pollfd pf;

			h_set_pollfd(&pf, s, LS_POLLIN | LS_POLLOUT);
			rc = ls_poll(&pf, 1, 0);
			if (rc < 0)
				note_anomaly("poll", rc);
			break;
		}
		default: {
			int type = 0;

			rc = ls_socket_info(s, NULL, &type, NULL);
			if (rc == 0 && type != LS_SOCK_DGRAM)
				note_anomaly("info type", type);
			else if (rc != 0 && rc != LS_EBADF)
				note_anomaly("info", rc);
			break;
		}
		}
	}
}

static void concurrent_close_and_use(void)
{
	t_thread *t[T_NTHREADS];
	int i;

	atomic_store(&created, 0);
	atomic_store(&closed_ok, 0);
	atomic_store(&anomalies, 0);
	atomic_store(&stop, 0);
	for (i = 0; i < T_SLOTS; i++)
		atomic_store(&slots[i], new_udp());
	for (i = 0; i < T_NTHREADS; i++) {
		t[i] = t_thread_start(churn_thread, (void *)(uintptr_t)(i + 1));
		CHECK(t[i] != NULL);
	}
	t_sleep_ms(T_RUN_MS);
	atomic_store(&stop, 1);
	for (i = 0; i < T_NTHREADS; i++)
		CHECK(t_thread_wait(t[i], H_HANG_MS));
	for (i = 0; i < T_NTHREADS; i++)
		t_thread_join(t[i]);
	/* Close what is left (already-closed slots give LS_EBADF). */
	for (i = 0; i < T_SLOTS; i++) {
		int rc = ls_close(atomic_load(&slots[i]));

		if (rc == 0)
			atomic_fetch_add(&closed_ok, 1);
		else
			CHECK_ERR(rc, LS_EBADF);
	}
	t_note("%d sockets created, %d closed", atomic_load(&created),
	       atomic_load(&closed_ok));
	CHECK_EQ_INT(atomic_load(&anomalies), 0);
	CHECK_GT_INT(atomic_load(&created), T_SLOTS);
	CHECK_EQ_INT(atomic_load(&closed_ok), atomic_load(&created));
}

/*
 * Close while sends are in flight, then reuse the descriptor at once: two
 * threads send on one end of a pair (non-blocking, in a loop) while the
 * main thread closes that end and opens a new pair, which a POSIX OS gives
 * the lowest free descriptors, the closed one included once it is really
 * closed. No stale send may ever reach the new pair. Each round starts new
 * threads, so threads exit and their hazard records are reused. The rounds
 * vary who holds the socket how (with LIBSOCK_ASYM_BARRIER the first
 * thread to make a call owns it and holds it by its hazard record, the
 * others by references): a sender owns it and the closing thread does not
 * (the close's barrier); the closing thread owns it (its close skips the
 * barrier, the senders' references keep the fd); the close races the
 * senders' first calls, which claim the owner while it closes.
 */
#define T_REUSE_ROUNDS 100

typedef struct reuse_round {
	ls_socket a;
	atomic_int sending; /* senders that made at least one attempt */
} reuse_round;

static void reuse_sender(void *p)
{
	reuse_round *r = p;
	int64_t rc;
	int first = 1;

	do {
		rc = ls_send(r->a, "X", 1, 0);
		if (first) {
			atomic_fetch_add(&r->sending, 1);
			first = 0;
		}
		if (rc < 0 && rc != LS_EAGAIN && rc != LS_EBADF && rc != LS_EPIPE)
			note_anomaly("send", rc);
	} while (rc != LS_EBADF);
}

static void reuse_one_round(int round)
{
	reuse_round r;
	ls_socket b, c[2];
	t_thread *t[2];
	char buf[64];
	int i;

	CHECK_OK(ls_socketpair(LS_AF_UNSPEC, LS_SOCK_STREAM, c));
	r.a = c[0];
	b = c[1];
	atomic_store(&r.sending, 0);
	CHECK_OK(ls_set_timeout(r.a, 0));
	if (round % 4 == 2) /* the closing thread owns the socket */
		CHECK(ls_send(r.a, "Y", 1, 0) == 1);
	for (i = 0; i < 2; i++)
		CHECK((t[i] = t_thread_start(reuse_sender, &r)) != NULL);
	while (round % 4 != 3 && atomic_load(&r.sending) < 2)
		;
	if (round % 4 == 1)
		t_sleep_ms(1);
	CHECK_OK(ls_close(r.a));
	CHECK_OK(ls_socketpair(LS_AF_UNSPEC, LS_SOCK_STREAM, c));
	CHECK_OK(ls_set_timeout(c[0], 0));
	CHECK_OK(ls_set_timeout(c[1], 0));
	for (i = 0; i < 2; i++) {
		CHECK(t_thread_wait(t[i], H_HANG_MS));
		t_thread_join(t[i]);
	}
	/* Nothing was sent on the new pair: both ends would block. */
	CHECK_ERR(ls_recv(c[0], buf, sizeof(buf), 0), LS_EAGAIN);
	CHECK_ERR(ls_recv(c[1], buf, sizeof(buf), 0), LS_EAGAIN);
	CHECK_OK(ls_close(c[0]));
	CHECK_OK(ls_close(c[1]));
	CHECK_OK(ls_close(b));
}

static void close_during_send_fd_reuse(void)
{
	int i;

	atomic_store(&anomalies, 0);
	for (i = 0; i < T_REUSE_ROUNDS; i++)
		reuse_one_round(i);
	CHECK_EQ_INT(atomic_load(&anomalies), 0);
}

/* Pairs opened and closed in a loop: handles and fds do not leak. */
static void open_close_loop(void)
{
	int i;
	int64_t end = t_now_ms() + H_HANG_MS;

	for (i = 0; i < 500 && t_now_ms() < end; i++) {
		ls_socket sp[2];

		CHECK_OK(ls_socketpair(LS_AF_UNSPEC, LS_SOCK_STREAM, sp));
		CHECK_OK(ls_close(sp[0]));
		CHECK_OK(ls_close(sp[1]));
	}
	CHECK_GE_INT(i, 50);
}

static const t_case cases[] = {
	TEST_CASE(many_connections),
	TEST_CASE(concurrent_close_and_use),
	TEST_CASE(close_during_send_fd_reuse),
	TEST_CASE(open_close_loop),
};

TEST_MAIN(cases)
