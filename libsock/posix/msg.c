/*
 * msg.c (POSIX) - sendmsg/recvmsg with ancillary data (RFC 3542 for IPv6,
 * IP_PKTINFO or the BSD IP_RECVDSTADDR family for IPv4) and SCM_RIGHTS.
 *
 * The control buffer is sized from what the call can carry: room for every
 * info field, plus room for exactly fds_cap descriptors on receive, so that
 * a sender passing more sockets than the receiver has room for makes the
 * kernel report MSG_CTRUNC (and close the rest) instead of libsock
 * accepting descriptors it cannot hand back.
 */
/* macOS hides the RFC 3542 names (IPV6_RECVPKTINFO, ...) without this. */
#define __APPLE_USE_RFC_3542 1

#include <stdlib.h>
#include <string.h>

#include "lsi_posix.h"
#include "lsi_sys.h"

#if HAVE_UDP_SEGMENT
#include <netinet/udp.h>
#endif

/* Room for every info cmsg this file sends or understands. */
#define LSI_CMSG_INFO_SPACE 256

typedef union lsi_cmsgbuf {
	struct cmsghdr align;
	unsigned char buf[LSI_CMSG_INFO_SPACE + CMSG_SPACE(sizeof(int) * LS_MSG_SOCKS_MAX)];
} lsi_cmsgbuf;

/* --- sending ------------------------------------------------------------- */

/* Append one cmsg; the buffer is always large enough (checked by size). */
static struct cmsghdr *lsi_cmsg_put(struct msghdr *mh, struct cmsghdr *prev, int level, int type,
                                    const void *data, size_t len)
{
	struct cmsghdr *c;

	mh->msg_controllen += CMSG_SPACE(len);
	c = prev == NULL ? CMSG_FIRSTHDR(mh) : CMSG_NXTHDR(mh, prev);
	c->cmsg_level = level;
	c->cmsg_type = type;
	c->cmsg_len = CMSG_LEN(len);
	memcpy(CMSG_DATA(c), data, len);
	return c;
}

#if HAVE_IP_PKTINFO
static struct cmsghdr *lsi_put_pktinfo4(struct msghdr *mh, struct cmsghdr *c,
                                        const ls_msginfo *info, int *rc)
{
	struct in_pktinfo pi;
	lsi_sockaddr sa;
	lsi_socklen len;

	memset(&pi, 0, sizeof(pi));
	if (info->valid & LS_MI_DST) {
		*rc = lsi_addr_to_native(&info->dst, &sa, &len);
		pi.ipi_spec_dst = sa.in4.sin_addr;
	}
	if (info->valid & LS_MI_IFINDEX)
		pi.ipi_ifindex = (int)info->ifindex;
	return lsi_cmsg_put(mh, c, IPPROTO_IP, IP_PKTINFO, &pi, sizeof(pi));
}
#else
/* No IP_PKTINFO: the BSDs choose the source with IP_SENDSRCADDR only. */
static struct cmsghdr *lsi_put_pktinfo4(struct msghdr *mh, struct cmsghdr *c,
                                        const ls_msginfo *info, int *rc)
{
#if HAVE_IP_SENDSRCADDR
	lsi_sockaddr sa;
	lsi_socklen len;

	if (!(info->valid & LS_MI_IFINDEX)) {
		*rc = lsi_addr_to_native(&info->dst, &sa, &len);
		return lsi_cmsg_put(mh, c, IPPROTO_IP, IP_SENDSRCADDR, &sa.in4.sin_addr,
		                    sizeof(sa.in4.sin_addr));
	}
#endif
	(void)mh;
	(void)info;
	*rc = LS_ENOTSUP;
	return c;
}
#endif

static struct cmsghdr *lsi_put_pktinfo6(struct msghdr *mh, struct cmsghdr *c,
                                        const ls_msginfo *info, int *rc)
{
	struct in6_pktinfo pi;
	lsi_sockaddr sa;
	lsi_socklen len;

	memset(&pi, 0, sizeof(pi));
	if (info->valid & LS_MI_DST) {
		*rc = lsi_addr_to_native(&info->dst, &sa, &len);
		pi.ipi6_addr = sa.in6.sin6_addr;
	}
	if (info->valid & LS_MI_IFINDEX)
		pi.ipi6_ifindex = info->ifindex;
	return lsi_cmsg_put(mh, c, IPPROTO_IPV6, IPV6_PKTINFO, &pi, sizeof(pi));
}

