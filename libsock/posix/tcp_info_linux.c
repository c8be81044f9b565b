/*
 * tcp_info_linux.c (POSIX, HAVE_LINUX_TCP_INFO) - TCP statistics on Linux:
 * TCP_INFO with <linux/tcp.h>'s structure, whose newer fields are used only
 * when the length the kernel returns covers them (older kernels return
 * less). The file includes no lsi_os.h: glibc's <netinet/tcp.h> declares an
 * older struct tcp_info of the same name. CMake compiles this file or one
 * of the other tcp_info_*.c (cmake/LibsockPlatform.cmake).
 */
#include "platform.h"

#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <linux/tcp.h>

/* Nonzero if the kernel's answer (len bytes) reaches past field f. */
#define LSI_HAS(len, f) ((len) >= offsetof(struct tcp_info, f) + sizeof(((struct tcp_info *)0)->f))

static int lsi_tcp_state(unsigned char s)
{
	/* Linux numbers its states from 1 (TCP_ESTABLISHED) in its own order. */
	static const int map[] = {LS_TCP_CLOSED,       LS_TCP_ESTABLISHED, LS_TCP_SYN_SENT,
	                          LS_TCP_SYN_RECEIVED, LS_TCP_FIN_WAIT_1,  LS_TCP_FIN_WAIT_2,
	                          LS_TCP_TIME_WAIT,    LS_TCP_CLOSED,      LS_TCP_CLOSE_WAIT,
	                          LS_TCP_LAST_ACK,     LS_TCP_LISTEN,      LS_TCP_CLOSING};

	return s < sizeof(map) / sizeof(map[0]) ? map[s] : LS_TCP_CLOSED;
}

static void lsi_tcp_newer(const struct tcp_info *ti, size_t len, ls_tcp_info *out)
{
	if (LSI_HAS(len, tcpi_min_rtt)) {
		out->min_rtt_us = ti->tcpi_min_rtt;
		out->mask |= LS_TI_MIN_RTT;
	}
	if (LSI_HAS(len, tcpi_bytes_received)) {
		out->bytes_received = ti->tcpi_bytes_received;
		out->mask |= LS_TI_BYTES_RECEIVED;
	}
	if (LSI_HAS(len, tcpi_bytes_sent)) {
		out->bytes_sent = ti->tcpi_bytes_sent;
		out->mask |= LS_TI_BYTES_SENT;
	}
	if (LSI_HAS(len, tcpi_bytes_retrans)) {
		out->bytes_retrans = ti->tcpi_bytes_retrans;
		out->mask |= LS_TI_BYTES_RETRANS;
	}
}

int lsi_plat_tcp_info(lsi_fd fd, ls_tcp_info *out)
{
	struct tcp_info ti;
	size_t len = sizeof(ti);
	int rc;

	memset(&ti, 0, sizeof(ti));
	rc = lsi_plat_getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len);
	if (rc != 0)
		return rc;
	out->rtt_us = ti.tcpi_rtt;
	out->rttvar_us = ti.tcpi_rttvar;
	out->rto_us = ti.tcpi_rto;
	/* The congestion window is in segments: times the sending MSS. */
	out->cwnd_bytes = (uint64_t)ti.tcpi_snd_cwnd * ti.tcpi_snd_mss;
	out->segs_retrans = ti.tcpi_total_retrans;
	out->state = lsi_tcp_state(ti.tcpi_state);
	out->mask |=
	    LS_TI_RTT | LS_TI_RTTVAR | LS_TI_RTO | LS_TI_CWND | LS_TI_SEGS_RETRANS | LS_TI_STATE;
	lsi_tcp_newer(&ti, len, out);
	out->from_os = 1;
	return 0;
}
