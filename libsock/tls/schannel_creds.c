/*
 * schannel_creds.c - the Schannel backend's credentials: the CAs given,
 * this side's certificate and private key, and the credentials handle
 * (AcquireCredentialsHandle) a configuration's connections share.
 *
 * One way in for every private key, on both sides. Schannel runs in LSASS,
 * another process, and opens the key of a credential by its key
 * container's name: a key that exists only in this process (an ephemeral
 * CryptoAPI or CNG key, PKCS12_NO_PERSIST_KEY) gives a server
 * SEC_E_NO_CREDENTIALS on Windows (.NET's SslStream documents the same,
 * "ephemeral keys"), and clients have failed the same way. So whatever the
 * key came from (PEM, or PKCS#12 imported into memory first), it is
 * imported again into a container made for this configuration, named
 * libsock-<random>, and that container is deleted when the configuration
 * is freed: the key is on disk, in the user's key store, for that long (a
 * process killed before leaves it there). RSA keys go to a CryptoAPI
 * container (wine's Schannel reads those, and only those); other keys (EC)
 * to a CNG one through NCryptImportKey, which Windows has and wine 8 does
 * not (the import fails there, saying so).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tls/schannel.h"

#include <ncrypt.h>

/* CryptAcquireContext and CryptImportKey (mingw links advapi32 by default). */
#ifdef _MSC_VER
#pragma comment(lib, "advapi32")
#endif

/* --- PEM certificates ------------------------------------------------------ */

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

