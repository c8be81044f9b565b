/*
 * openssl.c - the TLS backend on OpenSSL 3 (backend.h is the contract).
 *
 * A configuration is one SSL_CTX; a connection is one SSL whose BIO is
 * libsock's own: its reads and writes are lsi_tls_io_recv/lsi_tls_io_send
 * (ls_recv/ls_send without waiting), so the SSL never sees an fd and never
 * blocks. OpenSSL's would-block becomes LS_EAGAIN with t->want set, and
 * common code does the waiting.
 */
#include <limits.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "tls/backend.h"

/* An alert number inside an ERR reason code (OpenSSL's SSL_AD_REASON_OFFSET). */
#define LSI_OSSL_ALERT_BASE 1000

/*
 * A configuration's state: its SSL_CTX, and the saved session it decoded
 * last. Decoding a session is most of a resumed handshake's client work
 * (OpenSSL 3 decodes the peer certificate's key through its provider
 * machinery: measured 1.5 M instructions, a fifth of the handshake), and a
 * client usually offers the same saved session again and again.
 */
typedef struct lsi_ossl_cfg {
	SSL_CTX *ctx;
	CRYPTO_RWLOCK *lock;     /* guards the three below */
	unsigned char *sess_blob; /* the blob last decoded (its MAC was checked) */
	size_t sess_len;
	SSL_SESSION *sess;       /* what it decoded to; never given to a connection itself */
} lsi_ossl_cfg;

/* The state of a configuration, its SSL_CTX, and the SSL of a connection. */
#define LSI_OCFG(cfg) ((lsi_ossl_cfg *)(cfg)->be)
#define LSI_CTX(cfg) (LSI_OCFG(cfg)->ctx)
#define LSI_SSL(t) ((SSL *)(t)->be)

const char *lsi_tlsb_name(void)
{
	return "openssl";
}

/* The most recent OpenSSL error of this thread as a sentence, and its code. */
static int lsi_ossl_fail(ls_tls *t, int code, const char *what)
{
	unsigned long e = ERR_peek_last_error();
	char buf[160];

	if (e == 0)
		return lsi_tls_fail(t, code, 0, "%s", what);
	ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	return lsi_tls_fail(t, code, (int)(e & INT_MAX), "%s: %s", what, buf);
}

/* --- The BIO over libsock's socket calls --------------------------------- */

static int lsi_bio_write(BIO *b, const char *buf, int len)
{
	ls_tls *t = BIO_get_data(b);
	int64_t n = lsi_tls_io_send(t, buf, (size_t)len);

	BIO_clear_retry_flags(b);
	if (n == LS_EAGAIN)
		BIO_set_retry_write(b);
	return n < 0 ? -1 : (int)n;
}

static int lsi_bio_read(BIO *b, char *buf, int len)
{
	ls_tls *t = BIO_get_data(b);
	int64_t n = lsi_tls_io_recv(t, buf, (size_t)len);

	BIO_clear_retry_flags(b);
	if (n == LS_EAGAIN)
		BIO_set_retry_read(b);
	return n < 0 ? -1 : (int)n;
}

static long lsi_bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	ls_tls *t = BIO_get_data(b);

	switch (cmd) {
	case BIO_CTRL_FLUSH:
		return 1; /* nothing is buffered here */
	case BIO_CTRL_EOF:
		return t != NULL && t->io_eof;
	default:
		return 0;
	}
}

static int lsi_bio_create(BIO *b)
{
	BIO_set_init(b, 1);
	return 1;
}

static BIO_METHOD *lsi_bio_method;
static CRYPTO_ONCE lsi_bio_once = CRYPTO_ONCE_STATIC_INIT;

static void lsi_bio_method_init(void)
{
	BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "libsock");

	if (m == NULL)
		return;
	BIO_meth_set_write(m, lsi_bio_write);
	BIO_meth_set_read(m, lsi_bio_read);
	BIO_meth_set_ctrl(m, lsi_bio_ctrl);
	BIO_meth_set_create(m, lsi_bio_create);
	lsi_bio_method = m;
}

static BIO *lsi_bio_new(ls_tls *t)
{
	BIO *b;

	if (!CRYPTO_THREAD_run_once(&lsi_bio_once, lsi_bio_method_init) || lsi_bio_method == NULL)
		return NULL;
	b = BIO_new(lsi_bio_method);
	if (b != NULL)
		BIO_set_data(b, t);
	return b;
}

