/*
 * poll_events.c - LS_POLL* <-> POLL*, shared by every platform.
 */
#include "sys/poll_events.h"

short lsi_poll_events_to_native(short events)
{
	short ev = 0;

	if (events & LS_POLLIN)
		ev |= LSI_POLL_READ;
	if (events & LS_POLLOUT)
		ev |= POLLOUT;
	return ev;
}

/*
 * POLLPRI and the like are never asked for and so never reported; ERR,
 * HUP and NVAL are reported whatever was asked, as poll() itself does.
 * Winsock's POLLIN is POLLRDNORM | POLLRDBAND, so either counts as
 * readable there.
 */
short lsi_poll_events_from_native(short revents)
{
	short ev = 0;

	if (revents & POLLIN)
		ev |= LS_POLLIN;
	if (revents & POLLOUT)
		ev |= LS_POLLOUT;
	if (revents & POLLERR)
		ev |= LS_POLLERR;
	if (revents & POLLHUP)
		ev |= LS_POLLHUP;
	if (revents & POLLNVAL)
		ev |= LS_POLLNVAL;
	return ev;
}
