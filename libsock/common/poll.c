/*
 * poll.c - one-shot readiness over many handles. Handles are resolved and
 * held for the duration of the wait, so a concurrent close cannot make the
 * OS poll an fd number that has been reused; bad handles are reported as
 * LS_POLLNVAL in their entry.
 */
#include <stdlib.h>

#include "internal.h"

#define LSI_POLL_MAX 65536u
#define LSI_POLL_STACK 32

/*
 * Resolve every entry; returns how many are bad (LS_POLLNVAL). *intr is set
 * if any socket is interruptible (ls_set_interruptible): its owner wants to
 * see EINTR, so the wait reports it instead of retrying.
 */
static size_t lsi_poll_resolve(ls_pollfd *fds, size_t count, lsi_sock **socks,
                               lsi_pollent *ents, int *intr)
{
	size_t i, bad = 0;

	*intr = 0;

	for (i = 0; i < count; i++) {
		fds[i].revents = 0;
		if (lsi_sock_acquire(fds[i].sock, &socks[i]) != 0) {
			socks[i] = NULL;
			fds[i].revents = LS_POLLNVAL;
			ents[i].fd = LSI_FD_INVALID;
			bad++;
			continue;
		}
		ents[i].fd = socks[i]->fd;
		ents[i].events = (short)(fds[i].events & (LS_POLLIN | LS_POLLOUT));
		ents[i].revents = 0;
		ents[i].connecting =
		        (atomic_load(&socks[i]->flags) & LSI_SF_CONNECTING) != 0;
		if (lsi_interruptible(socks[i]))
			*intr = 1;
	}
	return bad;
}

/* Move valid entries to the front so the platform only sees real sockets. */
static size_t lsi_poll_compact(lsi_pollent *ents, size_t *map, size_t count)
{
	size_t i, n = 0;

	for (i = 0; i < count; i++) {
		if (ents[i].fd == LSI_FD_INVALID)
			continue;
		map[n] = i;
		ents[n++] = ents[i];
	}
	return n;
}

/* Poll with EINTR retried against one deadline, unless intr. */
static int lsi_poll_wait(lsi_pollent *ents, size_t n, int64_t timeout_ms, int intr)
{
	int64_t deadline = lsi_deadline(timeout_ms), left = timeout_ms;
	int rc;

	while ((rc = lsi_plat_poll(ents, n, left)) == LS_EINTR && !intr) {
		left = deadline >= 0 ? lsi_remaining(deadline) : timeout_ms;
		if (left == 0)
			return 0;
	}
	return rc;
}

static int lsi_poll(ls_pollfd *fds, size_t count, int64_t timeout_ms, lsi_sock **socks,
                    lsi_pollent *ents, size_t *map)
{
	int rc, intr;
	size_t bad = lsi_poll_resolve(fds, count, socks, ents, &intr), n, i;

	n = lsi_poll_compact(ents, map, count);
	/* Like poll(), an invalid entry makes the call return at once. */
	rc = lsi_poll_wait(ents, n, bad ? 0 : timeout_ms, intr);
	if (rc >= 0) {
		for (i = 0; i < n; i++)
			fds[map[i]].revents = ents[i].revents;
		rc += (int)bad;
	}
	for (i = 0; i < count; i++)
		if (socks[i] != NULL)
			lsi_sock_release(socks[i]);
	return rc;
}

int ls_poll(ls_pollfd *fds, size_t count, int64_t timeout_ms)
{
	lsi_sock *socks_stack[LSI_POLL_STACK], **socks = socks_stack;
	lsi_pollent ents_stack[LSI_POLL_STACK], *ents = ents_stack;
	size_t map_stack[LSI_POLL_STACK], *map = map_stack;
	int rc;

	if ((fds == NULL && count > 0) || count > LSI_POLL_MAX || timeout_ms < LS_TIMEOUT_BLOCK)
		return lsi_fail(LS_EINVAL);
	if (count > LSI_POLL_STACK) {
		socks = malloc(count * sizeof(*socks));
		ents = malloc(count * sizeof(*ents));
		map = malloc(count * sizeof(*map));
	}
	if (socks == NULL || ents == NULL || map == NULL)
		rc = LS_ENOMEM;
	else
		rc = lsi_poll(fds, count, timeout_ms, socks, ents, map);
	if (count > LSI_POLL_STACK) {
		free(socks);
		free(ents);
		free(map);
	}
	return rc;
}
