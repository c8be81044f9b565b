/*
 * clock.c (Windows) - the cheap clock for activity times and the wall clock.
 */
#include "win32.h"

/* GetTickCount64 reads a shared counter: no system call, 15.6 ms steps. */
int64_t lsi_plat_coarse_ms(void)
{
	return (int64_t)GetTickCount64();
}

/* FILETIME counts 100 ns since 1601; 11644473600 s separate it from 1970. */
int64_t lsi_plat_wall_ms(void)
{
	FILETIME ft;
	ULARGE_INTEGER u;

	GetSystemTimeAsFileTime(&ft);
	u.LowPart = ft.dwLowDateTime;
	u.HighPart = ft.dwHighDateTime;
	return (int64_t)(u.QuadPart / 10000) - 11644473600000LL;
}
