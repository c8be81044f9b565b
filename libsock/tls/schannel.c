/*
 * schannel.c - the TLS backend on Windows' Schannel (secur32, crypt32 and
 * ncrypt; backend.h is the contract, schannel.h lists the other files):
 * configurations and connections, the token exchange, records,
 * close_notify and alerts, and what a handshake agreed on.
 *
 * A configuration is one credentials handle (made when it freezes), the CA
 * store it was given and a chain engine restricted to that store; a
 * connection is one security context and three buffers: bytes to send
 * (handshake tokens, records, alerts, close_notify), bytes received and
 * not yet decrypted, and plaintext not yet returned. Schannel never
 * touches the socket: every byte goes through lsi_tls_io_send and
 * lsi_tls_io_recv, so common code does the waiting as for OpenSSL.
 *
 * Both sides run the same loop: a client calls InitializeSecurityContext
 * and a server AcceptSecurityContext (schannel_server.c), and everything
 * else (SECBUFFER_EXTRA, SEC_E_INCOMPLETE_MESSAGE, output tokens, the
 * peer's checks, records, SEC_I_RENEGOTIATE, close_notify) is per context,
 * not per side. A server on wine gets no further than its first
 * AcceptSecurityContext: wine 8 has none (SEC_E_UNSUPPORTED_FUNCTION,
 * LS_ENOTSUP).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tls/schannel.h"

/* Room to read into when more records are needed (one record and a bit). */
#define LSI_SCH_READ (17 * 1024)

const char *lsi_tlsb_name(void)
{
	return "schannel";
}

/* --- Buffers --------------------------------------------------------------- */

static int lsi_buf_reserve(lsi_buf *b, size_t more)
{
	size_t cap = b->cap != 0 ? b->cap : 4096;
	unsigned char *p;

	if (b->len + more <= b->cap)
		return 0;
	while (cap < b->len + more)
		cap *= 2;
	p = realloc(b->p, cap);
	if (p == NULL)
		return lsi_fail(LS_ENOMEM);
	b->p = p;
	b->cap = cap;
	return 0;
}

static int lsi_buf_append(lsi_buf *b, const void *data, size_t n)
{
	int rc = n > 0 ? lsi_buf_reserve(b, n) : 0;

	if (rc == 0 && n > 0) {
		memcpy(b->p + b->len, data, n);
		b->len += n;
	}
	return rc;
}

/* Keep only the last n bytes (Schannel's SECBUFFER_EXTRA: input it did not use). */
static void lsi_buf_keep_tail(lsi_buf *b, size_t n)
{
	if (n > b->len)
		n = b->len;
	memmove(b->p, b->p + b->len - n, n);
	b->len = n;
}

static void lsi_buf_free(lsi_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/* --- Errors ---------------------------------------------------------------- */

int lsi_sch_fail(ls_tls *t, int code, SECURITY_STATUS st, const char *what)
{
	char msg[160];
	DWORD n = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL,
	                         (DWORD)st, 0, msg, sizeof(msg), NULL);

	while (n > 0 && (msg[n - 1] == '\r' || msg[n - 1] == '\n' || msg[n - 1] == '.'))
		n--;
	msg[n] = '\0';
	return lsi_tls_fail(t, code, (int)st, "%s: %s (0x%08lx)", what, n > 0 ? msg : "error",
	                    (unsigned long)st);
}

/*
 * A handshake status as a libsock code. With manual validation Schannel
 * checks no certificate itself, so a certificate status can only be the
 * peer's alert: on a server that is the client refusing our certificate
 * (LS_ECERT, as backend.h says); a client keeps the finer codes.
 */
static int lsi_sch_hs_code(const ls_tls *t, SECURITY_STATUS st)
{
	int server = t->cfg->mode == LS_TLS_SERVER;

	switch (st) {
	case SEC_E_UNTRUSTED_ROOT:
	case SEC_E_CERT_UNKNOWN:
		return server ? LS_ECERT : LS_ECERTUNTRUSTED;
	case SEC_E_CERT_EXPIRED:
		return server ? LS_ECERT : LS_ECERTEXPIRED;
	case SEC_E_WRONG_PRINCIPAL:
		return server ? LS_ECERT : LS_ECERTNAME;
	case SEC_E_INSUFFICIENT_MEMORY:
		return LS_ENOMEM;
	case SEC_E_UNSUPPORTED_FUNCTION:
		return LS_ENOTSUP; /* wine's AcceptSecurityContext */
	default:
		return LS_ETLS;
	}
}

/*
 * Keep a failure (code, native error and detail) to report once the alert
 * in out has gone to the peer: the sending may take more calls, and each
 * call begins with an empty detail.
 */
