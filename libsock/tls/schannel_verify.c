/*
 * schannel_verify.c - libsock's own checks of the peer's certificate on
 * Schannel: the server's on a client (chain and name), the client's on a
 * server that asked for one (chain, for client authentication).
 *
 * Certificates are checked here, never by Schannel: wine's Schannel checks
 * nothing at all (an unknown CA with a wrong name completes the
 * handshake), so the credentials ask for manual validation on every
 * system and the same code decides on Windows and under wine, as curl does
 * with a CA file: CertGetCertificateChain through an engine whose only
 * roots are the CAs given (or the system's engine), the chain's trust
 * status mapped by libsock, then the SSL policy for the name.
 */
#include <stdio.h>
#include <string.h>

#include "tls/schannel.h"

/*
 * The SSL policy's "ignore" flags live in wininet.h, which would bring all
 * of WinINet's names along: the four the name check needs, with their
 * documented values.
 */
#ifndef SECURITY_FLAG_IGNORE_REVOCATION
#define SECURITY_FLAG_IGNORE_REVOCATION        0x00000080
#define SECURITY_FLAG_IGNORE_UNKNOWN_CA        0x00000100
#define SECURITY_FLAG_IGNORE_WRONG_USAGE       0x00000200
#define SECURITY_FLAG_IGNORE_CERT_DATE_INVALID 0x00002000
#endif

/*
 * A chain engine whose only roots are the CAs given. cbSize is the
 * Windows 7 layout (through hExclusiveTrustedPeople): wine 8 refuses the
 * Windows 8 one, and Windows accepts both.
 */
int lsi_sch_engine(lsi_sch_cfg *b)
{
	CERT_CHAIN_ENGINE_CONFIG ec;

	memset(&ec, 0, sizeof(ec));
	ec.cbSize =
	    offsetof(CERT_CHAIN_ENGINE_CONFIG, hExclusiveTrustedPeople) + sizeof(HCERTSTORE);
	ec.hExclusiveRoot = b->ca;
	if (!CertCreateCertificateChainEngine(&ec, &b->engine))
		return lsi_tls_fail(NULL, LS_ETLS, (int)GetLastError(),
		                    "CertCreateCertificateChainEngine failed");
	return 0;
}

/* A chain's trust status as a libsock code, untrusted before expired as OpenSSL does. */
static int lsi_sch_trust_code(DWORD e)
{
	const DWORD ignored =
	    CERT_TRUST_REVOCATION_STATUS_UNKNOWN | CERT_TRUST_IS_OFFLINE_REVOCATION;

	e &= ~ignored;
	if (e == CERT_TRUST_NO_ERROR)
		return 0;
	if (e & (CERT_TRUST_IS_UNTRUSTED_ROOT | CERT_TRUST_IS_PARTIAL_CHAIN))
		return LS_ECERTUNTRUSTED;
	if (e & CERT_TRUST_IS_NOT_TIME_VALID)
		return LS_ECERTEXPIRED;
	return LS_ECERT;
}

static const char *lsi_sch_trust_text(int code)
{
	switch (code) {
	case LS_ECERTUNTRUSTED:
		return "the chain does not lead to a trusted root";
	case LS_ECERTEXPIRED:
		return "a certificate in the chain has expired or is not yet valid";
	default:
		return "the chain is not valid";
	}
}

/*
 * Build the peer's chain, with the CA's engine or the system's, for the
 * use the peer's certificate is for: server authentication on a client,
 * client authentication on a server.
 */
static int lsi_sch_chain(ls_tls *t, PCCERT_CHAIN_CONTEXT *chain)
{
	lsi_sch_conn *c = LSI_CONN(t);
	static char server_auth[] = szOID_PKIX_KP_SERVER_AUTH;
	static char client_auth[] = szOID_PKIX_KP_CLIENT_AUTH;
	LPSTR usage[1] = {t->cfg->mode == LS_TLS_SERVER ? client_auth : server_auth};
	CERT_CHAIN_PARA para;

	memset(&para, 0, sizeof(para));
	para.cbSize = sizeof(para);
	para.RequestedUsage.dwType = USAGE_MATCH_TYPE_AND;
	para.RequestedUsage.Usage.cUsageIdentifier = 1;
	para.RequestedUsage.Usage.rgpszUsageIdentifier = usage;
	if (!CertGetCertificateChain(LSI_CFG(t->cfg)->engine, c->peer, NULL, c->peer->hCertStore,
	                             &para, 0, NULL, chain))
		return lsi_tls_fail(t, LS_ECERT, (int)GetLastError(),
		                    "CertGetCertificateChain failed");
	return 0;
}

