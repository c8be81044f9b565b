/*
 * chat_server.c - a single-threaded chat server on the libsock poller: each
 * line a client sends goes to every other connected client, prefixed with
 * the sender's number ("[client 3] hello").
 *
 * Usage: chat_server [--any] [--count N] [PORT]
 *
 *   PORT       port to listen on; 0 (the default) lets the OS pick one, and
 *              the server prints the port it got
 *   --any      listen on every interface (0.0.0.0); the default is loopback
 *              (127.0.0.1), so a chat started for a try is not open to the
 *              network
 *   --count N  accept N clients, then stop listening and exit once the last
 *              of them has left (for tests; the default is to serve forever)
 *
 * Try it with two terminals running `nc 127.0.0.1 PORT`. Stop it with Ctrl-C:
 * the server holds nothing the OS does not free at exit, so it has no signal
 * handling (which would not be portable to Windows anyway).
 *
 * The protocol, and the policy for clients that misbehave:
 *
 * - A new client is told its number ("* you are client 3"); the others are
 *   told it joined ("* client 3 joined") and, later, that it left ("* client
 *   3 left (reason)"). Lines from the server start with "* ", lines from
 *   clients with "[client N] ".
 * - A line is the bytes up to and including "\n", passed on unchanged. A
 *   line may be at most LINE_LIMIT (4 KiB) bytes long, newline included: a
 *   client that sends more without a newline is disconnected. Splitting the
 *   line instead would hand the others fragments that look like whole
 *   lines, and only a broken or hostile client sends such lines anyway.
 *   Bytes after the last newline when a client leaves are dropped: they are
 *   not a line.
 * - Every socket is non-blocking, so no client can make the server wait.
 *   What a client cannot take at once waits in its own output queue, and
 *   the server asks the poller for LS_POLLOUT on that client only while its
 *   queue is not empty (a level-triggered LS_POLLOUT on an idle socket would
 *   report it as ready on every wait).
 * - A client whose queue would grow past OUT_LIMIT (1 MiB) has stopped
 *   reading, or reads far slower than the others talk: it is disconnected
 *   with a reset (ls_abort), which also frees the data the OS holds for it
 *   at once. The others never wait for it and lose nothing.
 * - A client that leaves, or whose connection fails, is removed; the
 *   others carry on.
 *
 * Accepting: the listener is registered one-shot and re-armed after each
 * round of accepts. When accept fails for lack of descriptors or memory
 * (LS_EMFILE, LS_ENOBUFS, LS_ENOMEM) it stays disarmed, so the loop does not
 * spin on a connection it cannot take: it is re-armed when a client leaves
 * (which frees a descriptor), or when a wait of RETRY_MS (1 s) saw no event
 * (the descriptors may be held by something other than our clients).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libsock.h>

#define LINE_LIMIT 4096            /* longest line, newline included */
#define OUT_LIMIT (1024 * 1024)    /* most bytes queued for one client */
#define OUT_KEEP (64 * 1024)       /* a drained queue bigger than this is freed */
#define RETRY_MS 1000              /* accept retry when out of descriptors */
#define MAX_EVENTS 64
#define LISTENER 0                 /* the listener's poller user value */

/* Why a client is dropped (BYE_NONE: it is not). */
enum bye { BYE_NONE, BYE_LEFT, BYE_LONG, BYE_SLOW, BYE_ERROR, BYE_NOMEM };

/* What the others are told, after "* client N ". */
static const char *const bye_text[] = {
	[BYE_NONE] = "",
	[BYE_LEFT] = "left",
	[BYE_LONG] = "left (line too long)",
	[BYE_SLOW] = "left (too slow: output queue over the limit)",
	[BYE_ERROR] = "left (connection error)",
	[BYE_NOMEM] = "left (server out of memory)",
};

typedef struct client client;
struct client {
	ls_socket sock;
	size_t slot;              /* its index in server.slots */
	unsigned id;              /* the number the others see */
	char in[LINE_LIMIT];      /* the start of a line not yet complete */
	size_t in_len;
	char *out;                /* bytes not yet sent: out[head..tail) */
	size_t head, tail, cap;
	int polling_out;          /* LS_POLLOUT is in the registration */
	int listed;               /* in the server's pending list */
	client *next_pending;
	enum bye doomed;          /* why it must be dropped, or BYE_NONE */
};

