/*
 * soerror.c (Windows) - SO_ERROR that clears when read, as on POSIX.
 *
 * POSIX clears a socket's pending error when getsockopt(SO_ERROR) reads it,
 * and platform.h promises the same. Windows (and wine) keep reporting the
 * error of a failed connect on every read. So the platform remembers which
 * error it has already reported for which socket and reports 0 for it
 * afterwards. An entry goes away when its socket is closed, connects again
 * or the SOCKET value is handed out anew (socket, accept, adopt), so a
 * reused value never inherits an old entry.
 *
 * Only sockets whose error was read and that are still open have entries,
 * which in practice is a handful; a plain array is enough. An atomic count
 * keeps the common case (no entries at all) free of the lock.
 */
#include <stdatomic.h>
#include <stdlib.h>

#include "win32.h"

typedef struct lsi_soerr {
	SOCKET s;
	int err;
} lsi_soerr;

static SRWLOCK lsi_soerr_lock = SRWLOCK_INIT;
static lsi_soerr *lsi_soerr_tab;
static size_t lsi_soerr_cap;
static atomic_size_t lsi_soerr_len;

/* The entry for s, or NULL. Called with the lock held. */
static lsi_soerr *lsi_soerr_find(SOCKET s)
{
	size_t n = atomic_load_explicit(&lsi_soerr_len, memory_order_relaxed);
	size_t i;

	for (i = 0; i < n; i++) {
		if (lsi_soerr_tab[i].s == s)
			return &lsi_soerr_tab[i];
	}
	return NULL;
}

/* Remove an entry by moving the last one into its place. Lock held. */
static void lsi_soerr_remove(lsi_soerr *e)
{
	size_t n = atomic_load_explicit(&lsi_soerr_len, memory_order_relaxed);

	*e = lsi_soerr_tab[n - 1];
	atomic_store_explicit(&lsi_soerr_len, n - 1, memory_order_relaxed);
}

/*
 * Add an entry. Without memory the error is simply not remembered, and is
 * reported again on the next read: the Windows behaviour, not a failure.
 */
static void lsi_soerr_add(SOCKET s, int err)
{
	size_t n = atomic_load_explicit(&lsi_soerr_len, memory_order_relaxed);

	if (n == lsi_soerr_cap) {
		size_t cap = lsi_soerr_cap ? lsi_soerr_cap * 2 : 16;
		lsi_soerr *tab = realloc(lsi_soerr_tab, cap * sizeof *tab);

		if (tab == NULL)
			return;
		lsi_soerr_tab = tab;
		lsi_soerr_cap = cap;
	}
	lsi_soerr_tab[n].s = s;
	lsi_soerr_tab[n].err = err;
	atomic_store_explicit(&lsi_soerr_len, n + 1, memory_order_release);
}

void lsi_win_soerror_forget(SOCKET s)
{
	lsi_soerr *e;

	if (atomic_load_explicit(&lsi_soerr_len, memory_order_acquire) == 0)
		return;
	AcquireSRWLockExclusive(&lsi_soerr_lock);
	e = lsi_soerr_find(s);
	if (e != NULL)
		lsi_soerr_remove(e);
	ReleaseSRWLockExclusive(&lsi_soerr_lock);
}

int lsi_win_soerror_filter(SOCKET s, int err)
{
	lsi_soerr *e;
	int report = err;

	if (err == 0 && atomic_load_explicit(&lsi_soerr_len, memory_order_acquire) == 0)
		return 0;
	AcquireSRWLockExclusive(&lsi_soerr_lock);
	e = lsi_soerr_find(s);
	if (e != NULL && e->err == err)
		report = 0; /* already reported once: read means cleared */
	else if (e != NULL && err != 0)
		e->err = err; /* a new error: report it, remember it */
	else if (e != NULL)
		lsi_soerr_remove(e); /* the OS cleared it itself */
	else if (err != 0)
		lsi_soerr_add(s, err);
	ReleaseSRWLockExclusive(&lsi_soerr_lock);
	return report;
}

int lsi_win_so_error(SOCKET s, int *value)
{
	int err = 0;
	int len = (int)sizeof err;

	if (lsi_win_getsockopt(s, SOL_SOCKET, SO_ERROR, (char *)&err, &len) == SOCKET_ERROR)
		return lsi_win_last_error();
	err = lsi_win_soerror_filter(s, err);
	*value = err == 0 ? 0 : lsi_win_error(err);
	return 0;
}
