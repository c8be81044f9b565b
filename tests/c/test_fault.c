/*
 * test_fault.c - error paths forced with lsi_plat_inject_fault(): EINTR is
 * retried, would-block goes back to waiting, OS errors surface translated
 * with the native code kept. Native codes are errno values on POSIX and
 * Winsock codes on Windows.
 */
#include <string.h>

#include "helpers.h"
#include "platform.h"

#ifdef _WIN32
#define T_WSABASEERR (10 * 1000)
#define N_EINTR (T_WSABASEERR + 4)
#define N_EMFILE (T_WSABASEERR + 24)
#define N_EAGAIN (T_WSABASEERR + 35)
#define N_ENOPROTOOPT (T_WSABASEERR + 42)
#define N_EADDRINUSE (T_WSABASEERR + 48)
#define N_ENOBUFS (T_WSABASEERR + 55)
#define N_ECONNRESET (T_WSABASEERR + 54)
#define N_ECONNREFUSED (T_WSABASEERR + 61)
#else
#include <errno.h>
#define N_EINTR EINTR
#define N_EMFILE EMFILE
#define N_EAGAIN EAGAIN
#define N_ENOPROTOOPT ENOPROTOOPT
#define N_EADDRINUSE EADDRINUSE
#define N_ENOBUFS ENOBUFS
#define N_ECONNRESET ECONNRESET
#define N_ECONNREFUSED ECONNREFUSED
#endif
/* A code no OS uses for sockets. */
#define N_BOGUS 3999

static void inject(const char *call, int code, int times)
{
	CHECK_OK(lsi_plat_inject_fault(call, code, times));
}

static void inject_names(void)
{
	static const char *names[] = { "socket", "bind", "listen", "accept",
		                       "connect", "send", "recv", "poll",
		                       "setsockopt", "getsockopt", "close" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		CHECK_OK(lsi_plat_inject_fault(names[i], N_EINTR, 1));
		CHECK_OK(lsi_plat_inject_fault(names[i], N_EINTR, 0));
	}
	CHECK_ERR(lsi_plat_inject_fault("no_such_call", N_EINTR, 1), LS_EINVAL);
	CHECK_ERR(lsi_plat_inject_fault("", N_EINTR, 1), LS_EINVAL);
}

static void times_zero_clears(void)
{
	ls_socket c, s;

	h_tcp_pair(LS_AF_INET, &c, &s);
	inject("send", N_ECONNRESET, 5);
	inject("send", N_ECONNRESET, 0);
	CHECK_EQ_INT(ls_send(c, "ok", 2, 0), 2);
	h_expect_str(s, "ok");
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
}

static void times_counted(void)
{
	ls_socket c, s;

	h_tcp_pair(LS_AF_INET, &c, &s);
	inject("send", N_ECONNRESET, 2);
	CHECK_ERR(ls_send(c, "a", 1, 0), LS_ECONNRESET);
	CHECK_ERR(ls_send(c, "b", 1, 0), LS_ECONNRESET);
	CHECK_EQ_INT(ls_send(c, "c", 1, 0), 1);
	h_expect_str(s, "c");
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
}

static void recv_eintr_retried(int64_t tmo)
{
	ls_socket c, s;
	char buf[8] = { 0 };

	h_tcp_pair(LS_AF_INET, &c, &s);
	CHECK_OK(ls_set_timeout(s, tmo));
	h_send_str(c, "data");
	t_sleep_ms(20);
	inject("recv", N_EINTR, 3);
	CHECK_EQ_INT(ls_recv(s, buf, 4, LS_MSG_WAITALL), 4);
	CHECK(memcmp(buf, "data", 4) == 0);
	inject("recv", 0, 0);
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
}

static void recv_eintr_retried_blocking(void)
{
	recv_eintr_retried(LS_TIMEOUT_BLOCK);
}

static void recv_eintr_retried_timeout(void)
{
	recv_eintr_retried(H_HANG_MS);
}

static void recv_eintr_interruptible(void)
{
	ls_socket c, s;
	char buf[8] = { 0 };

	h_tcp_pair(LS_AF_INET, &c, &s);
	CHECK_OK(ls_set_interruptible(s, 1));
	h_send_str(c, "data");
	inject("recv", N_EINTR, 1);
	CHECK_ERR(ls_recv(s, buf, sizeof(buf), 0), LS_EINTR);
	CHECK_EQ_INT(ls_native_error(), N_EINTR);
	/* The data is still there for the next call. */
	h_expect_str(s, "data");
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
}

static void send_reset(void)
{
	ls_socket c, s;
	size_t sent = 99;

	h_tcp_pair(LS_AF_INET, &c, &s);
	inject("send", N_ECONNRESET, 1);
	CHECK_ERR(ls_send(c, "x", 1, 0), LS_ECONNRESET);
	CHECK_EQ_INT(ls_native_error(), N_ECONNRESET);
	inject("send", N_ECONNRESET, 1);
	CHECK_ERR(ls_sendall(c, "xyz", 3, 0, &sent), LS_ECONNRESET);
	CHECK_EQ_U64(sent, 0);
	CHECK_EQ_INT(ls_native_error(), N_ECONNRESET);
	/* With a timeout: the error is reported at once, not waited on. */
	CHECK_OK(ls_set_timeout(c, H_HANG_MS));
	inject("send", N_ECONNRESET, 1);
	CHECK_ERR(ls_send(c, "x", 1, 0), LS_ECONNRESET);
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
}

