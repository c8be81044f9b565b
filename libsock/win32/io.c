/*
 * io.c (Windows) - send and receive.
 *
 * Windows sockets raise no signals, so there is nothing to do about
 * SIGPIPE. Lengths are int in Winsock: each call moves at most INT_MAX
 * bytes and the count returned says how much moved.
 */
#include <string.h>

#include "win32.h"

/* The part of a length one Winsock call takes. */
static int lsi_clamp(size_t len)
{
	return len > (size_t)INT_MAX ? INT_MAX : (int)len;
}

/*
 * LS_MSG_* to MSG_*. LS_MSG_DONTWAIT has no Winsock flag and LS_MSG_WAITALL
 * is not passed on either: both are emulated below.
 */
static int lsi_flags(int flags)
{
	int f = 0;

	if (flags & LS_MSG_PEEK)
		f |= MSG_PEEK;
	if (flags & LS_MSG_OOB)
		f |= MSG_OOB;
	return f;
}

/*
 * Winsock has no per-call MSG_DONTWAIT, and the socket's current blocking
 * mode cannot be read back to switch it temporarily. The flag is emulated
 * by a zero-timeout readiness check before the call: LS_EAGAIN when the
 * socket is not ready. A receive that follows a positive check does not
 * block (unless another thread takes the data first); a blocking send of
 * more bytes than the send buffer has room for may still wait until they
 * fit, as Windows accepts a whole buffer once any room is free.
 */
int lsi_win_dontwait(SOCKET s, int flags, int writable)
{
	int rc;

	if (!(flags & LS_MSG_DONTWAIT))
		return 0;
	rc = lsi_win_wait_ready(s, writable, 0);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		lsi_set_native_error(WSAEWOULDBLOCK);
		return LS_EAGAIN;
	}
	return 0;
}

/*
 * LS_MSG_WAITALL is done here with a loop, not with MSG_WAITALL: Winsock
 * refuses MSG_WAITALL on non-blocking sockets (WSAEOPNOTSUPP) and on
 * datagram sockets, and wine ignores it on blocking ones. The loop does
 * what POSIX MSG_WAITALL does: it receives until the buffer is full, the
 * stream ends or a call fails. A failure after some bytes arrived returns
 * those bytes (the failure comes back on the next call), so a non-blocking
 * socket returns what it had, as on POSIX. With MSG_PEEK every call would
 * see the same bytes again, so a peek is always a single call; a datagram
 * arrives whole, so WAITALL means nothing there.
 */
static int lsi_waitall(int flags)
{
	return (flags & LS_MSG_WAITALL) && !(flags & (LS_MSG_PEEK | LSI_MSG_DGRAM));
}

/* For a WAITALL loop with LS_MSG_DONTWAIT: stop once nothing is waiting. */
static int lsi_more_ready(SOCKET s, int flags)
{
	return !(flags & LS_MSG_DONTWAIT) || lsi_win_wait_ready(s, 0, 0) > 0;
}

/*
 * A receive failed with code. On a datagram socket WSAEMSGSIZE means the
 * datagram was longer than the buffer: its first len bytes are stored and
 * the rest is gone, which LS_MSG_TRUNC_OK accepts.
 */
static int64_t lsi_recv_failed(int code, int flags, int64_t len)
{
	if (code == WSAEMSGSIZE && (flags & LSI_MSG_DGRAM) && (flags & LS_MSG_TRUNC_OK))
		return len;
	/* Receiving after shutdown(SD_RECEIVE) fails with WSAESHUTDOWN;
	 * POSIX reports the end of the stream (0), and so does libsock. */
	if (code == WSAESHUTDOWN)
		return 0;
	return lsi_win_error(code);
}

int64_t lsi_plat_send(lsi_fd fd, const void *buf, size_t len, int flags)
{
	SOCKET s = lsi_win_sock(fd);
	int rc = lsi_win_dontwait(s, flags, 1);

	if (rc != 0)
		return rc;
	rc = lsi_win_send(s, (const char *)buf, lsi_clamp(len), lsi_flags(flags));
	if (rc == SOCKET_ERROR)
		return lsi_win_last_error();
	return rc;
}