/* Decode one PEM block and add it to store. 1 if it was a certificate. */
static int lsi_pem_add(HCERTSTORE store, const char *block, size_t n)
{
	DWORD der_len = 0;
	BYTE *der = lsi_pem_der(block, n, &der_len);
	int ok =
	    der != NULL && CertAddEncodedCertificateToStore(store, X509_ASN_ENCODING, der, der_len,
	                                                    CERT_STORE_ADD_USE_EXISTING, NULL);

	LocalFree(der);
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

/* --- Key containers -------------------------------------------------------- */

/* A new container name, libsock- and 32 random hex digits. */
static int lsi_key_name(lsi_sch_key *key)
{
	static const char hex[] = "0123456789abcdef";
	static const WCHAR prefix[] = L"libsock-";
	HCRYPTPROV prov = 0;
	BYTE r[16];
	size_t i, n = sizeof(prefix) / sizeof(WCHAR) - 1;
	int ok = CryptAcquireContextW(&prov, NULL, NULL, PROV_RSA_AES, CRYPT_VERIFYCONTEXT) &&
	         CryptGenRandom(prov, sizeof(r), r);

	if (prov != 0)
		CryptReleaseContext(prov, 0);
	if (!ok)
		return lsi_tls_fail(NULL, LS_ENOMEM, (int)GetLastError(), "CryptGenRandom failed");
	memcpy(key->name, prefix, n * sizeof(WCHAR));
	for (i = 0; i < sizeof(r); i++) {
		key->name[n + 2 * i] = (WCHAR)hex[r[i] >> 4];
		key->name[n + 2 * i + 1] = (WCHAR)hex[r[i] & 15];
	}
	key->name[n + 2 * sizeof(r)] = 0;
	return 0;
}

/* Delete the container (nothing when there is none). */
static void lsi_key_delete(lsi_sch_key *key)
{
	NCRYPT_PROV_HANDLE prov = 0;
	NCRYPT_KEY_HANDLE k = 0;
	HCRYPTPROV capi = 0;

	if (key->name[0] == 0)
		return;
	if (!key->cng) {
		CryptAcquireContextW(&capi, key->name, NULL, PROV_RSA_AES, CRYPT_DELETEKEYSET);
	} else if (NCryptOpenStorageProvider(&prov, MS_KEY_STORAGE_PROVIDER, 0) == 0) {
		if (NCryptOpenKey(prov, &k, key->name, 0, NCRYPT_SILENT_FLAG) == 0)
			NCryptDeleteKey(k, NCRYPT_SILENT_FLAG); /* frees k too */
		NCryptFreeObject(prov);
	}
	key->name[0] = 0;
}

/*
 * Point the certificate at the container: CERT_KEY_PROV_INFO_PROP_ID,
 * which Schannel (and wine's, which reads the container itself) opens by
 * name. Keys the certificate had in memory are dropped, so nothing
 * chooses those instead.
 */
static int lsi_key_attach(PCCERT_CONTEXT leaf, lsi_sch_key *key)
{
	CRYPT_KEY_PROV_INFO info;

	CertSetCertificateContextProperty(leaf, CERT_KEY_CONTEXT_PROP_ID, 0, NULL);
	CertSetCertificateContextProperty(leaf, CERT_NCRYPT_KEY_HANDLE_PROP_ID, 0, NULL);
	memset(&info, 0, sizeof(info));
	info.pwszContainerName = key->name;
	info.pwszProvName = key->cng ? (WCHAR *)MS_KEY_STORAGE_PROVIDER : NULL;
	info.dwProvType = key->cng ? 0 : PROV_RSA_AES;
	info.dwKeySpec = key->cng ? 0 : AT_KEYEXCHANGE;
	if (!CertSetCertificateContextProperty(leaf, CERT_KEY_PROV_INFO_PROP_ID, 0, &info))
		return lsi_tls_fail(NULL, LS_ENOMEM, (int)GetLastError(),
		                    "CertSetCertificateContextProperty(KEY_PROV_INFO)");
	return 0;
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

/* Whether the certificate's public key is the imported RSA key's. */
static int lsi_rsa_matches(HCRYPTPROV prov, HCRYPTKEY priv, PCCERT_CONTEXT leaf)
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
	same =
	    a != NULL && b != NULL && alen == blen && alen > sizeof(BLOBHEADER) &&
	    memcmp(a + sizeof(BLOBHEADER), b + sizeof(BLOBHEADER), alen - sizeof(BLOBHEADER)) == 0;
	LocalFree(a);
	LocalFree(b);
	CryptDestroyKey(pub);
	return same;
}

/*
 * An RSA PRIVATEKEYBLOB into a new CryptoAPI container, checked against
 * the leaf. Exportable because wine's Schannel exports the key to hand it
 * to GnuTLS.
 */
static int lsi_key_capi(const BYTE *blob, DWORD len, PCCERT_CONTEXT leaf, lsi_sch_key *key)
{
	HCRYPTPROV prov = 0;
	HCRYPTKEY k = 0;
	int rc = lsi_key_name(key);

	key->cng = 0;
	if (rc == 0 && !CryptAcquireContextW(&prov, key->name, NULL, PROV_RSA_AES,
	                                     CRYPT_NEWKEYSET | CRYPT_SILENT)) {
		rc = lsi_tls_fail(NULL, LS_ENOMEM, (int)GetLastError(),
		                  "CryptAcquireContext (a new key container)");
		key->name[0] = 0;
	}
	if (rc == 0 && !CryptImportKey(prov, blob, len, 0, CRYPT_EXPORTABLE, &k))
		rc =
		    lsi_tls_fail(NULL, LS_EINVAL, (int)GetLastError(), "cannot import the RSA key");
	else if (rc == 0 && !lsi_rsa_matches(prov, k, leaf))
		rc = lsi_tls_fail(NULL, LS_EINVAL, 0, "the certificate and key do not go together");
	if (k != 0)
		CryptDestroyKey(k);
	if (prov != 0)
		CryptReleaseContext(prov, 0);
	if (rc == 0)
		rc = lsi_key_attach(leaf, key);
	if (rc != 0)
		lsi_key_delete(key);
	return rc;
}

/*
 * A PKCS#8 key into a new CNG container (NCRYPTBUFFER_PKCS_KEY_NAME makes
 * it a named, persisted key), attached to the leaf, then checked against
 * it by CryptAcquireCertificatePrivateKey's public key comparison.
 */
static int lsi_key_cng(const BYTE *pkcs8, DWORD len, PCCERT_CONTEXT leaf, lsi_sch_key *key)
{
	NCRYPT_PROV_HANDLE prov = 0;
	NCRYPT_KEY_HANDLE k = 0;
	NCryptBuffer nb;
	NCryptBufferDesc nd = {NCRYPTBUFFER_VERSION, 1, &nb};
	HCRYPTPROV_OR_NCRYPT_KEY_HANDLE h = 0;
	DWORD spec = 0;
	BOOL free_h = FALSE;
	SECURITY_STATUS st;
	int rc = lsi_key_name(key);

	if (rc != 0)
		return rc;
	key->cng = 1;
	nb = (NCryptBuffer){(ULONG)((wcslen(key->name) + 1) * sizeof(WCHAR)),
	                    NCRYPTBUFFER_PKCS_KEY_NAME, key->name};
	st = NCryptOpenStorageProvider(&prov, MS_KEY_STORAGE_PROVIDER, 0);
	if (st == 0)
		st = NCryptImportKey(prov, 0, NCRYPT_PKCS8_PRIVATE_KEY_BLOB, &nd, &k, (BYTE *)pkcs8,
		                     len, NCRYPT_SILENT_FLAG);
	if (k != 0)
		NCryptFreeObject(k);
	if (prov != 0)
		NCryptFreeObject(prov);
	if (st != 0) {
		key->name[0] = 0;
		return lsi_tls_fail(NULL, LS_ENOTSUP, (int)st,
		                    "cannot import the key into CNG (NCryptImportKey: 0x%08lx); "
		                    "this Schannel takes RSA keys only",
		                    (unsigned long)st);
	}
	rc = lsi_key_attach(leaf, key);
	if (rc == 0 && !CryptAcquireCertificatePrivateKey(leaf,
	                                                  CRYPT_ACQUIRE_COMPARE_KEY_FLAG |
	                                                      CRYPT_ACQUIRE_ONLY_NCRYPT_KEY_FLAG |
	                                                      CRYPT_ACQUIRE_SILENT_FLAG,
	                                                  NULL, &h, &spec, &free_h))
		rc = lsi_tls_fail(NULL, LS_EINVAL, (int)GetLastError(),
		                  "the certificate and key do not go together");
	if (h != 0 && free_h)
		NCryptFreeObject(h);
	if (rc != 0)
		lsi_key_delete(key);
	return rc;
}

/* --- PEM private keys ------------------------------------------------------ */

/* Where needle first occurs in the len bytes at p, or NULL. */
static const char *lsi_mem_find(const char *p, size_t len, const char *needle)
{
	size_t n = strlen(needle), i;

	for (i = 0; i + n <= len; i++)
		if (memcmp(p + i, needle, n) == 0)
			return p + i;
	return NULL;
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
static int lsi_der_next(const BYTE **p, const BYTE *end, BYTE *tag, const BYTE **body, size_t *len)
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

/* PKCS#8 key algorithms. */
enum { LSI_KEY_RSA, LSI_KEY_EC, LSI_KEY_OTHER };

/*
 * A PKCS#8 PrivateKeyInfo (SEQUENCE { version, AlgorithmIdentifier, OCTET
 * STRING }), read by hand: wine 8's CryptDecodeObjectEx has no
 * PKCS_PRIVATE_KEY_INFO (measured: ERROR_FILE_NOT_FOUND, no decoder). The
 * algorithm (LSI_KEY_*), and for RSA the RSAPrivateKey inside; LS_EINVAL
 * when it is not PKCS#8.
 */
static int lsi_pkcs8_kind(const BYTE *der, size_t len, const BYTE **rsa, size_t *rsa_len)
{
	static const BYTE rsa_oid[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01};
	static const BYTE ec_oid[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01};
	const BYTE *p = der, *end = der + len, *body, *alg, *oid;
	size_t n, alen, olen;
	BYTE tag;

	if (!lsi_der_next(&p, end, &tag, &body, &n) || tag != 0x30)
		return LS_EINVAL;
	p = body;
	end = body + n;
	if (!lsi_der_next(&p, end, &tag, &body, &n) || tag != 0x02 ||
	    !lsi_der_next(&p, end, &tag, &alg, &alen) || tag != 0x30 ||
	    !lsi_der_next(&alg, alg + alen, &tag, &oid, &olen) || tag != 0x06 ||
	    !lsi_der_next(&p, end, &tag, rsa, rsa_len) || tag != 0x04)
		return LS_EINVAL;
	if (olen == sizeof(rsa_oid) && memcmp(oid, rsa_oid, olen) == 0)
		return LSI_KEY_RSA;
	return olen == sizeof(ec_oid) && memcmp(oid, ec_oid, olen) == 0 ? LSI_KEY_EC
	                                                                : LSI_KEY_OTHER;
}

/* An RSAPrivateKey (PKCS#1 DER) into a container for the leaf. */
static int lsi_key_rsa(const BYTE *der, size_t len, PCCERT_CONTEXT leaf, lsi_sch_key *key)
{
	DWORD blob_len = 0;
	BYTE *blob = len <= 0xffff ? lsi_rsa_blob(der, (DWORD)len, &blob_len) : NULL;
	int rc;

	if (blob == NULL)
		return lsi_tls_fail(NULL, LS_EINVAL, (int)GetLastError(),
		                    "cannot decode the RSA key");
	rc = lsi_key_capi(blob, blob_len, leaf, key);
	SecureZeroMemory(blob, blob_len);
	LocalFree(blob);
	return rc;
}

/* A PKCS#8 key into a container for the leaf: RSA to CryptoAPI, EC to CNG. */
static int lsi_key_pkcs8(const BYTE *der, DWORD len, PCCERT_CONTEXT leaf, lsi_sch_key *key)
{
	const BYTE *rsa = NULL;
	size_t rsa_len = 0;
	int kind = lsi_pkcs8_kind(der, len, &rsa, &rsa_len);

	if (kind == LSI_KEY_RSA)
		return lsi_key_rsa(rsa, rsa_len, leaf, key);
	if (kind == LSI_KEY_EC)
		return lsi_key_cng(der, len, leaf, key);
	return lsi_tls_fail(NULL, kind == LSI_KEY_OTHER ? LS_ENOTSUP : LS_EINVAL, 0,
	                    kind == LSI_KEY_OTHER
	                        ? "the Schannel backend takes RSA and EC keys only"
	                        : "cannot decode the PKCS#8 private key");
}

/*
 * The PEM key into a container for the leaf: PKCS#8 ("PRIVATE KEY", RSA or
 * EC) or PKCS#1 ("RSA PRIVATE KEY"), not encrypted. SEC1 ("EC PRIVATE
 * KEY") is LS_ENOTSUP: CNG imports PKCS#8.
 */
static int lsi_pem_key(const void *key, size_t len, PCCERT_CONTEXT leaf, lsi_sch_key *out)
{
	const char *pem = key, *k = lsi_mem_find(pem, len, "-----BEGIN ");
	size_t n = k != NULL ? len - (size_t)(k - pem) : 0;
	DWORD der_len = 0;
	BYTE *der;
	int rc;

	if (k == NULL || lsi_mem_find(k, n, "PRIVATE KEY-----") == NULL)
		return lsi_tls_fail(NULL, LS_EINVAL, 0, "no PEM private key");
	if (strncmp(k, "-----BEGIN PRIVATE KEY-----", 27) != 0 &&
	    strncmp(k, "-----BEGIN RSA PRIVATE KEY-----", 31) != 0)
		return lsi_tls_fail(
		    NULL, strncmp(k, "-----BEGIN ENCRYPTED", 20) == 0 ? LS_EINVAL : LS_ENOTSUP, 0,
		    "the Schannel backend takes unencrypted PKCS#8 keys (RSA or EC) "
		    "or PKCS#1 RSA keys from PEM; use PKCS#12");
	der = lsi_pem_der(k, n, &der_len);
	if (der == NULL)
		return lsi_tls_fail(NULL, LS_EINVAL, (int)GetLastError(),
		                    "unreadable PEM private key");
	rc = k[11] == 'R' ? lsi_key_rsa(der, der_len, leaf, out)
	                  : lsi_key_pkcs8(der, der_len, leaf, out);
	SecureZeroMemory(der, der_len);
	LocalFree(der);
	return rc;
}

/* Replace the configuration's certificate, its store and its key's container. */
static void lsi_sch_set_own(lsi_sch_cfg *b, PCCERT_CONTEXT own, HCERTSTORE store,
                            const lsi_sch_key *key)
{
	lsi_sch_own_free(b);
	b->own = own;
	b->own_store = store;
	b->own_key = *key;
}

void lsi_sch_own_free(lsi_sch_cfg *b)
{
	if (b->own != NULL)
		CertFreeCertificateContext(b->own);
	if (b->own_store != NULL)
		CertCloseStore(b->own_store, 0);
	lsi_key_delete(&b->own_key);
	b->own = NULL;
	b->own_store = NULL;
}

int lsi_tlsb_config_cert(ls_tls_config *cfg, const void *chain, size_t chain_len, const void *key,
                         size_t key_len)
{
	HCERTSTORE store = NULL;
	PCCERT_CONTEXT leaf = NULL;
	lsi_sch_key k;
	int rc = lsi_pem_chain(chain, chain_len, &store, &leaf);

	memset(&k, 0, sizeof(k));
	if (rc == 0)
		rc = lsi_pem_key(key, key_len, leaf, &k);
	if (rc == 0) {
		lsi_sch_set_own(LSI_CFG(cfg), leaf, store, &k);
		return 0;
	}
	if (leaf != NULL)
		CertFreeCertificateContext(leaf);
	if (store != NULL)
		CertCloseStore(store, 0);
	return rc;
}

/* --- PKCS#12 ----------------------------------------------------------------- */

/*
 * Whether a certificate has its private key attached. Where the key is
 * depends on the import: a key kept in memory for CryptoAPI (KEY_CONTEXT:
 * wine), a CNG handle (PKCS12_NO_PERSIST_KEY on Windows), or a container.
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

/* A CNG key's PKCS#8 export into a container for the leaf. */
static int lsi_rekey_cng(NCRYPT_KEY_HANDLE h, PCCERT_CONTEXT leaf, lsi_sch_key *key)
{
	DWORD n = 0;
	BYTE *der = NULL;
	SECURITY_STATUS st = NCryptExportKey(h, 0, NCRYPT_PKCS8_PRIVATE_KEY_BLOB, NULL, NULL, 0, &n,
	                                     NCRYPT_SILENT_FLAG);
	int rc;

	if (st == 0 && (der = malloc(n != 0 ? n : 1)) == NULL)
		return lsi_fail(LS_ENOMEM);
	if (st == 0)
		st = NCryptExportKey(h, 0, NCRYPT_PKCS8_PRIVATE_KEY_BLOB, NULL, der, n, &n,
		                     NCRYPT_SILENT_FLAG);
	rc = st == 0 ? lsi_key_pkcs8(der, n, leaf, key)
	             : lsi_tls_fail(NULL, LS_EINVAL, (int)st,
	                            "cannot take the key out of the PKCS#12 data (0x%08lx)",
	                            (unsigned long)st);
	if (der != NULL) {
		SecureZeroMemory(der, n);
		free(der);
	}
	return rc;
}

/* A CryptoAPI key's PRIVATEKEYBLOB into a container for the leaf. */
static int lsi_rekey_capi(HCRYPTPROV prov, DWORD spec, PCCERT_CONTEXT leaf, lsi_sch_key *key)
{
	HCRYPTKEY k = 0;
	DWORD n = 0;
	BYTE *blob = NULL;
	int rc = 0;

	/* Wine's PFX import records the key spec as 3 (both kinds): try each. */
	if ((!CryptGetUserKey(prov, spec, &k) && !CryptGetUserKey(prov, AT_KEYEXCHANGE, &k) &&
	     !CryptGetUserKey(prov, AT_SIGNATURE, &k)) ||
	    !CryptExportKey(k, 0, PRIVATEKEYBLOB, 0, NULL, &n) || (blob = malloc(n)) == NULL ||
	    !CryptExportKey(k, 0, PRIVATEKEYBLOB, 0, blob, &n))
		rc = lsi_tls_fail(NULL, LS_EINVAL, (int)GetLastError(),
		                  "cannot take the key out of the PKCS#12 data");
	if (k != 0)
		CryptDestroyKey(k);
	if (rc == 0)
		rc = lsi_key_capi(blob, n, leaf, key);
	if (blob != NULL) {
		SecureZeroMemory(blob, n);
		free(blob);
	}
	return rc;
}

/*
 * The key PFXImportCertStore left in memory: its CERT_KEY_CONTEXT_PROP_ID
 * (wine's CryptAcquireCertificatePrivateKey does not find the key there:
 * measured CRYPT_E_NO_KEY_PROPERTY), else whatever Windows acquires.
 */
static int lsi_pkcs12_key(PCCERT_CONTEXT own, HCRYPTPROV_OR_NCRYPT_KEY_HANDLE *h, DWORD *spec,
                          BOOL *free_h)
{
	CERT_KEY_CONTEXT kc;
	DWORD n = sizeof(kc);

	*free_h = FALSE;
	if (CertGetCertificateContextProperty(own, CERT_KEY_CONTEXT_PROP_ID, &kc, &n) &&
	    kc.hCryptProv != 0) {
		*h = kc.hCryptProv; /* hNCryptKey when dwKeySpec is CERT_NCRYPT_KEY_SPEC */
		*spec = kc.dwKeySpec;
		return 1;
	}
	return CryptAcquireCertificatePrivateKey(
	    own, CRYPT_ACQUIRE_ALLOW_NCRYPT_KEY_FLAG | CRYPT_ACQUIRE_SILENT_FLAG, NULL, h, spec,
	    free_h);
}

/* The key PFXImportCertStore left in memory, into a container of ours. */
static int lsi_pkcs12_rekey(PCCERT_CONTEXT own, lsi_sch_key *key)
{
	HCRYPTPROV_OR_NCRYPT_KEY_HANDLE h = 0;
	DWORD spec = 0;
	BOOL free_h = FALSE;
	int rc;

	if (!lsi_pkcs12_key(own, &h, &spec, &free_h))
		return lsi_tls_fail(NULL, LS_EINVAL, (int)GetLastError(),
		                    "the PKCS#12 certificate's key cannot be opened");
	rc = spec == CERT_NCRYPT_KEY_SPEC ? lsi_rekey_cng(h, own, key)
	                                  : lsi_rekey_capi(h, spec, own, key);
	if (free_h && spec == CERT_NCRYPT_KEY_SPEC)
		NCryptFreeObject(h);
	else if (free_h)
		CryptReleaseContext(h, 0);
	return rc;
}

int lsi_tlsb_config_pkcs12(ls_tls_config *cfg, const void *data, size_t len, const char *password)
{
	CRYPT_DATA_BLOB blob = {(DWORD)len, (BYTE *)data};
	WCHAR *pw = lsi_wide(password);
	HCERTSTORE store;
	PCCERT_CONTEXT own;
	lsi_sch_key key;
	int rc;

	if (pw == NULL)
		return lsi_fail(LS_ENOMEM);
	/* Into memory first, exportable: the key then moves to a container of ours. */
	store = len <= 0x7fffffff && PFXIsPFXBlob(&blob)
	            ? PFXImportCertStore(&blob, pw, PKCS12_NO_PERSIST_KEY | CRYPT_EXPORTABLE)
	            : NULL;
	free(pw);
	if (store == NULL)
		return lsi_tls_fail(NULL, LS_EINVAL, (int)GetLastError(),
		                    "cannot open the PKCS#12 data (not PKCS#12, a wrong password, "
		                    "or under wine a key that is not RSA)");
	own = lsi_store_keyed_cert(store);
	memset(&key, 0, sizeof(key));
	rc = own != NULL ? lsi_pkcs12_rekey(own, &key)
	                 : lsi_tls_fail(NULL, LS_EINVAL, 0,
	                                "no certificate with a key in the PKCS#12 data");
	if (rc != 0) {
		if (own != NULL)
			CertFreeCertificateContext(own);
		CertCloseStore(store, 0);
		return rc;
	}
	lsi_sch_set_own(LSI_CFG(cfg), own, store, &key);
	return 0;
}

/* --- The credentials handle -------------------------------------------------- */

/* The protocol bits of the side (client or server) from min to max (0: the newest). */
static DWORD lsi_sch_protocols(int min, int max, int server)
{
	static const struct {
		int v;
		DWORD client, server;
	} map[] = {{LS_TLS_V1_0, SP_PROT_TLS1_0_CLIENT, SP_PROT_TLS1_0_SERVER},
	           {LS_TLS_V1_1, SP_PROT_TLS1_1_CLIENT, SP_PROT_TLS1_1_SERVER},
	           {LS_TLS_V1_2, SP_PROT_TLS1_2_CLIENT, SP_PROT_TLS1_2_SERVER},
	           {LS_TLS_V1_3, SP_PROT_TLS1_3_CLIENT, SP_PROT_TLS1_3_SERVER}};
	DWORD bits = 0;
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i].v >= min && (max == 0 || map[i].v <= max))
			bits |= server ? map[i].server : map[i].client;
	return bits;
}

