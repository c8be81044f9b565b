/*
 * socket.c (Windows) - creating, adopting, binding, connecting and closing
 * sockets.
 */
#include <string.h>

#include "win32.h"

/*
 * Failure here is not reported: a socket from a layered service provider
 * may not be a kernel handle at all, and such a handle is not inherited
 * either. Sockets made with WSA_FLAG_NO_HANDLE_INHERIT need no call.
 */
void lsi_win_no_inherit(SOCKET s)
{
	SetHandleInformation((HANDLE)s, HANDLE_FLAG_INHERIT, 0);
}

/*
 * Windows 7 before SP1 (and Vista) reject WSA_FLAG_NO_HANDLE_INHERIT with
 * WSAEINVAL; there the socket is made inheritable and the flag cleared
 * straight after. Another thread could start a child process in between,
 * which is the best those versions allow.
 */
static SOCKET lsi_create(int af, int type, int protocol)
{
	SOCKET s =
	    lsi_win_socket(af, type, protocol, WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);

	if (s != INVALID_SOCKET || WSAGetLastError() != WSAEINVAL)
		return s;
	s = lsi_win_socket(af, type, protocol, WSA_FLAG_OVERLAPPED);
	if (s != INVALID_SOCKET)
		lsi_win_no_inherit(s);
	return s;
}

/*
 * Windows reports an ICMP port-unreachable reply to an earlier sendto as a
 * WSAECONNRESET from the next recvfrom on the UDP socket (and a TTL-expired
 * reply as WSAENETRESET), which no POSIX system does and which breaks any
 * UDP server that answers many peers. Both are switched off. A Windows (or
 * wine) that does not know one of the ioctls does not produce that error
 * either, so a failure is ignored.
 */
static void lsi_udp_no_reset(SOCKET s)
{
	BOOL off = FALSE;
	DWORD ret = 0;

	lsi_win_wsaioctl(s, SIO_UDP_CONNRESET, &off, sizeof off, NULL, 0, &ret);
	lsi_win_wsaioctl(s, SIO_UDP_NETRESET, &off, sizeof off, NULL, 0, &ret);
}

/*
 * IPV6_V6ONLY defaults to 1 on Windows but 0 on Linux; libsock sets it
 * explicitly everywhere so the behaviour never depends on the OS default.
 */
static int lsi_v6only(SOCKET s)
{
	int on = 1;

	if (lsi_win_setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, (const char *)&on, (int)sizeof on) ==
	    SOCKET_ERROR)
		return lsi_win_last_error();
	return 0;
}

/* The per-socket settings lsi_plat_socket() promises after creation. */
static int lsi_setup(SOCKET s, int af, int type)
{
	int rc = 0;

	if (af == AF_INET6)
		rc = lsi_v6only(s);
	if (rc == 0 && type == SOCK_DGRAM && (af == AF_INET || af == AF_INET6))
		lsi_udp_no_reset(s);
	return rc;
}

/*
 * A Windows without AF_UNIX (before 10 1803) answers with one of several
 * codes depending on the build; all of them mean "no such family" here.
 */
static int lsi_unix_missing(int code)
{
	return code == WSAEAFNOSUPPORT || code == WSAEPROTONOSUPPORT ||
	       code == WSAESOCKTNOSUPPORT || code == WSAEINVAL;
}

int lsi_plat_socket(int family, int type, int protocol, lsi_fd *out)
{
	int af = lsi_family_to_native(family);
	int st = lsi_type_to_native(type);
	SOCKET s;
	int rc;

	if (af < 0 || af == AF_UNSPEC)
		return LS_EAFNOSUPPORT;
	if (st < 0)
		return LS_EPROTOTYPE;
	/*
	 * Windows AF_UNIX is stream only: there is no datagram kind at all,
	 * so the combination is reported as an unsupported family, as on a
	 * Windows without AF_UNIX.
	 */
	if (af == AF_UNIX && st != SOCK_STREAM)
		return LS_EAFNOSUPPORT;
	s = lsi_create(af, st, protocol);
	if (s == INVALID_SOCKET) {
		int code = WSAGetLastError();

		if (af == AF_UNIX && lsi_unix_missing(code)) {
			lsi_set_native_error(code);
			return LS_EAFNOSUPPORT;
		}
		return lsi_win_error(code);
	}
	lsi_win_soerror_forget(s);
	rc = lsi_setup(s, af, st);
	if (rc != 0) {
		lsi_win_closesocket(s);
		return rc;
	}
	*out = (lsi_fd)s;
	return 0;
}

/*
 * SO_PROTOCOL_INFOW describes even an unbound socket (getsockname fails on
 * one with WSAEINVAL), so the family comes from there.
 */
