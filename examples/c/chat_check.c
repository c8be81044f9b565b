/*
 * chat_check.c - the test for chat_server, not an example: five clients on
 * one thread, against a chat_server started with --count 5 (run_chat.sh
 * starts it and passes the port).
 *
 * Usage: chat_check PORT
 *
 * The clients, named by a letter:
 *   A, B, C  talk: LINES lines each, and read everything
 *   S        sends S_LINES lines, then stalls: it never reads again after
 *            its welcome, so the server's queue for it overflows
 *   D        sends D_LINES lines, reads, then (once A, B and C have its
 *            lines and A is half-way) sends D_MORE lines and aborts
 *            (a reset) while the others are still talking
 *
 * Checked: each reader gets each line of every other client exactly once,
 * in order, with the sender's number as the prefix, and never its own
 * lines; A, B and C get everything although S stalls and D aborts; S is
 * disconnected by the server in the end (it sees the end of the stream or a
 * reset, bounded in time). Every line has its own length and bytes, so a
 * line cut or spliced shows. Senders stay at most WINDOW lines ahead of
 * their slowest reader, so D leaves while the others are mid-way.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libsock.h>

#define NPEERS 5
#define LINES 4000     /* lines each of A, B and C sends */
#define S_LINES 10     /* lines S sends */
#define D_LINES 200    /* lines D sends before it leaves */
#define D_MORE 50      /* lines D sends right before its reset: may be lost */
#define WINDOW 200     /* how far a sender may run ahead of its slowest reader */
#define OUT_BUF 16384
#define IN_BUF 16384
#define LINE_MAX_LEN 1024
#define DEADLINE_S 90
#define DRAIN_MS 20000 /* how long S may wait for the server to drop it */

enum { A, B, C, D, S };

typedef struct peer {
	ls_socket sock;
	int index;
	unsigned id;             /* the server's number for it; 0 until welcomed */
	int reading;             /* S stops after its welcome */
	int gone;                /* D, after its reset */
	unsigned long target;    /* lines to send */
	unsigned long sent;      /* lines put in out[] */
	char out[OUT_BUF];       /* lines not yet written: out[off..len) */
	size_t len, off;
	char in[IN_BUF];         /* the start of a line not yet complete */
	size_t in_len;
	unsigned long next[NPEERS]; /* the next line number expected from each */
	unsigned long notices;   /* "* ..." lines from the server */
} peer;

static peer peers[NPEERS];
static const char names[] = "ABCDS";

/* Let GCC and clang check the formats of die(). */
#if defined(__GNUC__)
#define FORMAT_CHECKED __attribute__((format(printf, 1, 2)))
#else
#define FORMAT_CHECKED
#endif

static void die(const char *fmt, ...) FORMAT_CHECKED;

static void die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "chat_check: FAIL: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

static void die_rc(const char *what, int rc)
{
	die("%s: %s", what, ls_error_name(rc));
}

/* The line sender i sends as number seq: its length and bytes vary with both. */
static size_t make_line(char *buf, int i, unsigned long seq)
{
	size_t pad = 100 + (seq * 37 + (unsigned long)i * 11) % 600, n, k;

	n = (size_t)snprintf(buf, LINE_MAX_LEN, "%c %lu ", names[i], seq);
	for (k = 0; k < pad; k++)
		buf[n + k] = (char)('a' + (seq + k + (unsigned long)i) % 26);
	buf[n + pad] = '\n';
	return n + pad + 1;
}

/* --- reading ---------------------------------------------------------------- */

/* A server notice; the first one a client gets tells it its number. */
static void check_notice(peer *r, const char *line)
{
	const char *you = "* you are client ";

	if (r->id == 0) {
		if (strncmp(line, you, strlen(you)) != 0)
			die("%c: expected a welcome first, got \"%.60s\"", names[r->index], line);
		r->id = (unsigned)strtoul(line + strlen(you), NULL, 10);
	}
	r->notices++;
}

/* "[client N] X seq ...": the next line from X, never from r itself. */
static void check_chat(peer *r, const char *line, size_t len)
{
	char expect[LINE_MAX_LEN];
	const char *p = line + strlen("[client "), *who;
	char *end;
	unsigned long id = strtoul(p, &end, 10);
	int s;

	who = strncmp(end, "] ", 2) == 0 && end[2] != '\0' ? strchr(names, end[2]) : NULL;
	if (who == NULL)
		die("%c: malformed line \"%.60s\"", names[r->index], line);
	s = (int)(who - names);
	if (s == r->index)
		die("%c got its own line \"%.60s\"", names[s], line);
	if (id != peers[s].id)
		die("%c: prefix says client %lu, the sender is client %u: \"%.60s\"",
		    names[r->index], id, peers[s].id, line);
	p = end + 2;
	len -= (size_t)(p - line); /* the sender's line, newline included */
	if (len != make_line(expect, s, r->next[s]) || memcmp(p, expect, len - 1) != 0)
		die("%c: \"%.60s\" is not line %lu of %c (lost, repeated or garbled)",
		    names[r->index], line, r->next[s], names[s]);
	r->next[s]++;
}

