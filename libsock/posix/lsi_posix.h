/*
 * lsi_posix.h (POSIX) - helpers shared by the POSIX platform files.
 */
#ifndef LSI_POSIX_H
#define LSI_POSIX_H

#include "lsi_config.h"
#include "lsi_os.h"
#include "platform.h"
#include "sys/sockaddr.h"
#include "sys/socktype.h"

/* --- error.c: the only place errno and EAI_* become LS_E* --------------- */

/*
 * Report the failure of the OS call that just returned: read errno at once,
 * record it as the native error and return its LS_E* code. Call it before
 * anything else can touch errno (cleanup comes after).
 */
int lsi_posix_fail(void);

/* The same for an errno value captured earlier or read from SO_ERROR. */
int lsi_posix_fail_code(int err);

/* Translate an errno value without recording it. */
int lsi_posix_errno_to_ls(int err);

/*
 * Report a getaddrinfo/getnameinfo failure from its return value: the EAI_*
 * code is the native error, except EAI_SYSTEM, whose cause is in errno.
 */
int lsi_posix_fail_eai(int rc);

/* --- io.c: shared with msg.c ------------------------------------------------ */

/* LS_MSG_* to MSG_* (LS_MSG_TRUNC_OK and LSI_MSG_DGRAM are libsock's own). */
int lsi_posix_msg_flags(int flags);

/*
 * Copy ls_iovecs to OS iovecs (count entries of v), keeping to IOV_MAX
 * entries and SSIZE_MAX bytes; returns how many entries were filled.
 */
size_t lsi_posix_fill_iov(struct iovec *v, const ls_iovec *iov, size_t count);

/* --- msg.c: ancillary data, shared with mmsg.c ------------------------------ */

/*
 * Append the cmsgs for m->info to mh (whose msg_control has room and whose
 * msg_controllen grows); *last is the last cmsg so far (NULL at first).
 * LS_ENOTSUP for a field this OS cannot set per datagram.
 */
int lsi_posix_put_info(struct msghdr *mh, const lsi_msg *m, struct cmsghdr **last);

/* Read mh's control data into m (info, passed descriptors, LS_MSGF_CTRUNC). */
void lsi_posix_parse_control(lsi_msg *m, struct msghdr *mh);

/* --- socket.c: per-descriptor settings ---------------------------------- */

/* Mark fd close-on-exec after the fact, where SOCK_CLOEXEC was not used. */
int lsi_posix_set_cloexec(int fd);

/* Switch O_NONBLOCK on or off, touching the flags only if they change. */
int lsi_posix_set_nonblock(int fd, int nonblocking);

/* Apply SO_NOSIGPIPE where the OS has it; a no-op elsewhere. */
int lsi_posix_set_nosigpipe(int fd);

/* Close fd after a failure without disturbing the error being reported. */
void lsi_posix_close_quietly(int fd);

/* --- sigpipe.c: no SIGPIPE where neither MSG_NOSIGNAL nor SO_NOSIGPIPE -- */

/*
 * Where the OS has MSG_NOSIGNAL or SO_NOSIGPIPE, sends never raise SIGPIPE
 * and the guard compiles to nothing. Otherwise (Linux in the portable
 * build) each send blocks SIGPIPE in the calling thread and consumes the
 * signal it raised, so no process-wide handler is ever installed.
 */
/*
 * Every send carries MSG_NOSIGNAL where it exists, so a write to a reset
 * connection is EPIPE rather than a signal that kills the process. Where it
 * does not exist, SO_NOSIGPIPE (set on every socket) or the per-thread
 * guard in sigpipe.c does the same job.
 */
#if HAVE_MSG_NOSIGNAL
#define LSI_SEND_NOSIGNAL MSG_NOSIGNAL
#else
#define LSI_SEND_NOSIGNAL 0
#endif

#define LSI_NEED_SIGPIPE_GUARD (!HAVE_MSG_NOSIGNAL && !HAVE_SO_NOSIGPIPE)

#if LSI_NEED_SIGPIPE_GUARD
#include <signal.h>

typedef struct lsi_sigpipe_guard {
	sigset_t old_mask;   /* the thread's mask before the send */
	int was_pending;     /* SIGPIPE was already pending: not ours to eat */
	int active;          /* the mask was changed and must be restored */
} lsi_sigpipe_guard;

/* Block SIGPIPE in this thread before a send. */
void lsi_sigpipe_block(lsi_sigpipe_guard *g);

/*
 * After the send: if it failed with EPIPE, consume the SIGPIPE it raised,
 * then restore the mask. errno is preserved for lsi_posix_fail().
 */
void lsi_sigpipe_unblock(lsi_sigpipe_guard *g, int failed);
#else
typedef struct lsi_sigpipe_guard {
	int unused;
} lsi_sigpipe_guard;

static inline void lsi_sigpipe_block(lsi_sigpipe_guard *g)
{
	(void)g;
}

static inline void lsi_sigpipe_unblock(lsi_sigpipe_guard *g, int failed)
{
	(void)g;
	(void)failed;
}
#endif

#endif /* LSI_POSIX_H */
