/*
 * backend.h - the contract between TLS common code (tls.c) and its
 * backends: openssl.c (OpenSSL 3), schannel*.c (Windows; schannel.h lists
 * its files) and none.c (a build without TLS). CMake compiles exactly one
 * of them, with tls.c and hello.c.
 *
 * Common code owns everything that is the same for every backend: it
 * validates arguments, keeps the configuration's settings and reference
 * count, makes a configuration read-only once used, normalises the server
 * name (an IP address or a DNS name), waits for the socket against the
 * deadline the socket's timeout gives, and makes failures sticky. A backend
 * is sans-wait: each of its connection calls makes as much progress as it
 * can without blocking and then returns, never sleeping and never reading
 * a clock.
 *
 * I/O: a backend moves bytes only through lsi_tls_io_send() and
 * lsi_tls_io_recv() below, which are libsock's own ls_send()/ls_recv(). So
 * fault injection, and later statistics, see TLS traffic, and a would-block
 * is recorded in t->want for the wait. During a call that may block for
 * ever (a blocking socket) they block in the OS call itself, so a backend
 * must read only when it needs bytes to go on, as it would on a blocking
 * fd; otherwise they use LS_MSG_DONTWAIT.
 *
 * Errors: a backend returns LS_E* codes, never its own. Certificate
 * failures map to LS_ECERTUNTRUSTED (unknown issuer, self-signed, missing
 * intermediate), LS_ECERTEXPIRED (expired or not yet valid), LS_ECERTNAME
 * (name or address mismatch) and LS_ECERT (anything else, and a peer's
 * alert rejecting our certificate); the end of the stream without
 * close_notify after the handshake is LS_ETRUNCATED; other handshake and
 * record failures are LS_ETLS. The backend's own code goes to
 * lsi_set_native_error() and a sentence to the detail, both through
 * lsi_tls_fail().
 */
#ifndef LSI_TLS_BACKEND_H
#define LSI_TLS_BACKEND_H

#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "common/internal.h"
#include "libsock/tls.h"

/* Room for a failure's sentence. */
#define LSI_TLS_DETAIL_MAX 256

/* Room for the ALPN list on the wire: one length byte before each name. */
#define LSI_TLS_ALPN_WIRE_MAX (LS_TLS_ALPN_MAX * (LS_TLS_ALPN_NAME_MAX + 1))

struct ls_tls_config {
	_Atomic int refs;
	_Atomic int used;   /* set by the first ls_tls_wrap(): read-only since */
	int mode;           /* LS_TLS_CLIENT or LS_TLS_SERVER */
	int min_version;    /* LS_TLS_V1_x, never 0 here (common code fills defaults) */
	int max_version;    /* LS_TLS_V1_x, or 0 for the newest the backend has */
	int verify_chain;   /* nonzero unless turned off */
	int verify_name;    /* nonzero unless turned off (client) */
	int client_auth;    /* LS_TLS_CLIENT_AUTH_* (server) */
	int has_ca;         /* a CA was given: trust only it, not the system store */
	int has_cert;       /* a certificate and key were given */
	unsigned char session_key[32]; /* the backend's MAC key for saved sessions */
	unsigned char *alpn; /* the ALPN list in wire format, or NULL */
	size_t alpn_len;
	void *be;           /* the backend's state */
};

/* Where a connection is. */
enum lsi_tls_state {
	LSI_TLS_NEW = 0,    /* wrapped, the handshake not finished */
	LSI_TLS_READY = 1,  /* the handshake is done */
	LSI_TLS_FAILED = 2  /* a fatal error happened: t->error says which */
};

