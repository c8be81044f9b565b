/*
 * lsp_msg.c - sendmsg, recvmsg and recvmsg_into on libsock's message calls
 * (ls_sendmsg / ls_recvmsg), with stdlib's arguments and results.
 *
 * stdlib hands raw control messages to the kernel and back; libsock carries
 * per-datagram information in portable form (ls_msginfo) and passes sockets
 * as handles. This file translates between the two:
 *  - sending: each (level, type, data) item is parsed as the kernel would
 *    parse it and becomes a field of ls_msginfo, or a socket to pass;
 *    an item libsock cannot carry raises OSError(EOPNOTSUPP), never dropped.
 *  - receiving: the fields libsock reports become the items the kernel
 *    would have written, in the kernel's order and format, and the
 *    caller's ancbufsize is applied as the kernel applies msg_controllen
 *    (items cut or left out, MSG_CTRUNC), so results match stdlib's.
 *  - SCM_RIGHTS: descriptors of this binding's sockets are passed by their
 *    handle; any other socket is adopted for the call and detached after,
 *    with its mode restored, so the caller's descriptor stays its own and
 *    open. Received sockets arrive as handles and are detached to plain
 *    descriptors, which is what stdlib returns.
 * Options whose ancillary data libsock does not carry (timestamps,
 * credentials, ...) are tracked by setsockopt; recvmsg on such a socket
 * raises rather than dropping that data.
 */
#include "lsp.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#endif
#if defined(__linux__)
#include <linux/udp.h>
#endif

#ifdef _WIN32
#define LSP_CMSG_LEN(n) WSA_CMSG_LEN(n)
#define LSP_CMSG_SPACE(n) WSA_CMSG_SPACE(n)
typedef IN_PKTINFO lsp_pktinfo4;
typedef IN6_PKTINFO lsp_pktinfo6;
#else
#define LSP_CMSG_LEN(n) CMSG_LEN(n)
#define LSP_CMSG_SPACE(n) CMSG_SPACE(n)
#ifdef IP_PKTINFO
typedef struct in_pktinfo lsp_pktinfo4;
#endif
typedef struct in6_pktinfo lsp_pktinfo6;
#endif

#ifndef EOPNOTSUPP
#define EOPNOTSUPP ENOTSUP
#endif

/* ------------------------------------------------------------------ */
/* Reception options                                                   */
/* ------------------------------------------------------------------ */

/* Options that turn on an ls_msginfo field, for a UDP socket of `family`. */
static const struct {
	int family, level, name;
	unsigned what;
} lsp_info_opts[] = {
#ifdef IP_PKTINFO
	{AF_INET, IPPROTO_IP, IP_PKTINFO, LS_MI_DST | LS_MI_IFINDEX},
#elif defined(IP_RECVDSTADDR)
	{AF_INET, IPPROTO_IP, IP_RECVDSTADDR, LS_MI_DST | LS_MI_IFINDEX},
#endif
#ifdef IP_RECVTOS
	{AF_INET, IPPROTO_IP, IP_RECVTOS, LS_MI_TCLASS},
#endif
#ifdef IP_RECVTTL
	{AF_INET, IPPROTO_IP, IP_RECVTTL, LS_MI_HOPS},
#endif
#ifdef IPV6_RECVPKTINFO
	{AF_INET6, IPPROTO_IPV6, IPV6_RECVPKTINFO, LS_MI_DST | LS_MI_IFINDEX},
#endif
#ifdef IPV6_RECVTCLASS
	{AF_INET6, IPPROTO_IPV6, IPV6_RECVTCLASS, LS_MI_TCLASS},
#endif
#ifdef IPV6_RECVHOPLIMIT
	{AF_INET6, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, LS_MI_HOPS},
#endif
#ifdef UDP_GRO
	{AF_INET, IPPROTO_UDP, UDP_GRO, LS_MI_SEGMENT},
	{AF_INET6, IPPROTO_UDP, UDP_GRO, LS_MI_SEGMENT},
#endif
};

/*
 * Options that make the kernel deliver ancillary data libsock does not
 * carry: recvmsg refuses to run while one is on (bit i of anc_foreign is
 * entry i). family 0: any family.
 */
