/*
 * mutex.c (POSIX) - the contract's mutex over pthreads.
 */
#include <pthread.h>
#include <stdlib.h>

#include "platform.h"

struct lsi_mutex {
	pthread_mutex_t m;
};

int lsi_plat_mutex_new(lsi_mutex **out)
{
	lsi_mutex *m = malloc(sizeof(*m));

	if (m == NULL)
		return LS_ENOMEM;
	if (pthread_mutex_init(&m->m, NULL) != 0) {
		free(m);
		return LS_ENOMEM;
	}
	*out = m;
	return 0;
}

void lsi_plat_mutex_free(lsi_mutex *m)
{
	if (m == NULL)
		return;
	pthread_mutex_destroy(&m->m);
	free(m);
}

void lsi_plat_mutex_lock(lsi_mutex *m)
{
	pthread_mutex_lock(&m->m);
}

void lsi_plat_mutex_unlock(lsi_mutex *m)
{
	pthread_mutex_unlock(&m->m);
}