static int lsi_sch_keep_failure(ls_tls *t, int code)
{
	lsi_sch_conn *c = LSI_CONN(t);

	c->fail = code;
	c->fail_native = ls_native_error();
	memcpy(c->fail_detail, t->detail, sizeof(c->fail_detail));
	return 0;
}

/* The kept failure, reported. */
static int lsi_sch_refail(ls_tls *t)
{
	lsi_sch_conn *c = LSI_CONN(t);

	return lsi_tls_fail(t, c->fail, c->fail_native, "%s", c->fail_detail);
}

/* --- Configuration ------------------------------------------------------- */

int lsi_tlsb_config_new(ls_tls_config *cfg)
{
	cfg->be = calloc(1, sizeof(lsi_sch_cfg));
	return cfg->be != NULL ? 0 : lsi_fail(LS_ENOMEM);
}

void lsi_tlsb_config_free(ls_tls_config *cfg)
{
	lsi_sch_cfg *b = LSI_CFG(cfg);

	if (b == NULL)
		return;
	if (b->have_cred)
		FreeCredentialsHandle(&b->cred);
	if (b->engine != NULL)
		CertFreeCertificateChainEngine(b->engine);
	lsi_sch_own_free(b);
	if (b->ca != NULL)
		CertCloseStore(b->ca, 0);
	free(b->alpn);
	free(b);
	cfg->be = NULL;
}

WCHAR *lsi_wide(const char *s)
{
	int n = MultiByteToWideChar(CP_UTF8, 0, s != NULL ? s : "", -1, NULL, 0);
	WCHAR *w = n > 0 ? malloc((size_t)n * sizeof(WCHAR)) : NULL;

	if (w != NULL && MultiByteToWideChar(CP_UTF8, 0, s != NULL ? s : "", -1, w, n) != n) {
		free(w);
		w = NULL;
	}
	return w;
}

int lsi_sch_alpn_buffer(const unsigned char *wire, size_t len, unsigned char **out,
                        unsigned long *out_len)
{
	SEC_APPLICATION_PROTOCOLS *ap;
	size_t n = offsetof(SEC_APPLICATION_PROTOCOLS, ProtocolLists) +
	           offsetof(SEC_APPLICATION_PROTOCOL_LIST, ProtocolList) + len;

	ap = calloc(1, n);
	if (ap == NULL)
		return lsi_fail(LS_ENOMEM);
	ap->ProtocolListsSize = (unsigned long)(n - offsetof(SEC_APPLICATION_PROTOCOLS, ProtocolLists));
	ap->ProtocolLists[0].ProtoNegoExt = SecApplicationProtocolNegotiationExt_ALPN;
	ap->ProtocolLists[0].ProtocolListSize = (unsigned short)len;
	memcpy(ap->ProtocolLists[0].ProtocolList, wire, len);
	free(*out);
	*out = (unsigned char *)ap;
	*out_len = (unsigned long)n;
	return 0;
}

int lsi_tlsb_config_freeze(ls_tls_config *cfg)
{
	lsi_sch_cfg *b = LSI_CFG(cfg);
	int rc = 0;

	if (b->ca != NULL && b->engine == NULL)
		rc = lsi_sch_engine(b);
	/* A client offers its list; a server offers Schannel its choice per connection. */
	if (rc == 0 && cfg->mode == LS_TLS_CLIENT && cfg->alpn != NULL && b->alpn == NULL)
		rc = lsi_sch_alpn_buffer(cfg->alpn, cfg->alpn_len, &b->alpn, &b->alpn_len);
	if (rc == 0 && !b->have_cred)
		rc = lsi_sch_acquire(cfg);
	return rc;
}

/* --- Connections --------------------------------------------------------- */

int lsi_tlsb_conn_new(ls_tls *t)
{
	lsi_sch_conn *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return lsi_fail(LS_ENOMEM);
	t->be = c;
	SecInvalidateHandle(&c->ctx);
	if (t->cfg->mode == LS_TLS_SERVER) {
		c->req = lsi_sch_server_req(t->cfg);
		return 0;
	}
	c->req = ISC_REQ_SEQUENCE_DETECT | ISC_REQ_REPLAY_DETECT | ISC_REQ_CONFIDENTIALITY |
	         ISC_REQ_ALLOCATE_MEMORY | ISC_REQ_STREAM | ISC_REQ_MANUAL_CRED_VALIDATION |
	         ISC_REQ_USE_SUPPLIED_CREDS;
	/* An address is never sent as SNI: Schannel sends whatever name it gets. */
	if (t->server_name != NULL && !t->name_is_ip) {
		c->wname = lsi_wide(t->server_name);
		if (c->wname == NULL)
			return lsi_fail(LS_ENOMEM);
	}
	return 0;
}

