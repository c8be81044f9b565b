/*
 * schannel.c - the TLS backend on Windows' Schannel (secur32 and crypt32;
 * backend.h is the contract). A client only: wine, which the windows-wine
 * preset runs on, has no AcceptSecurityContext, so a server configuration
 * is LS_ENOTSUP with a sentence saying so.
 *
 * A configuration is one credentials handle (made when it freezes), the CA
 * store it was given and a chain engine restricted to that store; a
 * connection is one security context and three buffers: bytes to send
 * (handshake tokens, records, close_notify), bytes received and not yet
 * decrypted, and plaintext not yet returned. Schannel never touches the
 * socket: every byte goes through lsi_tls_io_send/lsi_tls_io_recv, so
 * common code does the waiting as for OpenSSL.
 *
 * Certificates are checked here, never by Schannel: wine's Schannel checks
 * nothing at all (an unknown CA with a wrong name completes the handshake),
 * so the credentials ask for manual validation on every system and the
 * same code decides on Windows and under wine, as curl does with a CA file.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tls/backend.h"

#define SECURITY_WIN32
#define SCHANNEL_USE_BLACKLISTS /* SCH_CREDENTIALS, the only way to TLS 1.3 */
#include <windows.h>
#include <subauth.h>
#include <security.h>
#include <schannel.h>
#include <wincrypt.h>

/* CryptAcquireContext and CryptImportKey (mingw links advapi32 by default). */
#ifdef _MSC_VER
#pragma comment(lib, "advapi32")
#endif

/*
 * The SSL policy's "ignore" flags live in wininet.h, which would bring all
 * of WinINet's names along: the four the name check needs, with their
 * documented values.
 */
#ifndef SECURITY_FLAG_IGNORE_REVOCATION
#define SECURITY_FLAG_IGNORE_REVOCATION 0x00000080
#define SECURITY_FLAG_IGNORE_UNKNOWN_CA 0x00000100
#define SECURITY_FLAG_IGNORE_WRONG_USAGE 0x00000200
#define SECURITY_FLAG_IGNORE_CERT_DATE_INVALID 0x00002000
#endif

/* Room to read into when more records are needed (one record and a bit). */
#define LSI_SCH_READ (17 * 1024)

/* A growable byte buffer: len bytes of data at p. */
typedef struct lsi_buf {
	unsigned char *p;
	size_t len, cap;
} lsi_buf;

typedef struct lsi_sch_cfg {
	CredHandle cred;
	int have_cred;
	HCERTSTORE ca;           /* the CAs given (then the only trust), or NULL */
	HCERTCHAINENGINE engine; /* a chain engine trusting only ca, or NULL */
	HCERTSTORE own_store;    /* the PKCS#12 or PEM store the client certificate came from */
	PCCERT_CONTEXT own;      /* the client certificate (with its key), or NULL */
	HCRYPTPROV own_prov;     /* a PEM key's in-memory CryptoAPI context, or 0 */
	unsigned char *alpn;     /* SEC_APPLICATION_PROTOCOLS for the ClientHello */
	unsigned long alpn_len;
} lsi_sch_cfg;

/* Where a connection's handshake is. */
enum { LSI_HS_START, LSI_HS_RUN, LSI_HS_TOKENS_DONE, LSI_HS_DONE };

typedef struct lsi_sch_conn {
	CtxtHandle ctx;
	int have_ctx;
	int hs;              /* LSI_HS_* */
	int reneg;           /* DecryptMessage asked for SEC_I_RENEGOTIATE's tokens */
	unsigned long req;   /* the ISC_REQ_* flags */
	lsi_buf out;         /* to send, from out_off on */
	size_t out_off;
	size_t taken;        /* plaintext in out's record, reported once it is sent */
	lsi_buf enc;         /* received, not yet decrypted */
	lsi_buf dec;         /* decrypted, not yet returned, from dec_off on */
	size_t dec_off;
	int closed;          /* the peer's close_notify arrived */
	int shut_built;      /* our close_notify is in out */
	int verified;
	SecPkgContext_StreamSizes sizes;
	PCCERT_CONTEXT peer;
	WCHAR *wname;        /* the server name in UTF-16, or NULL */
	char cipher[64];
	int version;
} lsi_sch_conn;

#define LSI_CFG(cfg) ((lsi_sch_cfg *)(cfg)->be)
#define LSI_CONN(t) ((lsi_sch_conn *)(t)->be)

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

/* Schannel's status as a sentence ending in its code, for the detail. */
static int lsi_sch_fail(ls_tls *t, int code, SECURITY_STATUS st, const char *what)
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

/* A handshake status as a libsock code. */
static int lsi_sch_hs_code(SECURITY_STATUS st)
{
	switch (st) {
	case SEC_E_UNTRUSTED_ROOT:
	case SEC_E_CERT_UNKNOWN:
		return LS_ECERTUNTRUSTED;
	case SEC_E_CERT_EXPIRED:
		return LS_ECERTEXPIRED;
	case SEC_E_WRONG_PRINCIPAL:
		return LS_ECERTNAME;
	case SEC_E_INSUFFICIENT_MEMORY:
		return LS_ENOMEM;
	default:
		return LS_ETLS;
	}
}

/* --- Configuration ------------------------------------------------------- */

int lsi_tlsb_config_new(ls_tls_config *cfg)
{
	if (cfg->mode == LS_TLS_SERVER)
		return lsi_tls_fail(NULL, LS_ENOTSUP, 0,
		                    "the Schannel backend is a client only (wine has no "
		                    "AcceptSecurityContext); no TLS server on Windows yet");
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
	if (b->own != NULL)
		CertFreeCertificateContext(b->own);
	if (b->own_store != NULL)
		CertCloseStore(b->own_store, 0);
	if (b->own_prov != 0)
		CryptReleaseContext(b->own_prov, 0);
	if (b->ca != NULL)
		CertCloseStore(b->ca, 0);
	free(b->alpn);
	free(b);
	cfg->be = NULL;
}

