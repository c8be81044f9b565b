/*
 * acl_internal.h - what the access-control files share: the rule list
 * behind ls_acl and the copy a listener keeps.
 */
#ifndef LSI_ACL_INTERNAL_H
#define LSI_ACL_INTERNAL_H

#include "common/internal.h"

struct ls_acl {
	lsi_acl_rule *rules;
	size_t count, cap;
	int default_action;
};

/*
 * A listener's own immutable copy of the rules, shared by the accepts in
 * flight: replaced as a whole by ls_listener_set_acl(), freed when the
 * last user drops it.
 */
typedef struct lsi_acl_copy {
	lsi_shared head; /* first: the copy is shared (common/shared.c) */
	int default_action;
	int flags;               /* ls_listener_set_acl()'s */
	_Atomic int enforcement; /* LS_ACL_ACCEPT, LS_ACL_KERNEL or LS_ACL_CONDITIONAL */
	size_t count;
	lsi_acl_rule rules[];
} lsi_acl_copy;

/* Parse "addr" or "addr/bits" into r (family, bits, ip). LS_EINVAL if malformed. */
int lsi_acl_parse_cidr(const char *cidr, lsi_acl_rule *r);

/* Room for need rules in acl. */
int lsi_acl_reserve(ls_acl *acl, size_t need);

/* The action for peer: the first matching rule's, else default_action. */
int lsi_acl_rules_check(const lsi_acl_rule *rules, size_t n, int default_action,
                        const ls_addr *peer);

#endif /* LSI_ACL_INTERNAL_H */
