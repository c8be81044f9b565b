/*
 * poller.c - the poller's common code: argument checks, the registrations,
 * the choice of backend, and turning what a backend reports into events.
 *
 * Registrations are found by the handle's slot index, so lookups are O(1)
 * and an event is matched to its registration by the full handle (slot and
 * generation): an event for a socket that was closed, even one whose OS
 * descriptor number now belongs to another socket, finds no registration
 * and is dropped.
 *
 * Closing a socket that was ever registered calls lsi_poller_forget() (from
 * handle.c), which removes it from every poller while its OS handle is still
 * open, so the OS forgets it too. The pollers are kept in one process-wide
 * list for that, guarded by a spin lock that is taken only by create,
 * destroy and the close of a registered socket.
 */
#include <stdlib.h>
#include <string.h>

#include "poller/backend.h"

#define LSI_PEVENTS (LS_POLLIN | LS_POLLOUT | LS_POLLRDHUP)
/*
 * Always reported. LS_POLLNVAL only comes from the portable backend, for an
 * adopted OS socket its owner closed behind libsock's back: reporting it
 * (as poll() does) lets the caller unregister it instead of the wait
 * spinning on it.
 */
#define LSI_PALWAYS (LS_POLLERR | LS_POLLHUP | LS_POLLNVAL)

static ls_poller *lsi_pollers;
static atomic_flag lsi_pollers_lock = ATOMIC_FLAG_INIT;

static void lsi_pollers_take(void)
{
	while (atomic_flag_test_and_set_explicit(&lsi_pollers_lock, memory_order_acquire))
		;
}

static void lsi_pollers_give(void)
{
	atomic_flag_clear_explicit(&lsi_pollers_lock, memory_order_release);
}

/* --- Choosing a backend -------------------------------------------------- */

/* LIBSOCK_POLLER: unset, "" or "native" -> 0, "poll" -> 1, else LS_EINVAL. */
static int lsi_env_portable(void)
{
	const char *v = getenv("LIBSOCK_POLLER");

	if (v == NULL || v[0] == '\0' || strcmp(v, "native") == 0)
		return 0;
	if (strcmp(v, "poll") == 0)
		return 1;
	return lsi_fail(LS_EINVAL);
}

/* Open the native backend, or the portable one when asked or when needed. */
static int lsi_open_backend(ls_poller *p, int portable)
{
	const lsi_poller_ops *native = lsi_poller_native();
	int rc;

	if (!portable && native != NULL) {
		p->ops = native;
		rc = native->open(p);
		if (rc != LS_ENOTSUP)
			return rc;
	}
	p->ops = &lsi_poller_portable;
	return p->ops->open(p);
}

int ls_poller_create(ls_poller **out, int flags)
{
	ls_poller *p;
	int rc, portable;

	if (out == NULL)
		return lsi_fail(LS_EINVAL);
	*out = NULL;
	if (flags & ~LS_POLLER_PORTABLE)
		return lsi_fail(LS_EINVAL);
	portable = lsi_env_portable();
	if (portable < 0)
		return portable;
	rc = lsi_autoinit();
	if (rc != 0)
		return rc;
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return lsi_fail(LS_ENOMEM);
	rc = lsi_plat_mutex_new(&p->lock);
	if (rc == 0)
		rc = lsi_open_backend(p, portable || (flags & LS_POLLER_PORTABLE));
	if (rc != 0) {
		lsi_plat_mutex_free(p->lock);
		free(p);
		return rc;
	}
	lsi_pollers_take();
	p->next = lsi_pollers;
	lsi_pollers = p;
	lsi_pollers_give();
	*out = p;
	return 0;
}

static void lsi_unlink(ls_poller *p)
{
	ls_poller **pp;

	lsi_pollers_take();
	for (pp = &lsi_pollers; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	}
	lsi_pollers_give();
}

void ls_poller_destroy(ls_poller *p)
{
	size_t i;

	if (p == NULL)
		return;
	/* After this no close can reach the poller any more. */
	lsi_unlink(p);
	lsi_plat_mutex_lock(p->lock);
	for (i = 0; i < p->count; i++) {
		p->ops->del(p, p->list[i]);
		free(p->list[i]);
	}
	p->count = 0;
	lsi_plat_mutex_unlock(p->lock);
	p->ops->close(p);
	lsi_plat_mutex_free(p->lock);
	free(p->raw);
	free(p->slots);
	free(p->list);
	free(p);
}

const char *ls_poller_backend(const ls_poller *p)
{
	if (p == NULL)
		return "";
	return p->ops->name != NULL ? p->ops->name : lsi_plat_poll_name();
}

/* --- Registrations (p->lock held) ----------------------------------------- */

static uint32_t lsi_slot_of(ls_socket sock)
{
	return (uint32_t)sock - 1;
}

static lsi_preg *lsi_find(const ls_poller *p, ls_socket sock)
{
	uint32_t i = lsi_slot_of(sock);

	if (i >= p->nslots || p->slots[i] == NULL || p->slots[i]->sock != sock)
		return NULL;
	return p->slots[i];
}

