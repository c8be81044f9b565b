/*
 * socket.c - creating, adopting and closing sockets, and the calls that
 * set up connections: bind, listen, accept, connect, shutdown, names, and
 * the per-socket blocking mode.
 */
#include <stdlib.h>

#include "internal.h"

static int lsi_valid_family(int family)
{
	return family == LS_AF_INET || family == LS_AF_INET6 || family == LS_AF_UNIX;
}

static int lsi_valid_type(int type)
{
	return type == LS_SOCK_STREAM || type == LS_SOCK_DGRAM;
}

int ls_socket_create(ls_socket *out, int family, int type, int protocol)
{
	lsi_fd fd;
	int rc;

	if (out == NULL)
		return lsi_fail(LS_EINVAL);
	*out = LS_INVALID_SOCKET;
	if (!lsi_valid_family(family))
		return lsi_fail(LS_EAFNOSUPPORT);
	if (!lsi_valid_type(type))
		return lsi_fail(LS_EPROTOTYPE);
	if (protocol < 0)
		return lsi_fail(LS_EINVAL);
	rc = lsi_autoinit();
	if (rc == 0)
		rc = lsi_plat_socket(family, type, protocol, &fd);
	if (rc != 0)
		return rc;
	rc = lsi_sock_new(fd, family, type, protocol, LS_TIMEOUT_BLOCK, 0, out);
	if (rc != 0)
		lsi_plat_close(fd);
	return rc;
}

int ls_socket_adopt(ls_socket *out, ls_native native)
{
	int family, type, protocol, rc;

	if (out == NULL)
		return lsi_fail(LS_EINVAL);
	*out = LS_INVALID_SOCKET;
	if (native == LS_NATIVE_INVALID)
		return lsi_fail(LS_EBADF);
	rc = lsi_autoinit();
	if (rc == 0)
		rc = lsi_plat_adopt((lsi_fd)native, &family, &type, &protocol);
	if (rc == 0)
		rc = lsi_plat_set_nonblocking((lsi_fd)native, 0);
	if (rc == 0)
		rc = lsi_sock_new((lsi_fd)native, family, type, protocol, LS_TIMEOUT_BLOCK, 0, out);
	return rc;
}

int ls_socket_detach(ls_socket s, ls_native *native)
{
	lsi_sock *sk;
	lsi_fd fd;
	int rc;

	if (native == NULL)
		return lsi_fail(LS_EINVAL);
	rc = lsi_sock_acquire(s, &sk);
	if (rc != 0)
		return rc;
	/* Hand the socket back in the blocking mode callers expect of an fd. */
	if (atomic_load(&sk->flags) & LSI_SF_OS_NONBLOCK)
		lsi_plat_set_nonblocking(sk->fd, 0);
	lsi_sock_release(sk);
	rc = lsi_sock_close(s, LSI_CLOSE_DETACH, &fd);
	if (rc == 0)
		*native = (ls_native)fd;
	return rc;
}

int ls_socket_native(ls_socket s, ls_native *native)
{
	lsi_sock *sk;
	int rc;

	if (native == NULL)
		return lsi_fail(LS_EINVAL);
	rc = lsi_sock_acquire(s, &sk);
	if (rc != 0)
		return rc;
	*native = (ls_native)sk->fd;
	lsi_sock_release(sk);
	return 0;
}

int ls_socket_info(ls_socket s, int *family, int *type, int *protocol)
{
	lsi_sock *sk;
	int rc = lsi_sock_acquire(s, &sk);

	if (rc != 0)
		return rc;
	if (family != NULL)
		*family = sk->family;
	if (type != NULL)
		*type = sk->type;
	if (protocol != NULL)
		*protocol = sk->protocol;
	lsi_sock_release(sk);
	return 0;
}

int ls_close(ls_socket s)
{
	return lsi_sock_close(s, LSI_CLOSE_NORMAL, NULL);
}

int ls_abort(ls_socket s)
{
	lsi_sock *sk;
	int rc = lsi_sock_acquire(s, &sk);

	if (rc != 0)
		return rc;
	/* SO_LINGER with a zero timeout makes the OS close send a reset. */
	if (sk->type == LS_SOCK_STREAM)
		lsi_plat_setopt(sk->fd, sk->family, sk->type, &sk->memo, LS_OPT_LINGER, 0);
	lsi_sock_release(sk);
	return ls_close(s);
}

int ls_bind(ls_socket s, const ls_addr *addr)
{
	lsi_sock *sk;
	int rc = lsi_sock_acquire(s, &sk);

	if (rc != 0)
		return rc;
	rc = lsi_addr_check(addr, sk->family);
	if (rc == 0)
		rc = lsi_plat_bind(sk->fd, addr);
	lsi_sock_release(sk);
	return rc;
}

int ls_listen(ls_socket s, int backlog)
{
	lsi_sock *sk;
	int rc = lsi_sock_acquire(s, &sk);

	if (rc != 0)
		return rc;
	rc = sk->type == LS_SOCK_STREAM ? lsi_plat_listen(sk->fd, backlog) : LS_ENOTSUP;
	if (rc == 0)
		lsi_set_flag(sk, LSI_SF_LISTENING, 1);
	lsi_sock_release(sk);
	return rc;
}

