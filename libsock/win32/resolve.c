/*
 * resolve.c (Windows) - getaddrinfo, getnameinfo, gethostname and
 * interface names.
 *
 * The ANSI functions are used: libsock's strings are char, and Windows
 * host names are ASCII (IDN names must be converted by the caller, as on
 * POSIX).
 */
#include "win32.h"
#include "sys/resolve.h"

/*
 * Append the nodes for one OS result. Windows answers a query without a
 * socket type with one result of type 0, where POSIX systems list one
 * result per type; libsock gives the POSIX answer (a stream and a datagram
 * entry, with the TCP and UDP protocol numbers) so callers always see a
 * usable type. A protocol other than TCP or UDP keeps Windows' type 0.
 * An address libsock cannot read fails the whole lookup.
 */
static int lsi_ai_append(const struct addrinfo *ai, ls_addrinfo ***tail)
{
	int proto = ai->ai_protocol;
	int rc = 0;

	if (ai->ai_socktype != 0) {
		int type = lsi_type_from_native(ai->ai_socktype);

		return type < 0 ? 0 : lsi_addrinfo_push(ai, type, proto, tail);
	}
	if (proto != 0 && proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return lsi_addrinfo_push(ai, 0, proto, tail);
	if (proto != IPPROTO_UDP)
		rc = lsi_addrinfo_push(ai, LS_SOCK_STREAM, IPPROTO_TCP, tail);
	if (rc == 0 && proto != IPPROTO_TCP)
		rc = lsi_addrinfo_push(ai, LS_SOCK_DGRAM, IPPROTO_UDP, tail);
	return rc;
}

int lsi_plat_getaddrinfo(const char *host, const char *service, const ls_addrinfo_hints *hints,
                         ls_addrinfo **out)
{
	struct addrinfo h;
	struct addrinfo *res = NULL;
	int rc = lsi_hints_to_native(hints, &h);

	if (rc != 0)
		return rc;
	/* getaddrinfo returns its error code (WSAGetLastError() agrees on
	 * Windows, but the return value is what the API promises). */
	rc = lsi_win_getaddrinfo(host, service, &h, &res);
	if (rc != 0)
		return lsi_win_resolver_error(rc);
	rc = lsi_addrinfo_from_native(res, lsi_ai_append, out);
	lsi_win_freeaddrinfo(res);
	return rc;
}

/*
 * getnameinfo writes into full-size buffers of our own and the result is
 * copied out, so a short caller buffer is always LS_ENOSPC rather than
 * whatever code this Windows build uses for it. A buffer of size 0 is
 * not asked for at all.
 */
int lsi_plat_getnameinfo(const ls_addr *addr, char *host, size_t hostsize, char *serv,
                         size_t servsize, int flags)
{
	char h[NI_MAXHOST];
	char s[NI_MAXSERV];
	int want_host = host != NULL && hostsize > 0;
	int want_serv = serv != NULL && servsize > 0;
	lsi_sockaddr sa;
	lsi_socklen len;
	int rc = lsi_addr_to_native(addr, &sa, &len);

	if (rc != 0)
		return rc;
	h[0] = s[0] = '\0';
	rc = lsi_win_getnameinfo(&sa.sa, len, want_host ? h : NULL, want_host ? (DWORD)sizeof h : 0,
	                         want_serv ? s : NULL, want_serv ? (DWORD)sizeof s : 0,
	                         lsi_ni_flags_to_native(flags));
	if (rc != 0)
		return lsi_win_resolver_error(rc);
	rc = lsi_copy_out(want_host ? host : NULL, hostsize, h);
	if (rc == 0)
		rc = lsi_copy_out(want_serv ? serv : NULL, servsize, s);
	return rc;
}

int lsi_plat_gethostname(char *buf, size_t size)
{
	/* 256 bytes is Winsock's documented maximum for gethostname. */
	char name[257];

	if (buf == NULL || size == 0)
		return LS_ENOSPC;
	if (lsi_win_gethostname(name, (int)sizeof name) == SOCKET_ERROR)
		return lsi_win_last_error();
	name[sizeof name - 1] = '\0';
	return lsi_copy_out(buf, size, name);
}

int lsi_plat_if_nametoindex(const char *name, uint32_t *index)
{
	/* iphlpapi, not Winsock: it sets no error code, 0 means unknown. */
	NET_IFINDEX i = if_nametoindex(name);

	if (i == 0)
		return LS_EINVAL;
	*index = (uint32_t)i;
	return 0;
}
