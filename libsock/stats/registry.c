/*
 * registry.c - the process's totals and the open sockets' details.
 *
 * Live sockets keep their own counters (common/internal.h); when one is
 * finalized its counts move into the "retired" totals here, so the process
 * totals are the retired ones plus a walk over the live sockets. Nothing on
 * the send and receive paths touches shared memory.
 */
#include <stdlib.h>
#include <string.h>

#include "stats/stats_internal.h"

static _Atomic uint64_t lsi_open, lsi_opened, lsi_closed, lsi_accepted;
static _Atomic uint64_t lsi_ret_sent, lsi_ret_recv, lsi_ret_sends, lsi_ret_recvs, lsi_ret_errors;
static atomic_flag lsi_name_lock = ATOMIC_FLAG_INIT;

static void lsi_name_take(void)
{
	while (atomic_flag_test_and_set_explicit(&lsi_name_lock, memory_order_acquire))
		;
}

static void lsi_name_give(void)
{
	atomic_flag_clear_explicit(&lsi_name_lock, memory_order_release);
}

void lsi_stats_opened(lsi_sock *s)
{
	memset(&s->ctr, 0, sizeof(s->ctr));
	atomic_store_explicit(&s->last_s, 0, memory_order_relaxed);
	s->ctr.created_wall_ms = lsi_plat_wall_ms();
	s->ctr.created_ms = lsi_plat_now_ms();
	s->name = NULL;
	atomic_fetch_add_explicit(&lsi_opened, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&lsi_open, 1, memory_order_relaxed);
}

void lsi_stats_accepted(void)
{
	atomic_fetch_add_explicit(&lsi_accepted, 1, memory_order_relaxed);
}

void lsi_stats_closed(void)
{
	atomic_fetch_add_explicit(&lsi_closed, 1, memory_order_relaxed);
	atomic_fetch_sub_explicit(&lsi_open, 1, memory_order_relaxed);
}

