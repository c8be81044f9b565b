/*
 * resolve.h - the parts of name resolution that are the same on every OS:
 * flag and hint conversion, building the ls_addrinfo list from the OS's
 * struct addrinfo list, and copying results into caller buffers.
 *
 * Shared by every platform: it relies only on the names lsi_os.h documents.
 * Calling the resolver, translating its errors and any per-OS reshaping of
 * its results stay in the platform files.
 */
#ifndef LSI_SYS_RESOLVE_H
#define LSI_SYS_RESOLVE_H

#include <stddef.h>

#include "lsi_os.h"
#include "platform.h"

/*
 * LS_AI_* to AI_* in *out; LS_EAI_BADFLAGS for a flag the OS cannot honour
 * (see resolve.c).
 */
int lsi_ai_flags_to_native(int flags, int *out);

/* LS_NI_* to NI_*. */
int lsi_ni_flags_to_native(int flags);

/*
 * Fill *ai (zeroed first) from libsock hints. LS_EAI_FAMILY or
 * LS_EAI_SOCKTYPE for values the OS has no name for, or the error of
 * lsi_ai_flags_to_native().
 */
int lsi_hints_to_native(const ls_addrinfo_hints *h, struct addrinfo *ai);

/*
 * Append at **tail a node for the OS result ai with the given LS_SOCK_*
 * type (0 allowed) and protocol, and move *tail to its next pointer. A
 * result of a family libsock does not know, or with no usable address
 * length, is skipped (0, nothing appended). Otherwise LS_ENOMEM, or the
 * error of lsi_addr_from_native() for an address it cannot read (nothing
 * appended): whether that skips the result or fails the lookup is the
 * caller's choice.
 */
int lsi_addrinfo_push(const struct addrinfo *ai, int type, int protocol, ls_addrinfo ***tail);

/*
 * Append the node(s) for one OS result at **tail (see lsi_addrinfo_push);
 * the platform decides how an OS result maps to ls_addrinfo nodes.
 */
typedef int (*lsi_addrinfo_append_fn)(const struct addrinfo *ai, ls_addrinfo ***tail);

/*
 * Build the ls_addrinfo list for the OS list res, calling append for each
 * result, with the canonical name on the first node. LS_ENODATA if no
 * result was usable; on any error nothing is allocated and *out is
 * untouched.
 */
int lsi_addrinfo_from_native(const struct addrinfo *res, lsi_addrinfo_append_fn append,
                             ls_addrinfo **out);

/*
 * Copy the NUL-terminated src into dst (size bytes), or LS_ENOSPC with dst
 * emptied (if size allows). A NULL dst wants nothing: 0.
 */
int lsi_copy_out(char *dst, size_t size, const char *src);

#endif /* LSI_SYS_RESOLVE_H */
