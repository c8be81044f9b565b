/*
 * sys.c (Windows) - the syscall table.
 *
 * Every raw Winsock call the Windows platform makes goes through a wrapper
 * here, which calls the OS through a static table of function pointers. A
 * test can arm a fault for a call name with lsi_plat_inject_fault(); the
 * wrapper then fails the next calls the way Winsock would (SOCKET_ERROR or
 * INVALID_SOCKET with the code in WSAGetLastError()) without calling the OS,
 * so error paths that a real network rarely produces can be exercised.
 */
#include <stdatomic.h>
#include <string.h>

#include "win32.h"

/* The OS entry points. Only this file calls Winsock socket functions. */
static const struct {
	SOCKET(WSAAPI *wsasocketw)(int, int, int, LPWSAPROTOCOL_INFOW, GROUP, DWORD);
	int(WSAAPI *closesocket)(SOCKET);
	int(WSAAPI *bind)(SOCKET, const struct sockaddr *, int);
	int(WSAAPI *listen)(SOCKET, int);
	SOCKET(WSAAPI *accept)(SOCKET, struct sockaddr *, int *);
	int(WSAAPI *connect)(SOCKET, const struct sockaddr *, int);
	int(WSAAPI *send)(SOCKET, const char *, int, int);
	int(WSAAPI *recv)(SOCKET, char *, int, int);
	int(WSAAPI *sendto)(SOCKET, const char *, int, int, const struct sockaddr *, int);
	int(WSAAPI *recvfrom)(SOCKET, char *, int, int, struct sockaddr *, int *);
	int(WSAAPI *wsasend)(SOCKET, LPWSABUF, DWORD, LPDWORD, DWORD, LPWSAOVERLAPPED,
	                     LPWSAOVERLAPPED_COMPLETION_ROUTINE);
	int(WSAAPI *wsarecv)(SOCKET, LPWSABUF, DWORD, LPDWORD, LPDWORD, LPWSAOVERLAPPED,
	                     LPWSAOVERLAPPED_COMPLETION_ROUTINE);
	int(WSAAPI *wsapoll)(LPWSAPOLLFD, ULONG, INT);
	int(WSAAPI *select)(int, fd_set *, fd_set *, fd_set *, const PTIMEVAL);
	int(WSAAPI *setsockopt)(SOCKET, int, int, const char *, int);
	int(WSAAPI *getsockopt)(SOCKET, int, int, char *, int *);
	int(WSAAPI *getsockname)(SOCKET, struct sockaddr *, int *);
	int(WSAAPI *getpeername)(SOCKET, struct sockaddr *, int *);
	int(WSAAPI *shutdown)(SOCKET, int);
	int(WSAAPI *ioctlsocket)(SOCKET, long, u_long *);
	int(WSAAPI *wsaioctl)(SOCKET, DWORD, LPVOID, DWORD, LPVOID, DWORD, LPDWORD, LPWSAOVERLAPPED,
	                      LPWSAOVERLAPPED_COMPLETION_ROUTINE);
	int(WSAAPI *getaddrinfo)(PCSTR, PCSTR, const ADDRINFOA *, PADDRINFOA *);
	void(WSAAPI *freeaddrinfo)(PADDRINFOA);
	int(WSAAPI *getnameinfo)(const SOCKADDR *, socklen_t, PCHAR, DWORD, PCHAR, DWORD, INT);
	int(WSAAPI *gethostname)(char *, int);
	BOOL(WINAPI *cancelioex)(HANDLE, LPOVERLAPPED);
	INT(WSAAPI *wsasendmsg)(SOCKET, LPWSAMSG, DWORD, LPDWORD, LPWSAOVERLAPPED,
	                        LPWSAOVERLAPPED_COMPLETION_ROUTINE);
	int(WSAAPI *wsaduplicatesocketw)(SOCKET, DWORD, LPWSAPROTOCOL_INFOW);
	SOCKET(WSAAPI *wsaaccept)(SOCKET, struct sockaddr *, LPINT, LPCONDITIONPROC, DWORD_PTR);
} lsi_sys = {
    WSASocketW,  closesocket,  bind,        listen,      accept,     connect,     send,
    recv,        sendto,       recvfrom,    WSASend,     WSARecv,    WSAPoll,     select,
    setsockopt,  getsockopt,   getsockname, getpeername, shutdown,   ioctlsocket, WSAIoctl,
    getaddrinfo, freeaddrinfo, getnameinfo, gethostname, CancelIoEx,  WSASendMsg,
    WSADuplicateSocketW, WSAAccept,
};

