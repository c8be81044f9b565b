/*
 * win32.h - internal interface between the Windows platform files.
 *
 * The lsi_win_* functions below are the syscall table's wrappers (sys.c),
 * the error translation (error.c) and the address conversions the other
 * files share. Nothing outside libsock/win32/ includes this header.
 */
#ifndef LSI_WIN32_H
#define LSI_WIN32_H

#include "lsi_os.h"
#include "platform.h"
#include "sys/sockaddr.h"
#include "sys/socktype.h"

/* --- Syscall table (sys.c) ---------------------------------------------
 *
 * Every raw Winsock call goes through these wrappers, so tests can make any
 * of them fail with lsi_plat_inject_fault(). A failing wrapper behaves as
 * Winsock does: it returns SOCKET_ERROR (INVALID_SOCKET) and leaves the code
 * in WSAGetLastError(); getaddrinfo returns its code directly.
 */
SOCKET lsi_win_socket(int af, int type, int protocol, DWORD flags);
int lsi_win_closesocket(SOCKET s);
int lsi_win_bind(SOCKET s, const struct sockaddr *sa, int len);
int lsi_win_listen(SOCKET s, int backlog);
SOCKET lsi_win_accept(SOCKET s, struct sockaddr *sa, int *len);
SOCKET lsi_win_wsaaccept(SOCKET s, struct sockaddr *sa, int *len, LPCONDITIONPROC cond,
                         DWORD_PTR data);
int lsi_win_connect(SOCKET s, const struct sockaddr *sa, int len);
int lsi_win_send(SOCKET s, const char *buf, int len, int flags);
int lsi_win_recv(SOCKET s, char *buf, int len, int flags);
int lsi_win_sendto(SOCKET s, const char *buf, int len, int flags, const struct sockaddr *to,
                   int tolen);
int lsi_win_recvfrom(SOCKET s, char *buf, int len, int flags, struct sockaddr *from, int *fromlen);
int lsi_win_wsasend(SOCKET s, WSABUF *bufs, DWORD count, DWORD *sent, DWORD flags);
int lsi_win_wsarecv(SOCKET s, WSABUF *bufs, DWORD count, DWORD *received, DWORD *flags);
int lsi_win_wsasendmsg(SOCKET s, WSAMSG *msg, DWORD flags, DWORD *sent);
int lsi_win_wsarecvmsg(SOCKET s, WSAMSG *msg, DWORD *received);
int lsi_win_wsapoll(WSAPOLLFD *fds, ULONG count, INT timeout);
int lsi_win_select(fd_set *readfds, fd_set *writefds, fd_set *exceptfds,
                   const struct timeval *timeout);
int lsi_win_setsockopt(SOCKET s, int level, int name, const char *value, int len);
int lsi_win_getsockopt(SOCKET s, int level, int name, char *value, int *len);
int lsi_win_getsockname(SOCKET s, struct sockaddr *sa, int *len);
int lsi_win_getpeername(SOCKET s, struct sockaddr *sa, int *len);
int lsi_win_shutdown(SOCKET s, int how);
int lsi_win_ioctlsocket(SOCKET s, long cmd, u_long *arg);
int lsi_win_wsaioctl(SOCKET s, DWORD code, void *in, DWORD inlen, void *out, DWORD outlen,
                     DWORD *returned);
int lsi_win_getaddrinfo(const char *host, const char *service, const struct addrinfo *hints,
                        struct addrinfo **res);
void lsi_win_freeaddrinfo(struct addrinfo *res);
int lsi_win_getnameinfo(const struct sockaddr *sa, int salen, char *host, DWORD hostlen, char *serv,
                        DWORD servlen, int flags);
int lsi_win_gethostname(char *name, int len);
/* Handing sockets to other processes (share.c). */
SOCKET lsi_win_socket_from_info(WSAPROTOCOL_INFOW *info, DWORD flags);
int lsi_win_duplicate_socket(SOCKET s, DWORD pid, WSAPROTOCOL_INFOW *info);
/* CancelIoEx on the socket: every call blocked on it returns. */
void lsi_win_cancel_io(SOCKET s);

/* --- Errors (error.c): the only place WSA codes become LS_E* ------------ */

/* Record code as the native error and return its LS_E* translation. */
int lsi_win_error(int code);
/* The same for WSAGetLastError(); call it right after the failing call. */
int lsi_win_last_error(void);
/* Resolver codes (getaddrinfo's return value, getnameinfo's WSA code). */
int lsi_win_resolver_error(int code);
/*
 * Win32 codes (GetLastError() after a kernel32 call such as
 * CreateIoCompletionPort); WSA codes are Win32 codes too, so they work here.
 */
int lsi_win_sys_error(DWORD code);
/* NTSTATUS values from ntdll calls (the AFD poller), through their Win32 code. */
int lsi_win_nt_error(LONG status);

/* --- Shared helpers (socket.c) ------------------------------------------ */

/* A SOCKET from an lsi_fd (LSI_FD_INVALID becomes INVALID_SOCKET). */
static inline SOCKET lsi_win_sock(lsi_fd fd)
{
	return fd == LSI_FD_INVALID ? INVALID_SOCKET : (SOCKET)fd;
}

/* Clear HANDLE_FLAG_INHERIT so child processes do not get the socket. */
void lsi_win_no_inherit(SOCKET s);

/*
 * Finish an accept (accept or WSAAccept gave s and the peer's address sa,
 * len bytes): the new socket's settings, then *out and *peer (may be NULL).
 * On failure s is closed.
 */
int lsi_win_accepted(SOCKET s, const lsi_sockaddr *sa, int len, ls_addr *peer, int nonblocking,
                     lsi_fd *out);

/* --- SO_ERROR that clears when read (soerror.c) ------------------------ */

/*
 * Read SO_ERROR: 0 and *value = 0 or the pending error as LS_E*, reported
 * once (later reads give 0, as on POSIX); or the getsockopt failure.
 */
int lsi_win_so_error(SOCKET s, int *value);
/* Of a raw SO_ERROR value, what to report: 0 if it was reported before. */
int lsi_win_soerror_filter(SOCKET s, int err);
/* Drop what is remembered for s (closed, connecting again, or new). */
void lsi_win_soerror_forget(SOCKET s);

/* --- Keepalive tuning without TCP_KEEPIDLE (keepalive.c) -------------- */

/* Whether a failed TCP_KEEPIDLE/TCP_KEEPINTVL means "use the fallback". */
int lsi_win_keepalive_missing(int option, int code);
/* Set LS_OPT_KEEPIDLE or LS_OPT_KEEPINTVL with SIO_KEEPALIVE_VALS. */
int lsi_win_keepalive_set(SOCKET s, lsi_optmemo *memo, int option, int value);
/* What the fallback set, or Windows' default. */
int lsi_win_keepalive_get(lsi_optmemo *memo, int option, int *value);
/* After keepalive is switched on: apply the times the fallback set. */
int lsi_win_keepalive_reapply(SOCKET s, lsi_optmemo *memo);

/*
 * Wait up to timeout_ms (0: just look) for s to become readable or
 * writable. 1 if ready, 0 if not, or an LS_E* error.
 */
int lsi_win_wait_ready(SOCKET s, int writable, int timeout_ms);

/*
 * LS_MSG_DONTWAIT, which Winsock lacks, as a zero-timeout readiness check
 * (io.c): 0 to go on with the call, LS_EAGAIN when it would block, or an
 * error. 0 at once when flags has no LS_MSG_DONTWAIT.
 */
int lsi_win_dontwait(SOCKET s, int flags, int writable);

#endif /* LSI_WIN32_H */