void lsi_tlsb_conn_free(ls_tls *t)
{
	lsi_sch_conn *c = LSI_CONN(t);

	if (c == NULL)
		return;
	if (c->have_ctx)
		DeleteSecurityContext(&c->ctx);
	if (c->peer != NULL)
		CertFreeCertificateContext(c->peer);
	lsi_buf_free(&c->out);
	lsi_buf_free(&c->enc);
	lsi_buf_free(&c->dec);
	free(c->wname);
	free(c->alpn);
	free(c);
	t->be = NULL;
}

/* --- Socket I/O ------------------------------------------------------------ */

/* A socket error the I/O functions kept, as the result. */
static int lsi_sch_io_fail(ls_tls *t)
{
	return lsi_tls_fail(t, t->io_err, ls_native_error(), "socket error: %s",
	                    ls_strerror(t->io_err));
}

/* Send what out holds: 0 once all is out, LS_EAGAIN, or an error. */
static int lsi_sch_flush(ls_tls *t)
{
	lsi_sch_conn *c = LSI_CONN(t);
	int64_t n;

	while (c->out_off < c->out.len) {
		n = lsi_tls_io_send(t, c->out.p + c->out_off, c->out.len - c->out_off);
		if (n == LS_EAGAIN)
			return LS_EAGAIN;
		if (n < 0)
			return lsi_sch_io_fail(t);
		c->out_off += (size_t)n;
	}
	c->out.len = 0;
	c->out_off = 0;
	return 0;
}

/*
 * Read more into enc: 0 when bytes came, LS_EAGAIN, an error, or (end of
 * stream) eof_code.
 */
static int lsi_sch_fill(ls_tls *t, int eof_code)
{
	lsi_sch_conn *c = LSI_CONN(t);
	int64_t n;
	int rc = lsi_buf_reserve(&c->enc, LSI_SCH_READ);

	if (rc != 0)
		return rc;
	n = lsi_tls_io_recv(t, c->enc.p + c->enc.len, c->enc.cap - c->enc.len);
	if (n == LS_EAGAIN)
		return LS_EAGAIN;
	if (n < 0)
		return lsi_sch_io_fail(t);
	if (n == 0)
		return lsi_tls_fail(t, eof_code, 0, "the peer closed the connection without close_notify");
	c->enc.len += (size_t)n;
	return 0;
}

/*
 * Whether the bytes received start like a TLS record: a known content
 * type, major version 3, and a length a record may have. Wine's Schannel
 * answers garbage (an HTTP response, say) with SEC_E_INCOMPLETE_MESSAGE
 * and waits for the 20 KiB "record" its first bytes announce, so garbage
 * is recognised here rather than timing out.
 */
int lsi_sch_looks_tls(const lsi_buf *enc)
{
	const unsigned char *p = enc->p;

	if (enc->len >= 1 && (p[0] < 20 || p[0] > 24))
		return 0;
	if (enc->len >= 2 && p[1] != 3)
		return 0;
	return enc->len < 5 || (((size_t)p[3] << 8) | p[4]) <= 16384 + 2048;
}

int lsi_sch_need_more(ls_tls *t)
{
	if (!lsi_sch_looks_tls(&LSI_CONN(t)->enc))
		return lsi_tls_fail(t, LS_ETLS, 0, "the peer does not speak TLS (not a TLS record)");
	return lsi_sch_fill(t, t->state == LSI_TLS_READY ? LS_ETRUNCATED : LS_ETLS);
}

/* Move an output token Schannel allocated into out. */
static int lsi_sch_take_token(lsi_sch_conn *c, SecBuffer *b)
{
	int rc = 0;

	if (b->pvBuffer != NULL) {
		rc = lsi_buf_append(&c->out, b->pvBuffer, b->cbBuffer);
		FreeContextBuffer(b->pvBuffer);
		b->pvBuffer = NULL;
	}
	return rc;
}

/* --- The token exchange ------------------------------------------------------ */

/*
 * One call of this side's context function: InitializeSecurityContext on
 * a client, AcceptSecurityContext on a server. in may be NULL (no input:
 * a client's first call, or the token after a control token).
 */
static SECURITY_STATUS lsi_sch_call(ls_tls *t, SecBufferDesc *in, SecBufferDesc *out)
{
	lsi_sch_conn *c = LSI_CONN(t);
	unsigned long attrs = 0;
	SECURITY_STATUS st;

	if (t->cfg->mode == LS_TLS_SERVER)
		st = lsi_sch_accept(t, in, out);
	else
		st = InitializeSecurityContextW(&LSI_CFG(t->cfg)->cred, c->have_ctx ? &c->ctx : NULL,
		                                c->wname, c->req, 0, 0, in, 0,
		                                c->have_ctx ? NULL : &c->ctx, out, &attrs, NULL);
	/*
	 * The first call that takes makes the context (a server's may need
	 * more input first, and one that fails may still make one for its
	 * alert): it is ours once the handle is set.
	 */
	if (!c->have_ctx && SecIsValidHandle(&c->ctx))
		c->have_ctx = 1;
	return st;
}

