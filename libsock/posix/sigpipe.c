/*
 * sigpipe.c (POSIX) - keeping SIGPIPE away where the OS has neither
 * MSG_NOSIGNAL nor SO_NOSIGPIPE (Linux in the portable build).
 *
 * A library must not install a process-wide SIGPIPE handler: the program
 * owns its signal dispositions. Instead, the sending thread blocks SIGPIPE
 * for the duration of the send. A SIGPIPE raised by a send is directed at
 * the thread that sent, so while blocked it stays pending on that thread,
 * where sigtimedwait() with a zero timeout can consume it before the mask
 * is restored. A SIGPIPE that was already pending before the send belongs
 * to someone else and is left alone.
 */
#include "lsi_posix.h"

#if LSI_NEED_SIGPIPE_GUARD

#include <pthread.h>
#include <time.h>

static int sigpipe_pending(void)
{
	sigset_t pending;

	sigemptyset(&pending);
	if (sigpending(&pending) != 0)
		return 0;
	return sigismember(&pending, SIGPIPE) == 1;
}

void lsi_sigpipe_block(lsi_sigpipe_guard *g)
{
	sigset_t pipe_set;

	g->was_pending = sigpipe_pending();
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	g->active = pthread_sigmask(SIG_BLOCK, &pipe_set, &g->old_mask) == 0;
}

/* Consume the SIGPIPE this thread's failed send raised, if any. */
static void sigpipe_consume(void)
{
	static const struct timespec zero = { 0, 0 };
	sigset_t pipe_set;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	/* Another signal may interrupt the wait; SIGPIPE is still pending. */
	while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR) {
	}
}

void lsi_sigpipe_unblock(lsi_sigpipe_guard *g, int failed)
{
	int saved = errno;

	if (!g->active)
		return;
	if (failed && saved == EPIPE && !g->was_pending)
		sigpipe_consume();
	pthread_sigmask(SIG_SETMASK, &g->old_mask, NULL);
	errno = saved;
}

#else

/*
 * ISO C forbids an empty translation unit; this keeps the file non-empty
 * where the OS already prevents SIGPIPE.
 */
typedef int lsi_sigpipe_unused;

#endif
