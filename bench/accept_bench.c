/*
 * accept_bench.c - what access rules cost an accept loop: connections
 * accepted per second through a listener with 1 000 rules that match
 * nobody (every other /24 of 10.0.0.0/8, so no two can be joined) against
 * the same listener without rules, in the same run.
 *
 * One run: a client thread (pinned to CPU 1 where affinity exists) opens
 * CONNS connections to a loopback listener, one after another, each closed
 * once accepted; the accepting thread (CPU 0) accepts and closes them. The
 * figure is accepts per second. Rounds alternate the order of the two
 * kinds; the ratio printed is the median of the per-round ratios.
 *
 * Lines:
 *   accept_acl1000_kernel libsock=<acl> none=<no rules> ratio=<acl/none>
 *   accept_acl1000_after  libsock=<acl> none=<no rules> ratio=<acl/none>
 * "kernel" is the enforcement the OS gives (a BPF filter on Linux); "after"
 * forces the check after accept (LS_ACL_AFTER_ACCEPT).
 */
#define _GNU_SOURCE

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libsock.h>

#define MAX_ROUNDS 31

static struct {
	int rounds;
	int conns;
} cfg = { 9, 3000 };

typedef struct client {
	ls_addr to;
	int n;
} client;

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
	(void)pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static void die(const char *what, int rc)
{
	fprintf(stderr, "accept_bench: %s: %s\n", what, ls_strerror(rc));
	exit(1);
}

static void *connector(void *arg)
{
	client *c = arg;
	ls_socket s;
	char b;
	int i, rc;

	pin(1);
	for (i = 0; i < c->n; i++) {
		if ((rc = ls_socket_create(&s, LS_AF_INET, LS_SOCK_STREAM, 0)) != 0 ||
		    (rc = ls_connect(s, &c->to)) != 0)
			die("connect", rc);
		/* Wait for the server's close, so connections never pile up. */
		ls_recv(s, &b, 1, 0);
		ls_close(s);
	}
	return NULL;
}

static ls_acl *rules_1000(void)
{
	char cidr[32];
	ls_acl *acl;
	int i;

	if (ls_acl_new(&acl, LS_ACL_ALLOW) != 0)
		die("ls_acl_new", LS_ENOMEM);
	/* Every other /24: the ranges cannot be joined, so nothing is cheaper than 1 000 rules. */
	for (i = 0; i < 1000; i++) {
		snprintf(cidr, sizeof(cidr), "10.%d.%d.0/24", (2 * i) / 256, (2 * i) % 256);
		ls_acl_add(acl, cidr, LS_ACL_DENY);
	}
	return acl;
}

/* Accepts per second with the given rules (NULL: none). */
static double one_run(const ls_acl *acl, int flags)
{
	client c = { .n = cfg.conns };
	ls_socket l, s;
	ls_addr a;
	pthread_t t;
	double t0;
	int i, rc;

	ls_addr_parse(&a, "127.0.0.1:0");
	if ((rc = ls_socket_create(&l, LS_AF_INET, LS_SOCK_STREAM, 0)) != 0 ||
	    (rc = ls_bind(l, &a)) != 0 || (rc = ls_listen(l, 128)) != 0)
		die("listen", rc);
	if (acl != NULL && (rc = ls_listener_set_acl(l, acl, flags)) != 0)
		die("ls_listener_set_acl", rc);
	ls_getsockname(l, &c.to);
	pin(0);
	t0 = now_s();
	if (pthread_create(&t, NULL, connector, &c) != 0)
		die("pthread_create", LS_ENOMEM);
	for (i = 0; i < cfg.conns; i++) {
		if ((rc = ls_accept(l, &s, NULL)) != 0)
			die("accept", rc);
		ls_close(s);
	}
	pthread_join(t, NULL);
	t0 = now_s() - t0;
	ls_close(l);
	return cfg.conns / t0;
}

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

static void compare(const char *name, const ls_acl *acl, int flags)
{
	double with[MAX_ROUNDS], without[MAX_ROUNDS], ratio[MAX_ROUNDS];
	int i;

	for (i = 0; i < cfg.rounds; i++) {
		if (i % 2 == 0) {
			with[i] = one_run(acl, flags);
			without[i] = one_run(NULL, 0);
		} else {
			without[i] = one_run(NULL, 0);
			with[i] = one_run(acl, flags);
		}
		ratio[i] = with[i] / without[i];
	}
	printf("%s libsock=%.0f none=%.0f ratio=%.3f\n", name, median(with, cfg.rounds),
	       median(without, cfg.rounds), median(ratio, cfg.rounds));
	fflush(stdout);
}

int main(int argc, char **argv)
{
	ls_acl *acl;

	if (argc > 1 && strcmp(argv[1], "--quick") == 0) {
		cfg.rounds = 1;
		cfg.conns = 300;
	} else if (argc > 1) {
		fprintf(stderr, "usage: accept_bench [--quick]\n");
		return 2;
	}
	acl = rules_1000();
	{
		ls_socket l;

		ls_socket_create(&l, LS_AF_INET, LS_SOCK_STREAM, 0);
		ls_listener_set_acl(l, acl, 0);
		printf("# enforcement with 1 000 rules: %s\n",
		       ls_listener_acl_enforcement(l) == LS_ACL_KERNEL ? "kernel filter" : "after accept");
		ls_close(l);
	}
	compare("accept_acl1000_kernel", acl, 0);
	compare("accept_acl1000_after", acl, LS_ACL_AFTER_ACCEPT);
	ls_acl_free(acl);
	return 0;
}