/* A client's first call: no input, the ClientHello out (with the ALPN list if any). */
static int lsi_sch_hs_first(ls_tls *t)
{
	lsi_sch_conn *c = LSI_CONN(t);
	lsi_sch_cfg *b = LSI_CFG(t->cfg);
	SecBuffer in = {b->alpn_len, SECBUFFER_APPLICATION_PROTOCOLS, b->alpn};
	SecBuffer out = {0, SECBUFFER_TOKEN, NULL};
	SecBufferDesc ind = {SECBUFFER_VERSION, 1, &in}, outd = {SECBUFFER_VERSION, 1, &out};
	SECURITY_STATUS st = lsi_sch_call(t, b->alpn != NULL ? &ind : NULL, &outd);

	if (st != SEC_I_CONTINUE_NEEDED) {
		if (out.pvBuffer != NULL)
			FreeContextBuffer(out.pvBuffer);
		return lsi_sch_fail(t, lsi_sch_hs_code(t, st), st, "InitializeSecurityContext");
	}
	c->hs = LSI_HS_RUN;
	return lsi_sch_take_token(c, &out);
}

/* Keep the input Schannel left unused (SECBUFFER_EXTRA), drop the rest. */
static void lsi_sch_consume(lsi_sch_conn *c, const SecBuffer *extra)
{
	if (extra->BufferType == SECBUFFER_EXTRA && extra->cbBuffer > 0)
		lsi_buf_keep_tail(&c->enc, extra->cbBuffer);
	else
		c->enc.len = 0;
}

/*
 * One call with what was received (and, on a server, the ALPN protocol
 * it chose). Schannel may rewrite its input in place, so it gets a copy:
 * on SEC_E_INCOMPLETE_MESSAGE enc must stay as it was, to be completed by
 * the next read.
 */
static SECURITY_STATUS lsi_sch_next(ls_tls *t, SecBuffer *in, SecBuffer *out)
{
	lsi_sch_conn *c = LSI_CONN(t);
	SecBufferDesc ind = {SECBUFFER_VERSION, c->alpn != NULL ? 3 : 2, in};
	SecBufferDesc outd = {SECBUFFER_VERSION, 1, out};
	SECURITY_STATUS st;
	void *copy = malloc(c->enc.len != 0 ? c->enc.len : 1);

	if (copy == NULL)
		return SEC_E_INSUFFICIENT_MEMORY;
	memcpy(copy, c->enc.p, c->enc.len);
	in[0] = (SecBuffer){(unsigned long)c->enc.len, SECBUFFER_TOKEN, copy};
	in[1] = (SecBuffer){0, SECBUFFER_EMPTY, NULL};
	in[2] = (SecBuffer){c->alpn_len, SECBUFFER_APPLICATION_PROTOCOLS, c->alpn};
	*out = (SecBuffer){0, SECBUFFER_TOKEN, NULL};
	st = lsi_sch_call(t, &ind, &outd);
	free(copy);
	return st;
}

/*
 * Run a control token (SCHANNEL_SHUTDOWN, an alert) and one more call for
 * the record it makes, into out.
 */
static int lsi_sch_control(ls_tls *t, void *token, unsigned long len, const char *what)
{
	lsi_sch_conn *c = LSI_CONN(t);
	SecBuffer ctl = {len, SECBUFFER_TOKEN, token};
	SecBuffer out = {0, SECBUFFER_TOKEN, NULL};
	SecBufferDesc ctld = {SECBUFFER_VERSION, 1, &ctl}, outd = {SECBUFFER_VERSION, 1, &out};
	SECURITY_STATUS st = ApplyControlToken(&c->ctx, &ctld);

	if (FAILED(st))
		return lsi_sch_fail(t, LS_ETLS, st, what);
	st = lsi_sch_call(t, NULL, &outd);
	if (FAILED(st)) {
		if (out.pvBuffer != NULL)
			FreeContextBuffer(out.pvBuffer);
		return lsi_sch_fail(t, LS_ETLS, st, what);
	}
	return lsi_sch_take_token(c, &out);
}

/*
 * A check of the peer failed (code, the detail set): the handshake's last
 * flight is dropped and a fatal alert saying why goes out instead, before
 * the failure is reported. The alert is a courtesy: if this Schannel
 * cannot make one (wine 8 has no SCHANNEL_ALERT), the failure stands
 * without it.
 */
