/* test_proxy.c - PROXY protocol v1/v2: the parser, and listeners that require headers. */
#include <stdio.h>
#include <string.h>

#include "helpers.h"

static const unsigned char sig[12] = { 0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d,
	                               0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a };

/* --- building v2 headers ------------------------------------------------ */

typedef struct v2 {
	unsigned char b[600];
	size_t n;
} v2;

static void v2_start(v2 *h, int cmd, int fam)
{
	memcpy(h->b, sig, 12);
	h->b[12] = (unsigned char)(0x20 | cmd);
	h->b[13] = (unsigned char)fam;
	h->n = 16;
}

static void v2_put(v2 *h, const void *p, size_t n)
{
	memcpy(h->b + h->n, p, n);
	h->n += n;
}

static void v2_inet4(v2 *h, const char *src, uint16_t sp, const char *dst, uint16_t dp)
{
	ls_addr s, d;
	unsigned char ports[4] = { (unsigned char)(sp >> 8), (unsigned char)sp,
		                   (unsigned char)(dp >> 8), (unsigned char)dp };

	CHECK_OK(ls_addr_parse_ip(&s, src, LS_AF_INET));
	CHECK_OK(ls_addr_parse_ip(&d, dst, LS_AF_INET));
	v2_put(h, s.ip, 4);
	v2_put(h, d.ip, 4);
	v2_put(h, ports, 4);
}

static void v2_tlv(v2 *h, int type, const void *val, size_t len)
{
	unsigned char t[3] = { (unsigned char)type, (unsigned char)(len >> 8), (unsigned char)len };

	v2_put(h, t, 3);
	v2_put(h, val, len);
}

static void v2_end(v2 *h)
{
	size_t body = h->n - 16;

	h->b[14] = (unsigned char)(body >> 8);
	h->b[15] = (unsigned char)body;
}

/* CRC32C, written out here independently of the library's. */
static uint32_t crc32c(const unsigned char *p, size_t n)
{
	uint32_t crc = 0xffffffffu;
	size_t i;
	int k;

	for (i = 0; i < n; i++) {
		crc ^= p[i];
		for (k = 0; k < 8; k++)
			crc = (crc & 1) ? (crc >> 1) ^ 0x82f63b78u : crc >> 1;
	}
	return ~crc;
}

static void v2_crc(v2 *h)
{
	unsigned char zero[4] = { 0 };
	size_t at;
	uint32_t c;

	v2_tlv(h, LS_PP2_TYPE_CRC32C, zero, 4);
	v2_end(h);
	at = h->n - 4;
	c = crc32c(h->b, h->n);
	h->b[at] = (unsigned char)(c >> 24);
	h->b[at + 1] = (unsigned char)(c >> 16);
	h->b[at + 2] = (unsigned char)(c >> 8);
	h->b[at + 3] = (unsigned char)c;
}

static void check_addr(const ls_addr *a, const char *text)
{
	char buf[LS_ADDRSTRLEN];

	CHECK_OK(ls_addr_format(a, buf, sizeof(buf)));
	CHECK_STR_EQ(buf, text);
}

/* --- parser: version 1 -------------------------------------------------- */

