/*
 * stats_internal.h - what the monitoring files share.
 */
#ifndef LSI_STATS_INTERNAL_H
#define LSI_STATS_INTERNAL_H

#include "common/internal.h"

/* One open socket's details (s held by the caller, h its handle). */
void lsi_stats_info(lsi_sock *s, ls_socket h, ls_sockinfo *out);

/*
 * A writer into a caller's buffer that keeps counting past its end, so the
 * caller can learn the size needed. Output is always NUL-terminated when
 * size > 0.
 */
typedef struct lsi_out {
	char *buf;
	size_t size, len;
} lsi_out;

void lsi_out_str(lsi_out *o, const char *s);
void lsi_out_fmt(lsi_out *o, const char *fmt, ...)
#if defined(__GNUC__) && !defined(__MINGW32__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* LS_ENOSPC (with *len the size needed) or 0 (*len the length written). */
int lsi_out_done(const lsi_out *o, size_t *len);

#endif /* LSI_STATS_INTERNAL_H */
