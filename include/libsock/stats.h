/*
 * libsock/stats.h - monitoring: what the process's sockets are doing.
 *
 * Every socket counts the bytes and calls it sends and receives, its errors
 * and the time of its last activity; the process keeps totals (sockets
 * opened, closed, accepted, rejected by access rules or PROXY checks, and
 * the bytes of every socket, closed ones included). Counting costs a few
 * plain stores per call, no lock and no shared cache line: two threads using
 * the same socket at once may each miss the other's count (the totals are
 * for monitoring, not accounting).
 *
 * ls_sockets_snapshot() lists the open sockets; ls_stats_prometheus() and
 * ls_stats_json() write everything into a caller's buffer for a metrics
 * endpoint (names in base units, _total on counters). ls_get_tcp_info()
 * reads the OS's TCP statistics in one portable form.
 */
#ifndef LIBSOCK_STATS_H
#define LIBSOCK_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "libsock/addr.h"
#include "libsock/export.h"
#include "libsock/socket.h"

typedef struct ls_stats {
	uint64_t sockets_open; /* a gauge */
	uint64_t opened_total; /* created, adopted or accepted */
	uint64_t closed_total;
	uint64_t accepted_total;       /* handed to ls_accept's caller */
	uint64_t rejected_acl_total;   /* access rules (ls_acl_rejected) */
	uint64_t rejected_proxy_total; /* PROXY header or source (ls_proxy_rejected) */
	uint64_t bytes_sent_total;
	uint64_t bytes_received_total;
	uint64_t sends_total; /* calls that sent something (or 0 bytes) */
	uint64_t receives_total;
	uint64_t errors_total; /* calls that failed, would-block and timeouts aside */
} ls_stats;

/* Socket states in ls_sockinfo. */
#define LS_STATE_OPEN      0 /* created, not bound or connected */
#define LS_STATE_BOUND     1
#define LS_STATE_LISTENING 2
#define LS_STATE_CONNECTED 3

/* The longest socket name kept (ls_socket_set_name), NUL included. */
#define LS_NAME_MAX 64

typedef struct ls_sockinfo {
	ls_socket sock;
	int family, type, state;
	ls_addr local, peer;      /* LS_AF_UNSPEC when there is none */
	char name[LS_NAME_MAX];   /* "" when never named */
	int64_t created_ms;       /* wall clock, ms since 1970 */
	/*
	 * Wall clock of the last send or receive, to the second: the start of
	 * its second, or created_ms if the socket was created later in that
	 * second. 0 if none.
	 */
	int64_t last_activity_ms;
	uint64_t bytes_sent, bytes_received, sends, receives, errors;
} ls_sockinfo;

/* Which ls_tcp_info fields are valid (mask bits). */
#define LS_TI_RTT            0x0001
#define LS_TI_RTTVAR         0x0002
#define LS_TI_MIN_RTT        0x0004
#define LS_TI_RTO            0x0008
#define LS_TI_CWND           0x0010
#define LS_TI_BYTES_SENT     0x0020
#define LS_TI_BYTES_RECEIVED 0x0040
#define LS_TI_BYTES_RETRANS  0x0080
#define LS_TI_SEGS_RETRANS   0x0100
#define LS_TI_STATE          0x0200
#define LS_TI_CONN_TIME      0x0400

/* TCP states (ls_tcp_info.state), the RFC 793 names. */
enum ls_tcp_state {
	LS_TCP_CLOSED,
	LS_TCP_LISTEN,
	LS_TCP_SYN_SENT,
	LS_TCP_SYN_RECEIVED,
	LS_TCP_ESTABLISHED,
	LS_TCP_FIN_WAIT_1,
	LS_TCP_FIN_WAIT_2,
	LS_TCP_CLOSE_WAIT,
	LS_TCP_CLOSING,
	LS_TCP_LAST_ACK,
	LS_TCP_TIME_WAIT
};

typedef struct ls_tcp_info {
	unsigned mask; /* LS_TI_*: the fields below that are valid */
	uint32_t rtt_us, rttvar_us, min_rtt_us, rto_us;
	uint64_t cwnd_bytes;
	uint64_t bytes_sent, bytes_received, bytes_retrans, segs_retrans;
	int state;             /* enum ls_tcp_state */
	uint64_t conn_time_ms; /* since the socket was created or accepted */
	int from_os;           /* 1 if the OS gave TCP statistics, 0 if only libsock's own counts */
} ls_tcp_info;

#ifdef __cplusplus
extern "C" {
#endif

/* Process totals. LS_EINVAL for NULL. */
LS_API int ls_stats_get(ls_stats *out);

/* Give a socket a name for monitoring (at most LS_NAME_MAX-1 bytes kept, NULL clears). */
LS_API int ls_socket_set_name(ls_socket s, const char *name);

/* One socket's counters and addresses. */
LS_API int ls_socket_stats(ls_socket s, ls_sockinfo *out);

/*
 * The open sockets: up to max entries into out, *count set to how many are
 * open (which may be more than max: call again with room for them).
 * out may be NULL with max 0 to learn the count.
 */
LS_API int ls_sockets_snapshot(ls_sockinfo *out, size_t max, size_t *count);

/*
 * Everything in the Prometheus text exposition format (version 0.0.4) or
 * as one JSON object, into buf. *len (may be NULL) gets the length written,
 * or on LS_ENOSPC the size needed, NUL included. Per-socket metrics are
 * written for named sockets only (bounded label sets).
 */
LS_API int ls_stats_prometheus(char *buf, size_t size, size_t *len);
LS_API int ls_stats_json(char *buf, size_t size, size_t *len);

/*
 * The OS's TCP statistics for a connected TCP socket, in portable units
 * (Linux TCP_INFO; Windows SIO_TCP_INFO; macOS TCP_CONNECTION_INFO; FreeBSD
 * TCP_INFO; elsewhere only what libsock counts itself). mask says which
 * fields hold a value; the others are 0. LS_EPROTOTYPE for a socket that is
 * not TCP.
 */
LS_API int ls_get_tcp_info(ls_socket s, ls_tcp_info *out);

#ifdef __cplusplus
}
#endif

#endif /* LIBSOCK_STATS_H */