static void v1_headers(void)
{
	static const char tcp4[] = "PROXY TCP4 192.0.2.1 198.51.100.2 56324 443\r\nGET";
	static const char tcp6[] = "PROXY TCP6 2001:db8::1 2001:db8::2 1 65535\r\n";
	static const char unk[] = "PROXY UNKNOWN ffff:f...f:ffff 1.2.3.4 65535 65535\r\n";
	ls_proxy_header h;
	size_t i;

	CHECK_OK(ls_proxy_parse(tcp4, strlen(tcp4), LS_PROXY_V1, &h));
	CHECK_EQ_INT(h.version, 1);
	CHECK_EQ_INT(h.local, 0);
	CHECK_EQ_U64(h.length, strlen(tcp4) - 3);
	check_addr(&h.src, "192.0.2.1:56324");
	check_addr(&h.dst, "198.51.100.2:443");
	CHECK_OK(ls_proxy_parse(tcp6, strlen(tcp6), LS_PROXY_V1 | LS_PROXY_V2, &h));
	check_addr(&h.src, "[2001:db8::1]:1");
	check_addr(&h.dst, "[2001:db8::2]:65535");
	CHECK_OK(ls_proxy_parse(unk, strlen(unk), LS_PROXY_V1, &h));
	CHECK_EQ_INT(h.local, 1);
	CHECK_OK(ls_proxy_parse("PROXY UNKNOWN\r\n", 15, LS_PROXY_V1, &h));
	/* Every strict prefix asks for more. */
	for (i = 1; i < strlen(tcp4) - 3; i++)
		CHECK_MSG(ls_proxy_parse(tcp4, i, LS_PROXY_V1, &h) == LS_EAGAIN, "prefix %zu", i);
}

static void v1_malformed(void)
{
	static const char *bad[] = {
		"PROXY TCP4 192.0.2.1 198.51.100.2 56324 65536\r\n",
		"PROXY TCP4 192.0.2.1 198.51.100.2 056324 443\r\n",
		"PROXY TCP4 192.0.2.1 198.51.100.2 -1 443\r\n",
		"PROXY TCP4 192.0.2.1  198.51.100.2 1 443\r\n",
		"PROXY TCP4 192.0.2.1 198.51.100.2 1 443 \r\n",
		"PROXY TCP4 2001:db8::1 198.51.100.2 1 443\r\n",
		"PROXY TCP6 192.0.2.1 198.51.100.2 1 443\r\n",
		"PROXY TCP4 192.0.2.1 198.51.100.2 1\r\n",
		"PROXY TCP4 192.0.2.1 198.51.100.2 1 2 3\r\n",
		"PROXY TCP4 192.0.2.256 198.51.100.2 1 2\r\n",
		"PROXY UDP4 192.0.2.1 198.51.100.2 1 2\r\n",
		"PROXY TCP4 192.0.2.1 198.51.100.2 1 2\n",
		"PROXY TCP4 192.0.2.1 198.51.100.2 1 2\rX",
		"PROXY TCP6 fe80::1%eth0 2001:db8::2 1 2\r\n",
		"PROXY tcp4 192.0.2.1 198.51.100.2 1 2\r\n",
		"proxy TCP4 192.0.2.1 198.51.100.2 1 2\r\n",
		"PROXY \r\n",
		"GET / HTTP/1.1\r\n",
		"PROXY TCP4 1.2.3.4 5.6.7.8 1 2\x01\r\n",
	};
	char longline[200];
	ls_proxy_header h;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_MSG(ls_proxy_parse(bad[i], strlen(bad[i]), LS_PROXY_V1, &h) == LS_EPROTO,
		          "accepted %s", bad[i]);
	/* No CRLF within 107 bytes. */
	memset(longline, 'A', sizeof(longline));
	memcpy(longline, "PROXY UNKNOWN ", 14);
	CHECK_ERR(ls_proxy_parse(longline, sizeof(longline), LS_PROXY_V1, &h), LS_EPROTO);
	CHECK_ERR(ls_proxy_parse(longline, 100, LS_PROXY_V1, &h), LS_EAGAIN);
	/* A v1 header where only v2 is enabled is not one. */
	CHECK_ERR(ls_proxy_parse(bad[0], 6, LS_PROXY_V2, &h), LS_EPROTO);
	CHECK_ERR(ls_proxy_parse("P", 1, LS_PROXY_V1, &h), LS_EAGAIN);
	CHECK_ERR(ls_proxy_parse("X", 1, LS_PROXY_V1 | LS_PROXY_V2, &h), LS_EPROTO);
	CHECK_ERR(ls_proxy_parse(NULL, 0, LS_PROXY_V1, &h), LS_EAGAIN);
	CHECK_ERR(ls_proxy_parse(NULL, 3, LS_PROXY_V1, &h), LS_EINVAL);
	CHECK_ERR(ls_proxy_parse("P", 1, 0, &h), LS_EINVAL);
	CHECK_ERR(ls_proxy_parse("P", 1, 4, &h), LS_EINVAL);
	CHECK_ERR(ls_proxy_parse("P", 1, LS_PROXY_V1, NULL), LS_EINVAL);
}

