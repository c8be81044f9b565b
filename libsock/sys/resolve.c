/*
 * resolve.c - resolver conversions shared by every platform.
 *
 * Only the names documented in lsi_os.h are used here, so this file
 * compiles unchanged against POSIX and Winsock headers.
 */
#include "sys/resolve.h"

#include <stdlib.h>
#include <string.h>

#include "sys/sockaddr.h"
#include "sys/socktype.h"

/*
 * AI_ADDRCONFIG only narrows results, so a system without it simply
 * returns more; a missing AI_V4MAPPED would silently drop IPv4 results the
 * caller asked for, so that is refused instead.
 */
int lsi_ai_flags_to_native(int flags, int *out)
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
#ifdef AI_ADDRCONFIG
	if (flags & LS_AI_ADDRCONFIG)
		f |= AI_ADDRCONFIG;
#endif
#ifdef AI_V4MAPPED
	if (flags & LS_AI_V4MAPPED)
		f |= AI_V4MAPPED;
#else
	if (flags & LS_AI_V4MAPPED)
		return LS_EAI_BADFLAGS;
#endif
	*out = f;
	return 0;
}

int lsi_ni_flags_to_native(int flags)
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

int lsi_hints_to_native(const ls_addrinfo_hints *h, struct addrinfo *ai)
{
	memset(ai, 0, sizeof(*ai));
	ai->ai_family = lsi_family_to_native(h->family);
	if (ai->ai_family < 0)
		return LS_EAI_FAMILY;
	ai->ai_socktype = h->type == 0 ? 0 : lsi_type_to_native(h->type);
	if (ai->ai_socktype < 0)
		return LS_EAI_SOCKTYPE;
	ai->ai_protocol = h->protocol;
	return lsi_ai_flags_to_native(h->flags, &ai->ai_flags);
}

static char *dup_string(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);

	if (d != NULL)
		memcpy(d, s, n);
	return d;
}

/* Free a partly built list (common code's ls_freeaddrinfo frees whole ones). */
static void free_list(ls_addrinfo *list)
{
	while (list != NULL) {
		ls_addrinfo *next = list->next;

		free(list->canonname);
		free(list);
		list = next;
	}
}

/*
 * The address is copied into a union first: ai_addr is only guaranteed to
 * be ai_addrlen bytes long.
 */
int lsi_addrinfo_push(const struct addrinfo *ai, int type, int protocol, ls_addrinfo ***tail)
{
	lsi_sockaddr sa;
	size_t len = ai->ai_addrlen;
	ls_addrinfo *n;
	int rc;

	if (lsi_family_from_native(ai->ai_family) <= 0 || ai->ai_addr == NULL || len > sizeof(sa))
		return 0;
	n = calloc(1, sizeof(*n));
	if (n == NULL)
		return LS_ENOMEM;
	memset(&sa, 0, sizeof(sa));
	memcpy(&sa, ai->ai_addr, len);
	rc = lsi_addr_from_native(&sa, (lsi_socklen)len, &n->addr);
	if (rc != 0) {
		free(n);
		return rc;
	}
	n->family = n->addr.family;
	n->type = type;
	n->protocol = protocol;
	**tail = n;
	*tail = &n->next;
	return 0;
}

/*
 * The OS puts the canonical name in its first result, which may be one
 * that was skipped, so it is moved to the first node kept.
 */
static int set_canonname(ls_addrinfo *head, const struct addrinfo *res)
{
	for (; res != NULL; res = res->ai_next) {
		if (res->ai_canonname == NULL)
			continue;
		head->canonname = dup_string(res->ai_canonname);
		return head->canonname == NULL ? LS_ENOMEM : 0;
	}
	return 0;
}

int lsi_addrinfo_from_native(const struct addrinfo *res, lsi_addrinfo_append_fn append,
                             ls_addrinfo **out)
{
	ls_addrinfo *head = NULL, **tail = &head;
	const struct addrinfo *ai;
	int rc = 0;

	for (ai = res; ai != NULL && rc == 0; ai = ai->ai_next)
		rc = append(ai, &tail);
	if (rc == 0 && head == NULL)
		rc = LS_ENODATA; /* the name exists, with nothing usable */
	if (rc == 0)
		rc = set_canonname(head, res);
	if (rc != 0) {
		free_list(head);
		return rc;
	}
	*out = head;
	return 0;
}

/*
 * The OS gets big internal buffers, so "too small" is decided here the
 * same way on every OS (some truncate silently, some say EAI_OVERFLOW).
 */
int lsi_copy_out(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src) + 1;

	if (dst == NULL)
		return 0;
	if (n > size) {
		if (size > 0)
			dst[0] = '\0';
		return LS_ENOSPC;
	}
	memcpy(dst, src, n);
	return 0;
}