static int lsi_adopt_info(SOCKET s, int *family, int *type, int *protocol)
{
	WSAPROTOCOL_INFOW info;
	int len = (int)sizeof info;

	memset(&info, 0, sizeof info);
	if (lsi_win_getsockopt(s, SOL_SOCKET, SO_PROTOCOL_INFOW, (char *)&info, &len) ==
	    SOCKET_ERROR)
		return lsi_win_last_error();
	*family = lsi_family_from_native(info.iAddressFamily);
	if (*family <= 0)
		return LS_EAFNOSUPPORT;
	*type = lsi_type_from_native(info.iSocketType);
	if (*type < 0)
		return LS_EPROTOTYPE;
	*protocol = info.iProtocol;
	return 0;
}

int lsi_plat_adopt(lsi_fd fd, int *family, int *type, int *protocol)
{
	SOCKET s = lsi_win_sock(fd);
	int so_type = 0;
	int len = (int)sizeof so_type;
	int rc;

	/* SO_TYPE is the cheapest "is this a socket at all" test:
	 * WSAENOTSOCK becomes LS_ENOTSOCK. */
	if (lsi_win_getsockopt(s, SOL_SOCKET, SO_TYPE, (char *)&so_type, &len) == SOCKET_ERROR)
		return lsi_win_last_error();
	rc = lsi_adopt_info(s, family, type, protocol);
	if (rc != 0)
		return rc;
	lsi_win_no_inherit(s);
	lsi_win_soerror_forget(s);
	/* IPV6_V6ONLY is left alone: it cannot change once the socket is
	 * bound, and the owner may have chosen it on purpose. */
	if (*type == LS_SOCK_DGRAM && *family != LS_AF_UNIX)
		lsi_udp_no_reset(s);
	return 0;
}

int lsi_plat_close(lsi_fd fd)
{
	lsi_win_soerror_forget(lsi_win_sock(fd));
	if (lsi_win_closesocket(lsi_win_sock(fd)) == SOCKET_ERROR)
		return lsi_win_last_error();
	return 0;
}

int lsi_plat_set_nonblocking(lsi_fd fd, int nonblocking)
{
	u_long mode = nonblocking ? 1 : 0;

	if (lsi_win_ioctlsocket(lsi_win_sock(fd), FIONBIO, &mode) == SOCKET_ERROR)
		return lsi_win_last_error();
	return 0;
}

int lsi_plat_bind(lsi_fd fd, const ls_addr *addr)
{
	lsi_sockaddr sa;
	lsi_socklen len;
	int rc = lsi_addr_to_native(addr, &sa, &len);

	if (rc != 0)
		return rc;
	if (lsi_win_bind(lsi_win_sock(fd), &sa.sa, len) == SOCKET_ERROR)
		return lsi_win_last_error();
	return 0;
}

int lsi_plat_listen(lsi_fd fd, int backlog)
{
	if (backlog <= 0)
		backlog = SOMAXCONN;
	if (lsi_win_listen(lsi_win_sock(fd), backlog) == SOCKET_ERROR)
		return lsi_win_last_error();
	return 0;
}

/*
 * An accepted socket inherits the listener's non-blocking mode on Windows
 * (not on Linux), so the mode is always set explicitly; it also inherits
 * the listener's other properties, but inheritance is cleared anyway in
 * case the listener was adopted from a program that left it inheritable.
 */
static int lsi_accepted_setup(SOCKET s, int nonblocking)
{
	u_long mode = nonblocking ? 1 : 0;

	lsi_win_no_inherit(s);
	lsi_win_soerror_forget(s);
	if (lsi_win_ioctlsocket(s, FIONBIO, &mode) == SOCKET_ERROR)
		return lsi_win_last_error();
	return 0;
}

int lsi_win_accepted(SOCKET s, const lsi_sockaddr *sa, int len, ls_addr *peer, int nonblocking,
                     lsi_fd *out)
{
	int rc = lsi_accepted_setup(s, nonblocking);

	if (rc == 0 && peer != NULL)
		rc = lsi_addr_from_native(sa, len, peer);
	if (rc != 0) {
		lsi_win_closesocket(s);
		return rc;
	}
	*out = (lsi_fd)s;
	return 0;
}

int lsi_plat_accept(lsi_fd fd, lsi_fd *out, ls_addr *peer, int nonblocking)
{
	lsi_sockaddr sa;
	int len = (int)sizeof sa;
	SOCKET s;

	memset(&sa, 0, sizeof sa);
	s = lsi_win_accept(lsi_win_sock(fd), &sa.sa, &len);
	if (s == INVALID_SOCKET)
		return lsi_win_last_error();
	return lsi_win_accepted(s, &sa, len, peer, nonblocking, out);
}