/*
 * The chain's own status: when the CAs were given, the engine trusts only
 * them. Its root must also be one of them, as wine's engine may still end
 * a chain at a root from the system's store.
 */
static int lsi_sch_check_trust(ls_tls *t, PCCERT_CHAIN_CONTEXT chain)
{
	DWORD e = chain->TrustStatus.dwErrorStatus;
	const CERT_SIMPLE_CHAIN *sc = chain->rgpChain[0];
	PCCERT_CONTEXT root = sc->rgpElement[sc->cElement - 1]->pCertContext;
	HCERTSTORE ca = LSI_CFG(t->cfg)->ca;
	PCCERT_CONTEXT found;
	int code;

	if (ca != NULL && e == CERT_TRUST_NO_ERROR) {
		found = CertFindCertificateInStore(ca, X509_ASN_ENCODING, 0, CERT_FIND_EXISTING,
		                                   root, NULL);
		if (found == NULL)
			e |= CERT_TRUST_IS_UNTRUSTED_ROOT;
		else
			CertFreeCertificateContext(found);
	}
	code = lsi_sch_trust_code(e);
	if (code != 0)
		return lsi_tls_fail(t, code, (int)e,
		                    "certificate verify failed: %s (trust status 0x%lx)",
		                    lsi_sch_trust_text(code), (unsigned long)e);
	return 0;
}

/* The DNS name through the SSL policy, which ignores everything but the name. */
static int lsi_sch_check_dns(ls_tls *t, PCCERT_CHAIN_CONTEXT chain)
{
	SSL_EXTRA_CERT_CHAIN_POLICY_PARA ssl;
	CERT_CHAIN_POLICY_PARA para;
	CERT_CHAIN_POLICY_STATUS st;

	memset(&ssl, 0, sizeof(ssl));
	ssl.cbSize = sizeof(ssl);
	ssl.dwAuthType = AUTHTYPE_SERVER;
	ssl.fdwChecks = SECURITY_FLAG_IGNORE_UNKNOWN_CA | SECURITY_FLAG_IGNORE_CERT_DATE_INVALID |
	                SECURITY_FLAG_IGNORE_REVOCATION | SECURITY_FLAG_IGNORE_WRONG_USAGE;
	ssl.pwszServerName = LSI_CONN(t)->wname;
	memset(&para, 0, sizeof(para));
	para.cbSize = sizeof(para);
	para.dwFlags = CERT_CHAIN_POLICY_IGNORE_ALL_NOT_TIME_VALID_FLAGS |
	               CERT_CHAIN_POLICY_ALLOW_UNKNOWN_CA_FLAG;
	para.pvExtraPolicyPara = &ssl;
	memset(&st, 0, sizeof(st));
	st.cbSize = sizeof(st);
	if (!CertVerifyCertificateChainPolicy(CERT_CHAIN_POLICY_SSL, chain, &para, &st))
		return lsi_tls_fail(t, LS_ECERT, (int)GetLastError(),
		                    "CertVerifyCertificateChainPolicy failed");
	if (st.dwError == (DWORD)CERT_E_CN_NO_MATCH)
		return lsi_tls_fail(t, LS_ECERTNAME, (int)st.dwError,
		                    "certificate verify failed: it does not name %s",
		                    t->server_name);
	if (st.dwError != 0)
		return lsi_tls_fail(t, LS_ECERT, (int)st.dwError,
		                    "certificate verify failed: SSL policy error 0x%08lx",
		                    (unsigned long)st.dwError);
	return 0;
}

