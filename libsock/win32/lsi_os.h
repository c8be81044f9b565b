/*
 * lsi_os.h (Windows) - the OS headers every Windows platform file needs.
 *
 * Both platform directories provide a header of this name (see
 * libsock/posix/lsi_os.h for what shared code may rely on). Winsock spells
 * the POSIX address structures the same way, so the shared names need no
 * help; the rest of this header fills in what older mingw-w64 headers lack.
 *
 * CMake defines WIN32_LEAN_AND_MEAN (windows.h must not drag in the old
 * winsock.h, which clashes with winsock2.h) and _WIN32_WINNT=0x0A00.
 */
#ifndef LSI_OS_H
#define LSI_OS_H

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif

/* winsock2.h must come before windows.h. */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <mswsock.h>
#include <windows.h>
#include <iphlpapi.h>
#include <netioapi.h>
#include <limits.h>

#if defined(__has_include)
#if __has_include(<afunix.h>)
#include <afunix.h>
#define LSI_HAVE_AFUNIX_H 1
#endif
#endif

#ifndef LSI_HAVE_AFUNIX_H
/*
 * Old SDKs have no afunix.h. The structure is fixed by the Windows ABI
 * (Windows 10 1803 and later), so declaring it ourselves is safe.
 */
#define UNIX_PATH_MAX 108
struct sockaddr_un {
	ADDRESS_FAMILY sun_family;
	char sun_path[UNIX_PATH_MAX];
};
#endif

#ifndef AF_UNIX
#define AF_UNIX 1
#endif

/* ws2ipdef.h has this only for newer _WIN32_WINNT values in some SDKs. */
#ifndef IPV6_V6ONLY
#define IPV6_V6ONLY 27
#endif

/*
 * UDP sockets report an ICMP port-unreachable (or TTL-expired) reply to an
 * earlier send as WSAECONNRESET (WSAENETRESET) from the next recvfrom,
 * which POSIX never does; these ioctls switch that off per socket.
 */
#ifndef SIO_UDP_CONNRESET
#define SIO_UDP_CONNRESET _WSAIOW(IOC_VENDOR, 12)
#endif
#ifndef SIO_UDP_NETRESET
#define SIO_UDP_NETRESET _WSAIOW(IOC_VENDOR, 15)
#endif

/*
 * Keepalive tuning options of Windows 10: TCP_KEEPCNT since 1703,
 * TCP_KEEPIDLE and TCP_KEEPINTVL since 1709. mingw-w64 headers lack them;
 * the numbers are the Windows SDK's. Older builds reject them at run time.
 */
#ifndef TCP_KEEPIDLE
#define TCP_KEEPIDLE 3
#endif
#ifndef TCP_KEEPCNT
#define TCP_KEEPCNT 16
#endif
#ifndef TCP_KEEPINTVL
#define TCP_KEEPINTVL 17
#endif

/*
 * The socket of the base service provider under any layered ones, which the
 * AFD poller must name (poller/afd.c). mingw-w64 headers lack them; the
 * numbers are the Windows SDK's (_WSAIOR(IOC_WS2, 34), 27, 28 and 29).
 */
#ifndef SIO_BASE_HANDLE
#define SIO_BASE_HANDLE _WSAIOR(IOC_WS2, 34)
#endif
#ifndef SIO_BSP_HANDLE
#define SIO_BSP_HANDLE _WSAIOR(IOC_WS2, 27)
#endif
#ifndef SIO_BSP_HANDLE_SELECT
#define SIO_BSP_HANDLE_SELECT _WSAIOR(IOC_WS2, 28)
#endif
#ifndef SIO_BSP_HANDLE_POLL
#define SIO_BSP_HANDLE_POLL _WSAIOR(IOC_WS2, 29)
#endif

#ifndef WSA_FLAG_NO_HANDLE_INHERIT
#define WSA_FLAG_NO_HANDLE_INHERIT 0x80
#endif

/*
 * WSAPoll rejects events other than POLLRDNORM, POLLRDBAND and POLLWRNORM
 * with WSAEINVAL, and Winsock's POLLIN includes POLLRDBAND (out-of-band
 * data), which libsock does not wait for; readable means POLLRDNORM.
 */
#define LSI_POLL_READ POLLRDNORM

/* The OS's type for address and option lengths. */
typedef int lsi_socklen;

#endif /* LSI_OS_H */