typedef struct server {
	ls_poller *p;
	ls_socket listener;       /* LS_INVALID_SOCKET once --count is reached */
	int accept_paused;        /* disarmed after LS_EMFILE and the like */
	client **slots;           /* slot i has poller user value i + 1 */
	size_t nslots;
	size_t connected;
	unsigned next_id;
	long accepted, count;     /* count -1: serve forever */
	/* Clients to flush or drop once the current event is handled, in order. */
	client *pending_head, *pending_tail;
} server;

static int fail(const char *what, int err)
{
	fprintf(stderr, "chat_server: %s: %s (%s)\n", what, ls_strerror(err), ls_error_name(err));
	return 1;
}

static void note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout); /* the log is read by tests while the server runs */
}

/* --- output queues ---------------------------------------------------------- */

/* Make room for n more bytes at the tail; the caller checked the limit. */
static int queue_reserve(client *c, size_t n)
{
	size_t cap;
	char *grown;

	if (c->tail + n <= c->cap)
		return 0;
	if (c->head > 0) {
		/* Reuse the space already sent before growing. */
		memmove(c->out, c->out + c->head, c->tail - c->head);
		c->tail -= c->head;
		c->head = 0;
		if (c->tail + n <= c->cap)
			return 0;
	}
	for (cap = c->cap ? c->cap : 4096; cap < c->tail + n; cap *= 2)
		;
	grown = realloc(c->out, cap);
	if (grown == NULL)
		return LS_ENOMEM;
	c->out = grown;
	c->cap = cap;
	return 0;
}

/* Forget what was sent; give a big buffer back once it is empty. */
static void queue_consumed(client *c, size_t n)
{
	c->head += n;
	if (c->head < c->tail)
		return;
	c->head = c->tail = 0;
	if (c->cap > OUT_KEEP) {
		free(c->out);
		c->out = NULL;
		c->cap = 0;
	}
}

/*
 * Mark c for the pending pass: flush its queue, or drop it if doomed. The
 * list is linked through the clients, so adding to it cannot fail.
 */
static void list_pending(server *sv, client *c)
{
	if (c->listed)
		return;
	c->listed = 1;
	c->next_pending = NULL;
	if (sv->pending_tail != NULL)
		sv->pending_tail->next_pending = c;
	else
		sv->pending_head = c;
	sv->pending_tail = c;
}

/* Queue a then b (b may be empty) for c, or doom c if it is too far behind. */
static void queue_message(server *sv, client *c, const char *a, size_t alen, const char *b,
                          size_t blen)
{
	if (c->doomed != BYE_NONE)
		return;
	if (c->tail - c->head + alen + blen > OUT_LIMIT)
		c->doomed = BYE_SLOW;
	else if (queue_reserve(c, alen + blen) != 0)
		c->doomed = BYE_NOMEM;
	else {
		memcpy(c->out + c->tail, a, alen);
		if (blen > 0) /* b may be NULL then, which memcpy must not see */
			memcpy(c->out + c->tail + alen, b, blen);
		c->tail += alen + blen;
	}
	list_pending(sv, c);
}

/* Queue "[client N] line" (or "* ..." when line is NULL) for all but skip. */
static void broadcast(server *sv, size_t skip, const char *head, const char *line, size_t len)
{
	size_t i;

	for (i = 0; i < sv->nslots; i++)
		if (i != skip && sv->slots[i] != NULL)
			queue_message(sv, sv->slots[i], head, strlen(head), line, len);
}

/* --- clients ---------------------------------------------------------------- */

/* Ask the poller for LS_POLLOUT exactly while c has output queued. */
static int set_interest(server *sv, client *c)
{
	int want = c->tail > c->head;
	int rc;

	if (want == c->polling_out)
		return 0;
	rc = ls_poller_mod(sv->p, c->sock, LS_POLLIN | (want ? LS_POLLOUT : 0), LS_POLLER_LEVEL,
	                   (uint64_t)c->slot + 1);
	if (rc == 0)
		c->polling_out = want;
	return rc;
}

