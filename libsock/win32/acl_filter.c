/*
 * acl_filter.c (Windows) - no kernel filter: rules are checked after
 * accept. SO_CONDITIONAL_ACCEPT with a WSAAccept condition function could
 * refuse a connection before its handshake completes, but it switches off
 * the stack's SYN-attack protection, and wine 8 refuses the option, so it
 * is not used (docs/portability.md).
 */
#include "win32.h"

int lsi_plat_acl_filter(lsi_fd fd, const lsi_acl_rule *rules, size_t n, int default_action)
{
	return LS_ENOTSUP;
}

void lsi_plat_acl_unfilter(lsi_fd fd)
{
}
