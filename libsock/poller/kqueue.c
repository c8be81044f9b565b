/*
 * kqueue.c - the native poller backend on macOS and the BSDs, written from
 * kqueue(2) and kevent(2). No BSD toolchain exists where libsock is tested,
 * so this file is unverified (docs/portability.md says so); the portable
 * preset runs the poll backend instead.
 *
 * kqueue watches reading and writing as two filters. Each registration
 * adds the filters asked for, with EV_DISPATCH for one-shot (a filter is
 * disabled after it fires until ls_poller_mod re-enables it; common code
 * drops the other filter's event once the registration has fired) and
 * EV_CLEAR for edge triggering. udata is the libsock handle, never a
 * pointer, so a stale event is looked up safely. EVFILT_USER with udata 0
 * (no handle is 0) carries ls_poller_wakeup().
 */
#include <stdlib.h>
#include <sys/types.h>
#include <sys/event.h>
#include <sys/time.h>

#include "lsi_posix.h"
#include "poller/backend.h"

#define LSI_KQ_WAKE_IDENT 0

typedef struct lsi_kqueue {
	int kq;
} lsi_kqueue;

static int lsi_kq_open(ls_poller *p)
{
	lsi_kqueue *b = malloc(sizeof(*b));
	struct kevent ev;

	if (b == NULL)
		return lsi_fail(LS_ENOMEM);
	b->kq = kqueue();
	if (b->kq >= 0)
		lsi_posix_set_cloexec(b->kq);
	EV_SET(&ev, LSI_KQ_WAKE_IDENT, EVFILT_USER, EV_ADD | EV_CLEAR, 0, 0, NULL);
	if (b->kq < 0 || kevent(b->kq, &ev, 1, NULL, 0, NULL) != 0) {
		int rc = lsi_posix_fail();

		if (b->kq >= 0)
			close(b->kq);
		free(b);
		return rc;
	}
	p->state = b;
	return 0;
}

static void lsi_kq_close(ls_poller *p)
{
	lsi_kqueue *b = p->state;

	close(b->kq);
	free(b);
}

/* One filter's change: on with the mode's flags, or deleted. */
static void lsi_kq_filter(struct kevent *ev, const lsi_preg *r, short filter, int on)
{
	unsigned short flags = EV_DELETE;

	if (on) {
		flags = EV_ADD | EV_ENABLE;
		if (r->mode == LS_POLLER_ONESHOT)
			flags |= EV_DISPATCH;
		else if (r->mode == LS_POLLER_EDGE)
			flags |= EV_CLEAR;
	}
	EV_SET(ev, (uintptr_t)r->fd, filter, flags, 0, 0, (void *)(uintptr_t)r->sock);
}

/*
 * Apply both filters. A delete of a filter that was never added fails with
 * ENOENT, which is expected; EV_RECEIPT makes every change report its own
 * result so that such a failure does not hide the others.
 */
static int lsi_kq_apply(ls_poller *p, const lsi_preg *r, int rd, int wr)
{
	lsi_kqueue *b = p->state;
	struct kevent ch[2], res[2];
	int i, n;

	lsi_kq_filter(&ch[0], r, EVFILT_READ, rd);
	lsi_kq_filter(&ch[1], r, EVFILT_WRITE, wr);
	ch[0].flags |= EV_RECEIPT;
	ch[1].flags |= EV_RECEIPT;
	n = kevent(b->kq, ch, 2, res, 2, NULL);
	if (n < 0)
		return lsi_posix_fail();
	for (i = 0; i < n; i++) {
		if ((res[i].flags & EV_ERROR) && res[i].data != 0 && res[i].data != ENOENT)
			return lsi_posix_fail_code((int)res[i].data);
	}
	return 0;
}

static int lsi_kq_add(ls_poller *p, lsi_preg *r)
{
	/* Reading covers the peer's FIN too (EV_EOF). */
	return lsi_kq_apply(p, r, (r->events & (LS_POLLIN | LS_POLLRDHUP)) != 0,
	                    (r->events & LS_POLLOUT) != 0);
}

static void lsi_kq_del(ls_poller *p, lsi_preg *r)
{
	lsi_kq_apply(p, r, 0, 0);
}

static int lsi_kq_events(const struct kevent *e)
{
	int ev = 0;

	if (e->filter == EVFILT_READ) {
		ev |= LS_POLLIN;
		if (e->flags & EV_EOF)
			ev |= LS_POLLRDHUP;
	} else if (e->filter == EVFILT_WRITE) {
		ev |= LS_POLLOUT;
		/* The write side is gone: reset, or both sides shut down. */
		if (e->flags & EV_EOF)
			ev |= LS_POLLHUP;
	}
	/* fflags carries the socket error (a failed connect, a reset). */
	if ((e->flags & EV_EOF) && e->fflags != 0)
		ev |= LS_POLLERR;
	return ev;
}

#define LSI_KQ_STACK 64

static int lsi_kq_collect(const struct kevent *evs, int n, lsi_pevent *out, int *woken)
{
	int i, count = 0;

	for (i = 0; i < n; i++) {
		if (evs[i].filter == EVFILT_USER) {
			*woken = 1;
			continue;
		}
		out[count].sock = (ls_socket)(uintptr_t)evs[i].udata;
		out[count].events = lsi_kq_events(&evs[i]);
		count++;
	}
	return count;
}

static int lsi_kq_wait(ls_poller *p, lsi_pevent *out, size_t max, int64_t timeout_ms, int *woken)
{
	lsi_kqueue *b = p->state;
	struct kevent stack[LSI_KQ_STACK], *evs = stack;
	struct timespec ts, *tp = NULL;
	int n, cap = max < LSI_KQ_STACK ? (int)max : LSI_KQ_STACK;

	if (timeout_ms >= 0) {
		ts.tv_sec = (time_t)(timeout_ms / 1000);
		ts.tv_nsec = (long)(timeout_ms % 1000) * 1000000L;
		tp = &ts;
	}
	if (max > LSI_KQ_STACK) {
		cap = max > INT_MAX ? INT_MAX : (int)max;
		evs = malloc((size_t)cap * sizeof(*evs));
		if (evs == NULL)
			return lsi_fail(LS_ENOMEM);
	}
	n = kevent(b->kq, NULL, 0, evs, cap, tp);
	n = n < 0 ? lsi_posix_fail() : lsi_kq_collect(evs, n, out, woken);
	if (evs != stack)
		free(evs);
	return n;
}

static int lsi_kq_wakeup(ls_poller *p)
{
	lsi_kqueue *b = p->state;
	struct kevent ev;

	EV_SET(&ev, LSI_KQ_WAKE_IDENT, EVFILT_USER, 0, NOTE_TRIGGER, 0, NULL);
	return kevent(b->kq, &ev, 1, NULL, 0, NULL) == 0 ? 0 : lsi_posix_fail();
}

static const lsi_poller_ops lsi_poller_kqueue = {
    .name = "kqueue",
    .edge = 1,
    .open = lsi_kq_open,
    .close = lsi_kq_close,
    .add = lsi_kq_add,
    .mod = lsi_kq_add, /* EV_ADD on an existing filter changes it */
    .del = lsi_kq_del,
    .wait = lsi_kq_wait,
    .wakeup = lsi_kq_wakeup,
    .changed = NULL,
};

const lsi_poller_ops *lsi_poller_native(void)
{
	return &lsi_poller_kqueue;
}