/* Close c, free its slot and tell the others. c must not be in the pending list. */
static void drop_client(server *sv, client *c, enum bye why)
{
	size_t slot = c->slot;
	unsigned id = c->id;
	char msg[128];

	/* A reset throws away what the OS still holds for a client that stopped reading. */
	if (why == BYE_SLOW)
		ls_abort(c->sock);
	else
		ls_close(c->sock);
	free(c->out);
	free(c);
	sv->slots[slot] = NULL;
	sv->connected--;
	note("client %u %s\n", id, bye_text[why]);
	snprintf(msg, sizeof msg, "* client %u %s\n", id, bye_text[why]);
	broadcast(sv, slot, msg, NULL, 0);
	/* A descriptor is free again: take the connections that waited. */
	if (sv->accept_paused && sv->listener != LS_INVALID_SOCKET &&
	    ls_poller_mod(sv->p, sv->listener, LS_POLLIN, LS_POLLER_ONESHOT, LISTENER) == 0)
		sv->accept_paused = 0;
}

/* Send what c has queued until done or the OS buffer is full. */
static void flush_client(server *sv, client *c)
{
	int64_t n;

	while (c->tail > c->head) {
		n = ls_send(c->sock, c->out + c->head, c->tail - c->head, 0);
		if (n == LS_EAGAIN)
			break;
		if (n < 0) {
			drop_client(sv, c, BYE_ERROR);
			return;
		}
		queue_consumed(c, (size_t)n);
	}
	if (set_interest(sv, c) != 0)
		drop_client(sv, c, BYE_ERROR);
}

/*
 * Flush or drop every client the last event touched. Dropping one tells the
 * others, which lists them: the loop takes those too, as they are appended.
 */
static void run_pending(server *sv)
{
	client *c;

	while ((c = sv->pending_head) != NULL) {
		sv->pending_head = c->next_pending;
		if (sv->pending_head == NULL)
			sv->pending_tail = NULL;
		c->listed = 0;
		if (c->doomed != BYE_NONE)
			drop_client(sv, c, c->doomed);
		else
			flush_client(sv, c);
	}
}

/* Pass on every complete line in c->in; keep the unfinished rest. */
static void split_lines(server *sv, client *c)
{
	char head[32];
	char *start = c->in, *nl;
	size_t left = c->in_len;

	snprintf(head, sizeof head, "[client %u] ", c->id);
	while ((nl = memchr(start, '\n', left)) != NULL) {
		broadcast(sv, c->slot, head, start, (size_t)(nl - start) + 1);
		left -= (size_t)(nl - start) + 1;
		start = nl + 1;
	}
	memmove(c->in, start, left);
	c->in_len = left;
	if (left == LINE_LIMIT)
		c->doomed = BYE_LONG;
}

/*
 * Read once from c. One read per event, not a loop until LS_EAGAIN, so a
 * client that talks fast cannot keep the server from the others; the
 * level-triggered poller reports it again if more is waiting.
 */
static void read_client(server *sv, client *c)
{
	int64_t n = ls_recv(c->sock, c->in + c->in_len, LINE_LIMIT - c->in_len, 0);

	if (n == LS_EAGAIN)
		return;
	if (n <= 0)
		c->doomed = n == 0 ? BYE_LEFT : BYE_ERROR;
	else {
		c->in_len += (size_t)n;
		split_lines(sv, c);
	}
	if (c->doomed != BYE_NONE)
		list_pending(sv, c);
}

/* --- accepting -------------------------------------------------------------- */

/* A free slot, growing the table if needed; nslots when there is no memory. */
static size_t free_slot(server *sv)
{
	size_t i, n;
	client **grown;

	for (i = 0; i < sv->nslots; i++)
		if (sv->slots[i] == NULL)
			return i;
	n = sv->nslots ? 2 * sv->nslots : 16;
	grown = realloc(sv->slots, n * sizeof *grown);
	if (grown == NULL)
		return sv->nslots;
	memset(grown + sv->nslots, 0, (n - sv->nslots) * sizeof *grown);
	sv->slots = grown;
	i = sv->nslots;
	sv->nslots = n;
	return i;
}

