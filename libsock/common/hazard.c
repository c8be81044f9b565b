/*
 * hazard.c - per-thread hazard records: how a send or receive holds its
 * socket without a locked instruction (the protocol is described in
 * internal.h, above lsi_hazard).
 *
 * Records are allocated on a thread's first call, kept on one list that
 * only grows, and given back when the thread exits (the platform's
 * thread-exit hook), so the list is as long as the most threads that ever
 * called libsock at once. ls_close() reads every record, after its barrier.
 */
#include <stdlib.h>

#include "internal.h"

/*
 * The records of threads without one of their own: both look busy (a
 * socket pointer that is no socket), so lsi_sock_enter() goes the slow way.
 * lsi_hazard_new: not registered yet; lsi_hazard_none: registering is not
 * possible (no barrier, no thread-exit hook, no memory), use references.
 */
static lsi_hazard lsi_hazard_new = {.sock = (lsi_sock *)(void *)&lsi_hazard_new};
static lsi_hazard lsi_hazard_none = {.sock = (lsi_sock *)(void *)&lsi_hazard_none};

_Thread_local lsi_hazard *lsi_hazard_mine = &lsi_hazard_new;

static _Atomic(lsi_hazard *) lsi_hazard_list;
static _Atomic long lsi_hazard_users; /* records taken by live threads */
static _Atomic int lsi_hazard_mode;   /* 0 not known yet, 1 records, -1 references only */

/* Whether the platform has the barrier the records depend on (asked once). */
static int lsi_hazard_possible(void)
{
	int mode = atomic_load_explicit(&lsi_hazard_mode, memory_order_acquire);

	if (mode == 0) {
		/* Two threads may both ask; the platform answers the same. */
		mode = lsi_plat_barrier_init() == 0 ? 1 : -1;
		atomic_store_explicit(&lsi_hazard_mode, mode, memory_order_release);
	}
	return mode > 0;
}

/* A record an exited thread gave back, or NULL. */
static lsi_hazard *lsi_hazard_reuse(void)
{
	lsi_hazard *rec = atomic_load_explicit(&lsi_hazard_list, memory_order_acquire);
	int free_;

	for (; rec != NULL; rec = rec->next) {
		free_ = 0;
		if (atomic_load_explicit(&rec->taken, memory_order_relaxed) == 0 &&
		    atomic_compare_exchange_strong_explicit(
		        &rec->taken, &free_, 1, memory_order_acquire, memory_order_relaxed))
			return rec;
	}
	return NULL;
}

/*
 * A new record, taken and on the list. Records are never freed (a close
 * may be reading one at any time), so the cache-line alignment is done by
 * hand rather than with an aligned allocator Windows lacks.
 */
static lsi_hazard *lsi_hazard_alloc(void)
{
	char *mem = calloc(1, sizeof(lsi_hazard) + _Alignof(lsi_hazard));
	lsi_hazard *rec, *head;

	if (mem == NULL)
		return NULL;
	rec = (lsi_hazard *)(void *)(mem + (_Alignof(lsi_hazard) -
	                                    (uintptr_t)mem % _Alignof(lsi_hazard)));
	atomic_init(&rec->sock, NULL);
	atomic_init(&rec->taken, 1);
	head = atomic_load_explicit(&lsi_hazard_list, memory_order_relaxed);
	do
		rec->next = head;
	while (!atomic_compare_exchange_weak_explicit(&lsi_hazard_list, &head, rec,
	                                              memory_order_release, memory_order_relaxed));
	return rec;
}

/* Give this thread a record of its own, or lsi_hazard_none. */
static lsi_hazard *lsi_hazard_register(void)
{
	lsi_hazard *rec = NULL;

	if (lsi_hazard_possible()) {
		rec = lsi_hazard_reuse();
		if (rec == NULL)
			rec = lsi_hazard_alloc();
	}
	if (rec != NULL && lsi_plat_on_thread_exit(rec) != 0) {
		/* Without the hook the record could never be given back. */
		atomic_store_explicit(&rec->taken, 0, memory_order_release);
		rec = NULL;
	}
	if (rec == NULL) {
		lsi_hazard_mine = &lsi_hazard_none;
		return &lsi_hazard_none;
	}
	atomic_fetch_add_explicit(&lsi_hazard_users, 1, memory_order_seq_cst);
	/*
	 * A close that did not count this thread skipped its barrier: this
	 * fence makes sure the first call here then sees the socket closed.
	 */
	atomic_thread_fence(memory_order_seq_cst);
	lsi_hazard_mine = rec;
	return rec;
}

void lsi_thread_exited(void *arg)
{
	lsi_hazard *rec = arg;

	/* A later call in this thread (another exit hook) registers again. */
	lsi_hazard_mine = &lsi_hazard_new;
	/*
	 * A thread cancelled inside a call still holds its socket; like a
	 * reference it would leave behind, the record stays held for good.
	 */
	if (atomic_load_explicit(&rec->sock, memory_order_relaxed) != NULL)
		return;
	atomic_fetch_sub_explicit(&lsi_hazard_users, 1, memory_order_seq_cst);
	atomic_store_explicit(&rec->taken, 0, memory_order_release);
}

int lsi_sock_enter_slow(ls_socket h, lsi_sock **out, lsi_hazard **hz)
{
	lsi_hazard *me = lsi_hazard_mine;
	lsi_sock *s;

	if (me == &lsi_hazard_new)
		me = lsi_hazard_register();
	/* No record of its own, or a nested call: the record is in use. */
	if (atomic_load_explicit(&me->sock, memory_order_relaxed) != NULL)
		return lsi_sock_enter_ref(h, out, hz);
	s = lsi_sock_slot(h);
	if (s == NULL)
		return lsi_fail(LS_EBADF);
	/* Another thread's socket: a reference, so its owner's close stays cheap. */
	if (atomic_load_explicit(&s->owner, memory_order_relaxed) != me && !lsi_sock_own(s, me))
		return lsi_sock_enter_ref(h, out, hz);
	s = lsi_sock_enter_owned(h, me);
	if (s == NULL)
		return lsi_fail(LS_EBADF);
	*out = s;
	*hz = me;
	return 0;
}

int lsi_sock_enter_ref(ls_socket h, lsi_sock **out, lsi_hazard **hz)
{
	*hz = NULL;
	return lsi_sock_acquire(h, out);
}

int lsi_sock_own(lsi_sock *s, lsi_hazard *me)
{
	lsi_hazard *none = NULL;

	if (!atomic_compare_exchange_strong_explicit(&s->owner, &none, me, memory_order_seq_cst,
	                                             memory_order_relaxed))
		return 0;
	atomic_thread_fence(memory_order_seq_cst);
	return 1;
}

int lsi_hazard_held(const lsi_sock *s)
{
	lsi_hazard *rec = atomic_load_explicit(&lsi_hazard_list, memory_order_acquire);

	for (; rec != NULL; rec = rec->next)
		if (atomic_load_explicit(&rec->sock, memory_order_acquire) == s)
			return 1;
	return 0;
}

int lsi_hazard_others(void)
{
	long mine = lsi_hazard_mine != &lsi_hazard_new && lsi_hazard_mine != &lsi_hazard_none;

	return atomic_load_explicit(&lsi_hazard_users, memory_order_seq_cst) > mine;
}

void lsi_sock_leave_closed(lsi_sock *s)
{
	int rc;

	/* Nobody waits for this result: the close already returned. */
	(void)lsi_sock_reap(s, &rc);
}