/* --- parser: version 2 -------------------------------------------------- */

static void v2_headers(void)
{
	v2 h;
	ls_proxy_header p;
	char val[64];
	size_t len, i;
	unsigned char v6[36] = { 0x20, 0x01, 0x0d, 0xb8 };

	v2_start(&h, 1, 0x11);
	v2_inet4(&h, "203.0.113.7", 5555, "192.0.2.10", 443);
	v2_tlv(&h, LS_PP2_TYPE_ALPN, "h2", 2);
	v2_tlv(&h, LS_PP2_TYPE_AUTHORITY, "example.com", 11);
	v2_crc(&h);
	CHECK_OK(ls_proxy_parse(h.b, h.n, LS_PROXY_V2, &p));
	CHECK_EQ_INT(p.version, 2);
	CHECK_EQ_INT(p.stream, 1);
	CHECK_EQ_U64(p.length, h.n);
	check_addr(&p.src, "203.0.113.7:5555");
	check_addr(&p.dst, "192.0.2.10:443");
	CHECK_OK(ls_proxy_tlv_find(h.b, &p, LS_PP2_TYPE_AUTHORITY, val, sizeof(val), &len));
	CHECK_EQ_U64(len, 11);
	CHECK(memcmp(val, "example.com", 11) == 0);
	CHECK_ERR(ls_proxy_tlv_find(h.b, &p, LS_PP2_TYPE_ALPN, val, 1, &len), LS_ENOSPC);
	CHECK_EQ_U64(len, 2);
	CHECK_ERR(ls_proxy_tlv_find(h.b, &p, LS_PP2_TYPE_UNIQUE_ID, val, sizeof(val), &len), LS_ENOENT);
	for (i = 1; i < h.n; i++)
		CHECK_MSG(ls_proxy_parse(h.b, i, LS_PROXY_V2, &p) == LS_EAGAIN, "prefix %zu", i);
	/* A wrong checksum. */
	h.b[h.n - 1] ^= 1;
	CHECK_ERR(ls_proxy_parse(h.b, h.n, LS_PROXY_V2, &p), LS_EPROTO);
	/* IPv6 over UDP. */
	v2_start(&h, 1, 0x22);
	v6[15] = 1;
	v6[31] = 2;
	v6[32] = 0x12;
	v6[33] = 0x34;
	v6[35] = 80;
	v2_put(&h, v6, 36);
	v2_end(&h);
	CHECK_OK(ls_proxy_parse(h.b, h.n, LS_PROXY_V2 | LS_PROXY_V1, &p));
	CHECK_EQ_INT(p.stream, 0);
	check_addr(&p.src, "[2001:db8::1]:4660");
	/* LOCAL: no addresses, whatever follows is skipped. */
	v2_start(&h, 0, 0x11);
	v2_inet4(&h, "1.1.1.1", 1, "2.2.2.2", 2);
	v2_end(&h);
	CHECK_OK(ls_proxy_parse(h.b, h.n, LS_PROXY_V2, &p));
	CHECK_EQ_INT(p.local, 1);
	CHECK_EQ_INT(p.src.family, LS_AF_UNSPEC);
}

