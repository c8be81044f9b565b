/*
 * resolve.c (Windows) - getaddrinfo, getnameinfo, gethostname and
 * interface names.
 *
 * The ANSI functions are used: libsock's strings are char, and Windows
 * host names are ASCII (IDN names must be converted by the caller, as on
 * POSIX).
 */
#include <stdlib.h>
#include <string.h>

#include "win32.h"

static int lsi_ai_flags(int flags)
{
	int f = 0;

	if (flags & LS_AI_PASSIVE)
		f |= AI_PASSIVE;
	if (flags & LS_AI_NUMERICHOST)
		f |= AI_NUMERICHOST;
	if (flags & LS_AI_NUMERICSERV)
		f |= AI_NUMERICSERV;
	if (flags & LS_AI_CANONNAME)
		f |= AI_CANONNAME;
	if (flags & LS_AI_ADDRCONFIG)
		f |= AI_ADDRCONFIG;
	if (flags & LS_AI_V4MAPPED)
		f |= AI_V4MAPPED;
	return f;
}

static int lsi_ni_flags(int flags)
{
	int f = 0;

	if (flags & LS_NI_NUMERICHOST)
		f |= NI_NUMERICHOST;
	if (flags & LS_NI_NUMERICSERV)
		f |= NI_NUMERICSERV;
	if (flags & LS_NI_NAMEREQD)
		f |= NI_NAMEREQD;
	if (flags & LS_NI_DGRAM)
		f |= NI_DGRAM;
	if (flags & LS_NI_NOFQDN)
		f |= NI_NOFQDN;
	return f;
}

static int lsi_hints_to_os(const ls_addrinfo_hints *h, struct addrinfo *out)
{
	memset(out, 0, sizeof *out);
	out->ai_family = lsi_family_to_native(h->family);
	if (out->ai_family < 0)
		return LS_EAI_FAMILY;
	if (h->type != 0) {
		out->ai_socktype = lsi_win_type_to_os(h->type);
		if (out->ai_socktype < 0)
			return LS_EAI_SOCKTYPE;
	}
	out->ai_protocol = h->protocol;
	out->ai_flags = lsi_ai_flags(h->flags);
	return 0;
}

/* Free a partly built list (common code's ls_freeaddrinfo frees whole ones). */
static void lsi_free_list(ls_addrinfo *list)
{
	while (list != NULL) {
		ls_addrinfo *next = list->next;

		free(list->canonname);
		free(list);
		list = next;
	}
}

static char *lsi_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);

	if (p != NULL)
		memcpy(p, s, n);
	return p;
}

/*
 * One OS result as an ls_addrinfo of the given type and protocol, or NULL
 * with *rc set. Results of a family libsock does not know are skipped
 * (*rc 0).
 */
static ls_addrinfo *lsi_ai_node(const struct addrinfo *ai, int type, int protocol, int *rc)
{
	lsi_sockaddr sa;
	ls_addrinfo *node;
	int family = lsi_family_from_native(ai->ai_family);

	*rc = 0;
	if (family <= 0 || ai->ai_addr == NULL || ai->ai_addrlen > sizeof sa)
		return NULL;
	node = calloc(1, sizeof *node);
	if (node == NULL) {
		*rc = LS_ENOMEM;
		return NULL;
	}
	memset(&sa, 0, sizeof sa);
	memcpy(&sa, ai->ai_addr, ai->ai_addrlen);
	*rc = lsi_addr_from_native(&sa, (lsi_socklen)ai->ai_addrlen, &node->addr);
	if (*rc != 0) {
		free(node);
		return NULL;
	}
	node->family = family;
	node->type = type;
	node->protocol = protocol;
	return node;
}

/* Append one node at *tail (nothing for a skipped result). */
static int lsi_ai_push(const struct addrinfo *ai, int type, int protocol, ls_addrinfo ***tail)
{
	int rc;
	ls_addrinfo *node = lsi_ai_node(ai, type, protocol, &rc);

	if (node != NULL) {
		**tail = node;
		*tail = &node->next;
	}
	return rc;
}

/*
 * Append the nodes for one OS result. Windows answers a query without a
 * socket type with one result of type 0, where POSIX systems list one
 * result per type; libsock gives the POSIX answer (a stream and a datagram
 * entry, with the TCP and UDP protocol numbers) so callers always see a
 * usable type. A protocol other than TCP or UDP keeps Windows' type 0.
 */
static int lsi_ai_append(const struct addrinfo *ai, ls_addrinfo ***tail)
{
	int proto = ai->ai_protocol;
	int rc = 0;

	if (ai->ai_socktype != 0) {
		int type = lsi_win_type_from_os(ai->ai_socktype);

		return type < 0 ? 0 : lsi_ai_push(ai, type, proto, tail);
	}
	if (proto != 0 && proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return lsi_ai_push(ai, 0, proto, tail);
	if (proto != IPPROTO_UDP)
		rc = lsi_ai_push(ai, LS_SOCK_STREAM, IPPROTO_TCP, tail);
	if (rc == 0 && proto != IPPROTO_TCP)
		rc = lsi_ai_push(ai, LS_SOCK_DGRAM, IPPROTO_UDP, tail);
	return rc;
}

/* Convert the OS list; the canonical name goes on the first node. */
static int lsi_ai_list(const struct addrinfo *res, ls_addrinfo **out)
{
	ls_addrinfo *head = NULL;
	ls_addrinfo **tail = &head;
	const struct addrinfo *ai;
	int rc = 0;

	for (ai = res; ai != NULL && rc == 0; ai = ai->ai_next)
		rc = lsi_ai_append(ai, &tail);
	if (rc == 0 && head == NULL)
		rc = LS_ENODATA;
	if (rc == 0 && res->ai_canonname != NULL) {
		head->canonname = lsi_strdup(res->ai_canonname);
		if (head->canonname == NULL)
			rc = LS_ENOMEM;
	}
	if (rc != 0) {
		lsi_free_list(head);
		return rc;
	}
	*out = head;
	return 0;
}

int lsi_plat_getaddrinfo(const char *host, const char *service, const ls_addrinfo_hints *hints,
                         ls_addrinfo **out)
{
	struct addrinfo h;
	struct addrinfo *res = NULL;
	int rc = lsi_hints_to_os(hints, &h);

	if (rc != 0)
		return rc;
	/* getaddrinfo returns its error code (WSAGetLastError() agrees on
	 * Windows, but the return value is what the API promises). */
	rc = lsi_win_getaddrinfo(host, service, &h, &res);
	if (rc != 0)
		return lsi_win_resolver_error(rc);
	rc = lsi_ai_list(res, out);
	lsi_win_freeaddrinfo(res);
	return rc;
}

/* Copy a result into the caller's buffer; LS_ENOSPC if it does not fit. */
static int lsi_copy_out(char *dst, size_t size, const char *src)
{
	size_t n;

	if (dst == NULL || size == 0)
		return 0;
	n = strlen(src);
	if (n >= size) {
		dst[0] = '\0';
		return LS_ENOSPC;
	}
	memcpy(dst, src, n + 1);
	return 0;
}

/*
 * getnameinfo writes into full-size buffers of our own and the result is
 * copied out, so a short caller buffer is always LS_ENOSPC rather than
 * whatever code this Windows build uses for it.
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
	                         lsi_ni_flags(flags));
	if (rc != 0)
		return lsi_win_resolver_error(rc);
	rc = lsi_copy_out(host, hostsize, h);
	if (rc == 0)
		rc = lsi_copy_out(serv, servsize, s);
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