/* Give the accepted socket s a slot, register it and greet everyone. */
static int add_client(server *sv, ls_socket s)
{
	size_t slot = free_slot(sv);
	char msg[64];
	client *c;
	int rc;

	c = slot < sv->nslots ? calloc(1, sizeof *c) : NULL;
	if (c == NULL)
		return LS_ENOMEM;
	/* Accepted sockets inherit the listener's mode; say it anyway: never block. */
	rc = ls_set_timeout(s, LS_TIMEOUT_NONBLOCK);
	if (rc == 0)
		rc = ls_poller_add(sv->p, s, LS_POLLIN, LS_POLLER_LEVEL, (uint64_t)slot + 1);
	if (rc != 0) {
		free(c);
		return rc;
	}
	c->sock = s;
	c->slot = slot;
	c->id = ++sv->next_id;
	sv->slots[slot] = c;
	sv->connected++;
	note("client %u joined\n", c->id);
	snprintf(msg, sizeof msg, "* you are client %u\n", c->id);
	queue_message(sv, c, msg, strlen(msg), NULL, 0);
	snprintf(msg, sizeof msg, "* client %u joined\n", c->id);
	broadcast(sv, slot, msg, NULL, 0);
	return 0;
}

/* Stop listening once --count clients came: later ones are refused. */
static void stop_listening(server *sv)
{
	ls_close(sv->listener);
	sv->listener = LS_INVALID_SOCKET;
	note("accepted %ld clients: no longer listening\n", sv->accepted);
}

/* Accept all that wait, then re-arm the one-shot listener (unless paused). */
static void accept_clients(server *sv)
{
	ls_socket s;
	int rc;

	for (;;) {
		rc = ls_accept(sv->listener, &s, NULL);
		if (rc == 0) {
			if ((rc = add_client(sv, s)) != 0) {
				fail("taking a client", rc);
				ls_close(s);
				continue;
			}
			if (++sv->accepted == sv->count) {
				stop_listening(sv);
				return;
			}
			continue;
		}
		/* A client that gave up before we took it: take the next one. */
		if (rc == LS_ECONNABORTED || rc == LS_ECONNRESET)
			continue;
		break;
	}
	if (rc == LS_EMFILE || rc == LS_ENOBUFS || rc == LS_ENOMEM) {
		fail("ls_accept (paused until a client leaves)", rc);
		sv->accept_paused = 1;
		return;
	}
	if (rc != LS_EAGAIN)
		fail("ls_accept", rc); /* re-armed: the next wait tries again */
	rc = ls_poller_mod(sv->p, sv->listener, LS_POLLIN, LS_POLLER_ONESHOT, LISTENER);
	if (rc != 0)
		fail("re-arming the listener", rc);
}

/* --- the loop --------------------------------------------------------------- */

static void handle_event(server *sv, const ls_event *ev)
{
	size_t slot;
	client *c;

	if (ev->user == LISTENER) {
		if (sv->listener != LS_INVALID_SOCKET)
			accept_clients(sv);
		return;
	}
	slot = (size_t)(ev->user - 1);
	c = slot < sv->nslots ? sv->slots[slot] : NULL;
	/* An event for a client dropped earlier in the same batch is stale. */
	if (c == NULL || c->sock != ev->sock || c->doomed != BYE_NONE)
		return;
	if (ev->events & LS_POLLOUT)
		list_pending(sv, c);
	if (ev->events & (LS_POLLIN | LS_POLLHUP | LS_POLLERR))
		read_client(sv, c);
}