static const struct {
	int family, level, name;
	const char *text;
} lsp_foreign_opts[] = {
#ifdef SO_TIMESTAMP
	{0, SOL_SOCKET, SO_TIMESTAMP, "SO_TIMESTAMP"},
#endif
#ifdef SO_TIMESTAMPNS
	{0, SOL_SOCKET, SO_TIMESTAMPNS, "SO_TIMESTAMPNS"},
#endif
#ifdef SO_TIMESTAMPING
	{0, SOL_SOCKET, SO_TIMESTAMPING, "SO_TIMESTAMPING"},
#endif
#ifdef SO_PASSCRED
	{0, SOL_SOCKET, SO_PASSCRED, "SO_PASSCRED"},
#endif
#ifdef SO_PASSSEC
	{0, SOL_SOCKET, SO_PASSSEC, "SO_PASSSEC"},
#endif
#ifdef SO_RXQ_OVFL
	{0, SOL_SOCKET, SO_RXQ_OVFL, "SO_RXQ_OVFL"},
#endif
#ifdef IP_RECVOPTS
	{AF_INET, IPPROTO_IP, IP_RECVOPTS, "IP_RECVOPTS"},
#endif
#ifdef IP_RETOPTS
	{AF_INET, IPPROTO_IP, IP_RETOPTS, "IP_RETOPTS"},
#endif
#ifdef IP_RECVRETOPTS
	{AF_INET, IPPROTO_IP, IP_RECVRETOPTS, "IP_RECVRETOPTS"},
#endif
#ifdef IP_RECVORIGDSTADDR
	{AF_INET, IPPROTO_IP, IP_RECVORIGDSTADDR, "IP_RECVORIGDSTADDR"},
#endif
#ifdef IP_RECVFRAGSIZE
	{AF_INET, IPPROTO_IP, IP_RECVFRAGSIZE, "IP_RECVFRAGSIZE"},
#endif
#ifdef IP_CHECKSUM
	{AF_INET, IPPROTO_IP, IP_CHECKSUM, "IP_CHECKSUM"},
#endif
	/* The IPv4 items on an IPv6 socket (v4-mapped traffic). */
#ifdef IP_PKTINFO
	{AF_INET6, IPPROTO_IP, IP_PKTINFO, "IP_PKTINFO on an AF_INET6 socket"},
#endif
#ifdef IP_RECVTOS
	{AF_INET6, IPPROTO_IP, IP_RECVTOS, "IP_RECVTOS on an AF_INET6 socket"},
#endif
#ifdef IP_RECVTTL
	{AF_INET6, IPPROTO_IP, IP_RECVTTL, "IP_RECVTTL on an AF_INET6 socket"},
#endif
#ifdef IPV6_RECVRTHDR
	{AF_INET6, IPPROTO_IPV6, IPV6_RECVRTHDR, "IPV6_RECVRTHDR"},
#endif
#ifdef IPV6_RECVHOPOPTS
	{AF_INET6, IPPROTO_IPV6, IPV6_RECVHOPOPTS, "IPV6_RECVHOPOPTS"},
#endif
#ifdef IPV6_RECVDSTOPTS
	{AF_INET6, IPPROTO_IPV6, IPV6_RECVDSTOPTS, "IPV6_RECVDSTOPTS"},
#endif
#ifdef IPV6_RECVPATHMTU
	{AF_INET6, IPPROTO_IPV6, IPV6_RECVPATHMTU, "IPV6_RECVPATHMTU"},
#endif
#ifdef IPV6_RECVORIGDSTADDR
	{AF_INET6, IPPROTO_IPV6, IPV6_RECVORIGDSTADDR, "IPV6_RECVORIGDSTADDR"},
#endif
#ifdef IPV6_FLOWINFO
	{AF_INET6, IPPROTO_IPV6, IPV6_FLOWINFO, "IPV6_FLOWINFO"},
#endif
#ifdef TCP_INQ
	{0, IPPROTO_TCP, TCP_INQ, "TCP_INQ"},
#endif
};

#define LSP_NFOREIGN (sizeof lsp_foreign_opts / sizeof lsp_foreign_opts[0])

/*
 * setsockopt of an option that turns a field of ls_msginfo on or off, on
 * a UDP socket of its family, goes through ls_set_recvinfo, so that libsock
 * knows what it asked the OS for. Returns 1 (done), -1 (raised), or 0: not
 * such an option, the caller sets it itself.
 */
int lsp_msg_setsockopt(lsp_sock *s, int level, int name, int on)
{
	size_t i;
	unsigned what = 0;
	int rc;
	if (s->type != SOCK_DGRAM)
		return 0;
	for (i = 0; i < sizeof lsp_info_opts / sizeof lsp_info_opts[0]; i++) {
		if (lsp_info_opts[i].family != s->family || lsp_info_opts[i].level != level ||
		    lsp_info_opts[i].name != name)
			continue;
		rc = ls_get_recvinfo(s->h, &what);
		if (rc == 0)
			rc = ls_set_recvinfo(s->h, on ? what | lsp_info_opts[i].what
			                               : what & ~lsp_info_opts[i].what);
		if (rc < 0) {
			lsp_raise(rc, ls_native_error(), 0);
			return -1;
		}
		return 1;
	}
	return 0;
}

/* After a successful raw setsockopt: note a foreign reception option's state. */
void lsp_msg_noteopt(lsp_sock *s, int level, int name, int on)
{
	size_t i;
	for (i = 0; i < LSP_NFOREIGN; i++) {
		if (lsp_foreign_opts[i].level == level && lsp_foreign_opts[i].name == name &&
		    (lsp_foreign_opts[i].family == 0 || lsp_foreign_opts[i].family == s->family)) {
			if (on)
				s->anc_foreign |= 1u << i;
			else
				s->anc_foreign &= ~(1u << i);
		}
	}
}

