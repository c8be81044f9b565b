/*
 * resolve.c - argument checks for name resolution; the lookups themselves
 * are the platform's.
 */
#include <stdlib.h>

#include "internal.h"

#define LSI_AI_FLAGS (LS_AI_PASSIVE | LS_AI_NUMERICHOST | LS_AI_NUMERICSERV | \
                      LS_AI_CANONNAME | LS_AI_ADDRCONFIG | LS_AI_V4MAPPED)
#define LSI_NI_FLAGS (LS_NI_NUMERICHOST | LS_NI_NUMERICSERV | LS_NI_NAMEREQD | \
                      LS_NI_DGRAM | LS_NI_NOFQDN)

/*
 * A service made only of digits must be a port number that fits: otherwise
 * OSes disagree (some wrap it modulo 65536, some reject it).
 */
static int lsi_check_service(const char *service)
{
	unsigned long value = 0;
	const char *p;

	if (service == NULL || *service == '\0')
		return 0;
	for (p = service; *p; p++) {
		if (*p < '0' || *p > '9')
			return 0; /* a service name: the resolver decides */
		if (value <= 65535)
			value = value * 10 + (unsigned long)(*p - '0');
	}
	return value > 65535 ? LS_ERANGE : 0;
}

static int lsi_check_hints(const ls_addrinfo_hints *h)
{
	if (h->family != LS_AF_UNSPEC && h->family != LS_AF_INET && h->family != LS_AF_INET6)
		return lsi_fail(LS_EAI_FAMILY);
	if (h->type != 0 && h->type != LS_SOCK_STREAM && h->type != LS_SOCK_DGRAM)
		return lsi_fail(LS_EAI_SOCKTYPE);
	if (h->flags & ~LSI_AI_FLAGS)
		return lsi_fail(LS_EAI_BADFLAGS);
	return h->protocol < 0 ? LS_EINVAL : 0;
}

int ls_getaddrinfo(const char *host, const char *service, const ls_addrinfo_hints *hints,
                   ls_addrinfo **out)
{
	static const ls_addrinfo_hints none = {LS_AF_UNSPEC, 0, 0, 0};
	int rc;

	if (out == NULL)
		return lsi_fail(LS_EINVAL);
	*out = NULL;
	if (host == NULL && service == NULL)
		return lsi_fail(LS_EINVAL);
	if (hints == NULL)
		hints = &none;
	rc = lsi_check_hints(hints);
	if (rc == 0)
		rc = lsi_check_service(service);
	if (rc == 0)
		rc = lsi_autoinit();
	if (rc == 0)
		rc = lsi_plat_getaddrinfo(host, service, hints, out);
	if (rc == 0 && *out == NULL)
		rc = LS_ENODATA; /* only families libsock does not handle came back */
	return rc;
}

void ls_freeaddrinfo(ls_addrinfo *list)
{
	ls_addrinfo *next;

	for (; list != NULL; list = next) {
		next = list->next;
		free(list->canonname);
		free(list);
	}
}

int ls_getnameinfo(const ls_addr *addr, char *host, size_t hostsize, char *serv,
                   size_t servsize, int flags)
{
	int rc;

	if (addr == NULL || (host == NULL && hostsize > 0) || (serv == NULL && servsize > 0) ||
	    (host == NULL && serv == NULL))
		return lsi_fail(LS_EINVAL);
	/* A buffer that cannot hold even the NUL is too small on every OS. */
	if ((host != NULL && hostsize == 0) || (serv != NULL && servsize == 0))
		return lsi_fail(LS_ENOSPC);
	if (addr->family != LS_AF_INET && addr->family != LS_AF_INET6)
		return lsi_fail(LS_EAI_FAMILY);
	if (flags & ~LSI_NI_FLAGS)
		return lsi_fail(LS_EAI_BADFLAGS);
	rc = lsi_autoinit();
	if (rc == 0)
		rc = lsi_plat_getnameinfo(addr, host, hostsize, serv, servsize, flags);
	return rc;
}

int ls_gethostname(char *buf, size_t size)
{
	int rc;

	if (buf == NULL)
		return lsi_fail(LS_EINVAL);
	/* No room even for the NUL: too small, as for every other buffer. */
	if (size == 0)
		return lsi_fail(LS_ENOSPC);
	buf[0] = '\0';
	rc = lsi_autoinit();
	if (rc == 0)
		rc = lsi_plat_gethostname(buf, size);
	return rc;
}