/*
 * Fault slots. The names in platform.h are generic ("send" covers send,
 * sendto and WSASend) so a test need not know which Winsock function a
 * libsock call happens to use; the rest name single calls.
 */
enum lsi_fault_slot {
	LSI_F_SOCKET,
	LSI_F_BIND,
	LSI_F_LISTEN,
	LSI_F_ACCEPT,
	LSI_F_CONNECT,
	LSI_F_SEND,
	LSI_F_RECV,
	LSI_F_POLL,
	LSI_F_SETSOCKOPT,
	LSI_F_GETSOCKOPT,
	LSI_F_CLOSE,
	LSI_F_GETSOCKNAME,
	LSI_F_GETPEERNAME,
	LSI_F_SHUTDOWN,
	LSI_F_IOCTL,
	LSI_F_GETADDRINFO,
	LSI_F_GETNAMEINFO,
	LSI_F_GETHOSTNAME,
	LSI_F_COUNT
};

static const struct {
	const char *name;
	enum lsi_fault_slot slot;
} lsi_fault_names[] = {
    {"socket", LSI_F_SOCKET},
    {"bind", LSI_F_BIND},
    {"listen", LSI_F_LISTEN},
    {"accept", LSI_F_ACCEPT},
    {"connect", LSI_F_CONNECT},
    {"send", LSI_F_SEND},
    {"recv", LSI_F_RECV},
    {"poll", LSI_F_POLL},
    {"setsockopt", LSI_F_SETSOCKOPT},
    {"getsockopt", LSI_F_GETSOCKOPT},
    {"close", LSI_F_CLOSE},
    {"getsockname", LSI_F_GETSOCKNAME},
    {"getpeername", LSI_F_GETPEERNAME},
    {"shutdown", LSI_F_SHUTDOWN},
    {"ioctl", LSI_F_IOCTL},
    {"getaddrinfo", LSI_F_GETADDRINFO},
    {"getnameinfo", LSI_F_GETNAMEINFO},
    {"gethostname", LSI_F_GETHOSTNAME},
    /* Winsock's own spellings, for tests written with Windows in mind. */
    {"closesocket", LSI_F_CLOSE},
    {"WSASocketW", LSI_F_SOCKET},
    {"WSAPoll", LSI_F_POLL},
    {"select", LSI_F_POLL},
    {"sendto", LSI_F_SEND},
    {"recvfrom", LSI_F_RECV},
    {"WSASend", LSI_F_SEND},
    {"WSARecv", LSI_F_RECV},
    {"ioctlsocket", LSI_F_IOCTL},
    {"WSAIoctl", LSI_F_IOCTL},
};

/* Calls still to fail per slot, and the WSA code they fail with. */
static atomic_int lsi_fault_times[LSI_F_COUNT];
static atomic_int lsi_fault_code[LSI_F_COUNT];

/*
 * WSAPoll calls still to behave as WSAPoll before Windows 10 2004 does
 * ("old-wsapoll" in lsi_plat_inject_fault()), so tests under wine or a
 * newer Windows can exercise poll.c's workaround for that bug.
 */
static atomic_int lsi_old_wsapoll;

/* Take one from a counter that is above zero, if another thread has not. */
static int lsi_count_down(atomic_int *n)
{
	int v = atomic_load_explicit(n, memory_order_acquire);

	while (v > 0) {
		if (atomic_compare_exchange_weak_explicit(n, &v, v - 1, memory_order_acq_rel,
		                                          memory_order_acquire))
			return 1;
	}
	return 0;
}

