/*
 * options.c (POSIX) - portable options (ls_option) and raw option access.
 */
#include "lsi_posix.h"
#include "lsi_sys.h"

#include <string.h>

/*
 * macOS's SO_LINGER counts in clock ticks; SO_LINGER_SEC is the same
 * option in seconds, which is what LS_OPT_LINGER promises.
 */
#ifdef SO_LINGER_SEC
#define LSI_SO_LINGER SO_LINGER_SEC
#else
#define LSI_SO_LINGER SO_LINGER
#endif

static int is_tcp_option(int option)
{
	return option == LS_OPT_NODELAY || option == LS_OPT_KEEPIDLE ||
	       option == LS_OPT_KEEPINTVL || option == LS_OPT_KEEPCNT;
}

/* Options that are 0/1 to libsock whatever the OS returns for "on". */
static int is_bool_option(int option)
{
	switch (option) {
	case LS_OPT_REUSEADDR:
	case LS_OPT_REUSEPORT:
	case LS_OPT_NODELAY:
	case LS_OPT_KEEPALIVE:
	case LS_OPT_BROADCAST:
	case LS_OPT_V6ONLY:
	case LS_OPT_ACCEPTCONN:
		return 1;
	default:
		return 0;
	}
}

/*
 * The TCP-level name of a TCP option. The idle time is TCP_KEEPIDLE on
 * Linux and the BSDs but TCP_KEEPALIVE on macOS; the probe interval and
 * count are probed together since every OS has both or neither.
 */
static int tcp_name(int option, int *name)
{
	switch (option) {
	case LS_OPT_NODELAY:
		*name = TCP_NODELAY;
		return 0;
#if HAVE_TCP_KEEPIDLE
	case LS_OPT_KEEPIDLE:
		*name = TCP_KEEPIDLE;
		return 0;
#elif HAVE_TCP_KEEPALIVE
	case LS_OPT_KEEPIDLE:
		*name = TCP_KEEPALIVE;
		return 0;
#endif
#if HAVE_TCP_KEEPINTVL
	case LS_OPT_KEEPINTVL:
		*name = TCP_KEEPINTVL;
		return 0;
	case LS_OPT_KEEPCNT:
		*name = TCP_KEEPCNT;
		return 0;
#endif
	default:
		return LS_ENOTSUP;
	}
}

static int socket_name(int option, int *name)
{
	switch (option) {
	case LS_OPT_REUSEADDR: *name = SO_REUSEADDR; return 0;
#if HAVE_SO_REUSEPORT
	case LS_OPT_REUSEPORT: *name = SO_REUSEPORT; return 0;
#endif
	case LS_OPT_KEEPALIVE: *name = SO_KEEPALIVE; return 0;
	case LS_OPT_RCVBUF: *name = SO_RCVBUF; return 0;
	case LS_OPT_SNDBUF: *name = SO_SNDBUF; return 0;
	case LS_OPT_BROADCAST: *name = SO_BROADCAST; return 0;
	case LS_OPT_LINGER: *name = LSI_SO_LINGER; return 0;
	case LS_OPT_ERROR: *name = SO_ERROR; return 0;
	case LS_OPT_TYPE: *name = SO_TYPE; return 0;
#ifdef SO_ACCEPTCONN
	case LS_OPT_ACCEPTCONN: *name = SO_ACCEPTCONN; return 0;
#endif
	default: return LS_ENOTSUP;
	}
}

/*
 * The OS level and name of a portable option, or why there is none: an
 * option that does not apply to this kind of socket is LS_ENOPROTOOPT
 * (TCP options on UDP or Unix sockets, V6ONLY off IPv6) and one this OS
 * lacks is LS_ENOTSUP.
 */
static int opt_lookup(int option, int family, int type, int *level, int *name)
{
	if (is_tcp_option(option)) {
		if (type != LS_SOCK_STREAM ||
		    (family != LS_AF_INET && family != LS_AF_INET6))
			return LS_ENOPROTOOPT;
		*level = IPPROTO_TCP;
		return tcp_name(option, name);
	}
	if (option == LS_OPT_V6ONLY) {
		if (family != LS_AF_INET6)
			return LS_ENOPROTOOPT;
		*level = IPPROTO_IPV6;
		*name = IPV6_V6ONLY;
		return 0;
	}
	*level = SOL_SOCKET;
	return socket_name(option, name);
}

