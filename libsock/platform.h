/*
 * platform.h - the porting contract.
 *
 * Common code (libsock/common/) validates arguments, resolves handles,
 * manages timeouts and decides what to do; it has no OS #if at all. Each
 * platform (libsock/posix/, libsock/win32/) implements every function below
 * and is the only code that makes system calls. CMake, not the preprocessor,
 * chooses which platform directory is compiled.
 *
 * Rules every platform function follows:
 * - Return 0 (or a count) on success, a negative LS_E* code on failure.
 * - Translate OS error codes in exactly one place per platform (its
 *   error.c), which also records the OS's own code with
 *   lsi_set_native_error() so ls_native_error() can report it.
 * - Make exactly one attempt: never loop on EINTR or would-block. EINTR
 *   comes back as LS_EINTR and would-block (EAGAIN, EWOULDBLOCK,
 *   WSAEWOULDBLOCK) as LS_EAGAIN; common code decides whether to wait,
 *   retry or report.
 * - Every raw OS socket call goes through the platform's syscall table
 *   (sys.c), so tests can inject failures with lsi_plat_inject_fault().
 * - Families and types arrive in libsock's numbering (LS_AF_*, LS_SOCK_*)
 *   and are mapped to the OS's here.
 */
#ifndef LIBSOCK_PLATFORM_H
#define LIBSOCK_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

#include "libsock.h"

/*
 * Compiler hints for the send/receive fast path, common and per-OS code
 * alike (GCC and clang; plain C elsewhere): a branch that is rarely taken,
 * a function to inline even where the compiler's size heuristics would
 * not, and one to keep out of line (so that its callers stay short).
 */
#if defined(__GNUC__) || defined(__clang__)
#define LSI_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define LSI_ALWAYS_INLINE inline __attribute__((always_inline))
#define LSI_NOINLINE __attribute__((noinline))
#else
#define LSI_UNLIKELY(x) (x)
#define LSI_ALWAYS_INLINE inline
#define LSI_NOINLINE
#endif

/* An OS socket: an fd, or a SOCKET widened to intptr_t. */
typedef intptr_t lsi_fd;
#define LSI_FD_INVALID ((lsi_fd)-1)

/*
 * Internal I/O flag, never accepted from callers: the socket is a datagram
 * socket, so receive calls must detect truncation (LS_EMSGSIZE unless
 * LS_MSG_TRUNC_OK is also set).
 */
#define LSI_MSG_DGRAM 0x100

/* --- Provided by common code for platforms ------------------------------ */

/* Record the OS's code for the failure being reported on this thread. */
void lsi_set_native_error(int code);

/* A received datagram's destination (PKTINFO: 4 or 16 bytes, network order) into info. */
void lsi_msginfo_dst(ls_msginfo *info, const void *ip, int v4);

/*
 * A thread that called lsi_plat_on_thread_exit(arg) is exiting: common code
 * gives back the per-thread record arg (see Threads below).
 */
void lsi_thread_exited(void *arg);

/* --- Lifecycle ----------------------------------------------------------- */

/* Start the OS socket layer (WSAStartup). Called once per ls_init() cycle. */
int lsi_plat_init(void);
/* Stop it (WSACleanup). */
void lsi_plat_cleanup(void);

/* A monotonic clock in milliseconds, for deadlines. */
int64_t lsi_plat_now_ms(void);

/*
 * The wall clock in whole seconds since 1970, read as cheaply as the OS
 * allows: every send and receive records it as its socket's last activity,
 * so its cost is part of every call's. A second is the resolution the
 * registry promises (ls_sockinfo.last_activity_ms), because nothing finer
 * is as cheap: on Linux time() is one load from the vDSO's data page, while
 * even CLOCK_MONOTONIC_COARSE added 2-3 % to a 1-byte send+receive pair.
 */
int64_t lsi_plat_clock_s(void);

/* The wall clock in milliseconds since 1970, for times shown to people. */
int64_t lsi_plat_wall_ms(void);

/* --- Threads ------------------------------------------------------------ */

