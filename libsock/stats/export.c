/*
 * export.c - the totals and the named sockets as Prometheus text (the text
 * exposition format, version 0.0.4) and as JSON, into a caller's buffer.
 *
 * Metric names follow Prometheus' conventions: a libsock_ prefix, base
 * units (bytes), _total on counters. Per-socket series are written only for
 * sockets given a name (ls_socket_set_name), so the number of series stays
 * what the program chose, never one per connection.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats/stats_internal.h"

void lsi_out_str(lsi_out *o, const char *s)
{
	size_t n = strlen(s), room;

	if (o->len < o->size) {
		room = o->size - o->len - 1;
		memcpy(o->buf + o->len, s, n < room ? n : room);
		o->buf[o->len + (n < room ? n : room)] = '\0';
	}
	o->len += n;
}

void lsi_out_fmt(lsi_out *o, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	lsi_out_str(o, tmp);
}

int lsi_out_done(const lsi_out *o, size_t *len)
{
	int fits = o->len < o->size;

	if (len != NULL)
		*len = fits ? o->len : o->len + 1;
	return fits ? 0 : lsi_fail(LS_ENOSPC);
}

/* --- Prometheus ----------------------------------------------------------- */

typedef struct lsi_metric {
	const char *name, *type, *help;
	size_t offset; /* in ls_stats */
} lsi_metric;

#define LSI_M(n, t, h, f)                                                                          \
	{                                                                                          \
		n, t, h, offsetof(ls_stats, f)                                                     \
	}

static const lsi_metric lsi_metrics[] = {
    LSI_M("libsock_sockets_open", "gauge", "Sockets open in this process.", sockets_open),
    LSI_M("libsock_sockets_opened_total", "counter", "Sockets created, adopted or accepted.",
          opened_total),
    LSI_M("libsock_sockets_closed_total", "counter", "Sockets closed.", closed_total),
    LSI_M("libsock_accepted_total", "counter", "Connections handed to ls_accept's caller.",
          accepted_total),
    LSI_M("libsock_bytes_sent_total", "counter", "Bytes sent by every socket.", bytes_sent_total),
    LSI_M("libsock_bytes_received_total", "counter", "Bytes received by every socket.",
          bytes_received_total),
    LSI_M("libsock_send_calls_total", "counter", "Send calls that sent.", sends_total),
    LSI_M("libsock_receive_calls_total", "counter", "Receive calls that received.", receives_total),
    LSI_M("libsock_errors_total", "counter", "Calls that failed (not would-block or timeout).",
          errors_total),
};

static uint64_t lsi_field(const ls_stats *st, size_t offset)
{
	uint64_t v;

	memcpy(&v, (const char *)st + offset, sizeof(v));
	return v;
}

static void lsi_prom_totals(lsi_out *o, const ls_stats *st)
{
	size_t i;

	for (i = 0; i < sizeof(lsi_metrics) / sizeof(lsi_metrics[0]); i++) {
		lsi_out_fmt(o, "# HELP %s %s\n# TYPE %s %s\n%s %llu\n", lsi_metrics[i].name,
		            lsi_metrics[i].help, lsi_metrics[i].name, lsi_metrics[i].type,
		            lsi_metrics[i].name,
		            (unsigned long long)lsi_field(st, lsi_metrics[i].offset));
	}
	lsi_out_str(o, "# HELP libsock_rejected_total Connections rejected before reaching the "
	               "caller, by reason.\n# TYPE libsock_rejected_total counter\n");
	lsi_out_fmt(o, "libsock_rejected_total{reason=\"acl\"} %llu\n",
	            (unsigned long long)st->rejected_acl_total);
	lsi_out_fmt(o, "libsock_rejected_total{reason=\"proxy\"} %llu\n",
	            (unsigned long long)st->rejected_proxy_total);
}

/* A label value: backslash, double quote and newline escaped. */
static void lsi_prom_label(lsi_out *o, const char *s)
{
	char c[3] = {0};

	for (; *s; s++) {
		c[0] = *s;
		c[1] = '\0';
		if (*s == '\\' || *s == '"')
			c[0] = '\\', c[1] = *s;
		else if (*s == '\n')
			c[0] = '\\', c[1] = 'n';
		lsi_out_str(o, c);
	}
}

typedef struct lsi_named {
	lsi_out *o;
	int json;
	int first;
	const char *metric; /* Prometheus: which per-socket metric this pass writes */
} lsi_named;

static void lsi_prom_socket(lsi_sock *s, ls_socket h, void *arg)
{
	lsi_named *nm = arg;
	ls_sockinfo si;
	uint64_t v;

	lsi_stats_info(s, h, &si);
	if (si.name[0] == '\0')
		return;
	v = strcmp(nm->metric, "libsock_socket_bytes_sent_total") == 0 ? si.bytes_sent
	                                                               : si.bytes_received;
	lsi_out_fmt(nm->o, "%s{name=\"", nm->metric);
	lsi_prom_label(nm->o, si.name);
	lsi_out_fmt(nm->o, "\",handle=\"%llu\"} %llu\n", (unsigned long long)h,
	            (unsigned long long)v);
}

