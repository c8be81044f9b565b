/*
 * listener.c - rules on a listening socket: the listener's own copy, the
 * kernel filter where the platform has one, and the check after accept
 * (lsi_acl_admit, called by ls_accept).
 *
 * The copy is reached through lsi_sock.acl and shared with the accepts in
 * flight (common/shared.c); accepts on listeners without rules never touch
 * it.
 */
#include <stdlib.h>
#include <string.h>

#include "acl/acl_internal.h"

static _Atomic uint64_t lsi_acl_rejects;

static void lsi_acl_unref(lsi_acl_copy *c)
{
	lsi_shared_put(c != NULL ? &c->head : NULL);
}

/* The listener's copy with a reference held, or NULL. */
static lsi_acl_copy *lsi_acl_get(lsi_sock *sk)
{
	return (lsi_acl_copy *)lsi_shared_get(&sk->acl);
}

/* Install c (may be NULL) and drop the copy it replaces. */
static void lsi_acl_swap(lsi_sock *sk, lsi_acl_copy *c)
{
	lsi_shared_swap(&sk->acl, c != NULL ? &c->head : NULL);
}

static lsi_acl_copy *lsi_acl_copy_of(const ls_acl *acl)
{
	lsi_acl_copy *c = malloc(sizeof(*c) + acl->count * sizeof(c->rules[0]));

	if (c == NULL)
		return NULL;
	atomic_init(&c->head.refs, 1);
	c->default_action = acl->default_action;
	c->count = acl->count;
	c->enforcement = LS_ACL_ACCEPT;
	if (acl->count > 0)
		memcpy(c->rules, acl->rules, acl->count * sizeof(c->rules[0]));
	return c;
}

int ls_listener_set_acl(ls_socket listener, const ls_acl *acl, int flags)
{
	lsi_acl_copy *c = NULL;
	lsi_sock *sk;
	int rc;

	if (flags & ~LS_ACL_AFTER_ACCEPT)
		return lsi_fail(LS_EINVAL);
	rc = lsi_sock_acquire(listener, &sk);
	if (rc != 0)
		return rc;
	if (sk->type != LS_SOCK_STREAM || sk->family == LS_AF_UNIX)
		rc = lsi_fail(LS_EPROTOTYPE);
	if (rc == 0 && acl != NULL && (c = lsi_acl_copy_of(acl)) == NULL)
		rc = lsi_fail(LS_ENOMEM);
	if (rc == 0) {
		/*
		 * The kernel filter first, so no SYN slips between the two. Behind
		 * PROXY headers the SYN comes from the proxy, not the client the
		 * rules are about: then only the check after accept can apply them.
		 */
		if (c != NULL && !(flags & LS_ACL_AFTER_ACCEPT) &&
		    atomic_load(&sk->proxy_cfg) == NULL &&
		    lsi_plat_acl_filter(sk->fd, c->rules, c->count, c->default_action) == 0)
			c->enforcement = LS_ACL_KERNEL;
		else
			lsi_plat_acl_filter(sk->fd, NULL, 0, LS_ACL_ALLOW);
		lsi_acl_swap(sk, c);
	}
	lsi_sock_release(sk);
	return rc;
}

int ls_listener_acl_enforcement(ls_socket listener)
{
	lsi_acl_copy *c;
	lsi_sock *sk;
	int rc = lsi_sock_acquire(listener, &sk);

	if (rc != 0)
		return rc;
	c = lsi_acl_get(sk);
	rc = c != NULL ? c->enforcement : LS_ACL_NONE;
	lsi_acl_unref(c);
	lsi_sock_release(sk);
	return rc;
}

uint64_t ls_acl_rejected(void)
{
	return atomic_load_explicit(&lsi_acl_rejects, memory_order_relaxed);
}

int lsi_acl_admit(lsi_sock *sk, lsi_fd fd, const ls_addr *peer)
{
	lsi_acl_copy *c = lsi_acl_get(sk);
	int ok;

	if (c == NULL)
		return 1;
	if (c->enforcement == LS_ACL_KERNEL)
		lsi_plat_acl_unfilter(fd);
	ok = lsi_acl_rules_check(c->rules, c->count, c->default_action, peer) == LS_ACL_ALLOW;
	lsi_acl_unref(c);
	if (!ok) {
		lsi_optmemo memo;

		/* A reset, not a FIN: the peer learns at once that it is refused. */
		memset(&memo, 0, sizeof(memo));
		lsi_plat_setopt(fd, sk->family, sk->type, &memo, LS_OPT_LINGER, 0);
		lsi_plat_close(fd);
		atomic_fetch_add_explicit(&lsi_acl_rejects, 1, memory_order_relaxed);
	}
	return ok;
}

void lsi_acl_after_accept(lsi_sock *sk)
{
	lsi_acl_copy *c = lsi_acl_get(sk);

	if (c != NULL && c->enforcement == LS_ACL_KERNEL) {
		lsi_plat_acl_filter(sk->fd, NULL, 0, LS_ACL_ALLOW);
		c->enforcement = LS_ACL_ACCEPT;
	}
	lsi_acl_unref(c);
}

void lsi_acl_release(lsi_sock *sk)
{
	lsi_acl_swap(sk, NULL);
}
