/*
 * libsock.h - the whole public API of libsock, a portable socket library.
 *
 * This header and the ones it includes name no OS header: a file that
 * includes it compiles the same on Linux, macOS and Windows.
 */
#ifndef LIBSOCK_H
#define LIBSOCK_H

#include "libsock/export.h"
#include "libsock/version.h"
#include "libsock/error.h"
#include "libsock/addr.h"
#include "libsock/socket.h"
#include "libsock/io.h"
#include "libsock/msg.h"
#include "libsock/options.h"
#include "libsock/multicast.h"
#include "libsock/poll.h"
#include "libsock/poller.h"
#include "libsock/acl.h"
#include "libsock/proxy.h"
#include "libsock/share.h"
#include "libsock/stats.h"
#include "libsock/resolve.h"
#include "libsock/tls.h"

#endif /* LIBSOCK_H */
