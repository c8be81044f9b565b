/*
 * portable.c - the poller backend every OS has: poll() on POSIX, WSAPoll on
 * Windows, both through lsi_plat_poll (so the Windows failed-connect bug is
 * handled there). Its cost grows with the number of registered sockets; the
 * native backends' does not.
 *
 * A wait polls a snapshot of the registrations plus the read end of a
 * socket pair. ls_poller_wakeup() and changes made by other threads write a
 * byte to the pair; a change makes the wait take a new snapshot and go on
 * waiting, a wakeup makes it return.
 *
 * poll() has no portable way to say that the peer shut down its sending
 * side, and WSAPoll reports that as POLLHUP where POSIX reports POLLIN. So
 * for stream sockets the backend looks itself: a readable socket whose peek
 * finds the end of the stream has LS_POLLIN | LS_POLLRDHUP, and a hang-up is
 * LS_POLLHUP only once this side has shut down its sending side too.
 */
#include <stdlib.h>
#include <string.h>

#include "poller/backend.h"

typedef struct lsi_portable {
	ls_socket pair[2];      /* [0] is polled, [1] is written to wake it */
	lsi_fd wakefd;          /* pair[0]'s OS socket */
	_Atomic int pending;    /* a byte is in the pair, or about to be */
	_Atomic int user_woken; /* ls_poller_wakeup() was called */
	lsi_pollent *ents;      /* the snapshot: [0] is the pair */
	ls_socket *keys;
	size_t n, cap;
	unsigned version; /* p->version the snapshot was taken at */
	int fresh;        /* a snapshot exists */
	size_t rotate;    /* where the next scan starts, for fairness */
} lsi_portable;

static int lsi_portable_open(ls_poller *p)
{
	lsi_portable *b = calloc(1, sizeof(*b));
	ls_native nat;
	int rc;

	if (b == NULL)
		return lsi_fail(LS_ENOMEM);
	/* AF_UNIX where the OS has a native pair, else a loopback TCP pair. */
	rc = ls_socketpair(LS_AF_UNIX, LS_SOCK_STREAM, b->pair);
	if (rc != 0)
		rc = ls_socketpair(LS_AF_INET, LS_SOCK_STREAM, b->pair);
	if (rc != 0) {
		free(b);
		return rc;
	}
	ls_set_timeout(b->pair[0], 0);
	ls_set_timeout(b->pair[1], 0);
	ls_socket_native(b->pair[0], &nat);
	b->wakefd = (lsi_fd)nat;
	p->state = b;
	return 0;
}

static void lsi_portable_close(ls_poller *p)
{
	lsi_portable *b = p->state;

	ls_close(b->pair[0]);
	ls_close(b->pair[1]);
	free(b->ents);
	free(b->keys);
	free(b);
}

/* Registrations are read from p->list at each snapshot: nothing to do here. */
static int lsi_portable_add(ls_poller *p, lsi_preg *r)
{
	(void)p;
	(void)r;
	return 0;
}

static void lsi_portable_del(ls_poller *p, lsi_preg *r)
{
	(void)p;
	(void)r;
}

static void lsi_portable_kick(lsi_portable *b)
{
	if (!atomic_exchange(&b->pending, 1))
		ls_send(b->pair[1], "w", 1, 0);
}

static void lsi_portable_changed(ls_poller *p)
{
	lsi_portable_kick(p->state);
}

static int lsi_portable_wakeup(ls_poller *p)
{
	lsi_portable *b = p->state;

	atomic_store(&b->user_woken, 1);
	lsi_portable_kick(b);
	return 0;
}

/* Empty the pair; returns nonzero if a wakeup (not just a change) came. */
static int lsi_portable_drain(lsi_portable *b)
{
	char buf[64];

	while (ls_recv(b->pair[0], buf, sizeof(buf), 0) > 0)
		;
	atomic_store(&b->pending, 0);
	return atomic_exchange(&b->user_woken, 0);
}

static int lsi_portable_grow(lsi_portable *b, size_t need)
{
	lsi_pollent *e;
	ls_socket *k;
	size_t cap = b->cap ? b->cap : 64;

	while (cap < need)
		cap *= 2;
	if (cap == b->cap)
		return 0;
	e = realloc(b->ents, cap * sizeof(*e));
	if (e == NULL)
		return lsi_fail(LS_ENOMEM);
	b->ents = e;
	k = realloc(b->keys, cap * sizeof(*k));
	if (k == NULL)
		return lsi_fail(LS_ENOMEM);
	b->keys = k;
	b->cap = cap;
	return 0;
}

static void lsi_portable_entry(lsi_pollent *e, const lsi_preg *r)
{
	lsi_sock *sk;

	e->fd = r->fd;
	e->events = (short)(r->events & (LS_POLLIN | LS_POLLOUT));
	/* The peer's FIN shows as readable (POSIX) or a hang-up (Windows). */
	if (r->events & LS_POLLRDHUP)
		e->events |= LS_POLLIN;
	e->revents = 0;
	e->connecting = 0;
	if (lsi_sock_acquire(r->sock, &sk) == 0) {
		e->connecting = (atomic_load(&sk->flags) & LSI_SF_CONNECTING) != 0;
		lsi_sock_release(sk);
	}
}

