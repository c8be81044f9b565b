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
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "tls/backend.h"

/* An alert number inside an ERR reason code (OpenSSL's SSL_AD_REASON_OFFSET). */
#define LSI_OSSL_ALERT_BASE 1000

/* The SSL_CTX of a configuration, and the SSL of a connection. */
#define LSI_CTX(cfg) ((SSL_CTX *)(cfg)->be)
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
	SSL_CTX *ctx = SSL_CTX_new(cfg->mode == LS_TLS_SERVER ? TLS_server_method()
	                                                      : TLS_client_method());

	if (ctx == NULL)
		return lsi_ossl_fail(NULL, LS_ENOMEM, "SSL_CTX_new");
	cfg->be = ctx;
	/* The system's store, the default trust, is loaded by lsi_tlsb_config_freeze(). */
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	return 0;
}

void lsi_tlsb_config_free(ls_tls_config *cfg)
{
	SSL_CTX_free(LSI_CTX(cfg));
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
