/*
 * tls_bench.c - libsock's TLS against the same work with OpenSSL called
 * directly on an fd (SSL_set_fd), in one run.
 *
 * Two measures, each run on both sides in alternating order (libsock first
 * in even rounds, OpenSSL first in odd rounds):
 *
 *   tls_bulk_MiBps   one thread sends 1 GiB (--quick: 64 MiB) over loopback
 *                    TCP in 128 KiB writes, another receives it; TLS 1.3
 *                    with the default cipher; wall-clock MiB/s
 *   tls_handshakes_per_s
 *                    full TLS 1.3 handshakes (client and server in two
 *                    threads, a new TCP connection each)
 *   tls_handshakes_resumed_per_s
 *                    the same, each resuming the session (a TLS 1.3
 *                    ticket) a first, untimed connection saved: libsock
 *                    through ls_tls_session_get/ls_tls_session_set (a blob
 *                    decoded each time), OpenSSL through SSL_get1_session
 *                    and SSL_set_session (an object kept in memory)
 *
 * Output: one line per measure,
 *   <name> libsock=<median> openssl=<median> ratio=<median of per-round ratios>
 * with the ratio libsock/openssl of each round's two back-to-back runs
 * (higher is better for both measures). Rounds go to stderr with --verbose.
 *
 * Both sides use the same certificate (a P-256 key made at start), the
 * same TCP sockets (made with the OS's calls; libsock adopts them), the
 * same blocking mode and buffer sizes, and the same OpenSSL defaults.
 */
#define _GNU_SOURCE

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <libsock.h>

#define MAX_ROUNDS 32
#define CHUNK (128 * 1024)

static struct {
	int rounds;
	size_t bulk_bytes;
	int handshakes;
	int verbose;
	const char *only; /* run only this measure (its name), or NULL for all */
	const char *side; /* run only this side ("libsock" or "openssl"), or NULL for both */
} cfg = {5, (size_t)1 << 30, 300, 0, NULL, NULL};

/* The certificate and key both sides use, as PEM. */
static char cert_pem[4096], key_pem[4096];
static size_t cert_len, key_len;

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "tls_bench: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	ERR_print_errors_fp(stderr);
	exit(1);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	double tmp[MAX_ROUNDS];

	memcpy(tmp, v, sizeof(double) * (size_t)n);
	qsort(tmp, (size_t)n, sizeof(double), cmp_double);
	return n % 2 ? tmp[n / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2;
}

/* A self-signed P-256 certificate for "localhost", as PEM in cert_pem/key_pem. */
static void make_cert(void)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_NAME *name = X509_get_subject_name(x);
	BIO *b;

	if (key == NULL || x == NULL)
		die("cannot make a key");
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"localhost", -1,
	                           -1, 0);
	X509_set_issuer_name(x, name);
	X509_set_pubkey(x, key);
	if (!X509_sign(x, key, EVP_sha256()))
		die("cannot sign");
	b = BIO_new(BIO_s_mem());
	PEM_write_bio_X509(b, x);
	cert_len = (size_t)BIO_read(b, cert_pem, sizeof(cert_pem));
	PEM_write_bio_PrivateKey(b, key, NULL, NULL, 0, NULL, NULL);
	key_len = (size_t)BIO_read(b, key_pem, sizeof(key_pem));
	BIO_free(b);
	X509_free(x);
	EVP_PKEY_free(key);
}

/* --- TCP, made with the OS's calls for both sides ---------------------- */

static int listener(uint16_t *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(fd, 128) != 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) != 0)
		die("listen");
	*port = ntohs(a.sin_port);
	return fd;
}