/*
 * The asymmetric fence behind the handle fast path (common/hazard.c): a
 * thread starting a send or receive announces the socket it uses with a
 * plain store and checks the socket is still open with a plain load, with no
 * fence between them; ls_close() pays instead, with one process-wide
 * barrier between marking the socket closed and looking for announcements.
 *
 * lsi_plat_barrier_init() prepares the barrier (Linux: registers the
 * process for MEMBARRIER_CMD_PRIVATE_EXPEDITED) and returns 0, or
 * LS_ENOTSUP where there is none (or the OS refuses it): common code then
 * keeps a reference count on every call. Safe to call more than once.
 *
 * lsi_plat_barrier(), once the init returned 0: before it returns, every
 * thread of the process has executed a full memory barrier (Linux
 * membarrier, Windows FlushProcessWriteBuffers), so the stores each thread
 * made before it are visible to the caller, and its later loads see the
 * caller's earlier stores. It must not fail; a platform that cannot
 * guarantee that in every case (after fork, under a sandbox) must make the
 * init fail instead.
 */
int lsi_plat_barrier_init(void);
void lsi_plat_barrier(void);

/*
 * Arrange for lsi_thread_exited(arg) to be called when the calling thread
 * exits (a pthread key's destructor, a fiber-local storage callback). One
 * arg per thread; a second call replaces the first. 0, or LS_ENOTSUP /
 * LS_ENOMEM (common code then does without).
 */
int lsi_plat_on_thread_exit(void *arg);

/* --- Sockets ------------------------------------------------------------ */

/*
 * Create a socket in blocking mode that child processes do not inherit
 * (SOCK_CLOEXEC, or FD_CLOEXEC after the fact, or
 * WSA_FLAG_NO_HANDLE_INHERIT), that never raises SIGPIPE (SO_NOSIGPIPE where
 * MSG_NOSIGNAL does not exist), that has IPV6_V6ONLY=1 when IPv6, and (on
 * Windows, UDP) has SIO_UDP_CONNRESET and SIO_UDP_NETRESET switched off.
 * LS_EAFNOSUPPORT for a family the OS lacks (AF_UNIX on old Windows).
 */
int lsi_plat_socket(int family, int type, int protocol, lsi_fd *out);

/*
 * Read the family (LS_AF_*), type (LS_SOCK_*) and protocol of an OS socket
 * being adopted, and apply the same per-socket settings lsi_plat_socket()
 * does (no inheritance, no SIGPIPE). LS_ENOTSOCK if fd is not a socket,
 * LS_EAFNOSUPPORT / LS_EPROTOTYPE for kinds libsock does not handle.
 */
int lsi_plat_adopt(lsi_fd fd, int *family, int *type, int *protocol);

/* Close. Never retried on EINTR (the fd is gone either way). */
int lsi_plat_close(lsi_fd fd);

/*
 * Switch OS-level non-blocking mode. Windows cannot report the mode, so
 * common code remembers it; the platform only sets it.
 */
int lsi_plat_set_nonblocking(lsi_fd fd, int nonblocking);

int lsi_plat_bind(lsi_fd fd, const ls_addr *addr);

/* backlog <= 0 means SOMAXCONN. */
int lsi_plat_listen(lsi_fd fd, int backlog);

/*
 * One accept attempt. The new socket is not inheritable, never raises
 * SIGPIPE, and is put in OS non-blocking mode exactly when nonblocking is
 * nonzero, whatever the OS's inheritance rule (Linux does not inherit
 * O_NONBLOCK, Windows and BSD do). peer may be NULL. LS_EAGAIN when nothing
 * is pending on a non-blocking listener.
 */
int lsi_plat_accept(lsi_fd fd, lsi_fd *out, ls_addr *peer, int nonblocking);

/*
 * One connect attempt: 0 when connected, LS_EINPROGRESS when a
 * non-blocking connect is under way (POSIX EINPROGRESS, Windows
 * WSAEWOULDBLOCK; a repeated call while pending, EALREADY / WSAEALREADY /
 * WSAEINVAL, is LS_EALREADY; WSAEISCONN / EISCONN is LS_EISCONN), LS_EINTR
 * (the connect then goes on in the background), or an error.
 */
int lsi_plat_connect(lsi_fd fd, const ls_addr *addr);

/* The pending error (SO_ERROR), translated: 0 or LS_E*. Reading clears it. */
int lsi_plat_socket_error(lsi_fd fd);

int lsi_plat_getsockname(lsi_fd fd, ls_addr *addr);
int lsi_plat_getpeername(lsi_fd fd, ls_addr *addr);

