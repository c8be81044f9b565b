/*
 * libsock/tls.h - TLS over libsock's own sockets.
 *
 * Secure unless told otherwise: a client verifies the server's certificate
 * chain against the system's trust store and checks it names the server;
 * the oldest version spoken is TLS 1.2. Turning a check off takes an
 * explicit call. One API over the OS's or a library's TLS: ls_tls_backend()
 * names the one this build uses ("openssl", "schannel", or "" when libsock
 * was built without TLS, where every call below returns LS_ENOTSUP).
 *
 * Two objects:
 * - ls_tls_config: what to trust, which certificate to present, versions,
 *   ALPN. Reference-counted; one configuration serves many connections and
 *   becomes read-only when the first connection uses it: changing it after
 *   that is LS_EREADONLY. Build it in one thread before sharing it.
 * - ls_tls: one TLS connection over an existing connected ls_socket.
 *
 * Who owns the socket: the caller, always, unless ls_tls_wrap() was given
 * LS_TLS_OWN_SOCKET; then ls_tls_close() closes the socket too. A failed
 * ls_tls_wrap() never closes it. While wrapped, do not read or write the
 * socket directly: TLS records would be torn.
 *
 * Waiting follows the socket (ls_set_timeout): a blocking socket blocks, a
 * socket with a timeout gives up with LS_ETIMEDOUT (ls_tls_handshake() and
 * ls_tls_sendall() against one overall deadline, the other calls one
 * deadline each), and a non-blocking socket (or LS_MSG_DONTWAIT) returns
 * LS_EAGAIN, after which ls_tls_want() says whether to wait for LS_POLLIN
 * or LS_POLLOUT (TLS may need to write while reading and the reverse), with
 * ls_poll() or a poller. An interruptible socket reports LS_EINTR. After
 * LS_EAGAIN from ls_tls_send() or ls_tls_sendall(), call again with the
 * same data.
 *
 * One call at a time on a connection: the calls are not safe to make
 * concurrently on the same ls_tls (sending in one thread while receiving
 * in another included). Different connections are independent.
 *
 * Failures are LS_E* codes: LS_ETLS (handshake or protocol failure),
 * LS_ECERTUNTRUSTED, LS_ECERTEXPIRED, LS_ECERTNAME, LS_ECERT (certificate
 * checks, ours or the peer's), LS_ETRUNCATED (the peer closed without
 * close_notify), LS_EREADONLY, and the socket's own errors. After a failure
 * ls_native_error() holds the backend's code (OpenSSL: the X509_V_ERR_*
 * verify result for certificate failures, else the ERR_* error code;
 * Schannel: the chain's CERT_TRUST_* status or the SSL policy's CERT_E_*
 * error for certificate failures, else the SECURITY_STATUS) and
 * ls_tls_error_detail() a sentence saying what happened.
 *
 * Schannel (Windows) is a client and a server. Its own certificate comes
 * from PKCS#12, or from PEM with an RSA key or (through CNG) an EC key in
 * PKCS#8; the key is kept, as Schannel needs, in a key container of the
 * user's that the configuration makes and deletes when it is freed. It
 * resumes sessions by itself (ls_tls_session_get/_set are LS_ENOTSUP).
 * Under wine the server handshake is LS_ENOTSUP (wine has no
 * AcceptSecurityContext) and keys are RSA only (no CNG).
 */
#ifndef LIBSOCK_TLS_H
#define LIBSOCK_TLS_H

#include <stddef.h>
#include <stdint.h>

#include "libsock/export.h"
#include "libsock/socket.h"

/* Modes for ls_tls_config_new(). */
#define LS_TLS_CLIENT 1
#define LS_TLS_SERVER 2

/* Protocol versions, as on the wire. 0 means "the default" where allowed. */
#define LS_TLS_V1_0 0x0301
#define LS_TLS_V1_1 0x0302
#define LS_TLS_V1_2 0x0303
#define LS_TLS_V1_3 0x0304

/* Server: whether to ask the client for a certificate (ls_tls_config_client_auth). */
#define LS_TLS_CLIENT_AUTH_NONE 0     /* do not ask (the default) */
#define LS_TLS_CLIENT_AUTH_OPTIONAL 1 /* ask; verify one if sent */
#define LS_TLS_CLIENT_AUTH_REQUIRED 2 /* ask; fail the handshake without one */

/* ls_tls_wrap() flags. Unknown bits are LS_EINVAL. */
#define LS_TLS_OWN_SOCKET 0x01 /* ls_tls_close() also closes the socket */

