/*
 * test.h - the tiny test harness of libsock's C tests.
 *
 * A test executable lists its cases with TEST_CASE() in an array and ends
 * with TEST_MAIN(array). Run without arguments it runs every case; with a
 * case name (what ctest does: tests/CMakeLists.txt registers every case
 * found in the source as its own ctest test) it runs only that case.
 *
 * A failed check in the main thread ends the case at once (longjmp back to
 * the runner); in any other thread it is recorded and the thread goes on,
 * and the case fails when it ends. SKIP() ends the case as skipped; an
 * executable whose selected cases were all skipped exits with 77, which
 * ctest reports as a skip (SKIP_RETURN_CODE).
 */
#ifndef T_TEST_H
#define T_TEST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h> /* on MinGW, defines __MINGW_PRINTF_FORMAT */

#include <libsock.h>

typedef void (*t_case_fn)(void);

typedef struct t_case {
	const char *name;
	t_case_fn fn;
} t_case;

#define T_SKIP_CODE 77

#if defined(__MINGW32__) && defined(__MINGW_PRINTF_FORMAT)
#define T_PRINTF(f, a) __attribute__((format(__MINGW_PRINTF_FORMAT, f, a)))
#elif defined(__GNUC__)
#define T_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define T_PRINTF(f, a)
#endif

/* One entry of a case array: TEST_CASE(name) where name is a static function. */
#define TEST_CASE(fn) { #fn, fn }

int t_main(int argc, char **argv, const t_case *cases, size_t count);

#define TEST_MAIN(cases)                                                       \
	int main(int argc, char **argv)                                        \
	{                                                                      \
		return t_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0])); \
	}

/* Record a failure; in the main thread also leave the case. */
void t_fail(const char *file, int line, const char *fmt, ...) T_PRINTF(3, 4);
/* Leave the case as skipped (main thread only), printing the reason. */
void t_skip(const char *file, int line, const char *fmt, ...) T_PRINTF(3, 4);
/* Print an informational line, prefixed so it stands out in ctest output. */
void t_note(const char *fmt, ...) T_PRINTF(1, 2);
/* Mark the calling thread as a worker: its failures do not longjmp. */
void t_set_worker(int worker);

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond))                                                   \
			t_fail(__FILE__, __LINE__, "CHECK(%s) failed", #cond); \
	} while (0)

/* Like CHECK, with a printf-style explanation. */
#define CHECK_MSG(cond, ...)                                                   \
	do {                                                                   \
		if (!(cond))                                                   \
			t_fail(__FILE__, __LINE__, __VA_ARGS__);               \
	} while (0)

#define T_CMP_INT_(a, op, b)                                                   \
	do {                                                                   \
		long long t_a_ = (long long)(a);                               \
		long long t_b_ = (long long)(b);                               \
		if (!(t_a_ op t_b_))                                           \
			t_fail(__FILE__, __LINE__,                             \
			       "CHECK(%s %s %s) failed: %lld vs %lld", #a, #op, \
			       #b, t_a_, t_b_);                                \
	} while (0)

#define CHECK_EQ_INT(a, b) T_CMP_INT_(a, ==, b)
#define CHECK_NE_INT(a, b) T_CMP_INT_(a, !=, b)
#define CHECK_GE_INT(a, b) T_CMP_INT_(a, >=, b)
#define CHECK_LE_INT(a, b) T_CMP_INT_(a, <=, b)
#define CHECK_GT_INT(a, b) T_CMP_INT_(a, >, b)
#define CHECK_LT_INT(a, b) T_CMP_INT_(a, <, b)

#define CHECK_EQ_U64(a, b)                                                     \
	do {                                                                   \
		unsigned long long t_a_ = (unsigned long long)(a);             \
		unsigned long long t_b_ = (unsigned long long)(b);             \
		if (t_a_ != t_b_)                                              \
			t_fail(__FILE__, __LINE__,                             \
			       "CHECK(%s == %s) failed: %llu vs %llu", #a, #b, \
			       t_a_, t_b_);                                    \
	} while (0)

#define CHECK_STR_EQ(a, b)                                                     \
	do {                                                                   \
		const char *t_a_ = (a);                                        \
		const char *t_b_ = (b);                                        \
		if (!t_str_eq(t_a_, t_b_))                                     \
			t_fail(__FILE__, __LINE__,                             \
			       "CHECK(%s == %s) failed: \"%s\" vs \"%s\"", #a,  \
			       #b, t_a_ ? t_a_ : "(null)",                     \
			       t_b_ ? t_b_ : "(null)");                        \
	} while (0)

/* expr returns 0 or a count (>= 0) on success, a negative LS_E* on failure. */
#define CHECK_OK(expr)                                                         \
	do {                                                                   \
		long long t_r_ = (long long)(expr);                            \
		if (t_r_ < 0)                                                  \
			t_fail(__FILE__, __LINE__,                             \
			       "%s failed: %s (%lld, native %d)", #expr,        \
			       t_err_name(t_r_), t_r_, ls_native_error());     \
	} while (0)

/* expr must fail with exactly the error err. */
#define CHECK_ERR(expr, err)                                                   \
	do {                                                                   \
		long long t_r_ = (long long)(expr);                            \
		long long t_e_ = (long long)(err);                             \
		if (t_r_ != t_e_)                                              \
			t_fail(__FILE__, __LINE__,                             \
			       "%s: expected %s, got %s (%lld, native %d)",     \
			       #expr, t_err_name(t_e_), t_err_name(t_r_), t_r_, \
			       ls_native_error());                             \
	} while (0)

/* expr must fail with one of two errors. */
#define CHECK_ERR2(expr, err1, err2)                                           \
	do {                                                                   \
		long long t_r_ = (long long)(expr);                            \
		long long t_e1_ = (long long)(err1);                           \
		long long t_e2_ = (long long)(err2);                           \
		if (t_r_ != t_e1_ && t_r_ != t_e2_)                            \
			t_fail(__FILE__, __LINE__,                             \
			       "%s: expected %s or %s, got %s (%lld, native %d)", \
			       #expr, t_err_name(t_e1_), t_err_name(t_e2_),     \
			       t_err_name(t_r_), t_r_, ls_native_error());     \
	} while (0)

#define SKIP(...) t_skip(__FILE__, __LINE__, __VA_ARGS__)

/* Helpers used by the macros. */
int t_str_eq(const char *a, const char *b);
const char *t_err_name(long long err);

#endif /* T_TEST_H */
