/*
 * batch.c - many messages per call. Common code checks every message first
 * (an invalid one fails the call before anything moves), then hands chunks
 * of LSI_BATCH messages to the platform's batch call, or, where the OS has
 * none, makes one single-message attempt each. Only the first message may
 * wait; the rest of a batch takes what moves at once.
 */
#include <string.h>

#include "msg/msg_internal.h"

#define LSI_BATCH 64

static int lsi_batch_check(const lsi_sock *sk, const ls_mmsg *v, size_t count, int flags,
                           int sending)
{
	size_t i;
	int rc;

	for (i = 0; i < count; i++) {
		rc = lsi_msg_check(&v[i].msg, flags,
		                   sending ? LSI_MSG_SEND_FLAGS : LSI_MSG_RECV_FLAGS);
		if (rc == 0 && (sending ? v[i].msg.nsocks : v[i].msg.socks_cap) > 0)
			rc = lsi_fail(LS_EINVAL); /* passing sockets is single-message only */
		if (rc == 0)
			rc = lsi_msg_check_sock(sk, &v[i].msg, sending);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* The platform's view of one message. */
static void lsi_batch_lm(lsi_msg *lm, ls_mmsg *mm, const lsi_sock *sk, int sending)
{
	ls_msg *m = &mm->msg;

	m->flags = 0;
	m->nsocks = 0;
	if (!sending && m->info != NULL)
		memset(m->info, 0, sizeof(*m->info));
	*lm = (lsi_msg){.iov = m->iov,
	                .iovcnt = m->iovcnt > LS_IOV_MAX ? LS_IOV_MAX : m->iovcnt,
	                .info = m->info,
	                .family = sk->family};
	if (sending)
		lm->to = m->addr;
	else
		lm->from = m->addr;
	mm->len = 0;
}

/* Without a batch call: one attempt per message, stopping at the first failure. */
static int lsi_batch_loop(lsi_sock *sk, lsi_msg *lm, size_t n, int flags, size_t *lens, int sending)
{
	size_t i;
	int64_t r;

	for (i = 0; i < n; i++) {
		r = sending ? lsi_plat_sendmsg(sk->fd, &lm[i], flags)
		            : lsi_plat_recvmsg(sk->fd, &lm[i], flags);
		if (r < 0)
			return i > 0 ? (int)i : (int)r;
		lens[i] = (size_t)r;
		/* After the first, nothing waits. */
		flags |= LS_MSG_DONTWAIT;
	}
	return (int)n;
}

static int lsi_batch_attempt(lsi_sock *sk, lsi_msg *lm, size_t n, int flags, size_t *lens,
                             int sending)
{
	int rc = sending ? lsi_plat_sendmmsg(sk->fd, lm, n, flags, lens)
	                 : lsi_plat_recvmmsg(sk->fd, lm, n, flags, lens);

	if (rc == LS_ENOTSUP)
		rc = lsi_batch_loop(sk, lm, n, flags, lens, sending);
	return rc;
}

/* One chunk: the first chunk may wait (as ls_send/ls_recv would), later ones never. */
static int lsi_batch_chunk(lsi_sock *sk, ls_mmsg *v, size_t n, int flags, int sending)
{
	lsi_msg lm[LSI_BATCH];
	size_t lens[LSI_BATCH], i;
	int64_t rc, deadline;

	for (i = 0; i < n; i++)
		lsi_batch_lm(&lm[i], &v[i], sk, sending);
	rc = lsi_batch_attempt(sk, lm, n, flags, lens, sending);
	if (rc < 0 && !(flags & LS_MSG_DONTWAIT)) {
		deadline = lsi_deadline(atomic_load(&sk->timeout_ms));
		while (rc < 0 &&
		       lsi_retry(sk, &rc, sending ? LS_POLLOUT : LS_POLLIN, flags, deadline))
			rc = lsi_batch_attempt(sk, lm, n, flags, lens, sending);
	}
	for (i = 0; rc > 0 && i < (size_t)rc; i++) {
		v[i].len = lens[i];
		v[i].msg.flags = lm[i].oflags;
		lsi_count_io(sk, sending, (int64_t)lens[i]);
	}
	if (rc < 0)
		lsi_count_io(sk, sending, rc);
	return (int)rc;
}

static int lsi_batch(ls_socket s, ls_mmsg *v, size_t count, int flags, int sending)
{
	lsi_sock *sk;
	size_t done = 0, n;
	int rc;

	if ((v == NULL && count > 0) || count > LS_MMSG_MAX)
		return lsi_fail(LS_EINVAL);
	rc = lsi_sock_acquire(s, &sk);
	if (rc != 0)
		return rc;
	rc = lsi_batch_check(sk, v, count, flags, sending);
	if (!sending)
		flags |= LS_MSG_TRUNC_OK | (sk->type == LS_SOCK_DGRAM ? LSI_MSG_DGRAM : 0);
	while (rc == 0 && done < count) {
		n = count - done < LSI_BATCH ? count - done : LSI_BATCH;
		rc = lsi_batch_chunk(sk, v + done, n, flags, sending);
		if (rc < 0)
			break;
		done += (size_t)rc;
		rc = (size_t)rc == n ? 0 : 1;
		flags |= LS_MSG_DONTWAIT;
	}
	lsi_sock_release(sk);
	/* An error after some messages moved is left for the next call to see. */
	if (done > 0)
		return (int)done;
	return rc < 0 ? rc : 0;
}

int ls_sendmmsg(ls_socket s, ls_mmsg *msgs, size_t count, int flags)
{
	return lsi_batch(s, msgs, count, flags, 1);
}

int ls_recvmmsg(ls_socket s, ls_mmsg *msgs, size_t count, int flags)
{
	return lsi_batch(s, msgs, count, flags, 0);
}
