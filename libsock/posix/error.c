/*
 * error.c (POSIX) - the only place errno and EAI_* values are translated.
 *
 * Every POSIX platform function that sees an OS failure reports it through
 * lsi_posix_fail() (or one of its siblings here), which records the OS's
 * own code for ls_native_error() and returns the LS_E* code.
 */
#include "lsi_posix.h"

/*
 * Some values are spelled twice (EAGAIN/EWOULDBLOCK, ENOTSUP/EOPNOTSUPP)
 * and are equal on some systems and distinct on others, so the second
 * spelling gets its own case only where it differs, which avoids a
 * duplicate case label.
 */
static int errno_to_ls_core(int err)
{
	switch (err) {
	case EBADF: return LS_EBADF;
	case EINVAL: return LS_EINVAL;
	case ENOMEM: return LS_ENOMEM;
	case EAGAIN: return LS_EAGAIN;
#if EWOULDBLOCK != EAGAIN
	case EWOULDBLOCK: return LS_EAGAIN;
#endif
	case EINPROGRESS: return LS_EINPROGRESS;
	case ETIMEDOUT: return LS_ETIMEDOUT;
	case EINTR: return LS_EINTR;
	case EADDRINUSE: return LS_EADDRINUSE;
	case EADDRNOTAVAIL: return LS_EADDRNOTAVAIL;
	case EAFNOSUPPORT: return LS_EAFNOSUPPORT;
	case ECONNREFUSED: return LS_ECONNREFUSED;
	case ECONNRESET: return LS_ECONNRESET;
	case ECONNABORTED: return LS_ECONNABORTED;
	case ENOTCONN: return LS_ENOTCONN;
	case EISCONN: return LS_EISCONN;
	case EPIPE: return LS_EPIPE;
	case EHOSTUNREACH: return LS_EHOSTUNREACH;
	case ENETUNREACH: return LS_ENETUNREACH;
	case ENETDOWN: return LS_ENETDOWN;
	case EMSGSIZE: return LS_EMSGSIZE;
	case ENOBUFS: return LS_ENOBUFS;
	case EMFILE: return LS_EMFILE;
	case EACCES: return LS_EACCES;
	case ENOTSUP: return LS_ENOTSUP;
#if EOPNOTSUPP != ENOTSUP
	case EOPNOTSUPP: return LS_ENOTSUP;
#endif
	case EPROTONOSUPPORT: return LS_EPROTONOSUPPORT;
	case ENAMETOOLONG: return LS_ENAMETOOLONG;
	case EALREADY: return LS_EALREADY;
	case ENOPROTOOPT: return LS_ENOPROTOOPT;
	case EPROTOTYPE: return LS_EPROTOTYPE;
	case ENOENT: return LS_ENOENT;
	case ERANGE: return LS_ERANGE;
	case ENOSPC: return LS_ENOSPC;
	case ENOTSOCK: return LS_ENOTSOCK;
	default: return 0;
	}
}

/*
 * Close relatives of the table's codes, mapped to the code a caller would
 * handle them with. Anything not here or in the table is LS_EUNKNOWN; the
 * exact value stays available through ls_native_error().
 */
static int errno_to_ls_alias(int err)
{
	switch (err) {
	case ENFILE: return LS_EMFILE;       /* system-wide table full */
	case EPERM: return LS_EACCES;        /* e.g. a firewall rule on send */
	case EFAULT: return LS_EINVAL;       /* a bad pointer is a bad argument */
	case ENOSYS: return LS_ENOTSUP;      /* the kernel lacks the call */
	case ENOTDIR: return LS_ENOENT;      /* a Unix path through a file */
	case EHOSTDOWN: return LS_EHOSTUNREACH;
	case ENODEV: return LS_EADDRNOTAVAIL; /* an interface that does not exist */
	case ENETRESET: return LS_ECONNRESET;
	case EDESTADDRREQ: return LS_ENOTCONN; /* unconnected, no address */
	case EPFNOSUPPORT: return LS_EAFNOSUPPORT;
	case ESOCKTNOSUPPORT: return LS_EPROTONOSUPPORT;
	/* Linux accept() reports a connection that died while queued so. */
	case EPROTO: return LS_ECONNABORTED;
	default: return LS_EUNKNOWN;
	}
}

int lsi_posix_errno_to_ls(int err)
{
	int rc = errno_to_ls_core(err);

	return rc != 0 ? rc : errno_to_ls_alias(err);
}

int lsi_posix_fail_code(int err)
{
	lsi_set_native_error(err);
	return lsi_posix_errno_to_ls(err);
}

int lsi_posix_fail(void)
{
	/* Read errno before any other call can change it. */
	int err = errno;

	return lsi_posix_fail_code(err);
}

static int eai_to_ls(int rc)
{
	switch (rc) {
	case EAI_NONAME: return LS_ENONAME;
	case EAI_AGAIN: return LS_EAI_AGAIN;
	case EAI_FAIL: return LS_EAI_FAIL;
	case EAI_FAMILY: return LS_EAI_FAMILY;
	case EAI_SERVICE: return LS_EAI_SERVICE;
	case EAI_SOCKTYPE: return LS_EAI_SOCKTYPE;
	case EAI_BADFLAGS: return LS_EAI_BADFLAGS;
	case EAI_MEMORY: return LS_ENOMEM;
#ifdef EAI_OVERFLOW
	case EAI_OVERFLOW: return LS_ENOSPC;
#endif
	/*
	 * EAI_NODATA and EAI_ADDRFAMILY are obsolete in POSIX and missing
	 * or aliased to EAI_NONAME on some systems (FreeBSD), hence the
	 * guards.
	 */
#if defined(EAI_NODATA) && EAI_NODATA != EAI_NONAME
	case EAI_NODATA: return LS_ENODATA;
#endif
#if defined(EAI_ADDRFAMILY) && EAI_ADDRFAMILY != EAI_NONAME
	case EAI_ADDRFAMILY: return LS_ENODATA;
#endif
	default: return LS_EUNKNOWN;
	}
}

int lsi_posix_fail_eai(int rc)
{
	int err;

	if (rc == EAI_SYSTEM) {
		err = errno;
		/* Some resolvers return EAI_SYSTEM without setting errno. */
		if (err == 0) {
			lsi_set_native_error(rc);
			return LS_EUNKNOWN;
		}
		return lsi_posix_fail_code(err);
	}
	lsi_set_native_error(rc);
	return eai_to_ls(rc);
}
