/*
 * test_tls.c - TLS (libsock/tls.h): libsock client and server against each
 * other and against independent peers (openssl s_server/s_client, Python's
 * ssl module through tests/tls/peer.py), certificate failures each with its
 * own error, versions, SNI, ALPN, client certificates, close_notify and
 * truncation, deadlines, garbage, non-blocking use through ls_poll and the
 * poller, bad input.
 *
 * The certificates come from tests/tls/make_certs.sh, run by ctest as a
 * fixture into the directory LIBSOCK_TLS_CERTS names. Cases skip, saying
 * why, when the build has no TLS, the certificates are missing, or a peer
 * program (openssl, Python) cannot be started.
 *
 * Whether libsock's server works here is found out by trying it
 * (tt_serves: one server handshake). Schannel under wine loads a server's
 * credentials but has no AcceptSecurityContext (SEC_E_UNSUPPORTED_FUNCTION,
 * LS_ENOTSUP); there the client cases run against servers on the build
 * machine instead (tests/tls/host_servers.py: Python's ssl and openssl
 * s_server, started by ctest because a program under wine cannot start
 * Linux programs), named in the file LIBSOCK_TLS_HOST_SERVERS; the
 * server's own results are then not checked. Cases that need libsock's
 * server, and TLS 1.3 under wine, skip saying why.
 */
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "platform.h"
#include "tls/backend.h" /* lsi_tls_hello_parse, lsi_tls_alpn_choose */

#ifdef _WIN32
#define N_ECONNRESET (10 * 1000 + 54)
#else
#include <errno.h>
#define N_ECONNRESET ECONNRESET
#endif

#define TT_CHUNK (64 * 1024)
#define TT_BIG (16u * 1024 * 1024)

/* --- Certificates, paths and peers -------------------------------------- */

static const char *tt_dir(void)
{
	const char *d = getenv("LIBSOCK_TLS_CERTS");

	if (ls_tls_backend()[0] == '\0')
		SKIP("libsock was built without TLS (LIBSOCK_TLS=off, or no backend here)");
	if (d == NULL || d[0] == '\0')
		SKIP("LIBSOCK_TLS_CERTS is not set: run through ctest (the tls.certs fixture)");
	return d;
}

/* A file in the certificate directory (eight buffers in rotation). */
static const char *tt_path(const char *name)
{
	static char bufs[8][512];
	static int next;
	char *b = bufs[next++ % 8];
	FILE *f;

	snprintf(b, sizeof(bufs[0]), "%s/%s", tt_dir(), name);
	f = fopen(b, "rb");
	if (f == NULL)
		SKIP("certificate %s is missing (the openssl command made none?)", b);
	fclose(f);
	return b;
}

static ls_tls_config *tt_client_cfg(const char *ca)
{
	ls_tls_config *c = NULL;

	tt_dir(); /* skips without TLS or certificates */
	CHECK_OK(ls_tls_config_new(&c, LS_TLS_CLIENT));
	if (ca != NULL)
		CHECK_OK(ls_tls_config_ca_file(c, tt_path(ca)));
	return c;
}

/* A server configuration with the certificate NAME.pem / NAME.key. */
static ls_tls_config *tt_server_cfg(const char *name)
{
	char pem[64], key[64];
	ls_tls_config *c = NULL;

	snprintf(pem, sizeof(pem), "%s.pem", name);
	snprintf(key, sizeof(key), "%s.key", name);
	tt_dir();
	CHECK_OK(ls_tls_config_new(&c, LS_TLS_SERVER));
	CHECK_OK(ls_tls_config_cert_file(c, tt_path(pem), tt_path(strcmp(name, "ichain") == 0
	                                                           ? "ileaf.key" : key)));
	return c;
}

/* Start a peer program; skip the case if it cannot run. */
static t_proc *tt_spawn(const char *const *argv, const char *out)
{
	t_proc *p = t_proc_start(argv, NULL, out);
	int st;

	if (p == NULL)
		SKIP("cannot start %s here", argv[0]);
	if (t_proc_wait(p, 50, &st) && st == 127)
		SKIP("%s was not found", argv[0]);
	return p;
}

static const char *tt_python(void)
{
	const char *py = getenv("LIBSOCK_TEST_PYTHON");

	return py != NULL && py[0] != '\0' ? py : "python3";
}

static const char *tt_openssl(void)
{
	const char *o = getenv("LIBSOCK_TEST_OPENSSL");

	return o != NULL && o[0] != '\0' ? o : "openssl";
}

/* A scratch file for a peer's output, unique to this process. */
static const char *tt_scratch(const char *what)
{
	static char bufs[4][512];
	static int next;
	char *b = bufs[next++ % 4];

	snprintf(b, sizeof(bufs[0]), "%s/tt%ld-%s.txt", h_tmpdir(), t_getpid(), what);
	return b;
}

/* Read a whole small file into buf (NUL-terminated); 0 if unreadable. */
static size_t tt_slurp(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	buf[0] = '\0';
	if (f == NULL)
		return 0;
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
	return n;
}

/* Skip TLS 1.3 where the runtime has none. */
static void tt_need_tls13(void)
{
	if (t_under_wine())
		SKIP("wine's Schannel speaks TLS 1.0-1.2 only: no TLS 1.3");
}

/* The port of the host server called name (tests/tls/host_servers.py). */
static uint16_t tt_host_port(const char *name)
{
	const char *state = getenv("LIBSOCK_TLS_HOST_SERVERS"), *line, *nl;
	char buf[4096];
	size_t n = strlen(name);

	if (state == NULL || state[0] == '\0')
		SKIP("the %s backend has no server side and LIBSOCK_TLS_HOST_SERVERS is not set "
		     "(run through ctest: the tls.host_servers fixture)", ls_tls_backend());
	if (tt_slurp(state, buf, sizeof(buf)) == 0)
		SKIP("the host's TLS servers did not start (%s is missing)", state);
	for (line = buf; *line != '\0'; line = nl + 1) {
		if (strncmp(line, name, n) == 0 && line[n] == ' ')
			return (uint16_t)atoi(line + n + 1);
		if ((nl = strchr(line, '\n')) == NULL)
			break;
	}
	CHECK_MSG(0, "no host server %s in %s", name, state);
	return 0;
}

/* The port in openssl s_server's "ACCEPT 127.0.0.1:PORT" line, or 0. */
static int tt_accept_line_port(const char *buf)
{
	const char *s = strstr(buf, "ACCEPT "), *end, *colon = NULL;

	if (s == NULL || (end = strchr(s, '\n')) == NULL)
		return 0;
	for (; s < end; s++)
		if (*s == ':')
			colon = s;
	return colon != NULL ? atoi(colon + 1) : 0;
}

/*
 * Wait until the peer's output holds the port it listens on: openssl
 * s_server's ACCEPT line, or peer.py's port file.
 */
static uint16_t tt_wait_port(t_proc *p, const char *file, int openssl)
{
	char buf[4096];
	int64_t end = t_now_ms() + H_HANG_MS;
	int port, st;

	while (t_now_ms() < end) {
		tt_slurp(file, buf, sizeof(buf));
		port = openssl ? tt_accept_line_port(buf) : atoi(buf);
		if (port > 0 && port < 65536)
			return (uint16_t)port;
		CHECK_MSG(!t_proc_wait(p, 20, &st), "the peer exited (%d) before listening: %s",
		          st, buf);
	}
	CHECK_MSG(0, "the peer did not report its port in %d ms", H_HANG_MS);
	return 0;
}

static ls_socket tt_connect_port(uint16_t port)
{
	ls_addr a = h_loopback(LS_AF_INET, port);
	ls_socket s;

	CHECK_OK(ls_socket_create(&s, LS_AF_INET, LS_SOCK_STREAM, 0));
	CHECK_OK(ls_connect(s, &a));
	CHECK_OK(ls_set_timeout(s, H_HANG_MS));
	CHECK_OK(ls_setopt(s, LS_OPT_NODELAY, 1));
	return s;
}

/* --- Data ----------------------------------------------------------------- */

/* Byte p of a test stream is p * 7 % 251 (as in tests/tls/peer.py). */
static void tt_fill(unsigned char *b, size_t n, size_t pos)
{
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = (unsigned char)((pos + i) * 7 % 251);
}

/* 1 if b holds the stream's bytes from pos on. */
static int tt_check(const unsigned char *b, size_t n, size_t pos)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != (unsigned char)((pos + i) * 7 % 251))
			return 0;
	return 1;
}

static uint64_t tt_fnv(uint64_t h, const unsigned char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ull;
	return h;
}

static void tt_recv_exact(ls_tls *t, unsigned char *b, size_t n)
{
	size_t got = 0;
	int64_t r;

	while (got < n) {
		r = ls_tls_recv(t, b + got, n - got, 0);
		CHECK_MSG(r > 0, "ls_tls_recv: %s (%s)", t_err_name(r), ls_tls_error_detail(t));
		got += (size_t)r;
	}
}

/* Send total bytes a chunk at a time, reading each chunk's echo; compare checksums. */
static void tt_echo(ls_tls *t, size_t total)
{
	static unsigned char out[TT_CHUNK], in[TT_CHUNK];
	uint64_t hs = 14695981039346656037ull, hr = hs;
	size_t pos, n;

	for (pos = 0; pos < total; pos += n) {
		n = total - pos < TT_CHUNK ? total - pos : TT_CHUNK;
		tt_fill(out, n, pos);
		CHECK_OK(ls_tls_sendall(t, out, n, 0, NULL));
		tt_recv_exact(t, in, n);
		hs = tt_fnv(hs, out, n);
		hr = tt_fnv(hr, in, n);
	}
	CHECK_EQ_U64(hr, hs);
}

/* --- A libsock server in a thread ------------------------------------------- */

