/*
 * handoff.c - handing a socket to another process: export and import
 * through the caller's bytes (where the OS can duplicate a socket for a
 * process: Windows), and the channel calls that work everywhere (the OS's
 * bytes over any stream socket, or the descriptor itself over a Unix
 * socket with ls_sendmsg/ls_recvmsg).
 */
#include <string.h>

#include "share/share_internal.h"

/* The process id as the 32 bits the bytes carry: LS_EINVAL if it does not fit. */
static int lsi_share_pid(long pid, uint32_t *out)
{
	if (pid < 0 || (unsigned long)pid > UINT32_MAX)
		return lsi_fail(LS_EINVAL);
	*out = (uint32_t)pid;
	return 0;
}

/* Export sk for dst into buf (LS_SOCKET_EXPORT_MAX bytes): the whole length in *len. */
static int lsi_share_export_sock(lsi_sock *sk, uint32_t dst, unsigned char *buf, size_t *len)
{
	lsi_share_hdr h;
	size_t n = 0;
	int rc = lsi_plat_share_export(sk->fd, (long)dst, buf + LSI_SHARE_HDR,
	                               LSI_SHARE_PAYLOAD_MAX, &n);

	if (rc == LS_ENOSPC)
		rc = LS_EUNKNOWN; /* the OS's bytes outgrew LS_SOCKET_EXPORT_MAX: a libsock bug */
	if (rc != 0)
		return rc;
	lsi_share_hdr_init(&h, LSI_SHARE_OS, sk->family, sk->type, dst);
	h.payload = n;
	lsi_share_pack(buf, &h);
	*len = LSI_SHARE_HDR + n;
	return 0;
}

int ls_socket_export(ls_socket s, long target_pid, void *buf, size_t size, size_t *len)
{
	unsigned char tmp[LS_SOCKET_EXPORT_MAX];
	lsi_sock *sk;
	uint32_t dst;
	size_t n = 0;
	int rc;

	if ((buf == NULL && size > 0) || len == NULL || lsi_share_pid(target_pid, &dst) != 0)
		return lsi_fail(LS_EINVAL);
	rc = lsi_sock_acquire(s, &sk);
	if (rc != 0)
		return rc;
	rc = lsi_share_export_sock(sk, dst, tmp, &n);
	lsi_sock_release(sk);
	if (rc != 0)
		return rc;
	/*
	 * Built in a buffer of our own first, so that too small a buffer can
	 * report the length needed. The duplicate already made for the target
	 * is then lost to it, as documented for exports that are not imported.
	 */
	*len = n;
	if (n > size)
		return lsi_fail(LS_ENOSPC);
	memcpy(buf, tmp, n);
	return 0;
}

/* An OS socket from checked bytes of kind LSI_SHARE_OS, as a new handle. */
static int lsi_share_import_os(const unsigned char *buf, const lsi_share_hdr *h, ls_socket *out)
{
	lsi_fd fd;
	int family, type, protocol, rc;

	if (h->dst_pid != (uint32_t)lsi_plat_process_id())
		return lsi_fail(LS_EINVAL);
	rc = lsi_share_first_import(h);
	if (rc == 0)
		rc = lsi_plat_share_import(buf + LSI_SHARE_HDR, h->payload, h->family, h->type, &fd);
	if (rc != 0)
		return rc;
	rc = lsi_plat_adopt(fd, &family, &type, &protocol);
	if (rc == 0 && (family != h->family || type != h->type))
		rc = lsi_fail(LS_EINVAL);
	if (rc == 0)
		rc = lsi_sock_new(fd, family, type, protocol, LS_TIMEOUT_BLOCK, 0, out);
	if (rc != 0)
		lsi_plat_close(fd);
	return rc;
}

int ls_socket_import(ls_socket *out, const void *buf, size_t len)
{
	lsi_share_hdr h;
	int rc;

	if (out == NULL)
		return lsi_fail(LS_EINVAL);
	*out = LS_INVALID_SOCKET;
	if (buf == NULL || len < LSI_SHARE_HDR || len > LS_SOCKET_EXPORT_MAX)
		return lsi_fail(LS_EINVAL);
	rc = lsi_autoinit();
	if (rc == 0)
		rc = lsi_share_parse(buf, &h);
	/* Bytes meant to travel beside a descriptor carry no socket themselves. */
	if (rc == 0 && (h.kind != LSI_SHARE_OS || len != LSI_SHARE_HDR + h.payload))
		rc = lsi_fail(LS_EINVAL);
	if (rc == 0)
		rc = lsi_share_verify(buf, &h);
	if (rc == 0)
		rc = lsi_share_import_os(buf, &h, out);
	return rc;
}

/* --- Channels ------------------------------------------------------------- */

/* Where the OS passes descriptors: a header, with the socket beside it. */
static int lsi_share_send_fd(ls_socket channel, ls_socket s, int family, int type)
{
	unsigned char buf[LSI_SHARE_HDR];
	ls_iovec iov = { buf, sizeof(buf) };
	ls_msg m;
	lsi_share_hdr h;
	size_t done = 0;
	int64_t n;

	lsi_share_hdr_init(&h, LSI_SHARE_FD, family, type, 0);
	lsi_share_pack(buf, &h);
	memset(&m, 0, sizeof(m));
	m.iov = &iov;
	m.iovcnt = 1;
	m.socks = &s;
	m.nsocks = 1;
	n = ls_sendmsg(channel, &m, 0);
	if (n < 0)
		return (int)n;
	done = (size_t)n;
	/* A stream may take part of the header; the descriptor went with the first byte. */
	return done < sizeof(buf) ? ls_sendall(channel, buf + done, sizeof(buf) - done, 0, NULL)
	                          : 0;
}

