/*
 * The pkg-config consumer: the same program as the CMake consumer, built
 * by tests/consumer/run.sh with
 *   cc main.c $(pkg-config --cflags --libs libsock)
 *   cc main.c $(pkg-config --static --cflags --libs libsock-static)
 * Only the build system differs, so the source is shared.
 */
#include "../cmake/main.c"
