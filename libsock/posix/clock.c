/*
 * clock.c (POSIX) - the cheap clock for activity times and the wall clock.
 */
#include <time.h>

#include "lsi_posix.h"

int64_t lsi_plat_coarse_ms(void)
{
	struct timespec ts;

#if HAVE_CLOCK_MONOTONIC_COARSE
	/* Read from the vDSO without touching the clock source: a few ns. */
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
#else
	clock_gettime(CLOCK_MONOTONIC, &ts);
#endif
	return (int64_t)ts.tv_sec * 1000 + (int64_t)(ts.tv_nsec / 1000000);
}

int64_t lsi_plat_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + (int64_t)(ts.tv_nsec / 1000000);
}
