/*
 * io.c - sending and receiving. Each call makes one OS attempt and, only
 * if that would block on a socket with a timeout, waits and tries again:
 * the blocking fast path is a handle lookup plus the system call.
 */
#include "internal.h"
#include "lsi_fast.h"

#define LSI_SEND_FLAGS (LS_MSG_OOB | LS_MSG_DONTWAIT)
#define LSI_RECV_FLAGS (LS_MSG_PEEK | LS_MSG_OOB | LS_MSG_DONTWAIT | LS_MSG_WAITALL | LS_MSG_TRUNC_OK)

/* Check a buffer and flags, then hold the socket (released by lsi_sock_leave). */
static inline int lsi_io_begin(ls_socket s, const void *buf, size_t len, int flags, int allowed,
                               lsi_sock **sk, lsi_hazard **hz)
{
	if ((buf == NULL && len > 0) || (flags & ~allowed))
		return lsi_fail(LS_EINVAL);
	return lsi_sock_enter(s, sk, hz);
}

/* Receive flags as the platform wants them: datagram sockets detect truncation. */
static inline int lsi_recv_flags(const lsi_sock *sk, int flags)
{
	return sk->type == LS_SOCK_DGRAM ? flags | LSI_MSG_DGRAM : flags;
}

/* One I/O request: which call, and its arguments. */
typedef enum lsi_op_kind {
	LSI_OP_SEND,
	LSI_OP_RECV,
	LSI_OP_SENDTO,
	LSI_OP_RECVFROM,
	LSI_OP_SENDV,
	LSI_OP_RECVV
} lsi_op_kind;

typedef struct lsi_op {
	lsi_op_kind kind;
	void *buf; /* const for the send calls */
	size_t len;
	int flags;
	const ls_addr *to;
	ls_addr *from;
	const ls_iovec *iov;
	size_t count; /* iovec entries, for the scatter/gather calls */
} lsi_op;

/* One OS attempt of the request. */
static int64_t lsi_attempt(const lsi_sock *sk, const lsi_op *op)
{
	switch (op->kind) {
	case LSI_OP_SEND:
		return lsi_plat_send(sk->fd, op->buf, op->len, op->flags);
	case LSI_OP_RECV:
		return lsi_plat_recv(sk->fd, op->buf, op->len, op->flags);
	case LSI_OP_SENDTO:
		return lsi_plat_sendto(sk->fd, op->buf, op->len, op->flags, op->to);
	case LSI_OP_RECVFROM:
		return lsi_plat_recvfrom(sk->fd, op->buf, op->len, op->flags, op->from);
	case LSI_OP_SENDV:
		return lsi_plat_sendv(sk->fd, op->iov, op->count, op->flags);
	default:
		return lsi_plat_recvv(sk->fd, op->iov, op->count, op->flags);
	}
}

static inline int lsi_op_is_send(const lsi_op *op)
{
	return op->kind == LSI_OP_SEND || op->kind == LSI_OP_SENDTO || op->kind == LSI_OP_SENDV;
}

/*
 * After a first attempt failed with rc: wait and retry (only if it would
 * block on a socket that waits, or was interrupted) against one deadline,
 * computed here so the blocking fast path never reads the clock.
 */
static int64_t lsi_retry_op(lsi_sock *sk, const lsi_op *op, int64_t rc)
{
	short events = lsi_op_is_send(op) ? LS_POLLOUT : LS_POLLIN;
	int64_t deadline = lsi_deadline(atomic_load(&sk->timeout_ms));

	while (rc < 0 && lsi_retry(sk, &rc, events, op->flags, deadline))
		rc = lsi_attempt(sk, op);
	return rc;
}

/*
 * A receive that returned 0 bytes may have been woken by ls_close() in
 * another thread (close shuts the socket down, which reads as end of
 * stream): report the close, as documented, not a false end of stream.
 */
static int64_t lsi_recv_done(const lsi_sock *sk, const lsi_op *op, int64_t rc)
{
	if (rc == 0 && !lsi_op_is_send(op) && lsi_sock_closing(sk))
		return lsi_fail(LS_EBADF);
	return rc;
}

