/*
 * msg.c (Windows) - message calls over WSASendMsg and WSARecvMsg.
 *
 * Winsock's message calls take datagram sockets only, so a stream socket's
 * message is plain scatter/gather (lsi_plat_sendv/recvv), which is all a
 * stream message can carry there: Windows has no SCM_RIGHTS (passing
 * sockets is LS_ENOTSUP; WSADuplicateSocket is a different model).
 * Per-datagram info on send: the source address and interface
 * (IP_PKTINFO / IPV6_PKTINFO). Windows does not document a per-datagram TOS
 * or TTL for WSASendMsg, so those are LS_ENOTSUP, never silently dropped.
 */
#include <string.h>

#include "win32.h"

#define LSI_WIN_CMSG_SPACE 256

typedef union lsi_wcmsgbuf {
	WSACMSGHDR align;
	char buf[LSI_WIN_CMSG_SPACE];
} lsi_wcmsgbuf;

/* The iovecs as WSABUFs; Winsock lengths are ULONG, so each is clamped. */
static DWORD lsi_wbufs(WSABUF *w, const ls_iovec *iov, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++) {
		w[i].buf = iov[i].base;
		w[i].len = iov[i].len > (size_t)INT_MAX ? INT_MAX : (ULONG)iov[i].len;
	}
	return (DWORD)count;
}

/* --- sending ------------------------------------------------------------- */

static void *lsi_wcmsg_put(WSAMSG *wm, int level, int type, size_t len)
{
	WSACMSGHDR *c = (WSACMSGHDR *)(wm->Control.buf + wm->Control.len);

	memset(c, 0, WSA_CMSG_SPACE(len));
	c->cmsg_level = level;
	c->cmsg_type = type;
	c->cmsg_len = WSA_CMSG_LEN(len);
	wm->Control.len += (ULONG)WSA_CMSG_SPACE(len);
	return WSA_CMSG_DATA(c);
}

static int lsi_put_pktinfo(WSAMSG *wm, const lsi_msg *m)
{
	const ls_msginfo *info = m->info;
	lsi_sockaddr sa;
	int salen, rc = 0;

	memset(&sa, 0, sizeof(sa));
	if (info->valid & LS_MI_DST)
		rc = lsi_addr_to_native(&info->dst, &sa, &salen);
	if (rc != 0)
		return rc;
	if (m->family == LS_AF_INET) {
		IN_PKTINFO *pi = lsi_wcmsg_put(wm, IPPROTO_IP, IP_PKTINFO, sizeof(*pi));

		pi->ipi_addr = sa.in4.sin_addr;
		pi->ipi_ifindex = info->ifindex;
	} else {
		IN6_PKTINFO *pi = lsi_wcmsg_put(wm, IPPROTO_IPV6, IPV6_PKTINFO, sizeof(*pi));

		pi->ipi6_addr = sa.in6.sin6_addr;
		pi->ipi6_ifindex = info->ifindex;
	}
	return 0;
}

static int lsi_put_info(WSAMSG *wm, const lsi_msg *m)
{
	if (m->info == NULL || m->info->valid == 0)
		return 0;
	if (m->info->valid & (LS_MI_TCLASS | LS_MI_HOPS | LS_MI_SEGMENT)) {
		lsi_set_native_error(0);
		return LS_ENOTSUP;
	}
	return lsi_put_pktinfo(wm, m);
}

