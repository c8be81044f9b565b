/*
 * poll.c (Windows) - readiness with WSAPoll, and its failed-connect bug.
 *
 * WSAPoll before Windows 10 2004 never reports a non-blocking connect that
 * fails: the socket is neither writable nor in error, and the wait runs to
 * its timeout (forever for -1). While any entry is connecting the wait is
 * therefore cut into slices, and between slices select() is asked whether
 * a connect failed: select() has reported failed connects in its except set
 * on every Windows. It is used rather than reading SO_ERROR because reading
 * SO_ERROR clears it, and common code reads it after poll to learn why.
 */
#include <stdlib.h>
#include <string.h>

#include "win32.h"
#include "sys/poll_events.h"

/* The longest single WSAPoll while a connect is pending. */
#define LSI_POLL_SLICE_MS 100

/* Entries polled from a stack buffer; more are allocated. */
#define LSI_POLL_STACK 64

int lsi_win_wait_ready(SOCKET s, int writable, int timeout_ms)
{
	WSAPOLLFD p;

	p.fd = s;
	p.events = writable ? POLLWRNORM : POLLRDNORM;
	p.revents = 0;
	if (lsi_win_wsapoll(&p, 1, timeout_ms) == SOCKET_ERROR)
		return lsi_win_last_error();
	/* An error or hang-up counts as ready: the call then reports it. */
	return p.revents != 0;
}

/*
 * WSAPoll with no sockets fails (WSAEINVAL) where POSIX poll sleeps, so an
 * empty wait is a plain Sleep. -1 sleeps forever, as poll() would.
 */
static int lsi_sleep(int64_t timeout_ms)
{
	int64_t deadline = lsi_plat_now_ms() + timeout_ms;
	int64_t left = timeout_ms;

	if (timeout_ms < 0) {
		for (;;)
			Sleep(INFINITE);
	}
	/* Sleep may wake a tick early; the clock decides when time is up. */
	while (left > 0) {
		Sleep(left >= (int64_t)INFINITE ? INFINITE - 1 : (DWORD)left);
		left = deadline - lsi_plat_now_ms();
	}
	return 0;
}

/* Fill the WSAPOLLFD array; entries without a socket are left out. */
static ULONG lsi_fill(lsi_pollent *ents, size_t count, WSAPOLLFD *pfd, int *connecting)
{
	ULONG n = 0;
	size_t i;

	*connecting = 0;
	for (i = 0; i < count; i++) {
		ents[i].revents = 0;
		if (ents[i].fd == LSI_FD_INVALID)
			continue;
		pfd[n].fd = (SOCKET)ents[i].fd;
		pfd[n].events = lsi_poll_events_to_native(ents[i].events);
		pfd[n].revents = 0;
		n++;
		if (ents[i].connecting)
			*connecting = 1;
	}
	return n;
}

/* Copy revents back to the entries, in the order lsi_fill() used. */
static void lsi_collect(lsi_pollent *ents, size_t count, const WSAPOLLFD *pfd)
{
	ULONG n = 0;
	size_t i;

	for (i = 0; i < count; i++) {
		if (ents[i].fd == LSI_FD_INVALID)
			continue;
		ents[i].revents = lsi_poll_events_from_native(pfd[n].revents);
		n++;
	}
}

/* Nonzero if the pending connect on s has finished successfully. */
static int lsi_connected(SOCKET s)
{
	lsi_sockaddr sa;
	int len = (int)sizeof sa;

	return lsi_win_getpeername(s, &sa.sa, &len) != SOCKET_ERROR;
}

/*
 * Ask select() which of up to FD_SETSIZE connecting entries (indexes in
 * idx) failed, and mark those LS_POLLERR | LS_POLLOUT. The except set also
 * reports out-of-band data, which only a connected socket can have, so a
 * socket that turns out to be connected is not marked.
 */