static void recv_reset_with_timeout(void)
{
	ls_socket c, s;
	char buf[4];
	int64_t t0;

	h_tcp_pair(LS_AF_INET, &c, &s);
	CHECK_OK(ls_set_timeout(s, H_HANG_MS));
	inject("recv", N_ECONNRESET, 1);
	t0 = t_now_ms();
	CHECK_ERR(ls_recv(s, buf, sizeof(buf), 0), LS_ECONNRESET);
	CHECK_LT_INT(t_now_ms() - t0, H_HANG_MS);
	CHECK_EQ_INT(ls_native_error(), N_ECONNRESET);
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
}

static void socket_emfile(void)
{
	ls_socket s = LS_INVALID_SOCKET;

	inject("socket", N_EMFILE, 1);
	CHECK_ERR(ls_socket_create(&s, LS_AF_INET, LS_SOCK_STREAM, 0), LS_EMFILE);
	CHECK_EQ_INT(ls_native_error(), N_EMFILE);
	CHECK_OK(ls_socket_create(&s, LS_AF_INET, LS_SOCK_STREAM, 0));
	CHECK_OK(ls_close(s));
}

static void accept_wouldblock_waits(int64_t tmo)
{
	ls_addr la;
	ls_socket l = h_listener(LS_AF_INET, &la), c, s;

	CHECK_OK(ls_set_timeout(l, tmo));
	CHECK_OK(ls_socket_create(&c, LS_AF_INET, LS_SOCK_STREAM, 0));
	CHECK_OK(ls_connect(c, &la));
	/* A spurious would-block: the call goes back to waiting. */
	inject("accept", N_EAGAIN, 1);
	CHECK_OK(ls_accept(l, &s, NULL));
	h_send_str(c, "got");
	h_expect_str(s, "got");
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
	CHECK_OK(ls_close(l));
}

static void accept_wouldblock_timeout(void)
{
	accept_wouldblock_waits(H_HANG_MS);
}

static void accept_wouldblock_blocking(void)
{
	accept_wouldblock_waits(LS_TIMEOUT_BLOCK);
}

static void accept_wouldblock_nonblocking(void)
{
	ls_addr la;
	ls_socket l = h_listener(LS_AF_INET, &la), c, s;
	ls_pollfd p;

	CHECK_OK(ls_set_timeout(l, 0));
	CHECK_OK(ls_socket_create(&c, LS_AF_INET, LS_SOCK_STREAM, 0));
	CHECK_OK(ls_connect(c, &la));
	h_set_pollfd(&p, l, LS_POLLIN);
	CHECK_EQ_INT(ls_poll(&p, 1, H_HANG_MS), 1);
	inject("accept", N_EAGAIN, 1);
	CHECK_ERR(ls_accept(l, &s, NULL), LS_EAGAIN);
	CHECK_OK(ls_accept(l, &s, NULL));
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
	CHECK_OK(ls_close(l));
}

static void accept_emfile_reported(void)
{
	ls_addr la;
	ls_socket l = h_listener(LS_AF_INET, &la), c, s;

	CHECK_OK(ls_set_timeout(l, H_HANG_MS));
	CHECK_OK(ls_socket_create(&c, LS_AF_INET, LS_SOCK_STREAM, 0));
	CHECK_OK(ls_connect(c, &la));
	inject("accept", N_EMFILE, 1);
	CHECK_ERR(ls_accept(l, &s, NULL), LS_EMFILE);
	CHECK_EQ_INT(ls_native_error(), N_EMFILE);
	/* The connection is still pending; the next accept gets it. */
	CHECK_OK(ls_accept(l, &s, NULL));
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
	CHECK_OK(ls_close(l));
}

static void connect_and_bind_errors(void)
{
	ls_addr la;
	ls_socket l = h_listener(LS_AF_INET, &la), c;
	ls_addr any = h_loopback(LS_AF_INET, 0);

	CHECK_OK(ls_socket_create(&c, LS_AF_INET, LS_SOCK_STREAM, 0));
	inject("connect", N_ECONNREFUSED, 1);
	CHECK_ERR(ls_connect(c, &la), LS_ECONNREFUSED);
	CHECK_EQ_INT(ls_native_error(), N_ECONNREFUSED);
	CHECK_OK(ls_close(c));

	CHECK_OK(ls_socket_create(&c, LS_AF_INET, LS_SOCK_STREAM, 0));
	inject("bind", N_EADDRINUSE, 1);
	CHECK_ERR(ls_bind(c, &any), LS_EADDRINUSE);
	CHECK_EQ_INT(ls_native_error(), N_EADDRINUSE);
	CHECK_OK(ls_bind(c, &any));
	inject("listen", N_ENOBUFS, 1);
	CHECK_ERR(ls_listen(c, 0), LS_ENOBUFS);
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(l));
}