typedef struct tt_srv {
	ls_tls_config *cfg;
	ls_socket sock;
	int echo;         /* echo until the end of the stream */
	int no_notify;    /* close without close_notify right after the handshake */
	int hs;           /* the handshake's result */
	int64_t end;      /* the last receive's result (0: close_notify) */
	int shut;         /* ls_tls_shutdown()'s result after close_notify */
	int version;
	int verified;
	int host;         /* a host server stands in: the fields above are not known */
	int block;        /* a blocking socket (no timeout) on the server */
	int reused;       /* the server resumed a session */
	char sni[256];
	char alpn[256];
	char detail[256];
	t_thread *th;
} tt_srv;

static void tt_srv_echo(tt_srv *v, ls_tls *t)
{
	static _Thread_local unsigned char buf[TT_CHUNK];
	int64_t n;

	while ((n = ls_tls_recv(t, buf, sizeof(buf), 0)) > 0)
		if (ls_tls_sendall(t, buf, (size_t)n, 0, NULL) != 0)
			break;
	v->end = n;
	if (n == 0)
		v->shut = ls_tls_shutdown(t);
}

/*
 * After a failed handshake: end the stream and read what the client still
 * sends, so closing does not reset the connection (a reset would discard
 * the alert the client has yet to read).
 */
static void tt_srv_linger(ls_socket s)
{
	char buf[4096];

	ls_shutdown(s, LS_SHUT_WR);
	ls_set_timeout(s, 2000);
	while (ls_recv(s, buf, sizeof(buf), 0) > 0)
		;
}

static void tt_srv_main(void *arg)
{
	tt_srv *v = arg;
	ls_tls *t = NULL;

	ls_set_timeout(v->sock, v->block ? LS_TIMEOUT_BLOCK : H_HANG_MS);
	v->hs = ls_tls_wrap(&t, v->cfg, v->sock, NULL, LS_TLS_OWN_SOCKET);
	if (v->hs != 0) {
		ls_close(v->sock);
		return;
	}
	v->hs = ls_tls_handshake(t);
	snprintf(v->detail, sizeof(v->detail), "%s", ls_tls_error_detail(t));
	if (v->hs == 0) {
		v->version = ls_tls_version(t);
		v->verified = ls_tls_peer_verified(t);
		v->reused = ls_tls_session_reused(t);
		snprintf(v->sni, sizeof(v->sni), "%s", ls_tls_server_name(t));
		snprintf(v->alpn, sizeof(v->alpn), "%s", ls_tls_alpn(t));
		if (v->echo && !v->no_notify)
			tt_srv_echo(v, t);
	} else {
		tt_srv_linger(v->sock);
	}
	ls_tls_close(t);
}

/* A TCP pair whose accepted end a libsock TLS server runs on; returns the client end. */
static ls_socket tt_srv_start(tt_srv *v, ls_tls_config *cfg, int echo)
{
	ls_socket c;

	v->cfg = cfg;
	v->echo = echo;
	h_tcp_pair(LS_AF_INET, &c, &v->sock);
	CHECK_OK(ls_set_timeout(c, H_HANG_MS));
	/* The echo answers record by record: Nagle would hold each answer back. */
	CHECK_OK(ls_setopt(c, LS_OPT_NODELAY, 1));
	CHECK_OK(ls_setopt(v->sock, LS_OPT_NODELAY, 1));
	v->th = t_thread_start(tt_srv_main, v);
	CHECK(v->th != NULL);
	return c;
}

static void tt_srv_join(tt_srv *v);

/* Why libsock's server cannot run here (the server handshake's detail), or "". */
static char tt_no_server[LSI_TLS_DETAIL_MAX + 32];

/*
 * One server handshake with an RSA certificate (every backend loads one:
 * wine's CryptoAPI has no EC) against a libsock client: 0, or the
 * server's error. Loading the credentials must work on every backend, so
 * a failure there fails the case; only the handshake may be missing.
 */
static int tt_server_probe(void)
{
	ls_tls_config *sc, *cc = tt_client_cfg("ca.pem");
	tt_srv v;
	ls_tls *t;
	ls_socket c;

	CHECK_OK(ls_tls_config_new(&sc, LS_TLS_SERVER));
	CHECK_OK(ls_tls_config_cert_file(sc, tt_path("leafrsa.pem"), tt_path("leafrsa.key")));
	memset(&v, 0, sizeof(v));
	c = tt_srv_start(&v, sc, 0);
	CHECK_OK(ls_tls_wrap(&t, cc, c, "localhost", LS_TLS_OWN_SOCKET));
	ls_tls_config_free(cc);
	(void)ls_tls_handshake(t); /* the server's result is the one that counts */
	ls_tls_close(t);
	tt_srv_join(&v);
	if (v.hs != 0)
		snprintf(tt_no_server, sizeof(tt_no_server), "%s: %s", ls_error_name(v.hs), v.detail);
	return v.hs;
}

/*
 * Whether libsock's server works here, found out by trying it once. Where
 * it does not (Schannel under wine: no AcceptSecurityContext, LS_ENOTSUP),
 * the client cases run against the host's servers (tt_host_port); any
 * other failure of the probe fails the case.
 */
static int tt_serves(void)
{
	static int known, serves;
	int rc;

	if (!known) {
		known = 1;
		rc = tt_server_probe();
		CHECK_MSG(rc == 0 || rc == LS_ENOTSUP, "the server probe failed: %s", tt_no_server);
		serves = rc == 0;
		if (!serves)
			t_note("libsock's TLS server cannot run here: %s", tt_no_server);
	}
	return serves;
}

/* Skip a case that needs libsock's own TLS server, saying why it cannot run. */
static void tt_need_server(void)
{
	if (!tt_serves())
		SKIP("the %s backend's TLS server cannot run here: %s", ls_tls_backend(),
		     tt_no_server);
}

static void tt_srv_join(tt_srv *v)
{
	if (v->host)
		return;
	t_thread_join(v->th);
	v->th = NULL;
	ls_tls_config_free(v->cfg);
}

/*
 * A server for a client case: libsock's with certificate cert in a thread,
 * or (a backend without a server side) the host server called host. The
 * client end, connected.
 */
static ls_socket tt_serve(tt_srv *v, const char *cert, const char *host, int echo)
{
	if (tt_serves())
		return tt_srv_start(v, tt_server_cfg(cert), echo);
	v->host = 1;
	return tt_connect_port(tt_host_port(host));
}

/* A server's result in tt_pair_result() when a host server stood in. */
#define TT_HOST 1

/* Check a libsock server's result; a host server's is not known. */
#define TT_SERVER_ERR(s, code)                  \
	do {                                    \
		if ((s) != TT_HOST)             \
			CHECK_ERR((s), (code)); \
	} while (0)

/* Wrap the client end and run its handshake: the result. */
static int tt_client_hs(ls_tls **t, ls_tls_config *cfg, ls_socket c, const char *name)
{
	int rc;

	CHECK_OK(ls_tls_wrap(t, cfg, c, name, LS_TLS_OWN_SOCKET));
	ls_tls_config_free(cfg);
	rc = ls_tls_handshake(*t);
	if (rc != 0)
		t_note("client handshake: %s: %s (native %d)", ls_error_name(rc),
		       ls_tls_error_detail(*t), ls_native_error());
	return rc;
}

/* A libsock client (trusting ca) against a libsock server (cert); both results. */
static void tt_pair_result(const char *cert, const char *ca, const char *name, int *client,
                           int *server)
{
	tt_srv v;
	ls_tls *t;
	ls_socket c;

	memset(&v, 0, sizeof(v));
	c = tt_serve(&v, cert, cert, 0);
	*client = tt_client_hs(&t, tt_client_cfg(ca), c, name);
	ls_tls_close(t);
	tt_srv_join(&v);
	*server = v.host ? TT_HOST : v.hs;
}

/* --- Cases: libsock against libsock ------------------------------------------ */

static void tt_self_echo(int version)
{
	ls_tls_config *cc = tt_client_cfg("ca.pem");
	unsigned char der[4096];
	size_t len = 0;
	tt_srv v;
	ls_tls *t;
	ls_socket c;

	if (version == LS_TLS_V1_3)
		tt_need_tls13();
	CHECK_OK(ls_tls_config_versions(cc, version, version));
	memset(&v, 0, sizeof(v));
	c = tt_serve(&v, "leaf", "leaf", 1);
	CHECK_OK(tt_client_hs(&t, cc, c, "localhost"));
	CHECK_EQ_INT(ls_tls_version(t), version);
	/* An IANA name, complete (wine's Schannel leaves an AEAD suite's hash out). */
	CHECK_MSG(strncmp(ls_tls_cipher(t), "TLS_", 4) == 0 && strchr(ls_tls_cipher(t), '<') == NULL,
	          "cipher %s", ls_tls_cipher(t));
	CHECK_EQ_INT(ls_tls_peer_verified(t), 1);
	CHECK_ERR(ls_tls_peer_cert(t, der, 10, &len), LS_ENOSPC);
	CHECK_GT_INT(len, 100);
	CHECK_OK(ls_tls_peer_cert(t, der, sizeof(der), &len));
	CHECK_EQ_INT(der[0], 0x30); /* a DER SEQUENCE */
	tt_echo(t, TT_BIG);
	CHECK_OK(ls_tls_shutdown(t));
	CHECK_EQ_INT(ls_tls_recv(t, der, sizeof(der), 0), 0);
	ls_tls_close(t);
	tt_srv_join(&v);
	if (v.host)
		return;
	CHECK_OK(v.hs);
	CHECK_EQ_INT(v.version, version);
	CHECK_STR_EQ(v.sni, "localhost");
	CHECK_EQ_INT(v.verified, 0); /* no client certificate asked for */
	CHECK_EQ_INT(v.end, 0);
	CHECK_OK(v.shut);
}

static void self_echo_tls13(void)
{
	tt_self_echo(LS_TLS_V1_3);
}

static void self_echo_tls12(void)
{
	tt_self_echo(LS_TLS_V1_2);
}

/*
 * Blocking sockets (no timeout) on both ends: the OS calls wait themselves
 * instead of a would-block and ls_poll() per flight; the results are the same.
 */
