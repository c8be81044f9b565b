/*
 * share_internal.h - the bytes that carry a socket to another process
 * (blob.c), shared by the export/import and channel calls (handoff.c).
 *
 * Layout, integers little-endian (the same on every OS, so a corrupt or
 * foreign blob is recognised as such rather than misread):
 *   0  4  magic "LSX" and 0x01
 *   4  1  version (1)
 *   5  1  kind: LSI_SHARE_OS (the OS's own bytes follow) or LSI_SHARE_FD
 *         (the descriptor travels beside the bytes, SCM_RIGHTS)
 *   6  2  family (LS_AF_*)
 *   8  2  type (LS_SOCK_*)
 *  10  2  payload length
 *  12  4  exporter's process id
 *  16  4  target process id
 *  20  4  exporter's counter  } with the exporter's id: which export this
 *  24  4  exporter's clock    } is, so an import can be refused twice
 *  28  4  CRC-32 of bytes 0..27 and the payload
 *  32     payload
 */
#ifndef LSI_SHARE_INTERNAL_H
#define LSI_SHARE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "common/internal.h"

#define LSI_SHARE_HDR 32
#define LSI_SHARE_OS 1
#define LSI_SHARE_FD 2
#define LSI_SHARE_PAYLOAD_MAX (LS_SOCKET_EXPORT_MAX - LSI_SHARE_HDR)

typedef struct lsi_share_hdr {
	int kind;
	int family;
	int type;
	size_t payload; /* bytes after the header */
	uint32_t src_pid;
	uint32_t dst_pid;
	uint32_t counter;
	uint32_t stamp;
} lsi_share_hdr;

/* A header for a new export of kind from this process to dst_pid. */
void lsi_share_hdr_init(lsi_share_hdr *h, int kind, int family, int type, uint32_t dst_pid);

/*
 * Write h into buf's first LSI_SHARE_HDR bytes, the payload (h->payload
 * bytes) being already in place after it, with the checksum over both.
 */
void lsi_share_pack(unsigned char *buf, const lsi_share_hdr *h);

/*
 * Read and check a header alone (magic, version, kind, family, type,
 * payload length): 0, or LS_EINVAL. The checksum is checked by
 * lsi_share_verify() once the payload is there.
 */
int lsi_share_parse(const unsigned char *buf, lsi_share_hdr *h);

/* 0 if buf (LSI_SHARE_HDR + h->payload bytes) matches its checksum, else LS_EINVAL. */
int lsi_share_verify(const unsigned char *buf, const lsi_share_hdr *h);

/*
 * Record an import of the OS's bytes: 0 the first time, LS_EINVAL if this
 * process has imported the same export before (the OS would hand out the
 * same socket twice, and two handles closing one socket break both).
 */
int lsi_share_first_import(const lsi_share_hdr *h);

#endif /* LSI_SHARE_INTERNAL_H */