static int lsi_sch_reject(ls_tls *t, int code)
{
	lsi_sch_conn *c = LSI_CONN(t);
	SCHANNEL_ALERT_TOKEN a;

	lsi_sch_keep_failure(t, code);
	c->out.len = c->out_off = 0;
	a.dwTokenType = SCHANNEL_ALERT;
	a.dwAlertType = TLS1_ALERT_FATAL;
	a.dwAlertNumber = c->peer != NULL ? lsi_sch_alert_of(code) : TLS1_ALERT_HANDSHAKE_FAILURE;
	if (lsi_sch_control(t, &a, sizeof(a), "ApplyControlToken(SCHANNEL_ALERT)") != 0)
		c->out.len = 0;
	return 0;
}

/* The ALPN result into t->alpn ("" when none was agreed or the runtime has no ALPN). */
static void lsi_sch_keep_alpn(ls_tls *t)
{
	SecPkgContext_ApplicationProtocol ap;
	lsi_sch_conn *c = LSI_CONN(t);

	t->alpn[0] = '\0';
	memset(&ap, 0, sizeof(ap));
	if ((LSI_CFG(t->cfg)->alpn == NULL && c->alpn == NULL) ||
	    QueryContextAttributesW(&c->ctx, SECPKG_ATTR_APPLICATION_PROTOCOL, &ap) != SEC_E_OK)
		return;
	/* ProtocolIdSize is one byte: it always fits t->alpn. */
	if (ap.ProtoNegoStatus == SecApplicationProtocolNegotiationStatus_Success) {
		memcpy(t->alpn, ap.ProtocolId, ap.ProtocolIdSize);
		t->alpn[ap.ProtocolIdSize] = '\0';
	}
}


static int lsi_sch_version_of(DWORD proto)
{
	if (proto & SP_PROT_TLS1_3)
		return LS_TLS_V1_3;
	if (proto & SP_PROT_TLS1_2)
		return LS_TLS_V1_2;
	if (proto & SP_PROT_TLS1_1)
		return LS_TLS_V1_1;
	if (proto & SP_PROT_TLS1_0)
		return LS_TLS_V1_0;
	return 0;
}

/*
 * Wine 8 names AEAD suites without their hash
 * ("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_<unknown>"); the hash follows from
 * the AEAD cipher, so the IANA name can be completed.
 */
static void lsi_sch_fix_cipher(char *name, size_t size)
{
	static const struct {
		const char *aead, *hash;
	} map[] = {{"_AES_256_GCM_", "SHA384"}, {"_AES_128_GCM_", "SHA256"},
	           {"_CHACHA20_POLY1305_", "SHA256"}};
	char *u = strstr(name, "<unknown>"), *p;
	size_t i;

	for (i = 0; u != NULL && i < sizeof(map) / sizeof(map[0]); i++) {
		p = strstr(name, map[i].aead);
		if (p != NULL && p + strlen(map[i].aead) == u) {
			snprintf(u, size - (size_t)(u - name), "%s", map[i].hash);
			return;
		}
	}
}

/*
 * The cipher suite's name: SECPKG_ATTR_CIPHER_INFO (Windows 10, wine) has
 * the IANA name; without it, the connection's algorithms name it roughly.
 */
static void lsi_sch_cipher_name(lsi_sch_conn *c, const SecPkgContext_ConnectionInfo *ci)
{
	SecPkgContext_CipherInfo info;
	int n;

	memset(&info, 0, sizeof(info));
	info.dwVersion = SECPKGCONTEXT_CIPHERINFO_V1;
	if (QueryContextAttributesW(&c->ctx, SECPKG_ATTR_CIPHER_INFO, &info) == SEC_E_OK &&
	    info.szCipherSuite[0] != 0) {
		n = WideCharToMultiByte(CP_UTF8, 0, info.szCipherSuite, -1, c->cipher,
		                        sizeof(c->cipher), NULL, NULL);
		if (n > 0) {
			lsi_sch_fix_cipher(c->cipher, sizeof(c->cipher));
			return;
		}
	}
	snprintf(c->cipher, sizeof(c->cipher), "TLS_exch%x_cipher%x_%u_hash%x",
	         (unsigned)ci->aiExch, (unsigned)ci->aiCipher, (unsigned)ci->dwCipherStrength,
	         (unsigned)ci->aiHash);
}


/*
 * The handshake's last call succeeded: check the peer before its last
 * flight goes out (a refused peer gets an alert instead), learn the record
 * sizes and what was agreed.
 */
static int lsi_sch_finish(ls_tls *t)
{
	lsi_sch_conn *c = LSI_CONN(t);
	SecPkgContext_ConnectionInfo ci;
	SECURITY_STATUS st;
	int rc = lsi_sch_verify(t);

	if (rc != 0)
		return lsi_sch_reject(t, rc);
	st = QueryContextAttributesW(&c->ctx, SECPKG_ATTR_STREAM_SIZES, &c->sizes);
	if (st != SEC_E_OK)
		return lsi_sch_fail(t, LS_ETLS, st, "QueryContextAttributes(STREAM_SIZES)");
	memset(&ci, 0, sizeof(ci));
	if (QueryContextAttributesW(&c->ctx, SECPKG_ATTR_CONNECTION_INFO, &ci) == SEC_E_OK)
		c->version = lsi_sch_version_of(ci.dwProtocol);
	lsi_sch_cipher_name(c, &ci);
	lsi_sch_keep_alpn(t);
	return 0;
}