/* OSError(EOPNOTSUPP, text): what libsock cannot carry. Returns NULL. */
static PyObject *not_carried(const char *fmt, ...)
{
	PyObject *msg, *args;
	va_list ap;
	va_start(ap, fmt);
	msg = PyUnicode_FromFormatV(fmt, ap);
	va_end(ap);
	if (msg == NULL)
		return NULL;
	args = Py_BuildValue("(iN)", EOPNOTSUPP, msg);
	if (args != NULL) {
		PyErr_SetObject(PyExc_OSError, args);
		Py_DECREF(args);
	}
	return NULL;
}

static int foreign_check(const lsp_sock *s, const char *fname)
{
	size_t i;
	for (i = 0; i < LSP_NFOREIGN; i++) {
		if (s->anc_foreign & (1u << i)) {
			not_carried("%s(): %s is on, and libsock cannot receive its ancillary data",
			            fname, lsp_foreign_opts[i].text);
			return -1;
		}
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Borrowed sockets (SCM_RIGHTS on send)                               */
/* ------------------------------------------------------------------ */

#ifdef SCM_RIGHTS
/* What ls_socket_adopt changes on a descriptor, to put it back. */
struct lsp_fdmode {
	int fl, fd_flags;
};

/*
 * A handle for fd for the length of one call: the binding's own handle
 * when fd is one of its sockets (*borrowed = 0), else an adopted one
 * (*borrowed = 1) whose descriptor keeps the mode its owner gave it.
 */
static int borrow_fd(int fd, ls_socket *h, int *borrowed)
{
	struct lsp_fdmode m;
	int rc;
	*h = lsp_fdmap_handle(fd);
	*borrowed = 0;
	if (*h != LS_INVALID_SOCKET)
		return 0;
	m.fl = fcntl(fd, F_GETFL);
	m.fd_flags = fcntl(fd, F_GETFD);
	rc = ls_socket_adopt(h, (ls_native)fd);
	if (m.fl != -1)
		(void)fcntl(fd, F_SETFL, m.fl);
	if (m.fd_flags != -1)
		(void)fcntl(fd, F_SETFD, m.fd_flags);
	if (rc < 0)
		return rc;
	*borrowed = 1;
	return 0;
}

/* Give a borrowed handle's descriptor back, open, in its owner's mode. */
static void give_back(ls_socket h)
{
	ls_native fd;
	struct lsp_fdmode m;
	if (ls_socket_native(h, &fd) < 0)
		return;
	m.fl = fcntl((int)fd, F_GETFL);
	m.fd_flags = fcntl((int)fd, F_GETFD);
	(void)ls_socket_detach(h, &fd);
	if (m.fl != -1)
		(void)fcntl((int)fd, F_SETFL, m.fl);
	if (m.fd_flags != -1)
		(void)fcntl((int)fd, F_SETFD, m.fd_flags);
}
#endif

/* ------------------------------------------------------------------ */
/* sendmsg                                                             */
/* ------------------------------------------------------------------ */

typedef struct lsp_out {
	Py_buffer *views;
	ls_iovec *iov;
	Py_ssize_t nviews;
	ls_msginfo info;
	ls_socket socks[LS_MSG_SOCKS_MAX];
	unsigned char borrowed[LS_MSG_SOCKS_MAX];
	size_t nsocks;
} lsp_out;

static void out_free(lsp_out *o)
{
	Py_ssize_t i;
	for (i = 0; i < o->nviews; i++)
		PyBuffer_Release(&o->views[i]);
	PyMem_Free(o->views);
	PyMem_Free(o->iov);
#ifdef SCM_RIGHTS
	{
		size_t k;
		for (k = 0; k < o->nsocks; k++)
			if (o->borrowed[k])
				give_back(o->socks[k]);
	}
#endif
}

/* The data buffers: an iterable of bytes-like objects, pinned. */
static int out_buffers(lsp_out *o, PyObject *bufs)
{
	PyObject *fast = PySequence_Fast(bufs, "sendmsg() argument 1 must be an iterable");
	Py_ssize_t n, i;
	if (fast == NULL)
		return -1;
	n = PySequence_Fast_GET_SIZE(fast);
	if (n > LS_IOV_MAX) {
		Py_DECREF(fast);
		lsp_raise_errno(EMSGSIZE);
		return -1;
	}
	o->views = PyMem_Calloc((size_t)n + 1, sizeof *o->views);
	o->iov = PyMem_Calloc((size_t)n + 1, sizeof *o->iov);
	if (o->views == NULL || o->iov == NULL) {
		Py_DECREF(fast);
		PyErr_NoMemory();
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (!PyArg_Parse(PySequence_Fast_GET_ITEM(fast, i),
		                 "y*;sendmsg() argument 1 must be an iterable of bytes-like objects",
		                 &o->views[i])) {
			Py_DECREF(fast);
			return -1;
		}
		o->nviews++;
		o->iov[i].base = o->views[i].buf;
		o->iov[i].len = (size_t)o->views[i].len;
	}
	Py_DECREF(fast);
	return 0;
}

/* An int item (IP_TOS, IP_TTL, ...): an int, or one byte where the kernel takes one. */
static int item_int(const Py_buffer *d, int byte_ok, int *v)
{
	if (d->len == (Py_ssize_t)sizeof(int)) {
		memcpy(v, d->buf, sizeof(int));
		return 0;
	}
	if (byte_ok && d->len == 1) {
		*v = *(const unsigned char *)d->buf;
		return 0;
	}
	lsp_raise_errno(EINVAL);
	return -1;
}

static int item_range(int v, int lo, int hi)
{
	if (v < lo || v > hi) {
		lsp_raise_errno(EINVAL);
		return -1;
	}
	return 0;
}

#ifdef SCM_RIGHTS
static int item_fds(lsp_out *o, const Py_buffer *d)
{
	Py_ssize_t i, n = d->len / (Py_ssize_t)sizeof(int);
	int fd, borrowed, rc;
	if (d->len % (Py_ssize_t)sizeof(int) != 0) {
		lsp_raise_errno(EINVAL);
		return -1;
	}
	if (o->nsocks + (size_t)n > LS_MSG_SOCKS_MAX) {
		not_carried("sendmsg(): SCM_RIGHTS: libsock passes at most %d descriptors "
		            "in one message", LS_MSG_SOCKS_MAX);
		return -1;
	}
	for (i = 0; i < n; i++) {
		memcpy(&fd, (const char *)d->buf + i * (Py_ssize_t)sizeof(int), sizeof(int));
		rc = borrow_fd(fd, &o->socks[o->nsocks], &borrowed);
		if (rc == LS_ENOTSOCK || rc == LS_EPROTOTYPE || rc == LS_EAFNOSUPPORT) {
			not_carried("sendmsg(): SCM_RIGHTS: descriptor %d is not a socket libsock "
			            "can pass", fd);
			return -1;
		}
		if (rc < 0) {
			lsp_raise(rc, ls_native_error(), 0);
			return -1;
		}
		o->borrowed[o->nsocks++] = (unsigned char)borrowed;
	}
	return 0;
}
#endif

/* IP_PKTINFO to send: the source address and the interface (0: unset). */
#ifdef IP_PKTINFO
static int item_pktinfo4(lsp_out *o, const Py_buffer *d)
{
	static const unsigned char zero[4];
	lsp_pktinfo4 pi;
	if (d->len != (Py_ssize_t)sizeof pi) {
		lsp_raise_errno(EINVAL);
		return -1;
	}
	memcpy(&pi, d->buf, sizeof pi);
#ifdef _WIN32
	if (memcmp(&pi.ipi_addr, zero, 4) != 0) {
		ls_addr_ipv4(&o->info.dst, (const uint8_t *)&pi.ipi_addr, 0);
#else
	/* Linux sends from ipi_spec_dst; ipi_addr is ignored. */
	if (memcmp(&pi.ipi_spec_dst, zero, 4) != 0) {
		ls_addr_ipv4(&o->info.dst, (const uint8_t *)&pi.ipi_spec_dst, 0);
#endif
		o->info.valid |= LS_MI_DST;
	}
	if (pi.ipi_ifindex != 0) {
		o->info.ifindex = (uint32_t)pi.ipi_ifindex;
		o->info.valid |= LS_MI_IFINDEX;
	}
	return 0;
}
#endif

/* IPV6_PKTINFO to send: the source address and the interface (0 / :: unset). */
static int item_pktinfo6(lsp_out *o, const Py_buffer *d)
{
	static const unsigned char zero[16];
	lsp_pktinfo6 pi;
	if (d->len != (Py_ssize_t)sizeof pi) {
		lsp_raise_errno(EINVAL);
		return -1;
	}
	memcpy(&pi, d->buf, sizeof pi);
	if (memcmp(&pi.ipi6_addr, zero, 16) != 0) {
		ls_addr_ipv6(&o->info.dst, (const uint8_t *)&pi.ipi6_addr, 0, 0);
		o->info.valid |= LS_MI_DST;
	}
	if (pi.ipi6_ifindex != 0) {
		o->info.ifindex = (uint32_t)pi.ipi6_ifindex;
		o->info.valid |= LS_MI_IFINDEX;
	}
	return 0;
}

/* TOS / traffic class and TTL / hop limit (-1: the default, as the kernel reads it). */
static int item_small(lsp_out *o, const lsp_sock *s, const Py_buffer *d, unsigned field)
{
	int v;
	int v4 = s->family == AF_INET;
	if (item_int(d, v4 && field == LS_MI_TCLASS, &v) < 0)
		return -1;
	if (!v4 && v == -1)
		return 0;
	if (item_range(v, field == LS_MI_HOPS && v4 ? 1 : 0, 255) < 0)
		return -1;
	if (field == LS_MI_TCLASS)
		o->info.tclass = v;
	else
		o->info.hops = v;
	o->info.valid |= field;
	return 0;
}

static int out_item(lsp_out *o, const lsp_sock *s, int level, int type, const Py_buffer *d)
{
#ifdef SCM_RIGHTS
	if (level == SOL_SOCKET && type == SCM_RIGHTS)
		return item_fds(o, d);
#endif
	if (s->family == AF_INET && level == IPPROTO_IP) {
#ifdef IP_PKTINFO
		if (type == IP_PKTINFO)
			return item_pktinfo4(o, d);
#endif
		if (type == IP_TOS)
			return item_small(o, s, d, LS_MI_TCLASS);
		if (type == IP_TTL)
			return item_small(o, s, d, LS_MI_HOPS);
	}
	if (s->family == AF_INET6 && level == IPPROTO_IPV6) {
		if (type == IPV6_PKTINFO)
			return item_pktinfo6(o, d);
		if (type == IPV6_TCLASS)
			return item_small(o, s, d, LS_MI_TCLASS);
		if (type == IPV6_HOPLIMIT)
			return item_small(o, s, d, LS_MI_HOPS);
	}
#ifdef UDP_SEGMENT
	if ((s->family == AF_INET || s->family == AF_INET6) && level == IPPROTO_UDP &&
	    type == UDP_SEGMENT) {
		uint16_t v;
		if (d->len != (Py_ssize_t)sizeof v)
			return lsp_raise_errno(EINVAL), -1;
		memcpy(&v, d->buf, sizeof v);
		o->info.segment = v;
		o->info.valid |= LS_MI_SEGMENT;
		return 0;
	}
#endif
	not_carried("sendmsg(): libsock cannot send the ancillary data item (level %d, type %d)",
	            level, type);
	return -1;
}

static int out_ancillary(lsp_out *o, const lsp_sock *s, PyObject *anc)
{
	PyObject *fast = PySequence_Fast(anc, "sendmsg() argument 2 must be an iterable");
	Py_ssize_t n, i;
	if (fast == NULL)
		return -1;
	n = PySequence_Fast_GET_SIZE(fast);
	for (i = 0; i < n; i++) {
		int level, type, rc;
		Py_buffer d;
		if (!PyArg_Parse(PySequence_Fast_GET_ITEM(fast, i),
		                 "(iiy*):[sendmsg() ancillary data items]", &level, &type, &d)) {
			Py_DECREF(fast);
			return -1;
		}
		rc = out_item(o, s, level, type, &d);
		PyBuffer_Release(&d);
		if (rc < 0) {
			Py_DECREF(fast);
			return -1;
		}
	}
	Py_DECREF(fast);
	return 0;
}

static PyObject *sock_sendmsg(PyObject *self, PyObject *args)
{
	lsp_sock *s = lsp_self(self);
	PyObject *bufs, *anc = NULL, *addrobj = NULL, *res = NULL;
	int flags = 0, lflags, ne = 0, sig;
	lsp_out o;
	ls_addr to;
	ls_msg m;
	int64_t r;
	if (s == NULL || !PyArg_ParseTuple(args, "O|OiO:sendmsg", &bufs, &anc, &flags, &addrobj))
		return NULL;
	if (lsp_msgflags(flags, &lflags) < 0)
		return NULL;
	if (s->h == LS_INVALID_SOCKET)
		return lsp_closed();
	memset(&o, 0, sizeof o);
	memset(&m, 0, sizeof m);
	if (addrobj != NULL && addrobj != Py_None) {
		if (lsp_to_addr(s->family, addrobj, &to, "sendmsg") < 0)
			return NULL;
		m.addr = &to;
	}
	if (out_buffers(&o, bufs) < 0 || (anc != NULL && out_ancillary(&o, s, anc) < 0))
		goto out;
	m.iov = o.iov;
	m.iovcnt = (size_t)o.nviews;
	m.info = o.info.valid ? &o.info : NULL;
	m.socks = o.nsocks ? o.socks : NULL;
	m.nsocks = o.nsocks;
	LSP_CALL(s, r, ne, sig, LS_POLLOUT, ls_sendmsg(s->h, &m, lflags));
	if (sig)
		goto out;
	if (r < 0) {
		lsp_raise((int)r, ne, HAS_TIMEOUT(s));
		goto out;
	}
	lsp_counts.sent++;
	res = PyLong_FromLongLong(r);
out:
	out_free(&o);
	return res;
}

/* ------------------------------------------------------------------ */
/* recvmsg, recvmsg_into                                               */
/* ------------------------------------------------------------------ */

/* The received items, cut to the caller's ancbufsize as the kernel cuts them. */
typedef struct lsp_anc {
	PyObject *list;
	size_t space; /* what is left of ancbufsize */
	int ctrunc;
} lsp_anc;

/*
 * Append one item as the kernel's put_cmsg writes it: not at all when not
 * even a header fits, cut to the room left (MSG_CTRUNC) when its data
 * does not, and each item takes its aligned space.
 */
static int anc_put(lsp_anc *a, int level, int type, const void *data, size_t len)
{
	size_t hdr = LSP_CMSG_LEN(0), cmlen = LSP_CMSG_LEN(len), adv = LSP_CMSG_SPACE(len);
	PyObject *t;
	if (a->space < hdr) {
		a->ctrunc = 1;
		return 0;
	}
	if (a->space < cmlen) {
		a->ctrunc = 1;
		cmlen = a->space;
	}
	t = Py_BuildValue("(iiy#)", level, type, (const char *)data, (Py_ssize_t)(cmlen - hdr));
	if (t == NULL || PyList_Append(a->list, t) < 0) {
		Py_XDECREF(t);
		return -1;
	}
	Py_DECREF(t);
	a->space -= adv < a->space ? adv : a->space;
	return 0;
}

static int anc_int(lsp_anc *a, int level, int type, int v)
{
	return anc_put(a, level, type, &v, sizeof v);
}

/* A byte where the kernel writes one (IPv4 TOS on Linux, TOS/TTL on the BSDs). */
static int anc_byte(lsp_anc *a, int level, int type, int v)
{
	unsigned char b = (unsigned char)v;
	return anc_put(a, level, type, &b, 1);
}

static int anc_info4(lsp_anc *a, const ls_msginfo *in)
{
	if (in->valid & (LS_MI_DST | LS_MI_IFINDEX)) {
#if defined(IP_PKTINFO)
		lsp_pktinfo4 pi;
		memset(&pi, 0, sizeof pi);
		pi.ipi_ifindex = (int)in->ifindex;
		if (in->valid & LS_MI_DST) {
			memcpy(&pi.ipi_addr, in->dst.ip, 4);
#ifndef _WIN32
			/* The local address a reply would come from: for a unicast
			 * datagram, its destination (what Linux reports). */
			memcpy(&pi.ipi_spec_dst, in->dst.ip, 4);
#endif
		}
		if (anc_put(a, IPPROTO_IP, IP_PKTINFO, &pi, sizeof pi) < 0)
			return -1;
#elif defined(IP_RECVDSTADDR)
		if ((in->valid & LS_MI_DST) &&
		    anc_put(a, IPPROTO_IP, IP_RECVDSTADDR, in->dst.ip, 4) < 0)
			return -1;
#endif
	}
#if defined(__linux__) || defined(_WIN32)
	if ((in->valid & LS_MI_HOPS) && anc_int(a, IPPROTO_IP, IP_TTL, in->hops) < 0)
		return -1;
	if ((in->valid & LS_MI_TCLASS) && anc_byte(a, IPPROTO_IP, IP_TOS, in->tclass) < 0)
		return -1;
#else
	/* The BSDs: one byte each, labelled with the option's name. */
#ifdef IP_RECVTTL
	if ((in->valid & LS_MI_HOPS) && anc_byte(a, IPPROTO_IP, IP_RECVTTL, in->hops) < 0)
		return -1;
#endif
#ifdef IP_RECVTOS
	if ((in->valid & LS_MI_TCLASS) && anc_byte(a, IPPROTO_IP, IP_RECVTOS, in->tclass) < 0)
		return -1;
#endif
#endif
	return 0;
}

static int anc_info6(lsp_anc *a, const ls_msginfo *in)
{
	if (in->valid & (LS_MI_DST | LS_MI_IFINDEX)) {
		lsp_pktinfo6 pi;
		memset(&pi, 0, sizeof pi);
		pi.ipi6_ifindex = in->ifindex;
		if (in->valid & LS_MI_DST)
			memcpy(&pi.ipi6_addr, in->dst.ip, 16);
		if (anc_put(a, IPPROTO_IPV6, IPV6_PKTINFO, &pi, sizeof pi) < 0)
			return -1;
	}
	if ((in->valid & LS_MI_HOPS) && anc_int(a, IPPROTO_IPV6, IPV6_HOPLIMIT, in->hops) < 0)
		return -1;
	if ((in->valid & LS_MI_TCLASS) && anc_int(a, IPPROTO_IPV6, IPV6_TCLASS, in->tclass) < 0)
		return -1;
	return 0;
}

/* The items of one received message, in the kernel's order. */
static int anc_build(lsp_anc *a, const lsp_sock *s, const ls_msginfo *in)
{
#ifdef UDP_GRO
	if ((in->valid & LS_MI_SEGMENT) &&
	    anc_int(a, IPPROTO_UDP, UDP_GRO, (int)in->segment) < 0)
		return -1;
#endif
	if (s->family == AF_INET)
		return anc_info4(a, in);
	if (s->family == AF_INET6)
		return anc_info6(a, in);
	return 0;
}

/*
 * Received sockets as plain descriptors, one SCM_RIGHTS item (the kernel
 * passes as many as fit, then sets MSG_CTRUNC). Each handle is detached:
 * from here on the descriptor is the caller's.
 */
static int anc_fds(lsp_anc *a, ls_socket *socks, size_t n)
{
#ifdef SCM_RIGHTS
	int fds[LS_MSG_SOCKS_MAX];
	size_t i, k = 0, hdr = LSP_CMSG_LEN(0), adv;
	PyObject *t;
	for (i = 0; i < n; i++) {
		ls_native fd;
		if (ls_socket_detach(socks[i], &fd) == 0)
			fds[k++] = (int)fd;
		else
			a->ctrunc = 1;
	}
	if (k == 0)
		return 0;
	t = Py_BuildValue("(iiy#)", SOL_SOCKET, SCM_RIGHTS, (const char *)fds,
	                  (Py_ssize_t)(k * sizeof(int)));
	if (t == NULL || PyList_Append(a->list, t) < 0) {
		Py_XDECREF(t);
		for (i = 0; i < k; i++)
			(void)close(fds[i]);
		return -1;
	}
	Py_DECREF(t);
	adv = LSP_CMSG_SPACE(k * sizeof(int));
	a->space -= adv < a->space ? adv : a->space;
	(void)hdr;
	return 0;
#else
	size_t i;
	for (i = 0; i < n; i++)
		(void)ls_close(socks[i]);
	a->ctrunc = n > 0;
	return 0;
#endif
}

/* Room for descriptors in ancbufsize, as the kernel counts it (Unix sockets only). */
static size_t fd_room(const lsp_sock *s, Py_ssize_t ancbufsize)
{
	size_t hdr = LSP_CMSG_LEN(0), n;
#ifdef AF_UNIX
	if (s->family != AF_UNIX || (size_t)ancbufsize <= hdr)
		return 0;
	n = ((size_t)ancbufsize - hdr) / sizeof(int);
	return n > LS_MSG_SOCKS_MAX ? LS_MSG_SOCKS_MAX : n;
#else
	(void)s;
	(void)ancbufsize;
	(void)hdr;
	(void)n;
	return 0;
#endif
}

/*
 * The common part of recvmsg and recvmsg_into: receive into iov, then
 * build (nbytes, ancdata, msg_flags, address) minus the first item, which
 * the caller makes (bytes or a count). NULL with an exception on failure.
 */
static PyObject *recv_common(lsp_sock *s, ls_iovec *iov, size_t niov, Py_ssize_t ancbufsize,
                             int flags, const char *fname, int64_t *nbytes)
{
	ls_socket socks[LS_MSG_SOCKS_MAX];
	ls_msginfo info;
	ls_addr from;
	ls_msg m;
	lsp_anc a;
	PyObject *addr;
	int64_t r;
	int ne = 0, sig, mflags;
	if (s->h == LS_INVALID_SOCKET)
		return lsp_closed();
	if (foreign_check(s, fname) < 0)
		return NULL;
	memset(&m, 0, sizeof m);
	memset(&from, 0, sizeof from);
	m.iov = iov;
	m.iovcnt = niov;
	m.addr = &from;
	m.info = (s->family == AF_INET || s->family == AF_INET6) ? &info : NULL;
	m.socks = socks;
	m.socks_cap = fd_room(s, ancbufsize);
	flags = lsp_recv_flags(s, flags);
	LSP_CALL(s, r, ne, sig, LS_POLLIN, ls_recvmsg(s->h, &m, flags));
	if (sig)
		return NULL;
	if (r < 0)
		return lsp_raise((int)r, ne, HAS_TIMEOUT(s));
	lsp_counts.received++;
	*nbytes = r;
	a.list = PyList_New(0);
	a.space = (size_t)ancbufsize;
	a.ctrunc = (m.flags & LS_MSGF_CTRUNC) != 0;
	if (a.list == NULL || anc_fds(&a, socks, m.nsocks) < 0 ||
	    (m.info != NULL && anc_build(&a, s, &info) < 0)) {
		Py_XDECREF(a.list);
		return NULL;
	}
	mflags = ((m.flags & LS_MSGF_TRUNC) ? MSG_TRUNC : 0) | (a.ctrunc ? MSG_CTRUNC : 0);
	addr = lsp_from_peer(s, &from);
	if (addr == NULL) {
		Py_DECREF(a.list);
		return NULL;
	}
	return Py_BuildValue("(NiN)", a.list, mflags, addr);
}

static int anc_size(Py_ssize_t ancbufsize, const char *fname)
{
	if (ancbufsize < 0) {
		(void)fname;
		PyErr_SetString(PyExc_ValueError, "invalid ancillary data buffer length");
		return -1;
	}
	return 0;
}

static PyObject *sock_recvmsg(PyObject *self, PyObject *args)
{
	lsp_sock *s = lsp_self(self);
	Py_ssize_t bufsize, ancbufsize = 0;
	int flags = 0, lflags;
	PyObject *b, *rest, *res;
	ls_iovec v;
	int64_t n = 0;
	if (s == NULL || !PyArg_ParseTuple(args, "n|ni:recvmsg", &bufsize, &ancbufsize, &flags))
		return NULL;
	if (bufsize < 0) {
		PyErr_SetString(PyExc_ValueError, "negative buffer size in recvmsg()");
		return NULL;
	}
	if (anc_size(ancbufsize, "recvmsg") < 0 || lsp_msgflags(flags, &lflags) < 0)
		return NULL;
	b = PyBytes_FromStringAndSize(NULL, bufsize);
	if (b == NULL)
		return NULL;
	v.base = PyBytes_AS_STRING(b);
	v.len = (size_t)bufsize;
	rest = recv_common(s, &v, 1, ancbufsize, lflags, "recvmsg", &n);
	if (rest == NULL || (n != bufsize && _PyBytes_Resize(&b, (Py_ssize_t)n) < 0)) {
		Py_XDECREF(b);
		Py_XDECREF(rest);
		return NULL;
	}
	res = Py_BuildValue("(NOOO)", b, PyTuple_GET_ITEM(rest, 0), PyTuple_GET_ITEM(rest, 1),
	                    PyTuple_GET_ITEM(rest, 2));
	Py_DECREF(rest);
	return res;
}

static PyObject *sock_recvmsg_into(PyObject *self, PyObject *args)
{
	lsp_sock *s = lsp_self(self);
	Py_ssize_t ancbufsize = 0, n = 0, i;
	int flags = 0, lflags;
	PyObject *bufs, *fast = NULL, *rest = NULL, *res = NULL;
	Py_buffer *views = NULL;
	ls_iovec *iov = NULL;
	int64_t got = 0;
	if (s == NULL ||
	    !PyArg_ParseTuple(args, "O|ni:recvmsg_into", &bufs, &ancbufsize, &flags))
		return NULL;
	if (anc_size(ancbufsize, "recvmsg_into") < 0 || lsp_msgflags(flags, &lflags) < 0)
		return NULL;
	fast = PySequence_Fast(bufs, "recvmsg_into() argument 1 must be an iterable");
	if (fast == NULL)
		return NULL;
	n = PySequence_Fast_GET_SIZE(fast);
	if (n > LS_IOV_MAX) {
		lsp_raise_errno(EMSGSIZE);
		goto out;
	}
	views = PyMem_Calloc((size_t)n + 1, sizeof *views);
	iov = PyMem_Calloc((size_t)n + 1, sizeof *iov);
	if (views == NULL || iov == NULL) {
		PyErr_NoMemory();
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (!PyArg_Parse(PySequence_Fast_GET_ITEM(fast, i),
		                 "w*;recvmsg_into() argument 1 must be an iterable of single-segment "
		                 "read-write buffers",
		                 &views[i])) {
			n = i;
			goto out;
		}
		iov[i].base = views[i].buf;
		iov[i].len = (size_t)views[i].len;
	}
	rest = recv_common(s, iov, (size_t)n, ancbufsize, lflags, "recvmsg_into", &got);
	if (rest != NULL)
		res = Py_BuildValue("(LOOO)", (long long)got, PyTuple_GET_ITEM(rest, 0),
		                    PyTuple_GET_ITEM(rest, 1), PyTuple_GET_ITEM(rest, 2));
out:
	for (i = 0; views != NULL && i < n; i++)
		PyBuffer_Release(&views[i]);
	PyMem_Free(views);
	PyMem_Free(iov);
	Py_XDECREF(rest);
	Py_DECREF(fast);
	return res;
}

PyMethodDef lsp_msg_methods[] = {
	{"sendmsg", sock_sendmsg, METH_VARARGS,
	 "sendmsg(buffers[, ancdata[, flags[, address]]]) -> count\n\n"
	 "Send normal and ancillary data to the socket, gathering the non-ancillary\n"
	 "data from a series of buffers."},
	{"recvmsg", sock_recvmsg, METH_VARARGS,
	 "recvmsg(bufsize[, ancbufsize[, flags]]) -> (data, ancdata, msg_flags, address)\n\n"
	 "Receive normal data (up to bufsize bytes) and ancillary data from the socket."},
	{"recvmsg_into", sock_recvmsg_into, METH_VARARGS,
	 "recvmsg_into(buffers[, ancbufsize[, flags]]) -> (nbytes, ancdata, msg_flags, address)\n\n"
	 "Receive normal data and ancillary data from the socket, scattering the\n"
	 "non-ancillary data into a series of buffers."},
	{NULL, NULL, 0, NULL},
};