int64_t lsi_plat_sendmsg(lsi_fd fd, lsi_msg *m, int flags)
{
	SOCKET s = (SOCKET)fd;
	WSABUF w[LS_IOV_MAX];
	WSAMSG wm;
	lsi_wcmsgbuf cb;
	lsi_sockaddr sa;
	DWORD sent = 0;
	int salen, rc;

	if (m->nfds > 0) {
		lsi_set_native_error(0);
		return LS_ENOTSUP;
	}
	if (m->to == NULL && (m->info == NULL || m->info->valid == 0))
		return lsi_plat_sendv(fd, m->iov, m->iovcnt, flags);
	memset(&wm, 0, sizeof(wm));
	wm.lpBuffers = w;
	wm.dwBufferCount = lsi_wbufs(w, m->iov, m->iovcnt);
	wm.Control.buf = cb.buf;
	rc = lsi_put_info(&wm, m);
	if (rc == 0 && m->to != NULL) {
		rc = lsi_addr_to_native(m->to, &sa, &salen);
		wm.name = &sa.sa;
		wm.namelen = salen;
	}
	if (rc == 0)
		rc = lsi_win_dontwait(s, flags, 1);
	if (rc != 0)
		return rc;
	if (wm.Control.len == 0)
		wm.Control.buf = NULL;
	if (lsi_win_wsasendmsg(s, &wm, (flags & LS_MSG_OOB) ? MSG_OOB : 0, &sent) == SOCKET_ERROR)
		return lsi_win_last_error();
	return (int64_t)sent;
}

/* --- receiving ------------------------------------------------------------ */

static void lsi_set_small(lsi_msg *m, unsigned field, const WSACMSGHDR *c)
{
	int v = 0;

	if (c->cmsg_len >= WSA_CMSG_LEN(sizeof(int)))
		memcpy(&v, WSA_CMSG_DATA(c), sizeof(v));
	else if (c->cmsg_len >= WSA_CMSG_LEN(1))
		v = *(const unsigned char *)WSA_CMSG_DATA(c);
	if (field == LS_MI_TCLASS)
		m->info->tclass = v & 0xff;
	else
		m->info->hops = v & 0xff;
	m->info->valid |= field;
}

static void lsi_parse_one(lsi_msg *m, const WSACMSGHDR *c)
{
	int v4 = c->cmsg_level == IPPROTO_IP;

	if (v4 && c->cmsg_type == IP_PKTINFO && c->cmsg_len >= WSA_CMSG_LEN(sizeof(IN_PKTINFO))) {
		IN_PKTINFO pi;

		memcpy(&pi, WSA_CMSG_DATA(c), sizeof(pi));
		lsi_msginfo_dst(m->info, &pi.ipi_addr, 1);
		m->info->ifindex = pi.ipi_ifindex;
		m->info->valid |= LS_MI_IFINDEX;
	} else if (!v4 && c->cmsg_type == IPV6_PKTINFO &&
	           c->cmsg_len >= WSA_CMSG_LEN(sizeof(IN6_PKTINFO))) {
		IN6_PKTINFO pi;

		memcpy(&pi, WSA_CMSG_DATA(c), sizeof(pi));
		lsi_msginfo_dst(m->info, &pi.ipi6_addr, 0);
		m->info->ifindex = pi.ipi6_ifindex;
		m->info->valid |= LS_MI_IFINDEX;
	} else if ((v4 && c->cmsg_type == IP_TOS) || (!v4 && c->cmsg_type == IPV6_TCLASS)) {
		lsi_set_small(m, LS_MI_TCLASS, c);
	} else if ((v4 && (c->cmsg_type == IP_TTL || c->cmsg_type == IP_HOPLIMIT)) ||
	           (!v4 && c->cmsg_type == IPV6_HOPLIMIT)) {
		lsi_set_small(m, LS_MI_HOPS, c);
	}
}

static void lsi_parse_control(lsi_msg *m, WSAMSG *wm)
{
	WSACMSGHDR *c;

	if (m->info == NULL)
		return;
	for (c = WSA_CMSG_FIRSTHDR(wm); c != NULL; c = WSA_CMSG_NXTHDR(wm, c))
		if (c->cmsg_level == IPPROTO_IP || c->cmsg_level == IPPROTO_IPV6)
			lsi_parse_one(m, c);
}

/*
 * WSARecvMsg reports a datagram too long for the buffers as WSAEMSGSIZE,
 * with the buffers filled but no count (wine leaves it 0): the count is
 * then the buffers' whole size.
 */
