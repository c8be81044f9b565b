/*
 * wait.c - timeouts with Python's settimeout() semantics, built from
 * non-blocking I/O, poll and a monotonic deadline (never SO_RCVTIMEO, whose
 * units differ by OS and which leaves Windows sockets in an undefined state
 * after it fires).
 */
#include "internal.h"

int64_t lsi_deadline(int64_t timeout_ms)
{
	return timeout_ms > 0 ? lsi_plat_now_ms() + timeout_ms : -1;
}

int lsi_interruptible(const lsi_sock *s)
{
	return (atomic_load_explicit(&s->flags, memory_order_relaxed) & LSI_SF_INTERRUPTIBLE) != 0;
}

void lsi_set_flag(lsi_sock *s, int flag, int on)
{
	if (on)
		atomic_fetch_or(&s->flags, flag);
	else
		atomic_fetch_and(&s->flags, ~flag);
}

int64_t lsi_remaining(int64_t deadline)
{
	int64_t left;

	if (deadline < 0)
		return -1;
	left = deadline - lsi_plat_now_ms();
	return left > 0 ? left : 0;
}

int lsi_wait(lsi_sock *s, short events, int64_t deadline)
{
	lsi_pollent ent;
	int64_t left;
	int rc;

	for (;;) {
		left = lsi_remaining(deadline);
		if (left == 0)
			return lsi_fail(LS_ETIMEDOUT);
		ent.fd = s->fd;
		ent.events = events;
		ent.revents = 0;
		ent.connecting = (atomic_load_explicit(&s->flags, memory_order_relaxed) &
		                  LSI_SF_CONNECTING) != 0;
		rc = lsi_plat_poll(&ent, 1, left);
		if (lsi_sock_closing(s))
			return lsi_fail(LS_EBADF);
		if (rc == LS_EINTR && !lsi_interruptible(s))
			continue; /* the deadline is recomputed at the top */
		if (rc < 0)
			return rc;
		if (rc > 0)
			return 0;
		/* rc == 0: the poll timed out; the loop confirms the deadline. */
	}
}

int lsi_retry(lsi_sock *s, int64_t *rc, short events, int flags, int64_t deadline)
{
	int64_t timeout = atomic_load_explicit(&s->timeout_ms, memory_order_relaxed);
	int wrc;

	if (lsi_sock_closing(s)) {
		*rc = LS_EBADF;
		return 0;
	}
	if (*rc == LS_EINTR)
		return !lsi_interruptible(s);
	if (*rc != LS_EAGAIN || timeout == 0 || (flags & LS_MSG_DONTWAIT))
		return 0;
	/*
	 * Would-block on a socket that should wait: the OS socket is
	 * non-blocking because it has a timeout (or, rarely, the OS reported
	 * would-block on a blocking socket, for example after a spurious
	 * wake-up). Wait for readiness; it may be spurious, so the caller tries
	 * again either way.
	 */
	wrc = lsi_wait(s, events, deadline);
	if (wrc != 0) {
		*rc = wrc;
		return 0;
	}
	return 1;
}