/*
 * The credentials' flags. A client checks the server itself
 * (lsi_sch_verify) and Schannel must not pick a certificate from the
 * user's store by itself. A server checks the client's certificate itself
 * too (manual validation), and maps it to no Windows account.
 */
#define LSI_SCH_CLIENT_FLAGS                                                                       \
	(SCH_CRED_MANUAL_CRED_VALIDATION | SCH_CRED_NO_DEFAULT_CREDS |                             \
	 SCH_CRED_NO_SERVERNAME_CHECK | SCH_USE_STRONG_CRYPTO)
#define LSI_SCH_SERVER_FLAGS                                                                       \
	(SCH_CRED_MANUAL_CRED_VALIDATION | SCH_CRED_NO_SYSTEM_MAPPER | SCH_USE_STRONG_CRYPTO)

/*
 * Whether the credentials enable only the protocols asked for. Wine 8
 * accepts SCH_CREDENTIALS but ignores its TLS_PARAMETERS and enables its
 * defaults, SSL 3 to TLS 1.2 (measured: supported protocols 0xaa0), so
 * such credentials are refused rather than used.
 */
static int lsi_sch_cred_protocols_ok(CredHandle *cred, DWORD want, DWORD side)
{
	SecPkgCred_SupportedProtocols sp;

	memset(&sp, 0, sizeof(sp));
	if (QueryCredentialsAttributesA(cred, SECPKG_ATTR_SUPPORTED_PROTOCOLS, &sp) != SEC_E_OK)
		return 1; /* cannot tell: trust what was asked */
	return (sp.grbitProtocol & side & ~want) == 0;
}

