/*
 * connect_name.c - resolve a name, then try each address in turn within
 * one overall timeout (what Python's create_connection does).
 */
#include "internal.h"

/* One attempt: a socket connected to ai within what is left of the deadline. */
static int lsi_try_one(const ls_addrinfo *ai, int64_t deadline, ls_socket *out)
{
	ls_socket s;
	int64_t left = lsi_remaining(deadline);
	int rc;

	if (left == 0)
		return lsi_fail(LS_ETIMEDOUT);
	rc = ls_socket_create(&s, ai->family, ai->type, ai->protocol);
	if (rc != 0)
		return rc;
	rc = ls_set_timeout(s, left);
	if (rc == 0)
		rc = ls_connect(s, &ai->addr);
	if (rc == 0)
		*out = s;
	else
		ls_close(s);
	return rc;
}

int ls_connect_name(ls_socket *out, const char *host, const char *service, int family,
                    int type, int64_t timeout_ms)
{
	ls_addrinfo_hints hints = {family, type ? type : LS_SOCK_STREAM, 0, 0};
	ls_addrinfo *list, *ai;
	int64_t deadline;
	int rc;

	if (out == NULL)
		return lsi_fail(LS_EINVAL);
	*out = LS_INVALID_SOCKET;
	if (host == NULL || service == NULL || timeout_ms == LS_TIMEOUT_NONBLOCK ||
	    timeout_ms < LS_TIMEOUT_BLOCK)
		return lsi_fail(LS_EINVAL);
	deadline = lsi_deadline(timeout_ms);
	rc = ls_getaddrinfo(host, service, &hints, &list);
	if (rc != 0)
		return rc;
	for (ai = list; ai != NULL; ai = ai->next) {
		rc = lsi_try_one(ai, deadline, out);
		if (rc == 0 || rc == LS_ETIMEDOUT)
			break;
	}
	ls_freeaddrinfo(list);
	if (rc == 0)
		rc = ls_set_timeout(*out, timeout_ms);
	return rc;
}