static void v2_malformed(void)
{
	v2 h;
	ls_proxy_header p;

	v2_start(&h, 1, 0x11); /* too short for its addresses */
	v2_put(&h, "\1\2\3\4", 4);
	v2_end(&h);
	CHECK_ERR(ls_proxy_parse(h.b, h.n, LS_PROXY_V2, &p), LS_EPROTO);
	v2_start(&h, 2, 0x11); /* unknown command */
	v2_inet4(&h, "1.1.1.1", 1, "2.2.2.2", 2);
	v2_end(&h);
	CHECK_ERR(ls_proxy_parse(h.b, h.n, LS_PROXY_V2, &p), LS_EPROTO);
	v2_start(&h, 1, 0x11); /* version 3 */
	h.b[12] = 0x31;
	v2_inet4(&h, "1.1.1.1", 1, "2.2.2.2", 2);
	v2_end(&h);
	CHECK_ERR(ls_proxy_parse(h.b, h.n, LS_PROXY_V2, &p), LS_EPROTO);
	v2_start(&h, 1, 0x13); /* unknown transport */
	v2_inet4(&h, "1.1.1.1", 1, "2.2.2.2", 2);
	v2_end(&h);
	CHECK_ERR(ls_proxy_parse(h.b, h.n, LS_PROXY_V2, &p), LS_EPROTO);
	v2_start(&h, 1, 0x11); /* a TLV running past the end */
	v2_inet4(&h, "1.1.1.1", 1, "2.2.2.2", 2);
	v2_put(&h, "\x01\x00\x09" "ab", 5);
	v2_end(&h);
	CHECK_ERR(ls_proxy_parse(h.b, h.n, LS_PROXY_V2, &p), LS_EPROTO);
	v2_start(&h, 1, 0x11); /* oversized: the length field alone decides */
	h.b[14] = 0xff;
	h.b[15] = 0xff;
	CHECK_ERR(ls_proxy_parse(h.b, 16, LS_PROXY_V2, &p), LS_EPROTO);
	v2_start(&h, 1, 0x31); /* AF_UNIX: no IP client */
	v2_end(&h);
	CHECK_ERR(ls_proxy_parse(h.b, h.n, LS_PROXY_V2, &p), LS_EPROTO);
	/* A v2 signature where only v1 is enabled. */
	CHECK_ERR(ls_proxy_parse(sig, 12, LS_PROXY_V1, &p), LS_EPROTO);
}

/* The SSL TLV of a proxy that terminated TLS, and its sub-TLVs. */
static void v2_ssl_tlv(void)
{
	unsigned char ssl[64], sub[3];
	size_t n = 0, len;
	unsigned client = 0;
	uint32_t verify = 1;
	char val[32];
	ls_proxy_header p;
	v2 h;

	ssl[n++] = LS_PP2_CLIENT_SSL | LS_PP2_CLIENT_CERT_CONN;
	memset(ssl + n, 0, 4); /* verify 0: the client certificate verified */
	n += 4;
	sub[0] = LS_PP2_SUBTYPE_SSL_VERSION, sub[1] = 0, sub[2] = 7;
	memcpy(ssl + n, sub, 3), memcpy(ssl + n + 3, "TLSv1.3", 7);
	n += 10;
	sub[0] = LS_PP2_SUBTYPE_SSL_CN, sub[1] = 0, sub[2] = 5;
	memcpy(ssl + n, sub, 3), memcpy(ssl + n + 3, "alice", 5);
	n += 8;
	v2_start(&h, 1, 0x11);
	v2_inet4(&h, "203.0.113.7", 5555, "192.0.2.10", 443);
	v2_tlv(&h, LS_PP2_TYPE_SSL, ssl, n);
	v2_end(&h);
	CHECK_OK(ls_proxy_parse(h.b, h.n, LS_PROXY_V2, &p));
	CHECK_OK(ls_proxy_ssl_find(h.b, &p, &client, &verify, LS_PP2_SUBTYPE_SSL_CN, val, sizeof(val),
	                           &len));
	CHECK_EQ_INT(client, LS_PP2_CLIENT_SSL | LS_PP2_CLIENT_CERT_CONN);
	CHECK_EQ_INT(verify, 0);
	CHECK_EQ_U64(len, 5);
	CHECK(memcmp(val, "alice", 5) == 0);
	CHECK_OK(ls_proxy_ssl_find(h.b, &p, NULL, NULL, LS_PP2_SUBTYPE_SSL_VERSION, val, sizeof(val),
	                           &len));
	CHECK(len == 7 && memcmp(val, "TLSv1.3", 7) == 0);
	CHECK_ERR(ls_proxy_ssl_find(h.b, &p, NULL, NULL, LS_PP2_SUBTYPE_SSL_CIPHER, val, sizeof(val),
	                            &len), LS_ENOENT);
	CHECK_ERR(ls_proxy_ssl_find(h.b, &p, NULL, NULL, LS_PP2_SUBTYPE_SSL_CN, val, 2, &len),
	          LS_ENOSPC);
	CHECK_EQ_U64(len, 5);
	CHECK_ERR(ls_proxy_ssl_find(h.b, &p, NULL, NULL, LS_PP2_SUBTYPE_SSL_CN, val, 2, NULL),
	          LS_EINVAL);
	/* A malformed SSL value (shorter than its fixed part). */
	v2_start(&h, 1, 0x11);
	v2_inet4(&h, "203.0.113.7", 5555, "192.0.2.10", 443);
	v2_tlv(&h, LS_PP2_TYPE_SSL, ssl, 3);
	v2_end(&h);
	CHECK_OK(ls_proxy_parse(h.b, h.n, LS_PROXY_V2, &p));
	CHECK_ERR(ls_proxy_ssl_find(h.b, &p, &client, NULL, 0, NULL, 0, NULL), LS_EPROTO);
	/* No SSL TLV at all. */
	v2_start(&h, 1, 0x11);
	v2_inet4(&h, "203.0.113.7", 5555, "192.0.2.10", 443);
	v2_end(&h);
	CHECK_OK(ls_proxy_parse(h.b, h.n, LS_PROXY_V2, &p));
	CHECK_ERR(ls_proxy_ssl_find(h.b, &p, &client, NULL, 0, NULL, 0, NULL), LS_ENOENT);
}

