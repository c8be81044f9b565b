/*
 * schannel_server.c - what only a TLS server does on Schannel: the
 * AcceptSecurityContext call (schannel.c runs it in the same token loop as
 * a client's InitializeSecurityContext), and what the server learns from
 * the ClientHello before Schannel sees it.
 *
 * Schannel gives a server no SNI callback and no attribute with the name
 * the client sent, and picks an ALPN protocol by its own rule. So the
 * first record is read whole first, and common code (hello.c) takes the
 * SNI name from it (ls_tls_server_name()) and chooses the protocol by
 * libsock's rule: the server's first protocol the client offers. Schannel
 * is then offered that one protocol only, or none when there is nothing in
 * common (the handshake then completes without ALPN, as on OpenSSL).
 *
 * Wine 8 has no AcceptSecurityContext for Schannel: it returns
 * SEC_E_UNSUPPORTED_FUNCTION (0x80090302, measured), which the handshake
 * reports as LS_ENOTSUP. Its AcquireCredentialsHandle(SECPKG_CRED_INBOUND)
 * succeeds, so a server configuration loads and wraps there.
 */
#include <stdlib.h>
#include <string.h>

#include "tls/schannel.h"

unsigned long lsi_sch_server_req(const ls_tls_config *cfg)
{
	unsigned long req = ASC_REQ_SEQUENCE_DETECT | ASC_REQ_REPLAY_DETECT |
	                    ASC_REQ_CONFIDENTIALITY | ASC_REQ_EXTENDED_ERROR |
	                    ASC_REQ_ALLOCATE_MEMORY | ASC_REQ_STREAM;

	/* The client's certificate is asked for; libsock decides what a missing one means. */
	if (cfg->client_auth != LS_TLS_CLIENT_AUTH_NONE)
		req |= ASC_REQ_MUTUAL_AUTH;
	return req;
}

/*
 * The first call creates the context. phNewContext is never NULL (as
 * documented for Schannel): on later calls it is the same handle.
 */
SECURITY_STATUS lsi_sch_accept(ls_tls *t, SecBufferDesc *in, SecBufferDesc *out)
{
	lsi_sch_conn *c = LSI_CONN(t);
	unsigned long attrs = 0;

	return AcceptSecurityContext(&LSI_CFG(t->cfg)->cred, c->have_ctx ? &c->ctx : NULL, in,
	                             c->req, 0, &c->ctx, out, &attrs, NULL);
}

int lsi_sch_server_hello(ls_tls *t)
{
	lsi_sch_conn *c = LSI_CONN(t);
	const unsigned char *proto;
	lsi_tls_hello h;
	size_t n;

	if (c->hello_seen)
		return 0;
	if (!lsi_sch_looks_tls(&c->enc))
		return lsi_tls_fail(t, LS_ETLS, 0,
		                    "the peer does not speak TLS (not a TLS record)");
	if (lsi_tls_hello_parse(c->enc.p, c->enc.len, &h) == LS_EAGAIN)
		return lsi_sch_need_more(t);
	c->hello_seen = 1;
	memcpy(c->sni, h.sni, sizeof(c->sni));
	n = lsi_tls_alpn_choose(t->cfg, &h, &proto);
	if (n == 0)
		return 0;
	return lsi_sch_alpn_buffer(proto, n, &c->alpn, &c->alpn_len);
}
