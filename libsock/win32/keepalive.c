/*
 * keepalive.c (Windows) - keepalive tuning where TCP_KEEPIDLE and
 * TCP_KEEPINTVL are missing (Windows before 10 1709, and wine).
 *
 * Those systems tune keepalive only with WSAIoctl(SIO_KEEPALIVE_VALS). It
 * sets the idle time and the probe interval together, in milliseconds, it
 * also switches keepalive on or off, and nothing reads the values back. So
 * this file:
 * - remembers what it set in the socket's option memo (platform.h) and
 *   fills in the other value from the memo or from the Windows default;
 * - passes the socket's current SO_KEEPALIVE state, so that tuning never
 *   switches keepalive on by itself (it does not on any other OS);
 * - applies the remembered times again when keepalive is switched on
 *   later, since Windows may not keep them while keepalive is off.
 * The probe count cannot be set on these systems (it is fixed at 10), so
 * LS_OPT_KEEPCNT stays LS_ENOTSUP there.
 */
#include <stdatomic.h>

#include "win32.h"

#include <mstcpip.h>

/* Windows' defaults (KeepAliveTime, KeepAliveInterval), in seconds. */
#define LSI_KEEPIDLE_DEFAULT 7200
#define LSI_KEEPINTVL_DEFAULT 1

/* SIO_KEEPALIVE_VALS takes milliseconds in a ULONG. */
#define LSI_KEEP_MAX_SECONDS (ULONG_MAX / 1000)

int lsi_win_keepalive_missing(int option, int code)
{
	return (option == LS_OPT_KEEPIDLE || option == LS_OPT_KEEPINTVL) &&
	       (code == WSAENOPROTOOPT || code == WSAEINVAL);
}

static int lsi_memo_or(_Atomic int *slot, int fallback)
{
	int v = atomic_load_explicit(slot, memory_order_relaxed);

	return v > 0 ? v : fallback;
}

/* Apply idle and interval (seconds) with keepalive on or off. */
static int lsi_keepalive_vals(SOCKET s, int on, int idle, int intvl)
{
	struct tcp_keepalive ka;
	DWORD returned = 0;

	ka.onoff = on ? 1 : 0;
	ka.keepalivetime = (ULONG)idle * 1000u;
	ka.keepaliveinterval = (ULONG)intvl * 1000u;
	if (lsi_win_wsaioctl(s, SIO_KEEPALIVE_VALS, &ka, (DWORD)sizeof ka, NULL, 0, &returned) ==
	    SOCKET_ERROR)
		return lsi_win_last_error();
	return 0;
}

/* SO_KEEPALIVE as 0 or 1, or an LS_E* error. */
static int lsi_keepalive_on(SOCKET s)
{
	DWORD v = 0; /* zeroed: a BOOL option may report only one byte */
	int len = (int)sizeof v;

	if (lsi_win_getsockopt(s, SOL_SOCKET, SO_KEEPALIVE, (char *)&v, &len) == SOCKET_ERROR)
		return lsi_win_last_error();
	return v != 0;
}

int lsi_win_keepalive_set(SOCKET s, lsi_optmemo *memo, int option, int value)
{
	int idle = lsi_memo_or(&memo->keepidle, LSI_KEEPIDLE_DEFAULT);
	int intvl = lsi_memo_or(&memo->keepintvl, LSI_KEEPINTVL_DEFAULT);
	int on, rc;

	if ((unsigned long)value > LSI_KEEP_MAX_SECONDS)
		return LS_EINVAL;
	if (option == LS_OPT_KEEPIDLE)
		idle = value;
	else
		intvl = value;
	on = lsi_keepalive_on(s);
	if (on < 0)
		return on;
	rc = lsi_keepalive_vals(s, on, idle, intvl);
	if (rc != 0)
		return rc == LS_EINVAL ? LS_ENOTSUP : rc;
	atomic_store_explicit(option == LS_OPT_KEEPIDLE ? &memo->keepidle : &memo->keepintvl,
	                      value, memory_order_relaxed);
	return 0;
}

int lsi_win_keepalive_get(lsi_optmemo *memo, int option, int *value)
{
	if (option == LS_OPT_KEEPIDLE)
		*value = lsi_memo_or(&memo->keepidle, LSI_KEEPIDLE_DEFAULT);
	else
		*value = lsi_memo_or(&memo->keepintvl, LSI_KEEPINTVL_DEFAULT);
	return 0;
}

int lsi_win_keepalive_reapply(SOCKET s, lsi_optmemo *memo)
{
	/* Nothing was set through the fallback: Windows' own times apply. */
	if (lsi_memo_or(&memo->keepidle, 0) == 0 && lsi_memo_or(&memo->keepintvl, 0) == 0)
		return 0;
	return lsi_keepalive_vals(s, 1, lsi_memo_or(&memo->keepidle, LSI_KEEPIDLE_DEFAULT),
	                          lsi_memo_or(&memo->keepintvl, LSI_KEEPINTVL_DEFAULT));
}