static int set_int(int fd, int level, int name, int value)
{
	if (lsi_sys_setsockopt(fd, level, name, &value,
	                       (lsi_socklen)sizeof(value)) < 0)
		return lsi_posix_fail();
	return 0;
}

static int get_int(int fd, int level, int name, int *value)
{
	lsi_socklen len = (lsi_socklen)sizeof(*value);

	*value = 0;
	if (lsi_sys_getsockopt(fd, level, name, value, &len) < 0)
		return lsi_posix_fail();
	return 0;
}

/* LS_OPT_LINGER: seconds, -1 for off, as a struct linger. */
static int set_linger(int fd, int name, int value)
{
	struct linger l;

	memset(&l, 0, sizeof(l));
	l.l_onoff = value >= 0;
	l.l_linger = value >= 0 ? value : 0;
	if (lsi_sys_setsockopt(fd, SOL_SOCKET, name, &l,
	                       (lsi_socklen)sizeof(l)) < 0)
		return lsi_posix_fail();
	return 0;
}

static int get_linger(int fd, int name, int *value)
{
	struct linger l;
	lsi_socklen len = (lsi_socklen)sizeof(l);

	memset(&l, 0, sizeof(l));
	if (lsi_sys_getsockopt(fd, SOL_SOCKET, name, &l, &len) < 0)
		return lsi_posix_fail();
	*value = l.l_onoff ? l.l_linger : -1;
	return 0;
}

int lsi_plat_setopt(lsi_fd fd, int family, int type, lsi_optmemo *memo, int option,
                    int value)
{
	int level, name;
	int rc = opt_lookup(option, family, type, &level, &name);

	(void)memo; /* POSIX can read every option back. */
	if (rc != 0)
		return rc;
	switch (option) {
	case LS_OPT_ERROR:
	case LS_OPT_TYPE:
	case LS_OPT_ACCEPTCONN:
		return LS_EINVAL; /* read-only */
	case LS_OPT_LINGER:
		return set_linger((int)fd, name, value);
	default:
		return set_int((int)fd, level, name, value);
	}
}

/*
 * The pending error, translated. It is also recorded as the native error,
 * so ls_native_error() tells the errno behind a failed non-blocking connect.
 */
static int get_error(int fd, int *value)
{
	int err;
	int rc = get_int(fd, SOL_SOCKET, SO_ERROR, &err);

	if (rc == 0)
		*value = err == 0 ? 0 : lsi_posix_fail_code(err);
	return rc;
}

static int get_type(int fd, int *value)
{
	int st;
	int rc = get_int(fd, SOL_SOCKET, SO_TYPE, &st);

	if (rc != 0)
		return rc;
	*value = lsi_type_from_native(st);
	return *value < 0 ? LS_EPROTOTYPE : 0;
}

int lsi_plat_getopt(lsi_fd fd, int family, int type, lsi_optmemo *memo, int option,
                    int *value)
{
	int level, name;
	int rc = opt_lookup(option, family, type, &level, &name);

	(void)memo; /* POSIX can read every option back. */
	if (rc != 0)
		return rc;
	switch (option) {
	case LS_OPT_LINGER:
		return get_linger((int)fd, name, value);
	case LS_OPT_ERROR:
		return get_error((int)fd, value);
	case LS_OPT_TYPE:
		return get_type((int)fd, value);
	default:
		break;
	}
	rc = get_int((int)fd, level, name, value);
	/* BSD and macOS report a set flag as its option bit, not as 1. */
	if (rc == 0 && is_bool_option(option))
		*value = *value != 0;
	return rc;
}

/*
 * Raw access. Lengths beyond INT_MAX are refused: socklen_t may be
 * unsigned, but kernels treat the length as an int.
 */
int lsi_plat_setsockopt(lsi_fd fd, int level, int name, const void *value,
                        size_t len)
{
	if (len > (size_t)INT_MAX)
		return LS_EINVAL;
	if (lsi_sys_setsockopt((int)fd, level, name, value,
	                       (lsi_socklen)len) < 0)
		return lsi_posix_fail();
	return 0;
}

int lsi_plat_getsockopt(lsi_fd fd, int level, int name, void *value,
                        size_t *len)
{
	lsi_socklen l;

	if (*len > (size_t)INT_MAX)
		return LS_EINVAL;
	l = (lsi_socklen)*len;
	if (lsi_sys_getsockopt((int)fd, level, name, value, &l) < 0)
		return lsi_posix_fail();
	*len = (size_t)l;
	return 0;
}
