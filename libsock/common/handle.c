/*
 * handle.c - the handle table.
 *
 * A handle is (generation << 32) | (slot index + 1). Slots live in chunks
 * allocated on demand and never freed, so looking up any 64-bit value is
 * safe: a foreign or stale handle finds a slot whose generation differs (or
 * no chunk at all) and gets LS_EBADF. Lookups take no lock: a compare-and-
 * swap on the slot's state word checks the generation and the open bit and
 * takes a reference in one step; sends and receives hold the socket through
 * their thread's hazard record instead (hazard.c), with no locked
 * instruction at all.
 *
 * Closing clears the open bit so no new call can start, runs the
 * platform's process-wide barrier so that every call holding the socket
 * through a record is visible, wakes calls blocked on the socket
 * (shutdown), and leaves the OS close to whoever lets go of it last
 * (lsi_sock_reap). Only then is the generation bumped and the slot reused,
 * from a FIFO free list so that a slot is reused as late as possible.
 */
#include <stdlib.h>

#include "internal.h"

#define LSI_NO_SLOT UINT32_MAX

_Atomic(lsi_sock *) lsi_chunks[LSI_MAX_CHUNKS];
static uint32_t lsi_nchunks;     /* chunks allocated; guarded by the lock */
static uint32_t lsi_free_head = LSI_NO_SLOT;
static uint32_t lsi_free_tail = LSI_NO_SLOT;
static atomic_flag lsi_table_lock = ATOMIC_FLAG_INIT;

static void lsi_table_lock_take(void)
{
	while (atomic_flag_test_and_set_explicit(&lsi_table_lock, memory_order_acquire))
		;
}

static void lsi_table_lock_give(void)
{
	atomic_flag_clear_explicit(&lsi_table_lock, memory_order_release);
}

static lsi_sock *lsi_slot(uint32_t index)
{
	lsi_sock *chunk;

	if (index / LSI_CHUNK_SIZE >= LSI_MAX_CHUNKS)
		return NULL;
	chunk = atomic_load_explicit(&lsi_chunks[index / LSI_CHUNK_SIZE], memory_order_acquire);
	return chunk ? &chunk[index % LSI_CHUNK_SIZE] : NULL;
}

/*
 * Zeroed slots, aligned to a cache line as lsi_sock asks. Chunks are never
 * freed, so the alignment is done by hand rather than with an aligned
 * allocator Windows lacks.
 */
static lsi_sock *lsi_chunk_alloc(void)
{
	char *mem = calloc(LSI_CHUNK_SIZE + 1, sizeof(lsi_sock));
	uintptr_t skew;

	if (mem == NULL)
		return NULL;
	skew = (uintptr_t)mem % _Alignof(lsi_sock);
	return (lsi_sock *)(void *)(skew ? mem + _Alignof(lsi_sock) - skew : mem);
}

/* Add a chunk of fresh slots to the free list. Called with the lock held. */
static int lsi_grow_locked(void)
{
	lsi_sock *chunk;
	uint32_t base, i;

	if (lsi_nchunks == LSI_MAX_CHUNKS)
		return lsi_fail(LS_EMFILE);
	chunk = lsi_chunk_alloc();
	if (chunk == NULL)
		return lsi_fail(LS_ENOMEM);
	base = lsi_nchunks * LSI_CHUNK_SIZE;
	for (i = 0; i < LSI_CHUNK_SIZE; i++) {
		/* Generation 1 first: handle 0 must never be valid. */
		atomic_init(&chunk[i].state, (uint64_t)1 << 32);
		chunk[i].index = base + i;
		chunk[i].next_free = (i + 1 < LSI_CHUNK_SIZE) ? base + i + 1 : LSI_NO_SLOT;
	}
	atomic_store_explicit(&lsi_chunks[lsi_nchunks], chunk, memory_order_release);
	lsi_nchunks++;
	if (lsi_free_tail == LSI_NO_SLOT)
		lsi_free_head = base;
	else
		lsi_slot(lsi_free_tail)->next_free = base;
	lsi_free_tail = base + LSI_CHUNK_SIZE - 1;
	return 0;
}

static int lsi_slot_take(uint32_t *index)
{
	int rc = 0;

	lsi_table_lock_take();
	if (lsi_free_head == LSI_NO_SLOT)
		rc = lsi_grow_locked();
	if (rc == 0) {
		*index = lsi_free_head;
		lsi_free_head = lsi_slot(*index)->next_free;
		if (lsi_free_head == LSI_NO_SLOT)
			lsi_free_tail = LSI_NO_SLOT;
	}
	lsi_table_lock_give();
	return rc;
}

