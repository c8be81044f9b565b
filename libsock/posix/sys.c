/*
 * sys.c (POSIX) - the syscall table and fault injection.
 *
 * Every raw OS socket call the POSIX platform makes goes through a wrapper
 * here. The OS functions sit behind a table of function pointers, and each
 * wrapper first checks whether a test has armed a fault for it. The check
 * costs one relaxed atomic load of a global counter and one well-predicted
 * branch while no fault is armed, which is always outside tests.
 */
#include "lsi_sys.h"

#include <stdatomic.h>
#include <string.h>

#include "platform.h"

static const char *const lsi_sys_names[LSI_SYS_COUNT] = {
	"socket",      "socketpair",  "bind",        "listen",
	"accept",      "connect",     "send",        "recv",
	"poll",        "setsockopt",  "getsockopt",  "getsockname",
	"getpeername", "shutdown",    "close",       "fcntl",
	"getaddrinfo", "getnameinfo", "gethostname", "if_nametoindex",
};

typedef struct lsi_fault {
	atomic_int times; /* calls still to fail */
	atomic_int code;  /* the errno (or EAI_*) value they fail with */
} lsi_fault;

static lsi_fault lsi_faults[LSI_SYS_COUNT];

/*
 * The sum of all slots' counts: zero means nothing is armed. It may lag the
 * slots briefly while an injection and a firing race, which only costs a
 * look at a slot; it never makes a fault get lost or fire twice, because
 * the slot's own count decides that.
 */
atomic_int lsi_faults_armed;

/* Consume one armed fault of slot id: its code, or 0 if none is armed. */
static int fault_take(enum lsi_sysid id)
{
	lsi_fault *f = &lsi_faults[id];
	int t = atomic_load_explicit(&f->times, memory_order_acquire);

	while (t > 0) {
		if (atomic_compare_exchange_weak_explicit(
		            &f->times, &t, t - 1, memory_order_acq_rel,
		            memory_order_acquire)) {
			atomic_fetch_sub_explicit(&lsi_faults_armed, 1,
			                          memory_order_relaxed);
			return atomic_load_explicit(&f->code,
			                            memory_order_acquire);
		}
	}
	return 0;
}

/* The slow path of lsi_sys_fault(): something is armed somewhere. */
int lsi_sys_fault_fire(enum lsi_sysid id)
{
	int code = fault_take(id);

	if (code != 0)
		errno = code;
	return code;
}

/* The fast path's send and recv once a fault was armed: checked first. */
static ssize_t lsi_sys_send_checked(int fd, const void *buf, size_t len, int flags)
{
	return lsi_sys_send(fd, buf, len, flags);
}

static ssize_t lsi_sys_recv_checked(int fd, void *buf, size_t len, int flags)
{
	return lsi_sys_recv(fd, buf, len, flags);
}

lsi_sys_fast_calls lsi_sys_fast = {send, recv, time};

/* Nonzero (the code, also left in errno) if the call must fail. */
static inline int fault(enum lsi_sysid id)
{
	return lsi_sys_fault(id);
}

int lsi_plat_inject_fault(const char *call, int native_err, int times)
{
	int id, old;

	if (call == NULL || times < 0 || (times > 0 && native_err == 0))
		return LS_EINVAL;
	for (id = 0; id < LSI_SYS_COUNT; id++) {
		if (strcmp(call, lsi_sys_names[id]) == 0)
			break;
	}
	if (id == LSI_SYS_COUNT)
		return LS_EINVAL;
	/* Publish the code before the count, so a firing call reads it. */
	atomic_store_explicit(&lsi_faults[id].code, native_err,
	                      memory_order_release);
	old = atomic_exchange_explicit(&lsi_faults[id].times, times,
	                               memory_order_acq_rel);
	atomic_fetch_add_explicit(&lsi_faults_armed, times - old,
	                          memory_order_relaxed);
	/*
	 * For good, not only while this fault is armed: switching back when
	 * the count reaches zero could race with another thread arming one.
	 */
	if (times > 0) {
		atomic_store_explicit(&lsi_sys_fast.send, lsi_sys_send_checked,
		                      memory_order_release);
		atomic_store_explicit(&lsi_sys_fast.recv, lsi_sys_recv_checked,
		                      memory_order_release);
	}
	return 0;
}