static uint64_t lsi_get(_Atomic uint64_t *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

void lsi_stats_retire(lsi_sock *s)
{
	atomic_fetch_add_explicit(&lsi_ret_sent, lsi_get(&s->ctr.bytes_sent), memory_order_relaxed);
	atomic_fetch_add_explicit(&lsi_ret_recv, lsi_get(&s->ctr.bytes_received),
	                          memory_order_relaxed);
	atomic_fetch_add_explicit(&lsi_ret_sends, lsi_get(&s->ctr.sends), memory_order_relaxed);
	atomic_fetch_add_explicit(&lsi_ret_recvs, lsi_get(&s->ctr.receives), memory_order_relaxed);
	atomic_fetch_add_explicit(&lsi_ret_errors, lsi_get(&s->ctr.errors), memory_order_relaxed);
	lsi_name_take();
	free(s->name);
	s->name = NULL;
	lsi_name_give();
}

static void lsi_sum_live(lsi_sock *s, ls_socket h, void *arg)
{
	ls_stats *st = arg;

	(void)h;
	st->bytes_sent_total += lsi_get(&s->ctr.bytes_sent);
	st->bytes_received_total += lsi_get(&s->ctr.bytes_received);
	st->sends_total += lsi_get(&s->ctr.sends);
	st->receives_total += lsi_get(&s->ctr.receives);
	st->errors_total += lsi_get(&s->ctr.errors);
}

int ls_stats_get(ls_stats *out)
{
	if (out == NULL)
		return lsi_fail(LS_EINVAL);
	memset(out, 0, sizeof(*out));
	lsi_sock_walk(lsi_sum_live, out);
	out->sockets_open = lsi_get(&lsi_open);
	out->opened_total = lsi_get(&lsi_opened);
	out->closed_total = lsi_get(&lsi_closed);
	out->accepted_total = lsi_get(&lsi_accepted);
	out->rejected_acl_total = ls_acl_rejected();
	out->rejected_proxy_total = ls_proxy_rejected();
	out->bytes_sent_total += lsi_get(&lsi_ret_sent);
	out->bytes_received_total += lsi_get(&lsi_ret_recv);
	out->sends_total += lsi_get(&lsi_ret_sends);
	out->receives_total += lsi_get(&lsi_ret_recvs);
	out->errors_total += lsi_get(&lsi_ret_errors);
	return 0;
}

int ls_socket_set_name(ls_socket s, const char *name)
{
	lsi_sock *sk;
	char *copy = NULL, *old;
	size_t n;
	int rc;

	if (name != NULL) {
		n = strnlen(name, LS_NAME_MAX - 1);
		copy = malloc(n + 1);
		if (copy == NULL)
			return lsi_fail(LS_ENOMEM);
		memcpy(copy, name, n);
		copy[n] = '\0';
	}
	rc = lsi_sock_acquire(s, &sk);
	if (rc != 0) {
		free(copy);
		return rc;
	}
	lsi_name_take();
	old = sk->name;
	sk->name = copy;
	lsi_name_give();
	free(old);
	lsi_sock_release(sk);
	return 0;
}

/*
 * The last activity in ms: the start of the second it happened in, except
 * that it is never shown before the creation (kept to the millisecond),
 * which the same second may hold. 0 when there was none.
 */
static int64_t lsi_last_activity_ms(const lsi_sock *s)
{
	int64_t sec = atomic_load_explicit(&s->last_s, memory_order_relaxed);

	if (sec == 0)
		return 0;
	return sec * 1000 < s->ctr.created_wall_ms ? s->ctr.created_wall_ms : sec * 1000;
}

static int lsi_state(lsi_sock *s, ls_sockinfo *out)
{
	if (atomic_load(&s->flags) & LSI_SF_LISTENING)
		return LS_STATE_LISTENING;
	if (out->peer.family != LS_AF_UNSPEC)
		return LS_STATE_CONNECTED;
	if (out->local.family == LS_AF_UNIX ? out->local.path_len > 0 : out->local.port != 0)
		return LS_STATE_BOUND;
	return LS_STATE_OPEN;
}

void lsi_stats_info(lsi_sock *s, ls_socket h, ls_sockinfo *out)
{
	memset(out, 0, sizeof(*out));
	out->sock = h;
	out->family = s->family;
	out->type = s->type;
	if (lsi_plat_getsockname(s->fd, &out->local) != 0)
		memset(&out->local, 0, sizeof(out->local));
	/* Behind a PROXY header the peer is the real client. */
	if (!lsi_proxy_peer(s, &out->peer) && lsi_plat_getpeername(s->fd, &out->peer) != 0)
		memset(&out->peer, 0, sizeof(out->peer));
	out->state = lsi_state(s, out);
	lsi_name_take();
	if (s->name != NULL)
		memcpy(out->name, s->name, strlen(s->name) + 1);
	lsi_name_give();
	out->created_ms = s->ctr.created_wall_ms;
	out->last_activity_ms = lsi_last_activity_ms(s);
	out->bytes_sent = lsi_get(&s->ctr.bytes_sent);
	out->bytes_received = lsi_get(&s->ctr.bytes_received);
	out->sends = lsi_get(&s->ctr.sends);
	out->receives = lsi_get(&s->ctr.receives);
	out->errors = lsi_get(&s->ctr.errors);
}

int ls_socket_stats(ls_socket s, ls_sockinfo *out)
{
	lsi_sock *sk;
	int rc;

	if (out == NULL)
		return lsi_fail(LS_EINVAL);
	rc = lsi_sock_acquire(s, &sk);
	if (rc != 0)
		return rc;
	lsi_stats_info(sk, s, out);
	lsi_sock_release(sk);
	return 0;
}

typedef struct lsi_snap {
	ls_sockinfo *out;
	size_t max, count;
} lsi_snap;

static void lsi_snap_one(lsi_sock *s, ls_socket h, void *arg)
{
	lsi_snap *sn = arg;

	if (sn->count < sn->max)
		lsi_stats_info(s, h, &sn->out[sn->count]);
	sn->count++;
}

int ls_sockets_snapshot(ls_sockinfo *out, size_t max, size_t *count)
{
	lsi_snap sn = {out, max, 0};

	if (count == NULL || (out == NULL && max > 0))
		return lsi_fail(LS_EINVAL);
	lsi_sock_walk(lsi_snap_one, &sn);
	*count = sn.count;
	return 0;
}
