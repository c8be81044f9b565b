/*
 * options.c (Windows) - portable and raw socket options.
 */
#include <string.h>

#include "win32.h"

/* Where a portable option lives in Winsock. */
typedef struct lsi_optdesc {
	int level;
	int name;
} lsi_optdesc;

static int lsi_ip_family(int family)
{
	return family == LS_AF_INET || family == LS_AF_INET6;
}

/* TCP-level options apply only to TCP: stream sockets of an IP family. */
static int lsi_tcp_opt(int family, int type, int name, lsi_optdesc *d)
{
	if (type != LS_SOCK_STREAM || !lsi_ip_family(family))
		return LS_ENOPROTOOPT;
	d->level = IPPROTO_TCP;
	d->name = name;
	return 0;
}

static int lsi_sol_opt(int name, lsi_optdesc *d)
{
	d->level = SOL_SOCKET;
	d->name = name;
	return 0;
}

/*
 * The Winsock level and name of an int-valued portable option. LINGER,
 * ERROR and REUSEPORT are handled by their callers.
 */
static int lsi_describe(int family, int type, int option, lsi_optdesc *d)
{
	switch (option) {
	case LS_OPT_REUSEADDR:
		/*
		 * SO_REUSEADDR on Windows lets any other socket bind the same
		 * address and port even while this one is listening on it,
		 * so another process could steal its connections. Rebinding
		 * a port whose old connections are in TIME_WAIT, which is all
		 * the POSIX option is for, already works on Windows without
		 * it. What a careful server wants is SO_EXCLUSIVEADDRUSE:
		 * nobody else can bind the port while it is in use.
		 */
		return lsi_sol_opt(SO_EXCLUSIVEADDRUSE, d);
	case LS_OPT_NODELAY:
		return lsi_tcp_opt(family, type, TCP_NODELAY, d);
	case LS_OPT_KEEPALIVE:
		return lsi_sol_opt(SO_KEEPALIVE, d);
	case LS_OPT_KEEPIDLE:
		return lsi_tcp_opt(family, type, TCP_KEEPIDLE, d);
	case LS_OPT_KEEPINTVL:
		return lsi_tcp_opt(family, type, TCP_KEEPINTVL, d);
	case LS_OPT_KEEPCNT:
		return lsi_tcp_opt(family, type, TCP_KEEPCNT, d);
	case LS_OPT_RCVBUF:
		return lsi_sol_opt(SO_RCVBUF, d);
	case LS_OPT_SNDBUF:
		return lsi_sol_opt(SO_SNDBUF, d);
	case LS_OPT_BROADCAST:
		return lsi_sol_opt(SO_BROADCAST, d);
	case LS_OPT_V6ONLY:
		if (family != LS_AF_INET6)
			return LS_ENOPROTOOPT;
		d->level = IPPROTO_IPV6;
		d->name = IPV6_V6ONLY;
		return 0;
	case LS_OPT_TYPE:
		return lsi_sol_opt(SO_TYPE, d);
	case LS_OPT_ACCEPTCONN:
		return lsi_sol_opt(SO_ACCEPTCONN, d);
	default:
		return LS_EINVAL;
	}
}