static void blocking_sockets(void)
{
	unsigned char b[16];
	tt_srv v;
	ls_tls *t;
	ls_socket c;

	tt_need_server();
	memset(&v, 0, sizeof(v));
	v.block = 1;
	c = tt_srv_start(&v, tt_server_cfg("leaf"), 1);
	CHECK_OK(ls_set_timeout(c, LS_TIMEOUT_BLOCK));
	CHECK_OK(tt_client_hs(&t, tt_client_cfg("ca.pem"), c, "localhost"));
	CHECK_EQ_INT(ls_tls_peer_verified(t), 1);
	/* LS_MSG_DONTWAIT never waits, on a blocking socket too. */
	CHECK_ERR(ls_tls_recv(t, b, sizeof(b), LS_MSG_DONTWAIT), LS_EAGAIN);
	CHECK_EQ_INT(ls_tls_want(t), LS_POLLIN);
	tt_echo(t, 1024 * 1024);
	CHECK_OK(ls_tls_shutdown(t));
	CHECK_EQ_INT(ls_tls_recv(t, b, sizeof(b), 0), 0);
	ls_tls_close(t);
	tt_srv_join(&v);
	CHECK_OK(v.hs);
	CHECK_EQ_INT(v.end, 0);
	CHECK_OK(v.shut);
}

/* --- Session resumption ------------------------------------------------------ */

/* An unconnected stream socket: enough to wrap, for cases that never talk. */
static ls_socket tt_stream(void)
{
	ls_socket s;

	CHECK_OK(ls_socket_create(&s, LS_AF_INET, LS_SOCK_STREAM, 0));
	return s;
}

/* The connection's saved session, waiting (within H_HANG_MS) for a TLS 1.3 ticket. */
static size_t tt_session(ls_tls *t, unsigned char *buf, size_t size)
{
	int64_t end = t_now_ms() + H_HANG_MS;
	ls_pollfd p;
	size_t len = 0;
	int rc;

	while ((rc = ls_tls_session_get(t, buf, size, &len)) == LS_EAGAIN && t_now_ms() < end) {
		CHECK_EQ_INT(ls_tls_want(t), LS_POLLIN);
		p.sock = ls_tls_socket(t);
		p.events = LS_POLLIN;
		p.revents = 0;
		ls_poll(&p, 1, 100);
	}
	CHECK_MSG(rc == 0, "ls_tls_session_get: %s (%s)", t_err_name(rc), ls_tls_error_detail(t));
	return len;
}

/*
 * One client connection of cc to a server of sc (both kept), offering
 * session (NULL for none) for name: the handshake's result; the server's
 * state in v, the connection in *out (closed if out is NULL).
 */
static int tt_resume(ls_tls_config *cc, ls_tls_config *sc, const unsigned char *session,
                     size_t len, const char *name, tt_srv *v, ls_tls **out)
{
	ls_tls *t;
	ls_socket c;
	int rc;

	memset(v, 0, sizeof(*v));
	CHECK_OK(ls_tls_config_hold(sc));
	c = tt_srv_start(v, sc, 1);
	CHECK_OK(ls_tls_wrap(&t, cc, c, name, LS_TLS_OWN_SOCKET));
	if (session != NULL)
		CHECK_OK(ls_tls_session_set(t, session, len));
	rc = ls_tls_handshake(t);
	if (rc == 0)
		tt_echo(t, 1000);
	if (out != NULL) {
		*out = t;
		return rc;
	}
	if (rc == 0)
		CHECK_OK(ls_tls_shutdown(t));
	ls_tls_close(t);
	tt_srv_join(v);
	return rc;
}

/*
 * Schannel hands out no session: the calls say so. It resumes from its
 * own cache; whether the runtime reports that is noted, not required.
 */
static void tt_session_unsupported(void)
{
	ls_tls_config *cc = tt_client_cfg("ca.pem");
	unsigned char b[4];
	int i, reused[2] = {0, 0};
	ls_tls *t;

	CHECK_OK(ls_tls_wrap(&t, cc, tt_stream(), "localhost", LS_TLS_OWN_SOCKET));
	CHECK_ERR(ls_tls_session_set(t, "LSS1", 4), LS_ENOTSUP);
	CHECK_EQ_INT(ls_tls_session_reused(t), 0);
	ls_tls_close(t);
	for (i = 0; i < 2; i++) {
		CHECK_OK(ls_tls_wrap(&t, cc, tt_connect_port(tt_host_port("leaf")), "localhost",
		                     LS_TLS_OWN_SOCKET));
		CHECK_OK(ls_tls_handshake(t));
		CHECK_ERR(ls_tls_session_get(t, b, sizeof(b), &(size_t){0}), LS_ENOTSUP);
		reused[i] = ls_tls_session_reused(t);
		CHECK_OK(ls_tls_shutdown(t));
		ls_tls_close(t);
	}
	CHECK_EQ_INT(reused[0], 0);
	t_note("second connection to the same server: ls_tls_session_reused() = %d", reused[1]);
	ls_tls_config_free(cc);
	SKIP("the %s backend resumes sessions itself: get and set are LS_ENOTSUP (checked)",
	     ls_tls_backend());
}

static void tt_session_case(int version)
{
	ls_tls_config *cc, *other, *sc;
	unsigned char blob[LS_TLS_SESSION_MAX], bad[LS_TLS_SESSION_MAX];
	size_t len, need = 0;
	tt_srv v;
	ls_tls *t;

	if (strcmp(ls_tls_backend(), "schannel") == 0)
		tt_session_unsupported();
	tt_need_server();
	cc = tt_client_cfg("ca.pem");
	other = tt_client_cfg("ca.pem");
	sc = tt_server_cfg("leaf");
	CHECK_OK(ls_tls_config_versions(cc, version, version));
	CHECK_OK(ls_tls_config_versions(other, version, version));
	/* The first connection is a full handshake; its session is saved. */
	CHECK_OK(tt_resume(cc, sc, NULL, 0, "localhost", &v, &t));
	CHECK_EQ_INT(ls_tls_session_reused(t), 0);
	CHECK_ERR(ls_tls_session_set(t, "x", 1), LS_EINVAL); /* too late */
	len = tt_session(t, blob, sizeof(blob));
	CHECK_ERR(ls_tls_session_get(t, NULL, 0, &need), LS_ENOSPC);
	CHECK_EQ_U64(need, len);
	CHECK_OK(ls_tls_shutdown(t));
	ls_tls_close(t);
	tt_srv_join(&v);
	CHECK_EQ_INT(v.reused, 0);
	/* The second resumes it: the client and the server say so; still verified. */
	CHECK_OK(tt_resume(cc, sc, blob, len, "LocalHost", &v, &t));
	CHECK_EQ_INT(ls_tls_session_reused(t), 1);
	CHECK_EQ_INT(ls_tls_peer_verified(t), 1);
	CHECK_EQ_INT(ls_tls_version(t), version);
	CHECK_OK(ls_tls_shutdown(t));
	ls_tls_close(t);
	tt_srv_join(&v);
	CHECK_EQ_INT(v.reused, 1);
	/* A session for another name is not offered: the full handshake checks the name. */
	CHECK_ERR(tt_resume(cc, sc, blob, len, "other.example", &v, NULL), LS_ECERTNAME);
	/* Corrupt, cut short, or another configuration's: a clear error. */
	memcpy(bad, blob, len);
	bad[len / 2] ^= 0x20;
	CHECK_OK(ls_tls_wrap(&t, cc, tt_stream(), "localhost", LS_TLS_OWN_SOCKET));
	CHECK_ERR(ls_tls_session_set(t, bad, len), LS_EINVAL);
	CHECK_MSG(strstr(ls_tls_error_detail(t), "corrupt") != NULL, "%s", ls_tls_error_detail(t));
	CHECK_ERR(ls_tls_session_set(t, blob, len - 1), LS_EINVAL);
	CHECK_ERR(ls_tls_session_set(t, blob, 20), LS_EINVAL);
	CHECK_ERR(ls_tls_session_get(t, blob, sizeof(blob), &need), LS_ENOTCONN);
	ls_tls_close(t);
	CHECK_OK(ls_tls_wrap(&t, other, tt_stream(), "localhost", LS_TLS_OWN_SOCKET));
	CHECK_ERR(ls_tls_session_set(t, blob, len), LS_EINVAL);
	ls_tls_close(t);
	ls_tls_config_free(other);
	ls_tls_config_free(cc);
	ls_tls_config_free(sc);
}

static void session_resumption_tls13(void)
{
	tt_need_tls13();
	tt_session_case(LS_TLS_V1_3);
}

static void session_resumption_tls12(void)
{
	tt_session_case(LS_TLS_V1_2);
}

/* Each certificate failure has its own error on the client. */
static void wrong_name(void)
{
	int c, s;

	tt_pair_result("wrongname", "ca.pem", "localhost", &c, &s);
	CHECK_ERR(c, LS_ECERTNAME);
	TT_SERVER_ERR(s, LS_ECERT);
	tt_pair_result("leaf", "ca.pem", "other.example", &c, &s);
	CHECK_ERR(c, LS_ECERTNAME);
}

static void unknown_ca(void)
{
	int c, s;

	tt_pair_result("leaf", "otherca.pem", "localhost", &c, &s);
	CHECK_ERR(c, LS_ECERTUNTRUSTED);
	TT_SERVER_ERR(s, LS_ECERT); /* the client's unknown_ca alert */
	/* The system's store (the default) does not know the test CA either. */
	tt_pair_result("leaf", NULL, "localhost", &c, &s);
	CHECK_ERR(c, LS_ECERTUNTRUSTED);
}

static void expired(void)
{
	int c, s;

	tt_pair_result("expired", "ca.pem", "localhost", &c, &s);
	CHECK_ERR(c, LS_ECERTEXPIRED);
	/* The backend's code: X509_V_ERR_CERT_HAS_EXPIRED, or CERT_TRUST_IS_NOT_TIME_VALID. */
	CHECK_EQ_INT(ls_native_error(), strcmp(ls_tls_backend(), "openssl") == 0 ? 10 : 0x1);
}

