/*
 * tcp_info.c (Windows) - TCP statistics with SIO_TCP_INFO (version 0 on
 * Windows 10 1703 and later). wine 8 answers WSAEOPNOTSUPP: the call is then
 * LS_ENOTSUP and common code fills what libsock counts itself.
 * GetPerTcpConnectionEStats is never used: wine does not implement it and
 * the process aborts.
 */
#include <string.h>

#include "win32.h"

#ifndef SIO_TCP_INFO
#define SIO_TCP_INFO _WSAIORW(IOC_VENDOR, 39)
#endif

/* The version 0 layout (mstcpip.h), declared here: older mingw headers lack it. */
typedef struct lsi_tcp_info_v0 {
	int State;
	ULONG Mss;
	ULONG64 ConnectionTimeMs;
	BOOLEAN TimestampsEnabled;
	ULONG RttUs;
	ULONG MinRttUs;
	ULONG BytesInFlight;
	ULONG Cwnd;
	ULONG SndWnd;
	ULONG RcvWnd;
	ULONG RcvBuf;
	ULONG64 BytesOut;
	ULONG64 BytesIn;
	ULONG BytesReordered;
	ULONG BytesRetrans;
	ULONG FastRetrans;
	ULONG DupAcksIn;
	ULONG TimeoutEpisodes;
	UCHAR SynRetrans;
} lsi_tcp_info_v0;

static int lsi_win_tcp_state(int s)
{
	/* TCPSTATE numbers follow RFC 793's order from CLOSED (0). */
	return s >= LS_TCP_CLOSED && s <= LS_TCP_TIME_WAIT ? s : LS_TCP_CLOSED;
}

int lsi_plat_tcp_info(lsi_fd fd, ls_tcp_info *out)
{
	DWORD version = 0, got = 0;
	lsi_tcp_info_v0 ti;

	memset(&ti, 0, sizeof(ti));
	if (lsi_win_wsaioctl((SOCKET)fd, SIO_TCP_INFO, &version, sizeof(version), &ti, sizeof(ti),
	                     &got) == SOCKET_ERROR) {
		int rc = lsi_win_last_error();

		return rc == LS_ENOTSUP || rc == LS_EINVAL ? LS_ENOTSUP : rc;
	}
	out->rtt_us = ti.RttUs;
	out->min_rtt_us = ti.MinRttUs;
	out->cwnd_bytes = ti.Cwnd;
	out->bytes_sent = ti.BytesOut;
	out->bytes_received = ti.BytesIn;
	out->bytes_retrans = ti.BytesRetrans;
	out->state = lsi_win_tcp_state(ti.State);
	out->conn_time_ms = ti.ConnectionTimeMs;
	out->mask |= LS_TI_RTT | LS_TI_MIN_RTT | LS_TI_CWND | LS_TI_BYTES_SENT |
	             LS_TI_BYTES_RECEIVED | LS_TI_BYTES_RETRANS | LS_TI_STATE | LS_TI_CONN_TIME;
	out->from_os = 1;
	return 0;
}