/*
 * The slow path: take one armed failure, if another thread has not taken
 * the last one meanwhile. Kept out of line so the wrappers stay small.
 */
static __attribute__((noinline)) int lsi_fault_take(enum lsi_fault_slot slot)
{
	if (!lsi_count_down(&lsi_fault_times[slot]))
		return 0;
	WSASetLastError(atomic_load_explicit(&lsi_fault_code[slot], memory_order_relaxed));
	return 1;
}

/* The fast path: one relaxed load and one branch when nothing is armed. */
static inline int lsi_fault(enum lsi_fault_slot slot)
{
	if (__builtin_expect(
	        atomic_load_explicit(&lsi_fault_times[slot], memory_order_relaxed) == 0, 1))
		return 0;
	return lsi_fault_take(slot);
}

int lsi_plat_inject_fault(const char *call, int native_err, int times)
{
	size_t i;

	if (call == NULL || times < 0)
		return LS_EINVAL;
	if (strcmp(call, "old-wsapoll") == 0) {
		atomic_store_explicit(&lsi_old_wsapoll, times, memory_order_release);
		return 0;
	}
	for (i = 0; i < sizeof lsi_fault_names / sizeof lsi_fault_names[0]; i++) {
		if (strcmp(call, lsi_fault_names[i].name) == 0) {
			enum lsi_fault_slot slot = lsi_fault_names[i].slot;

			/* The code must be visible before the count arms it. */
			atomic_store_explicit(&lsi_fault_code[slot], native_err,
			                      memory_order_relaxed);
			atomic_store_explicit(&lsi_fault_times[slot], times, memory_order_release);
			return 0;
		}
	}
	return LS_EINVAL;
}

SOCKET lsi_win_socket(int af, int type, int protocol, DWORD flags)
{
	if (lsi_fault(LSI_F_SOCKET))
		return INVALID_SOCKET;
	return lsi_sys.wsasocketw(af, type, protocol, NULL, 0, flags);
}

/* A socket from WSADuplicateSocketW's bytes; "socket" faults cover it. */
SOCKET lsi_win_socket_from_info(WSAPROTOCOL_INFOW *info, DWORD flags)
{
	if (lsi_fault(LSI_F_SOCKET))
		return INVALID_SOCKET;
	return lsi_sys.wsasocketw(FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, info,
	                          0, flags);
}

int lsi_win_duplicate_socket(SOCKET s, DWORD pid, WSAPROTOCOL_INFOW *info)
{
	return lsi_sys.wsaduplicatesocketw(s, pid, info);
}

int lsi_win_closesocket(SOCKET s)
{
	if (lsi_fault(LSI_F_CLOSE))
		return SOCKET_ERROR;
	return lsi_sys.closesocket(s);
}

int lsi_win_bind(SOCKET s, const struct sockaddr *sa, int len)
{
	if (lsi_fault(LSI_F_BIND))
		return SOCKET_ERROR;
	return lsi_sys.bind(s, sa, len);
}

int lsi_win_listen(SOCKET s, int backlog)
{
	if (lsi_fault(LSI_F_LISTEN))
		return SOCKET_ERROR;
	return lsi_sys.listen(s, backlog);
}

SOCKET lsi_win_accept(SOCKET s, struct sockaddr *sa, int *len)
{
	if (lsi_fault(LSI_F_ACCEPT))
		return INVALID_SOCKET;
	return lsi_sys.accept(s, sa, len);
}

/* WSAAccept with a condition function (conditional accept); "accept" faults cover it. */
SOCKET lsi_win_wsaaccept(SOCKET s, struct sockaddr *sa, int *len, LPCONDITIONPROC cond,
                         DWORD_PTR data)
{
	if (lsi_fault(LSI_F_ACCEPT))
		return INVALID_SOCKET;
	return lsi_sys.wsaaccept(s, sa, len, cond, data);
}

int lsi_win_connect(SOCKET s, const struct sockaddr *sa, int len)
{
	if (lsi_fault(LSI_F_CONNECT))
		return SOCKET_ERROR;
	return lsi_sys.connect(s, sa, len);
}