static int serve(server *sv)
{
	ls_event ev[MAX_EVENTS];
	int64_t timeout;
	int n, i;

	while (sv->listener != LS_INVALID_SOCKET || sv->connected > 0) {
		/*
		 * While accepting is paused, also retry on a timer: the descriptors
		 * may be held by something other than our clients.
		 */
		timeout = sv->accept_paused ? RETRY_MS : LS_TIMEOUT_BLOCK;
		n = ls_poller_wait(sv->p, ev, MAX_EVENTS, timeout);
		if (n < 0)
			return fail("ls_poller_wait", n);
		if (n == 0 && sv->accept_paused &&
		    ls_poller_mod(sv->p, sv->listener, LS_POLLIN, LS_POLLER_ONESHOT, LISTENER) == 0)
			sv->accept_paused = 0;
		for (i = 0; i < n; i++) {
			handle_event(sv, &ev[i]);
			run_pending(sv);
		}
	}
	return 0;
}

/* --- setup ------------------------------------------------------------------ */

static int usage(const char *prog)
{
	fprintf(stderr, "usage: %s [--any] [--count N] [PORT]\n", prog);
	return 2;
}

/* Parse a whole decimal number in [min, max]; -1 if it is not one. */
static long parse_number(const char *text, long min, long max)
{
	char *end;
	long v = strtol(text, &end, 10);

	if (end == text || *end != '\0' || v < min || v > max)
		return -1;
	return v;
}

/* Listen on addr without blocking, registered one-shot in the poller. */
static int open_listener(server *sv, ls_addr *addr)
{
	char text[LS_ADDRSTRLEN];
	int rc = ls_socket_create(&sv->listener, addr->family, LS_SOCK_STREAM, 0);

	if (rc < 0)
		return fail("ls_socket_create", rc);
	(void)ls_setopt(sv->listener, LS_OPT_REUSEADDR, 1);
	if ((rc = ls_bind(sv->listener, addr)) < 0 || (rc = ls_listen(sv->listener, 0)) < 0 ||
	    (rc = ls_set_timeout(sv->listener, LS_TIMEOUT_NONBLOCK)) < 0 ||
	    (rc = ls_getsockname(sv->listener, addr)) < 0 ||
	    (rc = ls_poller_add(sv->p, sv->listener, LS_POLLIN, LS_POLLER_ONESHOT, LISTENER)) < 0) {
		ls_close(sv->listener);
		return fail("listening", rc);
	}
	ls_addr_format_ip(addr, text, sizeof text);
	printf("listening on %s port %u (poller: %s)\n", text, (unsigned)ls_addr_port(addr),
	       ls_poller_backend(sv->p));
	fflush(stdout); /* a script waiting for the port sees it now */
	return 0;
}

/* Close whatever is left; only reached when the loop stopped. */
static void shut_down(server *sv)
{
	size_t i;

	for (i = 0; i < sv->nslots; i++)
		if (sv->slots[i] != NULL) {
			ls_close(sv->slots[i]->sock);
			free(sv->slots[i]->out);
			free(sv->slots[i]);
		}
	if (sv->listener != LS_INVALID_SOCKET)
		ls_close(sv->listener);
	free(sv->slots);
	ls_poller_destroy(sv->p);
}

int main(int argc, char **argv)
{
	server sv = { .listener = LS_INVALID_SOCKET, .count = -1 };
	long port = 0;
	int any = 0, i, rc;
	ls_addr addr;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--any") == 0) {
			any = 1;
		} else if (strcmp(argv[i], "--count") == 0 && i + 1 < argc) {
			if ((sv.count = parse_number(argv[++i], 1, 1000000000L)) < 0)
				return usage(argv[0]);
		} else if ((port = parse_number(argv[i], 0, 65535)) < 0) {
			return usage(argv[0]);
		}
	}
	rc = ls_addr_parse_ip(&addr, any ? "0.0.0.0" : "127.0.0.1", LS_AF_INET);
	if (rc < 0)
		return fail("address", rc);
	ls_addr_set_port(&addr, (uint16_t)port);
	rc = ls_poller_create(&sv.p, 0);
	if (rc < 0)
		return fail("ls_poller_create", rc);
	if (open_listener(&sv, &addr) != 0) {
		ls_poller_destroy(sv.p);
		return 1;
	}
	rc = serve(&sv);
	shut_down(&sv);
	return rc;
}