/* --- Configuration ------------------------------------------------------- */

int lsi_tlsb_config_new(ls_tls_config *cfg)
{
	lsi_ossl_cfg *oc = OPENSSL_zalloc(sizeof(*oc));
	SSL_CTX *ctx;

	if (oc == NULL)
		return lsi_fail(LS_ENOMEM);
	cfg->be = oc;
	oc->lock = CRYPTO_THREAD_lock_new();
	oc->ctx = ctx = SSL_CTX_new(cfg->mode == LS_TLS_SERVER ? TLS_server_method()
	                                                       : TLS_client_method());
	if (ctx == NULL || oc->lock == NULL)
		return lsi_ossl_fail(NULL, LS_ENOMEM, "SSL_CTX_new");
	if (RAND_bytes(cfg->session_key, (int)sizeof(cfg->session_key)) != 1)
		return lsi_ossl_fail(NULL, LS_ENOMEM, "RAND_bytes");
	/* The system's store, the default trust, is loaded by lsi_tlsb_config_freeze(). */
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	return 0;
}

void lsi_tlsb_config_free(ls_tls_config *cfg)
{
	lsi_ossl_cfg *oc = LSI_OCFG(cfg);

	if (oc == NULL)
		return;
	SSL_CTX_free(oc->ctx);
	CRYPTO_THREAD_lock_free(oc->lock);
	SSL_SESSION_free(oc->sess);
	OPENSSL_clear_free(oc->sess_blob, oc->sess_len);
	OPENSSL_free(oc);
	cfg->be = NULL;
}

