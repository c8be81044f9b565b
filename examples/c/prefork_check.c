/*
 * prefork_check.c - the test of prefork_server (POSIX): kills workers by
 * their process ids while clients keep connecting, and checks that
 *   - no connection attempt is refused or fails otherwise,
 *   - every request is answered (one that a killed worker had accepted
 *     but not answered is retried: at most one such loss per kill),
 *   - the supervisor restarts each killed worker, and the new workers serve,
 * all within a bounded time. Every process is stopped by its id.
 *
 *   prefork_check PATH/TO/prefork_server
 */
#define _POSIX_C_SOURCE 200809L
#include <libsock.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WORKERS 4
#define CLIENTS 4
#define KILLS 3
#define MAX_PIDS 64

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long pids[MAX_PIDS];  /* every worker the supervisor reported, in order */
static int npids;
static int deaths;           /* "worker PID died" lines */
static unsigned port;
static int load_on = 1;

/* Counters of the load (under lock). */
static long served, refused, failed, dropped, by_new_workers;

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* The supervisor's output, line by line, into the shared state. */
static void *read_supervisor(void *arg)
{
	FILE *f = arg;
	char line[128];
	long pid;
	unsigned p;

	while (fgets(line, sizeof(line), f) != NULL) {
		pthread_mutex_lock(&lock);
		if (sscanf(line, "listening on port %u", &p) == 1)
			port = p;
		else if (sscanf(line, "worker %ld died", &pid) == 1 && strstr(line, "died"))
			deaths++;
		else if (sscanf(line, "worker %ld", &pid) == 1 && npids < MAX_PIDS)
			pids[npids++] = pid;
		pthread_mutex_unlock(&lock);
	}
	return NULL;
}

/* Whether pid is one of the workers started after the first WORKERS. */
static int is_new_worker(long pid)
{
	int i;

	for (i = WORKERS; i < npids; i++)
		if (pids[i] == pid)
			return 1;
	return 0;
}

/*
 * One request: 1 answered, 0 accepted but lost (the worker died before
 * answering), or a negative error (refused, or anything else).
 */
static int request(long *worker)
{
	ls_socket c;
	ls_addr a;
	char buf[128];
	size_t got = 0;
	int64_t n;
	int rc;

	ls_addr_loopback(&a, LS_AF_INET, (uint16_t)port);
	rc = ls_socket_create(&c, LS_AF_INET, LS_SOCK_STREAM, 0);
	if (rc != 0)
		return rc;
	ls_set_timeout(c, 5000);
	rc = ls_connect(c, &a);
	if (rc == 0)
		rc = ls_sendall(c, "hello\n", 6, 0, NULL);
	while (rc == 0 && got < sizeof(buf) - 1 && (n = ls_recv(c, buf + got, sizeof(buf) - 1 - got, 0)) > 0)
		got += (size_t)n;
	ls_close(c);
	/* A reset or an end without the answer: a worker died with the connection. */
	if (rc == LS_ECONNRESET || rc == LS_EPIPE || (rc == 0 && got == 0))
		return 0;
	if (rc != 0)
		return rc;
	buf[got] = '\0';
	*worker = strtol(buf, NULL, 10);
	return strstr(buf, " hello\n") != NULL ? 1 : LS_EPROTO;
}

static void count(int rc, long worker)
{
	pthread_mutex_lock(&lock);
	if (rc == 1) {
		served++;
		by_new_workers += is_new_worker(worker);
	} else if (rc == 0) {
		dropped++;
	} else if (rc == LS_ECONNREFUSED) {
		refused++;
	} else {
		failed++;
		fprintf(stderr, "request: %s\n", ls_error_name(rc));
	}
	pthread_mutex_unlock(&lock);
}

/* A client: requests back to back; a lost one is sent again (up to 3 times). */
static void *client(void *arg)
{
	long worker = 0;
	int rc, tries;

	(void)arg;
	while (__atomic_load_n(&load_on, __ATOMIC_ACQUIRE)) {
		for (tries = 0; tries < 3; tries++) {
			rc = request(&worker);
			count(rc, worker);
			if (rc != 0)
				break;
		}
	}
	return NULL;
}

