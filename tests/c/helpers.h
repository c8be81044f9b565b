/*
 * helpers.h - socket helpers shared by the tests. Each helper that can fail
 * checks its own steps (a failure ends the case), so tests read straight.
 * Everything here uses only libsock's public API; traffic stays on loopback.
 */
#ifndef T_HELPERS_H
#define T_HELPERS_H

#include <stddef.h>
#include <stdint.h>

#include <libsock.h>

#include "test.h"
#include "thread.h"

/* Generous bound for anything that should be quick, so a bug cannot hang a test. */
#define H_HANG_MS (10 * 1000)

/*
 * 0 if an IPv6 socket can be bound to [::1], else the error. Tests that need
 * IPv6 use H_REQUIRE_IPV6(), which skips with the reason.
 */
int h_ipv6_error(void);
#define H_REQUIRE_IPV6()                                                        \
	do {                                                                    \
		int h_e6_ = h_ipv6_error();                                     \
		if (h_e6_ != 0)                                                 \
			SKIP("::1 not available: binding an IPv6 socket to [::1] " \
			     "gave %s", ls_error_name(h_e6_));                  \
	} while (0)

/* The loopback address of family (LS_AF_INET or LS_AF_INET6) with a port. */
ls_addr h_loopback(int family, uint16_t port);

/* A TCP socket listening on loopback port 0; *bound gets the real address. */
ls_socket h_listener(int family, ls_addr *bound);

/* A connected TCP pair over loopback: the connecting end and the accepted end. */
void h_tcp_pair(int family, ls_socket *client, ls_socket *server);

/* A UDP socket bound to loopback port 0; *bound gets the real address. */
ls_socket h_udp(int family, ls_addr *bound);

/* A loopback address with a port that nothing listens on (just released). */
ls_addr h_closed_port(int family);

/* Send all of buf (ls_sendall) and receive exactly len bytes, looping. */
void h_send_all(ls_socket s, const void *buf, size_t len);
void h_recv_exact(ls_socket s, void *buf, size_t len);

/* Send a NUL-free string; receive exactly strlen(expect) bytes and compare. */
void h_send_str(ls_socket s, const char *str);
void h_expect_str(ls_socket s, const char *expect);

/*
 * A unique Unix socket path in the temp directory (TMPDIR, TEMP, TMP, else
 * /tmp): <dir>/ls<pid>-<counter>.s. Fails the case if it does not fit in
 * size or in LS_UNIX_PATH_MAX. Remove it with h_unlink().
 */
void h_unix_path(char *buf, size_t size);
const char *h_tmpdir(void);
void h_unlink(const char *path);

/* Fill a buffer with a position-dependent pattern, and check it. */
void h_pattern(unsigned char *buf, size_t len, size_t offset);
int h_pattern_ok(const unsigned char *buf, size_t len, size_t offset);

/* Fill one poll entry: socket s, asking for events, revents cleared. */
void h_set_pollfd(ls_pollfd *p, ls_socket s, short events);

/* A loopback address with a UDP port that no socket is bound to (just released). */
ls_addr h_closed_udp_port(int family);

#endif /* T_HELPERS_H */
