/*
 * hello.c - what a server needs from the client's ClientHello when its TLS
 * library does not tell it: the SNI host name (RFC 6066) and the ALPN list
 * (RFC 7301). Schannel has no server-side callbacks for either, so the
 * Schannel server reads them here from the first record before
 * AcceptSecurityContext sees it, and libsock (not Schannel) chooses the
 * ALPN protocol, as ls_tls_config_alpn() promises on every backend.
 *
 * The bytes come from the network: every length is checked against the
 * bytes that hold it. Anything that does not parse is left out (no name,
 * no list), never an error here: the TLS library judges the bytes next.
 */
#include <string.h>

#include "tls/backend.h"

/* A cursor over bytes that cannot be read past. */
typedef struct lsi_rd {
	const unsigned char *p, *end;
} lsi_rd;

/* Take n bytes: their start, or NULL when fewer are left. */
static const unsigned char *lsi_rd_take(lsi_rd *r, size_t n)
{
	const unsigned char *at = r->p;

	if ((size_t)(r->end - r->p) < n)
		return NULL;
	r->p += n;
	return at;
}

/*
 * The next vector (a big-endian length of size bytes, then the bytes) as
 * sub; 0 when the bytes are not all there.
 */
static int lsi_rd_vector(lsi_rd *r, size_t size, lsi_rd *sub)
{
	const unsigned char *b = lsi_rd_take(r, size);
	size_t n = 0, i;

	if (b == NULL)
		return 0;
	for (i = 0; i < size; i++)
		n = (n << 8) | b[i];
	sub->p = r->p;
	if (lsi_rd_take(r, n) == NULL)
		return 0;
	sub->end = r->p;
	return 1;
}

/* The server_name extension: the first host_name entry, if it is a usable name. */
static void lsi_hello_sni(lsi_rd ext, lsi_tls_hello *out)
{
	const unsigned char *type;
	lsi_rd list, name;
	size_t i;

	if (!lsi_rd_vector(&ext, 2, &list))
		return;
	while (list.p < list.end) {
		type = lsi_rd_take(&list, 1);
		if (!lsi_rd_vector(&list, 2, &name))
			return;
		if (*type != 0)
			continue;
		if (name.end == name.p || (size_t)(name.end - name.p) >= sizeof(out->sni))
			return;
		for (i = 0; name.p + i < name.end; i++)
			if (name.p[i] <= ' ' || name.p[i] >= 0x7f)
				return; /* not a DNS name: left out */
		memcpy(out->sni, name.p, i);
		out->sni[i] = '\0';
		return;
	}
}

/* The ALPN extension: the list, kept if each name in it is well formed. */
static void lsi_hello_alpn(lsi_rd ext, lsi_tls_hello *out)
{
	lsi_rd list, walk, name;

	if (!lsi_rd_vector(&ext, 2, &list) || list.p == list.end)
		return;
	walk = list;
	while (walk.p < walk.end)
		if (!lsi_rd_vector(&walk, 1, &name) || name.p == name.end)
			return;
	out->alpn = list.p;
	out->alpn_len = (size_t)(list.end - list.p);
}

/* The extensions of a ClientHello body (the cursor just past its random). */
static void lsi_hello_extensions(lsi_rd *r, lsi_tls_hello *out)
{
	const unsigned char *type;
	lsi_rd skip, exts, ext;

	/* session_id, cipher_suites, compression_methods: skipped. */
	if (!lsi_rd_vector(r, 1, &skip) || !lsi_rd_vector(r, 2, &skip) ||
	    !lsi_rd_vector(r, 1, &skip) || !lsi_rd_vector(r, 2, &exts))
		return;
	while (exts.p < exts.end) {
		type = lsi_rd_take(&exts, 2);
		if (type == NULL || !lsi_rd_vector(&exts, 2, &ext))
			return;
		if (type[0] == 0 && type[1] == 0)
			lsi_hello_sni(ext, out);
		else if (type[0] == 0 && type[1] == 16)
			lsi_hello_alpn(ext, out);
	}
}

int lsi_tls_hello_parse(const unsigned char *rec, size_t len, lsi_tls_hello *out)
{
	lsi_rd body;
	size_t n, m;

	memset(out, 0, sizeof(*out));
	if (len < 5)
		return LS_EAGAIN;
	n = ((size_t)rec[3] << 8) | rec[4];
	if (len < 5 + n)
		return LS_EAGAIN;
	/* A handshake record whose first message is a ClientHello (type 1). */
	if (rec[0] != 22 || n < 4 || rec[5] != 1)
		return 0;
	m = ((size_t)rec[6] << 16) | ((size_t)rec[7] << 8) | rec[8];
	body.p = rec + 9;
	/* A ClientHello longer than its record: what this record holds of it. */
	body.end = body.p + (m < n - 4 ? m : n - 4);
	if (lsi_rd_take(&body, 2 + 32) != NULL) /* legacy_version, random */
		lsi_hello_extensions(&body, out);
	return 0;
}

size_t lsi_tls_alpn_choose(const ls_tls_config *cfg, const lsi_tls_hello *h,
                           const unsigned char **proto)
{
	size_t i, j, n, m;

	*proto = NULL;
	for (i = 0; cfg->alpn != NULL && i < cfg->alpn_len; i += n + 1) {
		n = cfg->alpn[i];
		for (j = 0; h->alpn != NULL && j < h->alpn_len; j += m + 1) {
			m = h->alpn[j];
			if (m == n && memcmp(h->alpn + j + 1, cfg->alpn + i + 1, n) == 0) {
				*proto = cfg->alpn + i;
				return n + 1;
			}
		}
	}
	return 0;
}
