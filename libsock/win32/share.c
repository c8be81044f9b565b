/*
 * share.c (Windows) - no port sharing that balances, and sockets handed to
 * other processes with WSADuplicateSocketW.
 *
 * Windows has no SO_REUSEPORT. SO_REUSEADDR lets a second socket bind an
 * active port, but the two do not share the load: the newest binding takes
 * the traffic, from any process, which is a way to hijack a port
 * (LS_OPT_REUSEADDR therefore sets SO_EXCLUSIVEADDRUSE). So LS_ENOTSUP:
 * processes share one listener instead.
 *
 * WSADuplicateSocketW opens a handle to the socket in the target process
 * and describes it in a WSAPROTOCOL_INFOW, which the target passes to
 * WSASocketW(FROM_PROTOCOL_INFO). wine 8 does the same with DuplicateHandle.
 */
#include <string.h>

#include "win32.h"

int lsi_plat_share_port(lsi_fd fd, int flags)
{
	(void)fd;
	(void)flags;
	lsi_set_native_error(0);
	return LS_ENOTSUP;
}

long lsi_plat_process_id(void)
{
	return (long)GetCurrentProcessId();
}

int lsi_plat_share_export(lsi_fd fd, long pid, void *buf, size_t size, size_t *len)
{
	WSAPROTOCOL_INFOW info;

	*len = sizeof(info);
	if (size < sizeof(info))
		return LS_ENOSPC;
	memset(&info, 0, sizeof(info));
	if (lsi_win_duplicate_socket(lsi_win_sock(fd), (DWORD)pid, &info) == SOCKET_ERROR)
		return lsi_win_last_error();
	memcpy(buf, &info, sizeof(info));
	return 0;
}

/*
 * What the bytes say about the socket must agree with what libsock's
 * header said, so that a mix of two exports is refused before the OS
 * looks at the provider's part.
 */
static int lsi_share_info_ok(const WSAPROTOCOL_INFOW *info, int family, int type)
{
	return info->iAddressFamily == lsi_family_to_native(family) &&
	       info->iSocketType == lsi_type_to_native(type);
}

int lsi_plat_share_import(const void *buf, size_t len, int family, int type, lsi_fd *out)
{
	WSAPROTOCOL_INFOW info;
	SOCKET s;

	*out = LSI_FD_INVALID;
	if (len != sizeof(info)) {
		lsi_set_native_error(0);
		return LS_EINVAL;
	}
	memcpy(&info, buf, sizeof(info));
	if (!lsi_share_info_ok(&info, family, type)) {
		lsi_set_native_error(0);
		return LS_EINVAL;
	}
	/* The flag is not inherited from the exporter's socket: asked for again here. */
	s = lsi_win_socket_from_info(&info, WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
	if (s == INVALID_SOCKET)
		return lsi_win_last_error();
	lsi_win_no_inherit(s);
	lsi_win_soerror_forget(s);
	*out = (lsi_fd)s;
	return 0;
}
