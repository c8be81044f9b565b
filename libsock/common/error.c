/*
 * error.c - names and messages for the error table, and the per-thread
 * record of the OS's own code for the last failure.
 */
#include "internal.h"

/* The OS code of the last failure on this thread (see ls_native_error()). */
static _Thread_local int lsi_native_err;

void lsi_set_native_error(int code)
{
	lsi_native_err = code;
}

int ls_native_error(void)
{
	return lsi_native_err;
}

#define LSI_NAME_CASE(name, value, msg) \
	case LS_##name:                 \
		return "LS_" #name;
#define LSI_MSG_CASE(name, value, msg) \
	case LS_##name:                \
		return msg;

const char *ls_error_name(int err)
{
	switch (err) {
	case LS_OK:
		return "LS_OK";
		LS_ERROR_MAP(LSI_NAME_CASE)
	default:
		return "LS_E?";
	}
}

const char *ls_strerror(int err)
{
	switch (err) {
	case LS_OK:
		return "success";
		LS_ERROR_MAP(LSI_MSG_CASE)
	default:
		return "unknown libsock error";
	}
}

int ls_error_is_resolver(int err)
{
	return err <= LS_ERESOLVER_FIRST && err >= LS_ERESOLVER_LAST;
}
