/*
 * epoll.c - the native poller backend on Linux.
 *
 * Each registration is one epoll entry whose data is the libsock handle,
 * never a pointer: an event the kernel queued before a socket was removed
 * can still come out of epoll_wait, and common code must be able to look it
 * up safely (it finds nothing and drops it). Handle 0 is never valid, so it
 * keys the eventfd that ls_poller_wakeup() writes to.
 */
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

#include "lsi_posix.h"
#include "poller/backend.h"

#define LSI_EPOLL_WAKE 0u

typedef struct lsi_epoll {
	int ep;
	int wakefd;
	struct epoll_event *evs; /* kept between waits: one waiter at a time */
	int cap;
} lsi_epoll;

static int lsi_epoll_open(ls_poller *p)
{
	lsi_epoll *b = calloc(1, sizeof(*b));
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = LSI_EPOLL_WAKE};
	int rc;

	if (b == NULL)
		return lsi_fail(LS_ENOMEM);
	b->ep = epoll_create1(EPOLL_CLOEXEC);
	b->wakefd = b->ep < 0 ? -1 : eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (b->wakefd < 0 || epoll_ctl(b->ep, EPOLL_CTL_ADD, b->wakefd, &ev) != 0) {
		rc = lsi_posix_fail();
		if (b->wakefd >= 0)
			close(b->wakefd);
		if (b->ep >= 0)
			close(b->ep);
		free(b);
		return rc;
	}
	p->state = b;
	return 0;
}

static void lsi_epoll_close(ls_poller *p)
{
	lsi_epoll *b = p->state;

	close(b->wakefd);
	close(b->ep);
	free(b->evs);
	free(b);
}

static uint32_t lsi_epoll_mask(const lsi_preg *r)
{
	uint32_t m = 0;

	if (r->events & LS_POLLIN)
		m |= EPOLLIN;
	if (r->events & LS_POLLOUT)
		m |= EPOLLOUT;
	if (r->events & LS_POLLRDHUP)
		m |= EPOLLRDHUP;
	if (r->mode == LS_POLLER_ONESHOT)
		m |= EPOLLONESHOT;
	else if (r->mode == LS_POLLER_EDGE)
		m |= EPOLLET;
	return m;
}

static int lsi_epoll_ctl(ls_poller *p, int op, lsi_preg *r)
{
	lsi_epoll *b = p->state;
	struct epoll_event ev = {.events = lsi_epoll_mask(r), .data.u64 = r->sock};

	return epoll_ctl(b->ep, op, (int)r->fd, &ev) == 0 ? 0 : lsi_posix_fail();
}

static int lsi_epoll_add(ls_poller *p, lsi_preg *r)
{
	return lsi_epoll_ctl(p, EPOLL_CTL_ADD, r);
}

static int lsi_epoll_mod(ls_poller *p, lsi_preg *r)
{
	return lsi_epoll_ctl(p, EPOLL_CTL_MOD, r);
}

static void lsi_epoll_del(ls_poller *p, lsi_preg *r)
{
	lsi_epoll *b = p->state;
	struct epoll_event ev = {0};

	/* Cannot fail for a registered, open fd; nothing to report if it did. */
	epoll_ctl(b->ep, EPOLL_CTL_DEL, (int)r->fd, &ev);
}

static int lsi_epoll_events(uint32_t e)
{
	int ev = 0;

	if (e & EPOLLIN)
		ev |= LS_POLLIN;
	if (e & EPOLLOUT)
		ev |= LS_POLLOUT;
	if (e & EPOLLRDHUP)
		ev |= LS_POLLRDHUP | LS_POLLIN;
	if (e & EPOLLERR)
		ev |= LS_POLLERR;
	if (e & EPOLLHUP)
		ev |= LS_POLLHUP;
	return ev;
}

static int lsi_epoll_collect(lsi_epoll *b, const struct epoll_event *evs, int n, lsi_pevent *out,
                             int *woken)
{
	uint64_t v;
	int i, count = 0;

	for (i = 0; i < n; i++) {
		if (evs[i].data.u64 == LSI_EPOLL_WAKE) {
			/* Non-blocking: several wakeups read as one. */
			if (read(b->wakefd, &v, sizeof(v)) == (ssize_t)sizeof(v))
				*woken = 1;
			continue;
		}
		out[count].sock = evs[i].data.u64;
		out[count].events = lsi_epoll_events(evs[i].events);
		count++;
	}
	return count;
}

static int lsi_epoll_wait(ls_poller *p, lsi_pevent *out, size_t max, int64_t timeout_ms, int *woken)
{
	lsi_epoll *b = p->state;
	struct epoll_event *m;
	int n, want = max > INT_MAX ? INT_MAX : (int)max;
	int t = timeout_ms < 0 ? -1 : (timeout_ms > INT_MAX ? INT_MAX : (int)timeout_ms);

	if (want > b->cap) {
		m = realloc(b->evs, (size_t)want * sizeof(*m));
		if (m == NULL)
			return lsi_fail(LS_ENOMEM);
		b->evs = m;
		b->cap = want;
	}
	n = epoll_wait(b->ep, b->evs, want, t);
	return n < 0 ? lsi_posix_fail() : lsi_epoll_collect(b, b->evs, n, out, woken);
}

static int lsi_epoll_wakeup(ls_poller *p)
{
	lsi_epoll *b = p->state;
	uint64_t one = 1;

	/* EAGAIN means the counter is full: a wakeup is pending anyway. */
	if (write(b->wakefd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		return lsi_posix_fail();
	return 0;
}

static const lsi_poller_ops lsi_poller_epoll = {
    .name = "epoll",
    .edge = 1,
    .open = lsi_epoll_open,
    .close = lsi_epoll_close,
    .add = lsi_epoll_add,
    .mod = lsi_epoll_mod,
    .del = lsi_epoll_del,
    .wait = lsi_epoll_wait,
    .wakeup = lsi_epoll_wakeup,
    .changed = NULL,
};

const lsi_poller_ops *lsi_poller_native(void)
{
	return &lsi_poller_epoll;
}
