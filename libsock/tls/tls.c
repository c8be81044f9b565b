/*
 * tls.c - TLS common code: argument checks, the configuration's settings
 * and reference count, the server name, waiting against the socket's
 * timeout, sticky failures and the error detail. The backend (backend.h)
 * does the protocol one non-blocking step at a time; this file decides when
 * to wait and for how long, so every backend behaves the same.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tls/backend.h"

/* The detail of the last TLS failure on this thread without a connection. */
static _Thread_local char lsi_tls_thread_detail[LSI_TLS_DETAIL_MAX];

/* The largest certificate or key file read (a sanity bound, not a limit anyone meets). */
#define LSI_TLS_FILE_MAX (16 * 1024 * 1024)

/* Configuration use states (ls_tls_config.used). */
#define LSI_CFG_OPEN 0
#define LSI_CFG_FREEZING 1
#define LSI_CFG_FROZEN 2

const char *ls_tls_backend(void)
{
	return lsi_tlsb_name();
}

/*
 * Nonzero in a build without TLS: every call then reports LS_ENOTSUP first,
 * before looking at its arguments, so callers can probe with anything.
 */
static int lsi_tls_absent(void)
{
	return lsi_tlsb_name()[0] == '\0';
}
#define LSI_TLS_NEED()                                          \
	do {                                                    \
		if (lsi_tls_absent())                           \
			return lsi_tls_fail(NULL, LS_ENOTSUP, 0, \
			                    "libsock was built without TLS"); \
	} while (0)

int lsi_tls_fail(ls_tls *t, int code, int native, const char *fmt, ...)
{
	char *dst = t != NULL ? t->detail : lsi_tls_thread_detail;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(dst, LSI_TLS_DETAIL_MAX, fmt, ap);
	va_end(ap);
	lsi_set_native_error(native);
	return code;
}

const char *ls_tls_error_detail(const ls_tls *t)
{
	return t != NULL ? t->detail : lsi_tls_thread_detail;
}

/* --- Configuration ------------------------------------------------------- */

int ls_tls_config_new(ls_tls_config **out, int mode)
{
	ls_tls_config *c;
	int rc;

	LSI_TLS_NEED();

	if (out == NULL)
		return lsi_fail(LS_EINVAL);
	*out = NULL;
	if (mode != LS_TLS_CLIENT && mode != LS_TLS_SERVER)
		return lsi_fail(LS_EINVAL);
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return lsi_fail(LS_ENOMEM);
	atomic_init(&c->refs, 1);
	atomic_init(&c->used, LSI_CFG_OPEN);
	c->mode = mode;
	c->min_version = LS_TLS_V1_2;
	c->verify_chain = 1;
	c->verify_name = mode == LS_TLS_CLIENT;
	rc = lsi_tlsb_config_new(c);
	if (rc != 0) {
		lsi_tlsb_config_free(c);
		free(c);
		return rc;
	}
	*out = c;
	return 0;
}

int ls_tls_config_hold(ls_tls_config *cfg)
{
	LSI_TLS_NEED();
	if (cfg == NULL)
		return lsi_fail(LS_EINVAL);
	atomic_fetch_add(&cfg->refs, 1);
	return 0;
}

void ls_tls_config_free(ls_tls_config *cfg)
{
	if (cfg == NULL || atomic_fetch_sub(&cfg->refs, 1) != 1)
		return;
	lsi_tlsb_config_free(cfg);
	free(cfg->alpn);
	free(cfg);
}

/* A setting may change only before the first connection used the configuration. */
static int lsi_cfg_writable(const ls_tls_config *cfg)
{
	LSI_TLS_NEED();
	if (cfg == NULL)
		return lsi_fail(LS_EINVAL);
	if (atomic_load(&cfg->used) != LSI_CFG_OPEN)
		return lsi_tls_fail(NULL, LS_EREADONLY, 0,
		                    "the configuration is in use by a connection and read-only");
	return 0;
}