/* Check, acquire, one attempt, the slow path if needed, release. */
static int64_t lsi_io(ls_socket s, lsi_op *op)
{
	int allowed = lsi_op_is_send(op) ? LSI_SEND_FLAGS : LSI_RECV_FLAGS;
	lsi_sock *sk;
	lsi_hazard *hz;
	int64_t rc = lsi_io_begin(s, op->buf, op->len, op->flags, allowed, &sk, &hz);

	if (rc != 0)
		return rc;
	if (op->kind == LSI_OP_SENDTO)
		rc = lsi_addr_check(op->to, sk->family);
	if (rc == 0) {
		if (!lsi_op_is_send(op))
			op->flags = lsi_recv_flags(sk, op->flags);
		rc = lsi_attempt(sk, op);
		if (rc < 0)
			rc = lsi_retry_op(sk, op, rc);
		rc = lsi_recv_done(sk, op, rc);
	}
	lsi_count_io_at(sk, lsi_op_is_send(op), rc, lsi_fast_clock_s());
	lsi_sock_leave(sk, hz);
	return rc;
}

/*
 * The first attempt of a send or receive failed with rc (or a receive read
 * 0, which a close may cause): the general path (wait and retry, the close
 * check). Out of line, so that the fast path does not build the request it
 * never needs.
 */
static int64_t lsi_io_again(lsi_sock *sk, lsi_op_kind kind, void *buf, size_t len, int flags,
                            int64_t rc)
{
	lsi_op op = {.kind = kind, .buf = buf, .len = len, .flags = flags};

	if (rc < 0)
		rc = lsi_retry_op(sk, &op, rc);
	return lsi_recv_done(sk, &op, rc);
}

/*
 * The end of a send or receive whose first attempt returned rc: the
 * general path if that failed, then the counting and the release.
 */
static int64_t lsi_io_end(lsi_sock *sk, lsi_hazard *hz, lsi_op_kind kind, void *buf, size_t len,
                          int flags, int64_t rc)
{
	if (rc < 0 || (rc == 0 && kind == LSI_OP_RECV))
		rc = lsi_io_again(sk, kind, buf, len, flags, rc);
	lsi_count_io_at(sk, kind == LSI_OP_SEND, rc, lsi_fast_clock_s());
	lsi_sock_leave(sk, hz);
	return rc;
}

/* The fast path's first attempt failed (or a receive read 0). */
static int64_t lsi_io_fast_end(lsi_sock *sk, lsi_hazard *me, lsi_op_kind kind, void *buf,
                               size_t len, int64_t rc)
{
	return lsi_io_end(sk, me, kind, buf, len, kind == LSI_OP_RECV ? lsi_recv_flags(sk, 0) : 0,
	                  rc);
}

/* A send with flags, or any the fast path declined: checks, then one attempt. */
static LSI_NOINLINE int64_t lsi_send_general(ls_socket s, const void *buf, size_t len, int flags)
{
	lsi_sock *sk;
	lsi_hazard *hz;
	int64_t rc = lsi_io_begin(s, buf, len, flags, LSI_SEND_FLAGS, &sk, &hz);

	if (rc != 0)
		return rc;
	rc = lsi_plat_send(sk->fd, buf, len, flags);
	return lsi_io_end(sk, hz, LSI_OP_SEND, (void *)(uintptr_t)buf, len, flags, rc);
}

static LSI_NOINLINE int64_t lsi_recv_general(ls_socket s, void *buf, size_t len, int flags)
{
	lsi_sock *sk;
	lsi_hazard *hz;
	int64_t rc = lsi_io_begin(s, buf, len, flags, LSI_RECV_FLAGS, &sk, &hz);

	if (rc != 0)
		return rc;
	flags = lsi_recv_flags(sk, flags);
	rc = lsi_plat_recv(sk->fd, buf, len, flags);
	return lsi_io_end(sk, hz, LSI_OP_RECV, buf, len, flags, rc);
}

/*
 * send and recv are the calls whose per-call cost matters most (1-byte
 * messages). Their fast path covers only the common case: no flags, a
 * stream socket this thread already holds through its hazard record, a
 * first attempt that succeeds. Anything else goes, by a tail call, to the
 * general path, which checks everything again. Keeping the fast path this
 * narrow lets the compiler keep it short and straight (few registers to
 * save, no branch into the middle of another case): right after a system
 * call, every further cache line of code it runs is a likely miss.
 *
 * The way in: the socket, held by record me, or NULL (nothing held) when
 * the call is not the common case.
 */
static LSI_ALWAYS_INLINE lsi_sock *lsi_io_fast_begin(ls_socket s, const void *buf, size_t len,
                                                     int flags, lsi_hazard *me)
{
	if (LSI_UNLIKELY(flags != 0 || (buf == NULL && len > 0)))
		return NULL;
	return lsi_sock_enter_owned(s, me);
}

