/*
 * test_poller_load.c - the poller under load: an echo server on one poller
 * thread with many clients sending checksummed data (nothing lost or
 * reordered), and an accept loop that runs out of descriptors and keeps
 * serving once they free up, without spinning. Registered once per backend,
 * as test_poller.c is (tests/CMakeLists.txt).
 */
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

/* --- an echo server on the poller ---------------------------------------- */

#define E_MAX_CONNS 64
#define E_BUF 16384

typedef struct e_conn {
	ls_socket sock;
	unsigned char buf[E_BUF];
	size_t len, off; /* bytes held, and how many of them are sent */
} e_conn;

typedef struct e_server {
	ls_poller *p;
	ls_socket listener;
	e_conn conns[E_MAX_CONNS];
	int expected; /* connections to serve before stopping */
	int closed;
	int64_t deadline;
} e_server;

static void e_accept(e_server *sv)
{
	ls_socket s;
	int i, rc;

	while ((rc = ls_accept(sv->listener, &s, NULL)) == 0) {
		for (i = 0; i < E_MAX_CONNS && sv->conns[i].sock != LS_INVALID_SOCKET; i++)
			;
		CHECK(i < E_MAX_CONNS);
		sv->conns[i].sock = s;
		sv->conns[i].len = sv->conns[i].off = 0;
		CHECK_OK(ls_set_timeout(s, 0));
		CHECK_OK(ls_poller_add(sv->p, s, LS_POLLIN, 0, (uint64_t)i + 1));
	}
	CHECK_ERR(rc, LS_EAGAIN);
}

static void e_close(e_server *sv, e_conn *c)
{
	CHECK_OK(ls_close(c->sock));
	c->sock = LS_INVALID_SOCKET;
	sv->closed++;
}

/* Send what is held; wait for room (LS_POLLOUT) when the OS buffer is full. */
static void e_flush(e_server *sv, e_conn *c, uint64_t user)
{
	int64_t n;

	while (c->off < c->len) {
		n = ls_send(c->sock, c->buf + c->off, c->len - c->off, 0);
		if (n == LS_EAGAIN) {
			CHECK_OK(ls_poller_mod(sv->p, c->sock, LS_POLLOUT, 0, user));
			return;
		}
		CHECK_GT_INT(n, 0);
		if (n <= 0)
			return;
		c->off += (size_t)n;
	}
	c->len = c->off = 0;
	CHECK_OK(ls_poller_mod(sv->p, c->sock, LS_POLLIN, 0, user));
}

static void e_handle(e_server *sv, const ls_event *ev)
{
	e_conn *c = &sv->conns[ev->user - 1];
	int64_t n;

	if (c->len > 0) {
		e_flush(sv, c, ev->user);
		return;
	}
	n = ls_recv(c->sock, c->buf, E_BUF, 0);
	if (n == LS_EAGAIN)
		return;
	if (n <= 0) {
		e_close(sv, c);
		return;
	}
	c->len = (size_t)n;
	e_flush(sv, c, ev->user);
}

static void e_serve(void *arg)
{
	e_server *sv = arg;
	ls_event ev[32];
	int n, i;

	while (sv->closed < sv->expected && t_now_ms() < sv->deadline) {
		n = ls_poller_wait(sv->p, ev, 32, 200);
		CHECK_GE_INT(n, 0);
		for (i = 0; i < n; i++) {
			if (ev[i].user == 0)
				e_accept(sv);
			else
				e_handle(sv, &ev[i]);
		}
	}
}

/* --- clients ------------------------------------------------------------ */

#define E_CLIENTS 16
#define E_BYTES (1024 * 1024)

typedef struct e_client {
	ls_addr server;
	unsigned seed;
	size_t echoed; /* bytes that came back intact */
	int ok;
} e_client;

static size_t e_next_chunk(unsigned *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return 1 + (*seed >> 8) % E_BUF;
}

/* Send the pattern in chunks of random size; each must come back intact. */
static void e_client_run(void *arg)
{
	e_client *cl = arg;
	unsigned char *out = malloc(E_BUF), *in = malloc(E_BUF);
	size_t pos = 0, len;
	ls_socket s;

	CHECK(out != NULL && in != NULL);
	CHECK_OK(ls_socket_create(&s, cl->server.family, LS_SOCK_STREAM, 0));
	CHECK_OK(ls_set_timeout(s, H_HANG_MS));
	CHECK_OK(ls_connect(s, &cl->server));
	while (pos < E_BYTES) {
		len = e_next_chunk(&cl->seed);
		if (len > E_BYTES - pos)
			len = E_BYTES - pos;
		/* The offset is per client, so crossed streams would show. */
		h_pattern(out, len, pos + cl->seed % 977);
		if (ls_sendall(s, out, len, 0, NULL) != 0 ||
		    ls_recv(s, in, len, LS_MSG_WAITALL) != (int64_t)len ||
		    memcmp(in, out, len) != 0)
			break;
		pos += len;
	}
	cl->echoed = pos;
	cl->ok = pos == E_BYTES;
	CHECK_OK(ls_close(s));
	free(out);
	free(in);
}

