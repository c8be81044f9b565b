/*
 * msg_internal.h - what msg.c (single messages) shares with batch.c.
 */
#ifndef LSI_MSG_INTERNAL_H
#define LSI_MSG_INTERNAL_H

#include "common/internal.h"

#define LSI_MSG_SEND_FLAGS (LS_MSG_OOB | LS_MSG_DONTWAIT)
#define LSI_MSG_RECV_FLAGS                                                                         \
	(LS_MSG_PEEK | LS_MSG_OOB | LS_MSG_DONTWAIT | LS_MSG_WAITALL | LS_MSG_TRUNC_OK)

/* Checks that need no socket: the flags, counts and buffers of m. */
int lsi_msg_check(const ls_msg *m, int flags, int allowed);

/* Checks that need the socket: family, type, what may be passed or set. */
int lsi_msg_check_sock(const lsi_sock *sk, const ls_msg *m, int sending);

#endif /* LSI_MSG_INTERNAL_H */