/* AcquireCredentialsHandle for the side with SCH_CREDENTIALS or SCHANNEL_CRED data. */
static SECURITY_STATUS lsi_sch_acquire_with(lsi_sch_cfg *b, int server, void *data)
{
	return AcquireCredentialsHandleA(NULL, (char *)UNISP_NAME_A,
	                                 server ? SECPKG_CRED_INBOUND : SECPKG_CRED_OUTBOUND, NULL,
	                                 data, NULL, NULL, &b->cred, NULL);
}

/*
 * Credentials with SCH_CREDENTIALS (Windows 10 1809 and newer): the way to
 * TLS 1.3. A server names the CAs it trusts (hRootStore), which its
 * certificate request lists for the client.
 */
static SECURITY_STATUS lsi_sch_acquire_new(lsi_sch_cfg *b, int server, DWORD protocols, DWORD side)
{
	SCH_CREDENTIALS sc;
	TLS_PARAMETERS tp;
	PCCERT_CONTEXT certs[1] = {b->own};

	memset(&sc, 0, sizeof(sc));
	memset(&tp, 0, sizeof(tp));
	tp.grbitDisabledProtocols = side & ~protocols;
	sc.dwVersion = SCH_CREDENTIALS_VERSION;
	sc.dwFlags = server ? LSI_SCH_SERVER_FLAGS : LSI_SCH_CLIENT_FLAGS;
	sc.hRootStore = server ? b->ca : NULL;
	sc.cTlsParameters = 1;
	sc.pTlsParameters = &tp;
	sc.cCreds = b->own != NULL;
	sc.paCred = certs;
	return lsi_sch_acquire_with(b, server, &sc);
}