/* Read a whole file into memory (a certificate, key or PKCS#12 bundle). */
static int lsi_tls_read_file(const char *path, unsigned char **data, size_t *len)
{
	unsigned char *buf = NULL, *grown;
	size_t cap = 0, n = 0, got;
	int rc = 0;
	FILE *f;

	if (path == NULL)
		return lsi_fail(LS_EINVAL);
	f = fopen(path, "rb");
	if (f == NULL)
		return lsi_tls_fail(NULL, LS_ENOENT, 0, "cannot open %s", path);
	do {
		if (n == cap) {
			cap = cap != 0 ? cap * 2 : 4096;
			grown = cap <= LSI_TLS_FILE_MAX ? realloc(buf, cap) : NULL;
			if (grown == NULL) {
				rc = lsi_tls_fail(NULL, LS_ENOMEM, 0, "cannot read %s into memory", path);
				break;
			}
			buf = grown;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got > 0);
	fclose(f);
	if (rc != 0) {
		free(buf);
		return rc;
	}
	*data = buf;
	*len = n;
	return 0;
}

int ls_tls_config_ca_mem(ls_tls_config *cfg, const void *pem, size_t len)
{
	int rc = lsi_cfg_writable(cfg);

	if (rc == 0 && (pem == NULL || len == 0))
		rc = lsi_fail(LS_EINVAL);
	if (rc == 0)
		rc = lsi_tlsb_config_ca(cfg, pem, len);
	if (rc == 0)
		cfg->has_ca = 1;
	return rc;
}

int ls_tls_config_ca_file(ls_tls_config *cfg, const char *path)
{
	unsigned char *data;
	size_t len;
	int rc = lsi_cfg_writable(cfg);

	if (rc == 0)
		rc = lsi_tls_read_file(path, &data, &len);
	if (rc != 0)
		return rc;
	rc = ls_tls_config_ca_mem(cfg, data, len);
	free(data);
	return rc;
}

int ls_tls_config_cert_mem(ls_tls_config *cfg, const void *chain, size_t chain_len,
                           const void *key, size_t key_len)
{
	int rc = lsi_cfg_writable(cfg);

	if (rc == 0 && (chain == NULL || chain_len == 0 || key == NULL || key_len == 0))
		rc = lsi_fail(LS_EINVAL);
	if (rc == 0)
		rc = lsi_tlsb_config_cert(cfg, chain, chain_len, key, key_len);
	if (rc == 0)
		cfg->has_cert = 1;
	return rc;
}

int ls_tls_config_cert_file(ls_tls_config *cfg, const char *chain_path, const char *key_path)
{
	unsigned char *chain = NULL, *key = NULL;
	size_t chain_len = 0, key_len = 0;
	int rc = lsi_cfg_writable(cfg);

	if (rc == 0)
		rc = lsi_tls_read_file(chain_path, &chain, &chain_len);
	if (rc == 0)
		rc = lsi_tls_read_file(key_path, &key, &key_len);
	if (rc == 0)
		rc = ls_tls_config_cert_mem(cfg, chain, chain_len, key, key_len);
	free(chain);
	free(key);
	return rc;
}

int ls_tls_config_pkcs12_mem(ls_tls_config *cfg, const void *data, size_t len,
                             const char *password)
{
	int rc = lsi_cfg_writable(cfg);

	if (rc == 0 && (data == NULL || len == 0))
		rc = lsi_fail(LS_EINVAL);
	if (rc == 0)
		rc = lsi_tlsb_config_pkcs12(cfg, data, len, password);
	if (rc == 0)
		cfg->has_cert = 1;
	return rc;
}

int ls_tls_config_pkcs12_file(ls_tls_config *cfg, const char *path, const char *password)
{
	unsigned char *data;
	size_t len;
	int rc = lsi_cfg_writable(cfg);

	if (rc == 0)
		rc = lsi_tls_read_file(path, &data, &len);
	if (rc != 0)
		return rc;
	rc = ls_tls_config_pkcs12_mem(cfg, data, len, password);
	free(data);
	return rc;
}

static int lsi_tls_version_ok(int v)
{
	return v == 0 || (v >= LS_TLS_V1_0 && v <= LS_TLS_V1_3);
}

int ls_tls_config_versions(ls_tls_config *cfg, int min_version, int max_version)
{
	int rc = lsi_cfg_writable(cfg);

	if (rc != 0)
		return rc;
	if (!lsi_tls_version_ok(min_version) || !lsi_tls_version_ok(max_version))
		return lsi_fail(LS_EINVAL);
	if (min_version == 0)
		min_version = LS_TLS_V1_2;
	if (max_version != 0 && max_version < min_version)
		return lsi_fail(LS_EINVAL);
	cfg->min_version = min_version;
	cfg->max_version = max_version;
	return 0;
}

/* Encode the ALPN names in wire format (a length byte before each). */
static int lsi_alpn_encode(const char *const *protocols, size_t count, unsigned char **out,
                           size_t *out_len)
{
	size_t i, n, total = 0;
	unsigned char *wire;

	for (i = 0; i < count; i++) {
		n = protocols[i] != NULL ? strlen(protocols[i]) : 0;
		if (n == 0 || n > LS_TLS_ALPN_NAME_MAX)
			return lsi_fail(LS_EINVAL);
		total += n + 1;
	}
	wire = malloc(total);
	if (wire == NULL)
		return lsi_fail(LS_ENOMEM);
	for (i = 0, total = 0; i < count; i++) {
		n = strlen(protocols[i]);
		wire[total] = (unsigned char)n;
		memcpy(wire + total + 1, protocols[i], n);
		total += n + 1;
	}
	*out = wire;
	*out_len = total;
	return 0;
}

int ls_tls_config_alpn(ls_tls_config *cfg, const char *const *protocols, size_t count)
{
	unsigned char *wire = NULL;
	size_t len = 0;
	int rc = lsi_cfg_writable(cfg);

	if (rc != 0)
		return rc;
	if (count > LS_TLS_ALPN_MAX || (protocols == NULL && count > 0))
		return lsi_fail(LS_EINVAL);
	if (count > 0 && (rc = lsi_alpn_encode(protocols, count, &wire, &len)) != 0)
		return rc;
	free(cfg->alpn);
	cfg->alpn = wire;
	cfg->alpn_len = len;
	return 0;
}

int ls_tls_config_insecure_no_verify_chain(ls_tls_config *cfg)
{
	int rc = lsi_cfg_writable(cfg);

	if (rc == 0)
		cfg->verify_chain = 0;
	return rc;
}

int ls_tls_config_insecure_no_verify_name(ls_tls_config *cfg)
{
	int rc = lsi_cfg_writable(cfg);

	if (rc == 0 && cfg->mode != LS_TLS_CLIENT)
		rc = lsi_fail(LS_EINVAL);
	if (rc == 0)
		cfg->verify_name = 0;
	return rc;
}

int ls_tls_config_client_auth(ls_tls_config *cfg, int mode)
{
	int rc = lsi_cfg_writable(cfg);

	if (rc != 0)
		return rc;
	if (cfg->mode != LS_TLS_SERVER || mode < LS_TLS_CLIENT_AUTH_NONE ||
	    mode > LS_TLS_CLIENT_AUTH_REQUIRED)
		return lsi_fail(LS_EINVAL);
	cfg->client_auth = mode;
	return 0;
}

/*
 * The first connection freezes the configuration: the backend applies the
 * settings once. Racing first wraps wait for the one that freezes; a failed
 * freeze leaves the configuration open so the caller can fix it.
 */
static int lsi_cfg_use(ls_tls_config *cfg)
{
	int expect = LSI_CFG_OPEN;
	int rc;

	if (atomic_compare_exchange_strong(&cfg->used, &expect, LSI_CFG_FREEZING)) {
		rc = lsi_tlsb_config_freeze(cfg);
		atomic_store(&cfg->used, rc == 0 ? LSI_CFG_FROZEN : LSI_CFG_OPEN);
		return rc;
	}
	while (atomic_load(&cfg->used) == LSI_CFG_FREEZING)
		;
	return atomic_load(&cfg->used) == LSI_CFG_FROZEN ? 0 : lsi_cfg_use(cfg);
}

/* --- Connections --------------------------------------------------------- */

/*
 * Whether a server name is an IP address (brackets allowed); if so, ip
 * gets it in canonical text without any scope, as certificates hold none.
 */
static int lsi_tls_is_ip(const char *name, size_t n, char *ip, size_t size)
{
	ls_addr a;
	char *pct;

	if (n > 2 && name[0] == '[' && name[n - 1] == ']') {
		name++;
		n -= 2;
	}
	if (n >= size)
		return 0;
	memcpy(ip, name, n);
	ip[n] = '\0';
	if (ls_addr_parse_ip(&a, ip, LS_AF_UNSPEC) != 0 || ls_addr_format_ip(&a, ip, size) != 0)
		return 0;
	if ((pct = strchr(ip, '%')) != NULL)
		*pct = '\0';
	return 1;
}

/* Keep the server name a client checks: an address canonical, a DNS name as given. */
static int lsi_tls_set_name(ls_tls *t, const char *name)
{
	char ip[LS_ADDRSTRLEN];
	size_t n = strlen(name);

	if (n == 0 || n > 255)
		return lsi_fail(LS_EINVAL);
	t->name_is_ip = lsi_tls_is_ip(name, n, ip, sizeof(ip));
	if (t->name_is_ip) {
		name = ip;
		n = strlen(ip);
	}
	t->server_name = malloc(n + 1);
	if (t->server_name == NULL)
		return lsi_fail(LS_ENOMEM);
	memcpy(t->server_name, name, n + 1);
	return 0;
}

/* Check wrap's arguments against the configuration and the socket. */
static int lsi_tls_wrap_check(ls_tls_config *cfg, ls_socket s, const char *server_name,
                              int flags)
{
	int type = 0, rc;

	if (cfg == NULL || (flags & ~LS_TLS_OWN_SOCKET))
		return lsi_fail(LS_EINVAL);
	if (cfg->mode == LS_TLS_SERVER && (server_name != NULL || !cfg->has_cert))
		return lsi_tls_fail(NULL, LS_EINVAL, 0, server_name != NULL
		                    ? "a server takes no server name"
		                    : "a server needs a certificate and key");
	if (cfg->mode == LS_TLS_CLIENT && server_name == NULL && cfg->verify_name)
		return lsi_tls_fail(NULL, LS_EINVAL, 0,
		                    "a client needs the server's name to verify it");
	rc = ls_socket_info(s, NULL, &type, NULL);
	if (rc == 0 && type != LS_SOCK_STREAM)
		rc = lsi_fail(LS_EPROTOTYPE);
	return rc;
}

static void lsi_tls_free(ls_tls *t)
{
	lsi_tlsb_conn_free(t);
	ls_tls_config_free(t->cfg);
	free(t->server_name);
	free(t);
}

int ls_tls_wrap(ls_tls **out, ls_tls_config *cfg, ls_socket s, const char *server_name,
                int flags)
{
	ls_tls *t;
	int rc;

	LSI_TLS_NEED();
	if (out == NULL)
		return lsi_fail(LS_EINVAL);
	*out = NULL;
	rc = lsi_tls_wrap_check(cfg, s, server_name, flags);
	if (rc == 0)
		rc = lsi_cfg_use(cfg);
	if (rc != 0)
		return rc;
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return lsi_fail(LS_ENOMEM);
	ls_tls_config_hold(cfg);
	t->cfg = cfg;
	t->sock = s;
	t->flags = flags;
	rc = server_name != NULL ? lsi_tls_set_name(t, server_name) : 0;
	if (rc == 0)
		rc = lsi_tlsb_conn_new(t);
	if (rc != 0) {
		lsi_tls_free(t);
		return rc;
	}
	*out = t;
	return 0;
}

/*
 * The flags of one OS attempt. A call that may block for ever (a blocking
 * socket, no LS_MSG_DONTWAIT) lets the OS call itself wait: an attempt
 * that would block, then ls_poll(), then the attempt again, would cost
 * three system calls for each flight of a handshake where one does. Every
 * other call tries without waiting and leaves the wait, against the call's
 * one deadline, to lsi_tls_wait().
 */
static int lsi_tls_io_flags(const ls_tls *t)
{
	return t->io_block ? 0 : LS_MSG_DONTWAIT;
}

/*
 * The result of one attempt for the backend. A signal on an interruptible
 * socket ends the public call with LS_EINTR but must not fail the TLS
 * state: the backend sees a would-block (and retries later) while
 * lsi_tls_drive() reports the signal.
 */
static int64_t lsi_tls_io_done(ls_tls *t, int64_t n, int want)
{
	if (n == LS_EAGAIN || n == LS_EINTR) {
		t->want = want;
		if (n == LS_EINTR)
			t->io_err = LS_EINTR;
		return LS_EAGAIN;
	}
	if (n < 0)
		t->io_err = (int)n;
	return n;
}

int64_t lsi_tls_io_send(ls_tls *t, const void *buf, size_t len)
{
	return lsi_tls_io_done(t, ls_send(t->sock, buf, len, lsi_tls_io_flags(t)), LS_POLLOUT);
}

int64_t lsi_tls_io_recv(ls_tls *t, void *buf, size_t len)
{
	int64_t n = ls_recv(t->sock, buf, len, lsi_tls_io_flags(t));

	if (n == 0 && len > 0)
		t->io_eof = 1;
	return lsi_tls_io_done(t, n, LS_POLLIN);
}

/* One public call's waiting rule: its deadline, or never to wait. */
typedef struct lsi_tls_call {
	int64_t deadline;
	int nowait;
	int block; /* no deadline and no LS_MSG_DONTWAIT: the OS calls may wait */
} lsi_tls_call;

static int lsi_tls_call_begin(const ls_tls *t, int flags, lsi_tls_call *call)
{
	int64_t timeout;
	int rc;

	if (flags & ~LS_MSG_DONTWAIT)
		return lsi_fail(LS_EINVAL);
	rc = ls_get_timeout(t->sock, &timeout);
	if (rc != 0)
		return rc;
	call->nowait = timeout == LS_TIMEOUT_NONBLOCK || (flags & LS_MSG_DONTWAIT);
	call->block = timeout == LS_TIMEOUT_BLOCK && !(flags & LS_MSG_DONTWAIT);
	call->deadline = lsi_deadline(timeout);
	return 0;
}

/* Wait for what the backend wants, within the call's deadline. */
static int lsi_tls_wait(const ls_tls *t, const lsi_tls_call *call)
{
	ls_pollfd p;
	int64_t left;
	int rc;

	if (call->nowait)
		return LS_EAGAIN;
	left = lsi_remaining(call->deadline);
	if (left == 0)
		return lsi_tls_fail((ls_tls *)t, LS_ETIMEDOUT, 0, "timed out waiting for the peer");
	p.sock = t->sock;
	p.events = (short)(t->want != 0 ? t->want : LS_POLLIN);
	p.revents = 0;
	rc = ls_poll(&p, 1, left);
	return rc < 0 ? rc : 0;
}

/*
 * An error that leaves the connection unusable is kept: every later call
 * reports it. Would-block, timeouts and signals only interrupt a call.
 */
static int64_t lsi_tls_settle(ls_tls *t, int64_t rc)
{
	if (rc < 0 && rc != LS_EAGAIN && rc != LS_ETIMEDOUT && rc != LS_EINTR) {
		t->state = LSI_TLS_FAILED;
		t->error = (int)rc;
		if (t->detail[0] == '\0')
			snprintf(t->detail, sizeof(t->detail), "%s", ls_strerror((int)rc));
	}
	return rc;
}

/* One backend step of the current operation. */
typedef struct lsi_tls_op {
	int kind; /* LSI_OP_* below */
	const void *out;
	void *in;
	size_t len;
} lsi_tls_op;

enum { LSI_OP_HANDSHAKE, LSI_OP_SEND, LSI_OP_RECV, LSI_OP_SHUTDOWN };

static int64_t lsi_tls_step(ls_tls *t, const lsi_tls_op *op)
{
	switch (op->kind) {
	case LSI_OP_HANDSHAKE:
		return lsi_tlsb_handshake(t);
	case LSI_OP_SEND:
		return lsi_tlsb_send(t, op->out, op->len);
	case LSI_OP_RECV:
		return lsi_tlsb_recv(t, op->in, op->len);
	default:
		return lsi_tlsb_shutdown(t);
	}
}

/* Step, wait, step again, until the step is not a would-block. */
static int64_t lsi_tls_drive(ls_tls *t, const lsi_tls_op *op, const lsi_tls_call *call)
{
	int64_t rc;

	t->detail[0] = '\0';
	t->io_block = call->block;
	for (;;) {
		t->want = 0;
		t->io_err = 0;
		rc = lsi_tls_step(t, op);
		if (rc != LS_EAGAIN)
			return lsi_tls_settle(t, rc);
		if (t->io_err == LS_EINTR)
			return LS_EINTR;
		rc = lsi_tls_wait(t, call);
		if (rc != 0)
			return rc;
	}
}

/* Finish the handshake first if needed; report a sticky failure. */
static int lsi_tls_ready(ls_tls *t, const lsi_tls_call *call)
{
	lsi_tls_op op = {.kind = LSI_OP_HANDSHAKE};
	int64_t rc;

	if (t->state == LSI_TLS_FAILED)
		return t->error;
	if (t->state == LSI_TLS_READY)
		return 0;
	rc = lsi_tls_drive(t, &op, call);
	if (rc == 0)
		t->state = LSI_TLS_READY;
	return (int)rc;
}

int ls_tls_handshake(ls_tls *t)
{
	lsi_tls_call call;
	int rc;

	LSI_TLS_NEED();

	if (t == NULL)
		return lsi_fail(LS_EINVAL);
	rc = lsi_tls_call_begin(t, 0, &call);
	return rc != 0 ? rc : lsi_tls_ready(t, &call);
}

/* One send or receive: checks, the handshake if still due, then the data. */
static int64_t lsi_tls_io(ls_tls *t, lsi_tls_op *op, const void *buf, int flags)
{
	lsi_tls_call call;
	int rc;

	if (t == NULL || (buf == NULL && op->len > 0))
		return lsi_fail(LS_EINVAL);
	rc = lsi_tls_call_begin(t, flags, &call);
	if (rc == 0)
		rc = lsi_tls_ready(t, &call);
	if (rc != 0 || op->len == 0)
		return rc;
	return lsi_tls_drive(t, op, &call);
}

int64_t ls_tls_send(ls_tls *t, const void *buf, size_t len, int flags)
{
	lsi_tls_op op = {.kind = LSI_OP_SEND, .out = buf, .len = len};

	LSI_TLS_NEED();

	return lsi_tls_io(t, &op, buf, flags);
}

int64_t ls_tls_recv(ls_tls *t, void *buf, size_t len, int flags)
{
	lsi_tls_op op = {.kind = LSI_OP_RECV, .in = buf, .len = len};

	LSI_TLS_NEED();

	return lsi_tls_io(t, &op, buf, flags);
}

int ls_tls_sendall(ls_tls *t, const void *buf, size_t len, int flags, size_t *sent)
{
	lsi_tls_op op = {.kind = LSI_OP_SEND};
	lsi_tls_call call;
	size_t done = 0;
	int64_t rc;

	LSI_TLS_NEED();

	if (sent != NULL)
		*sent = 0;
	if (t == NULL || (buf == NULL && len > 0))
		return lsi_fail(LS_EINVAL);
	rc = lsi_tls_call_begin(t, flags, &call);
	if (rc == 0)
		rc = lsi_tls_ready(t, &call);
	while (rc >= 0 && done < len) {
		op.out = (const char *)buf + done;
		op.len = len - done;
		rc = lsi_tls_drive(t, &op, &call);
		if (rc > 0)
			done += (size_t)rc;
	}
	if (sent != NULL)
		*sent = done;
	return rc < 0 ? (int)rc : 0;
}

size_t ls_tls_pending(const ls_tls *t)
{
	return t != NULL && t->state == LSI_TLS_READY ? lsi_tlsb_pending(t) : 0;
}

int ls_tls_shutdown(ls_tls *t)
{
	lsi_tls_op op = {.kind = LSI_OP_SHUTDOWN};
	lsi_tls_call call;
	int rc;

	LSI_TLS_NEED();

	if (t == NULL)
		return lsi_fail(LS_EINVAL);
	if (t->state == LSI_TLS_FAILED)
		return t->error;
	if (t->state != LSI_TLS_READY)
		return lsi_fail(LS_ENOTCONN);
	if (t->shut_sent)
		return 0;
	rc = lsi_tls_call_begin(t, 0, &call);
	if (rc == 0)
		rc = (int)lsi_tls_drive(t, &op, &call);
	if (rc == 0)
		t->shut_sent = 1;
	return rc;
}

int ls_tls_close(ls_tls *t)
{
	ls_socket s;
	int own;

	if (t == NULL)
		return 0;
	s = t->sock;
	own = (t->flags & LS_TLS_OWN_SOCKET) != 0;
	lsi_tls_free(t);
	return own ? ls_close(s) : 0;
}

int ls_tls_want(const ls_tls *t)
{
	return t != NULL ? t->want : 0;
}

ls_socket ls_tls_socket(const ls_tls *t)
{
	return t != NULL ? t->sock : LS_INVALID_SOCKET;
}

/* --- After the handshake ---------------------------------------------- */

static int lsi_tls_done(const ls_tls *t)
{
	return t != NULL && t->state == LSI_TLS_READY;
}

int ls_tls_version(const ls_tls *t)
{
	return lsi_tls_done(t) ? lsi_tlsb_version(t) : 0;
}

const char *ls_tls_cipher(const ls_tls *t)
{
	return lsi_tls_done(t) ? lsi_tlsb_cipher(t) : "";
}

const char *ls_tls_alpn(const ls_tls *t)
{
	return lsi_tls_done(t) ? t->alpn : "";
}

int ls_tls_peer_verified(const ls_tls *t)
{
	return lsi_tls_done(t) ? lsi_tlsb_peer_verified(t) : 0;
}

int ls_tls_peer_cert(const ls_tls *t, void *buf, size_t size, size_t *len)
{
	LSI_TLS_NEED();
	if (t == NULL || len == NULL || (buf == NULL && size > 0))
		return lsi_fail(LS_EINVAL);
	*len = 0;
	if (!lsi_tls_done(t))
		return lsi_fail(LS_ENOTCONN);
	return lsi_tlsb_peer_cert(t, buf, size, len);
}

/* --- Sessions ------------------------------------------------------------ */

/* A session call's common checks: a client connection in the right state. */
static int lsi_tls_session_check(const ls_tls *t, int want_state)
{
	if (t == NULL || t->cfg->mode != LS_TLS_CLIENT)
		return lsi_fail(LS_EINVAL);
	if (t->state == LSI_TLS_FAILED)
		return t->error;
	if (t->state != want_state)
		return want_state == LSI_TLS_READY
		               ? lsi_fail(LS_ENOTCONN)
		               : lsi_tls_fail((ls_tls *)t, LS_EINVAL, 0,
		                              "a session is offered before the handshake");
	return 0;
}

int ls_tls_session_get(ls_tls *t, void *buf, size_t size, size_t *len)
{
	int rc;

	LSI_TLS_NEED();
	if (len == NULL || (buf == NULL && size > 0))
		return lsi_fail(LS_EINVAL);
	*len = 0;
	rc = lsi_tls_session_check(t, LSI_TLS_READY);
	if (rc != 0)
		return rc;
	/* A TLS 1.3 ticket may still be in the socket: read it, never waiting. */
	t->detail[0] = '\0';
	t->io_block = 0;
	t->want = 0;
	t->io_err = 0;
	rc = lsi_tlsb_session_get(t, buf, size, len);
	if (rc == LS_EAGAIN && t->io_err == LS_EINTR)
		return LS_EINTR;
	/* Only a failure of the connection itself (met while reading) is sticky. */
	if (rc == LS_ENOSPC || rc == LS_ENOENT || rc == LS_ENOTSUP || rc == LS_ENOMEM)
		return rc;
	return (int)lsi_tls_settle(t, rc);
}

int ls_tls_session_set(ls_tls *t, const void *buf, size_t len)
{
	int rc;

	LSI_TLS_NEED();
	if (buf == NULL || len == 0)
		return lsi_fail(LS_EINVAL);
	rc = lsi_tls_session_check(t, LSI_TLS_NEW);
	if (rc != 0)
		return rc;
	t->detail[0] = '\0';
	return lsi_tlsb_session_set(t, buf, len);
}

int ls_tls_session_reused(const ls_tls *t)
{
	return lsi_tls_done(t) ? lsi_tlsb_session_reused(t) : 0;
}

const char *ls_tls_server_name(const ls_tls *t)
{
	if (!lsi_tls_done(t) || t->cfg->mode != LS_TLS_SERVER)
		return "";
	return lsi_tlsb_server_name(t);
}
