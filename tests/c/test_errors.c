/* test_errors.c - the error space: names, messages, resolver range, native codes. */
#include <limits.h>
#include <string.h>

#ifndef _WIN32
#include <errno.h>
#endif

#include "helpers.h"

/* WSAEADDRINUSE: the Winsock code for an address already in use. */
#define T_WSABASEERR (10 * 1000)
#define T_WSA_ADDRINUSE (T_WSABASEERR + 48)

typedef struct t_err {
	int value;
	const char *name;
	const char *msg;
} t_err;

#define T_ERR_ENTRY(name, value, msg) { LS_##name, "LS_" #name, msg },
static const t_err table[] = { LS_ERROR_MAP(T_ERR_ENTRY) };
#define T_NERR (sizeof(table) / sizeof(table[0]))

static void every_code_has_its_name(void)
{
	size_t i;

	CHECK(T_NERR >= 40);
	for (i = 0; i < T_NERR; i++) {
		CHECK(table[i].value < 0);
		CHECK_STR_EQ(ls_error_name(table[i].value), table[i].name);
	}
}

static void every_code_has_its_message(void)
{
	size_t i;

	for (i = 0; i < T_NERR; i++) {
		const char *m = ls_strerror(table[i].value);

		CHECK(m != NULL);
		CHECK_STR_EQ(m, table[i].msg);
		CHECK(strcmp(m, "unknown libsock error") != 0);
	}
}

static void names_and_messages_distinct(void)
{
	size_t i, j;

	for (i = 0; i < T_NERR; i++) {
		for (j = i + 1; j < T_NERR; j++) {
			CHECK_NE_INT(table[i].value, table[j].value);
			CHECK_MSG(strcmp(ls_error_name(table[i].value),
			                 ls_error_name(table[j].value)) != 0,
			          "same name for %d and %d", table[i].value,
			          table[j].value);
			CHECK_MSG(strcmp(ls_strerror(table[i].value),
			                 ls_strerror(table[j].value)) != 0,
			          "same message for %d and %d", table[i].value,
			          table[j].value);
		}
	}
}

static void fixed_numbers(void)
{
	/* The numbers are part of the ABI and never change. */
	CHECK_EQ_INT(LS_OK, 0);
	CHECK_EQ_INT(LS_EBADF, -1);
	CHECK_EQ_INT(LS_EINVAL, -2);
	CHECK_EQ_INT(LS_EAGAIN, -4);
	CHECK_EQ_INT(LS_ETIMEDOUT, -6);
	CHECK_EQ_INT(LS_ECONNREFUSED, -11);
	CHECK_EQ_INT(LS_ENOTSOCK, -33);
	CHECK_EQ_INT(LS_EEXIST, -34);
	CHECK_EQ_INT(LS_EPROTO, -35);
	CHECK_EQ_INT(LS_ENONAME, -40);
	CHECK_EQ_INT(LS_ENODATA, -47);
	CHECK_EQ_INT(LS_ETLS, -50);
	CHECK_EQ_INT(LS_ECERTUNTRUSTED, -51);
	CHECK_EQ_INT(LS_ECERTEXPIRED, -52);
	CHECK_EQ_INT(LS_ECERTNAME, -53);
	CHECK_EQ_INT(LS_ECERT, -54);
	CHECK_EQ_INT(LS_ETRUNCATED, -55);
	CHECK_EQ_INT(LS_EREADONLY, -56);
	CHECK_EQ_INT(LS_ETLS_FIRST, -50);
	CHECK_EQ_INT(LS_ETLS_LAST, -59);
	CHECK_EQ_INT(LS_EUNKNOWN, -99);
}

static void ok_name(void)
{
	CHECK_STR_EQ(ls_error_name(LS_OK), "LS_OK");
	CHECK(ls_strerror(LS_OK) != NULL);
	CHECK(strcmp(ls_strerror(LS_OK), "unknown libsock error") != 0);
	CHECK(!ls_error_is_resolver(LS_OK));
}

static void unknown_values(void)
{
	static const int unknown[] = { 1, 42, -36, -39, -48, -49, -57, -59, -60, -98,
		                       -100, -1000, INT_MIN, INT_MAX };
	size_t i;

	for (i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		CHECK_STR_EQ(ls_error_name(unknown[i]), "LS_E?");
		CHECK_STR_EQ(ls_strerror(unknown[i]), "unknown libsock error");
		CHECK(!ls_error_is_resolver(unknown[i]));
	}
}

