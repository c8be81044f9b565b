/* test_stats.c - monitoring: counters, process totals, the socket registry, exports, TCP statistics. */
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "helpers.h"

static ls_sockinfo st_info(ls_socket s)
{
	ls_sockinfo si;

	CHECK_OK(ls_socket_stats(s, &si));
	return si;
}

static void counters_per_socket(void)
{
	ls_socket c, s;
	ls_sockinfo si;
	char buf[128];
	int64_t t0;

	h_tcp_pair(LS_AF_INET, &c, &s);
	t0 = (int64_t)time(NULL) * 1000;
	memset(buf, 'x', sizeof(buf));
	CHECK_EQ_INT(ls_send(c, buf, 40, 0), 40);
	CHECK_EQ_INT(ls_send(c, buf, 60, 0), 60);
	CHECK_OK(ls_sendall(c, buf, 28, 0, NULL));
	h_recv_exact(s, buf, 128);
	si = st_info(c);
	CHECK_EQ_U64(si.bytes_sent, 128);
	CHECK_EQ_U64(si.sends, 3);
	CHECK_EQ_U64(si.bytes_received, 0);
	CHECK_EQ_INT(si.state, LS_STATE_CONNECTED);
	CHECK_EQ_INT(si.type, LS_SOCK_STREAM);
	/* Wall-clock times: created and last active around now. */
	CHECK_GE_INT(si.created_ms, t0 - 5000);
	CHECK_LE_INT(si.created_ms, t0 + 5000);
	CHECK_GE_INT(si.last_activity_ms, si.created_ms - 100);
	si = st_info(s);
	CHECK_EQ_U64(si.bytes_received, 128);
	CHECK_GE_INT(si.receives, 1);
	/* A would-block is not an error; a reset is. */
	CHECK_ERR(ls_recv(s, buf, 1, LS_MSG_DONTWAIT), LS_EAGAIN);
	CHECK_EQ_U64(st_info(s).errors, 0);
	CHECK_OK(ls_abort(c));
	CHECK_OK(ls_set_timeout(s, H_HANG_MS));
	if (ls_recv(s, buf, 1, 0) < 0)
		CHECK_EQ_U64(st_info(s).errors, 1);
	CHECK_OK(ls_close(s));
}

/*
 * The last activity is kept to the second (the cheapest clock every call can
 * afford): the start of the second of the last send or receive, or the
 * creation time when that came later in the same second. A call in a later
 * second moves it on; none is ever shown before the creation or in the future.
 */
static void last_activity_to_the_second(void)
{
	ls_socket pair[2], a, b;
	ls_sockinfo si;
	char c = 'x';
	int64_t first, before, after;

	CHECK_OK(ls_socketpair(LS_AF_INET, LS_SOCK_STREAM, pair));
	a = pair[0];
	b = pair[1];
	CHECK_EQ_INT(st_info(a).last_activity_ms, 0);
	CHECK_EQ_INT(ls_send(a, &c, 1, 0), 1);
	si = st_info(a);
	first = si.last_activity_ms;
	CHECK_GE_INT(first, si.created_ms);
	CHECK_MSG(first == si.created_ms || first % 1000 == 0,
	          "last activity %lld is neither the creation %lld nor a whole second",
	          (long long)first, (long long)si.created_ms);
	/* The next send happens at least one second boundary later. */
	t_sleep_ms(1100);
	before = (int64_t)time(NULL) * 1000;
	CHECK_EQ_INT(ls_recv(b, &c, 1, 0), 1);
	CHECK_EQ_INT(ls_send(a, &c, 1, 0), 1);
	after = (int64_t)time(NULL) * 1000;
	si = st_info(a);
	CHECK_GT_INT(si.last_activity_ms, first);
	CHECK_EQ_INT(si.last_activity_ms % 1000, 0);
	CHECK_GE_INT(si.last_activity_ms, before);
	CHECK_LE_INT(si.last_activity_ms, after);
	/* The receiving end counts its receive as its own activity. */
	CHECK_GE_INT(st_info(b).last_activity_ms, before);
	CHECK_OK(ls_close(a));
	CHECK_OK(ls_close(b));
}