/* how: LS_SHUT_RD, LS_SHUT_WR or LS_SHUT_RDWR. */
int lsi_plat_shutdown(lsi_fd fd, int how);

/*
 * A connected pair of OS sockets of family LS_AF_UNIX (or LS_AF_INET...
 * where the OS can do that natively). LS_ENOTSUP where the OS has no
 * native socketpair for that family and type: common code then builds an
 * authenticated loopback pair. Both ends are non-inheritable and never
 * raise SIGPIPE.
 */
int lsi_plat_socketpair(int family, int type, lsi_fd out[2]);

/* --- I/O: one attempt each, no SIGPIPE ever ---------------------------- */

/*
 * flags: LS_MSG_* plus LSI_MSG_DGRAM; translated to the OS's. Lengths above
 * what one OS call takes (INT_MAX on Windows, SSIZE_MAX on POSIX) are
 * clamped: the count returned says how much moved. Receive calls with
 * LSI_MSG_DGRAM return LS_EMSGSIZE for a truncated datagram unless
 * LS_MSG_TRUNC_OK is set (POSIX reports MSG_TRUNC, Windows WSAEMSGSIZE).
 */
int64_t lsi_plat_send(lsi_fd fd, const void *buf, size_t len, int flags);
int64_t lsi_plat_recv(lsi_fd fd, void *buf, size_t len, int flags);
int64_t lsi_plat_sendto(lsi_fd fd, const void *buf, size_t len, int flags,
                        const ls_addr *to);
int64_t lsi_plat_recvfrom(lsi_fd fd, void *buf, size_t len, int flags,
                          ls_addr *from);
/* count is at most LS_IOV_MAX (common code clamps it). */
int64_t lsi_plat_sendv(lsi_fd fd, const ls_iovec *iov, size_t count, int flags);
int64_t lsi_plat_recvv(lsi_fd fd, const ls_iovec *iov, size_t count, int flags);

/*
 * The inline fast path. Each platform directory has an "lsi_fast.h" that
 * defines, as static inline functions, the most frequent calls:
 *
 *   int64_t lsi_fast_send(lsi_fd fd, const void *buf, size_t len);
 *   int64_t lsi_fast_recv(lsi_fd fd, void *buf, size_t len);
 *
 * They behave exactly as lsi_plat_send/lsi_plat_recv with flags 0 on a
 * stream socket. Common code includes the header (CMake puts the platform
 * directory on the include path), so the OS call is inlined into
 * ls_send()/ls_recv(): for 1-byte messages the call layers are a measurable
 * share of the cost. A platform with nothing to gain may simply call its
 * lsi_plat_* functions from them.
 */

/* --- Message calls (libsock/msg/) -------------------------------------- */

/*
 * One message for lsi_plat_sendmsg / lsi_plat_recvmsg. Common code has
 * checked every field: iovcnt <= LS_IOV_MAX, addresses of the socket's
 * family, info values in range, fds only on LS_AF_UNIX sockets.
 */
typedef struct lsi_msg {
	const ls_iovec *iov;
	size_t iovcnt;
	const ls_addr *to; /* send: destination, or NULL */
	ls_addr *from;     /* recv: the source, or NULL */
	ls_msginfo *info;  /* send: what to set; recv: filled in; or NULL */
	lsi_fd *fds;       /* send: nfds OS sockets to pass; recv: room for fds_cap */
	size_t nfds;       /* send: in; recv: out, how many arrived */
	size_t fds_cap;    /* recv */
	int family;        /* the socket's, LS_AF_* */
	int oflags;        /* out: LS_MSGF_* */
} lsi_msg;

/*
 * One sendmsg attempt. info fields the OS cannot attach to a datagram are
 * LS_ENOTSUP before anything is sent.
 */
int64_t lsi_plat_sendmsg(lsi_fd fd, lsi_msg *m, int flags);

/*
 * One recvmsg attempt. Truncated data is LS_EMSGSIZE unless LS_MSG_TRUNC_OK
 * (then LS_MSGF_TRUNC); truncated ancillary data sets LS_MSGF_CTRUNC.
 * Received sockets are returned in fds, not inheritable; on any failure the
 * platform closes those that arrived, so nothing leaks.
 */
int64_t lsi_plat_recvmsg(lsi_fd fd, lsi_msg *m, int flags);

/* Ask the OS to report (on nonzero) one LS_MI_* field with each datagram. */
int lsi_plat_recvinfo(lsi_fd fd, int family, unsigned field, int on);