static void resolver_range(void)
{
	size_t i;

	CHECK_EQ_INT(LS_ERESOLVER_FIRST, LS_ENONAME);
	CHECK_EQ_INT(LS_ERESOLVER_LAST, LS_ENODATA);
	CHECK(ls_error_is_resolver(LS_ENONAME));
	CHECK(ls_error_is_resolver(LS_EAI_AGAIN));
	CHECK(ls_error_is_resolver(LS_EAI_FAIL));
	CHECK(ls_error_is_resolver(LS_EAI_FAMILY));
	CHECK(ls_error_is_resolver(LS_EAI_SERVICE));
	CHECK(ls_error_is_resolver(LS_EAI_SOCKTYPE));
	CHECK(ls_error_is_resolver(LS_EAI_BADFLAGS));
	CHECK(ls_error_is_resolver(LS_ENODATA));
	for (i = 0; i < T_NERR; i++) {
		int v = table[i].value;
		int expect = v <= LS_ERESOLVER_FIRST && v >= LS_ERESOLVER_LAST;

		CHECK_MSG(!ls_error_is_resolver(v) == !expect,
		          "ls_error_is_resolver(%s) is %d", table[i].name,
		          ls_error_is_resolver(v));
	}
}

/* Two binds to one address: the second fails in the OS with EADDRINUSE. */
static int addr_in_use_failure(void)
{
	ls_addr a;
	ls_socket l = h_listener(LS_AF_INET, &a);
	ls_socket s;
	int err;

	CHECK_OK(ls_socket_create(&s, LS_AF_INET, LS_SOCK_STREAM, 0));
	err = ls_bind(s, &a);
	CHECK_ERR(err, LS_EADDRINUSE);
	CHECK_OK(ls_close(s));
	CHECK_OK(ls_close(l));
	return err;
}

static void native_error_after_os_failure(void)
{
	addr_in_use_failure();
	CHECK_NE_INT(ls_native_error(), 0);
#ifdef _WIN32
	CHECK_EQ_INT(ls_native_error(), T_WSA_ADDRINUSE);
#else
	CHECK_EQ_INT(ls_native_error(), EADDRINUSE);
#endif
}

static void native_error_kept_by_success(void)
{
	int native, family = 0;
	ls_socket s;

	addr_in_use_failure();
	native = ls_native_error();
	CHECK_NE_INT(native, 0);
	/* Successful calls do not reset it. */
	CHECK_OK(ls_socket_create(&s, LS_AF_INET, LS_SOCK_DGRAM, 0));
	CHECK_OK(ls_socket_info(s, &family, NULL, NULL));
	CHECK_EQ_INT(ls_native_error(), native);
	CHECK_OK(ls_close(s));
	CHECK_EQ_INT(ls_native_error(), native);
}

static void native_error_zero_for_library_failure(void)
{
	ls_socket s;

	addr_in_use_failure();
	CHECK_NE_INT(ls_native_error(), 0);
	/* A failure that is not the OS's: a NULL address. */
	CHECK_OK(ls_socket_create(&s, LS_AF_INET, LS_SOCK_STREAM, 0));
	CHECK_ERR(ls_bind(s, NULL), LS_EINVAL);
	CHECK_EQ_INT(ls_native_error(), 0);
	CHECK_OK(ls_close(s));
	/* A closed handle is detected by libsock, not the OS. */
	addr_in_use_failure();
	CHECK_ERR(ls_close(s), LS_EBADF);
	CHECK_EQ_INT(ls_native_error(), 0);
}

typedef struct native_thread_arg {
	int err;
	int native;
} native_thread_arg;

static void native_thread(void *p)
{
	native_thread_arg *arg = p;
	ls_socket s;
	ls_addr a;

	/* 192.0.2.1 (TEST-NET-1) is not a local address: bind fails, no traffic. */
	CHECK_OK(ls_addr_parse(&a, "192.0.2.1"));
	CHECK_OK(ls_socket_create(&s, LS_AF_INET, LS_SOCK_STREAM, 0));
	arg->err = ls_bind(s, &a);
	arg->native = ls_native_error();
	ls_close(s);
}

static void native_error_per_thread(void)
{
	native_thread_arg arg = { 0, 0 };
	t_thread *t;
	int native;

	addr_in_use_failure();
	native = ls_native_error();
	CHECK_NE_INT(native, 0);
	t = t_thread_start(native_thread, &arg);
	CHECK(t != NULL);
	t_thread_join(t);
	CHECK_ERR(arg.err, LS_EADDRNOTAVAIL);
	CHECK_NE_INT(arg.native, 0);
	CHECK_NE_INT(arg.native, native);
	/* The other thread's failure did not touch this thread's code. */
	CHECK_EQ_INT(ls_native_error(), native);
}

static const t_case cases[] = {
	TEST_CASE(every_code_has_its_name),
	TEST_CASE(every_code_has_its_message),
	TEST_CASE(names_and_messages_distinct),
	TEST_CASE(fixed_numbers),
	TEST_CASE(ok_name),
	TEST_CASE(unknown_values),
	TEST_CASE(resolver_range),
	TEST_CASE(native_error_after_os_failure),
	TEST_CASE(native_error_kept_by_success),
	TEST_CASE(native_error_zero_for_library_failure),
	TEST_CASE(native_error_per_thread),
};

TEST_MAIN(cases)