static void self_signed(void)
{
	int c, s;

	tt_pair_result("selfsigned", "ca.pem", "localhost", &c, &s);
	CHECK_ERR(c, LS_ECERTUNTRUSTED);
}

static void leaf_only_chain(void)
{
	int c, s;

	/* Without the intermediate the client cannot reach the root... */
	tt_pair_result("ileaf", "ca.pem", "localhost", &c, &s);
	CHECK_ERR(c, LS_ECERTUNTRUSTED);
	/* ...with it (ichain.pem: leaf then intermediate) it can. */
	tt_pair_result("ichain", "ca.pem", "localhost", &c, &s);
	CHECK_OK(c);
	TT_SERVER_ERR(s, 0);
}

static void ip_address_certificate(void)
{
	tt_srv v;
	ls_tls *t;
	ls_socket c;
	int cr, sr;

	memset(&v, 0, sizeof(v));
	c = tt_serve(&v, "leaf", "leaf", 0);
	CHECK_OK(tt_client_hs(&t, tt_client_cfg("ca.pem"), c, "127.0.0.1"));
	CHECK_EQ_INT(ls_tls_peer_verified(t), 1);
	ls_tls_close(t);
	tt_srv_join(&v);
	if (!v.host)
		CHECK_STR_EQ(v.sni, ""); /* an address is never sent as SNI */
	tt_pair_result("leaf", "ca.pem", "[::1]", &cr, &sr);
	CHECK_OK(cr);
	tt_pair_result("leaf", "ca.pem", "127.0.0.2", &cr, &sr);
	CHECK_ERR(cr, LS_ECERTNAME);
	tt_pair_result("wrongname", "ca.pem", "127.0.0.1", &cr, &sr);
	CHECK_ERR(cr, LS_ECERTNAME);
}

/* Turning checks off takes an explicit call, one per check. */
static void insecure_switches(void)
{
	ls_tls_config *cc;
	tt_srv v;
	ls_tls *t;
	ls_socket c;

	memset(&v, 0, sizeof(v));
	cc = tt_client_cfg("otherca.pem");
	CHECK_OK(ls_tls_config_insecure_no_verify_chain(cc));
	c = tt_serve(&v, "leaf", "leaf", 0);
	CHECK_OK(tt_client_hs(&t, cc, c, "localhost"));
	CHECK_EQ_INT(ls_tls_peer_verified(t), 0);
	ls_tls_close(t);
	tt_srv_join(&v);
	/* The chain off still checks the name. */
	memset(&v, 0, sizeof(v));
	cc = tt_client_cfg("otherca.pem");
	CHECK_OK(ls_tls_config_insecure_no_verify_chain(cc));
	c = tt_serve(&v, "wrongname", "wrongname", 0);
	CHECK_ERR(tt_client_hs(&t, cc, c, "localhost"), LS_ECERTNAME);
	ls_tls_close(t);
	tt_srv_join(&v);
	/* The name off still checks the chain, and needs no name. */
	memset(&v, 0, sizeof(v));
	cc = tt_client_cfg("ca.pem");
	CHECK_OK(ls_tls_config_insecure_no_verify_name(cc));
	c = tt_serve(&v, "wrongname", "wrongname", 0);
	CHECK_OK(tt_client_hs(&t, cc, c, NULL));
	CHECK_EQ_INT(ls_tls_peer_verified(t), 0);
	ls_tls_close(t);
	tt_srv_join(&v);
}

/* host: the host server with the server's list sp (host_servers.py). */
static void tt_alpn_case(const char *const *cp, size_t cn, const char *const *sp, size_t sn,
                         const char *host, const char *expect)
{
	ls_tls_config *cc = tt_client_cfg("ca.pem"), *sc;
	tt_srv v;
	ls_tls *t;
	ls_socket c;

	CHECK_OK(ls_tls_config_alpn(cc, cp, cn));
	memset(&v, 0, sizeof(v));
	if (tt_serves()) {
		sc = tt_server_cfg("leaf");
		CHECK_OK(ls_tls_config_alpn(sc, sp, sn));
		c = tt_srv_start(&v, sc, 0);
	} else {
		v.host = 1;
		c = tt_connect_port(tt_host_port(host));
	}
	CHECK_OK(tt_client_hs(&t, cc, c, "localhost"));
	CHECK_STR_EQ(ls_tls_alpn(t), expect);
	ls_tls_close(t);
	tt_srv_join(&v);
	if (!v.host)
		CHECK_STR_EQ(v.alpn, expect);
}

static void alpn(void)
{
	static const char *const offer[] = {"h2", "http/1.1"};
	static const char *const have[] = {"x-other", "http/1.1", "h2"};
	static const char *const none[] = {"x-none"};

	tt_alpn_case(offer, 2, have, 3, "alpn", "http/1.1"); /* the server's preference */
	tt_alpn_case(offer, 2, none, 1, "alpn_none", "");
	tt_alpn_case(NULL, 0, have, 3, "alpn", "");
}

/* A server asking for a client certificate (mode), or its host stand-in. */
static ls_socket tt_auth_server(tt_srv *v, int mode)
{
	ls_tls_config *sc;

	if (!tt_serves()) {
		v->host = 1;
		return tt_connect_port(tt_host_port(mode == LS_TLS_CLIENT_AUTH_REQUIRED
		                                    ? "auth_required" : "auth_optional"));
	}
	sc = tt_server_cfg("leaf");
	CHECK_OK(ls_tls_config_ca_file(sc, tt_path("ca.pem")));
	CHECK_OK(ls_tls_config_client_auth(sc, mode));
	return tt_srv_start(v, sc, 1);
}

/*
 * The client certificate: PEM, or PKCS#12 where the backend takes no PEM
 * EC key (Schannel: RSA only; pem_rsa_client_certificate has PEM there).
 */
static void tt_client_cert(ls_tls_config *cc)
{
	int rc = ls_tls_config_cert_file(cc, tt_path("client.pem"), tt_path("client.key"));

	if (rc == LS_ENOTSUP)
		rc = ls_tls_config_pkcs12_file(cc, tt_path("client.p12"), "secret");
	CHECK_OK(rc);
}

/* The client's result: its handshake, or (TLS 1.3 learns late) its first receive. */
static int tt_client_first_read(ls_tls_config *cc, tt_srv *v, int mode)
{
	unsigned char b[4];
	ls_socket c = tt_auth_server(v, mode);
	ls_tls *t;
	int rc = tt_client_hs(&t, cc, c, "localhost");

	if (rc == 0)
		rc = (int)ls_tls_send(t, "ping", 4, 0);
	if (rc > 0)
		rc = (int)ls_tls_recv(t, b, sizeof(b), 0);
	ls_tls_close(t);
	tt_srv_join(v);
	return rc;
}

static void client_certificate(void)
{
	ls_tls_config *cc = tt_client_cfg("ca.pem");
	tt_srv v;
	int rc;

	tt_client_cert(cc);
	memset(&v, 0, sizeof(v));
	/* The client closes after its read: the server's echo ends without close_notify. */
	rc = tt_client_first_read(cc, &v, LS_TLS_CLIENT_AUTH_REQUIRED);
	CHECK_EQ_INT(rc, 4);
	if (!v.host) {
		CHECK_OK(v.hs);
		CHECK_EQ_INT(v.verified, 1);
	}
	/* Required and missing: both sides fail, the server with LS_ECERT. */
	memset(&v, 0, sizeof(v));
	rc = tt_client_first_read(tt_client_cfg("ca.pem"), &v, LS_TLS_CLIENT_AUTH_REQUIRED);
	if (!v.host)
		CHECK_ERR(v.hs, LS_ECERT);
	CHECK_ERR2(rc, LS_ECERT, LS_ETLS);
	/* Optional and missing: fine, not verified. */
	memset(&v, 0, sizeof(v));
	rc = tt_client_first_read(tt_client_cfg("ca.pem"), &v, LS_TLS_CLIENT_AUTH_OPTIONAL);
	CHECK_EQ_INT(rc, 4);
	if (!v.host) {
		CHECK_OK(v.hs);
		CHECK_EQ_INT(v.verified, 0);
	}
}

/*
 * A PEM certificate and RSA key, PKCS#8 (as openssl genpkey writes it) and
 * PKCS#1, on every backend (Schannel imports them by hand). A key that is
 * not the certificate's is LS_EINVAL. Schannel takes an EC key through CNG,
 * which wine lacks: there it is LS_ENOTSUP, saying so.
 */
static void pem_rsa_client_certificate(void)
{
	static const char *const keys[] = {"clientrsa.key", "clientrsa1.key"};
	ls_tls_config *cc;
	size_t i;
	tt_srv v;
	int rc;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		cc = tt_client_cfg("ca.pem");
		CHECK_OK(ls_tls_config_cert_file(cc, tt_path("clientrsa.pem"), tt_path(keys[i])));
		memset(&v, 0, sizeof(v));
		rc = tt_client_first_read(cc, &v, LS_TLS_CLIENT_AUTH_REQUIRED);
		CHECK_MSG(rc == 4, "%s: %s", keys[i], t_err_name(rc));
		if (!v.host) {
			CHECK_OK(v.hs);
			CHECK_EQ_INT(v.verified, 1);
		}
	}
	cc = tt_client_cfg("ca.pem");
	CHECK_ERR(ls_tls_config_cert_file(cc, tt_path("client.pem"), tt_path("clientrsa.key")),
	          LS_EINVAL);
	CHECK_ERR(ls_tls_config_cert_file(cc, tt_path("clientrsa.pem"), tt_path("ca.pem")),
	          LS_EINVAL); /* no key in it */
	rc = ls_tls_config_cert_file(cc, tt_path("client.pem"), tt_path("client.key"));
	if (rc == LS_ENOTSUP)
		t_note("an EC key from PEM: %s", ls_tls_error_detail(NULL));
	else
		CHECK_OK(rc);
	ls_tls_config_free(cc);
}

