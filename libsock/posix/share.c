/*
 * share.c (POSIX) - port sharing that balances, and why descriptors are
 * not exported as bytes.
 *
 * Linux (HAVE_SO_ATTACH_REUSEPORT_CBPF, which only Linux's reuseport
 * groups have, and those groups balance) marks the socket with
 * SO_REUSEPORT and may attach a steering program; FreeBSD
 * (HAVE_SO_REUSEPORT_LB) has a separate option for the balancing kind.
 * Elsewhere (macOS, other BSDs) SO_REUSEPORT only permits duplicate binds,
 * and the last socket bound takes every connection: LS_ENOTSUP.
 *
 * A descriptor cannot be written into bytes: it travels only as SCM_RIGHTS
 * data of a Unix socket, which common code sends with ls_sendmsg().
 */
#include <unistd.h>

#include "lsi_posix.h"
#include "lsi_sys.h"

#if HAVE_SO_ATTACH_REUSEPORT_CBPF
#include <linux/filter.h>
#endif

static int lsi_share_set(int fd, int name)
{
	int on = 1;

	if (lsi_sys_setsockopt(fd, SOL_SOCKET, name, &on, sizeof(on)) != 0)
		return lsi_posix_fail();
	return 0;
}

#if HAVE_SO_ATTACH_REUSEPORT_CBPF
/*
 * The program returns the receiving CPU's number as the index of the
 * group's socket to use; an index past the group's last socket makes the
 * kernel fall back to its hash, so more CPUs than sockets is fine.
 */
static int lsi_share_by_cpu(int fd)
{
	struct sock_filter code[] = {
		{ BPF_LD | BPF_W | BPF_ABS, 0, 0, (uint32_t)(SKF_AD_OFF + SKF_AD_CPU) },
		{ BPF_RET | BPF_A, 0, 0, 0 },
	};
	struct sock_fprog prog = { (unsigned short)(sizeof(code) / sizeof(code[0])), code };

	if (lsi_sys_setsockopt(fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &prog, sizeof(prog)) != 0)
		return lsi_posix_fail();
	return 0;
}

/* The kernel refuses the program (EINVAL) on a socket that is in no group. */
int lsi_plat_share_port(lsi_fd fd, int flags)
{
	if (flags & LS_SHARE_CPU)
		return lsi_share_by_cpu((int)fd);
	return lsi_share_set((int)fd, SO_REUSEPORT);
}
#elif HAVE_SO_REUSEPORT_LB
int lsi_plat_share_port(lsi_fd fd, int flags)
{
	if (flags & LS_SHARE_CPU) {
		lsi_set_native_error(0);
		return LS_ENOTSUP;
	}
	return lsi_share_set((int)fd, SO_REUSEPORT_LB);
}
#else
int lsi_plat_share_port(lsi_fd fd, int flags)
{
	(void)fd;
	(void)flags;
	(void)lsi_share_set;
	lsi_set_native_error(0);
	return LS_ENOTSUP;
}
#endif

long lsi_plat_process_id(void)
{
	return (long)getpid();
}

int lsi_plat_share_export(lsi_fd fd, long pid, void *buf, size_t size, size_t *len)
{
	(void)fd;
	(void)pid;
	(void)buf;
	(void)size;
	*len = 0;
	lsi_set_native_error(0);
	return LS_ENOTSUP;
}

int lsi_plat_share_import(const void *buf, size_t len, int family, int type, lsi_fd *out)
{
	(void)buf;
	(void)len;
	(void)family;
	(void)type;
	*out = LSI_FD_INVALID;
	lsi_set_native_error(0);
	return LS_ENOTSUP;
}
