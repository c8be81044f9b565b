/*
 * io.c (POSIX) - send and receive: one attempt each, never SIGPIPE.
 */
#include "lsi_posix.h"
#include "lsi_sys.h"

#include <stdlib.h>
#include <string.h>


/* Iovecs kept on the stack; longer arrays are allocated. */
#define LSI_IOV_STACK 64

/* LS_MSG_* to MSG_*. LS_MSG_TRUNC_OK and LSI_MSG_DGRAM stay here. */
static inline int map_flags(int flags)
{
	int f = 0;

	/* Most calls pass no flags: skip the table walk for them. */
	if ((flags & ~LS_MSG_TRUNC_OK) == 0)
		return 0;

	if (flags & LS_MSG_PEEK)
		f |= MSG_PEEK;
	if (flags & LS_MSG_OOB)
		f |= MSG_OOB;
	if (flags & LS_MSG_DONTWAIT)
		f |= MSG_DONTWAIT;
	if (flags & LS_MSG_WAITALL)
		f |= MSG_WAITALL;
	return f;
}

/* One call moves at most SSIZE_MAX bytes; more is unspecified behaviour. */
static size_t clamp_len(size_t len)
{
	return len > (size_t)SSIZE_MAX ? (size_t)SSIZE_MAX : len;
}

/* The most iovecs one sendmsg/recvmsg takes on this system. */
static size_t iov_max(void)
{
#ifdef IOV_MAX
	return IOV_MAX;
#else
	long n = sysconf(_SC_IOV_MAX);

	/* 16 is the smallest value POSIX allows (_XOPEN_IOV_MAX). */
	return n > 0 ? (size_t)n : 16;
#endif
}

/*
 * Copy ls_iovecs into OS iovecs (their field order is not guaranteed to
 * match), keeping to IOV_MAX entries and SSIZE_MAX bytes in total: the
 * call then moves less, and the count it returns says so. Returns how many
 * entries were filled.
 */
static size_t fill_iov(struct iovec *v, const ls_iovec *iov, size_t count)
{
	size_t i, total = 0, max = iov_max();

	if (count > max)
		count = max;
	for (i = 0; i < count && total < (size_t)SSIZE_MAX; i++) {
		size_t room = (size_t)SSIZE_MAX - total;

		v[i].iov_base = iov[i].base;
		v[i].iov_len = iov[i].len < room ? iov[i].len : room;
		total += v[i].iov_len;
	}
	return i;
}

/* An iovec array for count entries: buf if it fits, else malloc'd. */
static struct iovec *iov_alloc(struct iovec *buf, size_t count)
{
	if (count <= LSI_IOV_STACK)
		return buf;
	return malloc(count * sizeof(struct iovec));
}

static int64_t send_msg(int fd, struct msghdr *m, int flags)
{
	lsi_sigpipe_guard g;
	ssize_t n;

	lsi_sigpipe_block(&g);
	n = lsi_sys_sendmsg(fd, m, map_flags(flags) | LSI_SEND_NOSIGNAL);
	lsi_sigpipe_unblock(&g, n < 0);
	return n < 0 ? lsi_posix_fail() : (int64_t)n;
}

/*
 * recvmsg() rather than recv() whenever truncation matters: only its
 * msg_flags says a datagram was longer than the buffer (MSG_TRUNC). The
 * stored bytes stay in the buffer either way.
 */
static int64_t recv_msg(int fd, struct msghdr *m, int flags)
{
	ssize_t n = lsi_sys_recvmsg(fd, m, map_flags(flags));

	if (n < 0)
		return lsi_posix_fail();
	if ((flags & LSI_MSG_DGRAM) && (m->msg_flags & MSG_TRUNC) &&
	    !(flags & LS_MSG_TRUNC_OK)) {
		lsi_set_native_error(EMSGSIZE);
		return LS_EMSGSIZE;
	}
	return (int64_t)n;
}

int64_t lsi_plat_send(lsi_fd fd, const void *buf, size_t len, int flags)
{
	lsi_sigpipe_guard g;
	ssize_t n;

	lsi_sigpipe_block(&g);
	n = lsi_sys_send((int)fd, buf, clamp_len(len),
	                 map_flags(flags) | LSI_SEND_NOSIGNAL);
	lsi_sigpipe_unblock(&g, n < 0);
	return n < 0 ? lsi_posix_fail() : (int64_t)n;
}

