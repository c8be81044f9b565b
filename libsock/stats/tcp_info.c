/*
 * tcp_info.c - ls_get_tcp_info(): the OS's TCP statistics where it gives
 * them, completed with what libsock counts itself (bytes, connection time)
 * where it does not, with the mask saying which fields are valid.
 */
#include <string.h>

#include "stats/stats_internal.h"

/* libsock's own counts for the fields the OS left out. */
static void lsi_tcp_fill(const lsi_sock *s, ls_tcp_info *out)
{
	if (!(out->mask & LS_TI_BYTES_SENT)) {
		out->bytes_sent = atomic_load_explicit(&s->ctr.bytes_sent, memory_order_relaxed);
		out->mask |= LS_TI_BYTES_SENT;
	}
	if (!(out->mask & LS_TI_BYTES_RECEIVED)) {
		out->bytes_received =
		    atomic_load_explicit(&s->ctr.bytes_received, memory_order_relaxed);
		out->mask |= LS_TI_BYTES_RECEIVED;
	}
	if (!(out->mask & LS_TI_CONN_TIME)) {
		out->conn_time_ms = (uint64_t)(lsi_plat_now_ms() - s->ctr.created_ms);
		out->mask |= LS_TI_CONN_TIME;
	}
}

int ls_get_tcp_info(ls_socket s, ls_tcp_info *out)
{
	lsi_sock *sk;
	int rc;

	if (out == NULL)
		return lsi_fail(LS_EINVAL);
	memset(out, 0, sizeof(*out));
	rc = lsi_sock_acquire(s, &sk);
	if (rc != 0)
		return rc;
	if (sk->type != LS_SOCK_STREAM || (sk->family != LS_AF_INET && sk->family != LS_AF_INET6))
		rc = lsi_fail(LS_EPROTOTYPE);
	if (rc == 0) {
		rc = lsi_plat_tcp_info(sk->fd, out);
		if (rc == LS_ENOTSUP) {
			memset(out, 0, sizeof(*out));
			rc = 0;
		}
	}
	if (rc == 0)
		lsi_tcp_fill(sk, out);
	lsi_sock_release(sk);
	return rc;
}