static void process_totals(void)
{
	ls_stats a, b;
	ls_addr la;
	ls_socket l, c, s;
	char buf[64] = "0123456789";

	CHECK_OK(ls_stats_get(&a));
	l = h_listener(LS_AF_INET, &la);
	CHECK_OK(ls_socket_create(&c, LS_AF_INET, LS_SOCK_STREAM, 0));
	CHECK_OK(ls_connect(c, &la));
	CHECK_OK(ls_accept(l, &s, NULL));
	CHECK_EQ_INT(ls_send(c, buf, 10, 0), 10);
	h_recv_exact(s, buf, 10);
	CHECK_OK(ls_stats_get(&b));
	CHECK_EQ_U64(b.opened_total - a.opened_total, 3);
	CHECK_EQ_U64(b.sockets_open - a.sockets_open, 3);
	CHECK_EQ_U64(b.accepted_total - a.accepted_total, 1);
	CHECK_EQ_U64(b.bytes_sent_total - a.bytes_sent_total, 10);
	CHECK_EQ_U64(b.bytes_received_total - a.bytes_received_total, 10);
	/* Closed sockets leave their bytes in the totals. */
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
	CHECK_OK(ls_close(l));
	CHECK_OK(ls_stats_get(&b));
	CHECK_EQ_U64(b.closed_total - a.closed_total, 3);
	CHECK_EQ_U64(b.sockets_open, a.sockets_open);
	CHECK_EQ_U64(b.bytes_sent_total - a.bytes_sent_total, 10);
	CHECK_EQ_U64(b.bytes_received_total - a.bytes_received_total, 10);
	CHECK_ERR(ls_stats_get(NULL), LS_EINVAL);
}

static void registry_snapshot(void)
{
	ls_addr la, ua;
	ls_socket l = h_listener(LS_AF_INET, &la), u = h_udp(LS_AF_INET, &ua), fresh;
	ls_sockinfo *all;
	size_t n, i, found = 0;
	char longname[100];

	CHECK_OK(ls_socket_create(&fresh, LS_AF_INET, LS_SOCK_STREAM, 0));
	CHECK_OK(ls_socket_set_name(l, "web listener"));
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	CHECK_OK(ls_socket_set_name(u, longname));
	CHECK_OK(ls_sockets_snapshot(NULL, 0, &n));
	CHECK_GE_INT(n, 3);
	all = calloc(n + 8, sizeof(*all));
	CHECK(all != NULL);
	CHECK_OK(ls_sockets_snapshot(all, n + 8, &n));
	for (i = 0; i < n; i++) {
		if (all[i].sock == l) {
			found++;
			CHECK_STR_EQ(all[i].name, "web listener");
			CHECK_EQ_INT(all[i].state, LS_STATE_LISTENING);
			CHECK(ls_addr_equal(&all[i].local, &la));
			CHECK_EQ_INT(all[i].peer.family, LS_AF_UNSPEC);
		} else if (all[i].sock == u) {
			found++;
			CHECK_EQ_U64(strlen(all[i].name), LS_NAME_MAX - 1);
			CHECK_EQ_INT(all[i].state, LS_STATE_BOUND);
			CHECK_EQ_INT(all[i].type, LS_SOCK_DGRAM);
		} else if (all[i].sock == fresh) {
			found++;
			CHECK_EQ_INT(all[i].state, LS_STATE_OPEN);
			CHECK_STR_EQ(all[i].name, "");
		}
	}
	CHECK_EQ_U64(found, 3);
	/* Less room than sockets: filled as far as it goes, the count says how many. */
	CHECK_OK(ls_sockets_snapshot(all, 1, &n));
	CHECK_GE_INT(n, 3);
	CHECK_ERR(ls_sockets_snapshot(NULL, 1, &n), LS_EINVAL);
	CHECK_ERR(ls_sockets_snapshot(all, 1, NULL), LS_EINVAL);
	CHECK_OK(ls_socket_set_name(l, NULL));
	CHECK_STR_EQ(st_info(l).name, "");
	CHECK_OK(ls_close(l));
	CHECK_ERR(ls_socket_set_name(l, "x"), LS_EBADF);
	CHECK_ERR(ls_socket_stats(l, &all[0]), LS_EBADF);
	CHECK_OK(ls_close(u));
	CHECK_OK(ls_close(fresh));
	free(all);
}