static void check_line(peer *r, const char *line, size_t len)
{
	if (strncmp(line, "* ", 2) == 0)
		check_notice(r, line);
	else if (strncmp(line, "[client ", 8) == 0)
		check_chat(r, line, len);
	else
		die("%c: unexpected line \"%.60s\"", names[r->index], line);
}

/* Check each complete line in r->in, keeping the rest. */
static void split_lines(peer *r)
{
	char *start = r->in, *nl;
	size_t left = r->in_len;

	while ((nl = memchr(start, '\n', left)) != NULL) {
		*nl = '\0'; /* a string for the checks; the length still counts the newline */
		check_line(r, start, (size_t)(nl - start) + 1);
		*nl = '\n';
		left -= (size_t)(nl - start) + 1;
		start = nl + 1;
	}
	if (left == IN_BUF)
		die("%c: a line longer than the buffer", names[r->index]);
	memmove(r->in, start, left);
	r->in_len = left;
}

/* One read; returns the ls_recv result (LS_EAGAIN when nothing was there). */
static int64_t read_peer(peer *r)
{
	int64_t n = ls_recv(r->sock, r->in + r->in_len, IN_BUF - r->in_len, 0);

	if (n > 0) {
		r->in_len += (size_t)n;
		split_lines(r);
	}
	return n;
}

/* --- writing ---------------------------------------------------------------- */

/* May w put line number w->sent out now, without running ahead of a reader? */
static int may_generate(const peer *w)
{
	int r;

	if (w->sent >= w->target)
		return 0;
	for (r = A; r <= C; r++)
		if (r != w->index && w->sent >= peers[r].next[w->index] + WINDOW)
			return 0;
	return 1;
}

/* Fill w->out with whole lines, as far as the target and the window allow. */
static void refill(peer *w)
{
	if (w->off > 0) {
		memmove(w->out, w->out + w->off, w->len - w->off);
		w->len -= w->off;
		w->off = 0;
	}
	while (w->len + LINE_MAX_LEN <= OUT_BUF && may_generate(w))
		w->len += make_line(w->out + w->len, w->index, w->sent++);
}

static void write_peer(peer *w)
{
	int64_t n;

	refill(w);
	if (w->off == w->len)
		return;
	n = ls_send(w->sock, w->out + w->off, w->len - w->off, 0);
	if (n == LS_EAGAIN)
		return;
	if (n < 0)
		die_rc("send", (int)n);
	w->off += (size_t)n;
}

static int wants_write(peer *w)
{
	return w->off < w->len || may_generate(w);
}

/* --- the steps -------------------------------------------------------------- */

static void connect_peer(peer *p, const ls_addr *server)
{
	int rc = ls_socket_create(&p->sock, server->family, LS_SOCK_STREAM, 0);

	if (rc != 0)
		die_rc("ls_socket_create", rc);
	/* A small window for S makes the server's queue for it fill sooner. */
	if (p->index == S && (rc = ls_setopt(p->sock, LS_OPT_RCVBUF, 4096)) != 0)
		die_rc("LS_OPT_RCVBUF", rc);
	if ((rc = ls_set_timeout(p->sock, 5000)) != 0 || (rc = ls_connect(p->sock, server)) != 0)
		die_rc("connect", rc);
	if ((rc = ls_set_timeout(p->sock, LS_TIMEOUT_NONBLOCK)) != 0)
		die_rc("ls_set_timeout", rc);
	p->reading = 1;
}

/* D sends its last lines in one go and resets the connection at once. */
static void d_leaves(peer *d)
{
	char buf[D_MORE * LINE_MAX_LEN];
	size_t len = 0;
	int k;

	for (k = 0; k < D_MORE; k++)
		len += make_line(buf + len, D, d->sent++);
	(void)ls_send(d->sock, buf, len, 0); /* partial is fine: these may be lost */
	if (ls_abort(d->sock) != 0)
		die("D: ls_abort failed");
	d->gone = 1;
	d->reading = 0;
	printf("D (client %u) aborted after %lu lines, A at line %lu of %d\n", d->id, d->sent,
	       peers[A].sent, LINES);
}

/* Leave when A, B and C all have D's first lines and A is half-way. */
static void maybe_d_leaves(void)
{
	int r;

	if (peers[D].gone || peers[D].sent < D_LINES || peers[A].sent < LINES / 2)
		return;
	for (r = A; r <= C; r++)
		if (peers[r].next[D] < D_LINES)
			return;
	d_leaves(&peers[D]);
}