/* Find "-----BEGIN CERTIFICATE-----" ... "-----END CERTIFICATE-----" from *pos on. */
static int lsi_pem_next(const char *pem, size_t len, size_t *pos, size_t *start, size_t *end)
{
	static const char begin[] = "-----BEGIN CERTIFICATE-----";
	static const char fin[] = "-----END CERTIFICATE-----";
	size_t i, s = SIZE_MAX;

	for (i = *pos; i + sizeof(fin) - 1 <= len; i++) {
		if (s == SIZE_MAX && i + sizeof(begin) - 1 <= len &&
		    memcmp(pem + i, begin, sizeof(begin) - 1) == 0)
			s = i;
		else if (s != SIZE_MAX && memcmp(pem + i, fin, sizeof(fin) - 1) == 0)
			break;
	}
	if (s == SIZE_MAX || i + sizeof(fin) - 1 > len)
		return 0;
	*start = s;
	*end = i + sizeof(fin) - 1;
	*pos = *end;
	return 1;
}

/* Decode one PEM block and add it to store. 1 if it was a certificate. */
static int lsi_pem_add(HCERTSTORE store, const char *block, size_t n)
{
	DWORD der_len = 0;
	BYTE *der;
	int ok;

	if (!CryptStringToBinaryA(block, (DWORD)n, CRYPT_STRING_BASE64HEADER, NULL, &der_len, NULL,
	                          NULL))
		return 0;
	der = malloc(der_len);
	if (der == NULL)
		return 0;
	ok = CryptStringToBinaryA(block, (DWORD)n, CRYPT_STRING_BASE64HEADER, der, &der_len, NULL,
	                          NULL) &&
	     CertAddEncodedCertificateToStore(store, X509_ASN_ENCODING, der, der_len,
	                                      CERT_STORE_ADD_USE_EXISTING, NULL);
	free(der);
	return ok;
}

/* Every certificate in PEM text into a new memory store; NULL if there is none. */
static HCERTSTORE lsi_pem_store(const void *pem, size_t len)
{
	HCERTSTORE store = CertOpenStore(CERT_STORE_PROV_MEMORY, 0, 0, 0, NULL);
	size_t pos = 0, s, e;
	int count = 0;

	if (store == NULL)
		return NULL;
	while (lsi_pem_next(pem, len, &pos, &s, &e))
		count += lsi_pem_add(store, (const char *)pem + s, e - s);
	if (count == 0) {
		CertCloseStore(store, 0);
		return NULL;
	}
	return store;
}

int lsi_tlsb_config_ca(ls_tls_config *cfg, const void *pem, size_t len)
{
	lsi_sch_cfg *b = LSI_CFG(cfg);
	HCERTSTORE add = lsi_pem_store(pem, len);
	PCCERT_CONTEXT c = NULL;

	if (add == NULL)
		return lsi_tls_fail(NULL, LS_EINVAL, (int)GetLastError(),
		                    "no PEM certificate in the CA data");
	if (b->ca == NULL) {
		b->ca = add;
		return 0;
	}
	while ((c = CertEnumCertificatesInStore(add, c)) != NULL)
		CertAddCertificateContextToStore(b->ca, c, CERT_STORE_ADD_USE_EXISTING, NULL);
	CertCloseStore(add, 0);
	return 0;
}

/* --- A PEM certificate and key ------------------------------------------- */

/* Where needle first occurs in the len bytes at p, or NULL. */
static const char *lsi_mem_find(const char *p, size_t len, const char *needle)
{
	size_t n = strlen(needle), i;

	for (i = 0; i + n <= len; i++)
		if (memcmp(p + i, needle, n) == 0)
			return p + i;
	return NULL;
}

/* The DER of the PEM block starting at text (n bytes on); LocalFree() it. */
static BYTE *lsi_pem_der(const char *text, size_t n, DWORD *der_len)
{
	BYTE *der;

	*der_len = 0;
	if (n > 0x7fffffff || !CryptStringToBinaryA(text, (DWORD)n, CRYPT_STRING_BASE64HEADER, NULL,
	                                            der_len, NULL, NULL))
		return NULL;
	der = LocalAlloc(LMEM_FIXED, *der_len);
	if (der != NULL && !CryptStringToBinaryA(text, (DWORD)n, CRYPT_STRING_BASE64HEADER, der,
	                                         der_len, NULL, NULL)) {
		LocalFree(der);
		der = NULL;
	}
	return der;
}

/* A PKCS#1 RSAPrivateKey in DER as a CryptoAPI PRIVATEKEYBLOB; LocalFree() it. */
static BYTE *lsi_rsa_blob(const BYTE *der, DWORD len, DWORD *blob_len)
{
	BYTE *blob = NULL;

	if (!CryptDecodeObjectEx(X509_ASN_ENCODING | PKCS_7_ASN_ENCODING, PKCS_RSA_PRIVATE_KEY, der,
	                         len, CRYPT_DECODE_ALLOC_FLAG, NULL, &blob, blob_len))
		return NULL;
	return blob;
}

/* One DER element at *p (before end): its tag and contents; *p moves past it. */
static int lsi_der_next(const BYTE **p, const BYTE *end, BYTE *tag, const BYTE **body,
                        size_t *len)
{
	const BYTE *q = *p;
	size_t n, k;

	if (end - q < 2)
		return 0;
	*tag = *q++;
	n = *q++;
	if (n & 0x80) {
		k = n & 0x7f;
		if (k == 0 || k > 4 || (size_t)(end - q) < k)
			return 0;
		for (n = 0; k > 0; k--)
			n = (n << 8) | *q++;
	}
	if ((size_t)(end - q) < n)
		return 0;
	*body = q;
	*len = n;
	*p = q + n;
	return 1;
}

/*
 * The RSAPrivateKey inside a PKCS#8 PrivateKeyInfo (SEQUENCE { version,
 * AlgorithmIdentifier, OCTET STRING }), read by hand: wine 8's
 * CryptDecodeObjectEx has no PKCS_PRIVATE_KEY_INFO (measured: it fails with
 * ERROR_FILE_NOT_FOUND, no decoder).
 */
