/*
 * tcp_info_freebsd.c (POSIX, HAVE_TCP_INFO_FREEBSD) - TCP statistics on
 * FreeBSD: getsockopt(IPPROTO_TCP, TCP_INFO) fills FreeBSD's own struct
 * tcp_info from <netinet/tcp.h> (Linux's field names, FreeBSD's units and
 * state numbers). Unverified: written from FreeBSD's sys/netinet/tcp.h (the
 * structure) and tcp_fill_info() in sys/netinet/tcp_usrreq.c (what the
 * kernel puts in it), never compiled (there is no FreeBSD toolchain here;
 * docs/portability.md).
 *
 * Units, as tcp_fill_info() fills the fields:
 * - tcpi_rtt = (t_srtt * tick) >> TCP_RTT_SHIFT and tcpi_rttvar =
 *   (t_rttvar * tick) >> TCP_RTTVAR_SHIFT: microseconds (tick is the
 *   length of a clock tick in us), with a tick's resolution;
 * - tcpi_rto = t_rxtcur * tick: microseconds;
 * - tcpi_snd_cwnd: bytes (snd_cwnd; Linux's is in segments);
 * - tcpi_snd_rexmitpack: segments retransmitted (t_sndrexmitpack);
 * - tcpi_state: the BSD numbering (tcp_state_bsd.h).
 * FreeBSD reports no byte counts, no minimum RTT and no connection time:
 * common code fills libsock's own counts for bytes and time.
 *
 * Newer releases add fields by taking them from the structure's padding:
 * its size stays the same and the kernel fills all of it.
 */
#include <string.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "tcp_state_bsd.h"

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
	out->cwnd_bytes = ti.tcpi_snd_cwnd;
	out->segs_retrans = ti.tcpi_snd_rexmitpack;
	out->state = lsi_tcp_state_bsd(ti.tcpi_state);
	out->mask |=
	    LS_TI_RTT | LS_TI_RTTVAR | LS_TI_RTO | LS_TI_CWND | LS_TI_SEGS_RETRANS | LS_TI_STATE;
	out->from_os = 1;
	return 0;
}