/*
 * Batches: send or receive up to count messages (count <= 64, none passing
 * sockets) in one system call where the OS has one (sendmmsg, recvmmsg),
 * setting lens[i]. Returns how many moved, or an error if none did;
 * LS_ENOTSUP where the OS has no batch call (common code then loops over
 * single messages). The receive waits only as a single recvmsg would for
 * the first message, and takes only what is queued for the rest; it always
 * reports truncation per message (LS_MSGF_TRUNC), never as an error.
 */
int lsi_plat_sendmmsg(lsi_fd fd, lsi_msg *m, size_t count, int flags, size_t *lens);
int lsi_plat_recvmmsg(lsi_fd fd, lsi_msg *m, size_t count, int flags, size_t *lens);

/* --- Readiness ---------------------------------------------------------- */

typedef struct lsi_pollent {
	lsi_fd fd;
	short events;  /* LS_POLLIN | LS_POLLOUT */
	short revents; /* out: LS_POLL* */
	/*
	 * Nonzero while a non-blocking connect is pending on fd. Windows
	 * WSAPoll before Windows 10 2004 never reports such a connect failing;
	 * the Windows platform uses this to check SO_ERROR itself.
	 */
	int connecting;
} lsi_pollent;

/*
 * Wait for readiness: poll() on POSIX, WSAPoll on Windows (with its
 * failed-connect bug handled). timeout_ms -1 waits forever. Returns the
 * number of entries with revents set, 0 on timeout, LS_EINTR, or an error.
 */
int lsi_plat_poll(lsi_pollent *ents, size_t count, int64_t timeout_ms);

/* The portable poller backend's name for this OS: "poll" or "wsapoll". */
const char *lsi_plat_poll_name(void);

/* --- Locks -------------------------------------------------------------- */

/*
 * A plain mutex (pthread_mutex, SRWLOCK), for state that a blocking call
 * may hold for longer than a spin would be reasonable (the poller's
 * registrations). Not recursive.
 */
typedef struct lsi_mutex lsi_mutex;
int lsi_plat_mutex_new(lsi_mutex **out);
void lsi_plat_mutex_free(lsi_mutex *m);
void lsi_plat_mutex_lock(lsi_mutex *m);
void lsi_plat_mutex_unlock(lsi_mutex *m);

/* --- Access control (libsock/acl/) --------------------------------------- */

/* One rule: a prefix of family (LS_AF_INET/INET6), bits long, and an action. */
typedef struct lsi_acl_rule {
	uint16_t family;
	unsigned bits;
	uint8_t ip[16];
	int action; /* LS_ACL_ALLOW or LS_ACL_DENY */
} lsi_acl_rule;

/* A range of IPv4 addresses (host order, inclusive) and the action rules give it. */
typedef struct lsi_acl_seg {
	uint32_t lo, hi;
	int action;
} lsi_acl_seg;

/*
 * Provided by common code (acl/segments.c): the IPv4 rules as sorted,
 * non-overlapping segments covering every address, neighbours with the
 * same action joined; a segment's action is what first-match order over
 * the rules, then def, gives. *out is malloc'd. LS_ENOMEM.
 */
int lsi_acl_v4_segments(const lsi_acl_rule *rules, size_t n, int def, lsi_acl_seg **out,
                        size_t *count);

/*
 * Make the kernel enforce the rules on a listening socket before the
 * handshake (Linux: a classic BPF socket filter that drops denied SYNs).
 * LS_ENOTSUP where the OS cannot, or the rules do not fit; common code then
 * checks after accept. n 0 with default allow removes the filter.
 */
int lsi_plat_acl_filter(lsi_fd fd, const lsi_acl_rule *rules, size_t n, int default_action);

/*
 * Remove a filter an accepted socket inherited from its listener, so that a
 * later change of the listener's rules never cuts an accepted connection.
 */
void lsi_plat_acl_unfilter(lsi_fd fd);

/* A decision on a connecting peer: nonzero lets it in. */
typedef int (*lsi_peer_check)(void *arg, const ls_addr *peer);

