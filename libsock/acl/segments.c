/*
 * segments.c - IPv4 rules as the address ranges they decide: the 2^32
 * addresses cut into sorted, non-overlapping segments, each with the action
 * the first matching rule (or the default) gives it. A filter can then find
 * a peer's action by binary search instead of trying every rule in turn,
 * with the same result as first-match order (platform.h).
 */
#include <stdlib.h>
#include <string.h>

#include "acl/acl_internal.h"

typedef struct lsi_segs {
	lsi_acl_seg *v;
	size_t n, cap;
} lsi_segs;

static int lsi_segs_push(lsi_segs *s, uint32_t lo, uint32_t hi, int action)
{
	lsi_acl_seg *m;

	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		m = realloc(s->v, s->cap * sizeof(*m));
		if (m == NULL)
			return LS_ENOMEM;
		s->v = m;
	}
	s->v[s->n++] = (lsi_acl_seg){lo, hi, action};
	return 0;
}

static void lsi_v4_range(const lsi_acl_rule *r, uint32_t *lo, uint32_t *hi)
{
	uint32_t ip = (uint32_t)r->ip[0] << 24 | (uint32_t)r->ip[1] << 16 |
	              (uint32_t)r->ip[2] << 8 | r->ip[3];
	uint32_t host = r->bits >= 32 ? 0 : (0xffffffffu >> r->bits);

	*lo = ip & ~host;
	*hi = *lo | host;
}

/*
 * Merge [lo, hi] with the action into the sorted segments old (a rule seen
 * after every segment there): only the parts no earlier rule decided are
 * added. The result, still sorted, goes to out.
 */
static int lsi_segs_paint(const lsi_segs *old, uint32_t lo, uint32_t hi, int action, lsi_segs *out)
{
	uint64_t next = lo; /* the first address of [lo, hi] not yet placed */
	size_t i;
	int rc = 0;

	out->n = 0;
	for (i = 0; i < old->n && rc == 0; i++) {
		const lsi_acl_seg *g = &old->v[i];

		if (g->lo > next && next <= hi) {
			uint32_t end = g->lo - 1 < hi ? g->lo - 1 : hi;

			rc = lsi_segs_push(out, (uint32_t)next, end, action);
			next = (uint64_t)end + 1;
		}
		if (rc == 0)
			rc = lsi_segs_push(out, g->lo, g->hi, g->action);
		if ((uint64_t)g->hi + 1 > next && g->hi >= lo)
			next = (uint64_t)g->hi + 1;
	}
	if (rc == 0 && next <= hi)
		rc = lsi_segs_push(out, (uint32_t)next, hi, action);
	return rc;
}

/* Fill what no rule decided with the default, and join equal neighbours. */
static int lsi_segs_finish(const lsi_segs *s, int def, lsi_segs *out)
{
	uint64_t next = 0;
	size_t i;
	int rc = 0;

	out->n = 0;
	for (i = 0; i <= s->n && rc == 0; i++) {
		uint64_t lo = i < s->n ? s->v[i].lo : 0x100000000ull;

		if (lo > next)
			rc = lsi_segs_push(out, (uint32_t)next, (uint32_t)(lo - 1), def);
		if (rc == 0 && i < s->n) {
			rc = lsi_segs_push(out, s->v[i].lo, s->v[i].hi, s->v[i].action);
			next = (uint64_t)s->v[i].hi + 1;
		}
		/* Join with the one before when the action is the same. */
		while (rc == 0 && out->n >= 2 &&
		       out->v[out->n - 2].action == out->v[out->n - 1].action) {
			out->v[out->n - 2].hi = out->v[out->n - 1].hi;
			out->n--;
		}
	}
	return rc;
}

int lsi_acl_v4_segments(const lsi_acl_rule *rules, size_t n, int def, lsi_acl_seg **out,
                        size_t *count)
{
	lsi_segs a = {0}, b = {0}, t;
	uint32_t lo, hi;
	size_t i;
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		if (rules[i].family != LS_AF_INET)
			continue;
		lsi_v4_range(&rules[i], &lo, &hi);
		rc = lsi_segs_paint(&a, lo, hi, rules[i].action, &b);
		t = a, a = b, b = t;
	}
	if (rc == 0)
		rc = lsi_segs_finish(&a, def, &b);
	free(a.v);
	if (rc != 0) {
		free(b.v);
		return lsi_fail(rc);
	}
	*out = b.v;
	*count = b.n;
	return 0;
}