/* Every certificate in PEM text, in order. NULL (and a detail) if none. */
static STACK_OF(X509) *lsi_pem_certs(const void *pem, size_t len)
{
	STACK_OF(X509) *certs = sk_X509_new_null();
	BIO *b = BIO_new_mem_buf(pem, len > INT_MAX ? INT_MAX : (int)len);
	X509 *x;

	while (certs != NULL && b != NULL && (x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
		if (!sk_X509_push(certs, x))
			X509_free(x);
	}
	BIO_free(b);
	/* The loop ends on "no start line", which is not an error here. */
	ERR_clear_error();
	if (certs != NULL && sk_X509_num(certs) == 0) {
		sk_X509_free(certs);
		certs = NULL;
	}
	return certs;
}

int lsi_tlsb_config_ca(ls_tls_config *cfg, const void *pem, size_t len)
{
	STACK_OF(X509) *certs = lsi_pem_certs(pem, len);
	X509_STORE *store;
	int i;

	if (certs == NULL)
		return lsi_tls_fail(NULL, LS_EINVAL, 0, "no PEM certificate in the CA data");
	if (!cfg->has_ca) {
		store = X509_STORE_new();
		if (store == NULL) {
			sk_X509_pop_free(certs, X509_free);
			return lsi_ossl_fail(NULL, LS_ENOMEM, "X509_STORE_new");
		}
		SSL_CTX_set_cert_store(LSI_CTX(cfg), store);
	}
	store = SSL_CTX_get_cert_store(LSI_CTX(cfg));
	for (i = 0; i < sk_X509_num(certs); i++)
		X509_STORE_add_cert(store, sk_X509_value(certs, i));
	ERR_clear_error(); /* a certificate already in the store is not a failure */
	sk_X509_pop_free(certs, X509_free);
	return 0;
}

/* Install a leaf, its chain (may be NULL) and key, checking they match. */
static int lsi_ossl_use(ls_tls_config *cfg, X509 *leaf, STACK_OF(X509) *chain, EVP_PKEY *key)
{
	SSL_CTX *ctx = LSI_CTX(cfg);
	int i;

	SSL_CTX_clear_chain_certs(ctx);
	if (!SSL_CTX_use_certificate(ctx, leaf) || !SSL_CTX_use_PrivateKey(ctx, key) ||
	    !SSL_CTX_check_private_key(ctx))
		return lsi_ossl_fail(NULL, LS_EINVAL, "the certificate and key do not go together");
	for (i = 0; chain != NULL && i < sk_X509_num(chain); i++)
		if (!SSL_CTX_add1_chain_cert(ctx, sk_X509_value(chain, i)))
			return lsi_ossl_fail(NULL, LS_ENOMEM, "SSL_CTX_add1_chain_cert");
	return 0;
}

static EVP_PKEY *lsi_pem_key(const void *pem, size_t len)
{
	BIO *b = BIO_new_mem_buf(pem, len > INT_MAX ? INT_MAX : (int)len);
	EVP_PKEY *key = b != NULL ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;

	BIO_free(b);
	return key;
}

int lsi_tlsb_config_cert(ls_tls_config *cfg, const void *chain, size_t chain_len,
                         const void *key, size_t key_len)
{
	STACK_OF(X509) *certs = lsi_pem_certs(chain, chain_len);
	EVP_PKEY *pkey = lsi_pem_key(key, key_len);
	X509 *leaf;
	int rc;

	if (certs == NULL || pkey == NULL) {
		rc = lsi_ossl_fail(NULL, LS_EINVAL, certs == NULL
		                   ? "no PEM certificate in the chain" : "no PEM private key");
		goto out;
	}
	leaf = sk_X509_shift(certs);
	rc = lsi_ossl_use(cfg, leaf, certs, pkey);
	X509_free(leaf);
out:
	sk_X509_pop_free(certs, X509_free);
	EVP_PKEY_free(pkey);
	return rc;
}

int lsi_tlsb_config_pkcs12(ls_tls_config *cfg, const void *data, size_t len,
                           const char *password)
{
	BIO *b = BIO_new_mem_buf(data, len > INT_MAX ? INT_MAX : (int)len);
	PKCS12 *p12 = b != NULL ? d2i_PKCS12_bio(b, NULL) : NULL;
	STACK_OF(X509) *chain = NULL;
	EVP_PKEY *key = NULL;
	X509 *leaf = NULL;
	int rc;

	BIO_free(b);
	if (p12 == NULL)
		return lsi_ossl_fail(NULL, LS_EINVAL, "not PKCS#12 data");
	if (!PKCS12_parse(p12, password != NULL ? password : "", &key, &leaf, &chain) ||
	    leaf == NULL || key == NULL)
		rc = lsi_ossl_fail(NULL, LS_EINVAL, "cannot open the PKCS#12 data (password?)");
	else
		rc = lsi_ossl_use(cfg, leaf, chain, key);
	PKCS12_free(p12);
	X509_free(leaf);
	EVP_PKEY_free(key);
	sk_X509_pop_free(chain, X509_free);
	return rc;
}

/* The server picks the first of its protocols that the client offers. */
static int lsi_alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                           const unsigned char *in, unsigned int inlen, void *arg)
{
	ls_tls_config *cfg = arg;
	unsigned char *pick;

	if (SSL_select_next_proto(&pick, outlen, cfg->alpn, (unsigned)cfg->alpn_len, in,
	                          inlen) != OPENSSL_NPN_NEGOTIATED)
		return SSL_TLSEXT_ERR_NOACK;
	*out = pick;
	return SSL_TLSEXT_ERR_OK;
}

/*
 * Chain errors the configuration chose to ignore are let through (and
 * remembered, so the peer does not count as verified); name mismatches are
 * never ignored here: with name checks off no name is set to check.
 */
static int lsi_verify_cb(int ok, X509_STORE_CTX *x)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(x, SSL_get_ex_data_X509_STORE_CTX_idx());
	ls_tls *t = ssl != NULL ? SSL_get_app_data(ssl) : NULL;
	int err = X509_STORE_CTX_get_error(x);

	if (ok || t == NULL)
		return ok;
	if (err == X509_V_ERR_HOSTNAME_MISMATCH || err == X509_V_ERR_IP_ADDRESS_MISMATCH)
		return 0;
	if (!t->cfg->verify_chain) {
		X509_STORE_CTX_set_error(x, X509_V_OK);
		return 1;
	}
	return 0;
}

static int lsi_verify_mode(const ls_tls_config *cfg)
{
	if (cfg->mode == LS_TLS_CLIENT)
		return SSL_VERIFY_PEER;
	switch (cfg->client_auth) {
	case LS_TLS_CLIENT_AUTH_REQUIRED:
		return SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
	case LS_TLS_CLIENT_AUTH_OPTIONAL:
		return SSL_VERIFY_PEER;
	default:
		return SSL_VERIFY_NONE;
	}
}

