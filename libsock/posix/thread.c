/*
 * thread.c (POSIX) - the process-wide barrier and the thread-exit hook of
 * the handle fast path (platform.h, Threads).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "lsi_posix.h"

#if HAVE_MEMBARRIER
#include <linux/membarrier.h>
#include <sys/syscall.h>

/* glibc has no wrapper for membarrier. */
static int lsi_membarrier(int cmd)
{
	return (int)syscall(SYS_membarrier, cmd, 0, 0);
}

int lsi_plat_barrier_init(void)
{
	int cmds = lsi_membarrier(MEMBARRIER_CMD_QUERY);

	/*
	 * The expedited command interrupts only the CPUs running this process's
	 * threads; the plain one waits for a grace period (milliseconds). It
	 * needs a registration, which a fork child inherits.
	 */
	if (cmds < 0 || !(cmds & MEMBARRIER_CMD_PRIVATE_EXPEDITED))
		return LS_ENOTSUP;
	if (lsi_membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) != 0)
		return LS_ENOTSUP;
	return 0;
}

void lsi_plat_barrier(void)
{
	/*
	 * Once registered (fork children inherit it), the call cannot fail
	 * short of a kernel bug or a sandbox imposed afterwards. Registering
	 * again is the one recovery; without the barrier a close could free a
	 * socket under a running call, so the process stops rather than risk it.
	 */
	if (lsi_membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) == 0)
		return;
	if (lsi_membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) != 0 ||
	    lsi_membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) != 0)
		abort();
}
#else
/* No process-wide barrier: common code keeps reference counts on every call. */
int lsi_plat_barrier_init(void)
{
	return LS_ENOTSUP;
}

void lsi_plat_barrier(void)
{
}
#endif

static pthread_key_t lsi_exit_key;
/* 0 once the key exists; atomic because the unload may race a late caller. */
static atomic_int lsi_exit_key_rc = -1;
static pthread_once_t lsi_exit_once = PTHREAD_ONCE_INIT;

/* The key's destructor runs at thread exit for every thread that set it. */
static void lsi_exit_key_create(void)
{
	lsi_exit_key_rc = pthread_key_create(&lsi_exit_key, lsi_thread_exited);
}

#if defined(__GNUC__) || defined(__clang__)
/*
 * When a plugin host unloads the shared library (dlclose) while threads
 * that made calls live on, each of them would run the key's destructor at
 * its exit, in code no longer mapped (a crash, test
 * unload.dlclose_with_live_thread). Deleting the key as the library goes
 * away means no destructor runs: those threads' records are simply never
 * given back, which no longer matters. Linked statically this runs at
 * process exit, where it changes nothing: a thread that registers after it
 * is refused (the key is gone) and takes references instead.
 */
__attribute__((destructor)) static void lsi_exit_key_unload(void)
{
	if (atomic_exchange(&lsi_exit_key_rc, -1) == 0)
		pthread_key_delete(lsi_exit_key);
}
#endif

int lsi_plat_on_thread_exit(void *arg)
{
	pthread_once(&lsi_exit_once, lsi_exit_key_create);
	if (atomic_load(&lsi_exit_key_rc) != 0)
		return LS_ENOMEM;
	return pthread_setspecific(lsi_exit_key, arg) == 0 ? 0 : LS_ENOMEM;
}