/* Take a new snapshot of the armed registrations if they changed. */
static int lsi_portable_snapshot(ls_poller *p, lsi_portable *b)
{
	size_t i;
	int rc = 0;

	lsi_plat_mutex_lock(p->lock);
	if (b->fresh && b->version == atomic_load(&p->version))
		goto out;
	rc = lsi_portable_grow(b, p->count + 1);
	if (rc != 0)
		goto out;
	b->ents[0] = (lsi_pollent){.fd = b->wakefd, .events = LS_POLLIN};
	b->keys[0] = LS_INVALID_SOCKET;
	b->n = 1;
	for (i = 0; i < p->count; i++) {
		if (!p->list[i]->armed)
			continue;
		lsi_portable_entry(&b->ents[b->n], p->list[i]);
		b->keys[b->n++] = p->list[i]->sock;
	}
	b->version = atomic_load(&p->version);
	b->fresh = 1;
out:
	lsi_plat_mutex_unlock(p->lock);
	return rc;
}

/*
 * Make a stream socket's events mean what they mean on every backend (see
 * the top of the file). The socket is held while it is peeked at, so its
 * OS handle cannot be closed and reused meanwhile.
 */
static int lsi_portable_normalise(ls_socket key, int ev)
{
	lsi_sock *sk;
	char c;
	int64_t n;
	int shut_wr;

	if (!(ev & (LS_POLLIN | LS_POLLHUP)) || (ev & (LS_POLLERR | LS_POLLNVAL)))
		return ev;
	if (lsi_sock_acquire(key, &sk) != 0)
		return 0;
	if (sk->type == LS_SOCK_STREAM) {
		n = lsi_plat_recv(sk->fd, &c, 1, LS_MSG_PEEK | LS_MSG_DONTWAIT);
		shut_wr = (atomic_load(&sk->flags) & LSI_SF_SHUT_WR) != 0;
		if (n == 0)
			ev |= LS_POLLIN | LS_POLLRDHUP;
		/* A hang-up while this side can still send is the peer's FIN. */
		if ((ev & LS_POLLHUP) && !shut_wr && (n >= 0 || n == LS_EAGAIN))
			ev = (ev & ~LS_POLLHUP) | LS_POLLIN | LS_POLLRDHUP;
	}
	lsi_sock_release(sk);
	return ev;
}

/* Copy up to max ready entries to out, starting at a rotating place. */
static int lsi_portable_collect(lsi_portable *b, lsi_pevent *out, size_t max)
{
	size_t i, j, m = b->n - 1;
	int count = 0, ev;

	for (j = 0; j < m && (size_t)count < max; j++) {
		i = 1 + (b->rotate + j) % m;
		if (b->ents[i].revents == 0)
			continue;
		ev = lsi_portable_normalise(b->keys[i], b->ents[i].revents);
		if (ev == 0)
			continue;
		out[count].sock = b->keys[i];
		out[count].events = ev;
		count++;
	}
	b->rotate = m ? (b->rotate + j) % m : 0;
	return count;
}

static int lsi_portable_wait(ls_poller *p, lsi_pevent *out, size_t max, int64_t timeout_ms,
                             int *woken)
{
	lsi_portable *b = p->state;
	int64_t deadline = lsi_deadline(timeout_ms), left = timeout_ms;
	int rc;

	for (;;) {
		rc = lsi_portable_snapshot(p, b);
		if (rc == 0)
			rc = lsi_plat_poll(b->ents, b->n, left);
		if (rc <= 0)
			return rc;
		if (b->ents[0].revents != 0 && lsi_portable_drain(b)) {
			*woken = 1;
			return lsi_portable_collect(b, out, max);
		}
		rc = lsi_portable_collect(b, out, max);
		/* Only the pair was ready: the registrations changed; go on. */
		if (rc > 0 || b->ents[0].revents == 0)
			return rc;
		left = deadline >= 0 ? lsi_remaining(deadline) : timeout_ms;
		if (left == 0)
			return 0;
	}
}

static int lsi_portable_mod(ls_poller *p, lsi_preg *r)
{
	(void)p;
	(void)r;
	return 0;
}

const lsi_poller_ops lsi_poller_portable = {
    .name = NULL, /* ls_poller_backend() asks lsi_plat_poll_name() */
    .edge = 0,
    .open = lsi_portable_open,
    .close = lsi_portable_close,
    .add = lsi_portable_add,
    .mod = lsi_portable_mod,
    .del = lsi_portable_del,
    .wait = lsi_portable_wait,
    .wakeup = lsi_portable_wakeup,
    .changed = lsi_portable_changed,
};
