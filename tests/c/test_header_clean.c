/*
 * test_header_clean.c - <libsock.h> pulls in no OS header.
 *
 * This file includes <libsock.h> and nothing else, then checks that none of
 * the macros the OS socket headers define is visible. A leak is a compile
 * error here, so the build itself fails; the run checks the library links.
 */
#include <libsock.h>

/* POSIX <sys/socket.h>, <netinet/in.h>, <arpa/inet.h>, <netdb.h>, <poll.h>. */
#ifdef AF_INET
#error "<libsock.h> leaks AF_INET: an OS socket header was included"
#endif
#ifdef AF_UNIX
#error "<libsock.h> leaks AF_UNIX"
#endif
#ifdef SOCK_STREAM
#error "<libsock.h> leaks SOCK_STREAM"
#endif
#ifdef SOL_SOCKET
#error "<libsock.h> leaks SOL_SOCKET"
#endif
#ifdef IPPROTO_TCP
#error "<libsock.h> leaks IPPROTO_TCP"
#endif
#ifdef INADDR_ANY
#error "<libsock.h> leaks INADDR_ANY"
#endif
#ifdef POLLIN
#error "<libsock.h> leaks POLLIN"
#endif
#ifdef EAI_NONAME
#error "<libsock.h> leaks EAI_NONAME"
#endif
#ifdef _SYS_SOCKET_H
#error "<libsock.h> includes <sys/socket.h>"
#endif
#ifdef _SYS_SOCKET_H_
#error "<libsock.h> includes <sys/socket.h> (BSD)"
#endif
#ifdef _NETINET_IN_H
#error "<libsock.h> includes <netinet/in.h>"
#endif
#ifdef _NETINET_IN_H_
#error "<libsock.h> includes <netinet/in.h> (BSD)"
#endif
#ifdef _NETDB_H
#error "<libsock.h> includes <netdb.h>"
#endif
#ifdef _UNISTD_H
#error "<libsock.h> includes <unistd.h>"
#endif
#ifdef _ERRNO_H
#error "<libsock.h> includes <errno.h>"
#endif
/* Windows <winsock2.h>, <ws2tcpip.h>, <windows.h>. */
#ifdef INVALID_SOCKET
#error "<libsock.h> leaks INVALID_SOCKET: a Winsock header was included"
#endif
#ifdef SOCKET_ERROR
#error "<libsock.h> leaks SOCKET_ERROR"
#endif
#ifdef _WINSOCK2API_
#error "<libsock.h> includes <winsock2.h>"
#endif
#ifdef _WINSOCKAPI_
#error "<libsock.h> includes <winsock.h>"
#endif
#ifdef _WS2TCPIP_H_
#error "<libsock.h> includes <ws2tcpip.h>"
#endif
#ifdef _WINDOWS_
#error "<libsock.h> includes <windows.h>"
#endif
#ifdef WINAPI
#error "<libsock.h> leaks WINAPI"
#endif

int main(void)
{
	/* The header's own macros and the library agree, and it links. */
	if (ls_version() != LS_VERSION_NUMBER)
		return 1;
	if (LS_INVALID_SOCKET != 0)
		return 1;
	return 0;
}
