/*
 * resolve.c (POSIX) - getaddrinfo, getnameinfo, gethostname and
 * interface names.
 */
#include "lsi_posix.h"
#include "lsi_sys.h"

#include <stdlib.h>
#include <string.h>

/* Room for any host name: POSIX allows 255 bytes, NI_MAXHOST is 1025. */
#define LSI_HOST_BUF 1025
#define LSI_SERV_BUF 64

/*
 * LS_AI_* to AI_*. AI_ADDRCONFIG only narrows results, so a system without
 * it simply returns more; a missing AI_V4MAPPED would silently drop IPv4
 * results the caller asked for, so that is refused instead.
 */
static int ai_flags_to_native(int flags, int *out)
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

static int hints_to_native(const ls_addrinfo_hints *h, struct addrinfo *ai)
{
	memset(ai, 0, sizeof(*ai));
	ai->ai_family = lsi_family_to_native(h->family);
	if (ai->ai_family < 0)
		return LS_EAI_FAMILY;
	ai->ai_socktype = h->type == 0 ? 0 : lsi_posix_type_to_native(h->type);
	if (ai->ai_socktype < 0)
		return LS_EAI_SOCKTYPE;
	ai->ai_protocol = h->protocol;
	return ai_flags_to_native(h->flags, &ai->ai_flags);
}

static char *dup_string(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);

	if (d != NULL)
		memcpy(d, s, n);
	return d;
}

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
 * One ls_addrinfo from an OS result, or NULL in *out for a result libsock
 * cannot represent (another family, SOCK_RAW), which is skipped. The
 * address is copied into a union first: ai_addr is only guaranteed to be
 * ai_addrlen bytes long.
 */
static int node_from_native(const struct addrinfo *ai, ls_addrinfo **out)
{
	lsi_sockaddr sa;
	size_t len = ai->ai_addrlen;
	ls_addrinfo *n;

	*out = NULL;
	if (lsi_family_from_native(ai->ai_family) <= 0 ||
	    lsi_posix_type_from_native(ai->ai_socktype) < 0 ||
	    ai->ai_addr == NULL || len > sizeof(sa))
		return 0;
	n = calloc(1, sizeof(*n));
	if (n == NULL)
		return LS_ENOMEM;
	memset(&sa, 0, sizeof(sa));
	memcpy(&sa, ai->ai_addr, len);
	if (lsi_addr_from_native(&sa, (lsi_socklen)len, &n->addr) != 0) {
		free(n);
		return 0;
	}
	n->family = n->addr.family;
	n->type = lsi_posix_type_from_native(ai->ai_socktype);
	n->protocol = ai->ai_protocol;
	*out = n;
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

static int list_from_native(const struct addrinfo *res, ls_addrinfo **out)
{
	ls_addrinfo *head = NULL, **tail = &head;
	const struct addrinfo *ai;
	int rc = 0;

	for (ai = res; ai != NULL && rc == 0; ai = ai->ai_next) {
		rc = node_from_native(ai, tail);
		if (*tail != NULL)
			tail = &(*tail)->next;
	}
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

int lsi_plat_getaddrinfo(const char *host, const char *service,
                         const ls_addrinfo_hints *hints, ls_addrinfo **out)
{
	struct addrinfo h, *res = NULL;
	int rc = hints_to_native(hints, &h);

	if (rc != 0)
		return rc;
	/* EAI_SYSTEM reports through errno, which must not be stale. */
	errno = 0;
	rc = lsi_sys_getaddrinfo(host, service, &h, &res);
	if (rc != 0)
		return lsi_posix_fail_eai(rc);
	rc = list_from_native(res, out);
	lsi_sys_freeaddrinfo(res);
	return rc;
}

static int ni_flags_to_native(int flags)
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

/*
 * Copy a NUL-terminated result into the caller's buffer, or LS_ENOSPC.
 * The OS gets big internal buffers, so "too small" is decided here the
 * same way on every OS (some truncate silently, some say EAI_OVERFLOW).
 */
static int copy_out(char *dst, size_t size, const char *src)
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

int lsi_plat_getnameinfo(const ls_addr *addr, char *host, size_t hostsize,
                         char *serv, size_t servsize, int flags)
{
	char hbuf[LSI_HOST_BUF], sbuf[LSI_SERV_BUF];
	lsi_sockaddr sa;
	lsi_socklen len;
	int rc = lsi_addr_to_native(addr, &sa, &len);

	if (rc != 0)
		return rc;
	hbuf[0] = sbuf[0] = '\0';
	errno = 0;
	rc = lsi_sys_getnameinfo(&sa.sa, len, host ? hbuf : NULL,
	                         host ? (lsi_socklen)sizeof(hbuf) : 0,
	                         serv ? sbuf : NULL,
	                         serv ? (lsi_socklen)sizeof(sbuf) : 0,
	                         ni_flags_to_native(flags));
	if (rc != 0)
		return lsi_posix_fail_eai(rc);
	rc = copy_out(host, hostsize, hbuf);
	if (rc == 0)
		rc = copy_out(serv, servsize, sbuf);
	return rc;
}

int lsi_plat_gethostname(char *buf, size_t size)
{
	char name[LSI_HOST_BUF];

	/* POSIX leaves termination unspecified when the name is cut short. */
	if (lsi_sys_gethostname(name, sizeof(name) - 1) < 0)
		return lsi_posix_fail();
	name[sizeof(name) - 1] = '\0';
	return copy_out(buf, size, name);
}

/* An unknown name is LS_EINVAL; the errno (ENODEV, ENXIO) is kept as native. */
int lsi_plat_if_nametoindex(const char *name, uint32_t *index)
{
	unsigned idx = lsi_sys_if_nametoindex(name);

	if (idx == 0) {
		lsi_set_native_error(errno);
		return LS_EINVAL;
	}
	*index = (uint32_t)idx;
	return 0;
}
