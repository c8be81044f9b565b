/*
 * internal.h - what the common code shares between its files: the socket
 * object behind a handle, the handle table, deadlines and waiting.
 *
 * Internal names use the lsi_ prefix; nothing here is exported.
 */
#ifndef LIBSOCK_COMMON_INTERNAL_H
#define LIBSOCK_COMMON_INTERNAL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "platform.h"

/*
 * Return a failure libsock detected itself (a bad argument, a closed
 * handle, a deadline): no OS code explains it, so ls_native_error() is 0.
 */
static inline int lsi_fail(int code)
{
	lsi_set_native_error(0);
	return code;
}

/* Socket flags (lsi_sock.flags). */
#define LSI_SF_INTERRUPTIBLE 0x01 /* report LS_EINTR instead of retrying */
#define LSI_SF_CONNECTING 0x02    /* a non-blocking connect may be pending */
#define LSI_SF_OS_NONBLOCK 0x04   /* the OS socket is in non-blocking mode */
#define LSI_SF_POLLED 0x08        /* registered in a poller at some time */
#define LSI_SF_SHUT_WR 0x10       /* this side shut down its sending direction */
#define LSI_SF_LISTENING 0x20     /* ls_listen() succeeded */
#define LSI_SF_ACL_COND 0x40      /* the OS judges peers inside accept (ACL, conditional) */

/*
 * Per-socket counters (libsock/stats/). Updated with relaxed loads and
 * stores, not read-modify-writes: the calls on one socket usually come from
 * one thread, and a plain add keeps counting to a few cycles a call. Two
 * threads on one socket at once may lose an increment; monitoring accepts
 * that. The fields every send or receive writes come first: they share the
 * socket's first cache line with its state and fd (lsi_sock), and so does
 * the last activity, which lives in lsi_sock itself for that reason.
 */
typedef struct lsi_counters {
	_Atomic uint64_t bytes_sent, bytes_received, sends, receives;
	_Atomic uint64_t errors;
	int64_t created_wall_ms; /* lsi_plat_wall_ms() at creation */
	int64_t created_ms;      /* lsi_plat_now_ms() at creation */
} lsi_counters;

/*
 * The head of an object a listener shares with its accepts in flight
 * (shared.c): malloc'd, immutable once published, freed by its last user.
 */
typedef struct lsi_shared {
	_Atomic int refs;
} lsi_shared;

/* How the socket's OS handle is disposed of when its last user leaves. */
enum lsi_close_mode { LSI_CLOSE_NORMAL = 0, LSI_CLOSE_DETACH = 1 };

/*
 * The object behind a handle. Slots live in chunks that are never freed, so
 * a stale handle can always be looked up safely; the generation in `state`
 * tells a live handle from a stale one.
 *
 * state: generation (high 32 bits) | LSI_ST_OPEN | LSI_ST_CLOSED |
 * LSI_ST_FENCED | reference count (low 29 bits). A call holds the socket
 * for its whole duration, by a reference or by its thread's hazard record
 * (hazard.c), so the OS handle is closed only after the last call using it
 * has returned: a closed handle's number can never reach an fd the OS has
 * since reused.
 *
 * Aligned to a cache line, with what every send and receive touches (state,
 * fd, type, the owner, the hot counters, the last activity) in the first
 * 64 bytes and nothing else there: right after a system call each further
 * line the fast path touches is a likely cache miss.
 */
struct lsi_hazard;

typedef struct lsi_sock {
	_Alignas(64) _Atomic uint64_t state;
	lsi_fd fd;
	int type;
	/*
	 * lsi_plat_clock_s() of the last send or receive, 0 if none (libsock/
	 * stats/). 32 bits, to fit the first line: unsigned seconds since 1970
	 * last until 2106.
	 */
	_Atomic uint32_t last_s;
	/*
	 * The record of the thread that holds this socket through hazard
	 * records (the first to make a call on it; hazard.c), or NULL. Other
	 * threads take references, so a close by the owner, or of a socket
	 * with no owner, needs no barrier.
	 */
	_Atomic(struct lsi_hazard *) owner;
	lsi_counters ctr;   /* libsock/stats/ */
	_Atomic int flags;  /* LSI_SF_*: no send or receive reads them on its fast path */
	int family;
	int protocol;
	_Atomic int64_t timeout_ms;
	int close_mode;
	lsi_optmemo memo;   /* see platform.h */
	_Atomic unsigned recvinfo; /* LS_MI_* fields asked of the OS (ls_set_recvinfo) */
	_Atomic(lsi_shared *) acl;       /* a listener's access rules (libsock/acl/) */
	_Atomic(lsi_shared *) proxy_cfg; /* a listener's PROXY settings (libsock/proxy/) */
	struct lsi_proxy_conn *proxy; /* the PROXY header an accepted socket came with */
	char *name;         /* ls_socket_set_name, guarded by the stats lock */
	uint32_t index;     /* this slot's place in the table */
	uint32_t next_free;
} lsi_sock;

