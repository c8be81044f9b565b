/*
 * libsock/export.h - the one export macro, LS_API.
 *
 * A shared build compiles with LIBSOCK_BUILDING and exports; consumers of the
 * shared library import. A static build (and every consumer of it, through
 * the CMake target's interface) defines LIBSOCK_STATIC, which makes LS_API
 * empty. Symbols not marked LS_API are hidden: the library is compiled with
 * hidden visibility by default.
 */
#ifndef LIBSOCK_EXPORT_H
#define LIBSOCK_EXPORT_H

#if defined(LIBSOCK_STATIC) && defined(LIBSOCK_SHARED)
#error "libsock: LIBSOCK_STATIC and LIBSOCK_SHARED are both defined; pick one"
#endif

#if defined(LIBSOCK_STATIC)
#define LS_API
#elif defined(_WIN32) || defined(__CYGWIN__)
#if defined(LIBSOCK_BUILDING)
#define LS_API __declspec(dllexport)
#else
#define LS_API __declspec(dllimport)
#endif
#elif defined(__GNUC__) && __GNUC__ >= 4
#define LS_API __attribute__((visibility("default")))
#else
#define LS_API
#endif

#endif /* LIBSOCK_EXPORT_H */