/* Make room for slot index i and one more list entry. */
static int lsi_reserve(ls_poller *p, uint32_t i)
{
	size_t n;
	void *m;

	if (i >= p->nslots) {
		n = p->nslots ? p->nslots : 64;
		while (n <= i)
			n *= 2;
		m = realloc(p->slots, n * sizeof(*p->slots));
		if (m == NULL)
			return lsi_fail(LS_ENOMEM);
		p->slots = m;
		memset(p->slots + p->nslots, 0, (n - p->nslots) * sizeof(*p->slots));
		p->nslots = n;
	}
	if (p->count == p->cap) {
		n = p->cap ? p->cap * 2 : 64;
		m = realloc(p->list, n * sizeof(*p->list));
		if (m == NULL)
			return lsi_fail(LS_ENOMEM);
		p->list = m;
		p->cap = n;
	}
	return 0;
}

static void lsi_insert(ls_poller *p, lsi_preg *r)
{
	p->slots[lsi_slot_of(r->sock)] = r;
	r->pos = p->count;
	p->list[p->count++] = r;
	atomic_fetch_add(&p->version, 1);
}

/* Stop watching r (its fd still open), unlink it and free it. */
static void lsi_remove(ls_poller *p, lsi_preg *r)
{
	p->ops->del(p, r);
	p->slots[lsi_slot_of(r->sock)] = NULL;
	p->list[r->pos] = p->list[--p->count];
	p->list[r->pos]->pos = r->pos;
	atomic_fetch_add(&p->version, 1);
	free(r);
}

/* A change another thread's wait must see (portable backend only). */
static void lsi_changed(ls_poller *p)
{
	if (p->ops->changed != NULL)
		p->ops->changed(p);
}

/* --- add, mod, del ------------------------------------------------------ */

static int lsi_check_interest(const ls_poller *p, int events, int mode)
{
	if (p == NULL || (events & ~LSI_PEVENTS) != 0)
		return lsi_fail(LS_EINVAL);
	if (mode != LS_POLLER_LEVEL && mode != LS_POLLER_ONESHOT && mode != LS_POLLER_EDGE)
		return lsi_fail(LS_EINVAL);
	if (mode == LS_POLLER_EDGE && !p->ops->edge)
		return lsi_fail(LS_ENOTSUP);
	return 0;
}

static int lsi_add_locked(ls_poller *p, lsi_sock *sk, ls_socket s, int events, int mode,
                          uint64_t user)
{
	lsi_preg *r;
	int rc;

	if (lsi_find(p, s) != NULL)
		return lsi_fail(LS_EEXIST);
	rc = lsi_reserve(p, lsi_slot_of(s));
	if (rc != 0)
		return rc;
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return lsi_fail(LS_ENOMEM);
	*r = (lsi_preg){.sock = s,
	                .fd = sk->fd,
	                .events = events,
	                .mode = mode,
	                .user = user,
	                .armed = 1,
	                .stream = sk->type == LS_SOCK_STREAM};
	rc = p->ops->add(p, r);
	if (rc != 0) {
		free(r);
		return rc;
	}
	lsi_insert(p, r);
	return 0;
}

int ls_poller_add(ls_poller *p, ls_socket s, int events, int mode, uint64_t user)
{
	lsi_sock *sk;
	lsi_preg *r;
	int rc = lsi_check_interest(p, events, mode);

	if (rc == 0)
		rc = lsi_sock_acquire(s, &sk);
	if (rc != 0)
		return rc;
	/*
	 * The flag first, the closed check last: a close that cleared the open
	 * bit before the flag was visible did not look for this registration,
	 * so it is undone here (the fences make the two orders agree).
	 */
	lsi_set_flag(sk, LSI_SF_POLLED, 1);
	lsi_plat_mutex_lock(p->lock);
	rc = lsi_add_locked(p, sk, s, events, mode, user);
	atomic_thread_fence(memory_order_seq_cst);
	if (rc == 0 && lsi_sock_closing(sk)) {
		r = lsi_find(p, s);
		if (r != NULL)
			lsi_remove(p, r);
		rc = lsi_fail(LS_EBADF);
	}
	lsi_plat_mutex_unlock(p->lock);
	if (rc == 0)
		lsi_changed(p);
	lsi_sock_release(sk);
	return rc;
}

int ls_poller_mod(ls_poller *p, ls_socket s, int events, int mode, uint64_t user)
{
	lsi_sock *sk;
	lsi_preg *r, old;
	int rc = lsi_check_interest(p, events, mode);

	if (rc == 0)
		rc = lsi_sock_acquire(s, &sk);
	if (rc != 0)
		return rc;
	lsi_plat_mutex_lock(p->lock);
	r = lsi_find(p, s);
	if (r == NULL) {
		rc = lsi_fail(LS_ENOENT);
	} else {
		old = *r;
		r->events = events;
		r->mode = mode;
		r->user = user;
		r->armed = 1;
		rc = p->ops->mod(p, r);
		if (rc != 0)
			*r = old;
		else
			atomic_fetch_add(&p->version, 1);
	}
	lsi_plat_mutex_unlock(p->lock);
	if (rc == 0)
		lsi_changed(p);
	lsi_sock_release(sk);
	return rc;
}