/*
 * Credentials with SCHANNEL_CRED (every Windows, and wine): TLS 1.2 at
 * most. The protocols are always given: 0 would mean the runtime's
 * defaults, which under wine include SSL 3.
 */
static SECURITY_STATUS lsi_sch_acquire_old(lsi_sch_cfg *b, int server, DWORD protocols)
{
	SCHANNEL_CRED sc;
	PCCERT_CONTEXT certs[1] = {b->own};

	memset(&sc, 0, sizeof(sc));
	sc.dwVersion = SCHANNEL_CRED_VERSION;
	sc.dwFlags = server ? LSI_SCH_SERVER_FLAGS : LSI_SCH_CLIENT_FLAGS;
	sc.hRootStore = server ? b->ca : NULL;
	sc.grbitEnabledProtocols = protocols & ~SP_PROT_TLS1_3;
	sc.cCreds = b->own != NULL;
	sc.paCred = certs;
	return lsi_sch_acquire_with(b, server, &sc);
}

/* A credentials failure: the server's certificate or key refused is a certificate error. */
static int lsi_sch_acquire_code(SECURITY_STATUS st)
{
	if (st == SEC_E_INSUFFICIENT_MEMORY)
		return LS_ENOMEM;
	if (st == SEC_E_NO_CREDENTIALS || st == SEC_E_UNKNOWN_CREDENTIALS ||
	    st == SEC_E_CERT_UNKNOWN || st == SEC_E_CERT_EXPIRED)
		return LS_ECERT;
	return LS_ETLS;
}

