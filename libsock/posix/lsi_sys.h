/*
 * lsi_sys.h (POSIX) - the syscall table: every raw OS socket call.
 *
 * Platform files call these instead of the OS directly, so that tests can
 * make any of them fail on demand (lsi_plat_inject_fault()). Each wrapper
 * has the OS call's signature with plain int descriptors and behaves
 * exactly like it: -1 (or an EAI_* code for the resolver calls) with errno
 * set on failure. When a fault is armed for the call, the wrapper fails
 * with the injected code without calling the OS.
 */
#ifndef LSI_SYS_H
#define LSI_SYS_H

#include <stdatomic.h>
#include <time.h>

#include "lsi_config.h"
#include "lsi_os.h"
#include "platform.h" /* LSI_UNLIKELY */

/*
 * One fault slot per injectable call name. Related OS calls share a slot
 * (send, sendto and sendmsg are all "send"), so a test arming "send" fails
 * whatever call the platform happens to use for that operation.
 */
enum lsi_sysid {
	LSI_SYS_SOCKET,
	LSI_SYS_SOCKETPAIR,
	LSI_SYS_BIND,
	LSI_SYS_LISTEN,
	LSI_SYS_ACCEPT,
	LSI_SYS_CONNECT,
	LSI_SYS_SEND,
	LSI_SYS_RECV,
	LSI_SYS_POLL,
	LSI_SYS_SETSOCKOPT,
	LSI_SYS_GETSOCKOPT,
	LSI_SYS_GETSOCKNAME,
	LSI_SYS_GETPEERNAME,
	LSI_SYS_SHUTDOWN,
	LSI_SYS_CLOSE,
	LSI_SYS_FCNTL,
	LSI_SYS_GETADDRINFO,
	LSI_SYS_GETNAMEINFO,
	LSI_SYS_GETHOSTNAME,
	LSI_SYS_IF_NAMETOINDEX,
	LSI_SYS_COUNT
};

/*
 * Fault injection (lsi_plat_inject_fault): nonzero while any fault is
 * armed, so the fast path of every wrapper is one relaxed load.
 */
extern atomic_int lsi_faults_armed;

/* Consume one armed fault of call id: its code (also left in errno), or 0. */
int lsi_sys_fault_fire(enum lsi_sysid id);

static inline int lsi_sys_fault(enum lsi_sysid id)
{
	if (!LSI_UNLIKELY(atomic_load_explicit(&lsi_faults_armed, memory_order_relaxed) != 0))
		return 0;
	return lsi_sys_fault_fire(id);
}

/*
 * send and recv are inline: they are the per-call cost of every 1-byte
 * message, and a call layer less is measurable there.
 */
static inline ssize_t lsi_sys_send(int fd, const void *buf, size_t len, int flags)
{
	return lsi_sys_fault(LSI_SYS_SEND) ? -1 : send(fd, buf, len, flags);
}

static inline ssize_t lsi_sys_recv(int fd, void *buf, size_t len, int flags)
{
	return lsi_sys_fault(LSI_SYS_RECV) ? -1 : recv(fd, buf, len, flags);
}

/*
 * The calls of the send/receive fast path (lsi_fast.h), in one cache line
 * that the path reads on every call, instead of one PLT entry and one GOT
 * entry each. Since glibc's time() is an indirect function, the dynamic
 * linker sets the pointer to the vDSO's own time() (measured on Linux: a
 * send+recv pair 0.4% faster than through the PLT). send and recv are the
 * C library's until a test first arms a fault (lsi_plat_inject_fault());
 * from then on, for the rest of the process, they are the checking
 * wrappers above, so the fast path pays no fault check outside tests.
 */
typedef ssize_t (*lsi_sys_send_fn)(int fd, const void *buf, size_t len, int flags);
typedef ssize_t (*lsi_sys_recv_fn)(int fd, void *buf, size_t len, int flags);
typedef time_t (*lsi_sys_time_fn)(time_t *t);

typedef struct lsi_sys_fast_calls {
	_Alignas(64) _Atomic(lsi_sys_send_fn) send;
	_Atomic(lsi_sys_recv_fn) recv;
	lsi_sys_time_fn time;
} lsi_sys_fast_calls;

extern lsi_sys_fast_calls lsi_sys_fast;

int lsi_sys_socket(int af, int type, int proto);
int lsi_sys_socketpair(int af, int type, int proto, int fds[2]);
int lsi_sys_bind(int fd, const struct sockaddr *sa, lsi_socklen len);
int lsi_sys_listen(int fd, int backlog);
int lsi_sys_accept(int fd, struct sockaddr *sa, lsi_socklen *len);
#if HAVE_ACCEPT4
int lsi_sys_accept4(int fd, struct sockaddr *sa, lsi_socklen *len, int flags);
#endif
int lsi_sys_connect(int fd, const struct sockaddr *sa, lsi_socklen len);
ssize_t lsi_sys_sendto(int fd, const void *buf, size_t len, int flags,
                       const struct sockaddr *sa, lsi_socklen salen);
ssize_t lsi_sys_sendmsg(int fd, const struct msghdr *msg, int flags);
ssize_t lsi_sys_recvfrom(int fd, void *buf, size_t len, int flags,
                         struct sockaddr *sa, lsi_socklen *salen);
ssize_t lsi_sys_recvmsg(int fd, struct msghdr *msg, int flags);
#if HAVE_SENDMMSG
/* "send" and "recv" faults cover these too. */
int lsi_sys_sendmmsg(int fd, struct mmsghdr *v, unsigned n, int flags);
int lsi_sys_recvmmsg(int fd, struct mmsghdr *v, unsigned n, int flags);
#endif
int lsi_sys_poll(struct pollfd *fds, nfds_t n, int timeout);
int lsi_sys_setsockopt(int fd, int level, int name, const void *val,
                       lsi_socklen len);
int lsi_sys_getsockopt(int fd, int level, int name, void *val,
                       lsi_socklen *len);
int lsi_sys_getsockname(int fd, struct sockaddr *sa, lsi_socklen *len);
int lsi_sys_getpeername(int fd, struct sockaddr *sa, lsi_socklen *len);
int lsi_sys_shutdown(int fd, int how);
int lsi_sys_close(int fd);
/* fcntl with an int argument (F_GETFL, F_SETFL, F_GETFD, F_SETFD). */
int lsi_sys_fcntl(int fd, int cmd, int arg);
/* Resolver calls return an EAI_* code, as the OS's do. */
int lsi_sys_getaddrinfo(const char *host, const char *serv,
                        const struct addrinfo *hints, struct addrinfo **res);
void lsi_sys_freeaddrinfo(struct addrinfo *res);
int lsi_sys_getnameinfo(const struct sockaddr *sa, lsi_socklen salen,
                        char *host, lsi_socklen hostlen, char *serv,
                        lsi_socklen servlen, int flags);
int lsi_sys_gethostname(char *buf, size_t len);
/* 0 (with errno set) when the name is unknown, as if_nametoindex(). */
unsigned lsi_sys_if_nametoindex(const char *name);

#endif /* LSI_SYS_H */
