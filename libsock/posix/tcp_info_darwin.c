/*
 * tcp_info_darwin.c (POSIX, HAVE_TCP_CONNECTION_INFO) - TCP statistics on
 * macOS: getsockopt(IPPROTO_TCP, TCP_CONNECTION_INFO) fills struct
 * tcp_connection_info from <netinet/tcp.h>. Unverified: written from xnu's
 * bsd/netinet/tcp.h (the structure) and tcp_connection_fill_info() in
 * bsd/netinet/tcp_usrreq.c (what the kernel puts in it), never compiled
 * (there is no macOS toolchain here; docs/portability.md).
 *
 * Units, as tcp_connection_fill_info() fills the fields:
 * - tcpi_srtt = t_srtt >> TCP_RTT_SHIFT and tcpi_rttvar = t_rttvar >>
 *   TCP_RTTVAR_SHIFT: milliseconds (xnu's TCP clock ticks in ms), so a
 *   loopback RTT reads 0;
 * - tcpi_rto = t_rxtcur, milliseconds, but only while the retransmission
 *   timer runs (0 otherwise): reported only when nonzero;
 * - tcpi_snd_cwnd: bytes (snd_cwnd);
 * - tcpi_txbytes, tcpi_rxbytes (the connection's inp_stat counts) and
 *   tcpi_txretransmitbytes: bytes; tcpi_txretransmitpackets (t_stat.rxmitpkts,
 *   not in older SDKs: HAVE_TCPI_TXRETRANSMITPACKETS): segments;
 * - tcpi_state: the BSD numbering (tcp_state_bsd.h).
 * There is no minimum RTT and no connection time (common code counts the
 * latter). In LISTEN and CLOSED the kernel fills only the state.
 *
 * The kernel copies at most the length asked for and reports the length
 * copied (sooptcopyout): the 64-bit counts, appended over the releases, are
 * used only when that length covers them, as the Linux file does with older
 * kernels.
 */
#include <stddef.h>
#include <string.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "lsi_config.h"
#include "tcp_state_bsd.h"

/* Nonzero if the kernel's answer (len bytes) reaches past field f. */
#define LSI_HAS(len, f)                                                                            \
	((len) >=                                                                                  \
	 offsetof(struct tcp_connection_info, f) + sizeof(((struct tcp_connection_info *)0)->f))

/* The byte and segment counts, each only if the kernel's answer holds it. */
static void lsi_tcp_counts(const struct tcp_connection_info *ti, size_t len, ls_tcp_info *out)
{
	if (LSI_HAS(len, tcpi_txbytes)) {
		out->bytes_sent = ti->tcpi_txbytes;
		out->mask |= LS_TI_BYTES_SENT;
	}
	if (LSI_HAS(len, tcpi_rxbytes)) {
		out->bytes_received = ti->tcpi_rxbytes;
		out->mask |= LS_TI_BYTES_RECEIVED;
	}
	if (LSI_HAS(len, tcpi_txretransmitbytes)) {
		out->bytes_retrans = ti->tcpi_txretransmitbytes;
		out->mask |= LS_TI_BYTES_RETRANS;
	}
#if HAVE_TCPI_TXRETRANSMITPACKETS
	if (LSI_HAS(len, tcpi_txretransmitpackets)) {
		out->segs_retrans = ti->tcpi_txretransmitpackets;
		out->mask |= LS_TI_SEGS_RETRANS;
	}
#endif
}

int lsi_plat_tcp_info(lsi_fd fd, ls_tcp_info *out)
{
	struct tcp_connection_info ti;
	size_t len = sizeof(ti);
	int rc;

	memset(&ti, 0, sizeof(ti));
	rc = lsi_plat_getsockopt(fd, IPPROTO_TCP, TCP_CONNECTION_INFO, &ti, &len);
	if (rc != 0)
		return rc;
	out->rtt_us = ti.tcpi_srtt * 1000u;
	out->rttvar_us = ti.tcpi_rttvar * 1000u;
	out->cwnd_bytes = ti.tcpi_snd_cwnd;
	out->state = lsi_tcp_state_bsd(ti.tcpi_state);
	out->mask |= LS_TI_RTT | LS_TI_RTTVAR | LS_TI_CWND | LS_TI_STATE;
	if (ti.tcpi_rto != 0) {
		out->rto_us = ti.tcpi_rto * 1000u;
		out->mask |= LS_TI_RTO;
	}
	lsi_tcp_counts(&ti, len, out);
	out->from_os = 1;
	return 0;
}
