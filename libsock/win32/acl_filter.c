/*
 * acl_filter.c (Windows) - no kernel filter: rules are checked after
 * accept, and, when the caller asks for it
 * (ls_listener_acl_request_conditional), inside the accept call before the
 * handshake completes.
 *
 * Conditional accept: SO_CONDITIONAL_ACCEPT on the listener, set before
 * listen() (Winsock answers WSAEINVAL once the socket listens). The stack
 * then sends no SYN-ACK on its own: each connection request waits until
 * WSAAccept runs the condition function below, which hands the caller's
 * address to common code's check. CF_ACCEPT completes the handshake and
 * WSAAccept returns the socket; CF_REJECT makes Winsock refuse the request
 * and WSAAccept fail with WSAECONNREFUSED. The option also switches off the
 * stack's SYN-attack protection for the listener, which is why it is never
 * set unless asked for. WSAAccept keeps accept's non-blocking behaviour
 * (WSAEWOULDBLOCK when nothing is pending), so ls_accept's timeouts and the
 * pollers need nothing else. wine 8 refuses the option (docs/operations.md):
 * LS_ENOTSUP, and the rules are checked after accept.
 */
#include <string.h>

#include "win32.h"

int lsi_plat_acl_filter(lsi_fd fd, const lsi_acl_rule *rules, size_t n, int default_action)
{
	return LS_ENOTSUP;
}

void lsi_plat_acl_unfilter(lsi_fd fd)
{
}

int lsi_plat_acl_conditional(lsi_fd fd, int on)
{
	DWORD value = on ? 1 : 0;
	int rc;

	if (lsi_win_setsockopt(lsi_win_sock(fd), SOL_SOCKET, SO_CONDITIONAL_ACCEPT,
	                       (const char *)&value, (int)sizeof value) != SOCKET_ERROR)
		return 0;
	/*
	 * WSAEINVAL: the socket listens already (one adopted while listening).
	 * Any other reason (wine 8: WSAENOPROTOOPT, kept for ls_native_error)
	 * means the mode is not there.
	 */
	rc = lsi_win_last_error();
	return on && rc != LS_EINVAL ? LS_ENOTSUP : rc;
}

/* What the condition function needs: common code's check, and what it decided. */
typedef struct lsi_win_cond {
	lsi_peer_check check;
	void *arg;
	int refused;
} lsi_win_cond;

/*
 * WSAAccept's condition function: caller holds the connecting peer's
 * sockaddr. An address libsock cannot read is let through to the check
 * after accept, which reads it from accept's own result.
 */
static int CALLBACK lsi_win_condition(LPWSABUF caller, LPWSABUF caller_data, LPQOS sqos, LPQOS gqos,
                                      LPWSABUF callee, LPWSABUF callee_data, GROUP *g,
                                      DWORD_PTR data)
{
	lsi_win_cond *c = (lsi_win_cond *)data;
	lsi_sockaddr sa;
	ls_addr peer;

	if (caller == NULL || caller->buf == NULL || caller->len > sizeof sa)
		return CF_ACCEPT;
	memset(&sa, 0, sizeof sa);
	memcpy(&sa, caller->buf, caller->len);
	if (lsi_addr_from_native(&sa, (lsi_socklen)caller->len, &peer) != 0 ||
	    c->check(c->arg, &peer))
		return CF_ACCEPT;
	c->refused = 1;
	return CF_REJECT;
}

int lsi_plat_accept_checked(lsi_fd fd, lsi_fd *out, ls_addr *peer, int nonblocking,
                            lsi_peer_check check, void *arg)
{
	lsi_win_cond cond = {check, arg, 0};
	lsi_sockaddr sa;
	int len = (int)sizeof sa;
	SOCKET s;
	int rc;

	memset(&sa, 0, sizeof sa);
	s = lsi_win_wsaaccept(lsi_win_sock(fd), &sa.sa, &len, lsi_win_condition, (DWORD_PTR)&cond);
	if (s != INVALID_SOCKET)
		return lsi_win_accepted(s, &sa, len, peer, nonblocking, out);
	rc = lsi_win_last_error();
	/* Refused by the condition (WSAECONNREFUSED): nothing was accepted. */
	return cond.refused ? 1 : rc;
}