/* The most ALPN protocols one configuration takes, and the longest name. */
#define LS_TLS_ALPN_MAX 16
#define LS_TLS_ALPN_NAME_MAX 255

typedef struct ls_tls_config ls_tls_config;
typedef struct ls_tls ls_tls;

#ifdef __cplusplus
extern "C" {
#endif

/* "openssl", "schannel", or "" in a build without TLS. Never NULL. */
LS_API const char *ls_tls_backend(void);

/* --- Configuration ------------------------------------------------------- */

/*
 * A new configuration for mode (LS_TLS_CLIENT or LS_TLS_SERVER) with one
 * reference. It trusts the system's store, verifies chain and (client)
 * name, speaks TLS 1.2 and newer, offers no ALPN and (server) asks for no
 * client certificate. A server needs a certificate (ls_tls_config_cert_*)
 * before it can wrap. Errors: LS_EINVAL, LS_ENOMEM, LS_ENOTSUP (no TLS).
 */
LS_API int ls_tls_config_new(ls_tls_config **out, int mode);

/* Take one more reference. NULL is LS_EINVAL. */
LS_API int ls_tls_config_hold(ls_tls_config *cfg);

/*
 * Drop one reference; the last one (the caller's and every connection's)
 * frees it. Connections hold their own, so a configuration may be released
 * right after wrapping. NULL is ignored.
 */
LS_API void ls_tls_config_free(ls_tls_config *cfg);

/*
 * Trust the PEM certificates in a file, or in memory (len bytes, no NUL
 * needed), instead of the system's store. May be called more than once:
 * the certificates add up. Errors: LS_ENOENT (no such file), LS_EINVAL (no
 * certificate in it, or not PEM), LS_EREADONLY.
 */
LS_API int ls_tls_config_ca_file(ls_tls_config *cfg, const char *path);
LS_API int ls_tls_config_ca_mem(ls_tls_config *cfg, const void *pem, size_t len);

/*
 * The certificate to present: a PEM chain (the leaf first, then the
 * intermediates) and its PEM private key, from files (key_path may be the
 * chain's file when both are in one) or from memory. Replaces an earlier
 * one. The key: PKCS#8 ("PRIVATE KEY") or the algorithm's own PEM form,
 * not encrypted. Errors: LS_ENOENT, LS_EINVAL (unreadable, or the key does
 * not match the certificate), LS_EREADONLY, LS_ENOTSUP (Schannel: a key
 * neither RSA nor EC, an EC key in SEC1 form or where there is no CNG, as
 * under wine; PKCS#12 takes the others).
 */
LS_API int ls_tls_config_cert_file(ls_tls_config *cfg, const char *chain_path,
                                   const char *key_path);
LS_API int ls_tls_config_cert_mem(ls_tls_config *cfg, const void *chain, size_t chain_len,
                                  const void *key, size_t key_len);

/*
 * The certificate to present from a PKCS#12 file or memory (password may be
 * NULL for none): the key, the leaf and any chain it carries. Errors as
 * ls_tls_config_cert_file (LS_EINVAL also for a wrong password).
 */
LS_API int ls_tls_config_pkcs12_file(ls_tls_config *cfg, const char *path,
                                     const char *password);
LS_API int ls_tls_config_pkcs12_mem(ls_tls_config *cfg, const void *data, size_t len,
                                    const char *password);

/*
 * The versions to speak, LS_TLS_V1_0 .. LS_TLS_V1_3; 0 for the default
 * (min: TLS 1.2; max: the newest the backend has). Older than 1.2 must be
 * asked for explicitly and may still be refused by the backend's own policy.
 * Errors: LS_EINVAL (unknown version, min above max), LS_EREADONLY.
 */
LS_API int ls_tls_config_versions(ls_tls_config *cfg, int min_version, int max_version);

/*
 * ALPN protocols in order of preference (count 0 clears). A client offers
 * them; a server picks the first of its own that the client offers, and
 * when there is none in common completes the handshake without ALPN (the
 * application decides: ls_tls_alpn() is then ""). Errors: LS_EINVAL (more
 * than LS_TLS_ALPN_MAX, an empty or over-long name), LS_EREADONLY.
 */
LS_API int ls_tls_config_alpn(ls_tls_config *cfg, const char *const *protocols, size_t count);

/*
 * Turn off verifying that the peer's chain leads to a trusted root (and is
 * in date). The name is still checked unless that is turned off too. For
 * tests and pinned peers only. Errors: LS_EINVAL, LS_EREADONLY.
 */
LS_API int ls_tls_config_insecure_no_verify_chain(ls_tls_config *cfg);

/*
 * Turn off checking that the server's certificate names the server given
 * to ls_tls_wrap() (client only; the chain is still verified). Then the
 * server name may be NULL. Errors: LS_EINVAL (server mode), LS_EREADONLY.
 */
LS_API int ls_tls_config_insecure_no_verify_name(ls_tls_config *cfg);

/*
 * Server: LS_TLS_CLIENT_AUTH_NONE, _OPTIONAL or _REQUIRED. A client
 * certificate is verified against the configuration's trust (the system's
 * store, or the CA given). Errors: LS_EINVAL (client mode, unknown value),
 * LS_EREADONLY.
 */
LS_API int ls_tls_config_client_auth(ls_tls_config *cfg, int mode);

/* --- Connections --------------------------------------------------------- */

/*
 * Start TLS on a connected stream socket s, as cfg's mode says. The
 * connection holds a reference to cfg, which becomes read-only. A client
 * passes the server's name (a DNS name, or an IPv4/IPv6 address, brackets
 * allowed): a DNS name is sent as SNI and checked against the
 * certificate's DNS names, an address is checked against its IP entries
 * and not sent. A server passes NULL. Nothing is sent yet: the handshake
 * happens in ls_tls_handshake() or the first send or receive.
 * flags: 0 or LS_TLS_OWN_SOCKET. Errors: LS_EINVAL (NULL out or cfg, a
 * client without a name while it checks names, a name on a server, unknown
 * flags, a server without a certificate), LS_EBADF, LS_EPROTOTYPE (not a
 * stream socket), LS_ENOMEM.
 */
LS_API int ls_tls_wrap(ls_tls **out, ls_tls_config *cfg, ls_socket s, const char *server_name,
                       int flags);

/*
 * Run the handshake to the end, within one deadline (the socket's
 * timeout). 0 once done (again 0 if already done); LS_EAGAIN on a
 * non-blocking socket (see ls_tls_want()); a TLS or certificate error; a
 * socket error. A failed handshake leaves the connection unusable (every
 * later call returns the same error): close it.
 */
LS_API int ls_tls_handshake(ls_tls *t);

/*
 * Send up to len bytes (the handshake first if not done). Returns how many
 * were taken (at least 1 for len > 0; records are at most 16 KiB, so a long
 * buffer may go in parts), or an error. flags: 0 or LS_MSG_DONTWAIT.
 */
LS_API int64_t ls_tls_send(ls_tls *t, const void *buf, size_t len, int flags);

/*
 * Receive up to len bytes (the handshake first if not done). Returns the
 * count, 0 once the peer sent close_notify (an orderly end), LS_ETRUNCATED
 * if the connection ended without it, or an error. flags: 0 or
 * LS_MSG_DONTWAIT.
 */
LS_API int64_t ls_tls_recv(ls_tls *t, void *buf, size_t len, int flags);

/*
 * Send all len bytes within one deadline. Returns 0 or an error; *sent
 * (may be NULL) receives how many were taken either way.
 */
LS_API int ls_tls_sendall(ls_tls *t, const void *buf, size_t len, int flags, size_t *sent);

/*
 * Decrypted bytes already buffered, that ls_tls_recv() returns without
 * touching the socket: check it before waiting for LS_POLLIN, since the
 * socket is not readable for them. 0 for NULL.
 */
LS_API size_t ls_tls_pending(const ls_tls *t);

/*
 * Send close_notify (an orderly end of this side's stream). Reading goes
 * on: ls_tls_recv() returns 0 when the peer's close_notify arrives. Waits
 * as the socket says to get it out. LS_ENOTCONN before the handshake is
 * done. Calling it again returns 0.
 */
LS_API int ls_tls_shutdown(ls_tls *t);

/*
 * Free the connection and drop its configuration reference; with
 * LS_TLS_OWN_SOCKET also close the socket. Sends nothing: call
 * ls_tls_shutdown() first for an orderly end. NULL is ignored (returns 0).
 * Returns ls_close()'s result for an owned socket, else 0.
 */
LS_API int ls_tls_close(ls_tls *t);

/*
 * After LS_EAGAIN: LS_POLLIN or LS_POLLOUT, what the socket must become
 * before the call can go on. 0 when nothing is awaited (or NULL).
 */
LS_API int ls_tls_want(const ls_tls *t);

/* The socket under the connection, LS_INVALID_SOCKET for NULL. */
LS_API ls_socket ls_tls_socket(const ls_tls *t);

/* --- After the handshake ---------------------------------------------- */

/* The version spoken (LS_TLS_V1_2, ...), or 0 before the handshake. */
LS_API int ls_tls_version(const ls_tls *t);

/* The cipher suite's IANA-style name ("TLS_AES_256_GCM_SHA384"), or "". */
LS_API const char *ls_tls_cipher(const ls_tls *t);

/* The ALPN protocol agreed on, or "" for none. */
LS_API const char *ls_tls_alpn(const ls_tls *t);

/*
 * 1 if the peer presented a certificate and every check configured passed
 * (chain and, on a client, name); 0 otherwise (checks turned off, a server
 * whose client sent none, before the handshake).
 */
LS_API int ls_tls_peer_verified(const ls_tls *t);

/*
 * The peer's certificate (the leaf) in DER into buf. *len gets its size
 * even when buf is too small (then LS_ENOSPC; buf may be NULL with size 0
 * to ask). LS_ENOENT when the peer sent none, LS_ENOTCONN before the
 * handshake.
 */
LS_API int ls_tls_peer_cert(const ls_tls *t, void *buf, size_t size, size_t *len);

/*
 * Server: the name the client sent as SNI, or "" for none (Schannel, which
 * does not say, has libsock read it from the ClientHello). Client: "".
 */
LS_API const char *ls_tls_server_name(const ls_tls *t);

/* --- Session resumption --------------------------------------------- */

/* Room enough for a saved session in the usual case (the peer's certificate is in it). */
#define LS_TLS_SESSION_MAX 8192

/*
 * Client: save the session of this connection, to resume it on a later
 * connection with ls_tls_session_set(). A resumed handshake skips the
 * server's certificate and signatures and reuses this connection's
 * verification (the chain and the name were checked here).
 *
 * The blob is SECRET, like a private key: it holds the session's master
 * secret, from which resumed connections' keys follow. Keep it in memory,
 * or protect it as a key. Besides the secret it holds the server's ticket,
 * the server name given to ls_tls_wrap(), the peer's certificate and a MAC
 * under a random key of this configuration: it resumes only through the
 * same ls_tls_config (in this process) that made it.
 *
 * When: with TLS 1.2 the session exists when the handshake is done; a TLS
 * 1.3 server sends it (a ticket) just after the handshake. If none has
 * come yet, this call reads what the socket already holds without waiting
 * (application data stays buffered for ls_tls_recv(), see ls_tls_pending())
 * and returns LS_EAGAIN, ls_tls_want() LS_POLLIN, while there is still
 * none: wait and call again, or call again after receiving.
 *
 * *len gets the blob's size even when buf is too small (LS_ENOSPC; buf may
 * be NULL with size 0 to ask). Errors: LS_EINVAL (NULL, a server),
 * LS_ENOTCONN (before the handshake), LS_ENOENT (a TLS 1.2 server gave no
 * session to resume), a failure of the connection, LS_ENOTSUP (Schannel:
 * Windows caches and resumes sessions itself, see ls_tls_session_reused).
 */
LS_API int ls_tls_session_get(ls_tls *t, void *buf, size_t size, size_t *len);

/*
 * Client, before the handshake: offer the session saved by
 * ls_tls_session_get(). 0 when offered; the server may still decline (an
 * expired ticket, another server), and the handshake is then a full one
 * (ls_tls_session_reused() says which). A session saved for another server
 * name is not offered (0, a full handshake). Errors: LS_EINVAL (NULL, a
 * server, the handshake already begun, or a blob that is not a session of
 * this configuration: corrupt, cut short, or made by another
 * configuration; the detail says so), LS_ENOTSUP (Schannel).
 */
LS_API int ls_tls_session_set(ls_tls *t, const void *buf, size_t len);

/*
 * 1 if the handshake resumed a session (a client: the one offered; a
 * server: a ticket the client sent), 0 otherwise and before the handshake.
 * A server resumes by default: its tickets are encrypted under a key made
 * at random for its configuration, never written anywhere, so only
 * connections of the same configuration object accept them.
 */
LS_API int ls_tls_session_reused(const ls_tls *t);

/*
 * A sentence about the last failure: of connection t, or with t NULL of the
 * last TLS call that failed on this thread (configuration calls and
 * ls_tls_wrap() included). "" when there was none. Valid until the next
 * call on t (or on this thread).
 */
LS_API const char *ls_tls_error_detail(const ls_tls *t);

#ifdef __cplusplus
}
#endif

#endif /* LIBSOCK_TLS_H */