/* A failed call: its alert (a server's ASC_REQ_EXTENDED_ERROR) goes out first. */
static int lsi_sch_hs_failed(ls_tls *t, SECURITY_STATUS st)
{
	static const char no_server[] = "this Schannel has no TLS server "
	                                "(AcceptSecurityContext is SEC_E_UNSUPPORTED_FUNCTION)";
	lsi_sch_conn *c = LSI_CONN(t);
	int unsupported = t->cfg->mode == LS_TLS_SERVER && st == SEC_E_UNSUPPORTED_FUNCTION;
	int rc = lsi_sch_fail(t, lsi_sch_hs_code(t, st), st,
	                      unsupported ? no_server : "TLS handshake failed");

	return c->out.len > c->out_off ? lsi_sch_keep_failure(t, rc) : rc;
}

/*
 * One step of the token exchange: 0 after progress, LS_EAGAIN, or an
 * error. Used by the handshake and, after SEC_I_RENEGOTIATE, by receive
 * (TLS 1.3 post-handshake messages on Windows 11).
 */
static int lsi_sch_hs_step(ls_tls *t)
{
	lsi_sch_conn *c = LSI_CONN(t);
	SecBuffer in[3], out;
	SECURITY_STATUS st;
	int rc;

	if (!c->have_ctx && t->cfg->mode == LS_TLS_CLIENT)
		return lsi_sch_hs_first(t);
	if (c->enc.len == 0 && !c->reneg)
		return lsi_sch_fill(t, t->state == LSI_TLS_READY ? LS_ETRUNCATED : LS_ETLS);
	if (!c->have_ctx && ((rc = lsi_sch_server_hello(t)) != 0 || !c->hello_seen))
		return rc;
	st = lsi_sch_next(t, in, &out);
	if (st == SEC_E_INCOMPLETE_MESSAGE) {
		c->reneg = 0; /* from now on, only more input helps */
		return lsi_sch_need_more(t);
	}
	rc = lsi_sch_take_token(c, &out);
	if (rc != 0)
		return rc;
	if (st == SEC_I_INCOMPLETE_CREDENTIALS)
		return 0; /* the server asked for a certificate we do not have: go on without */
	if (FAILED(st))
		return lsi_sch_hs_failed(t, st);
	lsi_sch_consume(c, &in[1]);
	c->reneg = 0;
	if (st != SEC_E_OK)
		return 0;
	c->hs = LSI_HS_TOKENS_DONE;
	/* A renegotiation's end: the peer was checked when the handshake ended. */
	return t->state == LSI_TLS_READY ? 0 : lsi_sch_finish(t);
}

/*
 * Exchange tokens until the context is whole: the handshake, and the
 * tokens SEC_I_RENEGOTIATE asks for. A kept failure is reported once its
 * alert is out (or could not be sent).
 */
static int lsi_sch_exchange(ls_tls *t)
{
	lsi_sch_conn *c = LSI_CONN(t);
	int rc;

	for (;;) {
		rc = lsi_sch_flush(t);
		if (c->fail != 0)
			return rc == LS_EAGAIN ? rc : lsi_sch_refail(t);
		if (rc != 0)
			return rc;
		if (c->hs == LSI_HS_TOKENS_DONE)
			c->hs = LSI_HS_DONE;
		if (c->hs == LSI_HS_DONE)
			return 0;
		rc = lsi_sch_hs_step(t);
		if (rc != 0)
			return rc;
	}
}

int lsi_tlsb_handshake(ls_tls *t)
{
	return lsi_sch_exchange(t);
}

/* --- Records ----------------------------------------------------------------- */