/*
 * The system's store is loaded only where it verifies peers: a client, or a
 * server that asks for client certificates, when no CA was given. A server
 * that verifies nobody must not have it: OpenSSL completes a server's chain
 * from the context's store on every handshake when the configuration gave
 * only a leaf, and the system's store answers that lookup by scanning
 * /etc/ssl/certs each time (measured: a directory open, read and stat per
 * handshake, 10 % of a full TLS 1.3 handshake) to find nothing worth
 * sending, since it holds roots.
 */
static void lsi_ossl_system_trust(ls_tls_config *cfg)
{
	if (cfg->has_ca)
		return;
	if (cfg->mode == LS_TLS_SERVER && cfg->client_auth == LS_TLS_CLIENT_AUTH_NONE)
		return;
	if (!SSL_CTX_set_default_verify_paths(LSI_CTX(cfg)))
		ERR_clear_error();
}

int lsi_tlsb_config_freeze(ls_tls_config *cfg)
{
	SSL_CTX *ctx = LSI_CTX(cfg);

	if (!SSL_CTX_set_min_proto_version(ctx, cfg->min_version) ||
	    !SSL_CTX_set_max_proto_version(ctx, cfg->max_version))
		return lsi_ossl_fail(NULL, LS_EINVAL, "the versions asked for are not available");
	lsi_ossl_system_trust(cfg);
	/*
	 * Servers resume by default (OpenSSL's tickets, under a key it makes at
	 * random per SSL_CTX). A session ID context is what lets a server that
	 * verifies client certificates resume at all.
	 */
	if (!SSL_CTX_set_session_id_context(ctx, (const unsigned char *)"libsock", 7))
		return lsi_ossl_fail(NULL, LS_ENOMEM, "SSL_CTX_set_session_id_context");
	SSL_CTX_set_verify(ctx, lsi_verify_mode(cfg), lsi_verify_cb);
	if (cfg->alpn != NULL && cfg->mode == LS_TLS_CLIENT &&
	    SSL_CTX_set_alpn_protos(ctx, cfg->alpn, (unsigned)cfg->alpn_len) != 0)
		return lsi_ossl_fail(NULL, LS_ENOMEM, "SSL_CTX_set_alpn_protos");
	if (cfg->alpn != NULL && cfg->mode == LS_TLS_SERVER)
		SSL_CTX_set_alpn_select_cb(ctx, lsi_alpn_select, cfg);
	return 0;
}

/* --- Connections --------------------------------------------------------- */

