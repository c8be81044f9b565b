/*
 * lsi_fast.h (Windows) - the inline fast path of the contract (see
 * platform.h). Winsock calls go through the full platform functions: their
 * per-call cost has not been measured to matter here (the benchmark is
 * POSIX-only), so there is nothing to gain from a second copy of them yet.
 */
#ifndef LSI_WIN32_FAST_H
#define LSI_WIN32_FAST_H

#include "platform.h"

static inline int64_t lsi_fast_send(lsi_fd fd, const void *buf, size_t len)
{
	return lsi_plat_send(fd, buf, len, 0);
}

static inline int64_t lsi_fast_recv(lsi_fd fd, void *buf, size_t len)
{
	return lsi_plat_recv(fd, buf, len, 0);
}

static inline int64_t lsi_fast_clock_s(void)
{
	return lsi_plat_clock_s();
}

#endif /* LSI_WIN32_FAST_H */