/* Encrypt up to one record of buf into out; the plaintext count. */
static int64_t lsi_sch_seal(ls_tls *t, const void *buf, size_t len)
{
	lsi_sch_conn *c = LSI_CONN(t);
	const SecPkgContext_StreamSizes *z = &c->sizes;
	size_t n = len < z->cbMaximumMessage ? len : z->cbMaximumMessage;
	SecBuffer sb[4];
	SecBufferDesc d = {SECBUFFER_VERSION, 4, sb};
	SECURITY_STATUS st;
	int rc = lsi_buf_reserve(&c->out, z->cbHeader + n + z->cbTrailer);

	if (rc != 0)
		return rc;
	sb[0] = (SecBuffer){z->cbHeader, SECBUFFER_STREAM_HEADER, c->out.p};
	sb[1] = (SecBuffer){(unsigned long)n, SECBUFFER_DATA, c->out.p + z->cbHeader};
	sb[2] = (SecBuffer){z->cbTrailer, SECBUFFER_STREAM_TRAILER, c->out.p + z->cbHeader + n};
	sb[3] = (SecBuffer){0, SECBUFFER_EMPTY, NULL};
	memcpy(sb[1].pvBuffer, buf, n);
	st = EncryptMessage(&c->ctx, 0, &d, 0);
	if (st != SEC_E_OK)
		return lsi_sch_fail(t, LS_ETLS, st, "EncryptMessage");
	/* The trailer may be shorter than its maximum: the record is the three parts. */
	memmove(c->out.p + sb[0].cbBuffer, sb[1].pvBuffer, sb[1].cbBuffer);
	memmove(c->out.p + sb[0].cbBuffer + sb[1].cbBuffer, sb[2].pvBuffer, sb[2].cbBuffer);
	c->out.len = sb[0].cbBuffer + sb[1].cbBuffer + sb[2].cbBuffer;
	c->out_off = 0;
	return (int64_t)n;
}

int64_t lsi_tlsb_send(ls_tls *t, const void *buf, size_t len)
{
	lsi_sch_conn *c = LSI_CONN(t);
	int64_t n;
	int rc;

	if (c->shut_built)
		return lsi_tls_fail(t, LS_EPIPE, 0, "close_notify was sent: no more data");
	if (c->taken == 0 && c->out.len == 0) {
		n = lsi_sch_seal(t, buf, len);
		if (n < 0)
			return n;
		c->taken = (size_t)n;
	}
	/* After LS_EAGAIN the caller repeats with the same data: finish the record first. */
	rc = lsi_sch_flush(t);
	if (rc != 0)
		return rc;
	n = (int64_t)c->taken;
	c->taken = 0;
	return n > 0 ? n : lsi_tlsb_send(t, buf, len);
}

/*
 * Move what DecryptMessage produced: its plaintext to dec, its unused input
 * (SECBUFFER_EXTRA) to the front of enc. Which buffer holds what varies
 * (Windows and wine differ), so each is found by type.
 */
static int lsi_sch_take_plain(lsi_sch_conn *c, SecBuffer *sb, size_t n, size_t *plain)
{
	const SecBuffer *extra = NULL;
	size_t i;
	int rc = 0;

	*plain = 0;
	for (i = 0; i < n; i++) {
		if (sb[i].BufferType == SECBUFFER_DATA && sb[i].cbBuffer > 0 && rc == 0) {
			rc = lsi_buf_append(&c->dec, sb[i].pvBuffer, sb[i].cbBuffer);
			*plain += sb[i].cbBuffer;
		} else if (sb[i].BufferType == SECBUFFER_EXTRA && sb[i].cbBuffer > 0) {
			extra = &sb[i];
		}
	}
	if (extra != NULL)
		lsi_buf_keep_tail(&c->enc, extra->cbBuffer);
	else
		c->enc.len = 0;
	return rc;
}

/*
 * Decrypt one record from enc. 0 after progress, LS_EAGAIN when enc holds
 * no whole record, or an error. close_notify arrives as SEC_I_CONTEXT_EXPIRED
 * on Windows and as SEC_E_OK with no data under wine: an alert record (type
 * 21) that gives no data is taken as close_notify, since any other alert
 * fails the decryption.
 */
static int lsi_sch_open_one(ls_tls *t)
{
	lsi_sch_conn *c = LSI_CONN(t);
	SecBuffer sb[4];
	SecBufferDesc d = {SECBUFFER_VERSION, 4, sb};
	unsigned char type = c->enc.len > 0 ? c->enc.p[0] : 0;
	SECURITY_STATUS st;
	size_t plain, i;
	int rc;

	sb[0] = (SecBuffer){(unsigned long)c->enc.len, SECBUFFER_DATA, c->enc.p};
	for (i = 1; i < 4; i++)
		sb[i] = (SecBuffer){0, SECBUFFER_EMPTY, NULL};
	st = DecryptMessage(&c->ctx, &d, 0, NULL);
	if (st == SEC_E_INCOMPLETE_MESSAGE)
		return lsi_sch_looks_tls(&c->enc)
		       ? LS_EAGAIN
		       : lsi_tls_fail(t, LS_ETLS, 0, "the peer does not speak TLS (not a TLS record)");
	if (st != SEC_E_OK && st != SEC_I_CONTEXT_EXPIRED && st != SEC_I_RENEGOTIATE)
		return lsi_sch_fail(t, LS_ETLS, st, "DecryptMessage");
	rc = lsi_sch_take_plain(c, sb, 4, &plain);
	if (rc != 0)
		return rc;
	if (st == SEC_I_CONTEXT_EXPIRED || (st == SEC_E_OK && plain == 0 && type == 21))
		c->closed = 1;
	if (st == SEC_I_RENEGOTIATE) {
		c->reneg = 1;
		c->hs = LSI_HS_RUN;
	}
	return 0;
}