static int lsi_pkcs8_rsa(const BYTE *der, size_t len, const BYTE **rsa, size_t *rsa_len)
{
	static const BYTE rsa_oid[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01};
	const BYTE *p = der, *end = der + len, *body, *alg, *oid;
	size_t n, alen, olen;
	BYTE tag;

	if (!lsi_der_next(&p, end, &tag, &body, &n) || tag != 0x30)
		return LS_EINVAL;
	p = body;
	end = body + n;
	if (!lsi_der_next(&p, end, &tag, &body, &n) || tag != 0x02 ||
	    !lsi_der_next(&p, end, &tag, &alg, &alen) || tag != 0x30)
		return LS_EINVAL;
	if (!lsi_der_next(&alg, alg + alen, &tag, &oid, &olen) || tag != 0x06)
		return LS_EINVAL;
	if (olen != sizeof(rsa_oid) || memcmp(oid, rsa_oid, olen) != 0)
		return LS_ENOTSUP;
	if (!lsi_der_next(&p, end, &tag, rsa, rsa_len) || tag != 0x04)
		return LS_EINVAL;
	return 0;
}

/* The RSA key inside PKCS#8 PrivateKeyInfo as a PRIVATEKEYBLOB, or an error. */
static int lsi_pkcs8_blob(const BYTE *der, DWORD len, BYTE **blob, DWORD *blob_len)
{
	const BYTE *rsa = NULL;
	size_t rsa_len = 0;
	int rc = lsi_pkcs8_rsa(der, len, &rsa, &rsa_len);

	if (rc == LS_ENOTSUP)
		return lsi_tls_fail(NULL, rc, 0,
		                    "the Schannel backend takes RSA keys only from PEM "
		                    "(this PKCS#8 key is not RSA); use PKCS#12");
	if (rc != 0 || rsa_len > 0xffff ||
	    (*blob = lsi_rsa_blob(rsa, (DWORD)rsa_len, blob_len)) == NULL)
		return lsi_tls_fail(NULL, LS_EINVAL, (int)GetLastError(),
		                    "cannot decode the PKCS#8 RSA private key");
	return 0;
}

/*
 * The PEM key as a PRIVATEKEYBLOB: PKCS#8 ("PRIVATE KEY") or PKCS#1 ("RSA
 * PRIVATE KEY"), RSA only. Other keys are LS_ENOTSUP: CryptoAPI, which
 * wine's Schannel takes keys from (it exports them as PRIVATEKEYBLOB, as
 * its PFXImportCertStore imports them), has RSA only.
 */
static int lsi_pem_key_blob(const void *key, size_t len, BYTE **blob, DWORD *blob_len)
{
	const char *pem = key, *k = lsi_mem_find(pem, len, "-----BEGIN ");
	size_t n = k != NULL ? len - (size_t)(k - pem) : 0;
	DWORD der_len = 0;
	BYTE *der;
	int rc = 0;

	if (k == NULL || lsi_mem_find(k, n, "PRIVATE KEY-----") == NULL)
		return lsi_tls_fail(NULL, LS_EINVAL, 0, "no PEM private key");
	if (strncmp(k, "-----BEGIN PRIVATE KEY-----", 27) != 0 &&
	    strncmp(k, "-----BEGIN RSA PRIVATE KEY-----", 31) != 0)
		return lsi_tls_fail(NULL, strncmp(k, "-----BEGIN ENCRYPTED", 20) == 0 ? LS_EINVAL
		                                                                      : LS_ENOTSUP,
		                    0, "the Schannel backend takes unencrypted RSA keys from PEM "
		                       "(PKCS#8 or PKCS#1); use PKCS#12");
	der = lsi_pem_der(k, n, &der_len);
	if (der == NULL)
		return lsi_tls_fail(NULL, LS_EINVAL, (int)GetLastError(),
		                    "unreadable PEM private key");
	if (k[11] == 'R')
		*blob = lsi_rsa_blob(der, der_len, blob_len);
	else
		rc = lsi_pkcs8_blob(der, der_len, blob, blob_len);
	if (rc == 0 && *blob == NULL)
		rc = lsi_tls_fail(NULL, LS_EINVAL, (int)GetLastError(),
		                  "cannot decode the RSA key");
	SecureZeroMemory(der, der_len);
	LocalFree(der);
	return rc;
}

/* An RSA key's public half as a PUBLICKEYBLOB's RSAPUBKEY and modulus; LocalFree() it. */
static BYTE *lsi_rsa_public(HCRYPTKEY key, DWORD *len)
{
	BYTE *b;

	*len = 0;
	if (!CryptExportKey(key, 0, PUBLICKEYBLOB, 0, NULL, len))
		return NULL;
	b = LocalAlloc(LMEM_FIXED, *len);
	if (b != NULL && !CryptExportKey(key, 0, PUBLICKEYBLOB, 0, b, len)) {
		LocalFree(b);
		b = NULL;
	}
	return b;
}

/* Whether the certificate's public key is the imported key's. */
static int lsi_key_matches(HCRYPTPROV prov, HCRYPTKEY priv, PCCERT_CONTEXT leaf)
{
	CERT_PUBLIC_KEY_INFO *info = &leaf->pCertInfo->SubjectPublicKeyInfo;
	HCRYPTKEY pub = 0;
	BYTE *a = NULL, *b = NULL;
	DWORD alen = 0, blen = 0;
	int same;

	if (!CryptImportPublicKeyInfo(prov, X509_ASN_ENCODING, info, &pub))
		return 0;
	a = lsi_rsa_public(priv, &alen);
	b = lsi_rsa_public(pub, &blen);
	/* After the BLOBHEADER: the RSAPUBKEY (bit length, exponent) and the modulus. */
	same = a != NULL && b != NULL && alen == blen && alen > sizeof(BLOBHEADER) &&
	       memcmp(a + sizeof(BLOBHEADER), b + sizeof(BLOBHEADER),
	              alen - sizeof(BLOBHEADER)) == 0;
	LocalFree(a);
	LocalFree(b);
	CryptDestroyKey(pub);
	return same;
}