int lsi_win_send(SOCKET s, const char *buf, int len, int flags)
{
	if (lsi_fault(LSI_F_SEND))
		return SOCKET_ERROR;
	return lsi_sys.send(s, buf, len, flags);
}

int lsi_win_recv(SOCKET s, char *buf, int len, int flags)
{
	if (lsi_fault(LSI_F_RECV))
		return SOCKET_ERROR;
	return lsi_sys.recv(s, buf, len, flags);
}

int lsi_win_sendto(SOCKET s, const char *buf, int len, int flags, const struct sockaddr *to,
                   int tolen)
{
	if (lsi_fault(LSI_F_SEND))
		return SOCKET_ERROR;
	return lsi_sys.sendto(s, buf, len, flags, to, tolen);
}

int lsi_win_recvfrom(SOCKET s, char *buf, int len, int flags, struct sockaddr *from, int *fromlen)
{
	if (lsi_fault(LSI_F_RECV))
		return SOCKET_ERROR;
	return lsi_sys.recvfrom(s, buf, len, flags, from, fromlen);
}

int lsi_win_wsasend(SOCKET s, WSABUF *bufs, DWORD count, DWORD *sent, DWORD flags)
{
	if (lsi_fault(LSI_F_SEND))
		return SOCKET_ERROR;
	return lsi_sys.wsasend(s, bufs, count, sent, flags, NULL, NULL);
}

int lsi_win_wsasendmsg(SOCKET s, WSAMSG *msg, DWORD flags, DWORD *sent)
{
	if (lsi_fault(LSI_F_SEND))
		return SOCKET_ERROR;
	return lsi_sys.wsasendmsg(s, msg, flags, sent, NULL, NULL);
}

/*
 * WSARecvMsg is not exported: it is an extension function of the provider,
 * fetched once through SIO_GET_EXTENSION_FUNCTION_POINTER and kept (the
 * base provider's pointer is the same for every socket).
 */
int lsi_win_wsarecvmsg(SOCKET s, WSAMSG *msg, DWORD *received)
{
	static _Atomic(LPFN_WSARECVMSG) fn;
	LPFN_WSARECVMSG f = atomic_load(&fn);
	GUID id = WSAID_WSARECVMSG;
	DWORD got = 0;

	if (lsi_fault(LSI_F_RECV))
		return SOCKET_ERROR;
	if (f == NULL) {
		if (lsi_sys.wsaioctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &id, sizeof(id), &f,
		                     sizeof(f), &got, NULL, NULL) == SOCKET_ERROR)
			return SOCKET_ERROR;
		atomic_store(&fn, f);
	}
	return f(s, msg, received, NULL, NULL);
}

int lsi_win_wsarecv(SOCKET s, WSABUF *bufs, DWORD count, DWORD *received, DWORD *flags)
{
	if (lsi_fault(LSI_F_RECV))
		return SOCKET_ERROR;
	return lsi_sys.wsarecv(s, bufs, count, received, flags, NULL, NULL);
}

/*
 * What WSAPoll before Windows 10 2004 reports: nothing at all for a socket
 * whose connect failed. SO_ERROR is read straight from Winsock, where
 * reading it does not clear it, so the caller still finds the error.
 */
static int lsi_hide_failed_connects(WSAPOLLFD *fds, ULONG count, int ready)
{
	ULONG i;

	for (i = 0; i < count; i++) {
		int err = 0;
		int len = (int)sizeof err;

		if (!(fds[i].revents & (POLLERR | POLLHUP)))
			continue;
		if (lsi_sys.getsockopt(fds[i].fd, SOL_SOCKET, SO_ERROR, (char *)&err, &len) == 0 &&
		    err != 0) {
			fds[i].revents = 0;
			ready--;
		}
	}
	return ready;
}

