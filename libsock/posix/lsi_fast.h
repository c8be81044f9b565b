/*
 * lsi_fast.h (POSIX) - the inline fast path of the contract (see
 * platform.h): send and receive with no flags on a stream socket.
 *
 * Measured on Linux: for 1-byte messages on an AF_UNIX pair, the two call
 * layers between ls_send()/ls_recv() and the OS cost about 2% of the whole
 * send+recv; these inline versions remove them. Fault injection still
 * reaches them (lsi_sys_fast, lsi_sys.h), and errors go through the one
 * error translator.
 */
#ifndef LSI_POSIX_FAST_H
#define LSI_POSIX_FAST_H

#include "lsi_posix.h"
#include "lsi_sys.h"

static inline int64_t lsi_fast_send(lsi_fd fd, const void *buf, size_t len)
{
	ssize_t n;

	/* Without MSG_NOSIGNAL or SO_NOSIGPIPE, only the full path is safe. */
	if (LSI_NEED_SIGPIPE_GUARD)
		return lsi_plat_send(fd, buf, len, 0);
	n = atomic_load_explicit(&lsi_sys_fast.send, memory_order_relaxed)(
	    (int)fd, buf, len > (size_t)SSIZE_MAX ? (size_t)SSIZE_MAX : len, LSI_SEND_NOSIGNAL);
	return n < 0 ? lsi_posix_fail() : (int64_t)n;
}

static inline int64_t lsi_fast_recv(lsi_fd fd, void *buf, size_t len)
{
	ssize_t n = atomic_load_explicit(&lsi_sys_fast.recv, memory_order_relaxed)(
	    (int)fd, buf, len > (size_t)SSIZE_MAX ? (size_t)SSIZE_MAX : len, 0);

	return n < 0 ? lsi_posix_fail() : (int64_t)n;
}

/*
 * lsi_plat_clock_s() inline, for the counting every send and receive does.
 * time() is what the C library makes cheapest: on Linux (x86-64, and any
 * architecture whose vDSO has __vdso_time) it reads the seconds straight
 * from the vDSO's data page, with no sequence lock and no clock source:
 * 0.8 ns in a loop here, against 4.5 ns for CLOCK_MONOTONIC_COARSE. One
 * call layer around it would double its cost; it is called through
 * lsi_sys_fast (see lsi_sys.h).
 */
static inline int64_t lsi_fast_clock_s(void)
{
	return (int64_t)lsi_sys_fast.time(NULL);
}

#endif /* LSI_POSIX_FAST_H */
