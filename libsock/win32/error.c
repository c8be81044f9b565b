/*
 * error.c (Windows) - the only place Winsock error codes become LS_E* codes.
 *
 * Callers capture WSAGetLastError() right after the failing call (anything
 * else that runs first, even a successful Winsock call, may overwrite it)
 * or pass the code a function returned directly (WSAStartup, getaddrinfo,
 * SO_ERROR). Each code is recorded with lsi_set_native_error() so
 * ls_native_error() can show what Windows said.
 */
#include <stdatomic.h>

#include "win32.h"

/* WSA codes that have an exact libsock meaning. */
static const struct {
	int wsa;
	int ls;
} lsi_wsa_map[] = {
    {WSAEWOULDBLOCK, LS_EAGAIN},
    {WSAEINPROGRESS, LS_EINPROGRESS},
    {WSAEALREADY, LS_EALREADY},
    {WSAEISCONN, LS_EISCONN},
    {WSAENOTCONN, LS_ENOTCONN},
    {WSAECONNREFUSED, LS_ECONNREFUSED},
    {WSAECONNRESET, LS_ECONNRESET},
    {WSAECONNABORTED, LS_ECONNABORTED},
    {WSAETIMEDOUT, LS_ETIMEDOUT},
    /* A blocking call cancelled by WSACancelBlockingCall or a closesocket
     * from another thread: the nearest POSIX meaning is EINTR. */
    {WSAEINTR, LS_EINTR},
    /* A blocking call whose I/O was cancelled (CancelIoEx, see
     * lsi_plat_shutdown): the caller retries or notices the close. */
    {WSA_OPERATION_ABORTED, LS_EINTR},
    {WSAEADDRINUSE, LS_EADDRINUSE},
    {WSAEADDRNOTAVAIL, LS_EADDRNOTAVAIL},
    {WSAEAFNOSUPPORT, LS_EAFNOSUPPORT},
    {WSAEPFNOSUPPORT, LS_EAFNOSUPPORT},
    {WSAENOTSOCK, LS_ENOTSOCK},
    {WSAEBADF, LS_EBADF},
    {WSAEMSGSIZE, LS_EMSGSIZE},
    {WSAENOBUFS, LS_ENOBUFS},
    {WSAEMFILE, LS_EMFILE},
    {WSAEPROCLIM, LS_EMFILE},
    {WSAEACCES, LS_EACCES},
    {WSAEOPNOTSUPP, LS_ENOTSUP},
    {WSAEPROTONOSUPPORT, LS_EPROTONOSUPPORT},
    /* POSIX has no separate "socket type not supported" in libsock's
     * space; the type is part of the protocol choice. */
    {WSAESOCKTNOSUPPORT, LS_EPROTONOSUPPORT},
    {WSAENOPROTOOPT, LS_ENOPROTOOPT},
    {WSAEPROTOTYPE, LS_EPROTOTYPE},
    {WSAEHOSTUNREACH, LS_EHOSTUNREACH},
    {WSAEHOSTDOWN, LS_EHOSTUNREACH},
    {WSAENETUNREACH, LS_ENETUNREACH},
    {WSAENETDOWN, LS_ENETDOWN},
    {WSASYSNOTREADY, LS_ENETDOWN},
    /* The connection was dropped by keepalive or an ICMP error: to the
     * caller it is a reset connection, as on POSIX (ECONNRESET). */
    {WSAENETRESET, LS_ECONNRESET},
    /* Sending after shutdown(SD_SEND): POSIX says EPIPE. */
    {WSAESHUTDOWN, LS_EPIPE},
    {WSAEINVAL, LS_EINVAL},
    /* A bad pointer can only be a libsock bug or a caller's bad buffer;
     * POSIX would say EFAULT, which libsock folds into EINVAL. */
    {WSAEFAULT, LS_EINVAL},
    {WSA_INVALID_PARAMETER, LS_EINVAL},
    {WSAENAMETOOLONG, LS_ENAMETOOLONG},
    {WSA_NOT_ENOUGH_MEMORY, LS_ENOMEM},
    {WSAVERNOTSUPPORTED, LS_ENOTSUP},
    /* Winsock is not started: after one ls_cleanup() too many. It is a
     * misuse of the library, reported as an invalid argument. */
    {WSANOTINITIALISED, LS_EINVAL},
    /* Resolver codes, for the rare non-resolver call that returns one. */
    {WSAHOST_NOT_FOUND, LS_ENONAME},
    {WSATRY_AGAIN, LS_EAI_AGAIN},
    {WSANO_RECOVERY, LS_EAI_FAIL},
    {WSANO_DATA, LS_ENODATA},
    {WSATYPE_NOT_FOUND, LS_EAI_SERVICE},
};