/* The listener's PROXY settings, then its access rules, for one connection. */
static int lsi_admit(lsi_sock *sk, lsi_fd fd, ls_addr *peer, struct lsi_proxy_conn **conn)
{
	*conn = NULL;
	if (atomic_load_explicit(&sk->proxy_cfg, memory_order_relaxed) != NULL &&
	    !lsi_proxy_admit(sk, fd, peer, conn))
		return 0;
	if (atomic_load_explicit(&sk->acl, memory_order_relaxed) == NULL ||
	    lsi_acl_admit(sk, fd, peer))
		return 1;
	free(*conn);
	*conn = NULL;
	return 0;
}

/* One accept attempt: 0, an error, or 1 when the OS refused a denied peer. */
static int lsi_accept_once(lsi_sock *sk, lsi_fd *fd, ls_addr *peer, int nonblock)
{
	if (atomic_load_explicit(&sk->flags, memory_order_relaxed) & LSI_SF_ACL_COND)
		return lsi_acl_accept(sk, fd, peer, nonblock);
	return lsi_plat_accept(sk->fd, fd, peer, nonblock);
}

/*
 * One accepted connection that the listener's rules admit (if it has any:
 * a denied one is refused or reset and the wait goes on, against the same
 * deadline).
 */
static int64_t lsi_accept_admitted(lsi_sock *sk, lsi_fd *fd, ls_addr *peer, int nonblock,
                                   int64_t deadline, struct lsi_proxy_conn **conn)
{
	ls_addr tmp;
	int64_t rc;

	for (;;) {
		do {
			rc = lsi_accept_once(sk, fd, peer != NULL ? peer : &tmp, nonblock);
		} while (rc < 0 && lsi_retry(sk, &rc, LS_POLLIN, 0, deadline));
		if (rc < 0 || (rc == 0 && lsi_admit(sk, *fd, peer != NULL ? peer : &tmp, conn)))
			return rc;
		/* Denied: to the caller it is as if nothing had been pending. */
		if (atomic_load(&sk->timeout_ms) == 0)
			return lsi_fail(LS_EAGAIN);
		if (deadline >= 0 && lsi_remaining(deadline) == 0)
			return lsi_fail(LS_ETIMEDOUT);
	}
}

/* Accept once the listener is ready; the new socket gets its timeout. */
static int lsi_accept(lsi_sock *sk, ls_socket *out, ls_addr *peer)
{
	int64_t timeout = atomic_load(&sk->timeout_ms);
	int64_t deadline = lsi_deadline(timeout);
	int nonblock = timeout != LS_TIMEOUT_BLOCK;
	struct lsi_proxy_conn *conn = NULL;
	lsi_sock *ns;
	int64_t rc;
	lsi_fd fd;

	rc = lsi_accept_admitted(sk, &fd, peer, nonblock, deadline, &conn);
	if (rc != 0)
		return (int)rc;
	rc = lsi_sock_new(fd, sk->family, sk->type, sk->protocol, timeout, nonblock, out);
	/* The PROXY header goes with the new socket before anyone can see it. */
	if (rc == 0 && conn != NULL && lsi_sock_acquire(*out, &ns) == 0) {
		ns->proxy = conn;
		conn = NULL;
		lsi_sock_release(ns);
	}
	free(conn);
	if (rc == 0)
		lsi_stats_accepted();
	if (rc != 0)
		lsi_plat_close(fd);
	return (int)rc;
}

int ls_accept(ls_socket s, ls_socket *out, ls_addr *peer)
{
	lsi_sock *sk;
	int rc;

	if (out == NULL)
		return lsi_fail(LS_EINVAL);
	*out = LS_INVALID_SOCKET;
	rc = lsi_sock_acquire(s, &sk);
	if (rc != 0)
		return rc;
	rc = sk->type == LS_SOCK_STREAM ? lsi_accept(sk, out, peer) : LS_ENOTSUP;
	lsi_sock_release(sk);
	return rc;
}

/*
 * Wait for a connect under way to finish and read its result. An
 * interrupted blocking connect also ends up here: the OS goes on with it in
 * the background, so the only way to learn the outcome is to wait.
 */
static int lsi_connect_finish(lsi_sock *sk, int64_t deadline)
{
	int rc = lsi_wait(sk, LS_POLLOUT, deadline);

	if (rc == 0) {
		rc = lsi_plat_socket_error(sk->fd);
		lsi_set_flag(sk, LSI_SF_CONNECTING, 0);
	}
	return rc;
}

