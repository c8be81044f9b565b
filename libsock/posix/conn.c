/*
 * conn.c (POSIX) - binding, listening, accepting, connecting, addresses,
 * shutdown and socket pairs.
 */
#include "lsi_posix.h"
#include "lsi_sys.h"

#include <string.h>

int lsi_plat_bind(lsi_fd fd, const ls_addr *addr)
{
	lsi_sockaddr sa;
	lsi_socklen len;
	int rc = lsi_addr_to_native(addr, &sa, &len);

	if (rc != 0)
		return rc;
	if (lsi_sys_bind((int)fd, &sa.sa, len) < 0)
		return lsi_posix_fail();
	return 0;
}

int lsi_plat_listen(lsi_fd fd, int backlog)
{
	if (backlog <= 0)
		backlog = SOMAXCONN;
	if (lsi_sys_listen((int)fd, backlog) < 0)
		return lsi_posix_fail();
	return 0;
}

/*
 * One accept attempt. accept4() sets close-on-exec and the blocking mode
 * atomically; *exact tells the caller it did. Kernels without accept4
 * (ENOSYS) or without its flags (EINVAL) fall back to plain accept().
 */
static int accept_once(int fd, lsi_sockaddr *sa, lsi_socklen *len,
                       int nonblocking, int *s, int *exact)
{
	*exact = 0;
#if HAVE_ACCEPT4
	*s = lsi_sys_accept4(fd, &sa->sa, len,
	                     SOCK_CLOEXEC | (nonblocking ? SOCK_NONBLOCK : 0));
	if (*s >= 0) {
		*exact = 1;
		return 0;
	}
	if (errno != ENOSYS && errno != EINVAL)
		return lsi_posix_fail();
	*len = (lsi_socklen)sizeof(*sa);
#else
	(void)nonblocking;
#endif
	*s = lsi_sys_accept(fd, &sa->sa, len);
	return *s >= 0 ? 0 : lsi_posix_fail();
}

/*
 * Settings plain accept() does not give: close-on-exec, and the blocking
 * mode set explicitly, because BSD and macOS copy O_NONBLOCK from the
 * listener while Linux does not. SO_NOSIGPIPE is set either way, since not
 * every OS copies it from the listener.
 */
static int accepted_setup(int s, int nonblocking, int exact)
{
	int rc = 0;

	if (!exact) {
		rc = lsi_posix_set_cloexec(s);
		if (rc == 0)
			rc = lsi_posix_set_nonblock(s, nonblocking);
	}
	if (rc == 0)
		rc = lsi_posix_set_nosigpipe(s);
	return rc;
}

int lsi_plat_accept(lsi_fd fd, lsi_fd *out, ls_addr *peer, int nonblocking)
{
	lsi_sockaddr sa;
	lsi_socklen len = (lsi_socklen)sizeof(sa);
	int s = -1, exact = 0, rc;

	memset(&sa, 0, sizeof(sa));
	rc = accept_once((int)fd, &sa, &len, nonblocking, &s, &exact);
	if (rc != 0)
		return rc;
	rc = accepted_setup(s, nonblocking, exact);
	if (rc == 0 && peer != NULL)
		rc = lsi_addr_from_native(&sa, len, peer);
	if (rc != 0) {
		lsi_posix_close_quietly(s);
		return rc;
	}
	*out = (lsi_fd)s;
	return 0;
}

/*
 * EINPROGRESS, EALREADY, EISCONN and EINTR all translate one to one
 * (LS_EINPROGRESS, LS_EALREADY, LS_EISCONN, LS_EINTR); after EINTR the
 * connect goes on in the background, which common code handles.
 */
int lsi_plat_connect(lsi_fd fd, const ls_addr *addr)
{
	lsi_sockaddr sa;
	lsi_socklen len;
	int rc = lsi_addr_to_native(addr, &sa, &len);

	if (rc != 0)
		return rc;
	if (lsi_sys_connect((int)fd, &sa.sa, len) < 0)
		return lsi_posix_fail();
	return 0;
}

int lsi_plat_socket_error(lsi_fd fd)
{
	int err = 0;
	lsi_socklen len = (lsi_socklen)sizeof(err);

	if (lsi_sys_getsockopt((int)fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		return lsi_posix_fail();
	return err == 0 ? 0 : lsi_posix_fail_code(err);
}

int lsi_plat_getsockname(lsi_fd fd, ls_addr *addr)
{
	lsi_sockaddr sa;
	lsi_socklen len = (lsi_socklen)sizeof(sa);

	memset(&sa, 0, sizeof(sa));
	if (lsi_sys_getsockname((int)fd, &sa.sa, &len) < 0)
		return lsi_posix_fail();
	return lsi_addr_from_native(&sa, len, addr);
}

int lsi_plat_getpeername(lsi_fd fd, ls_addr *addr)
{
	lsi_sockaddr sa;
	lsi_socklen len = (lsi_socklen)sizeof(sa);

	memset(&sa, 0, sizeof(sa));
	if (lsi_sys_getpeername((int)fd, &sa.sa, &len) < 0)
		return lsi_posix_fail();
	return lsi_addr_from_native(&sa, len, addr);
}

int lsi_plat_shutdown(lsi_fd fd, int how)
{
	int h;

	switch (how) {
	case LS_SHUT_RD:
		h = SHUT_RD;
		break;
	case LS_SHUT_WR:
		h = SHUT_WR;
		break;
	case LS_SHUT_RDWR:
		h = SHUT_RDWR;
		break;
	default:
		return LS_EINVAL;
	}
	if (lsi_sys_shutdown((int)fd, h) < 0)
		return lsi_posix_fail();
	return 0;
}

/* socketpair() with the same SOCK_CLOEXEC fallback as socket(). */
static int pair_cloexec(int type, int fds[2])
{
	int rc;

#if HAVE_SOCK_CLOEXEC
	if (lsi_sys_socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, fds) == 0)
		return 0;
	if (errno != EINVAL)
		return lsi_posix_fail();
#endif
	if (lsi_sys_socketpair(AF_UNIX, type, 0, fds) < 0)
		return lsi_posix_fail();
	rc = lsi_posix_set_cloexec(fds[0]);
	if (rc == 0)
		rc = lsi_posix_set_cloexec(fds[1]);
	if (rc != 0) {
		lsi_posix_close_quietly(fds[0]);
		lsi_posix_close_quietly(fds[1]);
	}
	return rc;
}

/*
 * Only AF_UNIX pairs are native on POSIX (LS_AF_UNSPEC means "the best the
 * OS has", which is AF_UNIX here). IP pairs are LS_ENOTSUP: common code
 * builds them over loopback.
 */
int lsi_plat_socketpair(int family, int type, lsi_fd out[2])
{
	int st = lsi_type_to_native(type);
	int fds[2] = { -1, -1 }, rc;

	if (family != LS_AF_UNIX && family != LS_AF_UNSPEC)
		return LS_ENOTSUP;
	if (st < 0)
		return LS_EPROTOTYPE;
	rc = pair_cloexec(st, fds);
	if (rc != 0)
		return rc;
	rc = lsi_posix_set_nosigpipe(fds[0]);
	if (rc == 0)
		rc = lsi_posix_set_nosigpipe(fds[1]);
	if (rc != 0) {
		lsi_posix_close_quietly(fds[0]);
		lsi_posix_close_quietly(fds[1]);
		return rc;
	}
	out[0] = (lsi_fd)fds[0];
	out[1] = (lsi_fd)fds[1];
	return 0;
}