/* What every send and receive touches stays within the first cache line. */
_Static_assert(offsetof(lsi_sock, ctr.receives) + sizeof(uint64_t) <= 64 &&
                   offsetof(lsi_sock, owner) + sizeof(void *) <= 64,
               "lsi_sock: a field of the fast path left the first cache line");

#define LSI_ST_OPEN ((uint64_t)1 << 31)   /* calls may start */
#define LSI_ST_CLOSED ((uint64_t)1 << 30) /* closed, not yet finalized */
#define LSI_ST_FENCED ((uint64_t)1 << 29) /* closed, and the close's barrier is done */
#define LSI_ST_REFS (LSI_ST_FENCED - 1)
_Static_assert(LSI_ST_OPEN == (uint64_t)1 << 31, "lsi_sock_is() needs the open bit at bit 31");

/* --- init.c -------------------------------------------------------------- */

/* Initialise on first use (the automatic reference of ls_init()'s doc). */
int lsi_autoinit(void);

/* --- handle.c ------------------------------------------------------------ */

/* Wrap an OS socket in a new handle. On failure the fd is NOT closed. */
int lsi_sock_new(lsi_fd fd, int family, int type, int protocol,
                 int64_t timeout_ms, int os_nonblock, ls_socket *out);

/*
 * The table's chunks, for the inline lookup below (handle.c owns them).
 * Chunks are allocated on demand and never freed.
 */
#define LSI_CHUNK_BITS 10
#define LSI_CHUNK_SIZE (1u << LSI_CHUNK_BITS)
#define LSI_MAX_CHUNKS 4096u /* 4 Mi sockets */
_Static_assert((uint64_t)LSI_MAX_CHUNKS * LSI_CHUNK_SIZE <= (uint64_t)1 << 31,
               "lsi_sock_is() needs bit 31 of a valid handle clear");
extern _Atomic(lsi_sock *) lsi_chunks[LSI_MAX_CHUNKS];

/*
 * The last reference after close is gone: close the OS handle, free the
 * slot. Returns the OS close's result (0 when detaching).
 */
int lsi_sock_finalize(lsi_sock *s);

/* The slot a handle names (any generation), or NULL if there is none. */
static inline lsi_sock *lsi_sock_slot(ls_socket h)
{
	uint32_t index = (uint32_t)h - 1;
	lsi_sock *chunk;

	/* Handle 0 wraps index to UINT32_MAX, which is past the last chunk. */
	if (index / LSI_CHUNK_SIZE >= LSI_MAX_CHUNKS)
		return NULL;
	chunk = atomic_load_explicit(&lsi_chunks[index / LSI_CHUNK_SIZE], memory_order_acquire);
	return chunk != NULL ? &chunk[index % LSI_CHUNK_SIZE] : NULL;
}

/* Nonzero if state st is handle h's and open. */
static inline int lsi_sock_is(uint64_t st, ls_socket h)
{
	/*
	 * One test rather than two, on the fast path of every call: above bit
	 * 31, st ^ h is zero when the generations match, and bit 31 is the
	 * open bit, because a handle that found a slot has bit 31 clear (its
	 * index is below LSI_MAX_CHUNKS * LSI_CHUNK_SIZE).
	 */
	return ((st ^ (uint64_t)h) >> 31) == 1;
}

/*
 * Look up a handle and hold a reference. LS_EBADF if closed or foreign.
 * Inline: every call does this, and it is a load and a compare-and-swap.
 */
static inline int lsi_sock_acquire(ls_socket h, lsi_sock **out)
{
	uint64_t st;

	*out = lsi_sock_slot(h);
	if (*out == NULL)
		return lsi_fail(LS_EBADF);
	st = atomic_load_explicit(&(*out)->state, memory_order_acquire);
	do {
		if (!lsi_sock_is(st, h))
			return lsi_fail(LS_EBADF);
	} while (!atomic_compare_exchange_weak_explicit(&(*out)->state, &st, st + 1,
	                                                memory_order_acquire,
	                                                memory_order_acquire));
	return 0;
}