static void close_notify_both_ways(void)
{
	unsigned char b[16];
	tt_srv v;
	ls_tls *t;
	ls_socket c;

	memset(&v, 0, sizeof(v));
	c = tt_serve(&v, "leaf", "leaf", 1);
	CHECK_OK(tt_client_hs(&t, tt_client_cfg("ca.pem"), c, "localhost"));
	CHECK_OK(ls_tls_sendall(t, "hello", 5, 0, NULL));
	tt_recv_exact(t, b, 5);
	CHECK_OK(ls_tls_shutdown(t));
	CHECK_OK(ls_tls_shutdown(t)); /* again: nothing more */
	CHECK_EQ_INT(ls_tls_recv(t, b, sizeof(b), 0), 0); /* the server's answer */
	ls_tls_close(t);
	tt_srv_join(&v);
	if (v.host)
		return;
	CHECK_EQ_INT(v.end, 0);
	CHECK_OK(v.shut);
}

static void truncation(void)
{
	unsigned char b[16];
	tt_srv v;
	ls_tls *t;
	ls_socket c;

	memset(&v, 0, sizeof(v));
	v.no_notify = 1;
	c = tt_serve(&v, "leaf", "leaf_trunc", 1);
	CHECK_OK(tt_client_hs(&t, tt_client_cfg("ca.pem"), c, "localhost"));
	CHECK_ERR(ls_tls_recv(t, b, sizeof(b), 0), LS_ETRUNCATED);
	CHECK(ls_tls_error_detail(t)[0] != '\0');
	/* Sticky: the connection stays failed. */
	CHECK_ERR(ls_tls_recv(t, b, sizeof(b), 0), LS_ETRUNCATED);
	ls_tls_close(t);
	tt_srv_join(&v);
}

/* A peer that accepts TCP and says nothing: the handshake gives up on time. */
static void silent_peer_times_out(void)
{
	ls_tls_config *cc = tt_client_cfg("ca.pem");
	ls_socket c, s;
	ls_tls *t;
	int64_t t0, took;

	h_tcp_pair(LS_AF_INET, &c, &s);
	CHECK_OK(ls_set_timeout(c, 300));
	CHECK_OK(ls_tls_wrap(&t, cc, c, "localhost", 0));
	ls_tls_config_free(cc);
	t0 = t_now_ms();
	CHECK_ERR(ls_tls_handshake(t), LS_ETIMEDOUT);
	took = t_now_ms() - t0;
	CHECK_GE_INT(took, 250);
	CHECK_LT_INT(took, 3000);
	/* A timeout only interrupts: the socket is still the caller's. */
	ls_tls_close(t);
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
}

