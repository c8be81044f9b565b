/*
 * test_init.c - ls_init()/ls_cleanup() reference counting and automatic
 * initialisation. Every case runs in its own process under ctest, so
 * auto_init_* really start from an uninitialised library.
 */
#include <stdatomic.h>

#include "helpers.h"

/* Creating a socket (and using it) works without ls_init(). */
static void auto_init_socket(void)
{
	ls_socket c, s;

	CHECK_OK(ls_socket_create(&c, LS_AF_INET, LS_SOCK_STREAM, 0));
	CHECK(c != LS_INVALID_SOCKET);
	CHECK_OK(ls_close(c));
	h_tcp_pair(LS_AF_INET, &c, &s);
	h_send_str(c, "auto");
	h_expect_str(s, "auto");
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
}

/* Resolving a name works without ls_init(). */
static void auto_init_resolve(void)
{
	ls_addrinfo *ai = NULL;
	ls_addrinfo_hints hints = { LS_AF_INET, LS_SOCK_STREAM, 0, LS_AI_NUMERICHOST };

	CHECK_OK(ls_getaddrinfo("127.0.0.1", "80", &hints, &ai));
	CHECK(ai != NULL);
	CHECK_EQ_INT(ai->addr.family, LS_AF_INET);
	CHECK_EQ_INT(ls_addr_port(&ai->addr), 80);
	ls_freeaddrinfo(ai);
}

/* The automatic reference survives a later, balanced init/cleanup. */
static void auto_init_then_cleanup(void)
{
	ls_socket c, s;

	h_tcp_pair(LS_AF_INET, &c, &s);
	CHECK_OK(ls_init());
	ls_cleanup();
	ls_cleanup(); /* extra: must not drop the automatic reference */
	h_send_str(c, "still");
	h_expect_str(s, "still");
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
}

static void init_cleanup_refcount(void)
{
	ls_socket c, s;

	CHECK_OK(ls_init());
	CHECK_OK(ls_init());
	ls_cleanup();
	/* One reference is left: sockets work. */
	h_tcp_pair(LS_AF_INET, &c, &s);
	ls_cleanup();
	/* Open sockets keep working (the automatic reference holds). */
	h_send_str(c, "x");
	h_expect_str(s, "x");
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
	/* Init again after the count went to zero. */
	CHECK_OK(ls_init());
	h_tcp_pair(LS_AF_INET, &c, &s);
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
	ls_cleanup();
}

static void extra_cleanup_harmless(void)
{
	ls_socket c, s;
	int i;

	/* Before any init at all. */
	ls_cleanup();
	ls_cleanup();
	CHECK_OK(ls_init());
	ls_cleanup();
	for (i = 0; i < 10; i++)
		ls_cleanup();
	/* The next init is a fresh, working one. */
	CHECK_OK(ls_init());
	h_tcp_pair(LS_AF_INET, &c, &s);
	h_send_str(s, "ok");
	h_expect_str(c, "ok");
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
	ls_cleanup();
}

#define T_INIT_THREADS 8
#define T_INIT_ROUNDS 200

static atomic_int init_failures;
static atomic_int init_go;

static void init_thread(void *p)
{
	int i;

	(void)p;
	while (!atomic_load(&init_go))
		;
	for (i = 0; i < T_INIT_ROUNDS; i++) {
		ls_socket s;
		int err = ls_init();

		if (err != 0) {
			atomic_fetch_add(&init_failures, 1);
			continue;
		}
		/* Between init and cleanup the library must be usable. */
		if ((i % 20) == 0) {
			err = ls_socket_create(&s, LS_AF_INET, LS_SOCK_DGRAM, 0);
			if (err == 0)
				err = ls_close(s);
			if (err != 0)
				atomic_fetch_add(&init_failures, 1);
		}
		ls_cleanup();
	}
}

static void init_concurrent(void)
{
	t_thread *t[T_INIT_THREADS];
	ls_socket c, s;
	int i;

	atomic_store(&init_failures, 0);
	atomic_store(&init_go, 0);
	for (i = 0; i < T_INIT_THREADS; i++) {
		t[i] = t_thread_start(init_thread, NULL);
		CHECK(t[i] != NULL);
	}
	atomic_store(&init_go, 1);
	for (i = 0; i < T_INIT_THREADS; i++)
		t_thread_join(t[i]);
	CHECK_EQ_INT(atomic_load(&init_failures), 0);
	/* Balanced: the library still works (automatic init again if needed). */
	h_tcp_pair(LS_AF_INET, &c, &s);
	h_send_str(c, "after");
	h_expect_str(s, "after");
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
}

static const t_case cases[] = {
	TEST_CASE(auto_init_socket),
	TEST_CASE(auto_init_resolve),
	TEST_CASE(auto_init_then_cleanup),
	TEST_CASE(init_cleanup_refcount),
	TEST_CASE(extra_cleanup_harmless),
	TEST_CASE(init_concurrent),
};

TEST_MAIN(cases)
