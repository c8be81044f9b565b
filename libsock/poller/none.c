/*
 * none.c - no native poller backend (a portable build, or an OS with
 * neither epoll nor kqueue): every poller uses the portable one.
 */
#include "poller/backend.h"

const lsi_poller_ops *lsi_poller_native(void)
{
	return NULL;
}