static void garbage_peer(void)
{
	static const char junk[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
	ls_tls_config *cc = tt_client_cfg("ca.pem");
	tt_srv v;
	ls_socket c, s;
	ls_tls *t;

	h_tcp_pair(LS_AF_INET, &c, &s);
	CHECK_OK(ls_set_timeout(c, H_HANG_MS));
	h_send_all(s, junk, sizeof(junk) - 1);
	CHECK_ERR(tt_client_hs(&t, cc, c, "localhost"), LS_ETLS);
	ls_tls_close(t);
	CHECK_OK(ls_close(s));
	/* A server that gets garbage fails too. */
	if (!tt_serves())
		return; /* no server side here: only the client's part applies */
	memset(&v, 0, sizeof(v));
	c = tt_srv_start(&v, tt_server_cfg("leaf"), 0);
	h_send_all(c, junk, sizeof(junk) - 1);
	tt_srv_join(&v);
	CHECK_ERR(v.hs, LS_ETLS);
	CHECK_OK(ls_close(c));
}

/* The socket's error comes through: an injected reset on the first send. */
static void socket_error_through_tls(void)
{
	ls_tls_config *cc = tt_client_cfg("ca.pem");
	ls_socket c, s;
	ls_tls *t;

	h_tcp_pair(LS_AF_INET, &c, &s);
	CHECK_OK(ls_tls_wrap(&t, cc, c, "localhost", LS_TLS_OWN_SOCKET));
	ls_tls_config_free(cc);
	CHECK_OK(lsi_plat_inject_fault("send", N_ECONNRESET, 1));
	CHECK_ERR(ls_tls_handshake(t), LS_ECONNRESET);
	CHECK_EQ_INT(ls_native_error(), N_ECONNRESET);
	CHECK_OK(lsi_plat_inject_fault("send", 0, 0));
	CHECK_OK(ls_tls_close(t));
	CHECK_ERR(ls_close(c), LS_EBADF); /* LS_TLS_OWN_SOCKET closed it */
	CHECK_OK(ls_close(s));
}

/* --- Non-blocking: both ends in one thread ------------------------------ */

typedef struct tt_nb {
	ls_tls *t[2];        /* client, server */
	int hs_done[2];
	size_t sent, got;    /* client to server, bytes */
	size_t total;
} tt_nb;

static void tt_nb_setup(tt_nb *nb, size_t total)
{
	ls_tls_config *cc = tt_client_cfg("ca.pem"), *sc = tt_server_cfg("leaf");
	ls_socket c, s;

	memset(nb, 0, sizeof(*nb));
	nb->total = total;
	h_tcp_pair(LS_AF_INET, &c, &s);
	CHECK_OK(ls_set_blocking(c, 0));
	CHECK_OK(ls_set_blocking(s, 0));
	CHECK_OK(ls_tls_wrap(&nb->t[0], cc, c, "localhost", LS_TLS_OWN_SOCKET));
	CHECK_OK(ls_tls_wrap(&nb->t[1], sc, s, NULL, LS_TLS_OWN_SOCKET));
	ls_tls_config_free(cc);
	ls_tls_config_free(sc);
}

/* One step for side i: handshake, then (client) send or (server) receive. Its want. */
static int tt_nb_step(tt_nb *nb, int i)
{
	static unsigned char buf[TT_CHUNK];
	size_t n;
	int64_t rc;

	if (!nb->hs_done[i]) {
		rc = ls_tls_handshake(nb->t[i]);
		nb->hs_done[i] = rc == 0;
	} else if (i == 0 && nb->sent < nb->total) {
		n = nb->total - nb->sent < TT_CHUNK ? nb->total - nb->sent : TT_CHUNK;
		tt_fill(buf, n, nb->sent);
		rc = ls_tls_send(nb->t[0], buf, n, 0);
		nb->sent += rc > 0 ? (size_t)rc : 0;
	} else if (i == 1 && nb->got < nb->total) {
		rc = ls_tls_recv(nb->t[1], buf, sizeof(buf), 0);
		if (rc > 0)
			CHECK(tt_check(buf, (size_t)rc, nb->got));
		nb->got += rc > 0 ? (size_t)rc : 0;
	} else {
		return 0;
	}
	CHECK_MSG(rc >= 0 || rc == LS_EAGAIN, "side %d: %s (%s)", i, t_err_name(rc),
	          ls_tls_error_detail(nb->t[i]));
	return rc == LS_EAGAIN ? ls_tls_want(nb->t[i]) : LS_POLLIN | LS_POLLOUT;
}

static void tt_nb_finish(tt_nb *nb)
{
	CHECK_EQ_U64(nb->got, nb->total);
	CHECK_EQ_INT(ls_tls_version(nb->t[0]), LS_TLS_V1_3);
	ls_tls_close(nb->t[0]);
	ls_tls_close(nb->t[1]);
}

/*
 * One non-blocking step of a client against an echo server: handshake,
 * else send the next chunk and read what came back. What to poll for.
 */
static short tt_nb_host_step(ls_tls *t, int *hs, size_t *sent, size_t *got, size_t total)
{
	static unsigned char out[TT_CHUNK], in[TT_CHUNK];
	short ev = LS_POLLIN;
	size_t n;
	int64_t rc;

	if (!*hs) {
		rc = ls_tls_handshake(t);
		CHECK_MSG(rc == 0 || rc == LS_EAGAIN, "handshake: %s (%s)", t_err_name(rc),
		          ls_tls_error_detail(t));
		*hs = rc == 0;
		return *hs ? (short)(LS_POLLIN | LS_POLLOUT) : (short)ls_tls_want(t);
	}
	if (*sent < total) {
		/* After LS_EAGAIN the same bytes are offered again: the stream decides them. */
		n = total - *sent < TT_CHUNK ? total - *sent : TT_CHUNK;
		tt_fill(out, n, *sent);
		rc = ls_tls_send(t, out, n, 0);
		CHECK_MSG(rc > 0 || rc == LS_EAGAIN, "send: %s", t_err_name(rc));
		*sent += rc > 0 ? (size_t)rc : 0;
		ev |= rc == LS_EAGAIN ? (short)ls_tls_want(t) : LS_POLLOUT;
	}
	while ((rc = ls_tls_recv(t, in, sizeof(in), 0)) > 0) {
		CHECK(tt_check(in, (size_t)rc, *got));
		*got += (size_t)rc;
	}
	CHECK_MSG(rc == LS_EAGAIN, "recv: %s (%s)", t_err_name(rc), ls_tls_error_detail(t));
	return (short)(ev | ls_tls_want(t));
}

/* Without a server side: the client alone, non-blocking, against the host's echo. */
static void tt_nb_host(void)
{
	ls_tls_config *cc = tt_client_cfg("ca.pem");
	ls_socket c = tt_connect_port(tt_host_port("leaf"));
	size_t sent = 0, got = 0, total = 4u * 1024 * 1024;
	int hs = 0, rounds = 0;
	ls_pollfd p;
	ls_tls *t;
	short ev;

	CHECK_OK(ls_set_blocking(c, 0));
	CHECK_OK(ls_tls_wrap(&t, cc, c, "localhost", LS_TLS_OWN_SOCKET));
	ls_tls_config_free(cc);
	while (got < total && rounds++ < 100000) {
		ev = tt_nb_host_step(t, &hs, &sent, &got, total);
		if (got == total)
			break;
		h_set_pollfd(&p, c, ev);
		CHECK_GT_INT(ls_poll(&p, 1, H_HANG_MS), 0);
	}
	CHECK_EQ_U64(got, total);
	CHECK_EQ_INT(ls_tls_version(t), LS_TLS_V1_2);
	ls_tls_close(t);
}

static void nonblocking_ls_poll(void)
{
	ls_pollfd p[2];
	tt_nb nb;
	int want[2] = {LS_POLLOUT, LS_POLLIN}, i, rounds = 0;

	if (!tt_serves()) {
		tt_nb_host();
		return;
	}
	tt_nb_setup(&nb, 4u * 1024 * 1024);
	while (nb.got < nb.total && rounds++ < 100000) {
		for (i = 0; i < 2; i++)
			h_set_pollfd(&p[i], ls_tls_socket(nb.t[i]), (short)want[i]);
		CHECK_GT_INT(ls_poll(p, 2, H_HANG_MS), 0);
		for (i = 0; i < 2; i++)
			if (p[i].revents != 0 || ls_tls_pending(nb.t[i]) > 0)
				want[i] = tt_nb_step(&nb, i);
		for (i = 0; i < 2; i++)
			if (want[i] == (LS_POLLIN | LS_POLLOUT))
				want[i] = tt_nb_step(&nb, i) & (LS_POLLIN | LS_POLLOUT);
	}
	tt_nb_finish(&nb);
}

static void nonblocking_poller(void)
{
	ls_poller *pl;
	ls_event ev[2];
	tt_nb nb;
	int want[2], i, k, n, rounds = 0;

	tt_need_server(); /* nonblocking_ls_poll covers the client alone */
	tt_nb_setup(&nb, 4u * 1024 * 1024);
	CHECK_OK(ls_poller_create(&pl, 0));
	for (i = 0; i < 2; i++) {
		want[i] = tt_nb_step(&nb, i);
		CHECK_OK(ls_poller_add(pl, ls_tls_socket(nb.t[i]), want[i], LS_POLLER_ONESHOT,
		                       (uint64_t)i));
	}
	while (nb.got < nb.total && rounds++ < 100000) {
		n = ls_poller_wait(pl, ev, 2, H_HANG_MS);
		CHECK_GT_INT(n, 0);
		for (k = 0; k < n; k++) {
			i = (int)ev[k].user;
			/* Step until the side has to wait, then re-arm for what it waits for. */
			while ((want[i] = tt_nb_step(&nb, i)) == (LS_POLLIN | LS_POLLOUT) &&
			       nb.got < nb.total)
				;
			CHECK_OK(ls_poller_mod(pl, ev[k].sock, want[i] != 0 ? want[i] : LS_POLLIN,
			                       LS_POLLER_ONESHOT, (uint64_t)i));
		}
	}
	CHECK_STR_EQ(ls_poller_backend(pl), ls_poller_backend(pl));
	ls_poller_destroy(pl);
	tt_nb_finish(&nb);
}

/* --- Configuration and bad input ------------------------------------------- */

static void bad_input(void)
{
	static const char *const empty[] = {""};
	ls_tls_config *cc = tt_client_cfg(NULL), *sc;
	ls_socket c, s, u;
	ls_tls *t = NULL;

	CHECK_ERR(ls_tls_config_new(NULL, LS_TLS_CLIENT), LS_EINVAL);
	CHECK_ERR(ls_tls_config_new(&sc, 3), LS_EINVAL);
	CHECK(sc == NULL);
	CHECK_ERR(ls_tls_config_hold(NULL), LS_EINVAL);
	ls_tls_config_free(NULL);
	CHECK_ERR(ls_tls_config_versions(cc, 0x0300, 0), LS_EINVAL);
	CHECK_ERR(ls_tls_config_versions(cc, LS_TLS_V1_3, LS_TLS_V1_2), LS_EINVAL);
	CHECK_ERR(ls_tls_config_alpn(cc, empty, 1), LS_EINVAL);
	CHECK_ERR(ls_tls_config_alpn(cc, NULL, 1), LS_EINVAL);
	CHECK_ERR(ls_tls_config_client_auth(cc, LS_TLS_CLIENT_AUTH_REQUIRED), LS_EINVAL);
	CHECK_ERR(ls_tls_config_ca_file(cc, "/no/such/file.pem"), LS_ENOENT);
	CHECK_ERR(ls_tls_config_ca_mem(cc, "not a certificate", 17), LS_EINVAL);
	CHECK(ls_tls_error_detail(NULL)[0] != '\0');
	/* Another certificate's key; Schannel may not get as far as comparing (no CNG under wine). */
	CHECK_ERR2(ls_tls_config_cert_file(cc, tt_path("leaf.pem"), tt_path("client.key")), LS_EINVAL,
	           strcmp(ls_tls_backend(), "schannel") == 0 ? LS_ENOTSUP : LS_EINVAL);
	CHECK_ERR(ls_tls_config_pkcs12_file(cc, tt_path("leaf.p12"), "wrong"), LS_EINVAL);
	h_tcp_pair(LS_AF_INET, &c, &s);
	CHECK_ERR(ls_tls_wrap(NULL, cc, c, "localhost", 0), LS_EINVAL);
	CHECK_ERR(ls_tls_wrap(&t, NULL, c, "localhost", 0), LS_EINVAL);
	CHECK_ERR(ls_tls_wrap(&t, cc, c, "localhost", 0x100), LS_EINVAL);
	CHECK_ERR(ls_tls_wrap(&t, cc, c, NULL, 0), LS_EINVAL); /* names are checked */
	CHECK_ERR(ls_tls_wrap(&t, cc, c, "", 0), LS_EINVAL);
	CHECK_ERR(ls_tls_wrap(&t, cc, LS_INVALID_SOCKET, "localhost", 0), LS_EBADF);
	u = h_udp(LS_AF_INET, NULL);
	CHECK_ERR(ls_tls_wrap(&t, cc, u, "localhost", 0), LS_EPROTOTYPE);
	/* Every backend has a server configuration (whether it can serve is tt_serves's). */
	CHECK_OK(ls_tls_config_new(&sc, LS_TLS_SERVER));
	CHECK_ERR(ls_tls_wrap(&t, sc, s, NULL, 0), LS_EINVAL); /* no certificate */
	CHECK_ERR(ls_tls_config_insecure_no_verify_name(sc), LS_EINVAL);
	ls_tls_config_free(sc);
	/* Once used, the configuration is read-only. */
	CHECK_OK(ls_tls_wrap(&t, cc, c, "localhost", 0));
	CHECK_ERR(ls_tls_config_versions(cc, LS_TLS_V1_3, 0), LS_EREADONLY);
	CHECK_ERR(ls_tls_config_ca_file(cc, tt_path("ca.pem")), LS_EREADONLY);
	CHECK_ERR(ls_tls_config_insecure_no_verify_chain(cc), LS_EREADONLY);
	CHECK_ERR(ls_tls_send(t, "x", 1, 0x100), LS_EINVAL);
	CHECK_ERR(ls_tls_recv(t, NULL, 1, 0), LS_EINVAL);
	CHECK_ERR(ls_tls_shutdown(t), LS_ENOTCONN);
	CHECK_EQ_INT(ls_tls_version(t), 0);
	CHECK_STR_EQ(ls_tls_cipher(t), "");
	CHECK_ERR(ls_tls_handshake(NULL), LS_EINVAL);
	CHECK_EQ_INT(ls_tls_want(NULL), 0);
	CHECK_EQ_U64(ls_tls_socket(t), c);
	CHECK_OK(ls_tls_close(t)); /* not owned: the socket stays */
	CHECK_OK(ls_tls_close(NULL));
	ls_tls_config_free(cc);
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
	CHECK_OK(ls_close(u));
}

/* Certificates from memory and PKCS#12; the configuration outlives its creator's reference. */
static void memory_and_pkcs12(void)
{
	ls_tls_config *cc, *sc;
	unsigned char ca[8192], p12[8192];
	size_t n_ca, n_p12;
	FILE *f;
	tt_srv v;
	ls_tls *t;
	ls_socket sk;

	tt_dir();
	f = fopen(tt_path("ca.pem"), "rb");
	n_ca = fread(ca, 1, sizeof(ca), f);
	fclose(f);
	f = fopen(tt_path("leaf.p12"), "rb");
	n_p12 = fread(p12, 1, sizeof(p12), f);
	fclose(f);
	CHECK_OK(ls_tls_config_new(&cc, LS_TLS_CLIENT));
	CHECK_OK(ls_tls_config_ca_mem(cc, ca, n_ca));
	if (!tt_serves()) {
		/*
		 * No server side: the client presents a PKCS#12 certificate to a
		 * server requiring one (client.p12: wine imports RSA keys only).
		 */
		f = fopen(tt_path("client.p12"), "rb");
		n_p12 = fread(p12, 1, sizeof(p12), f);
		fclose(f);
		CHECK_OK(ls_tls_config_pkcs12_mem(cc, p12, n_p12, "secret"));
		sk = tt_connect_port(tt_host_port("auth_required"));
		CHECK_OK(tt_client_hs(&t, cc, sk, "localhost"));
		CHECK_OK(ls_tls_sendall(t, "ping", 4, 0, NULL));
		tt_recv_exact(t, ca, 4);
		ls_tls_close(t);
		return;
	}
	CHECK_OK(ls_tls_config_new(&sc, LS_TLS_SERVER));
	CHECK_OK(ls_tls_config_pkcs12_mem(sc, p12, n_p12, "secret"));
	CHECK_OK(ls_tls_config_hold(sc));
	memset(&v, 0, sizeof(v));
	sk = tt_srv_start(&v, sc, 0);
	CHECK_OK(tt_client_hs(&t, cc, sk, "localhost"));
	ls_tls_close(t);
	tt_srv_join(&v);
	CHECK_OK(v.hs);
	ls_tls_config_free(sc); /* the extra reference */
}

/*
 * A server's certificate in every form a configuration takes, loaded and
 * made into credentials (ls_tls_wrap freezes the configuration: Schannel's
 * AcquireCredentialsHandle) on every backend: PEM with a PKCS#8 and a
 * PKCS#1 RSA key, PKCS#12, a key of another certificate, an EC key
 * (Schannel: through CNG; LS_ENOTSUP where there is none, as under wine).
 * Then a server handshake asking for a client certificate, with SNI and
 * ALPN: it skips, saying why, where the runtime has no TLS server.
 */
static void server_credentials(void)
{
	static const char *const keys[] = {"leafrsa.key", "leafrsa1.key", NULL};
	static const char *const sp[] = {"x-b", "x-a"}, *const cp[] = {"x-a", "x-b"};
	ls_tls_config *sc, *cc;
	ls_socket a, b;
	tt_srv v;
	ls_tls *t;
	size_t i;
	int rc;

	tt_dir();
	h_tcp_pair(LS_AF_INET, &a, &b);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		CHECK_OK(ls_tls_config_new(&sc, LS_TLS_SERVER));
		if (keys[i] != NULL)
			CHECK_OK(ls_tls_config_cert_file(sc, tt_path("leafrsa.pem"), tt_path(keys[i])));
		else
			CHECK_OK(ls_tls_config_pkcs12_file(sc, tt_path("leafrsa.p12"), "secret"));
		CHECK_OK(ls_tls_config_ca_file(sc, tt_path("ca.pem")));
		CHECK_OK(ls_tls_config_client_auth(sc, LS_TLS_CLIENT_AUTH_REQUIRED));
		CHECK_OK(ls_tls_wrap(&t, sc, a, NULL, 0));
		ls_tls_close(t);
		ls_tls_config_free(sc);
	}
	CHECK_OK(ls_tls_config_new(&sc, LS_TLS_SERVER));
	CHECK_ERR(ls_tls_config_cert_file(sc, tt_path("leafrsa.pem"), tt_path("clientrsa.key")),
	          LS_EINVAL);
	rc = ls_tls_config_cert_file(sc, tt_path("leaf.pem"), tt_path("leaf.key"));
	if (rc == LS_ENOTSUP)
		t_note("an EC server key: %s", ls_tls_error_detail(NULL));
	else
		CHECK_OK(rc);
	if (rc == 0) {
		CHECK_OK(ls_tls_wrap(&t, sc, a, NULL, 0));
		ls_tls_close(t);
	} else {
		CHECK_ERR(ls_tls_wrap(&t, sc, a, NULL, 0), LS_EINVAL); /* still no certificate */
	}
	ls_tls_config_free(sc);
	CHECK_OK(ls_close(a));
	CHECK_OK(ls_close(b));
	tt_need_server();
	CHECK_OK(ls_tls_config_new(&sc, LS_TLS_SERVER));
	CHECK_OK(ls_tls_config_pkcs12_file(sc, tt_path("leafrsa.p12"), "secret"));
	CHECK_OK(ls_tls_config_ca_file(sc, tt_path("ca.pem")));
	CHECK_OK(ls_tls_config_client_auth(sc, LS_TLS_CLIENT_AUTH_REQUIRED));
	CHECK_OK(ls_tls_config_alpn(sc, sp, 2));
	cc = tt_client_cfg("ca.pem");
	CHECK_OK(ls_tls_config_cert_file(cc, tt_path("clientrsa.pem"), tt_path("clientrsa.key")));
	CHECK_OK(ls_tls_config_alpn(cc, cp, 2));
	memset(&v, 0, sizeof(v));
	CHECK_OK(tt_client_hs(&t, cc, tt_srv_start(&v, sc, 1), "localhost"));
	CHECK_EQ_INT(ls_tls_peer_verified(t), 1);
	CHECK_STR_EQ(ls_tls_alpn(t), "x-b"); /* the server's preference */
	tt_echo(t, 4096);
	CHECK_OK(ls_tls_shutdown(t));
	ls_tls_close(t);
	tt_srv_join(&v);
	CHECK_OK(v.hs);
	CHECK_EQ_INT(v.verified, 1);
	CHECK_STR_EQ(v.sni, "localhost");
	CHECK_STR_EQ(v.alpn, "x-b");
}

