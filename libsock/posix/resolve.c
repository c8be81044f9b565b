/*
 * resolve.c (POSIX) - getaddrinfo, getnameinfo, gethostname and
 * interface names.
 */
#include "lsi_posix.h"
#include "lsi_sys.h"
#include "sys/resolve.h"

/* Room for any host name: POSIX allows 255 bytes, NI_MAXHOST is 1025. */
#define LSI_HOST_BUF 1025
#define LSI_SERV_BUF 64

/*
 * One node per OS result, of the result's own type; SOCK_RAW and other
 * types libsock does not know are skipped, and so is an address libsock
 * cannot read: any other usable result still answers the lookup.
 */
static int append_result(const struct addrinfo *ai, ls_addrinfo ***tail)
{
	int type = lsi_type_from_native(ai->ai_socktype);
	int rc;

	if (type < 0)
		return 0;
	rc = lsi_addrinfo_push(ai, type, ai->ai_protocol, tail);
	return rc == LS_ENOMEM ? rc : 0;
}

int lsi_plat_getaddrinfo(const char *host, const char *service,
                         const ls_addrinfo_hints *hints, ls_addrinfo **out)
{
	struct addrinfo h, *res = NULL;
	int rc = lsi_hints_to_native(hints, &h);

	if (rc != 0)
		return rc;
	/* EAI_SYSTEM reports through errno, which must not be stale. */
	errno = 0;
	rc = lsi_sys_getaddrinfo(host, service, &h, &res);
	if (rc != 0)
		return lsi_posix_fail_eai(rc);
	rc = lsi_addrinfo_from_native(res, append_result, out);
	lsi_sys_freeaddrinfo(res);
	return rc;
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
	                         lsi_ni_flags_to_native(flags));
	if (rc != 0)
		return lsi_posix_fail_eai(rc);
	rc = lsi_copy_out(host, hostsize, hbuf);
	if (rc == 0)
		rc = lsi_copy_out(serv, servsize, sbuf);
	return rc;
}

int lsi_plat_gethostname(char *buf, size_t size)
{
	char name[LSI_HOST_BUF];

	/* POSIX leaves termination unspecified when the name is cut short. */
	if (lsi_sys_gethostname(name, sizeof(name) - 1) < 0)
		return lsi_posix_fail();
	name[sizeof(name) - 1] = '\0';
	return lsi_copy_out(buf, size, name);
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
