/* test_version.c - the compile-time version macros match the linked library. */
#include <stdio.h>
#include <string.h>

#include "test.h"

static void number_matches_macros(void)
{
	CHECK_EQ_INT(ls_version(), LS_VERSION_NUMBER);
	CHECK_EQ_INT((ls_version() >> 16) & 0xff, LS_VERSION_MAJOR);
	CHECK_EQ_INT((ls_version() >> 8) & 0xff, LS_VERSION_MINOR);
	CHECK_EQ_INT(ls_version() & 0xff, LS_VERSION_PATCH);
}

static void number_encoding(void)
{
	/* 0xMMmmpp, so versions compare as numbers. */
	CHECK_EQ_INT(LS_VERSION_NUMBER,
	             LS_VERSION_MAJOR * 0x10000 + LS_VERSION_MINOR * 0x100 +
	                     LS_VERSION_PATCH);
	CHECK(LS_VERSION_MINOR < 256 && LS_VERSION_PATCH < 256);
}

static void string_matches_macros(void)
{
	char expect[32];
	const char *s = ls_version_string();

	CHECK(s != NULL);
	snprintf(expect, sizeof(expect), "%d.%d.%d", LS_VERSION_MAJOR,
	         LS_VERSION_MINOR, LS_VERSION_PATCH);
	CHECK_STR_EQ(s, expect);
	/* Stable across calls. */
	CHECK_STR_EQ(ls_version_string(), expect);
}

static const t_case cases[] = {
	TEST_CASE(number_matches_macros),
	TEST_CASE(number_encoding),
	TEST_CASE(string_matches_macros),
};

TEST_MAIN(cases)
