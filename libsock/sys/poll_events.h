/*
 * poll_events.h - LS_POLL* <-> the OS's poll() / WSAPoll() event bits.
 *
 * Shared by every platform. The only bit that differs is the one asked for
 * to learn that a socket is readable, which lsi_os.h names LSI_POLL_READ;
 * the reported bits (POLLIN, POLLOUT, POLLERR, POLLHUP, POLLNVAL) have the
 * same names in the POSIX and Winsock headers.
 */
#ifndef LSI_SYS_POLL_EVENTS_H
#define LSI_SYS_POLL_EVENTS_H

#include "lsi_os.h"
#include "platform.h"

/* LS_POLLIN | LS_POLLOUT to the events field of a pollfd. */
short lsi_poll_events_to_native(short events);

/* A pollfd's revents to LS_POLL*. */
short lsi_poll_events_from_native(short revents);

#endif /* LSI_SYS_POLL_EVENTS_H */