static void lsi_prom_sockets(lsi_out *o)
{
	static const char *per[][2] = {
	    {"libsock_socket_bytes_sent_total", "Bytes sent by a named socket."},
	    {"libsock_socket_bytes_received_total", "Bytes received by a named socket."},
	};
	lsi_named nm = {o, 0, 1, NULL};
	size_t i;

	for (i = 0; i < 2; i++) {
		lsi_out_fmt(o, "# HELP %s %s\n# TYPE %s counter\n", per[i][0], per[i][1],
		            per[i][0]);
		nm.metric = per[i][0];
		lsi_sock_walk(lsi_prom_socket, &nm);
	}
}

int ls_stats_prometheus(char *buf, size_t size, size_t *len)
{
	lsi_out o = {buf, size, 0};
	ls_stats st;

	if (buf == NULL && size > 0)
		return lsi_fail(LS_EINVAL);
	if (size > 0)
		buf[0] = '\0';
	ls_stats_get(&st);
	lsi_prom_totals(&o, &st);
	lsi_prom_sockets(&o);
	return lsi_out_done(&o, len);
}

/* --- JSON --------------------------------------------------------------- */

/* A JSON string: quotes, backslashes and control characters escaped. */
static void lsi_json_str(lsi_out *o, const char *s)
{
	char c[8];

	lsi_out_str(o, "\"");
	for (; *s; s++) {
		if (*s == '"' || *s == '\\') {
			c[0] = '\\', c[1] = *s, c[2] = '\0';
			lsi_out_str(o, c);
		} else if ((unsigned char)*s < 0x20) {
			snprintf(c, sizeof(c), "\\u%04x", (unsigned)(unsigned char)*s);
			lsi_out_str(o, c);
		} else {
			c[0] = *s, c[1] = '\0';
			lsi_out_str(o, c);
		}
	}
	lsi_out_str(o, "\"");
}

static const char *lsi_state_name(int state)
{
	static const char *names[] = {"open", "bound", "listening", "connected"};

	return state >= 0 && state <= 3 ? names[state] : "unknown";
}

static void lsi_json_addr(lsi_out *o, const char *key, const ls_addr *a)
{
	char text[LS_ADDRSTRLEN];

	lsi_out_fmt(o, ",\"%s\":", key);
	if (a->family == LS_AF_UNSPEC || ls_addr_format(a, text, sizeof(text)) != 0)
		lsi_out_str(o, "null");
	else
		lsi_json_str(o, text);
}

static void lsi_json_socket(lsi_sock *s, ls_socket h, void *arg)
{
	static const char *fam[] = {"unspec", "inet", "inet6", "unix"};
	lsi_named *nm = arg;
	ls_sockinfo si;

	lsi_stats_info(s, h, &si);
	lsi_out_fmt(nm->o, "%s{\"handle\":%llu,\"family\":\"%s\",\"type\":\"%s\",\"state\":\"%s\"",
	            nm->first ? "" : ",", (unsigned long long)h, fam[si.family & 3],
	            si.type == LS_SOCK_STREAM ? "stream" : "dgram", lsi_state_name(si.state));
	nm->first = 0;
	lsi_json_addr(nm->o, "local", &si.local);
	lsi_json_addr(nm->o, "peer", &si.peer);
	lsi_out_str(nm->o, ",\"name\":");
	lsi_json_str(nm->o, si.name);
	lsi_out_fmt(nm->o, ",\"created_ms\":%lld,\"last_activity_ms\":%lld",
	            (long long)si.created_ms, (long long)si.last_activity_ms);
	lsi_out_fmt(nm->o,
	            ",\"bytes_sent\":%llu,\"bytes_received\":%llu,\"sends\":%llu,"
	            "\"receives\":%llu,\"errors\":%llu}",
	            (unsigned long long)si.bytes_sent, (unsigned long long)si.bytes_received,
	            (unsigned long long)si.sends, (unsigned long long)si.receives,
	            (unsigned long long)si.errors);
}

int ls_stats_json(char *buf, size_t size, size_t *len)
{
	lsi_out o = {buf, size, 0};
	lsi_named nm = {&o, 1, 1, NULL};
	ls_stats st;
	size_t i;

	if (buf == NULL && size > 0)
		return lsi_fail(LS_EINVAL);
	if (size > 0)
		buf[0] = '\0';
	ls_stats_get(&st);
	lsi_out_str(&o, "{");
	for (i = 0; i < sizeof(lsi_metrics) / sizeof(lsi_metrics[0]); i++)
		lsi_out_fmt(&o, "\"%s\":%llu,", lsi_metrics[i].name + 8,
		            (unsigned long long)lsi_field(&st, lsi_metrics[i].offset));
	lsi_out_fmt(&o, "\"rejected_total\":{\"acl\":%llu,\"proxy\":%llu},\"sockets\":[",
	            (unsigned long long)st.rejected_acl_total,
	            (unsigned long long)st.rejected_proxy_total);
	lsi_sock_walk(lsi_json_socket, &nm);
	lsi_out_str(&o, "]}");
	return lsi_out_done(&o, len);
}
