/*
 * parse.c - PROXY protocol headers, versions 1 (text) and 2 (binary, with
 * TLVs), written from HAProxy's proxy-protocol.txt. Pure functions over a
 * buffer: nothing here does I/O, so the fuzzers (fuzz/) drive it directly.
 *
 * The first bytes decide the version; anything that is neither signature is
 * an error, never "no header". A prefix of a valid header is LS_EAGAIN, so
 * a reader can peek, parse, and read more until the answer is final.
 */
#include <string.h>

#include "proxy/proxy_internal.h"

static const unsigned char lsi_v2_sig[12] = {0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d,
                                             0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a};

#define LSI_V1_MAX 107 /* the longest v1 line, CRLF included (section 2.1) */

/* 0 if buf could still become sig, LS_EPROTO if it cannot. */
static int lsi_prefix_of(const unsigned char *buf, size_t len, const void *sig, size_t siglen)
{
	return memcmp(buf, sig, len < siglen ? len : siglen) == 0 ? 0 : LS_EPROTO;
}

/* --- version 1 ---------------------------------------------------------- */

/* A decimal port: 1-5 digits, no leading zero, at most 65535. */
static int lsi_v1_port(const char *s, size_t n, uint16_t *out)
{
	unsigned v = 0;
	size_t i;

	if (n == 0 || n > 5 || (s[0] == '0' && n > 1))
		return LS_EPROTO;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return LS_EPROTO;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > 65535)
		return LS_EPROTO;
	*out = (uint16_t)v;
	return 0;
}

/* Split the line after "PROXY " into at most 6 space-separated fields. */
static int lsi_v1_fields(const char *line, size_t n, const char **f, size_t *fl)
{
	size_t i = 0, k = 0;

	while (i < n) {
		if (k == 6)
			return LS_EPROTO;
		f[k] = line + i;
		while (i < n && line[i] != ' ')
			i++;
		fl[k] = (size_t)(line + i - f[k]);
		if (fl[k] == 0)
			return LS_EPROTO; /* two spaces in a row, or a trailing one */
		k++;
		if (i < n)
			i++;
		if (i == n && line[n - 1] == ' ')
			return LS_EPROTO;
	}
	return (int)k;
}

static int lsi_v1_addr(const char *s, size_t n, int family, uint16_t port, ls_addr *out)
{
	char buf[LS_IPSTRLEN];

	if (n == 0 || n >= sizeof(buf))
		return LS_EPROTO;
	memcpy(buf, s, n);
	buf[n] = '\0';
	/* Only plain numeric addresses: no scope, no brackets. */
	if (strchr(buf, '%') != NULL || ls_addr_parse_ip(out, buf, family) != 0)
		return LS_EPROTO;
	out->port = port;
	return 0;
}

static int lsi_v1_proto(const char *f, size_t n)
{
	if (n == 4 && memcmp(f, "TCP4", 4) == 0)
		return LS_AF_INET;
	if (n == 4 && memcmp(f, "TCP6", 4) == 0)
		return LS_AF_INET6;
	if (n == 7 && memcmp(f, "UNKNOWN", 7) == 0)
		return LS_AF_UNSPEC;
	return -1;
}

/* The line (without "PROXY " and CRLF): proto, src, dst, sport, dport. */
static int lsi_v1_line(const char *line, size_t n, ls_proxy_header *h)
{
	const char *f[6];
	size_t fl[6];
	uint16_t sp, dp;
	int k = lsi_v1_fields(line, n, f, fl), family;

	if (k < 1)
		return LS_EPROTO;
	family = lsi_v1_proto(f[0], fl[0]);
	if (family < 0)
		return LS_EPROTO;
	if (family == LS_AF_UNSPEC) {
		/* UNKNOWN: the rest of the line is to be ignored (section 2.1). */
		h->local = 1;
		return 0;
	}
	if (k != 5 || lsi_v1_port(f[3], fl[3], &sp) != 0 || lsi_v1_port(f[4], fl[4], &dp) != 0)
		return LS_EPROTO;
	if (lsi_v1_addr(f[1], fl[1], family, sp, &h->src) != 0 ||
	    lsi_v1_addr(f[2], fl[2], family, dp, &h->dst) != 0)
		return LS_EPROTO;
	return 0;
}

