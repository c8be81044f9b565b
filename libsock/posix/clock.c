/*
 * clock.c (POSIX) - the cheap clock for activity times and the wall clock.
 */
#include <time.h>

#include "lsi_fast.h"
#include "lsi_posix.h"

/* The same clock as the fast path's, for callers outside io.c. */
int64_t lsi_plat_clock_s(void)
{
	return lsi_fast_clock_s();
}

int64_t lsi_plat_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + (int64_t)(ts.tv_nsec / 1000000);
}
