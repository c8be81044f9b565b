/*
 * init.c (POSIX) - lifecycle and the monotonic clock.
 *
 * POSIX sockets need no start-up: these exist because Windows needs
 * WSAStartup/WSACleanup, and common code calls them on every OS.
 */
#include "lsi_posix.h"

#include <time.h>

int lsi_plat_init(void)
{
	return 0;
}

void lsi_plat_cleanup(void)
{
}

/*
 * CLOCK_MONOTONIC never jumps when the wall clock is set, so deadlines
 * computed from it hold. It cannot fail with a valid clock id and pointer.
 */
int64_t lsi_plat_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + (int64_t)(ts.tv_nsec / 1000000);
}
