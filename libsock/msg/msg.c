/*
 * msg.c - the message calls' common code: checks every field of an ls_msg,
 * resolves the sockets being passed, waits and retries as the other I/O
 * calls do, and turns received OS sockets into handles. The platform
 * (posix/msg.c, win32/msg.c) builds and parses the OS's ancillary data.
 */
#include <string.h>

#include "msg/msg_internal.h"

static int lsi_msg_check_iov(const ls_msg *m)
{
	size_t i, n = m->iovcnt > LS_IOV_MAX ? LS_IOV_MAX : m->iovcnt;

	if (m->iov == NULL && m->iovcnt > 0)
		return lsi_fail(LS_EINVAL);
	for (i = 0; i < n; i++)
		if (m->iov[i].base == NULL && m->iov[i].len > 0)
			return lsi_fail(LS_EINVAL);
	return 0;
}

/* What a send may ask for: known fields, values in range. */
static int lsi_msg_check_info(const ls_msginfo *info, int family)
{
	if (info == NULL || info->valid == 0)
		return 0;
	if (info->valid & ~LS_MI_ALL)
		return lsi_fail(LS_EINVAL);
	if ((info->valid & LS_MI_TCLASS) && (info->tclass < 0 || info->tclass > 255))
		return lsi_fail(LS_EINVAL);
	if ((info->valid & LS_MI_HOPS) && (info->hops < 0 || info->hops > 255))
		return lsi_fail(LS_EINVAL);
	if ((info->valid & LS_MI_SEGMENT) && (info->segment == 0 || info->segment > 65535))
		return lsi_fail(LS_EINVAL);
	if ((info->valid & LS_MI_DST) && info->dst.family != family)
		return lsi_fail(LS_EAFNOSUPPORT);
	return 0;
}

int lsi_msg_check_sock(const lsi_sock *sk, const ls_msg *m, int sending)
{
	int rc = 0;

	if (sending && m->addr != NULL)
		rc = lsi_addr_check(m->addr, sk->family);
	if (rc == 0 && sending)
		rc = lsi_msg_check_info(m->info, sk->family);
	if (rc == 0 && sending && m->info != NULL && m->info->valid != 0 &&
	    sk->type != LS_SOCK_DGRAM)
		rc = lsi_fail(LS_EPROTOTYPE);
	if (rc == 0 && (sending ? m->nsocks : m->socks_cap) > 0 && sk->family != LS_AF_UNIX)
		rc = lsi_fail(LS_EAFNOSUPPORT);
	return rc;
}

/* One attempt, then wait and retry against one deadline as ls_send() does. */
static int64_t lsi_msg_io(lsi_sock *sk, lsi_msg *lm, int flags, int sending)
{
	int64_t rc, deadline;

	rc = sending ? lsi_plat_sendmsg(sk->fd, lm, flags) : lsi_plat_recvmsg(sk->fd, lm, flags);
	if (rc >= 0)
		return rc;
	deadline = lsi_deadline(atomic_load(&sk->timeout_ms));
	while (rc < 0 && lsi_retry(sk, &rc, sending ? LS_POLLOUT : LS_POLLIN, flags, deadline))
		rc = sending ? lsi_plat_sendmsg(sk->fd, lm, flags)
		             : lsi_plat_recvmsg(sk->fd, lm, flags);
	return rc;
}

/* Resolve the sockets to pass; on failure nothing stays held. */
static int lsi_msg_hold(const ls_msg *m, lsi_sock **held, lsi_fd *fds)
{
	size_t i;
	int rc;

	for (i = 0; i < m->nsocks; i++) {
		rc = lsi_sock_acquire(m->socks[i], &held[i]);
		if (rc != 0) {
			while (i-- > 0)
				lsi_sock_release(held[i]);
			return rc;
		}
		fds[i] = held[i]->fd;
	}
	return 0;
}

static void lsi_msg_unhold(lsi_sock **held, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		lsi_sock_release(held[i]);
}

int lsi_msg_check(const ls_msg *m, int flags, int allowed)
{
	if (m == NULL || (flags & ~allowed))
		return lsi_fail(LS_EINVAL);
	if (m->nsocks > LS_MSG_SOCKS_MAX || m->socks_cap > LS_MSG_SOCKS_MAX)
		return lsi_fail(LS_EINVAL);
	return lsi_msg_check_iov(m);
}

int64_t ls_sendmsg(ls_socket s, ls_msg *m, int flags)
{
	lsi_sock *sk, *held[LS_MSG_SOCKS_MAX];
	lsi_fd fds[LS_MSG_SOCKS_MAX];
	lsi_msg lm;
	int64_t rc = lsi_msg_check(m, flags, LSI_MSG_SEND_FLAGS);

	if (rc == 0 && m->nsocks > 0 && m->socks == NULL)
		rc = lsi_fail(LS_EINVAL);
	if (rc == 0)
		rc = lsi_sock_acquire(s, &sk);
	if (rc != 0)
		return rc;
	m->flags = 0;
	rc = lsi_msg_check_sock(sk, m, 1);
	if (rc == 0)
		rc = lsi_msg_hold(m, held, fds);
	if (rc == 0) {
		lm = (lsi_msg){.iov = m->iov,
		               .iovcnt = m->iovcnt > LS_IOV_MAX ? LS_IOV_MAX : m->iovcnt,
		               .to = m->addr,
		               .info = m->info,
		               .fds = fds,
		               .nfds = m->nsocks,
		               .family = sk->family};
		rc = lsi_msg_io(sk, &lm, flags, 1);
		lsi_msg_unhold(held, m->nsocks);
		lsi_count_io(sk, 1, rc);
	}
	lsi_sock_release(sk);
	return rc;
}