/* Options whose value is 0/1 (Winsock BOOL options may report any nonzero). */
static int lsi_boolean(int option)
{
	switch (option) {
	case LS_OPT_REUSEADDR:
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
 * The keepalive tuning options exist from Windows 10 1703/1709 on; older
 * builds reject them with WSAENOPROTOOPT or WSAEINVAL. Idle time and
 * interval then go through keepalive.c; for the probe count this means
 * "this system lacks the option".
 */
static int lsi_opt_failed(int option, int code)
{
	if (option == LS_OPT_KEEPCNT && (code == WSAENOPROTOOPT || code == WSAEINVAL)) {
		lsi_set_native_error(code);
		return LS_ENOTSUP;
	}
	return lsi_win_error(code);
}

/* struct linger has u_short fields on Windows; -1 is "off". */
static int lsi_set_linger(SOCKET s, int value)
{
	struct linger l;

	l.l_onoff = value >= 0;
	l.l_linger = (u_short)(value < 0 ? 0 : value > 65535 ? 65535 : value);
	if (lsi_win_setsockopt(s, SOL_SOCKET, SO_LINGER, (const char *)&l, (int)sizeof l) ==
	    SOCKET_ERROR)
		return lsi_win_last_error();
	return 0;
}

static int lsi_get_linger(SOCKET s, int *value)
{
	struct linger l;
	int len = (int)sizeof l;

	memset(&l, 0, sizeof l);
	if (lsi_win_getsockopt(s, SOL_SOCKET, SO_LINGER, (char *)&l, &len) == SOCKET_ERROR)
		return lsi_win_last_error();
	*value = l.l_onoff ? (int)l.l_linger : -1;
	return 0;
}

int lsi_plat_setopt(lsi_fd fd, int family, int type, lsi_optmemo *memo, int option,
                    int value)
{
	SOCKET s = lsi_win_sock(fd);
	lsi_optdesc d;
	int rc;

	switch (option) {
	case LS_OPT_REUSEPORT:
		/* Windows has no SO_REUSEPORT; SO_REUSEADDR is not one. */
		return LS_ENOTSUP;
	case LS_OPT_LINGER:
		return lsi_set_linger(s, value);
	case LS_OPT_ERROR:
	case LS_OPT_TYPE:
	case LS_OPT_ACCEPTCONN:
		return LS_EINVAL; /* read-only */
	}
	rc = lsi_describe(family, type, option, &d);
	if (rc != 0)
		return rc;
	if (lsi_boolean(option))
		value = value != 0;
	if (lsi_win_setsockopt(s, d.level, d.name, (const char *)&value, (int)sizeof value) ==
	    SOCKET_ERROR) {
		int code = WSAGetLastError();

		if (lsi_win_keepalive_missing(option, code))
			return lsi_win_keepalive_set(s, memo, option, value);
		return lsi_opt_failed(option, code);
	}
	if (option == LS_OPT_KEEPALIVE && value)
		return lsi_win_keepalive_reapply(s, memo);
	return 0;
}

int lsi_plat_getopt(lsi_fd fd, int family, int type, lsi_optmemo *memo, int option,
                    int *value)
{
	SOCKET s = lsi_win_sock(fd);
	lsi_optdesc d;
	/* Zeroed: some BOOL options (TCP_NODELAY) report only one byte. */
	int v = 0;
	int len = (int)sizeof v;
	int rc;

	switch (option) {
	case LS_OPT_REUSEPORT:
		return LS_ENOTSUP;
	case LS_OPT_LINGER:
		return lsi_get_linger(s, value);
	case LS_OPT_ERROR:
		return lsi_win_so_error(s, value);
	}
	rc = lsi_describe(family, type, option, &d);
	if (rc != 0)
		return rc;
	if (lsi_win_getsockopt(s, d.level, d.name, (char *)&v, &len) == SOCKET_ERROR) {
		int code = WSAGetLastError();

		if (lsi_win_keepalive_missing(option, code))
			return lsi_win_keepalive_get(memo, option, value);
		return lsi_opt_failed(option, code);
	}
	if (option == LS_OPT_TYPE) {
		v = lsi_type_from_native(v);
		if (v < 0)
			return LS_EPROTOTYPE;
	} else if (lsi_boolean(option)) {
		v = v != 0;
	}
	*value = v;
	return 0;
}

int lsi_plat_setsockopt(lsi_fd fd, int level, int name, const void *value, size_t len)
{
	if (len > (size_t)INT_MAX)
		return LS_EINVAL;
	if (lsi_win_setsockopt(lsi_win_sock(fd), level, name, (const char *)value, (int)len) ==
	    SOCKET_ERROR)
		return lsi_win_last_error();
	return 0;
}

int lsi_plat_getsockopt(lsi_fd fd, int level, int name, void *value, size_t *len)
{
	int n;

	if (*len > (size_t)INT_MAX)
		return LS_EINVAL;
	n = (int)*len;
	if (lsi_win_getsockopt(lsi_win_sock(fd), level, name, (char *)value, &n) == SOCKET_ERROR)
		return lsi_win_last_error();
	*len = n < 0 ? 0 : (size_t)n;
	return 0;
}
