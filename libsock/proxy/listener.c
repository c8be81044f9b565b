/*
 * listener.c - PROXY headers on a listener: its settings, reading the
 * header of each accepted connection (lsi_proxy_admit, called by
 * ls_accept), and what an accepted socket remembers of it.
 *
 * The header is read with MSG_PEEK and then consumed to its exact length,
 * so no byte of the client's own data is ever taken. While a header is
 * incomplete, the reader sleeps in short slices (a peek cannot wait for
 * "more" data than is already there); trusted proxies send the header with
 * the connection, so this is rare, and the header deadline bounds it.
 */
#include <stdlib.h>
#include <string.h>

#include "acl/acl_internal.h"
#include "proxy/proxy_internal.h"

#define LSI_PROXY_DEFAULT_MS 3000
#define LSI_PROXY_SLICE_MS   5

/* A listener's settings: shared by its accepts, replaced as a whole. */
typedef struct lsi_proxy_cfg {
	lsi_shared head; /* first: the settings are shared (common/shared.c) */
	int versions;
	int64_t timeout_ms;
	int trust_all;
	int trusted_default;
	size_t ntrusted;
	lsi_acl_rule trusted[];
} lsi_proxy_cfg;

/* What an accepted socket keeps: the header, its bytes, and the proxy. */
struct lsi_proxy_conn {
	ls_proxy_header hdr;
	ls_addr proxy;
	unsigned char raw[];
};

static _Atomic uint64_t lsi_proxy_rejects;

static void lsi_cfg_unref(lsi_proxy_cfg *c)
{
	lsi_shared_put(c != NULL ? &c->head : NULL);
}

static lsi_proxy_cfg *lsi_cfg_get(lsi_sock *sk)
{
	return (lsi_proxy_cfg *)lsi_shared_get(&sk->proxy_cfg);
}

static void lsi_cfg_swap(lsi_sock *sk, lsi_proxy_cfg *c)
{
	lsi_shared_swap(&sk->proxy_cfg, c != NULL ? &c->head : NULL);
}

static lsi_proxy_cfg *lsi_cfg_new(int versions, const ls_acl *trusted, int64_t timeout_ms)
{
	size_t n = trusted != NULL ? trusted->count : 0;
	lsi_proxy_cfg *c = malloc(sizeof(*c) + n * sizeof(c->trusted[0]));

	if (c == NULL)
		return NULL;
	atomic_init(&c->head.refs, 1);
	c->versions = versions;
	c->timeout_ms = timeout_ms > 0 ? timeout_ms : LSI_PROXY_DEFAULT_MS;
	c->trust_all = trusted == NULL;
	c->trusted_default = trusted != NULL ? trusted->default_action : LS_ACL_ALLOW;
	c->ntrusted = n;
	if (n > 0)
		memcpy(c->trusted, trusted->rules, n * sizeof(c->trusted[0]));
	return c;
}

int ls_listener_set_proxy(ls_socket listener, int versions, const ls_acl *trusted,
                          int64_t header_timeout_ms)
{
	lsi_proxy_cfg *c = NULL;
	lsi_sock *sk;
	int rc;

	if ((versions & ~(LS_PROXY_V1 | LS_PROXY_V2)) || header_timeout_ms < 0)
		return lsi_fail(LS_EINVAL);
	rc = lsi_sock_acquire(listener, &sk);
	if (rc != 0)
		return rc;
	if (sk->type != LS_SOCK_STREAM || sk->family == LS_AF_UNIX)
		rc = lsi_fail(LS_EPROTOTYPE);
	if (rc == 0 && versions != 0 &&
	    (c = lsi_cfg_new(versions, trusted, header_timeout_ms)) == NULL)
		rc = lsi_fail(LS_ENOMEM);
	if (rc == 0) {
		lsi_cfg_swap(sk, c);
		if (c != NULL)
			lsi_acl_after_accept(sk);
	}
	lsi_sock_release(sk);
	return rc;
}

uint64_t ls_proxy_rejected(void)
{
	return atomic_load_explicit(&lsi_proxy_rejects, memory_order_relaxed);
}

/* --- reading a header --------------------------------------------------- */

/* Wait until fd is readable, or a slice passes when data is already there. */
static int lsi_proxy_wait(lsi_fd fd, int64_t deadline, int partial)
{
	lsi_pollent e = {.fd = fd, .events = LS_POLLIN};
	int64_t left = lsi_remaining(deadline);
	int rc;

	if (left == 0)
		return LS_ETIMEDOUT;
	if (partial)
		return lsi_plat_poll(NULL, 0,
		                     left < LSI_PROXY_SLICE_MS ? left : LSI_PROXY_SLICE_MS);
	rc = lsi_plat_poll(&e, 1, left);
	return rc < 0 && rc != LS_EINTR ? rc : 0;
}

/* Consume exactly len bytes that a peek has shown to be there. */
static int lsi_proxy_consume(lsi_fd fd, unsigned char *buf, size_t len)
{
	size_t got = 0;
	int64_t n;

	while (got < len) {
		n = lsi_plat_recv(fd, buf + got, len - got, 0);
		if (n <= 0)
			return n == LS_EINTR ? 0 : LS_EPROTO;
		got += (size_t)n;
	}
	return 0;
}