struct ls_tls {
	ls_tls_config *cfg; /* holds one reference */
	ls_socket sock;
	int flags;          /* LS_TLS_OWN_SOCKET */
	int state;          /* enum lsi_tls_state */
	int error;          /* the sticky error once LSI_TLS_FAILED */
	int want;           /* LS_POLLIN / LS_POLLOUT after LS_EAGAIN, else 0 */
	int io_err;         /* the last socket error the I/O functions saw, or 0 */
	int io_eof;         /* the socket reached the end of the stream */
	int shut_sent;      /* close_notify went out */
	int io_block;       /* this call may wait in the OS calls (see lsi_tls_io_send) */
	char *server_name;  /* client: what to verify (IP text canonical), or NULL */
	int name_is_ip;     /* server_name is an IP address: no SNI, IP SAN check */
	char detail[LSI_TLS_DETAIL_MAX];
	char alpn[LS_TLS_ALPN_NAME_MAX + 1]; /* the backend fills it when the handshake is done */
	void *be;           /* the backend's state */
};

/* --- Provided by common code for backends ------------------------------- */

/*
 * Send or receive on the connection's socket (ls_send or ls_recv; without
 * waiting unless t->io_block). LS_EAGAIN sets t->want (so does a signal on
 * an interruptible socket, which returns LS_EAGAIN to the backend and ends
 * the public call with LS_EINTR); any other error is kept in t->io_err; a
 * receive of 0 bytes (end of stream) sets t->io_eof.
 */
int64_t lsi_tls_io_send(ls_tls *t, const void *buf, size_t len);
int64_t lsi_tls_io_recv(ls_tls *t, void *buf, size_t len);

/*
 * Report a failure: record native (the backend's own code) for
 * ls_native_error() and the sentence for ls_tls_error_detail() (on t, or
 * the thread's when t is NULL), and return code.
 */
int lsi_tls_fail(ls_tls *t, int code, int native, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 4, 5)))
#endif
	;

/*
 * What a server learns from the client's first record before its TLS
 * library has seen it, for a backend whose library has no callbacks for
 * them (Schannel): the SNI host name and the client's ALPN list (hello.c).
 */
typedef struct lsi_tls_hello {
	char sni[256];             /* the host_name the client sent, or "" */
	const unsigned char *alpn; /* the client's ALPN list in wire format (inside rec), or NULL */
	size_t alpn_len;
} lsi_tls_hello;

/*
 * Read the ClientHello in the first record of rec (len bytes received so
 * far). LS_EAGAIN while the record is not whole; else 0, with what the
 * record holds (a ClientHello split over records, or no ClientHello at
 * all, leaves out what is missing: the TLS library judges the bytes).
 */
int lsi_tls_hello_parse(const unsigned char *rec, size_t len, lsi_tls_hello *out);

/*
 * A server's ALPN choice, as ls_tls_config_alpn() says: its first protocol
 * that the client offers. The length (0 for none, then *proto is NULL) and
 * in *proto the length byte and name inside cfg->alpn.
 */
size_t lsi_tls_alpn_choose(const ls_tls_config *cfg, const lsi_tls_hello *h,
                           const unsigned char **proto);

/* --- Implemented by each backend --------------------------------------- */

/* The backend's name for ls_tls_backend(): "openssl", "schannel" or "". */
const char *lsi_tlsb_name(void);

/*
 * Create the backend's state for a new configuration (cfg->mode is set,
 * the rest holds the defaults). The system's trust store is its trust
 * unless a CA is given; the backend loads it here or, at the latest, in
 * lsi_tlsb_config_freeze().
 * LS_ENOTSUP when there is no backend.
 */
int lsi_tlsb_config_new(ls_tls_config *cfg);

/* Free what lsi_tlsb_config_new() made. cfg->be may be NULL. */
void lsi_tlsb_config_free(ls_tls_config *cfg);

/*
 * Add the PEM certificates in pem (len bytes, not NUL-terminated) to the
 * trusted set. The first call replaces the system's store with an empty
 * one (cfg->has_ca is still 0 then); a call that finds no certificate
 * changes nothing and is LS_EINVAL.
 */