/* Per-datagram TOS/TTL on IPv4, traffic class/hop limit on IPv6: ints. */
static struct cmsghdr *lsi_put_int(struct msghdr *mh, struct cmsghdr *c, int family, unsigned field,
                                   int value)
{
	int v4 = family == LS_AF_INET;
	int type;

	if (field == LS_MI_TCLASS)
		type = v4 ? IP_TOS : IPV6_TCLASS;
	else
		type = v4 ? IP_TTL : IPV6_HOPLIMIT;
	return lsi_cmsg_put(mh, c, v4 ? IPPROTO_IP : IPPROTO_IPV6, type, &value, sizeof(value));
}

/* UDP segmentation offload: the kernel cuts the data into datagrams. */
static struct cmsghdr *lsi_put_segment(struct msghdr *mh, struct cmsghdr *c, uint32_t size, int *rc)
{
#if HAVE_UDP_SEGMENT
	uint16_t v = (uint16_t)size;

	return lsi_cmsg_put(mh, c, IPPROTO_UDP, UDP_SEGMENT, &v, sizeof(v));
#else
	(void)mh;
	(void)size;
	lsi_set_native_error(0);
	*rc = LS_ENOTSUP;
	return c;
#endif
}

int lsi_posix_put_info(struct msghdr *mh, const lsi_msg *m, struct cmsghdr **last)
{
	const ls_msginfo *info = m->info;
	struct cmsghdr *c = *last;
	int rc = 0;

	if (info == NULL || info->valid == 0)
		return 0;
	if (info->valid & (LS_MI_DST | LS_MI_IFINDEX))
		c = m->family == LS_AF_INET ? lsi_put_pktinfo4(mh, c, info, &rc)
		                            : lsi_put_pktinfo6(mh, c, info, &rc);
	if (rc == 0 && (info->valid & LS_MI_TCLASS))
		c = lsi_put_int(mh, c, m->family, LS_MI_TCLASS, info->tclass);
	if (rc == 0 && (info->valid & LS_MI_HOPS))
		c = lsi_put_int(mh, c, m->family, LS_MI_HOPS, info->hops);
	if (rc == 0 && (info->valid & LS_MI_SEGMENT))
		c = lsi_put_segment(mh, c, info->segment, &rc);
	*last = c;
	return rc;
}

static void lsi_put_fds(struct msghdr *mh, const lsi_msg *m, struct cmsghdr *last)
{
	int fds[LS_MSG_SOCKS_MAX];
	size_t i;

	if (m->nfds == 0)
		return;
	for (i = 0; i < m->nfds; i++)
		fds[i] = (int)m->fds[i];
	lsi_cmsg_put(mh, last, SOL_SOCKET, SCM_RIGHTS, fds, m->nfds * sizeof(int));
}

/* The iovecs, address and control data of a message; *v may be malloc'd. */
static int lsi_msg_prepare(struct msghdr *mh, const lsi_msg *m, struct iovec *stack,
                           struct iovec **v, lsi_sockaddr *sa)
{
	lsi_socklen salen;
	int rc;

	memset(mh, 0, sizeof(*mh));
	*v = m->iovcnt <= 64 ? stack : malloc(m->iovcnt * sizeof(**v));
	if (*v == NULL)
		return LS_ENOMEM;
	mh->msg_iov = *v;
	mh->msg_iovlen = lsi_posix_fill_iov(*v, m->iov, m->iovcnt);
	if (m->to != NULL) {
		rc = lsi_addr_to_native(m->to, sa, &salen);
		if (rc != 0)
			return rc;
		mh->msg_name = sa;
		mh->msg_namelen = salen;
	}
	return 0;
}

int64_t lsi_plat_sendmsg(lsi_fd fd, lsi_msg *m, int flags)
{
	struct iovec stack[64], *v = NULL;
	struct msghdr mh;
	struct cmsghdr *last = NULL;
	lsi_cmsgbuf cb;
	lsi_sockaddr sa;
	lsi_sigpipe_guard g;
	ssize_t n = 0;
	int rc = lsi_msg_prepare(&mh, m, stack, &v, &sa);

	if (rc == 0) {
		memset(&cb, 0, sizeof(cb));
		mh.msg_control = cb.buf;
		mh.msg_controllen = 0; /* lsi_cmsg_put() grows it */
		rc = lsi_posix_put_info(&mh, m, &last);
	}
	if (rc == 0) {
		lsi_put_fds(&mh, m, last);
		if (mh.msg_controllen == 0)
			mh.msg_control = NULL;
		lsi_sigpipe_block(&g);
		n = lsi_sys_sendmsg((int)fd, &mh, lsi_posix_msg_flags(flags) | LSI_SEND_NOSIGNAL);
		lsi_sigpipe_unblock(&g, n < 0);
		rc = n < 0 ? lsi_posix_fail() : 0;
	}
	if (v != stack)
		free(v);
	return rc != 0 ? rc : (int64_t)n;
}