/* One recv call; an error is returned translated. */
static int64_t lsi_recv_once(SOCKET s, char *buf, int n, int flags)
{
	int rc = lsi_win_recv(s, buf, n, lsi_flags(flags));

	if (rc == SOCKET_ERROR)
		return lsi_recv_failed(WSAGetLastError(), flags, n);
	return rc;
}

/* The LS_MSG_WAITALL loop (see lsi_waitall()). */
static int64_t lsi_recv_all(SOCKET s, char *buf, int n, int flags)
{
	int64_t got = lsi_recv_once(s, buf, n, flags);
	int64_t rc = got;

	while (rc > 0 && got < n && lsi_more_ready(s, flags)) {
		rc = lsi_recv_once(s, buf + got, n - (int)got, flags);
		if (rc > 0)
			got += rc;
	}
	return got;
}

int64_t lsi_plat_recv(lsi_fd fd, void *buf, size_t len, int flags)
{
	SOCKET s = lsi_win_sock(fd);
	int rc = lsi_win_dontwait(s, flags, 0);

	if (rc != 0)
		return rc;
	if (lsi_waitall(flags))
		return lsi_recv_all(s, (char *)buf, lsi_clamp(len), flags);
	return lsi_recv_once(s, (char *)buf, lsi_clamp(len), flags);
}

int64_t lsi_plat_sendto(lsi_fd fd, const void *buf, size_t len, int flags, const ls_addr *to)
{
	SOCKET s = lsi_win_sock(fd);
	lsi_sockaddr sa;
	lsi_socklen salen;
	int rc;

	if (to == NULL)
		return lsi_plat_send(fd, buf, len, flags);
	rc = lsi_addr_to_native(to, &sa, &salen);
	if (rc == 0)
		rc = lsi_win_dontwait(s, flags, 1);
	if (rc != 0)
		return rc;
	rc = lsi_win_sendto(s, (const char *)buf, lsi_clamp(len), lsi_flags(flags), &sa.sa, salen);
	if (rc == SOCKET_ERROR)
		return lsi_win_last_error();
	return rc;
}

/*
 * The sender's address. On a stream socket there is none: Winsock ignores
 * the argument there, POSIX reports no address, and libsock gives
 * LS_AF_UNSPEC; the receive itself is an ordinary one (WAITALL included).
 */
int64_t lsi_plat_recvfrom(lsi_fd fd, void *buf, size_t len, int flags, ls_addr *from)
{
	SOCKET s = lsi_win_sock(fd);
	lsi_sockaddr sa;
	int salen = (int)sizeof sa;
	int n = lsi_clamp(len);
	int64_t got;
	int rc;

	if (!(flags & LSI_MSG_DGRAM)) {
		got = lsi_plat_recv(fd, buf, len, flags);
		if (got >= 0 && from != NULL)
			memset(from, 0, sizeof *from);
		return got;
	}
	rc = lsi_win_dontwait(s, flags, 0);
	if (rc != 0)
		return rc;
	memset(&sa, 0, sizeof sa);
	rc = lsi_win_recvfrom(s, (char *)buf, n, lsi_flags(flags), &sa.sa, &salen);
	got = rc != SOCKET_ERROR ? rc : lsi_recv_failed(WSAGetLastError(), flags, n);
	if (got >= 0 && from != NULL) {
		rc = lsi_addr_from_native(&sa, salen, from);
		if (rc != 0)
			return rc;
	}
	return got;
}

/*
 * ls_iovec is {base, len}; WSABUF is {len, buf}, in the opposite order and
 * with a 32-bit length, so the array is rebuilt. The total is kept within
 * INT_MAX, the largest count one call reports: the buffer that crosses it
 * is shortened and later ones dropped. Returns the number of WSABUFs.
 */
