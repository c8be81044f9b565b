/*
 * clock.c (Windows) - the cheap clock for activity times and the wall clock.
 */
#include "win32.h"

/* FILETIME counts 100 ns since 1601; 11644473600 s separate it from 1970. */
#define LSI_FILETIME_1970_S 11644473600LL

/* The system time as 100 ns units since 1601. */
static uint64_t lsi_filetime_now(void)
{
	FILETIME ft;
	ULARGE_INTEGER u;

	/* Reads the time the kernel keeps in shared memory: no system call. */
	GetSystemTimeAsFileTime(&ft);
	u.LowPart = ft.dwLowDateTime;
	u.HighPart = ft.dwHighDateTime;
	return u.QuadPart;
}

int64_t lsi_plat_clock_s(void)
{
	return (int64_t)(lsi_filetime_now() / 10000000) - LSI_FILETIME_1970_S;
}

int64_t lsi_plat_wall_ms(void)
{
	return (int64_t)(lsi_filetime_now() / 10000) - LSI_FILETIME_1970_S * 1000;
}