static void soak_echo(void)
{
	static e_server sv;
	static e_client cl[E_CLIENTS];
	t_thread *server, *clients[E_CLIENTS];
	ls_addr la;
	int i;

	memset(&sv, 0, sizeof(sv));
	for (i = 0; i < E_MAX_CONNS; i++)
		sv.conns[i].sock = LS_INVALID_SOCKET;
	CHECK_OK(ls_poller_create(&sv.p, 0));
	t_note("backend: %s", ls_poller_backend(sv.p));
	sv.listener = h_listener(LS_AF_INET, &la);
	CHECK_OK(ls_set_timeout(sv.listener, 0));
	CHECK_OK(ls_poller_add(sv.p, sv.listener, LS_POLLIN, 0, 0));
	sv.expected = E_CLIENTS;
	sv.deadline = t_now_ms() + 40000;
	server = t_thread_start(e_serve, &sv);
	CHECK(server != NULL);
	for (i = 0; i < E_CLIENTS; i++) {
		cl[i] = (e_client){ .server = la, .seed = 7919u * (unsigned)(i + 1) };
		clients[i] = t_thread_start(e_client_run, &cl[i]);
		CHECK(clients[i] != NULL);
	}
	for (i = 0; i < E_CLIENTS; i++)
		t_thread_join(clients[i]);
	t_thread_join(server);
	for (i = 0; i < E_CLIENTS; i++)
		CHECK_MSG(cl[i].ok, "client %d: %zu of %d bytes echoed intact", i, cl[i].echoed,
		          E_BYTES);
	CHECK_EQ_INT(sv.closed, E_CLIENTS);
	CHECK_OK(ls_close(sv.listener));
	ls_poller_destroy(sv.p);
}

/* --- running out of descriptors ------------------------------------------ */

#define R_CLIENTS 10
#define R_ROOM 3

/* Accept all that is pending; re-arm the listener unless out of descriptors. */
static void r_accept_all(ls_poller *p, ls_socket l, ls_socket *conn, int *nconn, int *emfile)
{
	int rc;

	while ((rc = ls_accept(l, &conn[*nconn], NULL)) == 0) {
		CHECK_OK(ls_poller_add(p, conn[*nconn], LS_POLLIN, 0, 1 + (uint64_t)*nconn));
		(*nconn)++;
	}
	if (rc == LS_EMFILE) {
		(*emfile)++;
		return; /* stays disarmed until a connection closes */
	}
	CHECK_ERR(rc, LS_EAGAIN);
	CHECK_OK(ls_poller_mod(p, l, LS_POLLIN, LS_POLLER_ONESHOT, 0));
}

/*
 * The accept loop a server on the poller should run: the listener is
 * one-shot, re-armed after every accept that worked and after every
 * connection it closes. When accept fails with LS_EMFILE the listener stays
 * disarmed, so the wait sleeps instead of reporting the same pending
 * connection forever; closing a connection frees a descriptor and re-arms.
 */
static void out_of_descriptors(void)
{
	ls_socket l, cl[R_CLIENTS], conn[R_CLIENTS + 1], probe; /* +1: the failed accept writes */
	ls_native highest;
	ls_poller *p;
	ls_event ev[8];
	ls_addr la;
	int served = 0, emfile = 0, waits = 0, nconn = 0, i, n;
	char buf[4];

	CHECK_OK(ls_poller_create(&p, 0));
	l = h_listener(LS_AF_INET, &la);
	CHECK_OK(ls_set_timeout(l, 0));
	for (i = 0; i < R_CLIENTS; i++) {
		CHECK_OK(ls_socket_create(&cl[i], LS_AF_INET, LS_SOCK_STREAM, 0));
		CHECK_OK(ls_connect(cl[i], &la));
		h_send_str(cl[i], "hi");
	}
	CHECK_OK(ls_socket_create(&probe, LS_AF_INET, LS_SOCK_STREAM, 0));
	CHECK_OK(ls_socket_native(probe, &highest));
	CHECK_OK(ls_close(probe));
	if (t_set_fd_limit((long)highest + R_ROOM) != 0)
		SKIP("this OS has no per-process descriptor limit to lower (RLIMIT_NOFILE)");
	CHECK_OK(ls_poller_add(p, l, LS_POLLIN, LS_POLLER_ONESHOT, 0));
	while (served < R_CLIENTS && waits < 200) {
		n = ls_poller_wait(p, ev, 8, H_HANG_MS);
		waits++;
		CHECK_GT_INT(n, 0);
		for (i = 0; i < n; i++) {
			if (ev[i].user == 0) {
				r_accept_all(p, l, conn, &nconn, &emfile);
				continue;
			}
			h_expect_str(conn[ev[i].user - 1], "hi");
			h_send_str(conn[ev[i].user - 1], "ok");
			CHECK_OK(ls_close(conn[ev[i].user - 1]));
			served++;
			CHECK_OK(ls_poller_mod(p, l, LS_POLLIN, LS_POLLER_ONESHOT, 0));
		}
	}
	t_note("served %d, accept hit LS_EMFILE %d times, %d waits", served, emfile, waits);
	CHECK_EQ_INT(served, R_CLIENTS);
	CHECK_GT_INT(emfile, 0);
	/* Each connection costs a few waits; spinning would cost thousands. */
	CHECK_LE_INT(waits, 4 * R_CLIENTS);
	for (i = 0; i < R_CLIENTS; i++) {
		CHECK_OK(ls_set_timeout(cl[i], H_HANG_MS));
		CHECK_EQ_INT(ls_recv(cl[i], buf, 2, LS_MSG_WAITALL), 2);
		CHECK(memcmp(buf, "ok", 2) == 0);
		CHECK_OK(ls_close(cl[i]));
	}
	CHECK_OK(ls_close(l));
	ls_poller_destroy(p);
}

static const t_case cases[] = {
	TEST_CASE(soak_echo),
	TEST_CASE(out_of_descriptors),
};

TEST_MAIN(cases)