/*
 * Switch a stream socket that is not listening yet to deciding on each
 * connection before the OS completes its handshake (on nonzero), or back
 * (on 0): Windows' SO_CONDITIONAL_ACCEPT, which also switches off the
 * stack's SYN-attack protection, so it is used only when the caller asks.
 * LS_ENOTSUP where the OS has no such mode or refuses it (POSIX; wine 8),
 * with the OS's code kept for ls_native_error().
 */
int lsi_plat_acl_conditional(lsi_fd fd, int on);

/*
 * One accept attempt on a listener lsi_plat_acl_conditional() switched: as
 * lsi_plat_accept(), but check(arg, peer) runs inside the OS's accept call,
 * before the handshake completes. A peer it denies is refused by the OS
 * (the client's connect fails; nothing is accepted) and the call returns
 * 1. Never called where lsi_plat_acl_conditional() is LS_ENOTSUP.
 */
int lsi_plat_accept_checked(lsi_fd fd, lsi_fd *out, ls_addr *peer, int nonblocking,
                            lsi_peer_check check, void *arg);

/* --- TCP statistics (libsock/stats/) ----------------------------------- */

/*
 * Fill what the OS reports of a connected TCP socket (TCP_INFO,
 * TCP_CONNECTION_INFO, SIO_TCP_INFO) into out, in the portable units,
 * setting out->mask for exactly the fields filled, and out->from_os. POSIX
 * has one source file per kind of call, chosen by CMake
 * (posix/tcp_info_*.c). LS_ENOTSUP when the OS has no such call or refuses
 * it (wine's SIO_TCP_INFO); common code then fills libsock's own counts.
 */
int lsi_plat_tcp_info(lsi_fd fd, ls_tcp_info *out);

/* --- Load spread over processes (libsock/share/) ------------------------ */

/*
 * flags 0: make an unbound IPv4/IPv6 socket a member of a group the kernel
 * balances over (Linux SO_REUSEPORT, FreeBSD SO_REUSEPORT_LB).
 * LS_SHARE_CPU: steer the group of a bound member by the receiving CPU.
 * LS_ENOTSUP where the OS's port sharing does not balance, or the steering
 * is missing. Common code has checked the flags, the family and that the
 * socket is unbound (flags 0) or bound (LS_SHARE_CPU).
 */
int lsi_plat_share_port(lsi_fd fd, int flags);

/* This process's id. */
long lsi_plat_process_id(void);

/*
 * Duplicate fd for process pid into the OS's own bytes (Windows:
 * WSADuplicateSocketW's WSAPROTOCOL_INFOW) in buf: 0 and *len, LS_ENOSPC
 * (and *len the size needed) if size is too small, or LS_ENOTSUP where
 * sockets travel only as descriptors over Unix sockets (POSIX); common
 * code then passes fd with ls_sendmsg() instead.
 */
int lsi_plat_share_export(lsi_fd fd, long pid, void *buf, size_t size, size_t *len);

/*
 * Make an OS socket in this process from what lsi_plat_share_export()
 * wrote here; common code has checked the framing and that the bytes are
 * meant for this process. family and type (LS_*) are what the exporter
 * said: LS_EINVAL if the bytes say otherwise or do not fit the OS's
 * format. The socket is not inheritable; its OS blocking mode is left as
 * it is. LS_ENOTSUP on POSIX.
 */
int lsi_plat_share_import(const void *buf, size_t len, int family, int type, lsi_fd *out);

/* --- Options ------------------------------------------------------------ */

/*
 * Option values some OS can set but not read back, kept per socket by
 * common code for the platform (0 means never set; a new or adopted socket
 * starts with zeros). Windows before 10 1709 tunes keepalive only through
 * the write-only SIO_KEEPALIVE_VALS, which takes idle time and interval
 * together, so its platform remembers both here. POSIX ignores the memo.
 */
typedef struct lsi_optmemo {
	_Atomic int keepidle;  /* seconds */
	_Atomic int keepintvl; /* seconds */
} lsi_optmemo;

/*
 * Portable options (ls_option). family and type are the socket's (LS_*),
 * so the platform can pick IPPROTO_IPV6 levels or refuse TCP options on
 * UDP (LS_ENOPROTOOPT). Options the OS lacks are LS_ENOTSUP. Common code
 * has already checked the option number and the value's range.
 */
int lsi_plat_setopt(lsi_fd fd, int family, int type, lsi_optmemo *memo, int option,
                    int value);
int lsi_plat_getopt(lsi_fd fd, int family, int type, lsi_optmemo *memo, int option,
                    int *value);

