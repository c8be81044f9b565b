/*
 * init.c (Windows) - starting Winsock and the monotonic clock.
 */
#include "win32.h"

int lsi_plat_init(void)
{
	WSADATA data;
	/* WSAStartup returns its error; it cannot use WSAGetLastError(),
	 * which needs a started Winsock. */
	int rc = WSAStartup(MAKEWORD(2, 2), &data);

	if (rc != 0)
		return lsi_win_error(rc);
	if (LOBYTE(data.wVersion) != 2 || HIBYTE(data.wVersion) != 2) {
		/* Every Windows since 98 has 2.2; anything else is not a
		 * Winsock libsock knows how to drive. */
		WSACleanup();
		return lsi_win_error(WSAVERNOTSUPPORTED);
	}
	return 0;
}

void lsi_plat_cleanup(void)
{
	WSACleanup();
}

/*
 * QueryPerformanceCounter is monotonic and never fails on Windows XP and
 * later; GetTickCount64 would do too, but ticks only every 15.6 ms, which
 * makes short timeouts visibly late.
 */
int64_t lsi_plat_now_ms(void)
{
	static volatile LONGLONG freq;
	LARGE_INTEGER now;
	LONGLONG f = freq;

	if (f == 0) {
		LARGE_INTEGER qf;

		/* Racing threads store the same value: no lock needed. */
		QueryPerformanceFrequency(&qf);
		f = qf.QuadPart;
		freq = f;
	}
	QueryPerformanceCounter(&now);
	/* Split the division so counter * 1000 cannot overflow. */
	return (int64_t)(now.QuadPart / f * 1000 + now.QuadPart % f * 1000 / f);
}