/* Peek, parse, wait for more, until the header is whole, bad or late. */
static int lsi_proxy_read(lsi_fd fd, const lsi_proxy_cfg *c, unsigned char *buf, ls_proxy_header *h)
{
	int64_t deadline = lsi_deadline(c->timeout_ms), n;
	size_t seen = 0;
	int rc;

	for (;;) {
		n = lsi_plat_recv(fd, buf, LS_PROXY_MAX_HEADER, LS_MSG_PEEK | LS_MSG_DONTWAIT);
		if (n == 0 || (n < 0 && n != LS_EAGAIN && n != LS_EINTR))
			return LS_EPROTO; /* closed or reset before a whole header */
		if (n > 0) {
			rc = ls_proxy_parse(buf, (size_t)n, c->versions, h);
			if (rc == 0)
				return lsi_proxy_consume(fd, buf, h->length);
			if (rc != LS_EAGAIN)
				return rc;
		}
		rc = lsi_proxy_wait(fd, deadline, n > 0 && (size_t)n == seen);
		if (rc < 0)
			return rc;
		seen = n > 0 ? (size_t)n : 0;
	}
}

static void lsi_proxy_reject(lsi_sock *sk, lsi_fd fd)
{
	lsi_optmemo memo;

	memset(&memo, 0, sizeof(memo));
	lsi_plat_setopt(fd, sk->family, sk->type, &memo, LS_OPT_LINGER, 0);
	lsi_plat_close(fd);
	atomic_fetch_add_explicit(&lsi_proxy_rejects, 1, memory_order_relaxed);
}

static int lsi_trusted(const lsi_proxy_cfg *c, const ls_addr *peer)
{
	return c->trust_all || lsi_acl_rules_check(c->trusted, c->ntrusted, c->trusted_default,
	                                           peer) == LS_ACL_ALLOW;
}

int lsi_proxy_admit(lsi_sock *sk, lsi_fd fd, ls_addr *peer, struct lsi_proxy_conn **conn)
{
	unsigned char buf[LS_PROXY_MAX_HEADER];
	lsi_proxy_cfg *c = lsi_cfg_get(sk);
	ls_proxy_header h;
	int rc = LS_EPROTO;

	*conn = NULL;
	if (c == NULL)
		return 1;
	if (lsi_trusted(c, peer))
		rc = lsi_proxy_read(fd, c, buf, &h);
	lsi_cfg_unref(c);
	if (rc == 0 && (*conn = malloc(sizeof(**conn) + h.length)) == NULL)
		rc = LS_ENOMEM;
	if (rc != 0) {
		lsi_proxy_reject(sk, fd);
		return 0;
	}
	(*conn)->hdr = h;
	(*conn)->proxy = *peer;
	memcpy((*conn)->raw, buf, h.length);
	/* From here on the peer is the real client (a LOCAL header keeps the proxy). */
	if (!h.local)
		*peer = h.src;
	return 1;
}

/* --- what an accepted socket remembers ------------------------------------ */

int lsi_proxy_peer(lsi_sock *sk, ls_addr *addr)
{
	if (sk->proxy == NULL || sk->proxy->hdr.local)
		return 0;
	*addr = sk->proxy->hdr.src;
	return 1;
}

/* One TLV of the header, or (LS_PROXY_RAW) the header's bytes. */
static int lsi_proxy_tlv(const struct lsi_proxy_conn *c, int type, void *out, size_t size,
                         size_t *len)
{
	if (len == NULL || (out == NULL && size > 0))
		return lsi_fail(LS_EINVAL);
	if (type != LS_PROXY_RAW)
		return ls_proxy_tlv_find(c->raw, &c->hdr, type, out, size, len);
	*len = c->hdr.length;
	if (c->hdr.length > size)
		return lsi_fail(LS_ENOSPC);
	memcpy(out, c->raw, c->hdr.length);
	return 0;
}

int ls_proxy_get(ls_socket s, ls_proxy_header *hdr, ls_addr *proxy, int tlv_type, void *tlv,
                 size_t tlv_size, size_t *tlv_len)
{
	lsi_sock *sk;
	int rc = lsi_sock_acquire(s, &sk);

	if (rc != 0)
		return rc;
	if (sk->proxy == NULL)
		rc = lsi_fail(LS_ENOENT);
	if (rc == 0 && hdr != NULL)
		*hdr = sk->proxy->hdr;
	if (rc == 0 && proxy != NULL)
		*proxy = sk->proxy->proxy;
	if (rc == 0 && tlv_type != 0)
		rc = lsi_proxy_tlv(sk->proxy, tlv_type, tlv, tlv_size, tlv_len);
	lsi_sock_release(sk);
	return rc;
}

void lsi_proxy_release(lsi_sock *sk)
{
	free(sk->proxy);
	sk->proxy = NULL;
	lsi_cfg_swap(sk, NULL);
}