/*
 * A closed socket's last user may be gone: finalize it if no reference and
 * no hazard record holds it any more and no other thread got there first.
 * Returns 1 and the OS close's result in *rc when this call finalized it.
 * Safe to call on any slot at any time (a stale look at a reused slot
 * finalizes nothing).
 */
int lsi_sock_reap(lsi_sock *s, int *rc);

/* Drop a reference; the last user after close disposes of the OS handle. */
static inline void lsi_sock_release(lsi_sock *s)
{
	uint64_t st = atomic_fetch_sub_explicit(&s->state, 1, memory_order_acq_rel) - 1;
	int rc;

	if ((st & LSI_ST_CLOSED) && (st & LSI_ST_REFS) == 0)
		lsi_sock_reap(s, &rc);
}

/*
 * Close a handle: it stops resolving at once; the OS handle is closed (or,
 * with LSI_CLOSE_DETACH, left open) when the last call using it returns.
 * Calls blocked on it in other threads are woken. LS_EBADF if the handle
 * was already closed; the OS close's error when this call was the last user.
 */
int lsi_sock_close(ls_socket h, int mode, lsi_fd *fd_out);

/* Nonzero once the handle has been closed (calls in flight should stop). */
int lsi_sock_closing(const lsi_sock *s);

/* --- hazard.c ------------------------------------------------------------ */

/*
 * The fast way to hold a socket for one call, with no locked instruction:
 * each thread has a hazard record, and a call stores the socket it uses in
 * its thread's record, then checks that the socket is open, with plain
 * (relaxed) accesses and no fence between them. ls_close() marks the
 * socket closed, runs lsi_plat_barrier() (every thread executes a full
 * fence), and only then looks at the records: a call that saw the socket
 * open is then visible in its record, so the close leaves the OS handle to
 * it; one that saw it closed never touches the fd. The call, when it
 * clears its record, looks at the state again and finalizes a socket
 * closed meanwhile (lsi_sock_reap()).
 *
 * Only the socket's owner (lsi_sock.owner: the first thread to make a call
 * on it, claimed by lsi_sock_own()) holds it by its record; other threads
 * take references. So the barrier is needed only when the closing thread
 * is not the owner: a thread closing its own sockets skips it, which keeps
 * a close as cheap as before in a busy multi-threaded process (the barrier
 * interrupts every CPU running one of its threads).
 *
 * Without the platform's barrier (or a thread-exit hook to recycle
 * records), every thread's record is lsi_hazard_none and calls take a
 * reference as before. A thread's record also counts as busy while it
 * holds a socket, so a nested call (a TLS layer's send inside a call) takes
 * a reference too.
 */
typedef struct lsi_hazard {
	_Alignas(64) _Atomic(lsi_sock *) sock; /* the socket held, or NULL */
	_Atomic int taken;             /* a live thread owns this record */
	struct lsi_hazard *next;       /* the list of every record; never unlinked */
} lsi_hazard;

/* This thread's record: an unregistered thread's points to lsi_hazard_new. */
extern _Thread_local lsi_hazard *lsi_hazard_mine;

/*
 * The general way in, when lsi_sock_enter_owned() declined: registers the
 * thread on its first call, makes it the owner of a socket that has none,
 * else takes a reference (*hz = NULL). Returns 0 or LS_EBADF, as
 * lsi_sock_enter().
 */
int lsi_sock_enter_slow(ls_socket h, lsi_sock **out, lsi_hazard **hz);

/*
 * The way in for another thread's socket: a reference (*hz = NULL), so its
 * owner's close can skip the barrier. As lsi_sock_enter().
 */
int lsi_sock_enter_ref(ls_socket h, lsi_sock **out, lsi_hazard **hz);

/*
 * Make the calling thread (record me) the owner of s if it has none: the
 * first thread that makes a call on a socket holds it by its record from
 * then on. Nonzero on success. Its full fence orders the claim before the
 * call's look at the state, against the close's look at the owner.
 */
int lsi_sock_own(lsi_sock *s, struct lsi_hazard *me);

/* Nonzero if some thread's record holds s (after the close's barrier). */
int lsi_hazard_held(const lsi_sock *s);

/*
 * Nonzero if a thread other than the caller may hold a socket through its
 * record: the close's barrier is then needed. A process with one thread
 * calling libsock skips it.
 */
int lsi_hazard_others(void);

/* Give back a record whose socket s is closing: finalize s if it is the last. */
void lsi_sock_leave_closed(lsi_sock *s);

/*
 * Stop holding a socket held by this thread's record hz (never NULL here).
 * Release: the call's use of the socket happens before any finalize.
 */