int64_t lsi_plat_sendto(lsi_fd fd, const void *buf, size_t len, int flags,
                        const ls_addr *to)
{
	lsi_sockaddr sa;
	lsi_socklen salen;
	lsi_sigpipe_guard g;
	ssize_t n;
	int rc;

	if (to == NULL)
		return lsi_plat_send(fd, buf, len, flags);
	rc = lsi_addr_to_native(to, &sa, &salen);
	if (rc != 0)
		return rc;
	lsi_sigpipe_block(&g);
	n = lsi_sys_sendto((int)fd, buf, clamp_len(len),
	                   map_flags(flags) | LSI_SEND_NOSIGNAL, &sa.sa, salen);
	lsi_sigpipe_unblock(&g, n < 0);
	return n < 0 ? lsi_posix_fail() : (int64_t)n;
}

int64_t lsi_plat_recv(lsi_fd fd, void *buf, size_t len, int flags)
{
	struct iovec v;
	struct msghdr m;
	ssize_t n;

	if (flags & LSI_MSG_DGRAM) {
		v.iov_base = buf;
		v.iov_len = clamp_len(len);
		memset(&m, 0, sizeof(m));
		m.msg_iov = &v;
		m.msg_iovlen = 1;
		return recv_msg((int)fd, &m, flags);
	}
	n = lsi_sys_recv((int)fd, buf, clamp_len(len), map_flags(flags));
	return n < 0 ? lsi_posix_fail() : (int64_t)n;
}

/*
 * from gets the sender; a stream socket reports no address, which comes
 * back as LS_AF_UNSPEC. An address that cannot be represented (a Unix name
 * longer than LS_UNIX_PATH_MAX) is reported as an error even though the
 * datagram was consumed, rather than handing back a wrong address.
 */
int64_t lsi_plat_recvfrom(lsi_fd fd, void *buf, size_t len, int flags,
                          ls_addr *from)
{
	struct iovec v;
	struct msghdr m;
	lsi_sockaddr sa;
	int64_t n;
	int rc;

	v.iov_base = buf;
	v.iov_len = clamp_len(len);
	memset(&m, 0, sizeof(m));
	memset(&sa, 0, sizeof(sa));
	m.msg_iov = &v;
	m.msg_iovlen = 1;
	m.msg_name = from != NULL ? &sa : NULL;
	m.msg_namelen = from != NULL ? (lsi_socklen)sizeof(sa) : 0;
	n = recv_msg((int)fd, &m, flags);
	if (n < 0 || from == NULL)
		return n;
	rc = lsi_addr_from_native(&sa, m.msg_namelen, from);
	return rc != 0 ? rc : n;
}

/* A sendmsg or recvmsg wrapper: send_msg() or recv_msg(). */
typedef int64_t (*msg_fn)(int fd, struct msghdr *m, int flags);

/* sendv and recvv differ only in the call that moves the data. */
static int64_t vec_msg(lsi_fd fd, const ls_iovec *iov, size_t count, int flags, msg_fn op)
{
	struct iovec stack[LSI_IOV_STACK];
	struct iovec *v = iov_alloc(stack, count);
	struct msghdr m;
	int64_t n;

	if (v == NULL)
		return LS_ENOMEM;
	memset(&m, 0, sizeof(m));
	m.msg_iov = v;
	m.msg_iovlen = fill_iov(v, iov, count);
	n = op((int)fd, &m, flags);
	if (v != stack)
		free(v);
	return n;
}

int64_t lsi_plat_sendv(lsi_fd fd, const ls_iovec *iov, size_t count, int flags)
{
	return vec_msg(fd, iov, count, flags, send_msg);
}

int64_t lsi_plat_recvv(lsi_fd fd, const ls_iovec *iov, size_t count, int flags)
{
	return vec_msg(fd, iov, count, flags, recv_msg);
}

/* For msg.c: the same flag mapping and iovec copy the calls above use. */
int lsi_posix_msg_flags(int flags)
{
	return map_flags(flags);
}

size_t lsi_posix_fill_iov(struct iovec *v, const ls_iovec *iov, size_t count)
{
	return fill_iov(v, iov, count);
}