/*
 * Thin shims with libsock's own signatures. The table cannot point at the
 * libc functions directly: glibc declares the address arguments of bind,
 * connect, accept and friends as a transparent union under _GNU_SOURCE, so
 * their types do not match a plain function pointer, and fcntl is variadic.
 */
static int os_socket(int af, int type, int proto)
{
	return socket(af, type, proto);
}

static int os_socketpair(int af, int type, int proto, int fds[2])
{
	return socketpair(af, type, proto, fds);
}

static int os_bind(int fd, const struct sockaddr *sa, lsi_socklen len)
{
	return bind(fd, sa, len);
}

static int os_listen(int fd, int backlog)
{
	return listen(fd, backlog);
}

static int os_accept(int fd, struct sockaddr *sa, lsi_socklen *len)
{
	return accept(fd, sa, len);
}

#if HAVE_ACCEPT4
static int os_accept4(int fd, struct sockaddr *sa, lsi_socklen *len, int fl)
{
	return accept4(fd, sa, len, fl);
}
#endif

static int os_connect(int fd, const struct sockaddr *sa, lsi_socklen len)
{
	return connect(fd, sa, len);
}

static ssize_t os_sendto(int fd, const void *buf, size_t len, int flags,
                         const struct sockaddr *sa, lsi_socklen salen)
{
	return sendto(fd, buf, len, flags, sa, salen);
}

static ssize_t os_sendmsg(int fd, const struct msghdr *msg, int flags)
{
	return sendmsg(fd, msg, flags);
}

static ssize_t os_recvfrom(int fd, void *buf, size_t len, int flags,
                           struct sockaddr *sa, lsi_socklen *salen)
{
	return recvfrom(fd, buf, len, flags, sa, salen);
}

static ssize_t os_recvmsg(int fd, struct msghdr *msg, int flags)
{
	return recvmsg(fd, msg, flags);
}

#if HAVE_SENDMMSG
static int os_sendmmsg(int fd, struct mmsghdr *v, unsigned n, int flags)
{
	return sendmmsg(fd, v, n, flags);
}

static int os_recvmmsg(int fd, struct mmsghdr *v, unsigned n, int flags)
{
	return recvmmsg(fd, v, n, flags, NULL);
}
#endif

static int os_poll(struct pollfd *fds, nfds_t n, int timeout)
{
	return poll(fds, n, timeout);
}

static int os_setsockopt(int fd, int level, int name, const void *val,
                         lsi_socklen len)
{
	return setsockopt(fd, level, name, val, len);
}

static int os_getsockopt(int fd, int level, int name, void *val,
                         lsi_socklen *len)
{
	return getsockopt(fd, level, name, val, len);
}

static int os_getsockname(int fd, struct sockaddr *sa, lsi_socklen *len)
{
	return getsockname(fd, sa, len);
}

static int os_getpeername(int fd, struct sockaddr *sa, lsi_socklen *len)
{
	return getpeername(fd, sa, len);
}

static int os_shutdown(int fd, int how)
{
	return shutdown(fd, how);
}

static int os_close(int fd)
{
	return close(fd);
}

static int os_fcntl(int fd, int cmd, int arg)
{
	return fcntl(fd, cmd, arg);
}

static int os_getaddrinfo(const char *host, const char *serv,
                          const struct addrinfo *hints,
                          struct addrinfo **res)
{
	return getaddrinfo(host, serv, hints, res);
}

static void os_freeaddrinfo(struct addrinfo *res)
{
	freeaddrinfo(res);
}

static int os_getnameinfo(const struct sockaddr *sa, lsi_socklen salen,
                          char *host, lsi_socklen hostlen, char *serv,
                          lsi_socklen servlen, int flags)
{
	return getnameinfo(sa, salen, host, hostlen, serv, servlen, flags);
}

static int os_gethostname(char *buf, size_t len)
{
	return gethostname(buf, len);
}

static unsigned os_if_nametoindex(const char *name)
{
	return if_nametoindex(name);
}

