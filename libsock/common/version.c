/* version.c - the version of the library actually linked. */
#include "internal.h"

#define LSI_STR2(x) #x
#define LSI_STR(x) LSI_STR2(x)

unsigned ls_version(void)
{
	return LS_VERSION_NUMBER;
}

const char *ls_version_string(void)
{
	return LSI_STR(LS_VERSION_MAJOR) "." LSI_STR(LS_VERSION_MINOR) "." LSI_STR(
	        LS_VERSION_PATCH);
}