static pid_t start_server(const char *path, FILE **out)
{
	int fds[2];
	pid_t pid;
	char n[8];

	if (pipe(fds) != 0)
		return -1;
	snprintf(n, sizeof(n), "%d", WORKERS);
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		execl(path, path, "0", n, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	*out = fdopen(fds[0], "r");
	return pid;
}

/* Wait until cond() holds or ms pass: 1 if it held. */
static int wait_for(int (*cond)(void), int64_t ms)
{
	int64_t end = now_ms() + ms;
	int ok;

	do {
		pthread_mutex_lock(&lock);
		ok = cond();
		pthread_mutex_unlock(&lock);
		if (ok)
			return 1;
		sleep_ms(10);
	} while (now_ms() < end);
	return 0;
}

static int started(void)
{
	return port != 0 && npids >= WORKERS;
}

static int kills_done;

static int restarted(void)
{
	return deaths >= kills_done && npids >= WORKERS + kills_done;
}

/* Stop the supervisor by its id: SIGTERM, SIGKILL after 5 s. 0 if it exited cleanly. */
static int stop_server(pid_t pid)
{
	int64_t end = now_ms() + 5000;
	int status = 0;

	kill(pid, SIGTERM);
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (now_ms() > end) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -1;
		}
		sleep_ms(10);
	}
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* After an unclean supervisor exit: stop the workers it reported, by id. */
static void stop_workers(void)
{
	int i;

	for (i = 0; i < npids; i++)
		kill((pid_t)pids[i], SIGKILL);
}

static int report(void)
{
	int ok = refused == 0 && failed == 0 && dropped <= KILLS && deaths == KILLS &&
	         npids == WORKERS + KILLS && by_new_workers > 0 && served > 100;

	printf("served %ld, refused %ld, failed %ld, lost with a killed worker (retried) %ld, "
	       "workers killed %d, restarted %d, answers from restarted workers %ld: %s\n",
	       served, refused, failed, dropped, deaths, npids - WORKERS, by_new_workers,
	       ok ? "ok" : "FAILED");
	return ok ? 0 : 1;
}

/* Kill KILLS workers by id, one at a time, each after the last was restarted. */
static int kill_workers(void)
{
	long victim;

	for (kills_done = 1; kills_done <= KILLS; kills_done++) {
		sleep_ms(300);
		pthread_mutex_lock(&lock);
		/* Two of the first workers, and between them one that was restarted. */
		victim = kills_done == 2 ? pids[npids - 1] : pids[kills_done - 1];
		pthread_mutex_unlock(&lock);
		printf("killing worker %ld\n", victim);
		kill((pid_t)victim, SIGKILL);
		if (!wait_for(restarted, 5000)) {
			fprintf(stderr, "worker %ld was not restarted within 5 s\n", victim);
			return -1;
		}
	}
	kills_done = KILLS;
	return 0;
}

static volatile pid_t server_pid;

/* The time bound ran out: stop the supervisor by its id (its workers follow it). */
static void on_alarm(int sig)
{
	(void)sig;
	if (server_pid > 0)
		kill(server_pid, SIGTERM);
	_exit(3);
}

int main(int argc, char **argv)
{
	pthread_t reader, clients[CLIENTS];
	FILE *out = NULL;
	pid_t server;
	int i, rc;

	if (argc != 2) {
		fprintf(stderr, "usage: prefork_check PATH/TO/prefork_server\n");
		return 2;
	}
	server = start_server(argv[1], &out);
	server_pid = server;
	signal(SIGALRM, on_alarm);
	alarm(60); /* the whole check is bounded, whatever happens */
	if (server < 0 || out == NULL)
		return 1;
	pthread_create(&reader, NULL, read_supervisor, out);
	if (!wait_for(started, 10000)) {
		fprintf(stderr, "prefork_server did not start\n");
		stop_server(server);
		stop_workers();
		return 1;
	}
	for (i = 0; i < CLIENTS; i++)
		pthread_create(&clients[i], NULL, client, NULL);
	rc = kill_workers();
	sleep_ms(300);
	__atomic_store_n(&load_on, 0, __ATOMIC_RELEASE);
	for (i = 0; i < CLIENTS; i++)
		pthread_join(clients[i], NULL);
	if (stop_server(server) != 0) {
		fprintf(stderr, "prefork_server did not stop cleanly on SIGTERM\n");
		stop_workers();
		rc = -1;
	}
	pthread_join(reader, NULL);
	fclose(out);
	return report() != 0 || rc != 0;
}