static void prometheus_text(void)
{
	ls_socket u = h_udp(LS_AF_INET, NULL);
	char *buf;
	size_t need, len;

	CHECK_OK(ls_socket_set_name(u, "quote\" back\\ nl\n"));
	CHECK_ERR(ls_stats_prometheus(NULL, 0, &need), LS_ENOSPC);
	buf = malloc(need);
	CHECK(buf != NULL);
	CHECK_ERR(ls_stats_prometheus(buf, need - 1, &len), LS_ENOSPC);
	CHECK_EQ_U64(len, need);
	CHECK_EQ_U64(strlen(buf), need - 2); /* cut, never overrun, always terminated */
	CHECK_OK(ls_stats_prometheus(buf, need, &len));
	CHECK_EQ_U64(strlen(buf), len);
	CHECK(strstr(buf, "# TYPE libsock_sockets_open gauge\nlibsock_sockets_open ") != NULL);
	CHECK(strstr(buf, "# TYPE libsock_accepted_total counter\n") != NULL);
	CHECK(strstr(buf, "libsock_bytes_sent_total ") != NULL);
	CHECK(strstr(buf, "libsock_bytes_received_total ") != NULL);
	CHECK(strstr(buf, "libsock_rejected_total{reason=\"acl\"} ") != NULL);
	CHECK(strstr(buf, "libsock_socket_bytes_sent_total{name=\"quote\\\" back\\\\ nl\\n\",") != NULL);
	free(buf);
	CHECK_OK(ls_close(u));
}

static void json_text(void)
{
	ls_socket u = h_udp(LS_AF_INET, NULL);
	char buf[65536];
	size_t len;

	CHECK_OK(ls_socket_set_name(u, "tab\there \"q\""));
	CHECK_OK(ls_stats_json(buf, sizeof(buf), &len));
	CHECK_EQ_U64(strlen(buf), len);
	CHECK(buf[0] == '{' && buf[len - 1] == '}');
	CHECK(strstr(buf, "\"sockets_open\":") != NULL);
	CHECK(strstr(buf, "\"sockets\":[") != NULL);
	CHECK(strstr(buf, "\"name\":\"tab\\u0009here \\\"q\\\"\"") != NULL);
	CHECK(strstr(buf, "\"type\":\"dgram\",\"state\":\"bound\"") != NULL);
	CHECK_ERR(ls_stats_json(buf, 10, &len), LS_ENOSPC);
	CHECK_GT_INT(len, 10);
	CHECK_EQ_U64(strlen(buf), 9);
	CHECK_ERR(ls_stats_json(NULL, 5, &len), LS_EINVAL);
	CHECK_OK(ls_close(u));
}