int lsi_plat_connect(lsi_fd fd, const ls_addr *addr)
{
	lsi_sockaddr sa;
	lsi_socklen len;
	int rc = lsi_addr_to_native(addr, &sa, &len);
	int code;

	if (rc != 0)
		return rc;
	/* A new attempt: an earlier failure reported by SO_ERROR is over. */
	lsi_win_soerror_forget(lsi_win_sock(fd));
	if (lsi_win_connect(lsi_win_sock(fd), &sa.sa, len) != SOCKET_ERROR)
		return 0;
	code = WSAGetLastError();
	switch (code) {
	case WSAEWOULDBLOCK:
		/* Windows' way of saying EINPROGRESS for a connect. */
		lsi_set_native_error(code);
		return LS_EINPROGRESS;
	case WSAEINVAL:
		/* Windows answers a second connect while one is pending with
		 * WSAEINVAL (older builds) or WSAEALREADY. */
		lsi_set_native_error(code);
		return LS_EALREADY;
	default:
		return lsi_win_error(code);
	}
}

int lsi_plat_socket_error(lsi_fd fd)
{
	int value = 0;
	int rc = lsi_win_so_error(lsi_win_sock(fd), &value);

	return rc != 0 ? rc : value;
}

/*
 * getsockname on a socket that is not bound fails on Windows with
 * WSAEINVAL, where POSIX reports the unspecified address of the socket's
 * family with port 0 (or an unnamed Unix address). libsock gives the POSIX
 * answer; the family comes from SO_PROTOCOL_INFOW.
 */
static int lsi_unbound_name(SOCKET s, ls_addr *addr)
{
	int family = LS_AF_UNSPEC, type = 0, protocol = 0;
	int rc = lsi_adopt_info(s, &family, &type, &protocol);

	if (rc != 0)
		return rc;
	memset(addr, 0, sizeof *addr);
	addr->family = (uint16_t)family;
	return 0;
}

/* getsockname/getpeername share the conversion. */
static int lsi_name(int peer, lsi_fd fd, ls_addr *addr)
{
	SOCKET s = lsi_win_sock(fd);
	lsi_sockaddr sa;
	int len = (int)sizeof sa;
	int r;

	memset(&sa, 0, sizeof sa);
	if (peer)
		r = lsi_win_getpeername(s, &sa.sa, &len);
	else
		r = lsi_win_getsockname(s, &sa.sa, &len);
	if (r == SOCKET_ERROR) {
		int code = WSAGetLastError();

		if (!peer && code == WSAEINVAL)
			return lsi_unbound_name(s, addr);
		return lsi_win_error(code);
	}
	return lsi_addr_from_native(&sa, len, addr);
}

int lsi_plat_getsockname(lsi_fd fd, ls_addr *addr)
{
	return lsi_name(0, fd, addr);
}

int lsi_plat_getpeername(lsi_fd fd, ls_addr *addr)
{
	return lsi_name(1, fd, addr);
}

int lsi_plat_shutdown(lsi_fd fd, int how)
{
	SOCKET s = lsi_win_sock(fd);
	int sd;
	int rc;

	switch (how) {
	case LS_SHUT_RD:
		sd = SD_RECEIVE;
		break;
	case LS_SHUT_WR:
		sd = SD_SEND;
		break;
	case LS_SHUT_RDWR:
		sd = SD_BOTH;
		break;
	default:
		return LS_EINVAL;
	}
	rc = lsi_win_shutdown(s, sd) == SOCKET_ERROR ? lsi_win_last_error() : 0;
	/*
	 * On Linux, shutting a socket down wakes every call blocked on it,
	 * and common code relies on that to wake them when the socket is
	 * closed. Windows (and wine) wake nobody, and cannot shut down a
	 * listener at all (WSAENOTCONN). Cancelling the handle's pending I/O
	 * does wake blocked recv, send, accept and WSAPoll calls of every
	 * thread (they fail with WSA_OPERATION_ABORTED, reported as
	 * LS_EINTR). Only a full shutdown does it: nothing more can move in
	 * either direction then, so no transfer is lost by the cancel.
	 */
	if (how == LS_SHUT_RDWR)
		lsi_win_cancel_io(s);
	return rc;
}

/*
 * Windows has no socketpair(). An AF_UNIX stream pair could be built from
 * a listener on a temporary path, but that path is visible to every
 * process that can read the directory until it is removed, it fails on
 * Windows before 10 1803 and on file systems without reparse points, and
 * it gives no datagram pairs. Common code's authenticated loopback pair
 * works everywhere, so it is used for every family and type.
 */
int lsi_plat_socketpair(int family, int type, lsi_fd out[2])
{
	(void)family;
	(void)type;
	(void)out;
	return LS_ENOTSUP;
}
