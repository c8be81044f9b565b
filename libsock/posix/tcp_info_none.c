/*
 * tcp_info_none.c (POSIX) - no TCP statistics from the OS: a system with
 * none of the calls the other tcp_info_*.c read, and the portable build.
 * Common code then fills what libsock counts itself.
 */
#include "platform.h"

int lsi_plat_tcp_info(lsi_fd fd, ls_tcp_info *out)
{
	lsi_set_native_error(0);
	return LS_ENOTSUP;
}