/* Every field the mask leaves out is 0, on every OS: the mask is the whole truth. */
static void st_mask_honest(const ls_tcp_info *ti)
{
	static const struct {
		unsigned bit;
		size_t off, size;
	} f[] = {
#define ST_F(bit, field) {bit, offsetof(ls_tcp_info, field), sizeof(((ls_tcp_info *)0)->field)}
	    ST_F(LS_TI_RTT, rtt_us),
	    ST_F(LS_TI_RTTVAR, rttvar_us),
	    ST_F(LS_TI_MIN_RTT, min_rtt_us),
	    ST_F(LS_TI_RTO, rto_us),
	    ST_F(LS_TI_CWND, cwnd_bytes),
	    ST_F(LS_TI_BYTES_SENT, bytes_sent),
	    ST_F(LS_TI_BYTES_RECEIVED, bytes_received),
	    ST_F(LS_TI_BYTES_RETRANS, bytes_retrans),
	    ST_F(LS_TI_SEGS_RETRANS, segs_retrans),
	    ST_F(LS_TI_STATE, state),
	    ST_F(LS_TI_CONN_TIME, conn_time_ms),
#undef ST_F
	};
	static const unsigned char zero[8];
	size_t i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (!(ti->mask & f[i].bit))
			CHECK_MSG(memcmp((const char *)ti + f[i].off, zero, f[i].size) == 0,
			          "field 0x%x is outside the mask but not 0", f[i].bit);
}

static void tcp_statistics(void)
{
	ls_socket c, s, u = h_udp(LS_AF_INET, NULL);
	ls_tcp_info ti;
	char buf[1000];

	h_tcp_pair(LS_AF_INET, &c, &s);
	memset(buf, 'z', sizeof(buf));
	h_send_all(c, buf, sizeof(buf));
	h_recv_exact(s, buf, sizeof(buf));
	CHECK_OK(ls_get_tcp_info(c, &ti));
	t_note("from_os %d mask 0x%x rtt %u us cwnd %llu bytes", ti.from_os, ti.mask, ti.rtt_us,
	       (unsigned long long)ti.cwnd_bytes);
	CHECK(ti.mask & LS_TI_BYTES_SENT);
	CHECK(ti.mask & LS_TI_CONN_TIME);
	st_mask_honest(&ti);
	CHECK_GE_INT(ti.bytes_sent, 1000);
	if (ti.from_os) {
		CHECK(ti.mask & LS_TI_STATE);
		CHECK_EQ_INT(ti.state, LS_TCP_ESTABLISHED);
		if (ti.mask & LS_TI_CWND)
			CHECK_GT_INT(ti.cwnd_bytes, 0);
	} else {
		t_note("the OS gave no TCP statistics (wine 8, the portable build): libsock's own counts only");
		CHECK_EQ_U64(ti.bytes_sent, 1000);
	}
	CHECK_ERR(ls_get_tcp_info(u, &ti), LS_EPROTOTYPE);
	CHECK_ERR(ls_get_tcp_info(c, NULL), LS_EINVAL);
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
	CHECK_OK(ls_close(u));
	CHECK_ERR(ls_get_tcp_info(c, &ti), LS_EBADF);
}

/* Snapshots while another thread opens and closes sockets (for the tsan preset). */
static void st_churn(void *arg)
{
	_Atomic int *stop = arg;
	ls_socket s;

	while (!atomic_load(stop)) {
		if (ls_socket_create(&s, LS_AF_INET, LS_SOCK_DGRAM, 0) == 0) {
			ls_socket_set_name(s, "churn");
			ls_close(s);
		}
	}
}

static void snapshot_while_churning(void)
{
	_Atomic int stop = 0;
	ls_sockinfo all[64];
	char buf[8192];
	size_t n;
	int i;
	t_thread *t = t_thread_start(st_churn, &stop);

	CHECK(t != NULL);
	for (i = 0; i < 200; i++) {
		CHECK_OK(ls_sockets_snapshot(all, 64, &n));
		ls_stats_prometheus(buf, sizeof(buf), NULL);
	}
	atomic_store(&stop, 1);
	t_thread_join(t);
}

static const t_case cases[] = {
	TEST_CASE(counters_per_socket),
	TEST_CASE(last_activity_to_the_second),
	TEST_CASE(process_totals),
	TEST_CASE(registry_snapshot),
	TEST_CASE(prometheus_text),
	TEST_CASE(json_text),
	TEST_CASE(tcp_statistics),
	TEST_CASE(snapshot_while_churning),
};

TEST_MAIN(cases)
