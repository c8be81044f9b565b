/*
 * libsock/acl.h - access control per listener: rules that allow or deny
 * address prefixes, enforced as early as the OS allows.
 *
 * Rules are CIDR prefixes ("10.0.0.0/8", "2001:db8::/32", or a single
 * address) with an action. The first rule that matches a peer decides
 * (hosts_access semantics); when none matches, the default action does. An
 * IPv4-mapped IPv6 peer (::ffff:a.b.c.d) is matched against IPv4 rules.
 *
 * Where a listener enforces its rules (ls_listener_acl_enforcement):
 * - LS_ACL_KERNEL (Linux): compiled into a classic BPF filter on the
 *   listening socket; a denied client's SYN is dropped before any handshake,
 *   so it sees a connect timeout, never a connection. The kernel does not
 *   count those drops.
 * - LS_ACL_CONDITIONAL (Windows, only when asked for with
 *   ls_listener_acl_request_conditional()): ls_accept() judges each
 *   connection inside WSAAccept, before the handshake completes; a denied
 *   client's connect is refused and the rejection is counted.
 * - LS_ACL_ACCEPT (everywhere else, and on Linux when the rules do not fit a
 *   filter): each accepted connection is checked; a denied one is closed with
 *   a reset before ls_accept() returns and is counted (ls_acl_rejected()).
 * Whatever the mode, every accepted connection is also checked after accept,
 * so a denied peer never reaches ls_accept()'s caller.
 */
#ifndef LIBSOCK_ACL_H
#define LIBSOCK_ACL_H

#include <stddef.h>
#include <stdint.h>

#include "libsock/addr.h"
#include "libsock/export.h"
#include "libsock/socket.h"

#define LS_ACL_DENY  0
#define LS_ACL_ALLOW 1

/* ls_listener_acl_enforcement() results. */
#define LS_ACL_NONE   0 /* no rules on this listener */
#define LS_ACL_ACCEPT 1 /* checked after accept, denied peers reset */
#define LS_ACL_KERNEL 2 /* checked by the kernel before the handshake */
#define LS_ACL_CONDITIONAL 3 /* checked by ls_accept before the handshake completes (Windows) */

/* Flags for ls_listener_set_acl(). */
#define LS_ACL_AFTER_ACCEPT 0x01 /* never use the kernel filter (to count every rejection) */

/* The most rules one list holds. */
#define LS_ACL_MAX_RULES 65536

typedef struct ls_acl ls_acl;

#ifdef __cplusplus
extern "C" {
#endif

/* An empty rule list with a default action. LS_EINVAL for a bad action. */
LS_API int ls_acl_new(ls_acl **out, int default_action);
LS_API void ls_acl_free(ls_acl *acl);

/*
 * Append a rule. cidr: an IPv4 or IPv6 address, optionally "/prefix"
 * (0-32, 0-128); host bits set below the prefix are LS_EINVAL, never
 * silently cleared. LS_ENOSPC beyond LS_ACL_MAX_RULES.
 */
LS_API int ls_acl_add(ls_acl *acl, const char *cidr, int action);

/*
 * Append rules from text: one per line, "allow CIDR" or "deny CIDR", or
 * "default allow" / "default deny"; '#' starts a comment; blank lines and
 * surrounding spaces are ignored. On a bad line nothing is added, and
 * *bad_line (1-based, may be NULL) and reason (may be NULL) say which and
 * why. LS_EINVAL for a bad rule, LS_ENOSPC for too many.
 */
LS_API int ls_acl_parse(ls_acl *acl, const char *text, size_t len, int *bad_line, char *reason,
                        size_t reason_size);

/* LS_ACL_ALLOW or LS_ACL_DENY for a peer address (LS_EINVAL for NULL). */
LS_API int ls_acl_check(const ls_acl *acl, const ls_addr *peer);

/* The number of rules. */
LS_API size_t ls_acl_count(const ls_acl *acl);

/*
 * Give a listening (or about to listen) TCP socket its own copy of the
 * rules; NULL removes them. Later changes to acl do not affect the
 * listener: set it again to replace them. LS_EPROTOTYPE for a socket that
 * is not a stream socket.
 */
LS_API int ls_listener_set_acl(ls_socket listener, const ls_acl *acl, int flags);

/* LS_ACL_NONE, LS_ACL_ACCEPT, LS_ACL_KERNEL or LS_ACL_CONDITIONAL, or an error. */
LS_API int ls_listener_acl_enforcement(ls_socket listener);

/*
 * Ask (on nonzero) for the listener's rules to be applied before a
 * connection's handshake completes where the OS can do that only at a
 * cost, or withdraw the request (on 0). Call it before ls_listen(); the
 * rules set before or after it use it.
 *
 * Windows: SO_CONDITIONAL_ACCEPT on the socket, and ls_accept() accepts
 * through WSAAccept with a condition that looks the peer up in the rules:
 * a denied client's connect is refused (no data ever flows) and the
 * rejection is counted. The cost: the stack no longer completes handshakes
 * on its own, so its SYN-attack protection is off for this listener, the
 * listen backlog no longer applies, and each client waits for its SYN-ACK
 * until the program calls ls_accept(). Use it on listeners that accept
 * promptly and are not exposed to SYN floods.
 *
 * Returns 0 when the OS took it; LS_ENOTSUP where there is no such mode or
 * the OS refuses it: POSIX (Linux already drops denied SYNs with its BPF
 * filter at no such cost; macOS and the BSDs have no condition on accept)
 * and wine 8 (ls_native_error() gives the OS's code). The rules then apply
 * as ls_listener_acl_enforcement() says. LS_EINVAL on a socket already
 * listening, LS_EPROTOTYPE for one that is not a TCP socket.
 */
LS_API int ls_listener_acl_request_conditional(ls_socket listener, int on);

/*
 * Connections this process rejected, after accept or inside it (conditional
 * accept), on every listener; the Linux kernel filter's drops are not counted.
 */
LS_API uint64_t ls_acl_rejected(void);

#ifdef __cplusplus
}
#endif

#endif /* LIBSOCK_ACL_H */