/* The table itself. Tests that need more than failures could swap it. */
static const struct lsi_os_calls {
	int (*socket)(int, int, int);
	int (*socketpair)(int, int, int, int[2]);
	int (*bind)(int, const struct sockaddr *, lsi_socklen);
	int (*listen)(int, int);
	int (*accept)(int, struct sockaddr *, lsi_socklen *);
#if HAVE_ACCEPT4
	int (*accept4)(int, struct sockaddr *, lsi_socklen *, int);
#endif
	int (*connect)(int, const struct sockaddr *, lsi_socklen);
	ssize_t (*sendto)(int, const void *, size_t, int,
	                  const struct sockaddr *, lsi_socklen);
	ssize_t (*sendmsg)(int, const struct msghdr *, int);
	ssize_t (*recvfrom)(int, void *, size_t, int, struct sockaddr *,
	                    lsi_socklen *);
	ssize_t (*recvmsg)(int, struct msghdr *, int);
#if HAVE_SENDMMSG
	int (*sendmmsg)(int, struct mmsghdr *, unsigned, int);
	int (*recvmmsg)(int, struct mmsghdr *, unsigned, int);
#endif
	int (*poll)(struct pollfd *, nfds_t, int);
	int (*setsockopt)(int, int, int, const void *, lsi_socklen);
	int (*getsockopt)(int, int, int, void *, lsi_socklen *);
	int (*getsockname)(int, struct sockaddr *, lsi_socklen *);
	int (*getpeername)(int, struct sockaddr *, lsi_socklen *);
	int (*shutdown)(int, int);
	int (*close)(int);
	int (*fcntl)(int, int, int);
	int (*getaddrinfo)(const char *, const char *, const struct addrinfo *,
	                   struct addrinfo **);
	void (*freeaddrinfo)(struct addrinfo *);
	int (*getnameinfo)(const struct sockaddr *, lsi_socklen, char *,
	                   lsi_socklen, char *, lsi_socklen, int);
	int (*gethostname)(char *, size_t);
	unsigned (*if_nametoindex)(const char *);
} lsi_os = {
	.socket = os_socket,
	.socketpair = os_socketpair,
	.bind = os_bind,
	.listen = os_listen,
	.accept = os_accept,
#if HAVE_ACCEPT4
	.accept4 = os_accept4,
#endif
	.connect = os_connect,
	.sendto = os_sendto,
	.sendmsg = os_sendmsg,
	.recvfrom = os_recvfrom,
	.recvmsg = os_recvmsg,
#if HAVE_SENDMMSG
	.sendmmsg = os_sendmmsg,
	.recvmmsg = os_recvmmsg,
#endif
	.poll = os_poll,
	.setsockopt = os_setsockopt,
	.getsockopt = os_getsockopt,
	.getsockname = os_getsockname,
	.getpeername = os_getpeername,
	.shutdown = os_shutdown,
	.close = os_close,
	.fcntl = os_fcntl,
	.getaddrinfo = os_getaddrinfo,
	.freeaddrinfo = os_freeaddrinfo,
	.getnameinfo = os_getnameinfo,
	.gethostname = os_gethostname,
	.if_nametoindex = os_if_nametoindex,
};

/* --- The wrappers the platform calls ------------------------------------ */

int lsi_sys_socket(int af, int type, int proto)
{
	return fault(LSI_SYS_SOCKET) ? -1 : lsi_os.socket(af, type, proto);
}

int lsi_sys_socketpair(int af, int type, int proto, int fds[2])
{
	if (fault(LSI_SYS_SOCKETPAIR))
		return -1;
	return lsi_os.socketpair(af, type, proto, fds);
}

int lsi_sys_bind(int fd, const struct sockaddr *sa, lsi_socklen len)
{
	return fault(LSI_SYS_BIND) ? -1 : lsi_os.bind(fd, sa, len);
}

int lsi_sys_listen(int fd, int backlog)
{
	return fault(LSI_SYS_LISTEN) ? -1 : lsi_os.listen(fd, backlog);
}

int lsi_sys_accept(int fd, struct sockaddr *sa, lsi_socklen *len)
{
	return fault(LSI_SYS_ACCEPT) ? -1 : lsi_os.accept(fd, sa, len);
}

#if HAVE_ACCEPT4
int lsi_sys_accept4(int fd, struct sockaddr *sa, lsi_socklen *len, int flags)
{
	if (fault(LSI_SYS_ACCEPT))
		return -1;
	return lsi_os.accept4(fd, sa, len, flags);
}
#endif

int lsi_sys_connect(int fd, const struct sockaddr *sa, lsi_socklen len)
{
	return fault(LSI_SYS_CONNECT) ? -1 : lsi_os.connect(fd, sa, len);
}

ssize_t lsi_sys_sendto(int fd, const void *buf, size_t len, int flags,
                       const struct sockaddr *sa, lsi_socklen salen)
{
	if (fault(LSI_SYS_SEND))
		return -1;
	return lsi_os.sendto(fd, buf, len, flags, sa, salen);
}