/* A client checks the name it was given: an IP entry or a DNS name, sent as SNI. */
static int lsi_ossl_set_peer_name(ls_tls *t, SSL *ssl)
{
	X509_VERIFY_PARAM *vp = SSL_get0_param(ssl);

	if (t->server_name == NULL)
		return 1;
	if (!t->name_is_ip && !SSL_set_tlsext_host_name(ssl, t->server_name))
		return 0;
	if (!t->cfg->verify_name)
		return 1;
	if (t->name_is_ip)
		return X509_VERIFY_PARAM_set1_ip_asc(vp, t->server_name);
	X509_VERIFY_PARAM_set_hostflags(vp, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	return X509_VERIFY_PARAM_set1_host(vp, t->server_name, 0);
}

int lsi_tlsb_conn_new(ls_tls *t)
{
	SSL *ssl = SSL_new(LSI_CTX(t->cfg));
	BIO *b;

	if (ssl == NULL)
		return lsi_ossl_fail(NULL, LS_ENOMEM, "SSL_new");
	t->be = ssl;
	SSL_set_app_data(ssl, t);
	b = lsi_bio_new(t);
	if (b == NULL)
		return lsi_ossl_fail(NULL, LS_ENOMEM, "BIO_new");
	SSL_set_bio(ssl, b, b);
	if (t->cfg->mode == LS_TLS_SERVER) {
		SSL_set_accept_state(ssl);
		return 0;
	}
	SSL_set_connect_state(ssl);
	if (!lsi_ossl_set_peer_name(t, ssl))
		return lsi_ossl_fail(NULL, LS_EINVAL, "unusable server name");
	return 0;
}

void lsi_tlsb_conn_free(ls_tls *t)
{
	SSL_free(LSI_SSL(t));
	t->be = NULL;
}

/* A verify result as a libsock code. */
static int lsi_verify_code(long v)
{
	switch (v) {
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_CERT_UNTRUSTED:
		return LS_ECERTUNTRUSTED;
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return LS_ECERTEXPIRED;
	case X509_V_ERR_HOSTNAME_MISMATCH:
	case X509_V_ERR_IP_ADDRESS_MISMATCH:
		return LS_ECERTNAME;
	default:
		return LS_ECERT;
	}
}

/* A fatal alert the peer sent about our certificate, or none. */
static int lsi_alert_is_cert(int reason)
{
	switch (reason - LSI_OSSL_ALERT_BASE) {
	case SSL3_AD_BAD_CERTIFICATE:
	case SSL3_AD_UNSUPPORTED_CERTIFICATE:
	case SSL3_AD_CERTIFICATE_REVOKED:
	case SSL3_AD_CERTIFICATE_EXPIRED:
	case SSL3_AD_CERTIFICATE_UNKNOWN:
	case TLS1_AD_UNKNOWN_CA:
	case TLS13_AD_CERTIFICATE_REQUIRED:
		return 1;
	default:
		return 0;
	}
}

/* A protocol failure (SSL_ERROR_SSL): certificate, truncation or other. */
static int lsi_ossl_proto_error(ls_tls *t)
{
	SSL *ssl = LSI_SSL(t);
	unsigned long e = ERR_peek_last_error();
	int reason = ERR_GET_REASON(e);
	long v = SSL_get_verify_result(ssl);

	if (reason == SSL_R_CERTIFICATE_VERIFY_FAILED && v != X509_V_OK) {
		ERR_clear_error();
		return lsi_tls_fail(t, lsi_verify_code(v), (int)v, "certificate verify failed: %s",
		                    X509_verify_cert_error_string(v));
	}
	if (reason == SSL_R_UNEXPECTED_EOF_WHILE_READING)
		return lsi_ossl_fail(t, t->state == LSI_TLS_READY ? LS_ETRUNCATED : LS_ETLS,
		                     "the peer closed the connection without close_notify");
	if (lsi_alert_is_cert(reason) || reason == SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE)
		return lsi_ossl_fail(t, LS_ECERT, "certificate rejected");
	return lsi_ossl_fail(t, LS_ETLS, "TLS failure");
}

/* What SSL_get_error says about a call that returned ret, as a libsock result. */
static int lsi_ossl_error(ls_tls *t, int ret)
{
	switch (SSL_get_error(LSI_SSL(t), ret)) {
	case SSL_ERROR_WANT_READ:
		t->want = LS_POLLIN;
		return LS_EAGAIN;
	case SSL_ERROR_WANT_WRITE:
		t->want = LS_POLLOUT;
		return LS_EAGAIN;
	case SSL_ERROR_ZERO_RETURN:
		return 0;
	case SSL_ERROR_SSL:
		return lsi_ossl_proto_error(t);
	default:
		break;
	}
	/* SSL_ERROR_SYSCALL: the socket failed (its code is kept) or ended. */
	ERR_clear_error();
	if (t->io_err != 0)
		return lsi_tls_fail(t, t->io_err, ls_native_error(), "socket error: %s",
		                    ls_strerror(t->io_err));
	return lsi_tls_fail(t, t->state == LSI_TLS_READY ? LS_ETRUNCATED : LS_ETLS, 0,
	                    "the peer closed the connection without close_notify");
}

/* Keep the ALPN result in the connection, where ls_tls_alpn() finds it. */
static void lsi_ossl_keep_alpn(ls_tls *t)
{
	const unsigned char *p = NULL;
	unsigned int n = 0;

	SSL_get0_alpn_selected(LSI_SSL(t), &p, &n);
	if (p != NULL && n < sizeof(t->alpn))
		memcpy(t->alpn, p, n);
	t->alpn[p != NULL && n < sizeof(t->alpn) ? n : 0] = '\0';
}

int lsi_tlsb_handshake(ls_tls *t)
{
	int ret;

	ERR_clear_error();
	ret = SSL_do_handshake(LSI_SSL(t));
	if (ret == 1) {
		lsi_ossl_keep_alpn(t);
		return 0;
	}
	ret = lsi_ossl_error(t, ret);
	return ret == 0 ? lsi_tls_fail(t, LS_ETLS, 0, "the handshake was closed") : ret;
}

int64_t lsi_tlsb_send(ls_tls *t, const void *buf, size_t len)
{
	size_t n = 0;
	int rc;

	ERR_clear_error();
	if (SSL_write_ex(LSI_SSL(t), buf, len, &n))
		return (int64_t)n;
	rc = lsi_ossl_error(t, 0);
	return rc == 0 ? lsi_tls_fail(t, LS_EPIPE, 0, "the connection was closed") : rc;
}

int64_t lsi_tlsb_recv(ls_tls *t, void *buf, size_t len)
{
	size_t n = 0;

	ERR_clear_error();
	if (SSL_read_ex(LSI_SSL(t), buf, len, &n))
		return (int64_t)n;
	return lsi_ossl_error(t, 0);
}

int lsi_tlsb_shutdown(ls_tls *t)
{
	int ret;

	ERR_clear_error();
	ret = SSL_shutdown(LSI_SSL(t));
	/* 0: ours is out, the peer's not yet in; 1: both. Either is done here. */
	if (ret >= 0)
		return 0;
	ret = lsi_ossl_error(t, ret);
	return ret == 0 ? 0 : ret;
}

size_t lsi_tlsb_pending(const ls_tls *t)
{
	int n = SSL_pending(LSI_SSL(t));

	return n > 0 ? (size_t)n : 0;
}

int lsi_tlsb_version(const ls_tls *t)
{
	return SSL_version(LSI_SSL(t));
}

const char *lsi_tlsb_cipher(const ls_tls *t)
{
	const SSL_CIPHER *c = SSL_get_current_cipher(LSI_SSL(t));
	const char *name = c != NULL ? SSL_CIPHER_standard_name(c) : NULL;

	return name != NULL ? name : "";
}

int lsi_tlsb_peer_verified(const ls_tls *t)
{
	SSL *ssl = LSI_SSL(t);
	X509 *peer = SSL_get0_peer_certificate(ssl);

	if (peer == NULL || !t->cfg->verify_chain || SSL_get_verify_result(ssl) != X509_V_OK)
		return 0;
	return t->cfg->mode == LS_TLS_SERVER || t->cfg->verify_name;
}

int lsi_tlsb_peer_cert(const ls_tls *t, void *buf, size_t size, size_t *len)
{
	X509 *peer = SSL_get0_peer_certificate(LSI_SSL(t));
	unsigned char *p = buf;
	int n;

	if (peer == NULL)
		return lsi_fail(LS_ENOENT);
	n = i2d_X509(peer, NULL);
	if (n <= 0)
		return lsi_ossl_fail((ls_tls *)t, LS_ENOMEM, "i2d_X509");
	*len = (size_t)n;
	if ((size_t)n > size)
		return lsi_fail(LS_ENOSPC);
	i2d_X509(peer, &p);
	return 0;
}

const char *lsi_tlsb_server_name(const ls_tls *t)
{
	const char *name = SSL_get_servername(LSI_SSL(t), TLSEXT_NAMETYPE_host_name);

	return name != NULL ? name : "";
}

/* --- Sessions ---------------------------------------------------------------- */

/*
 * A saved session: "LSS1", an HMAC-SHA256 under the configuration's
 * session key of everything after it, the server name (a length byte and
 * the name), then the SSL_SESSION in DER. The MAC makes a corrupt blob, or
 * one from another configuration (whose trust and checks may differ), an
 * error rather than a session resumed without the checks this one makes.
 */
#define LSI_SESS_MAGIC "LSS1"
#define LSI_SESS_MAC_OFF 4
#define LSI_SESS_MAC_LEN 32
#define LSI_SESS_BODY_OFF (LSI_SESS_MAC_OFF + LSI_SESS_MAC_LEN)

static const char *lsi_sess_name(const ls_tls *t)
{
	return t->server_name != NULL ? t->server_name : "";
}

/* The MAC of a blob's body into mac; 0 on failure. */
static int lsi_sess_mac(const ls_tls *t, const unsigned char *body, size_t len,
                        unsigned char *mac)
{
	unsigned int n = 0;

	return HMAC(EVP_sha256(), t->cfg->session_key, (int)sizeof(t->cfg->session_key), body, len,
	            mac, &n) != NULL &&
	       n == LSI_SESS_MAC_LEN;
}

/* DNS names compare without regard to ASCII case. */
static int lsi_sess_same_name(const char *a, size_t alen, const char *b)
{
	size_t i;

	if (alen != strlen(b))
		return 0;
	for (i = 0; i < alen; i++) {
		unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];

		if (x >= 'A' && x <= 'Z')
			x = (unsigned char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (unsigned char)(y - 'A' + 'a');
		if (x != y)
			return 0;
	}
	return 1;
}

/*
 * A TLS 1.3 ticket comes after the handshake: let OpenSSL read what the
 * socket holds (peeking, so application data stays for ls_tls_recv) and
 * take any ticket in it. Would-block is the normal outcome.
 */
static int lsi_ossl_take_tickets(ls_tls *t)
{
	unsigned char c;
	size_t n = 0;
	int rc;

	ERR_clear_error();
	if (SSL_peek_ex(LSI_SSL(t), &c, 1, &n))
		return 0;
	rc = lsi_ossl_error(t, 0);
	return rc == LS_EAGAIN ? 0 : rc;
}

/* The resumable session of the connection, reading a ticket if need be. */
static int lsi_ossl_resumable(ls_tls *t, SSL_SESSION **out)
{
	SSL *ssl = LSI_SSL(t);
	int rc;

	*out = SSL_get0_session(ssl);
	if (*out != NULL && SSL_SESSION_is_resumable(*out))
		return 0;
	if (SSL_version(ssl) < TLS1_3_VERSION)
		return lsi_tls_fail(t, LS_ENOENT, 0, "the server gave no session to resume");
	rc = lsi_ossl_take_tickets(t);
	if (rc != 0)
		return rc;
	*out = SSL_get0_session(ssl);
	if (*out != NULL && SSL_SESSION_is_resumable(*out))
		return 0;
	t->want = LS_POLLIN;
	return LS_EAGAIN;
}

int lsi_tlsb_session_get(ls_tls *t, void *buf, size_t size, size_t *len)
{
	const char *name = lsi_sess_name(t);
	size_t nlen = strlen(name), body;
	unsigned char *p = buf;
	SSL_SESSION *sess;
	int der, rc = lsi_ossl_resumable(t, &sess);

	if (rc != 0)
		return rc;
	der = i2d_SSL_SESSION(sess, NULL);
	if (der <= 0)
		return lsi_ossl_fail(t, LS_ENOMEM, "i2d_SSL_SESSION");
	body = 1 + nlen + (size_t)der;
	*len = LSI_SESS_BODY_OFF + body;
	if (*len > size)
		return lsi_fail(LS_ENOSPC);
	memcpy(p, LSI_SESS_MAGIC, 4);
	p[LSI_SESS_BODY_OFF] = (unsigned char)nlen;
	memcpy(p + LSI_SESS_BODY_OFF + 1, name, nlen);
	p += LSI_SESS_BODY_OFF + 1 + nlen;
	i2d_SSL_SESSION(sess, &p);
	p = buf;
	if (!lsi_sess_mac(t, p + LSI_SESS_BODY_OFF, body, p + LSI_SESS_MAC_OFF)) {
		OPENSSL_cleanse(buf, *len);
		return lsi_ossl_fail(t, LS_ENOMEM, "HMAC");
	}
	return 0;
}

/* Check a blob's frame and MAC; 0 and its name and DER, or LS_EINVAL. */
static int lsi_sess_open(ls_tls *t, const unsigned char *p, size_t len, const char **name,
                         size_t *nlen, const unsigned char **der)
{
	unsigned char mac[LSI_SESS_MAC_LEN];

	if (len < LSI_SESS_BODY_OFF + 2 || memcmp(p, LSI_SESS_MAGIC, 4) != 0 ||
	    len < LSI_SESS_BODY_OFF + 2 + (size_t)p[LSI_SESS_BODY_OFF])
		return lsi_tls_fail(t, LS_EINVAL, 0, "not a saved TLS session (or cut short)");
	if (!lsi_sess_mac(t, p + LSI_SESS_BODY_OFF, len - LSI_SESS_BODY_OFF, mac) ||
	    CRYPTO_memcmp(mac, p + LSI_SESS_MAC_OFF, sizeof(mac)) != 0)
		return lsi_tls_fail(t, LS_EINVAL, 0,
		                    "the saved TLS session is corrupt or from another "
		                    "configuration");
	*nlen = p[LSI_SESS_BODY_OFF];
	*name = (const char *)p + LSI_SESS_BODY_OFF + 1;
	*der = p + LSI_SESS_BODY_OFF + 1 + *nlen;
	return 0;
}

/*
 * A copy of the session the configuration decoded last from this very
 * blob, or NULL. A copy, because freeing a connection that was not shut
 * down marks the session object it used as not resumable.
 */
static SSL_SESSION *lsi_sess_cached(ls_tls *t, const void *buf, size_t len)
{
	lsi_ossl_cfg *oc = LSI_OCFG(t->cfg);
	SSL_SESSION *copy = NULL;

	if (!CRYPTO_THREAD_read_lock(oc->lock))
		return NULL;
	if (oc->sess != NULL && oc->sess_len == len && memcmp(oc->sess_blob, buf, len) == 0)
		copy = SSL_SESSION_dup(oc->sess);
	CRYPTO_THREAD_unlock(oc->lock);
	return copy;
}

/* Remember a blob checked and decoded, for the next connection offering it. */
static void lsi_sess_remember(ls_tls *t, const void *buf, size_t len, SSL_SESSION *sess)
{
	lsi_ossl_cfg *oc = LSI_OCFG(t->cfg);
	unsigned char *blob = OPENSSL_memdup(buf, len);
	SSL_SESSION *copy = SSL_SESSION_dup(sess);

	if (blob == NULL || copy == NULL || !CRYPTO_THREAD_write_lock(oc->lock)) {
		OPENSSL_clear_free(blob, len);
		SSL_SESSION_free(copy);
		return;
	}
	OPENSSL_clear_free(oc->sess_blob, oc->sess_len);
	SSL_SESSION_free(oc->sess);
	oc->sess_blob = blob;
	oc->sess_len = len;
	oc->sess = copy;
	CRYPTO_THREAD_unlock(oc->lock);
}

/* Check and decode a blob: the session, NULL for another name (rc 0), or rc. */
static SSL_SESSION *lsi_sess_decode(ls_tls *t, const void *buf, size_t len, int *rc)
{
	const unsigned char *p = buf, *der = NULL;
	const char *name = "";
	SSL_SESSION *sess;
	size_t nlen = 0;

	*rc = lsi_sess_open(t, p, len, &name, &nlen, &der);
	if (*rc != 0)
		return NULL;
	/* Another server's session is not offered: its checks were for that name. */
	if (!lsi_sess_same_name(name, nlen, lsi_sess_name(t)))
		return NULL;
	sess = d2i_SSL_SESSION(NULL, &der, (long)(len - (size_t)(der - p)));
	if (sess == NULL)
		*rc = lsi_ossl_fail(t, LS_EINVAL, "the saved TLS session cannot be read");
	else
		lsi_sess_remember(t, buf, len, sess);
	return sess;
}

int lsi_tlsb_session_set(ls_tls *t, const void *buf, size_t len)
{
	SSL_SESSION *sess;
	int rc = 0;

	if (!SSL_in_before(LSI_SSL(t)))
		return lsi_tls_fail(t, LS_EINVAL, 0, "a session is offered before the handshake");
	/* The cached blob was checked for this configuration, and for its name here. */
	sess = lsi_sess_cached(t, buf, len);
	if (sess != NULL && !lsi_sess_same_name((const char *)buf + LSI_SESS_BODY_OFF + 1,
	                                         ((const unsigned char *)buf)[LSI_SESS_BODY_OFF],
	                                         lsi_sess_name(t))) {
		SSL_SESSION_free(sess);
		return 0;
	}
	if (sess == NULL)
		sess = lsi_sess_decode(t, buf, len, &rc);
	if (sess == NULL)
		return rc;
	rc = SSL_set_session(LSI_SSL(t), sess) ? 0 : lsi_ossl_fail(t, LS_EINVAL, "SSL_set_session");
	SSL_SESSION_free(sess);
	return rc;
}

int lsi_tlsb_session_reused(const ls_tls *t)
{
	return SSL_session_reused(LSI_SSL(t)) == 1;
}