int64_t ls_send(ls_socket s, const void *buf, size_t len, int flags)
{
	lsi_hazard *me = lsi_hazard_mine;
	lsi_sock *sk = lsi_io_fast_begin(s, buf, len, flags, me);
	int64_t rc;

	if (LSI_UNLIKELY(sk == NULL))
		return lsi_send_general(s, buf, len, flags);
	rc = lsi_fast_send(sk->fd, buf, len);
	if (LSI_UNLIKELY(rc < 0))
		return lsi_io_fast_end(sk, me, LSI_OP_SEND, (void *)(uintptr_t)buf, len, rc);
	lsi_count_io_at(sk, 1, rc, lsi_fast_clock_s());
	lsi_sock_leave_owned(sk, me);
	return rc;
}

int64_t ls_recv(ls_socket s, void *buf, size_t len, int flags)
{
	lsi_hazard *me = lsi_hazard_mine;
	lsi_sock *sk = lsi_io_fast_begin(s, buf, len, flags, me);
	int64_t rc;

	if (LSI_UNLIKELY(sk == NULL))
		return lsi_recv_general(s, buf, len, flags);
	/* Datagram sockets detect truncation: the platform's own path. */
	rc = sk->type == LS_SOCK_DGRAM ? lsi_plat_recv(sk->fd, buf, len, LSI_MSG_DGRAM)
	                               : lsi_fast_recv(sk->fd, buf, len);
	if (LSI_UNLIKELY(rc <= 0))
		return lsi_io_fast_end(sk, me, LSI_OP_RECV, buf, len, rc);
	lsi_count_io_at(sk, 0, rc, lsi_fast_clock_s());
	lsi_sock_leave_owned(sk, me);
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
	lsi_hazard *hz;
	int64_t rc = lsi_io_begin(s, buf, len, flags, LSI_SEND_FLAGS, &sk, &hz);
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
	lsi_count_io_at(sk, 1, rc < 0 && done == 0 ? rc : (int64_t)done, lsi_fast_clock_s());
	lsi_sock_leave(sk, hz);
	if (sent != NULL)
		*sent = done;
	return rc < 0 ? (int)rc : 0;
}

int64_t ls_sendto(ls_socket s, const void *buf, size_t len, int flags, const ls_addr *to)
{
	ls_addr tmp;
	lsi_op op = {.kind = LSI_OP_SENDTO, .buf = (void *)(uintptr_t)buf, .len = len, .flags = flags};

	/* The family is checked against the socket once it is resolved. */
	op.to = to != NULL ? lsi_addr_target(to, &tmp) : NULL;
	return lsi_io(s, &op);
}

int64_t ls_recvfrom(ls_socket s, void *buf, size_t len, int flags, ls_addr *from)
{
	lsi_op op = {.kind = LSI_OP_RECVFROM, .buf = buf, .len = len, .flags = flags, .from = from};

	return lsi_io(s, &op);
}

/* Check an iovec array: NULL bases need zero lengths. Returns the count to use. */
static int64_t lsi_iov_check(const ls_iovec *iov, size_t count)
{
	size_t i;

	if (iov == NULL && count > 0)
		return lsi_fail(LS_EINVAL);
	if (count > LS_IOV_MAX)
		count = LS_IOV_MAX;
	for (i = 0; i < count; i++)
		if (iov[i].base == NULL && iov[i].len > 0)
			return lsi_fail(LS_EINVAL);
	return (int64_t)count;
}

/* Scatter/gather: the iovec array is checked before the socket is taken. */
static int64_t lsi_iov_io(ls_socket s, lsi_op_kind kind, const ls_iovec *iov, size_t count,
                          int flags)
{
	/* The platform always gets a valid array, even for (NULL, 0). */
	static const ls_iovec none = {NULL, 0};
	int64_t n = lsi_iov_check(iov, count);
	lsi_op op = {.kind = kind, .flags = flags, .iov = iov ? iov : &none};

	if (n < 0)
		return n;
	op.count = (size_t)n;
	return lsi_io(s, &op);
}

int64_t ls_sendv(ls_socket s, const ls_iovec *iov, size_t count, int flags)
{
	return lsi_iov_io(s, LSI_OP_SENDV, iov, count, flags);
}

int64_t ls_recvv(ls_socket s, const ls_iovec *iov, size_t count, int flags)
{
	return lsi_iov_io(s, LSI_OP_RECVV, iov, count, flags);
}
