/* test.c - the runner behind test.h. */
#include "test.h"

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How the case in progress ended. */
enum { T_RUNNING, T_FAILED, T_SKIPPED };

static jmp_buf t_jmp;
static volatile int t_state;
static atomic_int t_worker_failures;
static _Thread_local int t_is_worker;

void t_set_worker(int worker)
{
	t_is_worker = worker;
}

int t_str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

const char *t_err_name(long long err)
{
	if (err > INT_MAX || err < INT_MIN)
		return "(not an error code)";
	if (err > 0)
		return "(a positive count)";
	return ls_error_name((int)err);
}

void t_note(const char *fmt, ...)
{
	va_list ap;

	fputs("  note: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
}

void t_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	printf("  FAIL %s:%d: %s", file, line, t_is_worker ? "(worker thread) " : "");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	if (t_is_worker) {
		atomic_fetch_add(&t_worker_failures, 1);
		return;
	}
	t_state = T_FAILED;
	longjmp(t_jmp, 1);
}

void t_skip(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	printf("  SKIP %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	if (t_is_worker) {
		/* A skip is a decision of the main thread; here it is a bug. */
		atomic_fetch_add(&t_worker_failures, 1);
		return;
	}
	t_state = T_SKIPPED;
	longjmp(t_jmp, 1);
}

/* Run one case; returns its final state. */
static int t_run_case(const t_case *c)
{
	int before = atomic_load(&t_worker_failures);

	printf("[ RUN  ] %s\n", c->name);
	t_state = T_RUNNING;
	if (setjmp(t_jmp) == 0)
		c->fn();
	if (t_state == T_RUNNING && atomic_load(&t_worker_failures) != before)
		t_state = T_FAILED;
	switch (t_state) {
	case T_FAILED:
		printf("[ FAIL ] %s\n", c->name);
		return T_FAILED;
	case T_SKIPPED:
		printf("[ SKIP ] %s\n", c->name);
		return T_SKIPPED;
	default:
		printf("[  OK  ] %s\n", c->name);
		return T_RUNNING;
	}
}

int t_main(int argc, char **argv, const t_case *cases, size_t count)
{
	const char *only = argc > 1 ? argv[1] : NULL;
	size_t i;
	int passed = 0, failed = 0, skipped = 0;

	/* Unbuffered, so output up to a crash or a hang is not lost. */
	setvbuf(stdout, NULL, _IONBF, 0);
	if (only != NULL && strcmp(only, "--list") == 0) {
		for (i = 0; i < count; i++)
			printf("%s\n", cases[i].name);
		return 0;
	}
	for (i = 0; i < count; i++) {
		if (only != NULL && strcmp(only, cases[i].name) != 0)
			continue;
		switch (t_run_case(&cases[i])) {
		case T_FAILED:
			failed++;
			break;
		case T_SKIPPED:
			skipped++;
			break;
		default:
			passed++;
		}
	}
	if (only != NULL && passed + failed + skipped == 0) {
		printf("no test case named \"%s\"\n", only);
		return 2;
	}
	printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
	if (failed > 0)
		return 1;
	if (passed == 0 && skipped > 0)
		return T_SKIP_CODE;
	return 0;
}