/*
 * Import the key into an in-memory CryptoAPI context (CRYPT_VERIFYCONTEXT:
 * nothing is written to the user's key containers), exportable because
 * wine's Schannel exports it to hand it to GnuTLS, and check it belongs to
 * the leaf.
 */
static int lsi_import_key(const BYTE *blob, DWORD len, PCCERT_CONTEXT leaf, HCRYPTPROV *out)
{
	HCRYPTPROV prov = 0;
	HCRYPTKEY key = 0;
	int rc = 0;

	if (!CryptAcquireContextW(&prov, NULL, NULL, PROV_RSA_AES, CRYPT_VERIFYCONTEXT))
		return lsi_tls_fail(NULL, LS_ENOMEM, (int)GetLastError(), "CryptAcquireContext");
	if (!CryptImportKey(prov, blob, len, 0, CRYPT_EXPORTABLE, &key))
		rc = lsi_tls_fail(NULL, LS_EINVAL, (int)GetLastError(),
		                  "cannot import the RSA key");
	else if (!lsi_key_matches(prov, key, leaf))
		rc = lsi_tls_fail(NULL, LS_EINVAL, 0, "the certificate and key do not go together");
	if (key != 0)
		CryptDestroyKey(key);
	if (rc != 0) {
		CryptReleaseContext(prov, 0);
		return rc;
	}
	*out = prov;
	return 0;
}

/* The chain's certificates into a new store; the leaf (the first) in *leaf. */
static int lsi_pem_chain(const void *pem, size_t len, HCERTSTORE *store, PCCERT_CONTEXT *leaf)
{
	PCCERT_CONTEXT first = NULL;
	size_t pos = 0, s, e;
	DWORD der_len;
	BYTE *der;

	*leaf = NULL;
	*store = lsi_pem_store(pem, len);
	if (*store == NULL || !lsi_pem_next(pem, len, &pos, &s, &e))
		return lsi_tls_fail(NULL, LS_EINVAL, (int)GetLastError(),
		                    "no PEM certificate in the chain");
	/* The store's order is not the file's: find the first block's certificate in it. */
	der = lsi_pem_der((const char *)pem + s, e - s, &der_len);
	if (der != NULL)
		first = CertCreateCertificateContext(X509_ASN_ENCODING, der, der_len);
	if (first != NULL)
		*leaf = CertFindCertificateInStore(*store, X509_ASN_ENCODING, 0, CERT_FIND_EXISTING,
		                                   first, NULL);
	if (first != NULL)
		CertFreeCertificateContext(first);
	LocalFree(der);
	return *leaf != NULL ? 0
	                     : lsi_tls_fail(NULL, LS_EINVAL, (int)GetLastError(),
	                                    "unreadable PEM certificate");
}

/* Attach the key to the leaf; the context stays ours (released with the configuration). */
static int lsi_attach_key(PCCERT_CONTEXT leaf, HCRYPTPROV prov)
{
	CERT_KEY_CONTEXT kc;

	memset(&kc, 0, sizeof(kc));
	kc.cbSize = sizeof(kc);
	kc.hCryptProv = prov;
	kc.dwKeySpec = AT_KEYEXCHANGE;
	if (!CertSetCertificateContextProperty(leaf, CERT_KEY_CONTEXT_PROP_ID,
	                                       CERT_STORE_NO_CRYPT_RELEASE_FLAG, &kc))
		return lsi_tls_fail(NULL, LS_ENOMEM, (int)GetLastError(),
		                    "CertSetCertificateContextProperty");
	return 0;
}

/* Replace the configuration's certificate, its store and its key context. */
static void lsi_sch_set_own(lsi_sch_cfg *b, PCCERT_CONTEXT own, HCERTSTORE store,
                            HCRYPTPROV prov)
{
	if (b->own != NULL)
		CertFreeCertificateContext(b->own);
	if (b->own_store != NULL)
		CertCloseStore(b->own_store, 0);
	if (b->own_prov != 0)
		CryptReleaseContext(b->own_prov, 0);
	b->own = own;
	b->own_store = store;
	b->own_prov = prov;
}

int lsi_tlsb_config_cert(ls_tls_config *cfg, const void *chain, size_t chain_len,
                         const void *key, size_t key_len)
{
	HCERTSTORE store = NULL;
	PCCERT_CONTEXT leaf = NULL;
	HCRYPTPROV prov = 0;
	BYTE *blob = NULL;
	DWORD blob_len = 0;
	int rc = lsi_pem_chain(chain, chain_len, &store, &leaf);

	if (rc == 0)
		rc = lsi_pem_key_blob(key, key_len, &blob, &blob_len);
	if (rc == 0)
		rc = lsi_import_key(blob, blob_len, leaf, &prov);
	if (rc == 0)
		rc = lsi_attach_key(leaf, prov);
	if (blob != NULL) {
		SecureZeroMemory(blob, blob_len);
		LocalFree(blob);
	}
	if (rc == 0) {
		lsi_sch_set_own(LSI_CFG(cfg), leaf, store, prov);
		return 0;
	}
	if (prov != 0)
		CryptReleaseContext(prov, 0);
	if (leaf != NULL)
		CertFreeCertificateContext(leaf);
	if (store != NULL)
		CertCloseStore(store, 0);
	return rc;
}

/* The password in UTF-16 for PFXImportCertStore (NULL for none: the empty one). */
static WCHAR *lsi_wide(const char *s)
{
	int n = MultiByteToWideChar(CP_UTF8, 0, s != NULL ? s : "", -1, NULL, 0);
	WCHAR *w = n > 0 ? malloc((size_t)n * sizeof(WCHAR)) : NULL;

	if (w != NULL && MultiByteToWideChar(CP_UTF8, 0, s != NULL ? s : "", -1, w, n) != n) {
		free(w);
		w = NULL;
	}
	return w;
}

