/*
 * mmsg.c (POSIX) - batches of messages in one system call: sendmmsg and
 * recvmmsg where the OS has them (HAVE_SENDMMSG: Linux). Elsewhere both
 * return LS_ENOTSUP and common code loops over single messages.
 *
 * A chunk of up to 64 messages is laid out on the stack: one mmsghdr, one
 * address and one small control buffer per message, and a shared pool of
 * iovecs. A chunk whose messages need more iovecs than the pool holds is
 * left to the single-message loop (LS_ENOTSUP), which has no such limit.
 */
#include <string.h>

#include "lsi_posix.h"
#include "lsi_sys.h"

#if HAVE_SENDMMSG

#define LSI_MMSG_MAX 64
#define LSI_MMSG_IOV 256
#define LSI_MMSG_CTL 128

typedef union lsi_mctl {
	struct cmsghdr align;
	unsigned char buf[LSI_MMSG_CTL];
} lsi_mctl;

typedef struct lsi_mmsg_area {
	struct mmsghdr h[LSI_MMSG_MAX];
	lsi_sockaddr sa[LSI_MMSG_MAX];
	lsi_mctl ctl[LSI_MMSG_MAX];
	struct iovec pool[LSI_MMSG_IOV];
} lsi_mmsg_area;

/* The iovecs of every message, from the pool; LS_ENOTSUP if it runs out. */
static int lsi_mmsg_iov(lsi_mmsg_area *a, const lsi_msg *m, size_t count)
{
	size_t i, used = 0;

	for (i = 0; i < count; i++) {
		if (m[i].iovcnt > LSI_MMSG_IOV - used)
			return LS_ENOTSUP;
		memset(&a->h[i], 0, sizeof(a->h[i]));
		a->h[i].msg_hdr.msg_iov = a->pool + used;
		a->h[i].msg_hdr.msg_iovlen =
		    lsi_posix_fill_iov(a->pool + used, m[i].iov, m[i].iovcnt);
		used += m[i].iovcnt;
	}
	return 0;
}

static int lsi_mmsg_send_setup(lsi_mmsg_area *a, const lsi_msg *m, size_t count)
{
	struct msghdr *mh;
	struct cmsghdr *last;
	lsi_socklen len;
	size_t i;
	int rc = lsi_mmsg_iov(a, m, count);

	for (i = 0; rc == 0 && i < count; i++) {
		mh = &a->h[i].msg_hdr;
		if (m[i].to != NULL) {
			rc = lsi_addr_to_native(m[i].to, &a->sa[i], &len);
			mh->msg_name = &a->sa[i];
			mh->msg_namelen = len;
		}
		if (rc == 0 && m[i].info != NULL && m[i].info->valid != 0) {
			last = NULL;
			mh->msg_control = a->ctl[i].buf;
			rc = lsi_posix_put_info(mh, &m[i], &last);
		}
	}
	return rc;
}

int lsi_plat_sendmmsg(lsi_fd fd, lsi_msg *m, size_t count, int flags, size_t *lens)
{
	lsi_mmsg_area a;
	lsi_sigpipe_guard g;
	int n, i, rc;

	if (count > LSI_MMSG_MAX)
		count = LSI_MMSG_MAX;
	rc = lsi_mmsg_send_setup(&a, m, count);
	if (rc != 0)
		return rc;
	lsi_sigpipe_block(&g);
	n = lsi_sys_sendmmsg((int)fd, a.h, (unsigned)count,
	                     lsi_posix_msg_flags(flags) | LSI_SEND_NOSIGNAL);
	lsi_sigpipe_unblock(&g, n < 0);
	if (n < 0)
		return lsi_posix_fail();
	for (i = 0; i < n; i++)
		lens[i] = a.h[i].msg_len;
	return n;
}

static int lsi_mmsg_recv_setup(lsi_mmsg_area *a, const lsi_msg *m, size_t count)
{
	struct msghdr *mh;
	size_t i;
	int rc = lsi_mmsg_iov(a, m, count);

	for (i = 0; rc == 0 && i < count; i++) {
		mh = &a->h[i].msg_hdr;
		mh->msg_name = &a->sa[i];
		mh->msg_namelen = sizeof(a->sa[i]);
		if (m[i].info != NULL) {
			mh->msg_control = a->ctl[i].buf;
			mh->msg_controllen = sizeof(a->ctl[i].buf);
		}
	}
	return rc;
}

/* Info, truncation and the source of one received message. */
static void lsi_mmsg_finish(lsi_msg *m, struct mmsghdr *h, const lsi_sockaddr *sa)
{
	m->nfds = 0;
	m->oflags = 0;
	lsi_posix_parse_control(m, &h->msg_hdr);
	if (h->msg_hdr.msg_flags & MSG_TRUNC)
		m->oflags |= LS_MSGF_TRUNC;
	/* An address that cannot be represented is left out, never made up. */
	if (m->from != NULL && lsi_addr_from_native(sa, h->msg_hdr.msg_namelen, m->from) != 0)
		memset(m->from, 0, sizeof(*m->from));
}

int lsi_plat_recvmmsg(lsi_fd fd, lsi_msg *m, size_t count, int flags, size_t *lens)
{
	lsi_mmsg_area a;
	int n, i, rc;

	if (count > LSI_MMSG_MAX)
		count = LSI_MMSG_MAX;
	rc = lsi_mmsg_recv_setup(&a, m, count);
	if (rc != 0)
		return rc;
	/* Wait (as a single recvmsg would) for the first only. */
	n = lsi_sys_recvmmsg((int)fd, a.h, (unsigned)count,
	                     lsi_posix_msg_flags(flags) | MSG_WAITFORONE);
	if (n < 0)
		return lsi_posix_fail();
	for (i = 0; i < n; i++) {
		lsi_mmsg_finish(&m[i], &a.h[i], &a.sa[i]);
		lens[i] = a.h[i].msg_len;
	}
	return n;
}

#else /* !HAVE_SENDMMSG */

int lsi_plat_sendmmsg(lsi_fd fd, lsi_msg *m, size_t count, int flags, size_t *lens)
{
	return LS_ENOTSUP;
}

int lsi_plat_recvmmsg(lsi_fd fd, lsi_msg *m, size_t count, int flags, size_t *lens)
{
	return LS_ENOTSUP;
}

#endif