/*
 * Turn received OS sockets into handles. One that cannot be adopted (the
 * table is full, or it is not a socket libsock handles) is closed, and the
 * message is marked as having lost ancillary data.
 */
static void lsi_msg_adopt(ls_msg *m, const lsi_msg *lm)
{
	size_t i;
	int family, type, protocol;

	m->nsocks = 0;
	for (i = 0; i < lm->nfds; i++) {
		if (lsi_plat_adopt(lm->fds[i], &family, &type, &protocol) != 0 ||
		    lsi_sock_new(lm->fds[i], family, type, protocol, LS_TIMEOUT_BLOCK, 0,
		                 &m->socks[m->nsocks]) != 0) {
			lsi_plat_close(lm->fds[i]);
			m->flags |= LS_MSGF_CTRUNC;
			continue;
		}
		m->nsocks++;
	}
}

int64_t ls_recvmsg(ls_socket s, ls_msg *m, int flags)
{
	lsi_sock *sk;
	lsi_fd fds[LS_MSG_SOCKS_MAX];
	lsi_msg lm;
	int64_t rc = lsi_msg_check(m, flags, LSI_MSG_RECV_FLAGS);

	if (rc == 0 && m->socks_cap > 0 && m->socks == NULL)
		rc = lsi_fail(LS_EINVAL);
	if (rc == 0)
		rc = lsi_sock_acquire(s, &sk);
	if (rc != 0)
		return rc;
	m->flags = 0;
	m->nsocks = 0;
	if (m->info != NULL)
		memset(m->info, 0, sizeof(*m->info));
	rc = lsi_msg_check_sock(sk, m, 0);
	if (rc == 0) {
		lm = (lsi_msg){.iov = m->iov,
		               .iovcnt = m->iovcnt > LS_IOV_MAX ? LS_IOV_MAX : m->iovcnt,
		               .from = m->addr,
		               .info = m->info,
		               .fds = fds,
		               .fds_cap = m->socks_cap,
		               .family = sk->family};
		if (sk->type == LS_SOCK_DGRAM)
			flags |= LSI_MSG_DGRAM;
		rc = lsi_msg_io(sk, &lm, flags, 0);
		if (rc >= 0) {
			m->flags = lm.oflags;
			lsi_msg_adopt(m, &lm);
		}
		/* A 0 from a close in another thread is that close, not the end of stream. */
		if (rc == 0 && lsi_sock_closing(sk))
			rc = lsi_fail(LS_EBADF);
		lsi_count_io(sk, 0, rc);
	}
	lsi_sock_release(sk);
	return rc;
}

void lsi_msginfo_dst(ls_msginfo *info, const void *ip, int v4)
{
	if (v4)
		ls_addr_ipv4(&info->dst, ip, 0);
	else
		ls_addr_ipv6(&info->dst, ip, 0, 0);
	info->valid |= LS_MI_DST;
}

int ls_set_recvinfo(ls_socket s, unsigned what)
{
	static const unsigned fields[] = {LS_MI_DST | LS_MI_IFINDEX, LS_MI_TCLASS, LS_MI_HOPS,
	                                  LS_MI_SEGMENT};
	lsi_sock *sk;
	unsigned old, want, i, done = 0;
	int rc;

	if (what & ~LS_MI_ALL)
		return lsi_fail(LS_EINVAL);
	rc = lsi_sock_acquire(s, &sk);
	if (rc != 0)
		return rc;
	if (sk->type != LS_SOCK_DGRAM || (sk->family != LS_AF_INET && sk->family != LS_AF_INET6))
		rc = lsi_fail(LS_EPROTOTYPE);
	old = atomic_load(&sk->recvinfo);
	/* Destination and interface come from one OS option (PKTINFO). */
	if (what & (LS_MI_DST | LS_MI_IFINDEX))
		what |= LS_MI_DST | LS_MI_IFINDEX;
	for (i = 0; rc == 0 && i < sizeof(fields) / sizeof(fields[0]); i++) {
		want = what & fields[i];
		if (want == (old & fields[i]))
			continue;
		rc = lsi_plat_recvinfo(sk->fd, sk->family, fields[i], want != 0);
		if (rc == 0)
			done |= fields[i];
	}
	/* All or nothing: undo what changed before a field failed. */
	for (i = 0; rc != 0 && i < sizeof(fields) / sizeof(fields[0]); i++)
		if (done & fields[i])
			lsi_plat_recvinfo(sk->fd, sk->family, fields[i], (old & fields[i]) != 0);
	if (rc == 0)
		atomic_store(&sk->recvinfo, what);
	lsi_sock_release(sk);
	return rc;
}

int ls_get_recvinfo(ls_socket s, unsigned *what)
{
	lsi_sock *sk;
	int rc;

	if (what == NULL)
		return lsi_fail(LS_EINVAL);
	rc = lsi_sock_acquire(s, &sk);
	if (rc != 0)
		return rc;
	*what = atomic_load(&sk->recvinfo);
	lsi_sock_release(sk);
	return 0;
}