static int64_t lsi_recv_failed(lsi_msg *m, WSAMSG *wm, int flags)
{
	int err = WSAGetLastError();
	int64_t got = 0;
	DWORD i;

	for (i = 0; i < wm->dwBufferCount; i++)
		got += wm->lpBuffers[i].len;

	if (err != WSAEMSGSIZE)
		return lsi_win_last_error();
	m->oflags |= LS_MSGF_TRUNC;
	if (!(flags & LS_MSG_TRUNC_OK)) {
		lsi_set_native_error(WSAEMSGSIZE);
		return LS_EMSGSIZE;
	}
	lsi_parse_control(m, wm);
	return got;
}

int64_t lsi_plat_recvmsg(lsi_fd fd, lsi_msg *m, int flags)
{
	SOCKET s = (SOCKET)fd;
	WSABUF w[LS_IOV_MAX];
	WSAMSG wm;
	lsi_wcmsgbuf cb;
	lsi_sockaddr sa;
	DWORD got = 0;
	int64_t rc;

	m->nfds = 0;
	m->oflags = 0;
	if (!(flags & LSI_MSG_DGRAM))
		return lsi_plat_recvv(fd, m->iov, m->iovcnt, flags);
	rc = lsi_win_dontwait(s, flags, 0);
	if (rc != 0)
		return rc;
	memset(&wm, 0, sizeof(wm));
	memset(&sa, 0, sizeof(sa));
	wm.name = &sa.sa;
	wm.namelen = sizeof(sa);
	wm.lpBuffers = w;
	wm.dwBufferCount = lsi_wbufs(w, m->iov, m->iovcnt);
	wm.Control.buf = cb.buf;
	wm.Control.len = sizeof(cb.buf);
	wm.dwFlags = (flags & LS_MSG_PEEK) ? MSG_PEEK : 0;
	if (lsi_win_wsarecvmsg(s, &wm, &got) == SOCKET_ERROR)
		rc = lsi_recv_failed(m, &wm, flags);
	else
		rc = (int64_t)got;
	if (rc >= 0 && !(m->oflags & LS_MSGF_TRUNC)) {
		if (wm.dwFlags & MSG_TRUNC)
			m->oflags |= LS_MSGF_TRUNC;
		lsi_parse_control(m, &wm);
	}
	if (wm.dwFlags & MSG_CTRUNC)
		m->oflags |= LS_MSGF_CTRUNC;
	if (rc >= 0 && m->from != NULL) {
		int arc = lsi_addr_from_native(&sa, wm.namelen, m->from);

		if (arc != 0)
			rc = arc;
	}
	return rc;
}

/* --- asking for info ------------------------------------------------------ */

static int lsi_setopt_int(lsi_fd fd, int level, int name, int on)
{
	return lsi_plat_setsockopt(fd, level, name, &on, sizeof(on));
}

int lsi_plat_recvinfo(lsi_fd fd, int family, unsigned field, int on)
{
	int v4 = family == LS_AF_INET;

	/* UDP receive coalescing (UDP_RECV_MAX_COALESCED_SIZE) is not used. */
	if (field == LS_MI_SEGMENT) {
		lsi_set_native_error(0);
		return LS_ENOTSUP;
	}
	if (field == LS_MI_TCLASS)
		return lsi_setopt_int(fd, v4 ? IPPROTO_IP : IPPROTO_IPV6,
		                      v4 ? IP_RECVTOS : IPV6_RECVTCLASS, on);
	if (field == LS_MI_HOPS)
		return lsi_setopt_int(fd, v4 ? IPPROTO_IP : IPPROTO_IPV6,
		                      v4 ? IP_RECVTTL : IPV6_HOPLIMIT, on);
	return lsi_setopt_int(fd, v4 ? IPPROTO_IP : IPPROTO_IPV6, v4 ? IP_PKTINFO : IPV6_PKTINFO,
	                      on);
}

/* Winsock has no batch calls: common code loops over single messages. */
int lsi_plat_sendmmsg(lsi_fd fd, lsi_msg *m, size_t count, int flags, size_t *lens)
{
	return LS_ENOTSUP;
}

int lsi_plat_recvmmsg(lsi_fd fd, lsi_msg *m, size_t count, int flags, size_t *lens)
{
	return LS_ENOTSUP;
}
