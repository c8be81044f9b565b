/*
 * parse.c - access rules from text, one per line:
 *
 *     # office and VPN
 *     allow 10.0.0.0/8
 *     deny  2001:db8::/32
 *     default deny
 *
 * The whole text is checked before any rule is added, so a bad line leaves
 * the list as it was; the caller learns the line and the reason.
 */
#include <stdio.h>
#include <string.h>

#include "acl/acl_internal.h"

#define LSI_ACL_LINE_MAX 256

typedef struct lsi_acl_line {
	char word[16];
	char arg[LSI_ACL_LINE_MAX];
} lsi_acl_line;

static int lsi_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Split one line into a keyword and one argument; comments removed. */
static const char *lsi_acl_split(const char *p, size_t n, lsi_acl_line *l, int *empty)
{
	size_t i = 0, w = 0, a = 0;

	*empty = 0;
	l->word[0] = l->arg[0] = '\0';
	while (i < n && lsi_is_space(p[i]))
		i++;
	if (i == n || p[i] == '#') {
		*empty = 1;
		return NULL;
	}
	while (i < n && !lsi_is_space(p[i]) && p[i] != '#' && w + 1 < sizeof(l->word))
		l->word[w++] = p[i++];
	l->word[w] = '\0';
	if (i < n && !lsi_is_space(p[i]) && p[i] != '#')
		return "unknown keyword";
	while (i < n && lsi_is_space(p[i]))
		i++;
	while (i < n && !lsi_is_space(p[i]) && p[i] != '#' && a + 1 < sizeof(l->arg))
		l->arg[a++] = p[i++];
	l->arg[a] = '\0';
	if (i < n && !lsi_is_space(p[i]) && p[i] != '#')
		return "address too long";
	while (i < n && lsi_is_space(p[i]))
		i++;
	if (i < n && p[i] != '#')
		return "text after the address";
	if (memchr(p, '\0', n) != NULL)
		return "NUL byte in the line";
	return NULL;
}

/* One line: a rule into r (*is_rule), or a default into *def; NULL if fine. */
static const char *lsi_acl_line_parse(const char *p, size_t n, lsi_acl_rule *r, int *is_rule,
                                      int *def)
{
	lsi_acl_line l;
	int empty, action;
	const char *why = lsi_acl_split(p, n, &l, &empty);

	*is_rule = 0;
	if (why != NULL || empty)
		return why;
	if (strcmp(l.word, "default") == 0) {
		if (strcmp(l.arg, "allow") != 0 && strcmp(l.arg, "deny") != 0)
			return "default must be allow or deny";
		*def = strcmp(l.arg, "allow") == 0 ? LS_ACL_ALLOW : LS_ACL_DENY;
		return NULL;
	}
	if (strcmp(l.word, "allow") == 0)
		action = LS_ACL_ALLOW;
	else if (strcmp(l.word, "deny") == 0)
		action = LS_ACL_DENY;
	else
		return "unknown keyword (allow, deny, default)";
	if (l.arg[0] == '\0')
		return "missing address";
	memset(r, 0, sizeof(*r));
	if (lsi_acl_parse_cidr(l.arg, r) != 0)
		return "bad address or prefix (host bits set below the prefix?)";
	r->action = action;
	*is_rule = 1;
	return NULL;
}

static int lsi_acl_fail(int line, const char *why, int *bad_line, char *reason, size_t size)
{
	if (bad_line != NULL)
		*bad_line = line;
	if (reason != NULL && size > 0)
		snprintf(reason, size, "%s", why);
	return lsi_fail(LS_EINVAL);
}

/* Pass 1 checks every line and counts rules; pass 2 (apply) appends them. */
static int lsi_acl_walk(ls_acl *acl, const char *text, size_t len, int apply, size_t *rules,
                        int *bad_line, char *reason, size_t size)
{
	size_t pos = 0, n, end;
	int line = 0, is_rule, def = acl->default_action;
	lsi_acl_rule r;
	const char *why;

	*rules = 0;
	while (pos < len) {
		line++;
		end = pos;
		while (end < len && text[end] != '\n')
			end++;
		n = end - pos;
		if (n > LSI_ACL_LINE_MAX)
			return lsi_acl_fail(line, "line too long", bad_line, reason, size);
		why = lsi_acl_line_parse(text + pos, n, &r, &is_rule, &def);
		if (why != NULL)
			return lsi_acl_fail(line, why, bad_line, reason, size);
		if (is_rule && apply)
			acl->rules[acl->count++] = r;
		*rules += (size_t)is_rule;
		pos = end + 1;
	}
	if (apply)
		acl->default_action = def;
	return 0;
}

int ls_acl_parse(ls_acl *acl, const char *text, size_t len, int *bad_line, char *reason,
                 size_t reason_size)
{
	size_t rules;
	int rc;

	if (bad_line != NULL)
		*bad_line = 0;
	if (reason != NULL && reason_size > 0)
		reason[0] = '\0';
	if (acl == NULL || (text == NULL && len > 0))
		return lsi_fail(LS_EINVAL);
	rc = lsi_acl_walk(acl, text, len, 0, &rules, bad_line, reason, reason_size);
	if (rc != 0)
		return rc;
	if (rules > LS_ACL_MAX_RULES - acl->count) {
		lsi_acl_fail(0, "too many rules", bad_line, reason, reason_size);
		return lsi_fail(LS_ENOSPC);
	}
	rc = lsi_acl_reserve(acl, acl->count + rules);
	if (rc != 0)
		return rc;
	return lsi_acl_walk(acl, text, len, 1, &rules, bad_line, reason, reason_size);
}