int lsi_sch_acquire(ls_tls_config *cfg)
{
	lsi_sch_cfg *b = LSI_CFG(cfg);
	int server = cfg->mode == LS_TLS_SERVER;
	DWORD side = server ? SP_PROT_X_SERVERS : SP_PROT_X_CLIENTS;
	DWORD want = lsi_sch_protocols(cfg->min_version, cfg->max_version, server);
	SECURITY_STATUS st = SEC_E_UNSUPPORTED_FUNCTION;

	if (want & SP_PROT_TLS1_3) {
		st = lsi_sch_acquire_new(b, server, want, side);
		if (st == SEC_E_OK && !lsi_sch_cred_protocols_ok(&b->cred, want, side)) {
			FreeCredentialsHandle(&b->cred);
			st = SEC_E_UNSUPPORTED_FUNCTION;
		}
	}
	if (st != SEC_E_OK && (want & ~SP_PROT_TLS1_3) == 0)
		return lsi_sch_fail(NULL, LS_ETLS, st,
		                    "TLS 1.3 is not available from this Schannel");
	if (st != SEC_E_OK)
		st = lsi_sch_acquire_old(b, server, want);
	if (st != SEC_E_OK)
		return lsi_sch_fail(NULL, lsi_sch_acquire_code(st), st,
		                    server ? "AcquireCredentialsHandle (server)"
		                           : "AcquireCredentialsHandle");
	b->have_cred = 1;
	return 0;
}
