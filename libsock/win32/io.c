/*
 * io.c (Windows) - send and receive, one attempt each.
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

/* LS_MSG_* to MSG_*. LS_MSG_DONTWAIT has no Winsock flag (see below). */
static int lsi_flags(int flags)
{
	int f = 0;

	if (flags & LS_MSG_PEEK)
		f |= MSG_PEEK;
	if (flags & LS_MSG_OOB)
		f |= MSG_OOB;
	if (flags & LS_MSG_WAITALL)
		f |= MSG_WAITALL;
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
static int lsi_dontwait(SOCKET s, int flags, int writable)
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
 * A receive failed with code. On a datagram socket WSAEMSGSIZE means the
 * datagram was longer than the buffer: its first len bytes are stored and
 * the rest is gone, which LS_MSG_TRUNC_OK accepts.
 */
static int64_t lsi_recv_failed(int code, int flags, int len)
{
	if (code == WSAEMSGSIZE && (flags & LSI_MSG_DGRAM) &&
	    (flags & LS_MSG_TRUNC_OK))
		return len;
	/* Receiving after shutdown(SD_RECEIVE) fails with WSAESHUTDOWN;
	 * POSIX reports the end of the stream (0), and so does libsock. */
	if (code == WSAESHUTDOWN)
		return 0;
	return lsi_win_error(code);
}

/*
 * Winsock refuses MSG_WAITALL on a non-blocking socket (and on datagram
 * sockets) with WSAEOPNOTSUPP, where POSIX just returns what is there.
 * Common code puts sockets with a timeout in non-blocking mode, so such a
 * receive is retried once without the flag, which gives the POSIX result.
 */
static int lsi_waitall_refused(int code, int flags)
{
	return code == WSAEOPNOTSUPP && (flags & LS_MSG_WAITALL) &&
	       !(flags & (LS_MSG_PEEK | LS_MSG_OOB));
}

int64_t lsi_plat_send(lsi_fd fd, const void *buf, size_t len, int flags)
{
	SOCKET s = lsi_win_sock(fd);
	int n = lsi_clamp(len);
	int rc = lsi_dontwait(s, flags, 1);

	if (rc != 0)
		return rc;
	rc = lsi_win_send(s, (const char *)buf, n, lsi_flags(flags & ~LS_MSG_WAITALL));
	if (rc == SOCKET_ERROR)
		return lsi_win_last_error();
	return rc;
}

int64_t lsi_plat_recv(lsi_fd fd, void *buf, size_t len, int flags)
{
	SOCKET s = lsi_win_sock(fd);
	int n = lsi_clamp(len);
	int rc = lsi_dontwait(s, flags, 0);
	int code;

	if (rc != 0)
		return rc;
	rc = lsi_win_recv(s, (char *)buf, n, lsi_flags(flags));
	if (rc != SOCKET_ERROR)
		return rc;
	code = WSAGetLastError();
	if (lsi_waitall_refused(code, flags)) {
		rc = lsi_win_recv(s, (char *)buf, n, lsi_flags(flags & ~LS_MSG_WAITALL));
		if (rc != SOCKET_ERROR)
			return rc;
		code = WSAGetLastError();
	}
	return lsi_recv_failed(code, flags, n);
}

int64_t lsi_plat_sendto(lsi_fd fd, const void *buf, size_t len, int flags,
                        const ls_addr *to)
{
	SOCKET s = lsi_win_sock(fd);
	lsi_sockaddr sa;
	lsi_socklen salen;
	int rc;

	if (to == NULL)
		return lsi_plat_send(fd, buf, len, flags);
	rc = lsi_addr_to_native(to, &sa, &salen);
	if (rc == 0)
		rc = lsi_dontwait(s, flags, 1);
	if (rc != 0)
		return rc;
	rc = lsi_win_sendto(s, (const char *)buf, lsi_clamp(len),
	                    lsi_flags(flags & ~LS_MSG_WAITALL), &sa.sa, salen);
	if (rc == SOCKET_ERROR)
		return lsi_win_last_error();
	return rc;
}

/* recvfrom with the WAITALL fallback; SOCKET_ERROR leaves *code set. */
static int lsi_recvfrom_once(SOCKET s, char *buf, int n, int flags,
                             lsi_sockaddr *sa, int *salen, int *code)
{
	int rc = lsi_win_recvfrom(s, buf, n, lsi_flags(flags), &sa->sa, salen);

	if (rc != SOCKET_ERROR)
		return rc;
	*code = WSAGetLastError();
	if (!lsi_waitall_refused(*code, flags))
		return rc;
	rc = lsi_win_recvfrom(s, buf, n, lsi_flags(flags & ~LS_MSG_WAITALL),
	                      &sa->sa, salen);
	if (rc == SOCKET_ERROR)
		*code = WSAGetLastError();
	return rc;
}

/*
 * The sender's address. Stream sockets leave it untouched (Winsock ignores
 * the argument there), which the zeroed buffer turns into LS_AF_UNSPEC.
 */
int64_t lsi_plat_recvfrom(lsi_fd fd, void *buf, size_t len, int flags,
                          ls_addr *from)
{
	SOCKET s = lsi_win_sock(fd);
	lsi_sockaddr sa;
	int salen = (int)sizeof sa;
	int n = lsi_clamp(len);
	int code = 0;
	int64_t got;
	int rc = lsi_dontwait(s, flags, 0);

	if (rc != 0)
		return rc;
	memset(&sa, 0, sizeof sa);
	rc = lsi_recvfrom_once(s, (char *)buf, n, flags, &sa, &salen, &code);
	got = rc != SOCKET_ERROR ? rc : lsi_recv_failed(code, flags, n);
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
	int rc = lsi_dontwait(s, flags, 1);

	if (rc != 0)
		return rc;
	n = lsi_wsabufs(iov, count < LS_IOV_MAX ? count : LS_IOV_MAX, bufs);
	if (lsi_win_wsasend(s, bufs, n, &sent,
	                    (DWORD)lsi_flags(flags & ~LS_MSG_WAITALL)) == SOCKET_ERROR)
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
 * WSARecv reports a truncated datagram as WSAEMSGSIZE (non-overlapped
 * calls) or, on some providers, as success with MSG_PARTIAL in the flags;
 * both mean the same.
 */
int64_t lsi_plat_recvv(lsi_fd fd, const ls_iovec *iov, size_t count, int flags)
{
	SOCKET s = lsi_win_sock(fd);
	WSABUF bufs[LS_IOV_MAX];
	DWORD got = 0;
	DWORD wflags;
	DWORD n;
	int rc = lsi_dontwait(s, flags, 0);
	int code;

	if (rc != 0)
		return rc;
	n = lsi_wsabufs(iov, count < LS_IOV_MAX ? count : LS_IOV_MAX, bufs);
	wflags = (DWORD)lsi_flags(flags);
	if (lsi_win_wsarecv(s, bufs, n, &got, &wflags) == SOCKET_ERROR) {
		code = WSAGetLastError();
		if (!lsi_waitall_refused(code, flags))
			return lsi_recv_failed(code, flags, (int)lsi_wsabufs_len(bufs, n));
		wflags = (DWORD)lsi_flags(flags & ~LS_MSG_WAITALL);
		if (lsi_win_wsarecv(s, bufs, n, &got, &wflags) == SOCKET_ERROR)
			return lsi_recv_failed(WSAGetLastError(), flags,
			                       (int)lsi_wsabufs_len(bufs, n));
	}
	if ((flags & LSI_MSG_DGRAM) && (wflags & MSG_PARTIAL))
		return lsi_recv_failed(WSAEMSGSIZE, flags, (int)got);
	return (int64_t)got;
}