int lsi_win_wsapoll(WSAPOLLFD *fds, ULONG count, INT timeout)
{
	int ready;

	if (lsi_fault(LSI_F_POLL))
		return SOCKET_ERROR;
	ready = lsi_sys.wsapoll(fds, count, timeout);
	if (ready > 0 &&
	    __builtin_expect(atomic_load_explicit(&lsi_old_wsapoll, memory_order_relaxed) > 0, 0) &&
	    lsi_count_down(&lsi_old_wsapoll))
		ready = lsi_hide_failed_connects(fds, count, ready);
	return ready;
}

int lsi_win_select(fd_set *readfds, fd_set *writefds, fd_set *exceptfds,
                   const struct timeval *timeout)
{
	if (lsi_fault(LSI_F_POLL))
		return SOCKET_ERROR;
	/* The first argument is ignored by Winsock; the cast drops a const
	 * the prototype forgot. */
	return lsi_sys.select(0, readfds, writefds, exceptfds, (PTIMEVAL)timeout);
}

int lsi_win_setsockopt(SOCKET s, int level, int name, const char *value, int len)
{
	if (lsi_fault(LSI_F_SETSOCKOPT))
		return SOCKET_ERROR;
	return lsi_sys.setsockopt(s, level, name, value, len);
}

int lsi_win_getsockopt(SOCKET s, int level, int name, char *value, int *len)
{
	if (lsi_fault(LSI_F_GETSOCKOPT))
		return SOCKET_ERROR;
	return lsi_sys.getsockopt(s, level, name, value, len);
}

int lsi_win_getsockname(SOCKET s, struct sockaddr *sa, int *len)
{
	if (lsi_fault(LSI_F_GETSOCKNAME))
		return SOCKET_ERROR;
	return lsi_sys.getsockname(s, sa, len);
}

int lsi_win_getpeername(SOCKET s, struct sockaddr *sa, int *len)
{
	if (lsi_fault(LSI_F_GETPEERNAME))
		return SOCKET_ERROR;
	return lsi_sys.getpeername(s, sa, len);
}

int lsi_win_shutdown(SOCKET s, int how)
{
	if (lsi_fault(LSI_F_SHUTDOWN))
		return SOCKET_ERROR;
	return lsi_sys.shutdown(s, how);
}

int lsi_win_ioctlsocket(SOCKET s, long cmd, u_long *arg)
{
	if (lsi_fault(LSI_F_IOCTL))
		return SOCKET_ERROR;
	return lsi_sys.ioctlsocket(s, cmd, arg);
}

int lsi_win_wsaioctl(SOCKET s, DWORD code, void *in, DWORD inlen, void *out, DWORD outlen,
                     DWORD *returned)
{
	if (lsi_fault(LSI_F_IOCTL))
		return SOCKET_ERROR;
	return lsi_sys.wsaioctl(s, code, in, inlen, out, outlen, returned, NULL, NULL);
}

/* getaddrinfo returns its error code rather than setting the thread's. */
int lsi_win_getaddrinfo(const char *host, const char *service, const struct addrinfo *hints,
                        struct addrinfo **res)
{
	if (lsi_fault(LSI_F_GETADDRINFO)) {
		int code = WSAGetLastError();

		return code != 0 ? code : WSANO_RECOVERY;
	}
	return lsi_sys.getaddrinfo(host, service, hints, res);
}

void lsi_win_freeaddrinfo(struct addrinfo *res)
{
	lsi_sys.freeaddrinfo(res);
}

int lsi_win_getnameinfo(const struct sockaddr *sa, int salen, char *host, DWORD hostlen, char *serv,
                        DWORD servlen, int flags)
{
	if (lsi_fault(LSI_F_GETNAMEINFO))
		return WSAGetLastError();
	return lsi_sys.getnameinfo(sa, salen, host, hostlen, serv, servlen, flags);
}

/* Not Winsock but kernel32: wakes calls blocked on the socket's handle. */
void lsi_win_cancel_io(SOCKET s)
{
	lsi_sys.cancelioex((HANDLE)s, NULL);
}

int lsi_win_gethostname(char *name, int len)
{
	if (lsi_fault(LSI_F_GETHOSTNAME))
		return SOCKET_ERROR;
	return lsi_sys.gethostname(name, len);
}