static inline void lsi_sock_leave_owned(lsi_sock *s, lsi_hazard *hz)
{
	atomic_store_explicit(&hz->sock, NULL, memory_order_release);
	atomic_signal_fence(memory_order_seq_cst);
	if (LSI_UNLIKELY(atomic_load_explicit(&s->state, memory_order_relaxed) & LSI_ST_CLOSED))
		lsi_sock_leave_closed(s);
}

/* Stop holding a socket taken by lsi_sock_enter(). */
static inline void lsi_sock_leave(lsi_sock *s, lsi_hazard *hz)
{
	if (hz == NULL)
		lsi_sock_release(s);
	else
		lsi_sock_leave_owned(s, hz);
}

/*
 * The fast way in, for the common case only: this thread's record is free
 * and already owns the socket of handle h. Returns the socket, held by the
 * record, or NULL holding nothing when any of that is not so or h is not
 * open; the caller then goes the general way (lsi_sock_enter_slow()),
 * which sorts out which it was. Always inline: it is most of a send's or
 * a receive's own cost.
 */
static LSI_ALWAYS_INLINE lsi_sock *lsi_sock_enter_owned(ls_socket h, lsi_hazard *me)
{
	lsi_sock *s;

	if (LSI_UNLIKELY(atomic_load_explicit(&me->sock, memory_order_relaxed) != NULL))
		return NULL;
	s = lsi_sock_slot(h);
	if (LSI_UNLIKELY(s == NULL || atomic_load_explicit(&s->owner, memory_order_relaxed) != me))
		return NULL;
	atomic_store_explicit(&me->sock, s, memory_order_relaxed);
	/*
	 * No hardware fence: the close's lsi_plat_barrier() stands for it. The
	 * compiler must still keep the store before the load.
	 */
	atomic_signal_fence(memory_order_seq_cst);
	if (LSI_UNLIKELY(!lsi_sock_is(atomic_load_explicit(&s->state, memory_order_acquire), h))) {
		lsi_sock_leave_owned(s, me);
		return NULL;
	}
	return s;
}

/*
 * Hold the socket of handle h for one call (*out), by this thread's record
 * (*hz) or, failing that, by a reference (*hz NULL). LS_EBADF if closed or
 * foreign. Every enter is paired with one lsi_sock_leave().
 */
static LSI_ALWAYS_INLINE int lsi_sock_enter(ls_socket h, lsi_sock **out, lsi_hazard **hz)
{
	lsi_hazard *me = lsi_hazard_mine;
	lsi_sock *s = lsi_sock_enter_owned(h, me);

	if (LSI_UNLIKELY(s == NULL))
		return lsi_sock_enter_slow(h, out, hz);
	*out = s;
	*hz = me;
	return 0;
}

/* --- poller/poller.c ------------------------------------------------------ */

/*
 * A socket that was ever registered in a poller (LSI_SF_POLLED) is being
 * closed: remove it from every poller while its OS handle is still open.
 */
void lsi_poller_forget(ls_socket sock);

/* --- shared.c --------------------------------------------------------------- */

/* The object in slot with a reference held (NULL if none). */
lsi_shared *lsi_shared_get(_Atomic(lsi_shared *) *slot);

/* Publish obj (its reference moves to the slot) and drop the one it replaces. */
void lsi_shared_swap(_Atomic(lsi_shared *) *slot, lsi_shared *obj);

/* Drop a reference (NULL is ignored). */
void lsi_shared_put(lsi_shared *obj);

/* --- acl/listener.c ------------------------------------------------------- */

/*
 * An accepted connection on a listener with rules: 1 to hand it to the
 * caller, 0 if the rules deny peer (fd is then reset, closed and counted).
 */
int lsi_acl_admit(lsi_sock *sk, lsi_fd fd, const ls_addr *peer);

/* PROXY headers were switched on: the rules can only apply after accept now. */
void lsi_acl_after_accept(lsi_sock *sk);

/*
 * One accept attempt on a listener with LSI_SF_ACL_COND: the rules judge
 * the peer inside the OS's accept call. As lsi_plat_accept(), or 1 when a
 * denied peer was refused (and counted).
 */
int lsi_acl_accept(lsi_sock *sk, lsi_fd *fd, ls_addr *peer, int nonblock);

/* The listener is going away: drop its rules. */
void lsi_acl_release(lsi_sock *sk);

/* --- proxy/listener.c ------------------------------------------------------ */

/*
 * An accepted connection on a listener that requires PROXY headers: read
 * and check the header (peer is the proxy's address on entry, the real
 * client's on return). 1 and *conn set (NULL without PROXY settings), or 0
 * if the connection was rejected (fd is then reset, closed and counted).
 */
