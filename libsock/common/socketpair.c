/*
 * socketpair.c - a connected pair on every OS: the OS's own AF_UNIX pair
 * where it has one, else a loopback pair built here whose peer is checked,
 * so that no other process can take the place of the second end.
 */
#include "internal.h"

/* How many strangers a loopback pair tolerates before giving up. */
#define LSI_PAIR_ATTEMPTS 8

void (*lsi_pair_listening_hook)(const ls_addr *listener);

static int lsi_wrap_pair(lsi_fd fds[2], int family, int type, ls_socket out[2])
{
	int rc = lsi_sock_new(fds[0], family, type, 0, LS_TIMEOUT_BLOCK, 0, &out[0]);

	if (rc != 0) {
		lsi_plat_close(fds[0]);
		lsi_plat_close(fds[1]);
		return rc;
	}
	rc = lsi_sock_new(fds[1], family, type, 0, LS_TIMEOUT_BLOCK, 0, &out[1]);
	if (rc != 0) {
		ls_close(out[0]);
		lsi_plat_close(fds[1]);
	}
	return rc;
}

/* Accept until the connection from `client` arrives; drop any stranger. */
static int lsi_accept_peer(ls_socket listener, ls_socket client, ls_socket *server)
{
	ls_addr want, peer;
	int i, rc = ls_getsockname(client, &want);

	for (i = 0; rc == 0 && i < LSI_PAIR_ATTEMPTS; i++) {
		rc = ls_accept(listener, server, &peer);
		if (rc != 0)
			break;
		if (ls_addr_equal(&peer, &want))
			return 0;
		ls_close(*server);
	}
	return rc != 0 ? rc : LS_ECONNABORTED;
}

/* A TCP pair over loopback: listen, connect, accept the checked peer. */
static int lsi_stream_pair(int family, ls_socket out[2])
{
	ls_socket listener;
	ls_addr addr;
	int rc = ls_socket_create(&listener, family, LS_SOCK_STREAM, 0);

	if (rc != 0)
		return rc;
	rc = ls_addr_loopback(&addr, family, 0);
	if (rc == 0)
		rc = ls_bind(listener, &addr);
	/* Room for every stranger it tolerates plus its own connect, so the
	 * connect below never waits for a full backlog. */
	if (rc == 0)
		rc = ls_listen(listener, LSI_PAIR_ATTEMPTS + 1);
	if (rc == 0)
		rc = ls_getsockname(listener, &addr);
	if (rc == 0 && lsi_pair_listening_hook != NULL)
		lsi_pair_listening_hook(&addr);
	if (rc == 0)
		rc = ls_socket_create(&out[0], family, LS_SOCK_STREAM, 0);
	if (rc == 0) {
		rc = ls_connect(out[0], &addr);
		if (rc == 0)
			rc = lsi_accept_peer(listener, out[0], &out[1]);
		if (rc != 0)
			ls_close(out[0]);
	}
	ls_close(listener);
	return rc;
}

/* Bind a UDP socket to loopback port 0. */
static int lsi_udp_bound(int family, ls_socket *s, ls_addr *addr)
{
	int rc = ls_socket_create(s, family, LS_SOCK_DGRAM, 0);

	if (rc != 0)
		return rc;
	rc = ls_addr_loopback(addr, family, 0);
	if (rc == 0)
		rc = ls_bind(*s, addr);
	if (rc == 0)
		rc = ls_getsockname(*s, addr);
	if (rc != 0)
		ls_close(*s);
	return rc;
}

/*
 * A UDP pair: each end connected to the other. A connected UDP socket only
 * receives datagrams from its peer, which authenticates the pair.
 */
static int lsi_dgram_pair(int family, ls_socket out[2])
{
	ls_addr a, b;
	int rc = lsi_udp_bound(family, &out[0], &a);

	if (rc != 0)
		return rc;
	rc = lsi_udp_bound(family, &out[1], &b);
	if (rc != 0) {
		ls_close(out[0]);
		return rc;
	}
	rc = ls_connect(out[0], &b);
	if (rc == 0)
		rc = ls_connect(out[1], &a);
	if (rc != 0) {
		ls_close(out[0]);
		ls_close(out[1]);
	}
	return rc;
}

int ls_socketpair(int family, int type, ls_socket out[2])
{
	lsi_fd fds[2];
	int rc;

	if (out == NULL)
		return lsi_fail(LS_EINVAL);
	out[0] = out[1] = LS_INVALID_SOCKET;
	if (type != LS_SOCK_STREAM && type != LS_SOCK_DGRAM)
		return lsi_fail(LS_EPROTOTYPE);
	if (family != LS_AF_UNSPEC && family != LS_AF_UNIX && family != LS_AF_INET &&
	    family != LS_AF_INET6)
		return lsi_fail(LS_EAFNOSUPPORT);
	rc = lsi_autoinit();
	if (rc != 0)
		return rc;
	if (family == LS_AF_UNSPEC || family == LS_AF_UNIX) {
		rc = lsi_plat_socketpair(LS_AF_UNIX, type, fds);
		if (rc == 0)
			return lsi_wrap_pair(fds, LS_AF_UNIX, type, out);
		if (family == LS_AF_UNIX)
			return rc == LS_ENOTSUP ? LS_EAFNOSUPPORT : rc;
		family = LS_AF_INET;
	}
	rc = type == LS_SOCK_STREAM ? lsi_stream_pair(family, out) : lsi_dgram_pair(family, out);
	/* A failed pair leaves no stale handle values behind. */
	if (rc != 0)
		out[0] = out[1] = LS_INVALID_SOCKET;
	return rc;
}