ssize_t lsi_sys_sendmsg(int fd, const struct msghdr *msg, int flags)
{
	return fault(LSI_SYS_SEND) ? -1 : lsi_os.sendmsg(fd, msg, flags);
}

ssize_t lsi_sys_recvfrom(int fd, void *buf, size_t len, int flags,
                         struct sockaddr *sa, lsi_socklen *salen)
{
	if (fault(LSI_SYS_RECV))
		return -1;
	return lsi_os.recvfrom(fd, buf, len, flags, sa, salen);
}

ssize_t lsi_sys_recvmsg(int fd, struct msghdr *msg, int flags)
{
	return fault(LSI_SYS_RECV) ? -1 : lsi_os.recvmsg(fd, msg, flags);
}

#if HAVE_SENDMMSG
int lsi_sys_sendmmsg(int fd, struct mmsghdr *v, unsigned n, int flags)
{
	return fault(LSI_SYS_SEND) ? -1 : lsi_os.sendmmsg(fd, v, n, flags);
}

int lsi_sys_recvmmsg(int fd, struct mmsghdr *v, unsigned n, int flags)
{
	return fault(LSI_SYS_RECV) ? -1 : lsi_os.recvmmsg(fd, v, n, flags);
}
#endif

int lsi_sys_poll(struct pollfd *fds, nfds_t n, int timeout)
{
	return fault(LSI_SYS_POLL) ? -1 : lsi_os.poll(fds, n, timeout);
}

int lsi_sys_setsockopt(int fd, int level, int name, const void *val,
                       lsi_socklen len)
{
	if (fault(LSI_SYS_SETSOCKOPT))
		return -1;
	return lsi_os.setsockopt(fd, level, name, val, len);
}

int lsi_sys_getsockopt(int fd, int level, int name, void *val,
                       lsi_socklen *len)
{
	if (fault(LSI_SYS_GETSOCKOPT))
		return -1;
	return lsi_os.getsockopt(fd, level, name, val, len);
}

int lsi_sys_getsockname(int fd, struct sockaddr *sa, lsi_socklen *len)
{
	if (fault(LSI_SYS_GETSOCKNAME))
		return -1;
	return lsi_os.getsockname(fd, sa, len);
}

int lsi_sys_getpeername(int fd, struct sockaddr *sa, lsi_socklen *len)
{
	if (fault(LSI_SYS_GETPEERNAME))
		return -1;
	return lsi_os.getpeername(fd, sa, len);
}

int lsi_sys_shutdown(int fd, int how)
{
	return fault(LSI_SYS_SHUTDOWN) ? -1 : lsi_os.shutdown(fd, how);
}

int lsi_sys_close(int fd)
{
	return fault(LSI_SYS_CLOSE) ? -1 : lsi_os.close(fd);
}

int lsi_sys_fcntl(int fd, int cmd, int arg)
{
	return fault(LSI_SYS_FCNTL) ? -1 : lsi_os.fcntl(fd, cmd, arg);
}

/* An injected resolver fault is the EAI_* code the call returns. */
int lsi_sys_getaddrinfo(const char *host, const char *serv,
                        const struct addrinfo *hints, struct addrinfo **res)
{
	int code = fault(LSI_SYS_GETADDRINFO);

	return code != 0 ? code : lsi_os.getaddrinfo(host, serv, hints, res);
}

void lsi_sys_freeaddrinfo(struct addrinfo *res)
{
	lsi_os.freeaddrinfo(res);
}

int lsi_sys_getnameinfo(const struct sockaddr *sa, lsi_socklen salen,
                        char *host, lsi_socklen hostlen, char *serv,
                        lsi_socklen servlen, int flags)
{
	int code = fault(LSI_SYS_GETNAMEINFO);

	if (code != 0)
		return code;
	return lsi_os.getnameinfo(sa, salen, host, hostlen, serv, servlen,
	                          flags);
}

int lsi_sys_gethostname(char *buf, size_t len)
{
	return fault(LSI_SYS_GETHOSTNAME) ? -1 : lsi_os.gethostname(buf, len);
}

unsigned lsi_sys_if_nametoindex(const char *name)
{
	return fault(LSI_SYS_IF_NAMETOINDEX) ? 0 : lsi_os.if_nametoindex(name);
}