int lsi_proxy_admit(lsi_sock *sk, lsi_fd fd, ls_addr *peer, struct lsi_proxy_conn **conn);

/* If the socket came through a PROXY header, its real client into *addr: 1. */
int lsi_proxy_peer(lsi_sock *sk, ls_addr *addr);

/* The socket is going away: drop its PROXY settings and header. */
void lsi_proxy_release(lsi_sock *sk);

/* --- stats/ ---------------------------------------------------------------- */

static inline void lsi_add(_Atomic uint64_t *c, uint64_t n)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + n,
	                      memory_order_relaxed);
}

/*
 * Count one send or receive call that returned rc, at now_s (the socket's
 * last activity). Would-block, timeouts and signals are not errors of the
 * socket; anything else negative is.
 */
static inline void lsi_count_io_at(lsi_sock *s, int sending, int64_t rc, int64_t now_s)
{
	if (rc >= 0) {
		lsi_add(sending ? &s->ctr.bytes_sent : &s->ctr.bytes_received, (uint64_t)rc);
		lsi_add(sending ? &s->ctr.sends : &s->ctr.receives, 1);
	} else if (rc != LS_EAGAIN && rc != LS_ETIMEDOUT && rc != LS_EINTR) {
		lsi_add(&s->ctr.errors, 1);
	}
	atomic_store_explicit(&s->last_s, (uint32_t)now_s, memory_order_relaxed);
}

/*
 * The same, now. io.c, whose sends and receives are the calls whose cost
 * matters most, reads the clock through the platform's inline fast path.
 */
static inline void lsi_count_io(lsi_sock *s, int sending, int64_t rc)
{
	lsi_count_io_at(s, sending, rc, lsi_plat_clock_s());
}

/* Process totals: a socket was opened, accepted, closed; a closed one's counts kept. */
void lsi_stats_opened(lsi_sock *s);
void lsi_stats_accepted(void);
void lsi_stats_closed(void);
void lsi_stats_retire(lsi_sock *s);

/* Visit every open socket (handle.c): fn gets each, held, in table order. */
void lsi_sock_walk(void (*fn)(lsi_sock *s, ls_socket h, void *arg), void *arg);

/* --- wait.c -------------------------------------------------------------- */

/* An absolute monotonic deadline in ms, or -1 for none. */
int64_t lsi_deadline(int64_t timeout_ms);

/* Milliseconds left before a deadline: -1 for none, 0 if it has passed. */
int64_t lsi_remaining(int64_t deadline);

/*
 * Wait until the socket is ready for `events` or the deadline passes:
 * 0 when ready (possibly spuriously: callers retry their operation and come
 * back), LS_ETIMEDOUT, LS_EINTR (only for interruptible sockets), LS_EBADF
 * if the handle was closed meanwhile, or an error.
 */
int lsi_wait(lsi_sock *s, short events, int64_t deadline);

/*
 * The decision every blocking call makes after an attempt failed with rc:
 * 1 to try again (after waiting if needed), or 0 to report rc. It waits for
 * readiness when the socket has a timeout (or blocks and the call was a
 * would-block anyway) and turns a missed deadline into LS_ETIMEDOUT in *rc.
 */
int lsi_retry(lsi_sock *s, int64_t *rc, short events, int flags, int64_t deadline);

/* Set or clear one of the LSI_SF_* flags. */
void lsi_set_flag(lsi_sock *s, int flag, int on);

/* Nonzero if the socket asked to see EINTR. */
int lsi_interruptible(const lsi_sock *s);

/* --- addr.c -------------------------------------------------------------- */

/*
 * The address a connect or sendto really targets: the unspecified address
 * (0.0.0.0, ::) becomes loopback of the same family, so that connecting to
 * it behaves as on Linux on every OS. Returns addr or tmp.
 */
const ls_addr *lsi_addr_target(const ls_addr *addr, ls_addr *tmp);

/* LS_EAFNOSUPPORT unless addr fits a socket of family (LS_EINVAL if NULL). */
int lsi_addr_check(const ls_addr *addr, int family);

/* --- socketpair.c -------------------------------------------------------- */

/*
 * Test seam: when set, the loopback TCP pair calls it once its listener
 * listens, with the listener's address, before its own connect, so a test
 * can connect strangers first and see them dropped. NULL in normal use.
 */
extern void (*lsi_pair_listening_hook)(const ls_addr *listener);

#endif /* LIBSOCK_COMMON_INTERNAL_H */
