/*
 * socket.c (POSIX) - creating, adopting and closing sockets, and the
 * per-descriptor settings every socket libsock owns must have.
 */
#include "lsi_posix.h"
#include "lsi_sys.h"

#include <string.h>

void lsi_posix_close_quietly(int fd)
{
	/* The caller already recorded its error; keep errno for it too. */
	int saved = errno;

	(void)lsi_sys_close(fd);
	errno = saved;
}

int lsi_posix_set_cloexec(int fd)
{
	int fl = lsi_sys_fcntl(fd, F_GETFD, 0);

	if (fl < 0)
		return lsi_posix_fail();
	if ((fl & FD_CLOEXEC) != 0)
		return 0;
	if (lsi_sys_fcntl(fd, F_SETFD, fl | FD_CLOEXEC) < 0)
		return lsi_posix_fail();
	return 0;
}

int lsi_posix_set_nonblock(int fd, int nonblocking)
{
	int fl = lsi_sys_fcntl(fd, F_GETFL, 0);
	int want;

	if (fl < 0)
		return lsi_posix_fail();
	want = nonblocking ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK);
	if (want != fl && lsi_sys_fcntl(fd, F_SETFL, want) < 0)
		return lsi_posix_fail();
	return 0;
}

int lsi_posix_set_nosigpipe(int fd)
{
#if HAVE_SO_NOSIGPIPE
	int one = 1;

	if (lsi_sys_setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one,
	                       (lsi_socklen)sizeof(one)) < 0)
		return lsi_posix_fail();
#else
	(void)fd;
#endif
	return 0;
}

/*
 * socket() with close-on-exec set atomically where SOCK_CLOEXEC exists, so
 * a fork+exec in another thread cannot leak the descriptor. Kernels older
 * than Linux 2.6.27 reject the flag with EINVAL; the plain call plus
 * FD_CLOEXEC is the fallback there and where the flag does not exist.
 */
static int open_cloexec(int af, int type, int proto, int *out)
{
	int fd, rc;

#if HAVE_SOCK_CLOEXEC
	fd = lsi_sys_socket(af, type | SOCK_CLOEXEC, proto);
	if (fd >= 0 || errno != EINVAL) {
		*out = fd;
		return fd >= 0 ? 0 : lsi_posix_fail();
	}
#endif
	fd = lsi_sys_socket(af, type, proto);
	if (fd < 0)
		return lsi_posix_fail();
	rc = lsi_posix_set_cloexec(fd);
	if (rc != 0) {
		lsi_posix_close_quietly(fd);
		return rc;
	}
	*out = fd;
	return 0;
}

/*
 * IPV6_V6ONLY defaults differ (Linux 0 and tunable, Windows 1, OpenBSD
 * cannot clear it), so libsock always sets 1: an IPv6 socket is IPv6 only
 * on every OS unless the caller asks otherwise.
 */
static int set_v6only(int fd)
{
	int one = 1;

	if (lsi_sys_setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
	                       (lsi_socklen)sizeof(one)) < 0)
		return lsi_posix_fail();
	return 0;
}

int lsi_plat_socket(int family, int type, int protocol, lsi_fd *out)
{
	int af = lsi_family_to_native(family);
	int st = lsi_type_to_native(type);
	int fd = -1, rc;

	if (af < 0 || af == AF_UNSPEC)
		return LS_EAFNOSUPPORT;
	if (st < 0)
		return LS_EPROTOTYPE;
	rc = open_cloexec(af, st, protocol, &fd);
	if (rc != 0)
		return rc;
	rc = lsi_posix_set_nosigpipe(fd);
	if (rc == 0 && af == AF_INET6)
		rc = set_v6only(fd);
	if (rc != 0) {
		lsi_posix_close_quietly(fd);
		return rc;
	}
	*out = (lsi_fd)fd;
	return 0;
}

static int getsockopt_int(int fd, int level, int name, int *value)
{
	lsi_socklen len = (lsi_socklen)sizeof(*value);

	*value = 0;
	if (lsi_sys_getsockopt(fd, level, name, value, &len) < 0)
		return lsi_posix_fail();
	return 0;
}

/*
 * The family comes from getsockname(): SO_DOMAIN is Linux-only. An unbound
 * socket still reports its family there.
 */
static int adopt_family(int fd, int *family)
{
	lsi_sockaddr sa;
	lsi_socklen len = (lsi_socklen)sizeof(sa);
	int fam;

	memset(&sa, 0, sizeof(sa));
	if (lsi_sys_getsockname(fd, &sa.sa, &len) < 0)
		return lsi_posix_fail();
	fam = lsi_family_from_native(sa.sa.sa_family);
	if (fam <= 0)
		return LS_EAFNOSUPPORT;
	*family = fam;
	return 0;
}

/* SO_PROTOCOL exists on Linux and FreeBSD; elsewhere the protocol is 0. */
static int adopt_protocol(int fd, int *protocol)
{
	*protocol = 0;
#ifdef SO_PROTOCOL
	return getsockopt_int(fd, SOL_SOCKET, SO_PROTOCOL, protocol);
#else
	(void)fd;
	return 0;
#endif
}

int lsi_plat_adopt(lsi_fd fd, int *family, int *type, int *protocol)
{
	int s = (int)fd;
	int st, rc;

	/* SO_TYPE first: on a non-socket it fails with ENOTSOCK. */
	rc = getsockopt_int(s, SOL_SOCKET, SO_TYPE, &st);
	if (rc != 0)
		return rc;
	*type = lsi_type_from_native(st);
	if (*type < 0)
		return LS_EPROTOTYPE;
	rc = adopt_family(s, family);
	if (rc == 0)
		rc = adopt_protocol(s, protocol);
	if (rc == 0)
		rc = lsi_posix_set_cloexec(s);
	if (rc == 0)
		rc = lsi_posix_set_nosigpipe(s);
	return rc;
}

/*
 * Never retried: after EINTR the descriptor is released on Linux and its
 * state is unspecified elsewhere, and a retry could close a descriptor
 * another thread has just been given. EINTR and EINPROGRESS (macOS, HP-UX)
 * therefore count as closed.
 */
int lsi_plat_close(lsi_fd fd)
{
	if (lsi_sys_close((int)fd) == 0)
		return 0;
	if (errno == EINTR || errno == EINPROGRESS)
		return 0;
	return lsi_posix_fail();
}

int lsi_plat_set_nonblocking(lsi_fd fd, int nonblocking)
{
	return lsi_posix_set_nonblock((int)fd, nonblocking);
}
