/* test_mmsg.c - batches (ls_sendmmsg / ls_recvmmsg) and UDP segmentation offload. */
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

#define B_COUNT 50
#define B_BUF 1500

/* Datagram i is i*29 % 1400 + 1 bytes of a pattern starting at i. */
static size_t b_size(size_t i)
{
	return (i * 29) % 1400 + 1;
}

typedef struct b_bufs {
	unsigned char data[B_COUNT][B_BUF];
	ls_iovec iov[B_COUNT];
	ls_mmsg msg[B_COUNT];
	ls_addr addr[B_COUNT];
	ls_msginfo info[B_COUNT];
} b_bufs;

static b_bufs *b_new(void)
{
	b_bufs *b = calloc(1, sizeof(*b));

	CHECK(b != NULL);
	return b;
}

static void b_fill_send(b_bufs *b, const ls_addr *to, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++) {
		h_pattern(b->data[i], b_size(i), i);
		b->iov[i] = (ls_iovec){ b->data[i], b_size(i) };
		b->msg[i] = (ls_mmsg){ .msg = { .iov = &b->iov[i], .iovcnt = 1, .addr = (ls_addr *)to } };
	}
}

static void b_fill_recv(b_bufs *b, size_t count, size_t bufsize, int with_info)
{
	size_t i;

	for (i = 0; i < count; i++) {
		b->iov[i] = (ls_iovec){ b->data[i], bufsize };
		b->msg[i] = (ls_mmsg){ .msg = { .iov = &b->iov[i], .iovcnt = 1, .addr = &b->addr[i],
			                        .info = with_info ? &b->info[i] : NULL } };
	}
}

/* Receive count datagrams into their own slots, over as many batch calls as it takes. */
static size_t b_recv_all(ls_socket u, b_bufs *b, size_t count, int with_info, size_t *calls)
{
	size_t got = 0;
	int n;

	*calls = 0;
	b_fill_recv(b, count, B_BUF, with_info);
	while (got < count) {
		n = ls_recvmmsg(u, &b->msg[got], count - got, 0);
		CHECK_GT_INT(n, 0);
		if (n <= 0)
			break;
		got += (size_t)n;
		(*calls)++;
	}
	return got;
}

static void batch_round_trip(void)
{
	b_bufs *s = b_new(), *r = b_new();
	ls_addr a, from;
	ls_socket u = h_udp(LS_AF_INET, &a), t = h_udp(LS_AF_INET, &from);
	size_t i, calls;
	int n;

	CHECK_OK(ls_set_timeout(u, H_HANG_MS));
	CHECK_OK(ls_set_recvinfo(u, LS_MI_DST));
	b_fill_send(s, &a, B_COUNT);
	n = ls_sendmmsg(t, s->msg, B_COUNT, 0);
	CHECK_EQ_INT(n, B_COUNT);
	for (i = 0; i < B_COUNT; i++)
		CHECK_EQ_U64(s->msg[i].len, b_size(i));
	CHECK_EQ_U64(b_recv_all(u, r, B_COUNT, 1, &calls), B_COUNT);
	t_note("%d datagrams received in %zu batch calls", B_COUNT, calls);
	for (i = 0; i < B_COUNT; i++) {
		CHECK_EQ_U64(r->msg[i].len, b_size(i));
		CHECK_MSG(h_pattern_ok(r->data[i], b_size(i), i), "datagram %zu corrupted or out of order", i);
		CHECK(ls_addr_equal(&r->addr[i], &from));
		CHECK(r->info[i].valid & LS_MI_DST);
		CHECK_EQ_INT(r->msg[i].msg.flags, 0);
	}
	CHECK_OK(ls_close(u));
	CHECK_OK(ls_close(t));
	free(s);
	free(r);
}