static int lsi_wsa_translate(int code)
{
	size_t i;

	for (i = 0; i < sizeof lsi_wsa_map / sizeof lsi_wsa_map[0]; i++) {
		if (lsi_wsa_map[i].wsa == code)
			return lsi_wsa_map[i].ls;
	}
	return LS_EUNKNOWN;
}

int lsi_win_error(int code)
{
	lsi_set_native_error(code);
	return lsi_wsa_translate(code);
}

int lsi_win_last_error(void)
{
	return lsi_win_error(WSAGetLastError());
}

/*
 * getaddrinfo and getnameinfo report through the same WSA numbers, but a
 * few of them mean something else there: Windows defines EAI_FAMILY as
 * WSAEAFNOSUPPORT, EAI_SOCKTYPE as WSAESOCKTNOSUPPORT and EAI_BADFLAGS as
 * WSAEINVAL, and libsock reports those as resolver errors.
 */
int lsi_win_resolver_error(int code)
{
	lsi_set_native_error(code);
	switch (code) {
	case WSAEAFNOSUPPORT:
		return LS_EAI_FAMILY;
	case WSAESOCKTNOSUPPORT:
		return LS_EAI_SOCKTYPE;
	case WSAEINVAL:
		return LS_EAI_BADFLAGS;
	default:
		break;
	}
	code = lsi_wsa_translate(code);
	/*
	 * The resolver failed, whatever the code says: one libsock does not
	 * know (wine passes some host EAI_* values straight through) is still
	 * a resolver failure, not an unknown system error.
	 */
	return code == LS_EUNKNOWN ? LS_EAI_FAIL : code;
}

/* Win32 codes that are not WSA codes but reach libsock from kernel32. */
static const struct {
	DWORD win;
	int ls;
} lsi_sys_map[] = {
    {ERROR_INVALID_HANDLE, LS_EBADF},
    {ERROR_ACCESS_DENIED, LS_EACCES},
    {ERROR_TOO_MANY_OPEN_FILES, LS_EMFILE},
    {ERROR_OUTOFMEMORY, LS_ENOMEM},
    {ERROR_NO_SYSTEM_RESOURCES, LS_ENOBUFS},
    {ERROR_NOT_SUPPORTED, LS_ENOTSUP},
    /* A device that does not know the request (an IOCTL it lacks). */
    {ERROR_INVALID_FUNCTION, LS_ENOTSUP},
    {ERROR_CALL_NOT_IMPLEMENTED, LS_ENOTSUP},
};

int lsi_win_sys_error(DWORD code)
{
	size_t i;

	lsi_set_native_error((int)code);
	for (i = 0; i < sizeof lsi_sys_map / sizeof lsi_sys_map[0]; i++) {
		if (lsi_sys_map[i].win == code)
			return lsi_sys_map[i].ls;
	}
	return lsi_wsa_translate((int)code);
}

typedef ULONG(WINAPI *lsi_rtl_status_fn)(LONG);

/*
 * RtlNtStatusToDosError is looked up rather than linked so that libsock
 * does not need ntdll's import library (mingw-w64 and MSVC ship it
 * differently). ntdll is mapped into every process, so the lookup cannot
 * fail in practice; if it did, the status is simply unknown.
 */
static lsi_rtl_status_fn lsi_rtl_status(void)
{
	static _Atomic(lsi_rtl_status_fn) cached;
	lsi_rtl_status_fn fn = atomic_load(&cached);
	HMODULE ntdll;

	/* Two threads may both look it up; they store the same address. */
	if (fn == NULL) {
		ntdll = GetModuleHandleW(L"ntdll.dll");
		if (ntdll != NULL)
			fn = (lsi_rtl_status_fn)(void (*)(void))GetProcAddress(
			    ntdll, "RtlNtStatusToDosError");
		atomic_store(&cached, fn);
	}
	return fn;
}

int lsi_win_nt_error(LONG status)
{
	lsi_rtl_status_fn fn = lsi_rtl_status();

	if (fn == NULL) {
		lsi_set_native_error((int)status);
		return LS_EUNKNOWN;
	}
	return lsi_win_sys_error(fn(status));
}