/* --- listeners ---------------------------------------------------------- */

static ls_socket pl_listener(ls_addr *la, const char *trusted, int64_t header_ms)
{
	ls_socket l = h_listener(LS_AF_INET, la);
	ls_acl *acl = NULL;

	if (trusted != NULL) {
		CHECK_OK(ls_acl_new(&acl, LS_ACL_DENY));
		CHECK_OK(ls_acl_add(acl, trusted, LS_ACL_ALLOW));
	}
	CHECK_OK(ls_listener_set_proxy(l, LS_PROXY_V1 | LS_PROXY_V2, acl, header_ms));
	ls_acl_free(acl);
	return l;
}

static ls_socket pl_client(const char *source, const ls_addr *la)
{
	ls_addr src;
	ls_socket c;

	CHECK_OK(ls_addr_parse_ip(&src, source, LS_AF_INET));
	CHECK_OK(ls_socket_create(&c, LS_AF_INET, LS_SOCK_STREAM, 0));
	CHECK_OK(ls_bind(c, &src));
	CHECK_OK(ls_set_timeout(c, H_HANG_MS));
	CHECK_OK(ls_connect(c, la));
	return c;
}

static void listener_v2_real_client(void)
{
	ls_addr la, peer, proxy, name;
	ls_socket l = pl_listener(&la, "127.0.0.1", 0), c, s;
	ls_proxy_header hdr;
	char buf[16];
	size_t len;
	v2 h;

	v2_start(&h, 1, 0x11);
	v2_inet4(&h, "203.0.113.7", 5555, "127.0.0.1", ls_addr_port(&la));
	v2_tlv(&h, LS_PP2_TYPE_UNIQUE_ID, "id-42", 5);
	v2_end(&h);
	v2_put(&h, "hello", 5); /* the client's data, in the same segment */
	c = pl_client("127.0.0.1", &la);
	h_send_all(c, h.b, h.n);
	CHECK_OK(ls_set_timeout(l, H_HANG_MS));
	CHECK_OK(ls_accept(l, &s, &peer));
	check_addr(&peer, "203.0.113.7:5555");
	CHECK_OK(ls_getpeername(s, &name));
	check_addr(&name, "203.0.113.7:5555");
	CHECK_OK(ls_proxy_get(s, &hdr, &proxy, LS_PP2_TYPE_UNIQUE_ID, buf, sizeof(buf), &len));
	CHECK_EQ_INT(hdr.version, 2);
	CHECK(ls_addr_is_loopback(&proxy));
	CHECK_EQ_U64(len, 5);
	CHECK(memcmp(buf, "id-42", 5) == 0);
	/* The whole header, for ls_proxy_ssl_find and friends. */
	{
		unsigned char raw[LS_PROXY_MAX_HEADER];

		CHECK_OK(ls_proxy_get(s, NULL, NULL, LS_PROXY_RAW, raw, sizeof(raw), &len));
		CHECK_EQ_U64(len, hdr.length);
		CHECK(memcmp(raw, h.b, len) == 0);
		CHECK_ERR(ls_proxy_get(s, NULL, NULL, LS_PROXY_RAW, raw, 4, &len), LS_ENOSPC);
	}
	/* Not one byte of the client's data was taken with the header. */
	h_expect_str(s, "hello");
	CHECK_ERR(ls_proxy_get(c, &hdr, NULL, 0, NULL, 0, NULL), LS_ENOENT);
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
	CHECK_OK(ls_close(l));
}