/* A datagram longer than its buffer is cut and flagged; the others arrive whole. */
static void batch_truncation(void)
{
	b_bufs *r = b_new();
	ls_addr a;
	ls_socket u = h_udp(LS_AF_INET, &a), t = h_udp(LS_AF_INET, NULL);
	unsigned char big[300];
	int n, i;

	CHECK_OK(ls_set_timeout(u, H_HANG_MS));
	h_pattern(big, sizeof(big), 0);
	CHECK_EQ_INT(ls_sendto(t, big, 10, 0, &a), 10);
	CHECK_EQ_INT(ls_sendto(t, big, 300, 0, &a), 300);
	CHECK_EQ_INT(ls_sendto(t, big, 20, 0, &a), 20);
	t_sleep_ms(50);
	b_fill_recv(r, 3, 100, 0);
	n = ls_recvmmsg(u, r->msg, 3, 0);
	CHECK_EQ_INT(n, 3);
	CHECK_EQ_U64(r->msg[0].len, 10);
	CHECK_EQ_U64(r->msg[1].len, 100);
	CHECK(r->msg[1].msg.flags & LS_MSGF_TRUNC);
	CHECK(h_pattern_ok(r->data[1], 100, 0));
	CHECK_EQ_U64(r->msg[2].len, 20);
	for (i = 0; i < 3; i += 2)
		CHECK_EQ_INT(r->msg[i].msg.flags, 0);
	CHECK_OK(ls_close(u));
	CHECK_OK(ls_close(t));
	free(r);
}

/* The first message waits; the rest take only what is queued. */
static void batch_waits_for_first_only(void)
{
	b_bufs *r = b_new();
	ls_addr a;
	ls_socket u = h_udp(LS_AF_INET, &a), t = h_udp(LS_AF_INET, NULL);

	b_fill_recv(r, 8, B_BUF, 0);
	CHECK_ERR(ls_recvmmsg(u, r->msg, 8, LS_MSG_DONTWAIT), LS_EAGAIN);
	CHECK_OK(ls_set_timeout(u, 100));
	CHECK_ERR(ls_recvmmsg(u, r->msg, 8, 0), LS_ETIMEDOUT);
	CHECK_EQ_INT(ls_sendto(t, "one", 3, 0, &a), 3);
	CHECK_OK(ls_set_timeout(u, H_HANG_MS));
	/* One is queued, eight asked: one comes back at once. */
	CHECK_EQ_INT(ls_recvmmsg(u, r->msg, 8, 0), 1);
	CHECK_EQ_U64(r->msg[0].len, 3);
	CHECK_OK(ls_close(u));
	CHECK_OK(ls_close(t));
	free(r);
}

static void batch_bad_input(void)
{
	b_bufs *b = b_new();
	ls_addr a, a6 = h_loopback(LS_AF_INET6, 9);
	ls_socket u = h_udp(LS_AF_INET, &a), c, s;

	h_tcp_pair(LS_AF_INET, &c, &s);
	b_fill_send(b, &a, 4);
	CHECK_ERR(ls_sendmmsg(u, NULL, 1, 0), LS_EINVAL);
	CHECK_ERR(ls_recvmmsg(u, NULL, 1, 0), LS_EINVAL);
	CHECK_ERR(ls_sendmmsg(u, b->msg, LS_MMSG_MAX + 1, 0), LS_EINVAL);
	CHECK_EQ_INT(ls_sendmmsg(u, b->msg, 0, 0), 0);
	/* One bad message fails the batch before anything is sent. */
	b->msg[2].msg.addr = &a6;
	CHECK_ERR(ls_sendmmsg(u, b->msg, 4, 0), LS_EAFNOSUPPORT);
	CHECK_OK(ls_set_timeout(u, 0));
	b_fill_recv(b, 4, B_BUF, 0);
	CHECK_ERR(ls_recvmmsg(u, b->msg, 4, 0), LS_EAGAIN);
	b_fill_send(b, &a, 4);
	b->msg[1].msg.socks = &c;
	b->msg[1].msg.nsocks = 1;
	CHECK_ERR(ls_sendmmsg(u, b->msg, 4, 0), LS_EINVAL);
	CHECK_ERR(ls_sendmmsg(u, b->msg, 4, LS_MSG_PEEK), LS_EINVAL);
	CHECK_OK(ls_close(u));
	CHECK_ERR(ls_sendmmsg(u, b->msg, 1, 0), LS_EBADF);
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
	free(b);
}

/* --- UDP segmentation offload ------------------------------------------- */

#define G_SEG 1200
#define G_SEGS 10