/* Decrypt every whole record enc holds, so ls_tls_pending() sees all of it. */
static int lsi_sch_open_all(ls_tls *t)
{
	lsi_sch_conn *c = LSI_CONN(t);
	int rc = 0;

	while (rc == 0 && c->enc.len > 0 && !c->closed && c->hs == LSI_HS_DONE)
		rc = lsi_sch_open_one(t);
	return rc == LS_EAGAIN ? 0 : rc;
}

/* Hand out decrypted bytes from dec. */
static int64_t lsi_sch_give(lsi_sch_conn *c, void *buf, size_t len)
{
	size_t n = c->dec.len - c->dec_off;

	if (n > len)
		n = len;
	memcpy(buf, c->dec.p + c->dec_off, n);
	c->dec_off += n;
	if (c->dec_off == c->dec.len)
		c->dec.len = c->dec_off = 0;
	return (int64_t)n;
}

int64_t lsi_tlsb_recv(ls_tls *t, void *buf, size_t len)
{
	lsi_sch_conn *c = LSI_CONN(t);
	int rc;

	for (;;) {
		if (c->dec.len > c->dec_off)
			return lsi_sch_give(c, buf, len);
		if (c->closed)
			return 0;
		rc = c->hs != LSI_HS_DONE ? lsi_sch_exchange(t) : lsi_sch_open_all(t);
		if (rc != 0)
			return rc;
		if (c->dec.len > c->dec_off || c->closed || c->hs != LSI_HS_DONE)
			continue;
		rc = lsi_sch_fill(t, LS_ETRUNCATED);
		if (rc != 0)
			return rc;
	}
}

int lsi_tlsb_shutdown(ls_tls *t)
{
	lsi_sch_conn *c = LSI_CONN(t);
	DWORD kind = SCHANNEL_SHUTDOWN;
	int rc;

	/* A record a send left half out goes first: close_notify must follow it whole. */
	rc = lsi_sch_flush(t);
	if (rc == 0 && !c->shut_built) {
		c->taken = 0;
		rc = lsi_sch_control(t, &kind, sizeof(kind), "ApplyControlToken(SCHANNEL_SHUTDOWN)");
		c->shut_built = rc == 0;
		if (rc == 0)
			rc = lsi_sch_flush(t);
	}
	return rc;
}

size_t lsi_tlsb_pending(const ls_tls *t)
{
	const lsi_sch_conn *c = LSI_CONN(t);

	return c->dec.len - c->dec_off;
}

int lsi_tlsb_version(const ls_tls *t)
{
	return LSI_CONN(t)->version;
}

const char *lsi_tlsb_cipher(const ls_tls *t)
{
	return LSI_CONN(t)->cipher;
}

int lsi_tlsb_peer_verified(const ls_tls *t)
{
	return LSI_CONN(t)->verified;
}

int lsi_tlsb_peer_cert(const ls_tls *t, void *buf, size_t size, size_t *len)
{
	PCCERT_CONTEXT peer = LSI_CONN(t)->peer;

	if (peer == NULL)
		return lsi_fail(LS_ENOENT);
	*len = peer->cbCertEncoded;
	if (peer->cbCertEncoded > size)
		return lsi_fail(LS_ENOSPC);
	memcpy(buf, peer->pbCertEncoded, peer->cbCertEncoded);
	return 0;
}

const char *lsi_tlsb_server_name(const ls_tls *t)
{
	return LSI_CONN(t)->sni;
}

/*
 * Schannel keeps its own session cache per credentials handle and target
 * name and resumes by itself; there is no session to hand out.
 */
int lsi_tlsb_session_get(ls_tls *t, void *buf, size_t size, size_t *len)
{
	return lsi_tls_fail(t, LS_ENOTSUP, 0,
	                    "Schannel resumes sessions itself: there is none to save");
}

int lsi_tlsb_session_set(ls_tls *t, const void *buf, size_t len)
{
	return lsi_tls_fail(t, LS_ENOTSUP, 0,
	                    "Schannel resumes sessions itself: there is none to offer");
}

/*
 * Whether Schannel resumed from its own cache (same credentials handle,
 * same target name). 0 where the runtime cannot say.
 */
int lsi_tlsb_session_reused(const ls_tls *t)
{
	lsi_sch_conn *c = LSI_CONN(t);
	SecPkgContext_SessionInfo info;

	memset(&info, 0, sizeof(info));
	if (!c->have_ctx ||
	    QueryContextAttributesW(&c->ctx, SECPKG_ATTR_SESSION_INFO, &info) != SEC_E_OK)
		return 0;
	return (info.dwFlags & SSL_SESSION_RECONNECT) != 0;
}