static void listener_v1_in_pieces(void)
{
	ls_addr la, peer;
	ls_socket l = pl_listener(&la, "127.0.0.0/8", 0), c, s;

	c = pl_client("127.0.0.1", &la);
	h_send_str(c, "PROXY TCP4 198.51.100.9 ");
	t_sleep_ms(60);
	h_send_str(c, "127.0.0.1 4000 80\r\nx");
	CHECK_OK(ls_set_timeout(l, H_HANG_MS));
	CHECK_OK(ls_accept(l, &s, &peer));
	check_addr(&peer, "198.51.100.9:4000");
	h_expect_str(s, "x");
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
	CHECK_OK(ls_close(l));
}

/* The rejected connection never reaches the caller, and is counted. */
static void pl_rejected(ls_socket l, ls_socket c, uint64_t before)
{
	ls_socket s;
	char ch;
	int64_t n;

	CHECK_OK(ls_set_timeout(l, 600));
	CHECK_ERR(ls_accept(l, &s, NULL), LS_ETIMEDOUT);
	CHECK_EQ_U64(ls_proxy_rejected(), before + 1);
	n = ls_recv(c, &ch, 1, 0);
	CHECK_MSG(n == LS_ECONNRESET || n == 0, "rejected client read %lld", (long long)n);
	CHECK_OK(ls_close(c));
}

static void listener_rejects(void)
{
	ls_addr la;
	ls_socket l = pl_listener(&la, "127.0.0.1", 200), c;
	uint64_t before;

	/* An untrusted source, even with a good header. */
	before = ls_proxy_rejected();
	c = pl_client("127.0.0.2", &la);
	h_send_str(c, "PROXY TCP4 1.2.3.4 127.0.0.1 1 2\r\n");
	pl_rejected(l, c, before);
	/* A malformed header. */
	before = ls_proxy_rejected();
	c = pl_client("127.0.0.1", &la);
	h_send_str(c, "PROXY TCP4 1.2.3.4 127.0.0.1 1 99999\r\n");
	pl_rejected(l, c, before);
	/* No header at all: never guessed. */
	before = ls_proxy_rejected();
	c = pl_client("127.0.0.1", &la);
	h_send_str(c, "GET / HTTP/1.0\r\n\r\n");
	pl_rejected(l, c, before);
	/* A silent client: the header deadline (200 ms) ends it. */
	before = ls_proxy_rejected();
	c = pl_client("127.0.0.1", &la);
	pl_rejected(l, c, before);
	CHECK_OK(ls_close(l));
}