static void lsi_slot_put(uint32_t index)
{
	lsi_sock *s = lsi_slot(index);

	lsi_table_lock_take();
	s->next_free = LSI_NO_SLOT;
	if (lsi_free_tail == LSI_NO_SLOT)
		lsi_free_head = index;
	else
		lsi_slot(lsi_free_tail)->next_free = index;
	lsi_free_tail = index;
	lsi_table_lock_give();
}

int lsi_sock_new(lsi_fd fd, int family, int type, int protocol,
                 int64_t timeout_ms, int os_nonblock, ls_socket *out)
{
	uint32_t index;
	uint64_t gen;
	lsi_sock *s;
	int rc = lsi_slot_take(&index);

	if (rc != 0)
		return rc;
	s = lsi_slot(index);
	s->fd = fd;
	s->family = family;
	s->type = type;
	s->protocol = protocol;
	s->close_mode = LSI_CLOSE_NORMAL;
	atomic_store_explicit(&s->memo.keepidle, 0, memory_order_relaxed);
	atomic_store_explicit(&s->memo.keepintvl, 0, memory_order_relaxed);
	atomic_store_explicit(&s->recvinfo, 0, memory_order_relaxed);
	atomic_store_explicit(&s->acl, NULL, memory_order_relaxed);
	atomic_store_explicit(&s->proxy_cfg, NULL, memory_order_relaxed);
	atomic_store_explicit(&s->owner, NULL, memory_order_relaxed);
	s->proxy = NULL;
	lsi_stats_opened(s);
	atomic_store_explicit(&s->timeout_ms, timeout_ms, memory_order_relaxed);
	atomic_store_explicit(&s->flags, os_nonblock ? LSI_SF_OS_NONBLOCK : 0,
	                      memory_order_relaxed);
	gen = atomic_load_explicit(&s->state, memory_order_relaxed) >> 32;
	/* Publishing the open bit makes the filled-in fields visible. */
	atomic_store_explicit(&s->state, (gen << 32) | LSI_ST_OPEN, memory_order_release);
	*out = (gen << 32) | (uint64_t)(index + 1);
	return 0;
}

/* The last reference is gone after close: dispose of the OS handle. */
int lsi_sock_finalize(lsi_sock *s)
{
	int rc = 0;

	uint64_t gen = atomic_load_explicit(&s->state, memory_order_acquire) >> 32;

	if (atomic_load_explicit(&s->acl, memory_order_relaxed) != NULL)
		lsi_acl_release(s);
	if (s->proxy != NULL || atomic_load_explicit(&s->proxy_cfg, memory_order_relaxed) != NULL)
		lsi_proxy_release(s);
	lsi_stats_retire(s);
	if (s->close_mode == LSI_CLOSE_NORMAL)
		rc = lsi_plat_close(s->fd);
	s->fd = LSI_FD_INVALID;
	/* Wrap past 0 so that no handle ever has generation 0 either. */
	gen = (gen + 1) & 0xffffffffu;
	atomic_store_explicit(&s->state, (gen ? gen : 1) << 32, memory_order_release);
	lsi_slot_put(s->index);
	return rc;
}

int lsi_sock_closing(const lsi_sock *s)
{
	return !(atomic_load_explicit(&s->state, memory_order_acquire) & LSI_ST_OPEN);
}

int lsi_sock_reap(lsi_sock *s, int *rc)
{
	uint64_t st;

	/*
	 * Orders the caller's own release (its record cleared, its reference
	 * dropped) before the look at the state and at the other records:
	 * of two threads releasing at once, at least one sees the other done.
	 */
	atomic_thread_fence(memory_order_seq_cst);
	st = atomic_load_explicit(&s->state, memory_order_acquire);
	/* Before the close's barrier, a record's absence proves nothing yet. */
	if (!(st & LSI_ST_CLOSED) || !(st & LSI_ST_FENCED) || (st & LSI_ST_REFS) != 0)
		return 0;
	if (lsi_hazard_held(s))
		return 0;
	/* Claim it: exactly one of the threads that got here finalizes. */
	if (!atomic_compare_exchange_strong_explicit(&s->state, &st, st & ~LSI_ST_CLOSED,
	                                             memory_order_acq_rel,
	                                             memory_order_relaxed))
		return 0;
	*rc = lsi_sock_finalize(s);
	return 1;
}

