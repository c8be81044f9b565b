/*
 * lsi_os.h (POSIX) - the OS headers every POSIX platform file needs.
 *
 * Both platform directories provide a header of this name; CMake puts the
 * chosen one on the include path, so shared code (libsock/sys/)
 * includes "lsi_os.h" without naming an OS. What shared code may rely on
 * from this header, and therefore what libsock/win32/lsi_os.h must provide
 * with the same names, is deliberately small:
 *
 *   - struct sockaddr, sockaddr_in, sockaddr_in6, sockaddr_un and
 *     sockaddr_storage, with the POSIX member names (sin_family, sin_port,
 *     sin_addr, sin6_port, sin6_addr.s6_addr, sin6_scope_id,
 *     sin6_flowinfo, sun_family, sun_path);
 *   - AF_UNSPEC, AF_INET, AF_INET6, AF_UNIX;
 *   - htons, ntohs, htonl, ntohl;
 *   - SOCK_STREAM, SOCK_DGRAM;
 *   - struct addrinfo (ai_flags, ai_family, ai_socktype, ai_protocol,
 *     ai_addrlen, ai_addr, ai_canonname, ai_next), the AI_* flags libsock
 *     maps (AI_ADDRCONFIG and AI_V4MAPPED may be missing: shared code
 *     tests them with #ifdef) and NI_NUMERICHOST, NI_NUMERICSERV,
 *     NI_NAMEREQD, NI_DGRAM, NI_NOFQDN;
 *   - POLLIN, POLLOUT, POLLERR, POLLHUP, POLLNVAL as reported in revents;
 *   - LSI_POLL_READ, the event bit to ask for to learn that a socket is
 *     readable;
 *   - lsi_socklen, the type of the OS's address length arguments.
 *
 * Everything else here is for the POSIX platform files only.
 */
#ifndef LSI_OS_H
#define LSI_OS_H

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netdb.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <unistd.h>

/* poll() reports readable data for POLLIN, so that is what is asked for. */
#define LSI_POLL_READ POLLIN

/* The OS's type for address and option lengths (int on Windows). */
typedef socklen_t lsi_socklen;

#endif /* LSI_OS_H */