/* The first record libsock's client sends to name (its ClientHello), off the wire. */
static size_t tt_client_hello(const char *name, unsigned char *rec, size_t size)
{
	static const char *const offer[] = {"h2", "http/1.1"};
	ls_tls_config *cc = tt_client_cfg("ca.pem");
	ls_socket c, s;
	ls_tls *t;
	size_t n;

	CHECK_OK(ls_tls_config_alpn(cc, offer, 2));
	h_tcp_pair(LS_AF_INET, &c, &s);
	CHECK_OK(ls_set_blocking(c, 0));
	CHECK_OK(ls_set_timeout(s, H_HANG_MS));
	CHECK_OK(ls_tls_wrap(&t, cc, c, name, LS_TLS_OWN_SOCKET));
	ls_tls_config_free(cc);
	CHECK_ERR(ls_tls_handshake(t), LS_EAGAIN); /* the ClientHello is out */
	h_recv_exact(s, rec, 5);
	n = 5 + (((size_t)rec[3] << 8) | rec[4]);
	CHECK_LT_INT(n, size + 1);
	h_recv_exact(s, rec + 5, n - 5);
	ls_tls_close(t);
	CHECK_OK(ls_close(s));
	return n;
}

/*
 * The ClientHello reader a server uses where its TLS library has no SNI
 * and ALPN callbacks (Schannel), on a real ClientHello (OpenSSL's, or
 * Schannel's under wine): the name, the list, the server's choice; every
 * shorter prefix asks for more, and a record garbled anywhere still
 * parses without reading past it (ASan checks that on Linux).
 */
static void client_hello_parse(void)
{
	static const char *const have[] = {"x-other", "http/1.1", "h2"};
	static const char *const none[] = {"x-none"};
	unsigned char rec[16384 + 5];
	const unsigned char *proto;
	ls_tls_config *sc;
	lsi_tls_hello h;
	size_t n, k;
	int rc;

	n = tt_client_hello("localhost", rec, sizeof(rec));
	CHECK_OK(lsi_tls_hello_parse(rec, n, &h));
	CHECK_STR_EQ(h.sni, "localhost");
	CHECK_EQ_U64(h.alpn_len, 12);
	CHECK(h.alpn != NULL && memcmp(h.alpn, "\x02h2\x08http/1.1", 12) == 0);
	CHECK_OK(ls_tls_config_new(&sc, LS_TLS_SERVER));
	CHECK_EQ_U64(lsi_tls_alpn_choose(sc, &h, &proto), 0); /* no list: no ALPN */
	CHECK_OK(ls_tls_config_alpn(sc, have, 3));
	CHECK_EQ_U64(lsi_tls_alpn_choose(sc, &h, &proto), 9);
	CHECK(memcmp(proto, "\x08http/1.1", 9) == 0);
	CHECK_OK(ls_tls_config_alpn(sc, none, 1));
	CHECK_EQ_U64(lsi_tls_alpn_choose(sc, &h, &proto), 0);
	CHECK(proto == NULL);
	ls_tls_config_free(sc);
	for (k = 0; k < n; k++)
		CHECK_ERR(lsi_tls_hello_parse(rec, k, &h), LS_EAGAIN);
	for (k = 5; k < n; k++) {
		rec[k] ^= 0x5a;
		rc = lsi_tls_hello_parse(rec, n, &h);
		CHECK_MSG(rc == 0, "byte %u garbled: %s", (unsigned)k, t_err_name(rc));
		CHECK(h.alpn == NULL || (h.alpn > rec && h.alpn + h.alpn_len <= rec + n));
		rec[k] ^= 0x5a;
	}
	/* An address is never sent as SNI. */
	n = tt_client_hello("127.0.0.1", rec, sizeof(rec));
	CHECK_OK(lsi_tls_hello_parse(rec, n, &h));
	CHECK_STR_EQ(h.sni, "");
}

static void backend_name(void)
{
	ls_tls_config *c = NULL;

	if (ls_tls_backend()[0] == '\0') {
		CHECK_ERR(ls_tls_config_new(&c, LS_TLS_CLIENT), LS_ENOTSUP);
		CHECK_ERR(ls_tls_wrap(NULL, NULL, 0, NULL, 0), LS_ENOTSUP);
		CHECK_ERR(ls_tls_handshake(NULL), LS_ENOTSUP);
		CHECK_ERR(ls_tls_send(NULL, NULL, 0, 0), LS_ENOTSUP);
		return;
	}
	CHECK(strcmp(ls_tls_backend(), "openssl") == 0 || strcmp(ls_tls_backend(), "schannel") == 0);
}

/* --- Against independent peers ------------------------------------------------ */

/* libsock's client against peer.py's server: 16 MiB echo at one version. */
static void tt_python_server(const char *version)
{
	const char *port_file = tt_scratch("port"), *out = tt_scratch("pyout");
	const char *argv[] = {tt_python(), NULL, "server", "--cert", tt_path("leaf.pem"), "--key",
	                      tt_path("leaf.key"), "--version", version, "--port-file", port_file,
	                      NULL};
	ls_tls_config *cc = tt_client_cfg("ca.pem");
	t_proc *p;
	ls_tls *t;
	unsigned char b[8];
	int st;

	if (strcmp(version, "1.3") == 0)
		tt_need_tls13();
	if (!tt_serves()) {
		/* The host's "leaf" server is Python's ssl too, and echoes the same way. */
		CHECK_OK(tt_client_hs(&t, cc, tt_connect_port(tt_host_port("leaf")), "localhost"));
		CHECK_EQ_INT(ls_tls_version(t), LS_TLS_V1_2);
		tt_echo(t, TT_BIG);
		CHECK_OK(ls_tls_shutdown(t));
		CHECK_EQ_INT(ls_tls_recv(t, b, sizeof(b), 0), 0);
		ls_tls_close(t);
		return;
	}
	argv[1] = getenv("LIBSOCK_TLS_PEER_PY");
	if (argv[1] == NULL)
		SKIP("LIBSOCK_TLS_PEER_PY is not set");
	h_unlink(port_file);
	p = tt_spawn(argv, out);
	CHECK_OK(tt_client_hs(&t, cc, tt_connect_port(tt_wait_port(p, port_file, 0)), "localhost"));
	CHECK_EQ_INT(ls_tls_version(t), strcmp(version, "1.3") == 0 ? LS_TLS_V1_3 : LS_TLS_V1_2);
	tt_echo(t, TT_BIG);
	CHECK_OK(ls_tls_shutdown(t));
	CHECK_EQ_INT(ls_tls_recv(t, b, sizeof(b), 0), 0);
	ls_tls_close(t);
	CHECK(t_proc_wait(p, H_HANG_MS, &st));
	CHECK_EQ_INT(st, 0);
	t_proc_stop(p);
	h_unlink(port_file);
	h_unlink(out);
}

