/*
 * socktype.c - LS_SOCK_* <-> SOCK_*, shared by every platform.
 */
#include "sys/socktype.h"

int lsi_type_to_native(int type)
{
	switch (type) {
	case LS_SOCK_STREAM:
		return SOCK_STREAM;
	case LS_SOCK_DGRAM:
		return SOCK_DGRAM;
	default:
		return -1;
	}
}

int lsi_type_from_native(int type)
{
	switch (type) {
	case SOCK_STREAM:
		return LS_SOCK_STREAM;
	case SOCK_DGRAM:
		return LS_SOCK_DGRAM;
	default:
		return -1;
	}
}