typedef struct later {
	ls_socket s;
} later;

static void later_thread(void *p)
{
	later *lt = p;

	t_sleep_ms(100);
	CHECK_OK(ls_send(lt->s, "late", 4, 0));
}

static void poll_eintr_retried(void)
{
	ls_socket c, s;
	later lt;
	t_thread *t;
	char buf[8] = { 0 };

	h_tcp_pair(LS_AF_INET, &c, &s);
	CHECK_OK(ls_set_timeout(s, H_HANG_MS));
	lt.s = c;
	/* recv would block, so it polls; that poll is interrupted once. */
	inject("poll", N_EINTR, 1);
	t = t_thread_start(later_thread, &lt);
	CHECK(t != NULL);
	CHECK_EQ_INT(ls_recv(s, buf, 4, LS_MSG_WAITALL), 4);
	CHECK(memcmp(buf, "late", 4) == 0);
	t_thread_join(t);
	inject("poll", 0, 0);
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
}

static void option_errors(void)
{
	ls_socket s;
	int v;

	CHECK_OK(ls_socket_create(&s, LS_AF_INET, LS_SOCK_STREAM, 0));
	inject("setsockopt", N_ENOPROTOOPT, 1);
	CHECK_ERR(ls_setopt(s, LS_OPT_KEEPALIVE, 1), LS_ENOPROTOOPT);
	CHECK_EQ_INT(ls_native_error(), N_ENOPROTOOPT);
	inject("getsockopt", N_ENOBUFS, 1);
	CHECK_ERR(ls_getopt(s, LS_OPT_KEEPALIVE, &v), LS_ENOBUFS);
	CHECK_EQ_INT(ls_native_error(), N_ENOBUFS);
	/* Nothing stuck: both work again. */
	CHECK_OK(ls_setopt(s, LS_OPT_KEEPALIVE, 1));
	CHECK_OK(ls_getopt(s, LS_OPT_KEEPALIVE, &v));
	CHECK_EQ_INT(v, 1);
	CHECK_OK(ls_close(s));
}

static void unknown_native_code(void)
{
	ls_socket c, s;

	h_tcp_pair(LS_AF_INET, &c, &s);
	inject("send", N_BOGUS, 1);
	CHECK_ERR(ls_send(c, "x", 1, 0), LS_EUNKNOWN);
	CHECK_EQ_INT(ls_native_error(), N_BOGUS);
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
}

static void close_failure_still_closes(void)
{
	ls_socket s;
	int err;

	CHECK_OK(ls_socket_create(&s, LS_AF_INET, LS_SOCK_STREAM, 0));
	inject("close", N_EINTR, 1);
	err = ls_close(s);
	CHECK_MSG(err == 0 || err == LS_EINTR, "close gave %s", ls_error_name(err));
	/* Never retried, and the handle is gone either way. */
	CHECK_ERR(ls_close(s), LS_EBADF);
	CHECK_ERR(ls_listen(s, 0), LS_EBADF);
	inject("close", 0, 0);
}

/* The OS close's error reaches ls_close's caller when it was the last user. */
static void close_reports_os_error(void)
{
	ls_native raw;
	ls_socket s;
	int err;

	CHECK_OK(ls_init()); /* Windows: WSAStartup before the raw socket */
	raw = t_raw_inheritable_tcp();
	CHECK(raw != LS_NATIVE_INVALID);
	CHECK_OK(ls_socket_adopt(&s, raw));
	/* Closed behind libsock's back: nothing else opens descriptors meanwhile. */
	t_native_close(raw);
	err = ls_close(s);
	CHECK_MSG(err == LS_EBADF || err == LS_ENOTSOCK, "close gave %s", ls_error_name(err));
	CHECK_ERR(ls_close(s), LS_EBADF);
	ls_cleanup();
}

static const t_case cases[] = {
	TEST_CASE(inject_names),
	TEST_CASE(times_zero_clears),
	TEST_CASE(times_counted),
	TEST_CASE(recv_eintr_retried_blocking),
	TEST_CASE(recv_eintr_retried_timeout),
	TEST_CASE(recv_eintr_interruptible),
	TEST_CASE(send_reset),
	TEST_CASE(recv_reset_with_timeout),
	TEST_CASE(socket_emfile),
	TEST_CASE(accept_wouldblock_timeout),
	TEST_CASE(accept_wouldblock_blocking),
	TEST_CASE(accept_wouldblock_nonblocking),
	TEST_CASE(accept_emfile_reported),
	TEST_CASE(connect_and_bind_errors),
	TEST_CASE(poll_eintr_retried),
	TEST_CASE(option_errors),
	TEST_CASE(unknown_native_code),
	TEST_CASE(close_failure_still_closes),
	TEST_CASE(close_reports_os_error),
};

TEST_MAIN(cases)
