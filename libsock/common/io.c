/*
 * io.c - sending and receiving. Each call makes one OS attempt and, only
 * if that would block on a socket with a timeout, waits and tries again:
 * the blocking fast path is a handle lookup plus the system call.
 */
#include "internal.h"

#define LSI_SEND_FLAGS (LS_MSG_OOB | LS_MSG_DONTWAIT)
#define LSI_RECV_FLAGS (LS_MSG_PEEK | LS_MSG_OOB | LS_MSG_DONTWAIT | LS_MSG_WAITALL | LS_MSG_TRUNC_OK)

/* Check a buffer and flags, then take the socket. */
static int lsi_io_begin(ls_socket s, const void *buf, size_t len, int flags, int allowed,
                        lsi_sock **sk)
{
	if ((buf == NULL && len > 0) || (flags & ~allowed))
		return LS_EINVAL;
	return lsi_sock_acquire(s, sk);
}

/* Receive flags as the platform wants them: datagram sockets detect truncation. */
static int lsi_recv_flags(const lsi_sock *sk, int flags)
{
	return sk->type == LS_SOCK_DGRAM ? flags | LSI_MSG_DGRAM : flags;
}

int64_t ls_send(ls_socket s, const void *buf, size_t len, int flags)
{
	lsi_sock *sk;
	int64_t rc = lsi_io_begin(s, buf, len, flags, LSI_SEND_FLAGS, &sk);
	int64_t deadline;

	if (rc != 0)
		return rc;
	rc = lsi_plat_send(sk->fd, buf, len, flags);
	if (rc < 0) {
		deadline = lsi_deadline(atomic_load(&sk->timeout_ms));
		while (rc < 0 && lsi_retry(sk, &rc, LS_POLLOUT, flags, deadline))
			rc = lsi_plat_send(sk->fd, buf, len, flags);
	}
	lsi_sock_release(sk);
	return rc;
}

int64_t ls_recv(ls_socket s, void *buf, size_t len, int flags)
{
	lsi_sock *sk;
	int64_t rc = lsi_io_begin(s, buf, len, flags, LSI_RECV_FLAGS, &sk);
	int64_t deadline;

	if (rc != 0)
		return rc;
	flags = lsi_recv_flags(sk, flags);
	rc = lsi_plat_recv(sk->fd, buf, len, flags);
	if (rc < 0) {
		deadline = lsi_deadline(atomic_load(&sk->timeout_ms));
		while (rc < 0 && lsi_retry(sk, &rc, LS_POLLIN, flags, deadline))
			rc = lsi_plat_recv(sk->fd, buf, len, flags);
	}
	lsi_sock_release(sk);
	return rc;
}

int64_t ls_peek(ls_socket s, void *buf, size_t len)
{
	return ls_recv(s, buf, len, LS_MSG_PEEK);
}

int ls_sendall(ls_socket s, const void *buf, size_t len, int flags, size_t *sent)
{
	const char *p = buf;
	size_t done = 0;
	lsi_sock *sk;
	int64_t rc = lsi_io_begin(s, buf, len, flags, LSI_SEND_FLAGS, &sk);
	int64_t deadline;

	if (sent != NULL)
		*sent = 0;
	if (rc != 0)
		return (int)rc;
	/* One deadline for the whole buffer, not one per partial write. */
	deadline = lsi_deadline(atomic_load(&sk->timeout_ms));
	while (done < len) {
		rc = lsi_plat_send(sk->fd, p + done, len - done, flags);
		if (rc >= 0)
			done += (size_t)rc;
		else if (!lsi_retry(sk, &rc, LS_POLLOUT, flags, deadline))
			break;
	}
	lsi_sock_release(sk);
	if (sent != NULL)
		*sent = done;
	return rc < 0 ? (int)rc : 0;
}

int64_t ls_sendto(ls_socket s, const void *buf, size_t len, int flags, const ls_addr *to)
{
	lsi_sock *sk;
	ls_addr tmp;
	int64_t rc = lsi_io_begin(s, buf, len, flags, LSI_SEND_FLAGS, &sk);
	int64_t deadline;

	if (rc != 0)
		return rc;
	rc = lsi_addr_check(to, sk->family);
	if (rc == 0) {
		to = lsi_addr_target(to, &tmp);
		deadline = lsi_deadline(atomic_load(&sk->timeout_ms));
		do {
			rc = lsi_plat_sendto(sk->fd, buf, len, flags, to);
		} while (rc < 0 && lsi_retry(sk, &rc, LS_POLLOUT, flags, deadline));
	}
	lsi_sock_release(sk);
	return rc;
}

int64_t ls_recvfrom(ls_socket s, void *buf, size_t len, int flags, ls_addr *from)
{
	lsi_sock *sk;
	int64_t rc = lsi_io_begin(s, buf, len, flags, LSI_RECV_FLAGS, &sk);
	int64_t deadline;

	if (rc != 0)
		return rc;
	flags = lsi_recv_flags(sk, flags);
	deadline = lsi_deadline(atomic_load(&sk->timeout_ms));
	do {
		rc = lsi_plat_recvfrom(sk->fd, buf, len, flags, from);
	} while (rc < 0 && lsi_retry(sk, &rc, LS_POLLIN, flags, deadline));
	lsi_sock_release(sk);
	return rc;
}

/* Check an iovec array: NULL bases need zero lengths. Returns the count to use. */
static int64_t lsi_iov_check(const ls_iovec *iov, size_t count)
{
	size_t i;

	if (iov == NULL && count > 0)
		return LS_EINVAL;
	if (count > LS_IOV_MAX)
		count = LS_IOV_MAX;
	for (i = 0; i < count; i++)
		if (iov[i].base == NULL && iov[i].len > 0)
			return LS_EINVAL;
	return (int64_t)count;
}

int64_t ls_sendv(ls_socket s, const ls_iovec *iov, size_t count, int flags)
{
	lsi_sock *sk;
	int64_t n = lsi_iov_check(iov, count), rc, deadline;

	if (n < 0)
		return n;
	rc = lsi_io_begin(s, NULL, 0, flags, LSI_SEND_FLAGS, &sk);
	if (rc != 0)
		return rc;
	deadline = lsi_deadline(atomic_load(&sk->timeout_ms));
	do {
		rc = lsi_plat_sendv(sk->fd, iov, (size_t)n, flags);
	} while (rc < 0 && lsi_retry(sk, &rc, LS_POLLOUT, flags, deadline));
	lsi_sock_release(sk);
	return rc;
}

int64_t ls_recvv(ls_socket s, const ls_iovec *iov, size_t count, int flags)
{
	lsi_sock *sk;
	int64_t n = lsi_iov_check(iov, count), rc, deadline;

	if (n < 0)
		return n;
	rc = lsi_io_begin(s, NULL, 0, flags, LSI_RECV_FLAGS, &sk);
	if (rc != 0)
		return rc;
	flags = lsi_recv_flags(sk, flags);
	deadline = lsi_deadline(atomic_load(&sk->timeout_ms));
	do {
		rc = lsi_plat_recvv(sk->fd, iov, (size_t)n, flags);
	} while (rc < 0 && lsi_retry(sk, &rc, LS_POLLIN, flags, deadline));
	lsi_sock_release(sk);
	return rc;
}