/* --- receiving ------------------------------------------------------------ */

/* A TOS or TTL value: one byte on some systems (IP_TOS on Linux), an int on others. */
static int lsi_cmsg_small(const struct cmsghdr *c)
{
	int v = 0;

	if (c->cmsg_len >= CMSG_LEN(sizeof(int)))
		memcpy(&v, CMSG_DATA(c), sizeof(v));
	else if (c->cmsg_len >= CMSG_LEN(1))
		v = *(const unsigned char *)CMSG_DATA(c);
	return v;
}

static void lsi_set_small(lsi_msg *m, unsigned field, int v)
{
	if (field == LS_MI_TCLASS)
		m->info->tclass = v & 0xff;
	else
		m->info->hops = v & 0xff;
	m->info->valid |= field;
}

static void lsi_parse_ip(lsi_msg *m, const struct cmsghdr *c)
{
#if HAVE_IP_PKTINFO
	struct in_pktinfo pi;

	if (c->cmsg_type == IP_PKTINFO && c->cmsg_len >= CMSG_LEN(sizeof(pi))) {
		memcpy(&pi, CMSG_DATA(c), sizeof(pi));
		lsi_msginfo_dst(m->info, &pi.ipi_addr, 1);
		m->info->ifindex = (uint32_t)pi.ipi_ifindex;
		m->info->valid |= LS_MI_IFINDEX;
	}
#endif
#if HAVE_IP_RECVDSTADDR
	if (c->cmsg_type == IP_RECVDSTADDR && c->cmsg_len >= CMSG_LEN(sizeof(struct in_addr)))
		lsi_msginfo_dst(m->info, CMSG_DATA(c), 1);
#endif
	if (c->cmsg_type == IP_TOS)
		lsi_set_small(m, LS_MI_TCLASS, lsi_cmsg_small(c));
	if (c->cmsg_type == IP_TTL)
		lsi_set_small(m, LS_MI_HOPS, lsi_cmsg_small(c));
	/* The BSDs label the received values with the option's own name. */
	if (c->cmsg_type == IP_RECVTOS)
		lsi_set_small(m, LS_MI_TCLASS, lsi_cmsg_small(c));
	if (c->cmsg_type == IP_RECVTTL)
		lsi_set_small(m, LS_MI_HOPS, lsi_cmsg_small(c));
}

static void lsi_parse_ipv6(lsi_msg *m, const struct cmsghdr *c)
{
	struct in6_pktinfo pi;

	if (c->cmsg_type == IPV6_PKTINFO && c->cmsg_len >= CMSG_LEN(sizeof(pi))) {
		memcpy(&pi, CMSG_DATA(c), sizeof(pi));
		lsi_msginfo_dst(m->info, &pi.ipi6_addr, 0);
		m->info->ifindex = pi.ipi6_ifindex;
		m->info->valid |= LS_MI_IFINDEX;
	}
	if (c->cmsg_type == IPV6_TCLASS)
		lsi_set_small(m, LS_MI_TCLASS, lsi_cmsg_small(c));
	if (c->cmsg_type == IPV6_HOPLIMIT)
		lsi_set_small(m, LS_MI_HOPS, lsi_cmsg_small(c));
}

/* Collect passed descriptors; any beyond fds_cap are closed (never leaked). */
static void lsi_parse_fds(lsi_msg *m, const struct cmsghdr *c)
{
	size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int), i;
	int fd;

	for (i = 0; i < n; i++) {
		memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
		if (m->nfds < m->fds_cap) {
			m->fds[m->nfds++] = fd;
#if !HAVE_MSG_CMSG_CLOEXEC
			lsi_posix_set_cloexec(fd);
#endif
		} else {
			close(fd);
			m->oflags |= LS_MSGF_CTRUNC;
		}
	}
}

#if HAVE_UDP_SEGMENT
/* The size of the datagrams the kernel coalesced into this buffer. */
static void lsi_parse_gro(lsi_msg *m, const struct cmsghdr *c)
{
	int size = lsi_cmsg_small(c);

	if (size > 0) {
		m->info->segment = (uint32_t)size;
		m->info->valid |= LS_MI_SEGMENT;
	}
}
#endif

void lsi_posix_parse_control(lsi_msg *m, struct msghdr *mh)
{
	struct cmsghdr *c;

	for (c = CMSG_FIRSTHDR(mh); c != NULL; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			lsi_parse_fds(m, c);
		else if (m->info != NULL && c->cmsg_level == IPPROTO_IP)
			lsi_parse_ip(m, c);
		else if (m->info != NULL && c->cmsg_level == IPPROTO_IPV6)
			lsi_parse_ipv6(m, c);
#if HAVE_UDP_SEGMENT
		else if (m->info != NULL && c->cmsg_level == IPPROTO_UDP && c->cmsg_type == UDP_GRO)
			lsi_parse_gro(m, c);
#endif
	}
	if (mh->msg_flags & MSG_CTRUNC)
		m->oflags |= LS_MSGF_CTRUNC;
}