int ls_socket_send_to_process(ls_socket channel, ls_socket s, long target_pid)
{
	unsigned char buf[LS_SOCKET_EXPORT_MAX];
	lsi_sock *sk;
	uint32_t dst;
	size_t n = 0;
	int family, type, rc;

	if (lsi_share_pid(target_pid, &dst) != 0)
		return lsi_fail(LS_EINVAL);
	rc = ls_socket_info(channel, NULL, &type, NULL);
	if (rc == 0 && type != LS_SOCK_STREAM)
		rc = lsi_fail(LS_EPROTOTYPE);
	if (rc == 0)
		rc = lsi_sock_acquire(s, &sk);
	if (rc != 0)
		return rc;
	family = sk->family;
	type = sk->type;
	rc = lsi_share_export_sock(sk, dst, buf, &n);
	lsi_sock_release(sk);
	if (rc == LS_ENOTSUP)
		return lsi_share_send_fd(channel, s, family, type);
	return rc != 0 ? rc : ls_sendall(channel, buf, n, 0, NULL);
}

/*
 * Read exactly len bytes from the channel: LS_EPROTO if it ends first (the
 * peer closed in the middle of what it was sending).
 */
static int lsi_share_read(ls_socket channel, unsigned char *buf, size_t len)
{
	size_t got = 0;
	int64_t n;

	while (got < len) {
		n = ls_recv(channel, buf + got, len - got, 0);
		if (n < 0)
			return (int)n;
		if (n == 0)
			return lsi_fail(LS_EPROTO);
		got += (size_t)n;
	}
	return 0;
}

/* The header's first bytes, with whatever descriptor came along (closed if any). */
static int lsi_share_read_first(ls_socket channel, unsigned char *buf, size_t *got,
                                ls_socket *passed)
{
	ls_socket socks[1];
	ls_iovec iov = { buf, LSI_SHARE_HDR };
	ls_msg m;
	int64_t n;
	int family;
	int rc = ls_socket_info(channel, &family, NULL, NULL);

	memset(&m, 0, sizeof(m));
	m.iov = &iov;
	m.iovcnt = 1;
	if (rc == 0 && family == LS_AF_UNIX) {
		m.socks = socks;
		m.socks_cap = 1;
	}
	n = rc != 0 ? rc : ls_recvmsg(channel, &m, 0);
	if (n < 0)
		return (int)n;
	if (m.nsocks > 0)
		*passed = socks[0];
	if (n == 0 || (m.flags & LS_MSGF_CTRUNC))
		return lsi_fail(LS_EPROTO);
	*got = (size_t)n;
	return 0;
}

/* Check what arrived as a descriptor against its header. */
static int lsi_share_check_fd(const lsi_share_hdr *h, ls_socket passed)
{
	int family, type;

	if (passed == LS_INVALID_SOCKET || ls_socket_info(passed, &family, &type, NULL) != 0)
		return lsi_fail(LS_EPROTO);
	if (family != h->family || type != h->type)
		return lsi_fail(LS_EPROTO);
	return 0;
}

/* Turn a bad-bytes LS_EINVAL into the channel's LS_EPROTO. */
static int lsi_share_proto(int rc)
{
	return rc == LS_EINVAL ? lsi_fail(LS_EPROTO) : rc;
}

static int lsi_share_receive(ls_socket channel, unsigned char *buf, ls_socket *passed,
                             ls_socket *out)
{
	lsi_share_hdr h;
	size_t got = 0;
	int rc = lsi_share_read_first(channel, buf, &got, passed);

	if (rc == 0)
		rc = lsi_share_read(channel, buf + got, LSI_SHARE_HDR - got);
	if (rc == 0)
		rc = lsi_share_proto(lsi_share_parse(buf, &h));
	if (rc == 0)
		rc = lsi_share_read(channel, buf + LSI_SHARE_HDR, h.payload);
	if (rc == 0)
		rc = lsi_share_proto(lsi_share_verify(buf, &h));
	if (rc != 0)
		return rc;
	if (h.kind == LSI_SHARE_OS) {
		/* The OS's bytes never come with a descriptor. */
		if (*passed != LS_INVALID_SOCKET)
			return lsi_fail(LS_EPROTO);
		return lsi_share_proto(lsi_share_import_os(buf, &h, out));
	}
	rc = lsi_share_check_fd(&h, *passed);
	if (rc == 0) {
		*out = *passed;
		*passed = LS_INVALID_SOCKET;
	}
	return rc;
}

int ls_socket_receive_from_process(ls_socket channel, ls_socket *out)
{
	unsigned char buf[LS_SOCKET_EXPORT_MAX];
	ls_socket passed = LS_INVALID_SOCKET;
	int rc;

	if (out == NULL)
		return lsi_fail(LS_EINVAL);
	*out = LS_INVALID_SOCKET;
	rc = lsi_share_receive(channel, buf, &passed, out);
	if (passed != LS_INVALID_SOCKET)
		ls_close(passed);
	return rc;
}