int ls_poller_del(ls_poller *p, ls_socket s)
{
	lsi_sock *sk;
	lsi_preg *r;
	int rc;

	if (p == NULL)
		return lsi_fail(LS_EINVAL);
	rc = lsi_sock_acquire(s, &sk);
	if (rc != 0)
		return rc;
	lsi_plat_mutex_lock(p->lock);
	r = lsi_find(p, s);
	if (r == NULL)
		rc = lsi_fail(LS_ENOENT);
	else
		lsi_remove(p, r);
	lsi_plat_mutex_unlock(p->lock);
	if (rc == 0)
		lsi_changed(p);
	lsi_sock_release(sk);
	return rc;
}

void lsi_poller_forget(ls_socket sock)
{
	ls_poller *p;
	lsi_preg *r;

	lsi_pollers_take();
	for (p = lsi_pollers; p != NULL; p = p->next) {
		lsi_plat_mutex_lock(p->lock);
		r = lsi_find(p, sock);
		if (r != NULL)
			lsi_remove(p, r);
		lsi_plat_mutex_unlock(p->lock);
		if (r != NULL)
			lsi_changed(p);
	}
	lsi_pollers_give();
}

/* --- wait ------------------------------------------------------------- */

/*
 * Turn the backend's raw events in out[0..n) into the caller's, in place:
 * drop those of sockets no longer registered (or disarmed), mask to what
 * was asked, fill in the user value, and disarm one-shot registrations.
 */
static int lsi_deliver(ls_poller *p, ls_event *out, const lsi_pevent *raw, size_t n)
{
	size_t i;
	int count = 0;
	lsi_preg *r;
	int ev;

	lsi_plat_mutex_lock(p->lock);
	for (i = 0; i < n; i++) {
		r = lsi_find(p, raw[i].sock);
		if (r == NULL || !r->armed)
			continue;
		ev = raw[i].events & (r->events | LSI_PALWAYS);
		if (ev == 0)
			continue;
		if (r->mode == LS_POLLER_ONESHOT) {
			/* A scanning backend must leave it out from now on. */
			r->armed = 0;
			atomic_fetch_add(&p->version, 1);
		}
		out[count].sock = r->sock;
		out[count].events = ev;
		out[count].user = r->user;
		count++;
	}
	lsi_plat_mutex_unlock(p->lock);
	return count;
}

/* Nonzero if a registered socket asked to see EINTR (ls_set_interruptible). */
static int lsi_any_interruptible(ls_poller *p)
{
	lsi_sock *sk;
	size_t i;
	int intr = 0;

	lsi_plat_mutex_lock(p->lock);
	for (i = 0; i < p->count && !intr; i++) {
		if (lsi_sock_acquire(p->list[i]->sock, &sk) == 0) {
			intr = lsi_interruptible(sk);
			lsi_sock_release(sk);
		}
	}
	lsi_plat_mutex_unlock(p->lock);
	return intr;
}

/*
 * The raw events of one backend call go into a buffer the poller keeps and
 * grows: only one thread waits at a time (the header's rule), and a wait
 * must not cost an allocation.
 */
static lsi_pevent *lsi_raw_buffer(ls_poller *p, size_t max)
{
	lsi_pevent *m;

	if (max <= p->raw_cap)
		return p->raw;
	m = realloc(p->raw, max * sizeof(*m));
	if (m == NULL)
		return NULL;
	p->raw = m;
	p->raw_cap = max;
	return m;
}

static int lsi_wait_once(ls_poller *p, ls_event *out, size_t max, int64_t left, int *woken)
{
	lsi_pevent *raw = lsi_raw_buffer(p, max);
	int n;

	if (raw == NULL)
		return lsi_fail(LS_ENOMEM);
	n = p->ops->wait(p, raw, max, left, woken);
	if (n > 0)
		n = lsi_deliver(p, out, raw, (size_t)n);
	return n;
}

int ls_poller_wait(ls_poller *p, ls_event *out, size_t max, int64_t timeout_ms)
{
	int64_t deadline = lsi_deadline(timeout_ms), left = timeout_ms;
	int woken, n;

	if (p == NULL || out == NULL || max == 0 || timeout_ms < LS_TIMEOUT_BLOCK)
		return lsi_fail(LS_EINVAL);
	/* More than this many events in one wait buys nothing. */
	if (max > 65536)
		max = 65536;
	for (;;) {
		woken = 0;
		n = lsi_wait_once(p, out, max, left, &woken);
		if (n == LS_EINTR && lsi_any_interruptible(p))
			return n;
		if (n > 0 || woken || (n < 0 && n != LS_EINTR))
			return n;
		/* Only stale events, or a retried signal: wait for the time left. */
		left = deadline >= 0 ? lsi_remaining(deadline) : timeout_ms;
		if (left == 0)
			return 0;
	}
}

int ls_poller_wakeup(ls_poller *p)
{
	if (p == NULL)
		return lsi_fail(LS_EINVAL);
	return p->ops->wakeup(p);
}