static int lsi_connect(lsi_sock *sk, const ls_addr *addr)
{
	int64_t timeout = atomic_load(&sk->timeout_ms);
	ls_addr tmp;
	int rc = lsi_plat_connect(sk->fd, lsi_addr_target(addr, &tmp));
	int connecting = (atomic_load(&sk->flags) & LSI_SF_CONNECTING) != 0;

	/*
	 * Connecting again after a non-blocking connect has completed: Linux
	 * reports success once, other OSes EISCONN. Either way it is the
	 * connect that was under way, and it is settled now, so a further
	 * connect is EISCONN on every OS.
	 */
	if (rc == 0 || (rc == LS_EISCONN && connecting)) {
		if (connecting)
			lsi_set_flag(sk, LSI_SF_CONNECTING, 0);
		return 0;
	}
	if (rc != LS_EINPROGRESS && rc != LS_EALREADY && rc != LS_EINTR)
		return rc;
	lsi_set_flag(sk, LSI_SF_CONNECTING, 1);
	if (timeout == LS_TIMEOUT_NONBLOCK || (rc == LS_EINTR && lsi_interruptible(sk)))
		return rc;
	return lsi_connect_finish(sk, lsi_deadline(timeout));
}

int ls_connect(ls_socket s, const ls_addr *addr)
{
	lsi_sock *sk;
	int rc = lsi_sock_acquire(s, &sk);

	if (rc != 0)
		return rc;
	rc = lsi_addr_check(addr, sk->family);
	if (rc == 0)
		rc = lsi_connect(sk, addr);
	lsi_sock_release(sk);
	return rc;
}

/* getsockname or getpeername: the same checks around a different OS call. */
static int lsi_name(ls_socket s, ls_addr *addr, int (*get)(lsi_fd, ls_addr *))
{
	lsi_sock *sk;
	int rc;

	if (addr == NULL)
		return lsi_fail(LS_EINVAL);
	rc = lsi_sock_acquire(s, &sk);
	if (rc != 0)
		return rc;
	rc = get(sk->fd, addr);
	lsi_sock_release(sk);
	return rc;
}

int ls_getsockname(ls_socket s, ls_addr *addr)
{
	return lsi_name(s, addr, lsi_plat_getsockname);
}

int ls_getpeername(ls_socket s, ls_addr *addr)
{
	lsi_sock *sk;
	int rc;

	/* Behind a PROXY header the peer is the real client, not the proxy. */
	if (addr != NULL && lsi_sock_acquire(s, &sk) == 0) {
		rc = lsi_proxy_peer(sk, addr);
		lsi_sock_release(sk);
		if (rc)
			return 0;
	}
	return lsi_name(s, addr, lsi_plat_getpeername);
}

int ls_shutdown(ls_socket s, int how)
{
	lsi_sock *sk;
	int rc;

	if (how != LS_SHUT_RD && how != LS_SHUT_WR && how != LS_SHUT_RDWR)
		return lsi_fail(LS_EINVAL);
	rc = lsi_sock_acquire(s, &sk);
	if (rc != 0)
		return rc;
	rc = lsi_plat_shutdown(sk->fd, how);
	/* The portable poller needs this to tell a peer's FIN from a full hang-up. */
	if (rc == 0 && how != LS_SHUT_RD)
		lsi_set_flag(sk, LSI_SF_SHUT_WR, 1);
	lsi_sock_release(sk);
	return rc;
}

int ls_set_timeout(ls_socket s, int64_t timeout_ms)
{
	lsi_sock *sk;
	int nonblock, was, rc;

	if (timeout_ms < LS_TIMEOUT_BLOCK)
		return lsi_fail(LS_EINVAL);
	rc = lsi_sock_acquire(s, &sk);
	if (rc != 0)
		return rc;
	/* Only "block forever" uses a blocking OS socket: it is the fast path. */
	nonblock = timeout_ms != LS_TIMEOUT_BLOCK;
	was = (atomic_load(&sk->flags) & LSI_SF_OS_NONBLOCK) != 0;
	if (nonblock != was)
		rc = lsi_plat_set_nonblocking(sk->fd, nonblock);
	if (rc == 0) {
		lsi_set_flag(sk, LSI_SF_OS_NONBLOCK, nonblock);
		atomic_store(&sk->timeout_ms, timeout_ms);
	}
	lsi_sock_release(sk);
	return rc;
}

int ls_get_timeout(ls_socket s, int64_t *timeout_ms)
{
	lsi_sock *sk;
	int rc;

	if (timeout_ms == NULL)
		return lsi_fail(LS_EINVAL);
	rc = lsi_sock_acquire(s, &sk);
	if (rc != 0)
		return rc;
	*timeout_ms = atomic_load(&sk->timeout_ms);
	lsi_sock_release(sk);
	return 0;
}

int ls_set_blocking(ls_socket s, int blocking)
{
	return ls_set_timeout(s, blocking ? LS_TIMEOUT_BLOCK : LS_TIMEOUT_NONBLOCK);
}

int ls_set_interruptible(ls_socket s, int interruptible)
{
	lsi_sock *sk;
	int rc = lsi_sock_acquire(s, &sk);

	if (rc != 0)
		return rc;
	lsi_set_flag(sk, LSI_SF_INTERRUPTIBLE, interruptible != 0);
	lsi_sock_release(sk);
	return 0;
}