static void lsi_close_fds(lsi_msg *m)
{
	size_t i;

	for (i = 0; i < m->nfds; i++)
		close((int)m->fds[i]);
	m->nfds = 0;
}

/* Truncation, the source address; on failure the descriptors are closed. */
static int64_t lsi_recv_finish(lsi_msg *m, struct msghdr *mh, const lsi_sockaddr *sa, ssize_t n,
                               int flags)
{
	int rc = 0;

	if ((mh->msg_flags & MSG_TRUNC) && (flags & LSI_MSG_DGRAM)) {
		if (!(flags & LS_MSG_TRUNC_OK)) {
			lsi_set_native_error(EMSGSIZE);
			rc = LS_EMSGSIZE;
		}
		m->oflags |= LS_MSGF_TRUNC;
	}
	if (rc == 0 && m->from != NULL)
		rc = lsi_addr_from_native(sa, mh->msg_namelen, m->from);
	if (rc != 0) {
		lsi_close_fds(m);
		return rc;
	}
	return (int64_t)n;
}

int64_t lsi_plat_recvmsg(lsi_fd fd, lsi_msg *m, int flags)
{
	struct iovec stack[64], *v = NULL;
	struct msghdr mh;
	lsi_cmsgbuf cb;
	lsi_sockaddr sa;
	ssize_t n;
	int64_t rc = lsi_msg_prepare(&mh, m, stack, &v, &sa);
	int f = lsi_posix_msg_flags(flags);

#if HAVE_MSG_CMSG_CLOEXEC
	f |= MSG_CMSG_CLOEXEC;
#endif
	m->nfds = 0;
	m->oflags = 0;
	if (rc == 0) {
		memset(&sa, 0, sizeof(sa));
		mh.msg_name = &sa;
		mh.msg_namelen = sizeof(sa);
		mh.msg_control = cb.buf;
		mh.msg_controllen =
		    LSI_CMSG_INFO_SPACE + (m->fds_cap ? CMSG_SPACE(sizeof(int) * m->fds_cap) : 0);
		n = lsi_sys_recvmsg((int)fd, &mh, f);
		if (n < 0) {
			rc = lsi_posix_fail();
		} else {
			lsi_posix_parse_control(m, &mh);
			rc = lsi_recv_finish(m, &mh, &sa, n, flags);
		}
	}
	if (v != stack)
		free(v);
	return rc;
}

/* --- asking for info ------------------------------------------------------ */

static int lsi_setopt_int(lsi_fd fd, int level, int name, int on)
{
	return lsi_plat_setsockopt(fd, level, name, &on, sizeof(on));
}

static int lsi_recvinfo4(lsi_fd fd, unsigned field, int on)
{
	int rc = LS_ENOTSUP;

	if (field == LS_MI_TCLASS)
		return lsi_setopt_int(fd, IPPROTO_IP, IP_RECVTOS, on);
	if (field == LS_MI_HOPS)
		return lsi_setopt_int(fd, IPPROTO_IP, IP_RECVTTL, on);
#if HAVE_IP_PKTINFO
	rc = lsi_setopt_int(fd, IPPROTO_IP, IP_PKTINFO, on);
#elif HAVE_IP_RECVDSTADDR
	/* The BSDs: destination and interface are two options. */
	rc = lsi_setopt_int(fd, IPPROTO_IP, IP_RECVDSTADDR, on);
#endif
	return rc;
}

static int lsi_recvinfo6(lsi_fd fd, unsigned field, int on)
{
	if (field == LS_MI_TCLASS)
		return lsi_setopt_int(fd, IPPROTO_IPV6, IPV6_RECVTCLASS, on);
	if (field == LS_MI_HOPS)
		return lsi_setopt_int(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, on);
	return lsi_setopt_int(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, on);
}

int lsi_plat_recvinfo(lsi_fd fd, int family, unsigned field, int on)
{
	if (field == LS_MI_SEGMENT) {
#if HAVE_UDP_SEGMENT
		return lsi_setopt_int(fd, IPPROTO_UDP, UDP_GRO, on);
#else
		lsi_set_native_error(0);
		return LS_ENOTSUP;
#endif
	}
	return family == LS_AF_INET ? lsi_recvinfo4(fd, field, on) : lsi_recvinfo6(fd, field, on);
}