int lsi_tlsb_config_ca(ls_tls_config *cfg, const void *pem, size_t len);

/*
 * Use the PEM chain (leaf first) and PEM key as this side's certificate,
 * replacing any earlier one. LS_EINVAL if either cannot be read or they do
 * not belong together.
 */
int lsi_tlsb_config_cert(ls_tls_config *cfg, const void *chain, size_t chain_len,
                         const void *key, size_t key_len);

/* The same from PKCS#12 data; password may be NULL. */
int lsi_tlsb_config_pkcs12(ls_tls_config *cfg, const void *data, size_t len,
                           const char *password);

/*
 * The configuration is about to serve its first connection and will not
 * change again: apply the plain settings (versions, ALPN, verification,
 * client authentication) to the backend's state, or build what the backend
 * needs once (Schannel: the credentials handle). Called exactly once.
 */
int lsi_tlsb_config_freeze(ls_tls_config *cfg);

/*
 * Create the backend's state for a connection: t->cfg, t->sock,
 * t->server_name and t->name_is_ip are set. Nothing goes on the wire yet.
 */
int lsi_tlsb_conn_new(ls_tls *t);

/* Free the connection's state (t->be may be NULL). Sends nothing. */
void lsi_tlsb_conn_free(ls_tls *t);

/*
 * One step of the handshake: 0 when it is done (t->alpn filled in), LS_EAGAIN (t->want set)
 * when the socket must become ready first, or an error.
 */
int lsi_tlsb_handshake(ls_tls *t);

/*
 * One step of sending application data (the handshake is done): the
 * number of bytes taken (> 0), LS_EAGAIN (t->want set) or an error. After
 * LS_EAGAIN the caller repeats the call with the same data.
 */
int64_t lsi_tlsb_send(ls_tls *t, const void *buf, size_t len);

/*
 * One step of receiving: a count > 0, 0 for the peer's close_notify,
 * LS_EAGAIN (t->want set), LS_ETRUNCATED for the end of the stream without
 * close_notify, or an error.
 */
int64_t lsi_tlsb_recv(ls_tls *t, void *buf, size_t len);

/* One step of sending close_notify: 0 once it is out, LS_EAGAIN, or an error. */
int lsi_tlsb_shutdown(ls_tls *t);

/* Decrypted bytes buffered, which a receive returns without the socket. */
size_t lsi_tlsb_pending(const ls_tls *t);

/*
 * After the handshake: the version (LS_TLS_V1_x) and the cipher suite's
 * IANA name. (The ALPN result goes into t->alpn when the handshake ends.)
 */
int lsi_tlsb_version(const ls_tls *t);
const char *lsi_tlsb_cipher(const ls_tls *t);

/* 1 if the peer's certificate was presented and passed every check asked for. */
int lsi_tlsb_peer_verified(const ls_tls *t);

/* The peer's leaf in DER as ls_tls_peer_cert() says (LS_ENOENT for none). */
int lsi_tlsb_peer_cert(const ls_tls *t, void *buf, size_t size, size_t *len);

/* Server: the SNI name received, or "" (hello.c reads it where the library cannot say). */
const char *lsi_tlsb_server_name(const ls_tls *t);

/*
 * Sessions (a client; common code checks the mode and the state).
 * session_get: the blob ls_tls_session_get() describes, LS_EAGAIN (t->want
 * set) when a TLS 1.3 ticket has not come yet, LS_ENOSPC with *len set, or
 * an error; it may read without waiting (t->io_block is 0). session_set:
 * before the handshake, offer the blob's session, or not for another name.
 * session_reused: whether the handshake resumed one (a server too).
 */
int lsi_tlsb_session_get(ls_tls *t, void *buf, size_t size, size_t *len);
int lsi_tlsb_session_set(ls_tls *t, const void *buf, size_t len);
int lsi_tlsb_session_reused(const ls_tls *t);

#endif /* LSI_TLS_BACKEND_H */