/*
 * Whether a certificate has its private key attached. Where the key is
 * depends on the import: a CryptoAPI container (KEY_PROV_INFO), a key kept
 * in memory for CryptoAPI (KEY_CONTEXT), or a CNG handle (with
 * PKCS12_NO_PERSIST_KEY on Windows).
 */
static int lsi_cert_has_key(PCCERT_CONTEXT c)
{
	static const DWORD props[] = {CERT_KEY_PROV_INFO_PROP_ID, CERT_KEY_CONTEXT_PROP_ID,
	                              CERT_NCRYPT_KEY_HANDLE_PROP_ID};
	DWORD n;
	size_t i;

	for (i = 0; i < sizeof(props) / sizeof(props[0]); i++) {
		n = 0;
		if (CertGetCertificateContextProperty(c, props[i], NULL, &n))
			return 1;
	}
	return 0;
}

/* The first certificate in store that has a private key (a new reference). */
static PCCERT_CONTEXT lsi_store_keyed_cert(HCERTSTORE store)
{
	PCCERT_CONTEXT c = NULL;

	while ((c = CertEnumCertificatesInStore(store, c)) != NULL)
		if (lsi_cert_has_key(c))
			return c; /* the enumeration's reference, now the caller's */
	return NULL;
}

int lsi_tlsb_config_pkcs12(ls_tls_config *cfg, const void *data, size_t len,
                           const char *password)
{
	lsi_sch_cfg *b = LSI_CFG(cfg);
	CRYPT_DATA_BLOB blob = {(DWORD)len, (BYTE *)data};
	WCHAR *pw = lsi_wide(password);
	HCERTSTORE store;
	PCCERT_CONTEXT own;

	if (pw == NULL)
		return lsi_fail(LS_ENOMEM);
	/* Keys stay in memory: nothing is written to the user's key containers. */
	store = len <= 0x7fffffff && PFXIsPFXBlob(&blob)
	        ? PFXImportCertStore(&blob, pw, PKCS12_NO_PERSIST_KEY) : NULL;
	free(pw);
	if (store == NULL)
		return lsi_tls_fail(NULL, LS_EINVAL, (int)GetLastError(),
		                    "cannot open the PKCS#12 data (not PKCS#12, a wrong password, "
		                    "or under wine a key that is not RSA)");
	own = lsi_store_keyed_cert(store);
	if (own == NULL) {
		CertCloseStore(store, 0);
		return lsi_tls_fail(NULL, LS_EINVAL, 0, "no certificate with a key in the PKCS#12 data");
	}
	lsi_sch_set_own(b, own, store, 0);
	return 0;
}

/* The client protocol bits from min to max (0: the newest). */
static DWORD lsi_sch_protocols(int min, int max)
{
	static const struct {
		int v;
		DWORD bit;
	} map[] = {{LS_TLS_V1_0, SP_PROT_TLS1_0_CLIENT}, {LS_TLS_V1_1, SP_PROT_TLS1_1_CLIENT},
	           {LS_TLS_V1_2, SP_PROT_TLS1_2_CLIENT}, {LS_TLS_V1_3, SP_PROT_TLS1_3_CLIENT}};
	DWORD bits = 0;
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i].v >= min && (max == 0 || map[i].v <= max))
			bits |= map[i].bit;
	return bits;
}

/*
 * The checks are ours (lsi_sch_verify), and Schannel must not pick a
 * client certificate from the user's store by itself.
 */
#define LSI_SCH_CRED_FLAGS (SCH_CRED_MANUAL_CRED_VALIDATION | SCH_CRED_NO_DEFAULT_CREDS | \
                            SCH_CRED_NO_SERVERNAME_CHECK | SCH_USE_STRONG_CRYPTO)

/*
 * Whether the credentials enable only the protocols asked for. Wine 8
 * accepts SCH_CREDENTIALS but ignores its TLS_PARAMETERS and enables its
 * defaults, SSL 3 to TLS 1.2 (measured: supported protocols 0xaa0), so
 * such credentials are refused rather than used.
 */
static int lsi_sch_cred_protocols_ok(CredHandle *cred, DWORD want)
{
	SecPkgCred_SupportedProtocols sp;

	memset(&sp, 0, sizeof(sp));
	if (QueryCredentialsAttributesA(cred, SECPKG_ATTR_SUPPORTED_PROTOCOLS, &sp) != SEC_E_OK)
		return 1; /* cannot tell: trust what was asked */
	return (sp.grbitProtocol & SP_PROT_CLIENTS & ~want) == 0;
}

/* Credentials with SCH_CREDENTIALS (Windows 10 1809 and newer): the way to TLS 1.3. */
static SECURITY_STATUS lsi_sch_acquire_new(lsi_sch_cfg *b, DWORD protocols)
{
	SCH_CREDENTIALS sc;
	TLS_PARAMETERS tp;
	PCCERT_CONTEXT certs[1] = {b->own};

	memset(&sc, 0, sizeof(sc));
	memset(&tp, 0, sizeof(tp));
	tp.grbitDisabledProtocols = SP_PROT_CLIENTS & ~protocols;
	sc.dwVersion = SCH_CREDENTIALS_VERSION;
	sc.dwFlags = LSI_SCH_CRED_FLAGS;
	sc.cTlsParameters = 1;
	sc.pTlsParameters = &tp;
	sc.cCreds = b->own != NULL;
	sc.paCred = certs;
	return AcquireCredentialsHandleA(NULL, (char *)UNISP_NAME_A, SECPKG_CRED_OUTBOUND, NULL, &sc,
	                                 NULL, NULL, &b->cred, NULL);
}

/*
 * Credentials with SCHANNEL_CRED (every Windows, and wine): TLS 1.2 at
 * most. The protocols are always given: 0 would mean the runtime's
 * defaults, which under wine include SSL 3.
 */