/* Raw options with OS level/name numbers. */
int lsi_plat_setsockopt(lsi_fd fd, int level, int name, const void *value,
                        size_t len);
int lsi_plat_getsockopt(lsi_fd fd, int level, int name, void *value,
                        size_t *len);

/* --- Multicast ------------------------------------------------------------ */

/*
 * One membership change. Common code has checked everything that does not
 * need the OS: family is the socket's (LS_AF_INET or LS_AF_INET6), the
 * socket is a datagram socket, group is a multicast address and source
 * (NULL: any source) a unicast address of that family. The interface is
 * named by ifindex (0: the OS's choice), or for IPv4 by ifaddr when
 * ifaddr is not NULL (then ifindex is 0; 0.0.0.0 is the OS's choice).
 */
typedef struct lsi_mcast_req {
	int family;
	const ls_addr *group;
	const ls_addr *source;
	uint32_t ifindex;
	const ls_addr *ifaddr;
} lsi_mcast_req;

/*
 * Join (join nonzero) or leave. Joining what the socket already joined is
 * LS_EADDRINUSE and leaving what it has not joined LS_EADDRNOTAVAIL, on
 * every OS; an interface that does not exist (or cannot do multicast) is
 * LS_EADDRNOTAVAIL; source-specific joins the OS cannot make for the
 * family are LS_ENOTSUP.
 */
int lsi_plat_mcast_membership(lsi_fd fd, const lsi_mcast_req *req, int join);

/* The per-socket multicast settings (family: the socket's). */
enum lsi_mcast_opt { LSI_MCAST_HOPS = 1, LSI_MCAST_LOOP = 2 };

/*
 * Set or read one: hops 0..255, loop 0/1 (already checked). Loop means
 * "the socket's own datagrams come back to members on this host": set on
 * the sending socket on POSIX; Windows applies it on receipt, which the
 * platform documents (it cannot be made the same, see multicast.h).
 */
int lsi_plat_mcast_setopt(lsi_fd fd, int family, int opt, int value);
int lsi_plat_mcast_getopt(lsi_fd fd, int family, int opt, int *value);

/*
 * The interface multicast datagrams leave through: by index (0: the OS's
 * choice), or for IPv4 by address when ifaddr is not NULL.
 */
int lsi_plat_mcast_set_interface(lsi_fd fd, int family, uint32_t ifindex,
                                 const ls_addr *ifaddr);

/*
 * The name of interface index into buf (NUL-terminated): LS_EINVAL if no
 * interface has that index, LS_ENOSPC if size is too small.
 */
int lsi_plat_if_indextoname(uint32_t index, char *buf, size_t size);

/* --- Resolver ----------------------------------------------------------- */

/*
 * getaddrinfo into a list of ls_addrinfo nodes allocated with malloc (and
 * canonname with malloc), freed by common code's ls_freeaddrinfo(). hints
 * is never NULL here. Resolver errors are translated (EAI_* or WSA codes).
 */
int lsi_plat_getaddrinfo(const char *host, const char *service,
                         const ls_addrinfo_hints *hints, ls_addrinfo **out);
int lsi_plat_getnameinfo(const ls_addr *addr, char *host, size_t hostsize,
                         char *serv, size_t servsize, int flags);
int lsi_plat_gethostname(char *buf, size_t size);

/* Interface name to index, for "%eth0" scopes. LS_EINVAL if unknown. */
int lsi_plat_if_nametoindex(const char *name, uint32_t *index);

/* --- Testing ------------------------------------------------------------ */

/*
 * Make the next `times` calls of the named OS call fail with the OS error
 * code native_err (an errno value on POSIX, a WSA code on Windows), as if
 * the OS had failed them. Names: "socket", "bind", "listen", "accept",
 * "connect", "send", "recv", "poll", "setsockopt", "getsockopt", "close".
 * times 0 clears. LS_EINVAL for an unknown name. For tests only.
 *
 * Windows also takes "old-wsapoll": the next `times` WSAPoll calls that
 * find sockets ready behave as before Windows 10 2004, reporting nothing
 * for a socket whose connect failed (native_err is ignored). Elsewhere the
 * name is unknown (LS_EINVAL).
 */
int lsi_plat_inject_fault(const char *call, int native_err, int times);

#endif /* LIBSOCK_PLATFORM_H */