/* Clear the open bit (and mark the socket closed): 0, or 1 if already closed. */
static int lsi_sock_mark_closed(lsi_sock *s, uint64_t *st)
{
	*st = atomic_load_explicit(&s->state, memory_order_acquire);
	do {
		if (!(*st & LSI_ST_OPEN))
			return 1;
	} while (!atomic_compare_exchange_weak_explicit(&s->state, st,
	                                                (*st & ~LSI_ST_OPEN) | LSI_ST_CLOSED,
	                                                memory_order_seq_cst,
	                                                memory_order_acquire));
	return 0;
}

/*
 * After the open bit is cleared: make every call that saw the socket open
 * through its thread's record visible in that record, then allow the
 * finalize. Returns nonzero if a call other than the close holds it. Only
 * the socket's owner holds it by a record (other threads take references),
 * so the platform's barrier is needed only when the owner is another
 * thread: a thread closing its own sockets, as servers do, never pays it.
 * No owner yet: a thread claiming it now does so with a full fence before
 * it looks at the state, so it sees the socket closed (mark_closed's
 * compare-and-swap is the fence on this side).
 */
static int lsi_sock_fence_close(lsi_sock *s, uint64_t st)
{
	struct lsi_hazard *own = atomic_load_explicit(&s->owner, memory_order_seq_cst);

	if (own != NULL && own != lsi_hazard_mine && lsi_hazard_others())
		lsi_plat_barrier();
	atomic_fetch_or_explicit(&s->state, LSI_ST_FENCED, memory_order_seq_cst);
	return (st & LSI_ST_REFS) > 1 || lsi_hazard_held(s);
}

int lsi_sock_close(ls_socket h, int mode, lsi_fd *fd_out)
{
	lsi_sock *s;
	uint64_t st;
	int busy, rc = lsi_sock_acquire(h, &s);

	if (rc != 0)
		return rc;
	if (lsi_sock_mark_closed(s, &st) != 0) {
		/* Another thread closed it between our lookup and now. */
		lsi_sock_release(s);
		return lsi_fail(LS_EBADF);
	}
	s->close_mode = mode;
	lsi_stats_closed();
	/*
	 * Pairs with the fence in ls_poller_add(): either this close sees the
	 * socket flagged as registered, or the add sees it closed.
	 */
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load(&s->flags) & LSI_SF_POLLED)
		lsi_poller_forget(h);
	if (fd_out != NULL)
		*fd_out = s->fd;
	busy = lsi_sock_fence_close(s, st);
	/*
	 * Other calls still hold the socket: they may be blocked in the OS on
	 * it. Shutting it down wakes them (they then see the closed state and
	 * return LS_EBADF); the last of them closes the OS handle. Detaching
	 * must leave the connection intact, so it wakes nobody.
	 */
	if (busy && mode == LSI_CLOSE_NORMAL)
		lsi_plat_shutdown(s->fd, LS_SHUT_RDWR);
	/*
	 * When this close drops the last hold, it closes the OS handle itself
	 * and reports how that went (a descriptor closed behind libsock's back
	 * is LS_EBADF). EINTR is not reported: the descriptor is gone either
	 * way and must not be closed again.
	 */
	atomic_fetch_sub_explicit(&s->state, 1, memory_order_acq_rel);
	if (!lsi_sock_reap(s, &rc))
		return 0;
	return rc == LS_EINTR ? 0 : rc;
}

void lsi_sock_walk(void (*fn)(lsi_sock *s, ls_socket h, void *arg), void *arg)
{
	uint32_t c, i;
	lsi_sock *chunk, *s;
	uint64_t st;

	for (c = 0; c < LSI_MAX_CHUNKS; c++) {
		chunk = atomic_load_explicit(&lsi_chunks[c], memory_order_acquire);
		if (chunk == NULL)
			break;
		for (i = 0; i < LSI_CHUNK_SIZE; i++) {
			st = atomic_load_explicit(&chunk[i].state, memory_order_acquire);
			if (!(st & LSI_ST_OPEN))
				continue;
			/* Take it as any call would: it may close meanwhile. */
			ls_socket h = ((st >> 32) << 32) | (uint64_t)(chunk[i].index + 1);

			if (lsi_sock_acquire(h, &s) != 0)
				continue;
			fn(s, h, arg);
			lsi_sock_release(s);
		}
	}
}