static SECURITY_STATUS lsi_sch_acquire_old(lsi_sch_cfg *b, DWORD protocols)
{
	SCHANNEL_CRED sc;
	PCCERT_CONTEXT certs[1] = {b->own};

	memset(&sc, 0, sizeof(sc));
	sc.dwVersion = SCHANNEL_CRED_VERSION;
	sc.dwFlags = LSI_SCH_CRED_FLAGS;
	sc.grbitEnabledProtocols = protocols & ~SP_PROT_TLS1_3_CLIENT;
	sc.cCreds = b->own != NULL;
	sc.paCred = certs;
	return AcquireCredentialsHandleA(NULL, (char *)UNISP_NAME_A, SECPKG_CRED_OUTBOUND, NULL, &sc,
	                                 NULL, NULL, &b->cred, NULL);
}

static int lsi_sch_acquire(ls_tls_config *cfg)
{
	lsi_sch_cfg *b = LSI_CFG(cfg);
	DWORD want = lsi_sch_protocols(cfg->min_version, cfg->max_version);
	SECURITY_STATUS st = SEC_E_UNSUPPORTED_FUNCTION;

	if (want & SP_PROT_TLS1_3_CLIENT) {
		st = lsi_sch_acquire_new(b, want);
		if (st == SEC_E_OK && !lsi_sch_cred_protocols_ok(&b->cred, want)) {
			FreeCredentialsHandle(&b->cred);
			st = SEC_E_UNSUPPORTED_FUNCTION;
		}
	}
	if (st != SEC_E_OK && (want & ~SP_PROT_TLS1_3_CLIENT) == 0)
		return lsi_sch_fail(NULL, LS_ETLS, st, "TLS 1.3 is not available from this Schannel");
	if (st != SEC_E_OK)
		st = lsi_sch_acquire_old(b, want);
	if (st != SEC_E_OK)
		return lsi_sch_fail(NULL, st == SEC_E_INSUFFICIENT_MEMORY ? LS_ENOMEM : LS_ETLS, st,
		                    "AcquireCredentialsHandle");
	b->have_cred = 1;
	return 0;
}

/*
 * A chain engine whose only roots are the CAs given. cbSize is the
 * Windows 7 layout (through hExclusiveTrustedPeople): wine 8 refuses the
 * Windows 8 one, and Windows accepts both.
 */
static int lsi_sch_engine(lsi_sch_cfg *b)
{
	CERT_CHAIN_ENGINE_CONFIG ec;

	memset(&ec, 0, sizeof(ec));
	ec.cbSize = offsetof(CERT_CHAIN_ENGINE_CONFIG, hExclusiveTrustedPeople) + sizeof(HCERTSTORE);
	ec.hExclusiveRoot = b->ca;
	if (!CertCreateCertificateChainEngine(&ec, &b->engine))
		return lsi_tls_fail(NULL, LS_ETLS, (int)GetLastError(),
		                    "CertCreateCertificateChainEngine failed");
	return 0;
}

/* The ALPN list as SEC_APPLICATION_PROTOCOLS: one list, of the ALPN kind. */
static int lsi_sch_alpn(ls_tls_config *cfg)
{
	lsi_sch_cfg *b = LSI_CFG(cfg);
	SEC_APPLICATION_PROTOCOLS *ap;
	size_t n = offsetof(SEC_APPLICATION_PROTOCOLS, ProtocolLists) +
	           offsetof(SEC_APPLICATION_PROTOCOL_LIST, ProtocolList) + cfg->alpn_len;

	ap = calloc(1, n);
	if (ap == NULL)
		return lsi_fail(LS_ENOMEM);
	ap->ProtocolListsSize = (unsigned long)(n - offsetof(SEC_APPLICATION_PROTOCOLS, ProtocolLists));
	ap->ProtocolLists[0].ProtoNegoExt = SecApplicationProtocolNegotiationExt_ALPN;
	ap->ProtocolLists[0].ProtocolListSize = (unsigned short)cfg->alpn_len;
	memcpy(ap->ProtocolLists[0].ProtocolList, cfg->alpn, cfg->alpn_len);
	b->alpn = (unsigned char *)ap;
	b->alpn_len = (unsigned long)n;
	return 0;
}

int lsi_tlsb_config_freeze(ls_tls_config *cfg)
{
	lsi_sch_cfg *b = LSI_CFG(cfg);
	int rc = 0;

	if (b->ca != NULL && b->engine == NULL)
		rc = lsi_sch_engine(b);
	if (rc == 0 && cfg->alpn != NULL && b->alpn == NULL)
		rc = lsi_sch_alpn(cfg);
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
	free(c);
	t->be = NULL;
}

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
static int lsi_sch_looks_tls(const lsi_buf *enc)
{
	const unsigned char *p = enc->p;

	if (enc->len >= 1 && (p[0] < 20 || p[0] > 24))
		return 0;
	if (enc->len >= 2 && p[1] != 3)
		return 0;
	return enc->len < 5 || (((size_t)p[3] << 8) | p[4]) <= 16384 + 2048;
}

/* More input is needed: read it, unless what came is not TLS at all. */
static int lsi_sch_need_more(ls_tls *t)
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

