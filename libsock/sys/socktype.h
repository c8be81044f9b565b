/*
 * socktype.h - LS_SOCK_* <-> the OS's SOCK_* socket types.
 *
 * Shared by every platform: SOCK_STREAM and SOCK_DGRAM have the same names
 * in the POSIX and Winsock headers, so the mapping has no OS #if.
 */
#ifndef LSI_SYS_SOCKTYPE_H
#define LSI_SYS_SOCKTYPE_H

#include "lsi_os.h"
#include "platform.h"

/* LS_SOCK_* to SOCK_*; -1 for a type libsock does not know. */
int lsi_type_to_native(int type);

/* SOCK_* to LS_SOCK_*; -1 for a type libsock does not know (SOCK_RAW). */
int lsi_type_from_native(int type);

#endif /* LSI_SYS_SOCKTYPE_H */
