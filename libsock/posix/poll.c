/*
 * poll.c (POSIX) - readiness with poll().
 */
#include "lsi_posix.h"
#include "lsi_sys.h"
#include "sys/poll_events.h"

#include <stdlib.h>

/* pollfds kept on the stack; larger sets are allocated. */
#define LSI_POLL_STACK 32

/* -1 (or any negative) waits forever; poll() takes at most INT_MAX ms. */
static int clamp_timeout(int64_t timeout_ms)
{
	if (timeout_ms < 0)
		return -1;
	return timeout_ms > INT_MAX ? INT_MAX : (int)timeout_ms;
}

/* Copy results back; the count is recomputed from the mapped events. */
static int collect(lsi_pollent *ents, const struct pollfd *p, size_t count)
{
	size_t i;
	int ready = 0;

	for (i = 0; i < count; i++) {
		ents[i].revents = lsi_poll_events_from_native(p[i].revents);
		if (ents[i].revents != 0)
			ready++;
	}
	return ready;
}

int lsi_plat_poll(lsi_pollent *ents, size_t count, int64_t timeout_ms)
{
	struct pollfd stack[LSI_POLL_STACK];
	struct pollfd *p = stack;
	size_t i;
	int n;

	if (count > LSI_POLL_STACK) {
		p = malloc(count * sizeof(*p));
		if (p == NULL)
			return LS_ENOMEM;
	}
	for (i = 0; i < count; i++) {
		p[i].fd = (int)ents[i].fd;
		p[i].events = lsi_poll_events_to_native(ents[i].events);
		p[i].revents = 0;
	}
	n = lsi_sys_poll(p, (nfds_t)count, clamp_timeout(timeout_ms));
	n = n < 0 ? lsi_posix_fail() : collect(ents, p, count);
	if (p != stack)
		free(p);
	return n;
}

const char *lsi_plat_poll_name(void)
{
	return "poll";
}