/* The first call: no input, the ClientHello out (with the ALPN list if any). */
static int lsi_sch_hs_first(ls_tls *t)
{
	lsi_sch_conn *c = LSI_CONN(t);
	lsi_sch_cfg *b = LSI_CFG(t->cfg);
	SecBuffer in = {b->alpn_len, SECBUFFER_APPLICATION_PROTOCOLS, b->alpn};
	SecBuffer out = {0, SECBUFFER_TOKEN, NULL};
	SecBufferDesc ind = {SECBUFFER_VERSION, 1, &in}, outd = {SECBUFFER_VERSION, 1, &out};
	unsigned long attrs = 0;
	SECURITY_STATUS st;
	int rc;

	st = InitializeSecurityContextW(&b->cred, NULL, c->wname, c->req, 0, 0,
	                                b->alpn != NULL ? &ind : NULL, 0, &c->ctx, &outd, &attrs,
	                                NULL);
	if (st != SEC_I_CONTINUE_NEEDED) {
		if (out.pvBuffer != NULL)
			FreeContextBuffer(out.pvBuffer);
		return lsi_sch_fail(t, lsi_sch_hs_code(st), st, "InitializeSecurityContext");
	}
	c->have_ctx = 1;
	c->hs = LSI_HS_RUN;
	rc = lsi_sch_take_token(c, &out);
	return rc;
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
 * One later call with what was received. Schannel may rewrite its input in
 * place, so it gets a copy: on SEC_E_INCOMPLETE_MESSAGE enc must stay as
 * it was, to be completed by the next read.
 */
static SECURITY_STATUS lsi_sch_isc_next(ls_tls *t, SecBuffer *in, SecBuffer *out)
{
	lsi_sch_conn *c = LSI_CONN(t);
	SecBufferDesc ind = {SECBUFFER_VERSION, 2, in}, outd = {SECBUFFER_VERSION, 1, out};
	unsigned long attrs = 0;
	SECURITY_STATUS st;
	void *copy = malloc(c->enc.len != 0 ? c->enc.len : 1);

	if (copy == NULL)
		return SEC_E_INSUFFICIENT_MEMORY;
	memcpy(copy, c->enc.p, c->enc.len);
	in[0].BufferType = SECBUFFER_TOKEN;
	in[0].pvBuffer = copy;
	in[0].cbBuffer = (unsigned long)c->enc.len;
	in[1].BufferType = SECBUFFER_EMPTY;
	in[1].pvBuffer = NULL;
	in[1].cbBuffer = 0;
	out->BufferType = SECBUFFER_TOKEN;
	out->pvBuffer = NULL;
	out->cbBuffer = 0;
	st = InitializeSecurityContextW(&LSI_CFG(t->cfg)->cred, &c->ctx, c->wname, c->req, 0, 0,
	                                &ind, 0, NULL, &outd, &attrs, NULL);
	free(copy);
	return st;
}

/*
 * One step of the token exchange: 0 after progress, LS_EAGAIN, or an
 * error. Used by the handshake and, after SEC_I_RENEGOTIATE, by receive
 * (TLS 1.3 post-handshake messages on Windows 11).
 */
static int lsi_sch_hs_step(ls_tls *t)
{
	lsi_sch_conn *c = LSI_CONN(t);
	SecBuffer in[2], out;
	SECURITY_STATUS st;
	int rc;

	if (!c->have_ctx)
		return lsi_sch_hs_first(t);
	if (c->enc.len == 0 && !c->reneg)
		return lsi_sch_fill(t, t->state == LSI_TLS_READY ? LS_ETRUNCATED : LS_ETLS);
	st = lsi_sch_isc_next(t, in, &out);
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
		return lsi_sch_fail(t, lsi_sch_hs_code(st), st, "TLS handshake failed");
	lsi_sch_consume(c, &in[1]);
	c->reneg = 0;
	if (st == SEC_E_OK)
		c->hs = LSI_HS_TOKENS_DONE;
	return 0;
}

/* --- Certificate checks ---------------------------------------------------- */

/* A chain's trust status as a libsock code, untrusted before expired as OpenSSL does. */
static int lsi_sch_trust_code(DWORD e)
{
	const DWORD ignored = CERT_TRUST_REVOCATION_STATUS_UNKNOWN |
	                      CERT_TRUST_IS_OFFLINE_REVOCATION;

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

/* Build the peer's chain: with the CA's engine, or the system's. */
static int lsi_sch_chain(ls_tls *t, PCCERT_CHAIN_CONTEXT *chain)
{
	lsi_sch_conn *c = LSI_CONN(t);
	static char server_auth[] = szOID_PKIX_KP_SERVER_AUTH;
	LPSTR usage[1] = {server_auth};
	CERT_CHAIN_PARA para;

	memset(&para, 0, sizeof(para));
	para.cbSize = sizeof(para);
	para.RequestedUsage.dwType = USAGE_MATCH_TYPE_AND;
	para.RequestedUsage.Usage.cUsageIdentifier = 1;
	para.RequestedUsage.Usage.rgpszUsageIdentifier = usage;
	if (!CertGetCertificateChain(LSI_CFG(t->cfg)->engine, c->peer, NULL, c->peer->hCertStore,
	                             &para, 0, NULL, chain))
		return lsi_tls_fail(t, LS_ECERT, (int)GetLastError(), "CertGetCertificateChain failed");
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
		found = CertFindCertificateInStore(ca, X509_ASN_ENCODING, 0, CERT_FIND_EXISTING, root,
		                                   NULL);
		if (found == NULL)
			e |= CERT_TRUST_IS_UNTRUSTED_ROOT;
		else
			CertFreeCertificateContext(found);
	}
	code = lsi_sch_trust_code(e);
	if (code != 0)
		return lsi_tls_fail(t, code, (int)e, "certificate verify failed: %s (trust status 0x%lx)",
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
		                    "certificate verify failed: it does not name %s", t->server_name);
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
	if (ext == NULL || !CryptDecodeObjectEx(X509_ASN_ENCODING, X509_ALTERNATE_NAME,
	                                        ext->Value.pbData, ext->Value.cbData,
	                                        CRYPT_DECODE_ALLOC_FLAG, NULL, &alt, &size))
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
		                    "certificate verify failed: it does not name %s", t->server_name);
	return 0;
}

/* Every check the configuration asks for, on the certificate the server sent. */
static int lsi_sch_verify(ls_tls *t)
{
	lsi_sch_conn *c = LSI_CONN(t);
	PCCERT_CHAIN_CONTEXT chain = NULL;
	SECURITY_STATUS st;
	int rc;

	st = QueryContextAttributesW(&c->ctx, SECPKG_ATTR_REMOTE_CERT_CONTEXT, &c->peer);
	if (st != SEC_E_OK || c->peer == NULL) {
		c->peer = NULL;
		if (!t->cfg->verify_chain && !t->cfg->verify_name)
			return 0;
		return lsi_sch_fail(t, LS_ECERT, st, "the server sent no certificate");
	}
	if (!t->cfg->verify_chain && !t->cfg->verify_name)
		return 0;
	rc = lsi_sch_chain(t, &chain);
	if (rc == 0 && t->cfg->verify_chain)
		rc = lsi_sch_check_trust(t, chain);
	if (rc == 0 && t->cfg->verify_name)
		rc = t->name_is_ip ? lsi_sch_check_ip(t) : lsi_sch_check_dns(t, chain);
	if (chain != NULL)
		CertFreeCertificateChain(chain);
	c->verified = rc == 0 && t->cfg->verify_chain && t->cfg->verify_name;
	return rc;
}

