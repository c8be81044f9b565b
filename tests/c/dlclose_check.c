/*
 * dlclose_check.c - libsock unloaded while a thread that used it lives on.
 *
 * A thread's first send registers a thread-exit hook (a pthread key's
 * destructor, posix/thread.c) that gives its hazard record back. A plugin
 * host may dlclose() libsock while such a thread is still alive; the
 * thread's exit must then not call into the unmapped library (it did:
 * SIGSEGV at the thread's exit).
 *
 * Not a harness test: the program must not link libsock, or dlclose()
 * would not unload it. Usage: dlclose_check PATH-TO-SHARED-LIBSOCK.
 * Exits 0 when the thread ended after the unload, 77 (a skip) when the
 * library stays loaded after dlclose() here, 1 on any failure.
 */
#define _POSIX_C_SOURCE 200809L /* nanosleep */

#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

#include <libsock.h>

typedef int (*init_fn)(void);
typedef void (*cleanup_fn)(void);
typedef int (*pair_fn)(int, int, ls_socket[2]);
typedef int64_t (*send_fn)(ls_socket, const void *, size_t, int);
typedef int64_t (*recv_fn)(ls_socket, void *, size_t, int);
typedef int (*close_fn)(ls_socket);

static send_fn dc_send;
static ls_socket dc_pair[2];
static atomic_int dc_sent; /* 1: the thread sent, 2: it failed */
static atomic_int dc_go;   /* the thread may end */

static void dc_nap(void)
{
	struct timespec ts = {0, 1000000};

	nanosleep(&ts, NULL);
}

/* Send one byte (the thread's first libsock call), then wait for dc_go. */
static void *dc_thread(void *arg)
{
	char c = 'x';
	int i;

	(void)arg;
	atomic_store(&dc_sent, dc_send(dc_pair[0], &c, 1, 0) == 1 ? 1 : 2);
	for (i = 0; i < 10000 && !atomic_load(&dc_go); i++)
		dc_nap();
	return NULL;
}

/* Wait up to 10 s for the thread's send. */
static int dc_wait_sent(void)
{
	int i;

	for (i = 0; i < 10000 && atomic_load(&dc_sent) == 0; i++)
		dc_nap();
	return atomic_load(&dc_sent);
}

static void *dc_sym(void *lib, const char *name)
{
	void *p = dlsym(lib, name);

	if (p == NULL)
		fprintf(stderr, "dlclose_check: %s not found: %s\n", name, dlerror());
	return p;
}

int main(int argc, char **argv)
{
	void *lib, *still;
	pthread_t t;
	char c;
	init_fn init;
	cleanup_fn cleanup;
	pair_fn pair;
	recv_fn recv_;
	close_fn close_;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc != 2) {
		fprintf(stderr, "usage: dlclose_check PATH-TO-SHARED-LIBSOCK\n");
		return 1;
	}
	lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	if (lib == NULL) {
		fprintf(stderr, "dlclose_check: dlopen: %s\n", dlerror());
		return 1;
	}
	init = (init_fn)dc_sym(lib, "ls_init");
	cleanup = (cleanup_fn)dc_sym(lib, "ls_cleanup");
	pair = (pair_fn)dc_sym(lib, "ls_socketpair");
	dc_send = (send_fn)dc_sym(lib, "ls_send");
	recv_ = (recv_fn)dc_sym(lib, "ls_recv");
	close_ = (close_fn)dc_sym(lib, "ls_close");
	if (!init || !cleanup || !pair || !dc_send || !recv_ || !close_)
		return 1;
	if (init() != 0 || pair(LS_AF_UNIX, LS_SOCK_STREAM, dc_pair) != 0) {
		fprintf(stderr, "dlclose_check: ls_init or ls_socketpair failed\n");
		return 1;
	}
	if (pthread_create(&t, NULL, dc_thread, NULL) != 0)
		return 1;
	if (dc_wait_sent() != 1 || recv_(dc_pair[1], &c, 1, 0) != 1 || c != 'x') {
		fprintf(stderr, "dlclose_check: the thread's send did not arrive\n");
		return 1;
	}
	printf("the thread sent through libsock; closing and unloading it\n");
	close_(dc_pair[0]);
	close_(dc_pair[1]);
	cleanup();
	if (dlclose(lib) != 0) {
		fprintf(stderr, "dlclose_check: dlclose: %s\n", dlerror());
		return 1;
	}
	still = dlopen(argv[1], RTLD_NOW | RTLD_NOLOAD);
	if (still != NULL) {
		/* Nothing to check: the library's code is still mapped. */
		printf("SKIP: libsock stays loaded after dlclose here (a sanitizer runtime or the"
		       " loader keeps it)\n");
		atomic_store(&dc_go, 1);
		pthread_join(t, NULL);
		return 77;
	}
	printf("libsock is unloaded; the thread now exits\n");
	atomic_store(&dc_go, 1);
	pthread_join(t, NULL);
	printf("the thread exited after the unload: ok\n");
	return 0;
}