/* Did reader r get everything it must have? */
static int complete(const peer *r)
{
	int s;

	for (s = A; s <= C; s++)
		if (s != r->index && r->next[s] != LINES)
			return 0;
	return r->next[S] == S_LINES && r->next[D] >= D_LINES && peers[D].gone;
}

static void poll_once(void)
{
	ls_pollfd fds[NPEERS];
	size_t n = 0, k;
	int i, rc;
	int64_t got;

	for (i = 0; i < NPEERS; i++) {
		if (peers[i].gone)
			continue;
		fds[n].sock = peers[i].sock;
		fds[n].events = (short)((peers[i].reading ? LS_POLLIN : 0) |
		                        (wants_write(&peers[i]) ? LS_POLLOUT : 0));
		fds[n].revents = 0;
		/*
		 * S, stalled with nothing to send, is left out: the reset the
		 * server sends it would wake every poll until S reads it.
		 */
		if (fds[n].events != 0)
			n++;
	}
	rc = ls_poll(fds, n, 1000);
	if (rc < 0)
		die_rc("ls_poll", rc);
	for (k = 0; k < n; k++) {
		for (i = 0; peers[i].sock != fds[k].sock; i++)
			;
		if ((fds[k].revents & (LS_POLLIN | LS_POLLHUP | LS_POLLERR)) && peers[i].reading) {
			got = read_peer(&peers[i]);
			if (got == 0 || (got < 0 && got != LS_EAGAIN))
				die("%c lost its connection: %s", names[i],
				    got == 0 ? "end of stream" : ls_error_name((int)got));
		}
		if (fds[k].revents & LS_POLLOUT)
			write_peer(&peers[i]);
	}
}

/* Run until A, B and C are complete; S stops reading once it is welcomed. */
static void talk(time_t deadline)
{
	int i;

	for (i = 0; i < NPEERS; i++)
		peers[i].target = i == S ? S_LINES : i == D ? D_LINES : LINES;
	while (!(complete(&peers[A]) && complete(&peers[B]) && complete(&peers[C]))) {
		if (time(NULL) > deadline)
			die("timed out: A has %lu/%lu/%lu/%lu of B/C/D/S, B %lu of C, C %lu of A",
			    peers[A].next[B], peers[A].next[C], peers[A].next[D], peers[A].next[S],
			    peers[B].next[C], peers[C].next[A]);
		if (peers[S].reading && peers[S].id != 0)
			peers[S].reading = 0;
		poll_once();
		maybe_d_leaves();
	}
}

/* Everyone reads until welcomed, so the server knows all five before talk. */
static void welcome(time_t deadline)
{
	int i, all;

	do {
		if (time(NULL) > deadline)
			die("not every client was welcomed in time");
		poll_once();
		for (all = 1, i = 0; i < NPEERS; i++)
			all = all && peers[i].id != 0;
	} while (!all);
	printf("welcomed: A %u, B %u, C %u, D %u, S %u\n", peers[A].id, peers[B].id, peers[C].id,
	       peers[D].id, peers[S].id);
}

/*
 * S reads now: what the OS held for it, in order, then the end of the
 * stream or a reset, because the server dropped it when its queue overflowed.
 */
static void drain_stalled(void)
{
	peer *s = &peers[S];
	int64_t n;
	int rc;

	if ((rc = ls_set_timeout(s->sock, DRAIN_MS)) != 0)
		die_rc("ls_set_timeout", rc);
	while ((n = read_peer(s)) > 0)
		;
	if (n == LS_ETIMEDOUT)
		die("the server never dropped the stalled client S");
	if (n != 0 && n != LS_ECONNRESET && n != LS_ECONNABORTED)
		die_rc("S: recv", (int)n);
	printf("S (client %u) was dropped (%s) after %lu of A's lines\n", s->id,
	       n == 0 ? "end of stream" : ls_error_name((int)n), s->next[A]);
}

int main(int argc, char **argv)
{
	time_t deadline = time(NULL) + DEADLINE_S;
	ls_addr server;
	char *end;
	long port = argc == 2 ? strtol(argv[1], &end, 10) : -1;
	int i;

	if (port <= 0 || port > 65535 || *end != '\0') {
		fprintf(stderr, "usage: %s PORT\n", argv[0]);
		return 2;
	}
	ls_addr_loopback(&server, LS_AF_INET, (uint16_t)port);
	for (i = 0; i < NPEERS; i++) {
		peers[i].index = i;
		connect_peer(&peers[i], &server);
	}
	welcome(deadline);
	talk(deadline);
	printf("A, B and C each got all %d lines of the other two, S's %d and D's %lu+\n", LINES,
	       S_LINES, peers[A].next[D]);
	drain_stalled();
	for (i = 0; i < NPEERS; i++)
		if (!peers[i].gone)
			ls_close(peers[i].sock);
	printf("ok\n");
	return 0;
}