static void gso_send(void)
{
	static unsigned char out[G_SEG * G_SEGS], in[B_BUF];
	ls_addr a;
	ls_socket u = h_udp(LS_AF_INET, &a), t = h_udp(LS_AF_INET, NULL);
	ls_iovec v = { out, sizeof(out) - 500 };
	ls_msginfo info = { .valid = LS_MI_SEGMENT, .segment = G_SEG };
	ls_msg m = { .iov = &v, .iovcnt = 1, .addr = &a, .info = &info };
	int64_t n;
	size_t i, expect;

	h_pattern(out, sizeof(out), 0);
	n = ls_sendmsg(t, &m, 0);
	if (n == LS_ENOTSUP)
		SKIP("no UDP segmentation offload here (UDP_SEGMENT): LS_ENOTSUP");
	CHECK_EQ_INT(n, (int64_t)v.len);
	CHECK_OK(ls_set_timeout(u, H_HANG_MS));
	/* Without GRO the receiver sees one datagram per segment, the last shorter. */
	for (i = 0; i < G_SEGS; i++) {
		expect = i + 1 < G_SEGS ? G_SEG : v.len - (G_SEGS - 1) * G_SEG;
		CHECK_EQ_INT(ls_recv(u, in, sizeof(in), 0), (int64_t)expect);
		CHECK(memcmp(in, out + i * G_SEG, expect) == 0);
	}
	/* Bad sizes are refused before anything is sent. */
	info.segment = 0;
	CHECK_ERR(ls_sendmsg(t, &m, 0), LS_EINVAL);
	info.segment = 70000;
	CHECK_ERR(ls_sendmsg(t, &m, 0), LS_EINVAL);
	CHECK_OK(ls_close(u));
	CHECK_OK(ls_close(t));
}

static void gro_receive(void)
{
	static unsigned char out[G_SEG * G_SEGS], in[G_SEG * G_SEGS + 100];
	ls_addr a;
	ls_socket u = h_udp(LS_AF_INET, &a), t = h_udp(LS_AF_INET, NULL);
	ls_iovec v = { out, sizeof(out) }, rv = { in, sizeof(in) };
	ls_msginfo info = { .valid = LS_MI_SEGMENT, .segment = G_SEG }, rinfo;
	ls_msg m = { .iov = &v, .iovcnt = 1, .addr = &a, .info = &info };
	ls_msg r = { .iov = &rv, .iovcnt = 1, .info = &rinfo };
	size_t got = 0;
	int64_t n;
	int rc = ls_set_recvinfo(u, LS_MI_SEGMENT);

	if (rc == LS_ENOTSUP)
		SKIP("no UDP receive offload here (UDP_GRO): LS_ENOTSUP");
	CHECK_OK(rc);
	h_pattern(out, sizeof(out), 0);
	n = ls_sendmsg(t, &m, 0);
	if (n == LS_ENOTSUP)
		SKIP("no UDP segmentation offload to send with (UDP_SEGMENT)");
	CHECK_EQ_INT(n, (int64_t)sizeof(out));
	CHECK_OK(ls_set_timeout(u, H_HANG_MS));
	/* Coalesced or not, every byte arrives in order, and sizes are reported. */
	while (got < sizeof(out)) {
		n = ls_recvmsg(u, &r, 0);
		CHECK_GT_INT(n, 0);
		if (n <= 0)
			break;
		CHECK(h_pattern_ok(in, (size_t)n, got));
		if (rinfo.valid & LS_MI_SEGMENT) {
			CHECK_EQ_INT(rinfo.segment, G_SEG);
			if (got == 0)
				t_note("GRO coalesced %lld bytes in one receive", (long long)n);
		} else {
			CHECK_LE_INT(n, G_SEG);
		}
		got += (size_t)n;
	}
	CHECK_EQ_U64(got, sizeof(out));
	CHECK_OK(ls_close(u));
	CHECK_OK(ls_close(t));
}

static const t_case cases[] = {
	TEST_CASE(batch_round_trip),
	TEST_CASE(batch_truncation),
	TEST_CASE(batch_waits_for_first_only),
	TEST_CASE(batch_bad_input),
	TEST_CASE(gso_send),
	TEST_CASE(gro_receive),
};

TEST_MAIN(cases)