/* Access rules apply to the real client behind a trusted proxy. */
static void listener_acl_on_real_client(void)
{
	ls_addr la, peer;
	ls_socket l = pl_listener(&la, "127.0.0.1", 0), c, s;
	ls_acl *acl;
	uint64_t before = ls_acl_rejected();

	CHECK_OK(ls_acl_new(&acl, LS_ACL_ALLOW));
	CHECK_OK(ls_acl_add(acl, "203.0.113.0/24", LS_ACL_DENY));
	CHECK_OK(ls_listener_set_acl(l, acl, 0));
	ls_acl_free(acl);
	/* The SYN comes from the proxy: only the check after accept can judge the client. */
	CHECK_EQ_INT(ls_listener_acl_enforcement(l), LS_ACL_ACCEPT);
	c = pl_client("127.0.0.1", &la);
	h_send_str(c, "PROXY TCP4 203.0.113.5 127.0.0.1 1000 80\r\n");
	CHECK_OK(ls_set_timeout(l, 500));
	CHECK_ERR(ls_accept(l, &s, NULL), LS_ETIMEDOUT);
	CHECK_EQ_U64(ls_acl_rejected(), before + 1);
	CHECK_OK(ls_close(c));
	c = pl_client("127.0.0.1", &la);
	h_send_str(c, "PROXY TCP4 198.51.100.5 127.0.0.1 1000 80\r\n");
	CHECK_OK(ls_set_timeout(l, H_HANG_MS));
	CHECK_OK(ls_accept(l, &s, &peer));
	check_addr(&peer, "198.51.100.5:1000");
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
	CHECK_OK(ls_close(l));
}

static void listener_local_command(void)
{
	ls_addr la, peer;
	ls_socket l = pl_listener(&la, NULL, 0), c, s;
	v2 h;

	v2_start(&h, 0, 0x00);
	v2_end(&h);
	c = pl_client("127.0.0.1", &la);
	h_send_all(c, h.b, h.n);
	CHECK_OK(ls_set_timeout(l, H_HANG_MS));
	CHECK_OK(ls_accept(l, &s, &peer));
	/* A health check from the proxy: the peer stays the proxy. */
	CHECK(ls_addr_is_loopback(&peer));
	/* Turning the requirement off: plain connections again. */
	CHECK_OK(ls_listener_set_proxy(l, 0, NULL, 0));
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
	c = pl_client("127.0.0.1", &la);
	CHECK_OK(ls_accept(l, &s, NULL));
	CHECK_ERR(ls_proxy_get(s, NULL, NULL, 0, NULL, 0, NULL), LS_ENOENT);
	CHECK_OK(ls_close(c));
	CHECK_OK(ls_close(s));
	CHECK_OK(ls_close(l));
}

static void listener_bad_input(void)
{
	ls_socket u = h_udp(LS_AF_INET, NULL), l = h_listener(LS_AF_INET, NULL);

	CHECK_ERR(ls_listener_set_proxy(u, LS_PROXY_V1, NULL, 0), LS_EPROTOTYPE);
	CHECK_ERR(ls_listener_set_proxy(l, 8, NULL, 0), LS_EINVAL);
	CHECK_ERR(ls_listener_set_proxy(l, LS_PROXY_V1, NULL, -1), LS_EINVAL);
	CHECK_OK(ls_close(u));
	CHECK_OK(ls_close(l));
	CHECK_ERR(ls_listener_set_proxy(l, LS_PROXY_V1, NULL, 0), LS_EBADF);
}

static const t_case cases[] = {
	TEST_CASE(v1_headers),
	TEST_CASE(v1_malformed),
	TEST_CASE(v2_headers),
	TEST_CASE(v2_malformed),
	TEST_CASE(v2_ssl_tlv),
	TEST_CASE(listener_v2_real_client),
	TEST_CASE(listener_v1_in_pieces),
	TEST_CASE(listener_rejects),
	TEST_CASE(listener_acl_on_real_client),
	TEST_CASE(listener_local_command),
	TEST_CASE(listener_bad_input),
};

TEST_MAIN(cases)