static DWORD lsi_wsabufs(const ls_iovec *iov, size_t count, WSABUF *bufs)
{
	size_t room = INT_MAX;
	DWORD n = 0;
	size_t i;

	if (count > LS_IOV_MAX)
		count = LS_IOV_MAX;
	for (i = 0; i < count && room > 0; i++) {
		size_t len = iov[i].len < room ? iov[i].len : room;

		bufs[n].buf = (char *)iov[i].base;
		bufs[n].len = (ULONG)len;
		room -= len;
		n++;
	}
	if (n == 0) {
		/* No buffers still means one call, for a zero-length datagram. */
		bufs[0].buf = NULL;
		bufs[0].len = 0;
		n = 1;
	}
	return n;
}

int64_t lsi_plat_sendv(lsi_fd fd, const ls_iovec *iov, size_t count, int flags)
{
	SOCKET s = lsi_win_sock(fd);
	WSABUF bufs[LS_IOV_MAX];
	DWORD sent = 0;
	DWORD n;
	int rc = lsi_win_dontwait(s, flags, 1);

	if (rc != 0)
		return rc;
	n = lsi_wsabufs(iov, count, bufs);
	if (lsi_win_wsasend(s, bufs, n, &sent, (DWORD)lsi_flags(flags)) == SOCKET_ERROR)
		return lsi_win_last_error();
	return (int64_t)sent;
}

/* The total length of the WSABUFs, for the truncated-datagram result. */
static int64_t lsi_wsabufs_len(const WSABUF *bufs, DWORD n)
{
	int64_t total = 0;
	DWORD i;

	for (i = 0; i < n; i++)
		total += bufs[i].len;
	return total;
}

/*
 * One WSARecv call. WSARecv reports a truncated datagram as WSAEMSGSIZE
 * (non-overlapped calls) or, on some providers, as success with
 * MSG_PARTIAL in the flags; both mean the same.
 */
static int64_t lsi_recvv_once(SOCKET s, WSABUF *bufs, DWORD n, int flags)
{
	DWORD got = 0;
	DWORD wflags = (DWORD)lsi_flags(flags);

	if (lsi_win_wsarecv(s, bufs, n, &got, &wflags) == SOCKET_ERROR)
		return lsi_recv_failed(WSAGetLastError(), flags, lsi_wsabufs_len(bufs, n));
	if ((flags & LSI_MSG_DGRAM) && (wflags & MSG_PARTIAL))
		return lsi_recv_failed(WSAEMSGSIZE, flags, (int64_t)got);
	return (int64_t)got;
}

/* Step past got bytes of the buffers; returns the index of the first left. */
static DWORD lsi_wsabufs_advance(WSABUF *bufs, DWORD first, DWORD n, int64_t got)
{
	while (first < n && got >= (int64_t)bufs[first].len) {
		got -= bufs[first].len;
		first++;
	}
	if (first < n) {
		bufs[first].buf += got;
		bufs[first].len -= (ULONG)got;
	}
	return first;
}

/* The LS_MSG_WAITALL loop (see lsi_waitall()) over our copy of the buffers. */
static int64_t lsi_recvv_all(SOCKET s, WSABUF *bufs, DWORD n, int flags)
{
	int64_t got = lsi_recvv_once(s, bufs, n, flags);
	int64_t rc = got;
	DWORD first = got > 0 ? lsi_wsabufs_advance(bufs, 0, n, got) : 0;

	while (rc > 0 && first < n && lsi_more_ready(s, flags)) {
		rc = lsi_recvv_once(s, bufs + first, n - first, flags);
		if (rc > 0) {
			got += rc;
			first = lsi_wsabufs_advance(bufs, first, n, rc);
		}
	}
	return got;
}

int64_t lsi_plat_recvv(lsi_fd fd, const ls_iovec *iov, size_t count, int flags)
{
	SOCKET s = lsi_win_sock(fd);
	WSABUF bufs[LS_IOV_MAX];
	DWORD n;
	int rc = lsi_win_dontwait(s, flags, 0);

	if (rc != 0)
		return rc;
	n = lsi_wsabufs(iov, count, bufs);
	if (lsi_waitall(flags))
		return lsi_recvv_all(s, bufs, n, flags);
	return lsi_recvv_once(s, bufs, n, flags);
}
