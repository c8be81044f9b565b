/*
 * listener.c - rules on a listening socket: the listener's own copy, the
 * kernel filter where the platform has one, the check inside the OS's
 * accept call where the caller asked for it (lsi_acl_accept), and the check
 * after accept (lsi_acl_admit), both called by ls_accept.
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

static lsi_acl_copy *lsi_acl_copy_of(const ls_acl *acl, int flags)
{
	lsi_acl_copy *c = malloc(sizeof(*c) + acl->count * sizeof(c->rules[0]));

	if (c == NULL)
		return NULL;
	atomic_init(&c->head.refs, 1);
	c->default_action = acl->default_action;
	c->count = acl->count;
	c->flags = flags;
	c->enforcement = LS_ACL_ACCEPT;
	if (acl->count > 0)
		memcpy(c->rules, acl->rules, acl->count * sizeof(c->rules[0]));
	return c;
}

/*
 * Decide where c's rules (NULL: none) are enforced on sk, and attach the
 * kernel filter when that is where; any other choice removes it. Called
 * before c is published, so no SYN slips between the filter and the copy,
 * and again when the request for conditional accept or the PROXY settings
 * change.
 */
static void lsi_acl_place(lsi_sock *sk, lsi_acl_copy *c)
{
	/*
	 * Behind PROXY headers the SYN comes from the proxy, not the client the
	 * rules are about: then only the check after accept can apply them.
	 */
	int early =
	    c != NULL && !(c->flags & LS_ACL_AFTER_ACCEPT) && atomic_load(&sk->proxy_cfg) == NULL;

	if (early && lsi_plat_acl_filter(sk->fd, c->rules, c->count, c->default_action) == 0) {
		c->enforcement = LS_ACL_KERNEL;
		return;
	}
	lsi_plat_acl_filter(sk->fd, NULL, 0, LS_ACL_ALLOW);
	if (c != NULL)
		c->enforcement = early && (atomic_load(&sk->flags) & LSI_SF_ACL_COND)
		                     ? LS_ACL_CONDITIONAL
		                     : LS_ACL_ACCEPT;
}

/* A TCP socket (rules judge IP peers). */
static int lsi_acl_sock_ok(const lsi_sock *sk)
{
	return sk->type == LS_SOCK_STREAM && sk->family != LS_AF_UNIX;
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
	if (!lsi_acl_sock_ok(sk))
		rc = lsi_fail(LS_EPROTOTYPE);
	if (rc == 0 && acl != NULL && (c = lsi_acl_copy_of(acl, flags)) == NULL)
		rc = lsi_fail(LS_ENOMEM);
	if (rc == 0) {
		lsi_acl_place(sk, c);
		lsi_acl_swap(sk, c);
	}
	lsi_sock_release(sk);
	return rc;
}

int ls_listener_acl_request_conditional(ls_socket listener, int on)
{
	lsi_acl_copy *c;
	lsi_sock *sk;
	int rc = lsi_sock_acquire(listener, &sk);

	if (rc != 0)
		return rc;
	if (!lsi_acl_sock_ok(sk))
		rc = lsi_fail(LS_EPROTOTYPE);
	else if (atomic_load(&sk->flags) & LSI_SF_LISTENING)
		rc = lsi_fail(LS_EINVAL); /* the OS takes the mode only before listen() */
	else if (on || (atomic_load(&sk->flags) & LSI_SF_ACL_COND))
		rc = lsi_plat_acl_conditional(sk->fd, on != 0);
	if (rc == 0) {
		lsi_set_flag(sk, LSI_SF_ACL_COND, on != 0);
		c = lsi_acl_get(sk);
		if (c != NULL)
			lsi_acl_place(sk, c);
		lsi_acl_unref(c);
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

/* The condition the OS's accept call asks: c's rules, when they apply there. */
static int lsi_acl_peer_ok(void *arg, const ls_addr *peer)
{
	lsi_acl_copy *c = arg;

	return atomic_load(&c->enforcement) != LS_ACL_CONDITIONAL ||
	       lsi_acl_rules_check(c->rules, c->count, c->default_action, peer) == LS_ACL_ALLOW;
}

int lsi_acl_accept(lsi_sock *sk, lsi_fd *fd, ls_addr *peer, int nonblock)
{
	lsi_acl_copy *c = lsi_acl_get(sk);
	int rc;

	/* Without rules every peer is let in, which a plain accept does. */
	if (c == NULL)
		return lsi_plat_accept(sk->fd, fd, peer, nonblock);
	rc = lsi_plat_accept_checked(sk->fd, fd, peer, nonblock, lsi_acl_peer_ok, c);
	lsi_acl_unref(c);
	if (rc == 1)
		atomic_fetch_add_explicit(&lsi_acl_rejects, 1, memory_order_relaxed);
	return rc;
}

void lsi_acl_after_accept(lsi_sock *sk)
{
	lsi_acl_copy *c = lsi_acl_get(sk);

	if (c != NULL)
		lsi_acl_place(sk, c);
	lsi_acl_unref(c);
}

void lsi_acl_release(lsi_sock *sk)
{
	lsi_acl_swap(sk, NULL);
}
