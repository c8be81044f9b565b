/*
 * libsock/proxy.h - the PROXY protocol (HAProxy's proxy-protocol.txt,
 * versions 1 and 2) on listeners behind a load balancer.
 *
 * A listener configured with ls_listener_set_proxy() requires a header on
 * every connection, accepts connections only from trusted sources (the
 * proxies), and reads the header inside ls_accept() within a deadline
 * (3 s by default). It never guesses whether a header is present. A
 * connection from an untrusted source, or with a header that is malformed,
 * oversized, of a version not enabled, or late, is reset and counted
 * (ls_proxy_rejected()); it never reaches ls_accept()'s caller. After a
 * good header the accepted socket's peer (ls_getpeername, ls_accept's peer
 * argument) is the real client, and the listener's access rules (acl.h) are
 * applied to that client. ls_proxy_get() gives the proxy's own address, the
 * address the client connected to, and the TLVs.
 *
 * Reading the header happens inside ls_accept() even on a non-blocking
 * listener: only trusted proxies get that far, and they send the header
 * with the connection, so the wait is short; the deadline bounds it.
 *
 * ls_proxy_parse() is the parser alone, for buffers from elsewhere.
 */
#ifndef LIBSOCK_PROXY_H
#define LIBSOCK_PROXY_H

#include <stddef.h>
#include <stdint.h>

#include "libsock/acl.h"
#include "libsock/addr.h"
#include "libsock/export.h"
#include "libsock/socket.h"

/* Versions (bits). */
#define LS_PROXY_V1 0x01
#define LS_PROXY_V2 0x02

/* The longest header accepted (v2 with TLVs); longer is rejected. */
#define LS_PROXY_MAX_HEADER 4096

/* v2 TLV types (proxy-protocol.txt section 2.2). */
#define LS_PP2_TYPE_ALPN      0x01
#define LS_PP2_TYPE_AUTHORITY 0x02
#define LS_PP2_TYPE_CRC32C    0x03
#define LS_PP2_TYPE_NOOP      0x04
#define LS_PP2_TYPE_UNIQUE_ID 0x05
#define LS_PP2_TYPE_SSL       0x20
#define LS_PP2_TYPE_NETNS     0x30

/* Inside the SSL TLV: client flags, and sub-TLV types (section 2.2.5). */
#define LS_PP2_CLIENT_SSL          0x01
#define LS_PP2_CLIENT_CERT_CONN    0x02
#define LS_PP2_CLIENT_CERT_SESS    0x04
#define LS_PP2_SUBTYPE_SSL_VERSION 0x21
#define LS_PP2_SUBTYPE_SSL_CN      0x22
#define LS_PP2_SUBTYPE_SSL_CIPHER  0x23
#define LS_PP2_SUBTYPE_SSL_SIG_ALG 0x24
#define LS_PP2_SUBTYPE_SSL_KEY_ALG 0x25

typedef struct ls_proxy_header {
	int version;    /* 1 or 2 */
	int local;      /* v2 LOCAL or v1 UNKNOWN: no client addresses (health checks) */
	int stream;     /* 1 for a TCP (stream) client, 0 for UDP (v2 only) */
	ls_addr src;    /* the real client (LS_AF_UNSPEC when local) */
	ls_addr dst;    /* the address the client connected to */
	size_t length;  /* bytes of the header, TLVs included */
	size_t tlv_off; /* v2: where the TLVs start in the header, and their length */
	size_t tlv_len;
} ls_proxy_header;

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Parse a header at the start of buf (len bytes) of the enabled versions.
 * Returns 0 and fills *out, LS_EAGAIN when the bytes so far are a valid
 * beginning but incomplete, or LS_EPROTO (malformed, a version not enabled,
 * no header at all, a bad CRC32C, longer than LS_PROXY_MAX_HEADER). Never
 * reads past len.
 */
LS_API int ls_proxy_parse(const void *buf, size_t len, int versions, ls_proxy_header *out);

/*
 * Find TLV type in a v2 header's TLV area (hdr and the header bytes): copy
 * its value into out (size bytes) and set *len to its length. LS_ENOENT if
 * absent, LS_ENOSPC if out is too small (*len still says how long).
 */
LS_API int ls_proxy_tlv_find(const void *header, const ls_proxy_header *hdr, int type, void *out,
                             size_t size, size_t *len);

/*
 * The SSL TLV of a v2 header (the proxy terminated TLS): its client flags
 * (LS_PP2_CLIENT_*) and verify result (0: the client certificate verified)
 * into *client and *verify (either may be NULL), and, when subtype is not 0,
 * that sub-TLV's value (LS_PP2_SUBTYPE_SSL_*: version, client certificate
 * CN, cipher, ...) into out with *len. LS_ENOENT if there is no SSL TLV or
 * no such sub-TLV, LS_EPROTO for a malformed SSL TLV, LS_ENOSPC if out is
 * too small (*len says how long).
 */
LS_API int ls_proxy_ssl_find(const void *header, const ls_proxy_header *hdr, unsigned *client,
                             uint32_t *verify, int subtype, void *out, size_t size, size_t *len);

/*
 * Require PROXY headers of the given versions on a TCP listener, only from
 * sources that `trusted` allows (its copy is kept; NULL: every source is
 * trusted, which is only safe when nothing but the proxy can reach the
 * listener), read within header_timeout_ms (0: 3000). versions 0 turns it
 * off. LS_EINVAL for unknown version bits or a negative timeout,
 * LS_EPROTOTYPE for a socket that is not TCP.
 */
LS_API int ls_listener_set_proxy(ls_socket listener, int versions, const ls_acl *trusted,
                                 int64_t header_timeout_ms);

/* ls_proxy_get()'s tlv_type for the whole header's bytes (for ls_proxy_ssl_find). */
#define LS_PROXY_RAW (-1)

/*
 * The header an accepted socket arrived with: *hdr, the proxy's address in
 * *proxy (may be NULL), and TLV type (0: none wanted; LS_PROXY_RAW: the
 * whole header) into tlv/tlv_size with *tlv_len. LS_ENOENT if the socket came through no PROXY
 * listener (or the TLV is absent), LS_ENOSPC if tlv is too small.
 */
LS_API int ls_proxy_get(ls_socket s, ls_proxy_header *hdr, ls_addr *proxy, int tlv_type, void *tlv,
                        size_t tlv_size, size_t *tlv_len);

/* Connections this process rejected for their PROXY header or source. */
LS_API uint64_t ls_proxy_rejected(void);

#ifdef __cplusplus
}
#endif

#endif /* LIBSOCK_PROXY_H */
