/*
 * none.c - the TLS backend of a build without TLS (LIBSOCK_TLS=off, or no
 * backend found): no configuration can be made, so every TLS call returns
 * LS_ENOTSUP, and the connection functions below are never reached.
 */
#include "tls/backend.h"

const char *lsi_tlsb_name(void)
{
	return "";
}

int lsi_tlsb_config_new(ls_tls_config *cfg)
{
	return lsi_tls_fail(NULL, LS_ENOTSUP, 0, "libsock was built without TLS");
}

void lsi_tlsb_config_free(ls_tls_config *cfg)
{
}

int lsi_tlsb_config_ca(ls_tls_config *cfg, const void *pem, size_t len)
{
	return lsi_fail(LS_ENOTSUP);
}

int lsi_tlsb_config_cert(ls_tls_config *cfg, const void *chain, size_t chain_len,
                         const void *key, size_t key_len)
{
	return lsi_fail(LS_ENOTSUP);
}

int lsi_tlsb_config_pkcs12(ls_tls_config *cfg, const void *data, size_t len,
                           const char *password)
{
	return lsi_fail(LS_ENOTSUP);
}

int lsi_tlsb_config_freeze(ls_tls_config *cfg)
{
	return lsi_fail(LS_ENOTSUP);
}

int lsi_tlsb_conn_new(ls_tls *t)
{
	return lsi_fail(LS_ENOTSUP);
}

void lsi_tlsb_conn_free(ls_tls *t)
{
}

int lsi_tlsb_handshake(ls_tls *t)
{
	return lsi_fail(LS_ENOTSUP);
}

int64_t lsi_tlsb_send(ls_tls *t, const void *buf, size_t len)
{
	return lsi_fail(LS_ENOTSUP);
}

int64_t lsi_tlsb_recv(ls_tls *t, void *buf, size_t len)
{
	return lsi_fail(LS_ENOTSUP);
}

int lsi_tlsb_shutdown(ls_tls *t)
{
	return lsi_fail(LS_ENOTSUP);
}

size_t lsi_tlsb_pending(const ls_tls *t)
{
	return 0;
}

int lsi_tlsb_version(const ls_tls *t)
{
	return 0;
}

const char *lsi_tlsb_cipher(const ls_tls *t)
{
	return "";
}

int lsi_tlsb_peer_verified(const ls_tls *t)
{
	return 0;
}

int lsi_tlsb_peer_cert(const ls_tls *t, void *buf, size_t size, size_t *len)
{
	return lsi_fail(LS_ENOTSUP);
}

const char *lsi_tlsb_server_name(const ls_tls *t)
{
	return "";
}

int lsi_tlsb_session_get(ls_tls *t, void *buf, size_t size, size_t *len)
{
	return lsi_fail(LS_ENOTSUP);
}

int lsi_tlsb_session_set(ls_tls *t, const void *buf, size_t len)
{
	return lsi_fail(LS_ENOTSUP);
}

int lsi_tlsb_session_reused(const ls_tls *t)
{
	return 0;
}
