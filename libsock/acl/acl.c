/*
 * acl.c - address rules: building them from code or text, and matching a
 * peer against them (first match wins, then the default).
 */
#include <stdlib.h>
#include <string.h>

#include "acl/acl_internal.h"

int ls_acl_new(ls_acl **out, int default_action)
{
	ls_acl *acl;

	if (out == NULL)
		return lsi_fail(LS_EINVAL);
	*out = NULL;
	if (default_action != LS_ACL_ALLOW && default_action != LS_ACL_DENY)
		return lsi_fail(LS_EINVAL);
	acl = calloc(1, sizeof(*acl));
	if (acl == NULL)
		return lsi_fail(LS_ENOMEM);
	acl->default_action = default_action;
	*out = acl;
	return 0;
}

void ls_acl_free(ls_acl *acl)
{
	if (acl == NULL)
		return;
	free(acl->rules);
	free(acl);
}

size_t ls_acl_count(const ls_acl *acl)
{
	return acl != NULL ? acl->count : 0;
}

/* Nonzero if every bit of ip below the prefix length is clear. */
static int lsi_host_bits_clear(const uint8_t *ip, unsigned bits, unsigned total)
{
	unsigned i;

	for (i = bits; i < total; i++)
		if (ip[i / 8] & (0x80u >> (i % 8)))
			return 0;
	return 1;
}

/* "/N" after the address: digits only, no sign, no leading zeros beyond "0". */
static int lsi_parse_prefix(const char *s, unsigned max, unsigned *out)
{
	unsigned v = 0;
	size_t i;

	if (s[0] == '\0' || (s[0] == '0' && s[1] != '\0'))
		return LS_EINVAL;
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9' || i > 2)
			return LS_EINVAL;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > max)
		return LS_EINVAL;
	*out = v;
	return 0;
}

int lsi_acl_parse_cidr(const char *cidr, lsi_acl_rule *r)
{
	char buf[LS_IPSTRLEN + 8];
	const char *slash = strchr(cidr, '/');
	size_t n = slash ? (size_t)(slash - cidr) : strlen(cidr);
	ls_addr a;
	unsigned total;

	if (n == 0 || n >= LS_IPSTRLEN || strchr(cidr, '%') != NULL)
		return LS_EINVAL;
	memcpy(buf, cidr, n);
	buf[n] = '\0';
	if (ls_addr_parse_ip(&a, buf, LS_AF_UNSPEC) != 0)
		return LS_EINVAL;
	total = a.family == LS_AF_INET ? 32 : 128;
	r->family = a.family;
	r->bits = total;
	if (slash != NULL && lsi_parse_prefix(slash + 1, total, &r->bits) != 0)
		return LS_EINVAL;
	memcpy(r->ip, a.ip, sizeof(r->ip));
	return lsi_host_bits_clear(r->ip, r->bits, total) ? 0 : LS_EINVAL;
}

int lsi_acl_reserve(ls_acl *acl, size_t need)
{
	lsi_acl_rule *m;
	size_t cap = acl->cap ? acl->cap : 16;

	if (need <= acl->cap)
		return 0;
	while (cap < need)
		cap *= 2;
	m = realloc(acl->rules, cap * sizeof(*m));
	if (m == NULL)
		return lsi_fail(LS_ENOMEM);
	acl->rules = m;
	acl->cap = cap;
	return 0;
}

static int lsi_acl_append(ls_acl *acl, const lsi_acl_rule *r)
{
	int rc;

	if (acl->count >= LS_ACL_MAX_RULES)
		return lsi_fail(LS_ENOSPC);
	rc = lsi_acl_reserve(acl, acl->count + 1);
	if (rc == 0)
		acl->rules[acl->count++] = *r;
	return rc;
}

int ls_acl_add(ls_acl *acl, const char *cidr, int action)
{
	lsi_acl_rule r;

	if (acl == NULL || cidr == NULL || (action != LS_ACL_ALLOW && action != LS_ACL_DENY))
		return lsi_fail(LS_EINVAL);
	memset(&r, 0, sizeof(r));
	if (lsi_acl_parse_cidr(cidr, &r) != 0)
		return lsi_fail(LS_EINVAL);
	r.action = action;
	return lsi_acl_append(acl, &r);
}

/* Nonzero if the first bits of a and b are equal. */
static int lsi_prefix_match(const uint8_t *a, const uint8_t *b, unsigned bits)
{
	unsigned full = bits / 8, rest = bits % 8;
	uint8_t mask = (uint8_t)(0xff00u >> rest);

	if (memcmp(a, b, full) != 0)
		return 0;
	return rest == 0 || ((a[full] ^ b[full]) & mask) == 0;
}

int lsi_acl_rules_check(const lsi_acl_rule *rules, size_t n, int default_action,
                        const ls_addr *peer)
{
	ls_addr v4;
	size_t i;

	/* An IPv4-mapped IPv6 peer is an IPv4 peer. */
	if (ls_addr_is_v4mapped(peer) && ls_addr_unmap_v4(peer, &v4) == 0)
		peer = &v4;
	for (i = 0; i < n; i++) {
		if (rules[i].family == peer->family &&
		    lsi_prefix_match(rules[i].ip, peer->ip, rules[i].bits))
			return rules[i].action;
	}
	return default_action;
}

int ls_acl_check(const ls_acl *acl, const ls_addr *peer)
{
	if (acl == NULL || peer == NULL)
		return lsi_fail(LS_EINVAL);
	return lsi_acl_rules_check(acl->rules, acl->count, acl->default_action, peer);
}
