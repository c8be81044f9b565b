/*
 * tcp_state_bsd.h - the BSD TCP state numbers (TCPS_* in <netinet/tcp_fsm.h>,
 * the same on FreeBSD and macOS) as ls_tcp_state, for tcp_info_darwin.c and
 * tcp_info_freebsd.c.
 */
#ifndef LSI_TCP_STATE_BSD_H
#define LSI_TCP_STATE_BSD_H

#include "platform.h"

static inline int lsi_tcp_state_bsd(unsigned s)
{
	/*
	 * CLOSED 0, LISTEN 1, SYN_SENT 2, SYN_RECEIVED 3, ESTABLISHED 4,
	 * CLOSE_WAIT 5, FIN_WAIT_1 6, CLOSING 7, LAST_ACK 8, FIN_WAIT_2 9,
	 * TIME_WAIT 10.
	 */
	static const int map[] = {LS_TCP_CLOSED,       LS_TCP_LISTEN,      LS_TCP_SYN_SENT,
	                          LS_TCP_SYN_RECEIVED, LS_TCP_ESTABLISHED, LS_TCP_CLOSE_WAIT,
	                          LS_TCP_FIN_WAIT_1,   LS_TCP_CLOSING,     LS_TCP_LAST_ACK,
	                          LS_TCP_FIN_WAIT_2,   LS_TCP_TIME_WAIT};

	return s < sizeof(map) / sizeof(map[0]) ? map[s] : LS_TCP_CLOSED;
}

#endif /* LSI_TCP_STATE_BSD_H */