static int connect_to(uint16_t port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	                        .sin_port = htons(port)};
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0)
		die("connect");
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static int accept_from(int lfd)
{
	int fd = accept(lfd, NULL, NULL), one = 1;

	if (fd < 0)
		die("accept");
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/* --- The two sides --------------------------------------------------------- */

/* One side's TLS: both ends of a connection, over an fd. */
typedef struct side {
	const char *name;
	void *(*new_end)(int fd, int server, void *session); /* handshake done, or NULL */
	void *(*get_session)(void *end); /* a client's session, once its ticket came */
	void (*free_session)(void *session);
	int (*reused)(void *end);
	int64_t (*send)(void *end, const void *buf, size_t len);
	int64_t (*recv)(void *end, void *buf, size_t len);
	void (*shutdown)(void *end); /* send close_notify */
	void (*close)(void *end);
} side;

static ls_tls_config *ls_client_cfg, *ls_server_cfg;
static SSL_CTX *ossl_client_ctx, *ossl_server_ctx;

/* A saved libsock session: the blob ls_tls_session_get() gives. */
typedef struct ls_session {
	size_t len;
	unsigned char blob[LS_TLS_SESSION_MAX];
} ls_session;

static void *ls_new_end(int fd, int server, void *session)
{
	ls_session *ss = session;
	ls_socket s;
	ls_tls *t;

	if (ls_socket_adopt(&s, fd) != 0 ||
	    ls_tls_wrap(&t, server ? ls_server_cfg : ls_client_cfg, s, server ? NULL : "localhost",
	                LS_TLS_OWN_SOCKET) != 0)
		die("ls_tls_wrap");
	if (ss != NULL && ls_tls_session_set(t, ss->blob, ss->len) != 0)
		die("ls_tls_session_set: %s", ls_tls_error_detail(t));
	if (ls_tls_handshake(t) != 0) {
		ls_tls_close(t);
		return NULL;
	}
	return t;
}

static void *ls_get_session(void *end)
{
	ls_session *ss = malloc(sizeof(*ss));
	ls_pollfd p;
	int rc;

	if (ss == NULL)
		die("malloc");
	while ((rc = ls_tls_session_get(end, ss->blob, sizeof(ss->blob), &ss->len)) == LS_EAGAIN) {
		p.sock = ls_tls_socket(end);
		p.events = (short)ls_tls_want(end);
		p.revents = 0;
		ls_poll(&p, 1, 1000);
	}
	if (rc != 0)
		die("ls_tls_session_get: %s", ls_tls_error_detail(end));
	return ss;
}

static int ls_reused(void *end)
{
	return ls_tls_session_reused(end);
}

static int64_t ls_send_(void *end, const void *buf, size_t len)
{
	size_t sent = 0;
	int rc = ls_tls_sendall(end, buf, len, 0, &sent);

	return rc < 0 ? rc : (int64_t)sent;
}

static int64_t ls_recv_(void *end, void *buf, size_t len)
{
	return ls_tls_recv(end, buf, len, 0);
}

static void ls_shutdown_(void *end)
{
	ls_tls_shutdown(end);
}

static void ls_close_(void *end)
{
	ls_tls_close(end);
}

static void *ossl_new_end(int fd, int server, void *session)
{
	SSL *ssl = SSL_new(server ? ossl_server_ctx : ossl_client_ctx);

	SSL_SESSION *copy = session != NULL ? SSL_SESSION_dup(session) : NULL;

	SSL_set_fd(ssl, fd);
	/*
	 * A copy each time: SSL_free() of a connection that was not shut down
	 * marks the session it used not resumable (ossl_close sends no
	 * close_notify, as ls_close_ does not).
	 */
	if (session != NULL && !SSL_set_session(ssl, copy))
		die("SSL_set_session");
	SSL_SESSION_free(copy);
	if (!server)
		SSL_set1_host(ssl, "localhost"), SSL_set_tlsext_host_name(ssl, "localhost");
	if ((server ? SSL_accept(ssl) : SSL_connect(ssl)) != 1) {
		SSL_free(ssl);
		close(fd);
		return NULL;
	}
	return ssl;
}

/*
 * The session once its TLS 1.3 ticket came: peek without blocking (the fd
 * non-blocking for the while) so OpenSSL reads the ticket, as
 * ls_tls_session_get does.
 */
static void *ossl_get_session(void *end)
{
	int fd = SSL_get_fd(end), fl = fcntl(fd, F_GETFL);
	struct pollfd p = {.fd = fd, .events = POLLIN};
	SSL_SESSION *s;
	size_t n;
	char c;

	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	while ((s = SSL_get0_session(end)) == NULL || !SSL_SESSION_is_resumable(s)) {
		if (!SSL_peek_ex(end, &c, 1, &n) && SSL_get_error(end, 0) != SSL_ERROR_WANT_READ)
			die("openssl: no session");
		poll(&p, 1, 1000);
	}
	fcntl(fd, F_SETFL, fl);
	/* A copy, for the same reason as in ossl_new_end. */
	return SSL_SESSION_dup(s);
}

static void ossl_free_session(void *session)
{
	SSL_SESSION_free(session);
}

static int ossl_reused(void *end)
{
	return SSL_session_reused(end) == 1;
}

/* SSL_write of a whole buffer, as ls_tls_sendall does (partial writes are on in both). */
static int64_t ossl_send(void *end, const void *buf, size_t len)
{
	size_t done = 0, n;

	while (done < len) {
		if (!SSL_write_ex(end, (const char *)buf + done, len - done, &n))
			return -1;
		done += n;
	}
	return (int64_t)done;
}

static int64_t ossl_recv(void *end, void *buf, size_t len)
{
	size_t n = 0;

	return SSL_read_ex(end, buf, len, &n) ? (int64_t)n : 0;
}

static void ossl_shutdown(void *end)
{
	SSL_shutdown(end);
}

static void ossl_close(void *end)
{
	int fd = SSL_get_fd(end);

	SSL_free(end);
	close(fd);
}

static const side sides[2] = {
	{"libsock", ls_new_end, ls_get_session, free, ls_reused, ls_send_, ls_recv_, ls_shutdown_,
	 ls_close_},
	{"openssl", ossl_new_end, ossl_get_session, ossl_free_session, ossl_reused, ossl_send,
	 ossl_recv, ossl_shutdown, ossl_close},
};

static void setup(void)
{
	make_cert();
	if (ls_tls_config_new(&ls_client_cfg, LS_TLS_CLIENT) != 0 ||
	    ls_tls_config_ca_mem(ls_client_cfg, cert_pem, cert_len) != 0 ||
	    ls_tls_config_new(&ls_server_cfg, LS_TLS_SERVER) != 0 ||
	    ls_tls_config_cert_mem(ls_server_cfg, cert_pem, cert_len, key_pem, key_len) != 0)
		die("libsock configuration: %s", ls_tls_error_detail(NULL));
	ossl_client_ctx = SSL_CTX_new(TLS_client_method());
	ossl_server_ctx = SSL_CTX_new(TLS_server_method());
	{
		BIO *b = BIO_new_mem_buf(cert_pem, (int)cert_len);
		X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);
		BIO *k = BIO_new_mem_buf(key_pem, (int)key_len);
		EVP_PKEY *key = PEM_read_bio_PrivateKey(k, NULL, NULL, NULL);

		X509_STORE_add_cert(SSL_CTX_get_cert_store(ossl_client_ctx), x);
		SSL_CTX_use_certificate(ossl_server_ctx, x);
		SSL_CTX_use_PrivateKey(ossl_server_ctx, key);
		X509_free(x);
		EVP_PKEY_free(key);
		BIO_free(b);
		BIO_free(k);
	}
	SSL_CTX_set_verify(ossl_client_ctx, SSL_VERIFY_PEER, NULL);
	SSL_CTX_set_min_proto_version(ossl_client_ctx, TLS1_2_VERSION);
	SSL_CTX_set_min_proto_version(ossl_server_ctx, TLS1_2_VERSION);
	SSL_CTX_set_mode(ossl_client_ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_CTX_set_mode(ossl_server_ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
}

/* --- Measures ---------------------------------------------------------------- */

typedef struct job {
	const side *sd;
	int lfd;
	int count;       /* connections to serve */
	size_t bytes;    /* bulk: bytes received */
} job;

/* The server thread: accept, handshake, receive until the end, close; count times. */
static void *server_main(void *arg)
{
	static _Thread_local char buf[CHUNK];
	job *j = arg;
	void *end;
	int64_t n;
	int i;

	for (i = 0; i < j->count; i++) {
		end = j->sd->new_end(accept_from(j->lfd), 1, NULL);
		if (end == NULL)
			continue;
		while ((n = j->sd->recv(end, buf, sizeof(buf))) > 0)
			j->bytes += (size_t)n;
		j->sd->close(end);
	}
	return NULL;
}

static void start_server(job *j, pthread_t *th, const side *sd, int count, uint16_t *port)
{
	memset(j, 0, sizeof(*j));
	j->sd = sd;
	j->count = count;
	j->lfd = listener(port);
	if (pthread_create(th, NULL, server_main, j) != 0)
		die("pthread_create");
}

static void stop_server(job *j, pthread_t th)
{
	pthread_join(th, NULL);
	close(j->lfd);
}

/* MiB/s of one bulk transfer on side sd. */
static double bulk(const side *sd)
{
	static char buf[CHUNK];
	size_t sent = 0;
	pthread_t th;
	uint16_t port;
	double t0, t1;
	void *end;
	job j;

	memset(buf, 'x', sizeof(buf));
	start_server(&j, &th, sd, 1, &port);
	end = sd->new_end(connect_to(port), 0, NULL);
	if (end == NULL)
		die("%s: client handshake", sd->name);
	t0 = now_s();
	while (sent < cfg.bulk_bytes)
		if (sd->send(end, buf, sizeof(buf)) != (int64_t)sizeof(buf))
			die("%s: send", sd->name);
		else
			sent += sizeof(buf);
	/*
	 * close_notify, then wait for the server to have read everything
	 * before closing: closing with the server's session tickets unread
	 * would reset the connection and lose data still in flight.
	 */
	sd->shutdown(end);
	stop_server(&j, th);
	t1 = now_s();
	sd->close(end);
	if (j.bytes != cfg.bulk_bytes)
		die("%s: the server got %zu bytes of %zu", sd->name, j.bytes, cfg.bulk_bytes);
	return (double)sent / (1024.0 * 1024.0) / (t1 - t0);
}

/* Full handshakes per second on side sd. */
static double handshakes(const side *sd)
{
	pthread_t th;
	uint16_t port;
	double t0, t1;
	void *end;
	job j;
	int i;

	start_server(&j, &th, sd, cfg.handshakes, &port);
	t0 = now_s();
	for (i = 0; i < cfg.handshakes; i++) {
		end = sd->new_end(connect_to(port), 0, NULL);
		if (end == NULL)
			die("%s: handshake %d", sd->name, i);
		sd->close(end);
	}
	stop_server(&j, th);
	t1 = now_s();
	return cfg.handshakes / (t1 - t0);
}

/* Resumed handshakes per second on side sd: a first connection saves the session. */
static double resumed(const side *sd)
{
	void *end, *session;
	pthread_t th;
	uint16_t port;
	double t0, t1;
	job j;
	int i;

	start_server(&j, &th, sd, cfg.handshakes + 1, &port);
	end = sd->new_end(connect_to(port), 0, NULL);
	if (end == NULL)
		die("%s: first handshake", sd->name);
	session = sd->get_session(end);
	sd->close(end);
	t0 = now_s();
	for (i = 0; i < cfg.handshakes; i++) {
		end = sd->new_end(connect_to(port), 0, session);
		if (end == NULL || !sd->reused(end))
			die("%s: resumed handshake %d (%s)", sd->name, i,
			    end != NULL ? "not resumed" : "failed");
		sd->close(end);
	}
	stop_server(&j, th);
	t1 = now_s();
	sd->free_session(session);
	return cfg.handshakes / (t1 - t0);
}

/* --side: one side alone, for profiling it (strace -c, callgrind). */
static void measure_one_side(const char *name, double (*fn)(const side *))
{
	const side *sd = strcmp(cfg.side, "libsock") == 0 ? &sides[0] : &sides[1];
	double v[MAX_ROUNDS];
	int r;

	for (r = 0; r < cfg.rounds; r++)
		v[r] = fn(sd);
	printf("%s %s=%.1f\n", name, sd->name, median(v, cfg.rounds));
	fflush(stdout);
}

static void measure(const char *name, double (*fn)(const side *))
{
	double lv[MAX_ROUNDS], ov[MAX_ROUNDS], ratio[MAX_ROUNDS];
	int r;

	if (cfg.only != NULL && strcmp(cfg.only, name) != 0)
		return;
	if (cfg.side != NULL) {
		measure_one_side(name, fn);
		return;
	}
	for (r = 0; r < cfg.rounds; r++) {
		if (r % 2 == 0) {
			lv[r] = fn(&sides[0]);
			ov[r] = fn(&sides[1]);
		} else {
			ov[r] = fn(&sides[1]);
			lv[r] = fn(&sides[0]);
		}
		ratio[r] = lv[r] / ov[r];
		if (cfg.verbose)
			fprintf(stderr, "# %s round %d: libsock=%.1f openssl=%.1f ratio=%.3f\n", name, r,
			        lv[r], ov[r], ratio[r]);
	}
	printf("%s libsock=%.1f openssl=%.1f ratio=%.3f\n", name, median(lv, cfg.rounds),
	       median(ov, cfg.rounds), median(ratio, cfg.rounds));
	fflush(stdout);
}

int main(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--quick") == 0) {
			cfg.rounds = 3;
			cfg.bulk_bytes = (size_t)64 << 20;
			cfg.handshakes = 30;
		} else if (strcmp(argv[i], "--verbose") == 0) {
			cfg.verbose = 1;
		} else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc) {
			cfg.rounds = atoi(argv[++i]);
			if (cfg.rounds < 1 || cfg.rounds > MAX_ROUNDS)
				die("--rounds: 1..%d", MAX_ROUNDS);
		} else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
			cfg.only = argv[++i];
		} else if (strcmp(argv[i], "--side") == 0 && i + 1 < argc) {
			cfg.side = argv[++i];
			if (strcmp(cfg.side, "libsock") != 0 && strcmp(cfg.side, "openssl") != 0)
				die("--side: libsock or openssl");
		} else {
			fprintf(stderr, "usage: %s [--quick] [--verbose] [--rounds N] [--only MEASURE]"
			                " [--side libsock|openssl]\n", argv[0]);
			return 2;
		}
	}
	if (strcmp(ls_tls_backend(), "openssl") != 0)
		die("libsock was built without the OpenSSL backend");
	/* OpenSSL writes to its fd with write(): a reset peer must not kill the run. */
	signal(SIGPIPE, SIG_IGN);
	setup();
	printf("# TLS 1.3, default cipher; %d rounds, bulk %zu MiB, %d handshakes a round\n",
	       cfg.rounds, cfg.bulk_bytes >> 20, cfg.handshakes);
	measure("tls_bulk_MiBps", bulk);
	measure("tls_handshakes_per_s", handshakes);
	measure("tls_handshakes_resumed_per_s", resumed);
	return 0;
}
