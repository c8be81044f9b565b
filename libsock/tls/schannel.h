/*
 * schannel.h - what the files of the Schannel backend (Windows' secur32 and
 * crypt32; backend.h is the contract with common code) share. One concern
 * per file:
 *
 *   schannel.c         the contract's entry points: configurations and
 *                      connections, the token exchange both sides run
 *                      (InitializeSecurityContext or AcceptSecurityContext
 *                      in one loop), records, close_notify, alerts, what a
 *                      handshake agreed on
 *   schannel_creds.c   this side's certificate and private key (PEM or
 *                      PKCS#12, the key in a key container of its own), the
 *                      CAs given, and the credentials handle
 *   schannel_verify.c  libsock's own checks of the peer's certificate (the
 *                      server's on a client, the client's on a server)
 *   schannel_server.c  what only a server does: AcceptSecurityContext, and
 *                      the SNI name and ALPN choice from the ClientHello
 */
#ifndef LSI_TLS_SCHANNEL_H
#define LSI_TLS_SCHANNEL_H

#include <stddef.h>

#include "tls/backend.h"

#define SECURITY_WIN32
#define SCHANNEL_USE_BLACKLISTS /* SCH_CREDENTIALS, the only way to TLS 1.3 */
#include <windows.h>
#include <subauth.h>
#include <security.h>
#include <schannel.h>
#include <wincrypt.h>

/* A growable byte buffer: len bytes of data at p. */
typedef struct lsi_buf {
	unsigned char *p;
	size_t len, cap;
} lsi_buf;

/*
 * Where this side's private key lives: a key container made for the
 * configuration (schannel_creds.c says why), deleted when it is freed.
 */
typedef struct lsi_sch_key {
	WCHAR name[48]; /* the container's name; empty when there is none */
	int cng;        /* a CNG (NCrypt) key; else a CryptoAPI one */
} lsi_sch_key;

typedef struct lsi_sch_cfg {
	CredHandle cred;
	int have_cred;
	HCERTSTORE ca;           /* the CAs given (then the only trust), or NULL */
	HCERTCHAINENGINE engine; /* a chain engine trusting only ca, or NULL */
	HCERTSTORE own_store;    /* the store this side's certificate came from */
	PCCERT_CONTEXT own;      /* this side's certificate (its key attached), or NULL */
	lsi_sch_key own_key;     /* the container own's key is in */
	unsigned char *alpn;     /* client: SEC_APPLICATION_PROTOCOLS for the ClientHello */
	unsigned long alpn_len;
} lsi_sch_cfg;

/* Where a connection's handshake is. */
enum { LSI_HS_START, LSI_HS_RUN, LSI_HS_TOKENS_DONE, LSI_HS_DONE };

typedef struct lsi_sch_conn {
	CtxtHandle ctx;
	int have_ctx;
	int hs;            /* LSI_HS_* */
	int reneg;         /* DecryptMessage asked for SEC_I_RENEGOTIATE's tokens */
	unsigned long req; /* the ISC_REQ_* (client) or ASC_REQ_* (server) flags */
	lsi_buf out;       /* to send, from out_off on */
	size_t out_off;
	size_t taken; /* plaintext in out's record, reported once it is sent */
	lsi_buf enc;  /* received, not yet decrypted */
	lsi_buf dec;  /* decrypted, not yet returned, from dec_off on */
	size_t dec_off;
	int closed;     /* the peer's close_notify arrived */
	int shut_built; /* our close_notify is in out */
	int verified;
	int fail; /* a failure reported once the alert in out is sent, or 0 */
	int fail_native;
	char fail_detail[LSI_TLS_DETAIL_MAX];
	SecPkgContext_StreamSizes sizes;
	PCCERT_CONTEXT peer;
	WCHAR *wname;        /* client: the server name in UTF-16, or NULL */
	int hello_seen;      /* server: the ClientHello was read (sni, alpn) */
	char sni[256];       /* server: the name the client sent, or "" */
	unsigned char *alpn; /* server: SEC_APPLICATION_PROTOCOLS with its choice, or NULL */
	unsigned long alpn_len;
	char cipher[64];
	int version;
} lsi_sch_conn;

#define LSI_CFG(cfg) ((lsi_sch_cfg *)(cfg)->be)
#define LSI_CONN(t)  ((lsi_sch_conn *)(t)->be)

/* --- schannel.c ------------------------------------------------------------ */

/* Report Schannel's status st as code, with a sentence naming what failed. */
int lsi_sch_fail(ls_tls *t, int code, SECURITY_STATUS st, const char *what);

/* s in UTF-16 (NULL is the empty string); free() it. NULL when out of memory. */
WCHAR *lsi_wide(const char *s);

/* An ALPN wire list as SEC_APPLICATION_PROTOCOLS (one list, of the ALPN kind). */
int lsi_sch_alpn_buffer(const unsigned char *wire, size_t len, unsigned char **out,
                        unsigned long *out_len);

/* Whether the bytes received start like a TLS record. */
int lsi_sch_looks_tls(const lsi_buf *enc);

/* More input is needed: read it (0 when bytes came), unless what came is not TLS. */
int lsi_sch_need_more(ls_tls *t);

/* --- schannel_creds.c ------------------------------------------------------ */

/* Free this side's certificate, its store and its key container. */
void lsi_sch_own_free(lsi_sch_cfg *b);

/* The credentials handle for the configuration's side, versions and certificate. */
int lsi_sch_acquire(ls_tls_config *cfg);

/* --- schannel_verify.c ----------------------------------------------------- */

/* A chain engine whose only roots are the CAs given. */
int lsi_sch_engine(lsi_sch_cfg *b);

/*
 * Every check the configuration asks for on the certificate the peer sent
 * (keeps it for ls_tls_peer_cert). 0, or the failure (a certificate code).
 */
int lsi_sch_verify(ls_tls *t);

/* The TLS alert (TLS1_ALERT_*) that tells the peer why its certificate was refused. */
DWORD lsi_sch_alert_of(int code);

/* --- schannel_server.c ----------------------------------------------------- */

/* The ASC_REQ_* flags of a server's connection. */
unsigned long lsi_sch_server_req(const ls_tls_config *cfg);

/* One AcceptSecurityContext call with input in (NULL for none), tokens into out. */
SECURITY_STATUS lsi_sch_accept(ls_tls *t, SecBufferDesc *in, SecBufferDesc *out);

/*
 * Before the first AcceptSecurityContext: the first record whole, its SNI
 * name kept and the ALPN protocol chosen (then c->hello_seen is set). 0
 * after progress (bytes read, or done), LS_EAGAIN, or an error.
 */
int lsi_sch_server_hello(ls_tls *t);

#endif /* LSI_TLS_SCHANNEL_H */
