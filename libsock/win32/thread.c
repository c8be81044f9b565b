/*
 * thread.c (Windows) - the handle fast path's barrier and thread-exit hook
 * (platform.h, Threads).
 *
 * FlushProcessWriteBuffers() is the Windows barrier the contract asks for,
 * and a fiber-local storage callback the exit hook. Neither is used yet:
 * wine 8, which runs the Windows tests, implements
 * NtFlushProcessWriteBuffers as a stub, so the fast path could not be
 * tested there. Without them every call takes a reference, as before.
 */
#include "win32.h"

int lsi_plat_barrier_init(void)
{
	return LS_ENOTSUP;
}

void lsi_plat_barrier(void)
{
}

int lsi_plat_on_thread_exit(void *arg)
{
	(void)arg;
	return LS_ENOTSUP;
}