static void python_server_echo_tls13(void)
{
	tt_python_server("1.3");
}

static void python_server_echo_tls12(void)
{
	tt_python_server("1.2");
}

/* peer.py's client against libsock's server: 16 MiB echo, close_notify both ways. */
static void python_client_echo(void)
{
	const char *out = tt_scratch("pyout");
	char port[16], buf[4096];
	const char *argv[] = {tt_python(), NULL, "client", "--cafile", tt_path("ca.pem"), "--port",
	                      port, NULL};
	tt_srv v;
	ls_addr a;
	ls_socket l;
	t_proc *p;
	int st;

	tt_need_server();
	argv[1] = getenv("LIBSOCK_TLS_PEER_PY");
	if (argv[1] == NULL)
		SKIP("LIBSOCK_TLS_PEER_PY is not set");
	l = h_listener(LS_AF_INET, &a);
	snprintf(port, sizeof(port), "%u", ls_addr_port(&a));
	p = tt_spawn(argv, out);
	memset(&v, 0, sizeof(v));
	v.cfg = tt_server_cfg("leaf");
	v.echo = 1;
	CHECK_OK(ls_set_timeout(l, H_HANG_MS));
	CHECK_OK(ls_accept(l, &v.sock, NULL));
	CHECK_OK(ls_setopt(v.sock, LS_OPT_NODELAY, 1));
	tt_srv_main(&v);
	ls_tls_config_free(v.cfg);
	CHECK(t_proc_wait(p, H_HANG_MS, &st));
	tt_slurp(out, buf, sizeof(buf));
	CHECK_MSG(st == 0, "peer.py client: %d: %s", st, buf);
	CHECK_OK(v.hs);
	CHECK_STR_EQ(v.sni, "localhost");
	CHECK_EQ_INT(v.end, 0);
	t_proc_stop(p);
	CHECK_OK(ls_close(l));
	h_unlink(out);
}

/*
 * openssl s_server on a port it picks and reports; extra options after the
 * certificate. -rev (it answers lines reversed) keeps it from reading its
 * standard input, whose end would close the connection.
 */
static t_proc *tt_s_server(const char *cert, const char *const *extra, uint16_t *port)
{
	const char *out = tt_scratch("s_server");
	const char *argv[24] = {tt_openssl(), "s_server", "-accept", "127.0.0.1:0", "-naccept",
	                        "1", "-rev", "-cert", NULL, "-key", NULL};
	char pem[64], key[64];
	size_t n = 11;
	t_proc *p;

	snprintf(pem, sizeof(pem), "%s.pem", cert);
	snprintf(key, sizeof(key), "%s.key", cert);
	argv[8] = tt_path(pem);
	argv[10] = tt_path(key);
	while (extra != NULL && *extra != NULL && n < 22)
		argv[n++] = *extra++;
	argv[n] = NULL;
	h_unlink(out);
	p = tt_spawn(argv, out);
	*port = tt_wait_port(p, out, 1);
	return p;
}

/* host: the host's s_server of the same kind (host_servers.py), where the test cannot start one. */
static int tt_against_s_server(const char *cert, const char *const *extra, const char *host,
                               ls_tls_config *cc, int *version)
{
	uint16_t port;
	t_proc *p = tt_serves() ? tt_s_server(cert, extra, &port) : NULL;
	ls_tls *t;
	int rc;
	char buf[4096];

	if (p == NULL)
		port = tt_host_port(host);
	rc = tt_client_hs(&t, cc, tt_connect_port(port), "localhost");
	*version = ls_tls_version(t);
	ls_tls_close(t);
	t_proc_stop(p);
	if (rc != 0 && p != NULL) {
		tt_slurp(tt_scratch("s_server"), buf, sizeof(buf));
		t_note("s_server said: %.600s", buf);
	}
	return rc;
}

static void openssl_s_server(void)
{
	static const char *const v12[] = {"-tls1_2", NULL};
	static const char *const v13[] = {"-tls1_3", NULL};
	static const char *const v11[] = {"-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0", NULL};
	int v;

	if (tt_serves()) {
		CHECK_OK(tt_against_s_server("leaf", v13, NULL, tt_client_cfg("ca.pem"), &v));
		CHECK_EQ_INT(v, LS_TLS_V1_3);
	} else {
		/* Only the Schannel client gets here: wine's speaks TLS 1.0-1.2 only. */
		t_note("TLS 1.3 skipped: %s", t_under_wine() ? "wine's Schannel has none"
		                                               : "no TLS 1.3 host server");
	}
	CHECK_OK(tt_against_s_server("leaf", v12, "s_leaf12", tt_client_cfg("ca.pem"), &v));
	CHECK_EQ_INT(v, LS_TLS_V1_2);
	CHECK_ERR(tt_against_s_server("wrongname", NULL, "s_wrongname", tt_client_cfg("ca.pem"), &v),
	          LS_ECERTNAME);
	CHECK_ERR(tt_against_s_server("expired", NULL, "s_expired", tt_client_cfg("ca.pem"), &v),
	          LS_ECERTEXPIRED);
	/* A server that speaks only TLS 1.1 is refused. */
	CHECK_ERR(tt_against_s_server("leaf", v11, "s_tls11", tt_client_cfg("ca.pem"), &v), LS_ETLS);
}

/* openssl s_client against libsock's server; the server's handshake result. */
static int tt_s_client(const char *const *extra, tt_srv *v, ls_tls_config *sc)
{
	const char *out = tt_scratch("s_client");
	char port[16], buf[4096];
	const char *argv[24] = {tt_openssl(), "s_client", "-connect", NULL, "-CAfile",
	                        tt_path("ca.pem")};
	size_t n = 6;
	ls_socket l;
	ls_addr a;
	t_proc *p;

	l = h_listener(LS_AF_INET, &a);
	snprintf(port, sizeof(port), "127.0.0.1:%u", ls_addr_port(&a));
	argv[3] = port;
	while (extra != NULL && *extra != NULL && n < 22)
		argv[n++] = *extra++;
	argv[n] = NULL;
	p = tt_spawn(argv, out);
	memset(v, 0, sizeof(*v));
	v->cfg = sc;
	CHECK_OK(ls_set_timeout(l, H_HANG_MS));
	CHECK_OK(ls_accept(l, &v->sock, NULL));
	tt_srv_main(v);
	ls_tls_config_free(sc);
	t_proc_stop(p);
	tt_slurp(out, buf, sizeof(buf));
	if (v->hs != 0)
		t_note("s_client said: %.400s", buf);
	CHECK_OK(ls_close(l));
	h_unlink(out);
	return v->hs;
}

static void openssl_s_client(void)
{
	static const char *const sni[] = {"-servername", "localhost", "-alpn", "x-test,h2", NULL};
	static const char *const v11[] = {"-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0", NULL};
	static const char *const h2[] = {"h2"};
	ls_tls_config *sc;
	tt_srv v;

	tt_need_server();
	sc = tt_server_cfg("leaf");
	CHECK_OK(ls_tls_config_alpn(sc, h2, 1));
	CHECK_OK(tt_s_client(sni, &v, sc));
	CHECK_STR_EQ(v.sni, "localhost");
	CHECK_STR_EQ(v.alpn, "h2");
	CHECK_EQ_INT(v.version, LS_TLS_V1_3);
	/* A client that offers only TLS 1.1 is refused. */
	CHECK_ERR(tt_s_client(v11, &v, tt_server_cfg("leaf")), LS_ETLS);
}

static const t_case cases[] = {
	TEST_CASE(backend_name),
	TEST_CASE(bad_input),
	TEST_CASE(self_echo_tls13),
	TEST_CASE(self_echo_tls12),
	TEST_CASE(blocking_sockets),
	TEST_CASE(session_resumption_tls13),
	TEST_CASE(session_resumption_tls12),
	TEST_CASE(wrong_name),
	TEST_CASE(unknown_ca),
	TEST_CASE(expired),
	TEST_CASE(self_signed),
	TEST_CASE(leaf_only_chain),
	TEST_CASE(ip_address_certificate),
	TEST_CASE(insecure_switches),
	TEST_CASE(alpn),
	TEST_CASE(client_certificate),
	TEST_CASE(pem_rsa_client_certificate),
	TEST_CASE(close_notify_both_ways),
	TEST_CASE(truncation),
	TEST_CASE(silent_peer_times_out),
	TEST_CASE(garbage_peer),
	TEST_CASE(socket_error_through_tls),
	TEST_CASE(nonblocking_ls_poll),
	TEST_CASE(nonblocking_poller),
	TEST_CASE(memory_and_pkcs12),
	TEST_CASE(server_credentials),
	TEST_CASE(client_hello_parse),
	TEST_CASE(python_server_echo_tls13),
	TEST_CASE(python_server_echo_tls12),
	TEST_CASE(python_client_echo),
	TEST_CASE(openssl_s_server),
	TEST_CASE(openssl_s_client),
};

TEST_MAIN(cases)