static int lsi_mark_failed(lsi_pollent *ents, const size_t *idx, u_int n)
{
	struct timeval zero = {0, 0};
	fd_set ex;
	u_int i, j;

	ex.fd_count = n;
	for (i = 0; i < n; i++)
		ex.fd_array[i] = (SOCKET)ents[idx[i]].fd;
	if (lsi_win_select(NULL, NULL, &ex, &zero) == SOCKET_ERROR)
		return lsi_win_last_error();
	for (i = 0; i < ex.fd_count; i++) {
		for (j = 0; j < n; j++) {
			lsi_pollent *e = &ents[idx[j]];

			if ((SOCKET)e->fd == ex.fd_array[i] && !lsi_connected(ex.fd_array[i]))
				e->revents |= LS_POLLERR | LS_POLLOUT;
		}
	}
	return 0;
}

/*
 * Connecting entries: a failure WSAPoll did see (Windows 10 2004 and later
 * report POLLERR/POLLHUP without POLLWRNORM) gets LS_POLLOUT added, as on
 * POSIX; connecting entries with nothing reported are checked with select().
 */
static int lsi_check_connects(lsi_pollent *ents, size_t count)
{
	size_t idx[FD_SETSIZE];
	u_int n = 0;
	size_t i;
	int rc;

	for (i = 0; i < count; i++) {
		lsi_pollent *e = &ents[i];

		if (!e->connecting || e->fd == LSI_FD_INVALID)
			continue;
		if (e->revents & (LS_POLLERR | LS_POLLHUP))
			e->revents |= LS_POLLERR | LS_POLLOUT;
		if (e->revents != 0)
			continue;
		idx[n++] = i;
		if (n == FD_SETSIZE) {
			rc = lsi_mark_failed(ents, idx, n);
			if (rc != 0)
				return rc;
			n = 0;
		}
	}
	return n > 0 ? lsi_mark_failed(ents, idx, n) : 0;
}

static int lsi_count(const lsi_pollent *ents, size_t count)
{
	int n = 0;
	size_t i;

	for (i = 0; i < count; i++) {
		if (ents[i].revents != 0)
			n++;
	}
	return n;
}

/* The next WSAPoll timeout: the time left, cut to a slice if connecting. */
static INT lsi_slice(int64_t deadline, int connecting)
{
	int64_t left;

	if (deadline < 0)
		return connecting ? LSI_POLL_SLICE_MS : -1;
	left = deadline - lsi_plat_now_ms();
	if (left < 0)
		left = 0;
	if (connecting && left > LSI_POLL_SLICE_MS)
		left = LSI_POLL_SLICE_MS;
	return left > INT_MAX ? INT_MAX : (INT)left;
}

/* The poll loop proper, over the filled array. */
static int lsi_poll_loop(lsi_pollent *ents, size_t count, WSAPOLLFD *pfd, ULONG n, int connecting,
                         int64_t timeout_ms)
{
	int64_t deadline = timeout_ms < 0 ? -1 : lsi_plat_now_ms() + timeout_ms;
	int rc;

	for (;;) {
		if (lsi_win_wsapoll(pfd, n, lsi_slice(deadline, connecting)) == SOCKET_ERROR)
			return lsi_win_last_error();
		lsi_collect(ents, count, pfd);
		if (connecting) {
			rc = lsi_check_connects(ents, count);
			if (rc != 0)
				return rc;
		}
		rc = lsi_count(ents, count);
		if (rc > 0 || timeout_ms == 0)
			return rc;
		if (deadline >= 0 && lsi_plat_now_ms() >= deadline)
			return 0;
	}
}

int lsi_plat_poll(lsi_pollent *ents, size_t count, int64_t timeout_ms)
{
	WSAPOLLFD stackbuf[LSI_POLL_STACK];
	WSAPOLLFD *pfd = stackbuf;
	int connecting;
	ULONG n;
	int rc;

	if (count > LSI_POLL_STACK) {
		pfd = malloc(count * sizeof *pfd);
		if (pfd == NULL)
			return LS_ENOMEM;
	}
	n = lsi_fill(ents, count, pfd, &connecting);
	if (n == 0)
		rc = lsi_sleep(timeout_ms);
	else
		rc = lsi_poll_loop(ents, count, pfd, n, connecting, timeout_ms);
	if (pfd != stackbuf)
		free(pfd);
	return rc;
}

const char *lsi_plat_poll_name(void)
{
	return "wsapoll";
}
