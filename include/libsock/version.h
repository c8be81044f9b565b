/*
 * libsock/version.h - compile-time and run-time version.
 *
 * CMake reads LS_VERSION_MAJOR/MINOR/PATCH from this file, so the version
 * lives in exactly one place.
 */
#ifndef LIBSOCK_VERSION_H
#define LIBSOCK_VERSION_H

#include "libsock/export.h"

#define LS_VERSION_MAJOR 0
#define LS_VERSION_MINOR 1
#define LS_VERSION_PATCH 0

/* The version as one comparable number: 0xMMmmpp. */
#define LS_VERSION_NUMBER \
	((LS_VERSION_MAJOR << 16) | (LS_VERSION_MINOR << 8) | LS_VERSION_PATCH)

#ifdef __cplusplus
extern "C" {
#endif

/* The version of the library actually linked, as LS_VERSION_NUMBER encodes it. */
LS_API unsigned ls_version(void);

/* The version of the library actually linked, as "major.minor.patch". */
LS_API const char *ls_version_string(void);

#ifdef __cplusplus
}
#endif

#endif /* LIBSOCK_VERSION_H */
