/*
 * options.c - the portable option interface: checks the option and its
 * value here, leaves the OS mapping to the platform.
 */
#include <limits.h>

#include "internal.h"

/* Options that can only be read. */
static int lsi_opt_readonly(int option)
{
	return option == LS_OPT_ERROR || option == LS_OPT_TYPE || option == LS_OPT_ACCEPTCONN;
}

/* Range checks shared by every OS, so bad values fail the same everywhere. */
static int lsi_opt_check_value(int option, int value)
{
	switch (option) {
	case LS_OPT_KEEPIDLE:
	case LS_OPT_KEEPINTVL:
	case LS_OPT_KEEPCNT:
	case LS_OPT_RCVBUF:
	case LS_OPT_SNDBUF:
		return value > 0 ? 0 : LS_EINVAL;
	case LS_OPT_LINGER:
		/* Windows keeps the linger time in an unsigned short. */
		if (value < -1)
			return lsi_fail(LS_EINVAL);
		return value > 65535 ? LS_ERANGE : 0;
	default:
		return 0;
	}
}

int ls_setopt(ls_socket s, int option, int value)
{
	lsi_sock *sk;
	int rc;

	if (option < LS_OPT_REUSEADDR || option > LS_OPT_ACCEPTCONN || lsi_opt_readonly(option))
		return lsi_fail(LS_EINVAL);
	rc = lsi_opt_check_value(option, value);
	if (rc != 0)
		return rc;
	rc = lsi_sock_acquire(s, &sk);
	if (rc != 0)
		return rc;
	rc = lsi_plat_setopt(sk->fd, sk->family, sk->type, &sk->memo, option, value);
	lsi_sock_release(sk);
	return rc;
}

int ls_getopt(ls_socket s, int option, int *value)
{
	lsi_sock *sk;
	int rc;

	if (value == NULL || option < LS_OPT_REUSEADDR || option > LS_OPT_ACCEPTCONN)
		return lsi_fail(LS_EINVAL);
	rc = lsi_sock_acquire(s, &sk);
	if (rc != 0)
		return rc;
	if (option == LS_OPT_TYPE) {
		*value = sk->type;
	} else {
		rc = lsi_plat_getopt(sk->fd, sk->family, sk->type, &sk->memo, option, value);
		/* Reading the pending error settles a non-blocking connect. */
		if (rc == 0 && option == LS_OPT_ERROR)
			lsi_set_flag(sk, LSI_SF_CONNECTING, 0);
	}
	lsi_sock_release(sk);
	return rc;
}

int ls_setsockopt(ls_socket s, int level, int name, const void *value, size_t len)
{
	lsi_sock *sk;
	int rc;

	if ((value == NULL && len > 0) || len > INT_MAX)
		return lsi_fail(LS_EINVAL);
	rc = lsi_sock_acquire(s, &sk);
	if (rc != 0)
		return rc;
	rc = lsi_plat_setsockopt(sk->fd, level, name, value, len);
	lsi_sock_release(sk);
	return rc;
}

int ls_getsockopt(ls_socket s, int level, int name, void *value, size_t *len)
{
	lsi_sock *sk;
	int rc;

	if (len == NULL || (value == NULL && *len > 0) || *len > INT_MAX)
		return lsi_fail(LS_EINVAL);
	rc = lsi_sock_acquire(s, &sk);
	if (rc != 0)
		return rc;
	rc = lsi_plat_getsockopt(sk->fd, level, name, value, len);
	lsi_sock_release(sk);
	return rc;
}