static int lsi_v1(const unsigned char *buf, size_t len, ls_proxy_header *h)
{
	size_t i, max = len < LSI_V1_MAX ? len : LSI_V1_MAX;

	for (i = 6; i < max; i++) {
		if (buf[i] == '\r')
			break;
		/* Only printable US-ASCII belongs in the line. */
		if (buf[i] < 0x20 || buf[i] > 0x7e)
			return LS_EPROTO;
	}
	if (i == max)
		return len < LSI_V1_MAX ? LS_EAGAIN : LS_EPROTO;
	if (i + 1 == len)
		return LS_EAGAIN; /* the CR is the last byte so far */
	if (i + 1 >= LSI_V1_MAX || buf[i + 1] != '\n')
		return LS_EPROTO;
	h->version = 1;
	h->stream = 1;
	h->length = i + 2;
	return lsi_v1_line((const char *)buf + 6, i - 6, h);
}

/* --- version 2 ---------------------------------------------------------- */

static uint16_t lsi_be16(const unsigned char *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The addresses of a v2 PROXY command, by address family and transport. */
static int lsi_v2_addrs(const unsigned char *p, size_t n, int fam, ls_proxy_header *h)
{
	int af = fam >> 4, tp = fam & 0x0f;

	if (tp != 1 && tp != 2)
		return LS_EPROTO;
	h->stream = tp == 1;
	if (af == 1 && n >= 12) {
		ls_addr_ipv4(&h->src, p, lsi_be16(p + 8));
		ls_addr_ipv4(&h->dst, p + 4, lsi_be16(p + 10));
		return 12;
	}
	if (af == 2 && n >= 36) {
		ls_addr_ipv6(&h->src, p, lsi_be16(p + 32), 0);
		ls_addr_ipv6(&h->dst, p + 16, lsi_be16(p + 34), 0);
		return 36;
	}
	/* AF_UNIX (3) carries no IP client address; libsock serves IP only. */
	return LS_EPROTO;
}

/* Every TLV must fit exactly in the area; SSL sub-TLVs are not checked here. */
static int lsi_v2_tlvs_ok(const unsigned char *p, size_t n)
{
	size_t i = 0, l;

	while (i < n) {
		if (n - i < 3)
			return 0;
		l = lsi_be16(p + i + 1);
		if (l > n - i - 3)
			return 0;
		i += 3 + l;
	}
	return 1;
}

static int lsi_v2(const unsigned char *buf, size_t len, ls_proxy_header *h)
{
	size_t body, total;
	int used = 0;

	if (len < 16)
		return LS_EAGAIN;
	if ((buf[12] & 0xf0) != 0x20 || (buf[12] & 0x0f) > 1)
		return LS_EPROTO;
	body = lsi_be16(buf + 14);
	total = 16 + body;
	if (total > LS_PROXY_MAX_HEADER)
		return LS_EPROTO;
	if (len < total)
		return LS_EAGAIN;
	h->version = 2;
	h->length = total;
	h->local = (buf[12] & 0x0f) == 0;
	h->stream = 1;
	/*
	 * LOCAL, or PROXY with AF_UNSPEC ("unknown"): the receiver uses the
	 * connection's own addresses and skips the whole block (section 2.2).
	 */
	if (h->local || buf[13] == 0) {
		h->local = 1;
		h->tlv_off = total;
		return 0;
	}
	used = lsi_v2_addrs(buf + 16, body, buf[13], h);
	if (used < 0)
		return used;
	h->tlv_off = 16 + (size_t)used;
	h->tlv_len = body - (size_t)used;
	if (!lsi_v2_tlvs_ok(buf + h->tlv_off, h->tlv_len))
		return LS_EPROTO;
	return lsi_proxy_crc_ok(buf, h) ? 0 : LS_EPROTO;
}

int ls_proxy_parse(const void *buf, size_t len, int versions, ls_proxy_header *out)
{
	const unsigned char *b = buf;
	int v1, v2;

	if ((buf == NULL && len > 0) || out == NULL || versions == 0 ||
	    (versions & ~(LS_PROXY_V1 | LS_PROXY_V2)))
		return lsi_fail(LS_EINVAL);
	memset(out, 0, sizeof(*out));
	if (len == 0)
		return lsi_fail(LS_EAGAIN);
	v1 = (versions & LS_PROXY_V1) ? lsi_prefix_of(b, len, "PROXY ", 6) : LS_EPROTO;
	v2 = (versions & LS_PROXY_V2) ? lsi_prefix_of(b, len, lsi_v2_sig, 12) : LS_EPROTO;
	if (v1 == 0 && len >= 6)
		return lsi_fail(lsi_v1(b, len, out));
	if (v2 == 0 && len >= 12)
		return lsi_fail(lsi_v2(b, len, out));
	return lsi_fail(v1 == 0 || v2 == 0 ? LS_EAGAIN : LS_EPROTO);
}

/*
 * Find TLV type among the TLVs in p[0..n): its value's offset and length.
 * A TLV that runs past the end ends the search (the parser has checked the
 * top level; SSL sub-TLVs are checked here as they are read).
 */
static int lsi_tlv_scan(const unsigned char *p, size_t n, int type, size_t *off, size_t *len)
{
	size_t i = 0, l;

	while (i + 3 <= n) {
		l = lsi_be16(p + i + 1);
		if (l > n - i - 3)
			return LS_EPROTO;
		if (p[i] == type) {
			*off = i + 3;
			*len = l;
			return 0;
		}
		i += 3 + l;
	}
	return LS_ENOENT;
}

/* Copy a found value out: LS_ENOSPC (with *len set) if it does not fit. */
static int lsi_tlv_copy(const unsigned char *v, size_t l, void *out, size_t size, size_t *len)
{
	*len = l;
	if (l > size)
		return lsi_fail(LS_ENOSPC);
	if (l > 0)
		memcpy(out, v, l);
	return lsi_fail(0);
}

int ls_proxy_tlv_find(const void *header, const ls_proxy_header *hdr, int type, void *out,
                      size_t size, size_t *len)
{
	const unsigned char *p;
	size_t off, l;
	int rc;

	if (header == NULL || hdr == NULL || len == NULL || (out == NULL && size > 0))
		return lsi_fail(LS_EINVAL);
	p = (const unsigned char *)header + hdr->tlv_off;
	rc = lsi_tlv_scan(p, hdr->tlv_len, type, &off, &l);
	if (rc != 0)
		return lsi_fail(rc == LS_EPROTO ? LS_ENOENT : rc);
	return lsi_tlv_copy(p + off, l, out, size, len);
}

int ls_proxy_ssl_find(const void *header, const ls_proxy_header *hdr, unsigned *client,
                      uint32_t *verify, int subtype, void *out, size_t size, size_t *len)
{
	const unsigned char *p, *v;
	size_t off, l, soff, sl;
	int rc;

	if (header == NULL || hdr == NULL || (subtype != 0 && len == NULL) ||
	    (out == NULL && size > 0))
		return lsi_fail(LS_EINVAL);
	p = (const unsigned char *)header + hdr->tlv_off;
	rc = lsi_tlv_scan(p, hdr->tlv_len, LS_PP2_TYPE_SSL, &off, &l);
	if (rc != 0)
		return lsi_fail(rc == LS_EPROTO ? LS_ENOENT : rc);
	/* The SSL value: one byte of client flags, four of verify result, then sub-TLVs. */
	if (l < 5)
		return lsi_fail(LS_EPROTO);
	v = p + off;
	if (client != NULL)
		*client = v[0];
	if (verify != NULL)
		*verify = (uint32_t)v[1] << 24 | (uint32_t)v[2] << 16 | (uint32_t)v[3] << 8 | v[4];
	if (subtype == 0)
		return lsi_fail(0);
	rc = lsi_tlv_scan(v + 5, l - 5, subtype, &soff, &sl);
	if (rc != 0)
		return lsi_fail(rc);
	return lsi_tlv_copy(v + 5 + soff, sl, out, size, len);
}