/* 1 if the leaf's subjectAltName has the IP address a (4 or 16 bytes). */
static int lsi_sch_has_ip(PCCERT_CONTEXT leaf, const ls_addr *a)
{
	size_t n = a->family == LS_AF_INET ? 4 : 16;
	PCERT_EXTENSION ext;
	CERT_ALT_NAME_INFO *alt = NULL;
	DWORD size = 0, i;
	int found = 0;

	ext = CertFindExtension(szOID_SUBJECT_ALT_NAME2, leaf->pCertInfo->cExtension,
	                        leaf->pCertInfo->rgExtension);
	if (ext == NULL ||
	    !CryptDecodeObjectEx(X509_ASN_ENCODING, X509_ALTERNATE_NAME, ext->Value.pbData,
	                         ext->Value.cbData, CRYPT_DECODE_ALLOC_FLAG, NULL, &alt, &size))
		return 0;
	for (i = 0; i < alt->cAltEntry && !found; i++) {
		const CERT_ALT_NAME_ENTRY *e = &alt->rgAltEntry[i];

		found = e->dwAltNameChoice == CERT_ALT_NAME_IP_ADDRESS &&
		        e->IPAddress.cbData == n && memcmp(e->IPAddress.pbData, a->ip, n) == 0;
	}
	LocalFree(alt);
	return found;
}

/*
 * An address against the certificate's IP entries, by hand: the SSL
 * policy takes a DNS name only (and a common name never counts for an
 * address).
 */
static int lsi_sch_check_ip(ls_tls *t)
{
	ls_addr a;

	if (ls_addr_parse_ip(&a, t->server_name, LS_AF_UNSPEC) != 0)
		return lsi_tls_fail(t, LS_ECERTNAME, 0, "unusable address %s", t->server_name);
	if (!lsi_sch_has_ip(LSI_CONN(t)->peer, &a))
		return lsi_tls_fail(t, LS_ECERTNAME, (int)CERT_E_CN_NO_MATCH,
		                    "certificate verify failed: it does not name %s",
		                    t->server_name);
	return 0;
}

/*
 * No certificate from the peer. A client always expects one (unless every
 * check is off); a server only when it requires one.
 */
static int lsi_sch_no_peer_cert(ls_tls *t, SECURITY_STATUS st, int name_check)
{
	const ls_tls_config *cfg = t->cfg;

	if (cfg->mode == LS_TLS_SERVER)
		return cfg->client_auth != LS_TLS_CLIENT_AUTH_REQUIRED
		           ? 0
		           : lsi_tls_fail(t, LS_ECERT, (int)st,
		                          "the client sent no certificate and one is required");
	if (!cfg->verify_chain && !name_check)
		return 0;
	return lsi_sch_fail(t, LS_ECERT, st, "the server sent no certificate");
}

int lsi_sch_verify(ls_tls *t)
{
	lsi_sch_conn *c = LSI_CONN(t);
	const ls_tls_config *cfg = t->cfg;
	int name_check = cfg->mode == LS_TLS_CLIENT && cfg->verify_name;
	PCCERT_CHAIN_CONTEXT chain = NULL;
	SECURITY_STATUS st;
	int rc;

	st = QueryContextAttributesW(&c->ctx, SECPKG_ATTR_REMOTE_CERT_CONTEXT, &c->peer);
	if (st != SEC_E_OK || c->peer == NULL) {
		c->peer = NULL;
		return lsi_sch_no_peer_cert(t, st, name_check);
	}
	if (!cfg->verify_chain && !name_check)
		return 0;
	rc = lsi_sch_chain(t, &chain);
	if (rc == 0 && cfg->verify_chain)
		rc = lsi_sch_check_trust(t, chain);
	if (rc == 0 && name_check)
		rc = t->name_is_ip ? lsi_sch_check_ip(t) : lsi_sch_check_dns(t, chain);
	if (chain != NULL)
		CertFreeCertificateChain(chain);
	/* Verified: every check there is for this side passed, none turned off. */
	c->verified = rc == 0 && cfg->verify_chain && (cfg->mode == LS_TLS_SERVER || name_check);
	return rc;
}

DWORD lsi_sch_alert_of(int code)
{
	switch (code) {
	case LS_ECERTUNTRUSTED:
		return TLS1_ALERT_UNKNOWN_CA;
	case LS_ECERTEXPIRED:
		return TLS1_ALERT_CERTIFICATE_EXPIRED;
	case LS_ECERT:
	case LS_ECERTNAME:
		return TLS1_ALERT_BAD_CERTIFICATE;
	default:
		return TLS1_ALERT_HANDSHAKE_FAILURE;
	}
}
