/*
 * fuzz_acl.c - libFuzzer target for access rules as text (ls_acl_parse) and
 * as one CIDR (ls_acl_add). A list that parses is matched against a few
 * peers; a failure must say which line and why.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libsock.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_peers(const ls_acl *acl)
{
	static const char *peers[] = { "10.1.2.3", "::1", "::ffff:192.0.2.1", "2001:db8::7" };
	ls_addr a;
	size_t i;
	int r;

	for (i = 0; i < sizeof(peers) / sizeof(peers[0]); i++) {
		if (ls_addr_parse_ip(&a, peers[i], LS_AF_UNSPEC) != 0)
			abort();
		r = ls_acl_check(acl, &a);
		if (r != LS_ACL_ALLOW && r != LS_ACL_DENY)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), reason[128];
	ls_acl *acl;
	int line = -1, rc;
	size_t before;

	if (text == NULL || ls_acl_new(&acl, LS_ACL_DENY) != 0) {
		free(text);
		return 0;
	}
	memcpy(text, data, size);
	text[size] = '\0';
	before = ls_acl_count(acl);
	rc = ls_acl_parse(acl, text, size, &line, reason, sizeof(reason));
	if (rc == 0)
		check_peers(acl);
	else if (ls_acl_count(acl) != before || (rc == LS_EINVAL && (line < 1 || reason[0] == '\0')))
		abort(); /* a failure adds nothing and says where and why */
	ls_acl_add(acl, text, LS_ACL_ALLOW);
	ls_acl_free(acl);
	free(text);
	return 0;
}
