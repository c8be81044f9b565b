/*
 * share.c - listeners that share a port with the kernel balancing among
 * them (ls_listener_share). The system calls are in posix/share.c and
 * win32/share.c; this file checks what needs no OS.
 */
#include "share/share_internal.h"

/*
 * Linux and FreeBSD decide group membership when the socket binds: a mark
 * set afterwards is accepted by the OS but joins nothing, which would
 * leave the caller with a listener that silently does not balance. The
 * steering program is the opposite: on a socket that has not joined yet it
 * makes that socket a group of its own, whose bind then conflicts with the
 * group it was meant to join (EADDRINUSE, seen on Linux 6.18), so it goes on
 * a member that is bound. An unbound socket reports port 0 (or, on
 * Windows, no name at all).
 */
static int lsi_share_bound(lsi_fd fd)
{
	ls_addr a;

	return lsi_plat_getsockname(fd, &a) == 0 && a.port != 0;
}

int ls_listener_share(ls_socket s, int flags)
{
	lsi_sock *sk;
	int rc;

	if (flags & ~LS_SHARE_CPU)
		return lsi_fail(LS_EINVAL);
	rc = lsi_sock_acquire(s, &sk);
	if (rc != 0)
		return rc;
	if (sk->family != LS_AF_INET && sk->family != LS_AF_INET6)
		rc = lsi_fail(LS_EAFNOSUPPORT);
	else if (lsi_share_bound(sk->fd) != ((flags & LS_SHARE_CPU) != 0))
		rc = lsi_fail(LS_EINVAL);
	else
		rc = lsi_plat_share_port(sk->fd, flags);
	lsi_sock_release(sk);
	return rc;
}

long ls_process_id(void)
{
	return lsi_plat_process_id();
}
