/*
 * mutex.c (Windows) - the contract's mutex over a slim reader/writer lock,
 * which needs no cleanup and cannot fail to initialise.
 */
#include <stdlib.h>

#include "win32.h"

struct lsi_mutex {
	SRWLOCK lock;
};

int lsi_plat_mutex_new(lsi_mutex **out)
{
	lsi_mutex *m = malloc(sizeof(*m));

	if (m == NULL)
		return LS_ENOMEM;
	InitializeSRWLock(&m->lock);
	*out = m;
	return 0;
}

void lsi_plat_mutex_free(lsi_mutex *m)
{
	free(m);
}

void lsi_plat_mutex_lock(lsi_mutex *m)
{
	AcquireSRWLockExclusive(&m->lock);
}

void lsi_plat_mutex_unlock(lsi_mutex *m)
{
	ReleaseSRWLockExclusive(&m->lock);
}