/* --- After the handshake --------------------------------------------------- */

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

/* The ALPN result into t->alpn ("" when none was agreed or the runtime has no ALPN). */
static void lsi_sch_keep_alpn(ls_tls *t)
{
	SecPkgContext_ApplicationProtocol ap;
	lsi_sch_conn *c = LSI_CONN(t);

	t->alpn[0] = '\0';
	memset(&ap, 0, sizeof(ap));
	if (LSI_CFG(t->cfg)->alpn == NULL ||
	    QueryContextAttributesW(&c->ctx, SECPKG_ATTR_APPLICATION_PROTOCOL, &ap) != SEC_E_OK)
		return;
	/* ProtocolIdSize is one byte: it always fits t->alpn. */
	if (ap.ProtoNegoStatus == SecApplicationProtocolNegotiationStatus_Success) {
		memcpy(t->alpn, ap.ProtocolId, ap.ProtocolIdSize);
		t->alpn[ap.ProtocolIdSize] = '\0';
	}
}

/* The handshake's tokens are out: check the peer, learn the record sizes. */
static int lsi_sch_finish(ls_tls *t)
{
	lsi_sch_conn *c = LSI_CONN(t);
	SecPkgContext_ConnectionInfo ci;
	SECURITY_STATUS st;
	int rc = lsi_sch_verify(t);

	if (rc != 0)
		return rc;
	st = QueryContextAttributesW(&c->ctx, SECPKG_ATTR_STREAM_SIZES, &c->sizes);
	if (st != SEC_E_OK)
		return lsi_sch_fail(t, LS_ETLS, st, "QueryContextAttributes(STREAM_SIZES)");
	memset(&ci, 0, sizeof(ci));
	if (QueryContextAttributesW(&c->ctx, SECPKG_ATTR_CONNECTION_INFO, &ci) == SEC_E_OK)
		c->version = lsi_sch_version_of(ci.dwProtocol);
	lsi_sch_cipher_name(c, &ci);
	lsi_sch_keep_alpn(t);
	c->hs = LSI_HS_DONE;
	return 0;
}

int lsi_tlsb_handshake(ls_tls *t)
{
	lsi_sch_conn *c = LSI_CONN(t);
	int rc;

	for (;;) {
		rc = lsi_sch_flush(t);
		if (rc != 0)
			return rc;
		if (c->hs == LSI_HS_TOKENS_DONE)
			return lsi_sch_finish(t);
		if (c->hs == LSI_HS_DONE)
			return 0;
		rc = lsi_sch_hs_step(t);
		if (rc != 0)
			return rc;
	}
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

/* Run the tokens SEC_I_RENEGOTIATE asked for until the context is whole again. */
static int lsi_sch_renegotiate(ls_tls *t)
{
	lsi_sch_conn *c = LSI_CONN(t);
	int rc = 0;

	while (rc == 0 && c->hs != LSI_HS_DONE) {
		rc = lsi_sch_flush(t);
		if (rc == 0 && c->hs == LSI_HS_TOKENS_DONE)
			c->hs = LSI_HS_DONE;
		else if (rc == 0)
			rc = lsi_sch_hs_step(t);
	}
	return rc;
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
		rc = c->hs != LSI_HS_DONE ? lsi_sch_renegotiate(t) : lsi_sch_open_all(t);
		if (rc != 0)
			return rc;
		if (c->dec.len > c->dec_off || c->closed || c->hs != LSI_HS_DONE)
			continue;
		rc = lsi_sch_fill(t, LS_ETRUNCATED);
		if (rc != 0)
			return rc;
	}
}

/* Our close_notify into out: SCHANNEL_SHUTDOWN, then one call for the token. */
static int lsi_sch_build_shutdown(ls_tls *t)
{
	lsi_sch_conn *c = LSI_CONN(t);
	DWORD kind = SCHANNEL_SHUTDOWN;
	SecBuffer ctl = {sizeof(kind), SECBUFFER_TOKEN, &kind};
	SecBuffer out = {0, SECBUFFER_TOKEN, NULL};
	SecBufferDesc ctld = {SECBUFFER_VERSION, 1, &ctl}, outd = {SECBUFFER_VERSION, 1, &out};
	unsigned long attrs = 0;
	SECURITY_STATUS st = ApplyControlToken(&c->ctx, &ctld);

	if (FAILED(st))
		return lsi_sch_fail(t, LS_ETLS, st, "ApplyControlToken(SCHANNEL_SHUTDOWN)");
	st = InitializeSecurityContextW(&LSI_CFG(t->cfg)->cred, &c->ctx, c->wname, c->req, 0, 0,
	                                NULL, 0, NULL, &outd, &attrs, NULL);
	if (FAILED(st)) {
		if (out.pvBuffer != NULL)
			FreeContextBuffer(out.pvBuffer);
		return lsi_sch_fail(t, LS_ETLS, st, "InitializeSecurityContext(shutdown)");
	}
	c->shut_built = 1;
	return lsi_sch_take_token(c, &out);
}

int lsi_tlsb_shutdown(ls_tls *t)
{
	lsi_sch_conn *c = LSI_CONN(t);
	int rc;

	/* A record a send left half out goes first: close_notify must follow it whole. */
	rc = lsi_sch_flush(t);
	if (rc == 0 && !c->shut_built) {
		c->taken = 0;
		rc = lsi_sch_build_shutdown(t);
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
	return "";
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
